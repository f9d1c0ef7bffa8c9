"""The bottom layer: typed settings, units and the clock, imported by every other package.

Nothing here imports another package of this project (``tests/foundation/test_import_contract.py``
holds every package to its layer).
"""

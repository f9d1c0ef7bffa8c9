"""The store's data and rules: catalog, sizes, orders, customers, policies and handoffs.

Importing this package does no work: engines are built and schemas created only when asked
(:func:`store.db.make_engine`, ``python -m store migrate``). Every query or rule is a plain function
that takes a SQLAlchemy session and keyword arguments and returns frozen dataclasses.
"""

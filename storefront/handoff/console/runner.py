"""The console's one way into the store: every console module calls the store through here.

Kept to one import so that moving the console onto another store runner changes one line.
"""

from storefront.handoff.views import run_store

__all__ = ["run_store"]

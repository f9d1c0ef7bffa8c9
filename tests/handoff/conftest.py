"""Fixtures for the live-handoff tests.

The servers of the ``stack`` fixture must hand off *online* whatever the wall clock says (the
store's business hours would otherwise make these tests depend on the time of day), so agents
count as always on duty unless the environment already decides. ``stack_env`` copies
``os.environ`` when the session first needs it, which is after every conftest is imported.
"""

from __future__ import annotations

import os

os.environ.setdefault("HANDOFF_HOURS_OVERRIDE", "open")

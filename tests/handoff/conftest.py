"""Fixtures of the handoff tests."""

from __future__ import annotations

import pytest

from tests.handoff.browser import chromium_path


@pytest.fixture
def chromium() -> str:
    """Debian's headless Chromium for the console's browser tests (see :mod:`tests.handoff.browser`)."""
    return chromium_path()

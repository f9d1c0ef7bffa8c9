"""Headless Chromium for the widget tests: Debian's /usr/bin/chromium driven by Playwright.

No browser is ever downloaded. Without chromium the browser tests skip, except under CI=true,
where they fail. Screenshots go to the test's tmp dir and are copied to tests/.artifacts/.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import AsyncIterator

import pytest

from tests.support.services import in_ci

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parent.parent / ".artifacts"


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    """A fresh headless Chromium (its own profile, so each test is a new shopper)."""
    if not CHROMIUM.exists():
        if in_ci():
            pytest.fail(f"{CHROMIUM} is missing, and CI=true requires the browser tests")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


def keep_screenshot(path: Path) -> Path:
    """Copy a screenshot to tests/.artifacts/ (git-ignored) so a person can look at it."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / path.name
    shutil.copyfile(path, target)
    return target

"""Every store module imports on its own, in any order (no circular imports, no import-time work)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import store
from core.settings import PROJECT_ROOT

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(store.__path__, prefix="store.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]

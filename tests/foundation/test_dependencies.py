"""Every package our code imports is declared: the runtime's in requirements.in, the rest in -dev.

A package that only arrives because Rasa depends on it disappears the day Rasa stops needing it,
so each import of a third-party module must name a distribution we declare ourselves.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Dict, Iterable, Set

from core.settings import PROJECT_ROOT

RUNTIME_PACKAGES = ("core", "store", "integrations", "actions", "storefront", "tools")
TOOLING_FOLDERS = ("scripts", "tests")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(path: Path) -> Set[str]:
    """Distribution names a ``requirements*.in`` file asks for (options and comments skipped)."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_canonical(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0]))
    return names


def first_party(root: Path = PROJECT_ROOT) -> Set[str]:
    modules = {*RUNTIME_PACKAGES, *TOOLING_FOLDERS}
    modules.update(path.stem for path in (root / "scripts").glob("*.py"))  # scripts import each other
    return modules


def imported_distributions(folders: Iterable[str], root: Path = PROJECT_ROOT) -> Dict[str, Set[str]]:
    """Third-party distribution -> the files importing it, for every import at any depth."""
    ours = first_party(root)
    owners = packages_distributions()
    found: Dict[str, Set[str]] = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    tops = [alias.name.split(".")[0] for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    tops = [node.module.split(".")[0]]
                else:
                    continue
                for top in tops:
                    if top in ours or top in sys.stdlib_module_names or top == "__future__":
                        continue
                    for distribution in owners.get(top, [top]):
                        found.setdefault(_canonical(distribution), set()).add(str(path.relative_to(root)))
    return found


def test_the_runtime_declares_every_package_it_imports() -> None:
    runtime = declared(PROJECT_ROOT / "requirements.in")
    missing = {
        name: sorted(files) for name, files in imported_distributions(RUNTIME_PACKAGES).items()
        if name not in runtime
    }  # fmt: skip
    assert missing == {}, "add these to requirements.in (then make lock)"


def test_tests_and_scripts_declare_every_package_they_import() -> None:
    available = declared(PROJECT_ROOT / "requirements.in") | declared(PROJECT_ROOT / "requirements-dev.in")
    missing = {
        name: sorted(files) for name, files in imported_distributions(TOOLING_FOLDERS).items()
        if name not in available
    }  # fmt: skip
    assert missing == {}, "add these to requirements-dev.in (then make lock)"


def test_the_locks_pin_every_declared_package() -> None:
    def pinned(lock: str) -> Set[str]:
        text = (PROJECT_ROOT / lock).read_text(encoding="utf-8")
        return {_canonical(name) for name in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", text, re.M)}

    assert declared(PROJECT_ROOT / "requirements.in") - pinned("requirements.lock") == set()
    assert declared(PROJECT_ROOT / "requirements-dev.in") - pinned("requirements-dev.lock") == set()

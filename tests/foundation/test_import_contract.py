"""The packages' imports point one way, and no module imports itself through others.

Layers, bottom to top: ``core`` (typed settings, units, clock), ``store`` (data and rules),
``integrations`` (clients for outside services), then ``actions`` (the action server) and
``storefront`` (code inside the Rasa server) side by side, which never import each other, and
``tools`` (launcher, model cache, evaluation) on top. Every import counts, including the ones inside
functions, because a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

import pytest

from core.settings import PROJECT_ROOT

LAYERS: Dict[str, int] = {"core": 0, "store": 1, "integrations": 2, "actions": 3, "storefront": 3, "tools": 4}
"""A package may import its own modules and packages of a lower rank, never its peers or above."""


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path = PROJECT_ROOT) -> Dict[str, Path]:
    """Every module of the layered packages, by dotted name."""
    modules = {}
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            modules[_module_name(path, root)] = path
    return modules


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> Optional[str]:
    if node.level == 0:
        return node.module
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: Set[str]) -> Iterator[Tuple[str, int]]:
    """(imported project module, line) for every import in ``path``, at any depth of the code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        names: List[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, is_package)
            if target is None:
                continue
            # ``from pkg import mod`` imports the module pkg.mod when there is one.
            names = [f"{target}.{a.name}" if f"{target}.{a.name}" in known else target for a in node.names]
        for name in names:
            # Reduce to the longest project module that the name is (or is inside).
            parts = name.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts:
                yield ".".join(parts), node.lineno


def import_graph(root: Path = PROJECT_ROOT) -> Dict[str, Set[Tuple[str, int]]]:
    modules = project_modules(root)
    known = set(modules)
    return {name: set(imports_of(name, path, known)) for name, path in modules.items()}


def layer_violations(graph: Dict[str, Set[Tuple[str, int]]]) -> List[str]:
    """Imports from a module to a package of the same rank (other than its own) or above."""
    found = []
    for module, targets in sorted(graph.items()):
        package = module.split(".")[0]
        for target, line in sorted(targets):
            other = target.split(".")[0]
            if other != package and LAYERS[other] >= LAYERS[package]:
                found.append(f"{module}:{line} imports {target} ({package} may not import {other})")
    return found


def import_cycles(graph: Dict[str, Set[Tuple[str, int]]]) -> List[List[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    groups: List[List[str]] = []
    counter = [0]
    edges = {m: {t for t, _ in targets if t != m} for m, targets in graph.items()}

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return groups


@pytest.fixture(scope="module")
def graph() -> Dict[str, Set[Tuple[str, int]]]:
    return import_graph()


def test_every_package_imports_only_the_layers_below_it(graph) -> None:
    assert layer_violations(graph) == []


def test_no_module_imports_itself_through_others(graph) -> None:
    assert import_cycles(graph) == []


def test_the_checker_reads_lazy_and_relative_imports_from_files(tmp_path: Path) -> None:
    """Both checks fail on a made-up tree with the faults they look for, imports inside functions too."""
    files = {
        "core/__init__.py": "",
        "core/bad.py": "def f():\n    from store.a import x\n",
        "store/__init__.py": "",
        "store/a.py": "from .b import y\n",
        "store/b.py": "def g():\n    from store import a\n",
        "actions/__init__.py": "",
        "actions/peer.py": "import storefront.thing\n",
        "storefront/__init__.py": "",
        "storefront/thing.py": "",
        "integrations/__init__.py": "",
        "tools/__init__.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    made_up = import_graph(tmp_path)
    assert layer_violations(made_up) == [
        "actions.peer:1 imports storefront.thing (actions may not import storefront)",
        "core.bad:2 imports store.a (core may not import store)",
    ]
    assert import_cycles(made_up) == [["store.a", "store.b"]]


def test_the_circle_finder_finds_a_lazy_circle() -> None:
    graph = {"store.a": {("store.b", 1)}, "store.b": {("store.a", 2)}, "store.c": {("store.a", 1)}}
    assert import_cycles(graph) == [["store.a", "store.b"]]


def test_the_layer_rule_refuses_peers_and_upward_imports() -> None:
    graph = {
        "core.bad": {("store.a", 2)},
        "actions.peer": {("storefront", 1)},
        "storefront.x": {("actions.y", 3)},
        "store.fine": {("core.settings", 1), ("store.other", 2)},
        "tools.fine": {("actions.y", 1), ("storefront.x", 1)},
    }
    assert layer_violations(graph) == [
        "actions.peer:1 imports storefront (actions may not import storefront)",
        "core.bad:2 imports store.a (core may not import store)",
        "storefront.x:3 imports actions.y (storefront may not import actions)",
    ]

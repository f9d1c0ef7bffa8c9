"""Fixtures shared by the safeguard tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from rasa.shared.core.domain import Domain

from tools.launcher import Stack, free_port


@pytest.fixture(scope="module")
def action_server(stack_env: Dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The action server alone, started the way ``make run`` starts it, with ACTION_HOST unset."""
    env = {k: v for k, v in stack_env.items() if k != "ACTION_HOST"}
    env["ACTION_PORT"] = str(free_port())
    stack = Stack(model=Path("no-model"), env=env, log_dir=tmp_path_factory.mktemp("action-server"))
    stack.processes = [stack._actions()]
    stack.processes[0].start(stack.env)
    try:
        stack.wait_healthy(120)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    """The project's domain, as the Rasa server sends it to the action server."""
    return Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml")).as_dict()

"""Session-wide fixtures: a loaded sample store, a trained model and the real servers.

The model is trained once per fingerprint (config, domain, data, NLU code, catalog) into
``models/`` and reused by later runs; the store and the tracker database are fresh files in a
temporary folder, so tests never touch ``var/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, Iterator

import pytest

import core.settings
from core.settings import PROJECT_ROOT, load_settings
from store.db import reset_default_engine
from tools.launcher import Stack, free_port

# ``own_store`` and ``own_stack``: servers on a copy of the store, one pair per test module.
pytest_plugins = ("tests.support.stacks",)

TEST_API_TOKEN = "test-api-token"
TEST_AGENT_TOKEN = "test-agent-token"
TEST_WIDGET_SECRET = "test-widget-secret"
TEST_CART_LINK_SECRET = "test-cart-link-secret"
TEST_ACTION_SERVER_TOKEN = "test-action-server-token"


@pytest.fixture(scope="session", autouse=True)
def ignore_developer_dotenv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Settings read in the test process ignore the project's ``.env``: a developer's own
    configuration must not change a result (the servers get every setting from ``stack_env``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core.settings, "ENV_FILE", tmp_path_factory.mktemp("dotenv") / ".env")
        core.settings.clear_settings_cache()
        yield
    core.settings.clear_settings_cache()


@pytest.fixture(scope="session")
def store_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store database with the sample store loaded (schema by the migrate command)."""
    folder = tmp_path_factory.mktemp("store")
    url = f"sqlite:///{folder / 'store.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["migrate"], ["load-sample", "--output-dir", str(folder / "sample")]):
        result = subprocess.run(
            [sys.executable, "-m", "store", *command], cwd=PROJECT_ROOT, env=env,
            capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 0, f"store {command[0]} failed:\n{result.stdout}\n{result.stderr}"
    return url


@pytest.fixture
def use_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """``use_store(url)`` points ``DATABASE_URL`` and the store's default engine at ``url`` for one
    test (actions and the console find their store that way); undone afterwards."""

    def use(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        reset_default_engine()

    yield use
    reset_default_engine()


@pytest.fixture(scope="session")
def stack_env(store_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """Environment for servers started by tests: fixed tokens, free ports, temporary databases."""
    tmp = tmp_path_factory.mktemp("stack")
    rasa_port, action_port = free_port(), free_port()
    overrides = {
        "DATABASE_URL": store_db_url,
        "RASA_HOST": "127.0.0.1",
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "RASA_API_TOKEN": TEST_API_TOKEN,
        "AGENT_CONSOLE_TOKEN": TEST_AGENT_TOKEN,
        "WIDGET_SIGNING_SECRET": TEST_WIDGET_SECRET,
        "CART_LINK_SECRET": TEST_CART_LINK_SECRET,
        "ACTION_SERVER_TOKEN": TEST_ACTION_SERVER_TOKEN,
        "TRACKER_STORE_URL": f"sqlite:///{tmp / 'tracker.db'}",
        # labels from the console's review queue go here, never into the project's data/
        "REVIEW_DATA_DIR": str(tmp / "review-data"),
        "RASA_TELEMETRY_ENABLED": "false",
        # Hand-offs in these servers happen "during business hours" whatever the wall clock says;
        # the off-hours path has its own servers (tests/handoff) with HANDOFF_HOURS_OVERRIDE=closed.
        "HANDOFF_HOURS_OVERRIDE": "open",
        # Every test talks from 127.0.0.1: failed verifications of unrelated tests must not add up
        # to a lock-out here; the lock-out has its own servers (tests/integration/test_identity.py).
        "VERIFICATION_MAX_FAILURES": "1000",
    }
    base = {**os.environ, **overrides}
    settings = load_settings(base)
    return {**base, **settings.environment()}


@pytest.fixture(scope="session")
def trained_model(stack_env: Dict[str, str]) -> Path:
    """The model for the project's current config, domain and data (trained once per fingerprint).

    ``STOREFRONT_TEST_MODEL=<archive>`` uses a given model instead (for quick local iteration on
    code that does not depend on the latest training data; CI never sets it).
    """
    from tools.modelcache import ensure_model

    if os.environ.get("STOREFRONT_TEST_MODEL"):
        return Path(os.environ["STOREFRONT_TEST_MODEL"])
    return ensure_model(env=stack_env, say=lambda line: print(line, file=sys.stderr))


@pytest.fixture(scope="session")
def stack(
    trained_model: Path, stack_env: Dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The real action server and Rasa server, on free loopback ports, for the whole session."""
    log_dir = tmp_path_factory.mktemp("logs")
    running = Stack(model=trained_model, env=stack_env, log_dir=log_dir).start()
    try:
        yield running
    finally:
        running.stop()

"""Plain ``rasa`` commands work with the project's files once the settings are exported.

Rasa 3.6 fills ``${VAR}`` in ``endpoints.yml`` and ``credentials.yml`` from the environment and has
no default syntax, so an unset variable is an error. ``python -m core.settings export`` prints
every setting, defaults included, for ``eval`` in a shell (``make shell``, ``make interactive``
and ``make test-stories`` do the same).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest
from rasa.core.run import create_http_input_channels
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.exceptions import RasaException

from core.settings import PROJECT_ROOT, documented_variables

ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
BIN = Path(sys.executable).parent
# Set so that export never generates secrets into the project's var/secrets.env.
SECRETS = {"RASA_API_TOKEN": "t-api", "AGENT_CONSOLE_TOKEN": "t-agent", "WIDGET_SIGNING_SECRET": "t-widget"}
AWKWARD = "p a$s'w\"d"  # spaces, a dollar and both quotes survive the shell round trip


def _clean_environment(**extra: str) -> Dict[str, str]:
    """This process's environment without any setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in documented_variables()}
    return {**env, **SECRETS, **extra}


def _exported(env: Dict[str, str]) -> Dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "core.settings", "export"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    pairs = [shlex.split(line) for line in result.stdout.splitlines()]
    assert {words[0] for words in pairs} == {"export"}
    return dict(words[1].split("=", 1) for words in pairs)


@pytest.fixture
def without_settings(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in documented_variables():
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_endpoints_fail_without_the_settings_in_the_environment(
    without_settings: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(RasaException, match="ACTION_ENDPOINT_URL"):
        read_endpoints_from_path(ENDPOINTS)


def test_export_prints_every_setting_with_its_default() -> None:
    exported = _exported(_clean_environment(EVENT_BROKER_PASSWORD=AWKWARD))
    assert set(exported) == set(documented_variables())
    assert exported["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5055/webhook"
    assert exported["LOCK_STORE_TYPE"] == "in_memory"
    assert exported["EVENT_BROKER_PASSWORD"] == AWKWARD
    assert exported["AGENT_CONSOLE_TOKEN"] == "t-agent"


def test_export_reports_a_bad_value_in_one_line_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "core.settings", "export"],
        cwd=PROJECT_ROOT, env=_clean_environment(LOCK_STORE_TYPE="memcached"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.strip().splitlines() == [
        "configuration error: LOCK_STORE_TYPE='memcached' must be one of: in_memory, redis"
    ]


def test_rasa_reads_endpoints_and_credentials_with_the_exported_settings(
    without_settings: pytest.MonkeyPatch,
) -> None:
    for name, value in _exported(_clean_environment()).items():
        without_settings.setenv(name, value)

    endpoints = read_endpoints_from_path(ENDPOINTS)
    assert endpoints.action is not None and endpoints.action.url == "http://127.0.0.1:5055/webhook"
    assert (
        endpoints.tracker_store is not None
        and endpoints.tracker_store.type == "storefront.tracking.IncrementalSQLTrackerStore"
    )
    assert endpoints.lock_store is not None and endpoints.lock_store.kwargs["kind"] == "in_memory"
    assert endpoints.event_broker is not None and endpoints.event_broker.kwargs["kind"] == "none"

    channels = create_http_input_channels(None, str(CREDENTIALS))
    assert sorted(channel.name() for channel in channels) == sorted(
        ["rest", "socketio", "agent_console", "whatsapp", "twilio", "storefront", "shopify", "chatwoot"]
    )


def test_plain_rasa_cli_runs_in_a_shell_after_eval_export() -> None:
    """What the README tells a developer to type, in one bash session."""
    script = f"""
        set -e
        eval "$({shlex.quote(sys.executable)} -m core.settings export)"
        {shlex.quote(sys.executable)} -c '
from rasa.core.utils import read_endpoints_from_path
print(read_endpoints_from_path("endpoints.yml").event_broker.kwargs["password"])'
        for command in "shell" "interactive" "run" "data validate" "test core"; do
            {shlex.quote(str(BIN / "rasa"))} $command --help > /dev/null
        done
        echo done
    """
    result = subprocess.run(
        ["bash", "-c", script], cwd=PROJECT_ROOT, env=_clean_environment(EVENT_BROKER_PASSWORD=AWKWARD),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-2:] == [AWKWARD, "done"]


@pytest.mark.parametrize("mode", ["shell", "interactive"])
def test_make_shell_and_interactive_commands_parse_with_rasa_own_cli(mode: str) -> None:
    from rasa.__main__ import create_argument_parser

    from tools.launcher import terminal_command
    from tools.modelcache import TRAINING_DATA_DIRS

    command = terminal_command(mode, Path("models/m.tar.gz"), "5006")
    assert command[:2] == [str(BIN / "rasa"), mode]
    args = create_argument_parser().parse_args(command[1:])
    assert (args.model, args.endpoints, args.port) == ("models/m.tar.gz", "endpoints.yml", 5006)
    if mode == "interactive":
        assert (args.config, args.domain, args.data) == ("config.yml", "domain.yml", list(TRAINING_DATA_DIRS))

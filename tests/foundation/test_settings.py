"""Settings: safe defaults, generated secrets, one clear error line for a bad value."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from core.settings import PROJECT_ROOT, SettingsError, documented_variables, load_settings


def test_every_setting_has_a_default_or_is_a_generated_secret() -> None:
    settings = load_settings(
        {"RASA_API_TOKEN": "a", "AGENT_CONSOLE_TOKEN": "b", "WIDGET_SIGNING_SECRET": "c"},
        generate_secrets=False,
    )
    assert settings["RASA_PORT"] == "5005"
    assert settings["TRACKER_STORE_URL"].startswith("sqlite:///")
    assert settings["LOCK_STORE_TYPE"] == "in_memory"
    assert settings["EVENT_BROKER_TYPE"] == "none"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.generated == frozenset()


def test_env_example_documents_every_variable() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    missing = set(documented_variables()) - documented
    assert not missing, f".env.example does not document: {sorted(missing)}"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("RASA_PORT", "abc", "RASA_PORT='abc' is not a port number"),
        ("RASA_PORT", "70000", "RASA_PORT='70000' is not a port number"),
        ("LOCK_STORE_TYPE", "memcached", "LOCK_STORE_TYPE='memcached' must be one of: in_memory, redis"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL='mysql://x/y' is not a valid URL"),
        ("ACTION_ENDPOINT_URL", "localhost:5055", "ACTION_ENDPOINT_URL='localhost:5055' is not a valid URL"),
    ],
)
def test_malformed_value_is_named_in_the_error(name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({name: value}, generate_secrets=False)
    assert str(error.value).startswith(expected)


def test_launcher_reports_a_malformed_value_in_one_line_and_exits_2() -> None:
    env = {**os.environ, "RASA_PORT": "not-a-port"}
    result = subprocess.run(
        [sys.executable, "-m", "tools.launcher"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: RASA_PORT='not-a-port' is not a port number (expected 1-65535)"
    ]


def test_missing_secrets_are_generated_once_and_kept(tmp_path, monkeypatch) -> None:
    import core.settings as settings_module

    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    monkeypatch.setattr(settings_module, "SECRETS_FILE", tmp_path / "secrets.env")
    first = load_settings({})
    second = load_settings({})
    assert first.generated == {
        "RASA_API_TOKEN", "AGENT_CONSOLE_TOKEN", "WIDGET_SIGNING_SECRET", "ACTION_SERVER_TOKEN"
    }  # fmt: skip
    assert len(first["RASA_API_TOKEN"]) >= 24
    assert first["RASA_API_TOKEN"] == second["RASA_API_TOKEN"]
    assert load_settings({"RASA_API_TOKEN": "mine"})["RASA_API_TOKEN"] == "mine"

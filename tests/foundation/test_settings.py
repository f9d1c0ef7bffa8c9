"""Settings: typed values, safe defaults, .env under the environment, one clear error line."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

import core.settings as settings_module
from core.settings import (
    PROJECT_ROOT,
    Settings,
    SettingsError,
    documented_variables,
    get_settings,
    load_settings,
)
from tools.action_server import server_settings

SECRETS = {"RASA_API_TOKEN": "a", "AGENT_CONSOLE_TOKEN": "b", "WIDGET_SIGNING_SECRET": "c"}


def _documented_in_env_example() -> Dict[str, str]:
    text = (PROJECT_ROOT / ".env.example").read_text()
    return dict(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$", text, flags=re.M))


def test_defaults_are_typed_values() -> None:
    settings = load_settings(SECRETS)
    assert settings.rasa_port == 5005
    assert settings.action_port == 5055
    assert settings.lock_store_port == 6379
    assert settings.lock_store_db == 1
    assert settings.store_query_timeout_seconds == 5.0
    assert settings.socketio_session_persistence is True
    assert settings.max_message_chars == 5000
    assert settings.handoff_minutes_per_shopper == 5
    assert settings.rasa_model_dir == PROJECT_ROOT / "models"
    assert settings.lock_store_type == "in_memory"
    assert settings.event_broker_type == "none"
    assert settings.handoff_hours_override == ""
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'store.db'}"
    assert settings.tracker_store_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    assert settings.generated == frozenset()


def test_values_are_parsed_into_their_types() -> None:
    settings = load_settings(
        {
            "RASA_PORT": "6000",
            "LOCK_STORE_DB": "0",
            "STORE_QUERY_TIMEOUT_SECONDS": "0.25",
            "SOCKETIO_SESSION_PERSISTENCE": "false",
            "RASA_MODEL_DIR": "/srv/models",
            "HANDOFF_HOURS_OVERRIDE": "closed",
        }
    )
    assert (settings.rasa_port, settings.lock_store_db) == (6000, 0)
    assert settings.store_query_timeout_seconds == 0.25
    assert settings.socketio_session_persistence is False
    assert settings.rasa_model_dir == Path("/srv/models")
    assert settings.handoff_hours_override == "closed"


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.rasa_port = 1  # type: ignore[misc]


def test_environment_exports_the_validated_strings_and_round_trips() -> None:
    settings = load_settings({**SECRETS, "RASA_PORT": "6000", "SOCKETIO_SESSION_PERSISTENCE": "false"})
    exported = settings.environment()
    assert set(exported) == set(documented_variables())
    assert exported["RASA_PORT"] == "6000"
    assert exported["SOCKETIO_SESSION_PERSISTENCE"] == "false"
    assert exported["RASA_API_TOKEN"] == "a"
    assert load_settings(exported) == settings


def test_an_empty_variable_means_the_default() -> None:
    assert load_settings({"RASA_PORT": "", "LOCK_STORE_TYPE": ""}).rasa_port == 5005


def test_secrets_stay_out_of_repr() -> None:
    secret_values = {
        "RASA_API_TOKEN": "s-rasa-token",
        "AGENT_CONSOLE_TOKEN": "s-agent-token",
        "WIDGET_SIGNING_SECRET": "s-widget",
        "WHATSAPP_APP_SECRET": "s-app-secret",
        "WHATSAPP_ACCESS_TOKEN": "s-access",
        "WHATSAPP_VERIFY_TOKEN": "s-verify",
        "TWILIO_AUTH_TOKEN": "s-twilio",
        "CHATWOOT_API_TOKEN": "s-chatwoot",
        "SHOPIFY_ADMIN_TOKEN": "shpat_s-shopify",
        "SHOPIFY_WEBHOOK_SECRET": "s-shopify-webhooks",
        "EVENT_BROKER_PASSWORD": "s-broker",
        "DATABASE_URL": "postgresql://shop:s-db-password@127.0.0.1/store",
        "TRACKER_STORE_URL": "postgresql://shop:s-tracker-password@127.0.0.1/tracker",
    }
    shown = repr(load_settings(secret_values))
    assert "rasa_port=5005" in shown
    assert [value for value in secret_values.values() if value in shown] == []


def test_env_example_documents_every_variable_and_nothing_else() -> None:
    documented = _documented_in_env_example()
    assert set(documented_variables()) - set(documented) == set(), ".env.example misses a setting"
    assert set(documented) - set(documented_variables()) == set(), ".env.example names a non-setting"


def test_env_example_shows_each_default() -> None:
    """The header promises "the value shown is the default" (paths are shown relative)."""
    documented = _documented_in_env_example()
    wrong = {
        name: (documented[name], default)
        for name, default in documented_variables().items()
        if documented[name] != default.replace(f"{PROJECT_ROOT}/", "")
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("RASA_PORT", "abc", "is not a port number (expected 1-65535)"),
        ("RASA_PORT", "70000", "is not a port number (expected 1-65535)"),
        ("ACTION_PORT", "0", "is not a port number (expected 1-65535)"),
        ("LOCK_STORE_TYPE", "memcached", "must be one of: in_memory, redis"),
        ("EVENT_BROKER_TYPE", "kafka", "must be one of: none, pika"),
        ("HANDOFF_HOURS_OVERRIDE", "later", "must be one of: , open, closed"),
        ("DATABASE_URL", "mysql://x/y", "is not a valid URL"),
        ("ACTION_ENDPOINT_URL", "localhost:5055", "is not a valid URL"),
        ("TWILIO_WEBHOOK_URL", "ftp://shop.example", "is not a valid URL"),
        ("CHATWOOT_URL", "chatwoot.example", "is not a valid URL"),
        ("MAX_MESSAGE_CHARS", "0", "must be a whole number above 0"),
        ("HANDOFF_MINUTES_PER_SHOPPER", "2.5", "must be a whole number above 0"),
        ("LOCK_STORE_DB", "-1", "must be a whole number (0 or more)"),
        ("STORE_QUERY_TIMEOUT_SECONDS", "0", "must be a positive number"),
        ("STORE_QUERY_TIMEOUT_SECONDS", "soon", "must be a positive number"),
        ("STORE_QUERY_TIMEOUT_SECONDS", "nan", "must be a positive number"),
        ("STORE_QUERY_TIMEOUT_SECONDS", "inf", "must be a positive number"),
        ("SOCKETIO_SESSION_PERSISTENCE", "yes", "must be one of: true, false"),
        ("WHATSAPP_API_VERSION", "23.0", "is not a Graph API version"),
        ("SHOPIFY_SHOP_DOMAIN", "shop.example.com", "is not a shop domain"),
        ("SHOPIFY_SHOP_DOMAIN", "https://my-shop.myshopify.com", "is not a shop domain"),
        ("SHOPIFY_API_VERSION", "2025-05", "is not a Shopify API version"),
        ("SHOPIFY_ADMIN_URL", "127.0.0.1:9000", "is not a valid URL"),
        ("SHOPIFY_DEMO", "yes", "must be one of: true, false"),
    ],
)  # fmt: skip
def test_malformed_value_is_named_in_the_error(name: str, value: str, complaint: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({name: value})
    assert str(error.value).startswith(f"{name}={value!r} {complaint}")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("name", "value", "attribute", "expected"),
    [
        ("TRACKER_STORE_URL", "postgresql+psycopg2://u:p@db:5432/t", "tracker_store_url",
         "postgresql+psycopg2://u:p@db:5432/t"),
        ("TWILIO_WEBHOOK_URL", "https://shop.example/webhooks/twilio/webhook", "twilio_webhook_url",
         "https://shop.example/webhooks/twilio/webhook"),
        ("CHATWOOT_URL", "", "chatwoot_url", ""),
        ("WHATSAPP_API_VERSION", "v21.0", "whatsapp_api_version", "v21.0"),
        ("LOCK_STORE_TYPE", "redis", "lock_store_type", "redis"),
        ("EVENT_BROKER_PORT", "65535", "event_broker_port", 65535),
        ("HANDOFF_HOURS_OVERRIDE", "open", "handoff_hours_override", "open"),
        ("SHOPIFY_SHOP_DOMAIN", "My-Shop.myshopify.com", "shopify_shop_domain", "my-shop.myshopify.com"),
        ("SHOPIFY_API_VERSION", "2026-01", "shopify_api_version", "2026-01"),
    ],
)  # fmt: skip
def test_well_formed_value_is_accepted(name: str, value: str, attribute: str, expected: object) -> None:
    assert getattr(load_settings({name: value}), attribute) == expected


def test_every_attribute_is_a_documented_variable() -> None:
    """One declaration per setting: the attribute's upper-case name is the variable."""
    attributes = {f.name.upper() for f in dataclasses.fields(Settings) if "parse" in f.metadata}
    assert attributes == set(documented_variables())


def test_env_file_applies_under_the_environment(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# a comment\nRASA_PORT=6001\nexport ACTION_PORT=6002\nCHATWOOT_URL='https://desk.example'\n"
    )
    settings = load_settings({"ACTION_PORT": "7000"}, env_file=env_file)
    assert settings.rasa_port == 6001  # from .env
    assert settings.action_port == 7000  # the environment wins
    assert settings.chatwoot_url == "https://desk.example"


def test_a_missing_env_file_is_no_error(tmp_path: Path) -> None:
    assert load_settings({}, env_file=tmp_path / "absent.env").rasa_port == 5005


def test_a_bad_value_in_env_file_is_named(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOCK_STORE_PORT=redis\n")
    with pytest.raises(SettingsError, match=r"^LOCK_STORE_PORT='redis' is not a port number"):
        load_settings({}, env_file=env_file)


def test_get_settings_reads_the_project_env_file_once_per_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("RASA_PORT=6100\nHANDOFF_MINUTES_PER_SHOPPER=9\n")
    monkeypatch.setattr(settings_module, "ENV_FILE", env_file)
    monkeypatch.delenv("RASA_PORT", raising=False)
    monkeypatch.delenv("HANDOFF_MINUTES_PER_SHOPPER", raising=False)
    settings_module.clear_settings_cache()
    try:
        first = get_settings()
        assert (first.rasa_port, first.handoff_minutes_per_shopper) == (6100, 9)
        assert get_settings() is first  # validated once
        monkeypatch.setenv("RASA_PORT", "6200")
        second = get_settings()
        assert (second.rasa_port, second.handoff_minutes_per_shopper) == (6200, 9)
        monkeypatch.setenv("AGENT_API_NAME", "Zoë's café")  # read as the process holds it, decoded
        assert get_settings().agent_api_name == "Zoë's café"
        monkeypatch.delenv("AGENT_API_NAME")
        assert get_settings().agent_api_name == "integration"
        assert get_settings() is second  # the same environment again: the same settings
    finally:
        settings_module.clear_settings_cache()


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


def test_missing_secrets_are_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    monkeypatch.setattr(settings_module, "SECRETS_FILE", tmp_path / "secrets.env")
    first = load_settings({}, generate_secrets=True)
    second = load_settings({}, generate_secrets=True)
    assert first.generated == {
        "RASA_API_TOKEN", "AGENT_CONSOLE_TOKEN", "WIDGET_SIGNING_SECRET", "ACTION_SERVER_TOKEN",
        "CART_LINK_SECRET",
    }  # fmt: skip
    assert len(first.rasa_api_token) >= 24
    assert first.rasa_api_token == second.rasa_api_token
    assert (tmp_path / "secrets.env").stat().st_mode & 0o777 == 0o600
    mine = load_settings({"RASA_API_TOKEN": "mine"}, generate_secrets=True)
    assert mine.rasa_api_token == "mine"
    assert "RASA_API_TOKEN" not in mine.generated


def test_the_action_server_alone_puts_the_secrets_it_read_in_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its actions read the process's environment: a cart link signed there needs the secret."""
    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    monkeypatch.setattr(settings_module, "SECRETS_FILE", tmp_path / "secrets.env")
    environ = {"CART_LINK_SECRET": "", "ACTION_SERVER_TOKEN": "given"}
    settings = server_settings(environ)
    assert len(settings.cart_link_secret) >= 24
    assert environ["CART_LINK_SECRET"] == settings.cart_link_secret
    assert environ["ACTION_SERVER_TOKEN"] == settings.action_server_token == "given"
    assert load_settings(environ).cart_link_secret == settings.cart_link_secret  # what get_settings reads
    assert server_settings(dict.fromkeys(environ, "")).cart_link_secret == settings.cart_link_secret


def test_secrets_are_not_generated_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    monkeypatch.setattr(settings_module, "SECRETS_FILE", tmp_path / "secrets.env")
    settings = load_settings({})
    assert (settings.rasa_api_token, settings.generated) == ("", frozenset())
    assert not (tmp_path / "secrets.env").exists()

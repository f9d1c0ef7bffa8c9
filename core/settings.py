"""One settings object for every process of the assistant, read from environment variables.

Every setting has a safe default so that ``make run`` works with no configuration at all.
Secrets that are not set (the Rasa API token, the agent console token, the widget signing
secret) are generated once, kept in ``var/secrets.env`` so that they survive restarts, and
printed by the launcher. ``.env.example`` documents every variable.

Rasa's ``${VAR}`` substitution in ``endpoints.yml`` and ``credentials.yml`` fails when a variable
is unset, so the launcher and the tests export :meth:`Settings.environment` to the Rasa server and
the action server; that is the one place where the defaults live.

This module imports nothing from Rasa, so the store layer and scripts can use it cheaply.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Mapping, Optional
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
SECRETS_FILE = VAR_DIR / "secrets.env"

GENERATED_SECRETS = ("RASA_API_TOKEN", "AGENT_CONSOLE_TOKEN", "WIDGET_SIGNING_SECRET")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line meant for the operator."""


def _port(name: str, value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a port number (expected 1-65535)") from None
    if not 0 < port < 65536:
        raise SettingsError(f"{name}={value!r} is not a port number (expected 1-65535)")
    return port


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def check(name: str, value: str) -> str:
        if value not in allowed:
            raise SettingsError(f"{name}={value!r} must be one of: {', '.join(allowed)}")
        return value

    return check


def _url(*schemes: str) -> Callable[[str, str], str]:
    def check(name: str, value: str) -> str:
        parsed = urlparse(value)
        scheme = parsed.scheme.split("+")[0]
        if scheme not in schemes or not (parsed.netloc or parsed.path):
            raise SettingsError(
                f"{name}={value!r} is not a valid URL (expected a {' or '.join(schemes)} URL)"
            )
        return value

    return check


def _positive_int(name: str, value: str) -> int:
    if not value.isdigit() or int(value) == 0:
        raise SettingsError(f"{name}={value!r} must be a whole number above 0")
    return int(value)


def _text(name: str, value: str) -> str:
    return value


def _optional(check: Callable[[str, str], object]) -> Callable[[str, str], str]:
    """Accept an empty value (the feature stays off) or whatever ``check`` accepts."""

    def optional(name: str, value: str) -> str:
        if value:
            check(name, value)
        return value

    return optional


def _graph_version(name: str, value: str) -> str:
    head, _, minor = value.partition(".")
    if not (head.startswith("v") and head[1:].isdigit() and minor.isdigit()):
        raise SettingsError(f"{name}={value!r} is not a Graph API version (expected e.g. v23.0)")
    return value


def _positive_float(name: str, value: str) -> str:
    try:
        if float(value) <= 0:
            raise ValueError
    except ValueError:
        raise SettingsError(f"{name}={value!r} must be a positive number") from None
    return value


# name -> (default, validator). A default of None means "generated secret" or "optional".
_SPEC: Dict[str, tuple] = {
    # Rasa server and action server
    "RASA_HOST": ("127.0.0.1", _text),
    "RASA_PORT": ("5005", _port),
    "ACTION_PORT": ("5055", _port),
    "ACTION_ENDPOINT_URL": ("http://127.0.0.1:5055/webhook", _url("http", "https")),
    "RASA_API_TOKEN": (None, _text),
    "RASA_MODEL_DIR": (str(PROJECT_ROOT / "models"), _text),
    # store data layer
    "DATABASE_URL": (f"sqlite:///{VAR_DIR / 'store.db'}", _url("sqlite", "postgresql")),
    # tracker store: Rasa's SQL tracker store on a SQLite file by default, PostgreSQL for scale
    "TRACKER_STORE_URL": (f"sqlite:///{VAR_DIR / 'tracker.db'}", _url("sqlite", "postgresql")),
    # lock store: in memory by default, Redis when several Rasa processes share conversations
    "LOCK_STORE_TYPE": ("in_memory", _choice("in_memory", "redis")),
    "LOCK_STORE_HOST": ("127.0.0.1", _text),
    "LOCK_STORE_PORT": ("6379", _port),
    "LOCK_STORE_DB": ("1", _text),
    # event broker: none by default, RabbitMQ (Rasa's pika broker) for analytics
    "EVENT_BROKER_TYPE": ("none", _choice("none", "pika")),
    "EVENT_BROKER_HOST": ("127.0.0.1", _text),
    "EVENT_BROKER_PORT": ("5672", _port),
    "EVENT_BROKER_USER": ("guest", _text),
    "EVENT_BROKER_PASSWORD": ("guest", _text),
    "EVENT_BROKER_QUEUE": ("storefront_events", _text),
    # agent console and the website widget
    "AGENT_CONSOLE_TOKEN": (None, _text),
    # the console's sign-in sessions, the name the token's API clients act under, and HTTPS
    # behind a proxy (X-Forwarded-Proto is trusted only when the proxy is: it marks cookies Secure)
    "AGENT_SESSION_IDLE_MINUTES": ("60", _positive_int),
    "AGENT_SESSION_MAX_HOURS": ("12", _positive_int),
    "AGENT_API_NAME": ("integration", _text),
    "TRUST_FORWARDED_PROTO": ("false", _choice("true", "false")),
    "WIDGET_SIGNING_SECRET": (None, _text),
    "SOCKETIO_SESSION_PERSISTENCE": ("true", _choice("true", "false")),
    # input limits on every channel (storefront/channels/limits.py)
    "MAX_REQUEST_BYTES": ("1048576", _positive_int),
    "MAX_MESSAGE_CHARS": ("5000", _positive_int),
    "MAX_METADATA_BYTES": ("16384", _positive_int),
    "MAX_JSON_DEPTH": ("32", _positive_int),
    # WhatsApp Cloud API channel (off while the app secret, access token or number id is empty)
    "WHATSAPP_VERIFY_TOKEN": ("", _text),
    "WHATSAPP_APP_SECRET": ("", _text),
    "WHATSAPP_ACCESS_TOKEN": ("", _text),
    "WHATSAPP_PHONE_NUMBER_ID": ("", _text),
    "WHATSAPP_API_BASE_URL": ("https://graph.facebook.com", _url("http", "https")),
    "WHATSAPP_API_VERSION": ("v23.0", _graph_version),
    "WHATSAPP_TEMPLATE_NAME": ("", _text),
    "WHATSAPP_TEMPLATE_LANGUAGE": ("en_US", _text),
    # Twilio channel for WhatsApp and SMS (off while the account sid or auth token is empty)
    "TWILIO_ACCOUNT_SID": ("", _text),
    "TWILIO_AUTH_TOKEN": ("", _text),
    "TWILIO_NUMBER": ("", _text),
    "TWILIO_WEBHOOK_URL": ("", _optional(_url("http", "https"))),
    "TWILIO_API_BASE_URL": ("https://api.twilio.com", _url("http", "https")),
    # action server: how long a store query may take before the shopper gets an apology
    "STORE_QUERY_TIMEOUT_SECONDS": ("5", _positive_float),
    # live-agent handoff: "open"/"closed" overrides the store's business hours (24/7 team, tests)
    "HANDOFF_HOURS_OVERRIDE": ("", _choice("", "open", "closed")),
    "HANDOFF_MINUTES_PER_SHOPPER": ("5", _positive_int),
    # optional Chatwoot helpdesk that receives each handoff (off while any of these is empty)
    "CHATWOOT_URL": ("", _optional(_url("http", "https"))),
    "CHATWOOT_API_TOKEN": ("", _text),
    "CHATWOOT_ACCOUNT_ID": ("", _text),
    "CHATWOOT_INBOX_ID": ("", _text),
}


def _load_secrets_file() -> Dict[str, str]:
    if not SECRETS_FILE.exists():
        return {}
    values = {}
    for line in SECRETS_FILE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def _generate_missing_secrets(env: Mapping[str, str]) -> Dict[str, str]:
    """Return generated secrets for the ones the environment does not set, persisting them."""
    stored = _load_secrets_file()
    missing = [name for name in GENERATED_SECRETS if not env.get(name) and not stored.get(name)]
    if missing:
        for name in missing:
            stored[name] = secrets.token_urlsafe(24)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRETS_FILE.write_text(
            "# Generated by Storefront Assistant because these were not set. Set them in the\n"
            "# environment to override; delete this file to generate new ones.\n"
            + "".join(f"{k}={v}\n" for k, v in sorted(stored.items())),
            encoding="utf-8",
        )
        SECRETS_FILE.chmod(0o600)
    return {name: stored[name] for name in GENERATED_SECRETS if not env.get(name)}


@dataclass(frozen=True)
class Settings:
    """Validated configuration. Build it with :func:`load_settings`."""

    values: Mapping[str, str]
    generated: frozenset

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def get_int(self, name: str) -> int:
        return int(self.values[name])

    @property
    def database_url(self) -> str:
        return self.values["DATABASE_URL"]

    def environment(self) -> Dict[str, str]:
        """Every setting as environment variables for the Rasa and action server processes."""
        return dict(self.values)


def load_settings(env: Optional[Mapping[str, str]] = None, *, generate_secrets: bool = True) -> Settings:
    """Read, default and validate every setting; raise :class:`SettingsError` on the first bad one."""
    env = dict(os.environ if env is None else env)
    generated = _generate_missing_secrets(env) if generate_secrets else {}
    values: Dict[str, str] = {}
    for name, (default, validate) in _SPEC.items():
        raw = env.get(name)
        if raw is None or raw == "":
            raw = generated.get(name, default)
        if raw is None:
            raw = ""
        validate(name, raw)
        values[name] = raw
    return Settings(values=values, generated=frozenset(generated))


def documented_variables() -> Dict[str, Optional[str]]:
    """Names and defaults of every setting (used to check ``.env.example`` stays complete)."""
    return {name: default for name, (default, _) in _SPEC.items()}


__all__ = [
    "PROJECT_ROOT",
    "Settings",
    "SettingsError",
    "documented_variables",
    "load_settings",
]

"""One typed, frozen settings object for every process of the assistant.

Values come from environment variables, then from ``.env`` in the project root (environment
variables win, as with python-dotenv's ``load_dotenv``), then from the defaults below. Every
setting has a safe default so that ``make run`` works with no configuration at all. Secrets that
are not set (the Rasa API token, the agent console token, the widget signing secret, the action
server's shared secret) are generated once by the launcher and ``python -m core.settings export``,
kept in ``var/secrets.env`` so that they survive restarts. ``.env.example`` documents every variable.

Each variable is parsed and validated once, into a typed attribute (``settings.rasa_port`` is an
``int``); a bad value stops start-up with one error line naming it. :func:`get_settings` is the
accessor for code that runs inside a process; :func:`load_settings` builds settings from a given
mapping (tests, and the launcher preparing a child's environment).

Rasa's ``${VAR}`` substitution in ``endpoints.yml`` and ``credentials.yml`` fails when a variable
is unset and has no default syntax, so the launcher and the tests pass :meth:`Settings.environment`
to the Rasa server and the action server, and ``eval "$(python -m core.settings export)"`` does the
same for plain ``rasa`` commands in a shell.

Adding a setting is one line in :class:`Settings` (the attribute is the variable's name in lower
case) plus its line in ``.env.example``.

This module imports nothing from Rasa, so every layer and script can use it cheaply.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import secrets
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Tuple
from urllib.parse import urlparse

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
SECRETS_FILE = VAR_DIR / "secrets.env"
ENV_FILE = PROJECT_ROOT / ".env"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line meant for the operator."""


Parse = Callable[[str, str], Any]
"""``parse(name, raw)`` returns the typed value or raises :class:`SettingsError`."""


# --- parsers: (variable name, raw string) -> typed value --------------------------------------


def _text(name: str, value: str) -> str:
    return value


def _port(name: str, value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a port number (expected 1-65535)") from None
    if not 0 < port < 65536:
        raise SettingsError(f"{name}={value!r} is not a port number (expected 1-65535)")
    return port


def _positive_int(name: str, value: str) -> int:
    if not value.isdigit() or int(value) == 0:
        raise SettingsError(f"{name}={value!r} must be a whole number above 0")
    return int(value)


def _whole_number(name: str, value: str) -> int:
    if not value.isdigit():
        raise SettingsError(f"{name}={value!r} must be a whole number (0 or more)")
    return int(value)


def _positive_float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0 or number == float("inf"):
        raise SettingsError(f"{name}={value!r} must be a positive number")
    return number


def _flag(name: str, value: str) -> bool:
    """``true`` or ``false`` exactly: the same spelling works in ``${VAR}`` substitution."""
    if value not in ("true", "false"):
        raise SettingsError(f"{name}={value!r} must be one of: true, false")
    return value == "true"


def _path(name: str, value: str) -> Path:
    """A path; a leading ``~`` is the user's home, as in a shell."""
    return Path(value).expanduser()


def _choice(*allowed: str) -> Parse:
    def check(name: str, value: str) -> str:
        if value not in allowed:
            raise SettingsError(f"{name}={value!r} must be one of: {', '.join(allowed)}")
        return value

    return check


def _url(*schemes: str) -> Parse:
    def check(name: str, value: str) -> str:
        parsed = urlparse(value)
        scheme = parsed.scheme.split("+")[0]
        if scheme not in schemes or not (parsed.netloc or parsed.path):
            raise SettingsError(
                f"{name}={value!r} is not a valid URL (expected a {' or '.join(schemes)} URL)"
            )
        return value

    return check


def _optional(parse: Parse) -> Parse:
    """Accept an empty value (the feature stays off) or whatever ``parse`` accepts."""

    def optional(name: str, value: str) -> Any:
        return parse(name, value) if value else value

    return optional


def _graph_version(name: str, value: str) -> str:
    head, _, minor = value.partition(".")
    if not (head.startswith("v") and head[1:].isdigit() and minor.isdigit()):
        raise SettingsError(f"{name}={value!r} is not a Graph API version (expected e.g. v23.0)")
    return value


def _shop_domain(name: str, value: str) -> str:
    """A shop's permanent ``*.myshopify.com`` domain (the Admin API's host; a custom domain is not)."""
    shop = value.strip().lower()
    label = shop.removesuffix(".myshopify.com")
    if shop == label or not label or not all(ch.isalnum() or ch == "-" for ch in label):
        raise SettingsError(f"{name}={value!r} is not a shop domain (expected e.g. my-shop.myshopify.com)")
    return shop


def _shopify_version(name: str, value: str) -> str:
    """Shopify's quarterly API versions: ``YYYY-01``, ``-04``, ``-07`` or ``-10``."""
    year, _, month = value.partition("-")
    if not (len(year) == 4 and year.isdigit() and month in ("01", "04", "07", "10")):
        raise SettingsError(f"{name}={value!r} is not a Shopify API version (expected e.g. 2025-07)")
    return value


def setting(default: str, parse: Parse = _text, *, secret: bool = False) -> Any:
    """Declare a setting: its default as the environment would spell it, and its parser.

    A ``secret`` stays out of ``repr()``, so logging the settings never prints it.
    """
    return field(repr=not secret, metadata={"default": default, "parse": parse, "generated": False})


def generated_secret() -> Any:
    """Declare a secret that is generated (and kept in ``var/secrets.env``) when unset."""
    return field(repr=False, metadata={"default": "", "parse": _text, "generated": True})


@dataclass(frozen=True)
class Settings:
    """Validated configuration; the environment variable of each attribute is its name upper-cased.

    Build it with :func:`get_settings` (this process) or :func:`load_settings` (a given mapping).
    """

    # Rasa server and action server
    rasa_host: str = setting("127.0.0.1")
    rasa_port: int = setting("5005", _port)
    action_host: str = setting("127.0.0.1")
    action_port: int = setting("5055", _port)
    action_endpoint_url: str = setting("http://127.0.0.1:5055/webhook", _url("http", "https"))
    rasa_api_token: str = generated_secret()
    # shared secret the Rasa server sends the action server (endpoints.yml); the action server
    # answers 401 to any request without it
    action_server_token: str = generated_secret()
    # true lets emails, phone numbers and street addresses through to the logs (debugging only)
    log_shopper_data: bool = setting("false", _flag)
    rasa_model_dir: Path = setting(f"{PROJECT_ROOT / 'models'}", _path)  # noqa: RUF009 (a field())
    # where scripts/fetch_encoder.sh puts the sentence encoder's weights (all-MiniLM-L6-v2), read
    # by storefront/nlu/sentence_encoder.py at training and when a model loads
    sentence_encoder_dir: Path = setting(  # noqa: RUF009 (a field())
        "~/.cache/storefront-assistant/encoder/all-minilm-l6-v2-0.1.0", _path
    )
    # store data layer (a URL may carry a password, so it stays out of repr); how long a store
    # query may take before the shopper gets an apology
    database_url: str = setting(
        f"sqlite:///{VAR_DIR / 'store.db'}", _url("sqlite", "postgresql"), secret=True
    )
    store_query_timeout_seconds: float = setting("5", _positive_float)
    # order verification: failures per order number, contact or client address before a lock-out
    verification_max_failures: int = setting("3", _positive_int)
    verification_window_seconds: int = setting("900", _positive_int)
    # tracker store: Rasa's SQL tracker store on a SQLite file by default, PostgreSQL for scale
    tracker_store_url: str = setting(
        f"sqlite:///{VAR_DIR / 'tracker.db'}", _url("sqlite", "postgresql"), secret=True
    )
    # lock store: in memory by default, Redis when several Rasa processes share conversations
    lock_store_type: str = setting("in_memory", _choice("in_memory", "redis"))
    lock_store_host: str = setting("127.0.0.1")
    lock_store_port: int = setting("6379", _port)
    lock_store_db: int = setting("1", _whole_number)
    # Rasa server processes on this machine, forked after the model is loaded once (they share its
    # memory); more than one needs the Redis lock store, which conversations and sockets share
    rasa_workers: int = setting("1", _positive_int)
    # event broker: none by default, RabbitMQ (Rasa's pika broker) for analytics
    event_broker_type: str = setting("none", _choice("none", "pika"))
    event_broker_host: str = setting("127.0.0.1")
    event_broker_port: int = setting("5672", _port)
    event_broker_user: str = setting("guest")
    event_broker_password: str = setting("guest", secret=True)
    event_broker_queue: str = setting("storefront_events")
    # agent console, the website widget and the REST channel
    agent_console_token: str = generated_secret()
    # the console's sign-in sessions, the name the token's API clients act under, and HTTPS
    # behind a proxy (X-Forwarded-Proto is trusted only when the proxy is: it marks cookies Secure)
    agent_session_idle_minutes: int = setting("60", _positive_int)
    agent_session_max_hours: int = setting("12", _positive_int)
    # insights: an order counts as assisted when the conversation's shopper places it within this
    # many days after the conversation started (store/insights/outcomes.py)
    insights_conversion_window_days: int = setting("7", _positive_int)
    agent_api_name: str = setting("integration")
    # a claimed conversation goes back to the queue (the shopper told) when its agent signs out
    # or has not acted on it for this long; the console's live feed checks the store this often
    agent_claim_idle_minutes: int = setting("15", _positive_int)
    agent_console_watch_seconds: float = setting("1", _positive_float)
    trust_forwarded_proto: bool = setting("false", _flag)
    # the review queue's files: <dir>/nlu/reviewed.yml (trained on), <dir>/review/proposals.yml and
    # <dir>/review/ignored.yml (storefront/review/labels.py)
    review_data_dir: Path = setting(f"{PROJECT_ROOT / 'data'}", _path)  # noqa: RUF009 (a field())
    widget_signing_secret: str = generated_secret()
    # add-to-cart links in recommendations: signed (so a click is recorded for the conversation
    # it was shown in, and a forged link is refused) and served by this server's redirect, whose
    # public address is ASSISTANT_PUBLIC_URL (empty: http://RASA_HOST:RASA_PORT)
    cart_link_secret: str = generated_secret()
    assistant_public_url: str = setting("", _optional(_url("http", "https")))
    socketio_session_persistence: bool = setting("true", _flag)
    # input limits on every channel (storefront/channels/limits.py)
    max_request_bytes: int = setting("1048576", _positive_int)
    max_message_chars: int = setting("5000", _positive_int)
    max_metadata_bytes: int = setting("16384", _positive_int)
    max_json_depth: int = setting("32", _positive_int)
    # empty: the REST channel is open (its conversations are still namespaced rest:<sender>)
    rest_api_token: str = setting("", secret=True)
    # WhatsApp Cloud API channel (off while the app secret, access token or number id is empty)
    whatsapp_verify_token: str = setting("", secret=True)
    whatsapp_app_secret: str = setting("", secret=True)
    whatsapp_access_token: str = setting("", secret=True)
    whatsapp_phone_number_id: str = setting("")
    whatsapp_api_base_url: str = setting("https://graph.facebook.com", _url("http", "https"))
    whatsapp_api_version: str = setting("v23.0", _graph_version)
    whatsapp_template_name: str = setting("")
    whatsapp_template_language: str = setting("en_US")
    # Twilio channel for WhatsApp and SMS (off while the account sid or auth token is empty)
    twilio_account_sid: str = setting("")
    twilio_auth_token: str = setting("", secret=True)
    twilio_number: str = setting("")
    twilio_webhook_url: str = setting("", _optional(_url("http", "https")))
    twilio_api_base_url: str = setting("https://api.twilio.com", _url("http", "https"))
    # Twilio's Advanced Opt-Out answers STOP/START/HELP on SMS itself; true makes the app answer
    twilio_sms_keyword_replies: bool = setting("false", _flag)
    # proactive messages (store/outbox.py, integrations/proactive): the worker's poll interval,
    # how long a claim lasts, how many rows one claim takes; Twilio's delivery callbacks URL
    outbox_poll_seconds: float = setting("5", _positive_float)
    outbox_lease_seconds: int = setting("300", _positive_int)
    outbox_batch_size: int = setting("20", _positive_int)
    twilio_status_callback_url: str = setting("", _optional(_url("http", "https")))
    # email, the fallback channel where shoppers consented (off while SMTP_HOST is empty)
    smtp_host: str = setting("")
    smtp_port: int = setting("587", _port)
    smtp_username: str = setting("")
    smtp_password: str = setting("", secret=True)
    smtp_starttls: bool = setting("true", _flag)
    smtp_from: str = setting("")
    # Shopify live connection (off while the shop domain or the Admin API token is empty): webhooks
    # in (checked with the webhook secret, the app's client secret), writes out through the Admin
    # GraphQL API of the pinned version. SHOPIFY_ADMIN_URL overrides https://<shop domain> (the
    # fake Shopify of the tests and of the demo); SHOPIFY_DEMO=true makes `make run` start that fake.
    shopify_shop_domain: str = setting("", _optional(_shop_domain))
    shopify_admin_token: str = setting("", secret=True)
    shopify_webhook_secret: str = setting("", secret=True)
    shopify_api_version: str = setting("2025-07", _shopify_version)
    shopify_admin_url: str = setting("", _optional(_url("http", "https")))
    shopify_demo: bool = setting("false", _flag)
    # live-agent handoff: "open"/"closed" overrides the store's business hours (24/7 team, tests)
    handoff_hours_override: str = setting("", _choice("", "open", "closed"))
    handoff_minutes_per_shopper: int = setting("5", _positive_int)
    # optional Chatwoot helpdesk that receives each handoff (off while any of these is empty)
    chatwoot_url: str = setting("", _optional(_url("http", "https")))
    chatwoot_api_token: str = setting("", secret=True)
    chatwoot_account_id: str = setting("")
    chatwoot_inbox_id: str = setting("")
    # Chatwoot's webhooks back (agent replies, resolve): the secret of a signing Chatwoot, or for
    # versions that sign nothing a token the webhook URL carries (?token=); off while both are empty
    chatwoot_webhook_secret: str = setting("", secret=True)
    chatwoot_webhook_token: str = setting("", secret=True)

    # not settings: how this object was made
    generated: FrozenSet[str] = field(default=frozenset(), metadata={})
    """Names of the secrets generated for this object because the environment did not set them."""
    raw: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), metadata={}, compare=False, repr=False
    )
    """Every variable as the validated string (what :meth:`environment` exports)."""

    def environment(self) -> Dict[str, str]:
        """Every setting as environment variables for child processes (Rasa, action server)."""
        return dict(self.raw)


@dataclass(frozen=True)
class _Variable:
    name: str
    attribute: str
    default: str
    parse: Parse
    generated: bool


def _variables() -> Tuple[_Variable, ...]:
    return tuple(
        _Variable(f.name.upper(), f.name, f.metadata["default"], f.metadata["parse"], f.metadata["generated"])
        for f in dataclasses.fields(Settings)
        if "parse" in f.metadata
    )


VARIABLES = _variables()
GENERATED_SECRETS = tuple(v.name for v in VARIABLES if v.generated)


# --- secrets kept between runs -----------------------------------------------------------------


def _read_env_file(path: Path) -> Dict[str, str]:
    """``KEY=value`` lines of a dotenv file (missing file: nothing; ``KEY`` alone: skipped)."""
    if not path.is_file():
        return {}
    return {key: value for key, value in dotenv_values(path, interpolate=False).items() if value is not None}


def _generate_missing_secrets(env: Mapping[str, str]) -> Dict[str, str]:
    """Return generated secrets for the ones the environment does not set, persisting them."""
    stored = _read_env_file(SECRETS_FILE)
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


# --- building the object -----------------------------------------------------------------------


def load_settings(
    env: Mapping[str, str], *, env_file: Optional[Path] = None, generate_secrets: bool = False
) -> Settings:
    """Read, default and validate every setting; raise :class:`SettingsError` on the first bad one.

    Args:
        env: the variables to read (``os.environ``, or a test's own mapping).
        env_file: a dotenv file whose values apply where ``env`` sets none (``env`` wins).
        generate_secrets: generate the unset secrets and keep them in ``var/secrets.env`` (the
            launcher and ``export`` do; a server reads what its launcher passed).
    """
    merged = {**(_read_env_file(env_file) if env_file is not None else {}), **env}
    generated = _generate_missing_secrets(merged) if generate_secrets else {}
    raw: Dict[str, str] = {}
    typed: Dict[str, Any] = {}
    for variable in VARIABLES:
        value = merged.get(variable.name) or generated.get(variable.name) or variable.default
        typed[variable.attribute] = variable.parse(variable.name, value)
        raw[variable.name] = value
    if typed["rasa_workers"] > 1 and typed["lock_store_type"] != "redis":
        raise SettingsError(
            f"RASA_WORKERS={raw['RASA_WORKERS']} needs LOCK_STORE_TYPE=redis: the in-memory lock "
            "store cannot keep two processes from answering one conversation at once "
            '(README, "several Rasa processes")'
        )
    return Settings(**typed, generated=frozenset(generated), raw=MappingProxyType(raw))


def get_settings() -> Settings:
    """This process's settings: environment variables over ``.env``, parsed and validated once.

    The result is cached for as long as the process's own variables keep their values, so a
    server validates once, and a test that sets a variable (``monkeypatch.setenv``) sees it.
    """
    return _settings_for(_environment_values())


_NAMES = tuple(variable.name for variable in VARIABLES)
_ENCODED_NAMES = tuple(os.fsencode(name) for name in _NAMES)


def _environment_values() -> Tuple[Any, ...]:
    """The variables' values as the process holds them (``None`` where unset), cheaply.

    Every store call of the action server asks for the settings: on POSIX the values are read as
    the bytes ``os.environ`` keeps (``os.environ._data``, what its ``get`` decodes), a dict look-up
    per variable instead of an encode and a decode (0.2 ms per call for the ~80 variables).
    """
    raw = getattr(os.environ, "_data", None)
    if os.name == "posix" and isinstance(raw, dict):
        return tuple(map(raw.get, _ENCODED_NAMES))
    return tuple(map(os.environ.get, _NAMES))


@functools.lru_cache(maxsize=8)
def _settings_for(values: Tuple[Any, ...]) -> Settings:
    env = {
        name: os.fsdecode(value) if isinstance(value, bytes) else value
        for name, value in zip(_NAMES, values, strict=True)
        if value is not None
    }
    return load_settings(env, env_file=ENV_FILE)


def clear_settings_cache() -> None:
    """Forget the cached settings (for a test that points :data:`ENV_FILE` elsewhere)."""
    _settings_for.cache_clear()


def documented_variables() -> Dict[str, str]:
    """Names and defaults of every setting (used to check ``.env.example`` stays complete)."""
    return {variable.name: variable.default for variable in VARIABLES}


# --- python -m core.settings -------------------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    """``export``: print ``export NAME=value`` for every setting, for ``eval`` in a shell."""
    parser = argparse.ArgumentParser(
        prog="python -m core.settings",
        description="Validate the settings (environment over .env over defaults) and print them.",
    )
    parser.add_argument(
        "command",
        choices=["export"],
        help='export: "export NAME=value" lines for eval "$(python -m core.settings export)"',
    )
    parser.parse_args(argv)
    try:
        settings = load_settings(os.environ, env_file=ENV_FILE, generate_secrets=True)
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    for name, value in settings.environment().items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


__all__ = [
    "ENV_FILE",
    "PROJECT_ROOT",
    "Settings",
    "SettingsError",
    "clear_settings_cache",
    "documented_variables",
    "get_settings",
    "load_settings",
]

if __name__ == "__main__":
    sys.exit(main())

"""The store team's settings for proactive messages: ``messaging`` in ``store.yaml``.

Quiet hours and the weekly marketing cap have a default and per-market (ISO country) overrides;
WhatsApp templates are named per trigger with the category Meta approved them in; each trigger is
switched on or off and has its own few numbers. :func:`parse_messaging` checks the section when
the store is imported, so a typo stops the import instead of a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any, Mapping, Optional

from sqlalchemy.orm import Session

from store.info import setting

TRIGGERS = (
    "back_in_stock",
    "order_shipped",
    "order_delayed",
    "order_delivered",
    "replenishment",
    "cart_recovery",
)
SERVICE_TRIGGERS = frozenset({"order_shipped", "order_delayed", "order_delivered"})
TEMPLATE_CATEGORIES = ("utility", "marketing")


class MessagingConfigError(ValueError):
    """The ``messaging`` section is malformed; the message names the key."""


@dataclass(frozen=True)
class MarketRules:
    """Quiet hours (local time; messages go only from ``start`` to ``end``) and the weekly cap."""

    start: time
    end: time
    weekly_marketing_cap: int


@dataclass(frozen=True)
class Template:
    """A WhatsApp template Meta approved, and its category."""

    name: str
    language: str
    category: str


@dataclass(frozen=True)
class MessagingConfig:
    brand: str = ""
    default: MarketRules = MarketRules(time(8), time(21), 2)
    markets: Mapping[str, MarketRules] = field(default_factory=dict)
    pause_us_marketing_templates: bool = True
    templates: Mapping[str, Template] = field(default_factory=dict)
    max_attempts: int = 5
    backoff_seconds: int = 60
    triggers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # after a no (in the chat, STOP), the assistant does not ask for marketing consent again before
    ask_again_after_days: int = 180
    # where the preferred channel cannot be used, send by email if the shopper consented there
    email_fallback: bool = True

    def market(self, country: Optional[str]) -> MarketRules:
        """The rules for a recipient in ``country`` (the default when unknown or not listed)."""
        return self.markets.get((country or "").upper(), self.default)

    def enabled(self, trigger: str) -> bool:
        return bool(self.triggers.get(trigger, {}).get("enabled", False))

    def option(self, trigger: str, name: str, default: Any) -> Any:
        return self.triggers.get(trigger, {}).get(name, default)


def _clock(where: str, value: Any) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise MessagingConfigError(f"{where}: {value!r} is not a time HH:MM") from None


def _count(where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MessagingConfigError(f"{where}: {value!r} must be a whole number")
    return value


def _rules(where: str, data: Mapping[str, Any], base: MarketRules) -> MarketRules:
    hours = data.get("quiet_hours") or {}
    start = _clock(f"{where}.quiet_hours.start", hours["start"]) if "start" in hours else base.start
    end = _clock(f"{where}.quiet_hours.end", hours["end"]) if "end" in hours else base.end
    if not start < end:
        raise MessagingConfigError(f"{where}.quiet_hours: start must be before end")
    cap = data.get("weekly_marketing_cap", base.weekly_marketing_cap)
    return MarketRules(start, end, _count(f"{where}.weekly_marketing_cap", cap))


def parse_messaging(data: Optional[Mapping[str, Any]]) -> MessagingConfig:
    """Read and check a ``messaging`` section (None: every trigger off, the default rules)."""
    if not data:
        return MessagingConfig()
    if not isinstance(data, Mapping):
        raise MessagingConfigError("messaging must be a mapping")
    default = _rules("messaging", data, MessagingConfig.default)
    markets = {
        str(code).upper(): _rules(f"messaging.markets.{code}", rules or {}, default)
        for code, rules in (data.get("markets") or {}).items()
    }
    whatsapp = data.get("whatsapp") or {}
    templates = {}
    for trigger, spec in (whatsapp.get("templates") or {}).items():
        where = f"messaging.whatsapp.templates.{trigger}"
        if trigger not in TRIGGERS or not isinstance(spec, Mapping) or not spec.get("name"):
            raise MessagingConfigError(f"{where}: an unknown trigger or a template without a name")
        if spec.get("category") not in TEMPLATE_CATEGORIES:
            raise MessagingConfigError(f"{where}.category must be one of {', '.join(TEMPLATE_CATEGORIES)}")
        templates[trigger] = Template(
            str(spec["name"]), str(spec.get("language", "en_US")), str(spec["category"])
        )
    triggers = dict(data.get("triggers") or {})
    unknown = set(triggers) - set(TRIGGERS)
    if unknown:
        raise MessagingConfigError(
            f"messaging.triggers: unknown {sorted(unknown)} (known: {', '.join(TRIGGERS)})"
        )
    for name, spec in triggers.items():
        for option, value in (spec or {}).items():
            # counts of days, minutes or samples: a typo must stop the import, not the worker's scan
            if option.endswith(("_days", "_minutes")) or option == "min_samples":
                _count(f"messaging.triggers.{name}.{option}", value)
    retries = data.get("retries") or {}
    consent = data.get("consent") or {}
    return MessagingConfig(
        brand=str(data.get("brand", "")),
        default=default,
        markets=markets,
        pause_us_marketing_templates=bool(whatsapp.get("pause_us_marketing_templates", True)),
        templates=templates,
        max_attempts=max(1, _count("messaging.retries.max_attempts", retries.get("max_attempts", 5))),
        backoff_seconds=_count("messaging.retries.backoff_seconds", retries.get("backoff_seconds", 60)),
        triggers={name: dict(spec or {}) for name, spec in triggers.items()},
        ask_again_after_days=_count(
            "messaging.consent.ask_again_after_days", consent.get("ask_again_after_days", 180)
        ),
        email_fallback=bool(data.get("email_fallback", True)),
    )


def messaging_config(session: Session) -> MessagingConfig:
    """The imported store's messaging settings."""
    return parse_messaging(setting(session, "messaging"))

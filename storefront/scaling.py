"""Pieces that let one ``endpoints.yml`` serve both the embedded default and a scaled deployment."""

from __future__ import annotations

import asyncio
import logging
from typing import Optional

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


class SwitchableEventBroker(EventBroker):
    """Chooses Rasa's own event broker from the ``kind`` setting, or none at all.

    Rasa's ``${VAR}`` substitution can fill a value but cannot remove a whole ``event_broker``
    section, so ``kind: none`` (the default) means "no broker" and ``kind: pika`` builds Rasa's
    ``PikaEventBroker`` (RabbitMQ) from the same section.

    Rasa builds it at start-up before anything else of ours, so it also installs the server's
    safeguards (:func:`storefront.startup.install_safeguards`).
    """

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> Optional[EventBroker]:
        """Build the configured broker, or return ``None`` for ``kind: none``."""
        from storefront.startup import install_safeguards

        install_safeguards()
        kwargs = dict(broker_config.kwargs)
        kind = str(kwargs.pop("kind", "none")).strip().lower()
        if kind in ("", "none"):
            logger.debug("No event broker configured (EVENT_BROKER_TYPE=none).")
            return None
        if kind == "pika":
            from rasa.core.brokers.pika import PikaEventBroker

            kwargs["port"] = int(kwargs.get("port", 5672))
            config = EndpointConfig(url=broker_config.url, type="pika", **kwargs)
            return await PikaEventBroker.from_endpoint_config(config, event_loop)
        raise ValueError(f"EVENT_BROKER_TYPE={kind!r} must be one of: none, pika")

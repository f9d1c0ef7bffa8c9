"""The one error a shopper's channel raises when it cannot deliver a message.

Messaging channels refuse for their own reasons (WhatsApp's 24-hour window, an opted-out number,
a vendor API error or outage). Code that speaks on any channel, such as the agent console,
catches this base class and never a vendor's exception, so a new channel cannot make it crash.
"""

from __future__ import annotations


class ChannelDeliveryError(Exception):
    """A message could not be delivered to the shopper on their channel; nothing was sent."""


__all__ = ["ChannelDeliveryError"]

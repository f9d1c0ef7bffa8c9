"""Conversation ids are namespaced by the channel that receives the messages.

A conversation id is the key of a tracker: whoever can send a message under an id writes into
that conversation and, through the slots, into whatever it has verified. So the server-side code
of each channel, never its client, builds the id as ``<channel>:<the channel's own id>``:

* ``whatsapp:<wa_id>`` (WhatsApp Cloud API, the number Meta signed for);
* ``twilio:<From>`` (``twilio:whatsapp:+1...`` or ``twilio:+1...``, the number Twilio signed for);
* ``rest:<sender>`` (whatever the REST client chose: it can only ever reach ``rest:`` ids).

socket.io session ids stay as they are (32 random hex characters the widget keeps secret, see
:mod:`storefront.channels.socketio`): no other channel's id can have that shape. Output channels
get the namespaced id back from Rasa and the agent console, and strip their own prefix before
addressing the provider.
"""

from __future__ import annotations

SEPARATOR = ":"


def conversation_id(channel: str, native_id: str) -> str:
    """The conversation id for ``native_id`` (a phone number, a REST sender) on ``channel``."""
    return f"{channel}{SEPARATOR}{native_id}"


def native_id(channel: str, conversation: str) -> str:
    """The channel's own id inside ``conversation`` (unchanged if it has no ``channel`` prefix).

    Conversations stored before ids were namespaced keep working for replies.
    """
    return conversation.removeprefix(f"{channel}{SEPARATOR}")

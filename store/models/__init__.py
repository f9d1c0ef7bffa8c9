"""SQLAlchemy models of the store (importing them creates nothing in any database)."""

from store.models.agent_desk import CannedReply, HandoffNote
from store.models.agent_sessions import AgentLoginFailure, AgentSession
from store.models.back_in_stock import BackInStockSubscription
from store.models.base import Base, Money, UTCDateTime, money
from store.models.carts import ShopperCart
from store.models.catalog import Category, Product, SizeChart, SizeChartRow, Variant
from store.models.handoffs import Agent, Handoff, HandoffMessage
from store.models.helpdesk import HelpdeskForward, HelpdeskReply
from store.models.orders import (
    Customer,
    Fulfillment,
    FulfillmentLine,
    LineItem,
    Order,
    Return,
    ReturnItem,
)
from store.models.policies import (
    Country,
    DiscountCode,
    Holiday,
    ReturnPolicy,
    ShippingMethod,
    ShippingZone,
    StoreSetting,
)
from store.models.proactive import ChannelContact, ConsentRecord, OutboxMessage
from store.models.recommendations import CartLinkClick, RecommendationShown
from store.models.shopify import ShopifyDelivery
from store.models.verification import VerificationFailure

__all__ = [
    "Agent",
    "AgentLoginFailure",
    "AgentSession",
    "BackInStockSubscription",
    "Base",
    "CannedReply",
    "CartLinkClick",
    "Category",
    "ChannelContact",
    "ConsentRecord",
    "Country",
    "Customer",
    "DiscountCode",
    "Fulfillment",
    "FulfillmentLine",
    "Handoff",
    "HandoffMessage",
    "HandoffNote",
    "HelpdeskForward",
    "HelpdeskReply",
    "Holiday",
    "LineItem",
    "Money",
    "Order",
    "OutboxMessage",
    "Product",
    "RecommendationShown",
    "Return",
    "ReturnItem",
    "ReturnPolicy",
    "ShippingMethod",
    "ShippingZone",
    "ShopifyDelivery",
    "ShopperCart",
    "SizeChart",
    "SizeChartRow",
    "StoreSetting",
    "UTCDateTime",
    "Variant",
    "VerificationFailure",
    "money",
]

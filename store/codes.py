"""The codes that cross from the store to the actions: statuses, refusals and kinds.

Each is a ``str`` enum, so a member is equal to (and stored, logged and put in slots as) its plain
value: ``OrderStatus.DELAYED == "delayed"``. A renamed code is then a name error caught by mypy and
the tests, not a reply that silently never matches. The actions map every member to a response,
and ``tests/actions/test_codes.py`` checks those mappings are total.
"""

from __future__ import annotations

from enum import Enum


class Code(str, Enum):
    """A store code: its ``str()`` is its value, as in a slot or a database column."""

    def __str__(self) -> str:
        return str(self.value)


class OrderStatus(Code):
    """Where an order is, in the shopper's words (see :func:`store.order_views.order_status`)."""

    UNFULFILLED = "unfulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    IN_TRANSIT = "in_transit"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class OrderChangeRefusal(Code):
    """Why a cancellation or address change was refused."""

    NOT_FOUND = "not_found"
    ALREADY_CANCELLED = "already_cancelled"
    ALREADY_FULFILLED = "already_fulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    INVALID_ADDRESS = "invalid_address"
    COUNTRY_CHANGE_NOT_ALLOWED = "country_change_not_allowed"
    # the connected Shopify store refused for a reason the shopper cannot act on, or did not
    # answer: a person has to look (the change may or may not have happened)
    SHOP_REFUSED = "shop_refused"


class SizeReason(Code):
    """Why no size was recommended."""

    UNKNOWN_PRODUCT = "unknown_product"
    NO_SIZE_CHART = "no_size_chart"
    NEED_MEASUREMENTS = "need_measurements"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_USUAL_SIZE = "unknown_usual_size"
    UNKNOWN_USUAL_PRODUCT = "unknown_usual_product"
    INCOMPARABLE = "incomparable"


class StockReason(Code):
    """Why what the shopper asked for is not in stock."""

    UNKNOWN_PRODUCT = "unknown_product"
    NOT_OFFERED = "not_offered"  # the product never comes in that size or color
    OUT_OF_STOCK = "out_of_stock"


class AlternativeKind(Code):
    """What a stock alternative changes, in the order they are offered."""

    OTHER_SIZE = "other_size"
    OTHER_COLOR = "other_color"
    SIMILAR_PRODUCT = "similar_product"


class DiscountReason(Code):
    """Why a discount code does not apply (the first failing condition)."""

    UNKNOWN = "unknown"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    USAGE_LIMIT = "usage_limit"
    EXCLUDED_ITEMS = "excluded_items"
    MIN_SPEND = "min_spend"


class ReturnRefusal(Code):
    """Why one line item cannot be returned."""

    ORDER_CANCELLED = "order_cancelled"
    NOT_DELIVERED = "not_delivered"
    FINAL_SALE = "final_sale"
    WINDOW_EXPIRED = "window_expired"
    ALREADY_RETURNED = "already_returned"
    # the store's rules allow it, but the connected Shopify store has nothing of it left to return
    NOT_RETURNABLE_IN_SHOP = "not_returnable_in_shop"


class ReturnFailure(Code):
    """Why a return request was not created."""

    NOT_FOUND = "not_found"
    INVALID_ITEMS = "invalid_items"
    NOT_ELIGIBLE = "not_eligible"
    INVALID_REASON = "invalid_reason"
    INVALID_RESOLUTION = "invalid_resolution"
    EXCHANGES_NOT_ALLOWED = "exchanges_not_allowed"
    EXCHANGE_UNAVAILABLE = "exchange_unavailable"
    # the connected Shopify store refused for a reason the shopper cannot act on, or did not answer
    SHOP_REFUSED = "shop_refused"


class RefundState(Code):
    """Where an order's money stands, in the order the steps happen (:mod:`store.refunds`)."""

    NO_RETURN = "no_return"  # nothing was sent back and the order was not cancelled
    AWAITING_PARCEL = "awaiting_parcel"  # a return is open, its parcel has not reached us
    RECEIVED = "received"  # the parcel is at the warehouse, waiting for inspection
    INSPECTED = "inspected"  # checked and accepted, the refund is being issued
    REFUNDED = "refunded"  # issued: now the bank's time
    EXCHANGED = "exchanged"  # the return was an exchange, no money goes back
    REJECTED = "rejected"  # the return was refused after inspection
    CANCELLED = "cancelled"  # the order was cancelled and refunded in full


class HandoffReason(Code):
    """Why a conversation goes to a person (the ``handoff_reason`` slot and the handoff record)."""

    REQUESTED = "requested"
    NLU_FALLBACK = "nlu_fallback"
    FORM_FAILED = "form_failed"
    FRUSTRATION = "frustration"
    DELAYED_ORDER = "delayed_order"
    HIGH_VALUE_ORDER = "high_value_order"
    ACTION_FAILED = "action_failed"
    LATE_REFUND = "late_refund"  # a refund past the policy's processing or bank time
    PRODUCT_QUESTION = "product_question"  # a product detail the store has not listed
    MISSING_ITEM = "missing_item"  # an item of a delivered order was not in the parcel


class HandoffStatus(Code):
    """Where a handoff is in the agents' queue."""

    QUEUED = "queued"
    CLAIMED = "claimed"
    RESOLVED = "resolved"

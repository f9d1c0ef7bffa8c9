"""The GraphQL documents the assistant sends, written against the pinned Admin API version.

Numeric ids come back as ``legacyResourceId`` (the id webhooks carry); global ids
(``gid://shopify/Order/1``) are built with :func:`gid` for mutation arguments.
"""

from __future__ import annotations

PAGE_SIZE = 50


def gid(resource: str, numeric_id: int) -> str:
    """Shopify's global id of a resource from its numeric (REST and webhook) id."""
    return f"gid://shopify/{resource}/{numeric_id}"


PRODUCTS = """
query Products($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      legacyResourceId handle title descriptionHtml vendor productType tags status updatedAt
      variants(first: 100) {
        nodes {
          legacyResourceId sku price compareAtPrice position inventoryQuantity barcode
          selectedOptions { name value }
          inventoryItem { legacyResourceId }
        }
      }
    }
  }
}
"""

CUSTOMERS = """
query Customers($first: Int!, $after: String) {
  customers(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      legacyResourceId firstName lastName email phone tags createdAt updatedAt
      emailMarketingConsent { marketingState }
    }
  }
}
"""

ORDERS = """
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      legacyResourceId name email phone createdAt updatedAt cancelledAt cancelReason
      displayFinancialStatus displayFulfillmentStatus currencyCode
      subtotalPriceSet { shopMoney { amount } }
      totalShippingPriceSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      totalPriceSet { shopMoney { amount } }
      customer { legacyResourceId }
      shippingAddress { name address1 address2 city provinceCode zip countryCodeV2 phone }
      lineItems(first: 100) {
        nodes {
          id sku name quantity
          originalUnitPriceSet { shopMoney { amount } }
          variant { legacyResourceId }
        }
      }
      fulfillments(first: 20) {
        legacyResourceId status displayStatus createdAt updatedAt deliveredAt
        trackingInfo { company number url }
        fulfillmentLineItems(first: 100) { nodes { quantity lineItem { id } } }
      }
    }
  }
}
"""

COUNTS = """
query Counts($query: String) {
  productsCount { count }
  customersCount { count }
  ordersCount(query: $query) { count }
}
"""

ORDER_STATE = """
query OrderState($id: ID!) {
  order(id: $id) { id cancelledAt displayFulfillmentStatus updatedAt }
}
"""

ORDER_CANCEL = """
mutation OrderCancel(
  $orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!, $notifyCustomer: Boolean,
  $refundMethod: OrderCancelRefundMethodInput, $staffNote: String
) {
  orderCancel(
    orderId: $orderId, reason: $reason, restock: $restock, notifyCustomer: $notifyCustomer,
    refundMethod: $refundMethod, staffNote: $staffNote
  ) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

ORDER_UPDATE = """
mutation OrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order {
      id updatedAt
      shippingAddress { name address1 address2 city provinceCode zip countryCodeV2 phone }
    }
    userErrors { field message }
  }
}
"""

RETURNABLE_FULFILLMENTS = """
query ReturnableFulfillments($orderId: ID!, $first: Int!) {
  returnableFulfillments(orderId: $orderId, first: $first) {
    nodes {
      id
      fulfillment { legacyResourceId }
      returnableFulfillmentLineItems(first: 100) {
        nodes { quantity fulfillmentLineItem { id lineItem { id } } }
      }
    }
  }
}
"""

RETURN_REQUEST = """
mutation ReturnRequest($input: ReturnRequestInput!) {
  returnRequest(input: $input) {
    return { id name status }
    userErrors { field message code }
  }
}
"""

__all__ = [
    "COUNTS",
    "CUSTOMERS",
    "ORDERS",
    "ORDER_CANCEL",
    "ORDER_STATE",
    "ORDER_UPDATE",
    "PAGE_SIZE",
    "PRODUCTS",
    "RETURNABLE_FULFILLMENTS",
    "RETURN_REQUEST",
]

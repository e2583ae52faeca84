"""The monthly running cost of a topology, beside the alternatives its design rejected.

``estimate(model, prices, hours=..., bitrate_mbps=...)`` is pure: it counts what the topology bills
(flows per running hour, data per stream-hour, addresses, peerings, the generated hop secret) and
prices each count from a :class:`PriceTable`. The shipped table (``data/prices.json``) carries its
date and source; :func:`fetch_live_prices` replaces its figures from the AWS Price List API
(``pricing`` in us-east-1) and falls back to the table, with a note, on any error.

The design's point is a low *running* cost: VPC peering has no hourly charge and the flows bill only
while they run. Transit Gateway and load balancers bill every hour of the month, whether or not an
event is on; the report shows that as the "always on" part of each tot

This module is the entry point; the pieces live beside it: :mod:`.cost_prices` (the price table),
:mod:`.cost_live` (live prices), :mod:`.cost_estimate` (the estimate and its report) and
:mod:`.cost_format` (the plain-text table).
"""

from __future__ import annotations

from .cost_estimate import GB_PER_MBPS_HOUR, HOURS_PER_MONTH, Alternative, CostReport, LineItem, estimate
from .cost_format import format_table
from .cost_live import LIVE_QUERIES, MAX_PAGES, LiveQuery, fetch_live_prices, live_prices
from .cost_prices import (
    PRICES_PATH,
    PRICING_REGION,
    REQUIRED_PRICES,
    Price,
    PriceError,
    PriceTable,
    load_prices,
    parse_prices,
)

__all__ = [
    "GB_PER_MBPS_HOUR",
    "HOURS_PER_MONTH",
    "LIVE_QUERIES",
    "MAX_PAGES",
    "PRICES_PATH",
    "PRICING_REGION",
    "REQUIRED_PRICES",
    "Alternative",
    "CostReport",
    "LineItem",
    "LiveQuery",
    "Price",
    "PriceError",
    "PriceTable",
    "estimate",
    "fetch_live_prices",
    "format_table",
    "live_prices",
    "load_prices",
    "parse_prices",
]

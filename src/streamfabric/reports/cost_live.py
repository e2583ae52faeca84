"""Live prices for the cost report from the AWS Price List API (``pricing`` in us-east-1): one
``get_products`` query per price, falling back to the shipped table, with a note, on any error."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .cost_prices import PRICING_REGION, Price, PriceTable


@dataclass(frozen=True, slots=True)
class LiveQuery:
    """One ``pricing.get_products`` query and how to pick the price from its answer."""

    price_key: str
    service_code: str
    filters: tuple[tuple[str, str, str], ...]  # (Type, Field, Value); "{region}" is substituted
    unit: str  # regex the price dimension's unit must match
    description: str = ""  # regex the dimension's description must match (empty: any)
    exclude: str = ""  # regex the description must not match
    pick: str = "min"  # min | mode | first-tier

    def request(self, region: str) -> dict[str, Any]:
        return {
            "ServiceCode": self.service_code,
            "Filters": [
                {"Type": kind, "Field": name, "Value": value.format(region=region)}
                for kind, name, value in self.filters
            ],
            "FormatVersion": "aws_v1",
            "MaxResults": 100,
        }


LIVE_QUERIES: tuple[LiveQuery, ...] = (
    LiveQuery(
        "mediaconnect_flow_hour",
        "AWSElementalMediaConnect",
        (("TERM_MATCH", "regionCode", "{region}"),),
        unit=r"^(hrs?|hours?)$",
        description=r"flow",
        exclude=r"reserv|cdi|jpeg|ndi|large|router|gateway|bridge|output",
    ),
    LiveQuery(
        "mediaconnect_internet_out_gb",
        "AWSElementalMediaConnect",
        (("TERM_MATCH", "regionCode", "{region}"),),
        unit=r"^GB$",
        description=r"internet",
        pick="first-tier",
    ),
    LiveQuery(
        "inter_region_gb",
        "AWSDataTransfer",
        (
            ("TERM_MATCH", "fromRegionCode", "{region}"),
            ("TERM_MATCH", "transferType", "InterRegion Outbound"),
        ),
        unit=r"^GB$",
        pick="mode",
    ),
    LiveQuery(
        "public_ipv4_hour",
        "AmazonVPC",
        (("TERM_MATCH", "regionCode", "{region}"), ("CONTAINS", "usagetype", "PublicIPv4:InUseAddress")),
        unit=r"^(hrs?|hours?)$",
    ),
    LiveQuery(
        "tgw_attachment_hour",
        "AmazonVPC",
        (
            ("TERM_MATCH", "regionCode", "{region}"),
            ("TERM_MATCH", "operation", "TransitGatewayVPC"),
            ("CONTAINS", "usagetype", "TransitGateway-Hours"),
        ),
        unit=r"^(hrs?|hours?)$",
    ),
    LiveQuery(
        "tgw_data_processed_gb",
        "AmazonVPC",
        (
            ("TERM_MATCH", "regionCode", "{region}"),
            ("TERM_MATCH", "operation", "TransitGatewayVPC"),
            ("CONTAINS", "usagetype", "TransitGateway-Bytes"),
        ),
        unit=r"^GB$",
    ),
    LiveQuery(
        "nlb_hour",
        "AWSELB",
        (
            ("TERM_MATCH", "regionCode", "{region}"),
            ("TERM_MATCH", "productFamily", "Load Balancer-Network"),
            ("CONTAINS", "usagetype", "LoadBalancerUsage"),
        ),
        unit=r"^(hrs?|hours?)$",
    ),
    LiveQuery(
        "nlb_lcu_hour",
        "AWSELB",
        (
            ("TERM_MATCH", "regionCode", "{region}"),
            ("TERM_MATCH", "productFamily", "Load Balancer-Network"),
            ("CONTAINS", "usagetype", "LCUUsage"),
        ),
        unit=r"LCU|hrs?|hours?",
    ),
    LiveQuery(
        "secret_month",
        "AWSSecretsManager",
        (("TERM_MATCH", "regionCode", "{region}"),),
        unit=r"secret|month",
        exclude=r"api|request",
    ),
)

MAX_PAGES = 10


@dataclass(frozen=True, slots=True)
class _Dimension:
    price: float
    unit: str
    description: str
    begin: float


def _dimensions(price_list: Iterable[Any]) -> list[_Dimension]:
    """Every on-demand USD price dimension in a ``PriceList`` (items are JSON strings)."""
    found: list[_Dimension] = []
    for raw in price_list:
        product = json.loads(raw) if isinstance(raw, str) else raw
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            for dim in term.get("priceDimensions", {}).values():
                usd = dim.get("pricePerUnit", {}).get("USD")
                if usd is None:
                    continue
                found.append(
                    _Dimension(
                        price=float(usd),
                        unit=str(dim.get("unit", "")),
                        description=str(dim.get("description", "")),
                        begin=float(dim.get("beginRange", 0) or 0),
                    )
                )
    return found


def _choose(query: LiveQuery, dims: list[_Dimension]) -> float | None:
    def ok(d: _Dimension) -> bool:
        return (
            d.price > 0
            and re.search(query.unit, d.unit, re.IGNORECASE) is not None
            and (
                not query.description
                or re.search(query.description, d.description, re.IGNORECASE) is not None
            )
            and (not query.exclude or re.search(query.exclude, d.description, re.IGNORECASE) is None)
        )

    matches = [d for d in dims if ok(d)]
    if not matches:
        return None
    if query.pick == "mode":
        counts = Counter(d.price for d in matches)
        return min(counts, key=lambda price: (-counts[price], price))
    if query.pick == "first-tier":
        return min(matches, key=lambda d: (d.begin, -d.price)).price
    return min(d.price for d in matches)


def fetch_live_prices(
    client: Any,
    table: PriceTable,
    region: str,
    *,
    today: Callable[[], str] | None = None,
) -> PriceTable:
    """``table`` with its figures replaced by the Price List API's for ``region``.

    ``client`` is a boto3 ``pricing`` client (us-east-1). Any error falls back to ``table``
    unchanged but for a note saying why; a price the API does not yield keeps the table's figure,
    also with a note."""
    from datetime import date

    updates: dict[str, Price] = {}
    missed: list[str] = []
    try:
        for query in LIVE_QUERIES:
            request = query.request(region)
            dims: list[_Dimension] = []
            for _ in range(MAX_PAGES):
                response = client.get_products(**request)
                dims.extend(_dimensions(response.get("PriceList", [])))
                token = response.get("NextToken")
                if not token:
                    break
                request = {**request, "NextToken": token}
            value = _choose(query, dims)
            if value is None:
                missed.append(query.price_key)
                continue
            old = table[query.price_key]
            updates[query.price_key] = Price(
                price=value,
                unit=old.unit,
                description=old.description,
                basis="live",
                source=f"AWS Price List API: {query.service_code}, {region}",
            )
    except Exception as exc:  # botocore ClientError, NoCredentialsError, EndpointConnectionError, bad JSON
        reason = _describe(exc)
        return table.with_prices(
            {},
            notes=(
                f"live prices unavailable ({reason}); using the shipped table of {table.as_of}",
                *table.notes,
            ),
        )
    stamp = (today or (lambda: date.today().isoformat()))()
    notes = [f"live prices from the AWS Price List API for {region}, fetched {stamp}"]
    if missed:
        notes.append(
            f"the Price List API gave no matching price for {', '.join(missed)}: "
            f"kept the shipped table's figures of {table.as_of}"
        )
    return table.with_prices(
        updates,
        as_of=stamp,
        source=f"AWS Price List API (pricing.get_products, {region}); fallback: {table.source}",
        region=region,
        live=True,
        notes=(*notes, *table.notes),
    )


def _describe(exc: BaseException) -> str:
    from ..aws.errors import describe_client_error

    return f"{type(exc).__name__}: {describe_client_error(exc)}"


def live_prices(table: PriceTable, region: str, *, session: Any = None) -> PriceTable:
    """Fetch live prices with boto3 (``session`` or the default chain); falls back to ``table``."""
    try:
        from ..aws.session import make_client, make_session

        client = make_client(session or make_session(), "pricing", PRICING_REGION)
    except Exception as exc:
        return table.with_prices(
            {}, notes=(f"live prices unavailable ({_describe(exc)}); using the shipped table", *table.notes)
        )
    return fetch_live_prices(client, table, region)

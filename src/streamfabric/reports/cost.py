"""The monthly running cost of a topology, beside the alternatives its design rejected.

``estimate(model, prices, hours=..., bitrate_mbps=...)`` is pure: it counts what the topology bills
(flows per running hour, data per stream-hour, addresses, peerings, the generated hop secret) and
prices each count from a :class:`PriceTable`. The shipped table (``data/prices.json``) carries its
date and source; :func:`fetch_live_prices` replaces its figures from the AWS Price List API
(``pricing`` in us-east-1) and falls back to the table, with a note, on any error.

The design's point is a low *running* cost: VPC peering has no hourly charge and the flows bill only
while they run. Transit Gateway and load balancers bill every hour of the month, whether or not an
event is on; the report shows that as the "always on" part of each total.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import StreamfabricError
from ..topology.model import Topology

HOURS_PER_MONTH = 730.0
GB_PER_MBPS_HOUR = 3600 / 8 / 1000  # 1 Mbps for one hour = 0.45 GB (GB = 10^9 bytes)
PRICES_PATH = Path(__file__).resolve().parent / "data" / "prices.json"
PRICING_REGION = "us-east-1"  # the Price List API's endpoint region


class PriceError(StreamfabricError):
    """The price table is missing, malformed or lacks a price the estimate needs."""


# -- the price table ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Price:
    price: float
    unit: str
    description: str = ""
    basis: str = ""  # design-notes | secondary | unverified | live
    source: str = ""


@dataclass(frozen=True, slots=True)
class PriceTable:
    as_of: str
    source: str
    region: str
    currency: str
    prices: Mapping[str, Price]
    notes: tuple[str, ...] = ()
    live: bool = False

    def __getitem__(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            raise PriceError(f"the price table has no price {key!r}") from None

    def with_prices(self, updates: Mapping[str, Price], **changes: Any) -> PriceTable:
        return replace(self, prices={**self.prices, **updates}, **changes)


REQUIRED_PRICES = (
    "mediaconnect_flow_hour",
    "mediaconnect_internet_out_gb",
    "inter_region_gb",
    "vpc_peering_hour",
    "public_ipv4_hour",
    "tgw_attachment_hour",
    "tgw_data_processed_gb",
    "nlb_hour",
    "nlb_lcu_hour",
    "secret_month",
)


def parse_prices(document: Mapping[str, Any], origin: str = "price table") -> PriceTable:
    """Build a :class:`PriceTable` from the JSON document shape of ``data/prices.json``."""
    try:
        prices = {
            key: Price(
                price=float(entry["price"]),
                unit=str(entry["unit"]),
                description=str(entry.get("description", "")),
                basis=str(entry.get("basis", "")),
                source=str(entry.get("source", "")),
            )
            for key, entry in document["prices"].items()
        }
        table = PriceTable(
            as_of=str(document["as_of"]),
            source=str(document["source"]),
            region=str(document.get("region", PRICING_REGION)),
            currency=str(document.get("currency", "USD")),
            prices=prices,
            notes=tuple(str(n) for n in document.get("notes", ())),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PriceError(f"{origin}: malformed price table ({type(exc).__name__}: {exc})") from None
    missing = [k for k in REQUIRED_PRICES if k not in prices]
    if missing:
        raise PriceError(f"{origin}: missing prices: {', '.join(missing)}")
    negative = [k for k, p in prices.items() if p.price < 0]
    if negative:
        raise PriceError(f"{origin}: negative prices: {', '.join(negative)}")
    return table


def load_prices(path: Path | str | None = None) -> PriceTable:
    """The shipped price table (or the one at ``path``)."""
    where = Path(path) if path is not None else PRICES_PATH
    try:
        document = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PriceError(f"{where}: cannot read the price table: {exc}") from None
    return parse_prices(document, str(where))


# -- the estimate ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineItem:
    key: str
    label: str
    basis: str  # how the quantity was counted, e.g. "6 flows x 72 h"
    quantity: float
    unit: str
    unit_price: float
    price_key: str
    always_on: bool = False  # billed every hour of the month, whether or not an event runs
    note: str = ""

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "basis": self.basis,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "price_key": self.price_key,
            "monthly": round(self.monthly, 4),
            "always_on": self.always_on,
            "note": self.note,
        }


def _total(items: Iterable[LineItem]) -> float:
    return sum(i.monthly for i in items)


@dataclass(frozen=True, slots=True)
class Alternative:
    key: str
    title: str
    why_rejected: str
    added: tuple[LineItem, ...]
    replaces: tuple[str, ...]  # keys of the design's line items it makes unnecessary
    total: float
    always_on: float
    design_total: float
    combines: tuple[str, ...] = ()  # keys of the alternatives this one adds together

    @property
    def extra(self) -> float:
        return self.total - self.design_total

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "why_rejected": self.why_rejected,
            "added": [i.as_dict() for i in self.added],
            "replaces": list(self.replaces),
            "combines": list(self.combines),
            "total": round(self.total, 2),
            "always_on": round(self.always_on, 2),
            "extra_vs_design": round(self.extra, 2),
        }


@dataclass(frozen=True, slots=True)
class CostReport:
    topology: str
    hours: float
    bitrate_mbps: float
    prices: PriceTable
    items: tuple[LineItem, ...]
    alternatives: tuple[Alternative, ...]
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> float:
        return _total(self.items)

    @property
    def always_on(self) -> float:
        return _total(i for i in self.items if i.always_on)

    def item(self, key: str) -> LineItem:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def alternative(self, key: str) -> Alternative:
        for alt in self.alternatives:
            if alt.key == key:
                return alt
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "topology": self.topology,
            "hours": self.hours,
            "bitrate_mbps": self.bitrate_mbps,
            "hours_per_month": HOURS_PER_MONTH,
            "currency": self.prices.currency,
            "prices": {
                "as_of": self.prices.as_of,
                "source": self.prices.source,
                "region": self.prices.region,
                "live": self.prices.live,
                "notes": list(self.prices.notes),
            },
            "design": {
                "items": [i.as_dict() for i in self.items],
                "total": round(self.total, 2),
                "always_on": round(self.always_on, 2),
            },
            "alternatives": [a.as_dict() for a in self.alternatives],
            "assumptions": list(self.assumptions),
        }


def _num(value: float) -> str:
    """72.0 -> '72', 4.5 -> '4.5' (for the 'basis' text)."""
    return f"{value:g}"


def _plural(count: int, word: str) -> str:
    plural = word + ("es" if word.endswith("s") else "s")
    return f"{count} {word if count == 1 else plural}"


def estimate(model: Topology, prices: PriceTable, *, hours: float, bitrate_mbps: float) -> CostReport:
    """The monthly cost of ``model`` when its flows run ``hours`` a month carrying ``bitrate_mbps``."""
    if hours < 0 or hours > HOURS_PER_MONTH:
        raise ValueError(f"hours must be between 0 and {HOURS_PER_MONTH:g} (a month), not {hours:g}")
    if bitrate_mbps < 0:
        raise ValueError(f"bitrate must not be negative, not {bitrate_mbps:g}")
    p = prices
    h, month = _num(hours), _num(HOURS_PER_MONTH)
    gb_per_hour = bitrate_mbps * GB_PER_MBPS_HOUR
    n_ingests = len(model.ingests)
    n_outputs = sum(len(f.outputs) for f in model.hub.flows)
    n_networks = len(model.networks)
    n_spokes = len(model.spokes)
    hub_region = model.hub.region
    remote_ingests = [i for i in model.ingests if i.region != hub_region]
    cross_streams = 2 if remote_ingests else 0  # Live and Preview each pull one stream at a time
    cross_gb = cross_streams * hours * gb_per_hour
    ingest_regions = list(dict.fromkeys(i.region for i in model.ingests))

    def item(key: str, label: str, basis: str, quantity: float, price_key: str, **kw: Any) -> LineItem:
        price = p[price_key]
        return LineItem(key, label, basis, quantity, price.unit, price.price, price_key, **kw)

    items = [
        item(
            "mediaconnect.ingest-flows",
            "MediaConnect ingest flows",
            f"{_plural(n_ingests, 'flow')} x {h} h",
            n_ingests * hours,
            "mediaconnect_flow_hour",
        ),
        item(
            "mediaconnect.hub-flows",
            "MediaConnect Live and Preview flows",
            f"2 flows x {h} h",
            2 * hours,
            "mediaconnect_flow_hour",
        ),
        item(
            "data.outputs-to-internet",
            "Downstream outputs (MediaConnect data out)",
            f"{_plural(n_outputs, 'output')} x {h} h x {_num(gb_per_hour)} GB/h",
            n_outputs * hours * gb_per_hour,
            "mediaconnect_internet_out_gb",
        ),
        item(
            "data.cross-region",
            "Cross-region hop to the hub",
            f"{_plural(cross_streams, 'stream')} x {h} h x {_num(gb_per_hour)} GB/h",
            cross_gb,
            "inter_region_gb",
            note="upper bound: Live and Preview both fed from another region all the time"
            if cross_streams
            else "every ingest is in the hub region",
        ),
        item(
            "network.vpc-peering",
            "VPC peering connections",
            f"{_plural(n_spokes, 'peering')} x {month} h",
            n_spokes * HOURS_PER_MONTH,
            "vpc_peering_hour",
            always_on=True,
        ),
        item(
            "public-ipv4.ingests",
            "Public IPv4 addresses of the ingest flows",
            f"{_plural(n_ingests, 'address')} x {h} h",
            n_ingests * hours,
            "public_ipv4_hour",
            note="upper bound: a MediaConnect flow's address may not be billed as public IPv4",
        ),
        item(
            "public-ipv4.hub",
            "Public IPv4 addresses of Live and Preview",
            f"2 addresses x {h} h",
            2 * hours,
            "public_ipv4_hour",
            note="upper bound: a MediaConnect flow's address may not be billed as public IPv4",
        ),
    ]
    if model.internal_hop.generate_secret:
        items.append(
            item(
                "secrets.hop-secret",
                "Generated internal-hop secret (one copy per region)",
                f"{_plural(n_networks, 'secret')} x 1 month",
                float(n_networks),
                "secret_month",
                always_on=True,
            )
        )
    design = tuple(items)
    design_total = _total(design)

    def alternative(
        key: str,
        title: str,
        why: str,
        added: list[LineItem],
        replaces: tuple[str, ...],
        combines: tuple[str, ...] = (),
    ) -> Alternative:
        kept = [i for i in design if i.key not in replaces]
        return Alternative(
            key=key,
            title=title,
            why_rejected=why,
            added=tuple(added),
            replaces=replaces,
            total=_total(kept) + _total(added),
            always_on=_total(i for i in [*kept, *added] if i.always_on),
            design_total=design_total,
            combines=combines,
        )

    tgw_items = [
        item(
            "tgw.vpc-attachments",
            "Transit Gateway VPC attachments",
            f"{_plural(n_networks, 'VPC')} x {month} h",
            n_networks * HOURS_PER_MONTH,
            "tgw_attachment_hour",
            always_on=True,
        ),
        item(
            "tgw.peering-attachments",
            "Transit Gateway inter-region peering attachments",
            f"{_plural(n_spokes, 'peering')} x {month} h",
            n_spokes * HOURS_PER_MONTH,
            "tgw_attachment_hour",
            always_on=True,
            note="one transit gateway per region, peered with the hub's; counted once per peering",
        ),
        item(
            "tgw.data-processing",
            "Transit Gateway data processing",
            "the cross-region hop's GB",
            cross_gb,
            "tgw_data_processed_gb",
        ),
    ]
    nlb_items = [
        item(
            "nlb.hours",
            "Network Load Balancers (one per ingest region)",
            f"{_plural(len(ingest_regions), 'NLB')} x {month} h",
            len(ingest_regions) * HOURS_PER_MONTH,
            "nlb_hour",
            always_on=True,
        ),
        item(
            "nlb.lcu",
            "NLB capacity units (processed bytes)",
            f"{_plural(n_ingests, 'stream')} x {h} h x {_num(gb_per_hour)} GB/h at 1 GB per NLCU-hour",
            n_ingests * hours * gb_per_hour,
            "nlb_lcu_hour",
        ),
        item(
            "nlb.elastic-ips",
            "Elastic IPs of the internet-facing NLBs",
            f"{_plural(len(ingest_regions), 'address')} x {month} h",
            len(ingest_regions) * HOURS_PER_MONTH,
            "public_ipv4_hour",
            always_on=True,
        ),
    ]
    alternatives = (
        alternative(
            "transit-gateway",
            "Transit Gateway instead of VPC peering",
            "simpler routing, but every attachment bills every hour of the month",
            tgw_items,
            ("network.vpc-peering",),
        ),
        alternative(
            "load-balancers",
            "Network Load Balancers in front of the ingests",
            "stable addresses and health checks, but a constant hourly cost",
            nlb_items,
            ("public-ipv4.ingests",),
        ),
        alternative(
            "both",
            "Transit Gateway and load balancers (no cost trade-offs)",
            "what the proof of concept chose not to build, to keep running costs low",
            [*tgw_items, *nlb_items],
            ("network.vpc-peering", "public-ipv4.ingests"),
            combines=("transit-gateway", "load-balancers"),
        ),
    )
    assumptions = (
        f"flows run {h} h a month; infrastructure exists all {month} h of the month",
        f"every stream is {_num(bitrate_mbps)} Mbps = {_num(gb_per_hour)} GB per hour",
        "the hub's Live and Preview each pull one ingest at a time over the internal hop",
        "not counted: the control API (Lambda, API Gateway), Route 53, CloudWatch, the "
        "referenced (not generated) secrets, Terraform state; taxes and free tiers",
    )
    return CostReport(
        topology=model.name,
        hours=hours,
        bitrate_mbps=bitrate_mbps,
        prices=prices,
        items=design,
        alternatives=alternatives,
        assumptions=assumptions,
    )


# -- formatting -----------------------------------------------------------------------------


def _money(value: float, currency: str = "USD") -> str:
    sign = "-" if value < -0.005 else ""
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{sign}{symbol}{abs(value):,.2f}"


def _unit_price(value: float) -> str:
    """0.08 -> '$0.08', 0.0225 -> '$0.0225', 0.4 -> '$0.40', 0 -> '$0'."""
    if not value:
        return "$0"
    text = f"{value:.6f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def _qty(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_table(report: CostReport) -> str:
    """The report as plain text: the design's line items, then each alternative against it."""
    cur = report.prices.currency
    lines = [
        f"{report.topology}: estimated monthly running cost "
        f"({_num(report.hours)} h of flows a month, {_num(report.bitrate_mbps)} Mbps per stream)",
        f"prices: {'AWS Price List API' if report.prices.live else 'shipped table'}, "
        f"{report.prices.region}, as of {report.prices.as_of}",
        "",
    ]
    label_w = (
        max(len(i.label) for i in (*report.items, *(a for x in report.alternatives for a in x.added))) + 2
    )
    title = "design: VPC peering, public addresses"
    header = f"{title:<{label_w}}{'quantity':>22}  {'unit price':>11}  {'per month':>10}"
    lines += [header, "-" * len(header)]

    def row(item: LineItem, prefix: str = "") -> list[str]:
        unit = item.unit if item.unit == "GB" else f"{item.unit}s"
        qty = f"{_qty(item.quantity)} {unit}"
        unverified = report.prices[item.price_key].basis == "unverified"
        unit_price = _unit_price(item.unit_price) + ("~" if unverified else " ")
        flag = " *" if item.always_on else ""
        money = _money(item.monthly, cur)
        text = [f"{prefix + item.label:<{label_w}}{qty:>22}  {unit_price:>11}  {money:>10}{flag}"]
        detail = f"    {item.basis}" + (f"; {item.note}" if item.note else "")
        text.append(detail)
        return text

    for item in report.items:
        lines += row(item)
    lines += [
        "-" * len(header),
        f"{'total':<{label_w + 37}}{_money(report.total, cur):>10}",
        f"{'  of which always on (*), billed with no event running':<{label_w + 37}}"
        f"{_money(report.always_on, cur):>10}",
        "  ~ unverified price: check it, or run with --live-prices (see the price notes below)"
        if any(report.prices[i.price_key].basis == "unverified" for i in report.items)
        else "",
        "",
        "alternatives the design rejected:",
    ]
    for alt in report.alternatives:
        pct = f" ({alt.extra / report.total:+.0%})" if report.total else ""
        lines += [
            "",
            f"{alt.title}: {_money(alt.total, cur)} a month, {_money(alt.extra, cur)} more than the design"
            f"{pct}; always on {_money(alt.always_on, cur)}",
            f"  ({alt.why_rejected})",
        ]
        if alt.combines:
            titles = " and ".join(report.alternative(k).title for k in alt.combines)
            lines.append(f"  = the changes of {titles}, together")
            continue
        for key in alt.replaces:
            replaced = report.item(key)
            lines.append(f"  - {replaced.label} ({_money(replaced.monthly, cur)})")
        for item in alt.added:
            lines += row(item, "  + ")
    lines += ["", "assumptions:"] + [f"  - {a}" for a in report.assumptions]
    lines += ["", f"price source: {report.prices.source}"] + [f"  - {n}" for n in report.prices.notes]
    return "\n".join(lines) + "\n"


# -- live prices from the AWS Price List API ------------------------------------------------


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
        if session is None:
            import boto3

            session = boto3.session.Session()
        client = session.client("pricing", region_name=PRICING_REGION)
    except Exception as exc:
        return table.with_prices(
            {}, notes=(f"live prices unavailable ({_describe(exc)}); using the shipped table", *table.notes)
        )
    return fetch_live_prices(client, table, region)


__all__ = [
    "GB_PER_MBPS_HOUR",
    "HOURS_PER_MONTH",
    "LIVE_QUERIES",
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

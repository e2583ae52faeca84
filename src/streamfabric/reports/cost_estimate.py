"""The cost estimate: what a topology bills (flows per running hour, data per stream-hour,
addresses, peerings, the generated hop secret), priced from a :class:`~.cost_prices.PriceTable`,
beside the alternatives the design rejected (Transit Gateway, load balancers). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..topology.model import Topology
from .cost_prices import PriceTable

HOURS_PER_MONTH = 730.0
GB_PER_MBPS_HOUR = 3600 / 8 / 1000  # 1 Mbps for one hour = 0.45 GB (GB = 10^9 bytes)


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


def num(value: float) -> str:
    """72.0 -> '72', 4.5 -> '4.5' (for the 'basis' text)."""
    return f"{value:g}"


def _plural(count: int, word: str) -> str:
    plural = word + ("es" if word.endswith("s") else "s")
    return f"{count} {word if count == 1 else plural}"


# -- what the topology bills, counted once --------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Counts:
    hours: float
    gb_per_hour: float
    ingests: int
    outputs: int
    networks: int
    spokes: int
    cross_streams: int  # Live and Preview each pull one stream at a time from another region
    ingest_regions: int
    hop_secret: bool  # the topology generates the internal-hop secret

    @property
    def h(self) -> str:
        return num(self.hours)

    @property
    def cross_gb(self) -> float:
        return self.cross_streams * self.hours * self.gb_per_hour

    @classmethod
    def of(cls, model: Topology, hours: float, bitrate_mbps: float) -> _Counts:
        remote = [i for i in model.ingests if i.region != model.hub.region]
        return cls(
            hours=hours,
            gb_per_hour=bitrate_mbps * GB_PER_MBPS_HOUR,
            ingests=len(model.ingests),
            outputs=sum(len(f.outputs) for f in model.hub.flows),
            networks=len(model.networks),
            spokes=len(model.spokes),
            cross_streams=2 if remote else 0,
            ingest_regions=len(dict.fromkeys(i.region for i in model.ingests)),
            hop_secret=model.internal_hop.generate_secret,
        )


MONTH = num(HOURS_PER_MONTH)
IPV4_NOTE = "upper bound: a MediaConnect flow's address may not be billed as public IPv4"


@dataclass(frozen=True, slots=True)
class _Pricer:
    prices: PriceTable

    def __call__(
        self,
        key: str,
        label: str,
        basis: str,
        quantity: float,
        price_key: str,
        *,
        always_on: bool = False,
        note: str = "",
    ) -> LineItem:
        price = self.prices[price_key]
        return LineItem(
            key, label, basis, quantity, price.unit, price.price, price_key, always_on=always_on, note=note
        )


# -- the design's line items ----------------------------------------------------------------


def _flow_items(c: _Counts, item: _Pricer) -> list[LineItem]:
    return [
        item(
            "mediaconnect.ingest-flows",
            "MediaConnect ingest flows",
            f"{_plural(c.ingests, 'flow')} x {c.h} h",
            c.ingests * c.hours,
            "mediaconnect_flow_hour",
        ),
        item(
            "mediaconnect.hub-flows",
            "MediaConnect Live and Preview flows",
            f"2 flows x {c.h} h",
            2 * c.hours,
            "mediaconnect_flow_hour",
        ),
    ]


def _data_items(c: _Counts, item: _Pricer) -> list[LineItem]:
    return [
        item(
            "data.outputs-to-internet",
            "Downstream outputs (MediaConnect data out)",
            f"{_plural(c.outputs, 'output')} x {c.h} h x {num(c.gb_per_hour)} GB/h",
            c.outputs * c.hours * c.gb_per_hour,
            "mediaconnect_internet_out_gb",
        ),
        item(
            "data.cross-region",
            "Cross-region hop to the hub",
            f"{_plural(c.cross_streams, 'stream')} x {c.h} h x {num(c.gb_per_hour)} GB/h",
            c.cross_gb,
            "inter_region_gb",
            note="upper bound: Live and Preview both fed from another region all the time"
            if c.cross_streams
            else "every ingest is in the hub region",
        ),
    ]


def _network_items(c: _Counts, item: _Pricer) -> list[LineItem]:
    items = [
        item(
            "network.vpc-peering",
            "VPC peering connections",
            f"{_plural(c.spokes, 'peering')} x {MONTH} h",
            c.spokes * HOURS_PER_MONTH,
            "vpc_peering_hour",
            always_on=True,
        ),
        item(
            "public-ipv4.ingests",
            "Public IPv4 addresses of the ingest flows",
            f"{_plural(c.ingests, 'address')} x {c.h} h",
            c.ingests * c.hours,
            "public_ipv4_hour",
            note=IPV4_NOTE,
        ),
        item(
            "public-ipv4.hub",
            "Public IPv4 addresses of Live and Preview",
            f"2 addresses x {c.h} h",
            2 * c.hours,
            "public_ipv4_hour",
            note=IPV4_NOTE,
        ),
    ]
    if c.hop_secret:
        items.append(
            item(
                "secrets.hop-secret",
                "Generated internal-hop secret (one copy per region)",
                f"{_plural(c.networks, 'secret')} x 1 month",
                float(c.networks),
                "secret_month",
                always_on=True,
            )
        )
    return items


# -- the alternatives the design rejected ---------------------------------------------------


def _tgw_items(c: _Counts, item: _Pricer) -> list[LineItem]:
    return [
        item(
            "tgw.vpc-attachments",
            "Transit Gateway VPC attachments",
            f"{_plural(c.networks, 'VPC')} x {MONTH} h",
            c.networks * HOURS_PER_MONTH,
            "tgw_attachment_hour",
            always_on=True,
        ),
        item(
            "tgw.peering-attachments",
            "Transit Gateway inter-region peering attachments",
            f"{_plural(c.spokes, 'peering')} x {MONTH} h",
            c.spokes * HOURS_PER_MONTH,
            "tgw_attachment_hour",
            always_on=True,
            note="one transit gateway per region, peered with the hub's; counted once per peering",
        ),
        item(
            "tgw.data-processing",
            "Transit Gateway data processing",
            "the cross-region hop's GB",
            c.cross_gb,
            "tgw_data_processed_gb",
        ),
    ]


def _nlb_items(c: _Counts, item: _Pricer) -> list[LineItem]:
    return [
        item(
            "nlb.hours",
            "Network Load Balancers (one per ingest region)",
            f"{_plural(c.ingest_regions, 'NLB')} x {MONTH} h",
            c.ingest_regions * HOURS_PER_MONTH,
            "nlb_hour",
            always_on=True,
        ),
        item(
            "nlb.lcu",
            "NLB capacity units (processed bytes)",
            f"{_plural(c.ingests, 'stream')} x {c.h} h x {num(c.gb_per_hour)} GB/h at 1 GB per NLCU-hour",
            c.ingests * c.hours * c.gb_per_hour,
            "nlb_lcu_hour",
        ),
        item(
            "nlb.elastic-ips",
            "Elastic IPs of the internet-facing NLBs",
            f"{_plural(c.ingest_regions, 'address')} x {MONTH} h",
            c.ingest_regions * HOURS_PER_MONTH,
            "public_ipv4_hour",
            always_on=True,
        ),
    ]


def _alternative(
    design: tuple[LineItem, ...],
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
        design_total=_total(design),
        combines=combines,
    )


def _alternatives(design: tuple[LineItem, ...], c: _Counts, item: _Pricer) -> tuple[Alternative, ...]:
    tgw_items, nlb_items = _tgw_items(c, item), _nlb_items(c, item)
    return (
        _alternative(
            design,
            "transit-gateway",
            "Transit Gateway instead of VPC peering",
            "simpler routing, but every attachment bills every hour of the month",
            tgw_items,
            ("network.vpc-peering",),
        ),
        _alternative(
            design,
            "load-balancers",
            "Network Load Balancers in front of the ingests",
            "stable addresses and health checks, but a constant hourly cost",
            nlb_items,
            ("public-ipv4.ingests",),
        ),
        _alternative(
            design,
            "both",
            "Transit Gateway and load balancers (no cost trade-offs)",
            "what the proof of concept chose not to build, to keep running costs low",
            [*tgw_items, *nlb_items],
            ("network.vpc-peering", "public-ipv4.ingests"),
            combines=("transit-gateway", "load-balancers"),
        ),
    )


def _assumptions(c: _Counts, bitrate_mbps: float) -> tuple[str, ...]:
    return (
        f"flows run {c.h} h a month; infrastructure exists all {MONTH} h of the month",
        f"every stream is {num(bitrate_mbps)} Mbps = {num(c.gb_per_hour)} GB per hour",
        "the hub's Live and Preview each pull one ingest at a time over the internal hop",
        "not counted: the control API (Lambda, API Gateway), Route 53, CloudWatch, the "
        "referenced (not generated) secrets, Terraform state; taxes and free tiers",
    )


def estimate(model: Topology, prices: PriceTable, *, hours: float, bitrate_mbps: float) -> CostReport:
    """The monthly cost of ``model`` when its flows run ``hours`` a month carrying ``bitrate_mbps``."""
    if hours < 0 or hours > HOURS_PER_MONTH:
        raise ValueError(f"hours must be between 0 and {HOURS_PER_MONTH:g} (a month), not {hours:g}")
    if bitrate_mbps < 0:
        raise ValueError(f"bitrate must not be negative, not {bitrate_mbps:g}")
    counts = _Counts.of(model, hours, bitrate_mbps)
    item = _Pricer(prices)
    design = (*_flow_items(counts, item), *_data_items(counts, item), *_network_items(counts, item))
    return CostReport(
        topology=model.name,
        hours=hours,
        bitrate_mbps=bitrate_mbps,
        prices=prices,
        items=design,
        alternatives=_alternatives(design, counts, item),
        assumptions=_assumptions(counts, bitrate_mbps),
    )

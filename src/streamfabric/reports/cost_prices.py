"""The price table of the cost report: the shipped ``data/prices.json`` (its date and source), parsed
and checked. Live figures from the AWS Price List API replace its prices in :mod:`.cost_live`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import StreamfabricError

PRICES_PATH = Path(__file__).resolve().parent / "data" / "prices.json"
PRICING_REGION = "us-east-1"  # the Price List API's endpoint region


class PriceError(StreamfabricError):
    """The price table is missing, malformed or lacks a price the estimate needs."""

    kind = "price"


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

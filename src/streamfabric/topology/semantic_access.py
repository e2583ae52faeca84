"""Defensive access to a topology document that may also have schema errors: whatever has the
wrong shape reads as empty (the schema check reports it), so the semantic checks never crash on it."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from typing import Any

from .jsonpath import PathPart

Found = tuple[list[PathPart], str, str]  # (path, code, message): the codes are in .problem_codes
Check = Callable[[dict[str, Any]], Iterator[Found]]


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def object_items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def networks(doc: dict[str, Any]) -> Iterator[tuple[list[PathPart], dict[str, Any]]]:
    hub = as_object(doc.get("hub"))
    if hub:
        yield ["hub"], hub
    for i, region in object_items(doc.get("regions")):
        yield ["regions", i], region


def hub_outputs(doc: dict[str, Any]) -> Iterator[tuple[list[PathPart], dict[str, Any]]]:
    hub = as_object(doc.get("hub"))
    for role in ("live", "preview"):
        for i, out in object_items(as_object(hub.get(role)).get("outputs")):
            yield ["hub", role, "outputs", i], out


def region_names(doc: dict[str, Any]) -> set[str]:
    return {r for _, net in networks(doc) if (r := as_str(net.get("region")))}


def parse_network(value: str) -> ipaddress.IPv4Network | str:
    """The network a CIDR names, or why it is not one."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        return str(exc)

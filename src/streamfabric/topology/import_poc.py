"""Convert the original proof of concept's ``vars/mediaconnect.json`` into a topology.

The old format (katruud/mediaconnect-switcher)::

    {"regions": [{"region": "us-east-2", "provider": "...", "vpc_cidr": "10.0.0.0/16",
                  "private_subnet_cidr": "10.0.1.0/24",
                  "flows": [{"name": "...",
                             "inputs":  [{"name": "...", "type": "public", "port": 2000}],
                             "outputs": [{"name": "...", "type": "public" | "private", "port": 2002}]}]}]}

How it maps: every region becomes a network (the hub is ``hub`` or the first region); every public
input becomes an ingest in its flow's region, listening on the input's port; public outputs become
outputs of the hub's Live flow (outputs on the same port are merged: Live carries whichever ingest
is on air); private outputs were the path towards the hub, so their port becomes the internal hop's
port range. What the old format does not say becomes a clearly marked placeholder, listed in the
returned TODOs: the Availability Zone (region + ``a``), each ingest's passphrase secret
(``TODO-set-secret/<ingest>``) and every allowlist (``192.0.2.0/24``, a documentation range).

:func:`import_poc` is pure: a dict in, ``(topology dict, TODO lines)`` out. Problems of the old
file's shape are raised together as a :class:`TopologyError` with JSON paths.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ..errors import Problem, TopologyError, UsageError
from .jsonpath import PathPart, format_path
from .loading import make_problem
from .model import HUB_ROLES, pascal

PLACEHOLDER_CIDR = "192.0.2.0/24"  # TEST-NET-1 (RFC 5737): reaches nobody, so nothing is opened by mistake
SECRET_PLACEHOLDER = "TODO-set-secret/{name}"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
_PORT_RANGE = (1, 65535)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


class _Reader:
    """Typed access to the old document that collects every shape problem instead of stopping."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, path: list[PathPart], code: str, message: str) -> None:
        """A problem of the old config's shape (``code``: SF4xxx, in :mod:`.problem_codes`)."""
        self.problems.append(make_problem(path, self.source, code, message))

    def list_of_objects(
        self, obj: dict[str, Any], key: str, path: list[PathPart]
    ) -> list[tuple[int, dict[str, Any]]]:
        value = obj.get(key, [])
        if not isinstance(value, list):
            self.fail([*path, key], "SF4001", f"expected an array, not {_json_type(value)}")
            return []
        items: list[tuple[int, dict[str, Any]]] = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                items.append((i, item))
            else:
                self.fail([*path, key, i], "SF4001", f"expected an object, not {_json_type(item)}")
        return items

    def string(
        self, obj: dict[str, Any], key: str, path: list[PathPart], *, required: bool = True
    ) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(path, "SF4002", f"missing required field {key!r}")
            return None
        if not isinstance(value, str) or not value:
            self.fail(
                [*path, key],
                "SF4001",
                f"expected a non-empty string, not {_json_type(value) if value != '' else 'an empty one'}",
            )
            return None
        return value

    def port(self, obj: dict[str, Any], path: list[PathPart]) -> int | None:
        value = obj.get("port")
        if value is None:
            self.fail(path, "SF4002", "missing required field 'port'")
            return None
        low, high = _PORT_RANGE
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail([*path, "port"], "SF4003", f"expected a port number ({low}-{high})")
            return None
        return value

    def kind(self, obj: dict[str, Any], path: list[PathPart]) -> str | None:
        value = obj.get("type")
        if value not in ("public", "private"):
            self.fail([*path, "type"], "SF4004", 'expected "public" or "private"')
            return None
        return str(value)


class _Names:
    """Turns old names into unique topology names (no two with the same rendered identifier)."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self.taken = {pascal(n) for n in reserved}

    def make(self, *parts: str, fallback: str) -> str:
        text = "-".join(p for p in parts if p).lower()
        base = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
        base = re.sub(r"^[^a-z]+", "", base)[:28].strip("-") or fallback
        if len(base) < 2:
            base = f"{base}-{fallback}"[:28].strip("-")
        name, n = base, 2
        while pascal(name) in self.taken:
            name, n = f"{base}-{n}", n + 1
        self.taken.add(pascal(name))
        return name


def _subnet(vpc_cidr: str) -> str | None:
    """The first /24 of a VPC (or the VPC itself when smaller)."""
    try:
        vpc = ipaddress.IPv4Network(vpc_cidr, strict=False)
    except ValueError:
        return None
    return str(next(vpc.subnets(new_prefix=24))) if vpc.prefixlen < 24 else str(vpc)


def import_poc(
    document: dict[str, Any], *, name: str, hub: str | None, source: str = "mediaconnect.json"
) -> tuple[dict[str, Any], list[str]]:
    """Convert the proof of concept's config into a topology document and the list of TODOs.

    Raises UsageError for a bad ``name`` or ``hub`` and TopologyError (every problem, with JSON
    paths into the old file, prefixed with ``source``) when the document is not in the old format.
    """
    if not _NAME.match(name):
        raise UsageError(
            f"--name {name!r}: a topology name is 2-32 lower-case letters, digits and hyphens, "
            "starting with a letter"
        )
    read = _Reader(source)
    if not isinstance(document, dict):
        read.fail([], "SF4001", 'expected the proof of concept\'s config object ({"regions": [...]})')
        raise TopologyError(read.problems)
    if "regions" not in document:
        read.fail([], "SF4002", "missing required field 'regions'")
    regions = read.list_of_objects(document, "regions", [])
    if "regions" in document and not regions and not read.problems:
        read.fail(["regions"], "SF4006", "no regions: nothing to import")

    notes: list[str] = []  # about the old file: its paths are prefixed with its name
    networks: list[dict[str, Any]] = []
    ingests: list[dict[str, Any]] = []
    live_outputs: list[dict[str, Any]] = []
    output_ports: dict[int, str] = {}
    hop_ports: list[tuple[int, str]] = []
    ingest_names = _Names(reserved=HUB_ROLES)
    output_names = _Names()

    for r, region_doc in regions:
        where: list[PathPart] = ["regions", r]
        region = read.string(region_doc, "region", where)
        vpc_cidr = read.string(region_doc, "vpc_cidr", where)
        subnet_cidr = read.string(region_doc, "private_subnet_cidr", where, required=False)
        if region is not None and not _REGION.match(region):
            read.fail([*where, "region"], "SF4005", f"{region!r} is not an AWS region name")
            region = None
        if region is None or vpc_cidr is None:
            continue
        if subnet_cidr is None:
            subnet_cidr = _subnet(vpc_cidr) or vpc_cidr
            notes.append(
                f"{source} {format_path(where)} ({region}) has no private_subnet_cidr: check the subnet "
                f"{subnet_cidr} assumed for it"
            )
        networks.append(
            {
                "region": region,
                "vpc_cidr": vpc_cidr,
                "subnet_cidr": subnet_cidr,
                "availability_zone": f"{region}a",
            }
        )
        for f, flow in read.list_of_objects(region_doc, "flows", where):
            fwhere: list[PathPart] = [*where, "flows", f]
            flow_name = read.string(flow, "name", fwhere, required=False) or f"flow-{f + 1}"
            inputs = read.list_of_objects(flow, "inputs", fwhere)
            for n, item in inputs:
                iwhere: list[PathPart] = [*fwhere, "inputs", n]
                kind, port = read.kind(item, iwhere), read.port(item, iwhere)
                input_name = read.string(item, "name", iwhere, required=False)
                if kind is None or port is None:
                    continue
                if kind == "private":
                    notes.append(
                        f"{source} {format_path(iwhere)}: the private input of flow {flow_name!r} was not "
                        "imported (ingests are public SRT listeners; the hub reaches them privately)"
                    )
                    continue
                extra = input_name if len(inputs) > 1 else ""
                ingest = ingest_names.make(flow_name, extra or "", fallback=f"ingest-{len(ingests) + 1}")
                ingests.append(
                    {
                        "name": ingest,
                        "region": region,
                        "port": port,
                        "allowlist": [PLACEHOLDER_CIDR],
                        "passphrase_secret": SECRET_PLACEHOLDER.format(name=ingest),
                        "description": _description(flow_name, input_name),
                    }
                )
            for n, item in read.list_of_objects(flow, "outputs", fwhere):
                owhere: list[PathPart] = [*fwhere, "outputs", n]
                kind, port = read.kind(item, owhere), read.port(item, owhere)
                output_name = read.string(item, "name", owhere, required=False)
                if kind is None or port is None:
                    continue
                if kind == "private":
                    hop_ports.append((port, format_path(owhere)))
                elif port in output_ports:
                    notes.append(
                        f"{source} {format_path(owhere)}: the public output of flow {flow_name!r} on "
                        f"port {port} is merged into the Live output {output_ports[port]!r} (Live carries "
                        "whichever ingest is on air)"
                    )
                else:
                    out = output_names.make(output_name or f"{flow_name}-out", fallback=f"output-{port}")
                    output_ports[port] = out
                    live_outputs.append(
                        {
                            "name": out,
                            "protocol": "srt-listener",
                            "port": port,
                            "allowlist": [PLACEHOLDER_CIDR],
                        }
                    )

    if read.problems:
        raise TopologyError(read.problems)
    if not ingests:
        read.fail(["regions"], "SF4006", "no public input in any flow: there is no ingest to import")
        raise TopologyError(read.problems)

    hub_index = _hub_index(networks, hub)
    hub_net = networks[hub_index]
    others = [net for i, net in enumerate(networks) if i != hub_index]
    topology: dict[str, Any] = {
        "name": name,
        "hub": {
            **hub_net,
            "live": {"starts_on": ingests[0]["name"], "outputs": live_outputs},
            "preview": {"starts_on": ingests[min(1, len(ingests) - 1)]["name"], "outputs": []},
        },
        "ingests": ingests,
        "internal_hop": {"passphrase_secret": "generate"},
    }
    if others:
        topology["regions"] = others
    if hop_ports:
        port, _ = hop_ports[0]
        topology["internal_hop"]["port_range"] = {"from": port, "to": port + 1}
        for other, where_text in hop_ports[1:]:
            if other != port:
                notes.append(
                    f"{source} {where_text}: private output port {other} differs from {port}; the "
                    "internal hop uses one port range for every ingest: $.internal_hop.port_range is "
                    f"{port}-{port + 1}"
                )
    return topology, [*_placeholder_todos(topology, hub_net, others), *notes]


def _description(flow: str, input_name: str | None) -> str:
    text = f"Imported from the proof of concept: flow {flow}" + (
        f", input {input_name}" if input_name else ""
    )
    return re.sub(r"[\x00-\x1f\"'`$\\{}%<>]", "", text)[:200]  # what the schema forbids in a description


def _hub_index(networks: list[dict[str, Any]], hub: str | None) -> int:
    if hub is None:
        return 0
    for i, net in enumerate(networks):
        if net["region"] == hub:
            return i
    known = ", ".join(n["region"] for n in networks)
    raise UsageError(f"--hub {hub!r} is not one of the config's regions ({known})")


def _placeholder_todos(
    topology: dict[str, Any], hub_net: dict[str, Any], others: list[dict[str, Any]]
) -> list[str]:
    todos = [
        f"$.hub.availability_zone: check {hub_net['availability_zone']!r}, assumed for {hub_net['region']} "
        "(the proof of concept did not say)"
    ]
    todos.extend(
        f"$.regions[{i}].availability_zone: check {net['availability_zone']!r}, assumed for {net['region']}"
        for i, net in enumerate(others)
    )
    for i, ingest in enumerate(topology["ingests"]):
        todos.append(
            f"$.ingests[{i}].passphrase_secret: create the SRT passphrase secret of ingest "
            f"{ingest['name']!r} in Secrets Manager ({ingest['region']}, or replicated there) and put its "
            f"name here instead of the placeholder {ingest['passphrase_secret']!r}"
        )
        todos.append(
            f"$.ingests[{i}].allowlist: replace the placeholder {PLACEHOLDER_CIDR} with the CIDR of the "
            f"source sending to {ingest['name']!r} (the proof of concept allowed 0.0.0.0/0)"
        )
    for j, out in enumerate(topology["hub"]["live"]["outputs"]):
        todos.append(
            f"$.hub.live.outputs[{j}].allowlist: replace the placeholder {PLACEHOLDER_CIDR} with the CIDRs "
            f"allowed to call output {out['name']!r}, and consider a passphrase_secret for it"
        )
    return todos


__all__ = ["PLACEHOLDER_CIDR", "SECRET_PLACEHOLDER", "import_poc"]

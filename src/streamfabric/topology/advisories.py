"""Warnings about a valid topology: what it asks for that AWS will do differently (exit 0).

``validate`` prints each as ``warning: <source>: <JSON path>: <message> [<code>]``; ``--json`` lists
them under ``"warnings"``. The codes (SF3xxx) are in :mod:`.problem_codes`. Pure: the model in, a
sorted list out. Region facts come from the precomputed :mod:`.region_support` table (no cfn-lint
import at run time).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Topology
from .problem_codes import problem_code
from .region_support import unsupported_properties

# MediaConnect resources the flows stacks set Tags on (every stack also passes the tags as stack tags).
TAGGED_MEDIACONNECT_TYPES = ("AWS::MediaConnect::Flow", "AWS::MediaConnect::FlowOutput")


@dataclass(frozen=True, order=True)
class Advisory:
    path: str
    message: str
    source: str = ""
    code: str = field(kw_only=True)
    source_url: str | None = field(default=None, compare=False, kw_only=True)

    def __str__(self) -> str:
        return f"warning: {self.source}: {self.path}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "source": self.source,
            "path": self.path,
            "message": self.message,
            "code": self.code,
            "source_url": self.source_url,
        }


def _advisory(code: str, path: str, message: str, model: Topology) -> Advisory:
    url = problem_code(code).source_url
    return Advisory(path, message, model.source.display, code=code, source_url=url)


def _region_paths(model: Topology) -> dict[str, str]:
    paths = {model.hub.region: "$.hub.region"}
    for i, net in enumerate(model.regions):
        paths[net.region] = f"$.regions[{i}].region"
    return paths


def _flow_regions(model: Topology) -> list[str]:
    return [model.hub.region] + [n.region for n in model.regions if model.ingests_in(n.region)]


def region_advisories(model: Topology) -> list[Advisory]:
    """Tags the topology gives (and the ``streamfabric:topology`` tag every resource carries) that
    CloudFormation cannot set on MediaConnect resources in a region with flows."""
    out: list[Advisory] = []
    paths = _region_paths(model)
    for region in _flow_regions(model):
        lacking = [
            t.rsplit("::", 1)[1]
            for t in TAGGED_MEDIACONNECT_TYPES
            if "Tags" in unsupported_properties(region, t)
        ]
        if lacking:
            asked = "the topology's tags and " if model.tags else ""
            out.append(
                _advisory(
                    "SF3001",
                    "$.tags" if model.tags else paths[region],
                    f"{region}: CloudFormation has no Tags on AWS::MediaConnect::{', '.join(lacking)} there: "
                    f"{asked}the streamfabric:topology tag are not set on that region's flows and outputs "
                    "(found by their stack, not by tag)",
                    model,
                )
            )
    return out


def maintenance_advisories(model: Topology) -> list[Advisory]:
    """Flows without a maintenance window: MediaConnect picks one itself and restarts the flow then,
    interrupting every output (CloudFormation template reference, "AWS::MediaConnect::Flow
    Maintenance": the start defaults to 02:00)."""
    out: list[Advisory] = []
    paths = _region_paths(model)
    missing = [r for r in _flow_regions(model) if model.maintenance_for(r) is None]
    if missing and model.maintenance is None and len(missing) == len(_flow_regions(model)):
        out.append(
            _advisory(
                "SF3002",
                "$.maintenance",
                "no maintenance window: MediaConnect picks one itself and restarts each flow then, "
                "interrupting its outputs; set a default (day, start_hour UTC) and per-region overrides",
                model,
            )
        )
    else:
        for region in missing:
            out.append(
                _advisory(
                    "SF3003",
                    paths[region].removesuffix(".region") + ".maintenance",
                    f"{region}: no maintenance window for its flows (no default either): "
                    "MediaConnect picks one",
                    model,
                )
            )
    for region in _flow_regions(model):
        if model.maintenance_for(region) and "Maintenance" in unsupported_properties(
            region, "AWS::MediaConnect::Flow"
        ):
            out.append(
                _advisory(
                    "SF3004",
                    paths[region].removesuffix(".region") + ".maintenance",
                    f"{region}: CloudFormation has no Maintenance on AWS::MediaConnect::Flow there: "
                    "the window is not set; MediaConnect picks one",
                    model,
                )
            )
    return out


def topology_advisories(model: Topology) -> list[Advisory]:
    return sorted(region_advisories(model) + maintenance_advisories(model))


__all__ = ["Advisory", "topology_advisories"]

"""Stack list and manifest of the CloudFormation renderer: which stacks exist, what each depends on
and where its parameters come from, in dependency order (network -> peering -> routes -> flows -> api)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import RenderError
from ..topology.model import NetworkMode, Topology
from .cfn_common import PREFIX, flow_regions, path
from .cfn_flows import flows_context
from .cfn_network import network_context, peering_context, routes_context
from .env import header_lines


@dataclass(frozen=True)
class StackSpec:
    """One stack of the manifest."""

    name: str
    region: str
    kind: str
    template: str
    parameters: str | None = None
    depends_on: tuple[str, ...] = ()
    parameter_sources: tuple[tuple[str, str], ...] = ()
    capabilities: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "region": self.region,
            "kind": self.kind,
            "template": self.template,
            "parameters": self.parameters,
            "depends_on": list(self.depends_on),
            "parameter_sources": dict(self.parameter_sources),
            "capabilities": list(self.capabilities),
        }


def order_stacks(stacks: Sequence[StackSpec]) -> list[StackSpec]:
    """Topological order of ``stacks`` by ``depends_on``, stable (input order among ready stacks).

    Raises RenderError for a duplicate name, an unknown dependency or a cycle (naming it)."""
    by_name: dict[str, StackSpec] = {}
    for stack in stacks:
        if stack.name in by_name:
            raise RenderError(f"stack {stack.name!r} is listed twice")
        by_name[stack.name] = stack
    for stack in stacks:
        unknown = [dep for dep in stack.depends_on if dep not in by_name]
        if unknown:
            raise RenderError(f"stack {stack.name!r} depends on unknown stack(s): {', '.join(unknown)}")
    placed: set[str] = set()
    ordered: list[StackSpec] = []
    remaining = list(stacks)
    while remaining:
        ready = next((s for s in remaining if all(dep in placed for dep in s.depends_on)), None)
        if ready is None:
            raise RenderError(f"stack dependency cycle: {' -> '.join(_find_cycle(remaining))}")
        ordered.append(ready)
        placed.add(ready.name)
        remaining.remove(ready)
    return ordered


def _find_cycle(stacks: Sequence[StackSpec]) -> list[str]:
    """A cycle among ``stacks`` (each of which waits on another one of them)."""
    deps = {s.name: [d for d in s.depends_on if any(t.name == d for t in stacks)] for s in stacks}
    path: list[str] = []
    node = stacks[0].name
    while node not in path:
        path.append(node)
        node = deps[node][0]
    return [*path[path.index(node) :], node]


@dataclass(frozen=True)
class _Stack:
    spec: StackSpec
    template: str  # the Jinja2 template
    context: dict[str, Any]


def _stack(
    name: str,
    region: str,
    kind: str,
    file: str,
    context: dict[str, Any],
    depends_on: tuple[str, ...] = (),
    capabilities: tuple[str, ...] = (),
) -> _Stack:
    params: list[dict[str, str]] = context["parameters"]
    spec = StackSpec(
        name=name,
        region=region,
        kind=kind,
        template=path(f"{file}.yaml"),
        parameters=path(f"{file}.parameters.json") if params else None,
        depends_on=depends_on,
        parameter_sources=tuple(sorted((p["key"], p["source"]) for p in params)),
        capabilities=capabilities,
    )
    return _Stack(spec, f"{PREFIX}/{kind}.yaml.j2", context)


def stacks(model: Topology, network: NetworkMode) -> list[_Stack]:
    """Every stack this renderer writes a template for, in dependency order."""
    hub = model.hub.region
    network_stack = {net.region: model.stack_name("network", net.region) for net in model.networks}
    peering = model.stack_name("peering", hub)
    stacks: list[_Stack] = []
    if network == "cloudformation":
        for net in model.networks:
            stacks.append(
                _stack(
                    network_stack[net.region],
                    net.region,
                    "network",
                    f"network-{net.region}",
                    network_context(model, net),
                    # every region's network at once: a spoke's takes nothing from the hub's
                    capabilities=("CAPABILITY_NAMED_IAM",) if net.is_hub else (),  # a named role
                )
            )
        if model.spokes:
            stacks.append(
                _stack(
                    peering,
                    hub,
                    "peering",
                    f"peering-{hub}",
                    peering_context(model),
                    depends_on=tuple(network_stack[net.region] for net in model.networks),
                )
            )
            for net in model.spokes:
                stacks.append(
                    _stack(
                        model.stack_name("routes", net.region),
                        net.region,
                        "routes",
                        f"routes-{net.region}",
                        routes_context(model, net),
                        depends_on=(network_stack[net.region], peering),
                    )
                )
    for region in flow_regions(model):
        # A flow stack waits for its own region's network stack and, in a spoke, for the hub's too:
        # MediaConnect's role and the generated hop secret (whose replica in this region it uses) are
        # created there. It does not wait for peering and routes, which deploy in parallel with it
        # (the post-steps run after every stack, so traffic flows over the peering by the time a hub
        # source calls an ingest).
        depends: tuple[str, ...] = ()
        if network == "cloudformation":
            depends = tuple(dict.fromkeys((network_stack[region], network_stack[hub])))
        stacks.append(
            _stack(
                model.stack_name("flows", region),
                region,
                "flows",
                f"flows-{region}",
                flows_context(model, region, network),
                depends_on=depends,
            )
        )
    return stacks


def stack_specs(model: Topology, network: NetworkMode = "terraform") -> list[StackSpec]:
    """The manifest's stacks, in dependency order: this renderer's stacks, then the control API's
    (rendered by :mod:`streamfabric.rendering.api` when ``control_api.enabled``; after every flow stack)."""
    specs = [stack.spec for stack in stacks(model, network)]
    if model.control_api.enabled:
        hub = model.hub.region
        specs.append(
            StackSpec(
                name=model.stack_name("api", hub),
                region=hub,
                kind="api",
                template=path(f"api-{hub}.yaml"),
                depends_on=tuple(spec.name for spec in specs if spec.kind == "flows"),
                capabilities=("CAPABILITY_IAM",),
            )
        )
    return order_stacks(specs)


def manifest(model: Topology, network: NetworkMode, specs: Sequence[StackSpec]) -> str:
    source = model.source
    generated = {
        "notice": header_lines(source)[0],
        "topology": source.uri,
        "version": source.version,
        "sha256": source.sha256,
        "network": network,
        "paths": "relative to the render output directory",
    }
    document = {"_generated": generated, "stacks": [spec.as_dict() for spec in specs]}
    return json.dumps(document, indent=2, ensure_ascii=True, sort_keys=True) + "\n"

"""The on-air guard (pure): would this plan take what is on Live or Preview off air?

What is on air is read from AWS (the observed hub flows' sources, not the runtime state nor any
memory): a running hub flow whose source is an SRT caller to the private IP of one of our ingest
flows' VPC interfaces. A plan *interrupts* when it would

* remove the on-air ingest (its flow is leaving the topology, or its region is) or replace it
  (its Availability Zone changed),
* stop it, remove its VPC interface, or move its hop output for that role off the interface,
* change its hop output for that role (another port), or re-point the hub flow's source
  (``UpdateFlowSource`` on the flow that is on air: another address, port, latency or secret),
* restart a running hub flow (stop it, or remove its VPC interface).

Deploy refuses such a plan before any change (:class:`OnAirError`, exit 1) unless the operator
passes ``--allow-interruption``; ``--dry-run`` shows the same verdict. :func:`offline_verdict`
is what ``streamfabric diff`` can say without AWS: which changes would interrupt *if* the ingest
concerned is on air when they are deployed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...errors import DeployError
from ...topology.model import HOP_OUTPUTS, HUB_ROLES, HubRole, Topology
from ..observed import RUNNING, RemoteState, ResourceChange
from .cfn_guard import judge_stack, on_air_paths
from .instructions import (
    DeployStack,
    DetachOutput,
    Plan,
    RemoveVpcInterface,
    RestoreStandbySource,
    SetCallerSource,
    StopFlow,
)
from .on_air import ingest_name, on_air
from .retire import replaced_flows

FLAG = "--allow-interruption"


@dataclass(frozen=True, slots=True)
class Interruption:
    role: HubRole
    ingest: str  # the ingest on air ("" when the hub flow's source is no ingest of ours)
    what: str  # what the deploy would do, e.g. "remove nyc-studio (its flow festival-nyc-studio)"

    @property
    def advice(self) -> str:
        if self.ingest:
            return (
                f"switch {self.role} away from {self.ingest} first "
                f"(streamfabric switch <another ingest> --target {self.role})"
            )
        return f"deploy when {self.role} may go off air"

    def __str__(self) -> str:
        on = f"{self.role} is on {self.ingest}" if self.ingest else f"{self.role} is on air"
        return f"{on}: this deploy would {self.what}; {self.advice}, or pass {FLAG} to accept it"


def summary(verdict: tuple[Interruption, ...]) -> list[str]:
    """One line per role and ingest: what the deploy would do, and what to do instead."""
    grouped: dict[tuple[HubRole, str], list[Interruption]] = {}
    for item in verdict:
        grouped.setdefault((item.role, item.ingest), []).append(item)
    lines: list[str] = []
    for (role, ingest), items in grouped.items():
        on = f"{role} is on {ingest}" if ingest else f"{role} is on air"
        whats = "; ".join(i.what for i in items)
        advice = items[0].advice
        lines.append(f"{on}: this deploy would {whats}. {advice[:1].upper()}{advice[1:]}, or pass {FLAG}")
    return lines


class OnAirError(DeployError):
    """The deploy was refused before any change: it would interrupt what is on air."""

    kind = "on_air"

    def __init__(self, interruptions: tuple[Interruption, ...], head: str = "") -> None:
        self.interruptions = interruptions
        head = head or "deploy refused, nothing was changed"
        super().__init__(f"{head}:\n  " + "\n  ".join(summary(interruptions)))


def stack_verdict(
    model: Topology, remote: RemoteState, step: DeployStack, changes: Sequence[ResourceChange]
) -> tuple[Interruption, ...]:
    """What CloudFormation's answer for ``step`` (its change set's ``changes``) would interrupt of
    Live and Preview as ``remote`` shows them (see :mod:`.cfn_guard`)."""
    paths = on_air_paths(model, remote)
    judged = judge_stack(model, remote, paths, step.stack, step.region, changes, step.template_body)
    return tuple(dict.fromkeys(Interruption(path.role, path.ingest, what) for path, what in judged))


def on_air_verdict(
    model: Topology,
    remote: RemoteState,
    plan: Plan,
    reviews: Mapping[str, Sequence[ResourceChange]] | None = None,
) -> tuple[Interruption, ...]:
    """Every way ``plan`` would interrupt Live or Preview as they are now (empty: safe on air).
    ``reviews``: CloudFormation's answer (its change set's changes) for each stack step asked."""
    found: list[Interruption] = []
    for step in plan.phase("stacks").steps:
        if isinstance(step, DeployStack) and reviews is not None and step.stack in reviews:
            found.extend(stack_verdict(model, remote, step, reviews[step.stack]))
    replaced = {f.arn for f in replaced_flows(model, remote)}
    steps = list(plan.steps)
    for role in HUB_ROLES:
        hub = remote.flow(model.flow_name(role))
        flow = on_air(model, remote).get(role)
        if flow is not None:
            name = ingest_name(model, flow.name)
            if flow.arn in remote.retired:
                where = (
                    "" if flow.region in {n.region for n in model.networks} else f" and region {flow.region}"
                )
                found.append(Interruption(role, name, f"remove {name}{where} (flow {flow.name})"))
            elif flow.arn in replaced:
                found.append(
                    Interruption(role, name, f"replace the flow {flow.name} (Availability Zone changed)")
                )
            for step in steps:
                if getattr(step, "flow_arn", None) != flow.arn or flow.arn in remote.retired:
                    continue  # a leaving flow is reported once, as removed
                if isinstance(step, StopFlow):
                    found.append(Interruption(role, name, f"stop the flow {flow.name}"))
                elif isinstance(step, RemoveVpcInterface):
                    found.append(
                        Interruption(role, name, f"remove the VPC interface {step.name} of {flow.name}")
                    )
                elif isinstance(step, DetachOutput) and step.output == HOP_OUTPUTS[role]:
                    found.append(
                        Interruption(
                            role, name, f"move output {step.output} of {flow.name} off its VPC interface"
                        )
                    )
            hop = flow.output(HOP_OUTPUTS[role])
            wanted = model.internal_hop.port(role)
            if flow.arn not in remote.retired and hop is not None and hop.port not in (None, wanted):
                found.append(
                    Interruption(role, name, f"move output {hop.name} of {flow.name} to port {wanted}")
                )
        if hub is None or hub.status not in RUNNING:
            continue
        name = ingest_name(model, flow.name) if flow is not None else ""
        for step in steps:
            if getattr(step, "flow_arn", None) != hub.arn:
                continue
            if isinstance(step, StopFlow | RemoveVpcInterface | RestoreStandbySource):
                found.append(
                    Interruption(role, name, f"restart the {role} flow {hub.name} ({step.describe()})")
                )
                break
            if isinstance(step, SetCallerSource) and flow is not None and flow.arn not in remote.retired:
                found.append(Interruption(role, name, f"re-point the {role} source ({step.describe()})"))
                break
    return tuple(dict.fromkeys(found))


def verdict_lines(verdict: tuple[Interruption, ...], *, allowed: bool) -> list[str]:
    if not verdict:
        return ["on air: nothing on Live or Preview is interrupted by this deploy"]
    head = (
        f"on air: interruptions accepted with {FLAG}:"
        if allowed
        else f"on air: deploy would refuse (exit 1) without {FLAG}:"
    )
    return [head, *(f"  {line}" for line in summary(verdict))]


def offline_verdict(old: Topology, new: Topology) -> list[str]:
    """What ``diff`` can say without AWS: the changes that interrupt Live or Preview if the ingest
    concerned is on air when they are deployed (deploy itself reads what is on air and refuses)."""
    lines: list[str] = []
    kept = {i.name: i for i in new.ingests}
    for ingest in old.ingests:
        moved = kept.get(ingest.name)
        if moved is None:
            lines.append(f"would interrupt Live or Preview if {ingest.name} is on air (removed)")
        elif moved.region != ingest.region:
            lines.append(
                f"would interrupt Live or Preview if {ingest.name} is on air (moves to {moved.region})"
            )
        elif new.network(moved.region).availability_zone != old.network(ingest.region).availability_zone:
            lines.append(f"would interrupt Live or Preview if {ingest.name} is on air (its flow is replaced)")
    for role in HUB_ROLES:
        if old.internal_hop.port(role) != new.internal_hop.port(role):
            lines.append(f"would interrupt {role} whatever is on air (internal hop port changes)")
    if old.internal_hop.min_latency_ms != new.internal_hop.min_latency_ms:
        lines.append("would interrupt Live and Preview whatever is on air (internal hop latency changes)")
    if (old.hub.region, old.hub.network.availability_zone) != (
        new.hub.region,
        new.hub.network.availability_zone,
    ):
        lines.append(
            "would replace the hub's subnet and the flows of "
            f"{new.hub.region}: interrupts Live and Preview (the hub moves)"
        )
    before = {net.region: net for net in old.networks}
    for net in new.networks:
        was = before.get(net.region)
        if (
            was is not None
            and was.availability_zone != net.availability_zone
            and was.subnet_cidr == net.subnet_cidr
        ):
            lines.append(
                f"deploy would refuse: moving {net.region}'s subnet to {net.availability_zone} needs a new "
                f"subnet_cidr (the replacement is created before the old subnet {net.subnet_cidr} is deleted)"
            )
    return lines


__all__ = [
    "FLAG",
    "Interruption",
    "OnAirError",
    "offline_verdict",
    "on_air_verdict",
    "stack_verdict",
    "verdict_lines",
]

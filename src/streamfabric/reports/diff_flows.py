"""What a topology change does to each MediaConnect flow: created, deleted, *replaced* (a create-only
property changes: ``Name``, ``AvailabilityZone``, ``Source/Name``) or updated in place, whether deploy
restarts it and whether its stream is interrupted. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from ..topology.model import HUB_ROLES, Topology
from .diff_model import CONTRIBUTOR_ACTS_ON, Change, FlowImpact, show


def _flows(model: Topology) -> dict[str, tuple[str, str, str]]:
    """``{flow name: (region, availability zone, what)}`` where what is an ingest name or a role."""
    flows = {
        model.flow_name(i.name): (i.region, model.network(i.region).availability_zone, i.name)
        for i in model.ingests
    }
    for role in HUB_ROLES:
        flows[model.flow_name(role)] = (model.hub.region, model.hub.network.availability_zone, role)
    return flows


def flow_impacts(old: Topology, new: Topology, changes: Sequence[Change]) -> tuple[FlowImpact, ...]:
    before, after = _flows(old), _flows(new)
    by_subject: dict[tuple[str, str], Change] = {(c.subject, c.name): c for c in changes}
    impacts: list[FlowImpact] = []
    hop_change = by_subject.get(("internal hop", "internal_hop"))
    hub_net_change = by_subject.get(("region", new.hub.region))
    hub_cidr_changes = bool(hub_net_change and hub_net_change.field("vpc_cidr"))

    for name, (region, az, what) in after.items():
        if name not in before:
            renamed = old.name != new.name
            why = f"the topology is renamed to {new.name}" if renamed else f"ingest {what} is added"
            impacts.append(
                FlowImpact(
                    name,
                    region,
                    "create",
                    (why, "deploy creates and starts it; the post-steps add its VPC interface"),
                    restart=True,
                    interrupts=False,
                    actions_needed=("give the contributor the new ingest address (or its DNS name)",)
                    if what not in HUB_ROLES
                    else (),
                )
            )
            continue
        old_region, old_az, _ = before[name]
        if old_region != region or old_az != az:
            reason = (
                f"region {old_region} -> {region}"
                if old_region != region
                else f"Availability Zone {old_az} -> {az} (AvailabilityZone is create-only)"
            )
            impacts.append(
                FlowImpact(
                    name,
                    region,
                    "replace",
                    (
                        reason,
                        "a new flow: new ARN and ingest IP; deploy starts it and re-runs the post-steps",
                    ),
                    restart=True,
                    interrupts=True,
                    actions_needed=("give the contributor the new ingest address (or its DNS name)",)
                    if what not in HUB_ROLES
                    else ("the outputs' receivers reconnect",),
                )
            )
            continue
        reasons: list[str] = []
        needed: list[str] = []
        interrupts = False
        if what in HUB_ROLES:
            # The hub flows' temporary source holds only the hop's port and the hub VPC CIDR: a
            # starts_on edit, the hop's latency or its secret leave it alone (no reset by
            # CloudFormation); the hop's latency and secret are re-pointed by the post-steps.
            resets: list[str] = []
            if hop_change:
                resets += [f"internal hop {f.field}" for f in hop_change.fields if f.field == "port_from"]
            if hub_cidr_changes:
                resets.append("hub VPC CIDR")
            repoints = (
                [
                    f"internal hop {f.field}"
                    for f in hop_change.fields
                    if f.field in ("min_latency_ms", "passphrase_secret")
                ]
                if hop_change
                else []
            )
            if resets:
                reasons.append(
                    "CloudFormation resets the source to the temporary standby source ("
                    + ", ".join(resets)
                    + "); deploy's post-steps then put back the ingest that was on air"
                )
                needed.append(
                    f"expect {what.capitalize()} off air until the post-steps finish, then on the "
                    "ingest that was on air"
                )
                interrupts = True
            elif repoints:
                reasons.append(
                    "the post-steps re-point the source to the ingest on air (" + ", ".join(repoints) + ")"
                )
                needed.append(f"expect a short glitch on {what.capitalize()} while its source is re-pointed")
                interrupts = True
            flow_change = by_subject.get(("hub flow", what))
            if flow_change:
                reasons.append(
                    f"starts_on {show(flow_change.fields[0].old)} -> {show(flow_change.fields[0].new)}: "
                    "only a flow being created starts there; what is on air stays"
                )
            for change in changes:
                if change.subject != "output" or not change.name.startswith(f"{what}/"):
                    continue
                out = change.name.split("/", 1)[1]
                if change.kind == "added":
                    reasons.append(f"output {out} is added")
                elif change.kind == "removed":
                    reasons.append(f"output {out} is removed: its receiver loses the stream")
                    interrupts = True
                else:
                    fields = ", ".join(f"{f.field} {show(f.old)} -> {show(f.new)}" for f in change.fields)
                    reasons.append(f"output {out} is updated in place ({fields})")
                    if any(
                        f.field in ("port", "protocol", "destination", "passphrase_secret")
                        for f in change.fields
                    ):
                        needed.append(f"the receiver of {out} must follow the change")
                        interrupts = True
        else:
            ingest_change = by_subject.get(("ingest", what))
            if ingest_change:
                source_fields = [f for f in ingest_change.fields if f.field != "region"]
                if source_fields:
                    fields = ", ".join(f"{f.field} {show(f.old)} -> {show(f.new)}" for f in source_fields)
                    reasons.append(f"source updated in place, UpdateFlowSource ({fields})")
                    for f in source_fields:
                        if f.field in CONTRIBUTOR_ACTS_ON:
                            needed.append(f"the contributor must {CONTRIBUTOR_ACTS_ON[f.field]}")
                            interrupts = True
            if hop_change:
                fields = ", ".join(f.field for f in hop_change.fields)
                reasons.append(
                    f"hop outputs to-live/to-preview updated in place ({fields}); "
                    "the post-steps re-attach them"
                )
            if hub_cidr_changes:
                reasons.append("hop outputs' allowlist (the hub VPC CIDR) updated in place")
        if reasons:
            impacts.append(
                FlowImpact(name, region, "update", tuple(reasons), False, interrupts, tuple(needed))
            )

    for name, (region, _, what) in before.items():
        if name in after:
            continue
        renamed = old.name != new.name
        why = f"the topology is renamed to {new.name}" if renamed else f"ingest {what} is removed"
        needed = (
            ["switch Live and Preview away from it first if it is on air"] if what not in HUB_ROLES else []
        )
        impacts.append(FlowImpact(name, region, "delete", (why,), False, True, tuple(needed)))
    return tuple(impacts)

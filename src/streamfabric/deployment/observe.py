"""Observe what exists, before a plan and after each phase: the only reading half of a deploy.

:func:`observe` reads everything the planners need (the stacks the topology names and those its
runtime state's inventory recorded, their flows by ARN, the ENI addresses, the secrets, flows
named like ours that are not ours, the control API's package); :func:`refresh` folds in what an
executed phase did (:class:`.execute.executor.Seen`) and reads the flows again. Independent reads
run at once (the state document with the manifest's stacks; the flows with the secrets), so
observing 8 regions takes as many rounds of calls as observing one. Read calls only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..aws.gateway import AwsGateway
from ..aws.waiters import wait
from ..errors import DeployError, StateError
from ..state.runtime import Inventory, RuntimeState
from ..state.store import read_state
from ..topology.model import Topology
from .api_code import ApiCode
from .execute.executor import Seen
from .manifest import StackSpec
from .observed import FlowState, RemoteState, StackState
from .plan.inventory import flow_arns, flow_names, regions, removed_regions, split_flows, stack_candidates
from .plan.parameters import secrets_to_resolve
from .reads import (
    api_package_present,
    concurrently,
    foreign_flows,
    observe_flows,
    observe_stack,
    orphan_network_interfaces,
    parallel,
    resolve_secrets,
)

Flows = tuple[dict[str, FlowState], dict[str, FlowState], dict[str, str]]


def recorded(text: str | None, uri: str) -> Inventory:
    """The inventory of a runtime state document (empty when there is none). An unreadable document
    is an error: it records what earlier deploys made where the topology no longer says (regions,
    stacks, flows by ARN), and forgetting it would leave those running, billed by the hour."""
    if not text:
        return Inventory()
    try:
        return RuntimeState.from_json(text, where=uri).inventory
    except StateError as exc:
        raise DeployError(
            f"{exc}: it lists what earlier deploys made (regions, stacks, flows) and nothing is "
            f"changed without it; restore an earlier version of {uri}, or delete it to let "
            "streamfabric find only what the topology names"
        ) from None


def _stacks(
    gateway: AwsGateway,
    model: Topology,
    specs: Sequence[StackSpec],
    inventory: Inventory,
    *,
    details: bool,
    known: Mapping[str, StackState] | None = None,
) -> dict[str, StackState]:
    """The manifest's stacks (with their templates when ``details``) and every other stack of ours,
    all at once. ``known``: what an earlier call observed (with an empty inventory); only the
    candidates it did not look at are described."""
    named = {spec.name for spec in specs}
    looked = set() if known is None else {n for _, n in stack_candidates(model, specs, Inventory())}
    todo = [item for item in stack_candidates(model, specs, inventory) if item[1] not in looked]
    found = parallel(
        lambda item: observe_stack(gateway, item[0], item[1], details=details and item[1] in named), todo
    )
    return {**(known or {}), **{state.name: state for state in found if state is not None}}


def _settle_stacks(gateway: AwsGateway, stacks: Mapping[str, StackState]) -> bool:
    """Wait (boto3-style waiter) for stacks with an operation in progress; True if there were any."""
    busy = [
        s for s in stacks.values() if s.status.endswith("_IN_PROGRESS") and s.status != "REVIEW_IN_PROGRESS"
    ]
    parallel(
        lambda s: wait(
            gateway, "cloudformation", s.region, "stack_settled", StackName=s.name, delay=10, max_attempts=360
        ),
        busy,
    )
    return bool(busy)


def _our_flows(
    gateway: AwsGateway, model: Topology, stacks: Mapping[str, StackState], inventory: Inventory
) -> Flows:
    """(topology flows by name, retired flows by ARN, ENI addresses), every flow found by the ARN
    our stacks' outputs or the inventory give."""
    found, addresses = observe_flows(gateway, flow_arns(model, stacks, inventory))
    current, retired = split_flows(model, found, stacks)
    return current, retired, addresses


def _flows_settled(
    gateway: AwsGateway, model: Topology, stacks: Mapping[str, StackState], inventory: Inventory
) -> tuple[Flows, tuple[str, ...]]:
    """Our flows (after waiting out any that is UPDATING: it ends ACTIVE or STANDBY), and the
    flows named like ours that are not ours (listed at once)."""
    arns = flow_arns(model, stacks, inventory)
    names = set(flow_names(model)) | set(arns.values())
    flows, foreign = concurrently(
        lambda: _our_flows(gateway, model, stacks, inventory),
        lambda: foreign_flows(gateway, regions(model, inventory), names, arns),
    )
    updating = [f for f in [*flows[0].values(), *flows[1].values()] if f.status == "UPDATING"]
    if updating:
        parallel(
            lambda f: wait(
                gateway, "mediaconnect", f.region, "flow_settled", FlowArn=f.arn, delay=3, max_attempts=200
            ),
            updating,
        )
        flows = _our_flows(gateway, model, stacks, inventory)
    return flows, foreign


def observe(
    gateway: AwsGateway,
    model: Topology,
    specs: Sequence[StackSpec],
    uri: str | None,
    *,
    secrets: bool = True,
    details: bool = True,
    api_code: ApiCode | None = None,
) -> RemoteState:
    """Everything the planners need (read calls only). ``secrets=False``: no secret is resolved;
    ``details=False``: the stacks' templates and change sets are not read (destroy needs neither);
    ``api_code``: whether that package is at its key is read too."""
    # The stacks the topology alone names first, with the state document; then only those its
    # inventory adds (regions that left the topology), usually none.
    text, known = concurrently(
        lambda: read_state(gateway, uri) if uri else None,
        lambda: _stacks(gateway, model, specs, Inventory(), details=details),
    )
    inventory = recorded(text, uri or "runtime state")
    stacks = _stacks(gateway, model, specs, inventory, details=details, known=known)
    if _settle_stacks(gateway, stacks):
        stacks = _stacks(gateway, model, specs, inventory, details=details)
    ((flows, retired, addresses), foreign), (resolved, present) = concurrently(
        lambda: _flows_settled(gateway, model, stacks, inventory),
        lambda: (
            resolve_secrets(gateway, secrets_to_resolve(model, specs)) if secrets else {},
            api_package_present(gateway, api_code) if api_code is not None else False,
        ),
    )
    remote = RemoteState(
        stacks=stacks,
        flows=flows,
        addresses=addresses,
        secrets=resolved,
        runtime_state=text,
        retired=retired,
        inventory=inventory,
        duplicates=foreign,
        api_package_present=present,
    )
    gone = removed_regions(model, stacks, retired.values())
    return with_orphans(gateway, remote, gone) if gone else remote


def with_orphans(
    gateway: AwsGateway,
    remote: RemoteState,
    regions_: Sequence[str],
    extra_subnets: Mapping[str, set[str]] | None = None,
) -> RemoteState:
    """``remote`` with the MediaConnect ENIs left detached in our subnets of ``regions_`` (and in
    ``extra_subnets``, e.g. the Terraform network's) (read calls only)."""
    wanted = set(regions_)
    subnets: dict[str, set[str]] = {r: set(ids) for r, ids in (extra_subnets or {}).items() if r in wanted}
    for flow in [*remote.flows.values(), *remote.retired.values()]:
        if flow.region in wanted:
            subnets.setdefault(flow.region, set()).update(v.subnet_id for v in flow.vpc_interfaces)
    for state in remote.stacks.values():
        if state.region in wanted and state.outputs.get("SubnetId"):
            subnets.setdefault(state.region, set()).add(state.outputs["SubnetId"])
    ours = [
        eni
        for f in [*remote.flows.values(), *remote.retired.values()]
        for v in f.vpc_interfaces
        for eni in v.network_interface_ids
    ]
    found = parallel(
        lambda item: [(item[0], eni) for eni in orphan_network_interfaces(gateway, *item, in_use=ours)],
        sorted((region, tuple(sorted(ids))) for region, ids in subnets.items()),
    )
    return replace(remote, orphan_network_interfaces=tuple(pair for pairs in found for pair in pairs))


def refresh(gateway: AwsGateway, model: Topology, remote: RemoteState, *seen: Seen) -> RemoteState:
    """After phases that changed stacks or flows (``seen``, in the order they ran): the stacks as
    they left them (those created or updated as their waiters last saw them complete, those deleted
    gone, the others as observed before: streamfabric changes a stack only through its executor)
    and the flows, read again; flows named like ours that are not ours are those found before."""
    stacks = dict(remote.stacks)
    for phase in seen:
        for name in phase.deleted:
            stacks.pop(name, None)
        stacks.update(phase.stacks)
    flows, retired, addresses = _our_flows(gateway, model, stacks, remote.inventory)
    return replace(remote, flows=flows, retired=retired, addresses=addresses, stacks=stacks)


def api_urls(gateway: AwsGateway, specs: Sequence[StackSpec]) -> dict[str, str]:
    """The API stack's URLs as deployed: ``api_url`` (scripts, SigV4) and ``panel_url`` (browser)."""
    found = parallel(
        lambda spec: observe_stack(gateway, spec.region, spec.name, details=False),
        [spec for spec in specs if spec.kind == "api"],
    )
    urls: dict[str, str] = {}
    for state in found:
        for output, name in (("ApiUrl", "api_url"), ("PanelUrl", "panel_url")):
            if state is not None and state.outputs.get(output):
                urls[name] = state.outputs[output]
    return urls


__all__ = ["api_urls", "observe", "recorded", "refresh", "with_orphans"]

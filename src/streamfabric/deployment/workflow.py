"""``deploy()`` and ``destroy()``: observe, plan (pure), execute; then the runtime state.

deploy: stacks first; if any stack changed, the flows are observed again and the post-steps planned
anew against them (a stack update may have replaced a flow), then executed; finally the runtime
state is built from the flows as they are and written only if it differs from the stored one. A
deploy with nothing to do therefore makes no mutating call at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import boto3

from ..aws.gateway import AwsGateway
from ..aws.waiters import wait
from ..errors import DeployError
from ..state.runtime import Inventory, RuntimeState
from ..topology.model import Topology
from .api_code import ApiCode, api_outputs, is_uploaded, resolve_api_code, upload, with_api_code
from .api_package import ApiPackage
from .destroy import plan_destroy
from .executor import DisplayOnlyExecutor, Executor, FollowUp
from .guard import Interruption, OnAirError, on_air_verdict, verdict_lines
from .inventory import (
    flow_arns,
    inventory_of,
    recorded,
    regions,
    removed_regions,
    split_flows,
    stack_candidates,
)
from .manifest import StackSpec, stack_specs
from .network import NetworkOutputs, from_network_stacks, load_terraform_outputs, with_resolved_hop_secret
from .parameters import secrets_to_resolve
from .plan import DeployStack, Instruction, Phase, Plan
from .planner import after_path_to_ingests, plan_deploy, poststeps_wait_for
from .poststeps import plan_poststeps
from .progress import NullReporter, Reporter
from .remote import (
    FlowState,
    RemoteState,
    StackState,
    concurrently,
    flow_names,
    foreign_flows,
    observe_flows,
    observe_stack,
    orphan_network_interfaces,
    parallel,
    resolve_secrets,
)
from .retire import plan_cleanup
from .state import build_state, read_state, state_uri, write_state

NetworkMode = Literal["terraform", "cloudformation"]
Confirm = Callable[[Plan], bool]


@dataclass(frozen=True)
class DeployResult:
    plan: Plan  # as first planned (post-steps re-planned after stack changes are in ``executed``)
    executed: tuple[Instruction, ...] = ()
    state: RuntimeState | None = None
    state_uri: str = ""
    state_written: bool = False
    dry_run: bool = False
    cancelled: bool = False
    api_code: ApiCode | None = None  # the Lambda package shipped (None: the stack makes no function)
    api_uploaded: bool = False
    api: Mapping[str, str] | None = None  # the control API stack's URLs (api_url, panel_url)
    interruptions: tuple[Interruption, ...] = ()


@dataclass(frozen=True)
class DestroyResult:
    plan: Plan
    executed: tuple[Instruction, ...] = ()
    dry_run: bool = False
    cancelled: bool = False


def rendered_stacks(
    model: Topology, network: NetworkMode, files: Mapping[str, str] | None
) -> tuple[StackSpec, ...]:
    """The stacks to deploy: the CloudFormation renderer's manifest (and the control API's stack)."""
    if files is None:
        from ..rendering.api import render_api
        from ..rendering.cloudformation import render_cloudformation

        files = {**render_cloudformation(model, network=network), **render_api(model)}
    return stack_specs(files)


def _settle_stacks(gateway: AwsGateway, stacks: Mapping[str, Any]) -> bool:
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


def _observe_our_flows(
    gateway: AwsGateway, model: Topology, stacks: Mapping[str, StackState], inventory: Inventory
) -> tuple[dict[str, FlowState], dict[str, FlowState], dict[str, str]]:
    """(topology flows by name, retired flows by ARN, ENI addresses), every flow found by the ARN
    our stacks' outputs or the inventory give."""
    found, addresses = observe_flows(gateway, flow_arns(model, stacks, inventory))
    current, retired = split_flows(model, found, stacks)
    return current, retired, addresses


def _observe_flows(
    gateway: AwsGateway, model: Topology, stacks: Mapping[str, StackState], inventory: Inventory
) -> tuple[dict[str, FlowState], dict[str, FlowState], dict[str, str], tuple[str, ...]]:
    """:func:`_observe_our_flows`, and the flows named like ours that are not ours (listed at once)."""
    arns = flow_arns(model, stacks, inventory)
    names = set(flow_names(model)) | set(arns.values())
    (current, retired, addresses), foreign = concurrently(
        lambda: _observe_our_flows(gateway, model, stacks, inventory),
        lambda: foreign_flows(gateway, regions(model, inventory), names, arns),
    )
    return current, retired, addresses, foreign


def _observe_all(
    gateway: AwsGateway,
    model: Topology,
    specs: tuple[StackSpec, ...],
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


def _observe_flows_settled(
    gateway: AwsGateway, model: Topology, stacks: Mapping[str, StackState], inventory: Inventory
) -> tuple[dict[str, FlowState], dict[str, FlowState], dict[str, str], tuple[str, ...]]:
    """:func:`_observe_flows`, after waiting out any flow that is UPDATING (it ends ACTIVE or STANDBY)."""
    flows, retired, addresses, foreign = _observe_flows(gateway, model, stacks, inventory)
    updating = [f for f in [*flows.values(), *retired.values()] if f.status == "UPDATING"]
    if not updating:
        return flows, retired, addresses, foreign
    parallel(
        lambda f: wait(
            gateway, "mediaconnect", f.region, "flow_settled", FlowArn=f.arn, delay=3, max_attempts=200
        ),
        updating,
    )
    return _observe_flows(gateway, model, stacks, inventory)


def observe(
    gateway: AwsGateway,
    model: Topology,
    specs: tuple[StackSpec, ...],
    uri: str | None,
    *,
    secrets: bool = True,
    details: bool = True,
) -> RemoteState:
    """Everything the planners need (read calls only): the topology's stacks and flows and those of
    the runtime state's inventory. ``secrets=False``: no secret is resolved; ``details=False``: the
    stacks' templates and change sets are not read (destroy needs neither).

    Independent reads run at once (the state document with the manifest's stacks; the flows with
    the secrets), so observing 8 regions takes as many rounds of calls as observing one."""
    # The stacks the topology alone names first, with the state document; then only those its
    # inventory adds (regions that left the topology), usually none.
    text, known = concurrently(
        lambda: read_state(gateway, uri) if uri else None,
        lambda: _observe_all(gateway, model, specs, Inventory(), details=details),
    )
    inventory = recorded(text)
    stacks = _observe_all(gateway, model, specs, inventory, details=details, known=known)
    if _settle_stacks(gateway, stacks):
        stacks = _observe_all(gateway, model, specs, inventory, details=details)
    (flows, retired, addresses, foreign), resolved = concurrently(
        lambda: _observe_flows_settled(gateway, model, stacks, inventory),
        lambda: resolve_secrets(gateway, secrets_to_resolve(model, specs)) if secrets else {},
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
    )
    gone = removed_regions(model, stacks, retired.values())
    return replace(remote, orphan_network_interfaces=find_orphans(gateway, remote, gone)) if gone else remote


def find_orphans(
    gateway: AwsGateway,
    remote: RemoteState,
    regions_: Sequence[str],
    extra_subnets: Mapping[str, set[str]] | None = None,
) -> tuple[tuple[str, str], ...]:
    """MediaConnect ENIs left detached in our subnets of ``regions_`` (read calls only)."""
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
    return tuple(pair for pairs in found for pair in pairs)


def refresh(gateway: AwsGateway, model: Topology, remote: RemoteState, executor: Executor) -> RemoteState:
    """After the ``executor`` changed stacks or flows: the stacks as it left them (those it created
    or updated as its waiters last saw them complete, those it deleted gone, the others as observed
    before it ran: streamfabric changes a stack only through its executor) and the flows, read
    again; flows named like ours that are not ours are those found before."""
    stacks = {name: state for name, state in remote.stacks.items() if name not in executor.stacks_deleted}
    stacks.update(executor.stacks_now)
    flows, retired, addresses = _observe_our_flows(gateway, model, stacks, remote.inventory)
    return replace(remote, flows=flows, retired=retired, addresses=addresses, stacks=stacks)


def _network(model: Topology, remote: RemoteState, terraform: NetworkOutputs | None) -> NetworkOutputs:
    if terraform is not None:
        return with_resolved_hop_secret(model, terraform, remote.secrets)
    settled = {name: state.outputs for name, state in remote.stacks.items() if state.stable}
    return with_resolved_hop_secret(model, from_network_stacks(model, settled), remote.secrets)


def _gateway(session: boto3.session.Session | None, gateway: AwsGateway | None) -> AwsGateway:
    return gateway or AwsGateway(session)


def deploy(
    model: Topology,
    *,
    network: NetworkMode = "terraform",
    network_outputs: str | Path | Mapping[str, Any] | NetworkOutputs | None = None,
    session: boto3.session.Session | None = None,
    gateway: AwsGateway | None = None,
    dry_run: bool = False,
    reporter: Reporter | None = None,
    files: Mapping[str, str] | None = None,
    max_workers: int = 32,
    confirm: Confirm | None = None,
    api_package: str | Path | ApiPackage | None = None,
    allow_interruption: bool = False,
) -> DeployResult:
    """Deploy ``model``: stacks (change sets, dependency order, regions in parallel), post-steps,
    runtime state. ``network="cloudformation"`` deploys the network stacks too; otherwise
    ``network_outputs`` is the Terraform network's ``terraform output -json``.
    ``files``: rendered files to deploy instead of ``render(model)`` (tests). ``api_package``: the
    control API's Lambda package (a zip from ``package-api``), else built or reused from the cache
    (see :mod:`.api_code`). ``max_workers``: instructions in flight at once; the default lets every
    region's network stack (16 regions and more) and every flow's post-steps start together instead
    of queueing behind each other.

    Before any change, :func:`.guard.on_air_verdict`: a plan that would take what is on Live or
    Preview off air (or restart a hub flow) raises :class:`.guard.OnAirError` unless
    ``allow_interruption``; ``dry_run`` shows the same verdict."""
    terraform: NetworkOutputs | None = None
    if network == "terraform":
        if network_outputs is None:
            raise DeployError(
                "the network's outputs are needed: give --network-outputs FILE (`terraform output "
                "-json` of the rendered network) or deploy the network too with --network "
                "cloudformation"
            )
        terraform = (
            network_outputs
            if isinstance(network_outputs, NetworkOutputs)
            else load_terraform_outputs(network_outputs, model)
        )
    elif network != "cloudformation":
        raise DeployError(f"unknown network mode {network!r}")
    gw = _gateway(session, gateway)
    out = reporter or NullReporter()
    code = resolve_api_code(model, api_package)
    specs = with_api_code(rendered_stacks(model, network, files), code)
    uri = state_uri(model)
    remote = observe(gw, model, specs, uri)
    plan = plan_deploy(model, specs, remote, network=terraform)
    verdict = on_air_verdict(model, remote, plan)
    for note in plan.notes:
        out.note(note)
    missing = code is not None and not is_uploaded(gw, code)
    if dry_run:
        if code is not None and missing:
            out.note(f"would upload the control API's package ({code.package.size:,} bytes) to {code.uri}")
        DisplayOnlyExecutor(out).execute(plan)
        out.note(f"runtime state: {uri} (written after the post-steps when it changes)")
        for line in verdict_lines(verdict, allowed=allow_interruption):
            out.note(line)
        return DeployResult(plan, state_uri=uri, dry_run=True, api_code=code, interruptions=verdict)
    if verdict and not allow_interruption:
        raise OnAirError(verdict)
    if not plan.empty or missing:
        out.plan(plan)
        for line in verdict_lines(verdict, allowed=True):
            out.note(line)
        if confirm is not None and not confirm(plan):
            return DeployResult(plan, state_uri=uri, cancelled=True, api_code=code, interruptions=verdict)
    if code is not None and missing:
        upload(gw, code)
        out.note(f"control API package uploaded to {code.uri}")
    executor = Executor(gw, out, max_workers=max_workers)
    retire_phase, stack_phase = plan.phase("retire"), plan.phase("stacks")
    executor.run_phase(retire_phase)
    post, cleanup = plan.phase("post-steps"), plan.phase("clean up")
    if stack_phase.steps:
        # The post-steps are planned (flows observed again) once the network and flows stacks are
        # done, and join the phase while the peering, routes and control API stacks go on.
        replanned: list[tuple[RemoteState, tuple[Instruction, ...]]] = []
        steps = tuple(s for s in stack_phase.steps if isinstance(s, DeployStack))

        def plan_post() -> tuple[Instruction, ...]:
            now = refresh(gw, model, remote, executor)
            planned = after_path_to_ingests(
                plan_poststeps(model, now, _network(model, now, terraform)), steps
            )
            replanned.append((now, planned))
            return planned

        executor.run_phase(stack_phase, FollowUp("post-steps", poststeps_wait_for(steps), plan_post))
        remote, post = replanned[0][0], Phase("post-steps", replanned[0][1])
    else:
        if retire_phase.steps:
            remote = refresh(gw, model, remote, executor)
            post = Phase("post-steps", plan_poststeps(model, remote, _network(model, remote, terraform)))
        executor.run_phase(post)
    if post.steps and cleanup.steps:
        remote = refresh(gw, model, remote, executor)
    if cleanup.steps:
        gone = removed_regions(model, remote.stacks, remote.retired.values())
        remote = replace(remote, orphan_network_interfaces=find_orphans(gw, remote, gone))
        executor.run_phase(Phase("clean up", plan_cleanup(model, remote, gone)))
    if executor.done:
        remote = refresh(gw, model, remote, executor)
    inventory = inventory_of(model, remote.stacks, [*remote.flows.values(), *remote.retired.values()])
    urls = api_outputs(gw, specs)
    runtime = replace(
        build_state(model, remote, _network(model, remote, terraform)), control_api=urls, inventory=inventory
    )
    text = runtime.to_json()
    written = text != remote.runtime_state
    if written:
        write_state(gw, uri, text)
        out.note(f"runtime state written to {uri}")
    return DeployResult(
        plan,
        tuple(executor.done),
        runtime,
        uri,
        written,
        api_code=code,
        api_uploaded=missing,
        api=urls,
        interruptions=verdict,
    )


def destroy(
    model: Topology,
    *,
    session: boto3.session.Session | None = None,
    gateway: AwsGateway | None = None,
    dry_run: bool = False,
    reporter: Reporter | None = None,
    files: Mapping[str, str] | None = None,
    network_outputs: str | Path | Mapping[str, Any] | NetworkOutputs | None = None,
    max_workers: int = 8,
    confirm: Confirm | None = None,
) -> DestroyResult:
    """Undo the post-steps, delete every stack of the topology that exists (reverse dependency
    order), then the runtime state. ``files``: rendered files with the complete (CloudFormation
    network) manifest, instead of ``render(model, network="cloudformation")``."""
    known = (  # read first: a bad file is refused before any call
        network_outputs
        if network_outputs is None or isinstance(network_outputs, NetworkOutputs)
        else load_terraform_outputs(network_outputs, model)
    )
    gw = _gateway(session, gateway)
    out = reporter or NullReporter()
    specs = rendered_stacks(model, "cloudformation", files)
    uri = state_uri(model)
    remote = observe(gw, model, specs, uri, secrets=False, details=False)
    extra: dict[str, set[str]] = {}
    for net in known.regions if known is not None else ():
        extra.setdefault(net.region, set()).add(str(net.subnet_id))
    every = regions(model, remote.inventory)
    remote = replace(remote, orphan_network_interfaces=find_orphans(gw, remote, every, extra))
    plan = plan_destroy(model, specs, remote, state_uri=uri)
    if dry_run:
        DisplayOnlyExecutor(out).execute(plan)
        return DestroyResult(plan, dry_run=True)
    if plan.empty:
        out.note("nothing to destroy")
        return DestroyResult(plan)
    out.plan(plan)
    if confirm is not None and not confirm(plan):
        return DestroyResult(plan, cancelled=True)
    executor = Executor(gw, out, max_workers=max_workers)
    return DestroyResult(plan, executor.execute(plan))


__all__ = ["DeployResult", "DestroyResult", "deploy", "destroy", "observe"]

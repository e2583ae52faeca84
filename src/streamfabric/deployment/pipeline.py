"""One pipeline for ``deploy``, ``deploy --dry-run``, ``plan`` and ``destroy``, read top to bottom:

    inputs (network outputs, the stacks rendered, the control API's package)
      -> observe (:mod:`.observe`, read calls only)
      -> plan (:mod:`.plan`, pure) and the on-air verdict (:mod:`.plan.guard`)
      -> an executor: :class:`.execute.Executor` (deploy), :class:`.execute.DisplayOnlyExecutor`
         (``--dry-run``) or :class:`.execute.PreviewExecutor` (``plan``: CloudFormation's answer)

so the three see the same instructions for the same inputs. A deploy runs its phases in order —
retire, stacks (the post-steps planned again, from the flows as the network and flows stacks left
them, and joining the phase while the other stacks go on), clean up — then writes the runtime state
when it differs from the stored one. A deploy with nothing to do makes no mutating call at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3

from ..aws.gateway import AwsGateway
from ..errors import DeployError
from ..state.store import state_uri
from ..topology.model import NetworkMode, Topology
from .api_code import ApiCode, resolve_api_code, with_api_code
from .api_package import ApiPackage
from .execute.display import DisplayOnlyExecutor
from .execute.executor import Executor, FollowUp, Seen
from .execute.review import Reviews, discard, review, with_reviews
from .lease import Held, acquire
from .manifest import StackSpec, stack_specs
from .network import NetworkOutputs, from_network_stacks, load_terraform_outputs, with_resolved_hop_secret
from .observe import api_urls, observe, refresh, with_orphans
from .observed import RemoteState, ResourceChange
from .plan.deploy import after_path_to_ingests, plan_deploy, poststeps_wait_for
from .plan.destroy import plan_destroy
from .plan.flows import plan_poststeps
from .plan.guard import Interruption, OnAirError, on_air_verdict, stack_verdict, verdict_lines
from .plan.instructions import DeployStack, Instruction, Phase, Plan, WriteRuntimeState
from .plan.inventory import inventory_of, regions, removed_regions
from .plan.on_air import on_air_ingests
from .plan.retire import plan_cleanup
from .plan.state import build_state
from .progress import NullReporter, Reporter
from .results import DeployResult, DestroyResult, PlanPreview

Confirm = Callable[[Plan], bool]
NetworkSource = str | Path | Mapping[str, Any] | NetworkOutputs


@dataclass(frozen=True)
class Inputs:
    """What a deploy starts from, read before any call: a bad file is refused before AWS is asked."""

    model: Topology
    specs: tuple[StackSpec, ...]
    network: NetworkOutputs | None  # the Terraform network's outputs; None: CloudFormation network
    api_code: ApiCode | None
    state_uri: str


@dataclass(frozen=True)
class Prepared:
    """The front half every command shares: what exists, the plan, the on-air verdict."""

    inputs: Inputs
    remote: RemoteState
    plan: Plan
    verdict: tuple[Interruption, ...]
    reviews: Reviews  # CloudFormation's answer per stack step: change sets made, to run or discard

    @property
    def unreviewed(self) -> list[str]:
        """The stack steps CloudFormation could not be asked about yet, and why."""
        return [f"{r.stack}: {r.note}" for r in self.reviews.values() if not r.reviewed]


def rendered_stacks(
    model: Topology, network: NetworkMode, files: Mapping[str, str] | None
) -> tuple[StackSpec, ...]:
    """The stacks to deploy: the CloudFormation renderer's manifest (and the control API's stack)."""
    if files is None:
        from ..rendering.api import render_api
        from ..rendering.cloudformation import render_cloudformation

        files = {**render_cloudformation(model, network=network), **render_api(model)}
    return stack_specs(files)


def _terraform_outputs(model: Topology, given: NetworkSource | None) -> NetworkOutputs | None:
    if given is None or isinstance(given, NetworkOutputs):
        return given
    return load_terraform_outputs(given, model)


def deploy_inputs(
    model: Topology,
    network: NetworkMode,
    network_outputs: NetworkSource | None,
    files: Mapping[str, str] | None,
    api_package: str | Path | ApiPackage | None,
) -> Inputs:
    if network == "terraform" and network_outputs is None:
        raise DeployError(
            "the network's outputs are needed: give --network-outputs FILE (`terraform output "
            "-json` of the rendered network) or deploy the network too with --network "
            "cloudformation"
        )
    if network not in ("terraform", "cloudformation"):
        raise DeployError(f"unknown network mode {network!r}")
    terraform = _terraform_outputs(model, network_outputs) if network == "terraform" else None
    code = resolve_api_code(model, api_package)
    specs = with_api_code(rendered_stacks(model, network, files), code)
    return Inputs(model, specs, terraform, code, state_uri(model))


def prepare(gateway: AwsGateway, given: Inputs) -> Prepared:
    """Observe, plan (pure), ask CloudFormation (change sets for every stack step whose parameters
    are known), judge: what deploy, its dry run and ``plan`` all start from. The caller runs or
    discards the change sets made (:func:`.execute.review.discard`)."""
    model = given.model
    remote = observe(gateway, model, given.specs, given.state_uri, api_code=given.api_code)
    plan = plan_deploy(model, given.specs, remote, network=given.network, api_code=given.api_code)
    reviews = review(gateway, plan)
    answers = {name: r.changes for name, r in reviews.items() if r.reviewed}
    return Prepared(given, remote, plan, on_air_verdict(model, remote, plan, answers), reviews)


def _gate(
    gateway: AwsGateway, ready: Prepared, out: Reporter, allowed: bool
) -> Callable[[DeployStack, tuple[ResourceChange, ...]], None]:
    """The on-air guard at a stack's turn, for the stacks CloudFormation could not be asked about
    before the deploy: judged against what is on air now, refused (the change set deleted, nothing
    of that stack changed) unless ``allowed``."""

    def judge(step: DeployStack, changes: tuple[ResourceChange, ...]) -> None:
        now = refresh(gateway, ready.inputs.model, ready.remote)
        found = stack_verdict(ready.inputs.model, now, step, changes)
        if found and not allowed:
            raise OnAirError(
                found,
                f"deploy stopped before updating stack {step.stack}, which CloudFormation could only "
                "be asked about now; nothing of it was changed (what the deploy did before stays; a "
                "later deploy converges)",
            )
        for line in verdict_lines(found, allowed=True) if found else ():
            out.note(f"{step.stack}: {line}")

    return judge


def _network(given: Inputs, remote: RemoteState) -> NetworkOutputs:
    """The network's ids: the Terraform outputs, or the network stacks' as they are now."""
    model = given.model
    if given.network is not None:
        return with_resolved_hop_secret(model, given.network, remote.secrets)
    settled = {name: state.outputs for name, state in remote.stacks.items() if state.stable}
    return with_resolved_hop_secret(model, from_network_stacks(model, settled), remote.secrets)


def _run(gateway: AwsGateway, ready: Prepared, executor: Executor) -> tuple[RemoteState, list[Seen]]:
    """The deploy's phases, each planned from what the one before it left; returns the flows and
    stacks as they are now and what every phase did."""
    given, plan = ready.inputs, ready.plan
    model, remote = given.model, ready.remote
    before = on_air_ingests(model, remote)  # what the post-steps put back
    seen = [executor.run_phase(plan.phase("retire")).seen]
    stack_phase, post = plan.phase("stacks"), plan.phase("post-steps")
    if stack_phase.steps:
        stacks = tuple(s for s in stack_phase.steps if isinstance(s, DeployStack))

        def plan_post(so_far: Seen) -> tuple[tuple[Instruction, ...], RemoteState]:
            now = refresh(gateway, model, remote, *seen, so_far)
            post = plan_poststeps(model, now, _network(given, now), before)
            return after_path_to_ingests(post, stacks), now

        outcome = executor.run_phase(
            stack_phase, FollowUp("post-steps", poststeps_wait_for(stacks), plan_post)
        )
        seen.append(outcome.seen)
        remote = outcome.follow_up or remote
        post = Phase("post-steps", tuple(s for s in outcome.seen.done if s not in stack_phase.steps))
    else:
        if seen[0].done:
            remote = refresh(gateway, model, remote, *seen)
            post = Phase("post-steps", plan_poststeps(model, remote, _network(given, remote), before))
        seen.append(executor.run_phase(post).seen)
    cleanup = plan.phase("clean up")
    if cleanup.steps:
        if post.steps:
            remote = refresh(gateway, model, ready.remote, *seen)
        gone = removed_regions(model, remote.stacks, remote.retired.values())
        remote = with_orphans(gateway, remote, gone)
        seen.append(executor.run_phase(Phase("clean up", plan_cleanup(model, remote, gone))).seen)
    if any(phase.done for phase in seen):
        remote = refresh(gateway, model, ready.remote, *seen)
    return remote, seen


def deploy(
    model: Topology,
    *,
    network: NetworkMode = "terraform",
    network_outputs: NetworkSource | None = None,
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

    Before any change, :func:`.plan.guard.on_air_verdict`: a plan that would take what is on Live
    or Preview off air (or restart a hub flow) raises :class:`.plan.guard.OnAirError` unless
    ``allow_interruption``; ``dry_run`` shows the same verdict."""
    given = deploy_inputs(model, network, network_outputs, files, api_package)
    gw, out = gateway or AwsGateway(session), reporter or NullReporter()
    held = acquire(gw, given.state_uri, "deploy --dry-run" if dry_run else "deploy", what="deploy")
    try:
        return _deploy(gw, given, out, held, dry_run, confirm, max_workers, allow_interruption)
    finally:
        held.release()


def _deploy(
    gw: AwsGateway,
    given: Inputs,
    out: Reporter,
    held: Held,
    dry_run: bool,
    confirm: Confirm | None,
    max_workers: int,
    allow_interruption: bool,
) -> DeployResult:
    model = given.model
    ready = prepare(gw, given)
    plan, verdict = ready.plan, ready.verdict
    result = DeployResult(plan, state_uri=given.state_uri, api_code=given.api_code, interruptions=verdict)
    executed: set[str] = set()
    try:
        for note in (*plan.notes, *(f"asked at its turn: {line}" for line in ready.unreviewed)):
            out.note(note)
        if dry_run:
            DisplayOnlyExecutor(out).execute(plan)
            out.note(f"runtime state: {given.state_uri} (written after the post-steps when it changes)")
            for line in verdict_lines(verdict, allowed=allow_interruption):
                out.note(line)
            return replace(result, dry_run=True)
        if verdict and not allow_interruption:
            raise OnAirError(verdict)
        if not plan.empty:
            out.plan(plan)
            for line in verdict_lines(verdict, allowed=True):
                out.note(line)
            if confirm is not None and not confirm(plan):
                return replace(result, cancelled=True)
        executor = Executor(
            gw,
            out,
            max_workers=max_workers,
            check=held.check,
            gate=_gate(gw, ready, out, allow_interruption),
        )
        remote, seen = _run(gw, replace(ready, plan=with_reviews(plan, ready.reviews)), executor)
        executed = {s.stack for phase in seen for s in phase.done if isinstance(s, DeployStack)}
    finally:
        discard(gw, ready.reviews, keep=frozenset(executed))
    urls = api_urls(gw, given.specs)
    inventory = inventory_of(model, remote.stacks, [*remote.flows.values(), *remote.retired.values()])
    state = replace(
        build_state(model, remote, _network(given, remote)), control_api=urls, inventory=inventory
    )
    text = state.to_json()
    written = text != remote.runtime_state
    if written:
        seen.append(
            executor.run_phase(
                Phase("runtime state", (WriteRuntimeState(uri=given.state_uri, text=text),))
            ).seen
        )
    done = tuple(step for phase in seen for step in phase.done)
    uploaded = any(step.key.startswith("upload:") for step in done)
    return replace(result, executed=done, state=state, state_written=written, api_uploaded=uploaded, api=urls)


def preview(
    model: Topology,
    *,
    network: NetworkMode = "terraform",
    network_outputs: NetworkSource | None = None,
    session: boto3.session.Session | None = None,
    gateway: AwsGateway | None = None,
    files: Mapping[str, str] | None = None,
    api_package: str | Path | ApiPackage | None = None,
) -> PlanPreview:
    """``streamfabric plan``: the deploy plan of ``model`` (the same pipeline as deploy), with
    CloudFormation's answer for each stack it would change and the on-air verdict. Leaves nothing
    behind: every change set (and stack) it creates is deleted."""
    given = deploy_inputs(model, network, network_outputs, files, api_package)
    gw = gateway or AwsGateway(session)
    held = acquire(gw, given.state_uri, "plan")  # it creates change sets, which a deploy deletes
    try:
        ready = prepare(gw, given)
        discard(gw, ready.reviews)
        previews = tuple(r.preview() for r in ready.reviews.values())
        return PlanPreview(ready.plan, previews, ready.verdict)
    finally:
        held.release()


def destroy(
    model: Topology,
    *,
    session: boto3.session.Session | None = None,
    gateway: AwsGateway | None = None,
    dry_run: bool = False,
    reporter: Reporter | None = None,
    files: Mapping[str, str] | None = None,
    network_outputs: NetworkSource | None = None,
    max_workers: int = 8,
    confirm: Confirm | None = None,
) -> DestroyResult:
    """Undo the post-steps, delete every stack of the topology that exists (reverse dependency
    order), then the runtime state. ``files``: rendered files with the complete (CloudFormation
    network) manifest, instead of ``render(model, network="cloudformation")``. With the Terraform
    network's outputs, the network interfaces MediaConnect left in its subnets go too."""
    known = _terraform_outputs(model, network_outputs)  # read first: a bad file is refused before any call
    gw, out = gateway or AwsGateway(session), reporter or NullReporter()
    specs = rendered_stacks(model, "cloudformation", files)
    uri = state_uri(model)
    held = acquire(gw, uri, "destroy --dry-run" if dry_run else "destroy", what="destroy")
    try:
        remote = observe(gw, model, specs, uri, secrets=False, details=False)
        extra: dict[str, set[str]] = {}
        for net in known.regions if known is not None else ():
            extra.setdefault(net.region, set()).add(str(net.subnet_id))
        remote = with_orphans(gw, remote, regions(model, remote.inventory), extra)
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
        executor = Executor(gw, out, max_workers=max_workers, check=held.check)
        return DestroyResult(plan, executor.execute(plan))
    finally:
        held.release()


__all__ = [
    "Inputs",
    "Prepared",
    "deploy",
    "deploy_inputs",
    "destroy",
    "prepare",
    "preview",
    "rendered_stacks",
]

"""The deploy plan (pure): (model, stacks to deploy, observed state) -> :class:`.instructions.Plan`.

Phases, run in this order: ``retire`` (the flows that are leaving, :mod:`.retire`), ``stacks``
(:mod:`.stacks`), ``post-steps`` (:mod:`.flows`: what CloudFormation cannot do), ``clean up``
(orphans, removed regions). The post-steps are planned against the flows as they are now (for flows
still to be created, every post-step, with references for what is not known yet); deploy plans them
again once the stacks they read are done (:func:`poststeps_wait_for`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ...topology.model import Topology
from ..api_code import ApiCode
from ..manifest import StackSpec
from ..network import NetworkOutputs, from_network_stacks, with_resolved_hop_secret
from ..observed import RemoteState
from .flows import plan_poststeps
from .instructions import DeployStack, Instruction, Phase, Plan, SetCallerSource, UploadApiPackage
from .inventory import removed_regions
from .moves import network_moves
from .on_air import on_air_ingests
from .parameters import StackOutputs
from .retire import plan_cleanup, plan_retire
from .stacks import plan_stacks

POSTSTEP_INPUTS = ("network", "flows")  # the subnets, security groups and flows post-steps use
PATH_TO_INGESTS = ("peering", "routes")  # how a hub flow's caller reaches an ingest's listener


def poststeps_wait_for(stack_steps: Sequence[DeployStack]) -> frozenset[str]:
    """The stack instructions the post-steps are planned after: every network and flows stack
    (post-steps read their outputs and the flows they made) and whatever those wait for. The
    others (peering, routes, the control API) go on while the post-steps run."""
    by_key = {step.key: step for step in stack_steps}
    todo = [step.key for step in stack_steps if step.kind in POSTSTEP_INPUTS]
    found: set[str] = set()
    while todo:
        key = todo.pop()
        if key not in found:
            found.add(key)
            todo.extend(a for a in by_key[key].after if a in by_key)
    return frozenset(found)


def after_path_to_ingests(
    post: Sequence[Instruction], stack_steps: Sequence[DeployStack]
) -> tuple[Instruction, ...]:
    """``post`` with a hub flow's caller source (which points across the peering at an ingest)
    after every peering and routes stack instruction: the path to the ingest exists before a hub
    flow is pointed along it. The other post-steps do not cross regions."""
    path = tuple(step.key for step in stack_steps if step.kind in PATH_TO_INGESTS)
    if not path:
        return tuple(post)
    return tuple(
        replace(step, after=(*step.after, *path)) if isinstance(step, SetCallerSource) else step
        for step in post
    )


def network_from_stacks(model: Topology, outputs: Mapping[str, StackOutputs]) -> NetworkOutputs:
    """Network outputs from the network stacks (references for those still to be deployed)."""
    return from_network_stacks(
        model, {name: so.values for name, so in outputs.items() if so.values is not None}
    )


def upload_api_package(
    code: ApiCode | None, remote: RemoteState, stack_steps: Sequence[DeployStack]
) -> tuple[Instruction, ...]:
    """The control API's package uploaded first when it is not at its key yet, the API stack
    after it; the stack steps as they are otherwise."""
    if code is None or remote.api_package_present:
        return tuple(stack_steps)
    upload = UploadApiPackage(
        region=code.region,
        bucket=code.bucket,
        object_key=code.key,
        path=str(code.package.path),
        sha256=code.package.sha256,
        size=code.package.size,
    )
    return (
        upload,
        *(replace(s, after=(*s.after, upload.key)) if s.kind == "api" else s for s in stack_steps),
    )


def plan_deploy(
    model: Topology,
    specs: Sequence[StackSpec],
    remote: RemoteState,
    *,
    network: NetworkOutputs | None,
    api_code: ApiCode | None = None,
) -> Plan:
    before = on_air_ingests(model, remote)
    """Retire (the flows that are leaving, :mod:`.retire`), stacks (and the control API's package,
    when it is not uploaded yet), the post-steps (planned against the flows as they are now: for
    flows still to be created, every post-step, with references for what is not known yet; deploy
    plans them again once the network and flows stacks are done, see :func:`poststeps_wait_for`),
    then the clean-up (orphans, removed regions)."""
    retire = plan_retire(model, remote)
    stack_steps, outputs = plan_stacks(model, specs, remote, network=network)
    net = network if network is not None else network_from_stacks(model, outputs)
    post = plan_poststeps(model, remote, with_resolved_hop_secret(model, net, remote.secrets), before)
    removed = removed_regions(model, remote.stacks, remote.retired.values())
    cleanup = plan_cleanup(model, remote, removed)
    notes = (
        *network_moves(model, stack_steps, remote),
        *(f"not ours, left alone: flow {found}" for found in remote.duplicates),
    )
    return Plan(
        (
            Phase("retire", retire),
            Phase("stacks", upload_api_package(api_code, remote, stack_steps)),
            Phase("post-steps", post),
            Phase("clean up", cleanup),
        ),
        notes,
    )


__all__ = [
    "PATH_TO_INGESTS",
    "POSTSTEP_INPUTS",
    "after_path_to_ingests",
    "network_from_stacks",
    "plan_deploy",
    "poststeps_wait_for",
    "upload_api_package",
]

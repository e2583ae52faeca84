"""The plan: frozen instructions, grouped in phases; tests compare whole plans.

Planning is pure (see :mod:`.planner`, :mod:`.poststeps` and :mod:`.destroy`): (model, observed
state) -> :class:`Plan`. Only :mod:`.executor` acts on one. Each instruction has a ``key`` unique in
its plan and ``after``, the keys (in the same phase) that must be done first; phases run one after
the other. Values the planner cannot know yet are references (:mod:`.values`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .values import Value, show

# -- stacks --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DeployStack:
    """Create or update a stack through a change set (nothing is executed if it has no changes)."""

    stack: str
    region: str
    kind: str
    change_set_type: str  # "CREATE" | "UPDATE"
    template: str  # path of the template in the rendered files
    template_body: str = field(repr=False)
    parameters: tuple[tuple[str, Value], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    capabilities: tuple[str, ...] = ()
    reason: str = ""
    replace: bool = False  # delete the stack first (a failed creation: ROLLBACK_COMPLETE)
    stale_change_sets: tuple[str, ...] = ()  # never-executed change sets of ours to delete first
    # The deployed template (or tags) differ: execute the change set even if it lists no resource
    # change (outputs and resources whose condition is false are not in a change set's Changes),
    # so that the stack converges instead of being planned again by every deploy.
    execute_empty: bool = False
    # A change set created (and judged by the on-air guard) before the deploy: executed as it is.
    change_set: str = field(default="", compare=False)
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"stack:{self.stack}"

    def describe(self) -> str:
        verb = "create" if self.change_set_type == "CREATE" else "update"
        if self.replace:
            verb = "replace"
        return f"{verb} stack {self.stack} ({self.region}) from {self.template}" + (
            f": {self.reason}" if self.reason else ""
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteStack:
    stack: str
    region: str
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"delete-stack:{self.stack}"

    def describe(self) -> str:
        return f"delete stack {self.stack} ({self.region})"


# -- flows (post-steps and their undoing) --------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AddVpcInterface:
    region: str
    flow: str
    flow_arn: Value
    name: str
    subnet_id: Value
    security_group_id: Value
    role_arn: Value
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:add-vpc-interface:{self.name}"

    def describe(self) -> str:
        return (
            f"{self.flow}: add VPC interface {self.name} (subnet {show(self.subnet_id)}, "
            f"security group {show(self.security_group_id)})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveVpcInterface:
    """Remove a VPC interface, then delete the network interfaces MediaConnect leaves behind."""

    region: str
    flow: str
    flow_arn: Value
    name: str
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:remove-vpc-interface:{self.name}"

    def describe(self) -> str:
        return f"{self.flow}: remove VPC interface {self.name} and the network interfaces it leaves"


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachOutput:
    """Move an output onto a VPC interface (its listener then has the interface's private IP)."""

    region: str
    flow: str
    flow_arn: Value
    output: str
    output_arn: Value
    vpc_interface: str
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:attach-output:{self.output}"

    def describe(self) -> str:
        return f"{self.flow}: move output {self.output} onto VPC interface {self.vpc_interface}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DetachOutput:
    region: str
    flow: str
    flow_arn: Value
    output: str
    output_arn: Value
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:detach-output:{self.output}"

    def describe(self) -> str:
        return f"{self.flow}: detach output {self.output} from its VPC interface"


@dataclass(frozen=True, slots=True, kw_only=True)
class SetCallerSource:
    """Make a hub flow's source an SRT caller on its VPC interface, pointed at an ingest's listener."""

    region: str
    flow: str
    flow_arn: Value
    source_arn: Value
    vpc_interface: str
    ingest: str
    address: Value
    port: int
    min_latency_ms: int
    secret_arn: Value
    role_arn: Value
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:caller-source"

    def describe(self) -> str:
        return (
            f"{self.flow}: source = SRT caller on {self.vpc_interface} to {self.ingest} "
            f"({show(self.address)}:{self.port})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreStandbySource:
    """Put a hub flow's source back to the template's temporary ``standby`` listener (off the VPC)."""

    region: str
    flow: str
    flow_arn: Value
    source_arn: Value
    port: int
    whitelist_cidr: str
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:standby-source"

    def describe(self) -> str:
        return f"{self.flow}: source back to the standby SRT listener on port {self.port}"


@dataclass(frozen=True, slots=True, kw_only=True)
class StartFlow:
    region: str
    flow: str
    flow_arn: Value
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:start"

    def describe(self) -> str:
        return f"{self.flow}: start"


@dataclass(frozen=True, slots=True, kw_only=True)
class StopFlow:
    region: str
    flow: str
    flow_arn: Value
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:stop"

    def describe(self) -> str:
        return f"{self.flow}: stop"


@dataclass(frozen=True, slots=True, kw_only=True)
class AwaitFlow:
    """Wait for a flow in a transient state (STARTING, STOPPING, UPDATING) to settle. Not a change."""

    region: str
    flow: str
    flow_arn: Value
    waiter: str  # flow_active | flow_standby | flow_settled (ACTIVE or STANDBY)
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.flow}:await:{self.waiter}"

    def describe(self) -> str:
        target = {"flow_active": "ACTIVE", "flow_standby": "STANDBY"}.get(self.waiter, "ACTIVE or STANDBY")
        return f"{self.flow}: wait until {target}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteFlow:
    """A (stopped) flow of ours that no stack holds any more (orphaned by an earlier failure)."""

    region: str
    flow: str
    flow_arn: str
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"delete-flow:{self.flow_arn}"

    def describe(self) -> str:
        return f"delete flow {self.flow} ({self.region}, in no stack: {self.flow_arn})"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteNetworkInterface:
    """A network interface MediaConnect left behind (NonDeletedNetworkInterfaceIds, or a crash)."""

    region: str
    network_interface_id: str
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"eni:{self.region}:{self.network_interface_id}"

    def describe(self) -> str:
        return f"delete network interface {self.network_interface_id} ({self.region})"


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadApiPackage:
    """Put the control API's Lambda package at its content-addressed key (before the API stack)."""

    region: str
    bucket: str
    object_key: str
    path: str = field(compare=False)  # the local zip (its bytes are what ``sha256`` names)
    sha256: str
    size: int
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"upload:s3://{self.bucket}/{self.object_key}"

    def describe(self) -> str:
        return (
            f"upload the control API's package ({self.size:,} bytes) to s3://{self.bucket}/{self.object_key}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteRuntimeState:
    """Write the runtime state document (planned after the post-steps, from the flows as they are)."""

    uri: str
    text: str = field(repr=False)
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"write-runtime-state:{self.uri}"

    def describe(self) -> str:
        return f"write the runtime state to {self.uri}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteRuntimeState:
    uri: str
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"runtime-state:{self.uri}"

    def describe(self) -> str:
        return f"delete the runtime state {self.uri}"


Instruction = (
    DeployStack
    | DeleteStack
    | AddVpcInterface
    | RemoveVpcInterface
    | AttachOutput
    | DetachOutput
    | SetCallerSource
    | RestoreStandbySource
    | StartFlow
    | StopFlow
    | AwaitFlow
    | DeleteFlow
    | DeleteNetworkInterface
    | DeleteRuntimeState
    | UploadApiPackage
    | WriteRuntimeState
)
FlowInstruction = (
    AddVpcInterface
    | RemoveVpcInterface
    | AttachOutput
    | DetachOutput
    | SetCallerSource
    | RestoreStandbySource
    | StartFlow
    | StopFlow
    | AwaitFlow
)
NOT_CHANGES = (AwaitFlow,)


@dataclass(frozen=True, slots=True)
class Phase:
    """Instructions that may run in parallel as their ``after`` allows; phases run in order."""

    name: str
    steps: tuple[Instruction, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.steps)


@dataclass(frozen=True, slots=True)
class Plan:
    phases: tuple[Phase, ...] = ()
    notes: tuple[str, ...] = ()  # what the plan cannot show as instructions (e.g. the runtime state)

    @property
    def steps(self) -> tuple[Instruction, ...]:
        return tuple(step for phase in self.phases for step in phase.steps)

    @property
    def changes(self) -> tuple[Instruction, ...]:
        return tuple(step for step in self.steps if not isinstance(step, NOT_CHANGES))

    @property
    def empty(self) -> bool:
        return not self.changes

    def phase(self, name: str) -> Phase:
        for phase in self.phases:
            if phase.name == name:
                return phase
        return Phase(name)

    def __iter__(self) -> Iterator[Instruction]:
        return iter(self.steps)

    def lines(self) -> list[str]:
        """The plan as text: one line per instruction under its phase."""
        out: list[str] = []
        for phase in self.phases:
            if not phase.steps:
                continue
            out.append(f"{phase.name}:")
            out.extend(f"  {step.describe()}" for step in phase.steps)
        out.extend(self.notes)
        if not self.changes:
            out.insert(0, "nothing to change")
        return out


__all__ = [
    "AddVpcInterface",
    "AttachOutput",
    "AwaitFlow",
    "DeleteFlow",
    "DeleteNetworkInterface",
    "DeleteRuntimeState",
    "DeleteStack",
    "DeployStack",
    "DetachOutput",
    "FlowInstruction",
    "Instruction",
    "Phase",
    "Plan",
    "RemoveVpcInterface",
    "RestoreStandbySource",
    "SetCallerSource",
    "StartFlow",
    "StopFlow",
    "UploadApiPackage",
    "WriteRuntimeState",
]

"""The only code that changes anything: it runs a plan's instructions through the AWS gateway.

Phases run in order; inside a phase an instruction starts as soon as the instructions in its
``after`` are done, so independent stacks (other regions) and independent flows run in parallel.
On a failure nothing new starts, the running instructions finish, and the error is raised (a
stack's failure carries its events). What a phase did comes back as its :class:`PhaseOutcome`
(the instructions done, the stacks as their waiters last saw them); nobody reads the executor's
own state. :class:`.display.DisplayOnlyExecutor` shows the same plan instead (``--dry-run``).
"""

from __future__ import annotations

import base64
import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, assert_never

from ...aws.gateway import AwsGateway
from ...aws.waiters import source_expectation, wait
from ...errors import AwsError, DeployError, NotFoundError, StreamfabricError
from ...state.store import delete_state, write_state
from ..observed import StackState, stack_outputs, stack_state
from ..plan.instructions import (
    AddVpcInterface,
    AttachOutput,
    AwaitFlow,
    DeleteFlow,
    DeleteNetworkInterface,
    DeleteRuntimeState,
    DeleteStack,
    DeployStack,
    DetachOutput,
    Instruction,
    Phase,
    Plan,
    RemoveVpcInterface,
    RestoreStandbySource,
    SetCallerSource,
    StartFlow,
    StopFlow,
    UploadApiPackage,
    WriteRuntimeState,
)
from ..progress import NullReporter, Reporter
from ..reads import describe_stack
from . import stacks
from .requests import FlowRequestInstruction, request
from .resolver import Resolver

FLOW_DELAY, FLOW_ATTEMPTS = 3.0, 200
COMPLETE = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
T = TypeVar("T")


@dataclass(frozen=True)
class Seen:
    """What a phase has done so far: its instructions done, the stacks it created or updated as
    their waiters last saw them complete, the stacks it deleted."""

    done: tuple[Instruction, ...] = ()
    stacks: Mapping[str, StackState] = field(default_factory=dict)
    deleted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PhaseOutcome(Generic[T]):
    seen: Seen
    follow_up: T | None = None  # what the follow-up's planning returned besides its instructions


@dataclass(frozen=True)
class FollowUp(Generic[T]):
    """Instructions a running phase cannot know at its start: once every instruction in ``after``
    is done, ``plan`` (read calls only) runs on a worker thread with what the phase has seen so far
    and returns them, and a value that comes back as :attr:`PhaseOutcome.follow_up`; they join the
    phase (their ``after`` may name any of its instructions) while its other instructions go on.
    A deploy plans its post-steps so, once the stacks its flows need are done, while the stacks
    nothing waits for (peering, routes, the control API) still run."""

    name: str
    after: frozenset[str]
    plan: Callable[[Seen], tuple[Sequence[Instruction], T]]


@dataclass(frozen=True, slots=True)
class Applied:
    """What running one instruction did: its outcome as reported, and a stack's change."""

    outcome: str
    stack: StackState | None = None  # a stack created or updated, as last described
    deleted: str = ""  # a stack deleted


def _checked(phase: str, steps: Sequence[Instruction], keys: set[str], what: str = "") -> list[Instruction]:
    """``steps``, once their keys are unique (also against ``keys``, which then holds them too) and
    every ``after`` names one of ``keys``; ValueError otherwise."""
    new = {step.key for step in steps}
    if len(new) != len(steps) or new & keys:
        raise ValueError(f"phase {phase}: {what}instruction keys are not unique")
    keys |= new
    for step in steps:
        unknown = [a for a in step.after if a not in keys]
        if unknown:
            raise ValueError(f"{step.key}: unknown dependencies {unknown}")
    return list(steps)


class _Progress:
    """Live stack status from the waiters' DescribeStacks polls, for one phase: an after-call
    handler per region's CloudFormation client, registered when a stack there starts and removed
    when the phase ends (botocore's hooks pair ``register`` with ``unregister``)."""

    def __init__(self, gateway: AwsGateway, reporter: Reporter) -> None:
        self.gateway, self.reporter = gateway, reporter
        self._running: dict[str, DeployStack | DeleteStack] = {}
        self._described: dict[str, dict[str, Any]] = {}  # running stack -> its latest DescribeStacks
        self._hooked: set[str] = set()
        self._lock = threading.Lock()
        self._id = f"streamfabric-progress-{id(self)}"

    def watch(self, step: DeployStack | DeleteStack) -> None:
        with self._lock:
            self._running[step.stack] = step
            if step.region in self._hooked:
                return
            self._hooked.add(step.region)
        events = self.gateway.client("cloudformation", step.region).meta.events
        events.register("after-call.cloudformation.DescribeStacks", self._on_describe, unique_id=self._id)

    def unwatch(self, step: DeployStack | DeleteStack) -> dict[str, Any] | None:
        """Stop watching ``step``'s stack; its latest description seen while it ran, if any."""
        with self._lock:
            self._running.pop(step.stack, None)
            return self._described.pop(step.stack, None)

    def close(self) -> None:
        with self._lock:
            regions, self._hooked = sorted(self._hooked), set()
        for region in regions:
            events = self.gateway.client("cloudformation", region).meta.events
            events.unregister("after-call.cloudformation.DescribeStacks", unique_id=self._id)

    def _on_describe(self, parsed: dict[str, Any] | None = None, **_: Any) -> None:
        for described in (parsed or {}).get("Stacks") or ():
            name = str(described.get("StackName"))
            with self._lock:
                step = self._running.get(name)
                if step is not None:
                    self._described[name] = described
            if step is not None and described.get("StackStatus"):
                self.reporter.status(step, str(described["StackStatus"]))


class Executor:
    """Runs plans. ``max_workers=1`` runs one instruction at a time, in plan order. ``check`` runs
    before every instruction starts (a deploy's lease: a lost lease stops the phase there);
    ``gate`` judges the change set of a stack step made at its turn, before it is executed."""

    def __init__(
        self,
        gateway: AwsGateway,
        reporter: Reporter | None = None,
        *,
        max_workers: int = 8,
        check: Callable[[], None] | None = None,
        gate: stacks.Gate | None = None,
    ) -> None:
        self.gateway = gateway
        self.reporter: Reporter = reporter or NullReporter()
        self.max_workers = max(1, max_workers)
        self.resolve = Resolver(gateway)
        self.check = check
        self.gate = gate

    # -- scheduling ------------------------------------------------------------------------------

    def execute(self, plan: Plan) -> tuple[Instruction, ...]:
        """Every phase of ``plan`` in order; the instructions done."""
        return tuple(step for phase in plan.phases for step in self.run_phase(phase).seen.done)

    def run_phase(self, phase: Phase, follow_up: FollowUp[T] | None = None) -> PhaseOutcome[T]:
        """Run ``phase``; with ``follow_up``, more instructions join it once ``follow_up.after`` are
        done (see :class:`FollowUp`), while the others go on."""
        if not phase.steps:
            return PhaseOutcome(Seen())
        keys: set[str] = set()
        _checked(phase.name, phase.steps, keys)
        if follow_up is not None and not follow_up.after <= keys:
            raise ValueError(f"{follow_up.name}: unknown dependencies {sorted(follow_up.after - keys)}")
        self.reporter.phase(phase)
        progress = _Progress(self.gateway, self.reporter)
        try:
            return self._schedule(phase, follow_up, keys, progress)
        finally:
            progress.close()

    def _schedule(
        self, phase: Phase, follow_up: FollowUp[T] | None, keys: set[str], progress: _Progress
    ) -> PhaseOutcome[T]:
        pending = list(phase.steps)
        done: list[Instruction] = []
        seen_stacks: dict[str, StackState] = {}
        deleted: set[str] = set()
        errors: list[BaseException] = []
        running: dict[Future[Any], Instruction | None] = {}  # None: the follow-up's planning
        waiting, planned = follow_up, None

        def seen() -> Seen:
            return Seen(tuple(done), dict(seen_stacks), frozenset(deleted))

        with ThreadPoolExecutor(max_workers=self.max_workers + 1, thread_name_prefix="deploy") as pool:
            while True:
                if not errors:
                    if waiting is not None and waiting.after <= {s.key for s in done}:
                        running[pool.submit(waiting.plan, seen())] = None
                        waiting = None
                    finished = {s.key for s in done}
                    for step in [s for s in pending if all(a in finished for a in s.after)]:
                        if sum(1 for r in running.values() if r is not None) >= self.max_workers:
                            break
                        pending.remove(step)
                        running[pool.submit(self._run, step, progress)] = step
                if not running:
                    break
                completed, _ = wait_futures(running, return_when=FIRST_COMPLETED)
                for future in completed:
                    ran = running.pop(future)
                    exc = future.exception()
                    if exc is not None:
                        errors.append(exc)
                    elif ran is None:  # the follow-up's planning
                        assert follow_up is not None
                        steps, planned = future.result()
                        try:
                            joined = _checked(phase.name, steps, keys, "follow-up ")
                        except ValueError as invalid:
                            errors.append(invalid)
                        else:
                            pending.extend(joined)
                            if joined:
                                self.reporter.note(
                                    f"{follow_up.name}: {len(joined)} instruction(s) planned, "
                                    "joining the running phase"
                                )
                    else:
                        applied: Applied = future.result()
                        done.append(ran)
                        if applied.stack is not None:
                            seen_stacks[applied.stack.name] = applied.stack
                        if applied.deleted:
                            seen_stacks.pop(applied.deleted, None)
                            deleted.add(applied.deleted)
        if errors:
            _raise(errors)
        if pending:  # pragma: no cover - a dependency cycle the planner would have to create
            raise DeployError(f"phase {phase.name}: could not order {[s.key for s in pending]}")
        return PhaseOutcome(seen(), planned)

    def _run(self, step: Instruction, progress: _Progress) -> Applied:
        if self.check is not None:
            self.check()
        try:
            applied = self._apply(step, progress)
        except stacks.StackFailed as exc:
            self.reporter.failed(step, str(exc), exc.events)
            raise
        except Exception as exc:
            self.reporter.failed(step, str(exc))
            raise
        self.reporter.done(step, applied.outcome)
        return applied

    # -- instructions ----------------------------------------------------------------------------

    def _status(self, step: Instruction) -> Callable[[str], None]:
        return lambda text: self.reporter.status(step, text)

    def _apply(self, step: Instruction, progress: _Progress) -> Applied:
        match step:
            case DeployStack():
                return self._deploy_stack(step, progress)
            case DeleteStack():
                progress.watch(step)
                try:
                    stacks.delete_stack(self.gateway, step.region, step.stack, self._status(step))
                finally:
                    progress.unwatch(step)
                    self.resolve.forget_stack(step.stack)
                return Applied("deleted", deleted=step.stack)
            case DeleteFlow():
                with contextlib.suppress(NotFoundError):
                    self.gateway.call("mediaconnect", step.region, "delete_flow", FlowArn=step.flow_arn)
                return Applied("deleted")
            case DeleteNetworkInterface():
                self._delete_eni(step.region, step.network_interface_id)
                return Applied("deleted")
            case DeleteRuntimeState():
                delete_state(self.gateway, step.uri)
                return Applied("deleted")
            case WriteRuntimeState():
                write_state(self.gateway, step.uri, step.text)
                return Applied("written")
            case UploadApiPackage():
                self._upload(step)
                return Applied("uploaded")
            case AwaitFlow():
                self._wait_flow(step.region, self.resolve(step.flow_arn), step.waiter)
                return Applied("settled")
            case (
                AddVpcInterface()
                | RemoveVpcInterface()
                | AttachOutput()
                | DetachOutput()
                | SetCallerSource()
                | RestoreStandbySource()
                | StartFlow()
                | StopFlow()
            ):
                return Applied(self._flow_step(step))
            case _:
                assert_never(step)

    def _deploy_stack(self, step: DeployStack, progress: _Progress) -> Applied:
        parameters = [(key, self.resolve(value)) for key, value in step.parameters]
        progress.watch(step)
        try:
            outcome = stacks.deploy_stack(self.gateway, step, parameters, self._status(step), gate=self.gate)
        finally:
            last = progress.unwatch(step)
            self.resolve.forget_stack(step.stack)
        if outcome == "unchanged":
            return Applied(outcome)
        # The waiter's last DescribeStacks showed the stack complete: its outputs are those the
        # stacks after it need (no second DescribeStacks before each of them starts). Not seen
        # complete (a waiter that saw no description): ask.
        if last is None or last.get("StackStatus") not in COMPLETE:
            last = describe_stack(self.gateway, step.region, step.stack)
        if last is None:
            return Applied(outcome)
        self.resolve.remember_stack(step.stack, stack_outputs(last))
        return Applied(outcome, stack=stack_state(step.region, step.stack, last))

    def _flow_step(self, step: FlowRequestInstruction) -> str:
        self.reporter.status(step, "requesting")
        call = request(step, self.resolve)
        response = self.gateway.call(call.service, call.region, call.operation, **call.params)
        if isinstance(step, RemoveVpcInterface):
            for eni in response.get("NonDeletedNetworkInterfaceIds") or ():
                self._delete_eni(step.region, str(eni))
        waiter = (
            "flow_active"
            if isinstance(step, StartFlow)
            else ("flow_standby" if isinstance(step, StopFlow) else "flow_settled")
        )
        self.reporter.status(step, "waiting for the flow")
        expect = source_expectation(call.params) if call.operation == "update_flow_source" else None
        self._wait_flow(step.region, str(call.params["FlowArn"]), waiter, expect)
        return "done"

    def _wait_flow(self, region: str, arn: str, waiter: str, expect: dict[str, Any] | None = None) -> None:
        wait(
            self.gateway,
            "mediaconnect",
            region,
            waiter,
            expect_source=expect,
            FlowArn=arn,
            delay=FLOW_DELAY,
            max_attempts=FLOW_ATTEMPTS,
        )

    def _delete_eni(self, region: str, eni: str) -> None:
        try:
            self.gateway.call("ec2", region, "delete_network_interface", NetworkInterfaceId=eni)
        except AwsError as exc:
            if exc.code != "InvalidNetworkInterfaceID.NotFound":
                raise

    def _upload(self, step: UploadApiPackage) -> None:
        """PutObject with the package's SHA-256 checked by S3 (S3 API Reference, PutObject,
        ``ChecksumSHA256``: S3 rejects the upload if the bytes it got differ)."""
        digest = base64.b64encode(bytes.fromhex(step.sha256)).decode("ascii")
        self.gateway.call(
            "s3",
            step.region,
            "put_object",
            Bucket=step.bucket,
            Key=step.object_key,
            Body=Path(step.path).read_bytes(),
            ContentType="application/zip",
            ChecksumSHA256=digest,
        )


def _raise(errors: Sequence[BaseException]) -> None:
    if len(errors) == 1 or not all(isinstance(e, StreamfabricError) for e in errors):
        raise next((e for e in errors if not isinstance(e, StreamfabricError)), errors[0])
    raise DeployError("\n".join(str(exc) for exc in errors)) from errors[0]


__all__ = ["Applied", "Executor", "FollowUp", "PhaseOutcome", "Seen"]

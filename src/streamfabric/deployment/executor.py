"""The only code that changes anything: it runs a plan's instructions through the AWS gateway.

Phases run in order; inside a phase an instruction starts as soon as the instructions in its
``after`` are done, so independent stacks (other regions) and independent flows run in parallel.
On a failure nothing new starts, the running instructions finish, and the error is raised (a
stack's failure carries its events). :class:`DisplayOnlyExecutor` shows the same plan instead
(``--dry-run``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from typing import Any

from ..aws.gateway import AwsGateway
from ..aws.waiters import source_expectation, wait
from ..errors import AwsError, DeployError, NotFoundError, StreamfabricError
from . import poststeps, stacks, state
from .plan import (
    FLOW_INSTRUCTIONS,
    AwaitFlow,
    DeleteFlow,
    DeleteNetworkInterface,
    DeleteRuntimeState,
    DeleteStack,
    DeployStack,
    FlowInstruction,
    Instruction,
    Phase,
    Plan,
    RemoveVpcInterface,
    StartFlow,
    StopFlow,
)
from .progress import NullReporter, Reporter
from .remote import (
    StackState,
    describe_flow,
    describe_stack,
    find_flows,
    network_interface_addresses,
    stack_outputs,
    stack_state,
)
from .values import FlowArn, FlowOutputArn, FlowSourceArn, InterfaceAddress, StackOutput, Value

FLOW_DELAY, FLOW_ATTEMPTS = 3.0, 200
COMPLETE = ("CREATE_COMPLETE", "UPDATE_COMPLETE")


class Resolver:
    """Turns references into values with read calls, when an instruction needs them."""

    def __init__(self, gateway: AwsGateway) -> None:
        self.gateway = gateway
        self._outputs: dict[str, dict[str, str]] = {}
        self._flows: dict[str, str] = {}
        self._lock = threading.Lock()

    def remember_flow(self, name: str, arn: str) -> None:
        """The ARN of flow ``name``, as an instruction on it named it (references to it use it)."""
        with self._lock:
            self._flows[name] = arn

    def forget_stack(self, stack: str) -> None:
        with self._lock:
            self._outputs.pop(stack, None)

    def remember_stack(self, stack: str, outputs: dict[str, str]) -> None:
        """The outputs of ``stack`` as the description that showed it complete gave them."""
        with self._lock:
            self._outputs[stack] = dict(outputs)

    def __call__(self, value: Value) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, StackOutput):
            return self._stack_output(value)
        if isinstance(value, FlowArn):
            if value.stack:  # the ARN its flows stack gives (never looked up by name)
                arn = self._stack_output(StackOutput(value.stack, value.region, value.key))
                with self._lock:
                    self._flows[value.flow] = arn
                return arn
            return self._flow_arn(value.region, value.flow)
        flow = describe_flow(self.gateway, value.region, self._flow_arn(value.region, value.flow))
        if flow is None:
            raise DeployError(f"flow {value.flow} ({value.region}) does not exist")
        if isinstance(value, FlowSourceArn):
            if flow.source is None:
                raise DeployError(f"flow {value.flow} has no source")
            return flow.source.arn
        if isinstance(value, FlowOutputArn):
            out = flow.output(value.output)
            if out is None:
                raise DeployError(f"flow {value.flow} has no output {value.output}")
            return out.arn
        if isinstance(value, InterfaceAddress):
            vpc = flow.vpc_interface(value.vpc_interface)
            ids = vpc.network_interface_ids if vpc else ()
            address = (
                network_interface_addresses(self.gateway, value.region, ids[:1]).get(ids[0]) if ids else None
            )
            if not address:
                raise DeployError(f"flow {value.flow}: VPC interface {value.vpc_interface} has no private IP")
            return address
        raise TypeError(f"cannot resolve {value!r}")

    def _stack_output(self, ref: StackOutput) -> str:
        with self._lock:
            known = self._outputs.get(ref.stack)
        if known is None:
            described = describe_stack(self.gateway, ref.region, ref.stack)
            if described is None:
                raise DeployError(f"stack {ref.stack} ({ref.region}) does not exist")
            known = stack_outputs(described)
            with self._lock:
                self._outputs[ref.stack] = known
        if ref.key not in known:
            raise DeployError(f"stack {ref.stack} has no output {ref.key}")
        return known[ref.key]

    def _flow_arn(self, region: str, name: str) -> str:
        with self._lock:
            arn = self._flows.get(name)
        if arn is None:
            arn = find_flows(self.gateway, region, [name]).get(name)
            if arn is None:
                raise DeployError(f"flow {name} ({region}) does not exist")
            with self._lock:
                self._flows[name] = arn
        return arn


@dataclass(frozen=True)
class FollowUp:
    """Instructions a running phase cannot know at its start: once every instruction in ``after``
    is done, ``plan`` (read calls only) runs on a worker thread and returns them; they join the
    phase (their ``after`` may name any of its instructions) while its other instructions go on.
    A deploy plans its post-steps so, once the stacks its flows need are done, while the stacks
    nothing waits for (peering, routes, the control API) still run."""

    name: str
    after: frozenset[str]
    plan: Callable[[], Sequence[Instruction]]


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


class Executor:
    """Runs plans. ``max_workers=1`` runs one instruction at a time, in plan order."""

    def __init__(
        self, gateway: AwsGateway, reporter: Reporter | None = None, *, max_workers: int = 8
    ) -> None:
        self.gateway = gateway
        self.reporter: Reporter = reporter or NullReporter()
        self.max_workers = max(1, max_workers)
        self.resolve = Resolver(gateway)
        self.done: list[Instruction] = []
        self._running_stacks: dict[str, DeployStack | DeleteStack] = {}
        self._described: dict[str, dict[str, Any]] = {}  # running stack -> its latest DescribeStacks
        self.stacks_now: dict[str, StackState] = {}  # created or updated: as its waiter last saw it
        self.stacks_deleted: set[str] = set()
        self._hooked: set[str] = set()
        self._lock = threading.Lock()

    # -- scheduling ------------------------------------------------------------------------------

    def execute(self, plan: Plan) -> tuple[Instruction, ...]:
        before = len(self.done)
        for phase in plan.phases:
            self.run_phase(phase)
        return tuple(self.done[before:])

    def run_phase(self, phase: Phase, follow_up: FollowUp | None = None) -> None:
        """Run ``phase``; with ``follow_up``, more instructions join it once ``follow_up.after`` are
        done (see :class:`FollowUp`), while the others go on."""
        if not phase.steps:
            return
        keys: set[str] = set()
        _checked(phase.name, phase.steps, keys)
        if follow_up is not None and not follow_up.after <= keys:
            raise ValueError(f"{follow_up.name}: unknown dependencies {sorted(follow_up.after - keys)}")
        self.reporter.phase(phase)
        pending = list(phase.steps)
        finished: set[str] = set()
        errors: list[BaseException] = []
        running: dict[Future[Any], Instruction | None] = {}  # None: the follow-up's planning
        waiting = follow_up
        with ThreadPoolExecutor(max_workers=self.max_workers + 1, thread_name_prefix="deploy") as pool:
            while True:
                if not errors:
                    if waiting is not None and waiting.after <= finished:
                        running[pool.submit(waiting.plan)] = None
                        waiting = None
                    for step in [s for s in pending if all(a in finished for a in s.after)]:
                        if sum(1 for r in running.values() if r is not None) >= self.max_workers:
                            break
                        pending.remove(step)
                        running[pool.submit(self._run, step)] = step
                if not running:
                    break
                completed, _ = wait_futures(running, return_when=FIRST_COMPLETED)
                for future in completed:
                    done = running.pop(future)
                    exc = future.exception()
                    if exc is not None:
                        errors.append(exc)
                    elif done is None:  # the follow-up's planning
                        assert follow_up is not None
                        try:
                            joined = _checked(phase.name, future.result(), keys, "follow-up ")
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
                        finished.add(done.key)
                        with self._lock:
                            self.done.append(done)
        if errors:
            self._raise(errors)
        if pending:  # pragma: no cover - a dependency cycle the planner would have to create
            raise DeployError(f"phase {phase.name}: could not order {[s.key for s in pending]}")

    def _raise(self, errors: Sequence[BaseException]) -> None:
        if len(errors) == 1 or not all(isinstance(e, StreamfabricError) for e in errors):
            raise next((e for e in errors if not isinstance(e, StreamfabricError)), errors[0])
        raise DeployError("\n".join(str(exc) for exc in errors)) from errors[0]

    def _run(self, step: Instruction) -> None:
        try:
            outcome = self._apply(step)
        except stacks.StackFailed as exc:
            self.reporter.failed(step, str(exc), exc.events)
            raise
        except Exception as exc:
            self.reporter.failed(step, str(exc))
            raise
        self.reporter.done(step, outcome)

    # -- instructions ----------------------------------------------------------------------------

    def _status(self, step: Instruction) -> Callable[[str], None]:
        return lambda text: self.reporter.status(step, text)

    def _apply(self, step: Instruction) -> str:
        if isinstance(step, DeployStack):
            return self._deploy_stack(step)
        if isinstance(step, DeleteStack):
            self._watch(step)
            try:
                stacks.delete_stack(self.gateway, step.region, step.stack, self._status(step))
            finally:
                self._unwatch(step)
            with self._lock:
                self.stacks_now.pop(step.stack, None)
                self.stacks_deleted.add(step.stack)
            return "deleted"
        if isinstance(step, DeleteFlow):
            with contextlib.suppress(NotFoundError):
                self.gateway.call("mediaconnect", step.region, "delete_flow", FlowArn=step.flow_arn)
            return "deleted"
        if isinstance(step, DeleteNetworkInterface):
            self._delete_eni(step.region, step.network_interface_id)
            return "deleted"
        if isinstance(step, DeleteRuntimeState):
            state.delete_state(self.gateway, step.uri)
            return "deleted"
        if isinstance(step, FLOW_INSTRUCTIONS):
            return self._flow_step(step)
        raise TypeError(f"no executor for {type(step).__name__}")  # pragma: no cover

    def _deploy_stack(self, step: DeployStack) -> str:
        parameters = [(key, self.resolve(value)) for key, value in step.parameters]
        self._watch(step)
        try:
            outcome = stacks.deploy_stack(self.gateway, step, parameters, self._status(step))
        finally:
            last = self._unwatch(step)
            self.resolve.forget_stack(step.stack)
        if outcome == "unchanged":
            return outcome
        # The waiter's last DescribeStacks showed the stack complete: its outputs are those the
        # stacks after it need (no second DescribeStacks before each of them starts). Not seen
        # complete (a waiter that saw no description): ask.
        if last is None or last.get("StackStatus") not in COMPLETE:
            last = describe_stack(self.gateway, step.region, step.stack)
        if last is not None:
            self.resolve.remember_stack(step.stack, stack_outputs(last))
            with self._lock:
                self.stacks_now[step.stack] = stack_state(step.region, step.stack, last)
        return outcome

    def _flow_step(self, step: FlowInstruction) -> str:
        arn, region = self.resolve(step.flow_arn), step.region
        self.resolve.remember_flow(step.flow, arn)
        if isinstance(step, AwaitFlow):
            self._wait_flow(region, arn, step.waiter)
            return "settled"
        self.reporter.status(step, "requesting")
        call = poststeps.request(step, self.resolve)
        response = self.gateway.call(call.service, call.region, call.operation, **call.params)
        if isinstance(step, RemoveVpcInterface):
            for eni in response.get("NonDeletedNetworkInterfaceIds") or ():
                self._delete_eni(region, str(eni))
        waiter = (
            "flow_active"
            if isinstance(step, StartFlow)
            else ("flow_standby" if isinstance(step, StopFlow) else "flow_settled")
        )
        self.reporter.status(step, "waiting for the flow")
        expect = source_expectation(call.params) if call.operation == "update_flow_source" else None
        self._wait_flow(region, arn, waiter, expect)
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

    # -- live stack status from the waiters' DescribeStacks polls -------------------------------

    def _watch(self, step: DeployStack | DeleteStack) -> None:
        with self._lock:
            self._running_stacks[step.stack] = step
            if step.region in self._hooked:
                return
            self._hooked.add(step.region)
        events = self.gateway.client("cloudformation", step.region).meta.events
        events.register(
            "after-call.cloudformation.DescribeStacks",
            self._on_describe_stacks,
            unique_id=f"streamfabric-progress-{id(self)}",
        )

    def _unwatch(self, step: DeployStack | DeleteStack) -> dict[str, Any] | None:
        """Stop watching ``step``'s stack; its latest description seen while it ran, if any."""
        with self._lock:
            self._running_stacks.pop(step.stack, None)
            return self._described.pop(step.stack, None)

    def _on_describe_stacks(self, parsed: dict[str, Any] | None = None, **_: Any) -> None:
        for described in (parsed or {}).get("Stacks") or ():
            name = str(described.get("StackName"))
            with self._lock:
                step = self._running_stacks.get(name)
                if step is not None:
                    self._described[name] = described
            if step is not None and described.get("StackStatus"):
                self.reporter.status(step, str(described["StackStatus"]))


class DisplayOnlyExecutor:
    """``--dry-run``: shows the plan, calls nothing."""

    def __init__(self, reporter: Reporter | None = None) -> None:
        self.reporter: Reporter = reporter or NullReporter()

    def execute(self, plan: Plan) -> tuple[Instruction, ...]:
        self.reporter.plan(plan, dry_run=True)
        return ()


__all__ = ["DisplayOnlyExecutor", "Executor", "FollowUp", "Resolver"]

"""The executor's follow-up (instructions planned once some of a running phase are done, joining it
while the others go on) and how a deploy uses it: post-steps after the network and flows stacks,
a hub flow's caller source after every peering and routes stack."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest

from streamfabric.aws.gateway import AwsGateway
from streamfabric.deployment.execute.executor import Applied, Executor, FollowUp, Seen
from streamfabric.deployment.observed import RemoteState
from streamfabric.deployment.pipeline import rendered_stacks
from streamfabric.deployment.plan.deploy import after_path_to_ingests, plan_deploy, poststeps_wait_for
from streamfabric.deployment.plan.instructions import (
    DeployStack,
    Instruction,
    Phase,
    SetCallerSource,
    StartFlow,
)
from streamfabric.errors import DeployError
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

from . import samples
from .conftest import EXAMPLES

WAIT = 10.0  # seconds a test step waits for another before failing (never reached when it works)


def step(name: str, *after: str) -> StartFlow:
    return StartFlow(
        region="eu-west-1", flow=name, flow_arn=f"arn:{name}", after=tuple(f"{a}:start" for a in after)
    )


class Recording(Executor):
    """Runs no AWS call: each instruction notes its start and end; ``block`` holds one until an
    event is set."""

    def __init__(self, block: dict[str, threading.Event] | None = None) -> None:
        super().__init__(AwsGateway.__new__(AwsGateway), max_workers=8)
        self.events: list[str] = []
        self.block = block or {}
        self._events_lock = threading.Lock()

    def note(self, text: str) -> None:
        with self._events_lock:
            self.events.append(text)

    def _apply(self, step: Instruction, progress: Any) -> Applied:
        self.note(f"start {step.key}")
        gate = self.block.get(step.key)
        if gate is not None and not gate.wait(WAIT):
            raise AssertionError(f"{step.key} waited {WAIT}s: what should release it never ran")
        self.note(f"end {step.key}")
        return Applied("done")


def test_follow_up_joins_while_the_instructions_it_does_not_wait_for_run() -> None:
    released = threading.Event()
    executor = Recording(block={"routes:start": released})
    planned: list[str] = []

    def plan(seen: Seen) -> tuple[Sequence[Instruction], list[str]]:
        planned.append("planned")
        executor.note("planned")
        # post depends on flows (done); source on routes, which only ends once post has run
        return (step("post", "flows"), step("source", "post", "routes")), [s.key for s in seen.done]

    original = executor._apply

    def apply(s: Instruction, progress: Any) -> Applied:
        outcome = original(s, progress)
        if s.key == "post:start":
            released.set()
        return outcome

    executor._apply = apply  # type: ignore[method-assign]
    phase = Phase("stacks", (step("network"), step("flows", "network"), step("routes", "network")))
    outcome = executor.run_phase(
        phase, FollowUp("post-steps", frozenset({"network:start", "flows:start"}), plan)
    )

    events = executor.events
    assert planned == ["planned"]
    assert events.index("planned") > events.index("end flows:start")
    assert events.index("start post:start") < events.index("end routes:start")  # ran alongside
    assert events.index("start source:start") > events.index("end routes:start")
    assert [s.key for s in outcome.seen.done][-1] == "source:start"
    assert len(outcome.seen.done) == 5
    # the follow-up was planned with what the phase had done by then, and its value comes back
    assert outcome.follow_up is not None
    assert {"network:start", "flows:start"} <= set(outcome.follow_up)
    assert "source:start" not in outcome.follow_up


def test_follow_up_waiting_for_an_unknown_instruction_is_refused_before_anything_runs() -> None:
    executor = Recording()
    with pytest.raises(ValueError, match="unknown dependencies"):
        executor.run_phase(
            Phase("stacks", (step("network"),)), FollowUp("post", frozenset({"x"}), lambda seen: ((), None))
        )
    assert executor.events == []


def test_follow_up_instructions_are_checked_like_a_phases() -> None:
    executor = Recording()
    with pytest.raises(ValueError, match="not unique"):
        executor.run_phase(
            Phase("stacks", (step("network"),)),
            FollowUp("post", frozenset({"network:start"}), lambda seen: ((step("network"),), None)),
        )
    executor = Recording()
    with pytest.raises(ValueError, match="unknown dependencies"):
        executor.run_phase(
            Phase("stacks", (step("network"),)),
            FollowUp("post", frozenset({"network:start"}), lambda seen: ((step("post", "nowhere"),), None)),
        )
    assert "start post:start" not in executor.events


def test_a_failed_follow_up_starts_nothing_new_and_is_raised() -> None:
    executor = Recording()

    def plan(seen: Seen) -> tuple[Sequence[Instruction], None]:
        raise DeployError("flows could not be observed")

    phase = Phase("stacks", (step("network"), step("late", "network")))
    with pytest.raises(DeployError, match="could not be observed"):
        executor.run_phase(phase, FollowUp("post", frozenset(), plan))
    # planned at once (it waits for nothing) and failed: what had not started yet never starts
    assert "start late:start" not in executor.events


def test_a_failed_instruction_means_the_follow_up_is_never_planned() -> None:
    class Failing(Recording):
        def _apply(self, step: Instruction, progress: Any) -> Applied:
            if step.key == "flows:start":
                raise DeployError("flows stack failed")
            return super()._apply(step, progress)

    executor = Failing()
    called: list[Any] = []
    phase = Phase("stacks", (step("network"), step("flows", "network")))
    with pytest.raises(DeployError, match="flows stack failed"):
        executor.run_phase(
            phase, FollowUp("post", frozenset({"flows:start"}), lambda seen: (called.append(1) or (), None))
        )
    assert called == []


# -- how a deploy uses it (pure) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def festival() -> Topology:
    return load_topology(str(EXAMPLES / "festival.json"))


def fresh_plan(model: Topology) -> tuple[tuple[DeployStack, ...], tuple[Instruction, ...]]:
    specs = rendered_stacks(model, "cloudformation", None)
    plan = plan_deploy(model, specs, RemoteState(secrets=samples.secrets(model)), network=None)
    stacks = tuple(s for s in plan.phase("stacks").steps if isinstance(s, DeployStack))
    return stacks, plan.phase("post-steps").steps


def test_post_steps_wait_for_the_network_and_flows_stacks_only(festival: Topology) -> None:
    stacks, _ = fresh_plan(festival)
    kinds = {s.kind for s in stacks}
    assert {"network", "flows", "peering", "routes"} <= kinds
    waited = poststeps_wait_for(stacks)
    assert waited == {s.key for s in stacks if s.kind in ("network", "flows")}
    assert not any(s.key in waited for s in stacks if s.kind in ("peering", "routes", "api"))


def test_a_hub_flows_caller_source_waits_for_every_peering_and_routes_stack(festival: Topology) -> None:
    stacks, post = fresh_plan(festival)
    path = {s.key for s in stacks if s.kind in ("peering", "routes")}
    assert len(path) >= 2
    joined = after_path_to_ingests(post, stacks)
    callers = [s for s in joined if isinstance(s, SetCallerSource)]
    assert {s.flow for s in callers} == {festival.flow_name("live"), festival.flow_name("preview")}
    for caller in callers:
        assert path <= set(caller.after)
    for before, after in zip(post, joined, strict=True):
        if not isinstance(before, SetCallerSource):
            assert after == before  # nothing else crosses regions
    assert (
        after_path_to_ingests(post, tuple(s for s in stacks if s.kind not in ("peering", "routes"))) == post
    )

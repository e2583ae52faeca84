"""status() costs O(regions): the calls one status read makes, counted against the emulator (a
count, not a time) with a botocore ``before-parameter-build`` hook; which flows it describes and why
(:mod:`streamfabric.switching.looks`); how old each piece of evidence is."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import boto3
import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.aws.gateway import AwsGateway
from streamfabric.switching import Switcher
from streamfabric.switching.looks import Look, first_round, second_round

from .conftest import World

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting(calls: list[tuple[str, dict[str, Any]]]) -> boto3.session.Session:
    session = helpers.session()
    lock = threading.Lock()

    def count(model: Any, params: dict[str, Any], **_: Any) -> None:
        with lock:
            calls.append((model.name, dict(params)))

    session.events.register("before-parameter-build.*.*", count)
    return session


def _switcher(world: World, calls: list[tuple[str, dict[str, Any]]], clock: Clock, **kw: Any) -> Switcher:
    return Switcher(world.model, gateway=AwsGateway(counting(calls), waiter_delay=0), clock=clock, **kw)


def _ingest(status: Any, name: str) -> Any:
    return next(i for i in status.ingests if i.name == name)


def test_a_status_read_costs_a_listing_and_a_metric_read_per_region_and_describes_what_it_must(
    on_air_reset: World,
) -> None:
    world = on_air_reset
    calls: list[tuple[str, dict[str, Any]]] = []
    clock = Clock()
    sw = _switcher(world, calls, clock, describe_budget=0, describe_ttl=3600)
    regions = {n.region for n in world.model.networks}
    ingests = len(world.model.ingests)
    assert len(regions) == 4 and ingests == 6

    sw.status()  # first look: every flow is described once
    first = Counter(name for name, _ in calls if name != "DescribeFlowSourceMetadata")
    assert first == {"ListFlows": 4, "GetMetricData": 4, "DescribeFlow": 2 + ingests}

    calls.clear()
    clock.now += 10
    status = sw.status()  # then: the hub flows and the two on air only
    counted = Counter(name for name, _ in calls if name != "DescribeFlowSourceMetadata")
    assert counted == {"ListFlows": len(regions), "GetMetricData": len(regions), "DescribeFlow": 4}
    described = {p["FlowArn"] for name, p in calls if name == "DescribeFlow"}
    state = sw.state
    on_air = {state.ingests[n].flow_arn for n in ("main-stage", "tent-stage")}
    assert described == {state.live.flow_arn, state.preview.flow_arn, *on_air}
    boston = _ingest(status, "boston-remote")
    assert boston.healthy and boston.state == "ACTIVE"
    assert boston.evidence.flow_status_s == 0.0  # ListFlows, now
    assert boston.evidence.flow_details_s == 10.0  # its DescribeFlow, 10 s ago
    assert _ingest(status, "main-stage").evidence.flow_details_s == 0.0
    assert status.live.evidence.flow_details_s == 0.0
    assert status.observed_at is not None


def test_a_flow_listed_as_not_active_is_described_and_reported(on_air_reset: World) -> None:
    world = on_air_reset
    calls: list[tuple[str, dict[str, Any]]] = []
    clock = Clock()
    sw = _switcher(world, calls, clock, describe_budget=0, describe_ttl=3600)
    sw.status()
    boston = sw.state.ingests["boston-remote"]
    mc = world.session().client("mediaconnect", region_name=boston.region)
    mc.stop_flow(FlowArn=boston.flow_arn)
    try:
        calls.clear()
        clock.now += 5
        status = sw.status()
        described = {p["FlowArn"] for name, p in calls if name == "DescribeFlow"}
        assert boston.flow_arn in described
        assert _ingest(status, "boston-remote").state == "STANDBY"
        assert not _ingest(status, "boston-remote").healthy
        calls.clear()
        sw.status()  # troubled at its last look: described until it is well again
        assert boston.flow_arn in {p["FlowArn"] for name, p in calls if name == "DescribeFlow"}
    finally:
        mc.start_flow(FlowArn=boston.flow_arn)
        mc.describe_flow(FlowArn=boston.flow_arn)  # the emulator completes STARTING on a read


def test_the_stalest_descriptions_are_renewed_within_the_budget() -> None:
    looks = {n: Look({"Flow": {"Status": "ACTIVE"}}, at) for n, at in (("a", 0.0), ("b", 50.0), ("c", 90.0))}
    chosen = first_round(["a", "b", "c"], looks, (None, None), 100.0, ttl=30, budget=1)
    assert chosen == {"a": "older than 30 s"}
    assert first_round(["a", "b", "c", "d"], looks, ("c", None), 100.0, ttl=30, budget=0) == {
        "d": "first look",
        "c": "on air",
    }
    listed = {"a": "ACTIVE", "b": "UPDATING", "c": None}
    signals = {"a": False}  # it had signal (None) at its last look: changed
    assert second_round(["a", "b", "c", "d"], looks, listed, signals, (None, None), ()) == {
        "a": "its signal changed",
        "b": "listed UPDATING",
        "c": "not listed",
        "d": "its region could not be listed",
    }

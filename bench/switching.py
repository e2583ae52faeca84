"""Switching benchmarks on the emulator (:mod:`bench.emulator`), each after a deploy of a synthetic
topology and a warm-up (a status poll, one switch or take): ``switch()`` against a bare boto3
``update_flow_source``, ``take()`` against one ``switch()``, and ``status()`` against one
``describe_flow``. API calls are counted with a botocore ``before-call`` hook."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from bench.deploying import LATENCY, deploy_once, session
from bench.emulator import Emulator

READS = ("Describe", "List", "Get")


def _switcher(model: Any, latency: float, calls: list[str] | None = None) -> Any:
    from streamfabric.aws.gateway import AwsGateway
    from streamfabric.switching import Switcher

    return Switcher(model, gateway=AwsGateway(session(latency, calls)), caller="bench")


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# -- switch -------------------------------------------------------------------------------------


def bench_switch(quick: bool, tmp: Path, emulator: Emulator) -> dict[str, Any]:
    """Median ``switch()`` vs a bare ``update_flow_source`` with the same arguments (no injected
    latency: what switch adds on top of the one call), alternated; and the calls per switch."""
    import boto3

    model = deploy_once(emulator, 2, 4, tmp, update_window=False).model
    calls: list[str] = []
    switcher = _switcher(model, 0.0, calls)
    switcher.status()
    state = switcher.state
    names = list(state.ingests)
    n = 20 if quick else 100
    client = boto3.session.Session(region_name=state.hub_region).client("mediaconnect")
    ours, bare, counted = [], [], 0
    for i in range(n):  # alternated, so both see the same emulator at the same time
        target = names[i % len(names)]
        if target == switcher.on_air("live"):
            target = names[(i + 1) % len(names)]
        before = len(calls)
        start = time.perf_counter()
        switcher.switch(target, "live")
        ours.append(time.perf_counter() - start)
        counted += len(calls) - before
        ingest = state.ingests[target]  # what the switch just set: Live stays where the switcher put it
        start = time.perf_counter()
        client.update_flow_source(
            FlowArn=state.live.flow_arn,
            SourceArn=state.live.source_arn,
            SourceListenerAddress=ingest.private_ip,
            SourceListenerPort=ingest.live_port,
        )
        bare.append(time.perf_counter() - start)
    per_switch = counted / n
    mutating = sum(1 for c in calls if not c.startswith(READS)) / n
    return {
        "switch_median_ms": _ms(ours),
        "bare_median_ms": _ms(bare),
        "ratio": _ms(ours) / _ms(bare),
        "calls_per_switch": per_switch,
        "mutating_calls_per_switch": mutating,
        "target_ratio": 1.2,
        "note": "local audit log (JSON lines) included in switch()",
    }


# -- take -----------------------------------------------------------------------------------------


def _take_vs_switch(model: Any, latency: float, n: int) -> dict[str, Any]:
    """Alternately: two takes (Live and Preview swap, and back) and two switches of Live between two
    ingests Preview does not carry; medians, and the calls of one take."""
    calls: list[str] = []
    switcher = _switcher(model, latency, calls)
    # The figure is take's own call path. Within ``settle_window`` (30 s) of this process's own
    # updates a take first reads Live and Preview until they show them (two more calls); back-to-back
    # takes and switches would measure those reads, so the window is off here (as the emulator's).
    switcher.settle_window = 0.0
    switcher.status()
    preview = switcher.on_air("preview")
    a, b = [name for name in switcher.state.ingests if name != preview][:2]
    switcher.switch(a, "live")
    switcher.take()
    switcher.take()  # warm-up: the thread pool's first use, the audit log's file
    takes, switches, take_calls = [], [], []
    for _ in range(n):
        for _ in range(2):
            before = len(calls)
            start = time.perf_counter()
            result = switcher.take()
            takes.append(time.perf_counter() - start)
            take_calls.append(len(calls) - before)
            assert result.changed, "a take between two different ingests changes both flows"
        for target in (b, a):
            start = time.perf_counter()
            switcher.switch(target, "live")
            switches.append(time.perf_counter() - start)
    return {
        "take_median_ms": _ms(takes),
        "switch_median_ms": _ms(switches),
        "ratio": _ms(takes) / _ms(switches),
        "calls_per_take": statistics.mean(take_calls),
    }


def bench_take(quick: bool, tmp: Path, emulator: Emulator) -> dict[str, Any]:
    """``take()`` (two UpdateFlowSource, concurrently) vs one ``switch()`` on the same emulator, with
    ``LATENCY`` per call (AWS's round trip, which the concurrency overlaps) and with none (the
    emulator's CPU only: the worst case for overlapping)."""
    model = deploy_once(emulator, 2, 4, tmp, update_window=False).model
    n = 10 if quick else 40
    with_latency = _take_vs_switch(model, LATENCY, n)
    without = _take_vs_switch(model, 0.0, n)
    return {
        **with_latency,
        "latency_per_call_ms": LATENCY * 1000,
        "no_latency": without,
        "target": 1.1,
    }


# -- status ---------------------------------------------------------------------------------------


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far (Linux /proc)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_vs_describe(model: Any, latency: float, n: int, pid: int | None = None) -> dict[str, Any]:
    calls: list[str] = []
    switcher = _switcher(model, latency, calls)
    switcher.status()  # warm-up: clients, the thread pool
    state = switcher.state
    client = session(latency).client("mediaconnect", region_name=state.hub_region)
    client.describe_flow(FlowArn=state.live.flow_arn)
    statuses, describes, per_status = [], [], []
    emulator_cpu = 0.0
    for _ in range(n):
        cpu = _cpu_s(pid) if pid else 0.0
        before = len(calls)
        start = time.perf_counter()
        switcher.status()
        statuses.append(time.perf_counter() - start)
        per_status.append(len(calls) - before)
        emulator_cpu += (_cpu_s(pid) - cpu) if pid else 0.0
        start = time.perf_counter()
        client.describe_flow(FlowArn=state.live.flow_arn)
        describes.append(time.perf_counter() - start)
    return {
        "status_median_ms": _ms(statuses),
        "describe_flow_median_ms": _ms(describes),
        "ratio": _ms(statuses) / _ms(describes),
        "calls_per_status": statistics.mean(per_status),
        "emulator_cpu_ms": emulator_cpu / n * 1000,  # the sandbox's own CPU per status (not AWS's)
    }


def bench_status(quick: bool, tmp: Path, emulator: Emulator) -> dict[str, Any]:
    """One ``status()`` of 8 regions and 40 ingests vs one ``describe_flow``, with ``LATENCY`` per
    call and with none; AWS calls per status, and the emulator's CPU per status (one process serves
    every region, so its CPU adds to a status's time where AWS's regions answer in parallel)."""
    regions, ingests = 8, 40
    model = deploy_once(emulator, regions, ingests, tmp).model
    n = 5 if quick else 20
    with_latency = _status_vs_describe(model, LATENCY, n, emulator.pid)
    return {
        "regions": regions,
        "ingests": ingests,
        "flows": ingests + 2,
        **with_latency,
        "latency_per_call_ms": LATENCY * 1000,
        "no_latency": _status_vs_describe(model, 0.0, n),
    }

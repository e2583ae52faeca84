"""Deploy benchmarks: 8 regions against 1, and the scale curve (validate, render, deploy) for 1, 4
and 16 regions. Every deploy is ``deploy(network="cloudformation")`` against the emulator in a child
process (:mod:`bench.emulator`), with ``LATENCY`` injected before every AWS call (botocore
``before-send`` hook), so a figure measures how the calls are ordered, not how fast moto is."""

from __future__ import annotations

import json
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.emulator import Emulator
from bench.timing import timed

LATENCY = 0.05  # seconds before every AWS call: a round trip to an AWS endpoint
HIGH_LATENCY = 0.25  # the same, where the client's CPU weighs little against the waits


@dataclass
class Deployed:
    model: Any
    seconds: float
    cpu_seconds: float  # this process (the client side) only
    calls: int
    path: Path
    starts: dict[str, float]  # instruction key -> seconds from the deploy's start to its first status


def _reporter(started: float, starts: dict[str, float]) -> Any:
    """A deploy reporter that notes when each instruction reports its first status (its start)."""
    from streamfabric.deployment.progress import NullReporter

    lock = threading.Lock()

    class Starts(NullReporter):
        def status(self, step: Any, status: str) -> None:
            with lock:
                starts.setdefault(step.key, time.perf_counter() - started)

    return Starts()


def spread(starts: dict[str, float], prefix: str) -> float:
    """Seconds between the first and the last start of the instructions whose key starts so."""
    times = [t for key, t in starts.items() if key.startswith(prefix)]
    return max(times) - min(times) if times else 0.0


def write_topology(regions: int, ingests: int, tmp: Path, **kwargs: Any) -> Path:
    from bench.topologies import document

    path = tmp / f"bench-{regions}x{ingests}.json"
    path.write_text(json.dumps(document(regions, ingests, **kwargs)))
    return path


def session(latency: float = 0.0, calls: list[str] | None = None) -> Any:
    """A boto3 session on the emulator; ``latency`` before every call; ``calls`` collects the names."""
    import boto3

    s = boto3.session.Session(region_name="us-east-1")
    if latency:
        s.events.register("before-send.*.*", lambda **_: time.sleep(latency))
    if calls is not None:
        lock = threading.Lock()

        def count(model: Any, **_: Any) -> None:
            with lock:
                calls.append(model.name)

        s.events.register("before-call.*.*", count)
    return s


def deploy_once(
    emulator: Emulator,
    regions: int,
    ingests: int,
    tmp: Path,
    latency: float = 0.0,
    *,
    update_window: bool = True,
) -> Deployed:
    """Reset the emulator, seed it, deploy a synthetic topology of this size; time it."""
    from streamfabric.aws.gateway import AwsGateway
    from streamfabric.deployment import deploy
    from streamfabric.topology.loading import load_topology

    path = write_topology(regions, ingests, tmp)
    emulator.prepare(str(path), update_window=update_window)
    model = load_topology(str(path))
    calls: list[str] = []
    gateway = AwsGateway(session(latency, calls), waiter_delay=0)
    starts: dict[str, float] = {}
    cpu, start = time.process_time(), time.perf_counter()
    deploy(model, network="cloudformation", gateway=gateway, reporter=_reporter(start, starts))
    seconds = time.perf_counter() - start
    return Deployed(model, seconds, time.process_time() - cpu, len(calls), path, starts)


# -- deploy across regions --------------------------------------------------------------------


def _alternated(emulator: Emulator, tmp: Path, latency: float, pairs: int) -> dict[int, list[Deployed]]:
    runs: dict[int, list[Deployed]] = {1: [], 8: []}
    for _ in range(pairs):
        for regions in (1, 8):
            runs[regions].append(deploy_once(emulator, regions, regions, tmp, latency))
    return runs


def _median(runs: list[Deployed], key: Callable[[Deployed], float]) -> float:
    return statistics.median(key(d) for d in runs)


def bench_regions(quick: bool, tmp: Path, emulator: Emulator) -> dict[str, Any]:
    """Whole deploys of 1 and 8 regions (one ingest per region), alternated, after an untimed warm-up
    deploy (imports, the emulator's first requests); the ratio of the medians. Also: how far apart
    the 8 network stacks (and the 8 flow stacks) start, the stacks' longest dependency chain, and
    the ratio with ``HIGH_LATENCY`` per call, where the client's CPU weighs little."""
    from streamfabric.deployment.pipeline import rendered_stacks

    deploy_once(emulator, 1, 1, tmp, LATENCY)  # warm-up, not counted
    runs = _alternated(emulator, tmp, LATENCY, 3 if quick else 5)
    high = _alternated(emulator, tmp, HIGH_LATENCY, 2 if quick else 3)
    one, eight = _median(runs[1], lambda d: d.seconds), _median(runs[8], lambda d: d.seconds)

    def cpu(d: Deployed) -> float:
        return d.cpu_seconds

    def depth(model: Any) -> int:
        specs = {s.name: s for s in rendered_stacks(model, "cloudformation", None)}
        memo: dict[str, int] = {}

        def chain(name: str) -> int:
            if name not in memo:
                memo[name] = 1 + max((chain(d) for d in specs[name].depends_on), default=0)
            return memo[name]

        return max(chain(name) for name in specs)

    return {
        "latency_per_call_ms": LATENCY * 1000,
        "runs": len(runs[1]),
        "one_region_s": one,
        "eight_regions_s": eight,
        "ratio": eight / one,
        "calls_one_region": runs[1][0].calls,
        "calls_eight_regions": runs[8][0].calls,
        "client_cpu_ratio": _median(runs[8], cpu) / _median(runs[1], cpu),
        "network_stacks_start_spread_s": _median(runs[8], lambda d: spread(d.starts, "stack:bench-network-")),
        "flow_stacks_start_spread_s": _median(runs[8], lambda d: spread(d.starts, "stack:bench-flows-")),
        "stack_chain_one_region": depth(runs[1][0].model),
        "stack_chain_eight_regions": depth(runs[8][0].model),
        "high_latency_per_call_ms": HIGH_LATENCY * 1000,
        "ratio_high_latency": _median(high[8], lambda d: d.seconds) / _median(high[1], lambda d: d.seconds),
        "target": 1.5,
    }  # fmt: skip


# -- scale curve --------------------------------------------------------------------------------


def _peak(fn: Callable[[], object]) -> int:
    """Peak bytes Python allocated while ``fn`` ran (tracemalloc; a separate, untimed run)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench_scale(quick: bool, tmp: Path, emulator: Emulator) -> dict[str, Any]:
    """validate (load + schema + semantic checks), render (Terraform and CloudFormation network)
    and deploy for 1, 4 and 16 regions with 4 ingests each: median times and peak memory."""
    from streamfabric.rendering import render
    from streamfabric.topology.loading import load_topology

    repeat = 3 if quick else 7
    rows = []
    for regions in (1, 4, 16):
        ingests = 4 * regions
        path = str(write_topology(regions, ingests, tmp))
        model = load_topology(path)

        def validate(p: str = path) -> object:
            return load_topology(p)

        def rendered(m: Any = model) -> object:
            return render(m, network="cloudformation")

        validate_s = statistics.median(timed(validate, repeat))
        render_s = statistics.median(timed(rendered, repeat))
        deployed = deploy_once(emulator, regions, ingests, tmp, LATENCY)
        deploy_peak = _peak(lambda r=regions, i=ingests: deploy_once(emulator, r, i, tmp, LATENCY))
        rows.append({
            "regions": regions, "ingests": ingests,
            "validate_s": validate_s, "validate_peak_bytes": _peak(validate),
            "render_s": render_s, "render_peak_bytes": _peak(rendered),
            "deploy_s": deployed.seconds, "deploy_calls": deployed.calls, "deploy_peak_bytes": deploy_peak,
        })  # fmt: skip
    first, last = rows[0], rows[-1]
    return {
        "latency_per_call_ms": LATENCY * 1000,
        "rows": rows,
        "validate_16_over_1": last["validate_s"] / first["validate_s"],
        "render_16_over_1": last["render_s"] / first["render_s"],
        "deploy_16_over_1": last["deploy_s"] / first["deploy_s"],
        "deploy_calls_16_over_1": last["deploy_calls"] / first["deploy_calls"],
        "deploy_peak_16_over_1": last["deploy_peak_bytes"] / first["deploy_peak_bytes"],
    }

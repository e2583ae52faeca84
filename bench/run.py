"""streamfabric's benchmarks: ``python -m bench.run [--quick] [--out bench/results]``.

Prints a Markdown table (figure, value, target, met?) and writes ``bench.json`` and ``bench.md``:
1. render: streamfabric's flow-stack rendering vs troposphere building the equivalent templates,
   for 1x1, 5x5 and 20x20 (regions x ingests);
2. switch: median latency of ``switch()`` vs a bare boto3 ``update_flow_source`` with the same
   arguments, against one moto server, and the API calls per switch (botocore event hook);
3. deploy across regions: wall time of a whole deploy (stacks + post-steps) for 8 regions / 1
   region, with a fixed latency injected into every AWS call;
4. start-up: ``streamfabric validate examples/festival.json`` minus ``python -c pass``;
5. api: the control API's Lambda package, cold import of its handler and sizes (bench/api_package.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
READS = ("Describe", "List", "Get")


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm-up, not counted
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


# -- 1. render ------------------------------------------------------------------------------


def bench_render(quick: bool) -> dict[str, Any]:
    from bench.topologies import topology
    from bench.troposphere_equivalent import flow_templates
    from streamfabric.render import render
    from streamfabric.render.cloudformation import render_cloudformation

    rows = []
    for regions, ingests in ((1, 1), (5, 5), (20, 20)):
        model = topology(regions, ingests)
        repeat = 3 if quick else 10
        ours = statistics.median(timed(lambda m=model: render_cloudformation(m), repeat))
        theirs = statistics.median(timed(lambda m=model: flow_templates(m), repeat))
        full = statistics.median(timed(lambda m=model: render(m), max(1, repeat // 2)))
        rows.append({"size": f"{regions}x{ingests}", "streamfabric_s": ours, "troposphere_s": theirs,
                     "ratio": ours / theirs, "full_render_s": full})  # fmt: skip
    return {"rows": rows, "worst_ratio": max(r["ratio"] for r in rows), "target": 1.0}


# -- sandbox helpers ---------------------------------------------------------------------------


def deployed_sandbox(regions: int, ingests: int, tmp: Path, latency: float = 0.0) -> tuple[Any, Any, float]:
    """A fresh sandbox with a synthetic topology deployed; returns (sandbox, model, deploy seconds)."""
    import boto3

    from bench.topologies import document
    from streamfabric.aws.gateway import AwsGateway
    from streamfabric.demo import quiet_emulator_logs, seed_prerequisites
    from streamfabric.deploy import deploy
    from streamfabric.sandbox.server import Sandbox, reset
    from streamfabric.topology.loading import load_topology

    quiet_emulator_logs()
    sandbox = Sandbox().start()
    reset(sandbox.endpoint_url)  # moto's backends are per process: start each figure from nothing
    os.environ["AWS_ENDPOINT_URL"] = sandbox.endpoint_url
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    path = tmp / f"bench-{regions}x{ingests}.json"
    path.write_text(json.dumps(document(regions, ingests)))
    model = load_topology(str(path))
    seed_prerequisites(sandbox, model)
    session = boto3.session.Session(region_name="us-east-1")
    if latency:
        session.events.register("before-send.*.*", lambda **_: time.sleep(latency))
    gateway = AwsGateway(session, waiter_delay=0, sleep=lambda _: None)
    start = time.perf_counter()
    deploy(model, network="cloudformation", gateway=gateway)
    return sandbox, model, time.perf_counter() - start


# -- 2. switch --------------------------------------------------------------------------------


def bench_switch(quick: bool, tmp: Path) -> dict[str, Any]:
    import boto3

    from streamfabric.aws.gateway import AwsGateway
    from streamfabric.switching import Switcher

    sandbox, model, _ = deployed_sandbox(2, 4, tmp)
    # This figure is streamfabric's call path. The emulator models MediaConnect's UPDATING window after
    # each UpdateFlowSource (and refuses a second update during it, as AWS may); back-to-back switches
    # of one flow would measure that window, not us, so it is off here.
    sandbox.set_update_window(updating_reads=0)
    try:
        session = boto3.session.Session(region_name="us-east-1")
        calls: list[str] = []
        lock = threading.Lock()

        def count(model: Any, **_: Any) -> None:
            with lock:
                calls.append(model.name)

        session.events.register("before-call.*.*", count)
        switcher = Switcher(model, gateway=AwsGateway(session), caller="bench")
        switcher.status()
        switcher.caller()
        state = switcher.state
        names = list(state.ingests)
        n = 20 if quick else 100
        calls.clear()
        ours = []
        for i in range(n):
            start = time.perf_counter()
            switcher.switch(names[i % len(names)] if names[i % len(names)] != switcher.on_air("live")
                            else names[(i + 1) % len(names)], "live")  # fmt: skip
            ours.append(time.perf_counter() - start)
        per_switch = len(calls) / n
        mutating = sum(1 for c in calls if not c.startswith(READS)) / n
        client = boto3.session.Session(region_name=state.hub_region).client("mediaconnect")
        bare = []
        for i in range(n):
            target = state.ingests[names[i % len(names)]]
            start = time.perf_counter()
            client.update_flow_source(
                FlowArn=state.live.flow_arn,
                SourceArn=state.live.source_arn,
                SourceListenerAddress=target.private_ip,
                SourceListenerPort=target.live_port,
            )
            bare.append(time.perf_counter() - start)  # fmt: skip
        ratio = statistics.median(ours) / statistics.median(bare)
        return {
            "switch_median_ms": statistics.median(ours) * 1000,
            "bare_median_ms": statistics.median(bare) * 1000,
            "ratio": ratio,
            "calls_per_switch": per_switch,
            "mutating_calls_per_switch": mutating,
            "target_ratio": 1.2,
            "note": "local audit log (JSON lines) included in switch()",
        }
    finally:
        sandbox.stop()


# -- 3. deploy across regions -------------------------------------------------------------------


def bench_regions(quick: bool, tmp: Path) -> dict[str, Any]:
    latency = 0.05
    results = {}
    for regions in (1, 8):
        sandbox, _, seconds = deployed_sandbox(regions, regions, tmp, latency=latency)
        sandbox.stop()
        results[regions] = seconds
    return {"latency_per_call_ms": latency * 1000, "one_region_s": results[1], "eight_regions_s": results[8],
            "ratio": results[8] / results[1], "target": 1.5}  # fmt: skip


# -- 4. start-up --------------------------------------------------------------------------------


def bench_startup(quick: bool) -> dict[str, Any]:
    def run(args: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=ROOT)
        return time.perf_counter() - start

    repeat = 5 if quick else 15
    validate = [sys.executable, "-m", "streamfabric", "validate", "examples/festival.json"]
    bare = [sys.executable, "-c", "pass"]
    v = statistics.median(run(validate) for _ in range(repeat))
    p = statistics.median(run(bare) for _ in range(repeat))
    return {"validate_s": v, "python_pass_s": p, "above_bare_s": v - p, "target_s": 0.3}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args(argv)
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="streamfabric-bench-"))
    report = {
        "render": bench_render(args.quick),
        "switch": bench_switch(args.quick, tmp),
        "regions": bench_regions(args.quick, tmp),
        "startup": bench_startup(args.quick),
    }
    from bench.api_package import api_rows, bench_api

    report["api"] = bench_api(args.quick, tmp)
    r, s, g, u = report["render"], report["switch"], report["regions"], report["startup"]
    rows = [
        *[(f"render {row['size']}: streamfabric / troposphere",
           f"{row['streamfabric_s'] * 1000:.1f} ms / {row['troposphere_s'] * 1000:.1f} ms"
           f" = {row['ratio']:.2f}x",
           "<= 1.0x", row["ratio"] <= 1.0) for row in r["rows"]],
        ("switch() / bare update_flow_source (median)",
         f"{s['switch_median_ms']:.1f} ms / {s['bare_median_ms']:.1f} ms = {s['ratio']:.2f}x", "<= 1.2x",
         s["ratio"] <= 1.2),
        ("API calls per switch (mutating)",
         f"{s['calls_per_switch']:.2f} ({s['mutating_calls_per_switch']:.2f})",
         "1 (1)", s["calls_per_switch"] == 1 and s["mutating_calls_per_switch"] == 1),
        (f"deploy 8 regions / 1 region ({g['latency_per_call_ms']:.0f} ms per call)",
         f"{g['eight_regions_s']:.1f} s / {g['one_region_s']:.1f} s = {g['ratio']:.2f}x", "<= 1.5x",
         g["ratio"] <= 1.5),
        ("validate start-up above `python -c pass`",
         f"{u['validate_s'] * 1000:.0f} ms - {u['python_pass_s'] * 1000:.0f} ms"
         f" = {u['above_bare_s'] * 1000:.0f} ms",
         "< 300 ms", u["above_bare_s"] < 0.3),
    ]  # fmt: skip
    rows += api_rows(report["api"])
    table = ["| figure | value | target | met |", "| --- | --- | --- | --- |"]
    table += [
        f"| {name} | {value} | {target} | {'yes' if ok else 'NO'} |" for name, value, target, ok in rows
    ]
    text = "\n".join(table) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "bench.md").write_text(text)
    print(f"written: {out / 'bench.json'}, {out / 'bench.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

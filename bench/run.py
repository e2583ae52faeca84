"""streamfabric's benchmarks: ``python -m bench.run [--quick] [--out bench/results]``.

Prints a Markdown table (figure, value, target, met?) and writes ``bench.json`` and ``bench.md``:
1. render: streamfabric's flow-stack rendering vs troposphere building the equivalent templates,
   for 1x1, 5x5 and 20x20 (regions x ingests);
2. switch: median latency of ``switch()`` vs a bare boto3 ``update_flow_source`` with the same
   arguments, and the API calls per switch (botocore event hook);
3. take: ``take()`` vs one ``switch()`` on the same emulator;
4. status: one ``status()`` of 8 regions and 40 ingests vs one ``describe_flow``, and its calls;
5. deploy across regions: a whole deploy (stacks + post-steps) of 8 regions vs 1 region, with a
   fixed latency injected into every AWS call;
6. scale: validate, render and deploy for 1, 4 and 16 regions with 4 ingests each (times, memory);
7. start-up: ``streamfabric validate examples/festival.json`` minus ``python -c pass``;
8. api: the control API's Lambda package, its handler's cold import from the package vs from an
   installed venv, and its sizes (bench/api_package.py).
9. ops: five panels and an operator switching every 10 s through the local API behind the stage
   throttle, 2 minutes (``--quick``: 20 s) (bench/ops.py).

Every figure that calls AWS runs against the sandbox in a child process (:mod:`bench.emulator`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.timing import timed

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("render", "switch", "take", "status", "regions", "scale", "startup", "ops")


# -- 1. render ------------------------------------------------------------------------------


def bench_render(quick: bool) -> dict[str, Any]:
    from bench.topologies import topology
    from bench.troposphere_equivalent import flow_templates
    from streamfabric.rendering import render
    from streamfabric.rendering.cloudformation import render_cloudformation

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


# -- start-up --------------------------------------------------------------------------------


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


def _mib(value: float) -> str:
    return f"{value / 2**20:.1f} MiB" if value >= 2**20 else f"{value / 2**10:.0f} KiB"


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """The headline figures, by name (ratios and counts; each measured side by side in one run)."""
    r, s, k, st, g, sc, u, o = (report[n] for n in SECTIONS)
    return {
        "render.worst_ratio": r["worst_ratio"],
        "switch.ratio": s["ratio"], "switch.calls": s["calls_per_switch"],
        "take.ratio": k["ratio"], "take.ratio_no_latency": k["no_latency"]["ratio"],
        "take.calls": k["calls_per_take"],
        "status.ratio": st["ratio"], "status.ratio_no_latency": st["no_latency"]["ratio"],
        "status.calls": st["calls_per_status"],
        "regions.ratio": g["ratio"], "regions.ratio_high_latency": g["ratio_high_latency"],
        "regions.network_stacks_start_spread_s": g["network_stacks_start_spread_s"],
        "regions.stack_chain": g["stack_chain_eight_regions"],
        **{f"scale.{key}": sc[key] for key in ("validate_16_over_1", "render_16_over_1", "deploy_16_over_1",
                                               "deploy_calls_16_over_1", "deploy_peak_16_over_1")},
        "startup.above_bare_s": u["above_bare_s"],
        "api.cold_import_ratio": report["api"]["cold_import_ratio"],
        "api.cold_import_ms": report["api"]["cold_import_ms"],
        "api.venv_import_ms": report["api"]["venv_import_ms"],
        "api.warm_status_ms": report["api"].get("warm_status_ms"),
        "ops.failed_switches": o["failed_switches"], "ops.panel_errors": o["panel_errors"],
        "ops.switch_p95_ratio": o["switch_p95_ratio"], "ops.requests_per_panel_s": o["requests_per_panel_s"],
    }  # fmt: skip


def table(report: dict[str, Any]) -> str:
    from bench.api_package import api_rows

    r, s, k, st, g, sc, u, o = (report[n] for n in SECTIONS)
    lat = f"{g['latency_per_call_ms']:.0f} ms per call"
    rows: list[tuple[str, str, str, bool | None]] = [
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
        (f"take.ratio: take() / switch() ({lat})",
         f"{k['take_median_ms']:.1f} ms / {k['switch_median_ms']:.1f} ms = {k['ratio']:.2f}x; "
         f"{k['calls_per_take']:.0f} calls", "<= 1.1x", k["ratio"] <= 1.1),
        ("take() / switch() (no injected latency: emulator CPU only)",
         f"{k['no_latency']['take_median_ms']:.1f} ms / {k['no_latency']['switch_median_ms']:.1f} ms"
         f" = {k['no_latency']['ratio']:.2f}x", "-", None),
        (f"status() / describe_flow, {st['regions']} regions x {st['ingests']} ingests ({lat})",
         f"{st['status_median_ms']:.0f} ms / {st['describe_flow_median_ms']:.0f} ms = {st['ratio']:.1f}x; "
         f"{st['calls_per_status']:.0f} calls (emulator CPU {st['emulator_cpu_ms']:.0f} ms a status)",
         "<= 3.0x; <= 26 calls", st["ratio"] <= 3.0 and st["calls_per_status"] <= 26),
        ("status() / describe_flow (no injected latency)",
         f"{st['no_latency']['status_median_ms']:.0f} ms / "
         f"{st['no_latency']['describe_flow_median_ms']:.1f} ms = {st['no_latency']['ratio']:.1f}x",
         "-", None),
        (f"regions.ratio: deploy 8 regions / 1 region ({lat})",
         f"{g['eight_regions_s']:.1f} s / {g['one_region_s']:.1f} s = {g['ratio']:.2f}x "
         f"(median of {g['runs']}; {g['calls_eight_regions']} / {g['calls_one_region']} calls)", "<= 1.5x",
         g["ratio"] <= 1.5),
        (f"deploy 8 regions / 1 region ({g['high_latency_per_call_ms']:.0f} ms per call)",
         f"{g['ratio_high_latency']:.2f}x", "-", None),
        ("deploy 8 regions: first to last start of the network stacks / of the flow stacks",
         f"{g['network_stacks_start_spread_s'] * 1000:.0f} ms / "
         f"{g['flow_stacks_start_spread_s'] * 1000:.0f} ms; "
         f"longest stack chain {g['stack_chain_eight_regions']} (1 region: {g['stack_chain_one_region']})",
         "-", None),
        *[(f"scale {row['regions']} regions x {row['ingests']} ingests: validate / render / deploy",
           f"{row['validate_s'] * 1000:.0f} ms, {_mib(row['validate_peak_bytes'])} / "
           f"{row['render_s'] * 1000:.0f} ms, {_mib(row['render_peak_bytes'])} / "
           f"{row['deploy_s']:.1f} s, {row['deploy_calls']} calls, {_mib(row['deploy_peak_bytes'])}",
           "-", None)
          for row in sc["rows"]],
        ("scale 16 regions / 1 region: validate, render, deploy (calls)",
         f"{sc['validate_16_over_1']:.1f}x, {sc['render_16_over_1']:.1f}x, {sc['deploy_16_over_1']:.1f}x "
         f"({sc['deploy_calls_16_over_1']:.1f}x)", "-", None),
        ("validate start-up above `python -c pass`",
         f"{u['validate_s'] * 1000:.0f} ms - {u['python_pass_s'] * 1000:.0f} ms"
         f" = {u['above_bare_s'] * 1000:.0f} ms",
         "< 300 ms", u["above_bare_s"] < 0.3),
        *api_rows(report["api"]),
        (f"ops ({o['mode']}): failed switches / panel errors",
         f"{o['failed_switches']} / {o['panel_errors']} ({o['panel_slowed']} polls slowed by a 429)",
         "0 / 0", o["failed_switches"] == 0 and o["panel_errors"] == 0),
        ("ops.switch_p95_ratio: switch p95 under load / alone",
         f"{o['switch_p95_ms']:.0f} ms / {o['switch_p95_unloaded_ms']:.0f} ms = {o['switch_p95_ratio']:.2f}x",
         "<= 1.5x", o["switch_p95_ratio"] <= 1.5),
        ("ops.requests_per_panel_s", f"{o['requests_per_panel_s']:.2f}", "<= 1.0",
         o["requests_per_panel_s"] <= 1.0),
    ]  # fmt: skip
    lines = ["| figure | value | target | met |", "| --- | --- | --- | --- |"]
    for name, value, target, ok in rows:
        met = "-" if ok is None else ("yes" if ok else "NO")
        lines.append(f"| {name} | {value} | {target} | {met} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args(argv)
    import tempfile

    from bench.api_package import bench_api
    from bench.deploying import bench_regions, bench_scale
    from bench.emulator import Emulator
    from bench.ops import bench_ops
    from bench.switching import bench_status, bench_switch, bench_take

    tmp = Path(tempfile.mkdtemp(prefix="streamfabric-bench-"))
    report: dict[str, Any] = {"render": bench_render(args.quick)}
    with Emulator() as emulator:
        report["switch"] = bench_switch(args.quick, tmp, emulator)
        report["take"] = bench_take(args.quick, tmp, emulator)
        report["status"] = bench_status(args.quick, tmp, emulator)
        report["regions"] = bench_regions(args.quick, tmp, emulator)
        report["scale"] = bench_scale(args.quick, tmp, emulator)
        report["api"] = bench_api(args.quick, tmp, emulator)
        report["ops"] = bench_ops(args.quick, tmp, emulator)
        if args.quick:
            print(f"ops: quick mode, {report['ops']['mode']} (full mode: 2 minutes)")
    report["startup"] = bench_startup(args.quick)
    report = {"figures": figures(report), **report}
    text = table(report)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "bench.md").write_text(text)
    print(f"written: {out / 'bench.json'}, {out / 'bench.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

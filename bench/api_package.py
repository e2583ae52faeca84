"""Bench figure ``api``: the control API's Lambda package — the handler's cold import time from the
unzipped package alone (``python -I -S -B``: no site-packages, no bytecode written, as on Lambda's
read-only /var/task where every cold start compiles the sources), its sizes against Lambda's
250 MiB unzipped limit, and ``GET /status`` through ``lambda_handler`` in that same process against
the emulator (a topology of 2 regions and 4 ingests deployed there): the first request (the
container's Switcher built: topology, runtime state, every flow described), then warm ones, each
reading AWS (the handler's 1 s status cache off), and warm ones within that cache. Hooked into
``bench/run.py`` by ``bench_api`` and ``api_rows``."""

from __future__ import annotations

import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any


def _python(version: str) -> tuple[str, str]:
    """An interpreter of the Lambda runtime's version, else this one (and its version)."""
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-V"], capture_output=True, check=False).returncode == 0:
        return found, version
    pyenv = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}*/bin/python{version}")))
    if pyenv:
        return pyenv[-1], version
    return sys.executable, f"{sys.version_info.major}.{sys.version_info.minor}"


_EVENT = {
    "resource": "/{proxy+}", "path": "/status", "httpMethod": "GET", "headers": {},
    "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
    "pathParameters": {"proxy": "status"}, "stageVariables": None, "body": None, "isBase64Encoded": False,
    "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": "GET", "path": "/prod/status",
                       "stage": "prod", "requestId": "bench",
                       "identity": {"userArn": "arn:aws:iam::123456789012:user/bench"}},
}  # fmt: skip

# Run in the package's interpreter, with only the unzipped package on sys.path: prints one JSON line.
_SCRIPT = """
import json, statistics, sys, time
sys.path[:0] = [sys.argv[1]]
start = time.perf_counter()
import streamfabric.api.handler as handler
imported = time.perf_counter() - start
class Context:
    function_name = "bench-control-api"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench-control-api"
    aws_request_id = "bench"; log_group_name = "bench"; log_stream_name = "bench"
    def get_remaining_time_in_millis(self): return 29000
event, n = json.loads(sys.argv[2]), int(sys.argv[3])
if not n:
    print(json.dumps({"import_s": imported}))
    sys.exit(0)
def get():
    start = time.perf_counter()
    response = handler.lambda_handler(event, Context())
    assert response["statusCode"] == 200, response
    return time.perf_counter() - start
first = get()
switcher = handler._switcher()
ttl = switcher.status_ttl
switcher.status_ttl = 0.0
warm = [get() for _ in range(n)]
switcher.status_ttl = ttl
get()
cached = [get() for _ in range(n)]
print(json.dumps({"import_s": imported, "first_s": first, "warm_s": warm, "cached_s": cached}))
"""


def bench_api(quick: bool, tmp: Path, emulator: Any | None = None) -> dict[str, Any]:
    from streamfabric.deployment.api_package import MIB, UNZIPPED_LIMIT, build_api_package
    from streamfabric.rendering.api import LAMBDA_RUNTIME

    python, version = _python(LAMBDA_RUNTIME.removeprefix("python"))
    package = build_api_package(tmp / "api-dist", python_version=version)
    root = tmp / "api-task"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(root)
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-1", "HOME": str(tmp)}
    imports, status = [], {}
    for _ in range(3 if quick else 7):
        done = subprocess.run([python, "-I", "-S", "-B", "-c", _SCRIPT, str(root), "{}", "0"],
                              capture_output=True, text=True, env=env, check=True)  # fmt: skip
        imports.append(json.loads(done.stdout.strip().splitlines()[-1])["import_s"])
    if emulator is not None:
        from bench.deploying import deploy_once

        deployed = deploy_once(emulator, 2, 4, tmp, update_window=False)
        env |= {"AWS_ENDPOINT_URL": emulator.endpoint_url, "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench", "STREAMFABRIC_TOPOLOGY": str(deployed.path)}  # fmt: skip
        n = 10 if quick else 40
        args = [python, "-I", "-S", "-B", "-c", _SCRIPT, str(root), json.dumps(_EVENT), str(n)]
        done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"GET /status through the handler failed: {done.stderr[-2000:]}")
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        status = {
            "status_flows": 2 + 4,
            "first_status_ms": measured["first_s"] * 1000,
            "warm_status_ms": statistics.median(measured["warm_s"]) * 1000,
            "cached_status_ms": statistics.median(measured["cached_s"]) * 1000,
        }
    return {
        "python": version,
        "cold_import_ms": statistics.median(imports) * 1000,
        "samples_ms": [s * 1000 for s in imports],
        "zip_mib": package.size / MIB,
        "unzipped_mib": package.unzipped_size / MIB,
        "limit_mib": UNZIPPED_LIMIT / MIB,
        "target_cold_import_ms": 3000.0,
        **status,
    }


def api_rows(a: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    return [
        (f"api.cold_import_ms: handler import from the package (Python {a['python']}, no bytecode)",
         f"{a['cold_import_ms']:.0f} ms", f"< {a['target_cold_import_ms']:.0f} ms",
         a["cold_import_ms"] < a["target_cold_import_ms"]),
        ("api package: zip / unzipped (Lambda limit 250 MiB unzipped)",
         f"{a['zip_mib']:.1f} MiB / {a['unzipped_mib']:.1f} MiB", "< 125 MiB unzipped",
         a["unzipped_mib"] < a["limit_mib"] / 2),
        *([(f"api GET /status through the handler ({a['status_flows']} flows, no injected latency): "
            "first / warm / warm within the 1 s cache",
            f"{a['first_status_ms']:.0f} ms / {a['warm_status_ms']:.1f} ms / {a['cached_status_ms']:.2f} ms",
            "-", None)] if "warm_status_ms" in a else []),
    ]  # fmt: skip

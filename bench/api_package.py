"""Bench figure ``api``: the control API's Lambda package — the handler's cold import from the
unzipped package alone (``python -I -S -B``, PYTHONDONTWRITEBYTECODE: no site-packages, no bytecode
written, as on Lambda's read-only /var/task; the package's own bytecode is used) against its import
from an installed venv (a venv of the same interpreter holding the same modules, byte-compiled as pip
installs them: compileall, timestamp pycs), as a ratio (``api.cold_import_ratio``, target 1.3x),
the two alternated in fresh processes; the same package with its bytecode removed for reference
(what every cold start paid before the package carried bytecode); its sizes against Lambda's
250 MiB unzipped limit, and ``GET /status`` through ``lambda_handler`` in that same process against
the emulator (a topology of 2 regions and 4 ingests deployed there): the first request (the
container's Switcher built: topology, runtime state, every flow described), then warm ones, each
reading AWS (the handler's 1 s status cache off), and warm ones within that cache. Hooked into
``bench/run.py`` by ``bench_api`` and ``api_rows``."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

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


def _venv(python: str, package_root: Path, where: Path) -> tuple[str, str]:
    """A venv of ``python`` whose site-packages hold the package's modules (without its bytecode),
    compiled as pip compiles what it installs (compileall, timestamp-based pycs): its interpreter."""
    subprocess.run([python, "-m", "venv", "--without-pip", str(where)], check=True)
    venv_python = str(where / "bin" / "python")
    purelib = subprocess.run(
        [venv_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    shutil.copytree(package_root, purelib, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    subprocess.run([venv_python, "-m", "compileall", "-q", "-j", "1", purelib],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return venv_python, purelib


def _import_s(command: list[str], env: dict[str, str]) -> float:
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["import_s"])


def bench_api(quick: bool, tmp: Path, emulator: Any | None = None) -> dict[str, Any]:
    from streamfabric.deployment.api_package import (
        MIB,
        UNZIPPED_LIMIT,
        build_api_package,
        find_interpreter,
    )

    package = build_api_package(tmp / "api-dist")
    version = package.runtime.removeprefix("python")
    interpreter = find_interpreter(version)
    python = interpreter.path if interpreter else sys.executable
    root = tmp / "api-task"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(root)
    bare = tmp / "api-task-no-bytecode"
    shutil.copytree(root, bare, ignore=shutil.ignore_patterns("__pycache__"))
    venv_python, site_packages = _venv(python, bare, tmp / "api-venv")
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-1", "HOME": str(tmp),
           "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    from_package: list[float] = []
    from_venv: list[float] = []
    without_bytecode: list[float] = []
    script = [_SCRIPT, "{}", "0"]
    for i in range(5 if quick else 11):
        from_package.append(
            _import_s([python, "-I", "-S", "-B", "-c", script[0], str(root), *script[1:]], env)
        )
        # the venv's own site-packages (site on), nothing else: -I still drops the user's site
        from_venv.append(
            _import_s([venv_python, "-I", "-B", "-c", script[0], site_packages, *script[1:]], env)
        )
        if i < 3:
            without_bytecode.append(
                _import_s([python, "-I", "-S", "-B", "-c", script[0], str(bare), *script[1:]], env)
            )
    status = {}
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
    cold, venv = statistics.median(from_package), statistics.median(from_venv)
    return {
        "python": version,
        "runtime": package.runtime,
        "note": package.note or None,
        "cold_import_ms": cold * 1000,
        "venv_import_ms": venv * 1000,
        "cold_import_ratio": cold / venv,
        "target_cold_import_ratio": 1.3,
        "no_bytecode_import_ms": statistics.median(without_bytecode) * 1000,
        "samples_ms": [s * 1000 for s in from_package],
        "venv_samples_ms": [s * 1000 for s in from_venv],
        "zip_mib": package.size / MIB,
        "unzipped_mib": package.unzipped_size / MIB,
        "limit_mib": UNZIPPED_LIMIT / MIB,
        **status,
    }


def api_rows(a: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    return [
        (f"api.cold_import_ratio: handler import from the package / from an installed venv "
         f"(Python {a['python']}, no bytecode written)",
         f"{a['cold_import_ms']:.0f} ms / {a['venv_import_ms']:.0f} ms = {a['cold_import_ratio']:.2f}x",
         f"<= {a['target_cold_import_ratio']:.1f}x", a["cold_import_ratio"] <= a["target_cold_import_ratio"]),
        ("handler import from the package with its bytecode removed (every cold start compiles)",
         f"{a['no_bytecode_import_ms']:.0f} ms", "-", None),
        ("api package: zip / unzipped (Lambda limit 250 MiB unzipped)",
         f"{a['zip_mib']:.1f} MiB / {a['unzipped_mib']:.1f} MiB", "< 125 MiB unzipped",
         a["unzipped_mib"] < a["limit_mib"] / 2),
        *([(f"api GET /status through the handler ({a['status_flows']} flows, no injected latency): "
            "first / warm / warm within the 1 s cache",
            f"{a['first_status_ms']:.0f} ms / {a['warm_status_ms']:.1f} ms / {a['cached_status_ms']:.2f} ms",
            "-", None)] if "warm_status_ms" in a else []),
    ]  # fmt: skip

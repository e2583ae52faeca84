"""Bench figure ``api``: the control API's Lambda package — the handler's cold import time from the
unzipped package alone (``python -I -S -B``: no site-packages, no bytecode written, as on Lambda's
read-only /var/task where every cold start compiles the sources), and its sizes against Lambda's
250 MiB unzipped limit. Hooked into ``bench/run.py`` by ``bench_api`` and ``api_rows``."""

from __future__ import annotations

import glob
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


def bench_api(quick: bool, tmp: Path) -> dict[str, Any]:
    from streamfabric.deploy.api_package import MIB, UNZIPPED_LIMIT, build_api_package
    from streamfabric.render.api import LAMBDA_RUNTIME

    python, version = _python(LAMBDA_RUNTIME.removeprefix("python"))
    package = build_api_package(tmp / "api-dist", python_version=version)
    root = tmp / "api-task"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(root)
    script = (
        f"import sys, time; sys.path[:0] = [{str(root)!r}]; start = time.perf_counter(); "
        "import streamfabric.api.handler; print(time.perf_counter() - start)"
    )
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-1"}
    samples = []
    for _ in range(3 if quick else 7):
        done = subprocess.run([python, "-I", "-S", "-B", "-c", script], capture_output=True, text=True,
                              env=env, check=True)  # fmt: skip
        samples.append(float(done.stdout.strip().splitlines()[-1]))
    return {
        "python": version,
        "cold_import_ms": statistics.median(samples) * 1000,
        "samples_ms": [s * 1000 for s in samples],
        "zip_mib": package.size / MIB,
        "unzipped_mib": package.unzipped_size / MIB,
        "limit_mib": UNZIPPED_LIMIT / MIB,
        "target_cold_import_ms": 3000.0,
    }


def api_rows(a: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    return [
        (f"api.cold_import_ms: handler import from the package (Python {a['python']}, no bytecode)",
         f"{a['cold_import_ms']:.0f} ms", f"< {a['target_cold_import_ms']:.0f} ms",
         a["cold_import_ms"] < a["target_cold_import_ms"]),
        ("api package: zip / unzipped (Lambda limit 250 MiB unzipped)",
         f"{a['zip_mib']:.1f} MiB / {a['unzipped_mib']:.1f} MiB", "< 125 MiB unzipped",
         a["unzipped_mib"] < a["limit_mib"] / 2),
    ]  # fmt: skip

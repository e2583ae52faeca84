"""The control API package's bytecode (streamfabric.deployment.api_bytecode): compiled by an
interpreter of the function's runtime, or the runtime of one that is there (saying so); each pyc from
its source alone, so two builds in two processes with different hash seeds are byte-identical; and
the package, unzipped into a read-only directory, imports its handler with no bytecode written, no
site-packages and nothing of what the function never imports."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from streamfabric.deployment.api_bytecode import (
    Interpreter,
    choose_interpreter,
    compile_bytecode,
    find_interpreter,
)
from streamfabric.rendering.api import LAMBDA_RUNTIME

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_VERSION = LAMBDA_RUNTIME.removeprefix("python")


def _runtime_interpreter() -> Interpreter:
    found = find_interpreter(RUNTIME_VERSION) or choose_interpreter()[0]
    if found is None:
        pytest.skip("no interpreter of any Lambda runtime here: the package has no bytecode")
    return found


def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *links: tuple[str, str]) -> None:
    """No interpreter to be found but the ``(name, target)`` links on an otherwise empty PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, target in links:
        (bin_dir / name).symlink_to(target)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.delenv("STREAMFABRIC_LAMBDA_PYTHON", raising=False)
    if f"{sys.version_info.major}.{sys.version_info.minor}" == RUNTIME_VERSION:
        monkeypatch.setattr(sys, "executable", str(tmp_path / "none"))


def test_without_an_interpreter_of_the_runtime_another_runtime_is_chosen_and_said(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = find_interpreter("3.13")
    if other is None:
        pytest.skip("no Python 3.13 here to stand in for another Lambda runtime")
    _isolated(monkeypatch, tmp_path, ("python3.13", other.path))
    found, note = choose_interpreter(RUNTIME_VERSION)
    assert found is not None and found.runtime == "python3.13"
    assert f"no Python {RUNTIME_VERSION} interpreter found" in note
    assert "built for python3.13" in note and "the API's function runs python3.13" in note


def test_without_any_runtime_interpreter_the_package_has_no_bytecode_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _isolated(monkeypatch, tmp_path)
    if f"{sys.version_info.major}.{sys.version_info.minor}" in ("3.12", "3.13", "3.14"):
        monkeypatch.setattr(sys, "executable", str(tmp_path / "none"))
    found, note = choose_interpreter(RUNTIME_VERSION)
    assert found is None
    assert "the package has no bytecode" in note and "every cold start compiles" in note


def test_each_pyc_depends_on_its_source_alone(tmp_path: Path) -> None:
    """What marshal writes depends on which objects are shared, and that on what the process
    interned before (see streamfabric.deployment.api_bytecode); each file is compiled in a child of
    its own, so ``b.py``'s pyc is the same built alone or after ``a.py``, which names its strings."""
    interpreter = _runtime_interpreter()
    a = tmp_path / "a.py"
    a.write_text('ALPHA = "ALPHA"\nBETA = "BETA"\n', encoding="utf-8")
    b = tmp_path / "b.py"
    b.write_text(
        'def f(k):\n    return k in {"ALPHA", "BETA"}\n\ndef g(k):\n    return k in {"ALPHA", "BETA"}\n',
        encoding="utf-8",
    )
    alone = compile_bytecode(interpreter, {"pkg/b.py": b}, tmp_path / "alone")
    both = compile_bytecode(interpreter, {"pkg/a.py": a, "pkg/b.py": b}, tmp_path / "both")
    tag = f"cpython-{interpreter.version.replace('.', '')}"
    name = f"pkg/__pycache__/b.{tag}.pyc"
    assert sorted(alone) == [name] and sorted(both) == sorted([name, f"pkg/__pycache__/a.{tag}.pyc"])
    data = alone[name].read_bytes()
    assert data == both[name].read_bytes()
    assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, unchecked (PEP 552)
    assert b"/var/task/pkg/b.py" in data and str(tmp_path).encode() not in data


_BUILD = """
import sys
from pathlib import Path
from streamfabric.deployment.api_package import build_api_package
built = build_api_package(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]), reuse=False)
print(built.sha256)
"""


@pytest.mark.integration
def test_two_builds_in_two_processes_with_different_hash_seeds_are_byte_identical(
    api_package: Path, tmp_path: Path
) -> None:
    """From the same installed dependencies (the session's cache), compiled and zipped anew in two
    interpreter processes whose string hashes differ: the same bytes as the session's package."""
    cache = api_package.parent.parent / "cache"
    digests = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
        out = tmp_path / f"dist-{seed}"
        done = subprocess.run(
            [sys.executable, "-c", _BUILD, str(out), str(cache)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        digests.append(done.stdout.split()[-1])
        assert (out / api_package.name).read_bytes() == api_package.read_bytes()
    assert digests[0] == digests[1]


# Run by the runtime's interpreter, isolated (-I -S -B: no site-packages, no user site, no bytecode
# written) with only the read-only unzipped package on its path: imports the handler and says what
# was imported from where.
_IMPORT = """
import json, sys
root = sys.argv[1]
sys.path[:0] = [root]
import streamfabric.api.handler
files = {n: getattr(m, "__file__", None) or "" for n, m in list(sys.modules.items())}
print(json.dumps({
    "dont_write_bytecode": sys.dont_write_bytecode,
    "site": "site" in sys.modules,
    "outside": sorted(n for n, f in files.items() if f and not f.startswith((sys.base_prefix, root))),
    "modules": sorted(n for n, f in files.items() if f.startswith(root)),
}))
"""


def _read_only(root: Path) -> None:
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    root.chmod(root.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.mark.integration
def test_the_handler_imports_from_the_read_only_package_alone(api_package: Path, tmp_path: Path) -> None:
    interpreter = _runtime_interpreter()
    root = tmp_path / "task"
    with zipfile.ZipFile(api_package) as archive:
        archive.extractall(root)
        shipped = sorted(archive.namelist())
    _read_only(root)
    try:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            [interpreter.path, "-I", "-S", "-B", "-c", _IMPORT, str(root)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == shipped
    finally:
        _writable(root)
    assert result["dont_write_bytecode"] and not result["site"]
    assert result["outside"] == []  # nothing from the dev venv's site-packages, nor any other
    top = {name.split(".")[0] for name in result["modules"]}
    assert {"streamfabric", "boto3", "botocore"} <= top
    assert not top & {"werkzeug", "shtab", "jinja2", "markupsafe", "yaml", "moto"}
    assert not [m for m in result["modules"] if m.startswith(("streamfabric.cli", "streamfabric.sandbox"))]
    # and none of those is in the zip: what the function never imports is left out
    assert not [n for n in shipped if n.split("/")[0].lower().startswith(("werkzeug", "shtab", "jinja2"))]

"""The wheel: it carries the schema and the templates, and works installed (not from the checkout).

Builds the wheel into a temporary directory, installs it with ``pip install --no-deps`` into a
fresh virtualenv, and runs the installed ``streamfabric`` from another directory. The
virtualenv sees the running environment's packages (jsonschema, Jinja2, ...) through a ``.pth``
line, not the checkout: no download is needed, and the test proves that the installed copy (with
its ``_data``) is what runs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import streamfabric

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FESTIVAL = ROOT / "examples" / "festival.json"
INVALID = ROOT / "tests" / "fixtures" / "invalid" / "port-range.json"


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH (it would put the checkout's src/ first) and no virtualenv of ours."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(argv: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    argv = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out)]
    if importlib.util.find_spec("hatchling") is not None:
        argv.append("--no-isolation")  # the backend is here already: nothing to download
    proc = _run([*argv, str(ROOT)], cwd=out)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [built] = out.glob("streamfabric-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("venv")
    proc = _run([sys.executable, "-m", "venv", str(home)], cwd=home)
    assert proc.returncode == 0, proc.stderr
    python = home / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=home)
    parent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # A path line, not the parent's own .pth files: an editable install of the checkout stays invisible.
    (Path(site.stdout.strip()) / "_parent_env.pth").write_text("\n".join(sorted(parent)) + "\n")
    proc = _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)], cwd=home)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    yield home


def archive_metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return archive.read(name).decode()


def test_wheel_contains_the_data_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        schema = archive.read("streamfabric/_data/schemas/topology.schema.json")
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    assert "streamfabric/cli/main.py" in names
    assert "streamfabric/topology/import_poc.py" in names
    assert "streamfabric/reports/data/prices.json" in names
    assert (
        hashlib.sha256(schema).digest()
        == hashlib.sha256((ROOT / "schemas" / "topology.schema.json").read_bytes()).digest()
    )
    for template in sorted((ROOT / "templates").rglob("*.j2")):
        assert f"streamfabric/_data/{template.relative_to(ROOT).as_posix()}" in names, template
    assert any(n.startswith("streamfabric/_data/templates/terraform/") for n in names)
    assert any(n.startswith("streamfabric/_data/templates/cloudformation/") for n in names)
    assert "streamfabric = streamfabric.cli.main:main" in scripts
    assert "streamfabric/py.typed" in names  # PEP 561: type checkers use the package's annotations
    metadata = archive_metadata(wheel)
    assert f"Version: {streamfabric.__version__}" in metadata.splitlines()  # one source: __init__.py
    assert not any(n.startswith(("tests/", "examples/")) or "__pycache__" in n for n in names)


def test_installed_package_runs_from_the_venv_with_its_own_data(venv: Path, tmp_path: Path) -> None:
    code = "import streamfabric as s, streamfabric.resources as r; print(s.__file__); print(r.schema_path())"
    probe = _run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    module, schema = (Path(line) for line in probe.stdout.splitlines())
    assert module.is_relative_to(venv), f"imported from {module}, not from the installed wheel"
    assert schema.is_relative_to(venv) and schema.parts[-3:] == ("_data", "schemas", "topology.schema.json")


def test_installed_cli_validates_from_another_directory(venv: Path, tmp_path: Path) -> None:
    cli = str(venv / "bin" / "streamfabric")
    ok = _run([cli, "validate", str(FESTIVAL)], cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("festival.json: valid")

    bad = _run([cli, "validate", str(INVALID)], cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr == INVALID.with_suffix(".expected").read_text(encoding="utf-8")

    version = _run([cli, "--version"], cwd=tmp_path)
    assert (version.returncode, version.stdout.strip()) == (0, f"streamfabric {streamfabric.__version__}")

"""The control API's Lambda deployment package: ``build_api_package(out_dir) -> ApiPackage``.

The zip holds what ``streamfabric.api.handler`` imports, and nothing else: streamfabric's own
modules less the ones only the CLI, deploy, rendering, reports and the emulator use (:data:`EXCLUDED`,
checked by running the routes from the unzipped package alone: tests/deploy/test_api_package.py),
and the wheels of its runtime dependencies and its ``api`` extra less those that only these or the
local server import (:data:`NOT_SHIPPED`: Jinja2 for rendering, PyYAML for deploy, shtab for
completion, Werkzeug for ``serve``), installed for the Lambda runtime's platform with pip (``--platform
manylinux2014_<arch> --only-binary=:all: --python-version 3.12 --target``; AWS Lambda Developer
Guide, "Working with .zip file archives for Python Lambda functions", section "Creating a .zip
deployment package with native libraries").

boto3 and botocore are packaged too, although the Python runtime ships them: the runtime's SDK
is whatever version AWS last put there ("Runtime-included SDK versions" in the same guide, which
recommends packaging your own SDK to control it), and the API relies on calls newer than some
of those versions (S3 ``PutObject`` with ``IfNoneMatch``, the audit log's conditional write of
August 2024). The package carries exactly the versions streamfabric was tested with.

Bytecode: every ``.py`` comes with its pyc (``__pycache__``), compiled by an interpreter of the
function's runtime, so that a cold start on Lambda's read-only task directory compiles nothing
(:mod:`.api_bytecode`). Without an interpreter of python3.12 the package is built for the runtime of
one that is there, and says so (:attr:`ApiPackage.note`, ``ApiPackage.runtime``).

Every dependency is pinned to the version installed here (the environment the tests ran in):
the top-level requirements as ``==`` pins, their whole closure as pip constraints. The same
inputs therefore give the same files, and the zip is written deterministically: entries sorted,
timestamps fixed (1980-01-01, the zip epoch), permissions 0644, pycs that depend on their source
alone, no console scripts (``bin/``, whose shebang names this machine's interpreter), no installer
records.

The wheels come from the package index (pip's own cache applies). Installed dependencies are
cached under ``~/.cache/streamfabric/lambda-deps/<key>`` (``$STREAMFABRIC_CACHE_DIR``) keyed by
the pins and the platform, so a rebuild after a code change needs no network; an unreachable
index with an empty cache is a :class:`~streamfabric.errors.PackageError` naming the way out
(a reachable index, ``--index-url``, or a prebuilt package).
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import PackageError
from ..rendering.api import LAMBDA_RUNTIME
from ..resources import data_dir
from .api_bytecode import (
    BYTECODE,
    RUNTIME_MARKER,
    Interpreter,
    choose_interpreter,
    compile_bytecode,
    find_interpreter,
    package_runtime,
)

ARCHES = {"x86_64": "x86_64", "arm64": "aarch64"}  # Lambda architecture -> manylinux machine tag
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Lambda quotas ("Lambda quotas", Developer Guide): a .zip package may unpack to 250 MB at most.
MIB = 1024 * 1024
UNZIPPED_LIMIT = 250 * MIB
# Not shipped: what neither the handler's import nor its routes reach (tests/deploy/test_api_package.py
# runs them from the unzipped package alone): the CLI (its demo too), deploy, rendering, reports, the
# emulator, the local server and ``python -m streamfabric``.
EXCLUDED = (
    "streamfabric/cli/",
    "streamfabric/deployment/",
    "streamfabric/rendering/",
    "streamfabric/reports/",
    "streamfabric/sandbox/",
    "streamfabric/api/local.py",
    "streamfabric/__main__.py",
)
# Declared requirements the function never imports: rendering's (Jinja2, and so MarkupSafe), deploy's
# (PyYAML), completion's (shtab) and the local server's (Werkzeug).
NOT_SHIPPED = frozenset({"jinja2", "pyyaml", "shtab", "werkzeug"})
DIST_INFO_DROPPED = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True, slots=True)
class ApiPackage:
    path: Path
    sha256: str
    size: int  # bytes of the zip
    unzipped_size: int  # bytes of every file in it
    files: int
    arch: str
    requirements: tuple[str, ...]
    runtime: str = LAMBDA_RUNTIME  # the Lambda runtime its wheels and bytecode are for
    note: str = ""  # why it is built for another runtime than python3.12, or has no bytecode

    def summary(self) -> str:
        return (
            f"{self.path}: {self.size / MIB:.1f} MiB ({self.unzipped_size / MIB:.1f} MiB unzipped, "
            f"{self.files} files, {self.arch}, {self.runtime}) sha256 {self.sha256}"
        )


def cache_root() -> Path:
    explicit = os.environ.get("STREAMFABRIC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "streamfabric"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> list[str]:
    """streamfabric's requirement strings: its dependencies and its ``api`` extra."""
    checkout = data_dir() / "pyproject.toml"
    if checkout.is_file():  # a source checkout: the pyproject is the truth
        import tomllib

        project = tomllib.loads(checkout.read_text(encoding="utf-8"))["project"]
        return [*project["dependencies"], *project["optional-dependencies"]["api"]]
    found = []
    for req in metadata.requires("streamfabric") or []:
        spec, _, marker = req.partition(";")
        if not marker.strip() or re.search(r"extra\s*==\s*['\"]api['\"]", marker):
            found.append(spec.strip())
    return found


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _closure(names: Iterable[str]) -> dict[str, str]:
    """canonical name -> installed version, for ``names`` and everything they require here."""
    pins: dict[str, str] = {}
    todo = list(names)
    while todo:
        name = _canonical(todo.pop())
        version = _installed(name)
        if name in pins or version is None:
            continue
        pins[name] = version
        for req in metadata.requires(name) or []:
            spec, _, marker = req.partition(";")
            match = _NAME.match(spec)
            if match and "extra" not in marker:
                todo.append(match.group(1))
    return pins


def requirements() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(requirements, constraints): the declared ones the function needs (not :data:`NOT_SHIPPED`)
    pinned to what is installed here, and the installed versions of their whole closure."""
    reqs: list[str] = []
    names: list[str] = []
    for spec in _declared():
        match = _NAME.match(spec)
        if match is None:
            raise PackageError(f"cannot read streamfabric's requirement {spec!r}")
        name = match.group(1)
        if _canonical(name) in NOT_SHIPPED:
            continue
        version = _installed(name)
        names.append(name)
        reqs.append(f"{_canonical(name)}=={version}" if version else spec.replace(" ", ""))
    pins = _closure(names)
    return tuple(sorted(reqs)), tuple(f"{n}=={v}" for n, v in sorted(pins.items()))


def _pip_install(
    target: Path,
    reqs: tuple[str, ...],
    constraints: tuple[str, ...],
    *,
    arch: str,
    python_version: str,
    index_url: str | None,
    timeout: float | None,
) -> None:
    with tempfile.TemporaryDirectory(prefix="streamfabric-pip-") as scratch:
        constraint_file = Path(scratch) / "constraints.txt"
        constraint_file.write_text("\n".join(constraints) + "\n", encoding="utf-8")
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check",
            "--target", str(target), "--platform", f"manylinux2014_{ARCHES[arch]}",
            "--implementation", "cp", "--python-version", python_version, "--only-binary=:all:",
            "--constraint", str(constraint_file),
        ]  # fmt: skip
        if index_url:
            command += ["--index-url", index_url]
        if timeout is not None:
            command += ["--timeout", str(timeout), "--retries", "0"]
        try:
            done = subprocess.run([*command, *reqs], capture_output=True, text=True, check=False)
        except OSError as exc:
            raise PackageError(f"cannot run pip ({exc}): the Lambda package is built with pip") from None
    if done.returncode != 0:
        tail = [line for line in done.stderr.splitlines() if line.strip() and "is ignored" not in line]
        detail = "\n  ".join(tail[-6:]) or f"exit code {done.returncode}"
        raise PackageError(
            f"could not get the Lambda package's wheels (manylinux2014_{ARCHES[arch]}, Python "
            f"{python_version}) from the package index{f' {index_url}' if index_url else ''}; "
            "the package needs the index (or pip's cache) the first time for these versions. "
            "Use a reachable index (--index-url, or pip's own configuration), or pass a prebuilt "
            f"package (deploy --api-package FILE).\n  pip said:\n  {detail}"
        )


def dependencies(
    *,
    arch: str = "x86_64",
    python_version: str | None = None,
    cache_dir: Path | None = None,
    index_url: str | None = None,
    timeout: float | None = None,
) -> tuple[Path, tuple[str, ...]]:
    """The directory of installed dependencies (cached) and the requirements installed in it."""
    if arch not in ARCHES:
        raise PackageError(f"unknown architecture {arch!r} (choose {' or '.join(ARCHES)})")
    version = python_version or LAMBDA_RUNTIME.removeprefix("python")
    reqs, constraints = requirements()
    key_doc = json.dumps([reqs, constraints, arch, version], separators=(",", ":"))
    key = hashlib.sha256(key_doc.encode()).hexdigest()[:20]
    root = (cache_dir or cache_root()) / "lambda-deps"
    done = root / key
    if not (done / ".complete").is_file():
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=root))
        try:
            _pip_install(
                scratch, reqs, constraints, arch=arch, python_version=version,
                index_url=index_url, timeout=timeout,
            )  # fmt: skip
            (scratch / ".complete").write_text(key_doc + "\n", encoding="utf-8")
            if done.exists():
                shutil.rmtree(done)
            scratch.rename(done)
        finally:
            if scratch.exists():
                shutil.rmtree(scratch, ignore_errors=True)
    return done, reqs


def _walk(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            yield path


def _dependency_files(deps: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in _walk(deps):
        rel = path.relative_to(deps)
        if rel.parts[0] in ("bin", ".complete") or rel.parts[0].startswith("streamfabric"):
            continue
        if rel.parts[0].endswith(".dist-info") and rel.name in DIST_INFO_DROPPED:
            continue
        files[rel.as_posix()] = path
    return files


def _own_files() -> dict[str, Path]:
    """streamfabric's modules and panel, and the JSON Schemas under ``streamfabric/_data``."""
    package = Path(__file__).resolve().parent.parent
    files: dict[str, Path] = {}
    for path in _walk(package):
        arc = "streamfabric/" + path.relative_to(package).as_posix()
        if arc.startswith("streamfabric/_data/"):
            continue
        if not any(arc == x or (x.endswith("/") and arc.startswith(x)) for x in EXCLUDED):
            files[arc] = path
    schemas = data_dir() / "schemas"
    for path in _walk(schemas):
        files["streamfabric/_data/schemas/" + path.relative_to(schemas).as_posix()] = path
    return files


def write_zip(path: Path, files: dict[str, Path]) -> None:
    """A deterministic zip: sorted entries, fixed time and permissions, deflate level 9."""
    with zipfile.ZipFile(path, "w") as archive:
        for arc in sorted(files):
            info = zipfile.ZipInfo(arc, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.create_system = 3  # Unix, so the permissions are read as such
            archive.writestr(info, files[arc].read_bytes(), compresslevel=9)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_arch(archive: zipfile.ZipFile) -> str:
    """The Lambda architecture the package's compiled wheels were built for, from the ``Tag:``
    lines of their ``*.dist-info/WHEEL`` files (Python Packaging User Guide, "Binary distribution
    format"; ``manylinux2014_x86_64`` / ``..._aarch64``): ``""`` when every wheel is pure Python
    (it runs on both). A package mixing both is refused: it would fail on either."""
    found: set[str] = set()
    for name in archive.namelist():
        if name.endswith(".dist-info/WHEEL") and name.count("/") == 1:
            for line in archive.read(name).decode("utf-8", "replace").splitlines():
                if line.startswith("Tag:"):
                    found |= {lam for lam, machine in ARCHES.items() if line.rstrip().endswith(machine)}
    if len(found) > 1:
        raise PackageError(f"wheels for both {' and '.join(sorted(found))}: build it with package-api --arch")
    return found.pop() if found else ""


def describe(
    path: Path, *, arch: str = "", reqs: tuple[str, ...] = (), runtime: str = "", note: str = ""
) -> ApiPackage:
    """An existing package zip: its digest and sizes (a prebuilt one is checked to be a zip) and,
    unless given, its architecture (:func:`wheel_arch`) and runtime (:func:`package_runtime`)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            try:
                arch = arch or wheel_arch(archive)
                runtime = runtime or package_runtime(archive)
            except PackageError as exc:
                raise PackageError(f"{path}: {exc}") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageError(f"{path}: not a readable zip ({exc})") from None
    if not any(i.filename == "streamfabric/api/handler.py" for i in infos):
        raise PackageError(f"{path}: not a streamfabric API package (no streamfabric/api/handler.py)")
    unzipped = sum(i.file_size for i in infos)
    if unzipped > UNZIPPED_LIMIT:
        raise PackageError(
            f"{path}: {unzipped / MIB:.0f} MiB unzipped, over Lambda's {UNZIPPED_LIMIT / MIB:.0f} MiB limit"
        )
    return ApiPackage(
        path, _sha256(path), path.stat().st_size, unzipped, len(infos), arch, reqs, runtime, note
    )


def _content_key(deps_key: str, files: dict[str, Path]) -> str:
    digest = hashlib.sha256(deps_key.encode())
    for arc in sorted(files):
        digest.update(arc.encode() + b"\0" + files[arc].read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def build_api_package(
    out_dir: Path,
    *,
    arch: str = "x86_64",
    cache_dir: Path | None = None,
    index_url: str | None = None,
    timeout: float | None = None,
    reuse: bool = True,
    python_version: str | None = None,
) -> ApiPackage:
    """Build ``<out_dir>/streamfabric-api-<arch>.zip`` (see the module's docstring).
    ``reuse``: copy the zip built before from the same dependencies, the same streamfabric files and
    the same interpreter (kept in the cache) instead of compiling and zipping again.
    ``python_version``: the runtime's version wanted ("3.12", the default), see
    :func:`choose_interpreter`; the package's ``runtime`` and ``note`` say what it was built for."""
    interpreter, note = choose_interpreter(python_version)
    version = (
        interpreter.version if interpreter else (python_version or LAMBDA_RUNTIME.removeprefix("python"))
    )
    deps, reqs = dependencies(
        arch=arch, python_version=version, cache_dir=cache_dir, index_url=index_url, timeout=timeout
    )
    own = _own_files()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"streamfabric-api-{arch}.zip"
    compiled_by = f"{interpreter.patch},{BYTECODE}" if interpreter else "no bytecode"
    key = _content_key(f"{deps.name},python{version},{compiled_by}", own)
    cached = (cache_dir or cache_root()) / "api-packages" / f"{key}.zip"
    fd, scratch = tempfile.mkstemp(prefix=".api-", suffix=".zip", dir=out_dir)
    os.close(fd)
    try:
        if reuse and cached.is_file():
            shutil.copyfile(cached, scratch)
        else:
            with tempfile.TemporaryDirectory(prefix="streamfabric-build-") as build:
                marker = Path(build) / "runtime.txt"
                marker.write_text(f"python{version}\n", encoding="utf-8")
                files = {**_dependency_files(deps), **own, RUNTIME_MARKER: marker}
                if interpreter is not None:
                    files |= compile_bytecode(interpreter, files, Path(build) / "pyc")
                write_zip(Path(scratch), files)
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(scratch, f"{cached}.tmp")
            os.replace(f"{cached}.tmp", cached)
        os.replace(scratch, final)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return describe(final, arch=arch, reqs=reqs, runtime=f"python{version}", note=note)


__all__ = [
    "ARCHES",
    "MIB",
    "NOT_SHIPPED",
    "RUNTIME_MARKER",
    "UNZIPPED_LIMIT",
    "ApiPackage",
    "Interpreter",
    "build_api_package",
    "cache_root",
    "choose_interpreter",
    "compile_bytecode",
    "describe",
    "find_interpreter",
    "package_runtime",
]

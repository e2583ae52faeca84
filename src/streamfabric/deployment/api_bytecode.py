"""The control API package's bytecode and runtime (:mod:`.api_package` builds the package).

Lambda's task directory is read-only: without ``__pycache__`` in the zip, every cold start compiles
every module the handler imports (2-3x the import time of an installed environment). So every
``.py`` in the package is compiled by an interpreter of the function's runtime
(:func:`find_interpreter`), as unchecked-hash pycs (PEP 552: valid whatever the extracted files'
dates; the sources stay, for tracebacks) whose embedded paths are the ones on Lambda
(``/var/task/<name in the zip>``, as compileall's ``ddir``).

Deterministically, and each pyc from its source alone: what marshal writes depends on which
objects are shared, and that on what the process compiled before. With Python 3.12, a frozenset
constant used twice in a module (``key in {"A", "B"}`` in two functions) is written once and then
referred to, unless one of its strings had been interned by an earlier compilation (another file
naming ``"A"``): then it is written twice. So each file is
compiled in a child forked for it from a process that compiles nothing (PYTHONHASHSEED=0 too):
its pyc depends on its source and the interpreter only, whatever else is built with it (POSIX
only, as streamfabric is; tests/deploy/test_api_bytecode.py checks a pyc is the same built alone or
with others, and two builds in two processes with different hash seeds byte-identical).

Where no interpreter of the default runtime is found, the package is built for the runtime of one
that is (:func:`choose_interpreter`, with a note saying so); the runtime is recorded in the zip
(:data:`RUNTIME_MARKER`) and read back from a prebuilt one (:func:`package_runtime`), and the API
stack's ``CodeRuntime`` follows it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import PackageError
from ..rendering.api import LAMBDA_RUNTIME, LAMBDA_RUNTIMES

RUNTIME_MARKER = "streamfabric/_data/lambda-runtime.txt"  # the runtime the package was built for
BYTECODE = "unchecked-hash,/var/task,fork"  # how the pycs are made (part of the reuse key)


@dataclass(frozen=True, slots=True)
class Interpreter:
    """A Python interpreter that compiles the package's bytecode."""

    path: str
    version: str  # "3.12"
    patch: str  # "3.12.1": the reuse key (bytecode may change between patch releases)

    @property
    def runtime(self) -> str:
        return f"python{self.version}"


_PROBE = "import sys; v = sys.version_info; print(f'{v[0]}.{v[1]} {v[0]}.{v[1]}.{v[2]}')"


def _probe(path: str) -> Interpreter | None:
    try:
        done = subprocess.run(
            [path, "-S", "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    words = done.stdout.split()
    return Interpreter(path, words[0], words[1]) if done.returncode == 0 and len(words) == 2 else None


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def _candidates(version: str) -> Iterator[str]:
    explicit = os.environ.get("STREAMFABRIC_LAMBDA_PYTHON")
    if explicit:
        yield explicit
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        yield sys.executable
    on_path = shutil.which(f"python{version}")
    if on_path:
        yield on_path
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = sorted(pyenv.glob(f"{version}.*/bin/python{version}"), key=lambda p: _numbers(p.parts[-3]))
    yield from (str(path) for path in reversed(found))


def find_interpreter(version: str) -> Interpreter | None:
    """An interpreter of Python ``version`` ("3.12"): ``$STREAMFABRIC_LAMBDA_PYTHON``, this one,
    ``python3.12`` on PATH, pyenv's newest 3.12.x; the first that runs and is of that version."""
    for path in _candidates(version):
        found = _probe(path)
        if found is not None and found.version == version:
            return found
    return None


def choose_interpreter(version: str | None = None) -> tuple[Interpreter | None, str]:
    """(interpreter, note): one of ``version`` (the default runtime's), else one of another Lambda
    runtime (this interpreter's first, then the newest) with a note saying so; (None, note) if no
    interpreter of any Lambda runtime is there: the package then has no bytecode."""
    wanted = version or LAMBDA_RUNTIME.removeprefix("python")
    found = find_interpreter(wanted)
    if found is not None:
        return found, ""
    looked = f"$STREAMFABRIC_LAMBDA_PYTHON, python{wanted} on PATH, pyenv's versions"
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    others = sorted(
        (r.removeprefix("python") for r in LAMBDA_RUNTIMES), key=lambda v: (v != here, _numbers(v))
    )
    for other in (v for v in others if v != wanted):
        found = find_interpreter(other)
        if found is not None:
            return found, (
                f"no Python {wanted} interpreter found ({looked}): the package is built for "
                f"{found.runtime} with {found.path}, and the API's function runs {found.runtime}"
            )
    return None, (
        f"no Python {wanted} interpreter found ({looked}), nor one of another Lambda runtime "
        f"({', '.join(LAMBDA_RUNTIMES)}): the package has no bytecode, so every cold start compiles "
        "what it imports"
    )


# Run by the runtime's interpreter (``-S -s``, PYTHONHASHSEED=0): reads NUL-separated (source, name
# in the zip) pairs and writes each pyc under argv[1] where the runtime looks for it, compiled in a
# child forked for it from this process, which compiles nothing itself. Exit 1 if one could not be
# written; a source that does not compile (none here) gets no pyc, as with pip or compileall.
_COMPILE = """
import os, sys
from importlib._bootstrap_external import _code_to_hash_pyc
from importlib.util import cache_from_source, source_hash

def one(source, name, out):
    with open(source, "rb") as stream:
        data = stream.read()
    try:
        code = compile(data, "/var/task/" + name, "exec", dont_inherit=True)
    except SyntaxError:
        return
    target = os.path.join(out, cache_from_source(name))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as stream:
        stream.write(_code_to_hash_pyc(code, source_hash(data), False))

out, items, failed = sys.argv[1], sys.stdin.buffer.read().split(b"\\0"), 0
for source, name in zip(items[0::2], items[1::2]):
    pid = os.fork()
    if pid == 0:
        try:
            one(os.fsdecode(source), name.decode(), out)
        except BaseException as exc:
            sys.stderr.write(f"{name.decode()}: {exc!r}\\n")
            os._exit(1)
        os._exit(0)
    failed |= os.waitpid(pid, 0)[1]
sys.exit(1 if failed else 0)
"""


def compile_bytecode(interpreter: Interpreter, files: dict[str, Path], out: Path) -> dict[str, Path]:
    """The pycs of the ``.py`` files among ``files`` (name in the zip -> path), compiled by
    ``interpreter`` into ``out``: name in the zip -> path (see the module's docstring)."""
    sources = sorted(arc for arc in files if arc.endswith(".py"))
    feed = b"".join(os.fsencode(files[arc]) + b"\0" + arc.encode() + b"\0" for arc in sources)
    env = {"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [interpreter.path, "-S", "-s", "-c", _COMPILE, str(out)]
    try:
        done = subprocess.run(command, input=feed, capture_output=True, env=env, check=False)
    except OSError as exc:
        raise PackageError(
            f"cannot run {interpreter.path} to compile the package's bytecode ({exc})"
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise PackageError(f"{interpreter.path} could not compile the package's bytecode: {detail}")
    return {path.relative_to(out).as_posix(): path for path in sorted(out.rglob("*.pyc"))}


_PYC_TAG = re.compile(r"(?:^|/)__pycache__/[^/]+\.cpython-3(\d+)\.pyc$")
_WHEEL_CP = re.compile(r"^Tag:\s*cp3(\d+)-cp3(\d+)-")  # cp312-cp312-...; not abi3 (cp38-abi3-...)


def package_runtime(archive: zipfile.ZipFile) -> str:
    """The Lambda runtime the package was built for: its :data:`RUNTIME_MARKER`, the tag of its
    bytecode (``__pycache__/*.cpython-312.pyc``) and of its version-specific wheels (``Tag:
    cp312-cp312-...``); python3.12 when none says (pure Python, no bytecode: it runs on any). A
    package built for two is refused, and so is one for a runtime the API stack does not offer."""
    names = archive.namelist()
    found = {f"python3.{m.group(1)}" for name in names if (m := _PYC_TAG.search(name))}
    if RUNTIME_MARKER in names:
        found.add(archive.read(RUNTIME_MARKER).decode("utf-8", "replace").strip())
    for name in names:
        if name.endswith(".dist-info/WHEEL") and name.count("/") == 1:
            for line in archive.read(name).decode("utf-8", "replace").splitlines():
                if (m := _WHEEL_CP.match(line)) and m.group(1) == m.group(2):
                    found.add(f"python3.{m.group(1)}")
    if len(found) > 1:
        raise PackageError(f"built for both {' and '.join(sorted(found))}: build it again with package-api")
    runtime = found.pop() if found else LAMBDA_RUNTIME
    if runtime not in LAMBDA_RUNTIMES:
        raise PackageError(
            f"built for {runtime}, not one of the Lambda runtimes {', '.join(LAMBDA_RUNTIMES)}"
        )
    return runtime


__all__ = [
    "BYTECODE",
    "RUNTIME_MARKER",
    "Interpreter",
    "choose_interpreter",
    "compile_bytecode",
    "find_interpreter",
    "package_runtime",
]

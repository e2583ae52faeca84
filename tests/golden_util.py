"""Golden-file comparison shared by the render tests (Terraform, CloudFormation, ...).

``assert_golden(name, files)`` compares a ``{relative path: text}`` mapping byte-for-byte with the
files stored under ``tests/golden/<name>/``. Set ``STREAMFABRIC_UPDATE_GOLDEN=1`` to (re)write them
instead; stale files in that directory are then removed. Without the variable, a missing, differing
or extra golden file fails the test with a short unified diff.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path, PurePosixPath

GOLDEN_ROOT = Path(__file__).resolve().parent / "golden"
UPDATE_ENV = "STREAMFABRIC_UPDATE_GOLDEN"


def _safe_relative(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if not path or rel.is_absolute() or ".." in rel.parts or str(rel) != path.rstrip("/"):
        raise ValueError(f"golden path must be a clean relative path: {path!r}")
    return rel


def updating() -> bool:
    return os.environ.get(UPDATE_ENV) == "1"


def golden_dir(name: str) -> Path:
    return GOLDEN_ROOT / _safe_relative(name)


def _existing(directory: Path) -> set[str]:
    if not directory.is_dir():
        return set()
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def _diff(path: str, expected: str, actual: str, limit: int = 60) -> str:
    lines = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"golden/{path}",
            tofile=f"rendered/{path}",
        )
    )
    more = f"... ({len(lines) - limit} more diff lines)\n" if len(lines) > limit else ""
    return "".join(lines[:limit]) + more


def assert_golden(name: str, files: dict[str, str]) -> None:
    """Compare ``files`` with ``tests/golden/<name>/`` (or write them when STREAMFABRIC_UPDATE_GOLDEN=1)."""
    directory = golden_dir(name)
    for path in files:
        _safe_relative(path)
    if updating():
        for stale in sorted(_existing(directory) - set(files)):
            (directory / stale).unlink()
        for path, text in files.items():
            target = directory / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        return

    problems: list[str] = []
    existing = _existing(directory)
    for path in sorted(files):
        target = directory / path
        if path not in existing:
            problems.append(f"missing golden file {target}")
            continue
        expected = target.read_bytes()
        actual = files[path].encode("utf-8")
        if expected != actual:
            problems.append(
                f"{path} differs from golden:\n"
                + _diff(path, expected.decode("utf-8", "replace"), files[path])
            )
    problems.extend(f"extra golden file not rendered: {directory / p}" for p in sorted(existing - set(files)))
    if problems:
        raise AssertionError(
            f"golden output {name!r} does not match ({UPDATE_ENV}=1 regenerates it):\n" + "\n".join(problems)
        )

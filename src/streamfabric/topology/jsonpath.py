"""JSON paths as users read them (``$.ingests[3].port``) and a sort key that orders them naturally."""

from __future__ import annotations

import re
from collections.abc import Iterable

PathPart = int | str
_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")
MAX_KEY = 64  # longer (hostile) keys are cut, with "..."


def _escape(char: str) -> str:
    if char.isascii() and char.isprintable():
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def format_path(parts: Iterable[PathPart]) -> str:
    """Keys are shown as typed when they are identifiers; otherwise quoted, with anything that is not
    printable ASCII escaped (no control characters or look-alike letters reach a terminal)."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENT.match(part) and len(part) <= MAX_KEY:
            out.append(f".{part}")
        else:
            cut = part[:MAX_KEY]
            escaped = "".join(_escape(c) for c in cut.replace("\\", "\\\\").replace("'", "\\'"))
            out.append(f"['{escaped}{'...' if len(part) > MAX_KEY else ''}']")
    return "".join(out)


def sort_key(parts: Iterable[PathPart]) -> tuple[tuple[int, int | str], ...]:
    """Indexes sort numerically (``[9]`` before ``[10]``); keys alphabetically."""
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in parts)

"""JSON paths as users read them (``$.ingests[3].port``) and a sort key that orders them naturally."""

from __future__ import annotations

import re
from collections.abc import Iterable

PathPart = int | str
_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def format_path(parts: Iterable[PathPart]) -> str:
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENT.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped[:64])
            out.append(f"['{escaped}']")
    return "".join(out)


def sort_key(parts: Iterable[PathPart]) -> tuple[tuple[int, int | str], ...]:
    """Indexes sort numerically (``[9]`` before ``[10]``); keys alphabetically."""
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in parts)

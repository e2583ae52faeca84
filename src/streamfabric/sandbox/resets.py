"""What ``POST /moto-api/reset`` also forgets: every piece of the emulator's own state.

moto's reset clears its backends; the emulator keeps state of its own beside them (encoders, flow
histories, DELETING windows, maintenance restarts, token buckets, the strictness settings). Each
module that keeps some registers its ``reset`` here when it is imported, and :func:`after_moto_reset`
(wrapped around moto's ``MotoAPIBackend.reset`` by :mod:`.patching`) runs them all, in the order
they registered. The emulator's own API, not AWS's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_resets: list[Callable[[], None]] = []


def register(reset: Callable[[], None]) -> Callable[[], None]:
    """Run ``reset`` on every moto reset (once per function, however often it registers)."""
    with _lock:
        if reset not in _resets:
            _resets.append(reset)
    return reset


def reset_all() -> None:
    with _lock:
        resets = list(_resets)
    for reset in resets:
        reset()


def after_moto_reset(original: Callable[[Any], None], backend: Any) -> None:
    """``POST /moto-api/reset``: moto's backends, then the emulator's own state."""
    original(backend)
    reset_all()

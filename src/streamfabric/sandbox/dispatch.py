"""Speed, not behaviour: moto's server finds the backend for a request's host once per host.

moto's ``DomainDispatcherApplication.get_backend_for_host`` answers from the host name alone (the
name of a moto module, else the first backend whose URL pattern matches ``http://<host>``), and
moto asks it twice for every request, trying every pattern of every backend each time: about a
quarter of the emulator's CPU in a deploy. :func:`backend_for_host` (wrapped around it by
:mod:`.patching`) remembers each host's answer per application, so every request is still routed
exactly as moto routes it. AWS documents nothing here: this is how the emulator dispatches, not
what an AWS endpoint does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_CACHE = "_streamfabric_backend_for_host"


def backend_for_host(original: Callable[[Any, str | None], Any], app: Any, host: str | None) -> Any:
    """moto's answer for ``host``, asked once per application."""
    cache: dict[str | None, Any] = app.__dict__.setdefault(_CACHE, {})
    if host not in cache:
        cache[host] = original(app, host)
    return cache[host]

"""Speed, not behaviour: moto's server finds the backend for a request's host once per host.

moto's ``DomainDispatcherApplication.get_backend_for_host`` answers from the host name alone (the
name of a moto module, else the first backend whose URL pattern matches ``http://<host>``), and
moto asks it twice for every request, trying every pattern of every backend each time: about a
quarter of the emulator's CPU in a deploy. :func:`install` remembers each host's answer per
application, so every request is still routed exactly as moto routes it. AWS documents nothing
here: this is how the emulator dispatches, not what an AWS endpoint does.
"""

from __future__ import annotations

from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_MARK = "_streamfabric_cached"
_CACHE = "_streamfabric_backend_for_host"


def install() -> None:
    """Wrap ``get_backend_for_host`` with a per-application memo (idempotent)."""
    original = DomainDispatcherApplication.get_backend_for_host
    if getattr(original, _MARK, False):
        return

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        cache: dict[str | None, Any] = self.__dict__.setdefault(_CACHE, {})
        if host not in cache:
            cache[host] = original(self, host)
        return cache[host]

    setattr(get_backend_for_host, _MARK, True)
    get_backend_for_host.__wrapped__ = original  # type: ignore[attr-defined]
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]

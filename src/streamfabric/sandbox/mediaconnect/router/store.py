"""The emulator's router resources, their states and the transitions that happen after a request.

*Where they live.* MediaConnect User Guide, *Managing router I/Os*
(https://docs.aws.amazon.com/mediaconnect/latest/ug/managing-router-io.html): "manage them all from
one place, even if they're in different AWS Regions". So router resources are kept per account, not
per regional backend: each has the ``regionName`` it was created for (the request's ``regionName``,
else the endpoint's Region, as CreateRouterInput's reference says), any regional endpoint reads them
by ARN, and List operations return every Region's unless filtered by ``regionNames``.

*States.* User Guide, *MediaConnect router I/O states*
(https://docs.aws.amazon.com/mediaconnect/latest/ug/io-state-changes.html): Creating, then Standby;
Starting and Stopping between Standby and Active; Deleting at the end. A router network interface
is CREATING, then ACTIVE (API Reference, ``RouterNetworkInterfaceState``). AWS documents no
duration: each transition lasts ``reads`` reads of the resource and at least ``seconds`` (defaults:
1 read, 0 s: deterministic for tests, never instantaneous; :func:`configure` changes them).

*Routes.* API Reference, TakeRouterInput
(https://docs.aws.amazon.com/mediaconnect/latest/api/API_TakeRouterInput.html): 202 with
``routedState`` of ``ROUTED | ROUTING | UNROUTED``. A take leaves the output ROUTING for the
``routing`` transition, then ROUTED (UNROUTED for a take without an input); media follows only then
(:mod:`.operations`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Timing:
    """How long one transition lasts: ``reads`` reads of the resource and at least ``seconds``."""

    reads: int = 1
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Timings:
    creating: Timing = Timing()
    starting: Timing = Timing()
    stopping: Timing = Timing()
    routing: Timing = Timing()


@dataclass(slots=True)
class Transition:
    """A change the service makes after answering: ``then`` runs when the transition ends."""

    reads: int
    until: float
    then: Callable[[], None]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(slots=True)
class Resource:
    """What router network interfaces, inputs and outputs share."""

    arn: str
    id: str
    name: str
    region: str
    state: str
    configuration: dict[str, Any]
    tags: dict[str, str]
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    transitions: list[Transition] = field(default_factory=list)

    def touch(self) -> None:
        self.updated_at = now_iso()


@dataclass(slots=True)
class NetworkInterface(Resource):
    interface_type: str = "PUBLIC"


@dataclass(slots=True)
class RouterInput(Resource):
    input_type: str = "STANDARD"
    availability_zone: str = ""
    maximum_bitrate: int = 0
    routing_scope: str = "REGIONAL"
    tier: str = "INPUT_20"
    transit_encryption: dict[str, Any] = field(default_factory=dict)
    maintenance: dict[str, Any] = field(default_factory=dict)
    ip_address: str | None = None
    schedule: dict[str, Any] | None = None  # MaintenanceSchedule once started


@dataclass(slots=True)
class RouterOutput(Resource):
    output_type: str = "STANDARD"
    availability_zone: str = ""
    maximum_bitrate: int = 0
    routing_scope: str = "REGIONAL"
    tier: str = "OUTPUT_20"
    maintenance: dict[str, Any] = field(default_factory=dict)
    ip_address: str | None = None
    routed_state: str = "UNROUTED"
    routed_input_arn: str | None = None
    schedule: dict[str, Any] | None = None


@dataclass(slots=True)
class _Account:
    interfaces: dict[str, NetworkInterface] = field(default_factory=dict)
    inputs: dict[str, RouterInput] = field(default_factory=dict)
    outputs: dict[str, RouterOutput] = field(default_factory=dict)


@dataclass(slots=True)
class _Registry:
    timings: Timings = Timings()
    accounts: dict[str, _Account] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


_REGISTRY = _Registry()
LOCK = _REGISTRY.lock  # every operation runs under it (the server is threaded)


def account(account_id: str) -> _Account:
    with LOCK:
        return _REGISTRY.accounts.setdefault(account_id, _Account())


def timings() -> Timings:
    return _REGISTRY.timings


def configure(new: Timings) -> None:
    """Set how long later transitions last."""
    with LOCK:
        _REGISTRY.timings = new


def reset() -> None:
    """Forget every router resource and restore the default timings (``POST /moto-api/reset``)."""
    with LOCK:
        _REGISTRY.accounts.clear()
        _REGISTRY.timings = Timings()


def begin(resource: Resource, timing: Timing, then: Callable[[], None]) -> None:
    """Start a transition of ``resource``; it ends after ``timing`` (:func:`settle`)."""
    resource.transitions.append(Transition(timing.reads, time.monotonic() + timing.seconds, then))


def settle(resource: Resource, read: bool = True) -> Resource:
    """One read of ``resource``: its first transition counts the read and ends when it is due.

    The service's own look-ups (``read=False``: an interface an input is created on, the output of a
    take) count no read, so a client sees each transition for its reads."""
    while resource.transitions:
        first = resource.transitions[0]
        first.reads -= 1 if read else 0
        if first.reads > 0 or time.monotonic() < first.until:
            break
        resource.transitions.pop(0)
        first.then()
        resource.touch()
        if resource.transitions:  # the next one starts counting from the next read
            break
    return resource


def in_transition(resource: Resource) -> bool:
    return bool(resource.transitions)


def after_moto_reset(original: Callable[[Any], None], backend: Any) -> None:
    """``POST /moto-api/reset`` also forgets the router resources."""
    original(backend)
    reset()


__all__ = [
    "LOCK",
    "NetworkInterface",
    "Resource",
    "RouterInput",
    "RouterOutput",
    "Timing",
    "Timings",
    "account",
    "after_moto_reset",
    "begin",
    "configure",
    "in_transition",
    "reset",
    "settle",
    "timings",
]

"""Protection of a hub flow (``streamfabric protect``): while Live or Preview is protected, every
switch or take of it is refused for everyone, and so is a deploy that would re-point or interrupt
it, until the identity that protected it unprotects it or the protection expires by itself.

One document per hub flow beside the runtime state, ``<runtime state>.protect.live`` and
``.protect.preview`` (an S3 object, or a local file for a local state): role, owner (the identity
the audit log records as ``caller``), reason, since, until, id. It is written only by
compare-and-swap (:mod:`.conditional`, as the deploy lease is): a protect creates it with
``If-None-Match: *``, so of two operators protecting one flow at once exactly one wins and the other
is refused naming the winner; the owner protecting again (to extend it) or anyone replacing an
expired one writes with ``If-Match`` on the version read; an unprotect deletes it with ``If-Match``.

A protection lasts at most :data:`MAX_DURATION` (4 hours; the default when no ``until`` is given):
a protection whose ``until`` has passed is no protection, whoever left it behind.

The first part of this module is pure (the document, ``until`` parsing, the decisions); the second
reads and writes the documents.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from ..aws.gateway import AwsGateway
from ..errors import NotProtectorError, ProtectedError, UsageError
from .conditional import VersionedStore, open_store

MAX_DURATION = timedelta(hours=4)  # the longest a protection lasts; the default duration too
ROLES = ("live", "preview")
_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_TIME_OF_DAY = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?Z?$")


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Protection:
    role: str  # "live" | "preview"
    owner: str  # who protected it: the identity audit records name as caller
    reason: str
    since: str  # UTC, ISO 8601
    until: str  # UTC, ISO 8601
    id: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Protection | None:
        """The document, or None when it is not one (an unreadable document protects nothing)."""
        try:
            raw = json.loads(text)
            found = cls(**{k: str(raw[k]) for k in ("role", "owner", "reason", "since", "until", "id")})
            _parse_stamp(found.until)
        except (ValueError, KeyError, TypeError):
            return None
        return found

    def active(self, now: datetime) -> bool:
        return _parse_stamp(self.until) > now

    def describe(self) -> str:
        """``live is protected by <owner> until <time> UTC (<reason>)``."""
        until = self.until.replace("T", " ").replace("Z", " UTC")
        why = self.reason or "no reason given"
        return f"{self.role} is protected by {self.owner} until {until} ({why})"


def parse_until(text: str, now: datetime, maximum: timedelta = MAX_DURATION) -> datetime:
    """When a protection asked for with ``--until TEXT`` ends: a duration (``90m``, ``2h``,
    ``1h30m``, ``45s``), a UTC time of day (``21:30``: its next occurrence), or an ISO 8601 date and
    time (``2026-07-04T21:30:00Z``; without an offset, UTC). UsageError when it is not one of these,
    not in the future, or more than ``maximum`` away."""
    text = text.strip()
    duration, of_day = _DURATION.match(text), _TIME_OF_DAY.match(text)
    when: datetime
    if text and duration:
        parts = {k: int(v or 0) for k, v in duration.groupdict().items()}
        when = now + timedelta(hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    elif of_day:
        try:
            clock = time(int(of_day["h"]), int(of_day["m"]), int(of_day["s"] or 0), tzinfo=UTC)
        except ValueError:
            raise UsageError(f"--until {text!r}: not a time of day (HH:MM, UTC)") from None
        when = datetime.combine(now.astimezone(UTC).date(), clock)
        if when <= now:
            when += timedelta(days=1)
    else:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"--until {text!r}: expected a duration (90m, 2h), a UTC time of day (21:30) "
                "or an ISO 8601 time (2026-07-04T21:30:00Z)"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return check_until(when, now, maximum, given=text)


def check_until(
    when: datetime, now: datetime, maximum: timedelta = MAX_DURATION, given: str = ""
) -> datetime:
    """``when`` (UTC, to the second) if it is in the future and at most ``maximum`` away."""
    shown = given or stamp(when)
    when = when.astimezone(UTC).replace(microsecond=0)
    if when <= now:
        raise UsageError(f"--until {shown}: {stamp(when)} is not in the future")
    if when - now > maximum + timedelta(seconds=1):
        hours = maximum.total_seconds() / 3600
        raise UsageError(
            f"--until {shown}: {stamp(when)} is more than {hours:g} h away; a protection lasts at most "
            f"{hours:g} h (protect again before it ends to extend it)"
        )
    return when


def new_protection(role: str, owner: str, reason: str, now: datetime, until: datetime | None) -> Protection:
    """A protection of ``role`` by ``owner`` from ``now`` to ``until`` (default: the maximum)."""
    if role not in ROLES:
        raise UsageError(f"unknown flow {role!r} (live or preview)")
    end = check_until(until, now) if until is not None else now + MAX_DURATION
    return Protection(role, owner, reason, stamp(now), stamp(end), uuid.uuid4().hex[:16])


def refuse_protect(existing: Protection | None, wanted: Protection, now: datetime) -> ProtectedError | None:
    """Why ``wanted`` may not replace ``existing`` (another identity's live protection), or None."""
    if existing is None or not existing.active(now) or existing.owner == wanted.owner:
        return None
    return ProtectedError(
        f"cannot protect {wanted.role}: {existing.describe()}; nothing was changed",
        protection=existing.to_dict(),
    )


def refuse_unprotect(existing: Protection, caller: str) -> NotProtectorError | None:
    """Why ``caller`` may not lift ``existing`` (only its owner may), or None."""
    if existing.owner == caller:
        return None
    return NotProtectorError(
        f"cannot unprotect {existing.role}: {existing.describe()}; only {existing.owner} can "
        f"unprotect it (you are {caller}), or it ends by itself then; nothing was changed",
        protection=existing.to_dict(),
    )


def refusal(protection: Protection, what: str) -> ProtectedError:
    """The refusal of ``what`` (``switch live to nyc-studio``, ``take``) by an active protection."""
    return ProtectedError(
        f"{what} refused: {protection.describe()}; nothing was changed "
        f"(only {protection.owner} can unprotect it: streamfabric unprotect {protection.role})",
        protection=protection.to_dict(),
    )


# -- the documents -------------------------------------------------------------------------------
def protection_uri(state_uri: str, role: str) -> str:
    return f"{state_uri}.protect.{role}"


def _store(gateway: AwsGateway, state_uri: str, role: str) -> VersionedStore:
    return open_store(gateway, protection_uri(state_uri, role))


def _read(store: VersionedStore) -> tuple[Protection | None, str | None]:
    found = store.read()
    if found is None:
        return None, None
    return Protection.from_json(found[0]), found[1]


def read_protection(gateway: AwsGateway, state_uri: str, role: str, now: datetime) -> Protection | None:
    """The protection of ``role`` in force at ``now``, if any (one read)."""
    found, _ = _read(_store(gateway, state_uri, role))
    return found if found is not None and found.active(now) else None


def active_protections(gateway: AwsGateway, state_uri: str, now: datetime) -> dict[str, Protection]:
    """The protections in force at ``now``, by role (what a deploy checks)."""
    found = {role: read_protection(gateway, state_uri, role, now) for role in ROLES}
    return {role: p for role, p in found.items() if p is not None}


def write_protection(gateway: AwsGateway, state_uri: str, wanted: Protection, now: datetime) -> Protection:
    """Protect: ``wanted`` is written unless another identity's protection is in force (then
    ProtectedError naming it). Of two writers at once exactly one wins: the other is refused
    naming the winner. The owner's own protection is extended (its ``since`` kept)."""
    store = _store(gateway, state_uri, wanted.role)
    if store.put(wanted.to_json(), None) is not None:
        return wanted
    for _ in range(3):  # the document exists (or was just deleted): compare, then swap
        existing, version = _read(store)
        refused = refuse_protect(existing, wanted, now)
        if refused is not None:
            raise refused
        written = wanted
        if existing is not None and existing.active(now):  # our own: extended
            written = replace(wanted, since=existing.since, id=existing.id)
        if store.put(written.to_json(), version) is not None:
            return written
    existing, _ = _read(store)
    if existing is not None:
        raise ProtectedError(
            f"cannot protect {wanted.role}: it changed while it was protected "
            f"({existing.describe()}); nothing was changed",
            protection=existing.to_dict(),
        )
    raise ProtectedError(f"cannot protect {wanted.role}: it kept changing; try again", protection={})


def remove_protection(
    gateway: AwsGateway, state_uri: str, role: str, caller: str, now: datetime
) -> Protection | None:
    """Unprotect: the protection lifted, or None when ``role`` was not protected. NotProtectorError
    when another identity protected it. An expired document left behind is removed by anyone."""
    if role not in ROLES:
        raise UsageError(f"unknown flow {role!r} (live or preview)")
    store = _store(gateway, state_uri, role)
    for _ in range(3):
        existing, version = _read(store)
        if version is None:
            return None
        if existing is not None and existing.active(now):
            refused = refuse_unprotect(existing, caller)
            if refused is not None:
                raise refused
        if store.delete(version):
            return existing if existing is not None and existing.active(now) else None
    raise ProtectedError(f"cannot unprotect {role}: it kept changing; try again", protection={})


__all__ = [
    "MAX_DURATION",
    "ROLES",
    "Protection",
    "active_protections",
    "check_until",
    "new_protection",
    "parse_until",
    "protection_uri",
    "read_protection",
    "refusal",
    "refuse_protect",
    "refuse_unprotect",
    "remove_protection",
    "write_protection",
]

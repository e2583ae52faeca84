"""protect / unprotect, and the refusal of switches and takes of a protected flow.

The protections themselves, and how they are written (compare-and-swap beside the runtime state,
expiring by themselves): :mod:`streamfabric.state.protection`. Here they meet the Switcher: who
the caller is (the identity the audit log records), and the audit log itself — a protect, an
unprotect and every refusal are records there, beside the switches (``history`` lists them).

Every switch and take reads the protection of the flows it would change (one read of a small
document per flow: a local file, or one S3 GetObject), so a protection made by any process — the
CLI, another panel, the API's Lambda — holds for every other at once. A protection that cannot be
read refuses the switch (it fails closed: "cannot tell whether live is protected"); ``status``
reports it as a warning instead. MediaConnect has no conditional update: a switch already past
its check when a protection lands still completes (the audit log shows the order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from ..aws.gateway import AwsGateway
from ..errors import AwsError, ProtectedError, SwitchError
from ..state.protection import (
    ROLES,
    Protection,
    new_protection,
    parse_until,
    read_protection,
    refusal,
    remove_protection,
    write_protection,
)
from .recording import Attempt, Recorder


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class FlowProtections:
    """The protections of one topology's Live and Preview (``state_uri``: where its runtime state
    is; ``caller``: who a record names when the request does not say)."""

    def __init__(
        self,
        gateway: AwsGateway,
        state_uri: Callable[[], str],
        recorder: Recorder,
        caller: Callable[[], str],
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.gateway, self.state_uri, self.recorder, self.caller, self.now = (
            gateway, state_uri, recorder, caller, now,
        )  # fmt: skip

    def get(self, role: str) -> Protection | None:
        """The protection of ``role`` in force now, if any."""
        return read_protection(self.gateway, self.state_uri(), role, self.now())

    def all(self) -> tuple[dict[str, Protection | None], tuple[str, ...]]:
        """Each flow's protection, and a warning for each that could not be read (``status``)."""
        found: dict[str, Protection | None] = {}
        warnings: list[str] = []
        for role in ROLES:
            try:
                found[role] = self.get(role)
            except AwsError as exc:
                found[role] = None
                warnings.append(f"cannot tell whether {role} is protected: {exc}")
        return found, tuple(warnings)

    def protect(
        self,
        role: str,
        *,
        until: str | datetime | None = None,
        reason: str = "",
        caller: str | None = None,
    ) -> Protection:
        """Protect ``role`` until ``until`` (a datetime, or text as ``--until`` takes it:
        :func:`~streamfabric.state.protection.parse_until`; default and most: 4 hours). Refused
        (ProtectedError, recorded) while another identity's protection is in force; the same
        identity protecting again extends its protection."""
        now = self.now()
        end = parse_until(until, now) if isinstance(until, str) else until
        who = caller or self.caller()
        wanted = new_protection(role, who, reason.strip(), now, end)
        attempt = Attempt("protect", role, None, "", who)
        try:
            written = write_protection(self.gateway, self.state_uri(), wanted, now)
        except ProtectedError as exc:
            self.recorder.record(attempt, "refused", str(exc), exc.protection or None)
            raise
        self.recorder.record(attempt, "protected", _note(written), written.to_dict())
        return written

    def unprotect(self, role: str, *, caller: str | None = None) -> Protection | None:
        """Lift the protection of ``role``: only the identity that protected it may (else
        NotProtectorError, recorded). None when ``role`` was not protected."""
        who = caller or self.caller()
        attempt = Attempt("unprotect", role, None, "", who)
        try:
            lifted = remove_protection(self.gateway, self.state_uri(), role, who, self.now())
        except SwitchError as exc:
            self.recorder.record(attempt, "refused", str(exc), getattr(exc, "protection", None) or None)
            raise
        if lifted is None:
            self.recorder.record(attempt, "unchanged", f"{role} was not protected")
            return None
        self.recorder.record(attempt, "unprotected", f"protected since {lifted.since}", lifted.to_dict())
        return lifted

    def refuse_if_protected(self, attempt: Attempt, roles: Iterable[str], what: str) -> None:
        """ProtectedError (the refusal recorded as ``attempt``'s) when any of ``roles`` is protected."""
        for role in roles:
            try:
                found = self.get(role)
            except AwsError as exc:
                message = (
                    f"{what} refused: cannot tell whether {role} is protected ({exc}); nothing was "
                    "changed (reading the protection needs s3:GetObject and s3:ListBucket on the state)"
                )
                self.recorder.record(attempt, "failed", message)
                raise SwitchError(message) from exc
            if found is not None:
                error = refusal(found, what)
                self.recorder.record(attempt, "refused", str(error), found.to_dict())
                raise error


def _note(protection: Protection) -> str:
    until = protection.until.replace("T", " ").replace("Z", " UTC")
    return f"until {until}" + (f": {protection.reason}" if protection.reason else "")


__all__ = ["FlowProtections", "utc_now"]

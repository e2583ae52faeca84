"""When a security group's rules let nothing through: the windows a rule change drops traffic.

AWS CloudFormation Template Reference, AWS::EC2::SecurityGroup
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html):
"If you modify a rule, CloudFormation removes the existing rule and then adds a new rule. There is
a brief period when neither the original rule or the new rule exists, so the corresponding traffic
is dropped." The emulator's CloudFormation model of a security group
(:mod:`..cloudformation.resources.ec2_security`) revokes the rules an update changes or removes
before it authorizes the new ones, and records here, for each such update, the rules revoked and
the window during which they were not there. AWS documents no length for that "brief period": the
emulator takes :data:`DROP_SECONDS` (configurable with :func:`configure`), never none.

The emulator's models of what a flow receives may ask :func:`dropped_since` whether the traffic of
a flow's VPC interfaces went through a window (a dropped window does not say the traffic was
lost; the rules of the group say what is allowed now). Times are seconds since the epoch, as
:mod:`..mediaconnect.signal` keeps them. ``POST /moto-api/reset`` forgets every window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

DROP_SECONDS = 5.0  # the emulator's "brief period" (AWS gives none)


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a security group, as a template states it (normalized)."""

    direction: str  # "ingress" | "egress"
    protocol: str  # "tcp", "udp", "icmp", "-1", or a protocol number
    from_port: int | None
    to_port: int | None
    peer: tuple[str, str]  # ("CidrIp", "10.0.0.0/16"), ("SourceSecurityGroupId", "sg-..."), ...
    description: str = ""


@dataclass(frozen=True, slots=True)
class DroppedWindow:
    """The rules of one security group that were revoked from ``at`` for ``seconds``."""

    account: str
    region: str
    security_group_id: str
    rules: tuple[Rule, ...]
    at: float
    seconds: float

    @property
    def until(self) -> float:
        return self.at + self.seconds


_lock = threading.Lock()
_windows: list[DroppedWindow] = []
_seconds = [DROP_SECONDS]


def configure(seconds: float = DROP_SECONDS) -> None:
    """The length of each later window (at least 0)."""
    with _lock:
        _seconds[0] = max(0.0, float(seconds))


def drop(
    account: str,
    region: str,
    security_group_id: str,
    rules: Iterable[Rule],
    at: float | None = None,
    seconds: float | None = None,
) -> DroppedWindow | None:
    """Record that ``rules`` of the group were not there from ``at`` (default now) for ``seconds``
    (default the configured length); None when no rule was dropped."""
    dropped = tuple(rules)
    if not dropped:
        return None
    with _lock:
        window = DroppedWindow(
            account,
            region,
            security_group_id,
            dropped,
            time.time() if at is None else at,
            _seconds[0] if seconds is None else max(0.0, float(seconds)),
        )
        _windows.append(window)
        return window


def dropped_since(
    account: str, region: str, security_group_ids: Iterable[str], since: float
) -> list[DroppedWindow]:
    """The windows of those groups that were still open at ``since`` or began after it, oldest first."""
    groups = set(security_group_ids)
    with _lock:
        return [
            window
            for window in _windows
            if window.account == account
            and window.region == region
            and window.security_group_id in groups
            and window.until >= since
        ]


def reset() -> None:
    """Forget every window and restore the default length."""
    with _lock:
        _windows.clear()
        _seconds[0] = DROP_SECONDS


def after_moto_reset(original: Callable[[Any], None], backend: Any) -> None:
    """``POST /moto-api/reset`` (moto's ``MotoAPIBackend.reset``) also forgets the dropped windows."""
    original(backend)
    reset()

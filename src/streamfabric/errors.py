"""The exception hierarchy: one base class, each exception carrying what the user needs.

The CLI catches :class:`StreamfabricError` and prints ``str(error)``; it never shows a
traceback for one. Each class names its ``kind``, the ``error`` of the CLI's JSON error object
(``{"error": kind, "message": ...}``): part of the interface, never derived from the class name.
Anything else escaping is a bug in streamfabric.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


class StreamfabricError(Exception):
    """Base class of every error streamfabric raises on purpose."""

    kind = "streamfabric"  # ``{"error": kind, ...}`` under ``--json``; every subclass names its own
    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a topology: where it is, what is wrong, and the code of the check that
    found it (registered in :mod:`streamfabric.topology.problem_codes`, with the page it follows)."""

    sort_key: tuple[tuple[int, int | str], ...]
    source: str
    path: str
    message: str
    code: str
    source_url: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "source": self.source,
            "path": self.path,
            "message": self.message,
            "code": self.code,
            "source_url": self.source_url,
        }


class TopologyError(StreamfabricError):
    """The topology could not be loaded or is invalid. Carries every problem found."""

    kind = "topology"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(p) for p in self.problems))


class SourceError(StreamfabricError):
    """The topology source (file, stdin, S3 object) could not be read."""

    kind = "source"


class RenderError(StreamfabricError):
    """The model cannot be rendered (an unsupported feature, a missing template)."""

    kind = "render"


class AwsError(StreamfabricError):
    """An AWS call failed; ``code`` is AWS's error code, ``operation`` the API operation."""

    kind = "aws"

    def __init__(self, message: str, *, code: str = "", operation: str = "") -> None:
        self.code = code
        self.operation = operation
        super().__init__(message)


class ThrottledError(AwsError):
    """AWS kept throttling us after botocore's retries."""

    kind = "throttled"


class NotFoundError(AwsError):
    """The AWS resource does not exist."""

    kind = "not_found"


class DeployError(StreamfabricError):
    """A deploy, post-step or destroy failed; the message says which stack/step and why."""

    kind = "deploy"


class PackageError(StreamfabricError):
    """The control API's Lambda package could not be built or read (pip, the index, the zip)."""

    kind = "package"


class StateError(StreamfabricError):
    """The runtime state document is missing or does not match the topology."""

    kind = "state"


class SwitchError(StreamfabricError):
    """A switch or take was refused or failed. No change was made unless said otherwise."""

    kind = "switch"


class UnknownIngestError(SwitchError):
    """The ingest named does not exist in the topology."""

    kind = "unknown_ingest"


class IngestNotActiveError(SwitchError):
    """The ingest's flow is not ACTIVE (refused unless forced)."""

    kind = "ingest_not_active"


class SignalCheckError(SwitchError):
    """The ingest has no live picture (``reason`` "no_signal" / "no_bitrate"), or not the video
    encoding the target carries now ("encoding_mismatch"); refused unless forced. ``seen`` is the
    evidence: what the check read, and which check refused (``seen["check"]``: "metrics",
    "metadata" or "encoding")."""

    kind = "signal_check"

    def __init__(self, message: str, *, reason: str, seen: dict[str, object]) -> None:
        self.reason = reason
        self.seen = seen
        super().__init__(message)


class ConflictError(SwitchError):
    """``expected`` was given and is not what is on air: another operator switched first.

    ``last_switch`` is the audit record (as a dict) of the switch that put ``on_air`` there, when known."""

    kind = "conflict"

    def __init__(
        self,
        message: str,
        *,
        target: str = "",
        expected: str | None = None,
        on_air: str | None = None,
        last_switch: dict[str, object] | None = None,
    ) -> None:
        self.target = target
        self.expected = expected
        self.on_air = on_air
        self.last_switch = last_switch
        super().__init__(message)


class ProtectedError(SwitchError):
    """A hub flow is protected (``streamfabric protect``): switches and takes of it are refused for
    everyone until its protector unprotects it or it expires; a protect of a flow another identity
    protected is refused too. ``protection`` is the protection (as a dict: role, owner, reason,
    since, until)."""

    kind = "protected"

    def __init__(self, message: str, *, protection: dict[str, object]) -> None:
        self.protection = protection
        super().__init__(message)


class NotProtectorError(SwitchError):
    """An unprotect by another identity than the one that protected the flow: refused."""

    kind = "not_protector"

    def __init__(self, message: str, *, protection: dict[str, object]) -> None:
        self.protection = protection
        super().__init__(message)


class UsageError(StreamfabricError):
    """The command line was wrong."""

    kind = "usage"

    exit_code = 2

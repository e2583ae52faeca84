"""The runtime state: everything ``switch()`` needs, written by the deploy's post-steps.

Kept next to the topology (``<topology>.state.json`` locally, or ``s3://bucket/<key>.state.json``),
or where ``$.state.runtime_state`` says. With it a switch needs no lookup: the hub flows' and
sources' ARNs, each ingest's private listener address (its VPC interface's IP) and ports.
It holds ARNs of secrets, never their values.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import StateError
from ..topology.model import HubRole, Topology

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class HubFlowState:
    flow_arn: str
    source_arn: str
    vpc_interface: str  # name of the flow's VPC interface the srt-caller source uses


@dataclass(frozen=True, slots=True)
class IngestState:
    region: str
    flow_arn: str
    private_ip: str  # the ingest flow's VPC interface IP: where the hub's srt-caller connects
    live_port: int
    preview_port: int
    output_arns: dict[str, str] = field(default_factory=dict)  # role -> internal-hop output ARN

    def port(self, role: HubRole) -> int:
        return self.live_port if role == "live" else self.preview_port


@dataclass(frozen=True, slots=True)
class Inventory:
    """Everything streamfabric created for the topology, in any region ever used (deploy and
    destroy act on it together with what the topology names, so nothing is left behind when a
    region, ingest or output leaves the topology)."""

    regions: tuple[str, ...] = ()
    stacks: dict[str, str] = field(default_factory=dict)  # stack name -> region
    flows: dict[str, str] = field(default_factory=dict)  # flow ARN -> flow name

    @classmethod
    def from_raw(cls, raw: Any) -> Inventory:
        if not raw:
            return cls()
        return cls(
            regions=tuple(sorted(str(r) for r in raw.get("regions") or ())),
            stacks={str(k): str(v) for k, v in (raw.get("stacks") or {}).items()},
            flows={str(k): str(v) for k, v in (raw.get("flows") or {}).items()},
        )

    def union(self, other: Inventory) -> Inventory:
        return Inventory(
            regions=tuple(sorted(set(self.regions) | set(other.regions))),
            stacks={**self.stacks, **other.stacks},
            flows={**self.flows, **other.flows},
        )


def flow_region(arn: str) -> str:
    """The region of a MediaConnect flow ARN (``arn:aws:mediaconnect:<region>:<account>:flow:...``)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


@dataclass(frozen=True, slots=True)
class RuntimeState:
    topology: str  # topology name
    topology_sha256: str
    hub_region: str
    live: HubFlowState
    preview: HubFlowState
    hop_secret_arn: str  # hub-region ARN of the internal-hop passphrase
    role_arn: str  # role MediaConnect assumes in the hub (decryption, VPC interface)
    ingests: dict[str, IngestState]
    version: int = STATE_VERSION
    # the control API stack's outputs: "api_url", and "panel_url" when the panel is deployed
    control_api: dict[str, str] = field(default_factory=dict)
    inventory: Inventory = field(default_factory=Inventory)

    def hub_flow(self, role: HubRole) -> HubFlowState:
        return self.live if role == "live" else self.preview

    def ingest_at(self, address: str | None, port: int | None = None) -> str | None:
        """The ingest whose private listener is ``address`` (and ``port``), if any."""
        for name, ingest in self.ingests.items():
            if ingest.private_ip == address and (
                port is None or port in (ingest.live_port, ingest.preview_port)
            ):
                return name
        return None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, where: str = "runtime state") -> RuntimeState:
        try:
            raw = json.loads(text)
            if raw.get("version") != STATE_VERSION:
                raise StateError(f"{where}: unsupported runtime state version {raw.get('version')!r}")
            return cls(
                topology=raw["topology"],
                topology_sha256=raw["topology_sha256"],
                hub_region=raw["hub_region"],
                live=HubFlowState(**raw["live"]),
                preview=HubFlowState(**raw["preview"]),
                hop_secret_arn=raw["hop_secret_arn"],
                role_arn=raw["role_arn"],
                ingests={name: IngestState(**value) for name, value in raw["ingests"].items()},
                version=raw["version"],
                control_api={str(k): str(v) for k, v in (raw.get("control_api") or {}).items()},
                inventory=Inventory.from_raw(raw.get("inventory")),
            )
        except StateError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateError(
                f"{where}: not a valid runtime state document ({type(exc).__name__}: {exc})"
            ) from None


def default_state_uri(topology: Topology) -> str:
    """Where the runtime state lives: ``$.state.runtime_state`` or next to the topology."""
    if topology.state.runtime_state:
        return topology.state.runtime_state
    return _beside(topology, ".state.json")


def default_audit_uri(topology: Topology) -> str:
    """Where the audit log lives: ``$.state.audit_log``, else an S3 prefix or a local JSON-lines file.
    An S3 prefix always ends with ``/`` (``s3://bucket/fest`` is ``s3://bucket/fest/``)."""
    if topology.state.audit_log:
        uri = topology.state.audit_log
        return uri + "/" if uri.startswith("s3://") and not uri.endswith("/") else uri
    if topology.source.is_s3:
        return _beside(topology, ".audit/")
    return _beside(topology, ".audit.jsonl")


def _beside(topology: Topology, suffix: str) -> str:
    uri = topology.source.uri
    if uri in ("-", "<string>"):
        return f"{topology.name}{suffix}"
    base = uri[:-5] if uri.endswith(".json") else uri
    return base + suffix


def as_dict(state: RuntimeState) -> dict[str, Any]:
    return asdict(state)

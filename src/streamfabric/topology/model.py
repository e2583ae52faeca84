"""The frozen, typed model of a validated topology.

Built once by :mod:`streamfabric.topology.loading` from a document that passed the JSON Schema and the
semantic checks; nothing downstream touches raw dicts. Every collection is a tuple, in the
order of the document, so that rendering is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

HubRole = Literal["live", "preview"]
HUB_ROLES: tuple[HubRole, HubRole] = ("live", "preview")
# How the network is deployed: Terraform (rendered, applied by the user) or CloudFormation stacks.
NetworkMode = Literal["terraform", "cloudformation"]

# MediaConnect's limits that the validator enforces (each check's code in problem_codes.py names the
# AWS page it follows: reserved ports SF2020, SRT latency SF2023, flows per region SF2024).
RESERVED_PORTS = frozenset({2077, 2088})
MIN_LATENCY_RANGE = (100, 15000)
FLOWS_PER_REGION_QUOTA = 20
DEFAULT_INGEST_LATENCY_MS = 2000
DEFAULT_HOP_LATENCY_MS = 200
DEFAULT_HOP_PORTS = (7000, 7001)
DEFAULT_DNS_TTL = 60

SECRET_ARN_RE = re.compile(
    r"^arn:aws(-[a-z]+)*:secretsmanager:(?P<region>[a-z]{2}(-[a-z]+)+-[0-9]):(?P<account>[0-9]{12})"
    r":secret:(?P<name>[A-Za-z0-9/_+=.@-]{1,512})$"
)
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")

# Names of what streamfabric makes around a flow (docs/architecture.md, "Names"): rendering, deploy
# and switching use these and never spell them out.
SRT_LISTENER = "srt-listener"
SRT_CALLER = "srt-caller"
# The internal hop: each ingest flow's SRT listener output for each hub flow (one caller each).
HOP_OUTPUTS: dict[HubRole, str] = {"live": "to-live", "preview": "to-preview"}
STANDBY_SOURCE = "standby"  # a hub flow's temporary source, until the post-steps re-point it


def vpc_interface_name(owner: str) -> str:
    """``<ingest>-vpc`` on ingest flows, ``live-vpc`` / ``preview-vpc`` on the hub flows."""
    return f"{owner}-vpc"


def pascal(name: str) -> str:
    """``main-stage`` -> ``MainStage``: a CloudFormation logical-id / Terraform-safe form of a name."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-") if part)


def snake(name: str) -> str:
    """``main-stage`` -> ``main_stage``: a Terraform identifier form of a name."""
    return name.replace("-", "_")


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where the topology came from; rendered into file headers."""

    uri: str
    sha256: str
    version: str | None = None

    @property
    def display(self) -> str:
        """The short name used as the ``<source>`` prefix of problems."""
        return self.uri if self.uri.startswith("s3://") or self.uri == "-" else self.uri.rsplit("/", 1)[-1]

    @property
    def is_s3(self) -> bool:
        return self.uri.startswith("s3://")


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A reference (ARN or name) to a Secrets Manager secret. Never the secret's value."""

    ref: str

    @property
    def is_arn(self) -> bool:
        return self.ref.startswith("arn:")

    @property
    def name(self) -> str:
        """The secret's name (for an ARN: without AWS's random 6-character suffix when present)."""
        match = SECRET_ARN_RE.match(self.ref)
        if not match:
            return self.ref
        name = match.group("name")
        return re.sub(r"-[A-Za-z0-9]{6}$", "", name)

    @property
    def region(self) -> str | None:
        match = SECRET_ARN_RE.match(self.ref)
        return match.group("region") if match else None


@dataclass(frozen=True, slots=True)
class Maintenance:
    """A weekly maintenance window, UTC (MediaConnect API Reference, AddMaintenance: the day, and the
    start as 24-hour ``HH:MM`` with minutes ``00``)."""

    day: str  # Monday .. Sunday
    start_hour: int  # 0..23

    @property
    def start(self) -> str:
        return f"{self.start_hour:02d}:00"


@dataclass(frozen=True, slots=True)
class Network:
    """One region's VPC: the hub's or an ingest region's."""

    region: str
    vpc_cidr: str
    subnet_cidr: str
    availability_zone: str
    is_hub: bool = False
    maintenance: Maintenance | None = None  # this region's override of the topology's default

    @property
    def id(self) -> str:
        """Identifier form of the region: ``eu-west-1`` -> ``eu_west_1``."""
        return snake(self.region)

    @property
    def logical(self) -> str:
        """Logical-id form of the region: ``eu-west-1`` -> ``EuWest1``."""
        return pascal(self.region)


@dataclass(frozen=True, slots=True)
class Ingest:
    name: str
    region: str
    port: int
    allowlist: tuple[str, ...]
    passphrase_secret: SecretRef
    protocol: str = "srt-listener"
    min_latency_ms: int = DEFAULT_INGEST_LATENCY_MS
    open_to_internet: bool = False
    description: str = ""

    @property
    def logical(self) -> str:
        return pascal(self.name)

    @property
    def id(self) -> str:
        return snake(self.name)


@dataclass(frozen=True, slots=True)
class Output:
    """A downstream output of a hub flow."""

    name: str
    protocol: str
    port: int
    allowlist: tuple[str, ...] = ()
    destination: str | None = None
    min_latency_ms: int = DEFAULT_INGEST_LATENCY_MS
    passphrase_secret: SecretRef | None = None
    open_to_internet: bool = False

    @property
    def logical(self) -> str:
        return pascal(self.name)


@dataclass(frozen=True, slots=True)
class HubFlow:
    role: HubRole
    starts_on: str
    outputs: tuple[Output, ...]

    @property
    def logical(self) -> str:
        return pascal(self.role)


@dataclass(frozen=True, slots=True)
class Hub:
    network: Network
    live: HubFlow
    preview: HubFlow

    @property
    def region(self) -> str:
        return self.network.region

    def flow(self, role: HubRole) -> HubFlow:
        return self.live if role == "live" else self.preview

    @property
    def flows(self) -> tuple[HubFlow, HubFlow]:
        return (self.live, self.preview)


@dataclass(frozen=True, slots=True)
class InternalHop:
    """The private SRT hop: each ingest listens on ``live_port`` for Live, ``preview_port`` for Preview."""

    port_from: int = DEFAULT_HOP_PORTS[0]
    port_to: int = DEFAULT_HOP_PORTS[1]
    passphrase_secret: SecretRef | None = None  # None: generated by the network stage
    min_latency_ms: int = DEFAULT_HOP_LATENCY_MS

    @property
    def generate_secret(self) -> bool:
        return self.passphrase_secret is None

    @property
    def live_port(self) -> int:
        return self.port_from

    @property
    def preview_port(self) -> int:
        return self.port_from + 1

    def port(self, role: HubRole) -> int:
        return self.live_port if role == "live" else self.preview_port


@dataclass(frozen=True, slots=True)
class Dns:
    hosted_zone_id: str
    domain: str
    ttl: int = DEFAULT_DNS_TTL

    def record(self, label: str) -> str:
        return f"{label}.{self.domain}"


@dataclass(frozen=True, slots=True)
class Artifacts:
    """Where deploy uploads the API's Lambda package (``$.control_api.artifacts``)."""

    bucket: str
    prefix: str = "streamfabric-artifacts"


@dataclass(frozen=True, slots=True)
class ControlApi:
    enabled: bool = True
    auth: Literal["iam", "cognito"] = "iam"
    panel: bool = False
    artifacts: Artifacts | None = None  # None: the topology's own bucket, when it is on S3


@dataclass(frozen=True, slots=True)
class Monitoring:
    """Alarms notify ``alarm_topic`` (an SNS topic name, in each region) when set; content-quality
    analysis on every flow's source when ``content_quality``."""

    alarm_topic: str | None = None
    content_quality: bool = False


@dataclass(frozen=True, slots=True)
class StateLocations:
    """Explicit locations from the topology; ``None`` means "next to the topology"."""

    runtime_state: str | None = None
    audit_log: str | None = None


@dataclass(frozen=True, slots=True)
class Topology:
    name: str
    hub: Hub
    regions: tuple[Network, ...]  # ingest regions other than the hub, in document order
    ingests: tuple[Ingest, ...]
    source: SourceInfo
    tags: tuple[tuple[str, str], ...] = ()
    internal_hop: InternalHop = field(default_factory=InternalHop)
    dns: Dns | None = None
    control_api: ControlApi = field(default_factory=ControlApi)
    state: StateLocations = field(default_factory=StateLocations)
    monitoring: Monitoring = field(default_factory=Monitoring)
    maintenance: Maintenance | None = None  # the default window of every flow

    # -- navigation -------------------------------------------------------------------------
    @property
    def networks(self) -> tuple[Network, ...]:
        """Every region's network, the hub's first."""
        return (self.hub.network, *self.regions)

    @property
    def spokes(self) -> tuple[Network, ...]:
        """Regions peered with the hub (every non-hub region)."""
        return self.regions

    def network(self, region: str) -> Network:
        for net in self.networks:
            if net.region == region:
                return net
        raise KeyError(region)

    def maintenance_for(self, region: str) -> Maintenance | None:
        """The flows' window in ``region``: the region's own, else the topology's default."""
        return self.network(region).maintenance or self.maintenance

    def ingest(self, name: str) -> Ingest:
        for ingest in self.ingests:
            if ingest.name == name:
                return ingest
        raise KeyError(name)

    @property
    def ingest_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.ingests)

    def ingests_in(self, region: str) -> tuple[Ingest, ...]:
        return tuple(i for i in self.ingests if i.region == region)

    def secret_uses(self, *, hop: bool = True) -> tuple[tuple[str, SecretRef], ...]:
        """(region, secret) for every secret the flows read, in the region that reads it, in order:
        ingests' in their region, downstream outputs' in the hub, and (``hop``) a given internal-hop
        secret in every region. The generated hop secret is not a reference and is not listed."""
        uses: dict[tuple[str, str], SecretRef] = {}
        for ingest in self.ingests:
            uses.setdefault((ingest.region, ingest.passphrase_secret.ref), ingest.passphrase_secret)
        for flow in self.hub.flows:
            for out in flow.outputs:
                if out.passphrase_secret:
                    uses.setdefault((self.hub.region, out.passphrase_secret.ref), out.passphrase_secret)
        if hop and self.internal_hop.passphrase_secret:
            for net in self.networks:
                ref = self.internal_hop.passphrase_secret
                uses.setdefault((net.region, ref.ref), ref)
        return tuple((region, ref) for (region, _), ref in uses.items())

    def flow_name(self, suffix: str) -> str:
        """The MediaConnect flow name for an ingest or hub role."""
        return f"{self.name}-{suffix}"

    def stack_name(self, kind: str, region: str) -> str:
        """CloudFormation stack name, e.g. ``festival-flows-eu-west-1``."""
        return f"{self.name}-{kind}-{region}"

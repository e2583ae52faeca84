"""Request and response bodies of the control API (pydantic: validated by the resolver, and the
source of the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NAME = r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$"


class SwitchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ingest: str = Field(pattern=NAME, description="ingest to put on the target flow")
    target: Literal["live", "preview"] = Field(default="live", description="hub flow to switch")
    expected: str | None = Field(
        default=None, pattern=NAME, description="refuse with 409 unless this ingest is on the target now"
    )
    force: bool = Field(
        default=False,
        strict=True,  # true or false only: "yes", 1, "on" never force a cut past the checks
        description="switch even if the ingest's flow is not ACTIVE, has no signal or another encoding",
    )


class TakeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    force: bool = Field(
        default=False,
        strict=True,  # true or false only: "yes", 1, "on" never force a cut past the checks
        description="take even if an ingest's flow is not ACTIVE or Preview has no signal",
    )
    expected_live: str | None = Field(
        default=None, pattern=NAME, description="refuse with 409 unless this ingest is on Live now"
    )
    expected_preview: str | None = Field(
        default=None, pattern=NAME, description="refuse with 409 unless this ingest is on Preview now"
    )


class ProtectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: Literal["live", "preview"] = Field(default="live", description="hub flow to protect")
    until: str | None = Field(
        default=None,
        max_length=40,
        description="when the protection ends: a duration (90m, 2h), a UTC time of day (21:30) or an "
        "ISO 8601 time; at most 4 hours away (default: 4 hours)",
    )
    reason: str = Field(default="", max_length=200, description="why (shown to whoever is refused)")


class UnprotectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: Literal["live", "preview"] = Field(default="live", description="hub flow to unprotect")


class ProtectionModel(BaseModel):
    """A protection in force: every switch and take of ``role`` is refused (409 ``protected``) until
    ``owner`` unprotects it or ``until`` passes."""

    role: Literal["live", "preview"]
    owner: str = Field(description="who protected it (the audit log's caller); only they can unprotect it")
    reason: str
    since: str = Field(description="UTC, ISO 8601")
    until: str = Field(description="UTC, ISO 8601: it ends by itself then")
    id: str


class UnprotectResponse(BaseModel):
    target: Literal["live", "preview"]
    unprotected: bool = Field(description="false: it was not protected")
    protection: ProtectionModel | None = Field(description="the protection lifted")


class SwitchResponse(BaseModel):
    target: Literal["live", "preview"]
    previous: str | None
    ingest: str
    changed: bool
    request_id: str
    elapsed_ms: float
    warning: str | None = Field(
        default=None, description="the cut is on air but its outcome is not in the audit log: do not retry"
    )


class TakeResponse(BaseModel):
    live: str
    preview: str
    previous_live: str | None
    previous_preview: str | None
    changed: bool
    request_id: str
    elapsed_ms: float
    warning: str | None = Field(
        default=None, description="the cut is on air but its outcome is not in the audit log: do not retry"
    )


class SignalModel(BaseModel):
    """What a flow's source receives (streamfabric.switching.signal): CloudWatch AWS/MediaConnect
    metrics of the last minute, DescribeFlowSourceMetadata, DescribeFlowSourceThumbnail."""

    has_signal: bool = Field(description="connected, and a bitrate above 0 in the signal window")
    reason: str | None = Field(description="null, no_signal or no_bitrate")
    connected: bool | None = Field(description="newest SourceConnected; null: no datapoint")
    bitrate_bps: float | None = Field(description="SourceBitRate, average over the last minute")
    not_recovered_packets: float | None
    disconnections: float | None
    codec: str | None
    resolution: str | None = Field(description="WIDTHxHEIGHT of the video stream")
    frame_rate: str | None
    messages: list[str] = Field(description="the source metadata's status messages")
    thumbnail_age_s: float | None = Field(description="seconds since the latest thumbnail read, if any")


class EvidenceModel(BaseModel):
    """How old each piece of a flow's status is, in seconds at the status's ``observed_at`` (null:
    never read)."""

    flow_status_s: float | None = Field(default=None, description="its status (ListFlows or DescribeFlow)")
    flow_details_s: float | None = Field(
        default=None, description="its DescribeFlow: errors and outputs (the on-air path check)"
    )
    metrics_s: float | None = Field(default=None, description="its newest CloudWatch datapoint")
    metrics_read_s: float | None = Field(default=None, description="the GetMetricData that brought it")
    metadata_s: float | None = Field(default=None, description="its source metadata (the encoding)")
    thumbnail_s: float | None = Field(default=None, description="its latest thumbnail")


class HubStatusModel(BaseModel):
    role: Literal["live", "preview"]
    flow_arn: str
    state: str = Field(description="MediaConnect flow status: ACTIVE, STANDBY, UPDATING, ERROR, ...")
    ingest: str | None = Field(description="the ingest on air; null when the source is no known ingest")
    address: str | None
    port: int | None
    errors: list[str] = Field(description="the flow's current errors (DescribeFlow Messages.Errors)")
    signal: SignalModel | None = Field(default=None, description="what the hub flow receives")
    protection: ProtectionModel | None = Field(
        default=None, description="the protection in force: switches and takes of it are refused"
    )
    evidence: EvidenceModel | None = Field(default=None, description="how old each piece of this is")


class IngestHealthModel(BaseModel):
    name: str
    region: str
    state: str
    healthy: bool = Field(description="flow ACTIVE, no errors, and every on-air path from it whole")
    errors: list[str] = Field(description="the flow's current errors (DescribeFlow Messages.Errors)")
    on_live: bool
    on_preview: bool
    path_errors: list[str] = Field(
        description="why an on-air path from it is broken (hop output missing or off its VPC interface)"
    )
    signal: SignalModel | None = Field(
        default=None, description="connected, bitrate, encoding, thumbnail age"
    )
    evidence: EvidenceModel | None = Field(default=None, description="how old each piece of this is")


class StatusResponse(BaseModel):
    topology: str
    live: HubStatusModel
    preview: HubStatusModel
    ingests: list[IngestHealthModel]
    warnings: list[str] = Field(description="e.g. another flow bearing one of the deployment's flow names")
    observed_at: str | None = Field(
        default=None,
        description="when this snapshot's reads were made (UTC); evidence ages are at this time",
    )


class Problem(BaseModel):
    """An error body: ``error`` is a stable code, ``message`` says what to do."""

    error: str
    message: str
    field: str | None = None
    target: str | None = None
    on_air: str | None = None
    expected: str | None = None
    last_switch: dict[str, object] | None = None
    seen: dict[str, object] | None = None  # 422 no_signal / no_bitrate / encoding_mismatch: what was read
    protection: dict[str, object] | None = None  # 409 protected / 403 not_protector: the protection

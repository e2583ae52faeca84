"""Is there a live picture? Each source's signal, encoding and thumbnail, read from AWS and cached.

What is read (all through the gateway):

* CloudWatch ``GetMetricData``, ONE call per region for all its flows (up to 500 queries a call:
  CloudWatch API Reference, *GetMetricData*): ``AWS/MediaConnect`` ``SourceConnected`` (Minimum),
  ``SourceBitRate`` (Average), ``SourceNotRecoveredPackets`` and ``SourceDisconnections`` (Sum) with
  the ``FlowARN`` dimension, over the last minute in 10-second periods (``SourceConnected`` in
  1-second periods, so that its newest value is the source's state now) — MediaConnect's metrics are
  high-resolution ("most MediaConnect metrics can be accessed in periods as short as one second",
  MediaConnect User Guide, *Monitoring with Amazon CloudWatch metrics*; the metrics and their
  meaning: *Metrics to monitor source health*,
  https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-cloudwatch-metrics-source-health.html;
  source metrics "are also posted at the flow level", *Metrics to monitor media health*).
* MediaConnect ``DescribeFlowSourceMetadata``: the transport stream's video codec, resolution and
  frame rate (``TransportMediaInfo.Programs[].Streams[]``), or ``Messages`` when nothing is received
  (API Reference, *Flow source metadata: describe*).
* MediaConnect ``DescribeFlowSourceThumbnail``: a base64 JPEG, when the flow's
  ``SourceMonitoringConfig.ThumbnailState`` is ``ENABLED`` (API Reference, *ThumbnailDetails*).

Evidence, in order (MediaConnect's own answers, judged by how old each one is):

1. *Is a picture arriving now?* DescribeFlowSourceMetadata answers with what the source receives at
   the moment of the request: a video stream in ``TransportMediaInfo``, or ``Messages`` such as
   ``NO_SOURCE_DATA`` when nothing arrives. It is the primary evidence: a switch reads it unless a
   read of the last ``metrics_ttl`` seconds is known, and refuses ``no_signal`` when it shows no
   video.
2. *Bitrate and errors.* CloudWatch delivers MediaConnect's datapoints late: the console's
   source-health view is "1 minute behind real-time" (User Guide, *Monitoring a source's health*,
   https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-source-health.html), and CloudWatch
   states no delivery time for vended metrics. So every datapoint is judged by its own timestamp
   against the known delay (``metric_delay``, default 60 s): the query reaches back
   ``metric_delay`` + 60 s, and "recent" means within ``window`` seconds before ``now -
   metric_delay``. A datapoint missing only because of that delay never refuses a cut on its own;
   a recent one that says connected with a bitrate of 0 refuses it (``no_bitrate``).
3. Without metadata (status, when it has none fresh), the metrics alone decide, as before: no
   signal unless the newest recent ``SourceConnected`` is 1 and some ``SourceBitRate`` above 0
   (refuse when in doubt).
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from ..aws.gateway import AwsGateway
from ..errors import AwsError, SignalCheckError

METRICS = (  # key, metric, statistic, period (s): connected per second, so its newest value is now's
    ("connected", "SourceConnected", "Minimum", 1),
    ("bitrate", "SourceBitRate", "Average", 10),
    ("not_recovered", "SourceNotRecoveredPackets", "Sum", 10),
    ("disconnections", "SourceDisconnections", "Sum", 10),
)
PERIOD = 10  # seconds (high-resolution metrics)
SPAN = 60  # "over the last minute" (of what CloudWatch has delivered)
METRIC_DELAY = 60.0  # "1 minute behind real-time" (User Guide, Monitoring a source's health)


@dataclass(frozen=True, slots=True)
class Encoding:
    """The video stream of a source's transport stream."""

    codec: str | None
    width: int | None
    height: int | None
    frame_rate: str | None

    @property
    def resolution(self) -> str | None:
        return f"{self.width}x{self.height}" if self.width and self.height else None

    def differences(self, other: Encoding) -> dict[str, dict[str, str | None]]:
        """What differs from ``other`` (only where both are known)."""
        out: dict[str, dict[str, str | None]] = {}
        for field, mine, theirs in (
            ("codec", self.codec, other.codec),
            ("resolution", self.resolution, other.resolution),
            ("frame_rate", self.frame_rate, other.frame_rate),
        ):
            if mine and theirs and mine.lower() != theirs.lower():
                out[field] = {"ingest": mine, "target": theirs}
        return out


@dataclass(frozen=True, slots=True)
class Metrics:
    connected: bool | None  # latest SourceConnected in the window; None: no datapoint
    bitrate_bps: float | None  # average over the last minute
    recent_bitrate_bps: float | None  # highest 10-second average in the window
    not_recovered_packets: float | None
    disconnections: float | None
    newest: str | None  # ISO time of the newest datapoint
    newest_age_s: float | None = None  # how old that datapoint was when read


@dataclass(frozen=True, slots=True)
class Signal:
    """What status() shows of one source, and what a switch checks."""

    has_signal: bool
    reason: str | None  # None, "no_signal" or "no_bitrate"
    connected: bool | None
    bitrate_bps: float | None
    not_recovered_packets: float | None
    disconnections: float | None
    codec: str | None
    resolution: str | None
    frame_rate: str | None
    messages: tuple[str, ...]
    thumbnail_age_s: float | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["messages"] = list(self.messages)
        return data


def _video(response: dict[str, Any]) -> Encoding | None:
    for program in (response.get("TransportMediaInfo") or {}).get("Programs") or ():
        for stream in program.get("Streams") or ():
            if str(stream.get("StreamType", "")).lower() == "video":
                size = stream.get("FrameResolution") or {}
                return Encoding(stream.get("Codec"), size.get("FrameWidth"), size.get("FrameHeight"),
                                stream.get("FrameRate"))  # fmt: skip
    return None


class SignalMonitor:
    """Signal per flow ARN, cached: metrics for ``metrics_ttl``, metadata for ``metadata_ttl``,
    thumbnails for ``thumbnail_ttl`` seconds (of ``clock``); ``wall`` gives UTC for CloudWatch."""

    def __init__(
        self,
        gateway: AwsGateway,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        window: float = 30.0,
        metrics_ttl: float = 3.0,  # a switch trusts a status poll this recent (panels poll every 2 s)
        metadata_ttl: float = 30.0,
        thumbnail_ttl: float = 5.0,
        metric_delay: float = METRIC_DELAY,  # CloudWatch's delivery delay (see the module doc)
    ) -> None:
        self.gateway, self.clock, self.wall, self.window = gateway, clock, wall, window
        self.metric_delay = metric_delay
        self.metrics_ttl, self.metadata_ttl, self.thumbnail_ttl = metrics_ttl, metadata_ttl, thumbnail_ttl
        self._lock = threading.Lock()
        self._metrics: dict[str, tuple[Metrics, float]] = {}
        self._metadata: dict[str, tuple[Encoding | None, tuple[str, ...], float]] = {}
        self._thumbs: dict[str, tuple[bytes | None, datetime | None, tuple[str, ...], float]] = {}

    # -- reads -----------------------------------------------------------------------------------
    def read_metrics(
        self, region: str, flow_arns: list[str], gateway: AwsGateway | None = None
    ) -> dict[str, Metrics]:
        """ONE GetMetricData for every flow of ``region``; caches and returns Metrics per ARN."""
        if not flow_arns:
            return {}
        now = self.wall().replace(microsecond=0)
        delivered = now - timedelta(seconds=self.metric_delay)  # the newest a datapoint can be
        queries = [
            {"Id": f"m{i}_{key}", "ReturnData": True,
             "MetricStat": {"Metric": {"Namespace": "AWS/MediaConnect", "MetricName": name,
                                       "Dimensions": [{"Name": "FlowARN", "Value": arn}]},
                            "Period": period, "Stat": stat}}
            for i, arn in enumerate(flow_arns) for key, name, stat, period in METRICS
        ]  # fmt: skip
        series: dict[str, list[tuple[datetime, float]]] = {}
        params: dict[str, Any] = {
            "MetricDataQueries": queries, "StartTime": delivered - timedelta(seconds=SPAN),
            "EndTime": now + timedelta(seconds=PERIOD), "ScanBy": "TimestampDescending",
        }  # fmt: skip
        while True:
            response = (gateway or self.gateway).call("cloudwatch", region, "get_metric_data", **params)
            for result in response.get("MetricDataResults") or ():
                found = series.setdefault(str(result["Id"]), [])
                found.extend(zip(result.get("Timestamps") or (), result.get("Values") or (), strict=False))
            if not response.get("NextToken"):
                break
            params["NextToken"] = response["NextToken"]
        seen = self.clock()
        out: dict[str, Metrics] = {}
        recent = delivered - timedelta(seconds=self.window)  # each datapoint by its own timestamp
        for i, arn in enumerate(flow_arns):
            points = {key: sorted(series.get(f"m{i}_{key}", []), reverse=True) for key, _, _, _ in METRICS}
            lost, drops = points["not_recovered"], points["disconnections"]
            connected = [v for t, v in points["connected"] if t >= recent]
            bitrates = [v for _, v in points["bitrate"]]
            recent_bitrates = [v for t, v in points["bitrate"] if t >= recent]
            stamps = [t for values in points.values() for t, _ in values]
            out[arn] = Metrics(
                connected=(connected[0] >= 1.0) if connected else None,
                bitrate_bps=sum(bitrates) / len(bitrates) if bitrates else None,
                recent_bitrate_bps=max(recent_bitrates) if recent_bitrates else None,
                not_recovered_packets=sum(v for _, v in lost) if lost else None,
                disconnections=sum(v for _, v in drops) if drops else None,
                newest=max(stamps).isoformat() if stamps else None,
                newest_age_s=round((now - max(stamps)).total_seconds(), 1) if stamps else None,
            )  # fmt: skip
        with self._lock:
            self._metrics.update({arn: (m, seen) for arn, m in out.items()})
        return out

    def read_metadata(
        self, region: str, flow_arn: str, gateway: AwsGateway | None = None
    ) -> tuple[Encoding | None, tuple[str, ...]]:
        response = (gateway or self.gateway).call(
            "mediaconnect", region, "describe_flow_source_metadata", FlowArn=flow_arn
        )
        messages = tuple(
            f"{m.get('Code', '')}: {m.get('Message', '')}".strip(": ") for m in response.get("Messages") or ()
        )
        encoding = _video(response)
        with self._lock:
            self._metadata[flow_arn] = (encoding, messages, self.clock())
        return encoding, messages

    def read_thumbnail(
        self, region: str, flow_arn: str
    ) -> tuple[bytes | None, datetime | None, tuple[str, ...]]:
        """The flow's latest thumbnail (JPEG bytes), its time and the messages; cached ``thumbnail_ttl``."""
        with self._lock:
            cached = self._thumbs.get(flow_arn)
        if cached is not None and self.clock() - cached[3] <= self.thumbnail_ttl:
            return cached[0], cached[1], cached[2]
        details = self.gateway.call(
            "mediaconnect", region, "describe_flow_source_thumbnail", FlowArn=flow_arn
        )
        thumb = details.get("ThumbnailDetails") or {}
        messages = tuple(
            f"{m.get('Code', '')}: {m.get('Message', '')}" for m in thumb.get("ThumbnailMessages") or ()
        )
        image = base64.b64decode(thumb["Thumbnail"]) if thumb.get("Thumbnail") else None
        stamp = thumb.get("Timestamp") if isinstance(thumb.get("Timestamp"), datetime) else None
        with self._lock:
            self._thumbs[flow_arn] = (image, stamp, messages, self.clock())
        return image, stamp, messages

    # -- cached views ----------------------------------------------------------------------------
    def fresh_metrics(self, flow_arn: str) -> Metrics | None:
        with self._lock:
            cached = self._metrics.get(flow_arn)
        return cached[0] if cached is not None and self.clock() - cached[1] <= self.metrics_ttl else None

    def fresh_metadata(
        self, flow_arn: str, ttl: float | None = None
    ) -> tuple[Encoding | None, tuple[str, ...]] | None:
        """The cached metadata when read within ``ttl`` (default ``metadata_ttl``) seconds."""
        with self._lock:
            cached = self._metadata.get(flow_arn)
        limit = self.metadata_ttl if ttl is None else ttl
        if cached is None or self.clock() - cached[2] > limit:
            return None
        return cached[0], cached[1]

    def metadata_age(self, flow_arn: str) -> float | None:
        with self._lock:
            cached = self._metadata.get(flow_arn)
        return None if cached is None else round(self.clock() - cached[2], 1)

    def carried(self, flow_arn: str, encoding: Encoding | None) -> None:
        """A switch put a source with ``encoding`` on ``flow_arn``: remember it as that flow's."""
        with self._lock:
            self._metadata[flow_arn] = (encoding, (), self.clock())

    def metadata(
        self, region: str, flow_arn: str, *, ttl: float | None = None, gateway: AwsGateway | None = None
    ) -> tuple[Encoding | None, tuple[str, ...]]:
        """Cached metadata when read within ``ttl`` seconds, else one DescribeFlowSourceMetadata."""
        return self.fresh_metadata(flow_arn, ttl) or self.read_metadata(region, flow_arn, gateway)

    def metrics(self, region: str, flow_arn: str, gateway: AwsGateway | None = None) -> Metrics:
        """Cached metrics when fresh, else one GetMetricData for this flow alone."""
        return self.fresh_metrics(flow_arn) or self.read_metrics(region, [flow_arn], gateway)[flow_arn]

    def refresh(self, flows: dict[str, list[str]], metadata_flows: dict[str, str]) -> None:
        """status(): metrics of every flow (one GetMetricData per region) and stale metadata,
        concurrently. ``flows``: region -> flow ARNs; ``metadata_flows``: flow ARN -> region."""
        from concurrent.futures import ThreadPoolExecutor

        stale = [(region, arn) for arn, region in metadata_flows.items() if self.fresh_metadata(arn) is None]
        jobs: list[Callable[[], object]] = [partial(self.read_metrics, r, a) for r, a in flows.items()]
        jobs += [partial(self.read_metadata, region, arn) for region, arn in stale]
        if not jobs:
            return
        with ThreadPoolExecutor(max_workers=min(16, len(jobs))) as pool:
            for future in [pool.submit(self._quietly, job) for job in jobs]:
                future.result()

    @staticmethod
    def _quietly(job: Callable[[], object]) -> None:
        with suppress(AwsError):  # no metrics is no signal: status shows it, a switch refuses
            job()

    def check(
        self, ingest: str, region: str, flow_arn: str, target: str, hub_region: str, hub_arn: str,
        gateway: AwsGateway | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Refuse (SignalCheckError) a cut of ``ingest`` to ``target`` without a live picture, or with
        another video encoding than ``target`` carries now; returns the evidence (module doc). Calls
        AWS (through ``gateway``: the switch path's) only for what is not cached fresh: one metadata
        read of the ingest, one GetMetricData, one metadata read of the target."""
        encoding, messages = self.metadata(region, flow_arn, ttl=self.metrics_ttl, gateway=gateway)
        seen: dict[str, Any] = {
            "ingest": ingest, "target": target, "window_s": self.window,
            "receiving": encoding is not None, "metadata_age_s": self.metadata_age(flow_arn),
            "ingest_encoding": None if encoding is None else _describe(encoding),
        }  # fmt: skip
        if encoding is None:
            seen["check"], seen["messages"] = "metadata", list(messages)
            raise SignalCheckError(
                f"ingest {ingest!r} has no signal (its source receives no video now: "
                f"{'; '.join(messages) or 'no media information'}); nothing was switched "
                "(use force to switch anyway)", reason="no_signal", seen=seen,
            )  # fmt: skip
        metrics = self.metrics(region, flow_arn, gateway)
        seen.update({
            "connected": metrics.connected, "recent_bitrate_bps": metrics.recent_bitrate_bps,
            "bitrate_bps": metrics.bitrate_bps, "newest_datapoint": metrics.newest,
            "newest_datapoint_age_s": metrics.newest_age_s, "metric_delay_s": self.metric_delay,
        })  # fmt: skip
        if judge(metrics, encoding, receiving=True).reason == "no_bitrate":
            seen["check"] = "metrics"
            raise SignalCheckError(
                f"ingest {ingest!r} has no signal (connected, but a bitrate of 0 in the {self.window:g} s "
                f"before CloudWatch's {self.metric_delay:g} s delivery delay); nothing was switched "
                "(use force to switch anyway)", reason="no_bitrate", seen=seen,
            )  # fmt: skip
        carried, _ = self.metadata(hub_region, hub_arn, gateway=gateway)
        seen["target_encoding"] = None if carried is None else _describe(carried)
        differences = encoding.differences(carried) if carried is not None else {}
        if differences:
            seen["check"], seen["differences"] = "encoding", differences
            listed = ", ".join(f"{k} {v['ingest']} vs {v['target']}" for k, v in differences.items())
            raise SignalCheckError(
                f"ingest {ingest!r} does not match what {target} carries ({listed}); nothing was switched "
                "(use force to switch anyway)", reason="encoding_mismatch", seen=seen,
            )  # fmt: skip
        return seen

    def signal(self, flow_arn: str) -> Signal:
        """What is known of ``flow_arn`` from the caches (stale data counts as unknown)."""
        metrics = self.fresh_metrics(flow_arn)
        metadata = self.fresh_metadata(flow_arn)
        encoding, messages = metadata or (None, ())
        with self._lock:
            thumb = self._thumbs.get(flow_arn)
        age = (self.wall() - thumb[1]).total_seconds() if thumb is not None and thumb[1] is not None else None
        receiving = None if metadata is None else encoding is not None
        return judge(metrics, encoding, messages, age, receiving=receiving)

    def ages(self, flow_arn: str) -> dict[str, float | None]:
        """How old what is cached of ``flow_arn`` is (s): ``metrics_s`` its newest datapoint,
        ``metrics_read_s`` the read that brought it, ``metadata_s`` its metadata (None: never read)."""
        now, wall = self.clock(), self.wall()
        with self._lock:
            metrics, metadata = self._metrics.get(flow_arn), self._metadata.get(flow_arn)
        newest = datetime.fromisoformat(metrics[0].newest) if metrics and metrics[0].newest else None
        return {
            "metrics_s": None if newest is None else round((wall - newest).total_seconds(), 1),
            "metrics_read_s": None if metrics is None else round(now - metrics[1], 1),
            "metadata_s": None if metadata is None else round(now - metadata[2], 1),
        }


def _describe(encoding: Encoding) -> dict[str, str | None]:
    return {"codec": encoding.codec, "resolution": encoding.resolution, "frame_rate": encoding.frame_rate}


def judge(
    metrics: Metrics | None,
    encoding: Encoding | None,
    messages: tuple[str, ...] = (),
    age: float | None = None,
    *,
    receiving: bool | None = None,
) -> Signal:
    """The verdict (module doc): ``receiving`` is the metadata's answer (None: no metadata known).
    With it, no signal when nothing arrives, ``no_bitrate`` when a recent datapoint says connected
    with a bitrate of 0, else a signal whatever the delayed metrics lack; without it, the metrics
    alone, refusing when in doubt."""
    connected = None if metrics is None else metrics.connected
    bitrate = None if metrics is None else metrics.recent_bitrate_bps
    reason: str | None
    if receiving is False:
        reason = "no_signal"
    elif receiving:
        reason = "no_bitrate" if connected and bitrate is not None and bitrate <= 0 else None
    elif not connected:
        reason = "no_signal"
    elif not bitrate:
        reason = "no_bitrate"
    else:
        reason = None
    return Signal(
        has_signal=reason is None, reason=reason, connected=connected,
        bitrate_bps=None if metrics is None else metrics.bitrate_bps,
        not_recovered_packets=None if metrics is None else metrics.not_recovered_packets,
        disconnections=None if metrics is None else metrics.disconnections,
        codec=encoding.codec if encoding else None, resolution=encoding.resolution if encoding else None,
        frame_rate=encoding.frame_rate if encoding else None, messages=messages,
        thumbnail_age_s=None if age is None else round(age, 1),
    )  # fmt: skip


__all__ = ["Encoding", "Metrics", "Signal", "SignalMonitor", "judge"]

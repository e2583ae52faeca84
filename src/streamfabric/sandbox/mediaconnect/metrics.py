"""``AWS/MediaConnect`` source metrics in moto's CloudWatch, readable with ``GetMetricData``.

MediaConnect "collects these datapoints every second and sends them immediately to Amazon
CloudWatch" (User Guide, *Monitoring MediaConnect with Amazon CloudWatch metrics*,
https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-cloudwatch.html). The source metrics
emulated here follow *Metrics to monitor source health*
(https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-cloudwatch-metrics-source-health.html):

* ``SourceConnected`` — 1 connected, 0 disconnected (None unit);
* ``SourceBitRate`` — bits per second of the incoming video;
* ``SourceNotRecoveredPackets`` — packets lost and not recovered (Count);
* ``SourceDisconnections`` — times the source went from connected to disconnected (Count);

each posted with the ``SourceARN`` dimension and, as "all source-level and output-level metrics are
also posted at the flow level" (*Metrics to monitor media health*), with ``FlowARN``.

They are computed when read (moto's ``CloudWatchMetricProvider``, as moto does for S3's metrics),
from what :mod:`.signal` says each ACTIVE flow received: a datapoint every 5 seconds over the
last 5 minutes plus one at the moment of the read (the emulator keeps no flow history, so an ACTIVE
flow reports as if it had run through the whole window). Packets are never lost in the emulator.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import MetricDatum
from moto.core.common_models import CloudWatchMetricProvider
from moto.mediaconnect.models import mediaconnect_backends

from ..moto_internals import flows_of
from .signal import received

NAMESPACE = "AWS/MediaConnect"
STEP = 5
WINDOW = 300


def _times(now: float) -> list[float]:
    last = now - now % STEP
    return [last - STEP * i for i in range(WINDOW // STEP, -1, -1)] + ([now] if now > last else [])


def flow_metrics(account_id: str, region: str, now: float | None = None) -> list[MetricDatum]:
    """The datapoints of every ACTIVE flow of ``region`` over the window ending ``now``."""
    at = time.time() if now is None else now
    if region not in mediaconnect_backends[account_id].keys():  # noqa: SIM118 (a lazy BackendDict)
        return []
    data: list[MetricDatum] = []
    for flow in list(flows_of(mediaconnect_backends[account_id][region]).values()):
        if flow.status not in ("ACTIVE", "UPDATING") or not flow.sources:
            continue
        source_arn = str(flow.sources[0].get("sourceArn", ""))
        dimension_sets = [
            [{"Name": "FlowARN", "Value": flow.flow_arn}],
            [{"Name": "SourceARN", "Value": source_arn}],
        ]
        was_connected: bool | None = None
        for t in _times(at):
            signal = received(account_id, flow, t)
            connected = signal is not None
            values: dict[str, tuple[float, str]] = {
                "SourceConnected": (1.0 if connected else 0.0, "None"),
                "SourceBitRate": (signal.bitrate if signal is not None else 0.0, "Bits/Second"),
                "SourceNotRecoveredPackets": (0.0, "Count"),
                "SourceDisconnections": (1.0 if was_connected and not connected else 0.0, "Count"),
            }
            was_connected = connected
            stamp = datetime.fromtimestamp(t, UTC).replace(tzinfo=None)  # moto compares naive UTC
            for name, (value, unit) in values.items():
                for dimensions in dimension_sets:
                    data.append(MetricDatum(NAMESPACE, name, value, dimensions, stamp, unit))
    return data


class MediaConnectMetrics(CloudWatchMetricProvider):
    """moto asks every ``CloudWatchMetricProvider`` subclass for its metrics on each read."""

    @staticmethod
    def get_cloudwatch_metrics(account_id: str, region: str) -> Any:
        return flow_metrics(account_id, region)

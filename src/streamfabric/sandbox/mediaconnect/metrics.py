"""``AWS/MediaConnect`` source metrics in moto's CloudWatch, readable with ``GetMetricData``, late.

MediaConnect "collects these datapoints every second and sends them immediately to Amazon
CloudWatch" (User Guide, *Monitoring MediaConnect with Amazon CloudWatch metrics*,
https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-cloudwatch.html), yet what is sent
is not readable at once: the console's source-health view is "1 minute behind real-time" (User
Guide, *Monitoring a source's health*,
https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-source-health.html), and CloudWatch
states no delivery time for a vended metric. The emulator's reading: a datapoint becomes readable
``metric_delay`` seconds after its timestamp (default 60, :mod:`..strictness`; the leniency
``metric_delay`` makes it 0), so the newest readable datapoint is always older than the delay; every
datapoint carries its true time.

The metrics follow *Metrics to monitor source health*
(https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-cloudwatch-metrics-source-health.html):

* ``SourceConnected`` — 1 connected, 0 disconnected (None unit); "available only for Zixi and SRT
  sources": a flow whose source is RTP, RIST, ... has none;
* ``SourceBitRate`` — bits per second of the incoming video;
* ``SourceNotRecoveredPackets`` — packets lost and not recovered (Count; never any in the emulator);
* ``SourceDisconnections`` — times the source went from connected to disconnected (Count);

each with the ``SourceARN`` dimension and, as "all source-level and output-level metrics are also
posted at the flow level" (*Metrics to monitor media health*), with ``FlowARN``. A flow posts only
while it runs (:mod:`.history`).

They are computed when read (moto's ``CloudWatchMetricProvider``, as moto does for S3's metrics):
one datapoint per flow and metric every 5 seconds over the readable last 5 minutes, each summing up
its 5 seconds: ``SourceConnected`` is 0 if the source was disconnected at any moment of them,
``SourceDisconnections`` counts every drop in them (a maintenance restart of a second counts).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import MetricDatum
from moto.core.common_models import CloudWatchMetricProvider
from moto.mediaconnect.models import mediaconnect_backends

from .. import strictness
from ..moto_internals import flows_of
from . import history
from .encoders import Signal
from .signal import arrives, changes, feed, posts_source_connected

NAMESPACE = "AWS/MediaConnect"
STEP = 5
WINDOW = 300


def readable_since(now: float) -> float:
    """The newest moment whose datapoints are readable at ``now``."""
    settings = strictness.current()
    return now - (settings.metric_delay if strictness.strict("metric_delay") else 0.0)


def _times(now: float) -> list[float]:
    """Datapoint times: 5-second steps strictly older than the delay (with no delay, also ``now``)."""
    cutoff = readable_since(now)
    last = cutoff - cutoff % STEP
    if last >= cutoff and cutoff < now:
        last -= STEP
    steps = [last - STEP * i for i in range(WINDOW // STEP, -1, -1)]
    return steps + ([cutoff] if cutoff == now and now > last else [])


def _interval(path: Any, start: float, end: float, before: bool) -> tuple[Signal | None, bool, int]:
    """What arrived at ``end``, whether it was there all of (start, end], and how often it dropped."""
    seen = [arrives(path, at) for at in (*(t for t in changes(path, start, end) if t < end), end)]
    drops, previous = 0, before
    for signal in seen:
        drops += previous and signal is None
        previous = signal is not None
    return seen[-1], all(s is not None for s in seen), drops


def flow_metrics(account_id: str, region: str, now: float | None = None) -> list[MetricDatum]:
    """The readable datapoints of every flow of ``region`` that ran in the window ending ``now``."""
    at = time.time() if now is None else now
    if region not in mediaconnect_backends[account_id].keys():  # noqa: SIM118 (a lazy BackendDict)
        return []
    data: list[MetricDatum] = []
    times = _times(at)
    for flow in list(flows_of(mediaconnect_backends[account_id][region]).values()):
        if not flow.sources:
            continue
        path = feed(account_id, flow)
        source_arn = str(flow.sources[0].get("sourceArn", ""))
        dimension_sets = [
            [{"Name": "FlowARN", "Value": flow.flow_arn}],
            [{"Name": "SourceARN", "Value": source_arn}],
        ]
        connected_metric = posts_source_connected(flow)
        was_connected = arrives(path, times[0] - STEP) is not None
        for t in times:
            if not history.running_at(flow.flow_arn, t):
                was_connected = False
                continue
            signal, always, drops = _interval(path, t - STEP, t, was_connected)
            was_connected = signal is not None
            values: dict[str, tuple[float, str]] = {
                "SourceBitRate": (signal.bitrate if signal is not None else 0.0, "Bits/Second"),
                "SourceNotRecoveredPackets": (0.0, "Count"),
                "SourceDisconnections": (float(drops), "Count"),
            }
            if connected_metric:
                values["SourceConnected"] = (1.0 if always else 0.0, "None")
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

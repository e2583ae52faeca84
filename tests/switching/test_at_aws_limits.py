"""Cuts at AWS's limits, on the strict emulator: a switch gets through while status polling is being
throttled (MediaConnect User Guide, Quotas, "Limits for API requests": HTTP 429 beyond them), and
the signal check is right while CloudWatch's datapoints are late (the console's source-health view
is "1 minute behind real-time": the metadata's real-time answer decides)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from streamfabric.aws.gateway import AwsGateway
from streamfabric.errors import AwsError, SignalCheckError, ThrottledError
from streamfabric.sandbox.server import set_strictness, signal
from streamfabric.switching import Switcher
from streamfabric.switching.signal import Metrics, SignalMonitor, judge
from streamfabric.switching.updating import update_source

from .conftest import World

pytestmark = pytest.mark.integration


class Throttles:
    """Counts the HTTP 429 answers a session's clients get (a botocore ``needs-retry`` hook)."""

    def __init__(self, session: Any) -> None:
        self.count = 0
        self._lock = threading.Lock()
        session.events.register("needs-retry.mediaconnect.*", self._seen)

    def _seen(self, response: Any = None, **_: Any) -> None:
        if response is not None and response[0].status_code == 429:
            with self._lock:
                self.count += 1


def test_a_switch_issued_while_status_polling_is_throttled_succeeds(on_air_reset: World) -> None:
    world = on_air_reset
    polling = world.session()
    throttles = Throttles(polling)
    # Three operators' panels polling status with no pause (status_ttl 0): far above MediaConnect's
    # 30 describes/s and 5 ListFlows/s. The product's default gateway: adaptive retries, few attempts.
    pollers = [Switcher(world.model, gateway=AwsGateway(polling, max_attempts=3)) for _ in range(3)]
    stop = threading.Event()
    failures: list[str] = []

    def poll(switcher: Switcher) -> None:
        while not stop.is_set():
            try:
                switcher.status()
            except AwsError as exc:  # throttled through every retry: the panel says "slowing down"
                failures.append(str(exc))

    threads = [threading.Thread(target=poll, args=(p,), daemon=True) for p in pollers]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while throttles.count == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert throttles.count > 0, "status polling was never throttled: the test proves nothing"
        sw = world.switcher(caller="director")
        result = sw.switch("nyc-studio", "live")  # the signal check too: nothing is forced
        assert result.changed
        taken = sw.take()
        assert taken.changed and taken.live == "tent-stage"
        assert [r.outcome for r in sw.history()] == ["switched", "switched"]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    state = world.switcher().state
    live = world.hub_source("live")["Transport"]["SourceListenerAddress"]  # type: ignore[index]
    assert live == state.ingests["tent-stage"].private_ip
    time.sleep(6)  # the token buckets refill (30 tokens at 5/s) before the module's next test


def test_with_a_60_s_metric_delay_a_live_ingest_is_cut_to_and_a_dead_one_refused(
    on_air_reset: World,
) -> None:
    world = on_air_reset
    set_strictness(world.endpoint, metricDelay=60)  # AWS's: nothing the encoders sent is readable yet
    sw = world.switcher()
    state = sw.state
    dead = state.ingests["sydney-stage"].flow_arn
    signal(world.endpoint, dead, connected=False)
    try:
        result = sw.switch("nyc-studio", "live")
        assert result.changed
        evidence = sw.history()[-1].evidence or {}
        assert evidence["receiving"] is True  # the metadata's real-time answer
        assert evidence["metric_delay_s"] == 60
        assert evidence["newest_datapoint"] is None  # no datapoint delivered yet: not a refusal
        with pytest.raises(SignalCheckError, match="receives no video now") as excinfo:
            sw.switch("sydney-stage", "live")
        assert excinfo.value.reason == "no_signal" and excinfo.value.seen["receiving"] is False
        status = sw.status()
        signals = {i.name: i.signal for i in status.ingests}
        assert signals["nyc-studio"] is not None and signals["nyc-studio"].has_signal
        assert signals["sydney-stage"] is not None and signals["sydney-stage"].reason == "no_signal"
    finally:
        signal(world.endpoint, dead, connected=True)
    live = world.hub_source("live")["Transport"]["SourceListenerAddress"]  # type: ignore[index]
    assert live == state.ingests["nyc-studio"].private_ip


def _metrics(connected: bool | None, bitrate: float | None) -> Metrics:
    return Metrics(connected, bitrate, bitrate, 0.0, 0.0, None)


def test_the_verdict_puts_the_metadata_first_and_refuses_a_connected_source_with_no_bits() -> None:
    assert judge(None, None, receiving=True).has_signal  # metrics not delivered yet: no refusal
    assert judge(_metrics(None, None), None, receiving=True).has_signal
    assert judge(_metrics(True, 8e6), None, receiving=False).reason == "no_signal"  # late, stale
    assert judge(_metrics(True, 0.0), None, receiving=True).reason == "no_bitrate"
    assert judge(None, None).reason == "no_signal"  # nothing known: refuse when in doubt
    assert judge(_metrics(True, 8e6), None).has_signal


class _Recording:
    """A gateway answering GetMetricData with one SourceConnected datapoint ``age`` seconds old."""

    def __init__(self, now: datetime, age: float | None) -> None:
        self.now, self.age = now, age
        self.params: dict[str, Any] = {}

    def call(self, service: str, region: str | None, operation: str, **params: Any) -> dict[str, Any]:
        self.params = params
        stamps = [] if self.age is None else [self.now - timedelta(seconds=self.age)]
        return {
            "MetricDataResults": [{"Id": "m0_connected", "Timestamps": stamps, "Values": [1.0] * len(stamps)}]
        }


@pytest.mark.parametrize(("age", "connected"), [(None, None), (70, True), (89, True), (95, None)])
def test_metrics_are_read_back_past_the_delivery_delay_and_judged_by_their_own_time(
    age: float | None, connected: bool | None
) -> None:
    """With a 60 s delay and a 30 s window, a datapoint up to 90 s old is recent."""
    now = datetime(2026, 1, 8, 12, 0, 0, tzinfo=UTC)
    gateway: Any = _Recording(now, age)
    monitor = SignalMonitor(gateway, wall=lambda: now, metric_delay=60.0)
    (metrics,) = monitor.read_metrics("eu-west-1", ["arn:flow"]).values()
    assert gateway.params["StartTime"] == now - timedelta(seconds=120)  # a minute of delivered data
    assert metrics.connected is connected
    assert metrics.newest_age_s == age


class _ThrottledTwice:
    def __init__(self, times: int) -> None:
        self.times, self.calls = times, 0

    def call(self, service: str, region: str | None, operation: str, **params: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.times:
            raise ThrottledError("mediaconnect.update_flow_source: TooManyRequestsException", code="429")
        return {"ok": True}


def test_a_throttled_cut_is_retried_within_its_budget_and_then_says_it_was_throttled() -> None:
    """Past botocore's retries (its quota spent by a burst of cuts), the cut keeps its own budget."""
    params = {"FlowArn": "arn:flow", "SourceArn": "arn:source"}
    gateway: Any = _ThrottledTwice(2)
    assert update_source(gateway, "eu-west-1", params, attempts=1, budget=5.0) == {"ok": True}
    assert gateway.calls == 3
    with pytest.raises(ThrottledError):
        update_source(_ThrottledTwice(99), "eu-west-1", params, attempts=1, budget=0.0)  # type: ignore[arg-type]

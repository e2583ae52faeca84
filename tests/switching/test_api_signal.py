"""The control API's signal: GET /thumbnails/{ingest}, /status carries the signal, 422 with a reason."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from streamfabric.api.local import LocalServer
from streamfabric.sandbox.server import signal

from .conftest import World
from .test_api import local_token, request

pytestmark = pytest.mark.integration


@pytest.fixture()
def api(on_air_reset: World) -> Iterator[str]:
    with LocalServer(on_air_reset.switcher(), caller="arn:aws:iam::123456789012:user/carol") as url:
        yield url


def _thumbnails(world: World, ingest: str, state: str) -> None:
    sw = world.switcher()
    target = sw.state.ingests[ingest]
    client = world.session().client("mediaconnect", region_name=target.region)
    client.update_flow(FlowArn=target.flow_arn, SourceMonitoringConfig={"ThumbnailState": state})


def test_thumbnail_is_a_jpeg_with_short_cache_headers(api: str, on_air_reset: World) -> None:
    from PIL import Image

    # the rendered flows enable thumbnails (SourceMonitoringConfig.ThumbnailState)
    thumbnail = urllib.request.Request(
        f"{api}/thumbnails/main-stage", headers={"X-Streamfabric-Token": local_token(api)}
    )
    with urllib.request.urlopen(thumbnail, timeout=30) as response:
        body = response.read()
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.headers["Cache-Control"] == "private, max-age=2"
        assert response.headers["Last-Modified"].endswith("GMT")
    assert Image.open(io.BytesIO(body)).format == "JPEG"


def test_thumbnail_404s(api: str, on_air_reset: World) -> None:
    code, problem = request(f"{api}/thumbnails/no-such-stage")
    assert code == 404 and problem["error"] == "unknown_ingest"
    _thumbnails(on_air_reset, "tent-stage", "DISABLED")
    try:
        code, problem = request(f"{api}/thumbnails/tent-stage")
        assert code == 404 and problem["error"] == "no_thumbnail"
        assert "THUMBNAIL_DISABLED" in problem["message"]
    finally:
        _thumbnails(on_air_reset, "tent-stage", "ENABLED")


def test_status_carries_the_signal_and_a_dead_ingest_is_422(api: str, on_air_reset: World) -> None:
    arn = on_air_reset.switcher().state.ingests["sydney-stage"].flow_arn
    signal(on_air_reset.endpoint, arn, connected=False)
    try:
        code, status = request(f"{api}/status")
        assert code == 200
        signals = {i["name"]: i["signal"] for i in status["ingests"]}
        assert signals.pop("sydney-stage")["reason"] == "no_signal"
        # live by their metadata now; their metrics are not readable yet (CloudWatch's delivery delay)
        assert all(s["has_signal"] and s["codec"] == "h264" for s in signals.values())
        code, problem = request(f"{api}/switch", "POST", {"ingest": "sydney-stage", "target": "live"})
        assert code == 422 and problem["error"] == "no_signal"
        assert problem["seen"]["receiving"] is False and problem["seen"]["ingest"] == "sydney-stage"
        code, result = request(f"{api}/switch", "POST", {"ingest": "sydney-stage", "force": True})
        assert code == 200 and result["changed"] is True
        code, history = request(f"{api}/history?limit=2")
        assert [r["outcome"] for r in history] == ["refused", "switched"]
        assert history[0]["evidence"]["receiving"] is False
    finally:
        signal(on_air_reset.endpoint, arn, connected=True)
    json.dumps(status)

"""A moto server on a local port, with streamfabric's MediaConnect extension installed.

The server runs in this process: :meth:`Sandbox.preset_hosted_zone` and :meth:`Sandbox.preset_secret`
(:mod:`.presets`) create what a topology expects to exist, with the ids it names, in its backends;
:meth:`Sandbox.encoder_on` / :meth:`Sandbox.encoder_off` are the encoders outside AWS
(:mod:`.mediaconnect.encoders`), :meth:`Sandbox.maintenance` a flow's maintenance restart, and the
``set_*`` methods the emulator's settings (:mod:`.strictness`: as strict as AWS by default;
``Sandbox(lenient={...})`` or :meth:`Sandbox.lenient` only for a test that says why). A client in
another process does the same over HTTP: :func:`signal`, :func:`set_strictness`, :func:`maintenance`.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterable
from datetime import datetime
from types import TracebackType

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer

from . import clock, patching, presets, strictness
from .mediaconnect import asynchronous, encoders, maintenance
from .mediaconnect import signal as mc_signal


class SandboxPortError(OSError):
    """The sandbox's port is taken (or not bindable)."""


class Sandbox:
    """moto's ThreadedMotoServer in this process; ``port=0`` picks a free port. ``lenient``: names of
    :data:`.strictness.LENIENCIES` kind until this sandbox stops (resets keep them): for a test that
    says why, never by default."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, lenient: Iterable[str] = ()) -> None:
        self.host = host
        self.port = port
        self.endpoint_url = ""
        self.leniencies = frozenset(lenient)
        strictness.Strictness(lenient=self.leniencies)  # unknown names fail here, not at start()
        self._server: ThreadedMotoServer | None = None

    def start(self) -> Sandbox:
        """Install the extension and start serving; ``endpoint_url`` is valid afterwards."""
        if self._server is not None:
            return self
        patching.install()
        if self.port:  # moto's server would wait forever for a thread that died on bind()
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug's server
                try:
                    probe.bind((self.host, self.port))
                except OSError as exc:
                    raise SandboxPortError(
                        f"the sandbox cannot listen on {self.host}:{self.port} ({exc.strerror or exc})"
                    ) from None
        if self.leniencies:
            strictness.set_base(strictness.Strictness(lenient=self.leniencies))
        server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        self._server = server
        self.port = port
        self.endpoint_url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        """Stop serving (no-op when not started)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
            if self.leniencies:
                strictness.set_base(strictness.Strictness())

    def preset_hosted_zone(self, zone_id: str, domain: str) -> str:
        """A public hosted zone for ``domain`` with exactly this id
        (see :func:`.presets.preset_hosted_zone`); returns the id."""
        return presets.preset_hosted_zone(zone_id, domain)

    def preset_secret(self, region: str, arn_or_name: str, value: str) -> str:
        """A secret by name in ``region``, or with exactly the given ARN; returns its ARN
        (see :func:`.presets.preset_secret`)."""
        return presets.preset_secret(region, arn_or_name, value)

    def set_flow_errors(self, flow_arn: str, errors: list[str]) -> None:
        """The errors DescribeFlow reports in ``Messages`` for a flow
        (see :mod:`.mediaconnect.asynchronous`)."""
        asynchronous.set_flow_errors(flow_arn, errors)

    def set_update_window(
        self, *, stale_reads: int = 0, updating_reads: int = 1, updating_seconds: float = 0.0
    ) -> None:
        """How UpdateFlowSource's asynchronous window looks to readers
        (see :mod:`.mediaconnect.asynchronous`)."""
        asynchronous.configure(asynchronous.UpdateWindow(stale_reads, updating_reads, updating_seconds))

    # -- the encoders outside AWS (mediaconnect/encoders.py) ----------------------------------------
    def encoder_on(
        self, flow_arn: str, *, resolution: str | None = None, codec: str | None = None,
        frame_rate: str | None = None,
    ) -> dict[str, object]:  # fmt: skip
        """An encoder sends to the flow's source from now on (``resolution`` "1920x1080"; what is left
        out keeps its value, at first 1920x1080 H.264 50 fps); returns what it sends."""
        width, height = _resolution(resolution)
        return mc_signal.set_signal(flow_arn, connected=True, width=width, height=height, codec=codec,
                                    frame_rate=frame_rate).to_wire()  # fmt: skip

    def encoder_off(self, flow_arn: str) -> dict[str, object]:
        """The flow's encoder stops sending."""
        return mc_signal.set_signal(flow_arn, connected=False).to_wire()

    def encoder_on_named(
        self, region: str, flow_name: str, *, account_id: str = DEFAULT_ACCOUNT_ID,
        resolution: str | None = None, codec: str | None = None, frame_rate: str | None = None,
    ) -> dict[str, object]:  # fmt: skip
        """An encoder that sends to the flow named ``flow_name`` in ``region`` once it exists (before a
        deploy: one per ingest, pointed at the flow the deploy will make)."""
        width, height = _resolution(resolution)
        return encoders.set_named(account_id, region, flow_name, connected=True, width=width, height=height,
                                  codec=codec, frame_rate=frame_rate).to_wire()  # fmt: skip

    # -- maintenance (mediaconnect/maintenance.py) --------------------------------------------------
    def maintenance(self, flow_arn: str) -> None:
        """Restart a running flow as MediaConnect does in its maintenance window."""
        maintenance.restart(maintenance.find_flow(flow_arn))

    # -- the emulator's settings (strictness.py, clock.py) ------------------------------------------
    def set_throttle(self, *, rate_scale: float = 1.0, enabled: bool = True) -> None:
        """MediaConnect's token buckets: refill ``rate_scale`` times faster than real time; ``enabled``
        False is the leniency ``throttling`` (a test says why)."""
        names = set(strictness.current().lenient)
        (names.discard if enabled else names.add)("throttling")
        strictness.configure(throttle_rate_scale=rate_scale, lenient=names)

    def set_metric_delay(self, seconds: float) -> None:
        """How long an AWS/MediaConnect datapoint takes to become readable (default 60 s)."""
        strictness.configure(metric_delay=seconds)

    def set_deleting(self, *, reads: int = 2, seconds: float = 0.0) -> None:
        """How long a deleted flow shows DELETING (reads of it, and at least this long)."""
        strictness.configure(deleting_reads=reads, deleting_seconds=seconds)

    def set_maintenance_restart(self, *, reads: int = 2, seconds: float = 0.0) -> None:
        """How long a maintenance restart lasts (reads: STANDBY, then STARTING; and at least this long)."""
        strictness.configure(maintenance_reads=reads, maintenance_seconds=seconds)

    def lenient(self, *names: str) -> None:
        """Kind in these behaviours until the next reset (a test says why; see :mod:`.strictness`)."""
        strictness.lenient(names)

    def freeze_clock(self) -> None:
        """The emulator's monotonic clock stops; :meth:`advance_clock` moves it (no test sleeps)."""
        clock.freeze()

    def advance_clock(self, seconds: float) -> None:
        clock.advance(seconds)

    def pin_wall_clock(self, moment: datetime | None) -> None:
        """The calendar maintenance windows are checked against (None: real time)."""
        clock.pin_wall(moment)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _resolution(text: str | None) -> tuple[int | None, int | None]:
    if text is None:
        return None, None
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def _post(endpoint_url: str, path: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        f"{endpoint_url.rstrip('/')}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        reply: dict[str, object] = json.loads(response.read())
    return reply


def set_strictness(endpoint_url: str, **body: object) -> dict[str, object]:
    """Change the emulator's settings behind ``endpoint_url`` (``lenient=[...]``, ``metricDelay=``,
    ``throttle={...}``, ``deleting={...}``, ``maintenance={...}``, ``clock={...}``: see
    :mod:`.strictness`); returns them."""
    return _post(endpoint_url, "/moto-api/streamfabric/strictness", body)


def maintenance_restart(endpoint_url: str, flow_arn: str) -> dict[str, object]:
    """Restart a running flow of the emulator behind ``endpoint_url`` as its maintenance window would."""
    return _post(endpoint_url, "/moto-api/streamfabric/maintenance", {"flowArn": flow_arn})


def reset(endpoint_url: str) -> None:
    """Clear every moto backend behind ``endpoint_url`` (POST /moto-api/reset)."""
    request = urllib.request.Request(f"{endpoint_url.rstrip('/')}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def signal(endpoint_url: str, flow_arn: str, **changes: object) -> dict[str, object]:
    """Change what the flow's encoder sends in the emulator behind ``endpoint_url`` (``connected``
    True: it sends, False: it stops; ``width``, ``height``, ``codec``, ``frameRate``; see
    :mod:`.mediaconnect.encoders`); returns what it sends now."""
    reply = _post(endpoint_url, "/moto-api/streamfabric/signal", {"flowArn": flow_arn, **changes})
    signal_now = reply.get("signal")
    return dict(signal_now) if isinstance(signal_now, dict) else {}

"""A moto server on a local port, with streamfabric's MediaConnect extension installed.

The server runs in this process: :meth:`Sandbox.preset_hosted_zone` and :meth:`Sandbox.preset_secret`
(:mod:`.presets`) create what a topology expects to exist, with the ids it names, in its backends.
"""

from __future__ import annotations

import socket
import urllib.request
from types import TracebackType

from moto.server import ThreadedMotoServer

from . import patching, presets
from .mediaconnect import asynchronous


class SandboxPortError(OSError):
    """The sandbox's port is taken (or not bindable)."""


class Sandbox:
    """moto's ThreadedMotoServer in this process; ``port=0`` picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.endpoint_url = ""
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

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def reset(endpoint_url: str) -> None:
    """Clear every moto backend behind ``endpoint_url`` (POST /moto-api/reset)."""
    request = urllib.request.Request(f"{endpoint_url.rstrip('/')}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def signal(endpoint_url: str, flow_arn: str, **changes: object) -> dict[str, object]:
    """Change what the flow's source receives in the emulator behind ``endpoint_url``
    (``connected``, ``width``, ``height``, ``codec``, ``frameRate``; see :mod:`.mediaconnect.signal`);
    returns the flow's signal as the emulator now reports it."""
    import json

    body = json.dumps({"flowArn": flow_arn, **changes}).encode()
    request = urllib.request.Request(
        f"{endpoint_url.rstrip('/')}/moto-api/streamfabric/signal",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        reply: dict[str, object] = json.loads(response.read())
    signal_now = reply.get("signal")
    return dict(signal_now) if isinstance(signal_now, dict) else {}

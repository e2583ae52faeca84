"""The sandbox (moto + streamfabric's extension) in a child process, for the benchmarks.

In AWS the service's own work does not run on the caller's CPU. An emulator in the benchmark's own
process would share one GIL with the deploy's threads and turn every figure that runs calls in
parallel (regions, take, status) into a measure of moto's CPU. So the benchmarks talk to a sandbox
in a child process, reset (``/moto-api/reset``) and seeded with a topology's prerequisites
(:func:`streamfabric.cli.demo.seed_prerequisites`) before each figure.

moto creates each region's EC2 backend lazily, loading its default AMIs (thousands of images and
snapshots) the first time a region is used; we never use an AMI, so the child sets
``MOTO_EC2_LOAD_DEFAULT_AMIS=false`` (a moto setting) to keep that emulator-only cost per region out
of the figures.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the child process
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    from streamfabric.cli.demo import quiet_emulator_logs, seed_prerequisites
    from streamfabric.sandbox.server import Sandbox, reset
    from streamfabric.topology.loading import load_topology

    quiet_emulator_logs()
    sandbox = Sandbox().start()
    conn.send(sandbox.endpoint_url)
    try:
        while True:
            command, argument, updating_reads = conn.recv()
            if command == "stop":
                break
            try:
                reset(sandbox.endpoint_url)
                sandbox.set_update_window(updating_reads=updating_reads)
                if argument:
                    seed_prerequisites(sandbox, load_topology(argument))
                conn.send(("ok", ""))
            except Exception as exc:  # reported to the parent, which raises it
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sandbox.stop()


class Emulator:
    """A sandbox in a child process; :meth:`prepare` resets it and seeds a topology's prerequisites."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process: Any = context.Process(target=_serve, args=(child,), daemon=True)
        self.endpoint_url = ""

    def start(self) -> Emulator:
        self._process.start()
        self.endpoint_url = str(self._conn.recv())
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint_url
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        return self

    def prepare(self, topology_path: str = "", *, update_window: bool = True) -> None:
        """Clear every backend, then create what the topology at ``topology_path`` expects to exist.

        ``update_window=False``: no UPDATING window after UpdateFlowSource (the sandbox models
        MediaConnect's, and refuses a second update during it); the switch and take figures measure
        streamfabric's call path, not back-to-back updates of one flow waiting that window out."""
        self._conn.send(("prepare", topology_path, 1 if update_window else 0))
        status, message = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"emulator: {message}")

    @property
    def pid(self) -> int | None:
        return int(self._process.pid) if self._process.pid else None

    def stop(self) -> None:
        if self._process.is_alive():
            self._conn.send(("stop", "", 0))
            self._process.join(timeout=30)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

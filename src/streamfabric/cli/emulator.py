"""``streamfabric sandbox serve``: the AWS emulator alone, for other tools (Terraform, the AWS CLI,
``streamfabric`` itself) to point at with ``AWS_ENDPOINT_URL``.

:func:`serve` starts moto's server with streamfabric's extension on 127.0.0.1, seeds it with what a
topology expects to exist before a deploy (its secrets and its Route 53 hosted zone:
:func:`streamfabric.cli.demo.seed_prerequisites`), prints the ``export`` line, and runs until
interrupted. Nothing in it touches AWS.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from ..errors import StreamfabricError
from ..topology.model import Topology

# What the emulator accepts as credentials (any non-empty value; these say where they belong).
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}
DEFAULT_PORT = 5000  # moto's own default


class EmulatorError(StreamfabricError):
    """The emulator could not start (e.g. its port is taken)."""

    kind = "emulator"


@dataclass(frozen=True)
class Served:
    """What :func:`serve` started: the endpoint, and what it seeded."""

    endpoint_url: str
    secrets: tuple[str, ...] = ()
    hosted_zone_id: str | None = None
    environment: dict[str, str] = field(default_factory=dict)

    def export_line(self) -> str:
        return "export " + " ".join(f"{k}={v}" for k, v in self.environment.items())


def _wait_forever(_: Served) -> None:
    while True:
        time.sleep(3600)


def serve(
    model: Topology | None = None,
    *,
    port: int = DEFAULT_PORT,
    out: TextIO = sys.stdout,
    wait: Callable[[Served], None] | None = None,
) -> Served:
    """Run the emulator on 127.0.0.1:``port`` (0: a free port), seeded for ``model`` when given,
    until ``wait(served)`` returns (default: until Ctrl-C). Returns what was served."""
    from ..sandbox.server import Sandbox, SandboxPortError, reset
    from .demo import quiet_emulator_logs, seed_prerequisites

    quiet_emulator_logs()
    sandbox = Sandbox(port=port)
    try:
        sandbox.start()
    except SandboxPortError as exc:
        raise EmulatorError(f"{exc}: pick another port with --port") from None
    try:
        reset(sandbox.endpoint_url)  # moto's backends live in the process: an empty account
        secrets: tuple[str, ...] = ()
        zone = None
        if model is not None:
            seed_prerequisites(sandbox, model)
            secrets = tuple(sorted({f"{region} {ref.ref}" for region, ref in model.secret_uses()}))
            zone = model.dns.hosted_zone_id if model.dns else None
        env = {"AWS_ENDPOINT_URL": sandbox.endpoint_url, **FAKE_CREDENTIALS}
        served = Served(sandbox.endpoint_url, secrets, zone, env)
        print(f"AWS emulator (moto + streamfabric's extension) at {sandbox.endpoint_url}", file=out)
        if model is not None:
            print(f"seeded for topology {model.name!r}:", file=out)
            for secret in secrets:
                print(f"  secret {secret}", file=out)
            if zone:
                print(f"  hosted zone {zone}", file=out)
        print(
            "Point AWS tools at it (Terraform, the AWS CLI, streamfabric):\n"
            f"  {served.export_line()}\nCtrl-C to stop.",
            file=out,
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            (wait or _wait_forever)(served)
        return served
    finally:
        sandbox.stop()


__all__ = ["DEFAULT_PORT", "EmulatorError", "Served", "serve"]

"""``streamfabric sandbox serve``: the emulator alone, seeded with what a topology expects to exist,
checked with the test's own describe calls; the command as a user runs it (a process, Ctrl-C)."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from streamfabric.cli.emulator import EmulatorError, Served, serve
from streamfabric.cli.main import main
from streamfabric.sandbox.server import reset
from streamfabric.topology.loading import load_topology

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
FESTIVAL = ROOT / "examples" / "festival.json"


def client(served: Served, service: str, region: str) -> Any:
    session = boto3.session.Session(aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    return session.client(service, region_name=region, endpoint_url=served.endpoint_url)


def test_serve_seeds_the_topology_s_secrets_and_hosted_zone_succeeds(moto_server: str) -> None:
    reset(moto_server)
    model = load_topology(str(FESTIVAL))
    seen: dict[str, Any] = {}

    def inspect(served: Served) -> None:
        for region, ref in model.secret_uses():
            described = client(served, "secretsmanager", region).describe_secret(SecretId=ref.ref)
            seen.setdefault("secrets", set()).add((region, described["Name"]))
            if ref.is_arn:
                assert described["ARN"] == ref.ref  # exactly the ARN the topology names
        assert model.dns is not None
        zone = client(served, "route53", "us-east-1").get_hosted_zone(Id=model.dns.hosted_zone_id)
        seen["zone"] = zone["HostedZone"]["Name"]
        seen["flows"] = client(served, "mediaconnect", model.hub.region).list_flows()["Flows"]

    out = io.StringIO()
    served = serve(model, port=0, out=out, wait=inspect)
    assert seen["secrets"] == {(region, ref.name) for region, ref in model.secret_uses()}
    assert len(seen["secrets"]) == 7
    assert seen["zone"].rstrip(".") == model.dns.domain
    assert seen["flows"] == []  # only the prerequisites: nothing of the topology itself
    text = out.getvalue()
    assert served.endpoint_url.startswith("http://127.0.0.1:")
    export = f"export AWS_ENDPOINT_URL={served.endpoint_url} AWS_ACCESS_KEY_ID=sandbox"
    assert text.splitlines()[-2].strip() == export + " AWS_SECRET_ACCESS_KEY=sandbox"
    assert "hosted zone Z0123456789ABCDEFGHIJ" in text
    with pytest.raises(OSError):  # stopped once wait returned
        socket.create_connection(("127.0.0.1", int(served.endpoint_url.rsplit(":", 1)[1])), timeout=5)


def test_serve_without_topology_seeds_nothing_succeeds(moto_server: str) -> None:
    reset(moto_server)
    listed: list[Any] = []
    served = serve(
        None,
        port=0,
        out=io.StringIO(),
        wait=lambda s: listed.extend(client(s, "secretsmanager", "eu-west-1").list_secrets()["SecretList"]),
    )
    assert listed == [] and served.secrets == () and served.hosted_zone_id is None


def test_a_sandbox_on_a_taken_port_fails_instead_of_waiting_forever() -> None:
    from streamfabric.sandbox.server import Sandbox, SandboxPortError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SandboxPortError, match=rf"cannot listen on 127.0.0.1:{port}"):
            Sandbox(port=port).start()


def test_serve_on_a_taken_port_fails() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmulatorError, match=rf"cannot listen on 127.0.0.1:{port}.*--port"):
            serve(None, port=port, out=io.StringIO(), wait=lambda _: None)


def test_cli_sandbox_without_a_subcommand_is_a_usage_error_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["sandbox"])
    assert exc.value.code == 2
    assert "serve" in capsys.readouterr().err


def test_cli_sandbox_serve_with_an_invalid_topology_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x"}', encoding="utf-8")
    assert main(["sandbox", "serve", "--topology", str(bad), "--port", "0"]) == 1
    out, err = capsys.readouterr()
    assert (
        "bad.json: $: missing required field" in err
        and "Traceback" not in err
        and "AWS_ENDPOINT_URL" not in out
    )


def _read_until(proc: subprocess.Popen[str], marker: str, limit_s: float = 120.0) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} in the output: {lines}")


@pytest.mark.slow
def test_cli_sandbox_serve_runs_until_ctrl_c_succeeds() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("AWS_ENDPOINT_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-X",
            "faulthandler",
            "-m",
            "streamfabric",
            "sandbox",
            "serve",
            "--topology",
            str(FESTIVAL),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        # As a terminal's foreground process: a job started in the background by a shell (nohup,
        # `&` in a script) inherits SIGINT ignored, and Python then installs no Ctrl-C handler.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        lines = _read_until(proc, "export AWS_ENDPOINT_URL=")
        exports = dict(item.split("=", 1) for item in lines[-1].split()[1:])
        session = boto3.session.Session(
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        )
        sm = session.client(
            "secretsmanager", region_name="eu-west-1", endpoint_url=exports["AWS_ENDPOINT_URL"]
        )
        assert (
            sm.describe_secret(SecretId="festival/ingest/main-stage")["Name"] == "festival/ingest/main-stage"
        )
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:  # where is it stuck? faulthandler prints every thread
            proc.send_signal(signal.SIGABRT)
            _, err = proc.communicate(timeout=30)
            raise AssertionError(
                f"sandbox serve did not stop on Ctrl-C within 60 s:\n{err[-6000:]}"
            ) from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "emulator stopped" in out and "Traceback" not in err

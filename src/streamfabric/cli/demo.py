"""``streamfabric demo``: the whole job on one machine, against the embedded AWS emulator.

Upload the topology to an emulated S3 bucket, create the secrets it references, validate, render,
deploy the network and flow stacks (CloudFormation network mode), run the post-steps, switch Live
to another ingest, put a third on Preview, take; then stop a fourth ingest's (emulated) encoder and
show that a cut to it is refused for want of a signal, then made with ``force``, and put Live back;
show status and history. With ``keep``, leave the emulator and the control API running on
127.0.0.1 for the other commands to try.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..errors import StreamfabricError
from ..resources import example_path
from ..sandbox.server import Sandbox, reset
from ..topology.model import Topology

if TYPE_CHECKING:  # pragma: no cover
    from ..switching import Switcher

BUCKET = "streamfabric-demo"
FAKE_PASSPHRASE = "sandbox-only-not-a-secret"  # lives only in the emulator's memory


@dataclass
class DemoResult:
    endpoint: str
    topology_uri: str
    steps: list[str] = field(default_factory=list)
    live: str | None = None
    preview: str | None = None
    api_url: str | None = None
    api_function: str | None = None  # the control API's Lambda function, in the emulator


class Progress:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.perf_counter()
        self.steps: list[str] = []

    def step(self, text: str) -> None:
        self.steps.append(text)
        print(f"[{time.perf_counter() - self.started:6.1f}s] {text}", file=self.out, flush=True)


def quiet_emulator_logs() -> None:
    """The emulator's HTTP server logs every request; the demo's own progress is what to read."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _seed(sandbox: Sandbox, topology_file: Path, session: object) -> str:
    """The topology in an emulated bucket, and every secret and hosted zone it references."""
    import boto3

    from ..topology.loading import parse_topology

    assert isinstance(session, boto3.session.Session)
    data = topology_file.read_bytes()
    model = parse_topology(data, str(topology_file))
    s3 = session.client("s3", region_name=model.hub.region, endpoint_url=sandbox.endpoint_url)
    # in the hub region: the control API's Lambda package goes to this bucket, and Lambda reads it
    # from a bucket in its own region
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": model.hub.region})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    key = f"{model.name}/{topology_file.name}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType="application/json")
    seed_prerequisites(sandbox, model)
    return f"s3://{BUCKET}/{key}"


def seed_prerequisites(sandbox: Sandbox, model: Topology) -> None:
    """What a real account has before a deploy: the secrets the topology references (with a value
    that exists only in the emulator's memory) and its Route53 hosted zone."""
    for region, ref in model.secret_uses():
        sandbox.preset_secret(region, ref.ref, FAKE_PASSPHRASE)
    if model.dns:
        sandbox.preset_hosted_zone(model.dns.hosted_zone_id, model.dns.domain)


def _plan_switches(model: Topology) -> tuple[str, str]:
    """Two ingests other than what Live and Preview start on: one for Live, one for Preview."""
    others = [
        n for n in model.ingest_names if n not in (model.hub.live.starts_on, model.hub.preview.starts_on)
    ]
    if len(others) >= 2:
        return others[0], others[1]
    if others:
        return others[0], model.hub.live.starts_on
    raise StreamfabricError("the demo needs a topology with at least three ingests")


def run_demo(
    *,
    topology: str | None = None,
    keep: bool = False,
    port: int = 8080,
    out: TextIO = sys.stdout,
    wait_forever: Callable[[DemoResult], None] | None = None,
    api_package: str | Path | None = None,
    network: str = "cloudformation",
) -> DemoResult:
    """Run the demo. With ``keep``, ``wait_forever(result)`` runs while the emulator and the control
    API are up (default: until Ctrl-C); tests pass a function that inspects them.

    The control API's stack is deployed complete (function, role, APIs, stages), so the demo needs
    its Lambda package: ``api_package``, else the one ``package-api`` builds, cached under
    ``~/.cache/streamfabric`` (the first run takes the wheels from the package index; later runs,
    offline too, reuse them). The emulator stores the function without running it; the demo's
    control API on 127.0.0.1 runs the same handler.

    ``network="terraform"``: the network is the rendered Terraform, applied by ``terraform``
    (which must be on PATH) against the emulator; its outputs feed the deploy of the flows."""
    if network not in ("cloudformation", "terraform"):
        raise StreamfabricError(f"unknown network mode {network!r}: terraform or cloudformation")
    if network == "terraform":
        from .terraform import require_terraform

        require_terraform()  # before anything starts
    import boto3

    from ..aws.gateway import AwsGateway
    from ..deployment import PlainReporter, deploy
    from ..rendering import render, write_files
    from ..switching import Switcher, format_table
    from ..topology.loading import load_topology

    progress = Progress(out)
    topology_file = Path(topology) if topology else example_path("festival")
    sandbox = Sandbox()
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    progress.step("starting the embedded AWS emulator (moto + streamfabric's MediaConnect extension)")
    quiet_emulator_logs()
    sandbox.start()
    reset(sandbox.endpoint_url)  # moto's backends live in the process: start from an empty account
    os.environ["AWS_ENDPOINT_URL"] = sandbox.endpoint_url
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "sandbox")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "sandbox")
    try:
        session = boto3.session.Session(region_name="us-east-1")
        gateway = AwsGateway(session, waiter_delay=0.1)
        progress.step(f"emulator at {sandbox.endpoint_url}; uploading {topology_file.name} and its secrets")
        uri = _seed(sandbox, topology_file, session)
        result = DemoResult(endpoint=sandbox.endpoint_url, topology_uri=uri)

        progress.step(f"validating {uri}")
        model = load_topology(uri, session=session)
        progress.step(
            f"valid: hub {model.hub.region}, {len(model.networks)} regions, {len(model.ingests)} ingests"
        )

        rendered = render(model, network="cloudformation" if network == "cloudformation" else "terraform")
        out_dir = Path(tempfile.mkdtemp(prefix="streamfabric-demo-"))
        write_files(out_dir, rendered)
        progress.step(f"rendered {len(rendered)} files into {out_dir}")

        if api_package is None:
            from ..deployment.api_package import build_api_package, cache_root

            progress.step("building the control API's Lambda package (cached after the first run)")
            api_package = build_api_package(cache_root() / "dist").path
        if network == "terraform":
            outputs = _apply_terraform(out_dir, sandbox.endpoint_url, progress)
            progress.step(
                "deploying the flow and control API stacks on the Terraform network; "
                "the post-steps once the flows exist"
            )
            deployed = deploy(
                model,
                network="terraform",
                network_outputs=outputs,
                gateway=gateway,
                reporter=PlainReporter(out),
                api_package=api_package,
            )
        else:
            progress.step(
                "deploying network, peering, routes, flow and control API stacks; "
                "the post-steps once the flows exist"
            )
            deployed = deploy(
                model,
                network="cloudformation",
                gateway=gateway,
                reporter=PlainReporter(out),
                api_package=api_package,
            )
        progress.step(f"deployed: runtime state at {deployed.state_uri}")
        if deployed.api:
            from ..rendering.api import function_name

            result.api_function = function_name(model)
            progress.step(
                f"control API (emulated, not run): function {result.api_function}, "
                + ", ".join(f"{k} {v}" for k, v in sorted(deployed.api.items()))
            )

        switcher = Switcher(model, gateway=gateway, caller="demo")
        to_live, to_preview = _plan_switches(model)
        live = switcher.switch(to_live, "live")
        progress.step(f"switch live: {live.previous} -> {live.ingest} ({live.elapsed_ms:.0f} ms)")
        preview = switcher.switch(to_preview, "preview")
        progress.step(f"switch preview: {preview.previous} -> {preview.ingest} ({preview.elapsed_ms:.0f} ms)")
        take = switcher.take()
        progress.step(f"take: live {take.previous_live} -> {take.live}, preview {take.previous_preview} -> "
                      f"{take.preview}")  # fmt: skip
        _rehearse_dead_feed(switcher, sandbox, progress)
        status = switcher.status()
        print("\n" + format_table(status) + "\n", file=out)
        for record in switcher.history():
            print(f"  {record.time}  {record.action:<6} {record.target:<12} {record.from_ingest} -> "
                  f"{record.to_ingest}  {record.outcome}", file=out)  # fmt: skip
        result.live, result.preview = status.live.ingest, status.preview.ingest
        result.steps = progress.steps
        if keep:
            from ..api.local import LocalServer

            switcher.status_ttl = 1.0  # every open panel polls /status
            server = LocalServer(switcher, port=port)
            result.api_url = server.start()
            print(
                "\nThe sandbox keeps running. In another terminal:\n"
                f"  export AWS_ENDPOINT_URL={sandbox.endpoint_url} AWS_ACCESS_KEY_ID=sandbox "
                "AWS_SECRET_ACCESS_KEY=sandbox\n"
                f"  export STREAMFABRIC_TOPOLOGY={uri}\n"
                "  streamfabric status; streamfabric switch <ingest>; streamfabric history\n"
                "  streamfabric sandbox signal <ingest> --off   # rehearse a dead feed; --on to restore\n"
                f"Control API (and panel): {result.api_url}/\nCtrl-C to stop.",
                file=out,
                flush=True,
            )
            try:
                (wait_forever or _wait_forever)(result)
            except KeyboardInterrupt:
                pass
            finally:
                server.stop()
        progress.step("done")
        return result
    finally:
        sandbox.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _apply_terraform(out_dir: Path, endpoint_url: str, progress: Progress) -> dict[str, object]:
    """``terraform init`` (from the local provider mirror when there is one), ``apply`` against
    the emulator, ``output -json``: what ``deploy --network-outputs`` reads."""
    from .terraform import Terraform, find_mirror, terraform_env

    mirror = find_mirror()
    aws = {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "sandbox",
        "AWS_SECRET_ACCESS_KEY": "sandbox",
    }
    env = terraform_env(out_dir / ".terraform-cli", mirror=mirror, aws=aws)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):  # the fake keys above, nothing of the user's
        env.pop(name, None)
    tf = Terraform(out_dir / "terraform", env)
    progress.step(
        f"terraform init ({f'provider mirror {mirror}' if mirror else 'providers from the registry'})"
    )
    tf.init()
    progress.step("terraform apply: the network (VPCs, peering, routes, IAM, hop secret) in the emulator")
    tf.apply()
    progress.step(f"terraform applied {len(tf.resources())} resources and data sources; reading its outputs")
    return tf.output_json()


def _rehearse_dead_feed(switcher: Switcher, sandbox: Sandbox, progress: Progress) -> None:
    """An ingest's encoder stops: the cut to it is refused, then forced; Live goes back, signal on."""
    from ..errors import SignalCheckError
    from ..sandbox.server import signal

    live = switcher.on_air("live")
    dead = next(n for n in switcher.state.ingests if n not in (live, switcher.on_air("preview")))
    arn = switcher.state.ingests[dead].flow_arn
    signal(sandbox.endpoint_url, arn, connected=False)
    progress.step(f"{dead}'s encoder stops sending (streamfabric sandbox signal {dead} --off)")
    try:
        switcher.switch(dead, "live")
        raise StreamfabricError(f"the demo expected the cut to {dead} to be refused")
    except SignalCheckError as exc:
        progress.step(f"switch live to {dead}: refused ({exc.reason}): {exc}")
    forced = switcher.switch(dead, "live", force=True)
    progress.step(
        f"switch live to {dead} --force: {forced.previous} -> {forced.ingest} (the operator's choice)"
    )
    signal(sandbox.endpoint_url, arn, connected=True)
    if live is not None:
        back = switcher.switch(live, "live", force=True)
        progress.step(f"{dead}'s encoder is back; live back to {back.ingest}")


def _wait_forever(_: DemoResult) -> None:
    while True:
        time.sleep(3600)

"""The runtime state document after the post-steps: build it from what is observed (pure), and
read / write / delete it (a local file, or an S3 object through the gateway)."""

from __future__ import annotations

import os
from pathlib import Path

from ..aws.gateway import AwsGateway
from ..errors import DeployError, NotFoundError
from ..runtime_state import HubFlowState, IngestState, RuntimeState, default_state_uri
from ..topology.loading import split_s3_uri
from ..topology.model import HUB_ROLES, Topology
from .network import NetworkOutputs
from .poststeps import HOP_OUTPUTS, vpc_interface_name
from .remote import RemoteState


def state_uri(model: Topology) -> str:
    """Where the runtime state goes: ``$.state.runtime_state``, or next to the topology (for an S3
    topology read at a version, next to the object without the ``?versionId``)."""
    if not model.state.runtime_state and model.source.is_s3 and "?" in model.source.uri:
        bucket, key, _ = split_s3_uri(model.source.uri)
        base = key[:-5] if key.endswith(".json") else key
        return f"s3://{bucket}/{base}.state.json"
    return default_state_uri(model)


def build_state(model: Topology, remote: RemoteState, network: NetworkOutputs) -> RuntimeState:
    """The document ``switch()`` needs, from observed flows. DeployError if a post-step is missing."""
    problems: list[str] = []
    hub_net = network.region(model.hub.region)
    hubs: dict[str, HubFlowState] = {}
    for role in HUB_ROLES:
        flow = remote.flow(model.flow_name(role))
        if flow is None or flow.source is None:
            problems.append(f"flow {model.flow_name(role)} does not exist")
            continue
        hubs[role] = HubFlowState(
            flow_arn=flow.arn, source_arn=flow.source.arn, vpc_interface=vpc_interface_name(role)
        )
    ingests: dict[str, IngestState] = {}
    for ingest in model.ingests:
        name = model.flow_name(ingest.name)
        flow = remote.flow(name)
        address = remote.interface_address(name, vpc_interface_name(ingest.name))
        if flow is None or address is None:
            problems.append(f"flow {name} has no VPC interface address")
            continue
        outputs: dict[str, str] = {r: o.arn for r in HUB_ROLES if (o := flow.output(HOP_OUTPUTS[r]))}
        ingests[ingest.name] = IngestState(
            region=ingest.region,
            flow_arn=flow.arn,
            private_ip=address,
            live_port=model.internal_hop.live_port,
            preview_port=model.internal_hop.preview_port,
            output_arns=outputs,
        )
    if not isinstance(hub_net.hop_secret_arn, str) or not isinstance(hub_net.role_arn, str):
        problems.append("the hub's network outputs are not known")
    if problems:
        raise DeployError("cannot write the runtime state: " + "; ".join(problems))
    return RuntimeState(
        topology=model.name,
        topology_sha256=model.source.sha256,
        hub_region=model.hub.region,
        live=hubs["live"],
        preview=hubs["preview"],
        hop_secret_arn=str(hub_net.hop_secret_arn),
        role_arn=str(hub_net.role_arn),
        ingests=ingests,
    )


def read_state(gateway: AwsGateway, uri: str) -> str | None:
    if uri.startswith("s3://"):
        bucket, key, _ = split_s3_uri(uri)
        try:
            body = gateway.call("s3", None, "get_object", Bucket=bucket, Key=key)["Body"]
            return str(body.read().decode("utf-8"))
        except NotFoundError:
            return None
    path = Path(uri)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def write_state(gateway: AwsGateway, uri: str, text: str) -> None:
    if uri.startswith("s3://"):
        bucket, key, _ = split_s3_uri(uri)
        gateway.call(
            "s3",
            None,
            "put_object",
            Bucket=bucket,
            Key=key,
            Body=text.encode("utf-8"),
            ContentType="application/json",
        )
        return
    path = Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def delete_state(gateway: AwsGateway, uri: str) -> None:
    if uri.startswith("s3://"):
        bucket, key, _ = split_s3_uri(uri)
        gateway.call("s3", None, "delete_object", Bucket=bucket, Key=key)
        return
    Path(uri).unlink(missing_ok=True)


__all__ = ["build_state", "delete_state", "read_state", "state_uri", "write_state"]

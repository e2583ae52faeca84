"""The CloudFormation network in the sandbox: AWS::SecretsManager::Secret, cross-region
AWS::EC2::VPCPeeringConnection, routes over it, and festival.json deployed stack by stack.

The end-to-end test plays ``deploy --network cloudformation`` with plain boto3: every stack of the
manifest in manifest order, parameters filled as ``parameter_sources`` says, then every stack
deleted in reverse order, then everything deployed once more (same secret name, fresh VPCs).
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto.route53.models import HostedZoneIdentifier
from moto.secretsmanager.utils import SecretsManagerSecretIdentifier
from moto.utilities.id_generator import moto_id_manager

from streamfabric.rendering.api import render_api
from streamfabric.rendering.cloudformation import hop_secret_name, render_cloudformation, secret_parameter
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import SecretRef, Topology

ACCOUNT = "123456789012"
FESTIVAL = Path(__file__).resolve().parents[2] / "examples" / "festival.json"


def _client(service: str, region: str, endpoint: str) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint)


def _create(cfn: Any, name: str, template: dict[str, Any] | str, **kwargs: Any) -> dict[str, Any]:
    body = template if isinstance(template, str) else json.dumps(template)
    cfn.create_stack(StackName=name, TemplateBody=body, **kwargs)
    return dict(cfn.describe_stacks(StackName=name)["Stacks"][0])


def _update(cfn: Any, name: str, template: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template), **kwargs)
    return dict(cfn.describe_stacks(StackName=name)["Stacks"][0])


def _outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def _failure(cfn: Any, name: str) -> str:
    """The reasons the stack's events give for a failure or a rollback."""
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if "FAILED" in e["ResourceStatus"] or "ROLLBACK_IN" in e["ResourceStatus"]]
    return " ".join(e.get("ResourceStatusReason") or "" for e in failed)


# --- AWS::SecretsManager::Secret -------------------------------------------------------------


def _secrets_template(description: str = "first", length: int = 20, replicas: tuple[str, ...] = ()) -> Any:
    templated: dict[str, Any] = {
        "Name": "demo/templated",
        "Description": description,
        "GenerateSecretString": {
            "SecretStringTemplate": '{"user": "sf"}',
            "GenerateStringKey": "password",
            "PasswordLength": length,
            "ExcludeCharacters": "abcdefABCDEF",
            "ExcludeNumbers": "true",  # a string, as from a parameter
            "ExcludePunctuation": True,
        },
        "Tags": [{"Key": "team", "Value": "video"}, {"Key": "tier", "Value": description}],
    }
    if replicas:
        templated["ReplicaRegions"] = [{"Region": region} for region in replicas]
    return {
        "Resources": {
            "Templated": {"Type": "AWS::SecretsManager::Secret", "Properties": templated},
            "Plain": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {"Name": "demo/plain", "SecretString": f"value-{description}"},
            },
            "Unnamed": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
        },
        "Outputs": {
            "TemplatedRef": {"Value": {"Ref": "Templated"}},
            "TemplatedId": {"Value": {"Fn::GetAtt": ["Templated", "Id"]}},
            "PlainRef": {"Value": {"Ref": "Plain"}},
            "UnnamedRef": {"Value": {"Ref": "Unnamed"}},
        },
    }


def test_secret_stack_creates_updates_in_place_and_deletes_for_good(aws: str) -> None:
    cfn, sm = _client("cloudformation", "eu-west-1", aws), _client("secretsmanager", "eu-west-1", aws)
    replica = _client("secretsmanager", "us-west-2", aws)
    stack = _create(cfn, "demo-secrets", _secrets_template(), Tags=[{"Key": "owner", "Value": "ops"}])
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = _outputs(stack)
    assert outputs["TemplatedRef"] == outputs["TemplatedId"]
    templated = sm.describe_secret(SecretId="demo/templated")
    assert templated["ARN"] == outputs["TemplatedRef"]
    assert templated["Description"] == "first"
    tags = {t["Key"]: t["Value"] for t in templated["Tags"]}
    assert tags["team"] == "video"
    assert tags["owner"] == "ops"
    assert tags["aws:cloudformation:stack-name"] == "demo-secrets"
    assert tags["aws:cloudformation:logical-id"] == "Templated"
    value = json.loads(sm.get_secret_value(SecretId=outputs["TemplatedRef"])["SecretString"])
    assert value["user"] == "sf"
    assert len(value["password"]) == 20
    assert set(value["password"]) <= set(string.ascii_letters) - set("abcdefABCDEF")
    assert sm.get_secret_value(SecretId="demo/plain")["SecretString"] == "value-first"
    unnamed = sm.describe_secret(SecretId=outputs["UnnamedRef"])
    assert unnamed["Name"].startswith("demo-secrets-Unnamed-")
    assert "VersionIdsToStages" not in unnamed  # neither SecretString nor GenerateSecretString

    stack = _update(cfn, "demo-secrets", _secrets_template("second", length=24, replicas=("us-west-2",)))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert _outputs(stack)["TemplatedRef"] == outputs["TemplatedRef"]  # in place: same ARN
    templated = sm.describe_secret(SecretId="demo/templated")
    assert templated["Description"] == "second"
    assert {t["Key"]: t["Value"] for t in templated["Tags"]}["tier"] == "second"
    assert [(r["Region"], r["Status"]) for r in templated["ReplicationStatus"]] == [("us-west-2", "InSync")]
    new_value = json.loads(sm.get_secret_value(SecretId="demo/templated")["SecretString"])
    assert len(new_value["password"]) == 24  # a new generator generates a new value
    assert sm.get_secret_value(SecretId="demo/plain")["SecretString"] == "value-second"
    copy = replica.describe_secret(SecretId="demo/templated")
    assert copy["PrimaryRegion"] == "eu-west-1"
    assert copy["ARN"] == outputs["TemplatedRef"].replace("eu-west-1", "us-west-2")

    stack = _update(cfn, "demo-secrets", _secrets_template("second", length=24))
    assert "ReplicationStatus" not in sm.describe_secret(SecretId="demo/templated")
    assert replica.list_secrets()["SecretList"] == []

    _update(cfn, "demo-secrets", _secrets_template("third", length=24, replicas=("us-west-2",)))
    cfn.delete_stack(StackName="demo-secrets")
    # deleted without a recovery window, replicas first: nothing left, not even scheduled
    assert sm.list_secrets(IncludePlannedDeletion=True)["SecretList"] == []
    assert replica.list_secrets(IncludePlannedDeletion=True)["SecretList"] == []
    again = _create(cfn, "demo-secrets-again", _secrets_template())
    assert again["StackStatus"] == "CREATE_COMPLETE"
    assert _outputs(again)["TemplatedRef"] != outputs["TemplatedRef"]


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        (
            {"Name": "demo/both", "SecretString": "x", "GenerateSecretString": {"PasswordLength": 8}},
            "mutually exclusive",
        ),
        (
            {"Name": "demo/taken", "SecretString": "x"},
            "already exists",
        ),
        (
            {"Name": "demo/half", "GenerateSecretString": {"GenerateStringKey": "password"}},
            "go together",
        ),
        (
            {"Name": "demo/short", "GenerateSecretString": {"PasswordLength": 2}},
            "too short",
        ),
    ],
)
def test_secret_stack_with_invalid_secret_fails_and_rolls_back(
    aws: str, properties: dict[str, Any], reason: str
) -> None:
    cfn, sm = _client("cloudformation", "eu-west-1", aws), _client("secretsmanager", "eu-west-1", aws)
    sm.create_secret(Name="demo/taken", SecretString="mine")
    template = {"Resources": {"Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": properties}}}
    stack = _create(cfn, "demo-bad-secret", template)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert reason in _failure(cfn, "demo-bad-secret")
    assert sm.get_secret_value(SecretId="demo/taken")["SecretString"] == "mine"
    assert [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]] == ["demo/taken"]


# --- AWS::EC2::VPCPeeringConnection, Route, RouteTable, SubnetRouteTableAssociation ------------


@pytest.fixture()
def vpcs(aws: str) -> dict[str, str]:
    """VPCs by role: hub (eu-west-1), spoke and overlapping (us-east-1), neighbour (eu-west-1)."""
    hub, spoke = _client("ec2", "eu-west-1", aws), _client("ec2", "us-east-1", aws)
    return {
        "hub": hub.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"],
        "neighbour": hub.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"],
        "spoke": spoke.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"],
        "overlapping": spoke.create_vpc(CidrBlock="10.0.128.0/17")["Vpc"]["VpcId"],
    }


def _peering(vpc: str, peer: str, region: str | None = None, tag: str = "one") -> dict[str, Any]:
    properties: dict[str, Any] = {"VpcId": vpc, "PeerVpcId": peer, "Tags": [{"Key": "tier", "Value": tag}]}
    if region:
        properties["PeerRegion"] = region
    return {"Type": "AWS::EC2::VPCPeeringConnection", "Properties": properties}


def _pcx(ec2: Any, pcx_id: str) -> dict[str, Any]:
    [pcx] = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx_id])["VpcPeeringConnections"]
    return dict(pcx)


def test_peering_stack_peers_across_regions_and_in_region_active_at_once(
    aws: str, vpcs: dict[str, str]
) -> None:
    cfn = _client("cloudformation", "eu-west-1", aws)
    hub, spoke = _client("ec2", "eu-west-1", aws), _client("ec2", "us-east-1", aws)
    template: dict[str, Any] = {
        "Resources": {
            "Remote": _peering(vpcs["hub"], vpcs["spoke"], "us-east-1"),
            "Local": _peering(vpcs["hub"], vpcs["neighbour"]),
        },
        "Outputs": {
            "RemoteRef": {"Value": {"Ref": "Remote"}},
            "RemoteId": {"Value": {"Fn::GetAtt": ["Remote", "Id"]}},
            "LocalRef": {"Value": {"Ref": "Local"}},
        },
    }
    stack = _create(cfn, "demo-peering", template)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = _outputs(stack)
    assert outputs["RemoteRef"] == outputs["RemoteId"]
    for ec2 in (hub, spoke):  # the cross-region connection is visible from both sides
        remote = _pcx(ec2, outputs["RemoteRef"])
        assert remote["Status"]["Code"] == "active"
        assert (remote["RequesterVpcInfo"]["VpcId"], remote["RequesterVpcInfo"]["Region"]) == (
            vpcs["hub"],
            "eu-west-1",
        )
        assert (remote["AccepterVpcInfo"]["VpcId"], remote["AccepterVpcInfo"]["Region"]) == (
            vpcs["spoke"],
            "us-east-1",
        )
    local = _pcx(hub, outputs["LocalRef"])
    assert local["Status"]["Code"] == "active"
    assert local["AccepterVpcInfo"]["VpcId"] == vpcs["neighbour"]
    tags = {t["Key"]: t["Value"] for t in _pcx(hub, outputs["RemoteRef"])["Tags"]}
    assert tags["tier"] == "one"
    assert tags["aws:cloudformation:logical-id"] == "Remote"

    template["Resources"]["Remote"] = _peering(vpcs["hub"], vpcs["spoke"], "us-east-1", tag="two")
    template["Resources"]["Local"] = _peering(vpcs["spoke"], vpcs["hub"], "eu-west-1")
    stack = _update(cfn, "demo-peering", template)  # a requester VPC of another region: not found
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert "InvalidVpcID.NotFound" in _failure(cfn, "demo-peering")
    assert _outputs(stack)["LocalRef"] == outputs["LocalRef"]
    assert _pcx(hub, outputs["LocalRef"])["Status"]["Code"] == "active"
    # new VPCs: replaced (another pair: the same two VPCs cannot be peered twice at once)
    template["Resources"]["Local"] = _peering(vpcs["neighbour"], vpcs["spoke"], "us-east-1")
    stack = _update(cfn, "demo-peering", template)
    assert stack["StackStatus"] == "UPDATE_COMPLETE", _failure(cfn, "demo-peering")
    new_outputs = _outputs(stack)
    assert new_outputs["RemoteRef"] == outputs["RemoteRef"]  # tags only: in place
    assert {t["Key"]: t["Value"] for t in _pcx(hub, outputs["RemoteRef"])["Tags"]}["tier"] == "two"
    assert new_outputs["LocalRef"] != outputs["LocalRef"]
    assert _pcx(hub, outputs["LocalRef"])["Status"]["Code"] == "deleted"
    assert _pcx(hub, new_outputs["LocalRef"])["Status"]["Code"] == "active"

    cfn.delete_stack(StackName="demo-peering")
    for ec2 in (hub, spoke):
        states = {
            p["Status"]["Code"] for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
        }
        assert states == {"deleted"}


@pytest.mark.parametrize(
    ("peer", "region", "reason"),
    [
        ("overlapping", "us-east-1", "overlapping CIDR blocks"),
        ("spoke", None, "InvalidVpcID.NotFound"),  # PeerRegion missing: looked up in eu-west-1
        ("spoke", "ap-southeast-2", "InvalidVpcID.NotFound"),
        ("spoke", "nowhere-1", "is not a region"),
    ],
)
def test_peering_stack_with_unusable_peer_fails_and_rolls_back(
    aws: str, vpcs: dict[str, str], peer: str, region: str | None, reason: str
) -> None:
    cfn, hub = _client("cloudformation", "eu-west-1", aws), _client("ec2", "eu-west-1", aws)
    template = {"Resources": {"Peering": _peering(vpcs["hub"], vpcs[peer], region)}}
    stack = _create(cfn, "demo-bad-peering", template)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert reason in _failure(cfn, "demo-bad-peering")
    assert hub.describe_vpc_peering_connections()["VpcPeeringConnections"] == []


def test_route_stack_updates_targets_in_place_and_deletes_everything(aws: str, vpcs: dict[str, str]) -> None:
    hub = _client("ec2", "eu-west-1", aws)
    cfn = _client("cloudformation", "eu-west-1", aws)
    pcx = [
        hub.create_vpc_peering_connection(VpcId=vpcs["hub"], PeerVpcId=vpcs[peer], PeerRegion=region)[
            "VpcPeeringConnection"
        ]["VpcPeeringConnectionId"]
        for peer, region in (("spoke", "us-east-1"), ("neighbour", "eu-west-1"))
    ]
    subnet = hub.create_subnet(VpcId=vpcs["hub"], CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]

    def template(target: str, cidr: str) -> dict[str, Any]:
        return {
            "Resources": {
                "Table": {
                    "Type": "AWS::EC2::RouteTable",
                    "Properties": {"VpcId": vpcs["hub"], "Tags": [{"Key": "Name", "Value": "private"}]},
                },
                "Association": {
                    "Type": "AWS::EC2::SubnetRouteTableAssociation",
                    "Properties": {"SubnetId": subnet, "RouteTableId": {"Ref": "Table"}},
                },
                "Route": {
                    "Type": "AWS::EC2::Route",
                    "Properties": {
                        "RouteTableId": {"Ref": "Table"},
                        "DestinationCidrBlock": cidr,
                        "VpcPeeringConnectionId": target,
                    },
                },
            },
            "Outputs": {
                "Table": {"Value": {"Ref": "Table"}},
                "TableId": {"Value": {"Fn::GetAtt": ["Table", "RouteTableId"]}},
                "Association": {"Value": {"Ref": "Association"}},
                "Route": {"Value": {"Ref": "Route"}},
            },
        }

    def routes(table: str) -> dict[str, str]:
        [found] = hub.describe_route_tables(RouteTableIds=[table])["RouteTables"]
        return {r["DestinationCidrBlock"]: r.get("VpcPeeringConnectionId", "local") for r in found["Routes"]}

    outputs = _outputs(_create(cfn, "demo-routes", template(pcx[0], "10.1.0.0/16")))
    table = outputs["Table"]
    assert outputs["TableId"] == table
    [found] = hub.describe_route_tables(RouteTableIds=[table])["RouteTables"]
    assert [(a["SubnetId"], a["RouteTableAssociationId"]) for a in found["Associations"]] == [
        (subnet, outputs["Association"])
    ]
    assert {t["Key"]: t["Value"] for t in found["Tags"]}["Name"] == "private"
    assert routes(table) == {"10.0.0.0/16": "local", "10.1.0.0/16": pcx[0]}

    stack = _update(cfn, "demo-routes", template(pcx[1], "10.1.0.0/16"))  # new target: ReplaceRoute
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert routes(table) == {"10.0.0.0/16": "local", "10.1.0.0/16": pcx[1]}
    stack = _update(cfn, "demo-routes", template(pcx[1], "10.9.0.0/16"))  # new destination: replaced
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert routes(table) == {"10.0.0.0/16": "local", "10.9.0.0/16": pcx[1]}

    cfn.delete_stack(StackName="demo-routes")
    left = hub.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpcs["hub"]]}])["RouteTables"]
    assert [[a["Main"] for a in t["Associations"]] for t in left] == [[True]]  # the VPC's main table
    hub.delete_subnet(SubnetId=subnet)
    hub.delete_vpc(VpcId=vpcs["hub"])  # nothing of the stack holds the VPC any more


# --- festival.json, every stack of the manifest -----------------------------------------------


class _AnyTagLoader(yaml.SafeLoader):
    """Reads a template's structure, whatever its intrinsic-function tags."""


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_AnyTagLoader.add_multi_constructor("!", _construct_tagged)


def _template_outputs(text: str) -> set[str]:
    """The template's outputs, less those under a Condition: the only conditions in our templates
    (the control API's HasCode) are false in the sandbox, where no Lambda package is given."""
    outputs = yaml.load(text, Loader=_AnyTagLoader).get("Outputs") or {}
    return {name for name, output in outputs.items() if "Condition" not in output}


def _rendered(model: Topology) -> tuple[dict[str, str], list[dict[str, Any]], list[dict[str, Any]]]:
    """Every file to deploy, the manifest's stacks that have a template, and those that have none."""
    files = render_cloudformation(model, network="cloudformation")
    files.update(render_api(model))
    stacks = json.loads(files["cloudformation/manifest.json"])["stacks"]
    return (
        files,
        [s for s in stacks if s["template"] in files],
        [s for s in stacks if s["template"] not in files],
    )


def _topology_secrets(model: Topology) -> dict[str, tuple[str, SecretRef]]:
    """Flow-stack secret parameter -> (region, secret) for every ingest and hub output secret."""
    secrets = {secret_parameter(i.name): (i.region, i.passphrase_secret) for i in model.ingests}
    for flow in model.hub.flows:
        for out in flow.outputs:
            if out.passphrase_secret:
                secrets[secret_parameter(out.name)] = (model.hub.region, out.passphrase_secret)
    return secrets


@pytest.fixture()
def festival_account(aws: str) -> Iterator[Topology]:
    """festival.json's account before deploy: its hosted zone (with the topology's zone id) and every
    secret the topology references, those given by ARN with the ARN's very suffix."""
    model = load_topology(str(FESTIVAL))
    assert model.dns is not None
    zone = HostedZoneIdentifier(ACCOUNT, f"{model.dns.domain}.", None)
    identifiers: list[Any] = [zone]
    moto_id_manager.set_custom_id(zone, model.dns.hosted_zone_id)
    try:
        _client("route53", "us-east-1", aws).create_hosted_zone(
            Name=model.dns.domain, CallerReference="festival"
        )
        for region, secret in _topology_secrets(model).values():
            region = secret.region or region
            if secret.is_arn:
                identifier = SecretsManagerSecretIdentifier(ACCOUNT, region, secret.name)
                identifiers.append(identifier)
                moto_id_manager.set_custom_id(identifier, secret.ref.rsplit("-", 1)[1])
            created = _client("secretsmanager", region, aws).create_secret(
                Name=secret.name, SecretString="pass"
            )
            assert not secret.is_arn or created["ARN"] == secret.ref
        yield model
    finally:
        for identifier in identifiers:
            moto_id_manager.unset_custom_id(identifier)


def _parameters(
    spec: dict[str, Any], files: dict[str, str], outputs: dict[str, dict[str, str]], secrets: dict[str, str]
) -> list[dict[str, str]]:
    if not spec["parameters"]:
        assert not spec["parameter_sources"]
        return []
    parameters: list[dict[str, str]] = json.loads(files[spec["parameters"]])
    assert {p["ParameterKey"] for p in parameters} == set(spec["parameter_sources"])
    for parameter in parameters:
        source = spec["parameter_sources"][parameter["ParameterKey"]]
        if source == "topology":
            assert parameter["ParameterValue"]
        elif source == "deploy":
            parameter["ParameterValue"] = secrets[parameter["ParameterKey"]]
        else:
            stack, key = source.split(".", 1)
            parameter["ParameterValue"] = outputs[stack][key]  # an earlier stack's output
    return parameters


def _secret_arns(aws: str, model: Topology) -> dict[str, str]:
    """What deploy resolves: each topology secret's ARN (describe_secret in its region)."""
    arns = {}
    for key, (region, secret) in _topology_secrets(model).items():
        sm = _client("secretsmanager", secret.region or region, aws)
        arns[key] = sm.describe_secret(SecretId=secret.ref)["ARN"]
    return arns


def _deploy(
    aws: str, model: Topology, files: dict[str, str], stacks: list[dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """Create every stack in manifest order; its outputs by stack name."""
    secrets = _secret_arns(aws, model)
    outputs: dict[str, dict[str, str]] = {}
    for spec in stacks:
        cfn = _client("cloudformation", spec["region"], aws)
        stack = _create(
            cfn,
            spec["name"],
            files[spec["template"]],
            Parameters=_parameters(spec, files, outputs, secrets),
            Capabilities=spec["capabilities"],
        )
        assert stack["StackStatus"] == "CREATE_COMPLETE", (spec["name"], _failure(cfn, spec["name"]))
        outputs[spec["name"]] = _outputs(stack)
        assert set(outputs[spec["name"]]) == _template_outputs(files[spec["template"]]), spec["name"]
        assert all(outputs[spec["name"]].values()), spec["name"]
    return outputs


def _assert_network(aws: str, model: Topology, outputs: dict[str, dict[str, str]]) -> None:
    hub = model.hub.network
    net = {n.region: outputs[model.stack_name("network", n.region)] for n in model.networks}
    peering = outputs[model.stack_name("peering", hub.region)]
    hub_ec2 = _client("ec2", hub.region, aws)
    # VPCs, subnets (associated with the private route table), one role
    for n in model.networks:
        ec2 = _client("ec2", n.region, aws)
        [vpc] = ec2.describe_vpcs(VpcIds=[net[n.region]["VpcId"]])["Vpcs"]
        assert vpc["CidrBlock"] == n.vpc_cidr
        [subnet] = ec2.describe_subnets(SubnetIds=[net[n.region]["SubnetId"]])["Subnets"]
        assert (subnet["CidrBlock"], subnet["AvailabilityZone"]) == (n.subnet_cidr, n.availability_zone)
        [table] = ec2.describe_route_tables(RouteTableIds=[net[n.region]["RouteTableId"]])["RouteTables"]
        assert [a["SubnetId"] for a in table["Associations"]] == [subnet["SubnetId"]]
        assert net[n.region]["RoleArn"] == net[hub.region]["RoleArn"]
    role = net[hub.region]["RoleArn"].rsplit("/", 1)[1]
    assert (
        _client("iam", "us-east-1", aws).get_role(RoleName=role)["Role"]["Arn"] == net[hub.region]["RoleArn"]
    )

    # peering: active, seen from both sides; routes both ways
    [hub_table] = hub_ec2.describe_route_tables(RouteTableIds=[net[hub.region]["RouteTableId"]])[
        "RouteTables"
    ]
    hub_routes = {r["DestinationCidrBlock"]: r.get("VpcPeeringConnectionId") for r in hub_table["Routes"]}
    for spoke in model.spokes:
        pcx_id = peering[f"{spoke.logical}PeeringConnectionId"]
        spoke_ec2 = _client("ec2", spoke.region, aws)
        for ec2 in (hub_ec2, spoke_ec2):
            pcx = _pcx(ec2, pcx_id)
            assert pcx["Status"]["Code"] == "active"
            assert (pcx["RequesterVpcInfo"]["VpcId"], pcx["RequesterVpcInfo"]["Region"]) == (
                net[hub.region]["VpcId"],
                hub.region,
            )
            assert (pcx["AccepterVpcInfo"]["VpcId"], pcx["AccepterVpcInfo"]["Region"]) == (
                net[spoke.region]["VpcId"],
                spoke.region,
            )
        assert hub_routes[spoke.vpc_cidr] == pcx_id
        [table] = spoke_ec2.describe_route_tables(RouteTableIds=[net[spoke.region]["RouteTableId"]])[
            "RouteTables"
        ]
        spoke_routes = {r["DestinationCidrBlock"]: r.get("VpcPeeringConnectionId") for r in table["Routes"]}
        assert spoke_routes == {spoke.vpc_cidr: None, hub.vpc_cidr: pcx_id}
        assert outputs[model.stack_name("routes", spoke.region)]["HubRouteId"]
    assert len(hub_routes) == 1 + len(model.spokes)

    # the hop secret: generated in the hub, replicated to every spoke (same value, same suffix)
    primary = _client("secretsmanager", hub.region, aws)
    hop = primary.describe_secret(SecretId=net[hub.region]["HopSecretArn"])
    assert hop["Name"] == hop_secret_name(model)
    assert {(r["Region"], r["Status"]) for r in hop["ReplicationStatus"]} == {
        (s.region, "InSync") for s in model.spokes
    }
    assert {t["Key"]: t["Value"] for t in hop["Tags"]}["streamfabric:topology"] == model.name
    value = primary.get_secret_value(SecretId=hop["ARN"])["SecretString"]
    assert len(value) == 32
    assert value.isalnum()
    for spoke in model.spokes:
        sm = _client("secretsmanager", spoke.region, aws)
        # the hub network stack outputs each replica's ARN; the spoke's own output names the secret
        # (a partial ARN: the spoke stack takes nothing from the hub's)
        copy = sm.describe_secret(SecretId=net[hub.region][f"{spoke.logical}HopSecretArn"])
        assert copy["ARN"] == hop["ARN"].replace(f":{hub.region}:", f":{spoke.region}:")
        assert net[spoke.region]["HopSecretArn"] == (
            f"arn:aws:secretsmanager:{spoke.region}:{copy['ARN'].split(':')[4]}:secret:{hop['Name']}"
        )
        assert copy["PrimaryRegion"] == hub.region
        assert sm.get_secret_value(SecretId=copy["ARN"])["SecretString"] == value


def _assert_flows(
    aws: str, model: Topology, outputs: dict[str, dict[str, str]], secrets: dict[str, str]
) -> None:
    """Each region's flows use its own copy of the hop secret and the ingests' secrets."""
    hub_network = outputs[model.stack_name("network", model.hub.region)]
    for region in {i.region for i in model.ingests}:
        net = model.network(region)
        hop = hub_network["HopSecretArn" if net.is_hub else f"{net.logical}HopSecretArn"]
        mc = _client("mediaconnect", region, aws)
        flows = {f["Name"]: f["FlowArn"] for f in mc.list_flows()["Flows"]}
        for ingest in model.ingests_in(region):
            flow = mc.describe_flow(FlowArn=flows[f"{model.name}-{ingest.name}"])["Flow"]
            assert flow["Source"]["Decryption"]["SecretArn"] == secrets[secret_parameter(ingest.name)]
            assert {o["Encryption"]["SecretArn"] for o in flow["Outputs"]} == {hop}
            assert (
                flow["Outputs"][0]["Encryption"]["RoleArn"]
                == outputs[model.stack_name("network", region)]["RoleArn"]
            )


def _destroy(aws: str, stacks: list[dict[str, Any]]) -> None:
    for spec in reversed(stacks):
        cfn = _client("cloudformation", spec["region"], aws)
        cfn.delete_stack(StackName=spec["name"])
        summaries = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == spec["name"]]
        assert summaries[0]["StackStatus"] == "DELETE_COMPLETE", spec["name"]


def _assert_nothing_left(aws: str, model: Topology) -> None:
    for n in model.networks:
        ec2 = _client("ec2", n.region, aws)
        default = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]}
        assert {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]} == default, n.region
        for kind, key in (
            ("describe_subnets", "Subnets"),
            ("describe_route_tables", "RouteTables"),
            ("describe_security_groups", "SecurityGroups"),
        ):
            assert {item["VpcId"] for item in getattr(ec2, kind)()[key]} <= default, (n.region, key)
        states = {
            p["Status"]["Code"] for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
        }
        assert states <= {"deleted"}, n.region
        names = {
            s["Name"]
            for s in _client("secretsmanager", n.region, aws).list_secrets(IncludePlannedDeletion=True)[
                "SecretList"
            ]
        }
        assert hop_secret_name(model) not in names, n.region
        assert _client("mediaconnect", n.region, aws).list_flows()["Flows"] == [], n.region
    assert _client("iam", "us-east-1", aws).list_roles()["Roles"] == []
    assert model.dns is not None
    records = _client("route53", "us-east-1", aws).list_resource_record_sets(
        HostedZoneId=model.dns.hosted_zone_id
    )
    assert {r["Type"] for r in records["ResourceRecordSets"]} == {"NS", "SOA"}


def test_festival_network_deploys_every_stack_deletes_and_deploys_again(
    aws: str, festival_account: Topology
) -> None:
    model = festival_account
    files, stacks, without_template = _rendered(model)
    # the control API's stack comes from render.api: deployed as soon as that renderer exists
    assert [(s["kind"], s["name"]) for s in without_template] in (
        [],
        [("api", model.stack_name("api", model.hub.region))],
    )
    assert [s["kind"] for s in stacks][:5] == ["network"] * 4 + ["peering"]

    outputs = _deploy(aws, model, files, stacks)
    _assert_network(aws, model, outputs)
    _assert_flows(aws, model, outputs, _secret_arns(aws, model))

    _destroy(aws, stacks)
    _assert_nothing_left(aws, model)

    # Once more, the spoke network stacks before the hub's: they take nothing from it (the role's
    # name is known in advance), so deploy starts every region's network at once.
    networks = [s for s in stacks if s["kind"] == "network"]
    assert all(s["depends_on"] == [] for s in networks)
    reordered = [*networks[1:], networks[0], *(s for s in stacks if s["kind"] != "network")]
    again = _deploy(aws, model, files, reordered)  # same names (the hop secret's too), all new
    _assert_network(aws, model, again)
    hub_network = model.stack_name("network", model.hub.region)
    assert again[hub_network]["HopSecretArn"] != outputs[hub_network]["HopSecretArn"]
    assert again[hub_network]["VpcId"] != outputs[hub_network]["VpcId"]

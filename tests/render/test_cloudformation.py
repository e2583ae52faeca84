"""The CloudFormation renderer: structure of the rendered stacks, manifest, determinism, quoting.

Templates are parsed with cfn-lint's decoder, which understands the short forms (``!Ref``,
``!GetAtt``, ``!Sub``) and turns them into ``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}`` etc.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from streamfabric.errors import RenderError
from streamfabric.rendering.cloudformation import (
    StackSpec,
    order_stacks,
    render_cloudformation,
    secret_parameter,
    stack_specs,
    whitelist_cidr,
)
from streamfabric.rendering.env import comment_header
from streamfabric.topology.model import Dns, InternalHop, SecretRef, SourceInfo, Topology, pascal

MODES = ("terraform", "cloudformation")


ROOT = Path(__file__).resolve().parents[2]


def parse(text: str) -> dict[str, Any]:
    template, errors = decode_str(text)
    assert not errors, errors
    assert template is not None
    return template


def templates(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {path: parse(text) for path, text in files.items() if path.endswith(".yaml")}


def resources_of(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def getatt(logical: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical, attribute]}


def flows_template(files: dict[str, str], region: str) -> dict[str, Any]:
    return parse(files[f"cloudformation/flows-{region}.yaml"])


def manifest(files: dict[str, str]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(files["cloudformation/manifest.json"])
    return doc


# -- flow stacks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_flow_stack_per_region_with_flows(festival: Topology, mode: str) -> None:
    files = render_cloudformation(festival, mode)  # type: ignore[arg-type]
    flow_files = sorted(p for p in files if p.startswith("cloudformation/flows-") and p.endswith(".yaml"))
    expected = sorted(
        f"cloudformation/flows-{r}.yaml" for r in ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1")
    )
    assert flow_files == expected
    assert all(p.startswith("cloudformation/") for p in files)


@pytest.mark.parametrize("example", ["festival", "minimal"])
def test_every_ingest_has_a_flow_decrypting_with_its_secret(
    example: str, request: pytest.FixtureRequest
) -> None:
    model: Topology = request.getfixturevalue(example)
    files = render_cloudformation(model)
    for ingest in model.ingests:
        template = flows_template(files, ingest.region)
        flow = template["Resources"][f"{ingest.logical}Flow"]
        assert flow["Type"] == "AWS::MediaConnect::Flow"
        props = flow["Properties"]
        assert props["Name"] == model.flow_name(ingest.name)
        assert props["AvailabilityZone"] == model.network(ingest.region).availability_zone
        source = props["Source"]
        assert source["Protocol"] == "srt-listener"
        assert source["IngestPort"] == ingest.port
        assert source["MinLatency"] == ingest.min_latency_ms
        assert source["WhitelistCidr"] == whitelist_cidr(ingest)
        param = secret_parameter(ingest.name)
        assert source["Decryption"] == {
            "KeyType": "srt-password",
            "RoleArn": ref("RoleArn"),
            "SecretArn": ref(param),
        }
        assert param in template["Parameters"]
        assert {t["Key"]: t["Value"] for t in props["Tags"]}["streamfabric:topology"] == model.name


@pytest.mark.parametrize("example", ["festival", "minimal"])
def test_two_internal_hop_outputs_reachable_only_from_the_hub(
    example: str, request: pytest.FixtureRequest
) -> None:
    model: Topology = request.getfixturevalue(example)
    hop = model.internal_hop
    files = render_cloudformation(model)
    for ingest in model.ingests:
        template = flows_template(files, ingest.region)
        outputs = {
            k: v["Properties"]
            for k, v in resources_of(template, "AWS::MediaConnect::FlowOutput").items()
            if v["Properties"]["FlowArn"] == getatt(f"{ingest.logical}Flow", "FlowArn")
        }
        assert sorted((o["Name"], o["Port"]) for o in outputs.values()) == [
            ("to-live", hop.live_port),
            ("to-preview", hop.preview_port),
        ]
        for props in outputs.values():
            assert props["Protocol"] == "srt-listener"
            assert props["CidrAllowList"] == [model.hub.network.vpc_cidr]
            assert props["MinLatency"] == hop.min_latency_ms
            assert props["Encryption"] == {
                "KeyType": "srt-password",
                "RoleArn": ref("RoleArn"),
                "SecretArn": ref("HopSecretArn"),
            }


def test_hub_flows_start_on_the_unreachable_standby_source(festival: Topology) -> None:
    template = flows_template(render_cloudformation(festival), festival.hub.region)
    for role in ("live", "preview"):
        props = template["Resources"][f"{pascal(role)}Flow"]["Properties"]
        assert props["Name"] == festival.flow_name(role)
        assert props["AvailabilityZone"] == festival.hub.network.availability_zone
        source = props["Source"]
        assert source["Name"] == "standby"
        assert source["Protocol"] == "srt-listener"
        assert source["IngestPort"] == festival.internal_hop.live_port
        assert source["WhitelistCidr"] == festival.hub.network.vpc_cidr
        # nothing else: no starts_on, latency or secret a show might edit (see the test below)
        assert set(source) == {"Name", "Description", "Protocol", "IngestPort", "WhitelistCidr"}


def _hub_source_blocks(text: str) -> list[str]:
    """The ``Source:`` blocks of the hub flows, as rendered text (indentation and all)."""
    blocks = []
    for flow in ("LiveFlow", "PreviewFlow"):
        resource = text[text.index(f'"{flow}":') :]
        source = resource[resource.index("      Source:\n") :]
        lines = source.splitlines(keepends=True)
        end = next(i for i, line in enumerate(lines[1:], 1) if not line.startswith("        "))
        blocks.append("".join(lines[:end]))
    return blocks


def test_show_edits_render_every_hub_flows_source_byte_identical(festival: Topology) -> None:
    """CloudFormation sets a flow's source to the template's on any update of ``Source``: on a
    running hub flow that is black until the post-steps re-point it. So nothing a show edits
    (starts_on, descriptions, tags, outputs, the ingests) may change the hub flows' Source."""
    from streamfabric.topology.loading import parse_topology

    path = ROOT / "examples" / "festival.json"
    document = json.loads(path.read_text())
    region = festival.hub.region
    before = _hub_source_blocks(render_cloudformation(festival)[f"cloudformation/flows-{region}.yaml"])
    edited = json.loads(json.dumps(document))
    edited["hub"]["live"]["starts_on"], edited["hub"]["preview"]["starts_on"] = (
        document["hub"]["preview"]["starts_on"],
        document["hub"]["live"]["starts_on"],
    )
    edited["tags"] = {**document.get("tags", {}), "season": "autumn"}
    for ingest in edited["ingests"]:
        ingest["description"] = "edited during the show"
        ingest["port"] = ingest["port"] + 100
    for role in ("live", "preview"):
        for out in edited["hub"][role].get("outputs", []):
            out["port"] = out["port"] + 1
    edited["hub"]["live"]["outputs"] = edited["hub"]["live"].get("outputs", [])[:1]
    model = parse_topology(json.dumps(edited), str(path))
    after_files = render_cloudformation(model)
    assert (
        after_files[f"cloudformation/flows-{region}.yaml"]
        != render_cloudformation(festival)[f"cloudformation/flows-{region}.yaml"]
    )  # the edits did change the template...
    assert _hub_source_blocks(after_files[f"cloudformation/flows-{region}.yaml"]) == before  # ...not Source


def test_downstream_outputs(festival: Topology) -> None:
    template = flows_template(render_cloudformation(festival), festival.hub.region)
    for flow in festival.hub.flows:
        for out in flow.outputs:
            res = template["Resources"][f"{out.logical}Output"]
            assert res["Type"] == "AWS::MediaConnect::FlowOutput"
            props = res["Properties"]
            assert props["FlowArn"] == getatt(f"{flow.logical}Flow", "FlowArn")
            assert props["Name"] == out.name
            assert props["Protocol"] == out.protocol
            assert props["Port"] == out.port
            assert props["MinLatency"] == out.min_latency_ms
            if out.protocol == "srt-listener":
                assert props["CidrAllowList"] == list(out.allowlist)
                assert "Destination" not in props
            else:
                assert props["Destination"] == out.destination
                assert "CidrAllowList" not in props
            if out.passphrase_secret:
                assert props["Encryption"]["SecretArn"] == ref(secret_parameter(out.name))
            else:
                assert "Encryption" not in props


def test_dns_records_when_configured(festival: Topology) -> None:
    assert festival.dns is not None
    files = render_cloudformation(festival)
    for ingest in festival.ingests:
        record = flows_template(files, ingest.region)["Resources"][f"{ingest.logical}DnsRecord"]
        assert record["Type"] == "AWS::Route53::RecordSet"
        assert record["Properties"] == {
            "HostedZoneId": festival.dns.hosted_zone_id,
            "Name": f"{ingest.name}.{festival.dns.domain}",
            "Type": "A",
            "TTL": str(festival.dns.ttl),
            "ResourceRecords": [getatt(f"{ingest.logical}Flow", "Source.IngestIp")],
        }
    hub = flows_template(files, festival.hub.region)["Resources"]
    for role in ("live", "preview"):
        props = hub[f"{pascal(role)}DnsRecord"]["Properties"]
        assert props["Name"] == f"{role}.{festival.dns.domain}"
        assert props["ResourceRecords"] == [getatt(f"{pascal(role)}Flow", "EgressIp")]


@pytest.mark.parametrize("example", ["festival", "minimal"])
def test_no_dns_records_without_dns(example: str, request: pytest.FixtureRequest) -> None:
    model = dataclasses.replace(request.getfixturevalue(example), dns=None)
    for template in templates(render_cloudformation(model, "cloudformation")).values():
        assert not resources_of(template, "AWS::Route53::RecordSet")


def test_dns_ttl_and_zone_follow_the_topology(minimal: Topology) -> None:
    model = dataclasses.replace(minimal, dns=Dns(hosted_zone_id="ZABC", domain="x.example", ttl=300))
    record = flows_template(render_cloudformation(model), "eu-west-2")["Resources"]["CameraOneDnsRecord"]
    assert record["Properties"]["HostedZoneId"] == "ZABC"
    assert record["Properties"]["TTL"] == "300"


def _contract_outputs(model: Topology, region: str) -> set[str]:
    keys: set[str] = set()
    for ingest in model.ingests_in(region):
        suffixes = ("FlowArn", "SourceArn", "IngestIp", "ToLiveOutputArn", "ToPreviewOutputArn")
        keys |= {f"{ingest.logical}{s}" for s in suffixes}
    if region == model.hub.region:
        keys |= {"LiveFlowArn", "LiveSourceArn", "PreviewFlowArn", "PreviewSourceArn"}
        keys |= {"LiveEgressIp", "PreviewEgressIp"}  # additions to the contract (documented)
        keys |= {f"{out.logical}OutputArn" for flow in model.hub.flows for out in flow.outputs}
    return keys


@pytest.mark.parametrize("example", ["festival", "minimal"])
@pytest.mark.parametrize("mode", MODES)
def test_flow_stack_outputs_as_in_the_contract(
    example: str, mode: str, request: pytest.FixtureRequest
) -> None:
    model: Topology = request.getfixturevalue(example)
    files = render_cloudformation(model, mode)  # type: ignore[arg-type]
    regions = {model.hub.region} | {i.region for i in model.ingests}
    for region in regions:
        assert set(flows_template(files, region)["Outputs"]) == _contract_outputs(model, region)


@pytest.mark.parametrize("example", ["festival", "minimal"])
@pytest.mark.parametrize("mode", MODES)
def test_parameter_files_match_template_parameters(
    example: str, mode: str, request: pytest.FixtureRequest
) -> None:
    model: Topology = request.getfixturevalue(example)
    files = render_cloudformation(model, mode)  # type: ignore[arg-type]
    for entry in manifest(files)["stacks"]:
        if entry["template"] not in files:  # the control API's stack, rendered elsewhere
            assert entry["kind"] == "api"
            continue
        params = parse(files[entry["template"]]).get("Parameters", {})
        assert set(entry["parameter_sources"]) == set(params)
        if not params:
            assert entry["parameters"] is None
            continue
        values = json.loads(files[entry["parameters"]])
        assert isinstance(values, list)
        keys = [v["ParameterKey"] for v in values]
        assert keys == sorted(params)
        for value in values:
            assert set(value) == {"ParameterKey", "ParameterValue"}
            source = entry["parameter_sources"][value["ParameterKey"]]
            if source == "topology":
                assert value["ParameterValue"]
            else:
                assert value["ParameterValue"] == ""


def test_secret_parameters_filled_from_the_topology(festival: Topology) -> None:
    files = render_cloudformation(festival)
    for ingest in festival.ingests:
        values = {
            p["ParameterKey"]: p["ParameterValue"]
            for p in json.loads(files[f"cloudformation/flows-{ingest.region}.parameters.json"])
        }
        expected = ingest.passphrase_secret.ref if ingest.passphrase_secret.is_arn else ""
        assert values[secret_parameter(ingest.name)] == expected
        assert values["RoleArn"] == values["HopSecretArn"] == ""
    hub = {
        p["ParameterKey"]: p["ParameterValue"]
        for p in json.loads(files["cloudformation/flows-eu-west-1.parameters.json"])
    }
    assert hub["SecretLiveEncoderArn"].startswith("arn:aws:secretsmanager:eu-west-1:")
    assert "SecretPreviewMonitorArn" not in hub  # unencrypted output: no parameter


# -- manifest ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", ["festival", "minimal"])
@pytest.mark.parametrize("mode", MODES)
def test_manifest_order_respects_depends_on(example: str, mode: str, request: pytest.FixtureRequest) -> None:
    model: Topology = request.getfixturevalue(example)
    files = render_cloudformation(model, mode)  # type: ignore[arg-type]
    stacks = manifest(files)["stacks"]
    seen: set[str] = set()
    for entry in stacks:
        assert set(entry["depends_on"]) <= seen, entry["name"]
        for key, source in entry["parameter_sources"].items():
            if source in ("topology", "deploy") or source.startswith("network."):
                continue
            stack, _, output = source.partition(".")
            assert stack in entry["depends_on"], (entry["name"], key, source)
            producer = next(e for e in stacks if e["name"] == stack)
            assert output in parse(files[producer["template"]])["Outputs"], source
        seen.add(entry["name"])


def test_manifest_kinds_in_cloudformation_network_mode(festival: Topology) -> None:
    stacks = manifest(render_cloudformation(festival, "cloudformation"))["stacks"]
    kinds = [s["kind"] for s in stacks]
    assert kinds == ["network"] * 4 + ["peering"] + ["routes"] * 3 + ["flows"] * 4 + ["api"]
    names = [s["name"] for s in stacks]
    assert names[:5] == [
        "festival-network-eu-west-1",
        "festival-network-us-east-1",
        "festival-network-ap-southeast-2",
        "festival-network-sa-east-1",
        "festival-peering-eu-west-1",
    ]
    assert stacks[0]["capabilities"] == ["CAPABILITY_NAMED_IAM"]  # the role has a name
    by_name = {s["name"]: s for s in stacks}
    # every network stack deploys at once: a spoke's waits for nothing
    assert [by_name[n]["depends_on"] for n in names[:4]] == [[]] * 4
    # a spoke's flows wait for their network and the hub's (the role, the hop secret's replica);
    # peering and routes deploy beside them
    assert by_name["festival-flows-eu-west-1"]["depends_on"] == ["festival-network-eu-west-1"]
    assert by_name["festival-flows-us-east-1"]["depends_on"] == [
        "festival-network-us-east-1",
        "festival-network-eu-west-1",
    ]
    assert (
        by_name["festival-flows-us-east-1"]["parameter_sources"]["HopSecretArn"]
        == "festival-network-eu-west-1.UsEast1HopSecretArn"
    )
    assert (
        by_name["festival-flows-eu-west-1"]["parameter_sources"]["HopSecretArn"]
        == "festival-network-eu-west-1.HopSecretArn"
    )
    assert by_name["festival-routes-us-east-1"]["depends_on"] == [
        "festival-network-us-east-1",
        "festival-peering-eu-west-1",
    ]
    assert (
        by_name["festival-flows-us-east-1"]["parameter_sources"]["RoleArn"]
        == "festival-network-us-east-1.RoleArn"
    )


def test_manifest_in_terraform_network_mode_lists_flow_stacks(festival: Topology) -> None:
    stacks = manifest(render_cloudformation(festival))["stacks"]
    assert [s["kind"] for s in stacks] == ["flows"] * 4 + ["api"]
    flows = stacks[0]
    assert flows["depends_on"] == []
    assert flows["parameter_sources"]["RoleArn"] == "network.eu-west-1.role_arn"
    assert flows["parameter_sources"]["HopSecretArn"] == "network.eu-west-1.hop_secret_arn"
    assert flows["parameter_sources"]["SecretLiveEncoderArn"] == "topology"
    assert flows["parameter_sources"]["SecretMainStageArn"] == "deploy"


def test_manifest_without_control_api(minimal: Topology) -> None:
    model = dataclasses.replace(minimal, control_api=dataclasses.replace(minimal.control_api, enabled=False))
    assert [s["kind"] for s in manifest(render_cloudformation(model))["stacks"]] == ["flows", "flows"]


def test_manifest_header_and_spec_api(festival: Topology) -> None:
    doc = manifest(render_cloudformation(festival))
    assert doc["_generated"]["notice"].startswith("Generated by streamfabric")
    assert doc["_generated"]["sha256"] == festival.source.sha256
    assert [
        StackSpec(
            **{
                **e,
                "depends_on": tuple(e["depends_on"]),
                "parameter_sources": tuple(sorted(e["parameter_sources"].items())),
                "capabilities": tuple(e["capabilities"]),
            }
        )
        for e in doc["stacks"]
    ] == stack_specs(festival)


def spec(name: str, *deps: str) -> StackSpec:
    return StackSpec(name=name, region="eu-west-1", kind="flows", template=f"{name}.yaml", depends_on=deps)


def test_order_stacks_is_stable_and_puts_dependencies_first() -> None:
    stacks = [spec("c", "b"), spec("a"), spec("b", "a"), spec("d")]
    assert [s.name for s in order_stacks(stacks)] == ["a", "b", "c", "d"]
    assert [s.name for s in order_stacks([spec("x"), spec("y")])] == ["x", "y"]


def test_order_stacks_reports_a_cycle() -> None:
    with pytest.raises(RenderError, match=r"cycle: b -> c -> b"):
        order_stacks([spec("a"), spec("b", "a", "c"), spec("c", "b")])


def test_order_stacks_reports_unknown_and_duplicate_stacks() -> None:
    with pytest.raises(RenderError, match="unknown stack"):
        order_stacks([spec("a", "nope")])
    with pytest.raises(RenderError, match="twice"):
        order_stacks([spec("a"), spec("a")])


# -- network stacks ------------------------------------------------------------------------------------


def _all_strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _all_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _all_strings(value)]
    return [str(node)] if isinstance(node, str) else []


@pytest.mark.parametrize("example", ["festival", "minimal"])
def test_security_groups_follow_aws_vpc_interface_guidance(
    example: str, request: pytest.FixtureRequest
) -> None:
    """MediaConnect User Guide, "Security group considerations for VPC interfaces": a VPC source (the
    hub flows' callers) needs inbound from the sender's private IP (the ingest subnets); a VPC output
    (the ingest flows' hop listeners) outbound allowed (to the hub VPC, all UDP ports). Plus the hop:
    the hub's callers reach the listeners on the hop ports. Nothing else, nothing open to the world."""
    model: Topology = request.getfixturevalue(example)
    hop = model.internal_hop
    hop_ports, all_ports = ("udp", hop.port_from, hop.port_to), ("udp", 0, 65535)
    hub = model.hub.network
    files = render_cloudformation(model, "cloudformation")
    for path, template in templates(files).items():
        assert "0.0.0.0/0" not in _all_strings(template), path
    with_ingests = [n for n in model.networks if model.ingests_in(n.region)]
    for net in model.networks:
        template = parse(files[f"cloudformation/network-{net.region}.yaml"])
        (group,) = resources_of(template, "AWS::EC2::SecurityGroup").values()
        props = group["Properties"]
        ingress = {
            (r["IpProtocol"], r.get("FromPort"), r.get("ToPort"), r["CidrIp"])
            for r in props.get("SecurityGroupIngress", [])
        }
        egress = {
            (r["IpProtocol"], r.get("FromPort"), r.get("ToPort"), r["CidrIp"])
            for r in props["SecurityGroupEgress"]
        }
        want_in: set[tuple[object, ...]] = set()
        want_out: set[tuple[object, ...]] = set()
        if model.ingests_in(net.region):
            want_in.add((*hop_ports, hub.vpc_cidr))
            want_out.add((*all_ports, hub.vpc_cidr))
        if net.is_hub:
            want_in |= {(*all_ports, n.subnet_cidr) for n in with_ingests}
            want_out |= {(*hop_ports, n.vpc_cidr) for n in with_ingests if n.region != hub.region}
        assert ingress == want_in, net.region
        assert egress == (want_out or {("-1", None, None, "127.0.0.1/32")}), net.region


def test_network_stacks_outputs_and_resources(festival: Topology) -> None:
    files = render_cloudformation(festival, "cloudformation")
    for net in festival.networks:
        template = parse(files[f"cloudformation/network-{net.region}.yaml"])
        replicas = {f"{s.logical}HopSecretArn" for s in festival.spokes} if net.is_hub else set()
        assert set(template["Outputs"]) == {
            "VpcId",
            "SubnetId",
            "SecurityGroupId",
            "RoleArn",
            "HopSecretArn",
            "RouteTableId",
            *replicas,
        }
        subnet = resources_of(template, "AWS::EC2::Subnet")["Subnet"]["Properties"]
        assert subnet["CidrBlock"] == net.subnet_cidr
        assert subnet["MapPublicIpOnLaunch"] is False
        assert template["Parameters"]["AvailabilityZone"]["Default"] == net.availability_zone
        assert resources_of(template, "AWS::EC2::VPC")["Vpc"]["Properties"]["CidrBlock"] == net.vpc_cidr
        assert resources_of(template, "AWS::EC2::SubnetRouteTableAssociation")
        roles = resources_of(template, "AWS::IAM::Role")
        secrets = resources_of(template, "AWS::SecretsManager::Secret")
        if net.is_hub:
            assert set(roles) == {"MediaConnectRole"} and set(secrets) == {"HopSecret"}
            assert roles["MediaConnectRole"]["Properties"]["RoleName"] == "festival-mediaconnect"
        else:
            assert not roles and not secrets
            # the role's ARN from its name (IAM is global): nothing from the hub's stack
            assert set(template["Parameters"]) == {"AvailabilityZone"}
            assert template["Outputs"]["RoleArn"]["Value"] == {
                "Fn::Sub": [
                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}",
                    {"Name": "festival-mediaconnect"},
                ]
            }


def test_role_trust_and_least_privilege(festival: Topology) -> None:
    template = parse(
        render_cloudformation(festival, "cloudformation")["cloudformation/network-eu-west-1.yaml"]
    )
    role = template["Resources"]["MediaConnectRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "mediaconnect.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ref("AWS::AccountId")}
    # This topology's flows only, each by region and name (never festival-*: festival-2-... too).
    flows = [(festival.hub.region, f"festival-{role}") for role in ("live", "preview")]
    flows += [(i.region, f"festival-{i.name}") for i in festival.ingests]
    arn = "arn:${AWS::Partition}:mediaconnect:${Region}:${AWS::AccountId}:flow:*:${Name}"
    assert trust["Condition"]["ArnLike"] == {
        "aws:SourceArn": [{"Fn::Sub": [arn, {"Name": n, "Region": r}]} for r, n in sorted(flows)]
    }
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    for statement in statements:
        if statement["Resource"] == "*":
            assert all(a.startswith("ec2:Describe") for a in statement["Action"])
    (read,) = [s for s in statements if s["Sid"] == "ReadPassphrases"]
    assert all(
        a.startswith("secretsmanager:") and not a.startswith("secretsmanager:Put") for a in read["Action"]
    )
    rendered = json.dumps(read["Resource"])
    for ingest in festival.ingests:
        assert ingest.passphrase_secret.ref in rendered
    assert "festival/live-out-AbCdEf" in rendered
    assert rendered.count("festival/internal-hop/srt-passphrase") == 4  # one per region with flows


def test_generated_hop_secret_is_replicated_and_its_replicas_output(festival: Topology) -> None:
    files = render_cloudformation(festival, "cloudformation")
    hub = parse(files["cloudformation/network-eu-west-1.yaml"])
    secret = hub["Resources"]["HopSecret"]["Properties"]
    assert secret["ReplicaRegions"] == [{"Region": r} for r in ("us-east-1", "ap-southeast-2", "sa-east-1")]
    assert "GenerateSecretString" in secret and "SecretString" not in secret
    assert hub["Outputs"]["HopSecretArn"]["Value"] == ref("HopSecret")
    for net in festival.spokes:
        value = hub["Outputs"][f"{net.logical}HopSecretArn"]["Value"]["Fn::Join"]
        assert value[0] == ":" and value[1][3] == net.region
        spoke = parse(files[f"cloudformation/network-{net.region}.yaml"])
        assert "HubHopSecretArn" not in spoke["Parameters"]
        # the spoke's own HopSecretArn is the replica's partial ARN (by name, no random suffix)
        assert spoke["Outputs"]["HopSecretArn"]["Value"]["Fn::Sub"][1] == {
            "Name": "festival/internal-hop/srt-passphrase"
        }


def _replica_arn(join: list[Any], primary: str) -> str:
    """Evaluate the hub's Fn::Join/Select/Split replica output for a given primary ARN."""
    parts = primary.split(":")
    out = []
    for item in join[1]:
        out.append(item if isinstance(item, str) else parts[item["Fn::Select"][0]])
        if not isinstance(item, str):
            assert item["Fn::Select"][1] == {"Fn::Split": [":", ref("HopSecret")]}
    return join[0].join(out)


def test_replica_arn_expression(festival: Topology) -> None:
    hub = parse(render_cloudformation(festival, "cloudformation")["cloudformation/network-eu-west-1.yaml"])
    primary = (
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:festival/internal-hop/srt-passphrase-AbC123"
    )
    assert _replica_arn(hub["Outputs"]["SaEast1HopSecretArn"]["Value"]["Fn::Join"], primary) == (
        "arn:aws:secretsmanager:sa-east-1:123456789012:secret:festival/internal-hop/srt-passphrase-AbC123"
    )


def test_hop_secret_given_by_name(festival: Topology) -> None:
    model = dataclasses.replace(festival, internal_hop=InternalHop(passphrase_secret=SecretRef("shared/hop")))
    files = render_cloudformation(model, "cloudformation")
    for net in model.networks:
        template = parse(files[f"cloudformation/network-{net.region}.yaml"])
        assert not resources_of(template, "AWS::SecretsManager::Secret")
        assert "HubHopSecretArn" not in template["Parameters"]
        assert template["Outputs"]["HopSecretArn"]["Value"]["Fn::Sub"][1] == {"Name": "shared/hop"}
    for entry in manifest(files)["stacks"]:
        if entry["kind"] == "flows":
            assert entry["parameter_sources"]["HopSecretArn"] == "deploy"


def test_peering_and_routes(festival: Topology) -> None:
    files = render_cloudformation(festival, "cloudformation")
    peering = parse(files["cloudformation/peering-eu-west-1.yaml"])
    for net in festival.spokes:
        conn = peering["Resources"][f"{net.logical}Peering"]["Properties"]
        assert conn == {
            "VpcId": ref("VpcId"),
            "PeerVpcId": ref(f"{net.logical}VpcId"),
            "PeerRegion": net.region,
            "Tags": conn["Tags"],
        }
        route = peering["Resources"][f"{net.logical}Route"]["Properties"]
        assert route["DestinationCidrBlock"] == net.vpc_cidr
        assert route["VpcPeeringConnectionId"] == ref(f"{net.logical}Peering")
        assert f"{net.logical}PeeringConnectionId" in peering["Outputs"]
        routes = parse(files[f"cloudformation/routes-{net.region}.yaml"])
        (hub_route,) = resources_of(routes, "AWS::EC2::Route").values()
        assert hub_route["Properties"]["DestinationCidrBlock"] == festival.hub.network.vpc_cidr
        assert hub_route["Properties"]["VpcPeeringConnectionId"] == ref("PeeringConnectionId")


def test_terraform_mode_renders_no_network_stacks(festival: Topology) -> None:
    files = render_cloudformation(festival)
    assert not [p for p in files if p.split("/")[1].startswith(("network-", "peering-", "routes-"))]


def test_hub_only_topology_has_no_peering(minimal: Topology) -> None:
    hub_ingest = dataclasses.replace(minimal.ingests[0], region=minimal.hub.region)
    model = dataclasses.replace(minimal, regions=(), ingests=(hub_ingest,))
    files = render_cloudformation(model, "cloudformation")
    assert sorted(files) == [
        "cloudformation/flows-us-east-1.parameters.json",
        "cloudformation/flows-us-east-1.yaml",
        "cloudformation/manifest.json",
        "cloudformation/network-us-east-1.parameters.json",
        "cloudformation/network-us-east-1.yaml",
    ]
    stacks = manifest(files)["stacks"]
    assert stacks[1]["depends_on"] == ["minimal-network-us-east-1"]


# -- determinism, headers, quoting ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_deterministic(festival: Topology, mode: str) -> None:
    first = render_cloudformation(festival, mode)  # type: ignore[arg-type]
    rebuilt = dataclasses.replace(festival)
    assert render_cloudformation(rebuilt, mode) == first  # type: ignore[arg-type]
    assert list(first) == sorted(first)


@pytest.mark.parametrize("mode", MODES)
def test_headers(festival: Topology, mode: str) -> None:
    files = render_cloudformation(festival, mode)  # type: ignore[arg-type]
    header = comment_header(festival.source)
    for path, text in files.items():
        if path.endswith(".yaml"):
            assert text.startswith(header), path
        elif path.endswith(".parameters.json"):
            assert isinstance(json.loads(text), list)
        else:
            assert b"Generated by streamfabric" in text.encode()[:512]


def test_control_characters_in_the_source_stay_in_the_comment(minimal: Topology) -> None:
    model = dataclasses.replace(minimal, source=SourceInfo(uri="evil\nResources: {}\r#", sha256="0" * 64))
    text = render_cloudformation(model)["cloudformation/flows-us-east-1.yaml"]
    assert text.splitlines()[1] == "# Topology: evil\\x0aResources: {}\\x0d#"
    parse(text)


HOSTILE = [
    'say "hi"',
    "it's",
    "!Ref RoleArn",
    "!GetAtt X.Y",
    "${AWS::AccountId}",
    "${x}",
    "key: value",
    "# not a comment",
    "a #b",
    "- item",
    "*alias",
    "&anchor",
    "| literal",
    "> folded",
    "? complex",
    "%TAG",
    "@at",
    "`tick`",
    "null",
    "~",
    "yes",
    "no",
    "1e3",
    "0x10",
    "",
    " leading and trailing ",
    "back\\slash",
    "new\nline\ttab",
    "[flow, seq]",
    "{flow: map}",
    "ünïcødé ✓ 🎬",
    "\\ud83c\\udfac is not an emoji",
    "del\x7f nel\x85 ls\u2028 bom\ufeff",
    "---",
    "...",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_render_as_literals(minimal: Topology, value: str) -> None:
    ingest = dataclasses.replace(minimal.ingests[0], description=value)
    model = dataclasses.replace(minimal, ingests=(ingest,), tags=(("owner", value), (f"k{value}", "v")))
    for mode in MODES:
        files = render_cloudformation(model, mode)  # type: ignore[arg-type]
        for path, template in templates(files).items():
            for res in template["Resources"].values():
                tags = res.get("Properties", {}).get("Tags")
                if tags is not None:
                    mapping = {t["Key"]: t["Value"] for t in tags}
                    assert mapping["owner"] == value, path
                    assert mapping[f"k{value}"] == "v", path
        flow = flows_template(files, "eu-west-2")["Resources"]["CameraOneFlow"]
        assert "Description" not in flow["Properties"]["Source"]  # never the source's: see flows.yaml.j2
        if value:
            assert flow["Metadata"]["streamfabric"]["description"] == value
        else:
            assert "Metadata" not in flow


@pytest.mark.parametrize(
    "value", ["{{resolve:secretsmanager:prod/db:SecretString:password}}", "x {{ Resolve:ssm:p }}"]
)
def test_dynamic_references_are_refused(minimal: Topology, value: str) -> None:
    ingest = dataclasses.replace(minimal.ingests[0], description=value)
    with pytest.raises(RenderError, match="dynamic reference"):
        render_cloudformation(dataclasses.replace(minimal, ingests=(ingest,)))
    with pytest.raises(RenderError, match="dynamic reference"):
        render_cloudformation(dataclasses.replace(minimal, tags=(("k", value),)))


# -- what the model cannot express ---------------------------------------------------------------------


def test_whitelist_collapses_exactly(minimal: Topology) -> None:
    ingest = dataclasses.replace(minimal.ingests[0], allowlist=("192.0.2.0/28", "192.0.2.16/28"))
    assert whitelist_cidr(ingest) == "192.0.2.0/27"
    nested = dataclasses.replace(ingest, allowlist=("10.0.0.0/8", "10.1.0.0/16"))
    assert whitelist_cidr(nested) == "10.0.0.0/8"
    disjoint = dataclasses.replace(ingest, allowlist=("192.0.2.0/28", "198.51.100.0/24"))
    with pytest.raises(RenderError, match="single WhitelistCidr"):
        whitelist_cidr(disjoint)
    with pytest.raises(RenderError, match="single WhitelistCidr"):
        render_cloudformation(dataclasses.replace(minimal, ingests=(disjoint,)))
    for cidr in ("192.0.2.0/27",):
        assert ipaddress.IPv4Network(cidr)


def test_ingest_named_like_a_hub_flow_is_refused(minimal: Topology) -> None:
    ingest = dataclasses.replace(minimal.ingests[0], name="live")
    with pytest.raises(RenderError, match="hub flows"):
        render_cloudformation(dataclasses.replace(minimal, ingests=(ingest,)))


def test_names_mapping_to_the_same_logical_id_are_refused(minimal: Topology) -> None:
    first = dataclasses.replace(minimal.ingests[0], name="cam-1b")
    second = dataclasses.replace(minimal.ingests[0], name="cam1b", port=5002)
    assert pascal(first.name) == pascal(second.name)
    with pytest.raises(RenderError, match="same CloudFormation logical id"):
        render_cloudformation(dataclasses.replace(minimal, ingests=(first, second)))


def test_unknown_network_mode(minimal: Topology) -> None:
    with pytest.raises(RenderError, match="network mode"):
        render_cloudformation(minimal, "pulumi")  # type: ignore[arg-type]


def test_tag_keys_are_unique_even_with_a_user_name_tag(minimal: Topology) -> None:
    model = dataclasses.replace(minimal, tags=(("Name", "mine"), ("streamfabric:topology", "other")))
    for path, template in templates(render_cloudformation(model, "cloudformation")).items():
        for res in template["Resources"].values():
            tags = res.get("Properties", {}).get("Tags")
            if tags is not None:
                keys = [t["Key"] for t in tags]
                assert len(keys) == len(set(keys)), path
                assert {t["Key"]: t["Value"] for t in tags}["Name"] == "mine"

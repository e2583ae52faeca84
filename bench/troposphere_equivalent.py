"""The equivalent of streamfabric's flow stacks built with troposphere (flows, outputs, records):
the yardstick for the render benchmark."""

from __future__ import annotations

from troposphere import GetAtt, Output, Parameter, Ref, Tags, Template
from troposphere import mediaconnect as mc
from troposphere import route53 as r53

from streamfabric.topology.model import Topology, pascal


def flow_templates(model: Topology) -> dict[str, str]:
    out: dict[str, str] = {}
    hop = model.internal_hop
    hub_cidr = model.hub.network.vpc_cidr
    for net in model.networks:
        t = Template(Description=f"streamfabric {model.name}: MediaConnect flows in {net.region}")
        role = t.add_parameter(Parameter("RoleArn", Type="String"))
        hop_secret = t.add_parameter(Parameter("HopSecretArn", Type="String"))
        tags = Tags(**dict(model.tags), **{"streamfabric:topology": model.name})
        for ingest in model.ingests_in(net.region):
            logical = pascal(ingest.name)
            secret = t.add_parameter(Parameter(f"Secret{logical}Arn", Type="String"))
            flow = t.add_resource(mc.Flow(
                f"{logical}Flow", Name=model.flow_name(ingest.name), AvailabilityZone=net.availability_zone,
                Source=mc.Source(
                    Name=ingest.name, Protocol="srt-listener", IngestPort=ingest.port,
                    WhitelistCidr=ingest.allowlist[0], MinLatency=ingest.min_latency_ms,
                    Decryption=mc.Encryption(
                        KeyType="srt-password", RoleArn=Ref(role), SecretArn=Ref(secret)
                    ),
                ),
            ))  # fmt: skip
            for role_name in ("live", "preview"):
                out_name = f"{logical}To{pascal(role_name)}"
                output = t.add_resource(mc.FlowOutput(
                    out_name, FlowArn=Ref(flow), Name=f"to-{role_name}", Protocol="srt-listener",
                    Port=hop.port(role_name),  # type: ignore[arg-type]
                    CidrAllowList=[hub_cidr], MinLatency=hop.min_latency_ms,
                    Encryption=mc.FlowOutputEncryption(
                        KeyType="srt-password", RoleArn=Ref(role), SecretArn=Ref(hop_secret)
                    ),
                    Tags=tags,
                ))  # fmt: skip
                t.add_output(Output(f"{out_name}OutputArn", Value=Ref(output)))
            if model.dns:
                t.add_resource(r53.RecordSetType(
                    f"{logical}Record", HostedZoneId=model.dns.hosted_zone_id,
                    Name=model.dns.record(ingest.name), Type="A", TTL=str(model.dns.ttl),
                    ResourceRecords=[GetAtt(flow, "Source.IngestIp")],
                ))  # fmt: skip
            t.add_output(Output(f"{logical}FlowArn", Value=Ref(flow)))
            t.add_output(Output(f"{logical}IngestIp", Value=GetAtt(flow, "Source.IngestIp")))
        out[f"cloudformation/flows-{net.region}.yaml"] = t.to_yaml()
    return out

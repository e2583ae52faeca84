"""Helpers for the deploy tests: secrets, a hosted zone and a network in moto, a gateway that never
waits, a mutating-call counter, a crash injector, and a temporary shim for a moto gap in change sets."""

from __future__ import annotations

import threading
from typing import Any

import boto3

from streamfabric.aws.gateway import AwsGateway
from streamfabric.topology.model import Topology

READ_PREFIXES = ("Describe", "List", "Get")


def session(endpoint: str | None = None) -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
        region_name="us-east-1",
    )


def create_example_secrets(model: Topology, endpoint: str) -> dict[tuple[str, str], str]:
    """Create, in moto, every secret the topology references (by name, in the region(s) that use it).

    Ingest secrets in their ingest's region, output secrets in the hub region, a given hop secret in
    every region. ARN references are created under their name too (moto picks its own suffix; nothing
    reads a secret's value). Returns (region, name) -> ARN."""
    wanted: set[tuple[str, str]] = set()
    for ingest in model.ingests:
        wanted.add((ingest.region, ingest.passphrase_secret.name))
    for flow in model.hub.flows:
        for out in flow.outputs:
            if out.passphrase_secret:
                wanted.add((model.hub.region, out.passphrase_secret.name))
    if model.internal_hop.passphrase_secret is not None:
        wanted.update((net.region, model.internal_hop.passphrase_secret.name) for net in model.networks)
    sess = session()
    created: dict[tuple[str, str], str] = {}
    for region, name in sorted(wanted):
        client = sess.client("secretsmanager", region_name=region, endpoint_url=endpoint)
        created[(region, name)] = client.create_secret(Name=name, SecretString="not-a-real-passphrase")["ARN"]
    return created


def create_network(sess: boto3.session.Session, model: Topology, endpoint: str) -> dict[str, object]:
    """A network like the rendered Terraform's, made with EC2/IAM/Secrets Manager calls; returns the
    `terraform output -json` document deploy reads with --network-outputs."""
    iam = sess.client("iam", endpoint_url=endpoint)
    role = iam.create_role(RoleName=f"{model.name}-mediaconnect", AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    regions: dict[str, dict[str, str]] = {}
    for net in model.networks:
        ec2 = sess.client("ec2", region_name=net.region, endpoint_url=endpoint)
        vpc = ec2.create_vpc(CidrBlock=net.vpc_cidr)["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(
            VpcId=vpc, CidrBlock=net.subnet_cidr, AvailabilityZone=net.availability_zone
        )
        group = ec2.create_security_group(GroupName=f"{model.name}-mc", Description="MediaConnect", VpcId=vpc)
        secret = sess.client("secretsmanager", region_name=net.region, endpoint_url=endpoint).create_secret(
            Name=f"{model.name}/internal-hop", SecretString="not-a-real-passphrase"
        )
        regions[net.region] = {
            "vpc_id": vpc,
            "subnet_id": subnet["Subnet"]["SubnetId"],
            "security_group_id": group["GroupId"],
            "role_arn": role,
            "hop_secret_arn": secret["ARN"],
        }
    return {"regions": {"sensitive": False, "type": ["map", ["object", {}]], "value": regions}}


def gateway(sess: boto3.session.Session | None = None) -> AwsGateway:
    """A gateway whose waiters never sleep."""
    return AwsGateway(sess or session(), waiter_delay=0)


ASKING = frozenset({"CreateChangeSet", "DeleteChangeSet", "DeleteStack"})


class CallCounter:
    """Counts API calls made by clients of a session (a botocore ``before-call.*.*`` hook).

    Only clients created after it see the hook: make it before the gateway makes its clients."""

    def __init__(self, sess: boto3.session.Session) -> None:
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        sess.events.register("before-call.*.*", self._before_call)

    def _before_call(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.calls.append((model.service_model.service_name, model.name))

    @property
    def mutating(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if not c[1].startswith(READ_PREFIXES)]

    @property
    def changes(self) -> list[tuple[str, str]]:
        """The mutating calls other than asking CloudFormation (creating and deleting the change
        sets the on-air guard reads, and the empty stacks a CREATE change set makes): what changes
        a resource. A refused deploy makes none."""
        return [c for c in self.mutating if c[1] not in ASKING]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()


class Crash(Exception):
    """The failure injected at step k."""


class CrashingGateway(AwsGateway):
    """A gateway that fails its ``crash_at``-th mutating call (1-based), just before making it."""

    def __init__(self, sess: boto3.session.Session, crash_at: int | None) -> None:
        super().__init__(sess, waiter_delay=0)
        self.crash_at = crash_at
        self.mutations: list[str] = []
        self._count_lock = threading.Lock()

    def call(self, service: str, region: str | None, operation: str, **params: Any) -> dict[str, Any]:
        if not operation.startswith(("describe_", "list_", "get_")):
            with self._count_lock:
                self.mutations.append(f"{service}.{operation}")
                crash = len(self.mutations) == self.crash_at
            if crash:
                raise Crash(f"injected crash before {service}.{operation} (mutating call {self.crash_at})")
        return super().call(service, region, operation, **params)


def create_example_hosted_zone(model: Topology) -> None:
    """The topology's Route 53 hosted zone (a precondition, like the secrets), with its exact id."""
    if model.dns is not None:
        from streamfabric.sandbox.presets import preset_hosted_zone

        preset_hosted_zone(model.dns.hosted_zone_id, model.dns.domain)

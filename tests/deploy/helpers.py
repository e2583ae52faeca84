"""Helpers for the deploy tests: secrets in moto, a gateway that never waits, a mutating-call counter,
a crash injector, and a temporary shim for a moto gap in change-set execution."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from streamfabric.aws.gateway import AwsGateway
from streamfabric.model import Topology

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
    return AwsGateway(sess or session(), waiter_delay=0, sleep=lambda _: None)


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

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()


class Crash(Exception):
    """The failure injected at step k."""


class CrashingGateway(AwsGateway):
    """A gateway that fails its ``crash_at``-th mutating call (1-based), just before making it."""

    def __init__(self, sess: boto3.session.Session, crash_at: int | None) -> None:
        super().__init__(sess, waiter_delay=0, sleep=lambda _: None)
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


def _fixed_yaml_tag_constructor(loader: Any, tag: str, node: Any) -> Any:
    """moto's constructor, except ``!GetAtt [Resource, Attribute]`` (a YAML sequence) is constructed
    (moto returns the raw ScalarNodes, so every later GetAtt lookup fails)."""
    import yaml

    key = "Ref" if tag == "!Ref" else f"Fn::{tag[1:]}"
    if isinstance(node, yaml.SequenceNode):
        return {key: loader.construct_sequence(node, deep=True)}
    if isinstance(node, yaml.MappingNode):
        return {key: loader.construct_mapping(node, deep=True)}
    return {key: node.value.split(".", 1) if tag == "!GetAtt" else node.value}


_SECRET_TYPE = "AWS::SecretsManager::Secret"


def _register_secret_model() -> None:
    """A minimal ``AWS::SecretsManager::Secret`` for moto's CloudFormation (Name, Description,
    GenerateSecretString, ReplicaRegions, Tags; Ref = ARN). Registering a model is permanent in a
    process, so this only happens when the model map has none."""
    import json
    import secrets as random_secrets

    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel
    from moto.secretsmanager.models import secretsmanager_backends

    if _SECRET_TYPE in parsing.get_model_map():
        return

    class ShimSecret(CloudFormationModel):  # type: ignore[misc]
        __module__ = "tests.secretsmanager.shim"  # moto's model registry takes the service from it

        def __init__(self, arn: str) -> None:
            self.arn = arn

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @staticmethod
        def cloudformation_type() -> str:
            return _SECRET_TYPE

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "Id"

        @property
        def physical_resource_id(self) -> str:
            return self.arn

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            return self.arn

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[override]
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> ShimSecret:
            props = cloudformation_json.get("Properties") or {}
            backend = secretsmanager_backends[account_id][region_name]
            created = backend.create_secret(
                name=props.get("Name") or resource_name,
                secret_string=random_secrets.token_hex(16),
                secret_binary=None,
                description=props.get("Description"),
                tags=props.get("Tags"),
                kms_key_id=None,
                client_request_token=None,
                replica_regions=props.get("ReplicaRegions") or [],
                force_overwrite=False,
            )
            return cls(json.loads(created)["ARN"])

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[override]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            backend = secretsmanager_backends[account_id][region_name]
            props = cloudformation_json.get("Properties") or {}
            regions = [r["Region"] for r in props.get("ReplicaRegions") or ()]
            if regions:
                backend.remove_regions_from_replication(resource_name, regions)
            backend.delete_secret(
                resource_name, recovery_window_in_days=None, force_delete_without_recovery=True
            )

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


@contextmanager
def moto_gaps_shim() -> Iterator[None]:
    """Two moto 5.2 gaps the sandbox extension does not fix yet, patched in this process (the test
    server runs in-process), restored afterwards:

    * ExecuteChangeSet never computes the stack's Outputs (nor re-reads its template, nor applies
      the change set's Tags on update); CloudFormation has them once the operation completes.
    * ``!GetAtt [Resource, Attribute]`` (short form with a sequence) is left as YAML nodes, so any
      template using it fails; CloudFormation accepts it.
    * moto's CloudFormation has no ``AWS::SecretsManager::Secret`` (the hub network stack's
      generated hop secret): registered for good (see :func:`_register_secret_model`).
    * ``AWS::EC2::VPCPeeringConnection`` ignores ``PeerRegion`` / ``PeerOwnerId`` (it looks the peer VPC
      up in the stack's own region and fails with InvalidVpcID.NotFound); CloudFormation peers
      across regions.
    * Deleting a stack leaves its ``AWS::EC2::RouteTable``, ``AWS::EC2::Route``,
      ``AWS::EC2::SubnetRouteTableAssociation`` and ``AWS::EC2::VPCPeeringConnection`` behind (moto
      has no delete for them), so the VPC's deletion fails with DependencyViolation; CloudFormation
      deletes them.
    """
    import moto.cloudformation.models as cfn_models
    import moto.cloudformation.responses as cfn_responses
    from moto.cloudformation import utils as cfn_utils
    from moto.cloudformation.models import CloudFormationBackend
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.route_tables import Route, RouteTable
    from moto.ec2.models.subnets import SubnetRouteTableAssociation
    from moto.ec2.models.vpc_peering_connections import VPCPeeringConnection

    _register_secret_model()
    original = CloudFormationBackend.execute_change_set
    constructors = (cfn_models.yaml_tag_constructor, cfn_responses.yaml_tag_constructor)
    if getattr(original, "_streamfabric_shim", False):
        yield
        return
    fix_yaml = constructors[0] is cfn_utils.yaml_tag_constructor  # not fixed by the sandbox yet

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original(self, change_set_name, stack_name)
        change_set = self.describe_change_set(change_set_name)
        stack = self.stacks.get(change_set.stack_id)
        if stack is not None and stack.status.endswith("_COMPLETE"):
            stack._parse_template()
            stack.output_map = stack._create_output_map()
            stack.description = stack.template_dict.get("Description")
            if change_set.tags is not None:
                stack.tags = change_set.tags

    original_peering = VPCPeeringConnection.__dict__["create_from_cloudformation_json"]

    def create_peering(
        cls: Any,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        peer = ec2_backends[props.get("PeerOwnerId") or account_id][props.get("PeerRegion") or region_name]
        return backend.create_vpc_peering_connection(
            backend.get_vpc(props["VpcId"]), peer.get_vpc(props["PeerVpcId"])
        )

    def delete_route_table(self: Any, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        if self.id in backend.route_tables:
            self._associations.clear()
            backend.delete_route_table(self.id)

    def delete_route(self: Any, account_id: str, region_name: str) -> None:
        self.route_table._routes.pop(self.id, None)

    def delete_association(self: Any, account_id: str, region_name: str) -> None:
        ec2_backends[account_id][region_name].subnet_associations.pop(
            f"{self.route_table_id}:{self.subnet_id}", None
        )

    def delete_peering(self: Any, account_id: str, region_name: str) -> None:
        for backend in (self.ec2_backend, self.peer_vpc.ec2_backend):
            backend.vpc_pcxs.pop(self.id, None)

    deletes = {
        RouteTable: delete_route_table,
        Route: delete_route,
        SubnetRouteTableAssociation: delete_association,
        VPCPeeringConnection: delete_peering,
    }
    deletes = {cls: fn for cls, fn in deletes.items() if "delete" not in cls.__dict__}

    execute_change_set._streamfabric_shim = True  # type: ignore[attr-defined]
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    VPCPeeringConnection.create_from_cloudformation_json = classmethod(create_peering)  # type: ignore[assignment]
    for cls, fn in deletes.items():
        cls.delete = fn  # type: ignore[attr-defined]
    if fix_yaml:
        cfn_models.yaml_tag_constructor = _fixed_yaml_tag_constructor
        cfn_responses.yaml_tag_constructor = _fixed_yaml_tag_constructor
    try:
        yield
    finally:
        CloudFormationBackend.execute_change_set = original  # type: ignore[method-assign]
        VPCPeeringConnection.create_from_cloudformation_json = original_peering  # type: ignore[method-assign]
        for cls in deletes:
            del cls.delete  # type: ignore[attr-defined]
        cfn_models.yaml_tag_constructor, cfn_responses.yaml_tag_constructor = constructors


def create_example_hosted_zone(model: Topology) -> None:
    """The topology's Route 53 hosted zone (a precondition, like the secrets), with its exact id.

    moto picks zone ids itself; the zone is created through moto's backend in this process (the
    test server runs in-process) and filed under the topology's id."""
    if model.dns is None:
        return
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.route53.models import route53_backends

    backend = route53_backends[DEFAULT_ACCOUNT_ID]["global"]
    if model.dns.hosted_zone_id in backend.zones:
        return
    zone = backend.create_hosted_zone(model.dns.domain, private_zone=False)
    backend.zones.pop(next(key for key, value in backend.zones.items() if value is zone))
    zone.resource_id = model.dns.hosted_zone_id
    backend.zones[model.dns.hosted_zone_id] = zone

"""The read calls of a deploy, one per kind of thing (Describe*/List*/Get* through the gateway).

:mod:`.observe` composes them into what a deploy plans against; the executor's :mod:`.execute.resolver`
uses the same reads to resolve references. Nothing here changes anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ..aws.gateway import AwsGateway
from ..errors import AwsError, DeployError, NotFoundError
from ..state.runtime import flow_region
from .api_code import ApiCode
from .observed import FlowState, StackState, flow_state, stack_state

CHANGE_SET_PREFIX = "streamfabric-"
MEDIACONNECT_ENI_MARK = "mediaconnect"  # in the description of the ENIs MediaConnect creates

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")


def parallel(fn: Callable[[T], R], items: Iterable[T], workers: int = 32) -> list[R]:
    """``[fn(item) for item in items]``, concurrently (reads only), in order."""
    listed = list(items)
    if len(listed) <= 1:
        return [fn(item) for item in listed]
    with ThreadPoolExecutor(max_workers=min(workers, len(listed))) as pool:
        return list(pool.map(fn, listed))


def concurrently(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """``(first(), second())``, the two at once (reads only): two independent rounds of calls cost one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(second)
        return first(), other.result()


def _missing_stack(exc: AwsError) -> bool:
    return exc.code == "ValidationError" and "does not exist" in str(exc)


def describe_stack(gateway: AwsGateway, region: str, name: str) -> dict[str, Any] | None:
    """The stack's description, or None when there is no such (live) stack."""
    try:
        stacks = gateway.call("cloudformation", region, "describe_stacks", StackName=name).get("Stacks") or []
    except AwsError as exc:
        if _missing_stack(exc):
            return None
        raise
    live = [s for s in stacks if s.get("StackStatus") != "DELETE_COMPLETE"]
    return dict(live[0]) if live else None


def observe_stack(gateway: AwsGateway, region: str, name: str, *, details: bool = True) -> StackState | None:
    """The stack as deployed; ``details=False``: status, parameters, tags and outputs only (no template,
    no change sets)."""
    described = describe_stack(gateway, region, name)
    if described is None:
        return None
    status = str(described.get("StackStatus", ""))
    stack_id = described.get("StackId")

    def template() -> str | None:
        if not details or status == "REVIEW_IN_PROGRESS":
            return None
        raw = gateway.call(
            "cloudformation", region, "get_template", StackName=name, TemplateStage="Original"
        ).get("TemplateBody")
        if isinstance(raw, str):
            return raw
        return None if raw is None else json.dumps(raw, sort_keys=True)  # botocore decodes JSON bodies

    def change_sets() -> list[str]:
        pending: list[str] = []
        for page in gateway.paginate("cloudformation", region, "list_change_sets", StackName=name):
            for summary in page.get("Summaries") or ():
                cs_name = str(summary.get("ChangeSetName", ""))
                if (
                    summary.get("StackId", stack_id) == stack_id
                    and cs_name.startswith(CHANGE_SET_PREFIX)
                    and summary.get("ExecutionStatus") in ("AVAILABLE", "UNAVAILABLE")
                ):
                    pending.append(cs_name)
        return pending

    body, pending = concurrently(template, change_sets) if details else (None, [])
    return stack_state(region, name, described, template_body=body, pending_change_sets=pending)


def describe_flow(gateway: AwsGateway, region: str, arn: str) -> FlowState | None:
    try:
        raw = gateway.call("mediaconnect", region, "describe_flow", FlowArn=arn)["Flow"]
    except NotFoundError:
        return None
    return flow_state(region, raw)


def network_interface_addresses(gateway: AwsGateway, region: str, eni_ids: Iterable[str]) -> dict[str, str]:
    """ENI id -> primary private IP (missing ENIs are simply absent)."""
    ids = sorted(set(eni_ids))
    if not ids:
        return {}
    found: dict[str, str] = {}
    for page in gateway.paginate(
        "ec2",
        region,
        "describe_network_interfaces",
        Filters=[{"Name": "network-interface-id", "Values": ids}],
    ):
        for eni in page.get("NetworkInterfaces") or ():
            if eni.get("PrivateIpAddress"):
                found[str(eni["NetworkInterfaceId"])] = str(eni["PrivateIpAddress"])
    return found


def observe_flows(gateway: AwsGateway, arns: Iterable[str]) -> tuple[dict[str, FlowState], dict[str, str]]:
    """The flows with these ARNs that exist (by ARN; never looked up by name: MediaConnect allows
    several flows with one name) and the private IPs of their VPC interfaces' ENIs. Two rounds of
    calls whatever the number of flows and regions: every DescribeFlow at once, then one
    DescribeNetworkInterfaces per region at once."""
    listed = sorted(set(arns))
    described = parallel(lambda arn: describe_flow(gateway, flow_region(arn), arn), listed)
    flows = {f.arn: f for f in described if f}
    by_region: dict[str, list[str]] = {}
    for flow in flows.values():
        enis = [eni for v in flow.vpc_interfaces for eni in v.network_interface_ids]
        by_region.setdefault(flow.region, []).extend(enis)
    addresses: dict[str, str] = {}
    for found in parallel(
        lambda item: network_interface_addresses(gateway, *item), sorted(by_region.items())
    ):
        addresses.update(found)
    return flows, addresses


def foreign_flows(
    gateway: AwsGateway, regions: Iterable[str], names: Iterable[str], ours: Iterable[str]
) -> tuple[str, ...]:
    """Flows named like ours (``names``) whose ARN is not one of ``ours``: reported, never used.
    The regions are listed at once."""
    wanted, known = set(names), set(ours)

    def region_foreign(region: str) -> list[str]:
        found: list[str] = []
        for page in gateway.paginate("mediaconnect", region, "list_flows"):
            for listed in page.get("Flows") or ():
                arn = str(listed.get("FlowArn", ""))
                if listed.get("Name") in wanted and arn not in known:
                    found.append(f"{listed['Name']} ({region}): {arn}")
        return found

    return tuple(sorted(f for found in parallel(region_foreign, sorted(set(regions))) for f in found))


def resolve_secrets(gateway: AwsGateway, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(region, secret name) -> ARN via secretsmanager.describe_secret; every missing one is reported."""
    items = sorted(set(wanted))

    def one(item: tuple[str, str]) -> tuple[tuple[str, str], str | None]:
        region, name = item
        try:
            arn = gateway.call("secretsmanager", region, "describe_secret", SecretId=name)["ARN"]
        except NotFoundError:
            return item, None
        return item, str(arn)

    resolved = parallel(one, items)
    missing = [f"{name} ({region})" for (region, name), arn in resolved if arn is None]
    if missing:
        raise DeployError("secret(s) not found in Secrets Manager: " + ", ".join(missing))
    return {item: arn for item, arn in resolved if arn is not None}


def orphan_network_interfaces(
    gateway: AwsGateway, region: str, subnet_ids: Iterable[str], in_use: Iterable[str] = ()
) -> list[str]:
    """ENIs MediaConnect left in the topology's subnets (a crash between RemoveFlowVpcInterface and
    deleting its NonDeletedNetworkInterfaceIds): they would block deleting the subnet.

    Only detached ENIs whose description names MediaConnect, not in ``in_use`` (the topology's flows'
    ENIs, known already) and that no other flow in the region lists among its VPC interfaces'."""
    subnets = sorted({s for s in subnet_ids if s})
    if not subnets:
        return []
    candidates: list[str] = []
    filters = [{"Name": "subnet-id", "Values": subnets}, {"Name": "status", "Values": ["available"]}]
    for page in gateway.paginate("ec2", region, "describe_network_interfaces", Filters=filters):
        for eni in page.get("NetworkInterfaces") or ():
            if MEDIACONNECT_ENI_MARK in str(eni.get("Description", "")).lower():
                candidates.append(str(eni["NetworkInterfaceId"]))
    known = set(in_use)
    candidates = [eni for eni in candidates if eni not in known]
    if not candidates:
        return []
    used: set[str] = set()
    for page in gateway.paginate("mediaconnect", region, "list_flows"):
        for listed in page.get("Flows") or ():
            flow = describe_flow(gateway, region, str(listed["FlowArn"]))
            if flow is not None:
                used.update(eni for vpc in flow.vpc_interfaces for eni in vpc.network_interface_ids)
    return sorted(eni for eni in candidates if eni not in used)


def bucket_region(gateway: AwsGateway, bucket: str) -> str:
    """The bucket's region (S3 API Reference, GetBucketLocation: an empty LocationConstraint is
    us-east-1, the legacy "EU" is eu-west-1)."""
    found = gateway.call("s3", None, "get_bucket_location", Bucket=bucket).get("LocationConstraint")
    return {"": "us-east-1", "EU": "eu-west-1"}.get(found or "", found or "us-east-1")


def api_package_present(gateway: AwsGateway, code: ApiCode) -> bool:
    """Is the control API's package at its key already (S3 API Reference, HeadObject: 404 when it
    is not)? First, the bucket must be in the function's region (DeployError otherwise:
    CloudFormation would fail to create the function only after the other stacks were deployed)."""
    region = bucket_region(gateway, code.bucket)
    if region != code.region:
        raise DeployError(
            f"$.control_api.artifacts: bucket {code.bucket} is in {region}, but the control API's "
            f"function is in the hub region {code.region}, and Lambda reads its code from a bucket "
            f"in its own region: name a bucket in {code.region} in control_api.artifacts"
        )
    try:
        gateway.call("s3", code.region, "head_object", Bucket=code.bucket, Key=code.key)
    except NotFoundError:
        return False
    return True


__all__ = [
    "CHANGE_SET_PREFIX",
    "MEDIACONNECT_ENI_MARK",
    "api_package_present",
    "bucket_region",
    "concurrently",
    "describe_flow",
    "describe_stack",
    "foreign_flows",
    "network_interface_addresses",
    "observe_flows",
    "observe_stack",
    "orphan_network_interfaces",
    "parallel",
    "resolve_secrets",
]

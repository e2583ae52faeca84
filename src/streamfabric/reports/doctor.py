"""``doctor``: is this account ready for the topology? Read-only checks, each finding with a fix.

1. Identity: STS ``GetCallerIdentity`` (AWS STS API Reference) — who the credentials are.
2. MediaConnect in each region: botocore's endpoint data lists the regions where AWS offers the
   service (the same list as "AWS Elemental MediaConnect endpoints and quotas" in the AWS General
   Reference), then ``ListFlows`` answers there.
3. Flows per region: the MediaConnect user guide ("Quotas in AWS Elemental MediaConnect") gives a
   default of 20 flows per Region, which can be raised; the account's own value is read from
   Service Quotas (``ListServiceQuotas``, then ``ListAWSDefaultServiceQuotas``, service code
   ``mediaconnect``), never assumed, and compared with the flows there after a deploy.
4. Versioning on the buckets of the runtime state and the audit log (S3 ``GetBucketVersioning``):
   without it an overwritten state or a deleted audit record cannot be recovered.
5. Permissions: IAM ``SimulatePrincipalPolicy`` for the actions deploy and switch call, where the
   caller may call it (it is itself an IAM permission; a root user cannot be simulated).

Every call goes through :class:`~streamfabric.aws.gateway.AwsGateway`; nothing is changed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from ..aws.gateway import AwsGateway
from ..errors import AwsError
from ..state.runtime import default_audit_uri
from ..topology.model import Topology

log = logging.getLogger(__name__)

Status = Literal["ok", "warning", "error", "skipped"]
MARKS = {"ok": "✓", "warning": "!", "error": "✗", "skipped": "-"}
FLOWS_QUOTA_NAME = re.compile(r"^flows\b", re.IGNORECASE)

# What deploy (change sets, post-steps, runtime state, its lease) and switch (UpdateFlowSource,
# audit, protect's documents: deleted on unprotect, as the lease on release) call.
REQUIRED_ACTIONS = (
    "cloudformation:CreateChangeSet",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStacks",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:ListChangeSets",
    "ec2:DescribeNetworkInterfaces",
    "iam:PassRole",
    "mediaconnect:AddFlowVpcInterfaces",
    "mediaconnect:DescribeFlow",
    "mediaconnect:ListFlows",
    "mediaconnect:StartFlow",
    "mediaconnect:UpdateFlowOutput",
    "mediaconnect:UpdateFlowSource",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:PutObject",
    "secretsmanager:DescribeSecret",
)


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    status: Status
    message: str
    fix: str = ""

    def lines(self) -> list[str]:
        out = [f"{MARKS[self.status]} {self.check}: {self.message}"]
        if self.fix:
            out.append(f"    fix: {self.fix}")
        return out

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def flows_needed(model: Topology) -> dict[str, tuple[str, ...]]:
    """The flow names the topology deploys, per region (the hub's Live and Preview included)."""
    needed: dict[str, list[str]] = {}
    for ingest in model.ingests:
        needed.setdefault(ingest.region, []).append(model.flow_name(ingest.name))
    needed.setdefault(model.hub.region, []).extend(model.flow_name(role) for role in ("live", "preview"))
    return {region: tuple(sorted(names)) for region, names in needed.items()}


def check_identity(gateway: AwsGateway, region: str) -> tuple[Finding, str | None]:
    try:
        who = gateway.call("sts", region, "get_caller_identity")
    except AwsError as exc:
        return (
            Finding(
                "identity",
                "error",
                f"no usable AWS credentials ({exc})",
                "configure credentials: `aws configure`, `aws sso login --profile NAME` with --profile, "
                "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            ),
            None,
        )
    arn = str(who.get("Arn", ""))
    return Finding("identity", "ok", f"account {who.get('Account')} as {arn}"), arn


def check_mediaconnect(gateway: AwsGateway, region: str, offered: Iterable[str]) -> tuple[Finding, set[str]]:
    """The finding, and the names of the flows that exist in ``region``."""
    if region not in set(offered):
        return (
            Finding(
                f"mediaconnect {region}",
                "error",
                f"AWS Elemental MediaConnect is not offered in {region}",
                "move that network to a region where MediaConnect is offered (AWS General Reference, "
                "MediaConnect endpoints)",
            ),
            set(),
        )
    try:
        names = {
            str(flow.get("Name"))
            for page in gateway.paginate("mediaconnect", region, "list_flows")
            for flow in page.get("Flows") or ()
        }
    except AwsError as exc:
        return (
            Finding(
                f"mediaconnect {region}",
                "error",
                f"ListFlows failed: {exc}",
                "enable the region for the account (Account settings, AWS Regions) and allow "
                "mediaconnect:ListFlows",
            ),
            set(),
        )
    return Finding(f"mediaconnect {region}", "ok", f"answers ({len(names)} flow(s) in the account)"), names


def _flows_quota(gateway: AwsGateway, region: str) -> tuple[float, str] | None:
    for operation in ("list_service_quotas", "list_aws_default_service_quotas"):
        try:
            pages = list(gateway.paginate("service-quotas", region, operation, ServiceCode="mediaconnect"))
        except AwsError as exc:
            log.info("%s %s: %s", region, operation, exc)
            continue
        for page in pages:
            for quota in page.get("Quotas") or ():
                if FLOWS_QUOTA_NAME.search(str(quota.get("QuotaName", ""))) and "Value" in quota:
                    return float(quota["Value"]), str(quota.get("QuotaCode", ""))
    return None


def check_quota(gateway: AwsGateway, region: str, needed: tuple[str, ...], existing: set[str]) -> Finding:
    after = len(existing | set(needed))
    quota = _flows_quota(gateway, region)
    name = f"flows quota {region}"
    if quota is None:
        return Finding(
            name,
            "skipped",
            f"Service Quotas gave no MediaConnect flows quota here; the deploy needs {after} flow(s)",
            "look the quota up in the Service Quotas console (AWS Elemental MediaConnect) or allow "
            "servicequotas:ListServiceQuotas",
        )
    value, code = quota
    if after > value:
        return Finding(
            name,
            "error",
            f"{after} flow(s) after the deploy, the quota is {value:g}",
            "aws service-quotas request-service-quota-increase --service-code mediaconnect "
            f"--quota-code {code} --desired-value {after} --region {region}",
        )
    return Finding(name, "ok", f"{after} of {value:g} flow(s) after the deploy")


def _bucket(uri: str) -> str | None:
    return uri[5:].split("/", 1)[0] if uri.startswith("s3://") else None


def check_versioning(gateway: AwsGateway, uris: dict[str, str]) -> list[Finding]:
    buckets: dict[str, list[str]] = {}
    for what, uri in uris.items():
        bucket = _bucket(uri)
        if bucket:
            buckets.setdefault(bucket, []).append(what)
    if not buckets:
        return [
            Finding(
                "versioning",
                "skipped",
                "the runtime state and the audit log are local files (the topology is not on S3)",
            )
        ]
    findings = []
    for bucket, whats in sorted(buckets.items()):
        name = f"versioning s3://{bucket} ({', '.join(whats)})"
        try:
            status = gateway.call("s3", None, "get_bucket_versioning", Bucket=bucket).get("Status")
        except AwsError as exc:
            findings.append(Finding(name, "error", f"cannot read it: {exc}", "allow s3:GetBucketVersioning"))
            continue
        if status == "Enabled":
            findings.append(Finding(name, "ok", "enabled"))
        else:
            findings.append(
                Finding(
                    name,
                    "warning",
                    f"versioning is {status or 'not enabled'}: an overwritten state or audit record is lost",
                    f"aws s3api put-bucket-versioning --bucket {bucket} "
                    "--versioning-configuration Status=Enabled",
                )
            )
    return findings


def check_object_lock(gateway: AwsGateway, audit_uri: str) -> Finding | None:
    """Object Lock on the audit log's bucket is recommended: with it, a record cannot be deleted or
    overwritten (an old version removed) during its retention, even by a principal allowed to."""
    bucket = _bucket(audit_uri)
    if bucket is None:
        return None
    name = f"object lock s3://{bucket} (audit log)"
    try:
        config = gateway.call("s3", None, "get_object_lock_configuration", Bucket=bucket)
    except AwsError as exc:
        if exc.code != "ObjectLockConfigurationNotFoundError":
            return Finding(
                name, "warning", f"cannot read it: {exc}", "allow s3:GetBucketObjectLockConfiguration"
            )
        config = {}
    if (config.get("ObjectLockConfiguration") or {}).get("ObjectLockEnabled") == "Enabled":
        return Finding(name, "ok", "enabled: audit records are kept for their retention")
    return Finding(
        name,
        "warning",
        "not enabled (recommended): whoever may delete objects or their versions can erase audit records",
        f"aws s3api put-object-lock-configuration --bucket {bucket} --object-lock-configuration "
        '\'{"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": '
        '{"Mode": "GOVERNANCE", "Days": 365}}}\' (versioning must be enabled first)',
    )


def principal_of(arn: str) -> str | None:
    """The IAM ARN to simulate for a caller ARN: an assumed role's role (its path is not in the
    session ARN: roles with a path are matched by name by IAM only at the root path), a user as is."""
    assumed = re.fullmatch(r"arn:(aws[\w-]*):sts::(\d{12}):assumed-role/([^/]+)/.+", arn)
    if assumed:
        return f"arn:{assumed.group(1)}:iam::{assumed.group(2)}:role/{assumed.group(3)}"
    if re.fullmatch(r"arn:aws[\w-]*:iam::\d{12}:(user|role)/.+", arn):
        return arn
    return None


def check_permissions(
    gateway: AwsGateway, caller: str, actions: tuple[str, ...] = REQUIRED_ACTIONS
) -> Finding:
    principal = principal_of(caller)
    if principal is None:
        return Finding(
            "permissions", "skipped", f"{caller} cannot be simulated (a root user or a federated caller)"
        )
    try:
        pages = list(
            gateway.paginate(
                "iam", None, "simulate_principal_policy", PolicySourceArn=principal, ActionNames=list(actions)
            )
        )
    except AwsError as exc:
        return Finding(
            "permissions",
            "skipped",
            f"not simulated: {exc.code or exc}",
            f"allow iam:SimulatePrincipalPolicy on {principal} to have doctor check deploy's permissions",
        )
    denied = sorted(
        str(result.get("EvalActionName"))
        for page in pages
        for result in page.get("EvaluationResults") or ()
        if result.get("EvalDecision") != "allowed"
    )
    if denied:
        return Finding(
            "permissions",
            "error",
            f"{principal} is denied {len(denied)} action(s) deploy or switch needs: {', '.join(denied)}",
            f"grant {principal} these actions (an identity policy, or the permission set of its role)",
        )
    return Finding(
        "permissions", "ok", f"{principal} is allowed the {len(actions)} actions deploy and switch call"
    )


def diagnose(model: Topology, gateway: AwsGateway) -> list[Finding]:
    """Every check, in order; without an identity the other checks are not attempted."""
    from ..state.store import state_uri

    identity, caller = check_identity(gateway, model.hub.region)
    findings = [identity]
    if caller is None:
        return findings
    offered = gateway.session.get_available_regions("mediaconnect")
    for region, needed in sorted(flows_needed(model).items()):
        finding, existing = check_mediaconnect(gateway, region, offered)
        findings.append(finding)
        if finding.status == "ok":
            findings.append(check_quota(gateway, region, needed, existing))
    uris = {"runtime state": state_uri(model), "audit log": default_audit_uri(model)}
    if model.source.is_s3:
        uris = {"topology": model.source.uri, **uris}
    findings.extend(check_versioning(gateway, uris))
    lock = check_object_lock(gateway, uris["audit log"])
    if lock is not None:
        findings.append(lock)
    findings.append(check_permissions(gateway, caller))
    return findings


__all__ = ["REQUIRED_ACTIONS", "Finding", "diagnose", "flows_needed", "principal_of"]

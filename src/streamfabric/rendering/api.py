"""The control API's stack: ``render_api(model) -> {"cloudformation/api-<hub>.yaml": text}``.

A Lambda (the package's ``streamfabric.api.handler``) behind API Gateway with IAM (SigV4)
authorization for scripts; when the topology enables the panel (or asks for Cognito), a second API
for the browser with a Cognito user pool authorizer, whose only unauthenticated routes serve
the panel's static page. The function's role may update the two hub flows' sources, describe this
topology's flows, read the topology and runtime state, and append to the audit log — nothing more.

The Lambda package (``streamfabric package-api``) carries every dependency, Powertools and
pydantic included, so the function needs no layer. With the panel, the function answers
cross-origin requests only from the panel's own origin (``STREAMFABRIC_PANEL_ORIGIN``). Each
stage is throttled and writes access logs.

The function and APIs exist once ``CodeBucket``/``CodeKey`` name the Lambda package and the
topology is on S3 (a Condition): until then the stack holds only its log groups. The function's
architecture and runtime are the package's (``CodeArchitecture``, ``CodeRuntime``: its wheels and
bytecode are built for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..state.runtime import default_audit_uri, default_state_uri
from ..topology.model import HUB_ROLES, Topology, pascal
from .env import render_template

LAMBDA_RUNTIME = "python3.12"  # the function's default runtime (the package's, ``CodeRuntime``)
# The Python runtimes the package may be built for ("Lambda runtimes", AWS Lambda Developer Guide:
# supported, not deprecated; python3.11 was deprecated on 2026-06-30, its functions can be neither
# created since 2026-07-31 nor updated since 2026-08-31): package-api builds for another one when no
# 3.12 interpreter is there. cfn-lint's runtime lifecycle data flags one once it is deprecated.
LAMBDA_RUNTIMES = ("python3.12", "python3.13", "python3.14")
LAMBDA_HANDLER = "streamfabric.api.handler.lambda_handler"
# API Gateway stage throttling ("Throttle API requests for better throughput", API Gateway Developer
# Guide): steady requests per second and burst, per stage, for a handful of operators and scripts.
# An open panel makes about 0.75-0.9 requests/s (panel.js: status every 2 s, the multiviewer every
# 5 s, history every 30 s; tests/panel/test_panel_rate.py and bench/ops.py count them), so five
# panels and an operator's switches fit 5/s; the burst of 10 absorbs two pages opening at once.
THROTTLE_RATE, THROTTLE_BURST = 5, 10
BUCKET_PATTERN = "^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$"
KEY_PATTERN = "^[^${}]*$"
PREFIX_PATTERN = "^([^${}]+/)?$"  # a prefix ends with "/": fest/ never matches festival/...
# The user pool's groups (the API enforces them: streamfabric.api.identity).
GROUPS = (
    ("PanelOperators", "operators", "switch and take (and everything viewers may)", 0),
    ("PanelViewers", "viewers", "read-only: status, topology, history, thumbnails", 1),
)


@dataclass(frozen=True)
class _Method:
    logical: str
    resource: str  # "root" | "proxy"
    http_method: str
    authorization: str  # AWS_IAM | COGNITO_USER_POOLS | NONE

    @property
    def public(self) -> bool:
        return self.authorization == "NONE"


def _s3(uri: str | None) -> tuple[str, str]:
    """(bucket, key or prefix) of an s3:// URI; empty strings for anything else (a local path)."""
    if not uri or not uri.startswith("s3://"):
        return "", ""
    bucket, _, key = uri[5:].split("?", 1)[0].partition("/")
    return bucket, key


def _s3_parameters(model: Topology) -> list[dict[str, str]]:
    topo_bucket, topo_key = _s3(model.source.uri if model.source.is_s3 else None)
    state_bucket, state_key = (
        _s3(default_state_uri(model)) if topo_bucket or model.state.runtime_state else ("", "")
    )
    audit_uri = default_audit_uri(model)  # an S3 prefix ends with "/"
    audit_bucket, audit_prefix = _s3(audit_uri)
    values = [
        ("TopologyBucket", topo_bucket, BUCKET_PATTERN, "S3 bucket of the topology"),
        ("TopologyKey", topo_key, KEY_PATTERN, "S3 key of the topology"),
        ("StateBucket", state_bucket or topo_bucket, BUCKET_PATTERN, "S3 bucket of the runtime state"),
        ("StateKey", state_key, KEY_PATTERN, "S3 key of the runtime state"),
        (
            "AuditBucket",
            audit_bucket,
            BUCKET_PATTERN,
            "S3 bucket of the audit log (empty: not on S3, no API)",
        ),
        (
            "AuditPrefix",
            audit_prefix,
            PREFIX_PATTERN,
            "S3 prefix of the audit log, ending with / (one object per record)",
        ),
    ]
    return [{"key": k, "value": v, "pattern": p, "description": d} for k, v, p, d in values]


def _apis(model: Topology) -> list[dict[str, Any]]:
    apis: list[dict[str, Any]] = [
        {
            "logical": "Api",
            "name": f"{model.name}-control",
            "description": f"streamfabric {model.name}: control API (IAM)",
            "authorizer": False,
            "methods": [
                _Method("ApiRootAny", "root", "ANY", "AWS_IAM"),
                _Method("ApiProxyAny", "proxy", "ANY", "AWS_IAM"),
            ],
        }
    ]
    if _panel_sign_in(model):
        apis.append(
            {
                "logical": "PanelApi",
                "name": f"{model.name}-panel",
                "description": f"streamfabric {model.name}: operator panel (Cognito)",
                "authorizer": True,
                "methods": [
                    _Method("PanelApiRootGet", "root", "GET", "NONE"),
                    _Method("PanelApiProxyAny", "proxy", "ANY", "COGNITO_USER_POOLS"),
                ],
            }
        )
    return apis


def function_name(model: Topology) -> str:
    """The control API's Lambda function name."""
    return f"{model.name}-control-api"


def _panel_sign_in(model: Topology) -> bool:
    """A browser cannot sign SigV4 requests: the panel always gets the Cognito-authorized API."""
    return model.control_api.auth == "cognito" or model.control_api.panel


def render_api(model: Topology) -> dict[str, str]:
    """The control API's CloudFormation template (empty when ``control_api.enabled`` is false)."""
    if not model.control_api.enabled:
        return {}
    from ..topology.model import STANDBY_SOURCE
    from .cfn_common import safe_source  # the same header; the hub's source name

    hub = model.hub.region
    tags = [{"key": k, "value": v} for k, v in model.tags if k not in ("streamfabric:topology",)]
    tags.append({"key": "streamfabric:topology", "value": model.name})
    text = render_template(
        "cloudformation/api.yaml.j2",
        source=safe_source(model.source),
        topology=model.name,
        hub_region=hub,
        hub_flows=[model.flow_name(role) for role in HUB_ROLES],
        hub_source=STANDBY_SOURCE,
        flows_by_region=model.flows_by_region(),
        function_name=function_name(model),
        runtime=LAMBDA_RUNTIME,
        runtimes=LAMBDA_RUNTIMES,
        handler=LAMBDA_HANDLER,
        throttle_rate=THROTTLE_RATE,
        throttle_burst=THROTTLE_BURST,
        s3_parameters=_s3_parameters(model),
        apis=_apis(model),
        cognito=_panel_sign_in(model),
        mfa=model.control_api.mfa,
        groups=[
            {"logical": logical, "name": name, "description": text, "precedence": rank}
            for logical, name, text, rank in GROUPS
        ],
        tags=sorted(tags, key=lambda t: t["key"]),
        logical=pascal(model.name),
    )
    return {f"cloudformation/api-{hub}.yaml": text}


__all__ = ["LAMBDA_HANDLER", "LAMBDA_RUNTIME", "LAMBDA_RUNTIMES", "function_name", "render_api"]

"""Shared pieces of the CloudFormation renderer: constants, logical ids, tags, template parameters,
the string checks and escapes every template goes through, and the parameters files.

Split out of :mod:`streamfabric.rendering.cloudformation` (the entry point); pure, no I/O.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import RenderError
from ..topology.model import (
    Ingest,
    SecretRef,
    SourceInfo,
    Topology,
    pascal,
)

PREFIX = "cloudformation"
TOPOLOGY = "topology"
DEPLOY = "deploy"
SYSTEM_TAG = "streamfabric:topology"
MEDIACONNECT_SECRET_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
)
ARN_PATTERNS = {
    "role": "^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9_+=,.@/-]+$",
    "secret": "^arn:aws[a-zA-Z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[a-zA-Z0-9/_+=.@-]+$",
    "vpc": "^vpc-[0-9a-f]+$",
    "route_table": "^rtb-[0-9a-f]+$",
    "peering": "^pcx-[0-9a-f]+$",
}
_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]{1,255}$")
# CloudFormation resolves ``{{resolve:...}}`` in any string of a template, quoted or not, and has no
# escape for it: a topology string containing one would be replaced by a secret's value on deploy.
_DYNAMIC_REFERENCE = re.compile(r"\{\{\s*resolve\s*:", re.IGNORECASE)


# -- public helpers -----------------------------------------------------------------------------


def secret_parameter(name: str) -> str:
    """Flow-stack parameter of an ingest's or output's secret: ``main-stage`` -> ``SecretMainStageArn``."""
    return f"Secret{pascal(name)}Arn"


def flow_regions(model: Topology) -> tuple[str, ...]:
    """Regions with a flow stack, hub first, then the other regions with ingests (document order)."""
    regions = [model.hub.region]
    for net in model.regions:
        if model.ingests_in(net.region):
            regions.append(net.region)
    return tuple(regions)


def whitelist_cidr(ingest: Ingest) -> str:
    """The one CIDR MediaConnect accepts as a flow source's ``WhitelistCidr``.

    The allowlist is collapsed exactly (adjacent or nested blocks merge; nothing is widened). An
    allowlist that does not collapse into one block cannot be expressed and raises RenderError.
    """
    try:
        nets = [ipaddress.IPv4Network(cidr, strict=True) for cidr in ingest.allowlist]
    except ValueError as exc:
        raise RenderError(f"ingest {ingest.name!r}: invalid allowlist CIDR: {exc}") from exc
    collapsed = list(ipaddress.collapse_addresses(nets))
    if len(collapsed) != 1:
        raise RenderError(
            f"ingest {ingest.name!r}: MediaConnect's flow source takes a single WhitelistCidr, but the "
            f"allowlist {', '.join(ingest.allowlist)} does not collapse into one CIDR block; "
            "use one covering block (or split the contribution into several ingests)"
        )
    return str(collapsed[0])


# -- checks, ids, tags and parameters -------------------------------------------------------------


def check_string(value: str, where: str) -> str:
    if _DYNAMIC_REFERENCE.search(value):
        raise RenderError(
            f"{where}: {value!r} contains a CloudFormation dynamic reference ('{{{{resolve:'), which "
            "CloudFormation would resolve on deploy; remove it"
        )
    return value


def logical_id(value: str, where: str) -> str:
    if not _LOGICAL_ID.match(value):
        raise RenderError(f"{where}: {value!r} is not a valid CloudFormation logical id")
    return value


def unique_ids(ids: Iterable[str], where: str) -> None:
    seen: set[str] = set()
    for logical in ids:
        if logical in seen:
            raise RenderError(
                f"{where}: two names map to the same CloudFormation logical id {logical!r}; rename one"
            )
        seen.add(logical)


def tags_list(model: Topology) -> list[dict[str, str]]:
    tags = dict(model.tags)
    tags.setdefault(SYSTEM_TAG, model.name)
    return [
        {"key": check_string(k, "tag key"), "value": check_string(v, f"tag {k!r}")} for k, v in tags.items()
    ]


def param(
    key: str, description: str, pattern: str, value: str, source: str, type_: str = "String"
) -> dict[str, str]:
    """A template parameter: its declaration, its rendered value ("" = deploy fills it) and source."""
    return {
        "key": key,
        "type": type_,
        "description": description,
        "pattern": pattern,
        "value": value,
        "source": source,
    }


def secret_param(name: str, secret: SecretRef, region: str, owner: str) -> dict[str, str]:
    where = f"{owner} {name!r}"
    check_string(secret.ref, where)
    if secret.is_arn:
        description = f"ARN of the SRT passphrase secret of {where} (from the topology)"
        return param(secret_parameter(name), description, ARN_PATTERNS["secret"], secret.ref, TOPOLOGY)
    description = f"ARN of the SRT passphrase secret {secret.ref!r} of {where} in {region} (set by deploy)"
    return param(secret_parameter(name), description, ARN_PATTERNS["secret"], "", DEPLOY)


def sub(template: str, **variables: str) -> dict[str, Any]:
    """A ``!Sub [template, {vars}]``: topology values go in as variables, never into the template."""
    return {"sub": template, "vars": variables}


def hop_secret_name(model: Topology) -> str:
    """Name of the internal-hop secret: the generated one's, or the one the topology gives."""
    hop = model.internal_hop.passphrase_secret
    return hop.name if hop else f"{model.name}/internal-hop/srt-passphrase"


def role_name(model: Topology) -> str:
    """Name of MediaConnect's IAM role (the hub network stack's; the same name as Terraform's): known
    in advance, so any stack can name its ARN (IAM User Guide, "IAM identifiers": a role's ARN is
    ``arn:<partition>:iam::<account>:role/<name>``, no random part) without waiting for the hub's."""
    return f"{model.name}-mediaconnect"


def hop_replica_output(region_logical: str, where: str) -> str:
    """The hub network stack's output with the ARN of the generated hop secret's replica in a region:
    ``UsEast1`` -> ``UsEast1HopSecretArn``."""
    return logical_id(f"{region_logical}HopSecretArn", where)


# -- paths, escapes and parameters files ---------------------------------------------------------


def path(name: str) -> str:
    return f"{PREFIX}/{name}"


def _escape_controls(text: str) -> str:
    return "".join(ch if ch >= " " and ch != "\x7f" else f"\\x{ord(ch):02x}" for ch in text)


def safe_source(source: SourceInfo) -> SourceInfo:
    """The source with control characters escaped, so the header stays one comment per line."""
    version = None if source.version is None else _escape_controls(source.version)
    return dataclasses.replace(source, uri=_escape_controls(source.uri), version=version)


# In the ``json`` filter's output (JSON string literals, ASCII only): an escaped backslash, or a
# UTF-16 surrogate pair, which YAML cannot read as two ``\u`` escapes (it needs one ``\U`` escape).
_JSON_ESCAPES = re.compile(r"\\\\|\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


def yaml_escapes(text: str) -> str:
    """Make the JSON literals of a rendered template valid YAML double-quoted scalars too: a
    character outside the BMP becomes one ``\\UXXXXXXXX`` escape instead of a surrogate pair."""

    def fix(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)
        high, low = int(match.group(1), 16), int(match.group(2), 16)
        return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"

    return _JSON_ESCAPES.sub(fix, text)


def parameters_file(params: Sequence[dict[str, str]]) -> str:
    entries = [{"ParameterKey": p["key"], "ParameterValue": p["value"]} for p in params]
    return json.dumps(sorted(entries, key=lambda e: e["ParameterKey"]), indent=2, ensure_ascii=True) + "\n"

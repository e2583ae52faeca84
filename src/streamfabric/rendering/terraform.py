"""Render the Terraform of the network: one VPC per region, hub-and-spoke peering, the IAM role
MediaConnect assumes and the internal hop's SRT passphrase secret.

``render_terraform(model)`` is pure and returns ``{"terraform/<file>.tf": text}``. The files are
rendered from ``templates/terraform/*.j2``; every topology value goes through the ``hcl`` filter
(or :func:`streamfabric.rendering.env.hcl_literal` here), and resource addresses are built only from
:func:`streamfabric.topology.model.snake` / ``Network.id`` (checked to be identifiers). The text is then
laid out by :mod:`streamfabric.rendering.hclfmt` so that it is already ``terraform fmt`` canonical.

What deploy reads back is the ``regions`` output (``docs/architecture.md``, "Network outputs"):
``{region: {vpc_id, subnet_id, security_group_id, role_arn, hop_secret_arn}}``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from ..errors import RenderError
from ..topology.model import SECRET_ARN_RE, Network, SecretRef, SourceInfo, Topology
from .env import hcl_literal, render_template
from .hclfmt import format_hcl

TEMPLATE_DIR = "terraform"
OUT_DIR = "terraform"

# Tag that every resource carries through the providers' default_tags (unless the topology sets it).
TOPOLOGY_TAG = "streamfabric:topology"

# What MediaConnect needs to read an SRT passphrase secret (AWS's "secrets" policy example).
SECRET_READ_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
)

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


class TerraformRenderError(RenderError, ValueError):
    """The model cannot be rendered as Terraform (e.g. a name that is not a safe identifier).

    A RenderError, so the CLI reports it without a traceback (still a ValueError, as it was)."""

    kind = "terraform_render"


def ident(name: str) -> str:
    """A Terraform identifier derived from a schema name; refuses anything else (defence in depth:
    the schema already restricts names, but a model can be built without it)."""
    if not _IDENT.match(name):
        raise TerraformRenderError(f"not a safe Terraform identifier: {name!r}")
    return name


def hcl_template(*parts: str | Ref) -> str:
    """An HCL quoted template: ``str`` parts are literal text (escaped like the ``hcl`` filter, so
    ``${`` / ``%{`` in them stay literal); :class:`Ref` parts are interpolated expressions."""
    out = ['"']
    for part in parts:
        if isinstance(part, Ref):
            out.append("${" + part.expr + "}")
        else:
            out.append(hcl_literal(part)[1:-1])
    out.append('"')
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Ref:
    """An HCL expression built by this module from identifiers (never from topology text)."""

    expr: str


PARTITION = Ref("local.partition")
ACCOUNT = Ref("local.account_id")


@dataclass(frozen=True, slots=True)
class Rule:
    """One security-group rule of the VPC interfaces (UDP, the hop's port range or given ports, one CIDR)."""

    address: str
    direction: str  # "ingress" | "egress"
    cidr: str
    description: str
    ports: tuple[int, int] | None = None  # None: the hop's port range


@dataclass(frozen=True, slots=True)
class RegionView:
    net: Network
    id: str
    provider: str
    rules: tuple[Rule, ...]
    name_tag: str

    @property
    def region(self) -> str:
        return self.net.region


def _region_view(model: Topology, net: Network) -> RegionView:
    """The region's security-group rules, per "Security group considerations for VPC interfaces"
    (MediaConnect User Guide, https://docs.aws.amazon.com/mediaconnect/latest/ug/vpc-interface-security-groups.html):
    a VPC source (the hub flows' srt-caller sources) needs inbound from the sender's private IP (the
    ingest subnets); a VPC output (the ingest flows' hop outputs) outbound traffic allowed (all UDP
    ports, to the hub VPC, the one receiver). The hop rules: the hub's callers reach the listeners."""
    rid = ident(net.id)
    hub = model.hub.network
    every_port = (0, 65535)
    rules: list[Rule] = []
    if net.region == hub.region:
        if model.ingests_in(hub.region):
            rules.append(
                Rule(
                    f"{rid}_hop_from_{rid}",
                    "ingress",
                    hub.vpc_cidr,
                    "SRT internal hop: hub flows to this region's ingest flows",
                )
            )
        for other in model.networks:
            if model.ingests_in(other.region):
                rules.append(
                    Rule(
                        f"{rid}_media_from_{ident(other.id)}",
                        "ingress",
                        other.subnet_cidr,
                        f"VPC sources (hub flows): media from the ingest VPC interfaces in {other.region}",
                        every_port,
                    )
                )
        for spoke in model.spokes:
            rules.append(
                Rule(
                    f"{rid}_hop_to_{ident(spoke.id)}",
                    "egress",
                    spoke.vpc_cidr,
                    f"SRT internal hop: hub flows to the ingest flows in {spoke.region}",
                )
            )
    else:
        rules.append(
            Rule(
                f"{rid}_hop_from_{ident(hub.id)}",
                "ingress",
                hub.vpc_cidr,
                f"SRT internal hop: the hub flows in {hub.region} to this region's ingest flows",
            )
        )
    if model.ingests_in(net.region):
        rules.append(
            Rule(
                f"{rid}_media_to_{ident(hub.id)}",
                "egress",
                hub.vpc_cidr,
                "VPC outputs (ingest flows): media out to the hub flows' VPC interfaces",
                every_port,
            )
        )
    return RegionView(net, rid, f"aws.{rid}", tuple(rules), f"{model.name}-{net.region}")


def _tags(model: Topology) -> list[tuple[str, str]]:
    tags = list(model.tags)
    if TOPOLOGY_TAG not in {key for key, _ in tags}:
        tags.append((TOPOLOGY_TAG, model.name))
    return tags


def _secret_uses(model: Topology) -> list[tuple[SecretRef, list[str]]]:
    """Secrets the flows reference (ingest and downstream outputs), each with the regions that
    use it, in the model's order. The hop secret is handled apart (see ``hop_secret_arns``)."""
    uses: dict[str, tuple[SecretRef, list[str]]] = {}
    for region, ref in model.secret_uses(hop=False):
        uses.setdefault(ref.ref, (ref, []))[1].append(region)
    return list(uses.values())


def secret_resources(model: Topology) -> list[str]:
    """HCL expressions of the secret ARNs MediaConnect may read (other than the hop secret): an
    ARN as given; a name as ``arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-??????``
    (Secrets Manager appends a 6-character suffix) in every region where it is used."""
    out: list[str] = []
    for ref, regions in _secret_uses(model):
        if ref.is_arn:
            candidates = [hcl_literal(ref.ref)]
        else:
            candidates = [
                hcl_template(
                    "arn:", PARTITION, f":secretsmanager:{region}:", ACCOUNT, f":secret:{ref.ref}-??????"
                )
                for region in regions
            ]
        out.extend(c for c in candidates if c not in out)
    return out


def _arn_in_region(arn: str, region: str) -> str:
    match = SECRET_ARN_RE.match(arn)
    if not match:
        raise TerraformRenderError(f"not a Secrets Manager secret ARN: {arn!r}")
    return arn[: match.start("region")] + region + arn[match.end("region") :]


@dataclass(frozen=True, slots=True)
class HopLookup:
    """A ``data "aws_secretsmanager_secret"`` finding an existing hop secret in one region."""

    region: RegionView
    address: str
    key: str  # "arn" | "name"
    value: str


@dataclass(frozen=True, slots=True)
class HopSecret:
    generate: bool
    lookups: tuple[HopLookup, ...]
    arns: tuple[tuple[str, str], ...]  # (region, HCL expression of the secret's ARN there)


def _hop_secret(model: Topology, regions: list[RegionView]) -> HopSecret:
    """How each region gets the hop secret's ARN: generated (replicas of the hub's secret) or an
    existing secret looked up per region by name or ARN (a replica's ARN differs only by region)."""
    hub = regions[0]
    ref = model.internal_hop.passphrase_secret
    if ref is None:
        arns = tuple(
            (
                r.region,
                "aws_secretsmanager_secret.hop.arn"
                if r is hub
                else "replace(aws_secretsmanager_secret.hop.arn, "
                f"{hcl_literal(':' + hub.region + ':')}, {hcl_literal(':' + r.region + ':')})",
            )
            for r in regions
        )
        return HopSecret(True, (), arns)
    lookups = tuple(
        HopLookup(
            region=r,
            address=f"hop_{r.id}",
            key="arn" if ref.is_arn else "name",
            value=_arn_in_region(ref.ref, r.region) if ref.is_arn else ref.ref,
        )
        for r in regions
    )
    arns = tuple(
        (item.region.region, f"data.aws_secretsmanager_secret.{item.address}.arn") for item in lookups
    )
    return HopSecret(False, lookups, arns)


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")


def _safe_source(source: SourceInfo) -> SourceInfo:
    """The source with control characters escaped, so that a path with a newline cannot end the
    header's comment line (``comment_header`` writes the fields verbatim)."""

    def clean(text: str) -> str:
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)

    return dataclasses.replace(
        source,
        uri=clean(source.uri),
        sha256=clean(source.sha256),
        version=None if source.version is None else clean(source.version),
    )


def _context(model: Topology) -> dict[str, Any]:
    regions = [_region_view(model, net) for net in model.networks]
    ids = [r.id for r in regions]
    if len(set(ids)) != len(ids):
        raise TerraformRenderError(f"a region appears twice among the hub and the ingest regions: {ids}")
    hub = regions[0]
    spokes = regions[1:]
    hop = _hop_secret(model, regions)
    return {
        "model": model,
        "topology": model.name,
        "source": _safe_source(model.source),
        "tags": _tags(model),
        "regions": regions,
        "hub": hub,
        "spokes": spokes,
        "hop": hop,
        "hop_ports": (model.internal_hop.port_from, model.internal_hop.port_to),
        "secret_resources": secret_resources(model),
        "secret_read_actions": SECRET_READ_ACTIONS,
        "flow_log_group": f"/streamfabric/{model.name}/vpc-flow-logs",
        "hcl_template": hcl_template,
        "PARTITION": PARTITION,
        "ACCOUNT": ACCOUNT,
    }


def _render(template: str, context: dict[str, Any]) -> str:
    return format_hcl(render_template(f"{TEMPLATE_DIR}/{template}", **context))


def render_terraform(model: Topology) -> dict[str, str]:
    """Every Terraform file of ``model``'s network, keyed ``terraform/<name>.tf``, sorted by path."""
    context = _context(model)
    files = {
        "versions.tf": _render("versions.tf.j2", context),
        "providers.tf": _render("providers.tf.j2", context),
        "variables.tf": _render("variables.tf.j2", context),
        "main.tf": _render("main.tf.j2", context),
        "peering.tf": _render("peering.tf.j2", context),
        "iam.tf": _render("iam.tf.j2", context),
        "secrets.tf": _render("secrets.tf.j2", context),
        "outputs.tf": _render("outputs.tf.j2", context),
    }
    for region in context["regions"]:
        files[f"network_{region.id}.tf"] = _render("region.tf.j2", {**context, "r": region})
    return {f"{OUT_DIR}/{name}": text for name, text in sorted(files.items())}


__all__ = ["TerraformRenderError", "hcl_template", "ident", "render_terraform", "secret_resources"]

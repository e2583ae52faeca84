"""The registry of problem codes: every problem and warning ``validate`` reports carries one.

Like cfn-lint's rule ids, a code names one check and keeps its meaning: a check whose meaning
changes gets a new code, and a retired code is never given to another check. The ranges:

- ``SF0xxx`` reading the document (its bytes, its JSON);
- ``SF1xxx`` the JSON Schema, one code per keyword (``keyword``);
- ``SF2xxx`` the semantic checks (:mod:`.semantic_check`, :mod:`.semantic_network`);
- ``SF3xxx`` ``validate``'s warnings about a valid topology (:mod:`.advisories`);
- ``SF4xxx`` the shape of the proof of concept's config (:mod:`.import_poc`).

``source_url`` is where the rule comes from: the JSON Schema keyword's definition, or the AWS page
the check follows (None for streamfabric's own rules).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProblemCode:
    code: str
    title: str
    checks: str
    source_url: str | None = None
    keyword: str | None = None  # the JSON Schema keyword (SF1xxx)
    warning: bool = False  # a warning (exit 0), not a problem


_RFC8259 = "https://www.rfc-editor.org/rfc/rfc8259"
_CORE = "https://json-schema.org/draft/2020-12/json-schema-core"
_VALIDATION = "https://json-schema.org/draft/2020-12/json-schema-validation"
_CFN = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference"
_MEDIACONNECT = "https://docs.aws.amazon.com/mediaconnect/latest/ug"
_FLOW_SOURCE = f"{_CFN}/aws-properties-mediaconnect-flow-source.html"
_FLOW_OUTPUT = f"{_CFN}/aws-resource-mediaconnect-flowoutput.html"
_MAINTENANCE = f"{_CFN}/aws-properties-mediaconnect-flow-maintenance.html"
_RESERVED_PORTS = f"{_MEDIACONNECT}/source-ports.html"
_SUBNET_SIZING = "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html"
_REPLICAS = (
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html"
)


def _schema(code: str, keyword: str, title: str, checks: str, spec: str = _VALIDATION) -> ProblemCode:
    return ProblemCode(code, title, checks, f"{spec}#name-{keyword.lower()}", keyword=keyword)


CODES: tuple[ProblemCode, ...] = (
    # -- reading the document ------------------------------------------------------------------
    ProblemCode("SF0001", "unreadable source", "the file, stdin or S3 object can be read"),
    ProblemCode("SF0002", "not UTF-8", "the document is UTF-8 text", f"{_RFC8259}#section-8.1"),
    ProblemCode("SF0003", "invalid JSON", "the document is strict JSON (no NaN or Infinity)", _RFC8259),
    ProblemCode("SF0004", "nested too deeply", "the document nests at most 64 levels"),
    ProblemCode("SF0005", "duplicate key", "no JSON object repeats a key", f"{_RFC8259}#section-4"),
    # -- the JSON Schema (schemas/topology.schema.json), one code per keyword ------------------
    ProblemCode("SF1000", "schema", "a JSON Schema keyword without a code of its own"),
    _schema("SF1001", "additionalProperties", "unknown field", "only the fields the schema names", _CORE),
    _schema("SF1002", "required", "missing required field", "every required field is there"),
    _schema("SF1003", "type", "wrong type", "each value has its JSON type (an integer is not 5000.0)"),
    _schema("SF1004", "enum", "not one of the choices", "a value with fixed choices is one of them"),
    _schema("SF1005", "pattern", "not valid", "names, regions, CIDRs, ARNs and tags match their pattern"),
    _schema("SF1006", "minimum", "too small", "numbers are at least their minimum (ports from 1024)"),
    _schema("SF1007", "maximum", "too large", "numbers are at most their maximum (ports up to 65535)"),
    _schema("SF1008", "minLength", "too short", "strings are at least their minimum length"),
    _schema("SF1009", "maxLength", "too long", "strings are at most their maximum length"),
    _schema("SF1010", "minItems", "too few items", "lists have at least their minimum of items"),
    _schema("SF1011", "maxItems", "too many items", "lists have at most their maximum of items"),
    _schema("SF1012", "maxProperties", "too many tags", "at most 40 tags"),
    _schema("SF1013", "anyOf", "none of the forms", "a value of several forms matches one of them", _CORE),
    # -- semantic checks -----------------------------------------------------------------------
    ProblemCode("SF2001", "duplicate name", "ingest names and output names are unique"),
    ProblemCode(
        "SF2002",
        "same identifier",
        "no two names give the same CloudFormation logical id (stage-a1 / stage-a-1)",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html",
    ),
    ProblemCode("SF2003", "hub flow's name", "no ingest is named live or preview"),
    ProblemCode(
        "SF2004",
        "not a MediaConnect region",
        "every region has MediaConnect (botocore's endpoint data)",
        "https://docs.aws.amazon.com/general/latest/gr/mediaconnect.html",
    ),
    ProblemCode("SF2005", "hub region in $.regions", "the hub region is configured under $.hub only"),
    ProblemCode("SF2006", "region listed twice", "each region is listed once"),
    ProblemCode(
        "SF2007",
        "not an Availability Zone of the region",
        "an Availability Zone is its region's name and one letter",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html",
    ),
    ProblemCode("SF2008", "unknown region", "an ingest's region is the hub region or one in $.regions"),
    ProblemCode("SF2009", "unknown ingest", "Live and Preview start on ingests the topology has"),
    ProblemCode("SF2010", "invalid CIDR", "VPC, subnet and allowlist CIDRs are IPv4 networks"),
    ProblemCode(
        "SF2011",
        "VPC size",
        "a VPC's CIDR is between /16 and /28",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html",
    ),
    ProblemCode("SF2012", "subnet outside the VPC", "the subnet is inside its VPC", _SUBNET_SIZING),
    ProblemCode("SF2013", "subnet too small", "the subnet is /28 or larger", _SUBNET_SIZING),
    ProblemCode(
        "SF2014",
        "overlapping VPCs",
        "no two VPCs overlap (they are peered)",
        "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html",
    ),
    ProblemCode("SF2015", "open to the internet", "an allowlist has 0.0.0.0/0 only with open_to_internet"),
    ProblemCode(
        "SF2016",
        "open to the internet together",
        "an allowlist's CIDRs together cover the internet only with open_to_internet",
    ),
    ProblemCode(
        "SF2017",
        "allowlist of several blocks",
        "an ingest's allowlist collapses into the one WhitelistCidr of its flow source",
        _FLOW_SOURCE,
    ),
    ProblemCode("SF2018", "hop port range too small", "the internal hop's range has two ports"),
    ProblemCode(
        "SF2019",
        "hop port range has a reserved port",
        "the internal hop's range has no port MediaConnect reserves",
        _RESERVED_PORTS,
    ),
    ProblemCode(
        "SF2020", "reserved port", "no port is one MediaConnect reserves (2077, 2088)", _RESERVED_PORTS
    ),
    ProblemCode("SF2021", "ingest port is a hop port", "an ingest does not listen on an internal hop port"),
    ProblemCode(
        "SF2022",
        "listener port used twice",
        "the srt-listener outputs of a hub flow have different ports",
        f"{_MEDIACONNECT}/destinations.html",
    ),
    ProblemCode("SF2023", "latency out of range", "SRT minimum latency is 100-15000 ms", _FLOW_SOURCE),
    ProblemCode(
        "SF2024",
        "flows quota",
        "no region has more flows than MediaConnect's default quota (20)",
        f"{_MEDIACONNECT}/quotas.html",
    ),
    ProblemCode(
        "SF2025",
        "malformed secret ARN",
        "a secret ARN is arn:aws:secretsmanager:<region>:<account>:secret:<name>",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html",
    ),
    ProblemCode(
        "SF2026", "hop secret as an ARN", "the internal hop's secret is named, not an ARN", _REPLICAS
    ),
    ProblemCode("SF2027", "secret in another region", "a secret ARN is in its flow's region", _REPLICAS),
    ProblemCode(
        "SF2028",
        "malformed secret name",
        "a secret name has Secrets Manager's characters and length",
        "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
    ),
    ProblemCode("SF2029", "unsupported protocol", "ingests are srt-listener (the others are reserved)"),
    ProblemCode(
        "SF2030", "listener without allowlist", "an srt-listener output has an allowlist", _FLOW_OUTPUT
    ),
    ProblemCode(
        "SF2031", "listener with destination", "an srt-listener output has no destination", _FLOW_OUTPUT
    ),
    ProblemCode(
        "SF2032", "caller without destination", "an srt-caller output has a destination", _FLOW_OUTPUT
    ),
    ProblemCode("SF2033", "caller with allowlist", "an srt-caller output has no allowlist", _FLOW_OUTPUT),
    ProblemCode("SF2034", "invalid destination", "an srt-caller output's destination is IPv4", _FLOW_OUTPUT),
    ProblemCode("SF2035", "invalid state location", "state and audit log S3 URIs are s3://bucket/key"),
    ProblemCode(
        "SF2036",
        "maintenance window without flows",
        "a region's maintenance window is in a region with flows",
        _MAINTENANCE,
    ),
    # -- warnings (validate exits 0) -----------------------------------------------------------
    ProblemCode(
        "SF3001",
        "no MediaConnect tags in a region",
        "CloudFormation can set Tags on MediaConnect flows and outputs in every region with flows",
        f"{_CFN}/aws-resource-mediaconnect-flow.html",
        warning=True,
    ),
    ProblemCode(
        "SF3002",
        "no maintenance window",
        "the topology sets a maintenance window (else MediaConnect picks one)",
        _MAINTENANCE,
        warning=True,
    ),
    ProblemCode(
        "SF3003",
        "no maintenance window in a region",
        "every region with flows has a window (its own or the default)",
        _MAINTENANCE,
        warning=True,
    ),
    ProblemCode(
        "SF3004",
        "no maintenance property in a region",
        "CloudFormation can set Maintenance on flows in every region with a window",
        _MAINTENANCE,
        warning=True,
    ),
    # -- the proof of concept's config (import-poc) --------------------------------------------
    ProblemCode(
        "SF4001", "old config: wrong type", "the old config's objects, arrays and strings are where expected"
    ),
    ProblemCode("SF4002", "old config: missing field", "the old config has its required fields"),
    ProblemCode("SF4003", "old config: not a port", "the old config's ports are 1-65535"),
    ProblemCode(
        "SF4004", "old config: not public or private", 'inputs and outputs are of type "public" or "private"'
    ),
    ProblemCode("SF4005", "old config: not a region", "the old config's regions are AWS region names"),
    ProblemCode("SF4006", "old config: nothing to import", "the old config has a region and a public input"),
)

BY_CODE: dict[str, ProblemCode] = {c.code: c for c in CODES}
SCHEMA_CODES: dict[str, str] = {c.keyword: c.code for c in CODES if c.keyword}
OTHER_SCHEMA_CODE = "SF1000"


def problem_code(code: str) -> ProblemCode:
    """The registered code (KeyError for one that is not: a bug, which the tests catch)."""
    return BY_CODE[code]


__all__ = ["BY_CODE", "CODES", "OTHER_SCHEMA_CODE", "SCHEMA_CODES", "ProblemCode", "problem_code"]

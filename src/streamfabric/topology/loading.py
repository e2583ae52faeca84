"""Load a topology from a path, ``-`` (stdin) or ``s3://bucket/key[?versionId=...]``, validate it and
build the frozen model. Every problem is collected and raised at once as one :class:`TopologyError`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from ..errors import Problem, SourceError, TopologyError
from .jsonpath import PathPart, format_path, sort_key
from .model import (
    DEFAULT_DNS_TTL,
    DEFAULT_HOP_LATENCY_MS,
    DEFAULT_HOP_PORTS,
    DEFAULT_INGEST_LATENCY_MS,
    Artifacts,
    ControlApi,
    Dns,
    Hub,
    HubFlow,
    HubRole,
    Ingest,
    InternalHop,
    Maintenance,
    Monitoring,
    Network,
    Output,
    SecretRef,
    SourceInfo,
    StateLocations,
    Topology,
)
from .problem_codes import problem_code

if TYPE_CHECKING:  # pragma: no cover
    import boto3


class _Object(dict[str, Any]):
    """A JSON object that remembers keys it saw more than once."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    dups: list[str] = []
    for key, value in pairs:
        if key in obj:
            dups.append(key)
        obj[key] = value
    if dups:
        obj.duplicates = tuple(dups)
    return obj


def _duplicate_keys(value: Any, path: list[PathPart]) -> list[tuple[list[PathPart], str]]:
    found: list[tuple[list[PathPart], str]] = []
    stack: list[tuple[Any, list[PathPart]]] = [(value, path)]
    while stack:  # iterative: deeply nested hostile input must not hit the recursion limit
        node, where = stack.pop()
        if isinstance(node, _Object):
            for key in node.duplicates:
                found.append(([*where, key], f"duplicate key {key!r} (JSON objects must not repeat keys)"))
            stack.extend((child, [*where, key]) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, [*where, i]) for i, child in enumerate(node))
    return found


MAX_DEPTH = 64  # a valid topology nests 6 levels; deeper documents would crash the schema check's repr()
_TOO_DEEP = f"nested too deeply (a topology document is at most {MAX_DEPTH} levels deep)"


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:  # iterative, like _duplicate_keys
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


MAX_MESSAGE = 500  # the longest message of a valid-looking document is ~350 characters


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clean_message(message: str) -> str:
    """One line of printable ASCII, at most MAX_MESSAGE long: messages quote the document's strings,
    which may hold newlines, terminal escapes, look-alike letters or megabytes."""
    out = "".join(c if " " <= c <= "~" else _escaped(c) for c in message)
    return out if len(out) <= MAX_MESSAGE else out[: MAX_MESSAGE - 3] + "..."


def make_problem(parts: list[PathPart], source: str, code: str, message: str) -> Problem:
    """A problem at ``parts`` of ``source`` found by the check ``code`` (a registered code)."""
    url = problem_code(code).source_url
    return Problem(sort_key(parts), source, format_path(parts), clean_message(message), code, url)


def parse_document(data: bytes | str, source: str) -> tuple[Any, list[Problem]]:
    """Parse JSON strictly (no NaN); raise TopologyError with line and column for malformed JSON.

    Returns the document and the problems of duplicate keys (reported with the other problems)."""

    def problem(code: str, message: str, parts: list[PathPart] | None = None) -> Problem:
        return make_problem(parts or [], source, code, message)

    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TopologyError(
                [problem("SF0002", f"not UTF-8 text (byte {exc.start}: {exc.reason})")]
            ) from None
    else:
        text = data

    def reject_constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        document = json.loads(text, object_pairs_hook=_pairs, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        raise TopologyError(
            [problem("SF0003", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
        ) from None
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, RecursionError):
            raise TopologyError([problem("SF0004", _TOO_DEEP)]) from None
        raise TopologyError([problem("SF0003", f"invalid JSON: {exc}")]) from None
    if _too_deep(document):
        raise TopologyError([problem("SF0004", _TOO_DEEP)])
    return document, [problem("SF0005", msg, parts) for parts, msg in _duplicate_keys(document, [])]


def validate_document(document: Any, source: str) -> list[Problem]:
    """Every problem of a parsed document: schema errors and semantic ones, sorted by path."""
    from .schema_check import schema_errors
    from .semantic_check import semantic_errors

    found = [*schema_errors(document), *semantic_errors(document)]
    return sorted({make_problem(path, source, code, message) for path, code, message in found})


# -- reading sources ------------------------------------------------------------------------


def read_source(uri: str, *, session: boto3.session.Session | None = None) -> tuple[bytes, SourceInfo]:
    """Read the raw bytes of a topology and describe where they came from."""
    version: str | None = None
    if uri == "-":
        data = sys.stdin.buffer.read()
    elif uri.startswith("s3://"):
        data, version = _read_s3(uri, session)
    else:
        try:
            data = Path(uri).read_bytes()
        except OSError as exc:
            raise SourceError(f"{uri}: cannot read the topology: {exc.strerror or exc}") from None
    sha = hashlib.sha256(data).hexdigest()
    return data, SourceInfo(uri=uri.split("?", 1)[0], sha256=sha, version=version)


def split_s3_uri(uri: str) -> tuple[str, str, str | None]:
    parts = urlsplit(uri)
    bucket, key = parts.netloc, parts.path.lstrip("/")
    if parts.scheme != "s3" or not bucket or not key:
        raise SourceError(f"{uri}: not an s3://bucket/key URI")
    version = parse_qs(parts.query).get("versionId", [None])[0]
    return bucket, key, version


def _read_s3(uri: str, session: boto3.session.Session | None) -> tuple[bytes, str | None]:
    from ..aws.errors import describe_client_error  # boto3 only for s3:// sources
    from ..aws.session import make_client, make_session

    bucket, key, version = split_s3_uri(uri)
    client = make_client(session or make_session(), "s3")
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version:
        kwargs["VersionId"] = version
    try:
        response = client.get_object(**kwargs)
        body: bytes = response["Body"].read()
    except Exception as exc:  # botocore's ClientError / EndpointConnectionError / NoCredentialsError
        raise SourceError(f"{uri}: cannot read the topology: {describe_client_error(exc)}") from None
    got_version = response.get("VersionId")
    return body, (got_version if got_version and got_version != "null" else version)


# -- the model ------------------------------------------------------------------------------


def load_topology(uri: str, *, session: boto3.session.Session | None = None) -> Topology:
    """Read, validate and build the model of the topology at ``uri`` (path, ``-`` or ``s3://``)."""
    data, info = read_source(uri, session=session)
    return parse_topology(data, info)


def parse_topology(data: bytes | str, source: SourceInfo | str = "<string>") -> Topology:
    """Validate a topology document given as text and build the model."""
    if isinstance(source, str):
        raw = data.encode("utf-8") if isinstance(data, str) else data
        source = SourceInfo(uri=source, sha256=hashlib.sha256(raw).hexdigest())
    document, duplicates = parse_document(data, source.display)
    problems = [*duplicates, *validate_document(document, source.display)]
    if problems:
        raise TopologyError(problems)
    return build_model(document, source)


def _secret(value: str | None) -> SecretRef | None:
    return SecretRef(value) if value and value != "generate" else None


def _output(doc: dict[str, Any]) -> Output:
    return Output(
        name=doc["name"],
        protocol=doc["protocol"],
        port=doc["port"],
        allowlist=tuple(doc.get("allowlist", ())),
        destination=doc.get("destination"),
        min_latency_ms=doc.get("min_latency_ms", DEFAULT_INGEST_LATENCY_MS),
        passphrase_secret=_secret(doc.get("passphrase_secret")),
        open_to_internet=doc.get("open_to_internet", False),
    )


def _hub_flow(role: HubRole, doc: dict[str, Any]) -> HubFlow:
    return HubFlow(role=role, starts_on=doc["starts_on"], outputs=tuple(_output(o) for o in doc["outputs"]))


def _maintenance(doc: dict[str, Any] | None) -> Maintenance | None:
    return Maintenance(day=doc["day"], start_hour=doc["start_hour"]) if doc else None


def build_model(doc: dict[str, Any], source: SourceInfo) -> Topology:
    """Build the frozen model from a document that passed validation."""
    hub_doc = doc["hub"]
    hub = Hub(
        network=Network(
            region=hub_doc["region"],
            vpc_cidr=hub_doc["vpc_cidr"],
            subnet_cidr=hub_doc["subnet_cidr"],
            availability_zone=hub_doc["availability_zone"],
            is_hub=True,
            maintenance=_maintenance(hub_doc.get("maintenance")),
        ),
        live=_hub_flow("live", hub_doc["live"]),
        preview=_hub_flow("preview", hub_doc["preview"]),
    )
    regions = tuple(
        Network(
            region=r["region"],
            vpc_cidr=r["vpc_cidr"],
            subnet_cidr=r["subnet_cidr"],
            availability_zone=r["availability_zone"],
            maintenance=_maintenance(r.get("maintenance")),
        )
        for r in doc.get("regions", ())
    )
    ingests = tuple(
        Ingest(
            name=i["name"],
            region=i["region"],
            port=i["port"],
            allowlist=tuple(i["allowlist"]),
            passphrase_secret=SecretRef(i["passphrase_secret"]),
            protocol=i.get("protocol", "srt-listener"),
            min_latency_ms=i.get("min_latency_ms", DEFAULT_INGEST_LATENCY_MS),
            open_to_internet=i.get("open_to_internet", False),
            description=i.get("description", ""),
        )
        for i in doc["ingests"]
    )
    hop_doc = doc.get("internal_hop", {})
    port_range = hop_doc.get("port_range", {"from": DEFAULT_HOP_PORTS[0], "to": DEFAULT_HOP_PORTS[1]})
    hop = InternalHop(
        port_from=port_range["from"],
        port_to=port_range["to"],
        passphrase_secret=_secret(hop_doc.get("passphrase_secret")),
        min_latency_ms=hop_doc.get("min_latency_ms", DEFAULT_HOP_LATENCY_MS),
    )
    dns_doc = doc.get("dns")
    dns = (
        Dns(
            hosted_zone_id=dns_doc["hosted_zone_id"],
            domain=dns_doc["domain"],
            ttl=dns_doc.get("ttl", DEFAULT_DNS_TTL),
        )
        if dns_doc
        else None
    )
    api_doc = doc.get("control_api", {})
    state_doc = doc.get("state", {})
    return Topology(
        name=doc["name"],
        hub=hub,
        regions=regions,
        ingests=ingests,
        source=source,
        tags=tuple(sorted(doc.get("tags", {}).items())),
        internal_hop=hop,
        dns=dns,
        maintenance=_maintenance(doc.get("maintenance")),
        control_api=ControlApi(
            enabled=api_doc.get("enabled", True),
            auth=api_doc.get("auth", "iam"),
            panel=api_doc.get("panel", False),
            artifacts=(
                Artifacts(
                    bucket=api_doc["artifacts"]["bucket"],
                    prefix=api_doc["artifacts"].get("prefix", "streamfabric-artifacts"),
                )
                if "artifacts" in api_doc
                else None
            ),
        ),
        state=StateLocations(
            runtime_state=state_doc.get("runtime_state"), audit_log=state_doc.get("audit_log")
        ),
        monitoring=Monitoring(
            alarm_topic=doc.get("monitoring", {}).get("alarm_topic"),
            content_quality=doc.get("monitoring", {}).get("content_quality", False),
        ),
    )


__all__ = [
    "build_model",
    "load_topology",
    "make_problem",
    "parse_document",
    "parse_topology",
    "read_source",
    "split_s3_uri",
    "validate_document",
]

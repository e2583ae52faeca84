"""The semantic checks of what AWS itself refuses: names that collide in the rendered templates,
reserved tag prefixes, text the templates cannot carry, the Cognito domain prefix, S3 bucket names,
and the partition of secret ARNs.

Part of :mod:`.semantic_check` (which runs them with the others); written as defensively (a value
of the wrong shape is skipped: the schema check reports it).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Iterator
from functools import cache
from importlib.util import find_spec
from typing import Any

from .jsonpath import PathPart, format_path
from .model import SECRET_ARN_RE, pascal
from .semantic_access import Found, as_object, as_str, hub_outputs, object_items

# -- botocore's endpoint data -----------------------------------------------------------------


@cache
def botocore_endpoints() -> dict[str, Any]:
    """botocore's ``endpoints.json`` (read without importing botocore); empty without botocore."""
    spec = find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = os.path.join(next(iter(spec.submodule_search_locations)), "data", "endpoints.json")
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def partition_of(region: str) -> str | None:
    """The AWS partition (``aws``, ``aws-cn``, ``aws-us-gov``, ...) a region belongs to, from the
    partitions' region lists, then their region patterns; None when no partition claims it."""
    partitions = botocore_endpoints().get("partitions", [])
    for partition in partitions:
        if region in partition.get("regions", {}):
            return str(partition["partition"])
    for partition in partitions:
        pattern = partition.get("regionRegex")
        if pattern and re.match(pattern, region):
            return str(partition["partition"])
    return None


# -- the checks --------------------------------------------------------------------------------


def check_output_names(doc: dict[str, Any]) -> Iterator[Found]:
    """An output named like an ingest: both give the same identifier (``SecretMainStageArn`` for
    their secrets' parameters, in the hub's flows stack), and the operators would confuse them."""
    ingests: dict[str, list[PathPart]] = {}
    for i, ingest in object_items(doc.get("ingests")):
        name = as_str(ingest.get("name"))
        if name is not None:
            ingests.setdefault(pascal(name), ["ingests", i, "name"])
    for path, out in hub_outputs(doc):
        name = as_str(out.get("name"))
        if name is not None and pascal(name) in ingests:
            yield (
                [*path, "name"],
                "SF2044",
                (
                    f"output {name!r} is named like the ingest at {format_path(ingests[pascal(name)])}: "
                    f"both give the identifier {pascal(name)!r} in the rendered templates; rename the output"
                ),
            )


def _reserved(text: str) -> bool:
    return text[:4].lower() == "aws:"


def check_tags(doc: dict[str, Any]) -> Iterator[Found]:
    """``aws:`` in any case starts no tag key or value (the schema's pattern refuses ``aws:`` keys
    in lower case; the other cases are reported here, once)."""
    tags = as_object(doc.get("tags"))
    for key, value in tags.items():
        if isinstance(key, str) and _reserved(key) and not key.startswith("aws:"):
            yield (
                ["tags", key],
                "SF2045",
                f"tag key {key!r}: the prefix aws: (in any case) is reserved for AWS",
            )
        text = as_str(value)
        if text is not None and _reserved(text):
            yield (
                ["tags", key],
                "SF2045",
                f"tag value {text!r}: the prefix aws: (in any case) is reserved for AWS",
            )


def _lone_surrogate(text: str) -> str | None:
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            return f"\\u{ord(char):04x}"
    return None


def check_text(doc: dict[str, Any]) -> Iterator[Found]:
    """Every string (and key) is Unicode text: JSON's ``\\ud800`` escape alone is no character, and
    no template (UTF-8) can carry it."""
    stack: list[tuple[Any, list[PathPart]]] = [(doc, [])]
    while stack:  # iterative: the document may nest deeply
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                bad = _lone_surrogate(key) if isinstance(key, str) else None
                if bad:
                    yield (
                        [*where, key],
                        "SF2046",
                        f"the key has a lone surrogate {bad} (not a Unicode character)",
                    )
                stack.append((child, [*where, key]))
        elif isinstance(node, list):
            stack.extend((child, [*where, i]) for i, child in enumerate(node))
        elif isinstance(node, str):
            bad = _lone_surrogate(node)
            if bad:
                yield where, "SF2046", f"the text has a lone surrogate {bad} (not a Unicode character)"


COGNITO_RESERVED = ("aws", "amazon", "cognito")


def _has_user_pool(doc: dict[str, Any]) -> bool:
    """The control API stack has a Cognito user pool (rendering.api: the panel, or Cognito auth)."""
    api = as_object(doc.get("control_api"))
    if api.get("enabled", True) is False:
        return False
    panel = api.get("panel", False)
    return api.get("auth") == "cognito" or panel is True or isinstance(panel, dict)


def check_cognito_domain(doc: dict[str, Any]) -> Iterator[Found]:
    """The topology's name starts the user pool's domain prefix (``<name>-panel-<account>``), which
    Cognito refuses when it contains aws, amazon or cognito."""
    name = as_str(doc.get("name"))
    if name is None or not _has_user_pool(doc):
        return
    found = [word for word in COGNITO_RESERVED if word in name]
    if found:
        yield (
            ["name"],
            "SF2047",
            (
                f"the panel's Cognito domain prefix {name}-panel-<account> would contain {found[0]!r}, "
                f"which Cognito refuses in a domain prefix ({', '.join(COGNITO_RESERVED)}); "
                "rename the topology"
            ),
        )


_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(bucket: str) -> str | None:
    """Why ``bucket`` is not an S3 general purpose bucket name (None: it is one)."""
    if not _BUCKET_CHARS.match(bucket):
        return "3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit"
    if ".." in bucket or ".-" in bucket or "-." in bucket:
        return "no two adjacent periods, and no period next to a hyphen"
    try:
        ipaddress.IPv4Address(bucket)
    except ValueError:
        pass
    else:
        return "not formatted as an IP address"
    for prefix in _BUCKET_PREFIXES:
        if bucket.startswith(prefix):
            return f"not starting with {prefix!r} (reserved)"
    for suffix in _BUCKET_SUFFIXES:
        if bucket.endswith(suffix):
            return f"not ending with {suffix!r} (reserved)"
    return None


def check_buckets(doc: dict[str, Any]) -> Iterator[Found]:
    """The bucket of the Lambda package and of the state and audit log URIs is an S3 bucket name."""
    artifacts = as_object(as_object(doc.get("control_api")).get("artifacts"))
    bucket = as_str(artifacts.get("bucket"))
    places: list[tuple[list[PathPart], str]] = []
    if bucket is not None:
        places.append((["control_api", "artifacts", "bucket"], bucket))
    state = as_object(doc.get("state"))
    for key in ("runtime_state", "audit_log"):
        uri = as_str(state.get(key))
        if uri and uri.startswith("s3://") and uri[5:].partition("/")[0]:
            places.append((["state", key], uri[5:].partition("/")[0]))
    for path, name in places:
        why = bucket_name_problem(name)
        if path[0] == "control_api" and not _BUCKET_CHARS.match(name):
            continue  # the schema's pattern reports it
        if why:
            yield path, "SF2048", f"{name!r} is not an S3 bucket name ({why})"


def _secret_arns(doc: dict[str, Any]) -> Iterator[tuple[list[PathPart], str]]:
    for i, ingest in object_items(doc.get("ingests")):
        yield ["ingests", i, "passphrase_secret"], as_str(ingest.get("passphrase_secret")) or ""
    for path, out in hub_outputs(doc):
        yield [*path, "passphrase_secret"], as_str(out.get("passphrase_secret")) or ""
    hop = as_object(doc.get("internal_hop"))
    yield ["internal_hop", "passphrase_secret"], as_str(hop.get("passphrase_secret")) or ""


def check_partitions(doc: dict[str, Any]) -> Iterator[Found]:
    """A secret ARN names the partition of the topology's regions (the hub's: peered VPCs and one
    IAM role cannot span partitions)."""
    hub_region = as_str(as_object(doc.get("hub")).get("region"))
    partition = partition_of(hub_region) if hub_region else None
    if partition is None:
        return
    for path, ref in _secret_arns(doc):
        match = SECRET_ARN_RE.match(ref)
        if match and ref.split(":", 2)[1] != partition:
            yield (
                path,
                "SF2049",
                (
                    f"the secret's ARN is in the partition {ref.split(':', 2)[1]!r}, but the topology's "
                    f"regions are in {partition!r} ({hub_region}): MediaConnect cannot read it there"
                ),
            )


__all__ = [
    "botocore_endpoints",
    "bucket_name_problem",
    "check_buckets",
    "check_cognito_domain",
    "check_output_names",
    "check_partitions",
    "check_tags",
    "check_text",
    "partition_of",
]

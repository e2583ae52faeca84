"""docs/topology-reference.md is generated from the schema and must stay in step with it.

``STREAMFABRIC_UPDATE_GOLDEN=1`` rewrites the file from ``reference_markdown()``.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from golden_util import UPDATE_ENV, updating
from streamfabric.resources import schema_path
from streamfabric.topology.schema_doc import reference_markdown

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "topology-reference.md"


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


def _rows(markdown: str) -> dict[str, list[str]]:
    """Field path -> the other cells of its table row."""
    rows: dict[str, list[str]] = {}
    for line in markdown.splitlines():
        match = re.match(r"^\| `([^`]+)` \| (.*) \|$", line)
        if match:
            rows[match.group(1)] = re.split(r"(?<!\\) \| ", match.group(2))
    return rows


def test_reference_file_is_up_to_date() -> None:
    text = reference_markdown()
    if updating():
        REFERENCE.write_text(text, encoding="utf-8")
    current = REFERENCE.read_text(encoding="utf-8")
    if current != text:
        diff = "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True), text.splitlines(keepends=True), "docs", "schema", n=1
            )
        )
        pytest.fail(f"{REFERENCE} is stale ({UPDATE_ENV}=1 regenerates it):\n{diff[:3000]}")


def test_every_field_of_the_schema_has_a_row() -> None:
    rows = _rows(reference_markdown())
    expected = {
        "name",
        "hub.region",
        "hub.live",
        "hub.{live,preview}.starts_on",
        "hub.{live,preview}.outputs[].destination",
        "regions[].availability_zone",
        "ingests[].passphrase_secret",
        "internal_hop.port_range.from",
        "internal_hop.passphrase_secret",
        "dns.ttl",
        "control_api.auth",
        "control_api.panel.mfa",
        "state.audit_log",
        "tags.<key>",
        "maintenance",
        "regions[].maintenance",
        "engine",
        "router.input.tier",
        "router.output.maximum_bitrate",
    }
    assert expected <= set(rows)
    schema = _schema()
    defs = schema["$defs"]
    counted = len(schema["properties"]) + sum(
        len(defs[name]["properties"]) for name in ("ingest", "hub_flow", "output", "maintenance")
    )
    for section in ("hub", "internal_hop", "dns", "control_api", "monitoring", "state"):
        counted += len(schema["properties"][section]["properties"])
    counted += len(schema["properties"]["regions"]["items"]["properties"])
    counted += len(schema["properties"]["internal_hop"]["properties"]["port_range"]["properties"])
    counted += len(schema["properties"]["control_api"]["properties"]["artifacts"]["properties"])
    router = schema["properties"]["router"]["properties"]
    counted += len(router) + sum(len(router[side]["properties"]) for side in ("input", "output"))
    panel = schema["properties"]["control_api"]["properties"]["panel"]["anyOf"]
    counted += sum(len(branch.get("properties", {})) for branch in panel)  # control_api.panel.mfa
    assert len(rows) == counted + 1  # + tags.<key>


def test_rows_resolve_refs_and_show_constraints() -> None:
    rows = _rows(reference_markdown())
    assert rows["ingests[].port"] == ["integer, 1024-65535", "yes", "Public port the source sends to."]
    assert rows["hub.{live,preview}.outputs[].protocol"][0] == 'one of `"srt-listener"`, `"srt-caller"`'
    assert rows["hub.live"][:2] == ["object (see `hub.{live,preview}`)", "yes"]
    assert rows["hub.live"][2] == "The Live flow: what goes on air."  # the description next to the $ref wins
    assert rows["hub.preview"][2] == "The Preview flow: what the operator lines up next."
    assert rows["internal_hop.passphrase_secret"][0] == '`"generate"` or string, 1-2048 characters'
    assert rows["ingests"][0] == "array of object (see `ingests[]`), 1-200 items"
    assert rows["regions[].region"][1] == "yes"
    assert rows["ingests[].description"][1] == "no"
    # a backtick inside a pattern needs a double-backtick code span, a pipe an escape
    assert rows["state.runtime_state"][0].endswith("`` ^[^\\u0000-\\u001f\"'`$\\\\{}%]+$ ``")


def test_no_raw_schema_syntax_or_html_leaks() -> None:
    text = reference_markdown()
    assert "$ref" not in text and "#/$defs" not in text
    outside_code = re.sub(r"``.*?``|`[^`]*`", "", text)
    assert not re.search(r"(?<!\\)<[a-z]", outside_code.split("-->", 1)[1]), "an unescaped <tag> would vanish"


def test_one_table_per_object_with_shared_objects_once() -> None:
    text = reference_markdown()
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings[0] == "Top level"
    assert headings.count("`hub.{live,preview}`") == 1
    assert headings.count("`hub.{live,preview}.outputs[]`") == 1
    assert text.count("| Field | Type | Required | Description |") == len(headings)


def test_reference_of_a_small_schema() -> None:
    schema: dict[str, Any] = {
        "title": "tiny",
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"description": "An A.", "$ref": "#/$defs/thing"},
            "b": {"description": "Pipes | and <tags>.", "type": "array", "items": {"$ref": "#/$defs/thing"}},
        },
        "$defs": {
            "thing": {
                "description": "A thing.",
                "type": "object",
                "properties": {"n": {"description": "N.", "type": "integer", "minimum": 1}},
            }
        },
    }
    text = reference_markdown(schema)
    assert "## `{a,b[]}`" in text  # one definition used at two places: one table
    assert "| `{a,b[]}.n` | integer, at least 1 | no | N. |" in text
    assert "| `b` | array of object (see `{a,b[]}`) | no | Pipes \\| and \\<tags>. |" in text
    assert text.count("| Field |") == 2

    schema["properties"]["c"] = {"type": "object", "properties": {"d": {"$ref": "#/$defs/thing"}}}
    text = reference_markdown(schema)
    assert "## `a, b[], c.d`" in text  # places that differ in more than one step are listed
    assert "| `a, b[], c.d.n` | integer, at least 1 | no | N. |" in text
    with pytest.raises(ValueError, match="unsupported \\$ref"):
        reference_markdown({"type": "object", "properties": {"x": {"$ref": "other.json#/x"}}})

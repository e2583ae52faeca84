"""The problem codes: one registry, no code reused, every problem carries a registered code, and
every registered code is emitted by a fixture or a document here."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from streamfabric.cli.main import main
from streamfabric.errors import Problem, TopologyError
from streamfabric.topology import advisories
from streamfabric.topology.advisories import Advisory, topology_advisories
from streamfabric.topology.import_poc import import_poc
from streamfabric.topology.loading import load_topology, parse_topology
from streamfabric.topology.problem_codes import BY_CODE, CODES, OTHER_SCHEMA_CODE, SCHEMA_CODES
from streamfabric.topology.schema_check import _message

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
SRC = ROOT / "src" / "streamfabric"
FIXTURES = TESTS / "fixtures"
MINIMAL = json.loads((ROOT / "examples" / "minimal.json").read_text(encoding="utf-8"))
CODE = re.compile(r"^SF[0-4]\d{3}$")


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(MINIMAL)
    doc.update(changes)
    return doc


def _ingest(**changes: Any) -> dict[str, Any]:
    return _doc(ingests=[{**MINIMAL["ingests"][0], **changes}])


# Documents for the codes no fixture of tests/fixtures/invalid emits.
EXTRA_INVALID: dict[str, dict[str, Any]] = {
    "SF1008": _ingest(passphrase_secret=""),  # minLength
    "SF1011": _ingest(allowlist=[f"192.0.2.{i}/32" for i in range(21)]),  # maxItems
    "SF1012": _doc(tags={f"k{i}": "v" for i in range(41)}),  # maxProperties
    "SF1013": _doc(internal_hop={"passphrase_secret": 5}),  # anyOf
}
# Documents for the warnings (a valid topology, validate exits 0).
NO_WINDOW = {k: v for k, v in MINIMAL.items() if k != "maintenance"}
EXTRA_VALID: dict[str, dict[str, Any]] = {
    "SF3001": _ingest(region="me-central-1")
    | {
        "regions": [{**MINIMAL["regions"][0], "region": "me-central-1", "availability_zone": "me-central-1a"}]
    },
    "SF3002": NO_WINDOW,
    "SF3003": NO_WINDOW | {"hub": {**MINIMAL["hub"], "maintenance": {"day": "Monday", "start_hour": 2}}},
}
# The proof of concept's config, malformed.
_PORT, _TYPE = {"type": "public", "port": "2000"}, {"type": "vpn", "port": 2000}
EXTRA_POC: dict[str, Any] = {
    "SF4001": [],
    "SF4002": {},
    "SF4003": {
        "regions": [{"region": "us-east-2", "vpc_cidr": "10.0.0.0/16", "flows": [{"inputs": [_PORT]}]}]
    },
    "SF4004": {
        "regions": [{"region": "us-east-2", "vpc_cidr": "10.0.0.0/16", "flows": [{"inputs": [_TYPE]}]}]
    },
    "SF4005": {"regions": [{"region": "US East", "vpc_cidr": "10.0.0.0/16"}]},
    "SF4006": {"regions": []},
}


def _without_maintenance_in(region: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A region whose CloudFormation lacks Maintenance on flows (none does today: the table of
    region_support.json is regenerated from cfn-lint, so one may)."""
    real = advisories.unsupported_properties

    def lacking(where: str, resource_type: str) -> frozenset[str]:
        extra = {"Maintenance"} if where == region and resource_type == "AWS::MediaConnect::Flow" else set()
        return real(where, resource_type) | extra

    monkeypatch.setattr(advisories, "unsupported_properties", lacking)


def _problems(document: Any, source: str = "t.json") -> tuple[Problem, ...]:
    with pytest.raises(TopologyError) as caught:
        parse_topology(json.dumps(document), source)
    return caught.value.problems


def _warnings(document: Any) -> list[Advisory]:
    return topology_advisories(parse_topology(json.dumps(document), "t.json"))


def _poc_problems(document: Any) -> tuple[Problem, ...]:
    with pytest.raises(TopologyError) as caught:
        import_poc(document, name="old", hub=None)
    return caught.value.problems


def _emitted() -> Iterator[Problem | Advisory]:
    for fixture in sorted((FIXTURES / "invalid").glob("*.json")):
        with pytest.raises(TopologyError) as caught:
            load_topology(str(fixture))
        yield from caught.value.problems
    for fixture in [
        *sorted((FIXTURES / "valid").glob("*.json")),
        *sorted((ROOT / "examples").glob("*.json")),
    ]:
        yield from topology_advisories(load_topology(str(fixture)))
    for document in EXTRA_INVALID.values():
        yield from _problems(document)
    for document in EXTRA_VALID.values():
        yield from _warnings(document)
    for document in EXTRA_POC.values():
        yield from _poc_problems(document)


def test_the_registry_gives_each_code_once_in_its_range() -> None:
    codes = [c.code for c in CODES]
    assert len(codes) == len(set(codes)) == len(BY_CODE), "a code is registered twice"
    assert len({c.title for c in CODES}) == len(CODES), "two codes share a title"
    assert codes == sorted(codes)
    for entry in CODES:
        assert CODE.match(entry.code), entry.code
        assert entry.title and entry.checks, entry.code
        assert entry.warning == entry.code.startswith("SF3"), entry.code
        assert (entry.keyword is not None) == (
            entry.code.startswith("SF1") and entry.code != OTHER_SCHEMA_CODE
        )
        assert entry.source_url is None or entry.source_url.startswith("https://"), entry.code
    assert len(SCHEMA_CODES) == len({c.keyword for c in CODES if c.keyword})


def test_every_code_in_the_source_is_registered() -> None:
    written = {m for path in SRC.rglob("*.py") for m in re.findall(r"\"(SF\d{4})\"", path.read_text("utf-8"))}
    assert written, "no code found in the source: the scan is broken"
    assert written - set(BY_CODE) == set(), "codes emitted but not registered"


def test_every_problem_carries_a_registered_code_and_every_code_is_emitted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emitted = list(_emitted())
    _without_maintenance_in("eu-west-2", monkeypatch)
    emitted += _warnings(MINIMAL)
    for found in emitted:
        assert found.code in BY_CODE, found
        assert found.source_url == BY_CODE[found.code].source_url, found
        assert found.code.startswith("SF3") == isinstance(found, Advisory), found

    assert main(["validate", "--json", str(tmp_path / "missing.json")]) == 1  # the unreadable source
    codes = {p["code"] for p in json.loads(capsys.readouterr().out)["problems"]}
    assert codes == {"SF0001"}

    schema_error = next(Draft202012Validator({"uniqueItems": True}).iter_errors([1, 1]))
    assert [code for _, code, _ in _message(schema_error)] == [OTHER_SCHEMA_CODE]  # a keyword without its own

    seen = {found.code for found in emitted} | codes | {OTHER_SCHEMA_CODE}
    assert set(BY_CODE) - seen == set(), "registered codes that nothing emits"
    assert OTHER_SCHEMA_CODE not in {f.code for f in emitted}, "a schema keyword of ours has no code"


@pytest.mark.parametrize("code", sorted(EXTRA_INVALID))
def test_each_extra_document_emits_its_code(code: str) -> None:
    assert code in {p.code for p in _problems(EXTRA_INVALID[code])}


@pytest.mark.parametrize("code", sorted(EXTRA_VALID))
def test_each_extra_warning_document_emits_its_code(code: str) -> None:
    assert code in {w.code for w in _warnings(EXTRA_VALID[code])}


def test_a_region_without_maintenance_in_cloudformation_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _warnings(MINIMAL) == []
    _without_maintenance_in("eu-west-2", monkeypatch)
    (warning,) = _warnings(MINIMAL)
    assert (warning.code, warning.path) == ("SF3004", "$.regions[0].maintenance")
    assert str(warning).startswith(
        "warning: t.json: $.regions[0].maintenance: eu-west-2: CloudFormation has no"
    )
    assert str(warning).endswith(" [SF3004]")


@pytest.mark.parametrize("code", sorted(EXTRA_POC))
def test_each_malformed_old_config_emits_its_code(code: str) -> None:
    assert code in {p.code for p in _poc_problems(EXTRA_POC[code])}


def test_a_schema_keyword_has_its_code_and_its_definition() -> None:
    (problem,) = [p for p in _problems(_doc(tags={f"k{i}": "v" for i in range(41)})) if p.code == "SF1012"]
    assert (
        problem.source_url
        == "https://json-schema.org/draft/2020-12/json-schema-validation#name-maxproperties"
    )
    (tag_key,) = _problems(_doc(tags={"aws:reserved": "v"}))  # propertyNames: the inner keyword's code
    assert (tag_key.path, tag_key.code) == ("$.tags", SCHEMA_CODES["pattern"])


def test_every_keyword_of_the_schema_has_a_code() -> None:
    """Each keyword that asserts something at the top of an error (the schema check reports the
    keyword that failed) has its own code; ``const`` is only in ``anyOf`` branches and
    ``propertyNames`` reports the keyword inside it, so neither reaches a problem on its own."""
    schema = json.loads((ROOT / "schemas" / "topology.schema.json").read_text(encoding="utf-8"))
    annotations = {"$schema", "$id", "$ref", "$defs", "title", "description", "properties", "items"}
    used: set[str] = set()

    def walk(node: Any, under_names: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not under_names:
                    used.add(key)
                walk(value, key in ("properties", "$defs") and not under_names)
        elif isinstance(node, list):
            for item in node:
                walk(item, False)

    walk(schema, False)
    assert used - annotations - set(SCHEMA_CODES) == {"const", "propertyNames"}
    assert set(SCHEMA_CODES) <= used, "a code for a keyword the schema does not use"


def test_the_text_output_ends_each_problem_with_its_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(FIXTURES / "invalid" / "port-range.json")]) == 1
    *problems, _ = capsys.readouterr().err.splitlines()
    assert [line.rsplit(" ", 1)[1] for line in problems] == ["[SF1006]", "[SF1007]"]

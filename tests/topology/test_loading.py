"""Loading a topology from a file, a string and stdin: the model, the source info, hostile input."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from streamfabric.errors import SourceError, TopologyError
from streamfabric.topology.loading import MAX_DEPTH, load_topology, parse_topology
from streamfabric.topology.model import SourceInfo, Topology

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL = ROOT / "examples" / "festival.json"
MINIMAL = ROOT / "examples" / "minimal.json"


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }


def _minimal() -> dict[str, object]:
    doc: dict[str, object] = json.loads(MINIMAL.read_text(encoding="utf-8"))
    return doc


def _problems(text: str | bytes) -> list[str]:
    with pytest.raises(TopologyError) as caught:
        parse_topology(text, "t.json")
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def test_load_file_builds_the_model_with_its_source() -> None:
    model = load_topology(str(FESTIVAL))
    assert isinstance(model, Topology)
    assert model.name == "festival"
    assert model.hub.region == "eu-west-1"
    assert [n.region for n in model.regions] == ["us-east-1", "ap-southeast-2", "sa-east-1"]
    assert model.ingest("nyc-studio").passphrase_secret.region == "us-east-1"
    assert model.internal_hop.generate_secret
    assert model.source == SourceInfo(
        uri=str(FESTIVAL), sha256=hashlib.sha256(FESTIVAL.read_bytes()).hexdigest(), version=None
    )
    assert model.source.display == "festival.json"


def test_defaults_apply_when_optional_sections_are_omitted() -> None:
    model = load_topology(str(MINIMAL))
    assert (model.internal_hop.port_from, model.internal_hop.port_to) == (7000, 7001)
    assert model.internal_hop.min_latency_ms == 200
    assert model.ingests[0].min_latency_ms == 2000
    assert model.ingests[0].protocol == "srt-listener"
    assert model.dns is None
    assert model.control_api.enabled and model.control_api.auth == "iam"


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(
        SourceError, match=r"missing\.json: cannot read the topology: No such file or directory"
    ):
        load_topology(str(tmp_path / "missing.json"))


def test_malformed_json_reports_line_and_column() -> None:
    assert _problems('{\n  "name": "x",\n  "hub": }\n') == [
        "$: invalid JSON at line 3, column 10: Expecting value"
    ]


def test_all_problems_are_reported_at_once() -> None:
    doc = _minimal()
    doc["name"] = "Bad Name"
    doc["ingests"][0]["port"] = 2077  # type: ignore[index]
    doc["hub"]["live"]["starts_on"] = "nobody"  # type: ignore[index]
    assert _problems(json.dumps(doc)) == [
        "$.hub.live.starts_on: unknown ingest 'nobody' (ingests: camera-one)",
        "$.ingests[0].port: port 2077 is reserved by MediaConnect (reserved: 2077, 2088)",
        '$.name: "Bad Name" is not valid (A name: lower-case letters, digits and hyphens, '
        "starting with a letter, "
        "2-32 characters (safe in DNS labels, stack names and template identifiers).)",
    ]


@pytest.mark.parametrize("value", [5000.0, 2077.0, True])
def test_a_port_must_be_an_int(value: object) -> None:
    doc = _minimal()
    doc["ingests"][0]["port"] = value  # type: ignore[index]
    [problem] = _problems(json.dumps(doc))
    assert problem == f"$.ingests[0].port: {json.dumps(value)} is not of type 'integer'"


def test_nan_and_infinity_are_rejected() -> None:
    assert _problems('{"name": NaN}') == ["$: invalid JSON: NaN is not valid JSON"]
    assert _problems('{"name": -Infinity}') == ["$: invalid JSON: -Infinity is not valid JSON"]


def test_utf8_bom_is_accepted_and_other_encodings_are_not() -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    assert parse_topology(b"\xef\xbb\xbf" + text.encode("utf-8")).name == "minimal"
    assert _problems(text.encode("utf-16")) == ["$: not UTF-8 text (byte 0: invalid start byte)"]


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deeply_nested_json_is_a_topology_error_not_a_recursion_error(depth: int) -> None:
    # json's own parser gives up here (RecursionError inside json.loads).
    assert _problems("[" * depth + "]" * depth) == [
        f"$: nested too deeply (a topology document is at most {MAX_DEPTH} levels deep)"
    ]


@pytest.mark.parametrize("where", ["ingest-name", "outputs"])
def test_nesting_just_under_the_parsers_limit_is_a_topology_error(where: str) -> None:
    # json.loads accepts these depths, but jsonschema builds its messages with repr(), recursively:
    # a few depths just under json's limit escaped as a RecursionError traceback. Try every depth
    # around the limit, at places the schema reaches through $refs (the deepest validation stacks).
    limit = sys.getrecursionlimit()
    doc = _minimal()
    if where == "ingest-name":
        doc["ingests"][0]["name"] = "__DEEP__"  # type: ignore[index]
    else:
        doc["hub"]["live"]["outputs"] = "__DEEP__"  # type: ignore[index]
    template = json.dumps(doc)
    reported: set[str] = set()
    for depth in range(limit - 150, limit + 10):
        text = template.replace('"__DEEP__"', "[" * depth + "]" * depth)
        try:
            parse_topology(text, "t.json")  # a RecursionError escaping here fails the test
        except TopologyError as exc:
            reported.update(f"{p.path}: {p.message}" for p in exc.problems)
        else:
            pytest.fail(f"a document nested {depth} levels deep was accepted")
    assert reported == {f"$: nested too deeply (a topology document is at most {MAX_DEPTH} levels deep)"}


def test_nesting_up_to_the_limit_is_checked_normally() -> None:
    deep: object = "x"
    for _ in range(MAX_DEPTH - 2):  # the document and "tags" are two levels
        deep = [deep]
    doc = {**_minimal(), "tags": {"deep": deep}}
    assert _problems(json.dumps(doc)) == ["$.tags.deep: [...] is not of type 'string'"]


def test_duplicate_keys_are_reported_with_the_other_problems() -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace('"port": 5000,', '"port": 5000, "port": 80,')
    assert _problems(text) == [
        "$.ingests[0].port: 80 is less than the minimum of 1024",
        "$.ingests[0].port: duplicate key 'port' (JSON objects must not repeat keys)",
    ]


def test_parse_topology_hashes_the_text_it_was_given() -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    model = parse_topology(text, "inline.json")
    assert model.source.uri == "inline.json"
    assert model.source.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    ("document", "code", "stream", "expected"),
    [
        (FESTIVAL, 0, "stdout", "-: valid — topology 'festival': hub eu-west-1, 4 region(s), 6 ingest(s)\n"),
        (
            ROOT / "tests" / "fixtures" / "invalid" / "port-range.json",
            1,
            "stderr",
            "-: $.hub.live.outputs[1].port: 80 is less than the minimum of 1024 [SF1006]\n"
            "-: $.ingests[3].port: 70000 is greater than the maximum of 65535 [SF1007]\n"
            "2 problems found\n",
        ),
    ],
    ids=["valid", "invalid"],
)
def test_validate_reads_stdin(document: Path, code: int, stream: str, expected: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "streamfabric", "validate", "-"],
        input=document.read_bytes(),
        capture_output=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert proc.returncode == code, proc.stderr
    assert getattr(proc, stream).decode("utf-8") == expected


def test_load_topology_reads_stdin_with_its_hash() -> None:
    script = (
        "from streamfabric.topology.loading import load_topology; m = load_topology('-'); "
        "print(m.name, m.source.uri, m.source.sha256, m.source.display)"
    )
    data = FESTIVAL.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", script], input=data, capture_output=True, env=_env(), timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().split() == ["festival", "-", hashlib.sha256(data).hexdigest(), "-"]

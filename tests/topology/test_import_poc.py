"""``streamfabric import-poc``: the proof of concept's vars/mediaconnect.json as a topology.

The sample ``tests/fixtures/poc/mediaconnect.json`` uses the values of the proof of concept
(shared/seed/original-poc.md): us-east-2 hub and eu-west-2 spoke, VPCs 10.0.0.0/16 and 10.1.0.0/16,
ports 2000 in, 2002 public out, 2004 private out. Its conversion is stored next to it
(``mediaconnect.topology.json``: stdout, ``mediaconnect.todos.txt``: stderr);
``STREAMFABRIC_UPDATE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from golden_util import updating
from streamfabric.cli.main import main
from streamfabric.errors import TopologyError, UsageError
from streamfabric.topology.import_poc import PLACEHOLDER_CIDR, import_poc
from streamfabric.topology.loading import parse_topology

POC_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "poc"
SAMPLE = POC_DIR / "mediaconnect.json"


def _sample() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return doc


def _region(region: str, cidr: str, *flows: dict[str, Any]) -> dict[str, Any]:
    return {
        "region": region,
        "vpc_cidr": cidr,
        "private_subnet_cidr": cidr.replace(".0.0/16", ".1.0/24"),
        "flows": list(flows),
    }


def _flow(
    name: str, *, inputs: list[tuple[str, int]], outputs: list[tuple[str, int]] | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "inputs": [{"name": f"{name}-in", "type": kind, "port": port} for kind, port in inputs],
        "outputs": [
            {"name": f"{name}-out-{port}", "type": kind, "port": port} for kind, port in outputs or []
        ],
    }


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_converts_to_the_golden_topology_and_todos(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["import-poc", str(SAMPLE), "--name", "festival"], capsys)
    assert code == 0, err
    golden_out, golden_err = POC_DIR / "mediaconnect.topology.json", POC_DIR / "mediaconnect.todos.txt"
    if updating():
        golden_out.write_text(out, encoding="utf-8")
        golden_err.write_text(err, encoding="utf-8")
    assert out == golden_out.read_text(encoding="utf-8")
    assert err == golden_err.read_text(encoding="utf-8")
    assert out == json.dumps(json.loads(out), sort_keys=True, indent=2) + "\n"
    assert err and all(line.startswith("TODO: ") for line in err.splitlines())


def test_the_imported_topology_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["import-poc", str(SAMPLE), "--name", "festival"], capsys)
    assert code == 0
    imported = tmp_path / "festival.json"
    imported.write_text(out, encoding="utf-8")
    code, out, err = _run(["validate", str(imported)], capsys)
    # the proof of concept had no maintenance window: the only thing validate says about it
    assert (code, [line.split(": ")[2] for line in err.splitlines()]) == (0, ["$.maintenance"])
    assert out.startswith("festival.json: valid")


def test_the_mapping_of_the_sample() -> None:
    topology, todos = import_poc(_sample(), name="festival", hub=None)
    model = parse_topology(json.dumps(topology), "imported.json")
    assert model.name == "festival"
    assert model.hub.region == "us-east-2"  # the first region
    assert model.hub.network.vpc_cidr == "10.0.0.0/16"
    assert model.hub.network.subnet_cidr == "10.0.1.0/24"
    assert model.hub.network.availability_zone == "us-east-2a"
    assert [(n.region, n.vpc_cidr, n.subnet_cidr) for n in model.regions] == [
        ("eu-west-2", "10.1.0.0/16", "10.1.1.0/24")
    ]
    # each flow's public input is an ingest on the input's port, in the flow's region
    assert [(i.name, i.region, i.port) for i in model.ingests] == [
        ("main-stage", "us-east-2", 2000),
        ("london-studio", "eu-west-2", 2000),
    ]
    # the public outputs (both on 2002) are one Live output; the private outputs are the hop
    assert [(o.name, o.protocol, o.port, o.allowlist) for o in model.hub.live.outputs] == [
        ("main-stage-public", "srt-listener", 2002, (PLACEHOLDER_CIDR,))
    ]
    assert model.hub.preview.outputs == ()
    assert (model.internal_hop.port_from, model.internal_hop.port_to) == (2004, 2005)
    assert model.internal_hop.generate_secret
    assert (model.hub.live.starts_on, model.hub.preview.starts_on) == ("main-stage", "london-studio")
    # what the old format does not say is a marked placeholder, listed as a TODO
    for ingest in model.ingests:
        assert ingest.passphrase_secret.ref == f"TODO-set-secret/{ingest.name}"
        assert ingest.allowlist == (PLACEHOLDER_CIDR,)
        assert any(
            t.startswith(f"$.ingests[{model.ingests.index(ingest)}].passphrase_secret:") for t in todos
        )
        assert any(t.startswith(f"$.ingests[{model.ingests.index(ingest)}].allowlist:") for t in todos)
    assert any(t.startswith("$.hub.availability_zone: check 'us-east-2a'") for t in todos)
    assert any(t.startswith("$.regions[0].availability_zone: check 'eu-west-2a'") for t in todos)
    assert any(t.startswith("$.hub.live.outputs[0].allowlist:") for t in todos)
    assert any("merged into the Live output 'main-stage-public'" in t for t in todos)


def test_hub_option_picks_the_hub(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["import-poc", str(SAMPLE), "--hub", "eu-west-2"], capsys)
    assert code == 0
    model = parse_topology(out, "imported.json")
    assert model.name == "imported"  # the default --name
    assert model.hub.region == "eu-west-2"
    assert [n.region for n in model.regions] == ["us-east-2"]
    assert model.hub.network.vpc_cidr == "10.1.0.0/16"


def test_import_poc_is_pure() -> None:
    document = _sample()
    before = copy.deepcopy(document)
    first = import_poc(document, name="festival", hub="eu-west-2")
    assert document == before
    assert import_poc(document, name="festival", hub="eu-west-2") == first


def test_names_are_made_valid_unique_and_not_hub_flow_names() -> None:
    document = {
        "regions": [
            _region(
                "us-east-2",
                "10.0.0.0/16",
                _flow("Main Stage!", inputs=[("public", 5000)]),
                _flow("main_stage", inputs=[("public", 5002)]),
                _flow("live", inputs=[("public", 5004)]),
                _flow("42", inputs=[("public", 5006)]),
                _flow("cam-a1", inputs=[("public", 5008)]),
                _flow("cam-a-1", inputs=[("public", 5010)]),
            )
        ]
    }
    topology, _ = import_poc(document, name="names", hub=None)
    assert [i["name"] for i in topology["ingests"]] == [
        "main-stage",
        "main-stage-2",
        "live-2",
        "ingest-4",
        "cam-a1",
        "cam-a-1-2",
    ]
    parse_topology(json.dumps(topology), "names.json")  # valid: no name collides in the templates


def test_private_inputs_and_differing_hop_ports_are_reported() -> None:
    document = {
        "regions": [
            _region(
                "us-east-2",
                "10.0.0.0/16",
                _flow("a", inputs=[("public", 5000), ("private", 5001)], outputs=[("private", 7000)]),
                _flow("bb", inputs=[("public", 5002)], outputs=[("private", 7100)]),
            )
        ]
    }
    topology, todos = import_poc(document, name="hop", hub=None, source="old.json")
    assert [i["name"] for i in topology["ingests"]] == ["a-a-in", "bb"]
    assert topology["internal_hop"]["port_range"] == {"from": 7000, "to": 7001}
    assert any(
        t.startswith("old.json $.regions[0].flows[0].inputs[1]: the private input of flow 'a'") for t in todos
    )
    assert any(
        t.startswith("old.json $.regions[0].flows[1].outputs[0]: private output port 7100") for t in todos
    )


def test_missing_subnet_is_derived_and_reported() -> None:
    document = {
        "regions": [
            {
                "region": "us-east-2",
                "vpc_cidr": "10.7.0.0/16",
                "flows": [_flow("a1", inputs=[("public", 5000)])],
            }
        ]
    }
    topology, todos = import_poc(document, name="subnet", hub=None)
    assert topology["hub"]["subnet_cidr"] == "10.7.0.0/24"
    assert any("has no private_subnet_cidr: check the subnet 10.7.0.0/24" in t for t in todos)
    parse_topology(json.dumps(topology), "subnet.json")


def test_an_import_that_does_not_validate_is_printed_with_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "mediaconnect.json"
    old.write_text(
        json.dumps({"regions": [_region("us-east-2", "10.0.0.0/16", _flow("a1", inputs=[("public", 2077)]))]})
    )
    code, out, err = _run(["import-poc", str(old)], capsys)
    assert code == 1
    assert json.loads(out)["ingests"][0]["port"] == 2077  # printed all the same
    assert (
        "TODO: fix $.ingests[0].port: port 2077 is reserved by MediaConnect (reserved: 2077, 2088)"
        in err.splitlines()
    )
    assert err.splitlines()[-1].startswith(
        "error: the imported topology does not validate yet: 1 problem to fix"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"regions": [',
            ["mediaconnect.json: $: invalid JSON at line 1, column 14: Expecting value [SF0003]"],
        ),
        (
            "[]",
            [
                'mediaconnect.json: $: expected the proof of concept\'s config object ({"regions": [...]})'
                " [SF4001]"
            ],
        ),
        ("{}", ["mediaconnect.json: $: missing required field 'regions' [SF4002]"]),
        ('{"regions": []}', ["mediaconnect.json: $.regions: no regions: nothing to import [SF4006]"]),
        ('{"regions": "x"}', ["mediaconnect.json: $.regions: expected an array, not a string [SF4001]"]),
        (
            '{"regions": [1, {"vpc_cidr": 5}]}',
            [
                "mediaconnect.json: $.regions[0]: expected an object, not a number [SF4001]",
                "mediaconnect.json: $.regions[1]: missing required field 'region' [SF4002]",
                "mediaconnect.json: $.regions[1].vpc_cidr: expected a non-empty string, not a number"
                " [SF4001]",
            ],
        ),
        (
            json.dumps(
                {
                    "regions": [
                        {
                            "region": "us-east-2",
                            "vpc_cidr": "10.0.0.0/16",
                            "flows": [
                                {"name": "x", "inputs": [{"type": "vpn", "port": "2000"}], "outputs": {}}
                            ],
                        }
                    ]
                }
            ),
            [
                "mediaconnect.json: $.regions[0].flows[0].inputs[0].port: expected a port number (1-65535)"
                " [SF4003]",
                'mediaconnect.json: $.regions[0].flows[0].inputs[0].type: expected "public" or "private"'
                " [SF4004]",
                "mediaconnect.json: $.regions[0].flows[0].outputs: expected an array, not an object [SF4001]",
            ],
        ),
        (
            json.dumps(
                {"regions": [_region("us-east-2", "10.0.0.0/16", _flow("x", inputs=[("private", 2000)]))]}
            ),
            [
                "mediaconnect.json: $.regions: no public input in any flow: there is no ingest to import"
                " [SF4006]"
            ],
        ),
        (
            '{"regions": [{"region": "us-east-2", "region": "us-east-2", "vpc_cidr": "10.0.0.0/16"}]}',
            [
                "mediaconnect.json: $.regions[0].region: "
                "duplicate key 'region' (JSON objects must not repeat keys) [SF0005]"
            ],
        ),
        (
            '{"regions": [{"region": "US East", "vpc_cidr": "10.0.0.0/16"}]}',
            ["mediaconnect.json: $.regions[0].region: 'US East' is not an AWS region name [SF4005]"],
        ),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "no-regions-field",
        "empty-regions",
        "regions-not-a-list",
        "bad-region-entries",
        "bad-inputs-and-outputs",
        "no-public-input",
        "duplicate-key",
        "bad-region-name",
    ],
)
def test_malformed_old_config_is_a_clear_error(
    content: str, expected: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "mediaconnect.json"
    old.write_text(content, encoding="utf-8")
    code, out, err = _run(["import-poc", str(old)], capsys)
    assert code == 1
    assert out == ""
    assert err.splitlines() == expected
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--hub", "eu-west-1"],
            "error: --hub 'eu-west-1' is not one of the config's regions (us-east-2, eu-west-2)",
        ),
        (["--name", "Bad Name"], "error: --name 'Bad Name': a topology name is 2-32 lower-case letters"),
    ],
)
def test_bad_options_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["import-poc", str(SAMPLE), *argv], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith(message)


def test_the_library_raises_for_bad_input() -> None:
    with pytest.raises(TopologyError) as caught:
        import_poc({"regions": [{}]}, name="x1", hub=None, source="old.json")
    assert [str(p) for p in caught.value.problems] == [
        "old.json: $.regions[0]: missing required field 'region' [SF4002]",
        "old.json: $.regions[0]: missing required field 'vpc_cidr' [SF4002]",
    ]
    with pytest.raises(UsageError):
        import_poc(_sample(), name="x", hub=None)  # one character: not a valid name

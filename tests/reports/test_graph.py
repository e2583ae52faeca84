"""streamfabric graph: Mermaid and DOT structure, escaping of hostile text, SVG through Graphviz,
and docs/diagram.md kept current (STREAMFABRIC_UPDATE_GOLDEN=1 regenerates it)."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ci_skip import skip_unless_ci
from streamfabric.cli.main import main
from streamfabric.reports import graph
from streamfabric.reports.graph import (
    GraphvizError,
    diagram_markdown,
    mermaid_text,
    to_dot,
    to_mermaid,
    to_svg,
)
from streamfabric.topology.loading import load_topology

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL = ROOT / "examples" / "festival.json"
DIAGRAM = ROOT / "docs" / "diagram.md"
DIAGRAM_COMMAND = "streamfabric graph examples/festival.json"

HOSTILE = 'end"]; a-->b \\n %% <b>x</b> `md` | #quot; & {c} [d] (e);\nsubgraph z\nend\t\r'


@pytest.fixture(scope="module")
def festival():
    return load_topology(str(FESTIVAL))


@pytest.fixture(scope="module")
def hostile(festival):
    """Every free-text field the diagram shows, set to something that tries to break out."""
    return replace(festival, ingests=tuple(replace(i, description=HOSTILE) for i in festival.ingests))


# -- Mermaid --------------------------------------------------------------------------------

MERMAID_STATEMENT = re.compile(
    r"""^(?:
      flowchart\ LR
    | \ \ %%\ [^\n]*
    | \ \ subgraph\ [A-Za-z0-9_]+\["[^"]*"\]
    | \ \ \ \ direction\ TB
    | \ \ end
    | \ {2,4}[A-Za-z][A-Za-z0-9_]*(?:\[\("[^"]*"\)\]|\["[^"]*"\]|\{\{"[^"]*"\}\}|\[/"[^"]*"/\])
    | \ \ [A-Za-z][A-Za-z0-9_]*\ (?:<-\.->|-\.->|==>|-->)\|"[^"]*"\|\ [A-Za-z][A-Za-z0-9_]*
    | \ \ classDef\ \w+\ [^\n]+
    | \ \ class\ [A-Za-z0-9_,]+\ \w+
    )$""",
    re.VERBOSE,
)


def _mermaid_nodes(text: str) -> dict[str, str]:
    return dict(re.findall(r'^\s+([a-z][a-z0-9_]*)(?:\[\(|\[/|\{\{|\[)"([^"]*)"', text, re.MULTILINE))


def _mermaid_edges(text: str) -> list[tuple[str, str, str, str]]:
    return re.findall(r'^  (\w+) (<-\.->|-\.->|==>|-->)\|"([^"]*)"\| (\w+)$', text, re.MULTILINE)


def test_mermaid_statements_are_all_well_formed(festival):
    text = to_mermaid(festival)
    bad = [line for line in text.splitlines() if not MERMAID_STATEMENT.match(line)]
    assert not bad
    assert text.count("\n  subgraph ") == text.count("\n  end\n") == 4


def test_mermaid_shows_regions_vpcs_peerings_ingests_hub_and_outputs(festival):
    text = to_mermaid(festival)
    nodes = _mermaid_nodes(text)
    edges = _mermaid_edges(text)
    for net in festival.networks:
        assert f'subgraph region_{net.id}["{net.region}' in text
        assert nodes[f"vpc_{net.id}"].startswith(f"VPC<br/>{net.vpc_cidr}")
    assert 'subgraph region_eu_west_1["eu-west-1 (hub) · eu-west-1a"]' in text
    peerings = [(a, b) for a, arrow, label, b in edges if label == "VPC peering"]
    assert peerings == [(f"vpc_{s.id}", "vpc_eu_west_1") for s in festival.spokes]
    for ingest in festival.ingests:
        assert nodes[f"ingest_{ingest.id}"].startswith(f"{ingest.name}<br/>srt-listener :{ingest.port}")
        targets = {(b, label) for a, _, label, b in edges if a == f"ingest_{ingest.id}"}
        assert {t for t, _ in targets} == {"hub_live", "hub_preview"}
    assert nodes["hub_live"] == "Live<br/>festival-live"
    assert nodes["hub_preview"] == "Preview<br/>festival-preview"
    assert ("ingest_main_stage", "==>", "starts on, to-live :7000", "hub_live") in edges
    assert ("ingest_tent_stage", "==>", "starts on, to-preview :7001", "hub_preview") in edges
    outputs = {(a, b) for a, arrow, _, b in edges if arrow == "-->"}
    assert outputs == {
        ("hub_live", "output_live_live_encoder"),
        ("hub_live", "output_live_live_cdn"),
        ("hub_preview", "output_preview_preview_monitor"),
    }
    assert nodes["output_live_live_cdn"] == "live-cdn<br/>srt-caller 203.0.113.10:6000"
    assert nodes["ingest_main_stage"].endswith("Main stage, truck A")
    # every edge joins declared nodes
    assert {x for a, _, _, b in edges for x in (a, b)} <= set(nodes)


def test_mermaid_escapes_hostile_text(hostile):
    text = to_mermaid(hostile)
    assert not [line for line in text.splitlines() if not MERMAID_STATEMENT.match(line)]
    assert text.count("\n  end\n") == 4  # the description's "end" did not close a subgraph
    assert "<b>" not in text and '"]; a' not in text and "-->b" not in text
    assert "#lt;b#gt;x#lt;/b#gt;" in text and "#quot;#93;" not in text
    assert (
        mermaid_text('a"b#c;d<e>f&g|h%i`j\\k\nl')
        == "a#quot;b#35;c#59;d#lt;e#gt;f#amp;g#124;h#37;i#96;j#92;k l"
    )


def test_node_ids_are_safe_and_unique_even_when_names_collapse(festival):
    # "main_stage" is not a valid topology name, but it would collapse to the same id
    twin = replace(festival.ingests[1], name="main_stage")
    model = replace(festival, ingests=(festival.ingests[0], twin, *festival.ingests[2:]))
    nodes = _mermaid_nodes(to_mermaid(model))
    assert "ingest_main_stage" in nodes and "ingest_main_stage_2" in nodes
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in nodes)


# -- DOT ------------------------------------------------------------------------------------

DOT_EDGE = re.compile(r'^  ([a-z][a-z0-9_]*) -> ([a-z][a-z0-9_]*) \[label="(?:[^"\\]|\\.)*"(?:, [^\]]*)?\];$')
DOT_NODE = re.compile(r'^ {2,4}([a-z][a-z0-9_]*) \[label="(?:[^"\\]|\\.)*", [^\]]*\];$')


def _unquoted(text: str) -> str:
    """DOT text without its double-quoted strings (so braces in labels do not count)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)


def _check_dot(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    bare = _unquoted(text)
    assert bare.count("{") == bare.count("}")
    depth = 0
    for ch in bare:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    lines = text.splitlines()
    assert lines[0] == "digraph topology_festival {" and lines[-1] == "}"
    nodes = {m.group(1) for line in lines if (m := DOT_NODE.match(line))}
    edges = [(m.group(1), m.group(2)) for line in lines if (m := DOT_EDGE.match(line))]
    assert len(edges) == sum(" -> " in line for line in lines)
    return nodes, edges


def test_dot_is_well_formed_and_complete(festival):
    text = to_dot(festival)
    nodes, edges = _check_dot(text)
    for net in festival.networks:
        assert f"subgraph cluster_region_{net.id} {{" in text
        assert f"vpc_{net.id}" in nodes
    assert {f"ingest_{i.id}" for i in festival.ingests} <= nodes
    assert {"hub_live", "hub_preview"} <= nodes
    assert {"output_live_live_encoder", "output_live_live_cdn", "output_preview_preview_monitor"} <= nodes
    assert {(f"vpc_{s.id}", "vpc_eu_west_1") for s in festival.spokes} <= set(edges)
    assert len(edges) == 3 + 2 * 6 + 3
    assert {x for edge in edges for x in edge} <= nodes
    assert 'ingest_main_stage -> hub_live [label="starts on, to-live :7000", style=bold' in text


def test_dot_escapes_hostile_text(hostile):
    text = to_dot(hostile)
    _check_dot(text)
    assert 'end\\"]; a-->b' in text  # the quote is escaped, so the label goes on
    assert "a-->b \\\\n %%" in text  # a literal backslash-n stays text, not a line break


def test_svg_through_graphviz(festival, hostile):
    if shutil.which("dot") is None:
        skip_unless_ci("Graphviz is not installed (apt-get install graphviz)")
    svg = to_svg(festival)
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    for ingest in festival.ingests:
        assert ingest.name.replace("-", "&#45;") in svg
    assert "VPC peering" in svg and "festival&#45;live" in svg
    hostile_svg = to_svg(hostile)
    assert "&lt;b&gt;x&lt;/b&gt;" in hostile_svg and "<b>" not in hostile_svg


def test_svg_without_graphviz_says_how_to_install_it(festival, monkeypatch, capsys):
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizError, match="apt-get install graphviz"):
        to_svg(festival)
    assert main(["graph", str(FESTIVAL), "--format", "svg"]) == 1
    err = capsys.readouterr().err
    assert "error: Graphviz's `dot` is not on PATH" in err and "--format mermaid" in err


def test_svg_reports_a_failing_dot(festival, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(GraphvizError, match=r"exit 3.*syntax error"):
        to_svg(festival, dot_binary=str(fake))


def test_cli_formats(capsys):
    assert main(["graph", str(FESTIVAL)]) == 0
    assert capsys.readouterr().out.startswith("flowchart LR\n")
    assert main(["graph", str(FESTIVAL), "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph topology_festival {\n")


# -- docs/diagram.md ------------------------------------------------------------------------


def test_docs_diagram_is_current(festival):
    expected = diagram_markdown(festival, DIAGRAM_COMMAND)
    if os.environ.get("STREAMFABRIC_UPDATE_GOLDEN") == "1":
        DIAGRAM.write_text(expected, encoding="utf-8")
    assert DIAGRAM.is_file(), f"{DIAGRAM} is missing: run with STREAMFABRIC_UPDATE_GOLDEN=1"
    assert DIAGRAM.read_text(encoding="utf-8") == expected, (
        f"{DIAGRAM} is stale: regenerate with STREAMFABRIC_UPDATE_GOLDEN=1 pytest tests/reports/test_graph.py"
    )
    assert "```mermaid\nflowchart LR\n" in expected

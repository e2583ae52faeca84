"""The README shows the diagram of examples/festival.json that `streamfabric graph` draws today."""

from __future__ import annotations

import re
from pathlib import Path

from streamfabric.reports.graph import to_mermaid
from streamfabric.topology.loading import load_topology

ROOT = Path(__file__).resolve().parents[2]


def test_readme_diagram_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- diagram:start[^>]*-->\n```mermaid\n(.*?)```\n<!-- diagram:end -->", readme, re.S)
    assert match, "README.md lost its diagram markers"
    assert match.group(1) == to_mermaid(load_topology(str(ROOT / "examples" / "festival.json")))

"""docs/emulator-fidelity.md is kept current: every behaviour the emulator registers has a row
naming its module, every sandbox module that follows an AWS page is named, and every test a row
cites exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from streamfabric.sandbox import patching

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "emulator-fidelity.md"
SANDBOX = ROOT / "src" / "streamfabric" / "sandbox"
AWS_PAGE = re.compile(r"User Guide|API Reference|Template Reference|Peering Guide")
NOT_BEHAVIOUR = ("speed, not behaviour", "the emulator's own API")


def _rows() -> list[list[str]]:
    rows = []
    for line in DOC.read_text().splitlines():
        if line.startswith("| ") and not line.startswith(("| ---", "| behaviour")):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def _module_path(module: str) -> str:
    return "sandbox/" + module.removeprefix("streamfabric.sandbox.").replace(".", "/") + ".py"


def test_every_row_names_a_behaviour_its_aws_page_its_test_and_what_stays_unknown() -> None:
    rows = _rows()
    assert rows
    for row in rows:
        assert len(row) == 4 and all(row), row


def test_every_registered_behaviour_has_a_row_naming_its_module() -> None:
    text = DOC.read_text()
    missing = set()
    for patch in patching.REGISTRY:
        module = getattr(patch.replacement, "__module__", None) or ""
        if patch.why.startswith(NOT_BEHAVIOUR) or not module.startswith("streamfabric.sandbox."):
            continue
        if f"`{_module_path(module)}`" not in text and f"{_module_path(module)}`" not in text:
            missing.add(f"{patch.id} {patch.target}: {_module_path(module)}")
    assert not missing, sorted(missing)


def test_every_sandbox_module_that_follows_an_aws_page_is_named() -> None:
    text = DOC.read_text()
    missing = [
        str(path.relative_to(SANDBOX.parent))
        for path in sorted(SANDBOX.rglob("*.py"))
        if AWS_PAGE.search(ast.get_docstring(ast.parse(path.read_text())) or "")
        and str(path.relative_to(SANDBOX.parent)) not in text
    ]
    assert not missing


def test_every_test_a_row_cites_exists() -> None:
    cited = re.findall(r"`(tests/[\w/]+\.py)((?:::\w+)?)`|`(::\w+)`", DOC.read_text())
    assert len(cited) > 40  # the pattern reads the doc's citations
    last_file = ""
    for path, name, continued in cited:
        if path:
            last_file = path
            assert (ROOT / path).is_file(), path
        name = name or continued
        if name:
            source = (ROOT / last_file).read_text()
            assert re.search(rf"^def {name.removeprefix('::')}\(", source, re.M), f"{last_file}{name}"

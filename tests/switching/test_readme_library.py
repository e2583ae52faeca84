"""The README's library example (from its first ``switch(`` on) runs as written against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import streamfabric

from .conftest import World

README = Path(__file__).resolve().parents[2] / "README.md"


def _library_example() -> str:
    section = README.read_text().split("## As a library", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "the README's library section has a python block"
    code = block.group(1)
    return code[code.index("switch(") :]


def test_the_readme_switches_takes_and_reads_status_and_history(on_air_reset: World, capsys: object) -> None:
    namespace = {name: getattr(streamfabric, name) for name in streamfabric.__all__ if name != "__version__"}
    namespace["topology"] = on_air_reset.model
    exec(compile(_library_example(), str(README), "exec"), namespace)
    now = namespace["now"]
    assert (now.live.ingest, now.preview.ingest) == ("tent-stage", "nyc-studio")
    assert isinstance(namespace["switcher"], streamfabric.Switcher)
    records = streamfabric.history(topology=on_air_reset.model)
    assert [(r.action, r.outcome) for r in records][-4:] == [
        ("switch", "switched"),
        ("take", "switched"),
        ("protect", "protected"),
        ("unprotect", "unprotected"),
    ]

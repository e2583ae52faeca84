"""The library surface: ``from streamfabric import ...`` of everything the README shows, lazily."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import streamfabric

ROOT = Path(__file__).resolve().parent.parent
SURFACE = [
    "load_topology", "render", "deploy", "destroy", "switch", "take", "protect", "unprotect", "status",
    "history", "Switcher",
]  # fmt: skip


def _python(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_import_streamfabric_imports_no_dependency() -> None:
    out = _python(
        "import sys, streamfabric; "
        "print(sorted(m for m in ('boto3', 'botocore', 'jinja2', 'jsonschema', 'yaml') if m in sys.modules))"
    )
    assert out.strip() == "[]"


def test_every_name_of_the_surface_imports_and_is_callable() -> None:
    for name in SURFACE:
        assert name in streamfabric.__all__
        assert callable(getattr(streamfabric, name)), name
    assert set(SURFACE) <= set(dir(streamfabric))


def test_render_and_deploy_are_functions_whatever_was_imported_first() -> None:
    # Their packages are named otherwise (rendering, deployment): importing a package first never
    # makes the name the module, and a typed caller reaches the package's names (mypy sees them).
    code = (
        "import json, streamfabric.deployment.pipeline, streamfabric.rendering.api\n"
        "from streamfabric import render, deploy, load_topology\n"
        "import streamfabric.deployment as package\n"
        f"files = render(load_topology({str(ROOT / 'examples' / 'minimal.json')!r}))\n"
        "print(json.dumps([type(deploy).__name__, type(render).__name__, package.PlainReporter.__name__, "
        "'cloudformation/manifest.json' in files, deploy.__module__, render.__module__]))"
    )
    assert json.loads(_python(code)) == [
        "function",
        "function",
        "PlainReporter",
        True,
        "streamfabric.deployment.pipeline",
        "streamfabric.rendering",
    ]


def test_the_functions_are_the_ones_of_their_modules() -> None:
    from streamfabric import destroy, history, status, switch, switching, take
    from streamfabric.deployment import pipeline

    assert destroy is pipeline.destroy
    assert (switch, take, status, history) == (
        switching.switch,
        switching.take,
        switching.status,
        switching.history,
    )
    assert streamfabric.Switcher is switching.Switcher


def test_the_library_logs_through_a_null_handler_only() -> None:
    import logging

    import streamfabric.aws  # noqa: F401  (every module that logs imports it)

    handlers = logging.getLogger("streamfabric").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)
    assert not any(type(h) is logging.StreamHandler for h in handlers)

"""Logging options (-v, --debug) on stderr, and the live progress block cut to the terminal width."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.cli.main import main
from streamfabric.cli.output import configure_logging
from streamfabric.deployment.plan.instructions import DeleteStack, Phase
from streamfabric.deployment.progress import LiveReporter
from streamfabric.topology.loading import load_topology

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_cli_logging() -> Iterator[None]:
    yield
    import argparse

    configure_logging(argparse.Namespace())  # removes what a test's command installed


def test_the_live_block_is_cut_to_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    step = DeleteStack(stack="festival-flows-ap-southeast-2-with-a-long-name", region="ap-southeast-2")
    out = Terminal()
    reporter = LiveReporter(out)
    reporter.phase(Phase("stacks", (step,)))
    reporter.status(step, "DELETE_IN_PROGRESS")
    drawn = [line.split("\x1b[2K")[-1] for line in out.getvalue().splitlines()[1:]]
    assert drawn and all(len(line) <= 39 for line in drawn), drawn
    assert drawn[-1].endswith("…") and drawn[-1].startswith("… festival-flows-ap-southeast-2")


@pytest.mark.integration
def test_verbose_logs_aws_calls_to_stderr_and_debug_adds_botocore(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "minimal.json"
    shutil.copy(EXAMPLES / "minimal.json", path)
    helpers.create_example_secrets(load_topology(str(path)), aws)
    argv = ["deploy", str(path), "--network", "cloudformation", "--dry-run", "--json"]

    assert main(argv) == 0
    quiet = capsys.readouterr()
    assert "streamfabric.aws.gateway" not in quiet.err

    assert main([*argv, "-v"]) == 0
    verbose = capsys.readouterr()
    assert "INFO streamfabric.aws.gateway: us-east-1 cloudformation." in verbose.err
    assert "botocore" not in verbose.err
    assert verbose.out == quiet.out  # stdout is the same JSON document

    assert main(["--debug", *argv]) == 0
    debug = capsys.readouterr()
    assert "DEBUG botocore." in debug.err
    assert debug.out == quiet.out
    assert logging.getLogger("botocore").level == logging.DEBUG

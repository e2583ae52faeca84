"""GitOps hooks: each pre-commit hook's entry and the GitHub Action's scripts, run as they are."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ci_skip import skip_unless_ci

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
INVALID = ROOT / "tests" / "fixtures" / "invalid" / "port-range.json"
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _env(**extra: str) -> dict[str, str]:
    """The checkout's source first; `python` and `streamfabric` from this interpreter's bin/."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        **extra,
    }


def _hook(hook_id: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    hook = HOOKS[hook_id]
    argv = [*shlex.split(hook["entry"]), *hook.get("args", []), *args]
    if argv[0] == "python":
        argv[0] = sys.executable
    return subprocess.run(argv, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120, check=False)


def test_the_validate_hook_validates_every_file_it_is_given(tmp_path: Path) -> None:
    hook = HOOKS["streamfabric-validate"]
    assert hook["language"] == "python" and hook.get("pass_filenames", True)
    good = [str(EXAMPLES / "festival.json"), str(EXAMPLES / "minimal.json")]
    ok = _hook("streamfabric-validate", good, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count(": valid") == 2
    bad = _hook("streamfabric-validate", [*good, str(INVALID)], tmp_path)
    assert bad.returncode == 1
    assert "port-range.json: $." in bad.stderr
    assert re.search(hook["files"], "topologies/festival.json")


def test_the_render_check_hook_fails_on_drift(tmp_path: Path) -> None:
    hook = HOOKS["streamfabric-render-check"]
    assert hook["pass_filenames"] is False
    topology = tmp_path / "festival.json"
    shutil.copy(EXAMPLES / "festival.json", topology)
    args = [str(topology), "--out", str(tmp_path / "infra")]
    assert _hook("streamfabric-render-check", args, tmp_path).returncode == 2  # nothing rendered yet
    subprocess.run(
        [sys.executable, "-m", "streamfabric", "render", *args], env=_env(), check=True, capture_output=True
    )
    clean = _hook("streamfabric-render-check", args, tmp_path)
    assert clean.returncode == 0, clean.stderr


def _step(step_id: str) -> dict[str, Any]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def _run_step(step_id: str, cwd: Path, inputs: dict[str, str], **github: str) -> tuple[int, dict[str, str]]:
    """Run one composite step's script with bash, its ${{ }} env resolved from ``inputs``/``github``."""
    step = _step(step_id)
    env: dict[str, str] = {}
    for name, value in step.get("env", {}).items():
        expression = re.fullmatch(r"\$\{\{\s*(inputs|github)\.([\w-]+)\s*\}\}", str(value))
        assert expression, f"{step_id}: {name} must be a plain input or github context: {value}"
        source = inputs if expression.group(1) == "inputs" else github
        env[name] = source.get(expression.group(2), "")
    assert "${{" not in step["run"], f"{step_id}: scripts read the environment only"
    output, summary = cwd / "github_output", cwd / "step_summary"
    output.write_text("")
    runner_temp = cwd / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=cwd,
        env=_env(
            **env, GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(runner_temp)
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc.returncode, outputs


@pytest.fixture()
def repository(tmp_path: Path) -> Path:
    """A git repository whose main branch has festival.json and its rendered files; the pull request
    (the working tree) changes a port."""
    if not shutil.which("git"):
        skip_unless_ci("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(EXAMPLES / "festival.json", repo / "festival.json")
    subprocess.run(
        [sys.executable, "-m", "streamfabric", "render", "festival.json", "--out", "infra"],
        cwd=repo,
        env=_env(),
        check=True,
        capture_output=True,
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for argv in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run([*git, *argv], cwd=repo, check=True, capture_output=True)
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=repo, check=True)
    return repo


def test_the_action_validates_checks_drift_and_diffs_a_pull_request(repository: Path) -> None:
    inputs = {"topology": "festival.json", "out": "infra", "network": "terraform"}
    assert _run_step("validate", repository, inputs)[0] == 0
    assert _run_step("render-check", repository, inputs) == (0, {"drift": "false"})
    assert _run_step("diff", repository, inputs, base_ref="main") == (0, {"changes": "false"})

    document = json.loads((repository / "festival.json").read_text())
    document["ingests"][0]["port"] = 5004
    (repository / "festival.json").write_text(json.dumps(document, indent=2))
    assert _run_step("render-check", repository, inputs) == (2, {"drift": "true"})
    assert _run_step("diff", repository, inputs, base_ref="main") == (0, {"changes": "true"})
    comment = (repository / "runner_temp" / "streamfabric-diff.md").read_text()
    assert comment.startswith("### streamfabric diff") and "5004" in comment
    assert "5004" in (repository / "step_summary").read_text()

    (repository / "festival.json").write_text("{")
    assert _run_step("validate", repository, inputs)[0] == 1

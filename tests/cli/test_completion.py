"""``streamfabric completion``: scripts that complete commands, options and choices; no cost elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ci_skip import skip_unless_ci
from streamfabric.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }


def _script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def _bash_complete(script: Path, *words: str) -> list[str]:
    words_list = " ".join(f"'{w}'" for w in words)
    code = (
        f"source {script}; COMP_WORDS=({words_list}); COMP_CWORD={len(words) - 1}; "
        '_shtab_streamfabric; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    proc = subprocess.run(["bash", "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if line]


def test_bash_completes_commands_options_and_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not shutil.which("bash"):
        skip_unless_ci("bash is not installed")
    script = tmp_path / "streamfabric.bash"
    script.write_text(_script("bash", capsys))
    assert set(_bash_complete(script, "streamfabric", "")) >= set(COMMANDS)
    assert _bash_complete(script, "streamfabric", "de") == ["deploy", "destroy", "demo"]
    assert _bash_complete(script, "streamfabric", "deploy", "--net") == ["--network-outputs", "--network"]
    assert _bash_complete(script, "streamfabric", "completion", "") == ["bash", "zsh", "fish"]
    assert _bash_complete(script, "streamfabric", "switch", "x", "--target", "") == ["live", "preview"]


@pytest.mark.parametrize(
    ("shell", "marker"), [("zsh", "#compdef streamfabric"), ("fish", "complete -c streamfabric")]
)
def test_zsh_and_fish_scripts_name_every_command(
    shell: str, marker: str, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script(shell, capsys)
    assert marker in script
    for command in COMMANDS:
        assert command in script, command
    if shutil.which(shell):  # the shell itself parses it, where installed
        proc = subprocess.run([shell, "-n"], input=script, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr


def test_other_commands_do_not_import_shtab() -> None:
    code = (
        "import sys\nfrom streamfabric.cli.main import main\n"
        f"code = main(['validate', {str(ROOT / 'examples' / 'minimal.json')!r}])\n"
        "print('shtab' in sys.modules, 'boto3' in sys.modules, 'logging' in sys.modules, code)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60, check=False
    )
    assert proc.stdout.splitlines()[-1] == "False False False 0", proc.stderr

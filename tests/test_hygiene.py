"""The test session itself: no real account reachable, a timeout on every test, Hypothesis profiles,
and a Playwright whose Chromium is Debian's."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from hypothesis import settings

from ci_skip import skip_unless_ci


def test_the_session_has_fake_credentials_and_no_config_files() -> None:
    assert os.environ["AWS_CONFIG_FILE"] == os.devnull
    assert os.environ["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert "AWS_PROFILE" not in os.environ
    credentials = boto3.session.Session().get_credentials()
    assert credentials is not None
    assert (credentials.access_key, credentials.method) == ("testing", "env")


def test_the_real_aws_environment_fixture_is_the_only_way_back(pytester: pytest.Pytester) -> None:
    """A session started with a profile and a config file sees neither, except in the opt-in fixture."""
    root = Path(__file__).resolve().parent
    pytester.makeconftest((root / "conftest.py").read_text())
    pytester.makepyfile(
        test_env="""
import os

def test_plain():
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_CONFIG_FILE"] == os.devnull

def test_opt_in(real_aws_environment):
    assert os.environ["AWS_PROFILE"] == "prod"
    assert os.environ["AWS_CONFIG_FILE"] == "/home/someone/.aws/config"
    assert "AWS_ACCESS_KEY_ID" not in os.environ
"""
    )
    env = {"AWS_PROFILE": "prod", "AWS_CONFIG_FILE": "/home/someone/.aws/config"}
    saved = {k: os.environ.get(k) for k in (*env, "AWS_ACCESS_KEY_ID")}
    try:
        os.environ.update(env)
        os.environ.pop("AWS_ACCESS_KEY_ID", None)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    result.assert_outcomes(passed=2)


def test_every_test_has_a_timeout(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert 0 < float(pytestconfig.getini("timeout")) <= 600


def test_hypothesis_profiles_are_registered() -> None:
    ci, long = settings.get_profile("ci"), settings.get_profile("long")
    assert long.max_examples > 10 * ci.max_examples
    assert ci.deadline is None and ci.database is None
    assert ci.suppress_health_check == ()  # each property names what it suppresses, if anything


def test_the_long_profile_is_applied_by_the_command_line_option(pytester: pytest.Pytester) -> None:
    root = Path(__file__).resolve().parent
    pytester.makeconftest((root / "conftest.py").read_text())
    pytester.makepyfile(
        test_profile="""
from hypothesis import settings

def test_profile():
    assert settings.default.max_examples == 5000
"""
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:xdist", "--hypothesis-profile", "long"
    )
    result.assert_outcomes(passed=1)


def test_playwright_drives_the_chromium_debian_ships() -> None:
    chromium = os.environ.get("STREAMFABRIC_CHROMIUM", "/usr/bin/chromium")
    if not shutil.which(chromium):
        skip_unless_ci(f"{chromium} is not installed (scripts/test.sh installs Debian's chromium)")
    import playwright

    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    bundled = next(b for b in json.loads(browsers.read_text())["browsers"] if b["name"] == "chromium")
    out = subprocess.run([chromium, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)\.\d+\.\d+\.\d+", out)
    assert found, out
    assert bundled["browserVersion"].split(".")[0] == found.group(1), (
        f"playwright targets Chromium {bundled['browserVersion']}, Debian ships {found.group(0)}: "
        "pin the playwright release of that Chromium major in pyproject.toml and constraints.txt"
    )

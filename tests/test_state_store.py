"""The runtime state's store: one S3-or-file switch for deploy's reads and a Switcher's re-reads."""

from __future__ import annotations

from pathlib import Path

import boto3

from streamfabric.aws.gateway import AwsGateway
from streamfabric.state.store import read_state, read_state_if_changed


def _gateway() -> AwsGateway:  # a local path never reaches the session
    return AwsGateway(
        boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="eu-west-1")
    )


def test_a_local_state_is_read_again_only_when_its_file_changed(tmp_path: Path) -> None:
    path = tmp_path / "festival.state.json"
    gateway = _gateway()
    assert read_state_if_changed(gateway, str(path), None) == (None, None)  # no state yet
    path.write_text('{"a": 1}', encoding="utf-8")
    text, version = read_state_if_changed(gateway, str(path), None)
    assert text == '{"a": 1}' and version is not None
    assert read_state_if_changed(gateway, str(path), version) == (None, version)
    path.write_text('{"a": 22}', encoding="utf-8")
    text, newer = read_state_if_changed(gateway, str(path), version)
    assert text == '{"a": 22}' and newer not in (None, version)
    assert read_state(gateway, str(path)) == '{"a": 22}'


def test_a_directory_or_a_missing_file_is_no_state(tmp_path: Path) -> None:
    gateway = _gateway()
    assert read_state(gateway, str(tmp_path)) is None
    assert read_state(gateway, str(tmp_path / "missing.json")) is None

"""Loading a topology from S3 (``s3://bucket/key[?versionId=...]``) against the moto server."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from streamfabric.cli.main import main
from streamfabric.errors import SourceError
from streamfabric.topology.loading import load_topology, split_s3_uri

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL = ROOT / "examples" / "festival.json"
BUCKET = "streamfabric-topologies"
KEY = "events/festival.json"
URI = f"s3://{BUCKET}/{KEY}"


@pytest.fixture()
def s3(aws: str) -> Any:
    """A versioned bucket on the moto server."""
    import boto3

    client = boto3.session.Session(region_name="eu-west-1").client("s3")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


def _put(s3: Any, data: bytes, key: str = KEY) -> str:
    version: str = s3.put_object(Bucket=BUCKET, Key=key, Body=data)["VersionId"]
    return version


def _renamed(name: str) -> bytes:
    doc = json.loads(FESTIVAL.read_text(encoding="utf-8"))
    doc["name"] = name
    return json.dumps(doc, indent=2).encode("utf-8")


def test_latest_and_old_versions(s3: Any) -> None:
    first = FESTIVAL.read_bytes()
    second = _renamed("festival-two")
    v1 = _put(s3, first)
    v2 = _put(s3, second)
    assert v1 != v2

    latest = load_topology(URI)
    assert latest.name == "festival-two"
    assert latest.source.uri == URI
    assert latest.source.version == v2
    assert latest.source.sha256 == hashlib.sha256(second).hexdigest()
    assert latest.source.is_s3
    assert latest.source.display == URI

    old = load_topology(f"{URI}?versionId={v1}")
    assert old.name == "festival"
    assert old.source.uri == URI  # the version is kept apart from the URI
    assert old.source.version == v1
    assert old.source.sha256 == hashlib.sha256(first).hexdigest()
    assert old.ingest_names == load_topology(str(FESTIVAL)).ingest_names


def test_validate_json_reports_the_s3_version(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    version = _put(s3, FESTIVAL.read_bytes())
    assert main(["validate", "--json", URI]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["source"] == {
        "uri": URI,
        "version": version,
        "sha256": hashlib.sha256(FESTIVAL.read_bytes()).hexdigest(),
    }


def test_problems_of_an_s3_topology_name_the_uri(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = ROOT / "tests" / "fixtures" / "invalid" / "port-range.json"
    _put(s3, fixture.read_bytes())
    assert main(["validate", URI]) == 1
    err = capsys.readouterr().err
    assert (
        f"{URI}: $.ingests[3].port: 70000 is greater than the maximum of 65535 [SF1007]" in err.splitlines()
    )


def test_missing_object(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    uri = f"s3://{BUCKET}/events/missing.json"
    with pytest.raises(SourceError) as caught:
        load_topology(uri)
    assert str(caught.value).startswith(f"{uri}: cannot read the topology: NoSuchKey: ")

    assert main(["validate", uri]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: {uri}: cannot read the topology: NoSuchKey: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_version(s3: Any) -> None:
    _put(s3, FESTIVAL.read_bytes())
    with pytest.raises(SourceError, match=r"cannot read the topology: (NoSuchVersion|InvalidArgument)"):
        load_topology(f"{URI}?versionId=no-such-version")


def test_missing_bucket(aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    uri = "s3://no-such-bucket-here/festival.json"
    with pytest.raises(SourceError) as caught:
        load_topology(uri)
    assert str(caught.value).startswith(f"{uri}: cannot read the topology: NoSuchBucket: ")

    assert main(["validate", uri]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {uri}: cannot read the topology: NoSuchBucket: ")
    assert "Traceback" not in err


@pytest.mark.parametrize("uri", ["s3://bucket-only", "s3:///key-only", "s3://bucket/"])
def test_malformed_s3_uri(uri: str) -> None:
    with pytest.raises(SourceError, match="not an s3://bucket/key URI"):
        split_s3_uri(uri)
    with pytest.raises(SourceError, match="not an s3://bucket/key URI"):
        load_topology(uri)


def test_split_s3_uri() -> None:
    assert split_s3_uri("s3://b/a/b.json?versionId=v1") == ("b", "a/b.json", "v1")
    assert split_s3_uri("s3://b/a.json") == ("b", "a.json", None)

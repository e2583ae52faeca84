"""A long-lived control API stays fresh: it re-reads a changed runtime state (S3 ETag, file mtime), and
two Switchers on one deployment (two Lambda containers) never answer "unchanged" to a switch that
changes what is on air, nor write a wrong ``from`` in the audit log."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.api.local import LocalServer
from streamfabric.aws.gateway import AwsGateway
from streamfabric.sandbox.mediaconnect import asynchronous
from streamfabric.switching import Switcher
from streamfabric.switching.audit import S3AuditLog
from streamfabric.switching.freshness import StateSource
from streamfabric.topology.loading import load_topology

from .conftest import World
from .test_api import request

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def world_files(on_air_reset: World) -> Iterator[World]:
    """Restores the topology and runtime state files the test rewrites."""
    paths = [on_air_reset.directory / "festival.json", on_air_reset.directory / "festival.state.json"]
    saved = {p: p.read_bytes() for p in paths}
    yield on_air_reset
    for path, data in saved.items():
        path.write_bytes(data)
    asynchronous.reset()


def _gateway(session: Any = None) -> AwsGateway:
    return AwsGateway(session or helpers.session(), waiter_delay=0)


def _bucket(name: str) -> None:
    helpers.session().client("s3").create_bucket(Bucket=name)


@pytest.fixture(params=["local", "s3"])
def two_switchers(request: pytest.FixtureRequest, world_files: World) -> tuple[Switcher, Switcher, Any]:
    """Two Switchers with their own sessions on one deployment and one audit log (a file, or S3)."""
    world = world_files
    sessions = [world.session(), world.session()]
    counter = helpers.CallCounter(sessions[0])
    if request.param == "s3":
        _bucket("festival-audit")
        audits = [S3AuditLog(_gateway(s), "s3://festival-audit/log/") for s in sessions]
        pair = [world.switcher(s, audit=audit) for s, audit in zip(sessions, audits, strict=True)]
    else:
        pair = [world.switcher(s) for s in sessions]
    for sw in pair:
        sw.status()  # both warm: each knows what is on air
        sw.caller()
    return pair[0], pair[1], counter


def test_two_switchers_never_answer_unchanged_wrongly_nor_write_a_wrong_from(
    two_switchers: tuple[Switcher, Switcher, Any],
) -> None:
    a, b, counter = two_switchers
    assert a.switch("sydney-stage", "live").previous == "main-stage"

    back = b.switch("main-stage", "live")  # B last saw main-stage on air: it must not say "unchanged"
    assert (back.changed, back.previous) == (True, "sydney-stage")

    again = a.switch("main-stage", "live")  # A put sydney-stage there: now it is main-stage again
    assert (again.changed, again.previous) == (False, "main-stage")

    counter.reset()
    moved = a.switch("nyc-studio", "live")
    assert (moved.changed, moved.previous) == (True, "main-stage")
    assert [c for c in counter.calls if c[0] == "mediaconnect"] == [("mediaconnect", "UpdateFlowSource")]

    records = [(r.from_ingest, r.to_ingest, r.outcome) for r in a.history()]
    assert records[-4:] == [
        ("main-stage", "sydney-stage", "switched"),
        ("sydney-stage", "main-stage", "switched"),
        ("main-stage", "main-stage", "unchanged"),
        ("main-stage", "nyc-studio", "switched"),
    ]
    # every "from" is what the previous switch put on air
    switched = [r for r in records if r[2] == "switched"]
    assert all(prev[1] == cur[0] for prev, cur in itertools.pairwise(switched))


def test_a_take_by_one_switcher_after_anothers_switch_uses_what_is_on_air(
    two_switchers: tuple[Switcher, Switcher, Any],
) -> None:
    a, b, _ = two_switchers
    a.switch("nyc-studio", "preview")
    take = b.take()
    assert (take.previous_live, take.previous_preview) == ("main-stage", "nyc-studio")
    assert (take.live, take.preview) == ("nyc-studio", "main-stage")


# -- the runtime state ---------------------------------------------------------------------------
def test_a_local_state_is_re_read_when_its_file_changed_at_most_every_ttl(world_files: World) -> None:
    path = world_files.directory / "festival.state.json"
    clock = Clock()
    source = StateSource(_gateway(), str(path), ttl=5.0, clock=clock)
    first = source.get()
    clock.now += 10
    assert source.get() is first and source.reads == 1  # unchanged file: not read again

    raw = json.loads(path.read_text())
    del raw["ingests"]["sydney-stage"]
    path.write_text(json.dumps(raw))
    assert source.get() is first  # within the ttl
    clock.now += 5
    assert "sydney-stage" not in source.get().ingests and source.reads == 2


def test_an_s3_state_is_re_read_by_a_conditional_get_on_its_etag(world_files: World) -> None:
    _bucket("festival-state")
    s3 = helpers.session().client("s3")
    text = (world_files.directory / "festival.state.json").read_text()
    s3.put_object(Bucket="festival-state", Key="festival.state.json", Body=text.encode())
    session = helpers.session()
    conditions: list[str | None] = []
    session.events.register(
        "before-call.s3.GetObject",
        lambda params, **_: conditions.append(params["headers"].get("If-None-Match")),
    )
    clock = Clock()
    source = StateSource(_gateway(session), "s3://festival-state/festival.state.json", ttl=5.0, clock=clock)
    first = source.get()
    clock.now += 5
    assert source.get() is first and source.reads == 1  # 304: not modified
    raw = json.loads(text)
    del raw["ingests"]["sydney-stage"]
    s3.put_object(Bucket="festival-state", Key="festival.state.json", Body=json.dumps(raw).encode())
    assert source.refresh() is True and "sydney-stage" not in source.get().ingests
    etag = s3.head_object(Bucket="festival-state", Key="festival.state.json")["ETag"]
    assert conditions[0] is None and conditions[1] is not None and conditions[1] != etag
    assert source.refresh() is False and conditions[-1] == etag


def test_an_address_or_ingest_the_state_does_not_know_re_reads_it_at_once(world_files: World) -> None:
    world = world_files
    path = world.directory / "festival.state.json"
    full = path.read_text()
    raw = json.loads(full)
    del raw["ingests"]["sydney-stage"]
    path.write_text(json.dumps(raw))
    stale = world.switcher(state_ttl=3600.0)
    assert "sydney-stage" not in stale.state.ingests

    path.write_text(full)  # a deploy added sydney-stage; another Switcher puts it on air
    world.switcher().switch("sydney-stage", "live", force=True)
    status = stale.status()
    assert status.live.ingest == "sydney-stage"  # not "unknown source"
    assert "sydney-stage" in {i.name for i in status.ingests}

    path.write_text(json.dumps(raw))
    other = world.switcher(state_ttl=3600.0)
    assert "sydney-stage" not in other.state.ingests
    path.write_text(full)
    assert other.switch("sydney-stage", "preview", force=True).changed


def test_get_topology_answers_with_the_topology_of_the_latest_deployed_state(world_files: World) -> None:
    world = world_files
    topology, state_path = world.directory / "festival.json", world.directory / "festival.state.json"
    sw = world.switcher(state_ttl=0.0)
    with LocalServer(sw, caller="arn:aws:iam::123456789012:user/carol") as url:
        code, before = request(f"{url}/topology")
        assert code == 200
        doc = json.loads(topology.read_text())
        doc["ingests"][0]["description"] = "re-described by a later deploy"
        topology.write_text(json.dumps(doc, indent=2))
        code, undeployed = request(f"{url}/topology")
        assert undeployed == before  # edited, not deployed: the running deployment is still the old one

        state = json.loads(state_path.read_text())
        state["topology_sha256"] = load_topology(str(topology)).source.sha256  # what deploy writes
        state_path.write_text(json.dumps(state))
        code, after = request(f"{url}/topology")
    assert code == 200
    assert after["ingests"][0]["description"] == "re-described by a later deploy"
    assert before["ingests"][0]["description"] != after["ingests"][0]["description"]

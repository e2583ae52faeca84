"""The protection documents (streamfabric.state.protection): ``--until`` parsing and the limits
(pure), the decisions, and the compare-and-swap writes on a local file and on S3 (the emulator),
with many writers racing for one flow."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deploy import helpers
from streamfabric.aws.gateway import AwsGateway
from streamfabric.errors import NotProtectorError, ProtectedError, UsageError
from streamfabric.state.protection import (
    MAX_DURATION,
    Protection,
    active_protections,
    new_protection,
    parse_until,
    protection_uri,
    read_protection,
    remove_protection,
    write_protection,
)

NOW = datetime(2026, 7, 4, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", NOW + timedelta(minutes=90)),
        ("2h", NOW + timedelta(hours=2)),
        ("1h30m", NOW + timedelta(minutes=90)),
        ("45s", NOW + timedelta(seconds=45)),
        ("21:30", datetime(2026, 7, 4, 21, 30, tzinfo=UTC)),
        ("00:10Z", datetime(2026, 7, 5, 0, 10, tzinfo=UTC)),  # tomorrow's
        ("2026-07-04T22:00:00Z", datetime(2026, 7, 4, 22, 0, tzinfo=UTC)),
        ("2026-07-04T23:00:00+02:00", datetime(2026, 7, 4, 21, 0, tzinfo=UTC)),
        ("2026-07-04 21:00", datetime(2026, 7, 4, 21, 0, tzinfo=UTC)),  # no offset: UTC
    ],
)
def test_until_takes_a_duration_a_time_of_day_or_an_iso_time(text: str, expected: datetime) -> None:
    assert parse_until(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("5h", "more than 4 h away"),
        ("2026-07-05T12:00:00Z", "more than 4 h away"),
        ("2026-07-04T20:00:00Z", "not in the future"),
        ("0m", "not in the future"),
        ("soon", "expected a duration"),
        ("", "expected a duration"),
        ("25:00", "not a time of day"),
    ],
)
def test_until_refuses_the_past_beyond_the_maximum_and_nonsense(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        parse_until(text, NOW)


def test_a_protection_lasts_the_maximum_by_default_and_names_who_why_and_until() -> None:
    found = new_protection("live", "alice", "speech", NOW, None)
    assert found.until == "2026-07-05T00:15:00Z" and timedelta(hours=4) == MAX_DURATION
    assert found.describe() == "live is protected by alice until 2026-07-05 00:15:00 UTC (speech)"
    assert found.active(NOW) and not found.active(NOW + MAX_DURATION)
    assert Protection.from_json(found.to_json()) == found
    assert Protection.from_json("{not json") is None
    with pytest.raises(UsageError, match="unknown flow"):
        new_protection("program", "alice", "", NOW, None)


def _gateway() -> AwsGateway:
    return AwsGateway.__new__(AwsGateway)  # a local document makes no AWS call


def test_local_documents_protect_extend_refuse_and_lift(tmp_path: Path) -> None:
    state = str(tmp_path / "festival.state.json")
    gw = _gateway()
    mine = write_protection(gw, state, new_protection("live", "alice", "speech", NOW, None), NOW)
    assert Path(protection_uri(state, "live")).is_file()
    assert read_protection(gw, state, "live", NOW) == mine
    assert active_protections(gw, state, NOW) == {"live": mine}
    with pytest.raises(ProtectedError, match="cannot protect live: live is protected by alice"):
        write_protection(gw, state, new_protection("live", "bob", "", NOW, None), NOW)
    with pytest.raises(NotProtectorError, match="only alice can unprotect it"):
        remove_protection(gw, state, "live", "bob", NOW)
    later = NOW + timedelta(hours=1)
    extended = write_protection(gw, state, new_protection("live", "alice", "longer", later, None), later)
    assert (extended.id, extended.since, extended.reason) == (mine.id, mine.since, "longer")
    assert remove_protection(gw, state, "live", "alice", later) == extended
    assert remove_protection(gw, state, "live", "alice", later) is None
    # expired: no protection, and anyone may protect over it or remove what was left behind
    write_protection(gw, state, new_protection("preview", "alice", "", NOW, NOW + timedelta(minutes=1)), NOW)
    after = NOW + timedelta(minutes=2)
    assert read_protection(gw, state, "preview", after) is None
    assert remove_protection(gw, state, "preview", "bob", after) is None
    assert not Path(protection_uri(state, "preview")).exists()


def _race(gw: AwsGateway, state: str, writers: int) -> tuple[list[Protection], list[ProtectedError]]:
    barrier = threading.Barrier(writers)
    won: list[Protection] = []
    lost: list[ProtectedError] = []

    def protect(who: str) -> None:
        wanted = new_protection("live", who, "", NOW, None)
        barrier.wait()
        try:
            won.append(write_protection(gw, state, wanted, NOW))
        except ProtectedError as exc:
            lost.append(exc)

    threads = [threading.Thread(target=protect, args=(f"operator-{i}",)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, lost


def test_many_operators_racing_for_a_local_protection_one_wins(tmp_path: Path) -> None:
    won, lost = _race(_gateway(), str(tmp_path / "festival.state.json"), 8)
    assert (len(won), len(lost)) == (1, 7)
    assert all(f"live is protected by {won[0].owner}" in str(exc) for exc in lost)


@pytest.mark.integration
def test_s3_protections_are_conditional_writes_and_one_of_many_wins(aws: str) -> None:
    sess = helpers.session()
    sess.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="festival-state", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    gw = helpers.gateway(sess)
    state = "s3://festival-state/festival.state.json"
    assert read_protection(gw, state, "live", NOW) is None
    won, lost = _race(gw, state, 6)
    assert (len(won), len(lost)) == (1, 5)
    winner = won[0]
    assert read_protection(gw, state, "live", NOW) == winner
    body = sess.client("s3").get_object(Bucket="festival-state", Key="festival.state.json.protect.live")
    assert Protection.from_json(body["Body"].read().decode()) == winner
    with pytest.raises(NotProtectorError):
        remove_protection(gw, state, "live", "someone-else", NOW)
    assert remove_protection(gw, state, "live", winner.owner, NOW) == winner
    assert read_protection(gw, state, "live", NOW) is None

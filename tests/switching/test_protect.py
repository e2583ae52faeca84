"""Protect (issue 28, item 2) against the emulator: a protected flow refuses every switch and take
from the library, the CLI, the API and a second panel on the local API, for everyone; only its
protector unprotects it; it expires by itself; two operators protecting at once: one wins; the
audit log records it all. Each test checks the hub flow's source with its own describe."""

from __future__ import annotations

import getpass
import json
import threading
import time
from typing import Any

import pytest

from deploy import helpers
from streamfabric.api.local import LocalServer
from streamfabric.aws.gateway import AwsGateway
from streamfabric.cli.main import main
from streamfabric.errors import AwsError, NotProtectorError, ProtectedError, SwitchError
from streamfabric.switching import Switcher

from .conftest import World
from .test_api import request  # with the local server's token

pytestmark = pytest.mark.integration

ALICE = "arn:aws:iam::123456789012:user/alice"
BOB = "arn:aws:iam::123456789012:user/bob"


def on_air_ip(world: World, role: str) -> str:
    return str(world.hub_source(role)["Transport"]["SourceListenerAddress"])  # type: ignore[index]


def ip_of(world: World, ingest: str) -> str:
    return world.switcher().state.ingests[ingest].private_ip


def test_a_protected_live_refuses_every_switch_and_take_from_the_library(on_air_reset: World) -> None:
    world = on_air_reset
    alice = world.switcher(caller=ALICE)
    protection = alice.protect("live", until="30m", reason="the headliner's speech")
    assert (protection.owner, protection.reason) == (ALICE, "the headliner's speech")

    session = world.session()
    counter = helpers.CallCounter(session)
    bob = world.switcher(session, caller=BOB)
    for attempt in (
        lambda: bob.switch("sydney-stage", "live"),
        lambda: bob.switch("sydney-stage", "live", force=True),  # force skips checks, not a protection
        lambda: alice.switch("sydney-stage", "live"),  # the protector too: unprotect first
        lambda: bob.take(),  # a take changes Live
    ):
        with pytest.raises(ProtectedError) as refused:
            attempt()
        message = str(refused.value)
        assert "live is protected by " + ALICE in message
        assert "the headliner's speech" in message and protection.until[:10] in message
        assert refused.value.kind == "protected" and refused.value.protection["owner"] == ALICE
    assert [c for c in counter.calls if c == ("mediaconnect", "UpdateFlowSource")] == []
    assert on_air_ip(world, "live") == ip_of(world, "main-stage")

    # Preview is not protected: it switches; a take is refused while either is protected
    assert bob.switch("nyc-studio", "preview").changed
    assert on_air_ip(world, "preview") == ip_of(world, "nyc-studio")

    status = bob.status()
    assert status.live.protection is not None and status.live.protection["owner"] == ALICE
    assert status.preview.protection is None

    assert alice.unprotect("live") == protection
    assert bob.switch("sydney-stage", "live").changed
    assert on_air_ip(world, "live") == ip_of(world, "sydney-stage")


def test_a_protected_preview_refuses_a_take(on_air_reset: World) -> None:
    world = on_air_reset
    world.switcher(caller=ALICE).protect("preview")
    with pytest.raises(ProtectedError, match="take refused: preview is protected"):
        world.switcher(caller=BOB).take()
    assert on_air_ip(world, "live") == ip_of(world, "main-stage")
    assert on_air_ip(world, "preview") == ip_of(world, "tent-stage")


def test_only_the_protector_unprotects(on_air_reset: World) -> None:
    world = on_air_reset
    alice, bob = world.switcher(caller=ALICE), world.switcher(caller=BOB)
    alice.protect("live", reason="ad break")
    with pytest.raises(NotProtectorError) as refused:
        bob.unprotect("live")
    assert f"only {ALICE} can unprotect it (you are {BOB})" in str(refused.value)
    with pytest.raises(ProtectedError, match=f"cannot protect live: live is protected by {ALICE}"):
        bob.protect("live", reason="mine now")  # nor take it over
    assert alice.protections.get("live") is not None  # still protected
    with pytest.raises(ProtectedError):
        bob.switch("sydney-stage", "live")
    assert alice.unprotect("live") is not None
    assert alice.unprotect("live") is None  # not protected any more: nothing to lift


def test_the_protector_extends_a_protection(on_air_reset: World) -> None:
    alice = on_air_reset.switcher(caller=ALICE)
    first = alice.protect("live", until="10m")
    second = alice.protect("live", until="3h", reason="longer")
    assert (second.id, second.since) == (first.id, first.since) and second.until > first.until
    assert alice.protections.get("live") == second


def test_a_protection_expires_by_itself(on_air_reset: World) -> None:
    world = on_air_reset
    world.switcher(caller=ALICE).protect("live", until="2s", reason="short")
    bob = world.switcher(caller=BOB)
    with pytest.raises(ProtectedError):
        bob.switch("sydney-stage", "live")
    time.sleep(2.2)
    assert bob.protections.get("live") is None
    assert bob.switch("sydney-stage", "live").changed
    assert on_air_ip(world, "live") == ip_of(world, "sydney-stage")
    # an expired protection is no protection: anyone protects over it
    assert bob.protect("live").owner == BOB


def race(operators: dict[str, Switcher], reason: str) -> tuple[dict[str, object], dict[str, ProtectedError]]:
    """Every operator protects Live at the same moment."""
    barrier = threading.Barrier(len(operators))
    won: dict[str, object] = {}
    lost: dict[str, ProtectedError] = {}

    def protect(who: str, sw: Switcher) -> None:
        barrier.wait()
        try:
            won[who] = sw.protect("live", reason=reason)
        except ProtectedError as exc:
            lost[who] = exc

    threads = [threading.Thread(target=protect, args=item) for item in operators.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, lost


def test_two_operators_protecting_at_once_one_wins(on_air_reset: World) -> None:
    world = on_air_reset
    for round_ in range(3):
        operators = {who: world.switcher(caller=who) for who in (ALICE, BOB)}
        won, lost = race(operators, f"round {round_}")
        assert len(won) == 1 and len(lost) == 1, (won, lost)
        (winner,), (loser,) = won, lost
        assert f"live is protected by {winner}" in str(lost[loser])
        assert operators[ALICE].protections.get("live").owner == winner  # type: ignore[union-attr]
        with pytest.raises(ProtectedError):
            operators[loser].switch("sydney-stage", "live")
        operators[winner].unprotect("live")
    assert on_air_ip(world, "live") == ip_of(world, "main-stage")
    outcomes = [r.outcome for r in world.switcher().history() if r.action == "protect"]
    assert sorted(outcomes) == ["protected"] * 3 + ["refused"] * 3


def test_the_cli_protects_refuses_a_switch_and_lists_it_in_history(
    on_air_reset: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world = on_air_reset
    topology = str(world.directory / "festival.json")
    assert main(["protect", "live", topology, "--until", "1h", "--reason", "speech"]) == 0
    out = capsys.readouterr().out
    assert "live is protected by " in out and "(speech)" in out

    assert main(["switch", "sydney-stage", topology]) == 1
    err = capsys.readouterr().err
    assert "switch live to sydney-stage refused: live is protected by" in err and "Traceback" not in err
    assert main(["take", topology, "--json"]) == 1
    problem = json.loads(capsys.readouterr().out)
    assert problem["error"] == "protected" and problem["protection"]["reason"] == "speech"
    assert on_air_ip(world, "live") == ip_of(world, "main-stage")

    assert main(["status", topology]) == 0
    assert "PROTECTED by" in capsys.readouterr().out
    # another identity cannot unprotect it; the CLI says so and exits 1
    owner = world.switcher(caller=BOB)
    with pytest.raises(NotProtectorError):
        owner.unprotect("live")
    assert main(["protect", "live", topology, "--until", "5h"]) == 2  # beyond the maximum: a usage error
    assert "at most 4 h" in capsys.readouterr().err
    assert main(["unprotect", "live", topology, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unprotected"] is True
    assert main(["switch", "sydney-stage", topology]) == 0
    capsys.readouterr()

    assert main(["history", topology, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["action"], r["target"], r["outcome"]) for r in records] == [
        ("protect", "live", "protected"),
        ("switch", "live", "refused"),
        ("take", "live+preview", "refused"),
        ("unprotect", "live", "refused"),  # bob's
        ("unprotect", "live", "unprotected"),
        ("switch", "live", "switched"),
    ]
    assert records[0]["evidence"]["reason"] == "speech"
    assert main(["history", topology]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "protect" in lines[0] and "protected" in lines[0] and "speech" in lines[0]


def test_the_api_and_a_second_panel_are_refused(on_air_reset: World) -> None:
    """carol protects Live through the API; dave's panel (another identity) and a panel on the local
    API (``streamfabric serve``'s local:<user>) are refused a switch (409) and the unprotect (403)."""
    world = on_air_reset
    carol_sw, dave_sw, local_sw = world.switcher(), world.switcher(), world.switcher()
    with (
        LocalServer(carol_sw, caller="carol@example.com") as carol,
        LocalServer(dave_sw, caller="dave@example.com") as dave,
        LocalServer(local_sw) as panel,
    ):
        code, protection = request(f"{carol}/protect", "POST", {"target": "live", "reason": "speech"})
        assert code == 200 and protection["owner"] == "carol@example.com" and protection["role"] == "live"

        for url in (dave, panel, carol):
            code, problem = request(f"{url}/switch", "POST", {"ingest": "sydney-stage"})
            assert code == 409, problem
            assert problem["error"] == "protected" and problem["protection"]["owner"] == "carol@example.com"
            assert "protected by carol@example.com" in problem["message"] and "speech" in problem["message"]
        code, problem = request(f"{panel}/take", "POST")
        assert code == 409 and problem["error"] == "protected"
        assert on_air_ip(world, "live") == ip_of(world, "main-stage")

        code, status = request(f"{panel}/status")
        assert code == 200 and status["live"]["protection"]["reason"] == "speech"
        assert status["preview"]["protection"] is None

        code, problem = request(f"{dave}/unprotect", "POST", {"target": "live"})
        assert code == 403 and problem["error"] == "not_protector"
        code, problem = request(f"{dave}/protect", "POST", {"target": "live"})
        assert code == 409 and problem["error"] == "protected"
        code, problem = request(f"{carol}/protect", "POST", {"target": "live", "until": "9h"})
        assert code == 400 and problem["field"] == "until"

        code, lifted = request(f"{carol}/unprotect", "POST", {"target": "live"})
        assert code == 200 and lifted["unprotected"] and lifted["protection"]["reason"] == "speech"
        code, result = request(f"{panel}/switch", "POST", {"ingest": "sydney-stage"})
        assert code == 200 and result["changed"]
        assert on_air_ip(world, "live") == ip_of(world, "sydney-stage")

        code, history = request(f"{panel}/history")
        assert [(h["action"], h["outcome"], h["caller"]) for h in history if h["action"] != "switch"] == [
            ("protect", "protected", "carol@example.com"),
            ("take", "refused", f"local:{getpass.getuser()}"),
            ("unprotect", "refused", "dave@example.com"),
            ("protect", "refused", "dave@example.com"),
            ("unprotect", "unprotected", "carol@example.com"),
        ]


class DeniedProtections(AwsGateway):
    """S3 answers AccessDenied for the protection documents (a caller without the permission)."""

    def call(self, service: str, region: str | None, operation: str, **params: Any) -> dict[str, Any]:
        if service == "s3" and ".protect." in str(params.get("Key", "")):
            raise AwsError("Access Denied", code="AccessDenied", operation="GetObject")
        return super().call(service, region, operation, **params)


def test_a_protection_that_cannot_be_read_refuses_the_switch_and_status_warns(on_air_reset: World) -> None:
    world = on_air_reset
    sw = world.switcher()
    sw.protections.gateway = DeniedProtections(world.session(), waiter_delay=0)
    sw.protections.state_uri = lambda: "s3://festival-state/festival.state.json"
    with pytest.raises(SwitchError, match="cannot tell whether live is protected") as refused:
        sw.switch("sydney-stage", "live")
    assert "nothing was changed" in str(refused.value) and "Access Denied" in str(refused.value)
    assert on_air_ip(world, "live") == ip_of(world, "main-stage")
    assert sw.history()[-1].outcome == "failed"
    status = sw.status()
    assert status.live.protection is None
    assert any(w.startswith("cannot tell whether live is protected") for w in status.warnings)

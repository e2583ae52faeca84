"""One deploy at a time: the lease beside the runtime state (a local file, or an S3 object written
with conditional PUTs), its expiry and take-over, ``force-unlock``, and two deploys started at once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deploy import helpers
from streamfabric.aws.gateway import AwsGateway
from streamfabric.cli.main import main
from streamfabric.deployment import deploy
from streamfabric.deployment.lease import (
    TTL,
    LeaseHeldError,
    LeaseLostError,
    acquire,
    force_unlock,
    lease_uri,
    read_lease,
)
from streamfabric.errors import DeployError
from streamfabric.state.store import state_uri
from streamfabric.topology.model import Topology

START = datetime(2026, 7, 4, 3, 14, 7, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _gateway() -> AwsGateway:
    return AwsGateway.__new__(AwsGateway)  # a local lease makes no AWS call


def test_a_second_command_is_refused_naming_the_holder_and_nothing_else_happens(tmp_path: Path) -> None:
    state = str(tmp_path / "festival.state.json")
    clock = Clock()
    first = acquire(_gateway(), state, "deploy", clock=clock, renew_every=3600)
    try:
        with pytest.raises(LeaseHeldError) as refused:
            acquire(_gateway(), state, "destroy", clock=clock, renew_every=3600)
        message = str(refused.value)
        assert "another deploy holds the lock since 2026-07-04 03:14:07 UTC" in message
        assert f"lease {first.lease.id}" in message and f"host {first.lease.host}" in message
        assert "nothing was changed" in message
        assert f"streamfabric force-unlock {first.lease.id}" in message
        assert refused.value.lease == first.lease  # the holder's lease, unchanged by the refusal
        assert read_lease(_gateway(), state) == first.lease
    finally:
        first.release()
    assert not Path(lease_uri(state)).exists()  # released: nothing left beside the state
    again = acquire(_gateway(), state, "destroy", clock=clock, renew_every=3600)
    again.release()


def test_an_expired_lease_is_taken_over_and_its_holder_learns_it_lost(tmp_path: Path) -> None:
    state = str(tmp_path / "festival.state.json")
    clock = Clock()
    crashed = acquire(_gateway(), state, "deploy", clock=clock, renew_every=3600)
    clock.now = START + TTL - timedelta(seconds=1)
    with pytest.raises(LeaseHeldError):
        acquire(_gateway(), state, "deploy", clock=clock, renew_every=3600)
    clock.now = START + TTL
    taker = acquire(_gateway(), state, "deploy", clock=clock, renew_every=3600)
    assert read_lease(_gateway(), state) == taker.lease
    crashed.renew()  # its renewal finds the lease is not the one it wrote
    with pytest.raises(LeaseLostError, match="taken over"):
        crashed.check()
    crashed.release()  # releasing a lost lease leaves the new holder's alone
    assert read_lease(_gateway(), state) == taker.lease
    taker.release()


def test_renewal_moves_the_expiry_and_keeps_others_out(tmp_path: Path) -> None:
    state = str(tmp_path / "festival.state.json")
    clock = Clock()
    held = acquire(_gateway(), state, "deploy", clock=clock, renew_every=3600)
    clock.now = START + TTL - timedelta(seconds=5)
    held.renew()
    assert held.lease.expires == "2026-07-04T03:18:02Z"
    clock.now = START + TTL + timedelta(seconds=5)  # past the first expiry, not the renewed one
    with pytest.raises(LeaseHeldError):
        acquire(_gateway(), state, "deploy", clock=clock, renew_every=3600)
    held.check()  # still ours
    held.release()


def test_force_unlock_removes_only_the_named_lease(tmp_path: Path) -> None:
    state = str(tmp_path / "festival.state.json")
    held = acquire(_gateway(), state, "deploy", renew_every=3600)
    with pytest.raises(DeployError, match=f"the lease held is {held.lease.id}"):
        force_unlock(_gateway(), state, "0123456789abcdef")
    assert read_lease(_gateway(), state) == held.lease
    assert force_unlock(_gateway(), state, held.lease.id) == held.lease
    assert read_lease(_gateway(), state) is None
    held.renew()
    with pytest.raises(LeaseLostError, match="removed or taken over"):
        held.check()
    with pytest.raises(DeployError, match="no lease is held"):
        force_unlock(_gateway(), state, held.lease.id)


def test_many_threads_racing_for_a_local_lease_one_wins(tmp_path: Path) -> None:
    state = str(tmp_path / "festival.state.json")
    won: list[object] = []
    refused: list[LeaseHeldError] = []
    start = threading.Barrier(8)

    def race() -> None:
        start.wait()
        try:
            won.append(acquire(_gateway(), state, "deploy", renew_every=3600))
        except LeaseHeldError as exc:
            refused.append(exc)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(won), len(refused)) == (1, 7)
    won[0].release()  # type: ignore[attr-defined]


@pytest.mark.integration
def test_an_s3_lease_is_conditional_and_force_unlock_works_from_the_cli(
    aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sess = helpers.session()
    sess.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="festival-state", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    gateway = helpers.gateway(sess)
    state = "s3://festival-state/festival.state.json"
    held = acquire(gateway, state, "deploy", renew_every=3600)
    with pytest.raises(LeaseHeldError):
        acquire(gateway, state, "deploy", renew_every=3600)
    body = sess.client("s3").get_object(Bucket="festival-state", Key="festival.state.json.lock")["Body"]
    assert json.loads(body.read())["id"] == held.lease.id
    held.renew()
    held.check()
    assert force_unlock(gateway, state, held.lease.id).id == held.lease.id
    held.renew()
    with pytest.raises(LeaseLostError):
        held.check()
    second = acquire(gateway, state, "deploy", renew_every=3600)
    second.release()
    assert read_lease(gateway, state) is None


@pytest.mark.integration
def test_two_deploys_started_together_one_deploys_the_other_is_refused(
    aws: str, minimal: Topology, capsys: pytest.CaptureFixture[str]
) -> None:
    helpers.create_example_secrets(minimal, aws)
    results: list[object] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        try:
            results.append(deploy(minimal, network="cloudformation", gateway=helpers.gateway()))
        except DeployError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], LeaseHeldError)
    assert "nothing was changed" in str(errors[0])
    # the one that deployed converged, and the lock is free again
    again = deploy(minimal, network="cloudformation", gateway=helpers.gateway())
    assert again.plan.empty and again.executed == ()
    assert read_lease(helpers.gateway(), state_uri(minimal)) is None
    # the CLI names the lock too: a lease left behind by a crashed deploy refuses, force-unlock frees
    left = acquire(helpers.gateway(), state_uri(minimal), "deploy", renew_every=3600)
    path = minimal.source.uri
    assert main(["deploy", path, "--network", "cloudformation", "--yes"]) == 1
    assert f"force-unlock {left.lease.id}" in capsys.readouterr().err
    assert main(["force-unlock", left.lease.id, path]) == 0
    assert main(["deploy", path, "--network", "cloudformation", "--yes"]) == 0

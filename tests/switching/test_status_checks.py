"""status against what AWS reports: flow errors (DescribeFlow Messages), broken on-air paths, flows
sharing our names — in the library, the CLI's --json and GET /status; switching finds flows by ARN.

The destructive tests (they break the deployed festival) come last in this module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from streamfabric.api.local import LocalServer
from streamfabric.cli.main import main
from streamfabric.sandbox.mediaconnect import asynchronous

from .conftest import World
from .test_api import request

pytestmark = pytest.mark.integration


@pytest.fixture()
def clean(on_air_reset: World) -> Iterator[World]:
    yield on_air_reset
    asynchronous.reset()


def _mc(world: World) -> Any:
    return world.session().client("mediaconnect", region_name=world.model.hub.region)


def _ingest(status: Any, name: str) -> Any:
    return next(i for i in status.ingests if i.name == name)


def test_a_flow_error_shows_in_status_cli_json_and_the_api(
    clean: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world = clean
    sw = world.switcher()
    state = sw.state
    asynchronous.set_flow_errors(state.ingests["sydney-stage"].flow_arn, ["Source: no SRT caller connected"])
    asynchronous.set_flow_errors(state.live.flow_arn, ["Source: connection to 10.0.1.9 failed"])

    status = sw.status()
    sydney = _ingest(status, "sydney-stage")
    assert sydney.state == "ACTIVE" and not sydney.healthy
    assert sydney.errors == ("Source: no SRT caller connected",)
    assert _ingest(status, "main-stage").healthy
    assert status.live.errors == ("Source: connection to 10.0.1.9 failed",)

    assert main(["status", str(world.directory / "festival.json"), "--json"]) == 0  # on air is healthy
    printed = json.loads(capsys.readouterr().out)
    assert next(i for i in printed["ingests"] if i["name"] == "sydney-stage")["errors"] == [
        "Source: no SRT caller connected"
    ]
    assert printed["live"]["errors"] == ["Source: connection to 10.0.1.9 failed"]

    with LocalServer(world.switcher(), caller="arn:aws:iam::123456789012:user/carol") as url:
        code, body = request(f"{url}/status")
    assert code == 200
    sydney_body = next(i for i in body["ingests"] if i["name"] == "sydney-stage")
    assert sydney_body.pop("signal")["has_signal"] is True  # flow errors are not its signal
    evidence = sydney_body.pop("evidence")  # how old each piece is: all just read here
    assert evidence["flow_status_s"] == evidence["flow_details_s"] == 0.0
    assert evidence["metadata_s"] is not None  # read now
    # CloudWatch's datapoints come 60 s late: none yet for flows deployed seconds ago (None), else its age
    assert evidence["metrics_s"] is None or evidence["metrics_s"] >= 0
    assert sydney_body == {
        "name": "sydney-stage", "region": "ap-southeast-2", "state": "ACTIVE", "healthy": False,
        "errors": ["Source: no SRT caller connected"], "on_live": False, "on_preview": False,
        "path_errors": [],
    }  # fmt: skip
    assert body["live"]["errors"] == ["Source: connection to 10.0.1.9 failed"]


def test_a_second_flow_with_our_name_is_reported_and_never_switched(clean: World) -> None:
    world = clean
    mc = _mc(world)
    source = {"Name": "standby", "Protocol": "srt-listener", "IngestPort": 7000}
    source["WhitelistCidr"] = "10.9.0.0/16"
    impostor = mc.create_flow(
        Name=world.model.flow_name("live"), AvailabilityZone=f"{world.model.hub.region}a", Source=source
    )["Flow"]
    try:
        sw = world.switcher()
        status = sw.status()
        assert len(status.warnings) == 1
        assert impostor["FlowArn"] in status.warnings[0] and sw.state.live.flow_arn in status.warnings[0]
        assert status.live.flow_arn == sw.state.live.flow_arn

        sw.switch("nyc-studio", "live")
        ours = mc.describe_flow(FlowArn=sw.state.live.flow_arn)["Flow"]["Source"]
        assert ours["Transport"]["SourceListenerAddress"] == sw.state.ingests["nyc-studio"].private_ip
        theirs = mc.describe_flow(FlowArn=impostor["FlowArn"])["Flow"]["Source"]
        assert theirs["Transport"] == {"Protocol": "srt-listener"}
    finally:
        mc.delete_flow(FlowArn=impostor["FlowArn"])


def test_a_switch_or_take_right_after_a_switch_waits_for_the_update(clean: World) -> None:
    from deploy import helpers

    world = clean
    session = world.session()
    counter = helpers.CallCounter(session)
    sw = world.switcher(session)
    # warm: ingest health known, so a switch's only calls are the update's (and it stays known:
    # on a loaded machine what follows may take longer than the 3 s a switch trusts a status poll)
    sw.signals.metrics_ttl = sw.signals.metadata_ttl = 3600.0
    sw.status()
    asynchronous.configure(asynchronous.UpdateWindow(updating_reads=3))
    sw.switch("sydney-stage", "preview")
    counter.reset()
    sw.switch("nyc-studio", "preview")  # refused by MediaConnect while UPDATING: waited out, made again
    assert counter.calls == [
        ("mediaconnect", "UpdateFlowSource"),  # refused: the flow is UPDATING
        *[("mediaconnect", "DescribeFlow")] * 4,  # UPDATING x3 (the window), then ACTIVE
        ("mediaconnect", "UpdateFlowSource"),
    ]
    result = sw.take()
    assert (result.live, result.preview, result.changed) == ("nyc-studio", "main-stage", True)
    asynchronous.finish_updates()
    status = sw.status()
    assert (status.live.ingest, status.preview.ingest) == ("nyc-studio", "main-stage")
    assert [r.outcome for r in sw.history()[-3:]] == ["switched", "switched", "switched"]


def test_a_take_while_an_update_does_not_settle_fails_clearly_and_changes_nothing(clean: World) -> None:
    world = clean
    sw = world.switcher(settle_attempts=3)
    asynchronous.configure(asynchronous.UpdateWindow(updating_reads=50))
    sw.switch("sydney-stage", "preview")
    from streamfabric.errors import SwitchError

    with pytest.raises(SwitchError, match=r"cannot take: preview is still UPDATING.*nothing was changed"):
        sw.take()
    asynchronous.finish_updates()
    fresh = world.switcher()
    assert fresh.on_air("live") == "main-stage" and fresh.on_air("preview") == "sydney-stage"
    assert fresh.history()[-1].outcome == "refused"


def test_flow_settled_does_not_take_active_for_done_before_the_update_shows(clean: World) -> None:
    from streamfabric.aws.gateway import AwsGateway
    from streamfabric.aws.waiters import source_expectation, wait
    from wire_shapes import WireRecorder

    world = clean
    recorder = WireRecorder(world.session())
    gateway = AwsGateway(recorder.session, waiter_delay=0)
    state = world.switcher().state
    target = state.ingests["boston-remote"]
    params = {"FlowArn": state.live.flow_arn, "SourceArn": state.live.source_arn,
              "SourceListenerAddress": target.private_ip, "SourceListenerPort": target.live_port}  # fmt: skip
    region = state.hub_region

    def last_describe() -> tuple[str, str]:
        flow = next(e for e in reversed(recorder.exchanges) if e.operation == "DescribeFlow").response
        assert flow is not None
        return flow["flow"]["status"], flow["flow"]["source"]["transport"]["sourceListenerAddress"]

    asynchronous.finish_updates()  # the fixture's switches
    asynchronous.configure(asynchronous.UpdateWindow(stale_reads=2, updating_reads=1))
    gateway.call("mediaconnect", region, "update_flow_source", **params)
    wait(gateway, "mediaconnect", region, "flow_settled", FlowArn=params["FlowArn"])
    assert last_describe() == ("ACTIVE", state.ingests["main-stage"].private_ip)  # the hazard: too early

    asynchronous.finish_updates()
    params["SourceListenerAddress"] = state.ingests["tent-stage"].private_ip
    gateway.call("mediaconnect", region, "update_flow_source", **params)
    wait(gateway, "mediaconnect", region, "flow_settled", FlowArn=params["FlowArn"],
         expect_source=source_expectation(params))  # fmt: skip
    assert last_describe() == ("ACTIVE", state.ingests["tent-stage"].private_ip)
    assert recorder.response_problems() == []


# -- destructive: these break the deployed festival ------------------------------------------------
def test_an_on_air_ingest_whose_hop_output_is_missing_or_off_its_interface_is_not_ok(
    clean: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world = clean
    sw = world.switcher()
    state = sw.state
    main_stage, tent = state.ingests["main-stage"], state.ingests["tent-stage"]
    mc = world.session().client("mediaconnect", region_name=main_stage.region)
    assert _ingest(sw.status(), "main-stage").healthy

    mc.remove_flow_output(FlowArn=main_stage.flow_arn, OutputArn=main_stage.output_arns["live"])
    flow = mc.describe_flow(FlowArn=tent.flow_arn)["Flow"]
    subnet = flow["VpcInterfaces"][0]["SubnetId"]
    other = {"Name": "other-vpc", "RoleArn": state.role_arn, "SecurityGroupIds": [], "SubnetId": subnet}
    mc.add_flow_vpc_interfaces(FlowArn=tent.flow_arn, VpcInterfaces=[other])
    mc.update_flow_output(FlowArn=tent.flow_arn, OutputArn=tent.output_arns["preview"],
                          VpcInterfaceAttachment={"VpcInterfaceName": "other-vpc"})  # fmt: skip

    status = sw.status()
    broken_live, broken_preview = _ingest(status, "main-stage"), _ingest(status, "tent-stage")
    assert broken_live.state == "ACTIVE" and not broken_live.healthy
    assert broken_live.path_errors == ("on live, but its hop output for live is missing",)
    (off_interface,) = broken_preview.path_errors
    assert off_interface.startswith("on preview, but its hop output to-preview is on other-vpc (10.")
    assert off_interface.endswith(f"not on the address the hub connects to ({tent.private_ip})")
    assert _ingest(status, "nyc-studio").healthy  # off air: no path to check

    assert main(["status", str(world.directory / "festival.json"), "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert next(i for i in printed["ingests"] if i["name"] == "main-stage")["healthy"] is False
    assert main(["status", str(world.directory / "festival.json")]) == 1
    table = capsys.readouterr().out
    assert "on live, but its hop output for live is missing" in table
    with LocalServer(world.switcher(), caller="arn:aws:iam::123456789012:user/carol") as url:
        code, body = request(f"{url}/status")
    assert code == 200
    api_main = next(i for i in body["ingests"] if i["name"] == "main-stage")
    assert (api_main["healthy"], api_main["path_errors"]) == (False, list(broken_live.path_errors))

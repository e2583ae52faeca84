"""Faults: throttling and 5xx on a fraction of AWS calls, a process dying mid-switch, and 50
concurrent switch requests through the local API. Everything must converge, nothing duplicated,
and a hub flow never ends without a source."""

from __future__ import annotations

import json
import random
import shutil
import threading
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.api.local import LocalServer
from streamfabric.aws.gateway import AwsGateway
from streamfabric.deployment import deploy
from streamfabric.errors import SwitchError
from streamfabric.switching import Switcher
from streamfabric.topology.loading import load_topology
from switching.conftest import World

pytestmark = pytest.mark.integration
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        body, self._body = self._body, b""
        return body


class Faults:
    """A ``before-send`` hook answering a seeded fraction of MediaConnect and CloudFormation calls
    with 429 (throttling) or 503, before they reach the server: botocore's retry mode must cope."""

    def __init__(self, session: boto3.session.Session, rate: float, seed: int = 7) -> None:
        self.rate = rate
        self.random = random.Random(seed)
        self.injected: Counter[int] = Counter()
        self.lock = threading.Lock()
        session.events.register("before-send.mediaconnect.*", self.hook)
        session.events.register("before-send.cloudformation.*", self.hook)

    def hook(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        with self.lock:
            if self.random.random() >= self.rate:
                return None
            status = self.random.choice([429, 503])
            self.injected[status] += 1
        code = "Throttling" if status == 429 else "ServiceUnavailable"
        if ".cloudformation." in event_name:  # the query protocol answers in XML
            body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                    "<Message>injected</Message></Error></ErrorResponse>").encode()  # fmt: skip
            return AWSResponse(request.url, status, {}, _Raw(body))
        code = "TooManyRequestsException" if status == 429 else code  # rest-json (MediaConnect)
        return AWSResponse(request.url, status, {"x-amzn-ErrorType": code}, _Raw(b'{"message": "injected"}'))


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's standard retries back off for real; the faults need the retries, not the waiting."""
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0)


def test_deploy_and_switch_converge_under_throttling_and_5xx(aws: str, tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "minimal.json", tmp_path / "minimal.json")
    model = load_topology(str(tmp_path / "minimal.json"))
    helpers.create_example_secrets(model, aws)
    faulty = helpers.session()
    faults = Faults(faulty, rate=0.2)
    deploy(model, network="cloudformation", gateway=AwsGateway(faulty, waiter_delay=0))
    assert sum(faults.injected.values()) > 0, "the hook injected nothing"

    clean = helpers.session()
    counter = helpers.CallCounter(clean)
    deploy(model, network="cloudformation", gateway=helpers.gateway(clean))
    assert counter.mutating == [], "the faulty deploy did not converge"
    stacks = clean.client("cloudformation", region_name="us-east-1").describe_stacks()["Stacks"]
    assert Counter(s["StackName"] for s in stacks).most_common(1)[0][1] == 1
    for region in ("us-east-1", "eu-west-2"):
        mc = clean.client("mediaconnect", region_name=region)
        flows = [mc.describe_flow(FlowArn=f["FlowArn"])["Flow"] for f in mc.list_flows()["Flows"]]
        assert all(f["Status"] == "ACTIVE" for f in flows)
        assert all(len(f["VpcInterfaces"]) == 1 for f in flows)  # no duplicate interface
        for flow in flows:
            names = [o["Name"] for o in flow.get("Outputs", [])]
            assert len(names) == len(set(names))  # no duplicate output


def test_switches_converge_under_throttling_and_5xx(on_air_reset: World) -> None:
    faulty = on_air_reset.session()
    faults = Faults(faulty, rate=0.3, seed=3)
    switcher = Switcher(on_air_reset.model, gateway=AwsGateway(faulty, waiter_delay=0), caller="faults")
    for n in range(10):
        result = switcher.switch(["nyc-studio", "sydney-stage"][n % 2], "live", force=True)
        assert result.changed
    assert sum(faults.injected.values()) > 0, "the hook injected nothing"
    records = switcher.history()
    assert [r.outcome for r in records] == ["switched"] * 10
    source: Any = on_air_reset.hub_source("live")
    assert source["Transport"]["SourceListenerAddress"] == switcher.state.ingests["sydney-stage"].private_ip


def test_a_process_dying_after_the_switch_call_leaves_a_source(on_air_reset: World) -> None:
    """The update went through, then the process died before it could write the audit record."""

    class DiesAfterUpdate(AwsGateway):
        def call(self, service: str, region: str | None, operation: str, **params: Any) -> dict[str, Any]:
            response = super().call(service, region, operation, **params)
            if operation == "update_flow_source":
                raise SystemExit("killed right after UpdateFlowSource")
            return response

    gateway = DiesAfterUpdate(on_air_reset.session(), waiter_delay=0)
    with pytest.raises(SystemExit):
        Switcher(on_air_reset.model, gateway=gateway).switch("sydney-stage", "live")
    source: Any = on_air_reset.hub_source("live")
    state = on_air_reset.switcher().state
    assert source["Transport"]["SourceListenerAddress"] == state.ingests["sydney-stage"].private_ip
    fresh = on_air_reset.switcher(caller="next process")
    assert fresh.status().live.ingest == "sydney-stage"
    assert fresh.switch("nyc-studio", "live", expected="sydney-stage").changed


def test_a_switch_failing_before_the_call_leaves_the_source_as_it_was(on_air_reset: World) -> None:
    class DiesBeforeUpdate(AwsGateway):
        def call(self, service: str, region: str | None, operation: str, **params: Any) -> dict[str, Any]:
            if operation == "update_flow_source":
                from streamfabric.errors import AwsError

                raise AwsError("connection reset", code="RequestTimeout")
            return super().call(service, region, operation, **params)

    with pytest.raises(SwitchError):
        Switcher(on_air_reset.model, gateway=DiesBeforeUpdate(on_air_reset.session(), waiter_delay=0)).switch(
            "sydney-stage", "live", force=True
        )
    source: Any = on_air_reset.hub_source("live")
    assert (
        source["Transport"]["SourceListenerAddress"]
        == on_air_reset.switcher().state.ingests["main-stage"].private_ip
    )


def test_fifty_concurrent_api_switches_end_as_the_audit_log_says(on_air_reset: World) -> None:
    switcher = on_air_reset.switcher()
    names = list(switcher.state.ingests)
    rng = random.Random(11)
    bodies = [{"ingest": rng.choice(names), "target": rng.choice(["live", "preview"]), "force": True}
              for _ in range(50)]  # fmt: skip
    codes: list[int] = []
    lock = threading.Lock()
    with LocalServer(switcher, caller="load") as url:

        def worker(chunk: list[dict[str, Any]]) -> None:
            for body in chunk:
                request = urllib.request.Request(
                    f"{url}/switch", data=json.dumps(body).encode(), method="POST",
                    headers={"Content-Type": "application/json"},
                )  # fmt: skip
                try:
                    with urllib.request.urlopen(request, timeout=60) as resp:
                        code = resp.status
                except urllib.error.HTTPError as err:
                    code = err.code
                with lock:
                    codes.append(code)

        threads = [threading.Thread(target=worker, args=(bodies[i::10],)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert codes == [200] * 50
    records = switcher.history()
    assert len(records) == 50
    for target in ("live", "preview"):
        last = [r for r in records if r.target == target and r.outcome in ("switched", "unchanged")][-1]
        source: Any = on_air_reset.hub_source(target)
        address = source["Transport"]["SourceListenerAddress"]
        assert address == switcher.state.ingests[last.to_ingest].private_ip, target

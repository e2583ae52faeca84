"""A model-based test of day two (issue 13): a Hypothesis ``RuleBasedStateMachine`` changes a live
topology against the emulator (ingests and regions added and removed; ports, latencies and
allowlists changed; hub outputs added and removed; switch and take; deploy) and after every deploy
checks AWS with the test's own describe calls, by ARN:

* AWS holds exactly the topology's flows (in every region ever used), all ACTIVE, each ingest's
  hop outputs on its VPC interface;
* Live and Preview each call the private IP of one of the topology's ingests;
* Live and Preview are ACTIVE and carry the ingest an operator last chose (switch, take), or, after
  an ``--allow-interruption`` deploy that removed it, the one that deploy announced (its
  ``starts_on``); a deploy refused by the on-air guard changed nothing but its asking
  CloudFormation (change sets, deleted again);
* a second deploy makes no mutating call;
* the runtime state matches AWS (flow ARNs, private IPs, the inventory's regions);

and at the end ``destroy`` leaves nothing in any region ever used. The edits include the ones a
show makes by accident (``starts_on``, descriptions, tags: nothing on air may move), moving a
region's zone (with the old subnet CIDR it is refused before any change; with a new one it is a
planned replacement after which Live and Preview are back on what they carried), two deploys started
together (one deploys, the other is refused by the lock) and a deploy killed at a random call
(the next one converges).

CI runs a bounded number of examples and steps (2 shared cores: each deploy takes seconds):
``STREAMFABRIC_STATEFUL_EXAMPLES`` (default 5) x ``STREAMFABRIC_STATEFUL_STEPS`` (default 8). A
long run, e.g. ``STREAMFABRIC_STATEFUL_EXAMPLES=15 STREAMFABRIC_STATEFUL_STEPS=8 pytest -m slow
tests/deploy/test_stateful.py`` (the issue's 15 x 8: 4 minutes here, 23 deploys).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from streamfabric.deployment import deploy, destroy
from streamfabric.deployment.lease import LeaseHeldError
from streamfabric.deployment.plan.guard import OnAirError
from streamfabric.errors import DeployError
from streamfabric.state.runtime import RuntimeState
from streamfabric.switching.switcher import Switcher
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

from . import helpers

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HUB = "us-east-1"
SPOKES = {"eu-west-2": 11, "ap-southeast-2": 12, "sa-east-1": 13}
ROLES = ("live", "preview")


def _net(region: str, n: int) -> dict[str, str]:
    return {
        "region": region,
        "vpc_cidr": f"10.{n}.0.0/16",
        "subnet_cidr": f"10.{n}.1.0/24",
        "availability_zone": f"{region}a",
    }


def _ingest(name: str, region: str, port: int) -> dict[str, Any]:
    return {
        "name": name,
        "region": region,
        "port": port,
        "allowlist": ["192.0.2.0/24"],
        "passphrase_secret": f"day2/{name}",
    }


def _start() -> dict[str, Any]:
    hub = _net(HUB, 10)
    return {
        "name": "day2",
        "hub": {
            **hub,
            "live": {"starts_on": "anchor", "outputs": []},
            "preview": {"starts_on": "anchor", "outputs": []},
        },
        "regions": [_net("eu-west-2", SPOKES["eu-west-2"])],
        "ingests": [_ingest("anchor", HUB, 5000), _ingest("cam-1", "eu-west-2", 5002)],
    }


def _flows(sess: boto3.session.Session, region: str) -> dict[str, dict[str, Any]]:
    client = sess.client("mediaconnect", region_name=region)
    return {
        f["FlowArn"]: client.describe_flow(FlowArn=f["FlowArn"])["Flow"] for f in client.list_flows()["Flows"]
    }


def _ip(sess: boto3.session.Session, region: str, eni: str) -> str:
    ec2 = sess.client("ec2", region_name=region)
    return str(
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddress"]
    )


class Day2(RuleBasedStateMachine):
    endpoint = ""
    directory = Path(".")
    rules_run: list[str] = []

    def __init__(self) -> None:
        super().__init__()
        from streamfabric.sandbox.server import reset

        reset(self.endpoint)
        self.session = helpers.session()
        self.doc = _start()
        self.path = self.directory / "day2.json"
        self.counter = 0
        self.used_regions = {HUB, "eu-west-2"}
        self.deployed: Topology | None = None
        self.secrets: set[tuple[str, str]] = set()
        self.chosen: dict[str, str] = {"live": "anchor", "preview": "anchor"}  # what the operator put on air
        self.zones: dict[str, int] = {}  # region -> how often its zone moved (picks the CIDR)
        self.deploy_and_check(allow=False)

    # -- edits of the topology (deployed by the deploy rule) ------------------------------------

    def _port(self) -> int:
        self.counter += 1
        return 5002 + 2 * self.counter

    def _names(self, region: str | None = None) -> list[str]:
        return [i["name"] for i in self.doc["ingests"] if region is None or i["region"] == region]

    def _regions(self) -> list[str]:
        return [HUB, *(r["region"] for r in self.doc["regions"])]

    @rule(region_index=st.integers(0, 3))
    def add_ingest(self, region_index: int) -> None:
        regions = self._regions()
        region = regions[region_index % len(regions)]
        self.doc["ingests"].append(_ingest(f"cam-{self._port()}", region, self._port()))

    @precondition(lambda self: len(self._removable()) > 0)
    @rule(data=st.data())
    def remove_ingest(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(self._removable()))
        self.doc["ingests"] = [i for i in self.doc["ingests"] if i["name"] != name]

    def _removable(self) -> list[str]:
        """Not the anchor, nor the last ingest of a spoke region (a region needs one)."""
        return [
            i["name"]
            for i in self.doc["ingests"]
            if i["name"] != "anchor" and (i["region"] == HUB or len(self._names(i["region"])) > 1)
        ]

    @precondition(lambda self: len(self.doc["regions"]) < len(SPOKES))
    @rule(data=st.data())
    def add_region(self, data: st.DataObject) -> None:
        free = sorted(set(SPOKES) - set(self._regions()))
        region = data.draw(st.sampled_from(free))
        self.doc["regions"].append(_net(region, SPOKES[region]))
        self.doc["ingests"].append(_ingest(f"cam-{self._port()}", region, self._port()))

    @precondition(lambda self: len(self.doc["regions"]) > 0)
    @rule(data=st.data())
    def remove_region(self, data: st.DataObject) -> None:
        region = data.draw(st.sampled_from([r["region"] for r in self.doc["regions"]]))
        self.doc["regions"] = [r for r in self.doc["regions"] if r["region"] != region]
        self.doc["ingests"] = [i for i in self.doc["ingests"] if i["region"] != region]

    @rule(data=st.data(), what=st.sampled_from(["port", "min_latency_ms", "allowlist"]))
    def change_ingest(self, data: st.DataObject, what: str) -> None:
        ingest = data.draw(st.sampled_from(self.doc["ingests"]))
        if what == "port":
            ingest["port"] = self._port()
        elif what == "min_latency_ms":
            ingest["min_latency_ms"] = data.draw(st.integers(100, 4000))
        else:
            ingest["allowlist"] = [
                data.draw(st.sampled_from(["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/28"]))
            ]

    @rule(role=st.sampled_from(ROLES))
    def add_output(self, role: str) -> None:
        outputs = self.doc["hub"][role]["outputs"]
        outputs.append(
            {
                "name": f"{role}-out-{self._port()}",
                "protocol": "srt-listener",
                "port": self._port(),
                "allowlist": ["198.51.100.0/24"],
            }
        )

    @precondition(lambda self: any(self.doc["hub"][r]["outputs"] for r in ROLES))
    @rule(data=st.data())
    def remove_output(self, data: st.DataObject) -> None:
        role = data.draw(st.sampled_from([r for r in ROLES if self.doc["hub"][r]["outputs"]]))
        outputs = self.doc["hub"][role]["outputs"]
        outputs.pop(data.draw(st.integers(0, len(outputs) - 1)))

    @rule(role=st.sampled_from(ROLES), data=st.data())
    def edit_starts_on(self, role: str, data: st.DataObject) -> None:
        self.doc["hub"][role]["starts_on"] = data.draw(st.sampled_from(self._names()))

    @rule(value=st.sampled_from(["a", "b", "c"]))
    def edit_tags_and_descriptions(self, value: str) -> None:
        self.doc["tags"] = {"season": value}
        for ingest in self.doc["ingests"]:
            ingest["description"] = f"edited {value}"

    @rule(data=st.data(), new_cidr=st.booleans())
    def move_zone(self, data: st.DataObject, new_cidr: bool) -> None:
        nets = [self.doc["hub"], *self.doc["regions"]]
        net = data.draw(st.sampled_from(nets))
        region = net["region"]
        net["availability_zone"] = region + ("b" if net["availability_zone"].endswith("a") else "a")
        if new_cidr:
            self.zones[region] = self.zones.get(region, 1) + 1
            base = net["vpc_cidr"].rsplit(".", 2)[0]
            net["subnet_cidr"] = f"{base}.{self.zones[region] % 200 + 1}.0/24"

    # -- the show ---------------------------------------------------------------------------------

    @precondition(lambda self: self.deployed is not None)
    @rule(data=st.data(), role=st.sampled_from(ROLES))
    def switch(self, data: st.DataObject, role: str) -> None:
        assert self.deployed is not None
        ingest = data.draw(st.sampled_from(list(self.deployed.ingest_names)))
        self._switcher().switch(ingest, role, force=True)  # type: ignore[arg-type]
        self.chosen[role] = ingest

    @precondition(lambda self: self.deployed is not None)
    @rule()
    def take(self) -> None:
        self._switcher().take(force=True)
        self.chosen["live"], self.chosen["preview"] = self.chosen["preview"], self.chosen["live"]

    def _switcher(self) -> Switcher:
        assert self.deployed is not None
        return Switcher(self.deployed, gateway=helpers.gateway(self.session))

    @rule(allow=st.booleans())
    def deploy_rule(self, allow: bool) -> None:
        self.deploy_and_check(allow)

    @rule()
    def two_deploys_at_once(self) -> None:
        """One deploys, the other exits before any change naming the lock; the invariants hold."""
        model = self._load()
        results: list[object] = []
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def run() -> None:
            start.wait()
            try:
                results.append(deploy(model, network="cloudformation", gateway=helpers.gateway(self.session)))
            except DeployError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        held = [e for e in errors if isinstance(e, LeaseHeldError)]
        assert len(held) == 1, errors  # the other deployed, or was refused by the guard / a move
        self.rules_run.append(f"two deploys: {len(results)} done, {[type(e).__name__ for e in errors]}")
        self.deploy_and_check(allow=False)

    @rule(k=st.integers(1, 40))
    def deploy_killed(self, k: int) -> None:
        """A deploy killed before its k-th mutating call; the next deploy converges."""
        model = self._load()
        with contextlib.suppress(helpers.Crash, OnAirError, DeployError):
            deploy(
                model,
                network="cloudformation",
                gateway=helpers.CrashingGateway(self.session, crash_at=k),
                allow_interruption=True,
            )
        self.rules_run.append(f"deploy killed at mutating call {k}")
        self.interrupted_allowed(model)
        self.deploy_and_check(allow=True)

    # -- deploy and the invariants ----------------------------------------------------------------

    def _load(self) -> Topology:
        self.path.write_text(json.dumps(self.doc, indent=2))
        model = load_topology(str(self.path))
        for ingest in model.ingests:
            key = (ingest.region, ingest.passphrase_secret.name)
            if key not in self.secrets:
                sm = self.session.client("secretsmanager", region_name=ingest.region)
                sm.create_secret(Name=key[1], SecretString="not-a-real-passphrase")
                self.secrets.add(key)
        return model

    def _on_air(self) -> dict[str, str | None]:
        """role -> the listener address its hub flow calls now (described by the test)."""
        found: dict[str, str | None] = {}
        for flow in _flows(self.session, HUB).values():
            for role in ROLES:
                if flow["Name"] == f"day2-{role}":
                    found[role] = flow["Source"].get("Transport", {}).get("SourceListenerAddress")
        return found

    def interrupted_allowed(self, model: Topology) -> None:
        """After a deploy allowed to interrupt: a hub flow whose chosen ingest left is on the
        ingest that deploy announced (its starts_on)."""
        for role in ROLES:
            if self.chosen[role] not in model.ingest_names:
                self.chosen[role] = model.hub.flow(role).starts_on  # type: ignore[arg-type]

    def deploy_and_check(self, allow: bool) -> None:
        self.rules_run.append(f"deploy(allow={allow}) {len(self.doc['ingests'])} ingests {self._regions()}")
        model = self._load()
        counter = helpers.CallCounter(self.session)
        try:
            deploy(
                model,
                network="cloudformation",
                gateway=helpers.gateway(self.session),
                allow_interruption=allow,
            )
        except OnAirError:
            assert not allow
            assert counter.changes == [], "a refused deploy changed something"
            self.check_on_air(self.deployed or model)
            # the operator switches away from what is leaving, then deploys, accepting the rest
            for role in ROLES:
                self._switcher().switch("anchor", role, force=True)  # type: ignore[arg-type]
                self.chosen[role] = "anchor"
            deploy(
                model,
                network="cloudformation",
                gateway=helpers.gateway(self.session),
                allow_interruption=True,
            )
        except DeployError as exc:
            if "subnet_cidr" not in str(exc):
                raise
            assert counter.changes == [], "a refused zone move changed something"
            self.rules_run.append("zone move refused: the subnet needs a new CIDR")
            self._undo_same_cidr_moves()
            return self.deploy_and_check(allow)
        if allow:
            self.interrupted_allowed(model)
        self.deployed = model
        self.used_regions |= {net.region for net in model.networks}
        self.check_aws(model)
        self.check_on_air(model)
        counter.reset()
        again = deploy(model, network="cloudformation", gateway=helpers.gateway(self.session))
        assert again.plan.empty and counter.mutating == [], f"a second deploy changed {counter.mutating}"

    def _undo_same_cidr_moves(self) -> None:
        """Put back the zone of every region whose move kept its CIDR (the refused part)."""
        assert self.deployed is not None
        for net in [self.doc["hub"], *self.doc["regions"]]:
            was = next((n for n in self.deployed.networks if n.region == net["region"]), None)
            if was is not None and was.subnet_cidr == net["subnet_cidr"]:
                net["availability_zone"] = was.availability_zone

    def check_on_air(self, model: Topology) -> None:
        """Live and Preview ACTIVE, each calling the private IP of the ingest chosen for it."""
        flows = {
            f["Name"]: f
            for region in sorted(self.used_regions)
            for f in _flows(self.session, region).values()
        }
        for role in ROLES:
            hub = flows[f"day2-{role}"]
            assert hub["Status"] == "ACTIVE", f"{role} is {hub['Status']}"
            ingest = flows[model.flow_name(self.chosen[role])]
            (vpc,) = ingest["VpcInterfaces"]
            address = _ip(self.session, ingest["AvailabilityZone"][:-1], vpc["NetworkInterfaceIds"][0])
            got = hub["Source"].get("Transport", {}).get("SourceListenerAddress")
            assert got == address, f"{role} calls {got}, not {self.chosen[role]} ({address})"

    def check_aws(self, model: Topology) -> None:
        wanted = {model.flow_name(i.name): i.region for i in model.ingests}
        wanted |= {model.flow_name(r): HUB for r in ROLES}
        seen: dict[str, dict[str, Any]] = {}
        for region in sorted(self.used_regions):
            for flow in _flows(self.session, region).values():
                assert flow["Name"] not in seen, f"two flows named {flow['Name']}"
                assert wanted.get(flow["Name"]) == region, f"unexpected flow {flow['Name']} in {region}"
                assert flow["Status"] == "ACTIVE", f"{flow['Name']} is {flow['Status']}"
                seen[flow["Name"]] = flow
        assert sorted(seen) == sorted(wanted)
        ips: dict[str, str] = {}
        for ingest in model.ingests:
            flow = seen[model.flow_name(ingest.name)]
            (vpc,) = flow["VpcInterfaces"]
            ips[ingest.name] = _ip(self.session, ingest.region, vpc["NetworkInterfaceIds"][0])
            hops = {o["Name"]: o for o in flow["Outputs"] if o["Name"] in ("to-live", "to-preview")}
            assert sorted(hops) == ["to-live", "to-preview"]
            for out in hops.values():
                assert out["VpcInterfaceAttachment"]["VpcInterfaceName"] == vpc["Name"]
        for role in ROLES:
            source = seen[model.flow_name(role)]["Source"]
            assert source["Transport"]["SourceListenerAddress"] in ips.values()
        state = RuntimeState.from_json(Path(self.path.with_name("day2.state.json")).read_text())
        assert state.live.flow_arn == seen["day2-live"]["FlowArn"]
        assert state.preview.flow_arn == seen["day2-preview"]["FlowArn"]
        assert {n: (s.flow_arn, s.private_ip) for n, s in state.ingests.items()} == {
            i.name: (seen[model.flow_name(i.name)]["FlowArn"], ips[i.name]) for i in model.ingests
        }
        assert set(state.inventory.flows) == {f["FlowArn"] for f in seen.values()}
        assert set(state.inventory.regions) == {net.region for net in model.networks}

    def teardown(self) -> None:
        if self.deployed is None:
            return
        destroy(self._load(), gateway=helpers.gateway(self.session))
        for region in sorted(self.used_regions):
            assert _flows(self.session, region) == {}, region
            stacks = self.session.client("cloudformation", region_name=region).describe_stacks()["Stacks"]
            assert [s["StackName"] for s in stacks] == [], region
            ec2 = self.session.client("ec2", region_name=region)
            assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")] == [], region
            enis = ec2.describe_network_interfaces()["NetworkInterfaces"]
            assert [e for e in enis if "mediaconnect" in e.get("Description", "").lower()] == [], region


def test_day_two_state_machine(moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    Day2.endpoint, Day2.directory = moto_server, tmp_path
    Day2.rules_run.clear()
    run_state_machine_as_test(
        Day2,
        settings=settings(
            max_examples=int(os.environ.get("STREAMFABRIC_STATEFUL_EXAMPLES", "5")),
            stateful_step_count=int(os.environ.get("STREAMFABRIC_STATEFUL_STEPS", "8")),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print("\n".join(Day2.rules_run))
    assert len(Day2.rules_run) >= int(os.environ.get("STREAMFABRIC_STATEFUL_EXAMPLES", "5"))

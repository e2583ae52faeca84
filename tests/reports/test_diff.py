"""streamfabric diff: model-level changes of topology pairs built from examples/festival.json with
JSON edits, mapped to stacks, flow restarts and rendered files; Markdown for pull requests."""

from __future__ import annotations

import argparse
import copy
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from streamfabric.cli.main import main
from streamfabric.reports.diff import (
    FLOW_CREATE_ONLY,
    OUTPUT_CREATE_ONLY,
    diff_topologies,
    expected_stacks,
    file_changes,
    format_markdown,
    format_text,
)
from streamfabric.topology.loading import parse_topology
from streamfabric.topology.model import SourceInfo, Topology

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL = ROOT / "examples" / "festival.json"
BASE: dict[str, Any] = json.loads(FESTIVAL.read_text())


def topology(edit: Callable[[dict[str, Any]], None] | None = None, name: str = "new.json") -> Topology:
    doc = copy.deepcopy(BASE)
    if edit:
        edit(doc)
    return parse_topology(json.dumps(doc), SourceInfo(uri=name, sha256="0" * 64))


def ingest(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(i for i in doc["ingests"] if i["name"] == name)


@pytest.fixture(scope="module")
def old() -> Topology:
    return topology(name="old.json")


def pair(old: Topology, edit: Callable[[dict[str, Any]], None], **kw: Any):
    return diff_topologies(old, topology(edit), files=False, **kw)


def actions(diff) -> dict[str, str]:
    return {s.name: s.action for s in diff.stacks}


# -- no change ------------------------------------------------------------------------------


def test_identical_topologies_change_nothing(old):
    diff = diff_topologies(old, topology())
    assert diff.empty and not diff.stacks and not diff.flows and diff.files == ()
    assert "no changes" in format_markdown(diff)
    assert format_text(diff).endswith(": no changes\n")


# -- ingests --------------------------------------------------------------------------------


def test_changing_the_port_updates_the_source_in_place_and_the_contributor_must_follow(old):
    diff = pair(old, lambda d: ingest(d, "main-stage").update(port=5004))
    [change] = diff.changes
    assert (change.kind, change.subject, change.name) == ("changed", "ingest", "main-stage")
    assert [(f.field, f.old, f.new) for f in change.fields] == [("port", 5000, 5004)]
    assert actions(diff) == {"festival-flows-eu-west-1": "update"}
    [flow] = diff.flows
    assert (flow.flow, flow.action, flow.restart, flow.interrupts) == (
        "festival-main-stage",
        "update",
        False,
        True,
    )
    assert "UpdateFlowSource" in flow.reasons[0]
    assert flow.actions_needed == ("the contributor must send to the new port",)
    assert not diff.restarts


def test_allowlist_and_latency_update_in_place_without_interruption(old):
    def edit(d):
        ingest(d, "nyc-studio").update(allowlist=["203.0.113.0/24"], min_latency_ms=2500)

    diff = pair(old, edit)
    assert actions(diff) == {"festival-flows-us-east-1": "update"}
    [flow] = diff.flows
    assert (flow.action, flow.restart, flow.interrupts, flow.actions_needed) == ("update", False, False, ())
    assert "allowlist 203.0.113.64/27 -> 203.0.113.0/24" in flow.reasons[0]


def test_protocol_and_passphrase_are_source_updates_not_replacements(old):
    # AWS::MediaConnect::Flow's create-only properties are Name, AvailabilityZone and Source/Name
    # (only srt-listener validates today, so the protocol is changed on the model itself)
    new = topology(lambda d: ingest(d, "tent-stage").update(passphrase_secret="festival/ingest/tent-2"))
    new = replace(
        new,
        ingests=tuple(
            replace(i, protocol="srt-caller") if i.name == "tent-stage" else i for i in new.ingests
        ),
    )
    diff = diff_topologies(old, new, files=False)
    [flow] = diff.flows
    assert flow.action == "update" and not flow.restart and flow.interrupts
    assert set(flow.actions_needed) == {
        "the contributor must connect with the new protocol",
        "the contributor must use the new passphrase",
    }


def test_create_only_properties_match_cloudformations_resource_schemas():
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as manager  # a test dependency: never skipped

    flow = manager.get_resource_schema("us-east-1", "AWS::MediaConnect::Flow").schema
    output = manager.get_resource_schema("us-east-1", "AWS::MediaConnect::FlowOutput").schema
    assert {p.removeprefix("/properties/") for p in flow["createOnlyProperties"]} == set(FLOW_CREATE_ONLY)
    assert {p.removeprefix("/properties/") for p in output["createOnlyProperties"]} == set(OUTPUT_CREATE_ONLY)


def test_moving_an_ingest_to_another_region_replaces_its_flow(old):
    def edit(d):
        ingest(d, "boston-remote").update(region="ap-southeast-2")

    diff = pair(old, edit)
    assert actions(diff) == {"festival-flows-us-east-1": "update", "festival-flows-ap-southeast-2": "update"}
    assert diff.stack("festival-flows-us-east-1").reasons == (
        "removes ingest boston-remote (moves to ap-southeast-2)",
    )
    assert diff.stack("festival-flows-ap-southeast-2").reasons == (
        "adds ingest boston-remote (moves from us-east-1)",
    )
    [flow] = diff.flows
    assert (flow.flow, flow.region, flow.action, flow.restart) == (
        "festival-boston-remote",
        "ap-southeast-2",
        "replace",
        True,
    )
    assert flow.reasons[0] == "region us-east-1 -> ap-southeast-2"


def test_adding_an_ingest_in_a_new_region(old):
    def edit(d):
        d["regions"].append(
            {
                "region": "eu-central-1",
                "vpc_cidr": "10.4.0.0/16",
                "subnet_cidr": "10.4.1.0/24",
                "availability_zone": "eu-central-1a",
            }
        )
        d["ingests"].append(
            {
                "name": "berlin-stage",
                "region": "eu-central-1",
                "port": 5000,
                "allowlist": ["198.51.100.64/26"],
                "passphrase_secret": "festival/ingest/berlin-stage",
            }
        )

    diff = pair(old, edit)
    assert {(c.kind, c.subject, c.name) for c in diff.changes} == {
        ("added", "region", "eu-central-1"),
        ("added", "ingest", "berlin-stage"),
    }
    # The hub's flows stack holds the signal dashboard, one row per region with flows.
    assert actions(diff) == {"festival-flows-eu-central-1": "create", "festival-flows-eu-west-1": "update"}
    assert diff.stack("festival-flows-eu-central-1").reasons == ("region eu-central-1 is added",)
    [flow] = diff.flows
    assert (flow.flow, flow.action, flow.restart, flow.interrupts) == (
        "festival-berlin-stage",
        "create",
        True,
        False,
    )
    assert diff.terraform == ("eu-central-1: VPC, subnet, security group, peering and routes created",)

    cfn = pair(old, edit, network="cloudformation")
    assert actions(cfn) == {
        "festival-network-eu-west-1": "update",
        "festival-network-eu-central-1": "create",
        "festival-peering-eu-west-1": "update",
        "festival-routes-eu-central-1": "create",
        "festival-flows-eu-central-1": "create",
        "festival-flows-eu-west-1": "update",
    }
    assert cfn.terraform == ()


def test_removing_a_region_and_its_only_ingest(old):
    def edit(d):
        d["regions"] = [r for r in d["regions"] if r["region"] != "sa-east-1"]
        d["ingests"] = [i for i in d["ingests"] if i["name"] != "sao-paulo-stage"]

    diff = pair(old, edit, network="cloudformation")
    assert actions(diff) == {
        "festival-network-eu-west-1": "update",
        "festival-peering-eu-west-1": "update",
        "festival-flows-eu-west-1": "update",  # the signal dashboard loses sa-east-1's row
        "festival-network-sa-east-1": "delete",
        "festival-routes-sa-east-1": "delete",
        "festival-flows-sa-east-1": "delete",
    }
    [flow] = diff.flows
    assert (flow.action, flow.interrupts) == ("delete", True)
    assert flow.actions_needed == ("switch Live and Preview away from it first if it is on air",)


def test_renaming_an_ingest_is_a_new_flow_and_a_deleted_one(old):
    def edit(d):
        ingest(d, "sydney-stage")["name"] = "sydney-arena"

    diff = pair(old, edit)
    assert {(f.flow, f.action) for f in diff.flows} == {
        ("festival-sydney-arena", "create"),
        ("festival-sydney-stage", "delete"),
    }
    assert actions(diff) == {"festival-flows-ap-southeast-2": "update"}


def test_removing_the_ingest_live_starts_on_is_flagged(old):
    def edit(d):
        d["ingests"] = [i for i in d["ingests"] if i["name"] != "boston-remote"]

    diff = pair(old, edit)
    assert not diff.notes  # boston-remote is nobody's starts_on
    assert diff.flow("festival-boston-remote").action == "delete"


# -- networks -------------------------------------------------------------------------------


def test_changing_a_regions_availability_zone_replaces_its_flows(old):
    def edit(d):
        next(r for r in d["regions"] if r["region"] == "us-east-1")["availability_zone"] = "us-east-1b"

    diff = pair(old, edit)
    replaced = {f.flow for f in diff.flows if f.action == "replace"}
    assert replaced == {"festival-nyc-studio", "festival-boston-remote"}
    assert all(f.restart and f.interrupts for f in diff.flows)
    assert "(AvailabilityZone is create-only)" in diff.flows[0].reasons[0]
    assert actions(diff) == {"festival-flows-us-east-1": "update"}
    assert diff.terraform == (
        "us-east-1: availability_zone us-east-1a -> us-east-1b: "
        "the subnet is replaced in the new Availability Zone",
    )
    cfn = pair(old, edit, network="cloudformation")
    assert actions(cfn) == {"festival-network-us-east-1": "update", "festival-flows-us-east-1": "update"}


def test_changing_the_hub_vpc_cidr_touches_every_hop(old):
    def edit(d):
        d["hub"]["vpc_cidr"] = "10.9.0.0/16"
        d["hub"]["subnet_cidr"] = "10.9.1.0/24"

    diff = pair(old, edit, network="cloudformation")
    assert set(actions(diff).values()) == {"update"}
    assert {s.kind for s in diff.stacks} == {"network", "routes", "flows"}
    live = diff.flow("festival-live")
    assert live.interrupts and "hub VPC CIDR" in live.reasons[0]
    assert all(f.action == "update" and not f.restart for f in diff.flows)


# -- the hub --------------------------------------------------------------------------------


def test_changing_starts_on_changes_no_stack_and_interrupts_nothing(old):
    # starts_on is in no template (the hub flows' temporary source names nothing a show edits):
    # it applies when a hub flow is created; what is on air stays.
    diff = pair(old, lambda d: d["hub"]["preview"].update(starts_on="nyc-studio"))
    [flow] = diff.flows
    assert (flow.flow, flow.action, flow.restart, flow.interrupts) == (
        "festival-preview",
        "update",
        False,
        False,
    )
    assert "starts_on tent-stage -> nyc-studio: only a flow being created starts there" in flow.reasons[0]
    assert not any("resets the source" in reason for reason in flow.reasons)
    assert actions(diff) == {}


def test_the_hops_latency_re_points_the_hub_flows_without_a_cloudformation_reset(old):
    diff = pair(old, lambda d: d.setdefault("internal_hop", {}).update(min_latency_ms=400))
    hub = {f.flow: f for f in diff.flows if f.flow in ("festival-live", "festival-preview")}
    assert set(hub) == {"festival-live", "festival-preview"}
    for flow in hub.values():
        assert flow.interrupts
        assert any("the post-steps re-point the source" in reason for reason in flow.reasons)
        assert not any("resets the source" in reason for reason in flow.reasons)


def test_output_changes(old):
    def edit(d):
        outputs = d["hub"]["live"]["outputs"]
        outputs[1]["destination"] = "203.0.113.11"  # live-cdn changes in place
        outputs.pop(0)  # live-encoder removed
        d["hub"]["preview"]["outputs"].append(
            {
                "name": "preview-web",
                "protocol": "srt-listener",
                "port": 5010,
                "allowlist": ["198.51.100.0/24"],
            }
        )

    diff = pair(old, edit)
    assert {(c.kind, c.name) for c in diff.changes} == {
        ("removed", "live/live-encoder"),
        ("changed", "live/live-cdn"),
        ("added", "preview/preview-web"),
    }
    live, preview = diff.flow("festival-live"), diff.flow("festival-preview")
    assert live.interrupts and not live.restart
    assert "output live-encoder is removed: its receiver loses the stream" in live.reasons
    assert "output live-cdn is updated in place (destination 203.0.113.10 -> 203.0.113.11)" in live.reasons
    assert preview.reasons == ("output preview-web is added",) and not preview.interrupts
    assert actions(diff) == {"festival-flows-eu-west-1": "update"}


def test_internal_hop_port_change_updates_every_flow_stack_and_resets_the_hub(old):
    diff = pair(old, lambda d: d["internal_hop"].update(port_range={"from": 7100, "to": 7101}))
    assert actions(diff) == {f"festival-flows-{r}": "update" for r in BASE_REGIONS}
    ingest_flows = [f for f in diff.flows if f.flow not in ("festival-live", "festival-preview")]
    assert len(ingest_flows) == 6 and all(not f.interrupts for f in ingest_flows)
    assert all(diff.flow(f"festival-{role}").interrupts for role in ("live", "preview"))
    assert "security groups: the internal hop's UDP port range changes" in diff.terraform


BASE_REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1")


# -- everything else ------------------------------------------------------------------------


def test_renaming_the_topology_recreates_everything(old):
    diff = pair(old, lambda d: d.update(name="summer"))
    assert {a for a in actions(diff).values()} == {"create", "delete"}
    assert sum(a == "create" for a in actions(diff).values()) == 5  # 4 flows stacks + api
    assert {f.action for f in diff.flows} == {"create", "delete"}
    assert len(diff.restarts) == 8
    assert diff.flow("summer-main-stage").reasons[0] == "the topology is renamed to summer"
    assert diff.flow("festival-main-stage").reasons == ("the topology is renamed to summer",)
    assert diff.notes[0].startswith("renaming the topology (festival -> summer)")


def test_control_api_and_tags_and_dns(old):
    off = pair(old, lambda d: d["control_api"].update(enabled=False))
    assert actions(off) == {"festival-api-eu-west-1": "delete"} and not off.flows
    panel = pair(old, lambda d: d["control_api"].update(panel=False))
    assert actions(panel) == {"festival-api-eu-west-1": "update"}
    tags = pair(old, lambda d: d["tags"].update(owner="ops"))
    assert set(actions(tags).values()) == {"update"} and len(tags.stacks) == 5 and not tags.flows
    assert tags.stacks[0].reasons == ("tags change (owner)",)
    dns = pair(old, lambda d: d.pop("dns"))
    assert set(actions(dns)) == {f"festival-flows-{r}" for r in BASE_REGIONS} and not dns.flows


# -- stacks agree with the renderer ---------------------------------------------------------


@pytest.mark.parametrize("network", ["terraform", "cloudformation"])
def test_expected_stacks_agree_with_the_cloudformation_renderer(old, network):
    from streamfabric.rendering.cloudformation import stack_specs as specs

    minimal = parse_topology((ROOT / "examples" / "minimal.json").read_text(), "minimal.json")
    for model in (old, minimal, topology(lambda d: d["control_api"].update(enabled=False))):
        rendered = {s.name: (s.region, s.kind) for s in specs(model, network)}
        assert expected_stacks(model, network) == rendered


# Scenarios whose predicted stack updates must match the CloudFormation templates that change.
SCENARIOS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "port": lambda d: ingest(d, "main-stage").update(port=5004),
    "allowlist": lambda d: ingest(d, "nyc-studio").update(allowlist=["203.0.113.0/24"]),
    "description": lambda d: ingest(d, "main-stage").update(description="Main stage, truck B"),
    "az": lambda d: d["regions"][0].update(availability_zone="us-east-1b"),
    "hub cidr": lambda d: d["hub"].update(vpc_cidr="10.9.0.0/16", subnet_cidr="10.9.1.0/24"),
    "spoke cidr": lambda d: d["regions"][0].update(vpc_cidr="10.8.0.0/16", subnet_cidr="10.8.1.0/24"),
    "starts_on": lambda d: d["hub"]["preview"].update(starts_on="nyc-studio"),
    "hop ports": lambda d: d["internal_hop"].update(port_range={"from": 7100, "to": 7101}),
    "hop latency": lambda d: d["internal_hop"].update(min_latency_ms=800),
    "tags": lambda d: d["tags"].update(owner="ops"),
    "no dns": lambda d: d.pop("dns"),
    "dns ttl": lambda d: d["dns"].update(ttl=30),
    "output": lambda d: d["hub"]["live"]["outputs"][1].update(port=6001),
    "remove region": lambda d: (
        d.update(regions=[r for r in d["regions"] if r["region"] != "sa-east-1"]),
        d.update(ingests=[i for i in d["ingests"] if i["region"] != "sa-east-1"]),
    ),
}


@pytest.mark.parametrize("network", ["terraform", "cloudformation"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_predicted_stacks_match_the_templates_that_change(old, network, scenario):
    from streamfabric.rendering.cloudformation import render_cloudformation as render

    diff = diff_topologies(old, topology(SCENARIOS[scenario]), network=network, render=render)
    assert diff.files is not None, diff.files_note
    from_files = set()
    for change in diff.files:
        match = re.fullmatch(r"cloudformation/([a-z]+)-(.+?)(?:\.parameters)?\.(?:yaml|json)", change.path)
        if match and match.group(1) != "manifest":
            from_files.add(f"festival-{match.group(1)}-{match.group(2)}")
    predicted = {s.name for s in diff.stacks if s.kind != "api"}  # the API's template is rendered elsewhere
    assert predicted == from_files


# -- rendered files -------------------------------------------------------------------------


def fake_render(model: Topology, network: str = "terraform") -> dict[str, str]:
    header = f"# Generated by streamfabric from {model.source.uri} {model.source.sha256}\n"
    files = {
        f"cloudformation/flows-{r}.yaml": header
        for r in (model.hub.region, *(n.region for n in model.regions))
    }
    for i in model.ingests:
        files[f"cloudformation/flows-{i.region}.yaml"] += f"{i.name}: {i.port}\n"
    return files


def test_file_changes_with_headers_normalised(old):
    def edit(d):
        ingest(d, "main-stage").update(port=5004)
        d["regions"] = [r for r in d["regions"] if r["region"] != "sa-east-1"]
        d["ingests"] = [i for i in d["ingests"] if i["name"] != "sao-paulo-stage"]

    new = topology(edit, name="elsewhere/new.json")
    found = file_changes(old, new, render=fake_render)
    assert [(f.path, f.status) for f in found] == [
        ("cloudformation/flows-eu-west-1.yaml", "changed"),
        ("cloudformation/flows-sa-east-1.yaml", "removed"),
    ]
    assert "-main-stage: 5000\n+main-stage: 5004\n" in found[0].diff
    assert found[0].diff.startswith(
        "--- a/cloudformation/flows-eu-west-1.yaml\n+++ b/cloudformation/flows-eu-west-1.yaml"
    )
    assert "+++ /dev/null" in found[1].diff
    diff = diff_topologies(old, new, render=fake_render)
    assert diff.files == found and not diff.files_note
    md = format_markdown(diff, with_file_diffs=True)
    assert "- changed: `cloudformation/flows-eu-west-1.yaml`" in md
    assert "<details><summary>cloudformation/flows-eu-west-1.yaml</summary>" in md and "```diff\n" in md


def test_a_failing_renderer_leaves_the_model_diff_with_a_note(old):
    def broken(model: Topology, network: str = "terraform") -> dict[str, str]:
        raise ImportError("No module named 'streamfabric.rendering.api'")

    diff = diff_topologies(old, topology(lambda d: ingest(d, "main-stage").update(port=5004)), render=broken)
    assert diff.files is None and diff.flows
    assert diff.files_note.startswith("rendered files not compared: the renderers are not available")
    assert "_rendered files not compared" in format_markdown(diff)


def test_file_changes_with_the_real_renderers(old):
    new = topology(lambda d: ingest(d, "main-stage").update(port=5004))
    diff = diff_topologies(old, new)
    assert diff.files is not None and diff.files
    paths = {f.path: f.status for f in diff.files}
    assert paths.get("cloudformation/flows-eu-west-1.yaml") == "changed"
    assert all(status == "changed" for status in paths.values())
    assert not any("SHA-256" in line for f in diff.files for line in f.diff.splitlines() if line[:1] in "+-")
    same = diff_topologies(old, topology(name="moved/elsewhere.json"))
    assert same.empty and same.files == ()


# -- output ---------------------------------------------------------------------------------


def test_markdown_neutralises_hostile_values(old):
    hostile = "@everyone | <script>x</script> **bold** `code` [link](http://x)"

    def edit(d):
        ingest(d, "main-stage")["description"] = "Main stage | ok"

    base = topology(edit, name="old.json")
    changed = topology(lambda d: ingest(d, "main-stage").update(description="ok"))
    diff = diff_topologies(base, changed, files=False)
    # the schema refuses '<', '>' and '`' in descriptions; the formatter must not rely on it
    evil = replace(changed, ingests=tuple(replace(i, description=hostile) for i in changed.ingests))
    md = format_markdown(diff_topologies(base, evil, files=False))
    assert "@everyone" not in md and "&#64;everyone" in md
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "**bold**" not in md and "[link](" not in md
    for line in md.splitlines():
        if line.startswith("| `festival-main-stage`"):
            assert line.count(" | ") == 5  # the value's pipe is escaped, the table keeps its columns
    assert "Main stage \\| ok → ok" in format_markdown(diff)


def test_markdown_and_text_summaries(old):
    def edit(d):
        ingest(d, "main-stage").update(port=5004)
        d["hub"]["live"]["starts_on"] = "tent-stage"

    diff = pair(old, edit)
    md = format_markdown(diff)
    assert md.startswith("### streamfabric diff: festival (old.json) → festival (new.json)\n")
    assert "**2 topology changes; stacks: 1 to update; 0 flows (re)started; 1 stream interrupted**" in md
    assert "| **update** | `festival-flows-eu-west-1` | eu-west-1 |" in md
    assert "- ingest main-stage: port 5000 → 5004" in md
    text = format_text(diff)
    assert "  update   festival-main-stage (eu-west-1) [stream interrupted]" in text
    assert "           needed: the contributor must send to the new port" in text
    data = json.loads(json.dumps(diff.as_dict()))
    assert data["flows"][0]["flow"] == "festival-main-stage" and data["files"] is None


# -- the command ----------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> str:
    doc = copy.deepcopy(BASE)
    if edit:
        edit(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def test_cli_markdown_and_json(tmp_path, capsys):
    old_path = _write(tmp_path, "old.json")
    new_path = _write(tmp_path, "new.json", lambda d: ingest(d, "main-stage").update(port=5004))
    assert main(["diff", old_path, new_path]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### streamfabric diff: festival (old.json) → festival (new.json)")
    assert main(["diff", old_path, new_path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stacks"] == [
        {
            "name": "festival-flows-eu-west-1",
            "region": "eu-west-1",
            "kind": "flows",
            "action": "update",
            "reasons": ["changes ingest main-stage (port)"],
        }
    ]


def test_command_options_read_from_args(tmp_path, capsys):
    from streamfabric.cli.commands import diff as command

    old_path = _write(tmp_path, "old.json")
    new_path = _write(tmp_path, "new.json", lambda d: ingest(d, "main-stage").update(port=5004))
    args = argparse.Namespace(
        old=old_path, new=new_path, json=False, format="text", exit_code=True, files=False
    )
    assert command.run(args) == 1
    assert capsys.readouterr().out.startswith("festival (old.json) -> festival (new.json): 1 topology change")
    same = argparse.Namespace(old=old_path, new=old_path, json=False, format="text", exit_code=True)
    assert command.run(same) == 0

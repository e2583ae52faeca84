"""Maintenance windows: a default plus per-region overrides, rendered as ``Maintenance`` on every flow
(CloudFormation template reference, "AWS::MediaConnect::Flow Maintenance": MaintenanceDay,
MaintenanceStartHour "HH:MM" with minutes 00); ``validate`` warns when a flow has none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

from streamfabric.rendering import render
from streamfabric.topology.advisories import topology_advisories
from streamfabric.topology.loading import parse_topology

ROOT = Path(__file__).resolve().parents[2]


def _festival(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((ROOT / "examples" / "festival.json").read_text())
    doc.pop("maintenance", None)
    doc.update(changes)
    return doc


def _windows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Flow name -> its rendered Maintenance (None when absent), every flows stack."""
    files = render(parse_topology(json.dumps(doc), "t.json"), network="terraform")
    out: dict[str, Any] = {}
    for path, text in files.items():
        if path.startswith("cloudformation/flows-") and path.endswith(".yaml"):
            for res in decode_str(text)[0]["Resources"].values():
                if res["Type"] == "AWS::MediaConnect::Flow":
                    out[res["Properties"]["Name"]] = res["Properties"].get("Maintenance")
    return out


def test_every_flow_gets_the_default_or_its_region_s_window() -> None:
    doc = _festival(maintenance={"day": "Tuesday", "start_hour": 4})
    doc["regions"][0]["maintenance"] = {"day": "Sunday", "start_hour": 23}  # us-east-1
    windows = _windows(doc)
    assert len(windows) == 8  # six ingests + Live + Preview
    us = {i["name"] for i in doc["ingests"] if i["region"] == "us-east-1"}
    for name, window in windows.items():
        if name.removeprefix("festival-") in us:
            assert window == {"MaintenanceDay": "Sunday", "MaintenanceStartHour": "23:00"}, name
        else:
            assert window == {"MaintenanceDay": "Tuesday", "MaintenanceStartHour": "04:00"}, name
    assert topology_advisories(parse_topology(json.dumps(doc), "t.json")) == []


def test_no_window_renders_none_and_warns_once() -> None:
    doc = _festival()
    assert set(_windows(doc).values()) == {None}
    advisories = topology_advisories(parse_topology(json.dumps(doc), "t.json"))
    assert [(a.path, "no maintenance window" in a.message) for a in advisories] == [("$.maintenance", True)]


def test_a_region_left_without_a_window_is_named() -> None:
    doc = _festival()
    doc["hub"]["maintenance"] = {"day": "Monday", "start_hour": 0}
    advisories = topology_advisories(parse_topology(json.dumps(doc), "t.json"))
    assert [a.path for a in advisories] == ["$.regions[0].maintenance", "$.regions[1].maintenance",
                                            "$.regions[2].maintenance"]  # fmt: skip
    assert all(
        a.message.startswith(r)
        for a, r in zip(advisories, ("us-east-1", "ap-southeast-2", "sa-east-1"), strict=True)
    )
    windows = _windows(doc)
    assert windows["festival-live"] == {"MaintenanceDay": "Monday", "MaintenanceStartHour": "00:00"}
    assert windows["festival-nyc-studio"] is None

"""The router engine in the topology: the schema's enums are botocore's, the model's defaults, and the
festival on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session

from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import ROUTER_INPUT_TIERS, ROUTER_OUTPUT_TIERS, RouterSettings
from streamfabric.topology.region_support import type_supported

ROOT = Path(__file__).resolve().parents[2]


def _schema() -> dict[str, object]:
    data: dict[str, object] = json.loads((ROOT / "schemas" / "topology.schema.json").read_text())
    return data


def test_the_schemas_tiers_are_botocores_enums() -> None:
    model = botocore.session.get_session().get_service_model("mediaconnect")
    router = _schema()["properties"]["router"]["properties"]  # type: ignore[index]
    inputs, outputs = model.shape_for("RouterInputTier").enum, model.shape_for("RouterOutputTier").enum
    assert set(router["input"]["properties"]["tier"]["enum"]) == set(inputs)
    assert set(router["output"]["properties"]["tier"]["enum"]) == set(outputs)
    assert set(ROUTER_INPUT_TIERS) == set(model.shape_for("RouterInputTier").enum)
    assert set(ROUTER_OUTPUT_TIERS) == set(model.shape_for("RouterOutputTier").enum)


def test_festival_router_is_the_festival_on_the_router_engine() -> None:
    flows = load_topology(str(ROOT / "examples" / "festival.json"))
    router = load_topology(str(ROOT / "examples" / "festival-router.json"))
    assert (flows.engine, router.engine) == ("flows", "router")
    assert flows.router == RouterSettings()
    assert (router.router.input.tier, router.router.input.maximum_bitrate) == ("INPUT_20", 15_000_000)
    assert (router.router.output.tier, router.router.output.maximum_bitrate) == ("OUTPUT_20", 20_000_000)
    assert router.ingests == flows.ingests and router.hub == flows.hub
    for region in {i.region for i in router.ingests} | {router.hub.region}:
        assert type_supported(region, "AWS::MediaConnect::RouterInput")


def test_cloudformation_lacks_the_router_types_in_some_mediaconnect_regions() -> None:
    assert not type_supported("af-south-1", "AWS::MediaConnect::RouterInput")
    assert type_supported("eu-west-1", "AWS::MediaConnect::RouterOutput")


def test_the_router_engine_has_no_terraform_network() -> None:
    import pytest

    from streamfabric.errors import RenderError
    from streamfabric.rendering.terraform import render_terraform

    router = load_topology(str(ROOT / "examples" / "festival-router.json"))
    with pytest.raises(RenderError, match="router engine"):
        render_terraform(router)

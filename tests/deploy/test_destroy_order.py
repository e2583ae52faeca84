"""Destroy's order, observed in the emulator (not only planned): every stack is deleted after the
stacks that use it, and the hub's network stack (whose role and hop secret the others use) last."""

from __future__ import annotations

from typing import Any

import pytest

from deploy import helpers
from streamfabric.deployment import deploy, destroy
from streamfabric.topology.model import Topology

pytestmark = pytest.mark.integration


class DeleteOrder:
    """The stacks named by DeleteStack calls, in the order they were made (a botocore hook)."""

    def __init__(self, session: Any) -> None:
        self.stacks: list[str] = []
        session.events.register("provide-client-params.cloudformation.DeleteStack", self._seen)

    def _seen(self, params: dict[str, Any], **_: Any) -> None:
        self.stacks.append(str(params["StackName"]))


def test_destroy_deletes_the_hub_network_last_and_dependents_first(aws: str, festival: Topology) -> None:
    helpers.create_example_secrets(festival, aws)
    helpers.create_example_hosted_zone(festival)
    session = helpers.session()
    deploy(festival, network="cloudformation", gateway=helpers.gateway(session))
    order = DeleteOrder(session)
    destroy(festival, gateway=helpers.gateway(session))
    stacks = order.stacks
    hub_network = festival.stack_name("network", festival.hub.region)
    assert stacks[-1] == hub_network, stacks
    assert len(stacks) == len(set(stacks))  # each once
    position = {name: i for i, name in enumerate(stacks)}
    for net in festival.networks:
        region = net.region
        flows, network = festival.stack_name("flows", region), festival.stack_name("network", region)
        assert position[flows] < position[network]  # a region's flows before its network
        if region != festival.hub.region:
            routes = festival.stack_name("routes", region)
            assert position[routes] < position[festival.stack_name("peering", festival.hub.region)]
            assert position[routes] < position[network]
    assert position[festival.stack_name("peering", festival.hub.region)] < position[hub_network]
    cfn = session.client("cloudformation", region_name=festival.hub.region)
    assert [s["StackName"] for s in cfn.describe_stacks()["Stacks"]] == []

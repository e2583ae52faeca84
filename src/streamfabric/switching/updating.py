"""One source update of a hub flow, as MediaConnect does it: asynchronously.

UpdateFlowSource answers 202 Accepted and the flow may be UPDATING afterwards (MediaConnect API
Reference, UpdateFlowSource and DescribeFlow ``Flow.Status``). AWS does not document what a second
update during that window does; the emulator refuses it (a BadRequestException), and so may AWS.
So the hot path stays one call — the update — and only when it is refused is the flow described:
if it is UPDATING, the previous update is waited out (bounded: ``attempts`` DescribeFlow polls, by
the ``flow_settled`` waiter; UPDATING was seen, so ACTIVE afterwards means that update is done) and
the update is made once more. Anything else is raised.

:class:`RecentUpdates` remembers a Switcher's own last update of each hub flow: before a take, both
must show (bounded), so both halves of the take can go through, or neither is tried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..aws.gateway import AwsGateway
from ..aws.waiters import source_expectation, wait
from ..errors import AwsError, SwitchError
from ..topology.model import HubRole


class StillUpdatingError(AwsError):
    """The flow stayed UPDATING through every poll: nothing was changed."""

    kind = "still_updating"


def update_source(
    gateway: AwsGateway,
    region: str,
    params: Mapping[str, Any],
    *,
    attempts: int,
    delay: float = 1.0,
) -> dict[str, Any]:
    """UpdateFlowSource with ``params``; waits out an update in progress once (see the module doc)."""
    try:
        return gateway.call("mediaconnect", region, "update_flow_source", **params)
    except AwsError as exc:
        if exc.code != "BadRequestException" or not _updating(gateway, region, str(params["FlowArn"])):
            raise
    try:
        flow = {"FlowArn": params["FlowArn"]}
        wait(gateway, "mediaconnect", region, "flow_settled", delay=delay, max_attempts=attempts, **flow)
    except AwsError as exc:
        raise StillUpdatingError(
            f"the flow is still UPDATING from a previous switch after {attempts} checks ({exc}); "
            "nothing was changed, try again in a few seconds",
            code="StillUpdating",
            operation="update_flow_source",
        ) from exc
    return gateway.call("mediaconnect", region, "update_flow_source", **params)


def await_applied(
    gateway: AwsGateway, region: str, params: Mapping[str, Any], *, attempts: int, delay: float = 1.0
) -> None:
    """Wait (bounded) until the update made with ``params`` shows: the flow ACTIVE or STANDBY *and* that
    source with the requested values (``flow_settled`` with ``aws.waiters.source_expectation``)."""
    try:
        expected = {"expect_source": source_expectation(params), "FlowArn": params["FlowArn"]}
        wait(gateway, "mediaconnect", region, "flow_settled", delay=delay, max_attempts=attempts, **expected)
    except AwsError as exc:
        raise StillUpdatingError(
            f"the previous switch of this flow has not settled after {attempts} checks ({exc})",
            code="StillUpdating",
            operation="describe_flow",
        ) from exc


class RecentUpdates:
    """The params of this process's last UpdateFlowSource of each hub flow, and when it was made."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._made: dict[HubRole, tuple[Mapping[str, Any], float]] = {}

    def made(self, role: HubRole, params: Mapping[str, Any]) -> None:
        self._made[role] = (params, self.clock())

    def forget(self) -> None:
        """Another writer switched: these may no longer be what a take waits for."""
        self._made.clear()

    def settle(self, gateway: AwsGateway, region: Callable[[], str], *, window: float, attempts: int) -> None:
        """Wait (bounded) for the updates made within ``window`` seconds to show; SwitchError when
        one does not (nothing was changed)."""
        for role, (params, when) in list(self._made.items()):
            if self.clock() - when > window:
                continue
            try:
                await_applied(gateway, region(), params, attempts=attempts)
            except StillUpdatingError as exc:
                raise SwitchError(
                    f"cannot take: {role} is still UPDATING: {exc}; nothing was changed"
                ) from exc
            self._made.pop(role, None)


def _updating(gateway: AwsGateway, region: str, flow_arn: str) -> bool:
    try:
        flow = gateway.call("mediaconnect", region, "describe_flow", FlowArn=flow_arn)["Flow"]
    except AwsError:
        return False
    return str(flow.get("Status")) == "UPDATING"


__all__ = ["RecentUpdates", "StillUpdatingError", "await_applied", "update_source"]

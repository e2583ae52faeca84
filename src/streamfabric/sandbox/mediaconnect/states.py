"""How a flow's transient statuses move on: STARTING becomes ACTIVE and STOPPING STANDBY by the next
look at it (moto's ``Flow.resolve_transient_states``), except while an UpdateFlowSource window
(:mod:`.asynchronous`) or a maintenance restart (:mod:`.maintenance`) says what reads show."""

from __future__ import annotations

from typing import Any

from . import asynchronous, maintenance


def settle(flow: Any) -> None:
    if not asynchronous.in_update(flow.flow_arn) and not maintenance.in_restart(flow.flow_arn):
        flow.resolve_transient_states()

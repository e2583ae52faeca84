"""What ``status()`` reads from AWS, in two rounds of parallel calls (which flows to describe is
decided in :mod:`.looks`, without calls):

1. ListFlows per region (every flow's status, paginated), the sources' signal (one GetMetricData per
   region, :mod:`.signal`), DescribeFlow of both hub flows and of the flows :func:`.looks.first_round`
   names (first look, troubled, on air, the stalest few);
2. DescribeFlow of the flows :func:`.looks.second_round` names from round 1's answers (listed as not
   ACTIVE or not listed, newly on air, signal changed) — usually none.

Every other ingest flow is reported from its last description with the status ListFlows gives now.
ListFlows also shows a second flow with one of our names (a warning)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..aws.gateway import AwsGateway
from ..errors import AwsError
from ..state.runtime import RuntimeState
from ..topology.model import HUB_ROLES, Topology
from .checks import duplicate_names
from .looks import Look, current, first_round, second_round
from .signal import SignalMonitor
from .status import source_endpoint

PAGE = 1000  # ListFlows' MaxResults at most (botocore's model); AWS pages at 10 without it


def signal_flows(state: RuntimeState) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Every flow whose signal status() reads: region -> ARNs, and ARN -> region."""
    regions: dict[str, list[str]] = {state.hub_region: [state.hub_flow(r).flow_arn for r in HUB_ROLES]}
    for ing in state.ingests.values():
        regions.setdefault(ing.region, []).append(ing.flow_arn)
    return regions, {arn: region for region, arns in regions.items() for arn in arns}


@dataclass(frozen=True, slots=True)
class Observation:
    """``responses``: DescribeFlow responses keyed ``hub:live``, ``hub:preview`` and by ingest name
    (``{}``: gone; an ERROR stand-in: unreadable), fresh or remembered; ``described``: the keys
    described this time, with why; ``listed``: ingest name -> its ListFlows status (None: not
    listed; absent: its region could not be listed)."""

    responses: dict[str, dict[str, Any]]
    described: dict[str, str]
    listed: dict[str, str | None]
    warnings: tuple[str, ...]


def observe_flows(
    gateway: AwsGateway,
    topology: Topology,
    state: RuntimeState,
    signals: SignalMonitor,
    looks: Mapping[str, Look],
    *,
    on_air: tuple[str | None, ...],
    now: float,
    ttl: float,
    budget: int,
) -> Observation:
    """Read what status() needs (see the module doc). A hub flow that cannot be read raises: status
    cannot say what is on air without it."""
    arns = {name: (ing.region, ing.flow_arn) for name, ing in state.ingests.items()}
    arns.update({f"hub:{r}": (state.hub_region, state.hub_flow(r).flow_arn) for r in HUB_ROLES})
    regions = sorted({state.hub_region, *(ing.region for ing in state.ingests.values())})
    names = list(state.ingests)

    def describe(key: str) -> dict[str, Any]:
        region, arn = arns[key]
        try:
            return gateway.call("mediaconnect", region, "describe_flow", FlowArn=arn)
        except AwsError as exc:
            if key.startswith("hub:"):
                raise
            if exc.code == "NotFoundException":
                return {}
            return {"Flow": {"Status": "ERROR"}, "Messages": {"Errors": [str(exc)]}}

    def listing(region: str) -> list[dict[str, Any]] | None:
        try:
            pages = gateway.paginate(
                "mediaconnect", region, "list_flows", PaginationConfig={"PageSize": PAGE}
            )
            return [flow for page in pages for flow in page.get("Flows", ())]
        except AwsError:
            return None  # its flows are described instead

    first = {f"hub:{r}": "hub flow" for r in HUB_ROLES}
    first.update(first_round(names, looks, on_air, now, ttl=ttl, budget=budget))
    with ThreadPoolExecutor(max_workers=min(32, len(first) + len(regions) + 1)) as pool:
        signal_job = pool.submit(signals.refresh, *signal_flows(state))
        listings = {region: pool.submit(listing, region) for region in regions}
        described: dict[str, Future[dict[str, Any]]] = {k: pool.submit(describe, k) for k in first}
        listed_flows = {region: job.result() for region, job in listings.items()}
        listed = _statuses(state, listed_flows)
        hubs = {k: described[k].result() for k in first if k.startswith("hub:")}
        signal_job.result()
        airing = tuple(_on_air(state, hubs[f"hub:{r}"]) for r in HUB_ROLES)
        verdicts = {name: _has_signal(signals, state.ingests[name].flow_arn) for name in names}
        second = second_round(names, looks, listed, verdicts, airing, first)
        described.update({k: pool.submit(describe, k) for k in second})
        responses = {k: job.result() for k, job in described.items()}
    for name in names:
        if name not in responses:
            responses[name] = current(looks[name].response, listed.get(name))
    warnings = duplicate_names(topology, state, {r: f for r, f in listed_flows.items() if f is not None})
    return Observation(responses, {**first, **second}, listed, tuple(warnings))


def _statuses(
    state: RuntimeState, listed: Mapping[str, list[dict[str, Any]] | None]
) -> dict[str, str | None]:
    """Ingest name -> its status in its region's listing (None: not listed), for listed regions."""
    out: dict[str, str | None] = {}
    for name, ing in state.ingests.items():
        flows = listed.get(ing.region)
        if flows is None:
            continue
        match = next((f for f in flows if f.get("FlowArn") == ing.flow_arn), None)
        out[name] = None if match is None else str(match.get("Status", "UNKNOWN"))
    return out


def _on_air(state: RuntimeState, response: Mapping[str, Any]) -> str | None:
    address, port = source_endpoint(response.get("Flow") or {})
    return state.ingest_at(address, port)


def _has_signal(signals: SignalMonitor, flow_arn: str) -> bool | None:
    return signals.signal(flow_arn).has_signal if signals.fresh_metrics(flow_arn) is not None else None


__all__ = ["Observation", "observe_flows", "signal_flows"]

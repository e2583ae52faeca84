"""What ``status()`` reads from AWS in one go, in parallel: DescribeFlow of both hub flows and every
ingest flow (by the runtime state's ARNs), ListFlows per region (a second flow with one of our names
is a warning), and the sources' signal (one GetMetricData per region, :mod:`.signal`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..aws.gateway import AwsGateway
from ..errors import AwsError
from ..state.runtime import RuntimeState
from ..topology.model import HUB_ROLES, Topology
from .checks import duplicate_names
from .signal import SignalMonitor


def signal_flows(state: RuntimeState) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Every flow whose signal status() reads: region -> ARNs, and ARN -> region."""
    regions: dict[str, list[str]] = {state.hub_region: [state.hub_flow(r).flow_arn for r in HUB_ROLES]}
    for ing in state.ingests.values():
        regions.setdefault(ing.region, []).append(ing.flow_arn)
    return regions, {arn: region for region, arns in regions.items() for arn in arns}


def observe_flows(
    gateway: AwsGateway, topology: Topology, state: RuntimeState, signals: SignalMonitor
) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    """DescribeFlow responses keyed ``hub:live``, ``hub:preview`` and by ingest name (``{}`` for a flow
    that is gone, an ERROR stand-in for one that cannot be read), and the duplicate-name warnings.
    A hub flow that cannot be read raises: status cannot say what is on air without it."""
    jobs: dict[str, tuple[str, str]] = {f"hub:{r}": (state.hub_region, state.hub_flow(r).flow_arn)
                                        for r in HUB_ROLES}  # fmt: skip
    jobs.update({name: (ing.region, ing.flow_arn) for name, ing in state.ingests.items()})
    regions = sorted({state.hub_region, *(ing.region for ing in state.ingests.values())})

    def fetch(item: tuple[str, tuple[str, str]]) -> tuple[str, dict[str, Any]]:
        key, (region, arn) = item
        try:
            response: dict[str, Any] = gateway.call("mediaconnect", region, "describe_flow", FlowArn=arn)
            return key, response
        except AwsError as exc:
            if key.startswith("hub:"):
                raise
            if exc.code == "NotFoundException":
                return key, {}
            return key, {"Flow": {"Status": "ERROR"}, "Messages": {"Errors": [str(exc)]}}

    def listed(region: str) -> tuple[str, list[dict[str, Any]]]:
        try:
            pages = gateway.paginate("mediaconnect", region, "list_flows")
            return region, [flow for page in pages for flow in page.get("Flows", ())]
        except AwsError:
            return region, []  # duplicates are a warning; the describes say what matters

    with ThreadPoolExecutor(max_workers=min(16, len(jobs) + len(regions) + 1)) as pool:
        signal_job = pool.submit(signals.refresh, *signal_flows(state))
        listings = pool.map(listed, regions)
        responses = dict(pool.map(fetch, jobs.items()))
        warnings = duplicate_names(topology, state, dict(listings))
        signal_job.result()
    return responses, tuple(warnings)

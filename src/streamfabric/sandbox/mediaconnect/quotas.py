"""MediaConnect's quotas, as the User Guide states them.

MediaConnect User Guide, *Quotas in AWS Elemental MediaConnect*
(https://docs.aws.amazon.com/mediaconnect/latest/ug/quotas.html):

* Flows: "20 per AWS Region" (a quota that can be raised: not in the emulator, which has the
  default); a DELETING flow still counts (:mod:`.deletion`: AWS does not say; the harsher reading);
* Outputs: "50 per transport stream flow"; Sources: "2 per transport stream flow"; VPC interfaces:
  "2 ENA interfaces and 1 EFA interface per flow"; Entitlements: "50 per flow";
* *Feature-specific output limitations*: content quality analysis and thumbnails: "Maximum of 10
  outputs per flow. If exceeded, ... automatically disabled". The emulator generates no thumbnail
  for a flow with more than 10 outputs (DescribeFlowSourceThumbnail answers with a message) and
  keeps the flow's ``SourceMonitoringConfig`` as it was set (AWS does not say whether DescribeFlow
  shows the feature disabled: the harsher reading for a client is a configuration that promises
  what does not come).

Errors, from botocore's service model: the operations that create what a flow or output quota
counts have an HTTP 420 error of their own (``CreateFlow420Exception``,
``AddFlowOutputs420Exception``, ``GrantFlowEntitlements420Exception``); AddFlowSources and
AddFlowVpcInterfaces have none, so theirs is BadRequestException (400), as is CreateFlow's for
sources and VPC interfaces.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .exceptions import BadRequestException, QuotaExceeded

FLOWS_PER_REGION = 20
OUTPUTS_PER_FLOW = 50
SOURCES_PER_FLOW = 2
ENA_INTERFACES_PER_FLOW = 2
EFA_INTERFACES_PER_FLOW = 1
ENTITLEMENTS_PER_FLOW = 50
MONITORED_OUTPUTS = 10  # thumbnails and content quality analysis stop above this


def check_flows(existing: int) -> None:
    if existing >= FLOWS_PER_REGION:
        raise QuotaExceeded(
            "CreateFlow",
            f"You have reached the quota of {FLOWS_PER_REGION} flows in this Region ({existing} exist).",
        )


def check_outputs(operation: str, existing: int, added: int) -> None:
    if existing + added > OUTPUTS_PER_FLOW:
        raise QuotaExceeded(
            operation,
            f"A flow can have at most {OUTPUTS_PER_FLOW} outputs ({existing} exist, {added} requested).",
        )


def check_sources(existing: int, added: int) -> None:
    if existing + added > SOURCES_PER_FLOW:
        raise BadRequestException(f"A flow can have at most {SOURCES_PER_FLOW} sources.")


def check_vpc_interfaces(existing: Iterable[dict[str, Any]], added: Iterable[dict[str, Any]]) -> None:
    kinds = [str(vpc.get("networkInterfaceType") or "ena") for vpc in (*existing, *added)]
    if kinds.count("ena") > ENA_INTERFACES_PER_FLOW or kinds.count("efa") > EFA_INTERFACES_PER_FLOW:
        raise BadRequestException(
            f"A flow can have at most {ENA_INTERFACES_PER_FLOW} ENA and {EFA_INTERFACES_PER_FLOW} EFA "
            "VPC interfaces."
        )


def check_entitlements(existing: int, added: int) -> None:
    if existing + added > ENTITLEMENTS_PER_FLOW:
        raise QuotaExceeded(
            "GrantFlowEntitlements", f"A flow can have at most {ENTITLEMENTS_PER_FLOW} entitlements."
        )


def monitored(flow: Any) -> bool:
    """Whether thumbnails (and content quality analysis) run: at most 10 outputs."""
    return len(flow.outputs or ()) <= MONITORED_OUTPUTS

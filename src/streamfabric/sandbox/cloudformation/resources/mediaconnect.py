"""CloudFormation models for AWS::MediaConnect::Flow, FlowOutput, FlowSource and FlowVpcInterface.

moto's CloudFormation finds resource types among the direct subclasses of ``CloudFormationModel``
(``moto.cloudformation.parsing.get_model_map``, cached); without these it skips the types with a
warning and the stack "succeeds" without a flow. The models call :mod:`...mediaconnect.models`, i.e.
the same operations the MediaConnect API uses, so a flow made by a stack is indistinguishable from
one made by ``create_flow``. A change of a create-only property of the resource schemas (a flow's
``Name``, ``AvailabilityZone`` or ``Source/Name``, a child's ``FlowArn`` or ``Name``, a source's
``Protocol``) replaces the resource (:mod:`...cloudformation.updates`); the models apply the rest in
place. ``Ref`` returns the ARN (for a VPC interface, the ARN of its flow). A flow's ``Maintenance``
(CloudFormation template reference, "AWS::MediaConnect::Flow Maintenance": MaintenanceDay,
MaintenanceStartHour "HH:MM" with minutes 00) goes to CreateFlow as ``maintenance`` and, when it
changes, to UpdateFlow ("Update requires: No interruption"). A flow is deleted only after the
resources of its stack that live on it (moto deletes in no particular order; CloudFormation deletes
dependents first), so a VPC interface still used by a source makes the stack DELETE_FAILED, as AWS
warns.

A flow's ``Source`` updated by CloudFormation becomes the template's source, whole (AWS
CloudFormation Template Reference, AWS::MediaConnect::Flow, ``Source``: the settings of the flow's
source, and AWS::MediaConnect::Flow Source: each of its members as the template gives it): every
member of UpdateFlowSource the template leaves out is reset to what a flow created without it has
(nothing), a VPC interface name it leaves out is removed (UpdateFlowSource's empty
``vpcInterfaceName``), and its ``Decryption`` replaces the source's whole. What the MediaConnect API
changed since (a caller address, a VPC interface) does not survive: CloudFormation knows only the
template, and AWS documents no merge. The update goes through the same UpdateFlowSource as the API
(:func:`...mediaconnect.models.update_source`: an UPDATING window on a running flow). A change the
API made to the source while the template's ``Source`` stays the same is left alone (CloudFormation
updates only the properties whose definition changed).
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.core.utils import get_service_model
from moto.mediaconnect.exceptions import NotFoundException

from ...mediaconnect import models as model
from ...mediaconnect.exceptions import BadRequestException
from .base import MediaConnectResource, tag_map, to_wire

_REMOVED_VPC_INTERFACE = ""  # UpdateFlowSource's vpcInterfaceName that makes a VPC source public again


def _members(operation: str, member: str = "") -> list[str]:
    """Wire names of the body members of ``operation`` (or of its structure ``member``)."""
    shape = get_service_model("mediaconnect").operation_model(operation).input_shape
    if member:
        shape = shape.members[member]
    return [
        item.serialization.get("name", name)
        for name, item in shape.members.items()
        if "location" not in item.serialization
    ]


def whole_source(source: dict[str, Any]) -> dict[str, Any]:
    """The UpdateFlowSource request that makes a source ``source`` (wire names) and nothing else."""
    request: dict[str, Any] = dict.fromkeys(_members("UpdateFlowSource"))
    request.update({key: value for key, value in source.items() if key in request})
    request["vpcInterfaceName"] = source.get("vpcInterfaceName") or _REMOVED_VPC_INTERFACE
    if isinstance(source.get("decryption"), dict):
        request["decryption"] = {
            **dict.fromkeys(_members("UpdateFlowSource", "Decryption")),
            **source["decryption"],
        }
    return request


class MediaConnectFlow(MediaConnectResource, CloudFormationModel):
    """AWS::MediaConnect::Flow."""

    ATTRIBUTES = (
        "FlowArn",
        "FlowAvailabilityZone",
        "Source.SourceArn",
        "Source.IngestIp",
        "Source.SourceIngestPort",
        "EgressIp",
    )
    flow_arn: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::Flow"

    @property
    def physical_resource_id(self) -> str:
        return self.flow_arn

    def request(self, properties: dict[str, Any]) -> dict[str, Any]:
        """The CreateFlow request for ``properties``."""
        request: dict[str, Any] = to_wire(properties)
        request["name"] = self.name
        source = dict(request.get("source") or {})
        source_tags = tag_map((properties.get("Source") or {}).get("Tags"))
        if source_tags:
            source["sourceTags"] = source_tags
        request["source"] = source
        request["flowTags"] = self.creation_tags(properties)
        return request

    def create(self) -> None:
        self.flow_arn = str(model.create_flow(self.backend, self.request(self.properties)).flow_arn)

    def update_in_place(self, properties: dict[str, Any]) -> MediaConnectFlow:
        """Source via UpdateFlowSource (the template's, whole), VPC interfaces via Add/Remove,
        failover/maintenance/monitoring via UpdateFlow."""
        backend, flow_arn = self.backend, self.flow_arn
        old_request, new_request = self.request(self.properties), self.request(properties)
        old_vpcs = {vpc["name"]: vpc for vpc in old_request.get("vpcInterfaces") or []}
        new_vpcs = {vpc["name"]: vpc for vpc in new_request.get("vpcInterfaces") or []}
        changed = [n for n in new_vpcs if n in old_vpcs and old_vpcs[n] != new_vpcs[n]]
        added = [new_vpcs[n] for n in new_vpcs if n not in old_vpcs]
        if added:
            model.add_vpc_interfaces(backend, flow_arn, added)
        if old_request["source"] != new_request["source"]:
            source_arn = model.get_flow(backend, flow_arn).sources[0]["sourceArn"]
            model.update_source(backend, flow_arn, source_arn, whole_source(new_request["source"]))
        for name in [n for n in old_vpcs if n not in new_vpcs] + changed:
            model.remove_vpc_interface(backend, flow_arn, name)
        if changed:
            model.add_vpc_interfaces(backend, flow_arn, [new_vpcs[n] for n in changed])
        flow_changes = {
            key: new_request.get(key) or {}
            for key in ("sourceFailoverConfig", "maintenance", "sourceMonitoringConfig")
            if old_request.get(key) != new_request.get(key)
        }
        if flow_changes:
            model.update_flow(backend, flow_arn, flow_changes)
        self.retag(self.flow_arn, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        """DeleteFlow once the stack's resources on this flow are gone (refused while it runs)."""
        children: list[FlowChild] = [
            *MediaConnectFlowOutput.instances_tracked,  # type: ignore[attr-defined]
            *MediaConnectFlowSource.instances_tracked,  # type: ignore[attr-defined]
            *MediaConnectFlowVpcInterface.instances_tracked,  # type: ignore[attr-defined]
        ]
        dependents = sorted(
            child.logical_resource_id
            for child in children
            if child.alive and child.stack_id == self.stack_id and child.flow_arn == self.flow_arn
        )
        if dependents:
            raise BadRequestException(f"Flow {self.name} still has {', '.join(dependents)} of this stack.")
        with contextlib.suppress(NotFoundException):
            model.delete_flow(self.backend, self.flow_arn)

    def read_attributes(self) -> dict[str, Any]:
        flow = model.get_flow(self.backend, self.flow_arn)
        source = flow.sources[0] if flow.sources else {}
        return {
            "FlowArn": flow.flow_arn,
            "FlowAvailabilityZone": flow.availability_zone,
            "EgressIp": flow.egress_ip,
            "Source.SourceArn": source.get("sourceArn"),
            "Source.IngestIp": source.get("ingestIp"),
            "Source.SourceIngestPort": str(source.get("ingestPort") or ""),
        }


class FlowChild(MediaConnectResource):
    """A resource that lives on the flow given by its FlowArn property."""

    SET_APART: ClassVar[tuple[str, ...]] = ("FlowArn", "Name")  # the request's URI; its name

    @property
    def flow_arn(self) -> str:
        return str(self.properties["FlowArn"])

    @classmethod
    def changes(cls, properties: dict[str, Any]) -> dict[str, Any]:
        """The request members for ``properties`` (FlowArn and Name are set apart)."""
        members: dict[str, Any] = to_wire({k: v for k, v in properties.items() if k not in cls.SET_APART})
        return members

    def request(self) -> dict[str, Any]:
        return {**self.changes(self.properties), "name": self.name}


class MediaConnectFlowOutput(FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowOutput."""

    ATTRIBUTES = ("OutputArn",)
    output_arn: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowOutput"

    @property
    def physical_resource_id(self) -> str:
        return self.output_arn

    def create(self) -> None:
        request = {**self.request(), "outputTags": self.creation_tags(self.properties)}
        self.output_arn = str(model.add_outputs(self.backend, self.flow_arn, [request])[0]["outputArn"])

    def update_in_place(self, properties: dict[str, Any]) -> MediaConnectFlowOutput:
        model.update_output(self.backend, self.flow_arn, self.output_arn, self.changes(properties))
        self.retag(self.output_arn, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        with contextlib.suppress(NotFoundException):
            model.remove_output(self.backend, self.flow_arn, self.output_arn)

    def read_attributes(self) -> dict[str, Any]:
        return {"OutputArn": self.output_arn}


class MediaConnectFlowSource(FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowSource (an additional source: needs failover enabled on the flow)."""

    ATTRIBUTES = ("SourceArn", "IngestIp", "SourceIngestPort")
    source_arn: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowSource"

    @property
    def physical_resource_id(self) -> str:
        return self.source_arn

    def create(self) -> None:
        request = {**self.request(), "sourceTags": self.creation_tags(self.properties)}
        self.source_arn = str(model.add_sources(self.backend, self.flow_arn, [request])[0]["sourceArn"])

    def update_in_place(self, properties: dict[str, Any]) -> MediaConnectFlowSource:
        model.update_source(self.backend, self.flow_arn, self.source_arn, self.changes(properties))
        self.retag(self.source_arn, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        with contextlib.suppress(NotFoundException):
            model.remove_source(self.backend, self.flow_arn, self.source_arn)

    def read_attributes(self) -> dict[str, Any]:
        flow = model.get_flow(self.backend, self.flow_arn)
        source = next(s for s in flow.sources if s["sourceArn"] == self.source_arn)
        return {
            "SourceArn": self.source_arn,
            "IngestIp": source.get("ingestIp"),
            "SourceIngestPort": str(source.get("ingestPort") or ""),
        }


class MediaConnectFlowVpcInterface(FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowVpcInterface (Ref: the flow's ARN; identified by FlowArn + Name)."""

    RECREATED_BY = ("RoleArn", "SubnetId", "SecurityGroupIds", "NetworkInterfaceType")
    ATTRIBUTES = ("FlowArn", "NetworkInterfaceIds")

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowVpcInterface"

    @property
    def physical_resource_id(self) -> str:
        return self.flow_arn

    def create(self) -> None:
        model.add_vpc_interfaces(self.backend, self.flow_arn, [self.request()])

    def update_in_place(self, properties: dict[str, Any]) -> MediaConnectFlowVpcInterface:
        """There is no UpdateFlowVpcInterface: a new role, subnet or security groups mean removing
        and re-adding the interface under the same name (refused while a source/output uses it)."""
        if all(self.properties.get(key) == properties.get(key) for key in self.RECREATED_BY):
            self.properties = properties
            return self
        self.delete(self.account_id, self.region_name)
        return type(self)(self.account_id, self.region_name, self.name, properties, self.stack)

    def remove(self) -> None:
        with contextlib.suppress(NotFoundException):
            model.remove_vpc_interface(self.backend, self.flow_arn, self.name)

    def read_attributes(self) -> dict[str, Any]:
        flow = model.get_flow(self.backend, self.flow_arn)
        vpc = next(v for v in flow.vpc_interfaces if v["name"] == self.name)
        return {"FlowArn": self.flow_arn, "NetworkInterfaceIds": list(vpc.get("networkInterfaceIds") or [])}


MODELS: tuple[type[CloudFormationModel], ...] = (
    MediaConnectFlow,
    MediaConnectFlowOutput,
    MediaConnectFlowSource,
    MediaConnectFlowVpcInterface,
)

"""CloudFormation models for AWS::MediaConnect::Flow, FlowOutput, FlowSource and FlowVpcInterface.

moto's CloudFormation finds resource types among the direct subclasses of ``CloudFormationModel``
(``moto.cloudformation.parsing.get_model_map``, cached); without these it skips the types with a
warning and the stack "succeeds" without a flow. The models call :mod:`.moto_mc_model`, i.e. the
same operations the MediaConnect API uses, so a flow made by a stack is indistinguishable from
one made by ``create_flow``. Updates follow the resource specs: changing a create-only property
replaces the resource (create the new one, then delete the old one), anything else is updated in
place through the service's Update*/Add*/Remove* operations. ``Ref`` returns the ARN (for a VPC
interface, the ARN of its flow).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.mediaconnect.exceptions import NotFoundException

from . import moto_mc_model as model
from .moto_mc_network import BadRequestException

logger = logging.getLogger(__name__)

_INTEGER_MEMBERS = frozenset(
    {
        "IngestPort",
        "Port",
        "MinLatency",
        "MaxLatency",
        "MaxBitrate",
        "MaxSyncBuffer",
        "SenderControlPort",
        "SourceListenerPort",
        "SmoothingLatency",
        "RecoveryWindow",
        "NdiSpeedHqQuality",
    }
)
# Read-only attributes that may appear in a template's nested structures; not request members.
_NOT_REQUEST_MEMBERS = frozenset(
    {"SourceArn", "IngestIp", "SourceIngestPort", "NetworkInterfaceIds", "OutputArn", "Tags"}
)


def to_wire(value: Any, key: str = "") -> Any:
    """CloudFormation properties (PascalCase) -> MediaConnect request members (wire names)."""
    if isinstance(value, dict):
        return {
            name[:1].lower() + name[1:]: to_wire(item, name)
            for name, item in value.items()
            if name not in _NOT_REQUEST_MEMBERS
        }
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if key in _INTEGER_MEMBERS and isinstance(value, str):
        return int(value)
    return value


def _tag_map(tags: Any) -> dict[str, str]:
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags or []}


def _backend(account_id: str, region_name: str) -> Any:
    return model.backend_for(account_id, region_name)


def _retag(resource: _MediaConnectResource, old: dict[str, Any], new: dict[str, Any]) -> None:
    backend = _backend(resource.account_id, resource.region_name)
    old_tags, new_tags = _tag_map(old.get("Tags")), _tag_map(new.get("Tags"))
    gone = [key for key in old_tags if key not in new_tags]
    if gone:
        model.untag_resource(backend, resource.tagged_arn, gone)
    if new_tags and new_tags != old_tags:
        model.tag_resource(backend, resource.tagged_arn, new_tags)


class _MediaConnectResource:
    """What the four models share (not itself a CloudFormationModel: moto registers direct subclasses)."""

    CREATE_ONLY: tuple[str, ...] = ()
    ATTRIBUTES: tuple[str, ...] = ()

    def __init__(self, account_id: str, region_name: str, name: str, properties: dict[str, Any]) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.name = name
        self.properties = properties

    @property
    def backend(self) -> Any:
        return _backend(self.account_id, self.region_name)

    @property
    def tagged_arn(self) -> str:
        raise NotImplementedError

    @classmethod
    def cfn_has_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def attribute(self, attr: str) -> Any:
        raise NotImplementedError

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError

    def is_created(self) -> bool:
        return True

    def needs_replacement(self, properties: dict[str, Any], name: str) -> bool:
        if name != self.name:
            return True
        return any(self.properties.get(key) != properties.get(key) for key in self.CREATE_ONLY)

    def retire(self) -> None:
        """Delete this resource after its replacement exists; like CloudFormation's cleanup phase,
        a failure leaves the old resource in place (with a warning) instead of failing the update."""
        try:
            self.delete(self.account_id, self.region_name)
        except BadRequestException as err:
            logger.warning("could not delete replaced %s %s: %s", type(self).__name__, self.name, err)


def _name(properties: dict[str, Any], generated: str, original: _MediaConnectResource | None = None) -> str:
    """The Name property; else the original resource's name; else the name CloudFormation generated."""
    if properties.get("Name"):
        return str(properties["Name"])
    return original.name if original is not None else generated


class MediaConnectFlow(_MediaConnectResource, CloudFormationModel):
    """AWS::MediaConnect::Flow."""

    CREATE_ONLY = ("Name", "AvailabilityZone")
    ATTRIBUTES = (
        "FlowArn",
        "FlowAvailabilityZone",
        "Source.SourceArn",
        "Source.IngestIp",
        "Source.SourceIngestPort",
        "EgressIp",
    )

    def __init__(
        self, account_id: str, region_name: str, name: str, properties: dict[str, Any], flow_arn: str
    ) -> None:
        super().__init__(account_id, region_name, name, properties)
        self.flow_arn = flow_arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::Flow"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return cls.cfn_has_attr(attr)

    @property
    def physical_resource_id(self) -> str:
        return self.flow_arn

    @property
    def tagged_arn(self) -> str:
        return self.flow_arn

    def attribute(self, attr: str) -> Any:
        flow = model.get_flow(self.backend, self.flow_arn)
        source = flow.sources[0] if flow.sources else {}
        values = {
            "FlowArn": flow.flow_arn,
            "FlowAvailabilityZone": flow.availability_zone,
            "EgressIp": flow.egress_ip,
            "Source.SourceArn": source.get("sourceArn"),
            "Source.IngestIp": source.get("ingestIp"),
            "Source.SourceIngestPort": str(source.get("ingestPort") or ""),
        }
        return values[attr]

    @staticmethod
    def _request(name: str, properties: dict[str, Any]) -> dict[str, Any]:
        request: dict[str, Any] = to_wire(properties)
        request["name"] = name
        source = dict(request.get("source") or {})
        source_tags = _tag_map((properties.get("Source") or {}).get("Tags"))
        if source_tags:
            source["sourceTags"] = source_tags
        request["source"] = source
        if properties.get("Tags"):
            request["flowTags"] = _tag_map(properties["Tags"])
        return request

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MediaConnectFlow:
        properties = dict(cloudformation_json.get("Properties") or {})
        name = _name(properties, resource_name)
        flow = model.create_flow(_backend(account_id, region_name), cls._request(name, properties))
        return cls(account_id, region_name, name, properties, flow.flow_arn)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MediaConnectFlow,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MediaConnectFlow:
        properties = dict(cloudformation_json.get("Properties") or {})
        name = _name(properties, new_resource_name, original_resource)
        old_source, new_source = (
            original_resource.properties.get("Source") or {},
            properties.get("Source") or {},
        )
        if original_resource.needs_replacement(properties, name) or old_source.get("Name") != new_source.get(
            "Name"
        ):
            replacement = cls.create_from_cloudformation_json(
                name, cloudformation_json, account_id, region_name
            )
            original_resource.retire()
            return replacement
        original_resource.update_in_place(properties)
        return original_resource

    def update_in_place(self, properties: dict[str, Any]) -> None:
        backend, old = self.backend, self.properties
        old_request, new_request = self._request(self.name, old), self._request(self.name, properties)
        old_vpcs = {vpc["name"]: vpc for vpc in old_request.get("vpcInterfaces") or []}
        new_vpcs = {vpc["name"]: vpc for vpc in new_request.get("vpcInterfaces") or []}
        changed = [n for n in new_vpcs if n in old_vpcs and old_vpcs[n] != new_vpcs[n]]
        added = [new_vpcs[n] for n in new_vpcs if n not in old_vpcs]
        if added:
            model.add_vpc_interfaces(backend, self.flow_arn, added)
        if old_request["source"] != new_request["source"]:
            flow = model.get_flow(backend, self.flow_arn)
            changes = {k: v for k, v in new_request["source"].items() if k not in ("name", "sourceTags")}
            model.update_source(backend, self.flow_arn, flow.sources[0]["sourceArn"], changes)
        for name in [n for n in old_vpcs if n not in new_vpcs] + changed:
            model.remove_vpc_interface(backend, self.flow_arn, name)
        if changed:
            model.add_vpc_interfaces(backend, self.flow_arn, [new_vpcs[n] for n in changed])
        flow_changes = {
            key: new_request.get(key) or {}
            for key in ("sourceFailoverConfig", "maintenance")
            if old_request.get(key) != new_request.get(key)
        }
        if flow_changes:
            model.update_flow(backend, self.flow_arn, flow_changes)
        _retag(self, old, properties)
        self.properties = properties

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        with contextlib.suppress(NotFoundException):
            model.delete_flow(_backend(account_id, region_name), resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Refused (BadRequestException) while the flow runs, like DeleteFlow."""
        self.delete_from_cloudformation_json(self.flow_arn, {}, self.account_id, self.region_name)


def _owning_flow_arn(account_id: str, region_name: str, key: str, arn: str) -> str | None:
    for flow in _backend(account_id, region_name)._flows.values():
        if any(item.get(key) == arn for item in (*flow.outputs, *flow.sources)):
            return str(flow.flow_arn)
    return None


class _FlowChild(_MediaConnectResource):
    """A resource that lives on a flow given by its FlowArn property."""

    @property
    def flow_arn(self) -> str:
        return str(self.properties["FlowArn"])

    def request(self) -> dict[str, Any]:
        request = self.changes(self.properties)
        request["name"] = self.name
        return request

    @staticmethod
    def changes(properties: dict[str, Any]) -> dict[str, Any]:
        """The update request members for ``properties`` (create-only ones excluded)."""
        members: dict[str, Any] = to_wire(
            {k: v for k, v in properties.items() if k not in ("FlowArn", "Name")}
        )
        return members


class MediaConnectFlowOutput(_FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowOutput."""

    CREATE_ONLY = ("FlowArn", "Name")
    ATTRIBUTES = ("OutputArn",)

    def __init__(self, account_id: str, region_name: str, name: str, properties: dict[str, Any]) -> None:
        super().__init__(account_id, region_name, name, properties)
        request = self.request()
        tags = _tag_map(properties.get("Tags"))
        if tags:
            request["outputTags"] = tags
        self.output_arn = str(model.add_outputs(self.backend, self.flow_arn, [request])[0]["outputArn"])

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowOutput"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return cls.cfn_has_attr(attr)

    @property
    def physical_resource_id(self) -> str:
        return self.output_arn

    @property
    def tagged_arn(self) -> str:
        return self.output_arn

    def attribute(self, attr: str) -> Any:
        return self.output_arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MediaConnectFlowOutput:
        properties = dict(cloudformation_json.get("Properties") or {})
        return cls(account_id, region_name, _name(properties, resource_name), properties)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MediaConnectFlowOutput,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MediaConnectFlowOutput:
        properties = dict(cloudformation_json.get("Properties") or {})
        name = _name(properties, new_resource_name, original_resource)
        if original_resource.needs_replacement(properties, name):
            replacement = cls(account_id, region_name, name, properties)
            original_resource.retire()
            return replacement
        resource = original_resource
        model.update_output(
            resource.backend, resource.flow_arn, resource.output_arn, resource.changes(properties)
        )
        _retag(resource, resource.properties, properties)
        resource.properties = properties
        return resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        flow_arn = _owning_flow_arn(account_id, region_name, "outputArn", resource_name)
        if flow_arn is not None:
            model.remove_output(_backend(account_id, region_name), flow_arn, resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Gone already when its flow was deleted first."""
        with contextlib.suppress(NotFoundException):
            model.remove_output(self.backend, self.flow_arn, self.output_arn)


class MediaConnectFlowSource(_FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowSource (an additional source: needs failover enabled on the flow)."""

    CREATE_ONLY = ("FlowArn", "Name", "Protocol")
    ATTRIBUTES = ("SourceArn", "IngestIp", "SourceIngestPort")

    def __init__(self, account_id: str, region_name: str, name: str, properties: dict[str, Any]) -> None:
        super().__init__(account_id, region_name, name, properties)
        request = self.request()
        tags = _tag_map(properties.get("Tags"))
        if tags:
            request["sourceTags"] = tags
        self.source_arn = str(model.add_sources(self.backend, self.flow_arn, [request])[0]["sourceArn"])

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowSource"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return cls.cfn_has_attr(attr)

    @property
    def physical_resource_id(self) -> str:
        return self.source_arn

    @property
    def tagged_arn(self) -> str:
        return self.source_arn

    def attribute(self, attr: str) -> Any:
        flow = model.get_flow(self.backend, self.flow_arn)
        source = next(s for s in flow.sources if s["sourceArn"] == self.source_arn)
        values = {
            "SourceArn": self.source_arn,
            "IngestIp": source.get("ingestIp"),
            "SourceIngestPort": str(source.get("ingestPort") or ""),
        }
        return values[attr]

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MediaConnectFlowSource:
        properties = dict(cloudformation_json.get("Properties") or {})
        return cls(account_id, region_name, _name(properties, resource_name), properties)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MediaConnectFlowSource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MediaConnectFlowSource:
        properties = dict(cloudformation_json.get("Properties") or {})
        name = _name(properties, new_resource_name, original_resource)
        if original_resource.needs_replacement(properties, name):
            replacement = cls(account_id, region_name, name, properties)
            original_resource.retire()
            return replacement
        resource = original_resource
        model.update_source(
            resource.backend, resource.flow_arn, resource.source_arn, resource.changes(properties)
        )
        _retag(resource, resource.properties, properties)
        resource.properties = properties
        return resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        flow_arn = _owning_flow_arn(account_id, region_name, "sourceArn", resource_name)
        if flow_arn is not None:
            model.remove_source(_backend(account_id, region_name), flow_arn, resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Gone already when its flow was deleted first."""
        with contextlib.suppress(NotFoundException):
            model.remove_source(self.backend, self.flow_arn, self.source_arn)


class MediaConnectFlowVpcInterface(_FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowVpcInterface (Ref: the flow's ARN; identified by FlowArn + Name)."""

    CREATE_ONLY = ("FlowArn", "Name")
    RECREATED_BY = ("RoleArn", "SubnetId", "SecurityGroupIds", "NetworkInterfaceType")
    ATTRIBUTES = ("FlowArn", "NetworkInterfaceIds")

    def __init__(self, account_id: str, region_name: str, name: str, properties: dict[str, Any]) -> None:
        super().__init__(account_id, region_name, name, properties)
        model.add_vpc_interfaces(self.backend, self.flow_arn, [self.request()])

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowVpcInterface"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return cls.cfn_has_attr(attr)

    @property
    def physical_resource_id(self) -> str:
        return self.flow_arn

    def attribute(self, attr: str) -> Any:
        if attr == "FlowArn":
            return self.flow_arn
        flow = model.get_flow(self.backend, self.flow_arn)
        vpc = next(v for v in flow.vpc_interfaces if v["name"] == self.name)
        return list(vpc.get("networkInterfaceIds") or [])

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MediaConnectFlowVpcInterface:
        properties = dict(cloudformation_json.get("Properties") or {})
        return cls(account_id, region_name, _name(properties, resource_name), properties)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MediaConnectFlowVpcInterface,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MediaConnectFlowVpcInterface:
        """There is no UpdateFlowVpcInterface: a new role, subnet or security groups mean removing
        and re-adding the interface under the same name (refused while a source/output uses it)."""
        properties = dict(cloudformation_json.get("Properties") or {})
        name = _name(properties, new_resource_name, original_resource)
        if original_resource.needs_replacement(properties, name):
            replacement = cls(account_id, region_name, name, properties)
            original_resource.retire()
            return replacement
        if any(original_resource.properties.get(key) != properties.get(key) for key in cls.RECREATED_BY):
            original_resource.delete(account_id, region_name)
            return cls(account_id, region_name, name, properties)
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        name = (cloudformation_json.get("Properties") or {}).get("Name")
        if isinstance(name, str):
            with contextlib.suppress(NotFoundException):
                model.remove_vpc_interface(_backend(account_id, region_name), resource_name, name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Refused while a source or output of the flow uses the interface; gone with its flow."""
        with contextlib.suppress(NotFoundException):
            model.remove_vpc_interface(self.backend, self.flow_arn, self.name)


MODELS: tuple[type[CloudFormationModel], ...] = (
    MediaConnectFlow,
    MediaConnectFlowOutput,
    MediaConnectFlowSource,
    MediaConnectFlowVpcInterface,
)


def install() -> None:
    """Make moto's CloudFormation see the models (defining them registered them; drop its caches)."""
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    registered = parsing.get_model_map()
    missing = [m.cloudformation_type() for m in MODELS if registered.get(m.cloudformation_type()) is not m]
    if missing:
        raise RuntimeError(f"moto's CloudFormation did not pick up {missing}")

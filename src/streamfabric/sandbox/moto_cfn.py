"""CloudFormation models for AWS::MediaConnect::Flow, FlowOutput, FlowSource and FlowVpcInterface.

moto's CloudFormation finds resource types among the direct subclasses of ``CloudFormationModel``
(``moto.cloudformation.parsing.get_model_map``, cached); without these it skips the types with a
warning and the stack "succeeds" without a flow. The models call :mod:`.moto_mc_model`, i.e. the
same operations the MediaConnect API uses, so a flow made by a stack is indistinguishable from
one made by ``create_flow``.

* Updates follow the resource specs: changing a create-only property replaces the resource (the
  new one is created, then the old one deleted; if that fails the old one stays, like a failed
  cleanup), anything else is updated in place through the service's Update/Add/Remove operations.
* ``Ref`` returns the ARN (for a VPC interface, the ARN of its flow).
* Deleting: a flow waits for the resources of its stack that live on it (moto deletes in no
  particular order; CloudFormation deletes dependents first), so a VPC interface still used by a
  source makes the stack DELETE_FAILED, as AWS's documentation warns.
* Service errors become :class:`.moto_cfn_failures.ResourceFailed` (stack status, not HTTP error).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.mediaconnect.exceptions import NotFoundException

from . import moto_mc_model as model
from .moto_cfn_failures import ResourceFailed
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


_CHILD_KEYS = ("FlowArn", "Name")


def _tag_map(tags: Any) -> dict[str, str]:
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags or []}


def _properties(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    return dict(cloudformation_json.get("Properties") or {})


@contextlib.contextmanager
def _failing_as(logical_id: str) -> Iterator[None]:
    """Report a service error as a failure of this stack resource."""
    try:
        yield
    except (BadRequestException, NotFoundException) as err:
        raise ResourceFailed(logical_id, str(err.message)) from err


class _MediaConnectResource:
    """What the four models share (not itself a CloudFormationModel: moto registers direct subclasses)."""

    CREATE_ONLY: tuple[str, ...] = ()
    ATTRIBUTES: tuple[str, ...] = ()

    def __init__(
        self, account_id: str, region_name: str, name: str, properties: dict[str, Any], stack: dict[str, Any]
    ) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.name = name
        self.properties = properties
        self.stack_id = str(stack.get("StackId", ""))
        self.logical_resource_id = str(stack.get("LogicalId", name))
        self.alive = False  # until the service has created it
        self._attributes: dict[str, Any] = {}

    @property
    def stack(self) -> dict[str, Any]:
        """The creation context moto passes (and a replacement inherits)."""
        return {"StackId": self.stack_id, "LogicalId": self.logical_resource_id}

    @property
    def backend(self) -> Any:
        return model.backend_for(self.account_id, self.region_name)

    def creation_tags(self, properties: dict[str, Any]) -> dict[str, str]:
        """Tags to create with: the stack's tags, CloudFormation's aws:cloudformation:* tags, Tags."""
        tags: dict[str, str] = {}
        stack = cfn_models.cloudformation_backends[self.account_id][self.region_name].stacks.get(
            self.stack_id
        )
        if stack is not None:
            tags.update(stack.tags or {})
            tags["aws:cloudformation:stack-name"] = stack.name
            tags["aws:cloudformation:stack-id"] = self.stack_id
            tags["aws:cloudformation:logical-id"] = self.logical_resource_id
        tags.update(_tag_map(properties.get("Tags")))
        return tags

    @property
    def tagged_arn(self) -> str:
        raise NotImplementedError

    def read_attributes(self) -> dict[str, Any]:
        raise NotImplementedError

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        """Fn::GetAtt: the current value, or the last known one once the resource is gone."""
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        with contextlib.suppress(NotFoundException, StopIteration):
            self._attributes.update(self.read_attributes())
        return self._attributes.get(attribute_name)

    def remove(self) -> None:
        raise NotImplementedError

    def delete(self, account_id: str, region_name: str) -> None:
        """Called by moto's ResourceMap when the stack deletes or drops this resource."""
        with _failing_as(self.logical_resource_id):
            self.remove()
        self.alive = False

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
        except ResourceFailed as err:
            logger.warning("could not delete replaced %s %s: %s", type(self).__name__, self.name, err)

    def retag(self, properties: dict[str, Any]) -> None:
        old_tags, new_tags = _tag_map(self.properties.get("Tags")), _tag_map(properties.get("Tags"))
        gone = [key for key in old_tags if key not in new_tags]
        if gone:
            model.untag_resource(self.backend, self.tagged_arn, gone)
        if new_tags and new_tags != old_tags:
            model.tag_resource(self.backend, self.tagged_arn, new_tags)


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
        self, account_id: str, region_name: str, name: str, properties: dict[str, Any], stack: dict[str, Any]
    ) -> None:
        super().__init__(account_id, region_name, name, properties, stack)
        with _failing_as(self.logical_resource_id):
            self.flow_arn = str(model.create_flow(self.backend, self.request(properties)).flow_arn)
        self.alive = True

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::Flow"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.flow_arn

    @property
    def tagged_arn(self) -> str:
        return self.flow_arn

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

    def request(self, properties: dict[str, Any]) -> dict[str, Any]:
        """The CreateFlow request for ``properties``."""
        request: dict[str, Any] = to_wire(properties)
        request["name"] = self.name
        source = dict(request.get("source") or {})
        source_tags = _tag_map((properties.get("Source") or {}).get("Tags"))
        if source_tags:
            source["sourceTags"] = source_tags
        request["source"] = source
        request["flowTags"] = self.creation_tags(properties)
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
        properties = _properties(cloudformation_json)
        return cls(account_id, region_name, _name(properties, resource_name), properties, kwargs)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MediaConnectFlow,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MediaConnectFlow:
        old = original_resource
        properties = _properties(cloudformation_json)
        name = _name(properties, new_resource_name, old)
        old_source, new_source = old.properties.get("Source") or {}, properties.get("Source") or {}
        if old.needs_replacement(properties, name) or old_source.get("Name") != new_source.get("Name"):
            replacement = cls(account_id, region_name, name, properties, old.stack)
            old.retire()
            return replacement
        with _failing_as(old.logical_resource_id):
            old.update_in_place(properties)
        return old

    def update_in_place(self, properties: dict[str, Any]) -> None:
        """Source via UpdateFlowSource, VPC interfaces via Add/Remove, failover/maintenance via UpdateFlow."""
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
            changes = {k: v for k, v in new_request["source"].items() if k not in ("name", "sourceTags")}
            model.update_source(backend, flow_arn, source_arn, changes)
        for name in [n for n in old_vpcs if n not in new_vpcs] + changed:
            model.remove_vpc_interface(backend, flow_arn, name)
        if changed:
            model.add_vpc_interfaces(backend, flow_arn, [new_vpcs[n] for n in changed])
        flow_changes = {
            key: new_request.get(key) or {}
            for key in ("sourceFailoverConfig", "maintenance")
            if old_request.get(key) != new_request.get(key)
        }
        if flow_changes:
            model.update_flow(backend, flow_arn, flow_changes)
        self.retag(properties)
        self.properties = properties

    def remove(self) -> None:
        """DeleteFlow once the stack's resources on this flow are gone (refused while it runs)."""
        children: list[_FlowChild] = [
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

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        with contextlib.suppress(NotFoundException):
            model.delete_flow(model.backend_for(account_id, region_name), resource_name)


class _FlowChild(_MediaConnectResource):
    """A resource that lives on the flow given by its FlowArn property."""

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


def _owning_flow_arn(account_id: str, region_name: str, key: str, arn: str) -> str | None:
    for flow in model.backend_for(account_id, region_name)._flows.values():
        if any(item.get(key) == arn for item in (*flow.outputs, *flow.sources)):
            return str(flow.flow_arn)
    return None


class MediaConnectFlowOutput(_FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowOutput."""

    CREATE_ONLY = ("FlowArn", "Name")
    ATTRIBUTES = ("OutputArn",)

    def __init__(
        self, account_id: str, region_name: str, name: str, properties: dict[str, Any], stack: dict[str, Any]
    ) -> None:
        super().__init__(account_id, region_name, name, properties, stack)
        request = self.request()
        request["outputTags"] = self.creation_tags(properties)
        with _failing_as(self.logical_resource_id):
            self.output_arn = str(model.add_outputs(self.backend, self.flow_arn, [request])[0]["outputArn"])
        self.alive = True

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowOutput"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.output_arn

    @property
    def tagged_arn(self) -> str:
        return self.output_arn

    def read_attributes(self) -> dict[str, Any]:
        return {"OutputArn": self.output_arn}

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MediaConnectFlowOutput:
        properties = _properties(cloudformation_json)
        return cls(account_id, region_name, _name(properties, resource_name), properties, kwargs)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MediaConnectFlowOutput,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MediaConnectFlowOutput:
        old = original_resource
        properties = _properties(cloudformation_json)
        name = _name(properties, new_resource_name, old)
        if old.needs_replacement(properties, name):
            replacement = cls(account_id, region_name, name, properties, old.stack)
            old.retire()
            return replacement
        with _failing_as(old.logical_resource_id):
            model.update_output(old.backend, old.flow_arn, old.output_arn, old.changes(properties))
            old.retag(properties)
        old.properties = properties
        return old

    def remove(self) -> None:
        """RemoveFlowOutput; already gone if its flow was deleted."""
        with contextlib.suppress(NotFoundException):
            model.remove_output(self.backend, self.flow_arn, self.output_arn)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        flow_arn = _owning_flow_arn(account_id, region_name, "outputArn", resource_name)
        if flow_arn is not None:
            model.remove_output(model.backend_for(account_id, region_name), flow_arn, resource_name)


class MediaConnectFlowSource(_FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowSource (an additional source: needs failover enabled on the flow)."""

    CREATE_ONLY = ("FlowArn", "Name", "Protocol")
    ATTRIBUTES = ("SourceArn", "IngestIp", "SourceIngestPort")

    def __init__(
        self, account_id: str, region_name: str, name: str, properties: dict[str, Any], stack: dict[str, Any]
    ) -> None:
        super().__init__(account_id, region_name, name, properties, stack)
        request = self.request()
        request["sourceTags"] = self.creation_tags(properties)
        with _failing_as(self.logical_resource_id):
            self.source_arn = str(model.add_sources(self.backend, self.flow_arn, [request])[0]["sourceArn"])
        self.alive = True

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowSource"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.source_arn

    @property
    def tagged_arn(self) -> str:
        return self.source_arn

    def read_attributes(self) -> dict[str, Any]:
        flow = model.get_flow(self.backend, self.flow_arn)
        source = next(s for s in flow.sources if s["sourceArn"] == self.source_arn)
        return {
            "SourceArn": self.source_arn,
            "IngestIp": source.get("ingestIp"),
            "SourceIngestPort": str(source.get("ingestPort") or ""),
        }

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MediaConnectFlowSource:
        properties = _properties(cloudformation_json)
        return cls(account_id, region_name, _name(properties, resource_name), properties, kwargs)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MediaConnectFlowSource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MediaConnectFlowSource:
        old = original_resource
        properties = _properties(cloudformation_json)
        name = _name(properties, new_resource_name, old)
        if old.needs_replacement(properties, name):
            replacement = cls(account_id, region_name, name, properties, old.stack)
            old.retire()
            return replacement
        with _failing_as(old.logical_resource_id):
            model.update_source(old.backend, old.flow_arn, old.source_arn, old.changes(properties))
            old.retag(properties)
        old.properties = properties
        return old

    def remove(self) -> None:
        """RemoveFlowSource; already gone if its flow was deleted."""
        with contextlib.suppress(NotFoundException):
            model.remove_source(self.backend, self.flow_arn, self.source_arn)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        flow_arn = _owning_flow_arn(account_id, region_name, "sourceArn", resource_name)
        if flow_arn is not None:
            model.remove_source(model.backend_for(account_id, region_name), flow_arn, resource_name)


class MediaConnectFlowVpcInterface(_FlowChild, CloudFormationModel):
    """AWS::MediaConnect::FlowVpcInterface (Ref: the flow's ARN; identified by FlowArn + Name)."""

    CREATE_ONLY = ("FlowArn", "Name")
    RECREATED_BY = ("RoleArn", "SubnetId", "SecurityGroupIds", "NetworkInterfaceType")
    ATTRIBUTES = ("FlowArn", "NetworkInterfaceIds")

    def __init__(
        self, account_id: str, region_name: str, name: str, properties: dict[str, Any], stack: dict[str, Any]
    ) -> None:
        super().__init__(account_id, region_name, name, properties, stack)
        with _failing_as(self.logical_resource_id):
            model.add_vpc_interfaces(self.backend, self.flow_arn, [self.request()])
        self.alive = True

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::FlowVpcInterface"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.flow_arn

    def read_attributes(self) -> dict[str, Any]:
        flow = model.get_flow(self.backend, self.flow_arn)
        vpc = next(v for v in flow.vpc_interfaces if v["name"] == self.name)
        return {"FlowArn": self.flow_arn, "NetworkInterfaceIds": list(vpc.get("networkInterfaceIds") or [])}

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MediaConnectFlowVpcInterface:
        properties = _properties(cloudformation_json)
        return cls(account_id, region_name, _name(properties, resource_name), properties, kwargs)

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
        old = original_resource
        properties = _properties(cloudformation_json)
        name = _name(properties, new_resource_name, old)
        if old.needs_replacement(properties, name):
            replacement = cls(account_id, region_name, name, properties, old.stack)
            old.retire()
            return replacement
        if any(old.properties.get(key) != properties.get(key) for key in cls.RECREATED_BY):
            old.delete(account_id, region_name)
            return cls(account_id, region_name, name, properties, old.stack)
        old.properties = properties
        return old

    def remove(self) -> None:
        """RemoveFlowVpcInterface (refused while in use); already gone if its flow was deleted."""
        with contextlib.suppress(NotFoundException):
            model.remove_vpc_interface(self.backend, self.flow_arn, self.name)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        name = _properties(cloudformation_json).get("Name")
        if isinstance(name, str):
            with contextlib.suppress(NotFoundException):
                model.remove_vpc_interface(model.backend_for(account_id, region_name), resource_name, name)


MODELS: tuple[type[CloudFormationModel], ...] = (
    MediaConnectFlow,
    MediaConnectFlowOutput,
    MediaConnectFlowSource,
    MediaConnectFlowVpcInterface,
)


def _split_getatt_once(original: Any) -> Any:
    """Fix moto's YAML ``!GetAtt``: it splits ``!GetAtt Flow.Source.IngestIp`` at every dot (an
    unknown attribute "Source"; CloudFormation splits at the first dot only), and it leaves the
    list form ``!GetAtt [Flow, Source.IngestIp]`` as unconstructed YAML nodes."""
    if getattr(original, "_streamfabric_patched", False):
        return original

    def constructor(loader: Any, tag: Any, node: Any) -> Any:
        if tag == "!GetAtt" and isinstance(node.value, str):
            return {"Fn::GetAtt": node.value.split(".", 1)}
        if tag == "!GetAtt" and isinstance(node.value, list):
            return {"Fn::GetAtt": loader.construct_sequence(node)}
        return original(loader, tag, node)

    constructor._streamfabric_patched = True  # type: ignore[attr-defined]
    return constructor


def install() -> None:
    """Make moto's CloudFormation see the models (defining them registered them; drop its caches)."""
    for module in (cfn_models, cfn_responses, cfn_utils):
        setattr(module, "yaml_tag_constructor", _split_getatt_once(module.__dict__["yaml_tag_constructor"]))  # noqa: B010
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    registered = parsing.get_model_map()
    missing = [m.cloudformation_type() for m in MODELS if registered.get(m.cloudformation_type()) is not m]
    if missing:
        raise RuntimeError(f"moto's CloudFormation did not pick up {missing}")

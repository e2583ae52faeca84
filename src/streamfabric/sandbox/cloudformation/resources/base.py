"""What streamfabric's CloudFormation models share (see :mod:`.mediaconnect` and the other families).

:class:`MediaConnectResource` implements moto's ``CloudFormationModel`` hooks once: create, update
in place, delete, ``Fn::GetAtt``. Service errors become :class:`..failures.ResourceFailed`. Whether
an update replaces the resource is not the model's to decide: the stack update compares the
create-only properties of the type's schema and, when one changed, creates a new resource and
deletes the old one in its clean-up phase (:mod:`..updates`); the model's update is called only
for changes CloudFormation applies in place.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar, Self

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.models import cloudformation_backends
from moto.mediaconnect.exceptions import NotFoundException

from ...mediaconnect import models as model
from ...mediaconnect.exceptions import BadRequestException
from ..failures import ResourceFailed

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


def tag_map(tags: Any) -> dict[str, str]:
    """CloudFormation's ``[{Key, Value}]`` as a dict."""
    return {str(tag["Key"]): str(tag["Value"]) for tag in tags or []}


def _properties(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    return dict(cloudformation_json.get("Properties") or {})


@contextlib.contextmanager
def failing_as(logical_id: str) -> Iterator[None]:
    """Report a service error as a failure of this stack resource."""
    try:
        yield
    except (BadRequestException, NotFoundException) as err:
        raise ResourceFailed(logical_id, str(err.message)) from err


class MediaConnectResource:
    """Mixed into each model *before* ``CloudFormationModel`` (moto only registers the direct
    subclasses of ``CloudFormationModel``, so this class must not be one)."""

    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, account_id: str, region_name: str, name: str, properties: dict[str, Any], stack: dict[str, Any]
    ) -> None:
        """Create the resource in the service (``stack``: moto's StackId/LogicalId kwargs)."""
        self.account_id = account_id
        self.region_name = region_name
        self.name = name
        self.properties = properties
        self.stack_id = str(stack.get("StackId", ""))
        self.logical_resource_id = str(stack.get("LogicalId", name))
        self.alive = False
        self._attributes: dict[str, Any] = {}
        with failing_as(self.logical_resource_id):
            self.create()
        self.alive = True

    # --- per resource type -------------------------------------------------------------------
    def create(self) -> None:
        """Make the resource in the service from ``self.properties``."""
        raise NotImplementedError

    def update_in_place(self, properties: dict[str, Any]) -> MediaConnectResource:
        """Apply ``properties`` without replacement; returns the model that now stands for it."""
        raise NotImplementedError

    def remove(self) -> None:
        """Delete the resource in the service (gone already is fine)."""
        raise NotImplementedError

    def read_attributes(self) -> dict[str, Any]:
        """Current values of ``ATTRIBUTES``."""
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------------------
    @property
    def stack(self) -> dict[str, Any]:
        """The creation context moto passed (a replacement inherits it)."""
        return {"StackId": self.stack_id, "LogicalId": self.logical_resource_id}

    @property
    def backend(self) -> Any:
        return model.backend_for(self.account_id, self.region_name)

    def creation_tags(self, properties: dict[str, Any]) -> dict[str, str]:
        """Tags to create with: the stack's tags, CloudFormation's aws:cloudformation:* tags, Tags."""
        tags: dict[str, str] = {}
        stack = cloudformation_backends[self.account_id][self.region_name].stacks.get(self.stack_id)
        if stack is not None:
            tags.update(stack.tags or {})
            tags["aws:cloudformation:stack-name"] = stack.name
            tags["aws:cloudformation:stack-id"] = self.stack_id
            tags["aws:cloudformation:logical-id"] = self.logical_resource_id
        tags.update(tag_map(properties.get("Tags")))
        return tags

    def retag(self, arn: str, properties: dict[str, Any]) -> None:
        """Apply a change of the Tags property (CloudFormation's own tags stay)."""
        old_tags, new_tags = tag_map(self.properties.get("Tags")), tag_map(properties.get("Tags"))
        gone = [key for key in old_tags if key not in new_tags]
        if gone:
            model.untag_resource(self.backend, arn, gone)
        if new_tags and new_tags != old_tags:
            model.tag_resource(self.backend, arn, new_tags)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        """Fn::GetAtt: the current value, or the last known one once the resource is gone."""
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        with contextlib.suppress(NotFoundException, StopIteration):
            self._attributes.update(self.read_attributes())
        return self._attributes.get(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Called by moto's ResourceMap when the stack deletes or drops this resource."""
        with failing_as(self.logical_resource_id):
            self.remove()
        self.alive = False

    def is_created(self) -> bool:
        return True

    # --- moto's CloudFormationModel hooks ----------------------------------------------------
    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Self:
        properties = _properties(cloudformation_json)
        name = str(properties.get(cls.cloudformation_name_type() or "Name") or resource_name)
        return cls(account_id, region_name, name, properties, kwargs)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        """An update in place (a replacement is made by the stack update, see the module docstring)."""
        old: MediaConnectResource = original_resource
        with failing_as(old.logical_resource_id):
            return old.update_in_place(_properties(cloudformation_json))

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        """moto's fallback when ``delete`` is unusable: the live model with that physical id."""
        name = _properties(cloudformation_json).get("Name")
        for resource in getattr(cls, "instances_tracked", []):
            if (
                resource.alive
                and resource.physical_resource_id == resource_name
                and name in (None, resource.name)
            ):
                resource.delete(account_id, region_name)
                return

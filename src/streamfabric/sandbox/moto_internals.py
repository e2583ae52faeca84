"""The private parts of moto the emulator uses, each behind one named accessor, and their registry.

moto offers no public way to do these (each entry of :data:`PRIVATE` says why); everything else goes
through moto's public names. tests/sandbox/test_patching.py checks that each one still exists in the
installed moto, with the recorded signature for a method: a moto that renamed or changed one fails
there. The patch targets themselves are in :mod:`.patching`.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.parsing import ResourceMap
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import BaseResponse
from moto.mediaconnect.models import Flow, MediaConnectBackend
from moto.moto_api._internal import mock_random

from .patch import MissingTarget, owner_of, signature


@dataclass(frozen=True, slots=True)
class Private:
    """A private attribute of moto the emulator uses."""

    target: str  # "moto.module:Class.attribute"
    kind: str  # "method", "attribute" (set in __init__) or "module attribute"
    original: str  # a method's signature in the pinned moto ("" otherwise)
    why: str  # why there is no public way


PRIVATE: tuple[Private, ...] = (
    Private("moto.mediaconnect.models:MediaConnectBackend._flows", "attribute", "",
            "moto's MediaConnect keeps its flows there and has no public way to store one it did not "
            "make or to read one without resolving its STARTING/STOPPING state (describe_flow does)"),
    Private("moto.cloudformation.parsing:ResourceMap._parsed_resources", "attribute", "",
            "the resources created so far: ResourceMap's mapping interface creates a resource it is "
            "asked for"),
    Private("moto.cloudformation.parsing:ResourceMap._resource_json_map", "attribute", "",
            "the template's resource definitions (ResourceMap.resources has only their names)"),
    Private("moto.cloudformation.parsing:ResourceMap._template", "attribute", "",
            "the template a stack's parameters, mappings and conditions are loaded from: a stack update "
            "sets it as ResourceMap.update does (cloudformation/updates.py runs the update itself)"),
    Private("moto.cloudformation.parsing:ResourceMap._delete_resource", "method",
            "(self, parsed_resource: Any, resource_json: dict[str, typing.Any]) -> None",
            "deleting one resource of a stack the way ResourceMap.delete does, for the clean-up phase "
            "of an update (it is also a patch target: cloudformation/failures.py)"),
    Private("moto.cloudformation.models:Stack._add_stack_event", "method",
            "(self, resource_status: 'str', resource_status_reason: 'str | None' = None, "
            "resource_properties: 'str | None' = None) -> 'None'",
            "the stack's own event, also sent to its notification ARNs"),
    Private("moto.cloudformation.models:CloudFormationBackend._validate_export_uniqueness", "method",
            "(self, stack: 'Stack') -> 'None'",
            "CreateStack's check that a new stack's exports are unique in the region"),
    Private("moto.cloudformation.responses:CloudFormationResponse._validate_different_update", "method",
            "(self, incoming_params: list[dict[str, typing.Any]] | None, stack_body: str, "
            "old_stack: moto.cloudformation.models.Stack) -> None",
            "UpdateStack's \"No updates are to be performed.\", which moto's CreateChangeSet also makes"),
    Private("moto.core.responses:BaseResponse._get_param", "method",
            "(self, param_name: 'str', if_none: 'Any' = None) -> 'Any'",
            "a request parameter, as every moto response class reads them (a helper for subclasses; "
            "the handlers are installed on MediaConnectResponse)"),
    Private("moto.core.responses:BaseResponse._get_int_param", "method",
            "(self, param_name: 'str', if_none: 'TYPE_IF_NONE' = None) -> 'int | TYPE_IF_NONE'",
            "likewise, as an int"),
    Private("moto.moto_api._internal:mock_random", "module attribute", "",
            "moto's random source for ids, seeded by POST /moto-api/seed; moto_api's service module "
            "is moto.moto_api._internal (moto.backends maps it there)"),
)  # fmt: skip

random = mock_random  # the emulator's ARNs and addresses come from moto's seeded random source


def flows_of(backend: MediaConnectBackend) -> dict[str, Flow]:
    """The flows of a MediaConnect backend, by ARN (the dict itself: add and delete in it)."""
    return backend._flows


def parsed_resources(resource_map: ResourceMap) -> dict[str, Any]:
    """The resources of a stack created so far (and the pseudo parameters), by logical id."""
    return resource_map._parsed_resources


def resource_definitions(resource_map: ResourceMap) -> dict[str, Any]:
    """The template's definition of each resource of a stack, by logical id."""
    return resource_map._resource_json_map


def template_of(resource_map: ResourceMap) -> dict[str, Any]:
    """The template the resource map loads its parameters, mappings and conditions from."""
    template: dict[str, Any] = resource_map._template
    return template


def set_template(resource_map: ResourceMap, template: dict[str, Any]) -> None:
    """Make ``template`` the stack's (its definitions too), as ``ResourceMap.update`` does."""
    resource_map._template = template
    resource_map._resource_json_map = template.get("Resources") or {}


def set_definitions(resource_map: ResourceMap, definitions: dict[str, Any]) -> None:
    """Make ``definitions`` the template's resource definitions (a rollback's starting point)."""
    resource_map._resource_json_map = definitions


def keep_definitions(resource_map: ResourceMap, names: set[str]) -> None:
    """Forget the definitions of every resource but ``names`` (so no lookup creates them again)."""
    definitions = resource_map._resource_json_map
    resource_map._resource_json_map = {key: value for key, value in definitions.items() if key in names}


def delete_resource(resource_map: ResourceMap, resource: Any, definition: dict[str, Any]) -> None:
    """Delete one resource of a stack as ``ResourceMap.delete`` does."""
    resource_map._delete_resource(resource, definition)


def add_stack_event(stack: Stack, status: str, resource_status_reason: str | None = None) -> None:
    """The stack's own event (``AWS::CloudFormation::Stack``), sent to its notification ARNs."""
    stack._add_stack_event(status, resource_status_reason=resource_status_reason)


def validate_export_uniqueness(backend: CloudFormationBackend, stack: Stack) -> None:
    """``ValidationError`` when an export of ``stack`` already exists in the region."""
    backend._validate_export_uniqueness(stack)


def skip_no_updates_check(response: CloudFormationResponse) -> None:
    """This request only: no "No updates are to be performed." (CreateChangeSet's own check)."""
    response._validate_different_update = lambda *args, **kwargs: None  # type: ignore[method-assign]


def param(response: BaseResponse, name: str) -> Any:
    """A parameter of the request (query string, JSON body or URI)."""
    return response._get_param(name)


def int_param(response: BaseResponse, name: str) -> int | None:
    value: int | None = response._get_int_param(name)
    return value


def problems(private: tuple[Private, ...] = PRIVATE) -> list[str]:
    """Each private attribute the installed moto does not have (or has with another signature)."""
    found = []
    for entry in private:
        try:
            owner, name = owner_of(entry.target)
        except MissingTarget as err:
            found.append(f"{entry.target}: {err}")
            continue
        if entry.kind == "attribute":
            assigned = re.compile(rf"self\.{re.escape(name)}\b\s*(:[^=\n]+)?=[^=]")
            if not assigned.search(inspect.getsource(owner)):
                found.append(f"{entry.target}: {owner.__qualname__} no longer sets {name}")
        elif not hasattr(owner, name):
            found.append(f"{entry.target}: does not exist")
        elif entry.kind == "method" and signature(getattr(owner, name)) != entry.original:
            now = signature(getattr(owner, name))
            found.append(f"{entry.target}: moto has {now!r}, the registry records {entry.original!r}")
    return found

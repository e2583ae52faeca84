"""What a resource type's schema says about updates: its create-only properties and its identifier.

CloudFormation decides how a property change is applied from the resource type's schema
(CloudFormation Command Line Interface User Guide, "Resource type schema": ``createOnlyProperties``
can only be set when the resource is created, so a change to one of them replaces the resource;
``primaryIdentifier`` names the properties that identify it; the "Update requires: Replacement" of
each property in the CloudFormation Template Reference says the same). The
emulator reads them from the resource schemas cfn-lint ships (the ones CloudFormation publishes per
region), never from a list of its own: ``PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, type)``.

cfn-lint is imported the first time a schema is asked for (its import takes most of a second) and
each schema is read once. Pointers are JSON pointers (``/properties/Source/Name``); a nested one is
compared by the value at that path, and ``*`` stands for every item of a list. A type with no
schema in the region falls back to us-east-1's; a type with none at all has no create-only property
(nothing to go by: its changes are sent to the resource as updates, as for a custom resource).
"""

from __future__ import annotations

import functools
from typing import Any

MISSING: Any = object()  # the value at a path a structure does not have
FALLBACK_REGION = "us-east-1"
Path = tuple[str, ...]


@functools.cache
def _manager() -> Any:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    return PROVIDER_SCHEMA_MANAGER


@functools.cache
def _schema(region: str, resource_type: str) -> dict[str, Any]:
    from cfnlint.schema import ResourceNotFoundError

    for where in dict.fromkeys((region, FALLBACK_REGION)):
        try:
            found: dict[str, Any] = _manager().get_resource_schema(where, resource_type).schema
        except ResourceNotFoundError:
            continue
        return found
    return {}


def _paths(pointers: Any) -> tuple[Path, ...]:
    return tuple(
        tuple(str(pointer).split("/")[2:])
        for pointer in pointers or ()
        if str(pointer).startswith("/properties/")
    )


@functools.cache
def create_only(region: str, resource_type: str) -> tuple[Path, ...]:
    """The create-only properties of the type, as paths under ``Properties``."""
    return _paths(_schema(region, resource_type).get("createOnlyProperties"))


@functools.cache
def primary_identifier(region: str, resource_type: str) -> tuple[Path, ...]:
    """The properties that identify a resource of the type (they change only with replacement)."""
    return _paths(_schema(region, resource_type).get("primaryIdentifier"))


def pointer(path: Path) -> str:
    return "/properties/" + "/".join(path)


def value_at(properties: Any, path: Path) -> Any:
    """The value at ``path`` (:data:`MISSING` where there is none; ``*``: a tuple over the list)."""
    value = properties
    for index, part in enumerate(path):
        if part == "*":
            if not isinstance(value, list):
                return MISSING
            return tuple(value_at(item, path[index + 1 :]) for item in value)
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def changed_create_only(
    region: str, resource_type: str, old: dict[str, Any], new: dict[str, Any]
) -> list[str]:
    """The create-only properties (pointers) whose values differ between ``old`` and ``new``."""
    return [
        pointer(path)
        for path in create_only(region, resource_type)
        if value_at(old, path) != value_at(new, path)
    ]

"""What a stack update or change set changes: the resources to add, modify and remove.

Shared by :mod:`.changesets` (a change set's ``Changes``) and :mod:`.updates` (the update itself, with
its removals in CloudFormation's clean-up phase), so that both agree and neither imports the other.
A resource is added when it is in the new template with its ``Condition`` true and does not exist
yet, removed when it exists and is no longer in the template (or its condition turned false),
modified when its definition changed or it references (``Ref``, ``Fn::Sub``) a parameter whose
resolved value changed, compared with the parameters as they were before the update.
"""

from __future__ import annotations

import re
from typing import Any

from moto.cloudformation.parsing import ResourceMap

from ..moto_internals import parsed_resources, resource_definitions

PLANNED = "_streamfabric_planned_diff"  # on a ResourceMap: the diff moto's update is to apply
PREVIOUS_PARAMETERS = "_streamfabric_previous_parameters"  # the resolved parameters before an update
_SUB_NAME = re.compile(r"\$\{(?!!)([^}.]+)")


def previous_parameters(resource_map: ResourceMap) -> dict[str, Any]:
    """The resolved parameters the stack had before the update under way (or now, if none is)."""
    stashed = resource_map.__dict__.get(PREVIOUS_PARAMETERS)
    return dict(resource_map.resolved_parameters if stashed is None else stashed)


def references(node: Any) -> set[str]:
    """The names a template fragment refers to with ``Ref`` and ``Fn::Sub`` (``${Name}``,
    ``${Name.Attribute}``; variables of the Fn::Sub map excluded)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
                if isinstance(text, str):
                    found.update(n for n in _SUB_NAME.findall(text) if n not in variables)
                found |= references(variables)
            else:
                found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def given_values(parameters: dict[str, Any]) -> dict[str, Any]:
    """Resolved parameter values compared as CloudFormation does: as given (moto keeps a Number's
    default as a string but converts a given value to a number)."""
    return {k: [str(i) for i in v] if isinstance(v, list) else str(v) for k, v in parameters.items()}


def loaded_map(
    resource_map: ResourceMap, template: dict[str, Any], parameters: dict[str, Any]
) -> ResourceMap:
    """A resource map of ``template`` with its parameters and conditions evaluated (nothing created:
    conditions cannot refer to resources)."""
    loaded = ResourceMap(
        resource_map.stack_id,
        str(resource_map["AWS::StackName"]),
        parameters,
        resource_map.tags,
        region_name=str(resource_map["AWS::Region"]),  # the pseudo parameters: its region
        account_id=str(resource_map["AWS::AccountId"]),  # and account
        template=template,
        cross_stack_resources=resource_map.cross_stack_resources,
    )
    loaded.load_mapping()
    loaded.transform_mapping()
    loaded.load_parameters()
    loaded.load_conditions()
    return loaded


def active_resources(resource_map: ResourceMap, resources: dict[str, Any]) -> set[str]:
    conditions = getattr(resource_map, "lazy_condition_map", {})
    return {
        name
        for name, resource in resources.items()
        if not resource.get("Condition") or conditions[resource["Condition"]]
    }


def created_resources(resource_map: ResourceMap) -> set[str]:
    parsed = parsed_resources(resource_map)
    return {name for name in resource_map.resources if parsed.get(name) is not None}


def resource_diff(
    resource_map: ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> dict[str, list[str]]:
    """Logical ids to add, modify and remove to go from ``resource_map`` to ``template``."""
    # no parameters: the current ones, as moto's update keeps them
    new_map = loaded_map(resource_map, template, parameters or resource_map.input_parameters)
    old, new = resource_definitions(resource_map), template.get("Resources") or {}
    created, active = created_resources(resource_map), active_resources(new_map, new)
    before, after = given_values(previous_parameters(resource_map)), given_values(new_map.resolved_parameters)
    changed = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
    return {
        "Add": [name for name in new if name in active and name not in created],
        "Modify": [
            name
            for name in new
            if name in active
            and name in created
            and (new[name] != old.get(name) or references(new[name]) & changed)
        ],
        "Remove": [name for name in old if name in created and name not in active],
    }


def planned_diff(resource_map: ResourceMap) -> dict[str, list[str]] | None:
    planned: dict[str, list[str]] | None = resource_map.__dict__.get(PLANNED)
    return None if planned is None else {key: list(value) for key, value in planned.items()}

"""What a stack update or change set changes: the resources to add, modify and remove.

Shared by :mod:`.changesets` (a change set's ``Changes``) and :mod:`.updates` (the update itself, with
its removals in CloudFormation's clean-up phase), so that both agree and neither imports the other.
A resource is added when it is in the new template with its ``Condition`` true and does not exist
yet, removed when it exists and is no longer in the template (or its condition turned false),
modified when its definition changed or it references (``Ref``, ``Fn::Sub``) a parameter whose
resolved value changed, compared with the parameters as they were before the update. (A resource
that only refers to a resource that is replaced or updated is found by the update and the change
set themselves: :func:`resource_references`.)

Resources are created and updated in dependency order (:func:`dependency_order`): each after the
resources it refers to with ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` or names in ``DependsOn`` (AWS
CloudFormation Template Reference, DependsOn attribute: such references are implicit dependencies),
and a circular dependency is a template error there too.
"""

from __future__ import annotations

import re
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.parsing import ResourceMap

from ..moto_internals import parsed_resources, resource_definitions

PREVIOUS_PARAMETERS = "_streamfabric_previous_parameters"  # the resolved parameters before an update
_SUB_NAME = re.compile(r"\$\{(?!!)([^}.]+)")
_SUB_REFERENCE = re.compile(r"\$\{(?!!)([^}.]+)(?:\.([^}]+))?\}")


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


def new_resource_map(
    resource_map: ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> ResourceMap:
    """``template`` loaded with ``parameters`` (none: the current ones, as moto's update keeps them)."""
    return loaded_map(resource_map, template, parameters or resource_map.input_parameters)


def resource_diff(
    resource_map: ResourceMap,
    template: dict[str, Any],
    parameters: dict[str, Any] | None = None,
    new_map: ResourceMap | None = None,
) -> dict[str, list[str]]:
    """Logical ids to add, modify and remove to go from ``resource_map`` to ``template``."""
    new_map = new_map or new_resource_map(resource_map, template, parameters)
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


def resource_references(node: Any, resources: set[str] | dict[str, Any]) -> set[tuple[str, str | None]]:
    """The resources of ``resources`` a template fragment refers to, as (name, attribute): attribute
    None for ``Ref`` and ``${Name}``, the attribute for ``Fn::GetAtt`` and ``${Name.Attribute}``."""
    found: set[tuple[str, str | None]] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                if value in resources:
                    found.add((value, None))
            elif key == "Fn::GetAtt":
                parts = value.split(".", 1) if isinstance(value, str) else list(value)
                if len(parts) == 2 and isinstance(parts[0], str) and parts[0] in resources:
                    found.add((parts[0], str(parts[1])))
                else:
                    found |= resource_references(parts, resources)
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
                if isinstance(text, str):
                    found.update(
                        (name, attribute or None)
                        for name, attribute in _SUB_REFERENCE.findall(text)
                        if name in resources and name not in variables
                    )
                found |= resource_references(variables, resources)
            else:
                found |= resource_references(value, resources)
    elif isinstance(node, list):
        for item in node:
            found |= resource_references(item, resources)
    return found


def dependencies(definition: dict[str, Any], resources: set[str] | dict[str, Any]) -> set[str]:
    """The resources ``definition`` depends on: its references and its ``DependsOn``."""
    depends = definition.get("DependsOn") or []
    names = {depends} if isinstance(depends, str) else set(depends)
    names |= {name for name, _ in resource_references(definition.get("Properties"), resources)}
    return {name for name in names if name in resources}


def dependency_order(resources: dict[str, dict[str, Any]]) -> list[str]:
    """The logical ids of ``resources``, each after the resources it depends on."""
    done: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValidationError(
                message=f"Circular dependency between resources: [{', '.join(sorted(set(path)))}]"
            )
        state[name] = 1
        for dependency in sorted(dependencies(resources[name], resources)):
            visit(dependency, (*path, name))
        state[name] = 2
        done.append(name)

    for name in resources:
        visit(name, ())
    return done

"""What a change set says it will do to each resource it modifies: ``Details``, ``Scope``, ``Replacement``.

AWS CloudFormation API Reference, ResourceChange, ResourceChangeDetail and ResourceTargetDefinition,
and the User Guide's "Example change sets for CloudFormation stacks"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets-samples.html):

* One detail per changed attribute of the resource: ``Target.Attribute`` is ``Properties`` (with
  ``Name``, the top-level property), ``Tags`` (the ``Tags`` property: no name, as in the samples),
  or ``Metadata``, ``CreationPolicy``, ``UpdatePolicy``, ``DeletionPolicy``, ``UpdateReplacePolicy``.
* A property edited in the template: ``Evaluation: Static``, ``ChangeSource: DirectModification``,
  no ``CausingEntity``. A property whose definition is the same but refers to a parameter whose
  value changed: "always result in two changes": one ``Dynamic`` / ``DirectModification`` and one
  ``Static`` / ``ParameterReference`` with the parameter as ``CausingEntity`` (one per parameter).
* A property referring to another resource of the change set: ``Dynamic``, ``ResourceReference``
  (``Ref``, ``${Name}``; ``CausingEntity`` the resource) or ``ResourceAttribute`` (``Fn::GetAtt``,
  ``${Name.Attribute}``; ``CausingEntity`` ``Name.Attribute``), when that resource is replaced (True
  or Conditional: its physical id changes) or, for an attribute, modified at all. AWS documents
  nothing on which attributes an in-place update can change: the emulator takes the harsher reading
  (any but the type's primary identifier, which changes only with replacement).
* ``RequiresRecreation``: ``Always`` for a create-only property of the type's schema
  (:mod:`.schemas`) and for a property whose create-only member (``Source/Name`` of a flow) the
  change reaches: statically, when that member's value changes; dynamically, when it holds the
  reference. ``Never`` otherwise.
* ``Replacement`` from the most intrusive detail: ``True`` for ``Always`` with a ``Static``
  evaluation, ``Conditional`` for ``Always`` with a ``Dynamic`` one (or ``Conditionally``),
  ``False`` otherwise. ``Scope``: the attributes of the details. ``PolicyAction``: ``ReplaceAndDelete``
  (``ReplaceAndRetain`` / ``ReplaceAndSnapshot`` by ``UpdateReplacePolicy``) when replaced.

Values are compared "statically": parameters resolved (before: the values the stack has, after: the
change set's), ``Fn::If`` by each side's conditions, references to resources left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import schemas
from .diff import dependency_order, references, resource_references

ATTRIBUTES = ("Metadata", "CreationPolicy", "UpdatePolicy", "DeletionPolicy", "UpdateReplacePolicy")
SCOPE_ORDER = ("Properties", "Tags", *ATTRIBUTES)
_SUB_PARAMETER = re.compile(r"\$\{(?!!)([^}.]+)\}")


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the comparison: the parameters' values (as given) and the conditions."""

    parameters: dict[str, Any]
    conditions: Any  # name -> bool


def static(node: Any, side: Side) -> Any:
    """``node`` with its parameters and conditions resolved (references to resources kept)."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in side.parameters:
            return side.parameters[node["Ref"]]
        if set(node) == {"Fn::If"} and isinstance(node["Fn::If"], list) and len(node["Fn::If"]) == 3:
            condition, yes, no = node["Fn::If"]
            return static(yes if side.conditions[condition] else no, side)
        if set(node) == {"Fn::Sub"}:
            value = node["Fn::Sub"]
            text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
            if isinstance(text, str):
                text = _SUB_PARAMETER.sub(
                    lambda m: (
                        str(side.parameters[m[1]])
                        if m[1] in side.parameters and m[1] not in variables
                        else m[0]
                    ),
                    text,
                )
            return {"Fn::Sub": [text, static(variables, side)]}
        return {key: static(value, side) for key, value in node.items()}
    if isinstance(node, list):
        return [static(item, side) for item in node]
    return node


def _contains(node: Any, needle: tuple[str, str | None], resources: set[str]) -> bool:
    return needle in resource_references(node, resources)


@dataclass(slots=True)
class Verdict:
    """A Modify ``ResourceChange``'s parts (``replacement``: True | False | Conditional)."""

    details: list[dict[str, Any]] = field(default_factory=list)
    replacement: str = "False"

    @property
    def scope(self) -> list[str]:
        found = {d["Target"]["Attribute"] for d in self.details}
        return [attribute for attribute in SCOPE_ORDER if attribute in found]


def _detail(
    attribute: str, name: str | None, requires: str, evaluation: str, source: str, causing: str | None = None
) -> dict[str, Any]:
    target = {"Attribute": attribute, "RequiresRecreation": requires}
    if attribute == "Properties":
        target["Name"] = name or ""
    detail: dict[str, Any] = {"Target": target, "Evaluation": evaluation, "ChangeSource": source}
    if causing:
        detail["CausingEntity"] = causing
    return detail


def _replacement(details: Iterable[dict[str, Any]]) -> str:
    found = "False"
    for detail in details:
        requires = detail["Target"]["RequiresRecreation"]
        if requires == "Always" and detail["Evaluation"] == "Static":
            return "True"
        if requires in ("Always", "Conditionally"):
            found = "Conditional"
    return found


@dataclass(frozen=True, slots=True)
class Plan:
    """What is compared: the definitions before and after, and each side's parameters/conditions."""

    region: str
    old: dict[str, Any]  # logical id -> definition (the stack's)
    new: dict[str, Any]  # logical id -> definition (the change set's, active ones only)
    before: Side
    after: Side
    changed_parameters: frozenset[str]


def _property_details(plan: Plan, name: str, prop: str, verdicts: dict[str, Verdict]) -> list[dict[str, Any]]:
    resource_type = str(plan.new[name]["Type"])
    create_only = schemas.create_only(plan.region, resource_type)
    exact = (prop,) in create_only
    nested = [path for path in create_only if len(path) > 1 and path[0] == prop]
    attribute = "Tags" if prop == "Tags" else "Properties"
    o = (plan.old[name].get("Properties") or {}).get(prop)
    n = (plan.new[name].get("Properties") or {}).get(prop)
    so, sn = static(o, plan.before), static(n, plan.after)
    resources = set(plan.new)
    details: list[dict[str, Any]] = []
    if so != sn:
        touched = any(
            schemas.value_at({prop: so}, path) != schemas.value_at({prop: sn}, path) for path in nested
        )
        requires = "Always" if exact or touched else "Never"
        if o != n:
            details.append(_detail(attribute, prop, requires, "Static", "DirectModification"))
        else:
            details.append(_detail(attribute, prop, requires, "Dynamic", "DirectModification"))
            for parameter in sorted(references(n) & plan.changed_parameters):
                details.append(_detail(attribute, prop, requires, "Static", "ParameterReference", parameter))
    identifiers: dict[str, tuple[schemas.Path, ...]] = {}
    for resource, attr in sorted(resource_references(n, resources), key=lambda r: (r[0], r[1] or "")):
        verdict = verdicts.get(resource)
        if verdict is None:
            continue
        if verdict.replacement == "False":
            if attr is None:
                continue  # a Ref: the physical id stays
            dependency_type = str(plan.new[resource]["Type"])
            ids = identifiers.setdefault(resource, schemas.primary_identifier(plan.region, dependency_type))
            if tuple(attr.split(".")) in ids:
                continue
        inside = any(
            _contains(schemas.value_at({prop: n}, path), (resource, attr), resources) for path in nested
        )
        requires = "Always" if exact or inside else "Never"
        source, causing = (
            ("ResourceReference", resource) if attr is None else ("ResourceAttribute", f"{resource}.{attr}")
        )
        details.append(_detail(attribute, prop, requires, "Dynamic", source, causing))
    return details


def verdicts(plan: Plan, modified: Iterable[str]) -> dict[str, Verdict]:
    """The verdict for every resource the change set modifies: those in ``modified`` (their
    definitions or parameters changed) and those that refer to a resource replaced or modified."""
    candidates = set(modified)
    found: dict[str, Verdict] = {}
    existing = {name: plan.new[name] for name in plan.new if name in plan.old}
    for name in dependency_order(existing):
        old, new = plan.old[name], plan.new[name]
        depends_on_changed = any(
            r in found for r, _ in resource_references(new.get("Properties"), set(plan.new))
        )
        if name not in candidates and not depends_on_changed:
            continue
        details: list[dict[str, Any]] = []
        props = {**(old.get("Properties") or {}), **(new.get("Properties") or {})}
        for prop in props:
            details.extend(_property_details(plan, name, prop, found))
        for attribute in ATTRIBUTES:
            if old.get(attribute) != new.get(attribute):
                details.append(_detail(attribute, None, "Never", "Static", "DirectModification"))
        if details:
            found[name] = Verdict(details, _replacement(details))
    return found

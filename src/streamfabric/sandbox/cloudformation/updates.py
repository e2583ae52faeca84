"""Stack updates as CloudFormation runs them: dependency order, replacement, a clean-up phase.

moto 5.2's ``ResourceMap.update`` deletes the resources the new template drops *first* (a failure
there aborts the update), creates the added ones, then updates the modified ones in template order,
leaving replacement to each model (moto's security group and our models of old deleted the old
resource before or right after making the new one). A type moto cannot update (e.g.
``AWS::EC2::Subnet``) comes back from ``parse_and_update_resource`` as ``None`` and drops out of the
stack. :func:`update_resource_map` runs the update instead, following the CloudFormation User Guide:

* **Update behaviors of stack resources**
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html):
  a change of a property whose update requires replacement makes CloudFormation create a new
  resource, move the references to it, and delete the old one. The emulator compares a resource's
  properties as they were resolved when it was made (recorded by :func:`record_created`) with the
  new ones; when a create-only property of the type's schema (:mod:`.schemas`) differs (or the type
  changed) the resource is replaced: the new one is created first (a collision with the old one,
  say a subnet of the same CIDR, fails the update), otherwise the model updates it in place.
* **References move.** Resources are updated in dependency order; a resource whose properties refer
  (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) to one replaced or updated before it is resolved again and,
  if anything changed, replaced (a create-only property changed: a ``FlowOutput`` whose ``FlowArn``
  is a replaced flow's) or updated in place (any other property).
* **Clean-up phase.** "Monitor the progress of a stack update" (User Guide,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-monitor-stack.html):
  the old resources of replacements and the resources the template dropped are deleted after every
  other update, in ``UPDATE_COMPLETE_CLEANUP_IN_PROGRESS``, dependents first; "if CloudFormation
  can't delete the old resource ... the stack update doesn't roll back": a ``DELETE_FAILED`` event
  with the reason, the resource left in the account (out of the stack), and ``UPDATE_COMPLETE``.
* **Rollback.** When a resource fails, the update rolls back (:mod:`.failures`): the replaced
  resources are the stack's again, resources updated in place are updated back with the previous
  template, and the new resources the failed update made are deleted in the rollback's own clean-up
  phase (``UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS``).
* **Nothing vanishes.** A resource the new template still has stays in the stack: where moto has no
  update for a type and no create-only property changed, the resource is kept as it is (same
  physical id) and a warning logged. The types streamfabric renders all have models that update.
* **Parameters compared with the previous values** (the values the resources were made with).

Events: the replacement (``UPDATE_IN_PROGRESS``, "Requested update requires the creation of a new
physical resource; hence creating one.", then ``UPDATE_COMPLETE`` with the new physical id), the
clean-up phase and each deletion in it (``DELETE_COMPLETE`` / ``DELETE_FAILED``).
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.models import Event, Stack, cloudformation_backends
from moto.cloudformation.parsing import ResourceMap

from ..moto_internals import (
    add_stack_event,
    delete_resource,
    parsed_resources,
    resource_definitions,
    set_definitions,
    set_template,
    template_of,
)
from . import schemas
from .diff import PREVIOUS_PARAMETERS, active_resources, dependencies, dependency_order, resource_diff
from .failures import service_error

logger = logging.getLogger(__name__)

RECORDED = "_streamfabric_recorded"  # on a ResourceMap: logical id -> the properties it was made with
LEFTOVERS = "_streamfabric_rollback_leftovers"  # the new resources a failed update made
ROLLING_BACK = "_streamfabric_rolling_back"
CLEANUP_PASSES = 10
REPLACING = "Requested update requires the creation of a new physical resource; hence creating one."


@dataclass(frozen=True, slots=True)
class Gone:
    """A resource for the clean-up phase: ``replaced`` (an old one, no longer the stack's) or not (one
    the template dropped, still in the stack until deleted)."""

    logical_id: str
    resource: Any
    definition: dict[str, Any]
    replaced: bool


@dataclass(slots=True)
class _Run:
    """What one update did so far."""

    old_definitions: dict[str, Any]
    replaced: list[tuple[Gone, Any]] = field(default_factory=list)  # (old resource, its record)
    touched: set[str] = field(default_factory=set)  # added or updated in place (or attempted)
    changed: set[str] = field(default_factory=set)  # replaced or updated: references to them move


# --- what each resource was made with --------------------------------------------------------


def recorded(resource_map: ResourceMap) -> dict[str, Any]:
    """Logical id -> the resolved properties the resource was created or last updated with."""
    found: dict[str, Any] = resource_map.__dict__.setdefault(RECORDED, {})
    return found


def _resolved(definition: dict[str, Any], resource_map: ResourceMap) -> dict[str, Any]:
    properties = parsing.clean_json(copy.deepcopy(definition), resource_map).get("Properties")
    return dict(properties or {})


def record_created(
    original: Callable[..., Any],
    logical_id: str,
    resource_json: dict[str, Any],
    resources_map: ResourceMap,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """``parse_and_create_resource``, recording the resolved properties of what it created."""
    resource = original(logical_id, resource_json, resources_map, *args, **kwargs)
    if resource is not None:
        try:
            recorded(resources_map)[logical_id] = _resolved(resource_json, resources_map)
        except Exception:  # unresolvable now: compared as unknown (replacement)
            recorded(resources_map).pop(logical_id, None)
    return resource


# --- events ----------------------------------------------------------------------------------


def _stack(resource_map: ResourceMap) -> Stack | None:
    backend = cloudformation_backends[str(resource_map["AWS::AccountId"])][str(resource_map["AWS::Region"])]
    stack: Stack | None = backend.stacks.get(resource_map.stack_id)
    return stack


def _event(resource_map: ResourceMap, gone: Gone | str, resource: Any, status: str, reason: str) -> None:
    stack = _stack(resource_map)
    if stack is None:
        return
    logical_id = gone if isinstance(gone, str) else gone.logical_id
    definition = (
        resource_definitions(resource_map).get(logical_id) if isinstance(gone, str) else gone.definition
    )
    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=str(getattr(resource, "physical_resource_id", "") or ""),
            resource_type=str((definition or {}).get("Type", "")),
            resource_status=status,
            resource_status_reason=reason or None,
            resource_properties=None,
        )
    )


# --- the update ------------------------------------------------------------------------------


def _replaces(resource_map: ResourceMap, name: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether going from ``old`` to the resolved ``new`` properties replaces the resource."""
    old_type, new_type = str(old.get("Type", "")), str(new["Type"])
    if old_type != new_type:
        return True
    before = recorded(resource_map).get(name)
    after = _resolved(new, resource_map)
    region = str(resource_map["AWS::Region"])
    if before is None:  # nothing to compare with: the harsher reading
        return bool(schemas.create_only(region, new_type))
    return bool(schemas.changed_create_only(region, new_type, before, after))


def _update_one(resource_map: ResourceMap, name: str, definition: dict[str, Any], run: _Run) -> None:
    parsed = parsed_resources(resource_map)
    account, region = str(resource_map["AWS::AccountId"]), str(resource_map["AWS::Region"])
    old_definition = run.old_definitions.get(name) or definition
    after = _resolved(definition, resource_map)
    if old_definition.get("Type") == definition["Type"] and recorded(resource_map).get(name) == after:
        return  # nothing this resource is made of changed
    old = parsed[name]
    if _replaces(resource_map, name, old_definition, definition):
        _event(resource_map, name, old, "UPDATE_IN_PROGRESS", REPLACING)
        previous_record = recorded(resource_map).get(name)
        new = parsing.parse_and_create_resource(name, definition, resource_map, account, region)
        if new is None:
            return
        parsed[name] = new
        run.replaced.append((Gone(name, old, old_definition, True), previous_record))
        run.changed.add(name)
        _event(resource_map, name, new, "UPDATE_COMPLETE", "")
        return
    run.touched.add(name)
    updated = parsing.parse_and_update_resource(
        name, definition, resource_map, account_id=account, region_name=region
    )
    parsed[name] = updated
    recorded(resource_map)[name] = after
    run.changed.add(name)


def _apply(resource_map: ResourceMap, names: dict[str, list[str]], run: _Run) -> None:
    new = resource_definitions(resource_map)
    active = active_resources(resource_map, new)
    order = dependency_order({name: new[name] for name in new if name in active})
    modified = set(names["Modify"])
    for name in order:
        if name in names["Add"]:
            run.touched.add(name)
            resource_map[name]  # creates it (moto's map is lazy)
            continue
        if parsed_resources(resource_map).get(name) is None:
            continue
        if name in modified or dependencies(new[name], active) & run.changed:
            _update_one(resource_map, name, new[name], run)


def _undo(resource_map: ResourceMap, template: dict[str, Any], run: _Run) -> None:
    """After a failure: the replaced resources are the stack's again (the new ones wait for the
    rollback's clean-up phase) and the definitions are those each resource now stands for."""
    parsed, records = parsed_resources(resource_map), recorded(resource_map)
    new = template.get("Resources") or {}
    definitions = dict(run.old_definitions)
    definitions.update({name: new[name] for name in run.touched if name in new})
    leftovers: list[Gone] = resource_map.__dict__.setdefault(LEFTOVERS, [])
    for gone, record in reversed(run.replaced):
        leftovers.append(Gone(gone.logical_id, parsed[gone.logical_id], new[gone.logical_id], True))
        parsed[gone.logical_id] = gone.resource
        if record is None:
            records.pop(gone.logical_id, None)
        else:
            records[gone.logical_id] = record
        definitions[gone.logical_id] = gone.definition
    set_definitions(resource_map, definitions)
    resource_map.__dict__[ROLLING_BACK] = True


def update_resource_map(
    original: Callable[..., None],
    resource_map: ResourceMap,
    template: dict[str, Any],
    parameters: dict[str, Any] | None = None,
) -> None:
    """``ResourceMap.update``, run as CloudFormation runs it (see the module docstring); moto's own
    update is not called."""
    rolling_back = bool(resource_map.__dict__.pop(ROLLING_BACK, False))
    names = resource_diff(resource_map, template, parameters)
    resource_map.__dict__.pop(PREVIOUS_PARAMETERS, None)  # a rollback compares with the new values
    parsed = parsed_resources(resource_map)
    run = _Run(old_definitions=dict(resource_definitions(resource_map)))
    removed = [
        Gone(name, parsed[name], dict(run.old_definitions[name]), False)
        for name in names["Remove"]
        if parsed.get(name) is not None
    ]
    previous = (template_of(resource_map), resource_map.input_parameters)
    set_template(resource_map, template)
    try:
        if parameters:
            resource_map.input_parameters = parameters
        resource_map.load_mapping()
        resource_map.load_parameters()
        resource_map.load_conditions()
    except Exception:
        set_template(resource_map, previous[0])
        resource_map.input_parameters = previous[1]
        raise
    try:
        _apply(resource_map, names, run)
    except Exception:
        _undo(resource_map, template, run)
        raise
    leftovers: list[Gone] = resource_map.__dict__.pop(LEFTOVERS, [])
    _cleanup(resource_map, [*removed, *(gone for gone, _ in run.replaced), *leftovers], rolling_back)
    active = active_resources(resource_map, resource_definitions(resource_map))
    for name in set(resource_map.resources) - active:
        parsed.pop(name, None)


# --- the clean-up phase ----------------------------------------------------------------------


def _cleanup_order(items: list[Gone]) -> list[Gone]:
    """Dependents first (the reverse of the order their definitions were created in)."""
    definitions = {gone.logical_id: gone.definition for gone in items}
    try:
        rank = {name: index for index, name in enumerate(dependency_order(definitions))}
    except Exception:  # no order to go by: the passes still find one
        rank = {}
    return sorted(items, key=lambda gone: -rank.get(gone.logical_id, len(rank)))


def _cleanup(resource_map: ResourceMap, items: list[Gone], rolling_back: bool) -> None:
    """Delete ``items`` (retried over several passes); what cannot be deleted is left in the account,
    out of the stack, with a ``DELETE_FAILED`` event."""
    stack = _stack(resource_map)
    if stack is not None:
        phase = "UPDATE_ROLLBACK_COMPLETE" if rolling_back else "UPDATE_COMPLETE"
        add_stack_event(stack, f"{phase}_CLEANUP_IN_PROGRESS")
    parsed = parsed_resources(resource_map)
    remaining = _cleanup_order(items)
    why: dict[int, str] = {}
    for _ in range(CLEANUP_PASSES):
        progressed = False
        for gone in list(remaining):
            try:
                delete_resource(resource_map, gone.resource, gone.definition)
            except Exception as err:  # the reason goes into the event
                message = getattr(err, "message", None) or service_error(err) or str(err)
                why[id(gone)] = str(message)
                continue
            remaining.remove(gone)
            progressed = True
            if not gone.replaced:
                parsed.pop(gone.logical_id, None)
            _event(resource_map, gone, gone.resource, "DELETE_COMPLETE", "")
        if not remaining or not progressed:
            break
    for gone in remaining:
        if not gone.replaced:
            parsed.pop(gone.logical_id, None)
        reason = why.get(id(gone), "not deleted")
        _event(resource_map, gone, gone.resource, "DELETE_FAILED", reason)
        logger.warning(
            "stack update left %s (%s) orphaned: %s",
            gone.logical_id,
            getattr(gone.resource, "physical_resource_id", ""),
            reason,
        )


# --- the other patches -----------------------------------------------------------------------


def parse_and_update(
    original: Callable[..., Any],
    logical_id: str,
    resource_json: dict[str, Any],
    resources_map: Any,
    **kwargs: Any,
) -> Any:
    """A type moto cannot update keeps its resource (see the module docstring)."""
    before = parsed_resources(resources_map).get(logical_id)
    updated = original(logical_id, resource_json, resources_map, **kwargs)
    if updated is None and before is not None:
        logger.warning("moto cannot update %s (%s): kept as it is", logical_id, resource_json.get("Type"))
        return before
    return updated


def stack_update(original: Callable[..., None], stack: Stack, *args: Any, **kwargs: Any) -> None:
    """One stack update (with its rollback, :mod:`.failures`): forget what a rollback that failed
    itself left to clean up (CloudFormation leaves it too: UPDATE_ROLLBACK_FAILED)."""
    try:
        original(stack, *args, **kwargs)
    finally:
        for key in (LEFTOVERS, ROLLING_BACK):
            with contextlib.suppress(KeyError):
                del stack.resource_map.__dict__[key]

"""CloudFormation change sets as the service runs them (moto 5.2 falls short in several ways).

moto's ``ExecuteChangeSet`` applies a change set to the resource map of the stack it was created
for and stops there: a CREATE change set leaves a CREATE_COMPLETE stack with no ``Outputs`` (the
output map stays the one of the empty template the stack started from) and no ``Description``,
an UPDATE keeps the old outputs, parameters and tags, a failing resource escapes as an HTTP
error and leaves the stack IN_PROGRESS. ``CreateChangeSet`` refuses an UPDATE without changes
with ``ValidationError: No updates are to be performed.`` (that is UpdateStack's answer; a change
set is created and FAILS with "The submitted information didn't contain changes..."), its
``Changes`` miss a resource whose template is unchanged but whose parameter changed, and
``ListChangeSets`` lists the change sets of every stack of the region. These patches:

* ``ExecuteChangeSet`` runs a CREATE change set as ``CreateStack`` does (template, parameters,
  tags, outputs, exports, description; a resource failure ends in ROLLBACK_COMPLETE, see
  :mod:`.failures`) and an UPDATE one as ``UpdateStack`` does (new outputs, parameters,
  tags, UPDATE_COMPLETE or UPDATE_ROLLBACK_COMPLETE). Only a change set in CREATE_COMPLETE /
  AVAILABLE can be executed (``InvalidChangeSetStatus`` otherwise); afterwards its execution
  status is EXECUTE_COMPLETE (EXECUTE_FAILED when the stack rolled back) and, as CloudFormation
  does, the stack's other change sets are deleted.
* ``CreateChangeSet`` of type UPDATE with the same template, the same (resolved) parameters and
  no new tags creates a FAILED change set (execution status UNAVAILABLE) with CloudFormation's
  status reason. A template or parameter error is a ``ValidationError`` of the call.
* ``Changes`` (and the update itself): a resource is added when it is in the new template with
  its ``Condition`` true and does not exist yet, removed when it exists and is no longer in the
  template (or its condition turned false), modified when its definition changed or it
  references (``Ref``, ``Fn::Sub``) a parameter whose resolved value changed; with new stack
  tags every other remaining resource is modified with scope ``Tags``; a resource that refers to
  one the change set replaces (or to an attribute of one it modifies) is modified too. Each change
  has its ``PhysicalResourceId`` (when the resource exists); a Modify its ``Details``, ``Scope``,
  ``Replacement`` and ``PolicyAction`` as CloudFormation derives them from the resource type's
  schema (:mod:`.details`); an Add or Remove empty ``Scope`` and ``Details``, as in the User
  Guide's example change sets (a Remove's ``PolicyAction``: ``Delete``, or ``Retain`` by its
  ``DeletionPolicy``).
* ``DescribeChangeSet`` returns the change set's ``Tags``; ``ListChangeSets`` only the given
  stack's change sets.
* A resource whose ``Condition`` is false is not a stack resource (moto lists it as an empty
  summary and fails DescribeStackResource), nor one removed because its condition turned false.

Stack tags are not propagated to the resources of an existing stack on update (moto's own TODO).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation.exceptions import CloudFormationError, ValidationError
from moto.cloudformation.models import Change, ChangeSet, CloudFormationBackend, Stack
from moto.cloudformation.parsing import OutputMap, ResourceMap
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from werkzeug.exceptions import HTTPException

from ..moto_internals import (
    add_stack_event,
    param,
    parsed_resources,
    resource_definitions,
    skip_no_updates_check,
    validate_export_uniqueness,
)
from . import details
from .diff import (
    PREVIOUS_PARAMETERS,
    active_resources,
    created_resources,
    given_values,
    loaded_map,
    new_resource_map,
    previous_parameters,
    resource_diff,
)

NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information to create a change set."
)


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"


class ResourceChange(Change):
    """One entry of a change set's ``Changes`` (``ResourceChange`` members as moto serializes them)."""

    def __init__(
        self,
        action: str,
        logical_resource_id: str,
        resource_type: str,
        physical_resource_id: str | None = None,
        scope: list[str] | tuple[str, ...] = (),
        replacement: str | None = None,
        details: list[dict[str, Any]] | None = None,
        policy_action: str | None = None,
    ) -> None:
        super().__init__(action, logical_resource_id, resource_type)
        self.physical_resource_id = physical_resource_id
        self.scope = list(scope)
        self.replacement = replacement
        self.details = list(details or [])
        self.policy_action = policy_action


def _physical_id(resource_map: ResourceMap, name: str) -> str | None:
    resource = parsed_resources(resource_map).get(name)
    physical = getattr(resource, "physical_resource_id", None)
    return None if physical is None else str(physical)


def _tags_change(change_set: ChangeSet) -> bool:
    return bool(change_set.tags) and change_set.tags != change_set.stack.tags


_TAGS_ONLY = {"Target": {"Attribute": "Tags", "RequiresRecreation": "Never"}, "Evaluation": "Static",
              "ChangeSource": "DirectModification"}  # fmt: skip
_REPLACE_POLICY = {"Retain": "ReplaceAndRetain", "Snapshot": "ReplaceAndSnapshot"}


def _plan(resource_map: ResourceMap, new_map: ResourceMap, new: dict[str, Any]) -> details.Plan:
    before = given_values(previous_parameters(resource_map))
    after = given_values(new_map.resolved_parameters)
    return details.Plan(
        region=str(resource_map["AWS::Region"]),
        old=resource_definitions(resource_map),
        new={name: new[name] for name in active_resources(new_map, new)},
        before=details.Side(before, resource_map.lazy_condition_map),
        after=details.Side(after, new_map.lazy_condition_map),
        changed_parameters=frozenset(k for k in set(before) | set(after) if before.get(k) != after.get(k)),
    )


def change_set_changes(change_set: ChangeSet) -> list[Change]:
    """The ``Changes`` of ``change_set`` (replaces ``ChangeSet.diff``)."""
    resource_map = change_set.stack.resource_map
    new_map = new_resource_map(resource_map, change_set.template_dict, change_set.parameters)
    names = resource_diff(resource_map, change_set.template_dict, change_set.parameters, new_map)
    old, new = resource_definitions(resource_map), change_set.template_dict.get("Resources") or {}
    changes: list[Change] = [ResourceChange("Add", name, new[name]["Type"]) for name in names["Add"]]
    found = details.verdicts(_plan(resource_map, new_map, new), names["Modify"]) if names["Modify"] else {}
    for name, verdict in found.items():
        policy = None
        if verdict.replacement != "False":
            policy = _REPLACE_POLICY.get(str(new[name].get("UpdateReplacePolicy")), "ReplaceAndDelete")
        changes.append(
            ResourceChange(
                "Modify",
                name,
                new[name]["Type"],
                _physical_id(resource_map, name),
                verdict.scope,
                verdict.replacement,
                verdict.details,
                policy,
            )
        )
    if change_set.change_set_type == "UPDATE" and _tags_change(change_set):
        touched = {name for action in names.values() for name in action} | set(found)
        for name in sorted(created_resources(resource_map) - touched):
            if name in new:
                physical = _physical_id(resource_map, name)
                changes.append(
                    ResourceChange(
                        "Modify", name, new[name]["Type"], physical, ("Tags",), "False", [_TAGS_ONLY]
                    )
                )
    for name in names["Remove"]:
        policy = "Retain" if old[name].get("DeletionPolicy") == "Retain" else "Delete"
        changes.append(
            ResourceChange(
                "Remove", name, old[name]["Type"], _physical_id(resource_map, name), policy_action=policy
            )
        )
    return changes


def _unchanged(stack: Stack, change_set: ChangeSet) -> bool:
    """Same template, same resolved parameters, no new tags."""
    if not stack.has_template(change_set.template) or _tags_change(change_set):
        return False
    resolved = loaded_map(
        stack.resource_map, change_set.template_dict, change_set.parameters
    ).resolved_parameters
    return given_values(resolved) == given_values(stack.resource_map.resolved_parameters)


# --- the patched operations --------------------------------------------------------------------


def _stack_resources(stack: Stack) -> list[Any]:
    """The stack's resources, without the ones whose condition is false (moto lists them as
    ``None``: empty summaries, and an AttributeError in DescribeStackResource)."""
    return [resource for resource in stack.resource_map.values() if resource is not None]


def create_change_set(
    original: Callable[..., tuple[str, str]], backend: CloudFormationBackend, *args: Any, **kwargs: Any
) -> tuple[str, str]:
    before = set(backend.stacks)
    try:
        change_set_id, stack_id = original(backend, *args, **kwargs)
    except Exception as err:
        for stack_id in set(backend.stacks) - before:  # the REVIEW_IN_PROGRESS stack it made
            backend.stacks.pop(stack_id)
        if isinstance(err, ServiceException | HTTPException):
            raise
        raise ValidationError(message=f"Template format error: {err}") from err
    change_set = backend.change_sets[change_set_id]
    if change_set.change_set_type == "UPDATE" and _unchanged(change_set.stack, change_set):
        change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
        change_set.status_reason = NO_CHANGES
    else:
        change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        change_set.status_reason = None
    return change_set_id, stack_id


def find_change_set(backend: CloudFormationBackend, name_or_arn: str, stack_name: str | None) -> ChangeSet:
    """The change set with that ARN, or that name (of the named stack when given)."""
    if name_or_arn in backend.change_sets:
        change_set: ChangeSet = backend.change_sets[name_or_arn]
        return change_set
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == name_or_arn and stack_name in (
            None,
            change_set.stack_name,
            change_set.stack_id,
        ):
            return change_set
    raise ChangeSetNotFound(f"ChangeSet [{name_or_arn}] does not exist")


def _new_resource_map(stack: Stack) -> ResourceMap:
    """The resource map of the stack's template, loaded (as CreateStack makes it)."""
    resource_map = ResourceMap(
        stack.stack_id,
        stack.name,
        stack.parameters,
        stack.tags,
        account_id=stack.account_id,
        region_name=stack.region_name,
        template=stack.template_dict,
        cross_stack_resources=stack.cross_stack_resources,
    )
    resource_map.load()
    return resource_map


def _execute_create(backend: CloudFormationBackend, stack: Stack, change_set: ChangeSet) -> None:
    """What ``CreateStack`` does, with the change set's template, parameters and tags."""
    stack.template = change_set.template
    stack.parameters = dict(change_set.parameters)
    stack.tags = dict(change_set.tags or {})
    stack.cross_stack_resources = backend.exports  # Fn::ImportValue, as CreateStack gives
    stack.template_dict = stack.parse_template(stack.template)
    stack.description = stack.template_dict.get("Description")
    stack.resource_map = _new_resource_map(stack)
    stack.output_map = OutputMap(stack.resource_map, stack.template_dict, stack.stack_id)
    add_stack_event(stack, "CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.create_resources()  # a resource failure: ROLLBACK_COMPLETE (failures)
    if stack.status == "CREATE_COMPLETE":
        validate_export_uniqueness(backend, stack)
        for export in stack.exports:
            backend.exports[export.name] = export


def _execute_update(backend: CloudFormationBackend, stack: Stack, change_set: ChangeSet) -> None:
    """What ``UpdateStack`` does (empty Tags: the stack's stay, as moto cannot tell empty from absent),
    and the stack's exports follow its new outputs."""
    old_exports = [export.name for export in stack.exports]
    resource_map = stack.resource_map
    resource_map.__dict__[PREVIOUS_PARAMETERS] = dict(resource_map.resolved_parameters)
    resource_map.resolved_parameters = {}  # refilled from the new template's parameters
    try:
        stack.update(
            change_set.template,
            role_arn=change_set.role_arn or stack.role_arn,
            parameters=dict(change_set.parameters),
            tags=dict(change_set.tags) if change_set.tags else None,
        )
    finally:
        resource_map.__dict__.pop(PREVIOUS_PARAMETERS, None)
    stack.description = stack.template_dict.get("Description")
    if stack.status == "UPDATE_COMPLETE":
        for name in old_exports:
            backend.exports.pop(name, None)
        for export in stack.exports:
            backend.exports[export.name] = export


def execute_change_set(
    original: Callable[..., None],
    backend: CloudFormationBackend,
    change_set_name: str,
    stack_name: str | None = None,
) -> None:
    change_set = find_change_set(backend, change_set_name, stack_name)
    if change_set.status != "CREATE_COMPLETE" or change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current status of "
            f"[{change_set.status}]"
            if change_set.status != "CREATE_COMPLETE"
            else f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution "
            f"status of [{change_set.execution_status}]"
        )
    stack = backend.stacks.get(change_set.stack_id)
    if stack is None:
        raise ValidationError(change_set.stack_id)
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    if change_set.change_set_type == "CREATE":
        _execute_create(backend, stack, change_set)
    else:
        _execute_update(backend, stack, change_set)
    done = stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    change_set.execution_status = "EXECUTE_COMPLETE" if done else "EXECUTE_FAILED"
    for key, other in list(backend.change_sets.items()):
        if other is not change_set and other.stack_id == stack.stack_id:
            del backend.change_sets[key]


def create_change_set_response(original: Callable[..., Any], response: CloudFormationResponse) -> Any:
    """CreateChangeSet without UpdateStack's "No updates are to be performed." check."""
    skip_no_updates_check(response)
    return original(response)


def list_change_sets(original: Callable[..., Any], response: CloudFormationResponse) -> Any:
    """ListChangeSets of the given stack only."""
    stack = response.cloudformation_backend.get_stack(param(response, "StackName"))
    summaries = [
        cs for cs in response.cloudformation_backend.list_change_sets() if cs.stack_id == stack.stack_id
    ]
    return ActionResult({"Summaries": summaries})


def build_resource_diff(
    original: Callable[..., Any], resource_map: ResourceMap, *args: Any, **kwargs: Any
) -> Any:
    """``ResourceMap.build_resource_diff``: :func:`.diff.resource_diff`."""
    return resource_diff(resource_map, *args, **kwargs)


def change_set_diff(original: Callable[..., Any], change_set: ChangeSet) -> list[Change]:
    """``ChangeSet.diff``: :func:`change_set_changes`."""
    return change_set_changes(change_set)


# ``Stack.stack_resources``, without the resources whose condition is false
STACK_RESOURCES = property(_stack_resources)

"""Stack statuses for failed resources, as CloudFormation reports them.

moto runs stack operations synchronously and lets a resource's exception escape the API call
(a JSON error body where the CloudFormation client expects XML), leaving the stack in
CREATE_IN_PROGRESS, or, for DeleteStack, dropping it. The real service accepts the request and the
stack ends in ``ROLLBACK_COMPLETE`` / ``UPDATE_ROLLBACK_COMPLETE`` / ``DELETE_FAILED``, which the
CloudFormation waiters report. These patches do that, for every stack, when a resource fails with
:class:`ResourceFailed` (raised by streamfabric's models) or with a service error of one of moto's
own models (e.g. ``DependencyViolation`` deleting a subnet that still has network interfaces),
which is reported as a failure of that resource. Any other exception keeps moto's behaviour.

moto's ``ResourceMap`` also creates a resource lazily whenever something looks it up, so after a
(partial) delete, evaluating the outputs or listing the resources would create the deleted ones
again. The outputs are therefore evaluated before deleting, and deleted resources are dropped from
the map.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from moto.cloudformation.models import CloudFormationBackend, Event, Stack
from moto.cloudformation.parsing import OutputMap, ResourceMap
from moto.core.exceptions import ServiceException
from werkzeug.exceptions import HTTPException

from ..moto_internals import add_stack_event, keep_definitions, parsed_resources, resource_definitions

_FAILURES = "_streamfabric_failures"  # on a ResourceMap: logical id -> why its last delete failed


class ResourceFailed(Exception):
    """A resource of a stack could not be created, updated or deleted."""

    def __init__(self, logical_id: str, message: str) -> None:
        super().__init__(f"{logical_id}: {message}")
        self.logical_id = logical_id
        self.message = message


def _failed(action: str, logical_ids: str, message: str) -> str:
    return f"The following resource(s) failed to {action}: [{logical_ids}]. {message}"


def service_error(err: BaseException) -> str | None:
    """``Code: message`` of an error a moto service answers with; None for any other exception."""
    if isinstance(err, ServiceException):
        return f"{err.code}: {err.message}"
    if isinstance(err, HTTPException) and hasattr(err, "error_type"):
        return f"{err.error_type}: {getattr(err, 'message', err.description)}"
    return None


def _as_resource_failure(logical_id: str, err: Exception) -> ResourceFailed | None:
    message = service_error(err)
    return None if message is None else ResourceFailed(logical_id, message)


def _resource_event(stack: Stack, logical_id: str, status: str, reason: str) -> None:
    """A resource's own event (CREATE_FAILED, ...), as CloudFormation adds next to the stack's."""
    resource_map = stack.resource_map
    resource_type = (resource_definitions(resource_map).get(logical_id) or {}).get("Type", "")
    physical = getattr(parsed_resources(resource_map).get(logical_id), "physical_resource_id", None)
    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=str(physical or ""),
            resource_type=str(resource_type),
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _take_failures(resource_map: ResourceMap) -> dict[str, str]:
    failures: dict[str, str] = resource_map.__dict__.pop(_FAILURES, {})
    return failures


def _existing(stack: Stack) -> list[str]:
    parsed = parsed_resources(stack.resource_map)
    return sorted(k for k in stack.resource_map.resources if parsed.get(k) is not None)


def _forget_deleted(stack: Stack) -> None:
    """Drop deleted resources from the lazy map, so that no lookup creates them again."""
    keep_definitions(stack.resource_map, set(_existing(stack)))


def create_resources(original: Callable[[Stack], None], stack: Stack) -> None:
    try:
        original(stack)
    except ResourceFailed as err:
        _resource_event(stack, err.logical_id, "CREATE_FAILED", err.message)
        add_stack_event(
            stack, "CREATE_FAILED", resource_status_reason=_failed("create", err.logical_id, err.message)
        )
        if stack.disable_rollback:
            stack.status = "CREATE_FAILED"
            return
        add_stack_event(stack, "ROLLBACK_IN_PROGRESS")
        try:
            stack.resource_map.delete()
        except Exception as cleanup:
            stack.status = "ROLLBACK_FAILED"
            add_stack_event(stack, "ROLLBACK_FAILED", resource_status_reason=str(cleanup))
            return
        finally:
            _take_failures(stack.resource_map)
            _forget_deleted(stack)
        stack.output_map = OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)
        stack.status = "ROLLBACK_COMPLETE"
        add_stack_event(stack, "ROLLBACK_COMPLETE")


def update(original: Callable[..., None], stack: Stack, template: str, *args: Any, **kwargs: Any) -> None:
    previous_template = stack.template
    previous_parameters = dict(stack.resource_map.input_parameters)
    try:
        original(stack, template, *args, **kwargs)
    except ResourceFailed as err:
        _resource_event(stack, err.logical_id, "UPDATE_FAILED", err.message)
        add_stack_event(
            stack,
            "UPDATE_ROLLBACK_IN_PROGRESS",
            resource_status_reason=_failed("update", err.logical_id, err.message),
        )
        try:
            stack.template = previous_template
            stack.template_dict = stack.parse_template(stack.template)  # type: ignore[arg-type]
            stack.resource_map.update(stack.template_dict, previous_parameters)
            stack.output_map = OutputMap(stack.resource_map, stack.template_dict, stack.stack_id)
        except Exception as rollback:
            stack.status = "UPDATE_ROLLBACK_FAILED"
            add_stack_event(stack, "UPDATE_ROLLBACK_FAILED", resource_status_reason=str(rollback))
            return
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        add_stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")


def delete(original: Callable[[Stack], None], stack: Stack) -> None:
    with contextlib.suppress(Exception):
        stack.outputs  # noqa: B018 - evaluates (and caches) the outputs while the resources exist
    _take_failures(stack.resource_map)
    try:
        original(stack)
    except ResourceFailed as err:
        stack.status = "DELETE_FAILED"
        failures = {k: v for k, v in _take_failures(stack.resource_map).items() if k in _existing(stack)}
        failures = failures or {err.logical_id: err.message}
        for logical_id, message in sorted(failures.items()):
            _resource_event(stack, logical_id, "DELETE_FAILED", message)
        failed = ", ".join(_existing(stack)) or err.logical_id
        why = (
            "; ".join(f"{k}: {v}" for k, v in sorted(failures.items())) if len(failures) > 1 else err.message
        )
        add_stack_event(stack, "DELETE_FAILED", resource_status_reason=_failed("delete", failed, why))
    finally:
        _take_failures(stack.resource_map)
        _forget_deleted(stack)


def delete_stack(
    original: Callable[[Any, str], None], backend: CloudFormationBackend, name_or_id: str
) -> None:
    """moto pops the stack before deleting it; put a DELETE_FAILED stack back, as AWS keeps it."""
    before = dict(backend.stacks)
    original(backend, name_or_id)
    for stack_id, stack in before.items():
        if stack.status == "DELETE_FAILED" and stack_id not in backend.stacks:
            backend.stacks[stack_id] = stack
            backend.deleted_stacks.pop(stack_id, None)
            for export in stack.exports:
                backend.exports[export.name] = export


def parse_and_create(original: Callable[..., Any], logical_id: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return original(logical_id, *args, **kwargs)
    except Exception as err:
        failure = _as_resource_failure(logical_id, err)
        if failure is None:
            raise
        raise failure from err


def delete_resource(
    original: Callable[..., None], resource_map: ResourceMap, resource: Any, *args: Any, **kwargs: Any
) -> None:
    try:
        original(resource_map, resource, *args, **kwargs)
    except Exception as err:
        logical_id = str(getattr(resource, "logical_resource_id", "") or "?")
        failure = err if isinstance(err, ResourceFailed) else _as_resource_failure(logical_id, err)
        if failure is None:
            raise
        resource_map.__dict__.setdefault(_FAILURES, {})[logical_id] = failure.message
        if failure is err:
            raise
        raise failure from err

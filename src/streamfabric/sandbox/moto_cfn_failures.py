"""Stack statuses for failed MediaConnect resources, as CloudFormation reports them.

moto runs stack operations synchronously and lets a resource's exception escape the API call
(here: a JSON error body where the CloudFormation client expects XML), leaving the stack in
CREATE_IN_PROGRESS, or, for DeleteStack, dropping it. The real service accepts the request and
the stack ends in ``ROLLBACK_COMPLETE`` / ``UPDATE_ROLLBACK_COMPLETE`` / ``DELETE_FAILED``, which
the CloudFormation waiters report. These patches do that, for :class:`ResourceFailed` only (raised
by streamfabric's MediaConnect models); every other failure keeps moto's behaviour.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.cloudformation.models import CloudFormationBackend, Stack

_MARK = "_streamfabric_patched"


class ResourceFailed(Exception):
    """A MediaConnect resource of a stack could not be created, updated or deleted."""

    def __init__(self, logical_id: str, message: str) -> None:
        super().__init__(f"{logical_id}: {message}")
        self.logical_id = logical_id
        self.message = message


def _remaining(stack: Stack) -> list[str]:
    parsed = stack.resource_map._parsed_resources
    return sorted(
        key for key in stack.resource_map.resources if not isinstance(parsed.get(key, ""), str | None)
    )


def _failed(action: str, err: ResourceFailed) -> str:
    return f"The following resource(s) failed to {action}: [{err.logical_id}]. {err.message}"


def _create_resources(original: Callable[[Stack], None], stack: Stack) -> None:
    try:
        original(stack)
    except ResourceFailed as err:
        stack._add_stack_event(
            "CREATE_FAILED",
            resource_status_reason=_failed("create", err),
        )
        if stack.disable_rollback:
            stack.status = "CREATE_FAILED"
            return
        stack._add_stack_event("ROLLBACK_IN_PROGRESS")
        try:
            stack.resource_map.delete()
        except Exception as cleanup:
            stack.status = "ROLLBACK_FAILED"
            stack._add_stack_event("ROLLBACK_FAILED", resource_status_reason=str(cleanup))
            return
        stack.status = "ROLLBACK_COMPLETE"
        stack._add_stack_event("ROLLBACK_COMPLETE")


def _update(original: Callable[..., None], stack: Stack, template: str, *args: Any, **kwargs: Any) -> None:
    previous_template = stack.template
    previous_parameters = dict(stack.resource_map.input_parameters)
    try:
        original(stack, template, *args, **kwargs)
    except ResourceFailed as err:
        stack._add_stack_event(
            "UPDATE_ROLLBACK_IN_PROGRESS",
            resource_status_reason=_failed("update", err),
        )
        try:
            stack.template = previous_template
            stack._parse_template()
            stack.resource_map.update(stack.template_dict, previous_parameters)
            stack.output_map = stack._create_output_map()
        except Exception as rollback:
            stack.status = "UPDATE_ROLLBACK_FAILED"
            stack._add_stack_event("UPDATE_ROLLBACK_FAILED", resource_status_reason=str(rollback))
            return
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")


def _delete(original: Callable[[Stack], None], stack: Stack) -> None:
    try:
        original(stack)
    except ResourceFailed as err:
        failed = ", ".join(_remaining(stack)) or err.logical_id
        stack.status = "DELETE_FAILED"
        stack._add_stack_event(
            "DELETE_FAILED",
            resource_status_reason=f"The following resource(s) failed to delete: [{failed}]. {err.message}",
        )


def _delete_stack(
    original: Callable[[CloudFormationBackend, str], None], backend: Any, name_or_id: str
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


def _patch(cls: type, name: str, wrapper: Callable[..., Any]) -> None:
    original = getattr(cls, name)
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return wrapper(original, self, *args, **kwargs)

    setattr(method, _MARK, True)
    setattr(cls, name, method)


def install() -> None:
    """Patch moto's Stack and CloudFormationBackend (idempotent)."""
    _patch(Stack, "create_resources", _create_resources)
    _patch(Stack, "update", _update)
    _patch(Stack, "delete", _delete)
    _patch(CloudFormationBackend, "delete_stack", _delete_stack)

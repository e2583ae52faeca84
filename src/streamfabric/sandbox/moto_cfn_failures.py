"""Stack statuses for failed MediaConnect resources, as CloudFormation reports them.

moto runs stack operations synchronously and lets a resource's exception escape the API call
(a JSON error body where the CloudFormation client expects XML), leaving the stack in
CREATE_IN_PROGRESS, or, for DeleteStack, dropping it. The real service accepts the request and the
stack ends in ``ROLLBACK_COMPLETE`` / ``UPDATE_ROLLBACK_COMPLETE`` / ``DELETE_FAILED``, which the
CloudFormation waiters report. These patches do that for :class:`ResourceFailed` (raised by
streamfabric's MediaConnect models only); every other failure keeps moto's behaviour.

moto's ``ResourceMap`` also creates a resource lazily whenever something looks it up, so after a
(partial) delete, evaluating the outputs or listing the resources would create the deleted ones
again. For stacks with MediaConnect resources the outputs are therefore evaluated before deleting,
and deleted resources are dropped from the map.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.parsing import OutputMap
from moto.core.common_models import CloudFormationModel

_MARK = "_streamfabric_patched"


class ResourceFailed(Exception):
    """A MediaConnect resource of a stack could not be created, updated or deleted."""

    def __init__(self, logical_id: str, message: str) -> None:
        super().__init__(f"{logical_id}: {message}")
        self.logical_id = logical_id
        self.message = message


def _failed(action: str, logical_ids: str, message: str) -> str:
    return f"The following resource(s) failed to {action}: [{logical_ids}]. {message}"


def _has_mediaconnect(stack: Stack) -> bool:
    resources = stack.template_dict.get("Resources") or {}
    return any(str(r.get("Type", "")).startswith("AWS::MediaConnect::") for r in resources.values())


def _existing(stack: Stack) -> list[str]:
    parsed = stack.resource_map._parsed_resources
    return sorted(k for k in stack.resource_map.resources if isinstance(parsed.get(k), CloudFormationModel))


def _forget_deleted(stack: Stack) -> None:
    """Drop deleted resources from the lazy map, so that no lookup creates them again."""
    resource_map = stack.resource_map
    existing = set(_existing(stack))
    resource_map._resource_json_map = {
        key: value for key, value in resource_map._resource_json_map.items() if key in existing
    }


def _create_resources(original: Callable[[Stack], None], stack: Stack) -> None:
    try:
        original(stack)
    except ResourceFailed as err:
        stack._add_stack_event(
            "CREATE_FAILED", resource_status_reason=_failed("create", err.logical_id, err.message)
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
        finally:
            _forget_deleted(stack)
        stack.output_map = OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)
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
            resource_status_reason=_failed("update", err.logical_id, err.message),
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
    if not _has_mediaconnect(stack):
        original(stack)
        return
    with contextlib.suppress(Exception):
        stack.outputs  # noqa: B018 - evaluates (and caches) the outputs while the resources exist
    try:
        original(stack)
    except ResourceFailed as err:
        stack.status = "DELETE_FAILED"
        failed = ", ".join(_existing(stack)) or err.logical_id
        stack._add_stack_event("DELETE_FAILED", resource_status_reason=_failed("delete", failed, err.message))
    finally:
        _forget_deleted(stack)


def _delete_stack(
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

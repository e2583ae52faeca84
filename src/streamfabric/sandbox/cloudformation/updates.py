"""Stack updates as CloudFormation runs them: no resource vanishes, removals in a clean-up phase.

moto 5.2's ``ResourceMap.update`` deletes the resources the new template drops *first*, and a
failure there aborts the update (with the extension: a rollback that fails, so the stack ends
``UPDATE_ROLLBACK_FAILED`` with some resources gone). A resource type moto cannot update (e.g.
``AWS::EC2::Subnet``) comes back from ``parse_and_update_resource`` as ``None`` and so drops out of
the stack (no ``Ref``, no outputs that refer to it) although the template still has it. And its
``AWS::EC2::SecurityGroup`` update deletes the group and makes a new one (a new ``sg-`` id under
every network interface that uses it). These patches follow the CloudFormation documentation:

* **Clean-up phase.** "Monitor the progress of a stack update" (AWS CloudFormation User Guide,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-monitor-stack.html):
  resources are created and updated first; the old and removed resources are deleted afterwards,
  in ``UPDATE_COMPLETE_CLEANUP_IN_PROGRESS``, and "if CloudFormation can't delete the old resource
  ... the stack update doesn't roll back": the resource gets a ``DELETE_FAILED`` event, is no
  longer part of the stack (it is left in the account, orphaned) and the stack ends
  ``UPDATE_COMPLETE``. Removals are therefore done after the adds and modifies, in dependency
  order (several passes), and a removal that fails leaves the resource where it is, out of the
  stack, with a ``DELETE_FAILED`` resource event.
* **Nothing vanishes.** A resource the new template still has stays in the stack. Where moto has
  no update for a type, AWS would apply the new properties (each property's "Update requires" in
  the resource's page of the CloudFormation Template Reference); the emulator cannot, and keeps the
  resource as it is (same physical id, same attributes) rather than losing it: the conservative
  choice, logged as a warning.
* **Security group rules in place.** AWS::EC2::SecurityGroup (CloudFormation Template Reference,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html):
  ``SecurityGroupIngress``, ``SecurityGroupEgress`` and ``Tags`` update with "No interruption";
  only ``GroupName``, ``GroupDescription`` and ``VpcId`` require replacement. The group keeps its
  id; its ingress rules and tags are replaced (moto's model records no egress rules from a
  template on create either, so none are applied on update).
* **Parameters compared with the previous values.** A resource is modified when a parameter it
  refers to changed: the comparison uses the parameters as they were before the update (moto's
  change-set execution cleared them first, so every parameter looked changed and every resource
  referring to one was "updated").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from moto.cloudformation.models import Event, Stack
from moto.cloudformation.parsing import ResourceMap
from moto.ec2.models import ec2_backends
from moto.ec2.models.security_groups import SecurityGroup

from ..moto_internals import delete_resource, parsed_resources, resource_definitions
from .diff import PLANNED, PREVIOUS_PARAMETERS, active_resources, resource_diff
from .failures import service_error

logger = logging.getLogger(__name__)

ORPHANED = "_streamfabric_orphaned"  # logical id -> (type, physical id, why its deletion failed)
CLEANUP_PASSES = 10


def _cleanup(resource_map: ResourceMap, removed: dict[str, dict[str, Any]]) -> None:
    """Delete the removed resources (dependents first: retried over several passes); what cannot be
    deleted is dropped from the stack and recorded as orphaned."""
    parsed = parsed_resources(resource_map)
    remaining = {name: json for name, json in removed.items() if parsed.get(name) is not None}
    why: dict[str, str] = {}
    for _ in range(CLEANUP_PASSES):
        if not remaining:
            break
        progressed = False
        for name, json in list(remaining.items()):
            try:
                delete_resource(resource_map, parsed[name], json)
            except Exception as err:
                message = getattr(err, "message", None) or service_error(err) or str(err)
                why[name] = str(message)
                continue
            parsed.pop(name, None)
            remaining.pop(name)
            progressed = True
        if not progressed:
            break
    orphaned = resource_map.__dict__.setdefault(ORPHANED, {})
    for name, json in remaining.items():
        physical = getattr(parsed.pop(name, None), "physical_resource_id", "")
        orphaned[name] = (str(json.get("Type", "")), str(physical or ""), why.get(name, "not deleted"))
        logger.warning("stack update left %s (%s) orphaned: %s", name, physical, why.get(name))


def update_resource_map(
    original: Callable[..., None],
    resource_map: ResourceMap,
    template: dict[str, Any],
    parameters: dict[str, Any] | None = None,
    *args: Any,
    **kwargs: Any,
) -> None:
    """moto's update with the removals taken out of it and done afterwards (:func:`_cleanup`);
    resources whose condition turned false are forgotten like removed ones."""
    names = resource_diff(resource_map, template, parameters)
    resource_map.__dict__.pop(PREVIOUS_PARAMETERS, None)  # a rollback compares with the new values
    removed = {name: dict(resource_definitions(resource_map)[name]) for name in names["Remove"]}
    resource_map.__dict__[PLANNED] = {
        "Add": list(names["Add"]),
        "Modify": list(names["Modify"]),
        "Remove": [],
    }
    try:
        original(resource_map, template, parameters, *args, **kwargs)
    finally:
        resource_map.__dict__.pop(PLANNED, None)
    _cleanup(resource_map, removed)
    active = active_resources(resource_map, resource_definitions(resource_map))
    for name in set(resource_map.resources) - active:
        parsed_resources(resource_map).pop(name, None)


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


def security_group_update(
    original: Callable[..., Any],
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> Any:
    """Ingress rules and tags in place; replacement only for a new description or VPC."""
    properties = cloudformation_json.get("Properties") or {}
    group: SecurityGroup = original_resource
    if (
        (properties.get("GroupDescription") or group.description) != group.description
        or (properties.get("VpcId") or group.vpc_id) != group.vpc_id
        or properties.get("GroupName") not in (None, group.name)
    ):
        return original(
            original_resource=original_resource,
            new_resource_name=new_resource_name,
            cloudformation_json=cloudformation_json,
            account_id=account_id,
            region_name=region_name,
        )
    backend = ec2_backends[account_id][region_name]
    group.ingress_rules = []
    for rule in properties.get("SecurityGroupIngress") or []:
        source = {
            key: rule[member]
            for key, member in (
                ("GroupId", "SourceSecurityGroupId"),
                ("GroupName", "SourceSecurityGroupName"),
            )
            if rule.get(member)
        }
        backend.authorize_security_group_ingress(
            group_name_or_id=group.id,
            ip_protocol=rule["IpProtocol"],
            from_port=rule.get("FromPort"),
            to_port=rule.get("ToPort"),
            ip_ranges=rule.get("CidrIp", []),
            source_groups=[source] if source else [],
            vpc_id=group.vpc_id,
        )
    old_tags = {str(tag["key"]): tag["value"] for tag in group.get_tags()}
    if old_tags:
        backend.delete_tags([group.id], old_tags)
    group.add_tags({str(tag["Key"]): str(tag["Value"]) for tag in properties.get("Tags") or []})
    return group


def stack_update(original: Callable[..., None], stack: Stack, *args: Any, **kwargs: Any) -> None:
    """The stack's events for the clean-up phase: each orphaned resource's DELETE_FAILED."""
    stack.resource_map.__dict__.pop(ORPHANED, None)
    original(stack, *args, **kwargs)
    orphaned: dict[str, tuple[str, str, str]] = stack.resource_map.__dict__.pop(ORPHANED, {})
    if not orphaned:
        return
    for logical_id, (resource_type, physical, why) in sorted(orphaned.items()):
        stack.events.append(
            Event(
                stack_id=stack.stack_id,
                stack_name=stack.name,
                logical_resource_id=logical_id,
                physical_resource_id=physical,
                resource_type=resource_type,
                resource_status="DELETE_FAILED",
                resource_status_reason=why,
                resource_properties=None,
            )
        )

"""A subnet with network interfaces in it cannot be deleted, as in EC2.

moto 5.2's ``delete_subnet`` deletes a subnet whatever is in it. EC2 refuses with
``DependencyViolation: The subnet 'subnet-...' has dependencies and cannot be deleted.`` while a
network interface (a MediaConnect VPC interface's, say, left behind by a flow) is in it; this is
why deleting a network stack can end in DELETE_FAILED, and what ``destroy``'s sweep of orphaned
interfaces is for. The patch (:mod:`..patching`) applies to the API and to CloudFormation's
AWS::EC2::Subnet alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ec2.exceptions import DependencyViolationError


def interfaces_in(backend: Any, subnet_id: str) -> list[str]:
    """The ids of the network interfaces in the subnet."""
    return sorted(
        eni.id
        for eni in backend.enis.values()
        if getattr(getattr(eni, "subnet", None), "id", None) == subnet_id
    )


def delete_subnet(original: Callable[..., Any], backend: Any, subnet_id: str) -> Any:
    """``SubnetBackend.delete_subnet``, refused while a network interface is in the subnet."""
    if interfaces_in(backend, subnet_id):
        raise DependencyViolationError(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
    return original(backend, subnet_id)

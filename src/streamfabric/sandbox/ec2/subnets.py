"""A subnet with network interfaces in it cannot be deleted, as in EC2.

moto 5.2's ``delete_subnet`` deletes a subnet whatever is in it. EC2 refuses with
``DependencyViolation: The subnet 'subnet-...' has dependencies and cannot be deleted.`` while a
network interface (a MediaConnect VPC interface's, say, left behind by a flow) is in it; this is
why deleting a network stack can end in DELETE_FAILED, and what ``destroy``'s sweep of orphaned
interfaces is for. The patch applies to the API and to CloudFormation's AWS::EC2::Subnet alike.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.subnets import SubnetBackend

_MARK = "_streamfabric_patched"


def interfaces_in(backend: Any, subnet_id: str) -> list[str]:
    """The ids of the network interfaces in the subnet."""
    return sorted(
        eni.id
        for eni in backend.enis.values()
        if getattr(getattr(eni, "subnet", None), "id", None) == subnet_id
    )


def install() -> None:
    """Patch moto's EC2 backend (idempotent)."""
    original = SubnetBackend.delete_subnet
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def delete_subnet(self: Any, subnet_id: str) -> Any:
        if interfaces_in(self, subnet_id):
            raise DependencyViolationError(
                f"The subnet '{subnet_id}' has dependencies and cannot be deleted."
            )
        return original(self, subnet_id)

    setattr(delete_subnet, _MARK, True)
    SubnetBackend.delete_subnet = delete_subnet  # type: ignore[method-assign]

"""CloudFormation model for AWS::EC2::SecurityGroup, its rules changed as CloudFormation changes them.

moto 5.2's model ignores ``SecurityGroupEgress`` (a group keeps EC2's default allow-all egress rule
whatever the template says) and updates a group by deleting it and making another (a new ``sg-``
id under every network interface that uses it). This model follows the CloudFormation Template
Reference, AWS::EC2::SecurityGroup
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html):

* ``GroupDescription``, ``GroupName`` and ``VpcId`` are create-only ("Update requires:
  Replacement"): the stack update makes a new group first and deletes the old one in its clean-up
  phase (:mod:`...cloudformation.updates`); without a ``GroupName`` the new group gets a new
  generated name, with the same one CreateSecurityGroup refuses the duplicate (the update rolls back).
* ``SecurityGroupIngress`` and ``SecurityGroupEgress`` (both applied, egress included, with the
  default egress rule EC2 adds to a VPC group removed only when egress rules are given) change in
  place, rule by rule, a changed or removed rule revoked before the new rules are authorized, the
  traffic it carried dropped meanwhile and the window recorded (:mod:`...ec2.security_group_rules`,
  :mod:`...ec2.traffic`). ``Tags`` change in place.
* Ref: the group id (the name for a group without ``VpcId``, in the default VPC, as the page says);
  ``Fn::GetAtt`` ``GroupId`` and ``VpcId``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import ServiceException

from ...ec2 import security_group_rules as rules
from .ec2 import Ec2Resource, service_failing_as


class Ec2SecurityGroup(Ec2Resource, CloudFormationModel):
    """AWS::EC2::SecurityGroup."""

    ATTRIBUTES = ("GroupId", "VpcId")
    group_id: str
    vpc_id: str | None

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::SecurityGroup"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "GroupName"

    @property
    def physical_resource_id(self) -> str:
        return self.group_id if self.properties.get("VpcId") else self.name

    def create(self) -> None:
        properties = self.properties
        with service_failing_as(self.logical_resource_id):
            group = self.backend.create_security_group(
                name=self.name,
                description=properties.get("GroupDescription"),
                vpc_id=properties.get("VpcId"),
                tags=self.creation_tags(properties),
            )
            self.group_id, self.vpc_id = str(group.id), group.vpc_id
            before = [rules.DEFAULT_EGRESS] if group.vpc_id else []
            rules.apply(
                self.backend, self.group_id, self.vpc_id, before, rules.rules(properties), record=False
            )

    def update_in_place(self, properties: dict[str, Any]) -> Ec2SecurityGroup:
        with service_failing_as(self.logical_resource_id):
            rules.apply(
                self.backend,
                self.group_id,
                self.vpc_id,
                rules.rules(self.properties, bool(self.vpc_id)),
                rules.rules(properties, bool(self.vpc_id)),
            )
            self.retag(self.group_id, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        with service_failing_as(self.logical_resource_id):
            with contextlib.suppress(ServiceException):
                if self.backend.get_security_group_from_id(self.group_id) is None:
                    return
            self.backend.delete_security_group(group_id=self.group_id)

    def read_attributes(self) -> dict[str, Any]:
        return {"GroupId": self.group_id, "VpcId": self.vpc_id}


MODELS: tuple[type[CloudFormationModel], ...] = (Ec2SecurityGroup,)

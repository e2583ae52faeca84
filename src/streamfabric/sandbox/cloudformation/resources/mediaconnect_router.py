"""CloudFormation models for ``AWS::MediaConnect::RouterNetworkInterface``, ``RouterInput`` and
``RouterOutput`` on the emulated Router API (:mod:`...mediaconnect.router`).

CloudFormation Template Reference, AWS::MediaConnect::RouterNetworkInterface / RouterInput /
RouterOutput: the properties are the Create* requests' (PascalCase), ``Tags`` a list of Key/Value;
``Fn::GetAtt`` gives ``Arn``, ``Id``, ``IpAddress``, ``State`` and the other read-only properties of
the resource schemas cfn-lint ships. A resource handler waits for a stable state: the model reads the
resource until its transition (CREATING, DELETING) is over. The Update* Router operations are not
emulated, so a change CloudFormation would make in place fails the resource (``UPDATE_FAILED``,
then the stack rolls back); create-only changes replace it as for every other type
(:mod:`..updates`). Deleting a router input that outputs are routed to, or one that runs, fails
(``DELETE_FAILED``) as DeleteRouterInput does: AWS documents whether the handler stops or unroutes
it first nowhere, so the emulator takes the harsher reading.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import JsonRESTError

from ...mediaconnect.router import operations as ops
from ...mediaconnect.router import outputs
from ...mediaconnect.router.store import (
    LOCK,
    NetworkInterface,
    Resource,
    RouterInput,
    RouterOutput,
    in_transition,
)
from ..failures import ResourceFailed
from .base import MediaConnectResource, tag_map, to_wire

_WAIT_SECONDS = 10.0


@contextlib.contextmanager
def _failing_as(logical_id: str) -> Iterator[None]:
    try:
        yield
    except JsonRESTError as err:
        raise ResourceFailed(logical_id, str(err.message)) from err


def _stable(account_id: str, kind: type[Resource], arn: str) -> None:
    """Read the resource until its transition is over, as a resource handler waits (gone is stable)."""
    deadline = time.monotonic() + _WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            resource = ops.get(account_id, kind, arn)
        except JsonRESTError:
            return
        with LOCK:
            if not in_transition(resource):
                return
        time.sleep(0.02)


def _request(properties: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    request: dict[str, Any] = to_wire({k: v for k, v in properties.items() if k != "Tags"})
    if "maximumBitrate" in request:
        request["maximumBitrate"] = int(request["maximumBitrate"])
    request["tags"] = {k: v for k, v in tags.items() if not k.startswith("aws:")}
    return request


class _RouterResource(MediaConnectResource):
    KIND: type[Resource] = Resource
    arn: str

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def create(self) -> None:
        request = _request(self.properties, self.creation_tags(self.properties))
        with _failing_as(self.logical_resource_id):
            self.arn = self.make(request).arn
            _stable(self.account_id, self.KIND, self.arn)

    def make(self, request: dict[str, Any]) -> Resource:
        raise NotImplementedError

    def update_in_place(self, properties: dict[str, Any]) -> _RouterResource:
        if (
            tag_map(properties.get("Tags")) == tag_map(self.properties.get("Tags"))
            and properties == self.properties
        ):
            return self
        raise ResourceFailed(
            self.logical_resource_id, f"the emulator has no Update operation for {self.cloudformation_type()}"
        )

    @staticmethod
    def cloudformation_type() -> str:
        raise NotImplementedError

    def remove(self) -> None:
        with _failing_as(self.logical_resource_id):
            try:
                self.unmake()
            except JsonRESTError as err:
                if err.error_type == "NotFoundException":
                    return
                raise
            _stable(self.account_id, self.KIND, self.arn)

    def unmake(self) -> None:
        raise NotImplementedError

    def read_attributes(self) -> dict[str, Any]:
        resource = ops.get(self.account_id, self.KIND, self.arn, read=False)
        values: dict[str, Any] = {
            "Arn": resource.arn, "Id": resource.id, "State": resource.state, "RegionName": resource.region,
            "CreatedAt": resource.created_at, "UpdatedAt": resource.updated_at,
        }  # fmt: skip
        return values


class MediaConnectRouterNetworkInterface(_RouterResource, CloudFormationModel):
    """AWS::MediaConnect::RouterNetworkInterface."""

    KIND = NetworkInterface
    ATTRIBUTES = (
        "Arn", "Id", "State", "RegionName", "CreatedAt", "UpdatedAt", "NetworkInterfaceType",
        "AssociatedInputCount", "AssociatedOutputCount",
    )  # fmt: skip

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::RouterNetworkInterface"

    def make(self, request: dict[str, Any]) -> Resource:
        return ops.create_network_interface(self.account_id, self.region_name, request)

    def unmake(self) -> None:
        ops.delete_network_interface(self.account_id, self.arn)

    def read_attributes(self) -> dict[str, Any]:
        values = super().read_attributes()
        interface = ops.get(self.account_id, NetworkInterface, self.arn, read=False)
        inputs, outputs_count = ops.associated_counts(self.account_id, self.arn)
        values.update(
            NetworkInterfaceType=interface.interface_type,
            AssociatedInputCount=inputs,
            AssociatedOutputCount=outputs_count,
        )
        return values


class MediaConnectRouterInput(_RouterResource, CloudFormationModel):
    """AWS::MediaConnect::RouterInput."""

    KIND = RouterInput
    ATTRIBUTES = (
        "Arn", "Id", "State", "RegionName", "CreatedAt", "UpdatedAt", "InputType", "IpAddress",
        "RoutedOutputs", "MaintenanceType",
    )  # fmt: skip

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::RouterInput"

    def make(self, request: dict[str, Any]) -> Resource:
        return ops.create_input(self.account_id, self.region_name, request)

    def unmake(self) -> None:
        ops.delete_input(self.account_id, self.arn)

    def read_attributes(self) -> dict[str, Any]:
        values = super().read_attributes()
        item = ops.get(self.account_id, RouterInput, self.arn, read=False)
        values.update(
            InputType=item.input_type,
            IpAddress=item.ip_address,
            RoutedOutputs=len(ops.routed_outputs(self.account_id, self.arn)),
            MaintenanceType="PREFERRED_DAY_TIME" if "preferredDayTime" in item.maintenance else "DEFAULT",
        )
        return values


class MediaConnectRouterOutput(_RouterResource, CloudFormationModel):
    """AWS::MediaConnect::RouterOutput."""

    KIND = RouterOutput
    ATTRIBUTES = (
        "Arn", "Id", "State", "RegionName", "CreatedAt", "UpdatedAt", "OutputType", "IpAddress",
        "RoutedState", "MaintenanceType",
    )  # fmt: skip

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::MediaConnect::RouterOutput"

    def make(self, request: dict[str, Any]) -> Resource:
        return outputs.create_output(self.account_id, self.region_name, request)

    def unmake(self) -> None:
        outputs.delete_output(self.account_id, self.arn)

    def read_attributes(self) -> dict[str, Any]:
        values = super().read_attributes()
        item = ops.get(self.account_id, RouterOutput, self.arn, read=False)
        values.update(
            OutputType=item.output_type,
            IpAddress=item.ip_address,
            RoutedState=item.routed_state,
            MaintenanceType="PREFERRED_DAY_TIME" if "preferredDayTime" in item.maintenance else "DEFAULT",
        )
        return values


__all__ = ["MediaConnectRouterInput", "MediaConnectRouterNetworkInterface", "MediaConnectRouterOutput"]

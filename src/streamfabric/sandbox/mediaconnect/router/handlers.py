"""HTTP handlers of the Router API on moto's MediaConnect dispatcher, and their URL patterns.

moto's ``MediaConnectResponse.dispatch`` finds the operation from botocore's ``requestUri``s and
calls the handler named after it (``create_router_input`` ...); :mod:`...patching` adds these as
methods and :data:`URL_PATHS` to moto's MediaConnect URL table. Status codes are the model's
(201 for Create*, 202 for Start/Stop/TakeRouterInput, 200 otherwise).

*Throttling.* MediaConnect User Guide, *Quotas*, "Limits for API requests": 5 requests per second
per account and Region (burst 30), HTTP 429 ``TooManyRequestsException``. The emulator on this
branch throttles nothing; every Router handler first calls the hooks in :data:`ADMISSION`
(``hook(account_id, region, operation)``, raising ``TooManyRequestsException`` to refuse), so the
MediaConnect throttle can cover the Router API by registering itself there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.mediaconnect import urls as mediaconnect_urls
from moto.mediaconnect.responses import MediaConnectResponse

from ...moto_internals import int_param, param
from . import monitor, outputs, shapes
from . import operations as ops
from .store import LOCK, NetworkInterface, RouterInput, RouterOutput

Reply = tuple[str, dict[str, Any]]
Admission = Callable[[str, str, str], None]
ADMISSION: list[Admission] = []  # throttling hooks: (account_id, region, operation) -> None or raise


def _admit(self: MediaConnectResponse, operation: str) -> None:
    for hook in list(ADMISSION):
        hook(self.current_account, self.region, operation)


def _reply(payload: dict[str, Any], status: int = 200) -> Reply:
    return json.dumps(payload), {"status": status, "Content-Type": "application/json"}


def _body(self: MediaConnectResponse) -> dict[str, Any]:
    data = json.loads(self.body) if self.body else {}
    return data if isinstance(data, dict) else {}


def _arn(self: MediaConnectResponse, name: str = "Arn") -> str:
    assert self.uri_match is not None
    return unquote(self.uri_match.group(name))


def _page(self: MediaConnectResponse) -> tuple[list[dict[str, Any]], int | None, str | None]:
    filters = _body(self).get("filters") or []
    return list(filters), int_param(self, "maxResults"), param(self, "nextToken")


# --- network interfaces --------------------------------------------------------------------------


def create_router_network_interface(self: MediaConnectResponse) -> Reply:
    _admit(self, "CreateRouterNetworkInterface")
    account = self.current_account
    interface = ops.create_network_interface(account, self.region, _body(self))
    return _reply({"routerNetworkInterface": shapes.network_interface(account, interface)}, 201)


def get_router_network_interface(self: MediaConnectResponse) -> Reply:
    _admit(self, "GetRouterNetworkInterface")
    account = self.current_account
    with LOCK:
        interface = ops.get(account, NetworkInterface, _arn(self))
        return _reply({"routerNetworkInterface": shapes.network_interface(account, interface)})


def list_router_network_interfaces(self: MediaConnectResponse) -> Reply:
    _admit(self, "ListRouterNetworkInterfaces")
    account = self.current_account
    page, token = ops.listed(account, NetworkInterface, *_page(self))
    payload: dict[str, Any] = {
        "routerNetworkInterfaces": [shapes.listed_network_interface(account, i) for i in page]
    }
    if token:
        payload["nextToken"] = token
    return _reply(payload)


def delete_router_network_interface(self: MediaConnectResponse) -> Reply:
    _admit(self, "DeleteRouterNetworkInterface")
    interface = ops.delete_network_interface(self.current_account, _arn(self))
    return _reply({"arn": interface.arn, "name": interface.name, "state": interface.state})


# --- inputs --------------------------------------------------------------------------------------


def create_router_input(self: MediaConnectResponse) -> Reply:
    _admit(self, "CreateRouterInput")
    account = self.current_account
    item = ops.create_input(account, self.region, _body(self))
    return _reply({"routerInput": shapes.router_input(account, item)}, 201)


def get_router_input(self: MediaConnectResponse) -> Reply:
    _admit(self, "GetRouterInput")
    account = self.current_account
    with LOCK:
        return _reply(
            {"routerInput": shapes.router_input(account, ops.get(account, RouterInput, _arn(self)))}
        )


def list_router_inputs(self: MediaConnectResponse) -> Reply:
    _admit(self, "ListRouterInputs")
    account = self.current_account
    page, token = ops.listed(account, RouterInput, *_page(self))
    payload: dict[str, Any] = {"routerInputs": [shapes.listed_router_input(account, i) for i in page]}
    if token:
        payload["nextToken"] = token
    return _reply(payload)


def delete_router_input(self: MediaConnectResponse) -> Reply:
    _admit(self, "DeleteRouterInput")
    item = ops.delete_input(self.current_account, _arn(self))
    return _reply({"arn": item.arn, "name": item.name, "state": item.state})


def _running(self: MediaConnectResponse, kind: type[RouterInput] | type[RouterOutput], start: bool) -> Reply:
    item = ops.set_running(self.current_account, kind, _arn(self), start)
    payload: dict[str, Any] = {"arn": item.arn, "name": item.name, "state": item.state}
    if start:
        payload.update(maintenanceScheduleType="WINDOW", maintenanceSchedule=item.schedule)
    return _reply(payload, 202)


def start_router_input(self: MediaConnectResponse) -> Reply:
    _admit(self, "StartRouterInput")
    return _running(self, RouterInput, start=True)


def stop_router_input(self: MediaConnectResponse) -> Reply:
    _admit(self, "StopRouterInput")
    return _running(self, RouterInput, start=False)


def get_router_input_source_metadata(self: MediaConnectResponse) -> Reply:
    _admit(self, "GetRouterInputSourceMetadata")
    account = self.current_account
    with LOCK:
        item = ops.get(account, RouterInput, _arn(self))
        return _reply(monitor.source_metadata(account, item))


def get_router_input_thumbnail(self: MediaConnectResponse) -> Reply:
    _admit(self, "GetRouterInputThumbnail")
    account = self.current_account
    with LOCK:
        item = ops.get(account, RouterInput, _arn(self))
        return _reply(monitor.thumbnail(account, item))


# --- outputs -------------------------------------------------------------------------------------


def create_router_output(self: MediaConnectResponse) -> Reply:
    _admit(self, "CreateRouterOutput")
    item = outputs.create_output(self.current_account, self.region, _body(self))
    return _reply({"routerOutput": shapes.router_output(item)}, 201)


def get_router_output(self: MediaConnectResponse) -> Reply:
    _admit(self, "GetRouterOutput")
    with LOCK:
        return _reply(
            {"routerOutput": shapes.router_output(ops.get(self.current_account, RouterOutput, _arn(self)))}
        )


def list_router_outputs(self: MediaConnectResponse) -> Reply:
    _admit(self, "ListRouterOutputs")
    page, token = ops.listed(self.current_account, RouterOutput, *_page(self))
    payload: dict[str, Any] = {"routerOutputs": [shapes.listed_router_output(o) for o in page]}
    if token:
        payload["nextToken"] = token
    return _reply(payload)


def delete_router_output(self: MediaConnectResponse) -> Reply:
    _admit(self, "DeleteRouterOutput")
    item = outputs.delete_output(self.current_account, _arn(self))
    return _reply({"arn": item.arn, "name": item.name, "state": item.state})


def start_router_output(self: MediaConnectResponse) -> Reply:
    _admit(self, "StartRouterOutput")
    return _running(self, RouterOutput, start=True)


def stop_router_output(self: MediaConnectResponse) -> Reply:
    _admit(self, "StopRouterOutput")
    return _running(self, RouterOutput, start=False)


def take_router_input(self: MediaConnectResponse) -> Reply:
    _admit(self, "TakeRouterInput")
    wanted = _body(self).get("routerInputArn")
    output, item = outputs.take(self.current_account, _arn(self, "RouterOutputArn"), wanted)
    payload: dict[str, Any] = {
        "routedState": output.routed_state, "routerOutputArn": output.arn, "routerOutputName": output.name,
    }  # fmt: skip
    if item is not None:
        payload.update(routerInputArn=item.arn, routerInputName=item.name)
    return _reply(payload, 202)


# (handler, what it does): the registry's entries (:mod:`...patching`)
HANDLERS: tuple[tuple[Callable[[MediaConnectResponse], Reply], str], ...] = (
    (create_router_network_interface, "CreateRouterNetworkInterface: CREATING, then ACTIVE; 10 per Region"),
    (get_router_network_interface, "GetRouterNetworkInterface"),
    (list_router_network_interfaces, "ListRouterNetworkInterfaces: every Region's, filtered, paginated"),
    (delete_router_network_interface, "DeleteRouterNetworkInterface: refused while inputs or outputs use it"),
    (
        create_router_input,
        "CreateRouterInput: tier and bitrate, an ACTIVE interface, CREATING; 20 per Region",
    ),
    (get_router_input, "GetRouterInput"),
    (list_router_inputs, "ListRouterInputs: every Region's, filtered, paginated"),
    (delete_router_input, "DeleteRouterInput: STANDBY or ERROR only, and no outputs routed to it"),
    (start_router_input, "StartRouterInput: STANDBY, STARTING, ACTIVE; the maintenance window"),
    (stop_router_input, "StopRouterInput: ACTIVE, STOPPING, STANDBY"),
    (get_router_input_source_metadata, "GetRouterInputSourceMetadata: what an ACTIVE input receives"),
    (get_router_input_thumbnail, "GetRouterInputThumbnail: a test card of what an ACTIVE input receives"),
    (
        create_router_output,
        "CreateRouterOutput: MEDIACONNECT_FLOW into a router-integrated source; 20 per Region",
    ),
    (get_router_output, "GetRouterOutput"),
    (list_router_outputs, "ListRouterOutputs: every Region's, filtered, paginated"),
    (delete_router_output, "DeleteRouterOutput: STANDBY or ERROR only; the flow source disconnected"),
    (start_router_output, "StartRouterOutput: STANDBY, STARTING, ACTIVE"),
    (stop_router_output, "StopRouterOutput: ACTIVE, STOPPING, STANDBY"),
    (take_router_input, "TakeRouterInput: 202, ROUTING, then ROUTED; scope and bitrate compatibility"),
)

_ARN = "(?P<arn>[^/]+)"
URL_PATHS: dict[str, Any] = {
    pattern: mediaconnect_urls.response.dispatch
    for pattern in (
        "{0}/v1/routerNetworkInterface$",
        f"{{0}}/v1/routerNetworkInterface/{_ARN}$",
        "{0}/v1/routerNetworkInterfaces$",
        "{0}/v1/routerInput$",
        f"{{0}}/v1/routerInput/{_ARN}$",
        f"{{0}}/v1/routerInput/{_ARN}/source-metadata$",
        f"{{0}}/v1/routerInput/{_ARN}/thumbnail$",
        f"{{0}}/v1/routerInput/start/{_ARN}$",
        f"{{0}}/v1/routerInput/stop/{_ARN}$",
        "{0}/v1/routerInputs$",
        "{0}/v1/routerOutput$",
        f"{{0}}/v1/routerOutput/{_ARN}$",
        f"{{0}}/v1/routerOutput/start/{_ARN}$",
        f"{{0}}/v1/routerOutput/stop/{_ARN}$",
        f"{{0}}/v1/routerOutput/takeRouterInput/{_ARN}$",
        "{0}/v1/routerOutputs$",
    )
}

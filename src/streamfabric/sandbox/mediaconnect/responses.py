"""Patch moto's MediaConnect HTTP handlers to the real API's semantics and response shapes.

moto's handlers answer several operations with wrong keys (``flow_arn``, ``vpc_interfaces``),
which botocore silently drops, null out members an update leaves out, and lack RemoveFlowSource,
UpdateFlow and UntagResource. The handlers here (installed by :mod:`..patching`) parse the request, call
:mod:`.models` and render with :mod:`.shapes`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.mediaconnect.responses import MediaConnectResponse

from ..moto_internals import int_param, param
from . import models as model
from . import quotas
from .shapes import flow_shape, listed_flow_shape, output_shape, source_shape, vpc_interface_shape

Reply = tuple[str, dict[str, Any]]


def _reply(payload: dict[str, Any], status: int = 200) -> Reply:
    return json.dumps(payload), {"status": status, "Content-Type": "application/json"}


def _body(self: MediaConnectResponse) -> dict[str, Any]:
    raw = self.body
    if not raw:
        return {}
    data = json.loads(raw)
    return data if isinstance(data, dict) else {}


def _path(self: MediaConnectResponse, name: str) -> str:
    """A URI member of the operation (FlowArn, OutputArn, ...), decoded."""
    assert self.uri_match is not None
    return unquote(self.uri_match.group(name))


def _backend(self: MediaConnectResponse) -> Any:
    return model.backend_for(self.current_account, self.region)


def create_flow(self: MediaConnectResponse) -> Reply:
    flow = model.create_flow(_backend(self), _body(self))
    return _reply({"flow": flow_shape(flow)}, 201)


def describe_flow(self: MediaConnectResponse) -> Reply:
    """DescribeFlow: ``messages`` beside ``flow``, only when the flow has errors (API Reference)."""
    flow, errors = model.read_flow(_backend(self), _path(self, "FlowArn"))
    payload: dict[str, Any] = {"flow": flow_shape(flow)}
    if errors:
        payload["messages"] = {"errors": list(errors)}
    return _reply(payload)


def list_flows(self: MediaConnectResponse) -> Reply:
    max_results = int_param(self, "maxResults")
    flows, token = model.list_flows(_backend(self), max_results, param(self, "nextToken"))
    payload: dict[str, Any] = {"flows": [listed_flow_shape(flow) for flow in flows]}
    if token:
        payload["nextToken"] = token
    return _reply(payload)


def delete_flow(self: MediaConnectResponse) -> Reply:
    flow = model.delete_flow(_backend(self), _path(self, "FlowArn"), lingers=True)
    return _reply({"flowArn": flow.flow_arn, "status": flow.status}, 202)


def start_flow(self: MediaConnectResponse) -> Reply:
    flow = model.set_running(_backend(self), _path(self, "FlowArn"), running=True)
    return _reply({"flowArn": flow.flow_arn, "status": flow.status}, 202)


def stop_flow(self: MediaConnectResponse) -> Reply:
    flow = model.set_running(_backend(self), _path(self, "FlowArn"), running=False)
    return _reply({"flowArn": flow.flow_arn, "status": flow.status}, 202)


def update_flow(self: MediaConnectResponse) -> Reply:
    flow = model.update_flow(_backend(self), _path(self, "FlowArn"), _body(self))
    return _reply({"flow": flow_shape(flow)}, 202)


def add_flow_outputs(self: MediaConnectResponse) -> Reply:
    flow_arn = _path(self, "FlowArn")
    added = model.add_outputs(_backend(self), flow_arn, list(_body(self).get("outputs") or []))
    return _reply({"flowArn": flow_arn, "outputs": [output_shape(o) for o in added]}, 201)


def remove_flow_output(self: MediaConnectResponse) -> Reply:
    flow_arn, output_arn = _path(self, "FlowArn"), _path(self, "OutputArn")
    model.remove_output(_backend(self), flow_arn, output_arn)
    return _reply({"flowArn": flow_arn, "outputArn": output_arn}, 202)


def update_flow_output(self: MediaConnectResponse) -> Reply:
    flow_arn, output_arn = _path(self, "FlowArn"), _path(self, "OutputArn")
    output = model.update_output(_backend(self), flow_arn, output_arn, _body(self))
    return _reply({"flowArn": flow_arn, "output": output_shape(output)}, 202)


def add_flow_sources(self: MediaConnectResponse) -> Reply:
    flow_arn = _path(self, "FlowArn")
    added = model.add_sources(_backend(self), flow_arn, list(_body(self).get("sources") or []))
    return _reply({"flowArn": flow_arn, "sources": [source_shape(s) for s in added]}, 201)


def remove_flow_source(self: MediaConnectResponse) -> Reply:
    flow_arn, source_arn = _path(self, "FlowArn"), _path(self, "SourceArn")
    model.remove_source(_backend(self), flow_arn, source_arn)
    return _reply({"flowArn": flow_arn, "sourceArn": source_arn}, 202)


def update_flow_source(self: MediaConnectResponse) -> Reply:
    flow_arn, source_arn = _path(self, "FlowArn"), _path(self, "SourceArn")
    source = model.update_source(_backend(self), flow_arn, source_arn, _body(self))
    return _reply({"flowArn": flow_arn, "source": source_shape(source)}, 202)


def add_flow_vpc_interfaces(self: MediaConnectResponse) -> Reply:
    flow_arn = _path(self, "FlowArn")
    added = model.add_vpc_interfaces(_backend(self), flow_arn, list(_body(self).get("vpcInterfaces") or []))
    return _reply({"flowArn": flow_arn, "vpcInterfaces": [vpc_interface_shape(v) for v in added]}, 201)


def remove_flow_vpc_interface(self: MediaConnectResponse) -> Reply:
    flow_arn, name = _path(self, "FlowArn"), _path(self, "VpcInterfaceName")
    not_deleted = model.remove_vpc_interface(_backend(self), flow_arn, name)
    return _reply(
        {"flowArn": flow_arn, "vpcInterfaceName": name, "nonDeletedNetworkInterfaceIds": not_deleted}
    )


def grant_flow_entitlements(self: MediaConnectResponse) -> Reply:
    flow_arn = _path(self, "FlowArn")
    flow = model.get_flow(_backend(self), flow_arn)
    requested = list(_body(self).get("entitlements") or [])
    quotas.check_entitlements(len(flow.entitlements or []), len(requested))
    granted = _backend(self).grant_flow_entitlements(flow_arn, requested)
    return _reply({"flowArn": flow_arn, "entitlements": granted})


def tag_resource(self: MediaConnectResponse) -> Reply:
    model.tag_resource(_backend(self), _path(self, "ResourceArn"), dict(_body(self).get("tags") or {}))
    return _reply({}, 204)


def untag_resource(self: MediaConnectResponse) -> Reply:
    keys = [str(key) for key in self.querystring.get("tagKeys", [])]
    model.untag_resource(_backend(self), _path(self, "ResourceArn"), keys)
    return _reply({}, 204)


def list_tags_for_resource(self: MediaConnectResponse) -> Reply:
    return _reply({"tags": model.list_tags(_backend(self), _path(self, "ResourceArn"))})


_HANDLERS: tuple[Callable[[MediaConnectResponse], Reply], ...] = (
    create_flow,
    describe_flow,
    list_flows,
    delete_flow,
    start_flow,
    stop_flow,
    update_flow,
    add_flow_outputs,
    remove_flow_output,
    update_flow_output,
    add_flow_sources,
    remove_flow_source,
    update_flow_source,
    add_flow_vpc_interfaces,
    remove_flow_vpc_interface,
    grant_flow_entitlements,
    tag_resource,
    untag_resource,
    list_tags_for_resource,
)


def widen_url_paths(paths: dict[str, Any]) -> None:
    """Let ARNs with dots (names like ``feed.primary``) reach the handlers: ``[^/.]+`` -> ``[^/]+``
    in moto's MediaConnect URL patterns."""
    for pattern in [p for p in paths if "[^/.]+" in p]:
        paths[pattern.replace("[^/.]+", "[^/]+")] = paths.pop(pattern)

"""botocore's service model as the referee of what goes over the wire.

``problems(shape, value)`` walks a botocore shape (structure / list / map / scalar) against a JSON
value in its *wire* names (``locationName``: ``flowArn``, ``vpcInterfaces``) and reports unknown
members, missing required members, wrong types and values outside an enum. botocore's parser
silently drops what it does not expect, so a response with a wrong key parses "fine" and the
member is just gone; this sees it.

``WireRecorder`` hooks a boto3 session: ``before-call`` records each request's serialized body
(validated against the operation's input shape) and ``before-parse`` records each raw response
body (validated against its output shape), before botocore's parser can drop anything.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

_LOCATED = ("header", "headers", "uri", "querystring", "statusCode")


def _wire_name(name: str, member: Shape) -> str:
    return str(member.serialization.get("name", name))


def problems(shape: Shape | None, value: Any, path: str = "$", *, check_required: bool = True) -> list[str]:
    """Every way ``value`` (JSON, wire names) deviates from ``shape``; [] when it conforms."""
    if shape is None:
        return [] if value in (None, {}) else [f"{path}: the operation has no body, got {value!r}"]
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return [f"{path}: expected an object ({shape.name}), got {type(value).__name__}"]
        members = {
            _wire_name(name, member): (name, member)
            for name, member in shape.members.items()
            if member.serialization.get("location") not in _LOCATED
        }
        found: list[str] = []
        for key, item in value.items():
            if key not in members:
                found.append(f"{path}.{key}: not a member of {shape.name} (members: {sorted(members)})")
                continue
            found.extend(problems(members[key][1], item, f"{path}.{key}", check_required=check_required))
        if check_required:
            for required in shape.required_members:
                member = shape.members[required]
                if member.serialization.get("location") in _LOCATED:
                    continue
                wire = _wire_name(required, member)
                if wire not in value:
                    found.append(f"{path}: required member {wire} of {shape.name} missing")
        return found
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return [f"{path}: expected a list ({shape.name}), got {type(value).__name__}"]
        return [p for i, item in enumerate(value) for p in problems(shape.member, item, f"{path}[{i}]")]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return [f"{path}: expected a map ({shape.name}), got {type(value).__name__}"]
        return [p for k, item in value.items() for p in problems(shape.value, item, f"{path}[{k!r}]")]
    return _scalar(shape, value, path)


def _scalar(shape: Shape, value: Any, path: str) -> list[str]:
    kind = shape.type_name
    ok = {
        "string": lambda v: isinstance(v, str),
        "blob": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "double": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "timestamp": lambda v: isinstance(v, str | int | float) and not isinstance(v, bool),
    }.get(kind)
    if ok is None:
        return [f"{path}: no check for botocore type {kind!r}"]
    if not ok(value):
        return [f"{path}: expected {kind} ({shape.name}), got {type(value).__name__} {value!r}"]
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        return [f"{path}: {value!r} is not one of {shape.name}'s values {list(enum)}"]
    return []


@dataclass
class Exchange:
    operation: str
    request: dict[str, Any]
    response: dict[str, Any] | None = None
    status: int | None = None


@dataclass
class WireRecorder:
    """Records the raw requests and responses of one service on a session (see the module doc)."""

    session: boto3.session.Session
    service: str = "mediaconnect"
    exchanges: list[Exchange] = field(default_factory=list)
    _models: dict[str, OperationModel] = field(default_factory=dict)
    _pending: dict[int, Exchange] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        events = self.session.events
        events.register(f"before-call.{self.service}", self._before_call)
        events.register(f"before-parse.{self.service}", self._before_parse)

    def _before_call(self, model: OperationModel, params: dict[str, Any], **_: Any) -> None:
        body = params.get("body") or b""
        request = json.loads(body) if body else {}
        with self._lock:
            self._models[model.name] = model
            self.exchanges.append(Exchange(model.name, request))

    def _before_parse(self, operation_model: OperationModel, response_dict: dict[str, Any], **_: Any) -> None:
        status = int(response_dict.get("status_code") or 0)
        body = response_dict.get("body") or b""
        with self._lock:
            for exchange in reversed(self.exchanges):
                if exchange.operation == operation_model.name and exchange.status is None:
                    exchange.status = status
                    if status < 300:
                        exchange.response = json.loads(body) if body else {}
                    break

    def operations(self) -> set[str]:
        return {e.operation for e in self.exchanges if e.status is not None and e.status < 300}

    def request_problems(self) -> list[str]:
        return [
            f"{e.operation} request: {p}"
            for e in self.exchanges
            for p in problems(self._models[e.operation].input_shape, e.request)
        ]

    def response_problems(self) -> list[str]:
        found = []
        for e in self.exchanges:
            if e.response is None:
                continue
            model = self._models[e.operation]
            found.extend(f"{e.operation} response: {p}" for p in problems(model.output_shape, e.response))
            expected = model.http.get("responseCode", 200)
            if e.status != expected:
                found.append(f"{e.operation} response: HTTP {e.status}, the model says {expected}")
        return found


__all__ = ["Exchange", "WireRecorder", "problems"]

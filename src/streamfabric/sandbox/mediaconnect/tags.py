"""Tags on MediaConnect resources: flows, outputs, sources and entitlements (API Reference,
*TagResource*, *UntagResource*, *ListTagsForResource*), in moto's tagger of the backend."""

from __future__ import annotations

from moto.mediaconnect.models import Flow, MediaConnectBackend

from ..moto_internals import flows_of
from .exceptions import NotFoundException


def tag(backend: MediaConnectBackend, arn: str, tags: dict[str, str] | None) -> None:
    if tags:
        backend.tagger.tag_resource(arn, [{"Key": k, "Value": v} for k, v in tags.items()])


def arns_of(flow: Flow) -> list[str]:
    return [
        flow.flow_arn,
        *(o["outputArn"] for o in flow.outputs),
        *(s["sourceArn"] for s in flow.sources),
        *(e["entitlementArn"] for e in flow.entitlements or []),
    ]


def _check_taggable(backend: MediaConnectBackend, arn: str) -> None:
    if not any(arn in arns_of(flow) for flow in flows_of(backend).values()):
        raise NotFoundException(message=f"Resource {arn} not found.")


def tag_resource(backend: MediaConnectBackend, arn: str, tags: dict[str, str]) -> None:
    """TagResource on a flow, output, source or entitlement."""
    _check_taggable(backend, arn)
    tag(backend, arn, tags)


def untag_resource(backend: MediaConnectBackend, arn: str, keys: list[str]) -> None:
    """UntagResource (missing in moto)."""
    _check_taggable(backend, arn)
    backend.tagger.untag_resource_using_names(arn, keys)


def list_tags(backend: MediaConnectBackend, arn: str) -> dict[str, str]:
    """ListTagsForResource: ``{}`` for an untagged resource (moto raised NotFound)."""
    _check_taggable(backend, arn)
    return backend.tagger.get_tag_dict_for_resource(arn)

"""The gateway's clients: one per (service, region), built once however many threads ask at once,
with their paginator and waiter models loaded when built (no API call is made for that)."""

from __future__ import annotations

import threading

import boto3

from streamfabric.aws.gateway import AwsGateway


def gateway() -> AwsGateway:
    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="eu-west-1")
    return AwsGateway(session, waiter_delay=0)


def test_a_client_is_built_once_for_all_threads_with_its_models_loaded() -> None:
    gw = gateway()
    seen: list[object] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        seen.append(gw.client("mediaconnect", "ap-southeast-2"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 1
    client = seen[0]
    cache = client._cache  # type: ignore[attr-defined]
    assert "page_config" in cache and "waiter_config" in cache  # loaded while it was built
    assert client.can_paginate("list_flows")
    assert "flow_active" in client.waiter_names  # type: ignore[attr-defined]
    assert gw.client("mediaconnect", "eu-west-1") is not client


def test_loading_the_models_makes_no_call() -> None:
    gw = gateway()
    sent: list[str] = []
    gw.session.events.register("before-send.*.*", lambda request, **_: sent.append(request.url))
    for service in ("cloudformation", "mediaconnect", "ec2", "secretsmanager", "s3"):
        gw.client(service, "eu-west-1")
    assert sent == []

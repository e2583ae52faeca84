"""boto3 sessions and clients configured the same way everywhere.

- botocore's retry modes (exponential backoff with jitter on throttling and 5xx; the gateway picks
  *adaptive* or *standard*, :mod:`.gateway`): MediaConnect allows 5 requests/s steady for most APIs
  and answers HTTP 429 beyond; no hand-rolled retry loops anywhere.
- ``AWS_ENDPOINT_URL`` (and ``--endpoint-url`` / ``--sandbox``) are honoured by boto3 itself.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

USER_AGENT = "streamfabric/0.1"


def client_config(max_attempts: int = 8, mode: str = "standard") -> Config:
    return Config(
        retries={"mode": mode, "max_attempts": max_attempts},
        user_agent_extra=USER_AGENT,
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=20,
    )


def make_session(profile: str | None = None, region: str | None = None) -> boto3.session.Session:
    """A session honouring AWS_PROFILE / AWS_REGION / AWS_ENDPOINT_URL, unless given explicitly."""
    return boto3.session.Session(
        profile_name=profile or os.environ.get("AWS_PROFILE") or None,
        region_name=region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None,
    )


def make_client(
    session: boto3.session.Session, service: str, region: str | None = None, config: Config | None = None
) -> Any:
    kwargs: dict[str, Any] = {"config": config or client_config()}
    if region:
        kwargs["region_name"] = region
    return session.client(service, **kwargs)

"""The AWS Lambda entry point: ``streamfabric.api.handler.lambda_handler``.

Configuration: ``STREAMFABRIC_TOPOLOGY`` (the topology's s3:// URI); ``STREAMFABRIC_PANEL_ORIGIN``
(the panel's origin, the only one given CORS headers). The Switcher is built once per
container and reused while the container is warm, so a switch is one MediaConnect call.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..switching import Switcher, get_switcher
from .app import build_app, logger
from .guard import precheck


@cache
def _switcher() -> Switcher:
    switcher = get_switcher(os.environ.get("STREAMFABRIC_TOPOLOGY"))
    switcher.status_ttl = 1.0  # every open panel polls /status
    return switcher


app = build_app(_switcher, cors_origin=os.environ.get("STREAMFABRIC_PANEL_ORIGIN") or None)


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = precheck(event)  # the body's type, size and depth, the method (api.guard)
    if refused is not None:
        return refused
    response: dict[str, Any] = app.resolve(event, context)
    return response

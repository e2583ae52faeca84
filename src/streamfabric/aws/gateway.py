"""The AWS gateway: the only object through which streamfabric calls AWS.

It takes an injected boto3 session (tests pass one pointed at moto, or wire a Stubber onto
``client()``), caches one client per (service, region), and turns botocore errors into
streamfabric's own exceptions (:mod:`streamfabric.aws.errors`); ``waiter_delay`` overrides every
waiter's delay, so nothing in the tests waits for real. Domain modules (stacks, post-steps,
switching) build on ``call``/``waiter``/``paginate`` rather than holding clients of their own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, WaiterError
from botocore.parsers import ResponseParserError

from ..errors import AwsError
from .errors import to_aws_error
from .session import client_config, make_client, make_session

log = logging.getLogger(__name__)


class AwsGateway:
    def __init__(
        self,
        session: boto3.session.Session | None = None,
        *,
        max_attempts: int = 8,
        waiter_delay: float | None = None,
    ) -> None:
        self.session = session or make_session()
        self.waiter_delay = waiter_delay  # overrides every waiter's delay (tests: 0)
        self._config = client_config(max_attempts=max_attempts)
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        known = self._clients.get(key)  # a dict read: no lock, so calls on existing clients never
        if known is not None:  # wait behind the creation of another region's client
            return known
        with self._lock:  # boto3 clients are thread-safe; creating them (from one session) is not
            if key not in self._clients:
                client = make_client(self.session, service, region, self._config)
                # Load its paginator and waiter models now, under the lock: loaded on first use
                # instead, by several threads at once, each lists botocore's whole data directory.
                client.can_paginate(next(iter(client.meta.method_to_api_mapping)))
                client.waiter_names  # noqa: B018 - a property that loads the waiter model
                self._clients[key] = client
            return self._clients[key]

    def call(self, service: str, region: str | None, operation: str, **params: Any) -> dict[str, Any]:
        """Call ``operation`` (snake_case) and return its response; AWS errors become AwsError."""
        method = getattr(self.client(service, region), operation)
        log.info("%s %s.%s", region or "-", service, operation)
        try:
            response: dict[str, Any] = method(**params)
        except ClientError as exc:
            log.info("%s %s.%s failed: %s", region or "-", service, operation, exc)
            raise to_aws_error(exc, f"{service}.{operation}") from exc
        except (BotoCoreError, ResponseParserError) as exc:  # ResponseParserError is not a BotoCoreError
            raise AwsError(f"{service}.{operation}: {exc}", operation=operation) from exc
        return response

    def paginate(
        self, service: str, region: str | None, operation: str, **params: Any
    ) -> Iterator[dict[str, Any]]:
        paginator = self.client(service, region).get_paginator(operation)
        try:
            yield from paginator.paginate(**params)
        except ClientError as exc:
            raise to_aws_error(exc, f"{service}.{operation}") from exc

    def wait(
        self,
        service: str,
        region: str | None,
        waiter: str,
        *,
        delay: float = 5,
        max_attempts: int = 120,
        **params: Any,
    ) -> None:
        """Run a boto3 waiter; its failure becomes AwsError naming the waiter and the last response."""
        w = self.client(service, region).get_waiter(waiter)
        self.run_waiter(w, service, waiter, delay=delay, max_attempts=max_attempts, **params)

    def run_waiter(
        self, w: Any, service: str, waiter: str, *, delay: float, max_attempts: int, **params: Any
    ) -> None:
        """Run waiter object ``w`` (boto3's, or one built from a botocore waiter model), with the
        gateway's delay override; failures become AwsError naming the waiter."""
        if self.waiter_delay is not None:
            delay = self.waiter_delay
        try:
            w.wait(WaiterConfig={"Delay": delay, "MaxAttempts": max_attempts}, **params)
        except WaiterError as exc:
            reason = exc.last_response.get("Error", {}).get("Message") if exc.last_response else None
            raise AwsError(f"{service} waiter {waiter} failed: {reason or exc}", operation=waiter) from exc
        except ClientError as exc:
            raise to_aws_error(exc, f"{service}.{waiter}") from exc


__all__ = ["AwsGateway", "client_config"]

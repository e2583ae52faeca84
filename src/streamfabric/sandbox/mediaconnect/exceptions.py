"""MediaConnect's errors that moto's ``moto.mediaconnect.exceptions`` lacks or answers with another
HTTP status than botocore's service model gives them."""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError
from moto.mediaconnect import exceptions as moto_exceptions


class BadRequestException(JsonRESTError):
    """MediaConnect's ``BadRequestException`` (HTTP 400): a semantically invalid request."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("BadRequestException", message)


class ConflictException(JsonRESTError):
    """MediaConnect's ``ConflictException`` (HTTP 409): the resource's state does not allow it."""

    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("ConflictException", message)


class QuotaExceededException(JsonRESTError):
    """``RouterInput/RouterOutput/RouterNetworkInterfaceServiceQuotaExceededException`` (HTTP 420)."""

    code = 420

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}ServiceQuotaExceededException", message)


class NotFoundException(moto_exceptions.NotFoundException):
    """MediaConnect's ``NotFoundException`` with botocore's HTTP status, 404 (moto's answers 400).
    A subclass of moto's, so code that catches moto's catches it."""

    code = 404


class QuotaExceeded(JsonRESTError):
    """One of MediaConnect's HTTP 420 errors (botocore's ``CreateFlow420Exception``,
    ``AddFlowOutputs420Exception``, ``GrantFlowEntitlements420Exception``: ``{"message"}``, HTTP 420),
    which only the operations that create what a quota counts have."""

    code = 420

    def __init__(self, operation: str, message: str) -> None:
        super().__init__(f"{operation}420Exception", message)

"""MediaConnect's errors that moto's ``moto.mediaconnect.exceptions`` lacks."""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError


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


class NotFoundException(JsonRESTError):
    """MediaConnect's ``NotFoundException`` with the model's HTTP 404 (moto's answers 400)."""

    code = 404

    def __init__(self, message: str) -> None:
        super().__init__("NotFoundException", message)


class QuotaExceededException(JsonRESTError):
    """``RouterInput/RouterOutput/RouterNetworkInterfaceServiceQuotaExceededException`` (HTTP 420)."""

    code = 420

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}ServiceQuotaExceededException", message)

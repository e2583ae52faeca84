"""MediaConnect's errors that moto's ``moto.mediaconnect.exceptions`` lacks."""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError


class BadRequestException(JsonRESTError):
    """MediaConnect's ``BadRequestException`` (HTTP 400): a semantically invalid request."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("BadRequestException", message)

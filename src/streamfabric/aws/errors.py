"""Turn botocore exceptions into readable text and into streamfabric's own exceptions."""

from __future__ import annotations

from typing import Any

from ..errors import AwsError, NotFoundError, ThrottledError

THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
)
NOT_FOUND_CODES = frozenset(
    {"NotFoundException", "NoSuchKey", "NoSuchBucket", "ResourceNotFoundException", "404", "ValidationError"}
)


def error_code(exc: BaseException) -> str:
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def describe_client_error(exc: BaseException) -> str:
    """A one-line description of a botocore error, without a traceback."""
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        code = err.get("Code", "")
        message = err.get("Message", "") or str(exc)
        return f"{code}: {message}" if code else message
    return str(exc) or type(exc).__name__


def to_aws_error(exc: BaseException, operation: str = "") -> AwsError:
    code = error_code(exc)
    text = describe_client_error(exc)
    message = f"{operation}: {text}" if operation else text
    if code in THROTTLING_CODES:
        return ThrottledError(message, code=code, operation=operation)
    if code in NOT_FOUND_CODES and code != "ValidationError":
        return NotFoundError(message, code=code, operation=operation)
    return AwsError(message, code=code, operation=operation)

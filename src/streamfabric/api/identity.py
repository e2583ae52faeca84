"""Who calls the control API, and what they may do.

- The audit log names a Cognito user by ``cognito:username`` (else ``sub``): neither can be changed
  by the user, unlike ``email`` (which the panel shows as a label only).
- A Cognito user's groups (``cognito:groups``, the user pool's ``operators`` and ``viewers``)
  decide: operators switch and take and read; viewers only read (status, topology, history,
  thumbnails); a user in neither group is refused everything but the panel's page (403
  ``forbidden``).
- An IAM caller (SigV4) is authorized by IAM itself; the local API (``streamfabric serve``) has no
  sign-in (:mod:`.local_guard` keeps other origins out).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

OPERATORS, VIEWERS = "operators", "viewers"


class ForbiddenError(Exception):
    """The caller's groups do not allow the request (403)."""


def claims_of(app: APIGatewayRestResolver) -> dict[str, Any]:
    context: dict[str, Any] = app.current_event.raw_event.get("requestContext") or {}
    claims = (context.get("authorizer") or {}).get("claims")
    return dict(claims) if isinstance(claims, dict) else {}


def groups_of(claims: dict[str, Any]) -> frozenset[str]:
    """``cognito:groups`` as API Gateway passes it: a list, or one string (``"[a, b]"``, ``"a b"``,
    ``"a,b"``)."""
    value = claims.get("cognito:groups")
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    if not isinstance(value, str):
        return frozenset()
    return frozenset(part for part in value.strip("[]").replace(",", " ").split() if part)


def caller_of(app: APIGatewayRestResolver) -> str:
    """Who is calling, as the audit log names them: ``cognito:<username or sub>`` (never the email,
    which a user may be able to change), the IAM principal's ARN, or the local caller."""
    claims = claims_of(app)
    if claims:
        who = claims.get("cognito:username") or claims.get("sub") or "unknown"
        return f"cognito:{who}"
    context: dict[str, Any] = app.current_event.raw_event.get("requestContext") or {}
    identity = context.get("identity") or {}
    return str(identity.get("userArn") or identity.get("caller") or "unknown")


def require(app: APIGatewayRestResolver, *, write: bool) -> None:
    """ForbiddenError unless the caller may read (``write`` false) or switch and take."""
    claims = claims_of(app)
    if not claims:
        return  # IAM (authorized by its policy) or local
    groups = groups_of(claims)
    if OPERATORS in groups:
        return
    if VIEWERS in groups and not write:
        return
    if VIEWERS in groups:
        raise ForbiddenError("viewers may only read: switch and take are for the operators group")
    raise ForbiddenError("your user is in neither the operators nor the viewers group: ask an administrator")


__all__ = ["OPERATORS", "VIEWERS", "ForbiddenError", "caller_of", "claims_of", "groups_of", "require"]

"""MediaConnect's limits for API requests: token buckets per account, Region and API class.

MediaConnect User Guide, *Quotas in AWS Elemental MediaConnect*, "Limits for API requests"
(https://docs.aws.amazon.com/mediaconnect/latest/ug/quotas.html#limits-api): "If you exceed these
limits, MediaConnect returns an HTTP 429 (too many requests) error", botocore's
``TooManyRequestsException`` (``{"message"}``, HTTP 429, in every operation's errors):

* DescribeFlow, DescribeFlowSourceMetadata and DescribeFlowSourceThumbnail: "30 requests per
  second for each account in a Region";
* every other API: "5 requests per second for each account in a Region" steady, "burst mode ...
  30 requests per second ... The limit will refill at a rate of 5 requests per second".

As token buckets: the describe class holds 30 tokens and refills 30 a second (AWS states no burst
above 30 for it: none), every other API shares one bucket of 30 refilling 5 a second. Where AWS
does not say, the harsher reading: the three describe operations share ONE bucket (not 30 each),
all other APIs share one, a throttled request takes no token but a refused one (400, 404) does,
and thumbnails share the global limit (User Guide, *Limit on thumbnails*: "The thumbnails feature
shares the global limits"). CloudFormation's own calls to MediaConnect are not counted: AWS does
not document whether they count against the account's limit, and CloudFormation retries them.

The buckets read :func:`..clock.monotonic`, so a test freezes time and advances it instead of
sleeping; ``throttle_rate_scale`` (:mod:`..strictness`) refills them faster than real time, and the
leniency ``throttling`` switches them off.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import clock, resets, strictness
from ..moto_internals import action_of

DESCRIBE_OPERATIONS = frozenset({"DescribeFlow", "DescribeFlowSourceMetadata", "DescribeFlowSourceThumbnail"})


@dataclass(frozen=True, slots=True)
class Limit:
    capacity: float  # the burst
    rate: float  # tokens a second


LIMITS = {"describe": Limit(capacity=30, rate=30), "other": Limit(capacity=30, rate=5)}


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


_lock = threading.Lock()
_buckets: dict[tuple[str, str, str], _Bucket] = {}


def api_class(operation: str) -> str:
    return "describe" if operation in DESCRIBE_OPERATIONS else "other"


def admit(account_id: str, region: str, operation: str) -> bool:
    """Take a token for one request of ``operation``; False: the request is throttled."""
    kind = api_class(operation)
    limit = LIMITS[kind]
    now = clock.monotonic()
    scale = strictness.current().throttle_rate_scale
    with _lock:
        bucket = _buckets.setdefault((account_id, region, kind), _Bucket(limit.capacity, now))
        refill = max(0.0, now - bucket.stamp) * limit.rate * scale
        bucket.tokens, bucket.stamp = min(limit.capacity, bucket.tokens + refill), now
        if bucket.tokens < 1.0 - 1e-9:  # a refill of exactly one token may come out a hair short
            return False
        bucket.tokens = max(0.0, bucket.tokens - 1.0)
        return True


@resets.register
def reset() -> None:
    """Full buckets again."""
    with _lock:
        _buckets.clear()


def too_many_requests(operation: str) -> tuple[int, dict[str, str], str]:
    """botocore's ``TooManyRequestsException`` (HTTP 429), as MediaConnect's REST-JSON errors look."""
    body = json.dumps({"message": f"Too many requests: {operation} exceeded the request rate limit."})
    headers = {
        "Content-Type": "application/json",
        "x-amzn-ErrorType": "TooManyRequestsException",
        "x-amzn-RequestId": str(uuid.uuid4()),
        "status": "429",
    }
    return 429, headers, body


def throttle(original: Callable[[Any], Any], response: Any) -> Any:
    """Around moto's ``call_action`` for MediaConnect: refuse the request when its bucket is empty."""
    if strictness.strict("throttling"):
        operation = action_of(response)
        if operation and not admit(response.current_account, response.region, operation):
            return too_many_requests(operation)
    return original(response)

"""Conditional writes that are atomic, as S3's are.

Amazon S3 User Guide, *Add preconditions to S3 operations with conditional requests* / *How to
prevent object overwrites with conditional writes*
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html): with ``If-None-Match:
*`` or ``If-Match: <ETag>``, "if there are multiple conditional writes for the same object name,
the first write operation to finish succeeds", the others fail with ``412 Precondition Failed``
(or ``409 ConditionalRequestConflict`` when they conflict in flight); DeleteObject takes
``If-Match`` the same way (*Conditional deletes*).

moto's ``PutObject`` and ``DeleteObject`` check the precondition and then write, as two steps, in
a threaded server: two concurrent requests can both pass the check and both "succeed" (two audit
records with one key, the later silently replacing the earlier). The wrappers here (installed by
:mod:`..patching`) run each PutObject and DeleteObject of one bucket and key alone, check and write
together, so of concurrent conditional writes exactly one succeeds and the others get 412 (from
moto's own check, now made against the winner's object). Other writers of a key
(CopyObject, CompleteMultipartUpload) are not serialised with them: their conditions are not
modelled here.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable
from typing import Any

_STRIPES = tuple(threading.Lock() for _ in range(64))  # one lock per key, bounded: keys share stripes


def _lock_for(response: Any) -> threading.Lock:
    key = f"{response.current_account}/{response.bucket_name}/{response.parse_key_name()}"
    return _STRIPES[zlib.crc32(key.encode()) % len(_STRIPES)]


def put_object(original: Callable[[Any], Any], response: Any) -> Any:
    """PutObject: the precondition check and the write, atomic per bucket and key."""
    with _lock_for(response):
        return original(response)


def delete_object(original: Callable[[Any], Any], response: Any) -> Any:
    """DeleteObject (``If-Match``): likewise."""
    with _lock_for(response):
        return original(response)

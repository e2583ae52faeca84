"""Each property's number of examples, from the Hypothesis profile tests/conftest.py loaded
(``ci`` by default, ``--hypothesis-profile long`` for a long run)."""

from __future__ import annotations

from hypothesis import settings


def examples(share: float) -> int:
    """``share`` of the loaded profile's ``max_examples`` (at least 1). Called at import, after
    ``--hypothesis-profile`` has been applied by Hypothesis's pytest plugin."""
    return max(1, int(settings.default.max_examples * share))

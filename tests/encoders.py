"""The encoders a test turns on: the emulator has none, so a flow's source receives nothing (not
connected, no media, no thumbnail) until one sends to it (src/streamfabric/sandbox/mediaconnect/
encoders.py). A test that needs a signal says so with these, over the emulator's own HTTP API
(``/moto-api/streamfabric/signal``), as ``streamfabric sandbox signal INGEST --on`` does."""

from __future__ import annotations

from typing import Any

from streamfabric.sandbox.server import signal


def encoder_on(endpoint: str, flow_arn: str, **settings: Any) -> dict[str, object]:
    """An encoder sends to the flow's source (``width``, ``height``, ``codec``, ``frameRate``)."""
    return signal(endpoint, flow_arn, connected=True, **settings)


def encoder_off(endpoint: str, flow_arn: str) -> dict[str, object]:
    return signal(endpoint, flow_arn, connected=False)


def encoders_for_ingests(endpoint: str, state: Any) -> list[str]:
    """One encoder per ingest of a deployed topology's runtime state (as the demo starts them);
    returns the flow ARNs."""
    arns = [ingest.flow_arn for ingest in state.ingests.values()]
    for arn in arns:
        encoder_on(endpoint, arn)
    return arns


def encoders_for_topology(model: Any) -> None:
    """One encoder per ingest of ``model``, pointed at the flow a deploy will make (by Region and
    flow name, in the emulator of this process: as ``sandbox serve --topology`` and the demo do)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID

    from streamfabric.sandbox.mediaconnect import encoders

    for ingest in model.ingests:
        encoders.set_named(DEFAULT_ACCOUNT_ID, ingest.region, model.flow_name(ingest.name), connected=True)

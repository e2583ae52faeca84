"""streamfabric: multi-region live-video contribution on AWS Elemental MediaConnect.

The public library surface is re-exported here lazily so that ``import streamfabric``
stays cheap (the CLI's ``validate`` must start fast and must not import boto3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "StreamfabricError",
    "TopologyError",
    "__version__",
    "load_topology",
    "parse_topology",
]

if TYPE_CHECKING:  # pragma: no cover
    from .errors import StreamfabricError, TopologyError
    from .topology.loading import load_topology, parse_topology

_LAZY = {
    "StreamfabricError": ("streamfabric.errors", "StreamfabricError"),
    "TopologyError": ("streamfabric.errors", "TopologyError"),
    "load_topology": ("streamfabric.topology.loading", "load_topology"),
    "parse_topology": ("streamfabric.topology.loading", "parse_topology"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'streamfabric' has no attribute {name!r}") from None
    import importlib

    return getattr(importlib.import_module(module_name), attr)

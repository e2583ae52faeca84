"""streamfabric: multi-region live-video contribution on AWS Elemental MediaConnect.

The library surface, re-exported here lazily so that ``import streamfabric`` stays cheap (the CLI's
``validate`` must start fast and must not import boto3)::

    from streamfabric import load_topology, render, deploy, destroy, switch, take, protect, unprotect,
        status, history, Switcher

``render`` and ``deploy`` are the functions of the packages ``streamfabric.rendering`` and
``streamfabric.deployment`` (whose names differ from the functions', so importing a package never
shadows the function). The library logs through ``logging``
(logger ``streamfabric`` and its children); ``streamfabric.aws``, which every module that logs
imports, installs a ``NullHandler`` on it (here it would cost ``validate`` the import of logging).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The one place the version is written: pyproject.toml reads it ([tool.hatch.version]).
__version__ = "0.1.0"

__all__ = [
    "StreamfabricError",
    "Switcher",
    "TopologyError",
    "__version__",
    "deploy",
    "destroy",
    "history",
    "load_topology",
    "parse_topology",
    "protect",
    "render",
    "status",
    "switch",
    "take",
    "unprotect",
]

if TYPE_CHECKING:  # pragma: no cover
    from .deployment import deploy, destroy
    from .errors import StreamfabricError, TopologyError
    from .rendering import render
    from .switching import Switcher, history, protect, status, switch, take, unprotect
    from .topology.loading import load_topology, parse_topology

_LAZY = {
    "StreamfabricError": ("streamfabric.errors", "StreamfabricError"),
    "TopologyError": ("streamfabric.errors", "TopologyError"),
    "load_topology": ("streamfabric.topology.loading", "load_topology"),
    "parse_topology": ("streamfabric.topology.loading", "parse_topology"),
    "render": ("streamfabric.rendering", "render"),
    "deploy": ("streamfabric.deployment", "deploy"),
    "destroy": ("streamfabric.deployment", "destroy"),
    "switch": ("streamfabric.switching", "switch"),
    "take": ("streamfabric.switching", "take"),
    "status": ("streamfabric.switching", "status"),
    "history": ("streamfabric.switching", "history"),
    "protect": ("streamfabric.switching", "protect"),
    "unprotect": ("streamfabric.switching", "unprotect"),
    "Switcher": ("streamfabric.switching", "Switcher"),
}


def __getattr__(name: str) -> Any:
    import importlib

    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'streamfabric' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module_name), attr)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

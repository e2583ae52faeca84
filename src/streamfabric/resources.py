"""Locate the data files shipped with the package: JSON Schemas and Jinja2 templates.

In a wheel they live in ``streamfabric/_data/`` (see ``[tool.hatch...force-include]`` in
pyproject.toml); in a source checkout (editable install, ``PYTHONPATH=src``) at the repository root.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir() -> Path:
    installed = _PACKAGE / "_data"
    if (installed / "schemas").is_dir():
        return installed
    checkout = _PACKAGE.parent.parent
    if (checkout / "schemas").is_dir() and (checkout / "templates").is_dir():
        return checkout
    raise FileNotFoundError(f"streamfabric's data files (schemas/, templates/) are missing under {_PACKAGE}")


def schema_path(name: str = "topology.schema.json") -> Path:
    return data_dir() / "schemas" / name


def templates_dir() -> Path:
    return data_dir() / "templates"


def example_path(name: str = "festival") -> Path:
    """A shipped example topology (examples/<name>.json)."""
    return data_dir() / "examples" / f"{name}.json"

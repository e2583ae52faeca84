"""What CloudFormation supports in each MediaConnect region: the resource properties it lacks there.

CloudFormation's resource schemas differ by region: in ``me-central-1`` the MediaConnect resources
have no ``Tags`` property, and a template that sets it is refused (cfn-lint ``E3002``, from the same
per-region registry schemas CloudFormation publishes). ``region_support.json`` beside this module
lists, for every MediaConnect region (botocore's endpoint data), each property of a resource type we
render that the region lacks while another MediaConnect region has it. It is generated from cfn-lint's
bundled per-region provider schemas and kept current by ``tests/render/test_region_support.py`` (with
``STREAMFABRIC_UPDATE_GOLDEN=1`` it rewrites the file), so neither ``validate`` nor ``render`` imports
cfn-lint at run time.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent / "region_support.json"


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return data


def _table() -> dict[str, dict[str, list[str]]]:
    unsupported: dict[str, dict[str, list[str]]] = _data()["unsupported"]
    return unsupported


def type_supported(region: str, resource_type: str) -> bool:
    """Whether CloudFormation has ``resource_type`` at all in ``region`` (``missing_types``)."""
    return resource_type not in _data().get("missing_types", {}).get(region, ())


def unsupported_properties(region: str, resource_type: str) -> frozenset[str]:
    """Top-level properties of ``resource_type`` that CloudFormation lacks in ``region``."""
    return frozenset(_table().get(region, {}).get(resource_type, ()))


def supports(region: str, resource_type: str, prop: str) -> bool:
    """Whether CloudFormation in ``region`` accepts ``prop`` on ``resource_type``."""
    return prop not in unsupported_properties(region, resource_type)


def tags_supported(region: str, resource_type: str = "AWS::MediaConnect::Flow") -> bool:
    """Whether resources of this type carry tags in ``region`` (so a tag-based lookup can find them)."""
    return supports(region, resource_type, "Tags")


__all__ = ["supports", "tags_supported", "type_supported", "unsupported_properties"]

"""Fix moto's reading of YAML ``!GetAtt`` for dotted attributes such as ``Source.IngestIp``.

moto splits ``!GetAtt Flow.Source.IngestIp`` at every dot (attribute "Source", unknown), where
CloudFormation splits at the first dot only, and it leaves the list form
``!GetAtt [Flow, Source.IngestIp]`` as unconstructed YAML nodes. (``Fn::Sub`` with
``${Flow.Source.IngestIp}`` has the same first problem and is not fixed: use ``Fn::GetAtt``.)
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation import utils as cfn_utils

_NAME = "yaml_tag_constructor"
_MARK = "_streamfabric_patched"


def _fixed(original: Any) -> Any:
    if getattr(original, _MARK, False):
        return original

    def constructor(loader: Any, tag: Any, node: Any) -> Any:
        if tag == "!GetAtt" and isinstance(node.value, str):
            return {"Fn::GetAtt": node.value.split(".", 1)}
        if tag == "!GetAtt" and isinstance(node.value, list):
            return {"Fn::GetAtt": loader.construct_sequence(node)}
        return original(loader, tag, node)

    setattr(constructor, _MARK, True)
    return constructor


def install() -> None:
    """Replace moto's YAML tag constructor where moto's CloudFormation uses it (idempotent)."""
    for module in (cfn_models, cfn_responses, cfn_utils):
        setattr(module, _NAME, _fixed(module.__dict__[_NAME]))

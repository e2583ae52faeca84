"""Fix moto's reading of YAML ``!GetAtt`` for dotted attributes such as ``Source.IngestIp``.

moto splits ``!GetAtt Flow.Source.IngestIp`` at every dot (attribute "Source", unknown), where
CloudFormation splits at the first dot only, and it leaves the list form
``!GetAtt [Flow, Source.IngestIp]`` as unconstructed YAML nodes. (``Fn::Sub`` with
``${Flow.Source.IngestIp}`` has the same first problem and is not fixed: use ``Fn::GetAtt``.)

Speed, not behaviour: moto reads every template with PyYAML's pure-Python ``yaml.Loader`` (about
10 ms for one of our templates, the larger part of the emulator's CPU in a deploy); where PyYAML has
its libyaml binding, :class:`_LibYaml` gives moto's CloudFormation modules the same loader classes
run by libyaml (``yaml.CLoader``: libyaml's parser with the same ``Constructor`` and ``Resolver``,
so the same tags and constructors give the same documents; tests/sandbox/test_emulator_speed.py
compares both on every golden template). AWS documents nothing here: this is how the emulator
reads, not what CloudFormation does.
"""

from __future__ import annotations

from typing import Any

import yaml
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


class _LibYaml:
    """The ``yaml`` module as moto's CloudFormation modules see it: ``yaml.Loader`` runs as
    ``yaml.CLoader``, and a constructor registered for every loader is registered for it too."""

    def __getattr__(self, name: str) -> Any:
        return getattr(yaml, name)

    @staticmethod
    def add_multi_constructor(prefix: str, constructor: Any, Loader: Any = None) -> None:
        yaml.add_multi_constructor(prefix, constructor, Loader=Loader)
        if Loader is None:
            yaml.add_multi_constructor(prefix, constructor, Loader=yaml.CLoader)

    @staticmethod
    def load(stream: Any, Loader: Any) -> Any:
        return yaml.load(stream, Loader=yaml.CLoader if Loader is yaml.Loader else Loader)


def install() -> None:
    """Replace moto's YAML tag constructor where moto's CloudFormation uses it, and its YAML reader
    by libyaml's where PyYAML has it (idempotent)."""
    for module in (cfn_models, cfn_responses, cfn_utils):
        setattr(module, _NAME, _fixed(module.__dict__[_NAME]))
        if getattr(yaml, "__with_libyaml__", False) and module.__dict__.get("yaml") is yaml:
            module.yaml = _LibYaml()  # type: ignore[attr-defined]

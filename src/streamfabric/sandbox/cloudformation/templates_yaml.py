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


def yaml_tag_constructor(original: Any, loader: Any, tag: Any, node: Any) -> Any:
    """moto's ``yaml_tag_constructor``, with ``!GetAtt`` split at the first dot and its list form read."""
    if tag == "!GetAtt" and isinstance(node.value, str):
        return {"Fn::GetAtt": node.value.split(".", 1)}
    if tag == "!GetAtt" and isinstance(node.value, list):
        return {"Fn::GetAtt": loader.construct_sequence(node)}
    return original(loader, tag, node)


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


LIBYAML = _LibYaml()  # what moto's CloudFormation modules get as ``yaml`` (:mod:`..patching`)


def has_libyaml() -> bool:
    """PyYAML was built with its libyaml binding (else moto's pure-Python loader is kept)."""
    return bool(getattr(yaml, "__with_libyaml__", False))

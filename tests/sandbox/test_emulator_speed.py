"""The emulator reads templates with libyaml where PyYAML has it (cloudformation/templates_yaml.py): the same
documents as moto's pure-Python loader, for every template streamfabric renders (the golden files), tags
included."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from moto.cloudformation import models as cfn_models
from moto.cloudformation import utils as cfn_utils

from ci_skip import skip_unless_ci
from streamfabric.sandbox import patching
from streamfabric.sandbox.cloudformation import templates_yaml

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "cloudformation"
TEMPLATES = sorted(GOLDEN.rglob("*.yaml"))

if not getattr(yaml, "__with_libyaml__", False):
    skip_unless_ci("PyYAML without libyaml: moto's loader is kept")


def test_there_are_templates_to_compare() -> None:
    assert len(TEMPLATES) >= 10


def test_moto_reads_with_libyaml_after_install() -> None:
    patching.install()
    patching.install()  # idempotent
    assert isinstance(cfn_models.yaml, templates_yaml._LibYaml)
    text = "A: !Ref B\nC: !GetAtt [Flow, Source.IngestIp]\nD: !GetAtt Flow.Source.IngestIp\n"
    assert cfn_models.Stack.parse_template(text) == {
        "A": {"Ref": "B"},
        "C": {"Fn::GetAtt": ["Flow", "Source.IngestIp"]},
        "D": {"Fn::GetAtt": ["Flow", "Source.IngestIp"]},
    }


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(GOLDEN)))
def test_libyaml_reads_each_golden_template_as_moto_does(path: Path) -> None:
    patching.install()
    text = path.read_text()
    constructor = cfn_utils.yaml_tag_constructor  # the fixed one, as moto's modules now use it

    class Pure(yaml.Loader):
        pass

    class Fast(yaml.CLoader):
        pass

    for loader in (Pure, Fast):
        yaml.add_multi_constructor("", constructor, Loader=loader)
    pure, fast = yaml.load(text, Loader=Pure), yaml.load(text, Loader=Fast)
    assert pure == fast
    assert cfn_models.Stack.parse_template(text) == pure


def test_moto_finds_a_hosts_backend_once_and_routes_as_before() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    from streamfabric.sandbox.patch import MARK

    patching.install()
    patching.install()  # idempotent: wrapped once
    wrapped = DomainDispatcherApplication.get_backend_for_host
    original = wrapped.__wrapped__  # type: ignore[attr-defined]
    assert not getattr(original, MARK, False)
    app = DomainDispatcherApplication(lambda backend: None)
    calls: list[str | None] = []

    def counting(self: DomainDispatcherApplication, host: str | None) -> object:
        calls.append(host)
        return original(self, host)

    hosts = [
        "mediaconnect.eu-west-1.amazonaws.com",
        "cloudformation.us-east-1.amazonaws.com",
        "moto_api",
        None,
    ]
    expected = [original(app, h) for h in hosts]
    assert expected[:3] == ["mediaconnect", "cloudformation", "moto_api"]
    DomainDispatcherApplication.get_backend_for_host = counting  # type: ignore[method-assign]
    try:
        patching.install()  # wraps the counting one
        for _ in range(3):
            assert [DomainDispatcherApplication.get_backend_for_host(app, h) for h in hosts] == expected
    finally:
        DomainDispatcherApplication.get_backend_for_host = wrapped  # type: ignore[method-assign]
    assert calls == hosts  # each host looked up once, however often it is asked

"""Fill in a stack's parameters (pure), as the manifest's ``parameter_sources`` says:

* ``topology``: the value in the rendered parameters file;
* ``<stack>.<OutputKey>``: that stack's output (a :class:`~.values.StackOutput` reference while the
  stack is still to be deployed);
* ``network.<region>.<key>``: the Terraform network outputs (``vpc_id``, ``subnet_id``, ...);
* ``deploy``: a secret given by name in the topology, resolved to its ARN in the stack's region with
  ``secretsmanager.describe_secret`` (``Secret<Name>Arn`` of an ingest or output; ``HopSecretArn``
  when the internal-hop secret is given rather than generated).

A parameter with no source takes the rendered value, which must then not be empty.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ...errors import DeployError
from ...topology.model import SecretRef, Topology, pascal
from ..manifest import StackSpec
from ..network import NetworkOutputs
from .values import StackOutput, Value

TOPOLOGY, DEPLOY = "topology", "deploy"


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class CfnLoader(_SafeLoader):  # type: ignore[misc]
    """YAML with CloudFormation's short-form tags (their values are not needed here)."""


def _any_tag(loader: Any, suffix: str, node: yaml.Node) -> Any:
    return None


CfnLoader.add_multi_constructor("!", _any_tag)


@functools.lru_cache(maxsize=64)
def template_outputs(body: str) -> frozenset[str]:
    """The output keys a template declares."""
    try:
        doc = yaml.load(body, Loader=CfnLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise DeployError(f"template does not parse: {exc}") from None
    outputs = doc.get("Outputs") if isinstance(doc, dict) else None
    return frozenset(str(k) for k in outputs) if isinstance(outputs, dict) else frozenset()


@dataclass(frozen=True, slots=True)
class StackOutputs:
    """A stack's outputs as far as they are known: values when settled, else only their keys."""

    name: str
    region: str
    keys: frozenset[str]
    values: Mapping[str, str] | None  # None: the stack is still to be deployed

    def get(self, key: str) -> Value | None:
        if self.values is not None:
            return self.values.get(key)
        return StackOutput(stack=self.name, region=self.region, key=key) if key in self.keys else None


def deploy_secrets(model: Topology, region: str) -> dict[str, SecretRef]:
    """Parameters deploy resolves, in a region: ``Secret<Name>Arn`` of its ingests (and in the hub its
    encrypted outputs), and ``HopSecretArn`` when the internal-hop secret is given."""
    found = {f"Secret{pascal(i.name)}Arn": i.passphrase_secret for i in model.ingests_in(region)}
    if region == model.hub.region:
        for flow in model.hub.flows:
            for out in flow.outputs:
                if out.passphrase_secret:
                    found[f"Secret{pascal(out.name)}Arn"] = out.passphrase_secret
    if model.internal_hop.passphrase_secret is not None:
        found["HopSecretArn"] = SecretRef(model.internal_hop.passphrase_secret.name)
    return found


def secret_arn(ref: SecretRef, region: str, resolved: Mapping[tuple[str, str], str]) -> str:
    """An ARN reference as it is (same region); else the ARN describe_secret found by name."""
    if ref.is_arn and ref.region in (None, region):
        return ref.ref
    try:
        return resolved[(region, ref.name)]
    except KeyError:
        raise DeployError(f"secret {ref.ref} ({region}) was not resolved") from None


def secrets_to_resolve(model: Topology, specs: Iterable[StackSpec]) -> set[tuple[str, str]]:
    """(region, name) of every secret a ``deploy``-sourced parameter needs, and the hop secret in every
    flow region when it is given (the post-steps and the runtime state need its full ARN)."""
    wanted: set[tuple[str, str]] = set()
    for spec in specs:
        refs = deploy_secrets(model, spec.region)
        for key, source in spec.parameter_sources:
            ref = refs.get(key)
            if (
                source == DEPLOY
                and ref is not None
                and not (ref.is_arn and ref.region in (None, spec.region))
            ):
                wanted.add((spec.region, ref.name))
    if model.internal_hop.passphrase_secret is not None:
        wanted.add((model.hub.region, model.internal_hop.passphrase_secret.name))
    return wanted


def stack_parameters(
    spec: StackSpec,
    model: Topology,
    *,
    network: NetworkOutputs | None,
    secrets: Mapping[tuple[str, str], str],
    outputs: Mapping[str, StackOutputs],
) -> tuple[tuple[str, Value], ...]:
    """Every parameter of ``spec`` with its value (see the module's rules)."""
    resolved: list[tuple[str, Value]] = []
    for key, rendered in spec.parameters:
        source = spec.source(key)
        value: Value | None
        if source is None or source == TOPOLOGY:
            value = rendered or None
        elif source == DEPLOY:
            ref = deploy_secrets(model, spec.region).get(key)
            value = secret_arn(ref, spec.region, secrets) if ref is not None else None
        elif source.startswith("network."):
            value = _network_value(source, network)
        else:
            stack, _, output = source.rpartition(".")
            known = outputs.get(stack)
            value = known.get(output) if known is not None else None
            if value is None and known is not None:
                raise DeployError(
                    f"stack {spec.name}: parameter {key} comes from stack {stack}, which has no "
                    f"output {output}"
                )
        if value is None:
            raise DeployError(f"stack {spec.name}: no value for parameter {key} (source: {source or 'none'})")
        resolved.append((key, value))
    return tuple(resolved)


def _network_value(source: str, network: NetworkOutputs | None) -> Value | None:
    _, region, key = source.split(".", 2) if source.count(".") >= 2 else ("", "", "")
    if network is None:
        raise DeployError(
            f"a stack parameter comes from {source}: give the network outputs (--network-outputs)"
        )
    net = network.get(region)
    return getattr(net, key, None) if net is not None else None


__all__ = [
    "DEPLOY",
    "TOPOLOGY",
    "StackOutputs",
    "deploy_secrets",
    "secret_arn",
    "secrets_to_resolve",
    "stack_parameters",
    "template_outputs",
]

"""CloudFormation renderer: ``render_cloudformation(model, network=...) -> {path: text}``.

Pure: the same model gives byte-identical files. Every path is under ``cloudformation/``:

- ``flows-<region>.yaml`` for every region with flows (the hub always):
  one ``AWS::MediaConnect::Flow`` per ingest with its two internal-hop outputs ``to-live`` /
  ``to-preview``; in the hub region also the Live and Preview flows (on their temporary ``standby``
  source) and their downstream outputs; Route53 records when the topology has ``dns``.
- with ``network="cloudformation"``: ``network-<region>.yaml`` per region (VPC, private subnet, route
  table, security group; in the hub also MediaConnect's IAM role and the generated hop secret),
  ``peering-<hub region>.yaml`` and ``routes-<spoke region>.yaml``.
- ``<template>.parameters.json`` beside every template that has parameters: values known at render
  time filled in, the others ``""`` for deploy to fill in (see ``parameter_sources``).
- ``manifest.json``: every stack this renderer knows of (and the control API's, rendered by
  ``render.api``), in dependency order: network -> peering -> routes -> flows -> api.

Conventions (see docs/architecture.md for the contract; deviations are listed in
:data:`CONTRACT_NOTES`):

- Paths in the manifest (``template``, ``parameters``) are relative to the render output
  directory, i.e. the same keys as :func:`streamfabric.rendering.render` returns.
- ``parameter_sources`` maps *every* template parameter of a stack to where its value comes from:
  ``"<stack name>.<OutputKey>"`` (a CloudFormation stack's output), ``"network.<region>.<key>"``
  (Terraform's ``regions`` output, keys as in ``NetworkOutputs``), ``"topology"`` (already in the
  parameters file) or ``"deploy"`` (deploy resolves it, e.g. a secret given by name).
- ``manifest.json`` carries the generated-file header as its top-level ``"_generated"`` object;
  the ``*.parameters.json`` files stay plain lists, as ``aws cloudformation --parameters`` expects.

This module is the entry point; the pieces live beside it: :mod:`.cfn_common` (constants, logical ids,
tags, parameters, string checks and escapes, parameters files), :mod:`.cfn_flows` (flows-stack
context), :mod:`.cfn_network` (network, peering and routes contexts) and :mod:`.cfn_stacks` (the stack
list and the manifest).
"""

from __future__ import annotations

from ..errors import RenderError
from ..topology.model import HOP_OUTPUTS, STANDBY_SOURCE, NetworkMode, Topology
from .cfn_common import (
    ARN_PATTERNS,
    DEPLOY,
    MEDIACONNECT_SECRET_ACTIONS,
    PREFIX,
    SYSTEM_TAG,
    TOPOLOGY,
    check_string,
    flow_regions,
    hop_secret_name,
    parameters_file,
    path,
    safe_source,
    secret_parameter,
    whitelist_cidr,
    yaml_escapes,
)
from .cfn_flows import check_names
from .cfn_stacks import StackSpec, manifest, order_stacks, stack_specs, stacks
from .env import render_template

CONTRACT_NOTES = (
    "network stacks also output RouteTableId (read by the peering and routes stacks)",
    "hub flow stacks also output LiveEgressIp and PreviewEgressIp (downstream srt-listener address)",
    "MediaConnect's role is named <topology>-mediaconnect (as in Terraform): spoke network stacks "
    "take nothing from the hub's and output the role's ARN from its name, so every network stack "
    "deploys at once",
    "spoke flow stacks depend on the hub network stack too (the role and the generated hop secret's "
    "replicas are created there); with a generated hop secret the hub network stack outputs each "
    "replica's ARN (<Region>HopSecretArn), the spoke flow stacks' HopSecretArn",
    "network stacks output a partial ARN (no random suffix) as HopSecretArn, except the hub's with a "
    "generated secret; with a hop secret given by name the flow stacks' HopSecretArn comes from "
    "deploy (describe_secret in the flow's region)",
    "network stacks take the subnet's AvailabilityZone as a parameter (default: the topology's)",
    "the manifest's entries also carry capabilities (CAPABILITY_NAMED_IAM for the hub network stack, "
    "CAPABILITY_IAM for the api)",
)


def render_cloudformation(model: Topology, network: NetworkMode = "terraform") -> dict[str, str]:
    """Every CloudFormation file for ``model`` (keys relative to the output directory, sorted)."""
    if network not in ("terraform", "cloudformation"):
        raise RenderError(f"unknown network mode {network!r} (terraform or cloudformation)")
    if model.engine == "router":
        from .cfn_router import render_router_cloudformation

        return render_router_cloudformation(model)
    check_string(model.name, "topology name")
    check_names(model)
    source = safe_source(model.source)
    files: dict[str, str] = {}
    for stack in stacks(model, network):
        text = render_template(stack.template, source=source, **stack.context)
        files[stack.spec.template] = yaml_escapes(text)
        if stack.spec.parameters:
            files[stack.spec.parameters] = parameters_file(stack.context["parameters"])
    files[path("manifest.json")] = manifest(model, network, stack_specs(model, network))
    return dict(sorted(files.items()))


__all__ = [
    "ARN_PATTERNS",
    "CONTRACT_NOTES",
    "DEPLOY",
    "HOP_OUTPUTS",
    "MEDIACONNECT_SECRET_ACTIONS",
    "PREFIX",
    "STANDBY_SOURCE",
    "SYSTEM_TAG",
    "TOPOLOGY",
    "NetworkMode",
    "StackSpec",
    "flow_regions",
    "hop_secret_name",
    "order_stacks",
    "render_cloudformation",
    "safe_source",
    "secret_parameter",
    "stack_specs",
    "whitelist_cidr",
]

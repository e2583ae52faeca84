"""The stacks phase (pure): a change set per stack whose template, parameters or tags differ from
what is deployed (or that does not exist yet), after the stacks it depends on. A stack whose
deployed template, parameters and tags equal the wanted ones gets no instruction at all, so a second
deploy makes no change set.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from ...errors import DeployError
from ...topology.model import Topology
from ..manifest import StackSpec
from ..network import NetworkOutputs
from ..observed import RemoteState, StackState
from .instructions import DeployStack
from .parameters import StackOutputs, stack_parameters, template_outputs
from .values import Value

TOPOLOGY_TAG = "streamfabric:topology"
RECREATE = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED"})
NO_ECHO = "****"


def stack_tags(model: Topology) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({**dict(model.tags), TOPOLOGY_TAG: model.name}.items()))


def capabilities(spec: StackSpec) -> tuple[str, ...]:
    """The manifest's capabilities (IAM ones widened to named IAM; macros need AUTO_EXPAND)."""
    found = set(spec.capabilities)
    if found & {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}:
        found |= {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}
    if "Transform" in spec.template_body:
        found.add("CAPABILITY_AUTO_EXPAND")
    return tuple(sorted(found))


def _without_header(text: str) -> str:
    """A template without its leading comment lines: the generated header names the topology's
    source and SHA-256, which change with edits elsewhere in the topology (or the path it was read
    from) while the stack itself stays the same. CloudFormation ignores comments too."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].lstrip().startswith("#"):
        start += 1
    return "".join(lines[start:])


def same_template(deployed: str | None, wanted: str) -> bool:
    if deployed is None:
        return False
    if deployed == wanted or _without_header(deployed) == _without_header(wanted):
        return True
    try:
        return bool(json.loads(deployed) == json.loads(wanted))
    except ValueError:
        return False


def _differences(
    state: StackState,
    spec: StackSpec,
    parameters: Sequence[tuple[str, Value]],
    tags: tuple[tuple[str, str], ...],
) -> list[str]:
    found: list[str] = []
    if not same_template(state.template_body, spec.template_body):
        found.append("template changed")
    if any(not isinstance(v, str) for _, v in parameters):
        found.append("parameters come from stacks deployed first")
    else:
        changed = [k for k, v in parameters if state.parameters.get(k) not in (v, NO_ECHO)]
        if changed:
            found.append("parameters changed: " + ", ".join(changed))
    if dict(state.tags) != dict(tags):
        found.append("tags changed")
    return found


def plan_stacks(
    model: Topology,
    specs: Sequence[StackSpec],
    remote: RemoteState,
    *,
    network: NetworkOutputs | None,
) -> tuple[tuple[DeployStack, ...], dict[str, StackOutputs]]:
    """The stack instructions, and every stack's outputs as known after them (values or references).

    ``network``: the Terraform outputs, or None in CloudFormation network mode (the network stacks'
    outputs are used, as references while those stacks are still to be deployed)."""
    tags = stack_tags(model)
    steps: list[DeployStack] = []
    outputs: dict[str, StackOutputs] = {}
    planned: set[str] = set()
    for spec in specs:
        parameters = stack_parameters(spec, model, network=network, secrets=remote.secrets, outputs=outputs)
        state = remote.stack(spec.name)
        step: DeployStack | None = None
        base = DeployStack(
            stack=spec.name,
            region=spec.region,
            kind=spec.kind,
            change_set_type="CREATE",
            template=spec.template,
            template_body=spec.template_body,
            parameters=parameters,
            tags=tags,
            capabilities=capabilities(spec),
            after=tuple(f"stack:{d}" for d in spec.depends_on if d in planned),
        )
        if state is None:
            step = replace(base, reason="new stack")
        elif state.status == "REVIEW_IN_PROGRESS":  # a change set was made, never executed: start over
            step = replace(
                base, reason="REVIEW_IN_PROGRESS (never executed): delete and create again", replace=True
            )
        elif state.status in RECREATE:
            step = replace(base, reason=f"{state.status}: delete and create again", replace=True)
        elif not state.stable:
            raise DeployError(
                f"stack {spec.name} is {state.status}: it needs attention before a deploy "
                "(see its events in the CloudFormation console)"
            )
        else:
            differences = _differences(state, spec, parameters, tags)
            if differences:
                step = replace(
                    base,
                    change_set_type="UPDATE",
                    reason="; ".join(differences),
                    stale_change_sets=state.pending_change_sets,
                    execute_empty=bool({"template changed", "tags changed"} & set(differences)),
                )
        if step is not None:
            steps.append(step)
            planned.add(spec.name)
        outputs[spec.name] = StackOutputs(
            spec.name,
            spec.region,
            template_outputs(spec.template_body),
            dict(state.outputs) if state is not None and step is None else None,
        )
    return tuple(steps), outputs


__all__ = [
    "NO_ECHO",
    "RECREATE",
    "TOPOLOGY_TAG",
    "capabilities",
    "plan_stacks",
    "same_template",
    "stack_tags",
]

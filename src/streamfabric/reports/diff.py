"""What changing a topology will change, before anyone applies it.

``diff_topologies(old, new)`` is pure. It compares the two models (regions, networks, ingests,
Live/Preview and their outputs, the internal hop, DNS, the control API, tags), then maps every
change to its consequences:

* **stacks** created, updated or deleted (names from :meth:`Topology.stack_name`; the stacks each
  network mode deploys, as in docs/architecture.md), and the Terraform network's changes;
* **flows**: which MediaConnect flows are created, deleted or *replaced* (a new flow: new ARN, new
  ingest IP, started again by deploy) and which are updated in place. The rule is CloudFormation's
  resource schema for ``AWS::MediaConnect::Flow``: its create-only properties are ``Name``,
  ``AvailabilityZone`` and ``Source/Name``; every other ``Source`` property (protocol, port,
  allowlist, latency, decryption) is updated in place (``UpdateFlowSource``). A ``FlowOutput``'s
  create-only properties are ``FlowArn`` and ``Name``;
* optionally the **rendered files** that change (``render()`` of both, paths added, removed, changed,
  with unified diffs).

:func:`format_markdown` gives a pull-request comment; :func:`format_text` the same for a terminal.

This module is the entry point; the pieces live beside it: :mod:`.diff_model` (the result types and
the model comparison), :mod:`.diff_stacks` (stack changes), :mod:`.diff_flows` (flow impacts) and
:mod:`.diff_format` (Markdown and text).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from typing import Any, Literal

from ..topology.model import HUB_ROLES, Topology
from .diff_flows import flow_impacts
from .diff_format import describe_change, format_markdown, format_text
from .diff_model import (
    FLOW_CREATE_ONLY,
    OUTPUT_CREATE_ONLY,
    Change,
    FieldChange,
    FileChange,
    FlowImpact,
    NetworkMode,
    StackChange,
    TopologyDiff,
    model_changes,
    show,
)
from .diff_stacks import expected_stacks, flow_regions, stack_changes, terraform_changes


def _comparable(model: Topology, source: Any) -> Topology:
    """The model with a neutral source, so file headers (URI, SHA-256) do not show as changes."""
    return dataclasses.replace(model, source=source)


def file_changes(
    old: Topology,
    new: Topology,
    network: NetworkMode = "terraform",
    render: Callable[..., Mapping[str, str]] | None = None,
) -> tuple[FileChange, ...]:
    """The rendered files that differ between ``old`` and ``new`` (headers normalised)."""
    if render is None:
        from ..rendering import render as render_all

        render = render_all
    neutral = dataclasses.replace(new.source, uri="topology.json", sha256="-", version=None)
    before = render(_comparable(old, neutral), network=network)
    after = render(_comparable(new, neutral), network=network)
    found: list[FileChange] = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if a == b:
            continue
        status: Literal["added", "removed", "changed"] = (
            "added" if a is None else "removed" if b is None else "changed"
        )
        diff = "".join(
            difflib.unified_diff(
                (a or "").splitlines(keepends=True),
                (b or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if a is not None else "/dev/null",
                tofile=f"b/{path}" if b is not None else "/dev/null",
            )
        )
        found.append(FileChange(path, status, diff))
    return tuple(found)


# -- the whole diff -------------------------------------------------------------------------


def _display(model: Topology) -> str:
    return f"{model.name} ({model.source.display})"


def diff_topologies(
    old: Topology,
    new: Topology,
    *,
    network: NetworkMode = "terraform",
    files: bool = True,
    render: Callable[..., Mapping[str, str]] | None = None,
) -> TopologyDiff:
    """What changing ``old`` into ``new`` will change. With ``files``, also the rendered files
    (skipped with a note if rendering is unavailable or fails)."""
    changes = model_changes(old, new)
    notes: list[str] = []
    if old.name != new.name:
        notes.append(
            f"renaming the topology ({old.name} -> {new.name}) creates every stack and flow anew and "
            "deletes the old ones: plan it as a new deployment"
        )
    if old.hub.region != new.hub.region:
        notes.append(f"moving the hub ({old.hub.region} -> {new.hub.region}) replaces Live and Preview")
    if any(c.subject == "state" for c in changes):
        notes.append(
            "the runtime state / audit log location changes: move the existing documents there first"
        )
    removed = [c.name for c in changes if c.subject == "ingest" and c.kind == "removed"]
    for role in HUB_ROLES:
        if old.hub.flow(role).starts_on in removed:
            notes.append(f"{role.capitalize()} starts on {old.hub.flow(role).starts_on}, which is removed")
    file_list: tuple[FileChange, ...] | None = None
    files_note = ""
    if files and changes:
        try:
            file_list = file_changes(old, new, network, render)
        except ImportError as exc:
            files_note = f"rendered files not compared: the renderers are not available ({exc})"
        except Exception as exc:  # RenderError and friends: the model diff stands on its own
            files_note = f"rendered files not compared: {type(exc).__name__}: {exc}"
    elif not changes:
        file_list = ()
    return TopologyDiff(
        old=_display(old),
        new=_display(new),
        network=network,
        changes=changes,
        stacks=stack_changes(old, new, changes, network),
        flows=flow_impacts(old, new, changes),
        terraform=terraform_changes(changes) if network == "terraform" else (),
        notes=tuple(notes),
        files=file_list,
        files_note=files_note,
    )


__all__ = [
    "FLOW_CREATE_ONLY",
    "OUTPUT_CREATE_ONLY",
    "Change",
    "FieldChange",
    "FileChange",
    "FlowImpact",
    "NetworkMode",
    "StackChange",
    "TopologyDiff",
    "describe_change",
    "diff_topologies",
    "expected_stacks",
    "file_changes",
    "flow_regions",
    "format_markdown",
    "format_text",
    "model_changes",
    "show",
]

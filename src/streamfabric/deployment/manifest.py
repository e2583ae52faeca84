"""The stacks to deploy, from the rendered ``cloudformation/manifest.json``; dependency order."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import DeployError

MANIFEST = "cloudformation/manifest.json"


@dataclass(frozen=True, slots=True)
class StackSpec:
    """One stack of the manifest, with its template body and its rendered parameter values."""

    name: str
    region: str
    kind: str
    template: str  # path in the rendered files
    template_body: str
    parameters: tuple[tuple[str, str], ...] = ()  # as rendered ("" = deploy fills it in)
    depends_on: tuple[str, ...] = ()
    # parameter -> "topology" | "deploy" | "<stack>.<OutputKey>" | "network.<region>.<key>"
    parameter_sources: tuple[tuple[str, str], ...] = ()
    capabilities: tuple[str, ...] = ()

    def source(self, parameter: str) -> str | None:
        return dict(self.parameter_sources).get(parameter)


def _path(files: Mapping[str, str], path: str) -> str | None:
    return next((p for p in (path, f"cloudformation/{path}") if p in files), None)


def _lookup(files: Mapping[str, str], path: str, what: str) -> tuple[str, str]:
    found = _path(files, path)
    if found is None:
        raise DeployError(f"{MANIFEST}: {what} {path} is not among the rendered files")
    return found, files[found]


def _parameters(path: str, text: str) -> tuple[tuple[str, str], ...]:
    try:
        raw = json.loads(text)
        return tuple((str(p["ParameterKey"]), str(p.get("ParameterValue", ""))) for p in raw)
    except (ValueError, TypeError, KeyError) as exc:
        raise DeployError(
            f"{path}: not a CloudFormation parameter list ({type(exc).__name__}: {exc})"
        ) from None


def _spec(files: Mapping[str, str], entry: Any) -> StackSpec:
    try:
        template, body = _lookup(files, str(entry["template"]), "template")
        parameters: tuple[tuple[str, str], ...] = ()
        if entry.get("parameters"):
            path, text = _lookup(files, str(entry["parameters"]), "parameter file")
            parameters = _parameters(path, text)
        return StackSpec(
            name=str(entry["name"]),
            region=str(entry["region"]),
            kind=str(entry.get("kind", "")),
            template=template,
            template_body=body,
            parameters=parameters,
            depends_on=tuple(str(d) for d in entry.get("depends_on") or ()),
            parameter_sources=tuple(
                sorted((str(k), str(v)) for k, v in (entry.get("parameter_sources") or {}).items())
            ),
            capabilities=tuple(str(c) for c in entry.get("capabilities") or ()),
        )
    except (TypeError, KeyError, AttributeError) as exc:
        raise DeployError(f"{MANIFEST}: bad stack entry {entry!r} ({type(exc).__name__}: {exc})") from None


def stack_specs(files: Mapping[str, str]) -> tuple[StackSpec, ...]:
    """The manifest's stacks, in dependency order (cycles and unknown dependencies are errors)."""
    return order(_spec(files, entry) for entry in _entries(files))


def _entries(files: Mapping[str, str]) -> list[dict[str, Any]]:
    if MANIFEST not in files:
        raise DeployError(f"the rendered files have no {MANIFEST}")
    try:
        raw: Any = json.loads(files[MANIFEST])
        entries = list(raw["stacks"])
    except (ValueError, TypeError, KeyError) as exc:
        raise DeployError(f"{MANIFEST}: not a stack manifest ({type(exc).__name__}: {exc})") from None
    if not all(isinstance(e, dict) for e in entries):
        raise DeployError(f"{MANIFEST}: every stack entry must be an object")
    return entries


def order(specs: Iterable[StackSpec]) -> tuple[StackSpec, ...]:
    """Dependencies first; otherwise manifest order. Raises DeployError on a cycle."""
    listed = list(specs)
    by_name = {spec.name: spec for spec in listed}
    if len(by_name) != len(listed):
        raise DeployError(f"{MANIFEST}: a stack is listed twice")
    for spec in listed:
        unknown = [d for d in spec.depends_on if d not in by_name]
        if unknown:
            raise DeployError(
                f"{MANIFEST}: stack {spec.name} depends on unknown stack(s) {', '.join(unknown)}"
            )
    done: dict[str, StackSpec] = {}
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycle = [*visiting[visiting.index(name) :], name]
            raise DeployError(f"{MANIFEST}: dependency cycle: {' -> '.join(cycle)}")
        visiting.append(name)
        for dep in by_name[name].depends_on:
            visit(dep)
        visiting.pop()
        done[name] = by_name[name]

    for spec in listed:
        visit(spec.name)
    return tuple(done.values())


def dependents(specs: Iterable[StackSpec]) -> dict[str, tuple[str, ...]]:
    """stack -> the stacks that depend on it (for deleting in reverse order)."""
    result: dict[str, list[str]] = {}
    for spec in specs:
        result.setdefault(spec.name, [])
        for dep in spec.depends_on:
            result.setdefault(dep, []).append(spec.name)
    return {name: tuple(names) for name, names in result.items()}


__all__ = ["MANIFEST", "StackSpec", "dependents", "order", "stack_specs"]

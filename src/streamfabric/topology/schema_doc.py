"""The topology reference (docs/topology-reference.md), generated from the JSON Schema.

One Markdown table per object of the schema: each field's path, type (with its constraints),
whether it is required, and its description. ``$ref``s are resolved (a description next to the
``$ref`` wins over the definition's own); an object used at several places (the Live and Preview
flows) gets one table whose path names every place (``hub.{live,preview}``).

``python -m streamfabric.topology.schema_doc`` prints it; tests/topology/test_schema_doc.py keeps the
file in step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..resources import schema_path

Schema = dict[str, Any]
HEADER = """\
<!-- Generated from schemas/topology.schema.json by streamfabric.topology.schema_doc: do not edit by hand.
     Regenerate: STREAMFABRIC_UPDATE_GOLDEN=1 python -m pytest tests/topology/test_schema_doc.py -->
"""


@dataclass
class _Section:
    schema: Schema
    paths: list[str] = field(default_factory=list)


def _definition(ref: str, defs: Schema) -> tuple[str, Schema]:
    prefix = "#/$defs/"
    if not ref.startswith(prefix) or ref[len(prefix) :] not in defs:
        raise ValueError(f"unsupported $ref {ref!r} (only #/$defs/<name>)")
    name = ref[len(prefix) :]
    return name, defs[name]


def _resolve(node: Schema, defs: Schema) -> tuple[Schema, str | None]:
    """The node with its $ref merged in (the node's own keywords win) and the definition's name."""
    if "$ref" not in node:
        return node, None
    name, target = _definition(node["$ref"], defs)
    resolved, _ = _resolve(target, defs)
    return {**resolved, **{k: v for k, v in node.items() if k != "$ref"}}, name


def _is_object(node: Schema) -> bool:
    """An object with fields, or a map (``additionalProperties`` with a schema): it gets a table."""
    return node.get("type") == "object" and (
        "properties" in node or isinstance(node.get("additionalProperties"), dict)
    )


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _text(text: str) -> str:
    """Plain Markdown text: ``<ingest>`` must not be taken for an HTML tag."""
    return text.replace("<", "\\<")


def _range(low: Any, high: Any, unit: str = "") -> str:
    if low is not None and high is not None:
        return f"{low}-{high}{unit}"
    if low is not None:
        return f"at least {low}{unit}"
    return f"at most {high}{unit}"


class _Reference:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.defs: Schema = schema.get("$defs", {})
        self.sections: dict[str, _Section] = {}

    # -- collecting the objects ---------------------------------------------------------------
    def walk(self, node: Schema, path: str, seen: tuple[str, ...] = ()) -> None:
        resolved, ref = _resolve(node, self.defs)
        if ref is not None and ref in seen:
            raise ValueError(f"recursive $ref {ref!r} at {path or '$'}: not supported")
        seen = (*seen, ref) if ref else seen
        if _is_object(resolved):
            key = ref or path
            section = self.sections.setdefault(key, _Section(self.defs[ref] if ref else resolved))
            if path not in section.paths:
                section.paths.append(path)
            for name, child in resolved.get("properties", {}).items():
                self.walk(child, f"{path}.{name}" if path else name, seen)
            extra = resolved.get("additionalProperties")
            if isinstance(extra, dict):
                self.walk(extra, f"{path}.<key>", seen)
        if resolved.get("type") == "array" and isinstance(resolved.get("items"), dict):
            self.walk(resolved["items"], f"{path}[]", seen)
        for branch in resolved.get("anyOf", []) + resolved.get("oneOf", []):
            self.walk(branch, path, seen)

    def display(self, key: str) -> str:
        return _merge_paths(self.sections[key].paths)

    # -- describing a field -------------------------------------------------------------------
    def type_of(self, node: Schema, path: str) -> str:
        resolved, ref = _resolve(node, self.defs)
        if "const" in resolved:
            return _code(json.dumps(resolved["const"]))
        if "enum" in resolved:
            return "one of " + ", ".join(_code(json.dumps(v)) for v in resolved["enum"])
        branches = resolved.get("anyOf", []) + resolved.get("oneOf", [])
        if branches:
            return " or ".join(self.type_of(b, path) for b in branches)
        kind = resolved.get("type", "any")
        if kind == "object":
            if _is_object(resolved):
                return f"object (see {_code(self.display(ref or path))})"
            return "object"
        if kind == "array":
            items = resolved.get("items")
            text = f"array of {self.type_of(items, f'{path}[]')}" if isinstance(items, dict) else "array"
            if "minItems" in resolved or "maxItems" in resolved:
                text += f", {_range(resolved.get('minItems'), resolved.get('maxItems'), ' items')}"
            return text
        text = str(kind)
        if kind in ("integer", "number") and ("minimum" in resolved or "maximum" in resolved):
            text += f", {_range(resolved.get('minimum'), resolved.get('maximum'))}"
        if kind == "string":
            if "minLength" in resolved or "maxLength" in resolved:
                text += f", {_range(resolved.get('minLength'), resolved.get('maxLength'), ' characters')}"
            if "pattern" in resolved:
                text += f", matching {_code(resolved['pattern'])}"
        return text

    def rows(self, key: str) -> list[tuple[str, str, str, str]]:
        section = self.sections[key]
        schema, _ = _resolve(section.schema, self.defs)
        display = self.display(key)
        first = section.paths[0]
        required = set(schema.get("required", []))
        found: list[tuple[str, str, str, str]] = []
        for name, child in schema.get("properties", {}).items():
            resolved, _ = _resolve(child, self.defs)
            child_path = f"{first}.{name}" if first else name
            found.append(
                (
                    _code(f"{display}.{name}" if display else name),
                    self.type_of(child, child_path),
                    "yes" if name in required else "no",
                    _text(resolved.get("description", "")),
                )
            )
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            resolved, _ = _resolve(extra, self.defs)
            description = _text(resolved.get("description", ""))
            names = schema.get("propertyNames")
            if isinstance(names, dict):
                description = f"{description} Keys: {self.type_of(names, first)}.".strip()
            found.append(
                (_code(f"{display}.<key>"), self.type_of(extra, f"{first}.<key>"), "no", description)
            )
        return found

    # -- the document -------------------------------------------------------------------------
    def markdown(self) -> str:
        self.walk(self.schema, "")
        lines = [HEADER, f"# Topology reference: {self.schema.get('title', 'topology')}", ""]
        if self.schema.get("description"):
            lines += [_text(self.schema["description"]), ""]
        lines += [
            "Paths: `a.b` is field `b` of object `a`; `a[]` is each item of array `a`; `a.<key>` is each "
            "entry of a map; `{live,preview}` stands for both. Types give their constraints; the "
            "validator checks more than the schema (see `streamfabric validate`).",
            "",
        ]
        for key, section in self.sections.items():
            display = self.display(key)
            schema, _ = _resolve(section.schema, self.defs)
            lines += [f"## {_code(display) if display else 'Top level'}", ""]
            if schema.get("description") and display:
                lines += [_text(schema["description"]), ""]
            lines += ["| Field | Type | Required | Description |", "| --- | --- | --- | --- |"]
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in self.rows(key)]
            lines.append("")
        return "\n".join(lines)


def _merge_paths(paths: list[str]) -> str:
    """``hub.live`` and ``hub.preview`` -> ``hub.{live,preview}``; unrelated paths are listed."""
    if len(paths) == 1:
        return paths[0]
    split = [p.split(".") for p in paths]
    if len({len(s) for s in split}) == 1:
        differing = [i for i in range(len(split[0])) if len({s[i] for s in split}) > 1]
        if len(differing) == 1:
            i = differing[0]
            parts = list(split[0])
            parts[i] = "{" + ",".join(dict.fromkeys(s[i] for s in split)) + "}"
            return ".".join(parts)
    return ", ".join(paths)


def reference_markdown(schema: Schema | None = None) -> str:
    """The reference of ``schema`` (default: the topology schema shipped with streamfabric)."""
    if schema is None:
        with open(schema_path(), encoding="utf-8") as handle:
            schema = json.load(handle)
    return _Reference(schema).markdown()


if __name__ == "__main__":  # pragma: no cover
    print(reference_markdown(), end="")

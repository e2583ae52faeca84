"""Helpers for the Terraform renderer's tests: parse the rendered files with python-hcl2 (v8) and
look at the parsed tree rather than at the text.

python-hcl2 v8 keeps HCL source forms: a quoted string (or a quoted key / block label) comes back
*with* its quotes and escapes (``'"a\\"b"'``), an expression as ``'${expr}'``, blocks as lists of
dicts marked ``__is_block__``. :func:`template_parts` decodes a quoted string the way Terraform
does (escapes, ``$${`` / ``%%{`` as literal ``${`` / ``%{``), keeping live interpolations apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import hcl2

ACCOUNT = "123456789012"
SUBSTITUTIONS = {"local.partition": "aws", "local.account_id": ACCOUNT}


@dataclass(frozen=True)
class Interp:
    """A live ``${...}`` interpolation inside a quoted template."""

    expr: str


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def template_parts(raw: str) -> list[str | Interp]:
    """Decode an HCL quoted template (with its quotes) into literal text and interpolations."""
    assert raw.startswith('"') and raw.endswith('"') and len(raw) >= 2, f"not a quoted string: {raw!r}"
    body = raw[1:-1]
    parts: list[str | Interp] = []
    text: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                text.append(_ESCAPES[nxt])
                i += 2
            elif nxt == "u":
                text.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            elif nxt == "U":
                text.append(chr(int(body[i + 2 : i + 10], 16)))
                i += 10
            else:
                raise AssertionError(f"unknown escape \\{nxt} in {raw!r}")
        elif body.startswith(("$${", "%%{"), i):
            text.append(body[i + 1 : i + 3])
            i += 3
        elif body.startswith("%{", i):
            raise AssertionError(f"live template directive in {raw!r}")
        elif body.startswith("${", i):
            depth, j = 1, i + 2
            while depth:
                depth += {"{": 1, "}": -1}.get(body[j], 0)
                j += 1
            if text:
                parts.append("".join(text))
                text = []
            parts.append(Interp(body[i + 2 : j - 1]))
            i = j
        else:
            text.append(c)
            i += 1
    if text or not parts:
        parts.append("".join(text))
    return parts


def literal(raw: Any) -> str:
    """The value of a quoted string without interpolation (fails on anything else)."""
    assert isinstance(raw, str), f"not a string: {raw!r}"
    parts = template_parts(raw)
    assert len(parts) == 1 and isinstance(parts[0], str), f"not a plain literal: {raw!r}"
    return parts[0]


def resolved(raw: Any) -> str:
    """A quoted template with the account/partition interpolations substituted (fails on others)."""
    assert isinstance(raw, str), f"not a string: {raw!r}"
    out = []
    for part in template_parts(raw):
        if isinstance(part, Interp):
            assert part.expr in SUBSTITUTIONS, f"unexpected interpolation ${{{part.expr}}} in {raw!r}"
            out.append(SUBSTITUTIONS[part.expr])
        else:
            out.append(part)
    return "".join(out)


def expr(raw: Any) -> str:
    """The expression of an unquoted HCL expression (``'${aws.eu_west_1}'`` -> ``aws.eu_west_1``)."""
    assert isinstance(raw, str) and raw.startswith("${") and raw.endswith("}"), f"not an expression: {raw!r}"
    return raw[2:-1]


def key(raw: str) -> str:
    """An object key or block label: quoted (decoded) or a bare identifier."""
    return literal(raw) if raw.startswith('"') else raw


def walk_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from walk_strings(v)
    elif isinstance(node, list):
        for item in node:
            yield from walk_strings(item)


@dataclass
class Tf:
    """Every top-level block of a rendered Terraform directory, indexed."""

    trees: dict[str, dict[str, Any]]
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    ephemeral: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    providers: list[dict[str, Any]] = field(default_factory=list)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    where: dict[tuple[str, str, str], str] = field(default_factory=dict)

    @classmethod
    def parse(cls, files: dict[str, str]) -> Tf:
        tf = cls({path: hcl2.loads(text) for path, text in files.items() if path.endswith(".tf")})
        for path, tree in tf.trees.items():
            for kind, index in (("resource", tf.resources), ("data", tf.data), ("ephemeral", tf.ephemeral)):
                for item in tree.get(kind, []):
                    for rtype, named in item.items():
                        for name, body in named.items():
                            address = (key(rtype), key(name))
                            assert address not in index, f"duplicate {kind} {address}"
                            index[address] = body
                            tf.where[(kind, *address)] = path
            for item in tree.get("provider", []):
                for ptype, body in item.items():
                    assert key(ptype) == "aws", f"unexpected provider {ptype}"
                    tf.providers.append(body)
            for item in tree.get("locals", []):
                for name, value in item.items():
                    if not name.startswith("__"):
                        assert name not in tf.locals, f"duplicate local {name}"
                        tf.locals[name] = value
            for kind, index in (("output", tf.outputs), ("variable", tf.variables)):
                for item in tree.get(kind, []):
                    for name, body in item.items():
                        index[key(name)] = body
        return tf

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {name: body for (t, name), body in self.resources.items() if t == rtype}

    def data_of_type(self, dtype: str) -> dict[str, dict[str, Any]]:
        return {name: body for (t, name), body in self.data.items() if t == dtype}

    @property
    def aliases(self) -> dict[str, str]:
        """Declared provider alias -> region."""
        return {literal(p["alias"]): literal(p["region"]) for p in self.providers}

    def statements(self, document: str) -> dict[str, dict[str, Any]]:
        """The statements of a ``data "aws_iam_policy_document"``, by sid."""
        body = self.data[("aws_iam_policy_document", document)]
        return {literal(s["sid"]): s for s in body["statement"]}

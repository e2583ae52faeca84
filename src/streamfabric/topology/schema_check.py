"""JSON Schema validation of a topology document, every error as a (path, code, message) triple:
the code is the failing keyword's (:data:`.problem_codes.SCHEMA_CODES`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from ..resources import schema_path
from .jsonpath import PathPart
from .problem_codes import OTHER_SCHEMA_CODE, SCHEMA_CODES

Found = tuple[list[PathPart], str, str]  # (path, code, message)

MAX_SHOWN = 80  # long hostile strings are cut in messages


def _short(value: Any) -> str:
    if isinstance(value, dict | list):  # not type(value).__name__: the loader's dict subclass is "_Object"
        return "{...}" if isinstance(value, dict) else "[...]"
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + '..."'


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator, validators

    with open(schema_path(), encoding="utf-8") as handle:
        schema = json.load(handle)
    # JSON Schema counts 5000.0 as an integer; the semantic checks and the model do not, so a
    # float port or latency would slip past them (2077.0 passed as a non-reserved port).
    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    return validators.extend(Draft202012Validator, type_checker=checker)(schema)


def _message(error: Any) -> Iterator[Found]:
    path: list[PathPart] = list(error.absolute_path)
    validator = error.validator
    code = SCHEMA_CODES.get(validator, OTHER_SCHEMA_CODE)
    instance = error.instance
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        known = set(allowed)
        for key in sorted(k for k in instance if k not in known):
            yield [*path, key], code, f"unknown field (allowed: {', '.join(allowed)})"
        return
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield path, code, f"missing required field {missing!r}"
        return
    if validator == "pattern":
        description = error.schema.get("description", "")
        hint = f" ({description})" if description else ""
        yield path, code, f"{_short(instance)} is not valid{hint}"
        return
    if validator == "type":
        yield path, code, f"{_short(instance)} is not of type {error.validator_value!r}"
        return
    if validator == "enum":
        choices = ", ".join(json.dumps(v) for v in error.validator_value)
        yield path, code, f"{_short(instance)} is not one of {choices}"
        return
    if validator in ("anyOf", "oneOf"):
        # Report every branch, as cfn-lint does, so the user sees each way to fix it.
        branches = sorted(
            {
                sub.message if len(sub.message) <= 200 else sub.message[:197] + "..."
                for sub in error.context or ()
            }
        )
        yield path, code, f"{_short(instance)} matches none of the allowed forms: " + "; ".join(branches)
        return
    message = error.message
    if len(message) > 300:
        message = message[:297] + "..."
    yield path, code, message


def schema_errors(document: Any) -> list[Found]:
    found: list[Found] = []
    for error in _validator().iter_errors(document):
        found.extend(_message(error))
    return found

"""What every CLI command shares: how errors are reported, missing extras, logging options.

Kept apart from ``cli.py`` (which only declares the commands) so commands added in parallel do not
touch this, and this does not touch them.

- A command whose optional dependencies are missing (``demo``/``--sandbox`` without ``[sandbox]``,
  ``serve`` without ``[api]``) names the extra to install and exits 2 (a usage problem), with no
  traceback.
- With ``--json`` an error is a JSON object on stdout, ``{"error": <kind>, "message": <text>}``
  (plus ``problems`` for a topology), besides the plain message on stderr; the exit code is the
  error's own (non-zero).
- ``-v/--verbose`` logs streamfabric's INFO (``-vv``: DEBUG) to stderr; ``--debug`` adds botocore's
  wire log (every request and response, credentials redacted by botocore itself).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

# Top-level module -> the extra that installs it (pyproject.toml [project.optional-dependencies]).
EXTRA_OF_MODULE = {
    "moto": "sandbox",
    "flask": "sandbox",
    "flask_cors": "sandbox",
    "aws_lambda_powertools": "api",
    "pydantic": "api",
    "werkzeug": "api",
}
# The extra a command needs, when the missing module alone does not say (werkzeug is in both).
EXTRA_OF_COMMAND = {"demo": "sandbox", "sandbox": "sandbox", "serve": "api"}
MISSING_EXTRA_EXIT = 2
# Terraform's --detailed-exitcode: 0 nothing to change, 1 an error, 2 changes (render --check, diff, plan).
NO_CHANGES_EXIT, CHANGES_EXIT = 0, 2


def missing_extra(exc: ModuleNotFoundError, args: argparse.Namespace) -> str | None:
    """The extra that would have provided the module ``exc`` names, or None (then it is a bug)."""
    top = (exc.name or "").split(".")[0]
    if top not in EXTRA_OF_MODULE:
        return None
    if getattr(args, "sandbox", False):
        return "sandbox"
    return EXTRA_OF_COMMAND.get(getattr(args, "command", "") or "", EXTRA_OF_MODULE[top])


def missing_extra_message(exc: ModuleNotFoundError, args: argparse.Namespace, extra: str) -> str:
    what = "--sandbox" if getattr(args, "sandbox", False) else f"streamfabric {args.command}"
    return (
        f"{what} needs the optional dependencies of the [{extra}] extra (no module named {exc.name!r}): "
        f"pip install 'streamfabric[{extra}]'"
    )


def error_kind(exc: BaseException) -> str:
    """The error's own ``kind`` (``TopologyError`` -> ``topology``, ``ConflictError`` -> ``conflict``;
    an AWS error's code goes in ``code``, see :func:`error_details`); ``error`` for anything else."""
    from ..errors import StreamfabricError

    return exc.kind if isinstance(exc, StreamfabricError) else "error"


def report_error(
    args: argparse.Namespace,
    kind: str,
    message: str,
    *,
    extra: dict[str, object] | None = None,
    listing: bool = False,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> None:
    """The plain message on stderr; with ``--json`` the JSON object on stdout as well."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    print(message if listing else f"error: {message}", file=err)
    if getattr(args, "json", False):
        document: dict[str, object] = {"error": kind, "message": message, **(extra or {})}
        print(json.dumps(document, indent=2), file=out)


def error_details(exc: BaseException) -> dict[str, object]:
    """What a JSON consumer needs beyond the message: the problems, the AWS code, the conflict."""
    details: dict[str, object] = {}
    problems = getattr(exc, "problems", None)
    if problems:
        details["problems"] = [p.as_dict() for p in problems]
    for attr in ("code", "operation", "target", "expected", "on_air"):
        value = getattr(exc, attr, None)
        if value:
            details[attr] = value
    return details


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """-v/--verbose and --debug, accepted before or after the command (defaults suppressed so the
    subcommand's parser never overwrites what the main parser saw)."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log what streamfabric does to stderr (-vv: debug)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="debug logging to stderr, including botocore's wire log of every AWS request",
    )


def configure_logging(args: argparse.Namespace, stream: TextIO | None = None) -> None:
    """One stderr handler on streamfabric's loggers (and botocore's with --debug); calling it again
    (tests run many commands in one process) replaces the handler instead of adding another.
    Without -v/--debug, logging is not even imported (``validate`` must start fast)."""
    verbose = int(getattr(args, "verbose", 0) or 0)
    debug = bool(getattr(args, "debug", False))
    if not (verbose or debug) and "logging" not in sys.modules:
        return  # nothing can have been configured: there is nothing to undo
    import logging

    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, "_streamfabric_cli", False)]:
            logger.removeHandler(old)
        logger.setLevel(logging.NOTSET)
    if not (verbose or debug):
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._streamfabric_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = logging.DEBUG if (debug or verbose > 1) else logging.INFO
    for name in _LOGGERS if debug else _LOGGERS[:1]:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)


_LOGGERS = ("streamfabric", "botocore", "boto3", "urllib3")


__all__ = [
    "CHANGES_EXIT",
    "EXTRA_OF_MODULE",
    "NO_CHANGES_EXIT",
    "add_output_options",
    "configure_logging",
    "error_details",
    "error_kind",
    "missing_extra",
    "missing_extra_message",
    "report_error",
]

"""The ``streamfabric`` command: parse arguments, call the library, format, set the exit code.

Each subcommand's work lives in ``streamfabric.cli.commands.<name>`` (imported only when that command
runs, so ``streamfabric validate`` starts fast and never imports boto3 for a local file).
Exit codes: 0 success, 1 failure or invalid input, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from .output import add_output_options, configure_logging, error_details, error_kind, report_error

TOPOLOGY_ENV = "STREAMFABRIC_TOPOLOGY"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """Usage and the problem on stderr, exit 2; with ``--json`` among the arguments also the
        JSON error document on stdout (``{"error": "usage", ...}``), as for every other error."""
        self.print_usage(sys.stderr)
        if "--json" in _ARGV:
            print(json.dumps({"error": "usage", "message": f"{self.prog}: {message}"}, indent=2))
        self.exit(2, f"{self.prog}: error: {message}\n")


_ARGV: list[str] = []  # the arguments being parsed (for _Parser.error)


def _topology_arg(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    help_text = "topology: a path, '-' for stdin, or s3://bucket/key[?versionId=...]"
    if optional:
        parser.add_argument(
            "topology",
            nargs="?",
            default=os.environ.get(TOPOLOGY_ENV),
            help=f"{help_text} (default: ${TOPOLOGY_ENV})",
        )
    else:
        parser.add_argument("topology", help=help_text)


def _aws_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS")
    group.add_argument("--profile", help="AWS profile to use (default: AWS_PROFILE or the default chain)")
    group.add_argument(
        "--endpoint-url",
        help="send every AWS call to this endpoint (e.g. a sandbox); same as AWS_ENDPOINT_URL",
    )
    group.add_argument(
        "--sandbox",
        action="store_true",
        help="run against an embedded AWS emulator in this process (nothing touches AWS)",
    )


def _json_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


# name -> (help, configure(parser)); the handler is streamfabric.cli.commands.<module>.run(args) -> int
Configure = Callable[[argparse.ArgumentParser], None]


def _validate(p: argparse.ArgumentParser) -> None:
    _topology_arg(p)
    _json_arg(p)
    _aws_args(p)


def _render(p: argparse.ArgumentParser) -> None:
    _topology_arg(p)
    p.add_argument("--out", "-o", required=True, help="directory to write the rendered files into")
    p.add_argument(
        "--network",
        choices=["terraform", "cloudformation"],
        default="terraform",
        help="render the network as Terraform (default) or as CloudFormation stacks",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list the files that differ from --out: exit 0 none, 2 drift, 1 error",
    )
    _json_arg(p)
    _aws_args(p)


def _deploy(p: argparse.ArgumentParser) -> None:
    _topology_arg(p)
    net = p.add_mutually_exclusive_group()
    net.add_argument(
        "--network-outputs",
        metavar="FILE",
        help="`terraform output -json` of the rendered network (Terraform network mode)",
    )
    net.add_argument(
        "--network", choices=["cloudformation"], help="deploy the network as CloudFormation stacks too"
    )
    p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    p.add_argument(
        "--yes", "-y", action="store_true", help="do not ask for confirmation (needed without a terminal)"
    )
    p.add_argument(
        "--api-package",
        metavar="FILE",
        help="the control API's Lambda package (from `streamfabric package-api`); default: build or reuse",
    )
    p.add_argument(
        "--allow-interruption",
        action="store_true",
        help="deploy even if it interrupts what is on Live or Preview now (deploy refuses otherwise)",
    )
    _json_arg(p)
    _aws_args(p)


def _plan(p: argparse.ArgumentParser) -> None:
    _topology_arg(p)
    net = p.add_mutually_exclusive_group()
    net.add_argument("--network-outputs", metavar="FILE", help="`terraform output -json` of the network")
    net.add_argument("--network", choices=["cloudformation"], help="the network is CloudFormation stacks too")
    p.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 0 no changes, 2 changes, 1 error (Terraform's)"
    )
    _json_arg(p)
    _aws_args(p)


def _destroy(p: argparse.ArgumentParser) -> None:
    _topology_arg(p)
    p.add_argument(
        "--network-outputs",
        metavar="FILE",
        help="`terraform output -json` of the rendered network (Terraform network mode): network "
        "interfaces MediaConnect left in its subnets are deleted too, so `terraform destroy` can "
        "delete the subnets afterwards",
    )
    p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    _json_arg(p)
    _aws_args(p)


def _force_unlock(p: argparse.ArgumentParser) -> None:
    p.add_argument("lease_id", metavar="LEASE_ID", help="the lease to remove, as the refusal named it")
    _topology_arg(p)
    _json_arg(p)
    _aws_args(p)


def _switch(p: argparse.ArgumentParser) -> None:
    p.add_argument("ingest", help="ingest to put on air")
    _topology_arg(p, optional=True)
    p.add_argument(
        "--target", choices=["live", "preview"], default="live", help="hub flow to switch (default: live)"
    )
    p.add_argument(
        "--expected", metavar="NAME", help="refuse (conflict) unless this ingest is on the target now"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="switch even if the ingest's flow is not ACTIVE, has no signal, or another encoding",
    )
    _json_arg(p)
    _aws_args(p)


def _take(p: argparse.ArgumentParser) -> None:
    _topology_arg(p, optional=True)
    _json_arg(p)
    _aws_args(p)


def _protect(p: argparse.ArgumentParser, *, unprotect: bool = False) -> None:
    p.add_argument("flow", choices=["live", "preview"], help="the hub flow")
    _topology_arg(p, optional=True)
    if not unprotect:
        p.add_argument(
            "--until",
            metavar="TIME",
            help="when it ends: a duration (90m, 2h), a UTC time of day (21:30) or an ISO 8601 time; "
            "at most 4 h away (default: 4 h)",
        )
        p.add_argument("--reason", metavar="TEXT", help="why (shown to whoever is refused)")
    _json_arg(p)
    _aws_args(p)


def _status(p: argparse.ArgumentParser) -> None:
    _topology_arg(p, optional=True)
    p.add_argument(
        "--watch",
        nargs="?",
        const=2.0,
        type=float,
        metavar="SECONDS",
        help="refresh every SECONDS (default 2) until interrupted",
    )
    _json_arg(p)
    _aws_args(p)


def _history(p: argparse.ArgumentParser) -> None:
    _topology_arg(p, optional=True)
    p.add_argument("--limit", type=int, default=50, help="show at most this many records (default 50)")
    _json_arg(p)
    _aws_args(p)


def _serve(p: argparse.ArgumentParser) -> None:
    _topology_arg(p, optional=True)
    p.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (default 8080)")
    _aws_args(p)


def _demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--topology", default=None, help="topology to demo (default: examples/festival.json)")
    p.add_argument(
        "--keep",
        action="store_true",
        help="leave the emulator and the control API running on 127.0.0.1 until interrupted",
    )
    p.add_argument("--port", type=int, default=8080, help="control API port with --keep (default 8080)")
    p.add_argument(
        "--network",
        choices=["cloudformation", "terraform"],
        default="cloudformation",
        help="deploy the network as CloudFormation stacks (default) or apply the rendered Terraform "
        "with `terraform` (must be on PATH) against the emulator",
    )


def _sandbox_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--topology",
        default=None,
        help="seed the emulator with what this topology expects to exist (its secrets, hosted zone)",
    )
    p.add_argument("--port", type=int, default=5000, help="port on 127.0.0.1 (default 5000; 0: any free)")


# sandbox subcommands: name -> (help, configure); handlers in streamfabric.cli.commands.sandbox.HANDLERS
SANDBOX_COMMANDS: dict[str, tuple[str, Configure]] = {
    "serve": ("run the AWS emulator alone on 127.0.0.1 until interrupted", _sandbox_serve),
    "signal": (
        "change what the emulator at AWS_ENDPOINT_URL reports for an ingest's source (rehearse a dead feed)",
        lambda p: _sandbox_signal(p),
    ),
}


def _sandbox(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(
        dest="sandbox_command",
        metavar="{" + ",".join(SANDBOX_COMMANDS) + "}",
        parser_class=_Parser,
        required=True,
    )
    for name, (help_text, configure) in SANDBOX_COMMANDS.items():
        configure(
            sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
        )


def _sandbox_signal(signal: argparse.ArgumentParser) -> None:
    signal.add_argument("ingest", help="the ingest whose encoder to turn off or on")
    _topology_arg(signal, optional=True)
    state = signal.add_mutually_exclusive_group(required=True)
    state.add_argument("--off", action="store_true", help="the encoder stops sending (no signal)")
    state.add_argument("--on", action="store_true", help="the encoder sends")
    signal.add_argument("--resolution", metavar="WxH", help="video resolution, e.g. 1280x720")
    signal.add_argument("--codec", metavar="NAME", help="video codec, e.g. h264, hevc")
    signal.add_argument("--frame-rate", metavar="FPS", help="video frame rate, e.g. 50, 29.97")
    signal.add_argument("--endpoint-url", help="the emulator (default: AWS_ENDPOINT_URL)")
    _json_arg(signal)


def _import_poc(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the proof of concept's vars/mediaconnect.json")
    p.add_argument("--name", default="imported", help="name of the new topology (default: imported)")
    p.add_argument("--hub", help="region to use as the hub (default: the first region)")


def _cost(p: argparse.ArgumentParser) -> None:
    _topology_arg(p)
    p.add_argument("--hours", type=float, default=72.0, help="hours the flows run per month (default 72)")
    p.add_argument("--bitrate-mbps", type=float, default=10.0, help="bitrate of each stream (default 10)")
    p.add_argument(
        "--live-prices",
        action="store_true",
        help="take prices from the AWS Price List API (needs credentials); falls back to the shipped table",
    )
    p.add_argument("--prices", metavar="FILE", help="use this price table instead of the shipped one")
    p.add_argument("--profile", help="AWS profile for --live-prices")
    _json_arg(p)


def _graph(p: argparse.ArgumentParser) -> None:
    _topology_arg(p)
    p.add_argument("--format", choices=["mermaid", "dot", "svg"], default="mermaid")


def _diff(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", help="the topology as it is")
    p.add_argument("new", help="the topology as proposed")
    p.add_argument("--format", choices=["markdown", "text"], default="markdown")
    p.add_argument("--files", action="store_true", help="include unified diffs of the rendered files")
    p.add_argument("--network", choices=["terraform", "cloudformation"], default="terraform")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when the topologies differ")
    p.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 0 no changes, 2 changes, 1 error (Terraform's)"
    )
    _json_arg(p)


def _package_api(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", "-o", default="dist", help="directory to write the zip into (default: dist)")
    p.add_argument("--arch", choices=["x86_64", "arm64"], default="x86_64", help="Lambda architecture")
    p.add_argument("--index-url", metavar="URL", help="package index to take the wheels from (pip's default)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="pip's network timeout, no retries")
    _json_arg(p)


def _doctor(p: argparse.ArgumentParser) -> None:
    _topology_arg(p)
    _json_arg(p)
    _aws_args(p)


def _completion(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "shell", choices=["bash", "zsh", "fish"], help="the shell to print a completion script for"
    )


COMMANDS: dict[str, tuple[str, str, Configure]] = {
    "validate": ("validate", "validate a topology (schema and semantic checks)", _validate),
    "render": ("render", "render Terraform and CloudFormation for a topology", _render),
    "plan": ("plan", "show what deploy would change, as CloudFormation's change sets say", _plan),
    "deploy": ("deploy", "deploy the stacks and run the post-steps", _deploy),
    "destroy": ("destroy", "undo the post-steps and delete the stacks", _destroy),
    "force-unlock": ("force_unlock", "remove the deploy lock a crashed command left behind", _force_unlock),
    "switch": ("switch", "put an ingest on Live (or Preview)", _switch),
    "take": ("switch", "swap Preview and Live (the cut of a vision mixer)", _take),
    "protect": ("protect", "refuse every switch and take of Live (or Preview) until unprotected", _protect),
    "unprotect": (
        "protect",
        "lift your protection of Live (or Preview)",
        lambda p: _protect(p, unprotect=True),
    ),
    "status": ("switch", "show what is on Live and Preview and each ingest's health", _status),
    "history": ("switch", "show the audit log of switches, takes and protections", _history),
    "package-api": ("package_api", "build the control API's Lambda deployment package (zip)", _package_api),
    "serve": ("serve", "run the control API (and panel) on 127.0.0.1", _serve),
    "demo": ("demo", "run the whole pipeline against an embedded AWS emulator", _demo),
    "sandbox": ("sandbox", "the AWS emulator on its own (for Terraform and other tools)", _sandbox),
    "import-poc": (
        "import_poc",
        "convert the original proof of concept's config into a topology",
        _import_poc,
    ),
    "cost": ("cost", "estimate the monthly running cost", _cost),
    "graph": ("graph", "draw the topology (Mermaid, DOT or SVG)", _graph),
    "diff": ("diff", "show what changing the topology will change", _diff),
    "doctor": ("doctor", "check the AWS account is ready for the topology (read-only)", _doctor),
    "completion": ("completion", "print a shell completion script (bash, zsh or fish)", _completion),
}


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"streamfabric.cli.commands.{module}") is not None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="streamfabric",
        description="Multi-region live-video contribution on AWS Elemental MediaConnect.",
    )
    parser.add_argument("--version", action="version", version=f"streamfabric {__version__}")
    add_output_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text, configure) in COMMANDS.items():
        if not _available(module):
            continue
        command = sub.add_parser(
            name, help=help_text, description=help_text[:1].upper() + help_text[1:] + "."
        )
        configure(command)
        add_output_options(command)
        command.set_defaults(module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:

    from ..errors import StreamfabricError

    parser = build_parser()
    _ARGV[:] = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    if hasattr(args, "topology") and args.topology is None and args.command not in ("demo", "sandbox"):
        message = f"streamfabric {args.command}: no topology given (argument or ${TOPOLOGY_ENV})"
        report_error(args, "usage", message)
        return 2
    if getattr(args, "endpoint_url", None):
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
    if getattr(args, "profile", None):
        os.environ["AWS_PROFILE"] = args.profile
    configure_logging(args)
    try:
        handler = importlib.import_module(f"streamfabric.cli.commands.{args.module}")
        with _sandbox_if(args):
            code: int = handler.run(args)
            return code
    except StreamfabricError as exc:
        report_error(args, error_kind(exc), str(exc), extra=error_details(exc), listing=_is_listing(exc))
        return exc.exit_code
    except ModuleNotFoundError as exc:
        from .output import MISSING_EXTRA_EXIT, missing_extra, missing_extra_message

        extra = missing_extra(exc, args)
        if extra is None:
            raise
        report_error(args, "missing_extra", missing_extra_message(exc, args, extra), extra={"extra": extra})
        return MISSING_EXTRA_EXIT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


def _is_listing(exc: BaseException) -> bool:
    from ..errors import TopologyError

    return isinstance(exc, TopologyError)


class _NullContext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _sandbox_if(args: argparse.Namespace) -> _NullContext:
    """``--sandbox``: run this one command against a fresh embedded AWS emulator, seeded with what
    the topology expects to exist already (its secrets and hosted zone). Nothing touches AWS."""
    if not getattr(args, "sandbox", False):
        return _NullContext()
    from ..sandbox.server import Sandbox

    sandbox = Sandbox()

    class _Ctx(_NullContext):
        def __enter__(self) -> None:
            from .demo import quiet_emulator_logs

            quiet_emulator_logs()
            sandbox.start()
            os.environ["AWS_ENDPOINT_URL"] = sandbox.endpoint_url
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "sandbox")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "sandbox")
            print(f"sandbox: AWS emulator at {sandbox.endpoint_url} (nothing touches AWS)", file=sys.stderr)
            topology = getattr(args, "topology", None)
            if topology and not topology.startswith("s3://"):
                from ..topology.loading import load_topology
                from .demo import seed_prerequisites

                seed_prerequisites(sandbox, load_topology(topology))

        def __exit__(self, *exc: object) -> None:
            sandbox.stop()

    return _Ctx()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

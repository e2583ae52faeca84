"""Entry points of the pre-commit hooks (``.pre-commit-hooks.yaml``) that need more than one CLI call.

pre-commit passes every staged file that matches a hook's ``files`` pattern at once, while
``streamfabric validate`` takes one topology: ``python -m streamfabric.cli.hooks validate A B ...``
validates each and exits with the worst code (0 all valid, 1 a topology is invalid, 2 usage).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def validate_all(paths: Sequence[str]) -> int:
    from .main import main

    worst = 0
    for path in paths:
        worst = max(worst, main(["validate", path]))
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "validate":
        print("usage: python -m streamfabric.cli.hooks validate TOPOLOGY...", file=sys.stderr)
        return 2
    return validate_all(args[1:])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

#!/usr/bin/env bash
# Install streamfabric with its test dependencies into .venv, then run every quality gate:
# ruff (lint + format), mypy --strict on src/, and the whole pytest suite.
# Usage: ./scripts/test.sh [extra pytest args]
set -euo pipefail
shopt -s lastpipe
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${STREAMFABRIC_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
echo "== installing streamfabric[sandbox,api] and the test dependency group into $VENV"
# Dependency groups (PEP 735, pyproject.toml [dependency-groups]) need pip >= 25.1.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade 'pip>=25.1' >/dev/null
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[sandbox,api]' --group test 2>&1 \
  | { grep -v "^WARNING: Location '.*' is ignored" || true; }

# checkov pins an old boto3: it gets a virtualenv of its own (the tests find it there).
if [ ! -x .venv-checkov/bin/checkov ]; then
  echo "== installing checkov into .venv-checkov"
  "$PYTHON" -m venv .venv-checkov
  .venv-checkov/bin/python -m pip install -q --disable-pip-version-check checkov 2>&1 \
    | { grep -v "^WARNING: Location '.*' is ignored" || true; }
fi
export CHECKOV_BIN="$PWD/.venv-checkov/bin/checkov"

# System tools from Debian's packages: Chromium for the browser tests (never a downloaded browser
# build), Graphviz for `streamfabric graph --format svg`.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v dot >/dev/null || missing="$missing graphviz"
if [ -n "$missing" ] && command -v apt-get >/dev/null; then
  echo "== installing Debian packages:$missing"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing >/dev/null
fi

echo "== ruff"
"$VENV/bin/ruff" check src tests bench
"$VENV/bin/ruff" format --check src tests bench
echo "== mypy (strict, src/)"
"$VENV/bin/mypy"
echo "== pytest"
"$VENV/bin/python" -m pytest -n "${PYTEST_WORKERS:-2}" "$@"

#!/usr/bin/env bash
# Mutation testing of the safety core with mutmut 3 (a deliberate small bug in a copy of the source,
# then the tests that should catch it). Group by group: each group's modules are mutated and run
# against only the tests that cover them, in a scratch copy of the repository whose [tool.mutmut]
# section this script rewrites (mutmut reads its configuration from ./pyproject.toml only).
#
# Usage: ./scripts/mutation.sh [GROUP...]      groups: guard retire switching audit lease api sample
#        (default: every group but sample; `sample` is the small fixed one CI runs,
#         tests/test_mutation_sample.py)
# Environment: MUTATION_CHILDREN (parallel mutants, default 2), MUTATION_BUDGET (seconds per group,
#        default 3600; a group cut short says so), MUTATION_OUT (default mutation-results/),
#        STREAMFABRIC_VENV (default .venv).
# Writes MUTATION_OUT/<group>.json (mutmut's counts and the seconds taken) and <group>.txt (every
# mutant with its status); docs/mutation-report.md is the reviewed account of the survivors.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="${STREAMFABRIC_VENV:-.venv}"
case "$VENV" in /*) PY="$VENV/bin/python" ;; *) PY="$ROOT/$VENV/bin/python" ;; esac
[ -x "$PY" ] || PY="$(command -v python3)"
if ! "$PY" -c "import mutmut" 2>/dev/null; then
  echo "mutmut is not installed in $VENV (pip install --group test, or 'mutmut>=3.8,<4')" >&2
  exit 2
fi
CHILDREN="${MUTATION_CHILDREN:-2}"
BUDGET="${MUTATION_BUDGET:-3600}"
OUT="${MUTATION_OUT:-$ROOT/mutation-results}"
mkdir -p "$OUT"

# group -> "modules|tests" (paths from the repository root, space-separated)
declare -A GROUPS_=(
  [guard]="src/streamfabric/deployment/plan/guard.py src/streamfabric/deployment/plan/cfn_guard.py|tests/deploy/test_guard.py tests/deploy/test_cfn_guard.py"
  [retire]="src/streamfabric/deployment/plan/retire.py|tests/deploy/test_planner.py tests/deploy/test_destroy_order.py tests/deploy/test_moves.py"
  [switching]="src/streamfabric/switching/switcher.py src/streamfabric/switching/compare.py src/streamfabric/switching/signal.py|tests/switching/test_switch.py tests/switching/test_signal.py tests/switching/test_signal_refusals.py tests/switching/test_compare_and_set.py tests/switching/test_compare_unit.py tests/switching/test_freshness.py"
  [audit]="src/streamfabric/switching/audit.py|tests/switching/test_audit_record.py tests/switching/test_audit_s3.py tests/switching/test_freshness.py"
  [lease]="src/streamfabric/deployment/lease.py|tests/deploy/test_lease.py"
  [api]="src/streamfabric/api/app.py src/streamfabric/api/handler.py|tests/switching/test_api.py tests/switching/test_api_signal.py tests/switching/test_api_cors.py"
  [sample]="src/streamfabric/switching/compare.py|tests/switching/test_compare_unit.py"
)
if [ "$#" -eq 0 ]; then set -- guard retire switching audit lease api; fi

run_group() {
  local group="$1" spec="${GROUPS_[$1]:-}"
  if [ -z "$spec" ]; then echo "unknown group $group (${!GROUPS_[*]})" >&2; return 2; fi
  local modules="${spec%%|*}" tests="${spec#*|}"
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/streamfabric-mutation-$group.XXXXXX")"
  cp -r src tests examples schemas templates pyproject.toml "$work/"
  find "$work" -name __pycache__ -prune -exec rm -rf {} +
  "$PY" - "$work/pyproject.toml" "$modules" "$tests" <<'EOF'
import json, re, sys
path, modules, tests = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
text = open(path, encoding="utf-8").read()
text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[)", "", text)
text += (
    "\n[tool.mutmut]\n"
    'source_paths = ["src"]\n'
    f"only_mutate = {json.dumps(modules)}\n"
    'also_copy = ["tests/", "examples/", "schemas/", "templates/", "pyproject.toml"]\n'
    'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
    f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
)
open(path, "w", encoding="utf-8").write(text)
EOF
  echo "== $group: mutating $modules against $tests"
  local start end status=0
  start=$(date +%s)
  (cd "$work" && PYTHONPATH= timeout "$BUDGET" "$PY" -m mutmut run --max-children "$CHILDREN" >"$OUT/$group.log" 2>&1) \
    || status=$?
  end=$(date +%s)
  (cd "$work" && "$PY" -m mutmut export-cicd-stats >/dev/null 2>&1 || true)
  (cd "$work" && "$PY" -m mutmut results --all true >"$OUT/$group.txt" 2>/dev/null || true)
  "$PY" - "$work/mutants/mutmut-cicd-stats.json" "$OUT/$group.json" "$group" "$((end - start))" "$status" <<'EOF'
import json, sys
stats_path, out, group, seconds, status = sys.argv[1:]
try:
    stats = json.load(open(stats_path, encoding="utf-8"))
except OSError:
    stats = {}
stats.update(group=group, seconds=int(seconds), complete=status == "0",
             exit_status=int(status))
json.dump(stats, open(out, "w", encoding="utf-8"), indent=2, sort_keys=True)
print(f"   {group}: " + ", ".join(f"{k} {stats[k]}" for k in ("killed", "survived", "timeout",
      "suspicious", "skipped", "no_tests", "total") if k in stats)
      + f"; {seconds} s" + ("" if status == "0" else f" (cut short: exit {status})"))
EOF
  rm -rf "$work"
  return 0
}

for group in "$@"; do run_group "$group"; done

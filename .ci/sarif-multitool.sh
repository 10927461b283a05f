#!/usr/bin/env bash
# Validates plainsight's SARIF with Microsoft's SARIF Multitool (`validate --rule-kind
# "Gh;Sarif"`, GitHub's ingestion rules plus the SARIF spec rules) and fails on any
# error-level result. The npm wrapper passes arguments through a shell, so the platform
# binary it installs is called directly. The one rule that makes HTTP requests
# (SARIF2006) is disabled by .ci/sarif-policy.xml, and when possible the validator runs
# in a network namespace with no interfaces: CI sends nothing anywhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${PLAINSIGHT_BIN:-$root/target/release/plainsight}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tool_dir=${SARIF_MULTITOOL_DIR:-$HOME/.cache/plainsight-ci/sarif-multitool}
mt=$tool_dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$mt" ]; then
  mkdir -p "$tool_dir"
  (cd "$tool_dir" && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool@5 >/dev/null)
  chmod u+x "$mt"
fi

# A fixture tree with findings of several rules, a skipped binary file and awkward names.
# Fake keys are assembled here so this script itself scans clean.
tree=$work/tree
mkdir -p "$tree/config" "$tree/src" "$tree/dir with space"
printf 'AWS_ACCESS_KEY_ID=%s%s\nAWS_SECRET_ACCESS_KEY=%s%s\n' AKIA OM7WBBR6QMW4WXFO 3QlY7Zkuvqdt7s8St qcbnr3yBdGBLEPH1qhT61qt > "$tree/config/.env"
printf 'stripe = "%s%s"\n' sk_live_ KiaEdFrRgSnRFsTHsDDDXh5Jmtf7Ebs > "$tree/dir with space/pay ü.py"
printf 'db_password = "%s"\n' hT9kLm2vQ8zXw4Rb > "$tree/src/settings.py"
printf '\0\1\2binary' > "$tree/logo.bin"

run_check() {
  local log=$1 name=$2
  local out=$work/$name.validation.sarif
  local cmd=("$mt" validate --rule-kind "Gh;Sarif" --config "$here/sarif-policy.xml" --log ForceOverwrite --output "$out" "$log")
  if unshare -n true 2>/dev/null; then unshare -n "${cmd[@]}" >"$work/$name.txt" 2>&1 || true; else "${cmd[@]}" >"$work/$name.txt" 2>&1 || true; fi
  if [ ! -s "$out" ]; then
    cat "$work/$name.txt"
    echo "sarif-multitool: validator produced no output for $name" >&2
    return 1
  fi
  python3 - "$out" "$name" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
results = [r for run in doc.get("runs", []) for r in run.get("results", [])]
errors = [r for r in results if r.get("level", "warning") == "error"]
for r in results:
    print(f"  {r.get('level', 'warning')}: {r.get('ruleId')}: {r.get('message', {}).get('text', '')[:160]}")
print(f"sarif-multitool {sys.argv[2]}: {len(results)} results, {len(errors)} errors")
sys.exit(1 if errors else 0)
PY
}

status=0
"$bin" scan "$tree" --format sarif --output "$work/scan.sarif" || [ $? -eq 1 ]
run_check "$work/scan.sarif" scan || status=1
"$bin" scan "$work/tree/src" --format sarif --output "$work/empty.sarif" --max-file-size 1 || [ $? -eq 1 ]
run_check "$work/empty.sarif" skipped-only || status=1
if "$bin" git --help >/dev/null 2>&1; then
  repo=$work/repo
  git init -q "$repo"
  cp -r "$tree/config" "$repo/"
  git -C "$repo" add -A
  git -C "$repo" -c user.name=ci -c user.email=ci@example.invalid commit -qm fixture
  "$bin" git "$repo" --format sarif --output "$work/git.sarif" || [ $? -eq 1 ]
  run_check "$work/git.sarif" git-history || status=1
fi
exit $status

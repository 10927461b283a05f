#!/usr/bin/env bash
# plainsight-fleet's tests: a fresh virtualenv, the package and Ray installed from the
# registries, and pytest on a real two-node Ray cluster on 127.0.0.1 driving the
# release binary. Run from .ci/run after the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
venv="${FLEET_VENV:-$root/target/fleet-venv}"
export PLAINSIGHT_BIN="${PLAINSIGHT_BIN:-$root/target/release/plainsight}"
[ -x "$PLAINSIGHT_BIN" ] || cargo build --locked --release
start=$(date +%s)
# Always a fresh one: a venv left half-installed by an interrupted run breaks pip.
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$root/fleet[test]"
echo "fleet: virtualenv and install took $(( $(date +%s) - start ))s"
export RAY_USAGE_STATS_ENABLED=0
cd "$root/fleet"
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests
echo "fleet: $(( $(date +%s) - start ))s in all"

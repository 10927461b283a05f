#!/usr/bin/env bash
# Run every cargo-fuzz target for a set time each, one after the other.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, all targets)
#
# Needs cargo-fuzz (`cargo install --locked cargo-fuzz`). cargo-fuzz wants nightly
# flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. Corpora live in
# fuzz/corpus/<target> (kept between runs, not committed); a crash lands in
# fuzz/artifacts/<target>/crash-* and stops that target: turn it into a regression
# test (tests/hostile_fuzz_regressions.rs) and fix it.
#
# Each target ends with libFuzzer's "Done N runs in S second(s)" line; this script
# prints a summary line per target: `fuzz: TARGET runs=N seconds=S crashes=C`.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
secs="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
# Build once, then run the built binaries: the whole campaign fuzzes one snapshot of the
# code, and edits made meanwhile can neither trigger rebuilds nor break later targets.
cargo fuzz build || exit 2
bin_dir="target/$(rustc -vV | sed -n 's/^host: //p')/release"
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log="artifacts/$t/last-run.log"
  echo "fuzz: $t for ${secs}s (started $(date -u +%H:%M:%S))"
  # -rss_limit_mb: a run that needs more than this is a bug (memory must stay bounded).
  "$bin_dir/$t" -artifact_prefix="artifacts/$t/" -max_total_time="$secs" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' | tail -1)
  crashes=$(find "artifacts/$t" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
  echo "fuzz: $t runs=${runs:-?} seconds=$secs crashes=$crashes exit=$rc"
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb|cov: ' "$log" | tail -3
  [ "$rc" -eq 0 ] || status=1
done
exit "$status"

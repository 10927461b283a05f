#!/usr/bin/env bash
# Times `plainsight git` on a generated repository of 5,000 commits, and the staged mode
# on a 10-file change, with hyperfine when installed (`apt-get install hyperfine`), else a
# loop with /usr/bin/time. Also times the `git` CLI plumbing alternative for history
# (`git log --raw` + `git cat-file --batch`) that src/git/mod.rs compares against.
#
# Usage: benches/git-history.sh [COMMITS]   (default 5000; PLAINSIGHT_BIN overrides the
#        binary, default target/release/plainsight, built if missing)
#
# The repository: 400 files in 20 folders; each commit edits one to three files (a few
# lines each) and every 250th commit adds a fake key. Packed with `git gc` like a real
# clone.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMITS=${1:-5000}
BIN=${PLAINSIGHT_BIN:-$ROOT/target/release/plainsight}
if [ ! -x "$BIN" ]; then
  (cd "$ROOT" && cargo build --release --locked --quiet)
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
REPO="$WORK/repo"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

echo "generating $COMMITS commits in $REPO ..."
git init -q -b main "$REPO"
python3 - "$COMMITS" <<'PY' | git -C "$REPO" fast-import --quiet
import random, sys
n = int(sys.argv[1])
rng = random.Random(42)
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
files = {f"src/mod{d:02}/file{i:03}.py": [f"# module {d} file {i}\n"] for d in range(20) for i in range(20)}
out = sys.stdout
mark = 0
def blob(text):
    global mark
    mark += 1
    # ASCII only, so the length in characters is the length in bytes.
    out.write(f"blob\nmark :{mark}\ndata {len(text)}\n{text}\n")
    return mark
paths = sorted(files)
t = 1_600_000_000
last_main = None
# (linear history; merges are covered by tests/git.rs)
for c in range(1, n + 1):
    t += 600
    changed = rng.sample(paths, rng.randint(1, 3))
    marks = {}
    for p in changed:
        lines = files[p]
        for _ in range(rng.randint(1, 4)):
            lines.append(f"value_{rng.randrange(10**9)} = compute({rng.randrange(1000)})\n")
        if c % 250 == 0:
            body = "".join(rng.choice(alphabet) for _ in range(16))
            lines.append("AWS_ACCESS_KEY_ID = '" + "AK" + "IA" + body + "'\n")
        marks[p] = blob("".join(lines))
    branch = "refs/heads/main"
    out.write(f"commit {branch}\nmark :{mark + 1}\n")
    mark += 1
    out.write(f"author Dev {c % 7} <dev{c % 7}@example.com> {t} +0000\n")
    out.write(f"committer Dev {c % 7} <dev{c % 7}@example.com> {t} +0000\n")
    msg = f"change {c}\n"
    out.write(f"data {len(msg)}\n{msg}")
    if last_main is not None:
        out.write(f"from :{last_main}\n")
    for p, m in marks.items():
        out.write(f"M 100644 :{m} {p}\n")
    out.write("\n")
    last_main = mark
out.write("done\n")
PY
git -C "$REPO" gc -q
echo "repository: $(git -C "$REPO" rev-list --count --all) commits, $(git -C "$REPO" count-objects -v | awk '/size-pack/ {print $2}') KiB packed"

run() {
  local name=$1
  shift
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "${RUNS:-5}" -i -N --export-json "$WORK/$name.json" "$@" 2>&1 |
      grep -E "Time|Range|Benchmark" || true
  else
    for i in 1 2 3; do
      /usr/bin/time -f "$name run $i: %e s wall, %M KiB max RSS" "$@" >/dev/null 2>"$WORK/time.txt" || true
      tail -1 "$WORK/time.txt"
    done
  fi
}

echo
echo "== plainsight git (history, all refs)"
"$BIN" git "$REPO" >"$WORK/out.txt" || true
tail -1 "$WORK/out.txt"
run history "$BIN git $REPO --format json --output /dev/null"

echo
echo "== git CLI plumbing: git log --raw (every introduced blob) + git cat-file --batch (read them)"
cat >"$WORK/cli.sh" <<EOF
#!/bin/sh
git -C "$REPO" log --all --raw --no-abbrev -m --no-renames --format=%H |
  awk '/^:/ {print \$4}' | sort -u | git -C "$REPO" cat-file --batch >/dev/null
EOF
chmod +x "$WORK/cli.sh"
run cli "$WORK/cli.sh"

echo
echo "== plainsight git --staged, 10 files changed"
git -C "$REPO" reset -q --hard main
for i in $(seq 0 9); do
  f="$REPO/src/mod0$i/file00$i.py"
  printf 'new_line_%s = 1\n' "$i" >>"$f"
  git -C "$REPO" add "src/mod0$i/file00$i.py"
done
"$BIN" git --staged "$REPO" | tail -1
run staged "$BIN git --staged $REPO"

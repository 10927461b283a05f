#!/usr/bin/env bash
# benches/corpus.sh: the mixed real-code benchmark corpus, eight public repositories at
# pinned commits (C, Go, PHP, Python, Rust, with their YAML/JSON specs, Markdown docs
# and minified assets), checked out side by side without their .git folders.
#
# Usage: benches/corpus.sh [--from DIR] [--out DIR]
#   --from DIR   clone from local mirrors instead of GitHub: DIR/<owner>+<name>/repo (a
#                bare git dir, as /work/.mirror holds) or DIR/<owner>/<name>(.git)
#   --out DIR    where the corpus goes (default ~/.cache/plainsight-bench/mixed); an
#                existing checkout at the pinned commit is kept
#
# Prints the corpus directory on stdout. Each repository is checked out at exactly its
# pinned commit; a mirror that lacks the commit is an error, never a silent other
# version. A mirror may hold a commit without some of its largest blobs (a partial
# snapshot): those files are left out and counted on stderr, the rest is written as is.
set -euo pipefail

FROM=""
OUT=${PLAINSIGHT_BENCH_CACHE:-$HOME/.cache/plainsight-bench}/mixed
while [ $# -gt 0 ]; do
  case "$1" in
    --from) FROM=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# owner/name commit
PINNED="
git/git 1a3e64c6c4a623626ff0687008732a8e007e2a1c
redis/redis 4f8cdc2a1ea53e42955af758aabffee67cb455dd
laravel/framework bd71b45fbb7e672957bf6ff61baddefe15fbca6a
fastapi/fastapi c3f316b7e814667e8ee81e03a7330d00ee61e45c
tokio-rs/tokio ea91b33ca57ff0581b38e735cc108f831bccbdaa
traefik/traefik fd5a576df2e8aeb0bfc8a96b6ef6e60a61f7ec0a
getsentry/sentry-python 064542dd2cbdbe0b11f1cda7f47d7d2920b0c38b
helm/helm e9b85e4de16ad45805843fb121748018cf89094b
"

log() { printf '[corpus] %s\n' "$*" >&2; }

source_of() { # owner/name -> a git URL or path to clone from
  local repo=$1
  if [ -z "$FROM" ]; then
    echo "https://github.com/$repo.git"
    return
  fi
  local d
  for d in "$FROM/${repo/\//+}/repo" "$FROM/$repo.git" "$FROM/$repo"; do
    if [ -d "$d" ]; then echo "$d"; return; fi
  done
  echo "no mirror of $repo under $FROM" >&2
  exit 2
}

# Which commit each checkout holds, kept beside the corpus so no tool scans it.
PINS="$OUT.pins"
# Write the tree of `commit` in the git dir `src` to `dest`, blob by blob through one
# `git cat-file --batch`, leaving out blobs the mirror does not hold.
checkout_from_mirror() {
  git -C "$1" cat-file -e "$2^{commit}" || { echo "$1 lacks commit $2" >&2; exit 2; }
  python3 - "$1" "$2" "$3" <<'PY'
import os, subprocess, sys
src, commit, dest = sys.argv[1:4]
tree = subprocess.run(["git", "-C", src, "ls-tree", "-r", "-z", "--full-tree", commit],
                      check=True, capture_output=True).stdout
entries = []
for rec in tree.split(b"\0"):
    if not rec:
        continue
    meta, path = rec.split(b"\t", 1)
    mode, kind, oid = meta.split()
    if kind == b"blob":  # submodules (commits) have no content here
        entries.append((mode, oid, os.fsdecode(path)))
cat = subprocess.Popen(["git", "-C", src, "cat-file", "--batch"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
missing = 0
for mode, oid, path in entries:
    cat.stdin.write(oid + b"\n")
    cat.stdin.flush()
    header = cat.stdout.readline().split()
    if header[-1] == b"missing":
        missing += 1
        continue
    data = cat.stdout.read(int(header[2]))
    cat.stdout.read(1)  # the newline after the contents
    target = os.path.join(dest, path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if mode == b"120000":
        os.symlink(os.fsdecode(data), target)
    else:
        with open(target, "wb") as f:
            f.write(data)
        if mode == b"100755":
            os.chmod(target, 0o755)
cat.stdin.close()
cat.wait()
if missing:
    print(f"[corpus] {src}: {missing} of {len(entries)} blobs absent from the mirror, left out",
          file=sys.stderr)
PY
}

mkdir -p "$OUT" "$PINS"
while read -r repo commit; do
  [ -n "$repo" ] || continue
  dest="$OUT/${repo/\//+}"
  pin="$PINS/${repo/\//+}"
  if [ -f "$pin" ] && [ "$(cat "$pin")" = "$commit" ]; then
    continue
  fi
  log "$repo at $commit"
  rm -rf "$dest" "$PINS/work.git" "$pin"
  mkdir -p "$dest"
  if [ -z "$FROM" ]; then
    git init -q --bare "$PINS/work.git"
    git -C "$PINS/work.git" fetch -q --depth 1 "$(source_of "$repo")" "$commit"
    git -C "$PINS/work.git" archive "$commit" | tar -x -C "$dest"
    rm -rf "$PINS/work.git"
  else
    checkout_from_mirror "$(source_of "$repo")" "$commit" "$dest"
  fi
  echo "$commit" > "$pin"
done <<< "$PINNED"
echo "$OUT"

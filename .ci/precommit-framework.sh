#!/usr/bin/env bash
# Runs plainsight's hooks under the real pre-commit framework (installed from PyPI into
# a temporary virtualenv) in a throwaway repository, and checks that:
#   1. .pre-commit-hooks.yaml is a valid manifest (all three hooks, the rust one too);
#   2. a clean commit passes;
#   3. a commit that stages a fake key is blocked, with the finding printed;
#   4. a key staged and then removed from the working file is still blocked;
#   5. `pre-commit run --all-files` scans every tracked file (not zero bytes) and fails
#      on a key committed earlier with --no-verify.
# The hooks come from this checkout (`repo: <path>`, at its HEAD commit) and use
# `language: system` with the plainsight binary built here, so nothing but PyPI is
# needed. Exits non-zero on any failure.
#
# Usage: .ci/precommit-framework.sh   (PLAINSIGHT_BIN=path overrides the binary)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
pass() { echo "precommit-framework: ok: $*"; }
fail() {
  echo "precommit-framework: FAIL: $*" >&2
  exit 1
}

# The newer of the release and debug builds (a stale one may predate `git --staged`).
BIN=${PLAINSIGHT_BIN:-}
if [ -z "$BIN" ]; then
  for candidate in "$ROOT/target/release/plainsight" "$ROOT/target/debug/plainsight"; do
    if [ -x "$candidate" ] && { [ -z "$BIN" ] || [ "$candidate" -nt "$BIN" ]; }; then
      BIN=$candidate
    fi
  done
fi
if [ -z "$BIN" ] || ! "$BIN" git --help >/dev/null 2>&1; then
  (cd "$ROOT" && cargo build --locked --quiet)
  BIN="$ROOT/target/debug/plainsight"
fi
[ -x "$BIN" ] || fail "no plainsight binary at $BIN"
echo "precommit-framework: using $BIN"

REV=$(git -C "$ROOT" rev-parse HEAD)
git -C "$ROOT" cat-file -e "$REV:.pre-commit-hooks.yaml" 2>/dev/null ||
  fail ".pre-commit-hooks.yaml is not committed at $REV (pre-commit clones the repository)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet pre-commit
PRE_COMMIT="$WORK/venv/bin/pre-commit"
echo "precommit-framework: $("$PRE_COMMIT" --version)"

mkdir -p "$WORK/bin"
ln -s "$BIN" "$WORK/bin/plainsight"
export PATH="$WORK/bin:$PATH"
export PRE_COMMIT_HOME="$WORK/cache"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=CI GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=CI GIT_COMMITTER_EMAIL=ci@example.com

"$PRE_COMMIT" validate-manifest "$ROOT/.pre-commit-hooks.yaml" ||
  fail ".pre-commit-hooks.yaml is not a valid manifest"
for id in plainsight plainsight-system plainsight-files; do
  grep -q "^- id: $id\$" "$ROOT/.pre-commit-hooks.yaml" || fail "hook $id missing"
done
pass "manifest valid with hooks plainsight, plainsight-system, plainsight-files"

REPO="$WORK/repo"
mkdir "$REPO"
cd "$REPO"
git init -q -b main
cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $ROOT
    rev: $REV
    hooks:
      - id: plainsight-system
      - id: plainsight-files
        stages: [manual]
EOF
"$PRE_COMMIT" install >/dev/null
# The fake key is assembled at run time so that this script itself holds no key (the
# scanner joins adjacent string literals, so "AKIA""…" would not do).
KEY=$(printf 'AKIA%s' QYLPMN5HFIQR7XYZ)

# 2. A clean commit passes.
printf 'print("hello")\n' >app.py
git add .pre-commit-config.yaml app.py
if ! git commit -q -m "clean" >"$WORK/clean.log" 2>&1; then
  cat "$WORK/clean.log"
  fail "a clean commit was blocked"
fi
pass "clean commit passed"

# 3. A commit staging a key is blocked and the finding is printed.
printf 'AWS_ACCESS_KEY_ID=%s\n' "$KEY" >.env
git add .env
if git commit -q -m "leak" >"$WORK/leak.log" 2>&1; then
  cat "$WORK/leak.log"
  fail "a commit staging a key went through"
fi
grep -q ".env:1:19" "$WORK/leak.log" || {
  cat "$WORK/leak.log"
  fail "the blocked commit did not print the finding"
}
grep -q "aws-access-key-id" "$WORK/leak.log" || fail "rule id missing from the hook output"
grep -q "$KEY" "$WORK/leak.log" && fail "the hook output showed the plaintext key"
pass "commit staging a key blocked; finding printed (masked):"
grep "aws-access-key-id" "$WORK/leak.log" | sed 's/^/    /'

# 4. Staged, then removed from the working file: the commit records the key, so it is
#    still blocked (pre-commit stashes unstaged changes; plainsight reads the index).
printf 'AWS_ACCESS_KEY_ID=\n' >.env
if git commit -q -m "leak, hidden" >"$WORK/hidden.log" 2>&1; then
  fail "a key staged then removed from the working file went through"
fi
grep -q "aws-access-key-id" "$WORK/hidden.log" || fail "no finding for the staged-then-removed key"
pass "key staged then removed from the working file still blocked"
git reset -q
rm -f .env

# 5. --all-files scans every tracked file, including one committed with --no-verify.
mkdir -p config
printf 'aws_access_key_id = %s\n' "$KEY" >config/settings.ini
printf 'nothing to see\n' >README.md
git add config/settings.ini README.md
git commit -q --no-verify -m "bypassed the hook"
tracked=$(git ls-files | wc -l)
if "$PRE_COMMIT" run --all-files --hook-stage manual plainsight-files >"$WORK/all.log" 2>&1; then
  cat "$WORK/all.log"
  fail "pre-commit run --all-files passed over a committed key"
fi
grep -q "config/settings.ini:1:" "$WORK/all.log" || {
  cat "$WORK/all.log"
  fail "--all-files did not report the committed key"
}
grep -Eq "scanned $tracked files" "$WORK/all.log" || {
  cat "$WORK/all.log"
  fail "--all-files did not scan all $tracked tracked files"
}
pass "pre-commit run --all-files scanned all $tracked tracked files and found the committed key"

# The staged hook on --all-files has nothing staged: it says so rather than pretending.
"$PRE_COMMIT" run --all-files plainsight-system >"$WORK/staged-all.log" 2>&1 ||
  fail "plainsight-system failed with nothing staged"
pass "plainsight-system with nothing staged passes"
echo "precommit-framework: 5 checks passed"

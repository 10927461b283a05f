#!/usr/bin/env python3
"""benches/quick.py: a short benchmark for CI, compared against benches/figures.json.

Times, as medians of --runs runs (each after one warm-up), with the release binary:
  startup      `plainsight scan` of an empty directory
  staged-2k    `plainsight git --staged` of a 10-file change in a 2,000-file repository
  staged-50k   the same in a 50,000-file repository
  scan-20mb    `plainsight scan` of 20 MB of generated config, docs and code
and, when betterleaks is installed (benches/peers.sh puts it in its cache), its
`git --staged` in the 2,000-file repository, for the ratio the README quotes.

Prints each median beside the committed figure and their ratio. Informational only:
timings on shared CI machines vary, so this never fails on a slow run (it exits 0
unless a command itself fails). `--write` stores this run's medians as the new figures.

Usage: benches/quick.py [--plainsight BIN] [--runs N] [--figures FILE] [--write]
"""

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")
    subprocess.run(["git", "-C", repo, *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def source_file(rng, i):
    """A small source-like file: assignments, comments, a URL or two."""
    lines = [f"// module {i}: generated for the staged benchmark"]
    for j in range(rng.randint(10, 60)):
        name = rng.choice(["count", "limit", "name", "path", "timeout", "retries", "host"])
        lines.append(f"let {name}_{j} = {rng.randint(0, 10**6)}; // see https://example.com/{i}/{j}")
    return "\n".join(lines) + "\n"


def staged_repo(tmp, files):
    """A committed repository of `files` files, then a 10-file change staged: nine
    edits and one new file holding a password assignment (built here, never a real key)."""
    repo = os.path.join(tmp, f"repo-{files}")
    rng = random.Random(files)
    os.makedirs(repo)
    git(repo, "init", "-q")
    for i in range(files):
        d = os.path.join(repo, f"pkg{i % 100}", f"mod{i % 7}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"file{i}.rs"), "w") as f:
            f.write(source_file(rng, i))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    for i in range(9):
        path = os.path.join(repo, f"pkg{i % 100}", f"mod{i % 7}", f"file{i}.rs")
        with open(path, "a") as f:
            f.write(f"let added_{i} = {i};\n")
    secret = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(24))
    with open(os.path.join(repo, "settings.py"), "w") as f:
        f.write("DATABASE_HOST = 'db.internal'\n" + "DATABASE_" + f"PASSWORD = '{secret}'\n")
    git(repo, "add", "-A")
    return repo


def text_corpus(tmp, megabytes):
    """Generated YAML, JSON, Markdown and code with credential keywords in names and
    values, the kind of text that makes keyword windows dense."""
    out = os.path.join(tmp, "corpus")
    os.makedirs(out)
    rng = random.Random(7)
    words = ["token", "secret", "password", "api_key", "auth", "key", "client_id", "bearer"]
    size, n = 0, 0
    while size < megabytes << 20:
        kind = n % 4
        if kind == 0:
            body = "".join(f"  {rng.choice(words)}_{k}: ${{VAR_{k}}}\n  name: item-{k}\n"
                           for k in range(400))
            name = f"config{n}.yaml"
        elif kind == 1:
            body = json.dumps([{rng.choice(words): f"value-{k}", "id": k} for k in range(600)])
            name = f"spec{n}.json"
        elif kind == 2:
            body = "".join(f"Set the `{rng.choice(words)}` option to configure step {k}.\n\n"
                           for k in range(500))
            name = f"doc{n}.md"
        else:
            body = "".join(f"const {rng.choice(words)}{k} = getenv(\"X_{k}\");\n" for k in range(700))
            name = f"code{n}.js"
        with open(os.path.join(out, name), "w") as f:
            f.write(body)
        size += len(body)
        n += 1
    return out


def median_ms(argv, cwd, runs):
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append((time.perf_counter() - t) * 1000)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(argv)} exited {done.returncode}")
    return statistics.median(walls)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plainsight", default=os.path.join(ROOT, "target/release/plainsight"))
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--figures", default=os.path.join(ROOT, "benches/figures.json"))
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    ps = os.path.abspath(args.plainsight)
    tmp = tempfile.mkdtemp(prefix="plainsight-quick-")
    try:
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        small, large = staged_repo(tmp, 2000), staged_repo(tmp, 50000)
        corpus = text_corpus(tmp, 20)
        # Writing the fixtures leaves dirty pages that the kernel flushes for seconds
        # after: without this the first case timed (staged-2k) ran during that
        # writeback, and its median varied by half from run to run.
        os.sync()
        time.sleep(1)
        cases = {
            "startup": ([ps, "scan", empty], tmp),
            "staged-2k": ([ps, "git", "--staged"], small),
            "staged-50k": ([ps, "git", "--staged"], large),
            "scan-20mb": ([ps, "scan", corpus], tmp),
        }
        betterleaks = os.path.expanduser("~/.cache/plainsight-bench/venv/bin/betterleaks")
        if os.access(betterleaks, os.X_OK):
            cases["betterleaks-staged-2k"] = ([betterleaks, "git", "--staged", "--no-banner"], small)
        now = {name: median_ms(argv, cwd, args.runs) for name, (argv, cwd) in cases.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    try:
        with open(args.figures) as f:
            committed = json.load(f)["medians_ms"]
    except (OSError, KeyError, ValueError):
        committed = {}
    print(f"| case | median ms (this run, {args.runs} runs) | committed ms | this / committed |")
    print("|---|---:|---:|---:|")
    for name, ms in now.items():
        was = committed.get(name)
        ratio = f"{ms / was:.2f}" if was else "-"
        print(f"| {name} | {ms:.1f} | {was if was is not None else '-'} | {ratio} |")
    if "betterleaks-staged-2k" in now:
        print(f"\nstaged-2k / betterleaks: {now['staged-2k'] / now['betterleaks-staged-2k']:.3f}")
    if args.write:
        with open(args.figures, "w") as f:
            json.dump({"machine": f"{platform.machine()}, {os.cpu_count()} cores",
                       "runs": args.runs,
                       "medians_ms": {k: round(v, 1) for k, v in now.items()}}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()

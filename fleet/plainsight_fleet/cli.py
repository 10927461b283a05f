"""``plainsight-fleet scan``: the driver. It never reads a repository itself; it hands
each one to Ray tasks, writes what they return, and keeps ``summary.json`` current after
every repository so an interrupted run resumes where it stopped.

Exit codes follow plainsight's: 0 nothing found, 1 findings, 2 a repository could not be
scanned (the others are still scanned and reported).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from typing import Optional

import ray

from . import tasks
from .progress import Progress

SUMMARY = "summary.json"
SEVERITIES = ("error", "warning", "note")


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="plainsight-fleet",
        description="Scan many git repositories with plainsight on a Ray cluster.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("scan", help="scan every repository listed in a file")
    s.add_argument(
        "--address",
        default="local",
        help="`local` (start Ray in this process), `auto` (the cluster on this machine), "
        "or HOST:PORT of a cluster's head",
    )
    s.add_argument("--repos", required=True, help="file listing repositories, one a line")
    s.add_argument("--out", required=True, help="directory for the reports and summary.json")
    s.add_argument(
        "--shards-over",
        type=int,
        default=256 << 20,
        metavar="BYTES",
        help="split repositories larger than this on disk into shards (default 256 MiB)",
    )
    s.add_argument("--max-shards", type=int, default=16, help="at most this many shards per repository")
    s.add_argument("--plainsight", help="the plainsight binary (default: from PATH)")
    s.add_argument(
        "--max-retries",
        type=int,
        default=3,
        help="times Ray reruns a task whose worker or node died (default 3)",
    )
    s.add_argument(
        "--cache-dir",
        default="~/.cache/plainsight-fleet/mirrors",
        help="where workers mirror clone URLs",
    )
    s.add_argument("--num-cpus", type=int, help="CPUs of the in-process Ray (--address local)")
    # Test-only knobs: slow each scan task down, and record which node runs it.
    s.add_argument("--task-delay", type=float, default=0.0, help=argparse.SUPPRESS)
    s.add_argument("--test-mark-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.shards_over < 1 or args.max_shards < 1 or args.max_retries < 0:
        parser.error("--shards-over and --max-shards must be positive, --max-retries not negative")
    return args


def read_repos(path: str) -> list[str]:
    """Repositories in file order, each once; blank lines and `#` comments are skipped."""
    with open(path, encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    seen: dict[str, None] = {}
    for line in lines:
        if line and not line.startswith("#"):
            seen.setdefault(line, None)
    return list(seen)


def resolve_plainsight(given: Optional[str]) -> str:
    if given:
        return os.path.abspath(given) if os.path.exists(given) else given
    found = shutil.which("plainsight")
    if not found:
        raise SystemExit("plainsight-fleet: plainsight is not on PATH; pass --plainsight PATH")
    return found


def connect(address: str, num_cpus: Optional[int]) -> None:
    common = {"log_to_driver": False, "configure_logging": False}
    if address == "local":
        # "local" makes Ray start a new instance even if another runs on this machine.
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, **common)
    else:
        ray.init(address=address, **common)
    # Workers need not have this package installed: its task code travels with the tasks.
    try:
        ray.cloudpickle.register_pickle_by_value(tasks)
    except Exception:  # pragma: no cover - older cloudpickle
        pass


def counts(report_json: str) -> dict[str, int]:
    findings = json.loads(report_json).get("findings", [])
    out = {s: 0 for s in SEVERITIES}
    for f in findings:
        out[f.get("severity", "note")] = out.get(f.get("severity", "note"), 0) + 1
    return out


def write_atomic(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def error_text(e: BaseException) -> str:
    """The cause of a failed task in one line or a few: ours, or Ray's own."""
    if isinstance(e, ray.exceptions.RayTaskError):
        cause = getattr(e, "cause", None)
        if isinstance(cause, tasks.ScanError):
            return str(cause)
        if cause is not None and not isinstance(cause, ray.exceptions.RayTaskError):
            return f"{type(cause).__name__}: {cause}"
    text = str(e).strip().splitlines()
    return text[-1] if text else type(e).__name__


class Run:
    """The state of one fleet run: entries per repository, and summary.json."""

    def __init__(self, args: argparse.Namespace, repos: list[str]):
        self.args = args
        self.repos = repos
        self.out = args.out
        self.entries: dict[str, dict] = {}
        self.previous: dict[str, dict] = {}
        self.started = time.time()
        path = os.path.join(self.out, SUMMARY)
        if os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as f:
                    self.previous = {e["repo"]: e for e in json.load(f).get("repos", [])}
            except (OSError, ValueError, KeyError, TypeError):
                self.previous = {}  # an unreadable summary: scan everything again

    def unchanged(self, repo: str, info: dict) -> Optional[dict]:
        prev = self.previous.get(repo)
        if not prev or prev.get("error") or prev.get("tips_hash") != info["tips_hash"]:
            return None
        slug = tasks.slug(repo)
        for ext in ("json", "sarif", "inventory.json"):
            if not os.path.exists(os.path.join(self.out, f"{slug}.{ext}")):
                return None
        return prev

    def record(self, repo: str, entry: dict) -> None:
        self.entries[repo] = entry
        self.write_summary()

    def totals(self) -> dict:
        entries = list(self.entries.values())
        by_sev = {s: sum(e.get("by_severity", {}).get(s, 0) for e in entries) for s in SEVERITIES}
        return {
            "repos": len(self.repos),
            "done": len(entries),
            "scanned": sum(e["status"] == "scanned" for e in entries),
            "skipped": sum(e["status"] == "skipped" for e in entries),
            "failed": sum(e["status"] == "failed" for e in entries),
            "findings": sum(by_sev.values()),
            "by_severity": by_sev,
            "wall_seconds": round(time.time() - self.started, 3),
        }

    def write_summary(self) -> None:
        ordered = [self.entries[r] for r in self.repos if r in self.entries]
        doc = {"format_version": 1, "repos": ordered, "totals": self.totals()}
        write_atomic(os.path.join(self.out, SUMMARY), json.dumps(doc, indent=2) + "\n")


def write_inventory(out: str, state: Run) -> None:
    """`inventory.json`: every repository scanned now or unchanged since, folded into one
    organisation-wide row per vendor (failed repositories have none to add)."""
    inventories = {}
    for entry in state.entries.values():
        if entry["status"] == "failed":
            continue
        path = os.path.join(out, f"{entry['slug']}.inventory.json")
        with open(path, encoding="utf-8") as f:
            inventories[entry["slug"]] = json.load(f)
    text = json.dumps(tasks.organisation_inventory(inventories), indent=2) + "\n"
    path = os.path.join(out, "inventory.json")
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return  # a rerun that changed nothing leaves every file as it was
    except OSError:
        pass
    write_atomic(path, text)


def run_scan(args: argparse.Namespace) -> int:
    repos = read_repos(args.repos)
    plainsight = resolve_plainsight(args.plainsight)
    os.makedirs(args.out, exist_ok=True)
    if args.test_mark_dir:
        os.makedirs(args.test_mark_dir, exist_ok=True)
    state = Run(args, repos)
    connect(args.address, args.num_cpus)
    here = ray.get_runtime_context().get_node_id()
    log = tasks.AttemptLog.options(
        scheduling_strategy=ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(
            node_id=here, soft=False
        )
    ).remote()
    knobs = {"delay": args.task_delay, "mark_dir": args.test_mark_dir}
    retries = {"max_retries": args.max_retries}
    progress = Progress(len(repos), sys.stderr)

    # ref -> (repo, stage, info, started)
    pending: dict = {}
    began: dict[str, float] = {}
    for repo in repos:
        began[repo] = time.time()
        ref = tasks.describe_task.options(**retries).remote(log, repo, args.cache_dir, plainsight)
        pending[ref] = (repo, "describe", None)

    def attempts(repo: str) -> int:
        return max(1, ray.get(log.attempts.remote(repo)))

    def fail(repo: str, info: Optional[dict], e: BaseException) -> None:
        entry = {
            "repo": repo,
            "slug": tasks.slug(repo),
            "status": "failed",
            "head": info and info["head"],
            "tips": info and info["tips"],
            "tips_hash": info and info["tips_hash"],
            "findings": 0,
            "by_severity": {s: 0 for s in SEVERITIES},
            "duration_seconds": round(time.time() - began[repo], 3),
            "attempts": attempts(repo),
            "shards": 0,
            "error": error_text(e),
        }
        state.record(repo, entry)
        progress.update(state.totals(), f"{repo}: FAILED: {entry['error']}")

    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        ref = ready[0]
        repo, stage, info = pending.pop(ref)
        try:
            result = ray.get(ref)
        except ray.exceptions.RayError as e:
            fail(repo, info, e)
            continue
        if stage == "describe":
            info = result
            prev = state.unchanged(repo, info)
            if prev is not None:
                entry = dict(prev, status="skipped", duration_seconds=0.0, attempts=0)
                state.record(repo, entry)
                progress.update(
                    state.totals(),
                    f"{repo}: unchanged since the last run (tips {info['tips_hash'][:12]}), skipped",
                )
                continue
            n = 1
            if info["size"] > args.shards_over:
                n = min(args.max_shards, max(2, math.ceil(info["size"] / args.shards_over)))
            if n == 1:
                final = tasks.scan_task.options(**retries).remote(
                    log, repo, args.cache_dir, plainsight, knobs
                )
            else:
                parts = [
                    tasks.shard_task.options(**retries).remote(
                        log, repo, args.cache_dir, plainsight, knobs, i, n
                    )
                    for i in range(n)
                ]
                final = tasks.merge_task.options(**retries).remote(log, repo, plainsight, *parts)
            inventory = tasks.inventory_task.options(**retries).remote(
                log, repo, args.cache_dir, plainsight
            )
            info = dict(info, shards=n, inventory=inventory)
            pending[final] = (repo, "scan", info)
            continue
        try:
            inventory = ray.get(info["inventory"])
        except ray.exceptions.RayError as e:
            fail(repo, info, e)
            continue
        slug = tasks.slug(repo)
        write_atomic(os.path.join(args.out, f"{slug}.inventory.json"), inventory)
        write_atomic(os.path.join(args.out, f"{slug}.json"), result["json"])
        write_atomic(os.path.join(args.out, f"{slug}.sarif"), result["sarif"])
        by_sev = counts(result["json"])
        entry = {
            "repo": repo,
            "slug": slug,
            "status": "scanned",
            "head": info["head"],
            "tips": info["tips"],
            "tips_hash": info["tips_hash"],
            "findings": sum(by_sev.values()),
            "by_severity": by_sev,
            "duration_seconds": round(time.time() - began[repo], 3),
            "attempts": attempts(repo),
            "shards": info["shards"],
            "error": None,
            "reports": {
                "json": f"{slug}.json",
                "sarif": f"{slug}.sarif",
                "inventory": f"{slug}.inventory.json",
            },
        }
        state.record(repo, entry)
        progress.update(
            state.totals(),
            f"{repo}: {entry['findings']} finding(s), {entry['shards']} shard(s), "
            f"{entry['duration_seconds']:.1f}s, {entry['attempts']} attempt(s)",
        )
    totals = state.totals()
    state.write_summary()
    write_inventory(args.out, state)
    progress.finish(totals)
    ray.shutdown()
    if totals["failed"]:
        return 2
    return 1 if totals["findings"] else 0


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    return run_scan(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

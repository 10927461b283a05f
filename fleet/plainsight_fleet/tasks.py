"""What runs in Ray tasks: find (or mirror) a repository, describe it, scan it whole or
one shard of it, and merge shard reports.

The plain functions do the work and raise :class:`ScanError` for a repository that
cannot be scanned (a Ray task error, not retried: it would fail the same way again).
The ``*_task`` wrappers add what Ray needs: one CPU each, and an :class:`AttemptLog`
entry per attempt, so ``summary.json`` can say how often a worker's death made Ray run
a task again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from typing import Optional

import ray


class ScanError(Exception):
    """A repository could not be described, scanned or merged; the message says why."""


def is_url(spec: str) -> bool:
    """Clone URLs (``https://…``, ``ssh://…``, ``git@host:path``) are mirrored by workers."""
    return "://" in spec or re.match(r"^[\w.-]+@[\w.-]+:", spec) is not None


def slug(spec: str) -> str:
    """A file name for a repository: its last path part, plus a hash of the whole spec so
    that two repositories with the same name do not overwrite each other's reports."""
    base = spec.rstrip("/").split("/")[-1].split(":")[-1]
    if base.endswith(".git"):
        base = base[: -len(".git")]
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-.") or "repo"
    return f"{base}-{hashlib.sha256(spec.encode()).hexdigest()[:8]}"


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as e:
        raise ScanError(f"cannot run {cmd[0]}: {e}") from e


def git(repo: str, *args: str) -> str:
    p = _run(["git", "-C", repo, *args])
    if p.returncode != 0:
        raise ScanError(f"git {' '.join(args)} in {repo}: {p.stderr.strip()}")
    return p.stdout


def local_repo(spec: str, cache_dir: str) -> str:
    """The repository as a local path: the path itself, or a mirror of the URL in this
    node's cache (cloned once, then fetched)."""
    if not is_url(spec):
        if not os.path.exists(spec):
            raise ScanError(f"no such repository: {spec}")
        return spec
    cache = os.path.expanduser(cache_dir)
    os.makedirs(cache, exist_ok=True)
    dest = os.path.join(cache, slug(spec) + ".git")
    if os.path.isdir(dest):
        git(dest, "remote", "update", "--prune")
        return dest
    tmp = tempfile.mkdtemp(prefix=".clone-", dir=cache)
    p = _run(["git", "clone", "--quiet", "--mirror", spec, tmp])
    if p.returncode != 0:
        raise ScanError(f"cannot mirror {spec}: {p.stderr.strip()}")
    try:
        os.rename(tmp, dest)
    except OSError:
        pass  # another task on this node mirrored it first
    return dest


def plainsight_version(plainsight: str) -> str:
    p = _run([plainsight, "--version"])
    if p.returncode != 0:
        raise ScanError(f"{plainsight} --version failed: {p.stderr.strip()}")
    return p.stdout.strip()


def describe(spec: str, cache_dir: str, plainsight: str) -> dict:
    """Tips, HEAD, size on disk, and the key a rerun compares: a hash of the tips and of
    the plainsight version (a new version may find more in the same history)."""
    path = local_repo(spec, cache_dir)
    git(path, "rev-parse", "--git-dir")  # fails clearly for a folder that is no repository
    tips: dict[str, str] = {}
    for line in git(path, "for-each-ref", "--format=%(objectname) %(refname)").splitlines():
        sha, _, ref = line.partition(" ")
        tips[ref] = sha
    head_p = _run(["git", "-C", path, "rev-parse", "--verify", "-q", "HEAD"])
    head = head_p.stdout.strip() if head_p.returncode == 0 else None
    size = 0
    for line in git(path, "count-objects", "-v").splitlines():
        key, _, value = line.partition(":")
        if key in ("size", "size-pack"):
            size += int(value.strip()) * 1024
    version = plainsight_version(plainsight)
    key = json.dumps({"tips": tips, "head": head, "plainsight": version}, sort_keys=True)
    return {
        "path": path,
        "tips": tips,
        "head": head,
        "size": size,
        "tips_hash": hashlib.sha256(key.encode()).hexdigest(),
        "plainsight": version,
    }


def _plainsight(plainsight: str, args: list[str]) -> int:
    p = _run([plainsight, *args])
    if p.returncode not in (0, 1):
        raise ScanError(f"plainsight {args[0]} failed (exit {p.returncode}): {p.stderr.strip()}")
    return p.returncode


def scan(spec: str, cache_dir: str, plainsight: str, shard: Optional[tuple[int, int]]) -> str:
    """The JSON report of `plainsight git` over the repository, or over one shard."""
    path = local_repo(spec, cache_dir)
    with tempfile.TemporaryDirectory(prefix="plainsight-fleet-") as tmp:
        out = os.path.join(tmp, "report.json")
        args = ["git", path, "--format", "json", "--output", out]
        if shard is not None:
            args += ["--shard", f"{shard[0]}/{shard[1]}"]
        _plainsight(plainsight, args)
        with open(out, encoding="utf-8") as f:
            return f.read()


def merge(plainsight: str, reports: list[str]) -> dict:
    """Shard reports (or one whole report) folded by `plainsight merge` into the JSON and
    SARIF reports one run writes."""
    with tempfile.TemporaryDirectory(prefix="plainsight-fleet-") as tmp:
        inputs = []
        for i, text in enumerate(reports):
            p = os.path.join(tmp, f"part{i}.json")
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            inputs.append(p)
        out: dict = {}
        for fmt in ("json", "sarif"):
            target = os.path.join(tmp, f"merged.{fmt}")
            _plainsight(plainsight, ["merge", "--format", fmt, "--output", target, *inputs])
            with open(target, encoding="utf-8") as f:
                out[fmt] = f.read()
        return out


def inventory(spec: str, cache_dir: str, plainsight: str) -> str:
    """The JSON inventory of `plainsight inventory --git` over the whole repository
    (it is not sharded: it is one row per vendor, small whatever the history's size)."""
    path = local_repo(spec, cache_dir)
    with tempfile.TemporaryDirectory(prefix="plainsight-fleet-") as tmp:
        out = os.path.join(tmp, "inventory.json")
        _plainsight(plainsight, ["inventory", "--git", path, "--format", "json", "--output", out])
        with open(out, encoding="utf-8") as f:
            return f.read()


def organisation_inventory(inventories: dict[str, dict]) -> dict:
    """Per-repository inventories (slug -> parsed `inventory --format json`) folded into
    one row per vendor across the organisation: which repositories hold its credentials,
    how many distinct secrets of each kind (distinct within a repository; the same key in
    two repositories is two copies to rotate), how many are still present at HEAD, and
    which repositories send it data (identifiers, endpoint uses)."""
    vendors: dict[str, dict] = {}
    for slug in sorted(inventories):
        for v in inventories[slug].get("vendors", []):
            row = vendors.setdefault(
                v["name"],
                {
                    "name": v["name"],
                    "category": v["category"],
                    "repositories": [],
                    "credentials": {},
                    "secrets": 0,
                    "present_at_head": 0,
                    "identifiers": 0,
                    "endpoint_uses": 0,
                },
            )
            secrets = v.get("secrets", [])
            present = sum(1 for x in secrets if x.get("history", {}).get("present_at_head", True))
            row["repositories"].append(
                {
                    "repo": slug,
                    "secrets": len(secrets),
                    "present_at_head": present,
                    "identifiers": v["identifiers"]["distinct"],
                    "endpoint_uses": v["endpoints"]["distinct"],
                }
            )
            for c in v.get("credentials", []):
                k = row["credentials"].setdefault(
                    c["kind"], {"kind": c["kind"], "secrets": 0, "locations": 0, "files": 0, "repositories": 0}
                )
                k["secrets"] += c["secrets"]
                k["locations"] += c["locations"]
                k["files"] += c["files"]
                k["repositories"] += 1
            row["secrets"] += len(secrets)
            row["present_at_head"] += present
            row["identifiers"] += v["identifiers"]["distinct"]
            row["endpoint_uses"] += v["endpoints"]["distinct"]
    rows = []
    for name in sorted(vendors, key=lambda n: (-vendors[n]["secrets"], n.lower())):
        row = vendors[name]
        row["credentials"] = [row["credentials"][k] for k in sorted(row["credentials"])]
        rows.append(row)
    return {
        "format_version": 1,
        "repositories": sorted(inventories),
        "vendors": rows,
        "totals": {
            "repositories": len(inventories),
            "vendors": len(rows),
            "secrets": sum(r["secrets"] for r in rows),
            "present_at_head": sum(r["present_at_head"] for r in rows),
            "identifiers": sum(r["identifiers"] for r in rows),
            "endpoint_uses": sum(r["endpoint_uses"] for r in rows),
        },
    }


@ray.remote(num_cpus=0)
class AttemptLog:
    """How many times each task started: Ray reruns a task whose worker or node died,
    and the summary reports the attempts. Pinned to the driver's node by the driver."""

    def __init__(self) -> None:
        self.starts: dict[str, int] = {}

    def begin(self, key: str) -> int:
        self.starts[key] = self.starts.get(key, 0) + 1
        return self.starts[key]

    def attempts(self, repo: str) -> int:
        prefix = repo + "\0"
        return max((n for k, n in self.starts.items() if k.startswith(prefix)), default=0)


def _begin(log, repo: str, what: str, knobs: dict) -> None:
    ray.get(log.begin.remote(f"{repo}\0{what}"))
    mark_dir = knobs.get("mark_dir")
    if mark_dir:
        # Test-only: say which node runs what, so a test can kill a node mid-task.
        node = ray.get_runtime_context().get_node_id()
        name = f"{node}-{slug(repo)}-{what.replace('/', '_')}-{time.time_ns()}"
        open(os.path.join(mark_dir, name), "w").close()
    delay = knobs.get("delay", 0)
    if delay:
        time.sleep(delay)


@ray.remote(num_cpus=1)
def describe_task(log, spec: str, cache_dir: str, plainsight: str) -> dict:
    ray.get(log.begin.remote(f"{spec}\0describe"))
    return describe(spec, cache_dir, plainsight)


@ray.remote(num_cpus=1)
def scan_task(log, spec, cache_dir, plainsight, knobs) -> dict:
    """A whole repository: its JSON report and, through `merge` of that one report, SARIF."""
    _begin(log, spec, "scan", knobs)
    return merge(plainsight, [scan(spec, cache_dir, plainsight, None)])


@ray.remote(num_cpus=1)
def shard_task(log, spec, cache_dir, plainsight, knobs, index: int, count: int) -> str:
    _begin(log, spec, f"shard{index}/{count}", knobs)
    return scan(spec, cache_dir, plainsight, (index, count))


@ray.remote(num_cpus=1)
def merge_task(log, spec, plainsight, *reports: str) -> dict:
    ray.get(log.begin.remote(f"{spec}\0merge"))
    return merge(plainsight, list(reports))


@ray.remote(num_cpus=1)
def inventory_task(log, spec, cache_dir, plainsight) -> str:
    ray.get(log.begin.remote(f"{spec}\0inventory"))
    return inventory(spec, cache_dir, plainsight)

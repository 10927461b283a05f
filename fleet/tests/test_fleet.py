"""plainsight-fleet on a real two-node Ray cluster started with `ray start` on 127.0.0.1:
its reports equal `plainsight git` run directly, a rerun skips unchanged repositories,
a node killed mid-run changes nothing in the result, and a repository that cannot be
scanned is recorded while the others finish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plainsight_fleet.tasks import slug

FLEET = str(Path(sys.executable).parent / "plainsight-fleet")
# Every repository of the fixture is a few tens of KiB; the big one is sharded.
SHARDS_OVER = 120_000
RUN_TIMEOUT = 600


def direct(plainsight: str, repo: Path, fmt: str) -> str:
    p = subprocess.run(
        [plainsight, "git", str(repo), "--format", fmt], capture_output=True, text=True
    )
    assert p.returncode in (0, 1), p.stderr
    return p.stdout


def normalised(fmt: str, text: str):
    v = json.loads(text)
    if fmt == "json":
        v["stats"]["elapsed_ms"] = 0
    return v


def fleet_args(cluster, plainsight, repos_file, out, *extra):
    return [
        FLEET, "scan",
        "--address", cluster.address,
        "--repos", str(repos_file),
        "--out", str(out),
        "--shards-over", str(SHARDS_OVER),
        "--plainsight", plainsight,
        *extra,
    ]


def run_fleet(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    return subprocess.run(list(args), capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)


def assert_reports_equal_direct(plainsight, repos, out: Path) -> None:
    for repo in repos:
        s = slug(str(repo))
        for fmt, ext in (("json", "json"), ("sarif", "sarif")):
            got = (out / f"{s}.{ext}").read_text()
            assert normalised(fmt, got) == normalised(fmt, direct(plainsight, repo, fmt)), (repo, fmt)


def assert_inventories_equal_direct(plainsight, repos, out: Path) -> None:
    """Each repository's inventory is `plainsight inventory --git` run directly, and the
    organisation's inventory.json adds them up vendor by vendor."""
    per_repo = {}
    for repo in repos:
        s = slug(str(repo))
        p = subprocess.run(
            [plainsight, "inventory", "--git", str(repo), "--format", "json"],
            capture_output=True, text=True,
        )
        assert p.returncode == 0, p.stderr
        got = json.loads((out / f"{s}.inventory.json").read_text())
        assert got == json.loads(p.stdout), repo
        per_repo[s] = got
    org = json.loads((out / "inventory.json").read_text())
    assert org["repositories"] == sorted(per_repo)
    assert org["totals"]["secrets"] == sum(
        len(v["secrets"]) for inv in per_repo.values() for v in inv["vendors"]
    )
    assert org["totals"]["secrets"] > 0
    names = {v["name"] for inv in per_repo.values() for v in inv["vendors"]}
    assert {v["name"] for v in org["vendors"]} == names
    for row in org["vendors"]:
        assert sum(r["secrets"] for r in row["repositories"]) == row["secrets"]
        assert sum(c["secrets"] for c in row["credentials"]) == row["secrets"]


def write_list(path: Path, entries) -> Path:
    path.write_text("".join(f"{e}\n" for e in entries))
    return path


def test_reports_equal_direct_runs_failures_are_recorded_and_rerun_skips(
    cluster, plainsight_bin, repos, tmp_path
):
    missing = tmp_path / "does-not-exist"
    repos_file = write_list(tmp_path / "repos.txt", [*map(str, repos), str(missing)])
    out = tmp_path / "out"
    t = time.time()
    p = run_fleet(*fleet_args(cluster, plainsight_bin, repos_file, out))
    first_wall = time.time() - t
    assert p.returncode == 2, p.stderr
    summary = json.loads((out / "summary.json").read_text())
    by_repo = {e["repo"]: e for e in summary["repos"]}
    failed = by_repo[str(missing)]
    assert failed["status"] == "failed"
    assert "no such repository" in failed["error"]
    for repo in repos:
        e = by_repo[str(repo)]
        assert e["status"] == "scanned", e
        assert e["error"] is None
        assert e["head"] and e["tips"]["refs/heads/main"] == e["head"]
        assert e["by_severity"]["error"] == e["findings"] > 0
        assert e["attempts"] >= 1
    assert by_repo[str(repos[-1])]["shards"] >= 2, "the big repository is sharded"
    assert summary["totals"]["failed"] == 1
    assert summary["totals"]["scanned"] == len(repos)
    assert summary["totals"]["findings"] == sum(by_repo[str(r)]["findings"] for r in repos)
    # Not a terminal: one plain line per repository.
    assert "\r" not in p.stderr
    assert p.stderr.count("plainsight-fleet: [") == len(repos) + 1
    assert_reports_equal_direct(plainsight_bin, repos, out)
    assert_inventories_equal_direct(plainsight_bin, repos, out)

    before = {f: (out / f).stat().st_mtime_ns for f in os.listdir(out) if f != "summary.json"}
    p = run_fleet(*fleet_args(cluster, plainsight_bin, repos_file, out))
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("skipped") >= len(repos), p.stderr
    summary = json.loads((out / "summary.json").read_text())
    statuses = {e["repo"]: e["status"] for e in summary["repos"]}
    assert [statuses[str(r)] for r in repos] == ["skipped"] * len(repos)
    assert statuses[str(missing)] == "failed"
    assert summary["totals"]["findings"] > 0
    after = {f: (out / f).stat().st_mtime_ns for f in os.listdir(out) if f != "summary.json"}
    assert after == before, "skipped repositories' reports are left alone"
    print(f"first run {first_wall:.1f}s")


def test_a_node_killed_while_tasks_run_changes_nothing(cluster, plainsight_bin, repos, tmp_path):
    repos_file = write_list(tmp_path / "repos.txt", map(str, repos))
    out = tmp_path / "out"
    marks = tmp_path / "marks"
    args = fleet_args(
        cluster, plainsight_bin, repos_file, out,
        "--task-delay", "4", "--test-mark-dir", str(marks),
    )
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            on_worker = [m for m in os.listdir(marks)] if marks.exists() else []
            if any(m.startswith(cluster.worker_node_id) for m in on_worker):
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        else:
            pytest.fail("no task ever ran on the second node")
        time.sleep(1)  # the task is inside its delay, before it returns
        cluster.kill_worker()
        stdout, stderr = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert [e["status"] for e in summary["repos"]] == ["scanned"] * len(repos), summary
    assert max(e["attempts"] for e in summary["repos"]) >= 2, summary
    assert_reports_equal_direct(plainsight_bin, repos, out)


def test_address_local_starts_its_own_ray(plainsight_bin, repos, tmp_path):
    repos_file = write_list(tmp_path / "repos.txt", map(str, repos[:2]))
    out = tmp_path / "out"
    p = run_fleet(
        FLEET, "scan", "--address", "local", "--num-cpus", "1",
        "--repos", str(repos_file), "--out", str(out), "--plainsight", plainsight_bin,
    )
    assert p.returncode == 1, p.stderr
    assert_reports_equal_direct(plainsight_bin, repos[:2], out)

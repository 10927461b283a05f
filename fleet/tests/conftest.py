"""A real two-node Ray cluster on 127.0.0.1 for the fleet's tests, and generated git
repositories.

Both nodes are started with `ray start --block` in sessions of their own, so teardown
(and the node-death test) ends exactly the processes they started, by process id, even
when a test fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

VENV_BIN = Path(sys.executable).parent
RAY = str(VENV_BIN / "ray")
START_TIMEOUT = 240  # seconds: a 2-core machine shared with builds starts Ray slowly


def free_ports(n: int) -> list[int]:
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def ray_env() -> dict:
    env = dict(os.environ)
    env.update(
        RAY_USAGE_STATS_ENABLED="0",
        # Notice a dead node within seconds, not the default half minute.
        RAY_health_check_period_ms="1000",
        RAY_health_check_failure_threshold="3",
        RAY_health_check_timeout_ms="1000",
    )
    return env


def node_args(ports: list[int]) -> list[str]:
    nm, om, agent, agent_grpc, metrics, renv, wmin = ports[:7]
    return [
        "--node-ip-address=127.0.0.1",
        "--num-cpus=1",
        "--disable-usage-stats",
        f"--node-manager-port={nm}",
        f"--object-manager-port={om}",
        f"--dashboard-agent-listen-port={agent}",
        f"--dashboard-agent-grpc-port={agent_grpc}",
        f"--metrics-export-port={metrics}",
        f"--runtime-env-agent-port={renv}",
        f"--min-worker-port={wmin}",
        f"--max-worker-port={wmin + 40}",
        "--object-store-memory=80000000",
        "--block",
    ]


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a `ray start --block` process and every process under it."""
    try:
        parent = psutil.Process(proc.pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=30)
    proc.wait(timeout=30)


def alive_nodes(address: str) -> list[dict]:
    code = (
        "import json, ray; ray.init(address=%r, log_to_driver=False);"
        "print(json.dumps([{'id': n['NodeID'], 'port': n['NodeManagerPort']}"
        " for n in ray.nodes() if n['Alive']]))" % address
    )
    p = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=ray_env()
    )
    if p.returncode != 0:
        with open(os.environ.get("FLEET_PROBE_LOG", os.devnull), "a") as log:
            log.write(p.stderr[-3000:])
        return []
    import json

    return json.loads(p.stdout.strip().splitlines()[-1])


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        ports = free_ports(20)
        self.port = ports[0]
        self.address = f"127.0.0.1:{self.port}"
        self.head_ports = ports[1:8] + [ports[19]]
        self.worker_ports = ports[8:15]
        self.worker_nm_port = self.worker_ports[0]
        self.procs: list[subprocess.Popen] = []
        self.worker = None

    def _start(self, args: list[str], log: str) -> subprocess.Popen:
        out = open(self.tmp / log, "w")
        p = subprocess.Popen(
            [RAY, "start", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ray_env(),
            start_new_session=True,
        )
        self.procs.append(p)
        return p

    def start(self) -> None:
        head = [
            "--head",
            f"--port={self.port}",
            "--include-dashboard=false",
            f"--ray-client-server-port={self.head_ports[-1]}",
            *node_args(self.head_ports[:7]),
        ]
        self._start(head, "head.log")
        self._wait(1)
        self.worker = self._start([f"--address={self.address}", *node_args(self.worker_ports)], "worker.log")
        nodes = self._wait(2)
        self.worker_node_id = next(n["id"] for n in nodes if n["port"] == self.worker_nm_port)

    def _wait(self, n: int) -> list[dict]:
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"ray start exited {p.returncode}; see {self.tmp}")
            nodes = alive_nodes(self.address)
            if len(nodes) >= n:
                return nodes
            time.sleep(2)
        raise RuntimeError(f"the cluster did not reach {n} nodes in {START_TIMEOUT}s")

    def kill_worker(self) -> None:
        if self.worker is not None:
            kill_tree(self.worker)

    def stop(self) -> None:
        for p in reversed(self.procs):
            kill_tree(p)


@pytest.fixture(scope="session", autouse=True)
def private_home(tmp_path_factory):
    """Every Ray process of the tests gets a home of its own: `ray.init(address="local")`
    leaves `~/.ray/auth_token` behind (Ray 2.60), after which drivers fail to connect to
    clusters started with `ray start`, so one test (or an earlier run on this machine)
    must not change what the next sees."""
    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    yield home
    if old is not None:
        os.environ["HOME"] = old


@pytest.fixture(scope="session")
def cluster(private_home, tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("ray"))
    try:
        c.start()
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="session")
def plainsight_bin() -> str:
    path = os.environ.get("PLAINSIGHT_BIN")
    if not path:
        root = Path(__file__).resolve().parents[2]
        path = str(root / "target" / "release" / "plainsight")
    if not os.path.exists(path):
        pytest.fail(f"no plainsight binary at {path}; build it or set PLAINSIGHT_BIN")
    return path


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def fake_key(n: int) -> str:
    """A fake AWS access key id, distinct per n, assembled at run time."""
    x = (n * 2654435761 + 0x9E3779B9) & 0xFFFFFFFF
    body = []
    for _ in range(16):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        body.append(ALPHABET[x % 32])
    return "AK" + "IA" + "".join(body)


def git(repo: Path, *args: str, t: int = 0) -> None:
    date = f"@{1704067200 + t} +0000"
    env = dict(
        os.environ,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_AUTHOR_NAME="Alice",
        GIT_AUTHOR_EMAIL="alice@example.com",
        GIT_COMMITTER_NAME="Carol",
        GIT_COMMITTER_EMAIL="carol@example.com",
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
    )
    subprocess.run(["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args], check=True, env=env,
                   capture_output=True)


def make_repo(path: Path, n: int, commits: int) -> Path:
    """A history with keys added, edited, removed, a branch and a merge; larger for
    larger `commits` (so the fleet shards it)."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    t = 0
    body = f"[aws]\naws_access_key_id = {fake_key(n)}\n"
    for i in range(commits):
        t += 3600
        body += f"setting_{i} = {'x' * 40}{i}\n"
        (path / "config.env").write_text(body)
        (path / f"notes-{i}.txt").write_text(f"note {i} " + "filler " * 200 + "\n")
        git(path, "add", ".")
        git(path, "commit", "-q", "-m", f"c{i}", t=t)
    git(path, "checkout", "-q", "-b", "feature")
    (path / "leak.env").write_text(f"KEY={fake_key(n + 100)}\n")
    git(path, "add", ".")
    t += 3600
    git(path, "commit", "-q", "-m", "leak", t=t)
    git(path, "rm", "-q", "leak.env")
    t += 3600
    git(path, "commit", "-q", "-m", "unleak", t=t)
    git(path, "checkout", "-q", "main")
    t += 3600
    git(path, "merge", "-q", "--no-ff", "-m", "merge", "feature", t=t)
    return path


@pytest.fixture(scope="session")
def repos(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("repos")
    out = [make_repo(root / f"repo{i}", i, 4 + i) for i in range(6)]
    out.append(make_repo(root / "big", 99, 40))
    return out

"""Wall time of one plainsight-fleet run over the same generated repositories with one
Ray worker CPU and with two (`--address local --num-cpus N`), for README's figure.

    python scripts/one_vs_two.py --plainsight ../target/release/plainsight [--repos 8]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import make_repo  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plainsight", required=True)
    ap.add_argument("--repos", type=int, default=8)
    ap.add_argument("--commits", type=int, default=150)
    args = ap.parse_args()
    fleet = str(Path(sys.executable).parent / "plainsight-fleet")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repos = [make_repo(root / f"r{i}", i, args.commits) for i in range(args.repos)]
        (root / "repos.txt").write_text("".join(f"{r}\n" for r in repos))
        times = {}
        for cpus in (1, 2):
            t = time.time()
            p = subprocess.run(
                [fleet, "scan", "--address", "local", "--num-cpus", str(cpus),
                 "--repos", str(root / "repos.txt"), "--out", str(root / f"out{cpus}"),
                 "--plainsight", args.plainsight],
                check=False, capture_output=True,
            )
            times[cpus] = time.time() - t
            if p.returncode not in (0, 1):
                sys.exit(f"plainsight-fleet exited {p.returncode}: {p.stderr.decode()[-2000:]}")
            print(f"{cpus} worker(s): {times[cpus]:.1f}s", flush=True)
        print(f"one/two = {times[1] / times[2]:.2f}")


if __name__ == "__main__":
    main()

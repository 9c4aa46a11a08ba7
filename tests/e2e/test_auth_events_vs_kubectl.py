"""``auth can-i``, ``auth whoami`` and ``events``: pykctl against the real kubectl 1.37 on one
simulator (the API server alone). Event timestamps lie days in the past, so the humanised ages
both tools print agree."""

from __future__ import annotations

import pytest

from tests.e2e.verbs_harness import Twins, twins

pytestmark = pytest.mark.e2e

__all__ = ["twins"]

EVENTS = """
apiVersion: v1
kind: Event
metadata: {name: e1}
involvedObject: {kind: Pod, name: web, apiVersion: v1}
reason: Scheduled
message: "  Successfully assigned  "
type: Normal
firstTimestamp: "2025-11-29T10:00:00Z"
lastTimestamp: "2025-11-29T10:00:00Z"
count: 1
source: {component: default-scheduler}
---
apiVersion: v1
kind: Event
metadata: {name: e2}
involvedObject: {kind: Deployment, name: web, apiVersion: apps/v1}
reason: ScalingReplicaSet
message: "Scaled up\\nsecond line"
type: Warning
firstTimestamp: "2025-11-20T10:00:00Z"
lastTimestamp: "2025-11-29T09:00:00Z"
count: 5
---
apiVersion: v1
kind: Event
metadata: {name: e3}
involvedObject: {kind: Pod, name: other, apiVersion: v1}
reason: Pulled
message: eventtime only
type: Normal
eventTime: "2025-11-28T10:00:00.000000Z"
reportingComponent: kubelet
reportingInstance: node-1
action: Pull
---
apiVersion: v1
kind: Event
metadata: {name: e4}
involvedObject: {kind: Pod, name: web, apiVersion: v1}
reason: BackOff
message: series
type: Warning
eventTime: "2025-11-27T10:00:00.000000Z"
series: {count: 7, lastObservedTime: "2025-11-29T11:00:00.000000Z"}
reportingComponent: kubelet
reportingInstance: node-1
action: Pull
"""


CAN_I = [
    "get pods",
    "get pods -A",
    "list deployments.apps",
    "get foo",
    "get foo.bar",
    "get nodes",
    "get clusterroles",
    "get nodes -A",
    "get pods/x",
    "bogus pods",
    "get /logs/",
    "gett /logs",
    "get /logs --subresource=log",
    "get",
    "--list -q",
    "--list pods",
    "get pods --no-headers",
    "get users",
    "get pods -q",
    "get deploy.apps/web",
    "get x/y",
    "get pods --subresource=log",
    "* *",
    "get /x extra",
    "--bogus",
]


@pytest.mark.parametrize("words", CAN_I)
def test_can_i(twins: Twins, words: str) -> None:
    twins.case(namespaces=False).same("auth", "can-i", *words.split())


@pytest.mark.parametrize("words", ["--list", "--list --no-headers", "--list -n kube-system"])
def test_can_i_list(twins: Twins, words: str) -> None:
    """The rules table from a SelfSubjectRulesReview (kubectl sends it as protobuf)."""
    twins.case(namespaces=False).same("auth", "can-i", *words.split())


@pytest.mark.parametrize(
    "words", ["", "-o json", "-o yaml", "-o name", "-o wide", "extra", "-o jsonpath={.status}"]
)
def test_whoami(twins: Twins, words: str) -> None:
    twins.case(namespaces=False).same("auth", "whoami", *words.split())


EVENTS_CASES = [
    "",
    "--types=warning",
    "--types=Bogus",
    "--types=Normal,normal",
    "--for pod/web",
    "--for deploy/web",
    "--for pod",
    "--for x/y",
    "--for a/b/c",
    "--no-headers",
    "-o name",
    "-o wide",
    "-o json",
    "-o yaml",
    "-o jsonpath={.items[*].metadata.name}",
    "extra",
    "--chunk-size=1",
]


@pytest.mark.parametrize("words", EVENTS_CASES)
def test_events(twins: Twins, words: str) -> None:
    twins.case(EVENTS).same("events", *words.split())


def test_events_empty(twins: Twins) -> None:
    twins.case().same("events")


def test_events_all_namespaces(twins: Twins) -> None:
    """Only the namespace column is compared loosely: other tests' events share the cluster."""
    case = twins.case(EVENTS)
    kubectl, pykctl = case.run("events", "-A", "--types=Warning", namespaced=False)
    assert (pykctl.code, pykctl.stderr) == (kubectl.code, kubectl.stderr)
    assert pykctl.stdout.splitlines()[0] == kubectl.stdout.splitlines()[0]
    assert len(pykctl.stdout.splitlines()) == len(kubectl.stdout.splitlines())

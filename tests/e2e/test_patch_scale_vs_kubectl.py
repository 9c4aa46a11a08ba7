"""``patch`` and ``scale``: pykctl against the real kubectl 1.37 on one simulator."""

from __future__ import annotations

import pytest

from tests.e2e.verbs_harness import Twins, twins

pytestmark = pytest.mark.e2e

__all__ = ["twins"]

OBJECTS = """
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep
  labels: {app: dep}
spec:
  replicas: 1
  selector: {matchLabels: {app: dep}}
  template:
    metadata: {labels: {app: dep}}
    spec:
      containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs
  labels: {app: rs}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec:
      containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data: {a: "1"}
"""

POD_FILE = {
    "pod.yaml": """
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels: {app: web}
    spec:
      containers: [{name: c, image: nginx}]
    """,
    "dep.yaml": """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: dep
    spec:
      replicas: 1
      selector: {matchLabels: {app: dep}}
      template:
        metadata: {labels: {app: dep}}
        spec:
          containers: [{name: c, image: nginx}]
    """,
    "widget.yaml": """
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
    spec: {size: 1}
    """,
    "patch.yaml": "metadata:\n  labels:\n    from: file\n",
}

PATCH_CASES = [
    ["patch", "pod", "web", "-p", '{"metadata":{"labels":{"p":"1"}}}'],
    ["patch", "pod", "web", "-p", '{"metadata":{"labels":{"app":"web"}}}'],
    ["patch", "pod", "web", "-p", "metadata: {labels: {y: '2'}}"],
    ["patch", "pod", "web", "--type", "merge", "-p", '{"metadata":{"labels":{"app":null}}}'],
    [
        "patch",
        "pod",
        "web",
        "--type=json",
        "-p",
        '[{"op":"add","path":"/metadata/labels/j","value":"1"}]',
    ],
    ["patch", "pod", "web", "--type=json", "-p", '[{"op":"remove","path":"/metadata/labels/x"}]'],
    ["patch", "pod", "web", "--type=JSON", "-p", "[]"],
    ["patch", "pod", "web", "--type", "bogus", "-p", "{}"],
    ["patch", "pod", "web"],
    ["patch", "pod", "web", "-p", "{}", "--patch-file", "patch.yaml"],
    ["patch", "pod", "web", "--patch-file", "patch.yaml"],
    ["patch", "pod", "web", "--patch-file", "missing.yaml"],
    ["patch", "pod", "web", "-p", "a: ["],
    ["patch", "pod", "web", "-p", '{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}'],
    ["patch", "pod", "web", "-p", '{"spec":{"containers":[{"image":"x"}]}}'],
    ["patch", "pod", "web", "-p", '{"metadata":{"labels":{"p":"1"}}}', "--dry-run=client"],
    ["patch", "pod", "web", "-p", '{"metadata":{"labels":{"p":"1"}}}', "--dry-run=server"],
    ["patch", "pod", "web", "-p", '{"metadata":{"labels":{"p":"1"}}}', "-o", "name"],
    ["patch", "pod", "web", "-p", '{"metadata":{"labels":{"p":"1"}}}', "-o", "yaml"],
    [
        "patch",
        "pod",
        "web",
        "-p",
        '{"metadata":{"labels":{"p":"1"}}}',
        "-o",
        "jsonpath={.metadata.labels.p}",
    ],
    ["patch", "pod", "web", "-p", '{"metadata":{"labels":{"p":"1"}}}', "-o", "bogus"],
    ["patch", "pods", "web", "missing", "-p", '{"metadata":{"labels":{"p":"1"}}}'],
    ["patch", "pod/web", "cm/cfg", "-p", '{"metadata":{"labels":{"p":"1"}}}', "-o", "yaml"],
    ["patch", "pods", "-p", "{}"],
    ["patch", "-p", "{}"],
    [
        "patch",
        "deploy",
        "dep",
        "--subresource=scale",
        "--type=merge",
        "-p",
        '{"spec":{"replicas":3}}',
    ],
    [
        "patch",
        "deploy",
        "dep",
        "--subresource=scale",
        "--type=merge",
        "-p",
        '{"spec":{"replicas":3}}',
        "-o",
        "json",
    ],
    [
        "patch",
        "deploy",
        "dep",
        "--subresource=status",
        "--type=merge",
        "-p",
        '{"status":{"replicas":3}}',
    ],
    ["patch", "deploy", "dep", "-p", '{"spec":{"replicas":"x"}}'],
    ["patch", "-f", "pod.yaml", "-p", '{"metadata":{"labels":{"p":"1"}}}'],
    ["patch", "-f", "pod.yaml", "--local", "-p", '{"metadata":{"labels":{"p":"1"}}}', "-o", "yaml"],
    ["patch", "-f", "pod.yaml", "--local", "-p", '{"metadata":{"labels":{"app":"web"}}}'],
    ["patch", "-f", "widget.yaml", "--local", "-p", '{"spec":{"size":2}}'],
    [
        "patch",
        "-f",
        "widget.yaml",
        "--local",
        "--type=merge",
        "-p",
        '{"spec":{"size":2}}',
        "-o",
        "json",
    ],
    [
        "patch",
        "-f",
        "pod.yaml",
        "--local",
        "--type=json",
        "-p",
        '[{"op":"replace","path":"/spec/nope/x","value":1}]',
    ],
    ["patch", "pod", "web", "--local", "-p", "{}"],
    ["patch", "-f", "pod.yaml", "--local", "-p", "{}", "--dry-run=server"],
    ["patch", "-f", "dep.yaml", "-f", "pod.yaml", "-p", '{"metadata":{"labels":{"p":"1"}}}'],
    ["patch", "cm", "cfg", "-p", '{"data":{"b":"2"}}', "--field-manager=mine"],
]


@pytest.mark.parametrize("argv", PATCH_CASES, ids=lambda a: " ".join(a))
def test_patch(twins: Twins, argv: list[str]) -> None:
    case = twins.case(OBJECTS)
    case.same(*argv, files=POD_FILE)
    case.same_state("pods,deployments,configmaps")


SCALE_CASES = [
    ["scale", "deploy", "dep", "--replicas=2"],
    ["scale", "deploy/dep", "rs/rs", "--replicas=3"],
    ["scale", "deploy", "dep", "--replicas=1"],
    ["scale", "deploy", "dep", "--replicas=2", "-o", "yaml"],
    ["scale", "deploy", "dep", "--replicas=2", "-o", "name"],
    ["scale", "deploy", "dep", "--replicas=2", "--dry-run=client", "-o", "json"],
    ["scale", "deploy", "dep", "--replicas=2", "--dry-run=server"],
    ["scale", "deploy", "dep"],
    ["scale", "deploy", "dep", "--replicas=-1"],
    ["scale", "deploy", "dep", "--replicas=2", "--current-replicas=1"],
    ["scale", "deploy", "dep", "--replicas=2", "--current-replicas=5"],
    ["scale", "deploy", "dep", "--replicas=2", "--current-replicas=-2"],
    ["scale", "deploy", "dep", "--replicas=2", "--resource-version=1"],
    ["scale", "deploy", "dep", "rs", "--replicas=2", "--resource-version=1"],
    ["scale", "deploy/dep", "rs/rs", "--replicas=2", "--resource-version=1"],
    ["scale", "pod", "web", "--replicas=2"],
    ["scale", "pod", "web", "--replicas=2", "--current-replicas=1"],
    ["scale", "deploy", "--all", "--replicas=3"],
    ["scale", "deploy,rs", "--all", "--replicas=3"],
    ["scale", "deploy", "-l", "app=dep", "--replicas=3"],
    ["scale", "deploy", "-l", "app=none", "--replicas=3"],
    ["scale", "deploy", "dep", "missing", "--replicas=3"],
    ["scale", "deploy", "missing", "--replicas=3"],
    ["scale", "deploy", "dep", "--replicas=3", "-o", "bogus"],
    ["scale", "-f", "dep.yaml", "--replicas=4"],
    ["scale", "-f", "dep.yaml", "--replicas=4", "-o", "yaml"],
    ["scale", "--replicas=4"],
    ["scale", "deploy", "dep", "--replicas=2", "--timeout=1500ms"],
    ["scale", "deploy", "dep", "--replicas=2", "--timeout=1s", "--dry-run=server"],
    ["scale", "deploy", "dep", "--replicas=x"],
]


@pytest.mark.parametrize("argv", SCALE_CASES, ids=lambda a: " ".join(a))
def test_scale(twins: Twins, argv: list[str]) -> None:
    case = twins.case(OBJECTS)
    case.same(*argv, files=POD_FILE)
    case.same_state("deployments,replicasets")

"""``label`` and ``annotate``: pykctl against the real kubectl 1.37 on one simulator."""

from __future__ import annotations

import pytest

from tests.e2e.verbs_harness import Twins, dedent, twins

pytestmark = pytest.mark.e2e

__all__ = ["twins"]

PODS = """
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, tier: front}
  annotations: {note: hello}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  labels: {app: db}
spec:
  containers: [{name: c, image: postgres}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  labels: {app: web}
data: {a: "1"}
"""

LABEL_CASES = [
    ["label", "pod", "web", "color=red"],
    ["label", "pod", "web", "app=other"],
    ["label", "pod", "web", "app=other", "color=blue"],
    ["label", "pod", "web", "app=other", "--overwrite"],
    ["label", "pod", "web", "app=web"],
    ["label", "pod", "web", "tier-"],
    ["label", "pod", "web", "nope-"],
    ["label", "pod", "web", "tier-", "color=blue"],
    ["label", "pods", "web", "db", "x=1"],
    ["label", "pods", "web", "missing", "x=1"],
    ["label", "pod/web", "cm/cfg", "x=1"],
    ["label", "pods,cm", "web", "x=1"],
    ["label", "pods", "--all", "x=1"],
    ["label", "pods", "-l", "app=web", "x=1"],
    ["label", "pods", "-l", "app=nothing", "x=1"],
    ["label", "pods", "-l", "a b", "x=1"],
    ["label", "pods", "--field-selector", "metadata.name=db", "x=1"],
    ["label", "pods", "--field-selector", "spec.bogus=1", "x=1"],
    ["label", "pod", "web", "x=1", "--dry-run=client"],
    ["label", "pod", "web", "x=1", "--dry-run=server"],
    ["label", "pod", "web", "x=1", "--dry-run=bogus"],
    ["label", "pod", "web", "x=1", "--dry-run"],
    ["label", "pod", "web", "x=1", "--dry-run=true"],
    ["annotate", "pod", "web", "x=1", "--dry-run=false"],
    ["label", "pod", "web", "x=1", "-o", "name"],
    ["label", "pod", "web", "x=1", "-o", "json"],
    ["label", "pod", "web", "x=1", "-o", "yaml"],
    ["label", "pods", "--all", "x=1", "-o", "yaml"],
    ["label", "pod", "web", "x=1", "-o", "jsonpath={.metadata.labels}"],
    ["label", "pod", "web", "x=1", "-o", "wide"],
    ["label", "pod", "web", "x=1", "-o", "kyaml"],
    ["label", "pod", "web", "x=1", "-o", "go-template={{.metadata.labels.x}}"],
    ["label", "pod", "web", "x=1", "--template={{.kind}}"],
    ["label", "pod", "web", "x=1", "-o", "go-template={{"],
    ["label", "pod", "web", "x=1", "-o", "jsonpath"],
    ["annotate", "pods", "--all", "x=1", "-o", "kyaml"],
    ["label", "pod", "web", "--list"],
    ["label", "pods", "--all", "--list", "-l", "app=db"],
    ["label", "pod", "web", "--list", "-o", "json"],
    ["label", "pod", "web"],
    ["label", "pod"],
    ["label", "x=1"],
    ["label", "pods", "x=1"],
    ["label", "pod", "web", "a=b=c"],
    ["label", "pod", "web", "a=bad value"],
    ["label", "pod", "web", "a=b", "a-"],
    ["label", "pod", "web", "x=1", "db"],
    ["label", "pod", "web", "bogus"],
    ["label", "pod", "web", "x=1", "--resource-version=1"],
    ["label", "pods", "web", "db", "x=1", "--resource-version=1"],
    ["label", "pods", "--all", "-l", "app=web", "x=1"],
    ["label", "pods", "--all", "--field-selector", "a=b", "x=1"],
    ["label", "nosuchtype", "web", "x=1"],
    ["label", "foo.bar", "web", "x=1"],
    ["label", "pods", "web", "cm/cfg", "x=1"],
    ["label", "pod/a/b", "x=1"],
    ["label", "pod", "web", "bad key!=1"],
    ["label", "-A", "pods", "web", "x=1"],
    ["annotate", "pod", "web", "color=red"],
    ["annotate", "pod", "web", "note=other"],
    ["annotate", "pod", "web", "note=other", "--overwrite"],
    ["annotate", "pod", "web", "note=hello"],
    ["annotate", "pod", "web", "note-"],
    ["annotate", "pod", "web", "nope-"],
    ["annotate", "pod", "web", "a=b", "a-"],
    ["annotate", "pod", "web", "=x"],
    ["annotate", "pod", "web", "--list"],
    ["annotate", "pods", "--all", "x=y"],
    ["annotate", "pods", "--all", "x=y", "-o", "yaml"],
    ["annotate", "pod", "web", "x=y", "-o", "bogus"],
    ["annotate", "pod", "web", "x=multi\nline"],
    ["annotate", "pod", "web", "kubernetes.io/change-cause=z"],
    ["annotate", "pod", "web"],
    ["annotate", "pods", "missing", "x=y"],
    ["annotate", "pod", "web", "x=y", "--dry-run=client", "-o", "json"],
]


@pytest.mark.parametrize("argv", LABEL_CASES, ids=lambda a: " ".join(a))
def test_label_and_annotate(twins: Twins, argv: list[str]) -> None:
    case = twins.case(PODS)
    case.same(*argv)
    case.same_state("pods,configmaps")


FILES = {
    "pod.yaml": """
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels: {app: web}
    spec:
      containers: [{name: c, image: nginx}]
    """,
    "dir/cm.yaml": """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: cfg
      namespace: {NS}
    data: {a: "1"}
    """,
    "dir/sub/db.json": """
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db", "labels": {"app": "db"}},
     "spec": {"containers": [{"name": "c", "image": "postgres"}]}}
    """,
    "dir/readme.txt": "not a manifest\n",
    "other.yaml": """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: cfg
      namespace: elsewhere
    """,
    "missing.yaml": """
    apiVersion: v1
    kind: Pod
    metadata:
      name: ghost
    spec:
      containers: [{name: c, image: nginx}]
    """,
    "widget.yaml": """
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
    """,
}

FILE_CASES = [
    ["label", "-f", "pod.yaml", "x=1"],
    ["label", "-f", "pod.yaml", "x=1", "-o", "yaml"],
    ["label", "-f", "pod.yaml", "--list"],
    ["label", "-f", "dir", "x=1"],
    ["label", "-f", "dir", "-R", "x=1"],
    ["label", "-f", "dir", "-R", "--list"],
    ["label", "-f", "pod.yaml", "-f", "dir/cm.yaml", "--list"],
    ["label", "-f", "dir/sub/db.json", "-l", "app=db", "x=1"],
    ["label", "-f", "pod.yaml", "-l", "app=none", "x=1"],
    ["label", "-f", "pod.yaml", "-l", "a b", "x=1"],
    ["label", "-f", "other.yaml", "x=1"],
    ["label", "-f", "missing.yaml", "x=1"],
    ["label", "-f", "widget.yaml", "x=1"],
    ["label", "-f", "nope.yaml", "x=1"],
    ["label", "-f", "pod.yaml", "pods", "x=1"],
    ["label", "-f", "pod.yaml", "pod/web", "x=1"],
    ["label", "-f", "pod.yaml", "-k", "dir", "x=1"],
    ["label", "--local", "-f", "pod.yaml", "x=1"],
    ["label", "--local", "-f", "pod.yaml", "x=1", "-o", "json"],
    ["label", "--local", "-f", "pod.yaml", "app=db", "-o", "yaml"],
    ["label", "--local", "-f", "widget.yaml", "x=1", "-o", "yaml"],
    ["label", "--local", "-f", "dir", "-R", "--list"],
    ["label", "--local", "-f", "pod.yaml", "--dry-run=server", "x=1"],
    ["label", "--local", "pods", "x=1"],
    ["label", "--local", "x=1"],
    ["annotate", "-f", "pod.yaml", "x=1"],
    ["annotate", "-f", "dir", "x=1"],
    ["annotate", "-f", "dir", "-R=false", "x=1", "-o", "name"],
    ["annotate", "--local", "-f", "pod.yaml", "x=1", "-o", "yaml"],
    ["annotate", "--local", "-f", "dir", "--list"],
    ["annotate", "--local", "-f", "pod.yaml", "pods", "x=1"],
    ["annotate", "--local", "x=1"],
    ["annotate", "-f", "-", "x=1"],
]


@pytest.mark.parametrize("argv", FILE_CASES, ids=lambda a: " ".join(a))
def test_label_and_annotate_files(twins: Twins, argv: list[str]) -> None:
    case = twins.case(PODS)
    stdin = FILES["pod.yaml"] if "-" in argv else ""
    case.same(*argv, files=FILES, stdin=dedent(stdin))
    case.same_state("pods,configmaps")


ALL_NAMESPACES = [
    ["label", "pods", "--all", "-A", "--list", "-l", "app=db"],
    [
        "annotate",
        "pods",
        "-A",
        "-l",
        "app=db",
        "--field-selector",
        "metadata.namespace={NS}",
        "z=1",
    ],
]


@pytest.mark.parametrize("argv", ALL_NAMESPACES, ids=lambda a: " ".join(a))
def test_across_namespaces(twins: Twins, argv: list[str]) -> None:
    case = twins.case(PODS)
    case.same(*argv, namespaced=False)

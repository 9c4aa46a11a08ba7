"""``pykctl apply`` against the real kubectl 1.37: client-side and server-side apply, prune,
and the last-applied subcommands.

Both tools run the same steps against one simulator, each in its own namespace; every step's
stdout, stderr and exit code must be equal, and so must the objects left behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.writes_harness import Pair, help_page, module_pair

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with module_pair(tmp_path_factory) as running:
        yield running


@pytest.mark.parametrize(
    "argv",
    [
        ["apply"],
        ["apply", "view-last-applied"],
        ["apply", "set-last-applied"],
        ["apply", "edit-last-applied"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_help(argv: list[str], kubectl: str, tmp_path: Path) -> None:
    assert help_page("pykctl", kubectl, argv, tmp_path) == help_page(
        "kubectl", kubectl, argv, tmp_path
    )


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx:1.27
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 80}]
      - name: side
        image: busybox
"""

DEPLOYMENT_CHANGED = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx:1.28
        env: [{name: A, value: "1"}]
"""

CONFIGMAPS = """apiVersion: v1
kind: ConfigMap
metadata:
  name: one
  labels: {app: demo}
data: {a: "1", b: "2"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: two
  labels: {app: demo}
data: {c: "3"}
"""

ONE_ONLY = """apiVersion: v1
kind: ConfigMap
metadata:
  name: one
  labels: {app: demo}
data: {a: "10"}
"""

FILES = {
    "deploy.yaml": DEPLOYMENT,
    "deploy2.yaml": DEPLOYMENT_CHANGED,
    "cms.yaml": CONFIGMAPS,
    "one.yaml": ONE_ONLY,
    "generated.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-}\n",
    "unknown.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
    "elsewhere.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: nowhere}\n",
    "invalid.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n",
    "secret.json": '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "<v&>"}}',
    "empty.yaml": "# nothing here\n",
}


def test_create_configure_unchanged(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "-f", "deploy.yaml")
    case.same("apply", "-f", "deploy.yaml")
    case.same("apply", "-f", "deploy2.yaml")
    case.state("deployments")
    case.same("apply", "view-last-applied", "deployment/web")
    case.same("apply", "view-last-applied", "deploy", "web", "-o", "json")


def test_outputs(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "-f", "cms.yaml", "-o", "yaml")
    case.same("apply", "-f", "cms.yaml", "-o", "json")
    case.same("apply", "-f", "one.yaml", "-o", "json")
    case.same("apply", "-f", "cms.yaml", "-o", "name")
    case.same("apply", "-f", "secret.json", "-o", "jsonpath={.metadata.name}")
    case.state("configmaps", "secrets")


def test_dry_runs(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "-f", "cms.yaml", "--dry-run=client")
    case.same("apply", "-f", "cms.yaml", "--dry-run=server")
    case.same("apply", "-f", "cms.yaml", "--dry-run=client", "-o", "yaml")
    case.same("apply", "-f", "cms.yaml")
    case.same("apply", "-f", "one.yaml", "--dry-run=client", "-o", "json")
    case.same("apply", "-f", "one.yaml", "--dry-run=server")
    case.same("apply", "-f", "deploy.yaml", "--dry-run")
    case.state("configmaps", "deployments")


def test_missing_annotation(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.setup("create", "configmap", "one", "--from-literal=a=0")
    case.same("apply", "-f", "one.yaml")
    case.same("apply", "-f", "one.yaml")
    case.state("configmaps")


def test_errors_continue(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "-f", "generated.yaml")
    case.same("apply", "-f", "unknown.yaml")
    case.same("apply", "-f", "unknown.yaml", "--validate=false")
    case.same("apply", "-f", "elsewhere.yaml")
    case.same("apply", "-n", "{ns}", "-f", "elsewhere.yaml")
    case.same("apply", "-f", "invalid.yaml", "-f", "cms.yaml")
    case.same("apply", "-f", "empty.yaml")
    case.same("apply", "-f", "missing.yaml")
    case.same("apply")
    case.same("apply", "-f", "cms.yaml", "stray")
    case.same("apply", "-f", "cms.yaml", "-o", "bogus")
    case.same("apply", "-f", "cms.yaml", "--force-conflicts")
    case.same("apply", "-f", "cms.yaml", "--server-side", "--dry-run=client")
    case.same("apply", "-f", "cms.yaml", "--prune")
    case.same("apply", "-f", "cms.yaml", "--all", "-l", "a=b")
    case.same("apply", "-f", "cms.yaml", "--subresource=status")
    case.state("configmaps")


def test_prune(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "-f", "cms.yaml")
    case.same("apply", "-f", "one.yaml", "--prune", "-l", "app=demo", "--dry-run=client")
    case.same(
        "apply",
        "-f",
        "one.yaml",
        "--prune",
        "-l",
        "app=demo",
        "--prune-allowlist=core/v1/ConfigMap",
    )
    case.same("apply", "-f", "one.yaml", "--prune", "-l", "app=demo", "--prune-allowlist=bad")
    case.state("configmaps")


def test_server_side(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "--server-side", "-f", "cms.yaml")
    case.same("apply", "--server-side", "-f", "cms.yaml", "-o", "yaml")
    case.same("apply", "--server-side", "-f", "one.yaml", "--field-manager=other")
    case.same("apply", "--server-side", "-f", "cms.yaml")
    case.same("apply", "--server-side", "-f", "cms.yaml", "--force-conflicts")
    case.same("apply", "--server-side", "-f", "deploy.yaml", "--dry-run=server")
    case.state("configmaps")


def test_server_side_keeps_client_side_annotation(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "-f", "cms.yaml")
    case.same("apply", "--server-side", "-f", "one.yaml")
    case.state("configmaps")


def test_view_last_applied(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "-f", "cms.yaml")
    case.setup("create", "configmap", "plain")
    case.same("apply", "view-last-applied", "configmap", "one", "two")
    case.same("apply", "view-last-applied", "cm", "-l", "app=demo", "-o", "json")
    case.same("apply", "view-last-applied", "-f", "cms.yaml")
    case.same("apply", "view-last-applied", "configmap/plain")
    case.same("apply", "view-last-applied", "configmap/missing")
    case.same("apply", "view-last-applied", "configmap/one", "-o", "wide")
    case.same("apply", "view-last-applied")
    case.file("plain.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n")
    case.same("apply", "view-last-applied", "-f", "plain.yaml")


def test_set_last_applied(pair: Pair) -> None:
    case = pair.case(files=FILES)
    case.same("apply", "-f", "cms.yaml")
    case.same("apply", "set-last-applied", "-f", "cms.yaml")
    case.same("apply", "set-last-applied", "-f", "one.yaml", "--dry-run=client")
    case.same("apply", "set-last-applied", "-f", "one.yaml", "-o", "name")
    case.same("apply", "view-last-applied", "cm/one")
    case.setup("create", "configmap", "plain")
    case.file(
        "plain.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {x: y}\n"
    )
    case.same("apply", "set-last-applied", "-f", "plain.yaml")
    case.same("apply", "set-last-applied", "-f", "plain.yaml", "--create-annotation")
    case.same("apply", "set-last-applied", "-f", "deploy.yaml")
    case.same("apply", "set-last-applied")
    case.state("configmaps")


EDITOR = """#!/bin/sh
# Turns the value "1" of key a into "11"; leaves everything else as it is.
sed -i 's/a: "1"/a: "11"/; s/"a": "1"/"a": "11"/' "$1"
"""


def test_edit_last_applied(pair: Pair) -> None:
    case = pair.case(files={**FILES, "editor.sh": EDITOR})
    for side in case.sides():
        (side.cwd / "editor.sh").chmod(0o755)
    env = {"KUBE_EDITOR": "./editor.sh"}
    case.same("apply", "-f", "cms.yaml")
    case.same("apply", "edit-last-applied", "cm/one", env=env)
    case.same("apply", "edit-last-applied", "cm/one", env=env)
    case.same("apply", "view-last-applied", "cm/one")
    case.same("apply", "edit-last-applied", "cm/two", "-o", "json", env=env)
    case.setup("create", "configmap", "plain")
    case.same("apply", "edit-last-applied", "cm/plain", env=env)
    case.state("configmaps")

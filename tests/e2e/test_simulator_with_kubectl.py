"""The real kubectl 1.37 against the simulator: every everyday command works and prints what it
prints against a real cluster."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from backends.simulator.testing import RunningSimulator
from tests.conftest import Result, isolated_env, run_process

pytestmark = pytest.mark.e2e


class Kubectl:
    """The real kubectl bound to one simulator, with its own HOME (discovery cache)."""

    def __init__(self, binary: str, sim: RunningSimulator, home: Path) -> None:
        self.binary = binary
        self.sim = sim
        self.env = isolated_env(home)
        self.cwd = home

    def __call__(self, *args: str, stdin: str = "") -> Result:
        return run_process(
            [self.binary, "--kubeconfig", str(self.sim.kubeconfig), *args],
            cwd=self.cwd,
            env=self.env,
            stdin=stdin,
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self(*args, stdin=stdin)
        assert result.code == 0, f"kubectl {' '.join(args)} failed: {result.stderr}"
        return result.stdout


@pytest.fixture
def kc(kubectl: str, pykctl_simulator: RunningSimulator, tmp_path: Path) -> Kubectl:
    home = tmp_path / "kchome"
    home.mkdir()
    return Kubectl(kubectl, pykctl_simulator, home)


def manifest(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def test_namespaces_exist_from_the_start(kc: Kubectl) -> None:
    out = kc.ok("get", "namespaces")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "AGE"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["default", "Active"],
        ["heptio-contour", "Active"],  # the built-in ingress controller's (see network/ingress)
        ["kube-node-lease", "Active"],
        ["kube-public", "Active"],
        ["kube-system", "Active"],
    ]


def test_request_without_token_is_401(pykctl_simulator: RunningSimulator) -> None:
    import ssl
    import urllib.error
    import urllib.request

    context = ssl.create_default_context(cafile=str(pykctl_simulator.ca_file))
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{pykctl_simulator.url}/api/v1/namespaces", context=context)
    assert err.value.code == 401
    body = json.loads(err.value.read())
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


def test_create_get_and_errors(kc: Kubectl) -> None:
    cm = manifest("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-config
          labels: {app: demo}
        data:
          a: "1"
    """)
    assert kc.ok("create", "-f", "-", stdin=cm) == "configmap/app-config created\n"
    again = kc("create", "-f", "-", stdin=cm)
    assert again.code == 1
    assert (
        again.stderr
        == 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "app-config" already exists\n'
    )
    got = json.loads(kc.ok("get", "cm", "app-config", "-o", "json"))
    assert got["data"] == {"a": "1"}
    assert (
        got["metadata"]["uid"]
        and got["metadata"]["resourceVersion"]
        and got["metadata"]["creationTimestamp"]
    )
    missing = kc("get", "cm", "nope")
    assert (missing.code, missing.stderr) == (
        1,
        'Error from server (NotFound): configmaps "nope" not found\n',
    )
    table = kc.ok("get", "cm", "-l", "app=demo")
    assert table.splitlines()[0].split() == ["NAME", "DATA", "AGE"]
    assert table.splitlines()[1].split()[:2] == ["app-config", "1"]
    none = kc("get", "cm", "-l", "app=other")
    assert (none.code, none.stdout, none.stderr) == (
        0,
        "",
        "No resources found in default namespace.\n",
    )


def test_apply_created_configured_unchanged_and_removed_field(kc: Kubectl) -> None:
    first = manifest("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cfg}
        data: {a: "1", b: "2"}
    """)
    second = manifest("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cfg}
        data: {a: "1"}
    """)
    assert kc.ok("apply", "-f", "-", stdin=first) == "configmap/cfg created\n"
    assert kc.ok("apply", "-f", "-", stdin=first) == "configmap/cfg unchanged\n"
    assert kc.ok("apply", "-f", "-", stdin=second) == "configmap/cfg configured\n"
    assert json.loads(kc.ok("get", "cm", "cfg", "-o", "json"))["data"] == {"a": "1"}


def test_protobuf_create_generators(kc: Kubectl) -> None:
    assert kc.ok("create", "namespace", "team-a") == "namespace/team-a created\n"
    assert (
        kc.ok("create", "configmap", "c1", "--from-literal=k=v", "-n", "team-a")
        == "configmap/c1 created\n"
    )
    assert (
        kc.ok("create", "deployment", "web", "--image=nginx", "--replicas=2")
        == "deployment.apps/web created\n"
    )
    assert (
        kc.ok("create", "service", "clusterip", "web", "--tcp=80:8080") == "service/web created\n"
    )
    assert (
        kc.ok("create", "secret", "generic", "s1", "--from-literal=password=hunter2")
        == "secret/s1 created\n"
    )
    assert kc.ok("create", "job", "j1", "--image=busybox") == "job.batch/j1 created\n"
    assert (
        kc.ok("create", "cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *")
        == "cronjob.batch/cj created\n"
    )
    assert kc.ok("create", "serviceaccount", "robot") == "serviceaccount/robot created\n"
    assert kc.ok("create", "quota", "q", "--hard=cpu=1,memory=1Gi") == "resourcequota/q created\n"
    deployment = json.loads(kc.ok("get", "deploy", "web", "-o", "json"))
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["strategy"]["type"] == "RollingUpdate"
    assert kc.ok("get", "cm", "c1", "-n", "team-a", "-o", "jsonpath={.data.k}") == "v"
    svc = json.loads(kc.ok("get", "svc", "web", "-o", "json"))
    assert svc["spec"]["clusterIP"].startswith("127.")
    assert kc.ok("auth", "can-i", "create", "pods") == "yes\n"


def test_label_annotate_patch_delete(kc: Kubectl) -> None:
    kc.ok("create", "configmap", "c1", "--from-literal=k=v")
    kc.ok("create", "configmap", "c2", "--from-literal=k=v")
    assert kc.ok("label", "cm", "c1", "tier=web") == "configmap/c1 labeled\n"
    assert kc.ok("annotate", "cm", "c1", "note=hi") == "configmap/c1 annotated\n"
    assert kc.ok("patch", "cm", "c1", "-p", '{"data":{"x":"1"}}') == "configmap/c1 patched\n"
    assert (
        kc.ok("patch", "cm", "c1", "--type=merge", "-p", '{"data":{"y":"2"}}')
        == "configmap/c1 patched\n"
    )
    assert (
        kc.ok("patch", "cm", "c1", "--type=json", "-p", '[{"op":"remove","path":"/data/k"}]')
        == "configmap/c1 patched\n"
    )
    data = json.loads(kc.ok("get", "cm", "c1", "-o", "json"))
    assert data["data"] == {"x": "1", "y": "2"}
    assert data["metadata"]["labels"] == {"tier": "web"}
    assert (
        kc.ok("delete", "cm", "-l", "tier=web") == 'configmap "c1" deleted from default namespace\n'
    )
    assert kc.ok("delete", "cm", "--all") == (
        'configmap "c2" deleted from default namespace\n'
        'configmap "kube-root-ca.crt" deleted from default namespace\n'
    )
    # like kube-controller-manager, the simulator publishes its CA again at once
    assert kc.ok("get", "cm", "-o", "name") == "configmap/kube-root-ca.crt\n"


def test_emptied_metadata_lists_and_maps_are_dropped(kc: Kubectl) -> None:
    """A patch that removes the last finalizer, owner reference or label leaves ``[]``/``{}``
    after the strategic merge; kube-apiserver stores no field (Go's omitempty)."""
    kc.ok("create", "configmap", "owner")
    uid = json.loads(kc.ok("get", "cm", "owner", "-o", "json"))["metadata"]["uid"]
    owner = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}
    held = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "held",
            "labels": {"tier": "web"},
            "finalizers": ["example.com/hold"],
            "ownerReferences": [owner],
        },
    }
    kc.ok("create", "-f", "-", stdin=json.dumps(held))
    for patch in (
        {"$deleteFromPrimitiveList/finalizers": ["example.com/hold"]},
        {"ownerReferences": [{"$patch": "delete", "uid": uid}]},
    ):
        kc.ok("patch", "cm", "held", "-p", json.dumps({"metadata": patch}))
    kc.ok("label", "cm", "held", "tier-")
    metadata = json.loads(kc.ok("get", "cm", "held", "-o", "json"))["metadata"]
    assert not {"finalizers", "ownerReferences", "labels"} & set(metadata), metadata


def test_server_side_apply(kc: Kubectl) -> None:
    cm = manifest("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: ssa}
        data: {a: "1"}
    """)
    assert (
        kc.ok("apply", "--server-side", "-f", "-", stdin=cm) == "configmap/ssa serverside-applied\n"
    )
    assert json.loads(kc.ok("get", "cm", "ssa", "-o", "json"))["data"] == {"a": "1"}


def test_discovery_explain_and_api_resources(kc: Kubectl) -> None:
    resources = kc.ok("api-resources")
    assert any(line.split()[:2] == ["pods", "po"] for line in resources.splitlines())
    explained = kc.ok("explain", "pods.spec.containers")
    assert "KIND:       Pod" in explained
    assert "image" in explained


def test_get_watch_streams_changes(kc: Kubectl, tmp_path: Path) -> None:
    with subprocess.Popen(
        [
            kc.binary,
            "--kubeconfig",
            str(kc.sim.kubeconfig),
            "get",
            "configmaps",
            "-w",
            "--output-watch-events",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=kc.env,
        cwd=kc.cwd,
        text=True,
    ) as process:
        assert process.stdout is not None
        kc.ok("create", "configmap", "watched", "--from-literal=a=b")
        seen = []
        for line in process.stdout:
            seen.append(line.split())
            if any("watched" in cells for cells in seen):
                break
        process.kill()
        assert seen[0][:2] == ["EVENT", "NAME"]
        assert seen[-1][:2] == ["ADDED", "watched"]


def test_raw_paths(kc: Kubectl) -> None:
    body = json.loads(kc.ok("get", "--raw", "/api/v1/namespaces"))
    assert body["kind"] == "NamespaceList"
    assert kc.ok("get", "--raw", "/healthz") == "ok"
    assert os.environ.get("KUBECONFIG") is None

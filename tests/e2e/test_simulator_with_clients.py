"""Python Kubernetes clients against the simulator: the official client, kr8s and lightkube.

Every test gets a fresh simulator, with no nodes, from the pykctl pytest plugin
(``pykctl_kubeconfig``: TLS on 127.0.0.1 with a bearer token) and talks to it only through the library under test, configured from
that kubeconfig, as a user of the library would.

Watches are driven from inside their loops: each write is made when the event before it arrived,
so nothing sleeps. The official client's watches end on the server's ``timeoutSeconds``; kr8s and
lightkube reconnect by themselves, so their loops run under ``deadline``, which turns a watch that
never sees its event into a failure instead of a hang.

Tests marked ``xfail(strict=True)`` pin places where the simulator answers differently from
kube-apiserver; each reason names the difference. They XPASS, and so fail the run, once the
server is fixed: then drop the mark.
"""

from __future__ import annotations

import contextlib
import gc
import json
import signal
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest

from backends.simulator.testing import RunningSimulator, start_simulator

if TYPE_CHECKING:
    from kubernetes.client import ApiClient
    from lightkube import Client as LightkubeClient

# Library semantics against the API server alone: no scheduler or kubelet changes the pods.
pytestmark = [pytest.mark.e2e, pytest.mark.pykctl_simulator(nodes=0)]

Obj = dict[str, Any]
NS = "default"
WAIT = 10  # seconds a watch may take to deliver what a test waits for

# kr8s 0.20 warns on every connection to a server newer than the newest it was tested with (1.35);
# the simulator is v1.37. Only that warning is ignored, and only in the kr8s tests.
KR8S_VERSION_WARNING = pytest.mark.filterwarnings(
    r"ignore:Kubernetes version v1\.37\.\d+ is not supported:UserWarning"
)


# --------------------------------------------------------------------------------- helpers


def configmap(name: str, data: dict[str, str] | None = None, **labels: str) -> Obj:
    metadata: Obj = {"name": name}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data or {}}


def deployment(name: str, replicas: int = 1, containers: list[Obj] | None = None) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": containers or [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }


@contextlib.contextmanager
def deadline(seconds: float = WAIT) -> Iterator[None]:
    """Raise TimeoutError in the test if the block takes longer than ``seconds``."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"the watch did not deliver the expected events within {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def status_of(err: Any) -> Obj:
    """The Status object of the official client's ApiException."""
    body: Obj = json.loads(err.body)
    return body


# -------------------------------------------------------------------------------- fixtures


@pytest.fixture
def k8s(pykctl_kubeconfig: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiClient]:
    """An official-client ApiClient configured by ``load_kube_config`` from the kubeconfig."""
    from kubernetes import client, config

    # load_kube_config sets the process-wide default Configuration: put the old one back after.
    monkeypatch.setattr(client.Configuration, "_default", None)
    config.load_kube_config(config_file=pykctl_kubeconfig)
    api = client.ApiClient()
    try:
        yield api
    finally:
        api.close()
        # ApiClient.close() leaves urllib3's keep-alive connections open: close them. A socket
        # stays open while a response's file object is alive, and a failed call's response
        # lives in the ApiException's traceback, which pytest.raises keeps in a reference
        # cycle: collect those first. A connection still open when the simulator stops leaks
        # its server side (see the last test).
        gc.collect()
        api.rest_client.pool_manager.clear()


@pytest.fixture
def kr8s_api(pykctl_kubeconfig: str) -> Iterator[Any]:
    """A kr8s (sync) Api for the kubeconfig."""
    kr8s = pytest.importorskip("kr8s")
    from kr8s._async_utils import Portal

    api = kr8s.api(kubeconfig=pykctl_kubeconfig)
    try:
        yield api
    finally:
        # kr8s has no public close; its httpx session lives on kr8s's own event loop thread.
        if api._session is not None:
            Portal().call(api._session.aclose)


@pytest.fixture
def lk(pykctl_kubeconfig: str) -> Iterator[LightkubeClient]:
    """A lightkube Client for the kubeconfig."""
    lightkube = pytest.importorskip("lightkube")
    with lightkube.Client(config=lightkube.KubeConfig.from_file(pykctl_kubeconfig)) as client:
        yield client


# ------------------------------------------------------------------ official client: CRUD


def test_official_load_kube_config_and_namespaces(
    k8s: ApiClient, pykctl_simulator: RunningSimulator
) -> None:
    from kubernetes import client, watch

    assert k8s.configuration.host == pykctl_simulator.url
    v1 = client.CoreV1Api(k8s)
    names = {ns.metadata.name for ns in v1.list_namespace().items}
    assert {"default", "kube-node-lease", "kube-public", "kube-system"} <= names

    created = v1.create_namespace({"metadata": {"name": "team-a"}})
    assert created.status.phase == "Active"
    assert created.metadata.labels == {"kubernetes.io/metadata.name": "team-a"}
    assert v1.read_namespace("team-a").metadata.uid == created.metadata.uid
    v1.create_namespaced_config_map("team-a", configmap("settings"))

    since = v1.list_namespace().metadata.resource_version
    v1.delete_namespace("team-a")
    # Namespace deletion is asynchronous: Terminating, contents removed, then the namespace.
    seen = []
    for event in watch.Watch().stream(
        v1.list_namespace,
        field_selector="metadata.name=team-a",
        resource_version=since,
        timeout_seconds=WAIT,
    ):
        seen.append((event["type"], event["object"].status.phase))
        if event["type"] == "DELETED":
            break
    assert seen[0] == ("MODIFIED", "Terminating")
    assert seen[-1][0] == "DELETED"
    with pytest.raises(client.ApiException) as err:
        v1.read_namespace("team-a")
    assert err.value.status == 404


def test_official_configmaps_crud_and_patch_types(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    created = v1.create_namespaced_config_map(NS, configmap("app", {"mode": "dev"}, app="shop"))
    assert created.metadata.namespace == NS
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert created.metadata.resource_version
    assert v1.read_namespaced_config_map("app", NS).data == {"mode": "dev"}
    v1.create_namespaced_config_map(NS, configmap("other", app="other"))
    listed = v1.list_namespaced_config_map(NS, label_selector="app=shop")
    assert [cm.metadata.name for cm in listed.items] == ["app"]
    assert listed.kind == "ConfigMapList" and listed.metadata.resource_version

    # A dict body is sent as a strategic merge patch.
    patched = v1.patch_namespaced_config_map("app", NS, {"data": {"level": "debug"}})
    assert patched.data == {"mode": "dev", "level": "debug"}
    assert int(patched.metadata.resource_version) > int(created.metadata.resource_version)
    patched = v1.patch_namespaced_config_map(
        "app",
        NS,
        {"data": {"mode": None}},
        _content_type="application/merge-patch+json",
    )
    assert patched.data == {"level": "debug"}
    # A list body is sent as a JSON patch.
    patched = v1.patch_namespaced_config_map(
        "app",
        NS,
        [
            {"op": "replace", "path": "/data/level", "value": "info"},
            {"op": "add", "path": "/metadata/labels/tier", "value": "web"},
        ],
    )
    assert patched.data == {"level": "info"}
    assert patched.metadata.labels == {"app": "shop", "tier": "web"}
    with pytest.raises(client.ApiException) as err:
        v1.patch_namespaced_config_map(
            "app", NS, [{"op": "test", "path": "/data/level", "value": "warn"}]
        )
    assert (err.value.status, status_of(err.value)["reason"]) == (422, "Invalid")

    current = v1.read_namespaced_config_map("app", NS)
    current.data = {"replaced": "yes"}
    replaced = v1.replace_namespaced_config_map("app", NS, current)
    assert replaced.data == {"replaced": "yes"}
    assert replaced.metadata.uid == created.metadata.uid

    v1.delete_namespaced_config_map("app", NS)
    remaining = v1.list_namespaced_config_map(NS).items
    # kube-root-ca.crt: every namespace has it, as in a real cluster.
    assert [cm.metadata.name for cm in remaining] == ["kube-root-ca.crt", "other"]


def test_official_pods(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    # Every namespace has its "default" ServiceAccount, which ServiceAccount admission needs.
    pod = v1.create_namespaced_pod(
        NS,
        {
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {"name": "app", "image": "nginx:1", "env": [{"name": "X", "value": "1"}]},
                    {"name": "sidecar", "image": "busybox:1"},
                ]
            },
        },
    )
    assert pod.status.phase == "Pending"
    assert pod.spec.service_account_name == "default"
    assert pod.spec.containers[0].image_pull_policy == "IfNotPresent"

    # Strategic merge: containers merge by name, the env and the other container stay.
    pod = v1.patch_namespaced_pod(
        "web", NS, {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}
    )
    assert [(c.name, c.image) for c in pod.spec.containers] == [
        ("app", "nginx:2"),
        ("sidecar", "busybox:1"),
    ]
    assert [(e.name, e.value) for e in pod.spec.containers[0].env] == [("X", "1")]
    pod = v1.patch_namespaced_pod(
        "web",
        NS,
        {"metadata": {"labels": {"app": None, "tier": "front"}}},
        _content_type="application/merge-patch+json",
    )
    assert pod.metadata.labels == {"tier": "front"}
    pod = v1.patch_namespaced_pod(
        "web", NS, [{"op": "replace", "path": "/spec/containers/1/image", "value": "busybox:2"}]
    )
    assert pod.spec.containers[1].image == "busybox:2"
    pod.metadata.annotations = {"note": "replaced"}
    pod = v1.replace_namespaced_pod("web", NS, pod)
    assert pod.metadata.annotations == {"note": "replaced"}
    assert [p.metadata.name for p in v1.list_namespaced_pod(NS, label_selector="tier").items] == [
        "web"
    ]

    v1.delete_namespaced_pod("web", NS, grace_period_seconds=0)
    with pytest.raises(client.ApiException) as err:
        v1.read_namespaced_pod("web", NS)
    assert err.value.status == 404


def test_official_services(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    svc = v1.create_namespaced_service(
        NS,
        {
            "metadata": {"name": "web"},
            "spec": {
                "selector": {"app": "web"},
                "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
            },
        },
    )
    assert svc.spec.type == "ClusterIP"
    assert svc.spec.cluster_ip and svc.spec.cluster_ips == [svc.spec.cluster_ip]
    assert (svc.spec.ports[0].protocol, svc.spec.ports[0].target_port) == ("TCP", 8080)
    names = [s.metadata.name for s in v1.list_namespaced_service(NS).items]
    assert names == ["kubernetes", "web"]

    # Service ports merge by port number.
    svc = v1.patch_namespaced_service(
        "web", NS, {"spec": {"ports": [{"name": "https", "port": 443, "targetPort": 8443}]}}
    )
    # New entries go first, as apimachinery's strategicpatch orders them (mergeSortedSlice).
    assert [(p.name, p.port) for p in svc.spec.ports] == [("https", 443), ("http", 80)]
    svc.spec.selector = {"app": "web2"}
    replaced = v1.replace_namespaced_service("web", NS, svc)
    assert replaced.spec.selector == {"app": "web2"}
    assert replaced.spec.cluster_ip == svc.spec.cluster_ip

    v1.delete_namespaced_service("web", NS)
    assert [s.metadata.name for s in v1.list_namespaced_service(NS).items] == ["kubernetes"]


def test_official_deployments_and_scale(k8s: ApiClient) -> None:
    from kubernetes import client

    apps = client.AppsV1Api(k8s)
    containers = [{"name": "web", "image": "nginx:1", "ports": [{"containerPort": 80}]}]
    created = apps.create_namespaced_deployment(NS, deployment("web", 1, containers))
    assert created.metadata.generation == 1
    assert created.spec.strategy.type == "RollingUpdate"

    patched = apps.patch_namespaced_deployment("web", NS, {"spec": {"replicas": 2}})
    assert (patched.spec.replicas, patched.metadata.generation) == (2, 2)
    patched = apps.patch_namespaced_deployment(
        "web",
        NS,
        {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:2"}]}}}},
    )
    (container,) = patched.spec.template.spec.containers
    assert (container.image, container.ports[0].container_port) == ("nginx:2", 80)

    scale = apps.read_namespaced_deployment_scale("web", NS)
    assert (scale.kind, scale.api_version) == ("Scale", "autoscaling/v1")
    assert (scale.spec.replicas, scale.status.selector) == (2, "app=web")
    scale = apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 3}})
    assert scale.spec.replicas == 3
    scale.spec.replicas = 4
    scale = apps.replace_namespaced_deployment_scale("web", NS, scale)
    assert scale.spec.replicas == 4
    scale = apps.patch_namespaced_deployment_scale(
        "web", NS, [{"op": "replace", "path": "/spec/replicas", "value": 5}]
    )
    assert scale.spec.replicas == 5
    assert apps.read_namespaced_deployment("web", NS).spec.replicas == 5

    apps.delete_namespaced_deployment("web", NS)
    assert apps.list_namespaced_deployment(NS).items == []


# ----------------------------------------------------------------- official client: watch


def test_official_watch_sees_added_modified_deleted(k8s: ApiClient) -> None:
    from kubernetes import client, watch

    v1 = client.CoreV1Api(k8s)
    v1.create_namespaced_config_map(NS, configmap("existing", test="watch"))
    seen = []
    versions = []
    for event in watch.Watch().stream(
        v1.list_namespaced_config_map, NS, label_selector="test=watch", timeout_seconds=WAIT
    ):
        obj = event["object"]
        assert isinstance(obj, client.V1ConfigMap)
        step = (event["type"], obj.metadata.name)
        seen.append(step)
        versions.append(int(obj.metadata.resource_version))
        if step == ("ADDED", "existing"):
            v1.create_namespaced_config_map(NS, configmap("live", test="watch"))
        elif step == ("ADDED", "live"):
            v1.patch_namespaced_config_map("live", NS, {"data": {"k": "v"}})
        elif step == ("MODIFIED", "live"):
            assert obj.data == {"k": "v"}
            v1.delete_namespaced_config_map("live", NS)
        elif step == ("DELETED", "live"):
            break
    assert seen == [
        ("ADDED", "existing"),
        ("ADDED", "live"),
        ("MODIFIED", "live"),
        ("DELETED", "live"),
    ]
    assert versions[1:] == sorted(set(versions[1:]))


def test_official_watch_resumes_from_a_resource_version(k8s: ApiClient) -> None:
    from kubernetes import client, watch

    v1 = client.CoreV1Api(k8s)
    v1.create_namespaced_config_map(NS, configmap("before"))
    since = v1.list_namespaced_config_map(NS).metadata.resource_version
    v1.create_namespaced_config_map(NS, configmap("after"))
    v1.patch_namespaced_config_map("after", NS, {"data": {"k": "v"}})
    v1.delete_namespaced_config_map("before", NS)

    w = watch.Watch()
    seen = []
    for event in w.stream(
        v1.list_namespaced_config_map, NS, resource_version=since, timeout_seconds=WAIT
    ):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 3:
            break
    assert seen == [("ADDED", "after"), ("MODIFIED", "after"), ("DELETED", "before")]
    assert int(w.resource_version) > int(since)


def test_official_watch_from_a_compacted_resource_version_is_410(
    k8s: ApiClient, pykctl_simulator: RunningSimulator
) -> None:
    from kubernetes import client, watch

    v1 = client.CoreV1Api(k8s)
    old = v1.create_namespaced_config_map(NS, configmap("old")).metadata.resource_version
    v1.create_namespaced_config_map(NS, configmap("newer"))
    # `pykctl sim reset` drops the event history, as an etcd compaction does.
    pykctl_simulator.call(pykctl_simulator.simulator.store.clear)
    with pytest.raises(client.ApiException) as err:
        for _ in watch.Watch().stream(
            v1.list_namespaced_config_map, NS, resource_version=old, timeout_seconds=WAIT
        ):
            pass
    assert err.value.status == 410
    assert err.value.reason.startswith("Expired: too old resource version: ")


# ------------------------------------------------- official client: dynamic client, errors


def test_official_dynamic_client(k8s: ApiClient, tmp_path: Path) -> None:
    from kubernetes import dynamic
    from kubernetes.dynamic.exceptions import NotFoundError

    dyn = dynamic.DynamicClient(k8s, cache_file=str(tmp_path / "discovery.json"))
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    created = configmaps.create(body=configmap("dyn", {"a": "1"}, app="dyn"), namespace=NS)
    assert (created.kind, created.metadata.name) == ("ConfigMap", "dyn")
    assert configmaps.get(name="dyn", namespace=NS).data.a == "1"
    patched = configmaps.patch(
        body={"data": {"b": "2"}},
        name="dyn",
        namespace=NS,
        content_type="application/merge-patch+json",
    )
    assert dict(patched.data) == {"a": "1", "b": "2"}
    patched = configmaps.patch(body={"data": {"c": "3"}}, name="dyn", namespace=NS)
    assert dict(patched.data) == {"a": "1", "b": "2", "c": "3"}
    listed = configmaps.get(namespace=NS, label_selector="app=dyn")
    assert [item.metadata.name for item in listed.items] == ["dyn"]
    configmaps.delete(name="dyn", namespace=NS)
    with pytest.raises(NotFoundError):
        configmaps.get(name="dyn", namespace=NS)

    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    created = deployments.create(body=deployment("web"), namespace=NS)
    assert created.metadata.generation == 1
    deployments.delete(name="web", namespace=NS)


def test_official_delete_collection_with_label_selector(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    for name in ("a1", "a2", "a3"):
        v1.create_namespaced_config_map(NS, configmap(name, team="a"))
    v1.create_namespaced_config_map(NS, configmap("b1", team="b"))
    v1.delete_collection_namespaced_config_map(NS, label_selector="team=a")
    left = v1.list_namespaced_config_map(NS, label_selector="team").items
    assert [cm.metadata.name for cm in left] == ["b1"]


def test_official_errors(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    with pytest.raises(client.ApiException) as err:
        v1.read_namespaced_config_map("missing", NS)
    assert (err.value.status, err.value.reason) == (404, "Not Found")
    assert status_of(err.value) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'configmaps "missing" not found',
        "reason": "NotFound",
        "details": {"name": "missing", "kind": "configmaps"},
        "code": 404,
    }

    with pytest.raises(client.ApiException) as err:
        v1.create_namespaced_config_map("nowhere", configmap("x"))
    assert err.value.status == 404
    assert status_of(err.value)["message"] == 'namespaces "nowhere" not found'

    stale = v1.create_namespaced_config_map(NS, configmap("cfg", {"k": "1"}))
    with pytest.raises(client.ApiException) as err:
        v1.create_namespaced_config_map(NS, configmap("cfg"))
    assert (err.value.status, err.value.reason) == (409, "Conflict")
    assert status_of(err.value)["reason"] == "AlreadyExists"
    assert status_of(err.value)["message"] == 'configmaps "cfg" already exists'

    v1.patch_namespaced_config_map("cfg", NS, {"data": {"k": "2"}})
    stale.data = {"k": "3"}
    with pytest.raises(client.ApiException) as err:
        v1.replace_namespaced_config_map("cfg", NS, stale)
    assert (err.value.status, status_of(err.value)["reason"]) == (409, "Conflict")
    assert status_of(err.value)["message"] == (
        'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    with pytest.raises(client.ApiException) as err:
        v1.patch_namespaced_config_map(
            "cfg",
            NS,
            {"metadata": {"resourceVersion": stale.metadata.resource_version}, "data": {"k": "4"}},
        )
    assert (err.value.status, status_of(err.value)["reason"]) == (409, "Conflict")
    assert v1.read_namespaced_config_map("cfg", NS).data == {"k": "2"}

    with pytest.raises(client.ApiException) as err:
        v1.create_namespaced_config_map(NS, configmap("bad", {"bad key": "x"}))
    assert (err.value.status, err.value.reason) == (422, "Unprocessable Entity")
    status = status_of(err.value)
    assert status["reason"] == "Invalid"
    assert status["message"].startswith('ConfigMap "bad" is invalid: data[bad key]: Invalid value')
    (cause,) = status["details"]["causes"]
    assert (cause["reason"], cause["field"]) == ("FieldValueInvalid", "data[bad key]")
    assert status["details"]["kind"] == "ConfigMap"


def test_official_list_paging(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    for i in range(5):
        v1.create_namespaced_config_map(NS, configmap(f"cm-{i}", paged="yes"))
    pages = []
    remaining = []
    token = None
    while True:
        page = v1.list_namespaced_config_map(
            NS, label_selector="paged=yes", limit=2, _continue=token
        )
        pages.append([cm.metadata.name for cm in page.items])
        remaining.append(page.metadata.remaining_item_count)
        token = page.metadata._continue
        if not token:
            break
    assert pages == [["cm-0", "cm-1"], ["cm-2", "cm-3"], ["cm-4"]]
    assert remaining == [3, 1, None]


def test_official_list_paging_is_a_snapshot(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    for i in range(5):
        v1.create_namespaced_config_map(NS, configmap(f"cm-{i}", paged="yes"))
    first = v1.list_namespaced_config_map(NS, label_selector="paged=yes", limit=2)
    # Changes after the first page: kube-apiserver serves the later pages from the first
    # page's snapshot (the continue token carries its resourceVersion and the last key).
    v1.delete_namespaced_config_map("cm-0", NS)
    v1.create_namespaced_config_map(NS, configmap("cm-5", paged="yes"))
    names = [cm.metadata.name for cm in first.items]
    versions = {first.metadata.resource_version}
    token = first.metadata._continue
    while token:
        page = v1.list_namespaced_config_map(
            NS, label_selector="paged=yes", limit=2, _continue=token
        )
        names += [cm.metadata.name for cm in page.items]
        versions.add(page.metadata.resource_version)
        token = page.metadata._continue
    assert names == ["cm-0", "cm-1", "cm-2", "cm-3", "cm-4"]
    assert versions == {first.metadata.resource_version}


def test_official_list_at_an_exact_resource_version(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    v1.create_namespaced_config_map(NS, configmap("first", snap="yes"))
    then = v1.list_namespaced_config_map(NS, label_selector="snap").metadata.resource_version
    v1.create_namespaced_config_map(NS, configmap("second", snap="yes"))
    old = v1.list_namespaced_config_map(
        NS, label_selector="snap", resource_version=then, resource_version_match="Exact"
    )
    assert [cm.metadata.name for cm in old.items] == ["first"]
    assert old.metadata.resource_version == then


def test_official_apply_patch_requires_a_field_manager(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    with pytest.raises(client.ApiException) as err:
        v1.patch_namespaced_config_map(
            "cfg", NS, configmap("cfg", {"a": "1"}), _content_type="application/apply-patch+yaml"
        )
    assert status_of(err.value) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
        "is required for apply patch",
        "reason": "Invalid",
        "details": {
            "group": "meta.k8s.io",
            "kind": "PatchOptions",
            "causes": [
                {
                    "reason": "FieldValueRequired",
                    "message": "Required value: is required for apply patch",
                    "field": "fieldManager",
                }
            ],
        },
        "code": 422,
    }


def test_official_force_is_only_for_apply_patches(k8s: ApiClient) -> None:
    from kubernetes import client

    v1 = client.CoreV1Api(k8s)
    v1.create_namespaced_config_map(NS, configmap("cfg"))
    with pytest.raises(client.ApiException) as err:
        v1.patch_namespaced_config_map("cfg", NS, {"data": {"a": "1"}}, force=True)
    assert (err.value.status, status_of(err.value)["reason"]) == (422, "Invalid")
    assert status_of(err.value)["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: '
        "may not be specified for non-apply patch"
    )


# ------------------------------------------------------------------------------------ kr8s


@KR8S_VERSION_WARNING
def test_kr8s_list_create_patch_delete(kr8s_api: Any) -> None:
    import kr8s
    from kr8s.objects import ConfigMap, Deployment

    cm = ConfigMap(
        {
            "metadata": {"name": "app", "namespace": NS, "labels": {"app": "kr8s"}},
            "data": {"a": "1"},
        },
        api=kr8s_api,
    )
    cm.create()
    assert cm.metadata.uid and cm.metadata.resourceVersion
    ConfigMap({"metadata": {"name": "other", "namespace": NS}}, api=kr8s_api).create()

    listed = kr8s.get("configmaps", namespace=NS, label_selector={"app": "kr8s"}, api=kr8s_api)
    assert [obj.name for obj in listed] == ["app"]
    everything = sorted(obj.name for obj in kr8s_api.get("configmaps", namespace=NS))
    assert everything == ["app", "kube-root-ca.crt", "other"]

    cm.patch({"data": {"b": "2"}})  # merge patch
    assert cm.raw["data"] == {"a": "1", "b": "2"}
    cm.patch([{"op": "remove", "path": "/data/a"}], type="json")
    assert cm.raw["data"] == {"b": "2"}
    cm.label(tier="web")
    fetched = ConfigMap.get("app", namespace=NS, api=kr8s_api)
    assert fetched.raw["data"] == {"b": "2"}
    assert fetched.labels == {"app": "kr8s", "tier": "web"}

    with pytest.raises(kr8s.ServerError) as err:
        ConfigMap({"metadata": {"name": "app", "namespace": NS}}, api=kr8s_api).create()
    assert err.value.response is not None and err.value.response.status_code == 409
    assert isinstance(err.value.status, dict) and err.value.status["reason"] == "AlreadyExists"

    cm.delete()
    assert not cm.exists()

    web = Deployment(deployment("web"), api=kr8s_api)
    web.create()
    web.scale(3)
    web.refresh()
    assert web.replicas == 3
    web.delete()


@KR8S_VERSION_WARNING
def test_kr8s_watch(kr8s_api: Any) -> None:
    from kr8s.objects import ConfigMap

    def labelled(name: str) -> Any:
        metadata = {"name": name, "namespace": NS, "labels": {"test": "watch"}}
        return ConfigMap({"metadata": metadata}, api=kr8s_api)

    existing = labelled("existing")
    existing.create()
    live = labelled("live")
    seen = []
    with deadline():
        for kind, obj in kr8s_api.watch("configmaps", namespace=NS, label_selector="test=watch"):
            step = (kind, obj.name)
            seen.append(step)
            if step == ("ADDED", "existing"):
                live.create()
            elif step == ("ADDED", "live"):
                live.patch({"data": {"k": "v"}})
            elif step == ("MODIFIED", "live"):
                assert obj.raw["data"] == {"k": "v"}
                live.delete()
            elif step == ("DELETED", "live"):
                break
    assert seen == [
        ("ADDED", "existing"),
        ("ADDED", "live"),
        ("MODIFIED", "live"),
        ("DELETED", "live"),
    ]

    # Resuming from a resourceVersion replays only what happened after it.
    since = existing.metadata.resourceVersion
    existing.patch({"data": {"x": "1"}})
    existing.delete()
    resumed = []
    with deadline():
        for kind, obj in kr8s_api.watch(
            "configmaps", namespace=NS, label_selector="test=watch", since=since
        ):
            resumed.append((kind, obj.name))
            if kind == "DELETED" and obj.name == "existing":
                break
    assert resumed == [
        ("ADDED", "live"),
        ("MODIFIED", "live"),
        ("DELETED", "live"),
        ("MODIFIED", "existing"),
        ("DELETED", "existing"),
    ]


# ------------------------------------------------------------------------------- lightkube


def test_lightkube_list_create_patch_delete(lk: LightkubeClient) -> None:
    from lightkube import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap, Namespace
    from lightkube.types import PatchType

    assert "kube-system" in {ns.metadata.name for ns in lk.list(Namespace)}
    created = lk.create(
        ConfigMap(metadata=ObjectMeta(name="app", labels={"app": "lk"}), data={"a": "1"})
    )
    assert created.metadata.namespace == NS and created.metadata.uid
    for i in range(4):
        lk.create(ConfigMap(metadata=ObjectMeta(name=f"page-{i}", labels={"paged": "yes"})))
    assert [cm.metadata.name for cm in lk.list(ConfigMap, labels={"app": "lk"})] == ["app"]
    # chunk_size pages with limit/continue until the last page.
    paged = lk.list(ConfigMap, labels={"paged": "yes"}, chunk_size=3)
    assert [cm.metadata.name for cm in paged] == [f"page-{i}" for i in range(4)]

    patched = lk.patch(ConfigMap, "app", {"data": {"b": "2"}})  # strategic merge
    assert patched.data == {"a": "1", "b": "2"}
    patched = lk.patch(ConfigMap, "app", {"data": {"a": None}}, patch_type=PatchType.MERGE)
    assert patched.data == {"b": "2"}
    patched = lk.patch(
        ConfigMap,
        "app",
        [{"op": "add", "path": "/data/c", "value": "3"}],
        patch_type=PatchType.JSON,
    )
    assert patched.data == {"b": "2", "c": "3"}
    patched.data = {"replaced": "yes"}
    assert lk.replace(patched).data == {"replaced": "yes"}
    assert lk.get(ConfigMap, "app").data == {"replaced": "yes"}

    with pytest.raises(ApiError) as err:
        lk.create(ConfigMap(metadata=ObjectMeta(name="app")))
    assert (err.value.status.code, err.value.status.reason) == (409, "AlreadyExists")
    lk.delete(ConfigMap, "app")
    with pytest.raises(ApiError) as err:
        lk.get(ConfigMap, "app")
    assert (err.value.status.code, err.value.status.reason) == (404, "NotFound")
    lk.deletecollection(ConfigMap)
    # kube-root-ca.crt is recreated at once, as its controller does in a real cluster.
    assert [cm.metadata.name for cm in lk.list(ConfigMap)] == ["kube-root-ca.crt"]


def test_lightkube_scale_subresource(lk: LightkubeClient) -> None:
    from lightkube.codecs import from_dict
    from lightkube.resources.apps_v1 import Deployment

    lk.create(from_dict(deployment("web", 2)))
    scale = lk.get(Deployment.Scale, "web")
    assert (scale.spec.replicas, scale.status.selector) == (2, "app=web")
    scale = lk.patch(Deployment.Scale, "web", {"spec": {"replicas": 4}})
    assert scale.spec.replicas == 4
    assert lk.get(Deployment, "web").spec.replicas == 4


def test_lightkube_apply_creates_and_updates(lk: LightkubeClient) -> None:
    from lightkube import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    def applied(data: dict[str, str], **options: Any) -> Any:
        obj = ConfigMap(metadata=ObjectMeta(name="cfg", namespace=NS), data=data)
        return lk.apply(obj, field_manager="lk-test", **options)

    assert applied({"a": "1"}, dry_run=True).data == {"a": "1"}
    with pytest.raises(ApiError) as err:
        lk.get(ConfigMap, "cfg")
    assert err.value.status.code == 404
    created = applied({"a": "1"})  # apply on a missing object creates it
    assert created.data == {"a": "1"} and created.metadata.uid
    updated = applied({"a": "2"})
    assert updated.data == {"a": "2"}
    assert updated.metadata.uid == created.metadata.uid
    assert lk.get(ConfigMap, "cfg").data == {"a": "2"}


def test_lightkube_apply_records_managed_fields(lk: LightkubeClient) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    obj = ConfigMap(metadata=ObjectMeta(name="cfg", namespace=NS), data={"a": "1"})
    applied = lk.apply(obj, field_manager="lk-test")
    managers = [
        (m.manager, m.operation, m.fieldsType) for m in applied.metadata.managedFields or []
    ]
    assert managers == [("lk-test", "Apply", "FieldsV1")]
    (entry,) = applied.metadata.managedFields
    assert entry.fieldsV1 == {"f:data": {"f:a": {}}}


def test_lightkube_apply_removes_fields_the_manager_dropped(lk: LightkubeClient) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    def applied(data: dict[str, str]) -> Any:
        obj = ConfigMap(metadata=ObjectMeta(name="cfg", namespace=NS), data=data)
        return lk.apply(obj, field_manager="lk-test")

    applied({"keep": "1", "drop": "1"})
    assert applied({"keep": "2"}).data == {"keep": "2"}


def test_lightkube_apply_conflicts_with_another_managers_field(lk: LightkubeClient) -> None:
    from lightkube import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    def obj(value: str) -> Any:
        return ConfigMap(metadata=ObjectMeta(name="cfg", namespace=NS), data={"k": value})

    lk.create(obj("mine"), field_manager="creator")
    with pytest.raises(ApiError) as err:
        lk.apply(obj("yours"), field_manager="lk-test")
    assert (err.value.status.code, err.value.status.reason) == (409, "Conflict")
    assert err.value.status.message == (
        'Apply failed with 1 conflict: conflict with "creator" using v1: .data.k'
    )
    assert lk.apply(obj("yours"), field_manager="lk-test", force=True).data == {"k": "yours"}


def test_lightkube_apply_merges_list_map_entries_of_two_managers(lk: LightkubeClient) -> None:
    from lightkube.codecs import from_dict

    lk.apply(
        from_dict(deployment("web", containers=[{"name": "a", "image": "nginx"}])),
        field_manager="one",
    )
    result = lk.apply(
        from_dict(deployment("web", containers=[{"name": "b", "image": "busybox"}])),
        field_manager="two",
    )
    assert [c.name for c in result.spec.template.spec.containers] == ["a", "b"]


def test_lightkube_watch(lk: LightkubeClient) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    def labelled(name: str) -> Any:
        return ConfigMap(metadata=ObjectMeta(name=name, labels={"test": "watch"}))

    existing = lk.create(labelled("existing"))
    seen = []
    with deadline():
        for kind, obj in lk.watch(ConfigMap, labels={"test": "watch"}, server_timeout=WAIT):
            step = (kind, obj.metadata.name)
            seen.append(step)
            if step == ("ADDED", "existing"):
                lk.create(labelled("live"))
            elif step == ("ADDED", "live"):
                lk.patch(ConfigMap, "live", {"data": {"k": "v"}})
            elif step == ("MODIFIED", "live"):
                assert obj.data == {"k": "v"}
                lk.delete(ConfigMap, "live")
            elif step == ("DELETED", "live"):
                break
    assert seen == [
        ("ADDED", "existing"),
        ("ADDED", "live"),
        ("MODIFIED", "live"),
        ("DELETED", "live"),
    ]

    since = existing.metadata.resourceVersion
    lk.delete(ConfigMap, "existing")
    resumed = []
    with deadline():
        for kind, obj in lk.watch(ConfigMap, labels={"test": "watch"}, resource_version=since):
            resumed.append((kind, obj.metadata.name))
            if (kind, obj.metadata.name) == ("DELETED", "existing"):
                break
    assert resumed[0] == ("ADDED", "live")
    assert resumed[-1] == ("DELETED", "existing")


def test_lightkube_watch_from_a_compacted_resource_version_is_410(
    lk: LightkubeClient, pykctl_simulator: RunningSimulator
) -> None:
    from lightkube import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    old = lk.create(ConfigMap(metadata=ObjectMeta(name="old"))).metadata.resourceVersion
    lk.create(ConfigMap(metadata=ObjectMeta(name="newer")))
    pykctl_simulator.call(pykctl_simulator.simulator.store.clear)
    with deadline(), pytest.raises(ApiError) as err:
        for _ in lk.watch(ConfigMap, namespace=NS, resource_version=old):
            pass
    assert (err.value.status.code, err.value.status.reason) == (410, "Expired")


# ------------------------------------------------------------------ the fixture's shutdown


def test_stopping_the_simulator_closes_idle_client_connections(tmp_path: Path) -> None:
    running = start_simulator(tmp_path / "sim")
    context = ssl.create_default_context(cafile=str(running.ca_file))
    port = int(running.url.rsplit(":", 1)[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with (
            socket.create_connection(("127.0.0.1", port)) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as conn,
        ):
            conn.sendall(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert conn.recv(12) == b"HTTP/1.1 200"
            # A client (say, an ApiClient nobody closed) keeps the connection when the test ends.
            running.stop()
        gc.collect()
    leaked = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == []


def test_the_module_marker_asks_the_fixture_for_no_nodes(k8s: ApiClient) -> None:
    from kubernetes import client

    assert client.CoreV1Api(k8s).list_node().items == []

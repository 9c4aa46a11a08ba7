"""Discovery and OpenAPI documents against real clients: kubectl 1.37 and the python DynamicClient.

A tiny HTTP server on 127.0.0.1 serves exactly the simulator's discovery (``discovery.py``) and
OpenAPI (``openapi.py``) documents, plus a few in-memory collection/object handlers so commands run
to completion. kubectl talks plain http with a kubeconfig that has no user, and keeps its caches
under the test's tmp_path. The expected ``api-resources`` table is what a real v1.37 cluster lists
for the resources the simulator serves.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from backends.simulator.apiserver import resources
from backends.simulator.apiserver.discovery import discovery_document
from backends.simulator.apiserver.openapi import serve
from tests.conftest import Result, isolated_env, run_process

pytestmark = pytest.mark.e2e

Obj = dict[str, Any]


@dataclass
class Request:
    """One request the server saw."""

    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str
    body: bytes


@dataclass
class State:
    """What the server remembers: requests seen and objects created, by item path."""

    requests: list[Request] = field(default_factory=list)
    objects: dict[str, Obj] = field(default_factory=dict)


def _status(code: int, reason: str, message: str) -> Obj:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": {},
        "code": code,
    }


def _resource_path(path: str) -> tuple[resources.ResourceType, str, str | None] | None:
    """(resource type, collection path, object name) of a REST path the registry knows."""
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    prefix = parts[: len(parts) - len(rest)]
    if len(rest) >= 3 and rest[0] == "namespaces":
        prefix, rest = [*prefix, *rest[:2]], rest[2:]
    if not rest or len(rest) > 2:
        return None
    rtype = resources.lookup(group, version, rest[0])
    if rtype is None:
        return None
    return rtype, "/" + "/".join([*prefix, rest[0]]), rest[1] if len(rest) == 2 else None


class Handler(BaseHTTPRequestHandler):
    """Discovery and OpenAPI from the modules under test; a minimal object store for the rest."""

    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests are recorded in ``State`` instead."""

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, document: Obj) -> None:
        self._reply(status, json.dumps(document).encode(), {"Content-Type": "application/json"})

    def _record(self) -> Request:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            self.command,
            url.path,
            parse_qs(url.query),
            self.headers.get("Content-Type") or "",
            self.rfile.read(length),
        )
        self.server.state.requests.append(request)
        return request

    def do_GET(self) -> None:
        request = self._record()
        accept = self.headers.get("Accept")
        address = f"127.0.0.1:{self.server.server_port}"
        document = discovery_document(request.path, accept, address)
        if document is not None:
            self._reply(200, document.body, {"Content-Type": document.content_type})
            return
        hash_ = request.query.get("hash", [None])[0]
        answer = serve(request.path, hash_, self.headers.get("If-None-Match"), accept)
        if answer is not None:
            self._reply(answer.status, answer.body, answer.headers)
            return
        target = _resource_path(request.path)
        if target is None:
            self._json(
                404, _status(404, "NotFound", "the server could not find the requested resource")
            )
            return
        rtype, collection, name = target
        if name is None:
            objects = self.server.state.objects.items()
            items = [o for p, o in objects if p.rpartition("/")[0] == collection]
            kind, api_version = rtype.kind + "List", rtype.api_version
            metadata = {"resourceVersion": "1"}
            body = {"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": items}
            self._json(200, body)
            return
        obj = self.server.state.objects.get(f"{collection}/{name}")
        if obj is None:
            self._json(404, _status(404, "NotFound", f'{rtype.qualified} "{name}" not found'))
            return
        self._json(200, obj)

    def do_POST(self) -> None:
        request = self._record()
        target = _resource_path(request.path)
        assert target is not None and target[2] is None, request.path
        obj = json.loads(request.body)
        metadata = obj.setdefault("metadata", {})
        metadata.update(uid="0b1c", resourceVersion="1", creationTimestamp="2026-01-01T00:00:00Z")
        if target[0].namespaced:
            metadata.setdefault("namespace", request.path.split("/")[-2])
        self.server.state.objects[f"{target[1]}/{metadata['name']}"] = obj
        self._json(201, obj)

    def do_PATCH(self) -> None:
        request = self._record()
        self._json(200, self.server.state.objects[request.path])


class Server(ThreadingHTTPServer):
    """The HTTP server with the state its handlers share."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = State()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


@pytest.fixture(scope="module")
def running_server() -> Iterator[Server]:
    """Listening as soon as it is constructed (bind + listen happen in the constructor)."""
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def server(running_server: Server) -> Server:
    """The shared server, with no requests or objects from earlier tests."""
    running_server.state = State()
    return running_server


Kubectl = Callable[..., Result]


@pytest.fixture
def run(server: Server, kubectl: str, tmp_path: Path) -> Kubectl:
    """Run the real kubectl against ``server`` with its caches and kubeconfig in tmp_path."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: sim\n  cluster:\n    server: {server.url}\n"
        "contexts:\n- name: sim\n  context:\n    cluster: sim\n    namespace: default\n"
        "current-context: sim\n"
    )
    env = isolated_env(tmp_path / "home")
    base = [kubectl, "--kubeconfig", str(kubeconfig), "--cache-dir", str(tmp_path / "cache")]

    def run_kubectl(*args: str, stdin: str = "") -> Result:
        return run_process([*base, *args], cwd=tmp_path, env=env, stdin=stdin)

    return run_kubectl


# `kubectl api-resources` on a real v1.37 cluster, restricted to the resources the simulator
# serves: NAME, SHORTNAMES, APIVERSION, NAMESPACED, KIND (kubectl sorts by group, stably).
REAL_CLUSTER_API_RESOURCES = [
    ("bindings", "", "v1", "true", "Binding"),
    ("componentstatuses", "cs", "v1", "false", "ComponentStatus"),
    ("configmaps", "cm", "v1", "true", "ConfigMap"),
    ("endpoints", "ep", "v1", "true", "Endpoints"),
    ("events", "ev", "v1", "true", "Event"),
    ("limitranges", "limits", "v1", "true", "LimitRange"),
    ("namespaces", "ns", "v1", "false", "Namespace"),
    ("nodes", "no", "v1", "false", "Node"),
    ("persistentvolumeclaims", "pvc", "v1", "true", "PersistentVolumeClaim"),
    ("persistentvolumes", "pv", "v1", "false", "PersistentVolume"),
    ("pods", "po", "v1", "true", "Pod"),
    ("podtemplates", "", "v1", "true", "PodTemplate"),
    ("replicationcontrollers", "rc", "v1", "true", "ReplicationController"),
    ("resourcequotas", "quota", "v1", "true", "ResourceQuota"),
    ("secrets", "", "v1", "true", "Secret"),
    ("serviceaccounts", "sa", "v1", "true", "ServiceAccount"),
    ("services", "svc", "v1", "true", "Service"),
    ("controllerrevisions", "", "apps/v1", "true", "ControllerRevision"),
    ("daemonsets", "ds", "apps/v1", "true", "DaemonSet"),
    ("deployments", "deploy", "apps/v1", "true", "Deployment"),
    ("replicasets", "rs", "apps/v1", "true", "ReplicaSet"),
    ("statefulsets", "sts", "apps/v1", "true", "StatefulSet"),
    ("selfsubjectreviews", "", "authentication.k8s.io/v1", "false", "SelfSubjectReview"),
    ("tokenreviews", "", "authentication.k8s.io/v1", "false", "TokenReview"),
    (
        "localsubjectaccessreviews",
        "",
        "authorization.k8s.io/v1",
        "true",
        "LocalSubjectAccessReview",
    ),
    ("selfsubjectaccessreviews", "", "authorization.k8s.io/v1", "false", "SelfSubjectAccessReview"),
    ("selfsubjectrulesreviews", "", "authorization.k8s.io/v1", "false", "SelfSubjectRulesReview"),
    ("subjectaccessreviews", "", "authorization.k8s.io/v1", "false", "SubjectAccessReview"),
    ("horizontalpodautoscalers", "hpa", "autoscaling/v2", "true", "HorizontalPodAutoscaler"),
    ("cronjobs", "cj", "batch/v1", "true", "CronJob"),
    ("jobs", "", "batch/v1", "true", "Job"),
    ("leases", "", "coordination.k8s.io/v1", "true", "Lease"),
    ("endpointslices", "", "discovery.k8s.io/v1", "true", "EndpointSlice"),
    ("events", "ev", "events.k8s.io/v1", "true", "Event"),
    ("ingressclasses", "", "networking.k8s.io/v1", "false", "IngressClass"),
    ("ingresses", "ing", "networking.k8s.io/v1", "true", "Ingress"),
    ("networkpolicies", "netpol", "networking.k8s.io/v1", "true", "NetworkPolicy"),
    ("poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"),
    ("clusterrolebindings", "", "rbac.authorization.k8s.io/v1", "false", "ClusterRoleBinding"),
    ("clusterroles", "", "rbac.authorization.k8s.io/v1", "false", "ClusterRole"),
    ("rolebindings", "", "rbac.authorization.k8s.io/v1", "true", "RoleBinding"),
    ("roles", "", "rbac.authorization.k8s.io/v1", "true", "Role"),
    ("priorityclasses", "pc", "scheduling.k8s.io/v1", "false", "PriorityClass"),
    ("storageclasses", "sc", "storage.k8s.io/v1", "false", "StorageClass"),
]


def _columns(table: str) -> list[tuple[str, ...]]:
    """The cells of a kubectl table, cut at the header's column starts (cells may be empty)."""
    header, *rows = table.splitlines()
    starts = [header.index(name) for name in header.split()]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    return [tuple(row[a:b].strip() for a, b in bounds) for row in rows]


def _requests(server: Server, method: str, prefix: str = "/") -> list[Request]:
    return [r for r in server.state.requests if r.method == method and r.path.startswith(prefix)]


def test_api_resources_match_a_real_cluster(run: Kubectl, server: Server) -> None:
    result = run("api-resources")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == [
        "NAME",
        "SHORTNAMES",
        "APIVERSION",
        "NAMESPACED",
        "KIND",
    ]
    assert _columns(result.stdout) == REAL_CLUSTER_API_RESOURCES
    # Aggregated discovery: two requests, no per-group-version fallback.
    assert [r.path for r in _requests(server, "GET")] == ["/api", "/apis"]


def test_api_versions(run: Kubectl) -> None:
    result = run("api-versions")
    assert result.code == 0, result.stderr
    assert result.stdout.split() == [
        "apps/v1",
        "authentication.k8s.io/v1",
        "authorization.k8s.io/v1",
        "autoscaling/v2",
        "batch/v1",
        "coordination.k8s.io/v1",
        "discovery.k8s.io/v1",
        "events.k8s.io/v1",
        "networking.k8s.io/v1",
        "policy/v1",
        "rbac.authorization.k8s.io/v1",
        "scheduling.k8s.io/v1",
        "storage.k8s.io/v1",
        "v1",
    ]


def test_explain_pod_containers(run: Kubectl) -> None:
    result = run("explain", "pods.spec.containers")
    assert result.code == 0, result.stderr
    out = result.stdout
    assert out.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n")
    assert "List of containers belonging to the pod." in out
    assert "A single application container that you want to run within a pod." in out
    assert "\n  name\t<string> -required-\n" in out
    assert "\n  image\t<string>\n    Container image name." in out
    assert "\n  ports\t<[]ContainerPort>\n" in out
    assert "\n  resources\t<ResourceRequirements>\n" in out


def test_explain_deployment_strategy(run: Kubectl) -> None:
    result = run("explain", "deployment.spec.strategy")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(
        "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\n"
        "FIELD: strategy <DeploymentStrategy>\n"
    )
    assert "The deployment strategy to use to replace existing pods with new ones." in result.stdout
    assert "\n  rollingUpdate\t<RollingUpdateDeployment>\n" in result.stdout
    assert "\n  type\t<string>\n" in result.stdout
    deeper = run("explain", "deploy.spec.strategy.rollingUpdate.maxSurge")
    assert deeper.code == 0, deeper.stderr
    assert "FIELD: maxSurge <IntOrString>" in deeper.stdout


def test_openapi_documents_are_cached_by_hash(run: Kubectl, server: Server) -> None:
    assert run("explain", "pods").code == 0
    assert run("explain", "services.spec").code == 0
    fetched = [r.path for r in _requests(server, "GET", "/openapi/")]
    # The second run revalidates only the index; the hashed document comes from kubectl's cache.
    assert fetched == ["/openapi/v3", "/openapi/v3/api/v1", "/openapi/v3"]
    assert not _requests(server, "GET", "/openapi/v2")


@pytest.mark.parametrize(
    ("resource", "collections"),
    [
        ("pods", ["/api/v1/namespaces/default/pods"]),
        ("deploy", ["/apis/apps/v1/namespaces/default/deployments"]),
        ("hpa", ["/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"]),
        (
            "all",
            [
                "/api/v1/namespaces/default/pods",
                "/api/v1/namespaces/default/replicationcontrollers",
                "/api/v1/namespaces/default/services",
                "/apis/apps/v1/namespaces/default/daemonsets",
                "/apis/apps/v1/namespaces/default/deployments",
                "/apis/apps/v1/namespaces/default/replicasets",
                "/apis/apps/v1/namespaces/default/statefulsets",
                "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers",
                "/apis/batch/v1/namespaces/default/cronjobs",
                "/apis/batch/v1/namespaces/default/jobs",
            ],
        ),
    ],
)
def test_get_resolves_resource_types(
    run: Kubectl, server: Server, resource: str, collections: list[str]
) -> None:
    result = run("get", resource)
    assert (result.code, result.stdout) == (0, ""), result.stderr
    assert result.stderr == "No resources found in default namespace.\n"
    listed = [r.path for r in _requests(server, "GET") if r.path not in ("/api", "/apis")]
    assert sorted(listed) == collections


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1
        env:
        - {name: A, value: "1"}
"""


def test_apply_validates_strictly_and_patches_from_openapi_v3(
    run: Kubectl, server: Server, tmp_path: Path
) -> None:
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(DEPLOYMENT)
    created = run("apply", "-f", manifest.name)
    assert (created.code, created.stdout) == (0, "deployment.apps/web created\n"), created.stderr
    (post,) = _requests(server, "POST")
    # The PATCH operation advertises fieldValidation: kubectl leaves validation to the server.
    assert post.query["fieldValidation"] == ["Strict"]

    manifest.write_text(DEPLOYMENT.replace("nginx:1", "nginx:2"))
    changed = run("apply", "-f", manifest.name, "-v=5")
    assert (changed.code, changed.stdout) == (0, "deployment.apps/web configured\n")
    # With strategic-merge-patch listed, the patch is computed from the v3 schemas, silently.
    assert "OpenAPI V3 path does not" not in changed.stderr
    assert "warning:" not in changed.stderr
    (patch,) = _requests(server, "PATCH")
    assert patch.content_type == "application/strategic-merge-patch+json"
    assert patch.query["fieldValidation"] == ["Strict"]
    spec = json.loads(patch.body)["spec"]["template"]["spec"]
    assert spec == {
        "$setElementOrder/containers": [{"name": "web"}],
        "containers": [{"image": "nginx:2", "name": "web"}],
    }


def test_python_dynamic_client_finds_kinds(server: Server, tmp_path: Path) -> None:
    from kubernetes import client, dynamic

    configuration = client.Configuration()
    configuration.host = server.url
    with client.ApiClient(configuration) as api:
        cache = str(tmp_path / "discovery.json")
        dyn = dynamic.DynamicClient(api, cache_file=cache)  # type: ignore[no-untyped-call]
        deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
        assert (deployments.name, deployments.namespaced) == ("deployments", True)
        assert set(deployments.subresources) == {"scale", "status"}
        pods = dyn.resources.get(api_version="v1", kind="Pod")
        assert pods.short_names == ["po"]
        assert {"log", "exec", "eviction", "status"} <= set(pods.subresources)
        assert dyn.resources.get(api_version="autoscaling/v2", kind="HorizontalPodAutoscaler")
    paths = {r.path for r in server.state.requests}
    assert {"/version", "/apis", "/api/v1", "/apis/apps/v1"} <= paths

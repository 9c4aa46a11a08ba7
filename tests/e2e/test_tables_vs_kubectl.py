"""The simulator's server-side Tables, rendered by the real kubectl v1.37.1.

A throwaway ``http.server`` on 127.0.0.1 serves legacy discovery and, for ``Accept: ...as=Table``,
the Tables built by ``backends.simulator.apiserver.tables``. kubectl prints cells verbatim, so
these cases check that the Table wire shape is one kubectl accepts (column priorities, the
PartialObjectMetadata row objects behind ``-A``/``--show-labels``) and that the cells come out
as kube-apiserver's would. Ages are computed against a fixed clock, so the output is exact.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from backends.simulator.apiserver.tables import table
from tests.conftest import run_process

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(name: str, namespace: str, age: str, **fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "creationTimestamp": age,
            "labels": {"app": name.split("-")[0]},
        },
        **fields,
    }


RUNNING = pod(
    "web-7d4b9c6f5-abcde",
    "default",
    ago(days=5),
    spec={"nodeName": "node-1", "containers": [{"name": "web"}, {"name": "log"}]},
    status={
        "phase": "Running",
        "podIP": "10.244.1.5",
        "podIPs": [{"ip": "10.244.1.5"}],
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [
            {"name": "web", "ready": True, "restartCount": 0, "state": {"running": {}}},
            {"name": "log", "ready": True, "restartCount": 0, "state": {"running": {}}},
        ],
    },
)
CRASHING = pod(
    "api-5f6d7c8b9-xyz12",
    "default",
    ago(days=2, hours=3),
    spec={"nodeName": "node-2", "containers": [{"name": "api"}, {"name": "proxy"}]},
    status={
        "phase": "Running",
        "podIPs": [{"ip": "10.244.2.9"}],
        "containerStatuses": [
            {
                "name": "api",
                "ready": False,
                "restartCount": 5,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {
                    "terminated": {"exitCode": 1, "finishedAt": ago(minutes=3, seconds=12)}
                },
            },
            {"name": "proxy", "ready": True, "restartCount": 0, "state": {"running": {}}},
        ],
    },
)
INITIALIZING = pod(
    "db-0",
    "team-a",
    ago(seconds=45),
    spec={"initContainers": [{"name": "migrate"}], "containers": [{"name": "db"}]},
    status={
        "phase": "Pending",
        "initContainerStatuses": [{"name": "migrate", "state": {"running": {}}}],
        "containerStatuses": [
            {"name": "db", "state": {"waiting": {"reason": "PodInitializing"}}},
        ],
    },
)
SERVICES = [
    {
        "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(days=332)},
        "spec": {
            "type": "NodePort",
            "clusterIPs": ["10.96.12.34"],
            "selector": {"app": "web"},
            "ports": [
                {"port": 80, "nodePort": 31234, "protocol": "TCP"},
                {"port": 443, "nodePort": 31443, "protocol": "TCP"},
            ],
        },
    },
    {
        "metadata": {"name": "edge", "namespace": "default", "creationTimestamp": ago(hours=7)},
        "spec": {
            "type": "LoadBalancer",
            "clusterIPs": ["10.96.0.200"],
            "ports": [{"port": 443, "nodePort": 30443, "protocol": "TCP"}],
        },
        "status": {"loadBalancer": {"ingress": [{"hostname": "edge-1234.elb.example.com"}]}},
    },
    {
        "metadata": {
            "name": "pending",
            "namespace": "default",
            "creationTimestamp": ago(minutes=9),
        },
        "spec": {"type": "LoadBalancer", "clusterIPs": ["10.96.0.201"], "ports": []},
    },
]
DEPLOYMENT = {
    "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(hours=50)},
    "spec": {
        "replicas": 3,
        "selector": {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}],
        },
        "template": {
            "spec": {
                "containers": [
                    {"name": "web", "image": "nginx:1.25"},
                    {"name": "log", "image": "busybox"},
                ]
            }
        },
    },
    "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
}

OBJECTS = {
    ("", "pods"): [RUNNING, CRASHING, INITIALIZING],
    ("", "services"): SERVICES,
    ("apps", "deployments"): [DEPLOYMENT],
}


def _resource(name: str, kind: str) -> dict[str, Any]:
    verbs = ["get", "list", "watch"]
    return {
        "name": name,
        "singularName": kind.lower(),
        "namespaced": True,
        "kind": kind,
        "verbs": verbs,
    }


DISCOVERY: dict[str, dict[str, Any]] = {
    "/api": {"kind": "APIVersions", "versions": ["v1"]},
    "/apis": {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": "apps",
                "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"},
            }
        ],
    },
    "/api/v1": {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "v1",
        "resources": [_resource("pods", "Pod"), _resource("services", "Service")],
    },
    "/apis/apps/v1": {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "apps/v1",
        "resources": [_resource("deployments", "Deployment")],
    },
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/")
        if path in DISCOVERY:
            self._reply(200, DISCOVERY[path])
            return
        parts = path.strip("/").split("/")
        group = "" if parts[0] == "api" else parts[1]
        rest = parts[2:] if parts[0] == "api" else parts[3:]
        namespace = rest[1] if len(rest) == 3 and rest[0] == "namespaces" else None
        objects = OBJECTS.get((group, rest[-1]))
        if objects is None or "as=Table" not in self.headers.get("Accept", ""):
            self._reply(
                404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404}
            )
            return
        selected = [o for o in objects if namespace in (None, o["metadata"]["namespace"])]
        include = parse_qs(url.query).get("includeObject", [""])[0]
        body = table(rest[-1], group, selected, NOW, include, {"resourceVersion": "42"})
        self._reply(200, body)

    def _reply(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def kubectl_get(kubectl: str, tmp_path: Path) -> Iterator[Callable[..., str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": "fake",
                        "cluster": {"server": f"http://127.0.0.1:{server.server_port}"},
                    }
                ],
                "contexts": [
                    {"name": "fake", "context": {"cluster": "fake", "namespace": "default"}}
                ],
                "current-context": "fake",
            }
        )
    )

    def get(*args: str) -> str:
        argv = [kubectl, "--kubeconfig", str(kubeconfig), "--cache-dir", str(tmp_path / "cache")]
        result = run_process([*argv, "get", *args])
        assert (result.stderr, result.code) == ("", 0)
        return result.stdout

    yield get
    server.shutdown()
    server.server_close()
    thread.join()


def test_pods(kubectl_get: Callable[..., str]) -> None:
    assert kubectl_get("pods") == (
        "NAME                  READY   STATUS             RESTARTS        AGE\n"
        "web-7d4b9c6f5-abcde   2/2     Running            0               5d\n"
        "api-5f6d7c8b9-xyz12   1/2     CrashLoopBackOff   5 (3m12s ago)   2d3h\n"
    )


def test_pods_wide_all_namespaces_with_labels(kubectl_get: Callable[..., str]) -> None:
    assert kubectl_get("pods", "-A", "-o", "wide", "--show-labels") == (
        "NAMESPACE   NAME                  READY   STATUS             RESTARTS        AGE    "
        "IP           NODE     NOMINATED NODE   READINESS GATES   LABELS\n"
        "default     web-7d4b9c6f5-abcde   2/2     Running            0               5d     "
        "10.244.1.5   node-1   <none>           <none>            app=web\n"
        "default     api-5f6d7c8b9-xyz12   1/2     CrashLoopBackOff   5 (3m12s ago)   2d3h   "
        "10.244.2.9   node-2   <none>           <none>            app=api\n"
        "team-a      db-0                  0/1     Init:0/1           0               45s    "
        "<none>       <none>   <none>           <none>            app=db\n"
    )


def test_services(kubectl_get: Callable[..., str]) -> None:
    assert kubectl_get("services", "-o", "wide") == (
        "NAME      TYPE           CLUSTER-IP    EXTERNAL-IP                 "
        "PORT(S)                      AGE    SELECTOR\n"
        "web       NodePort       10.96.12.34   <none>                      "
        "80:31234/TCP,443:31443/TCP   332d   app=web\n"
        "edge      LoadBalancer   10.96.0.200   edge-1234.elb.example.com   "
        "443:30443/TCP                7h     <none>\n"
        "pending   LoadBalancer   10.96.0.201   <pending>                   "
        "<none>                       9m     <none>\n"
    )


def test_deployments_wide_sorted(kubectl_get: Callable[..., str]) -> None:
    assert kubectl_get("deployments", "-o", "wide", "--sort-by", ".metadata.name") == (
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS   IMAGES               SELECTOR\n"
        "web    2/3     3            2           2d2h   web,log      nginx:1.25,busybox   "
        "app=web,tier in (be,fe)\n"
    )

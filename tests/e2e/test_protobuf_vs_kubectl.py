"""The protobuf decoder against the real kubectl 1.37: its bodies decode to the JSON it prints.

A throwaway plain-HTTP server on 127.0.0.1 records every POST body and answers 201 with the
object decoded by ``backends.simulator.apiserver.protobuf.decode`` (so kubectl finishes
normally); it stores what it created (for ``create job --from``) and serves the little legacy
discovery ``create role`` and ``auth can-i`` need. For each ``create`` command line, the
decoded body must equal what the same command prints with ``--dry-run=client -o json``: that is
the object kubectl would send. The only difference allowed is the one the wire cannot carry:
Go prints a nil list without ``omitempty`` as ``null``, and each case names such paths.
``create token``, ``auth can-i`` and ``auth whoami`` have no dry run; their decoded bodies are
compared with the objects kubectl builds from the flags, and their output with what the reply
said.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.apiserver.protobuf import CONTENT_TYPE, ProtobufError, decode
from tests.conftest import Result, isolated_env, run_process

pytestmark = pytest.mark.e2e

# A self-signed P-256 certificate and its key (CN=pykctl-test, valid until 2126), for
# ``create secret tls``, which checks that the two match.
TLS_CERT = """-----BEGIN CERTIFICATE-----
MIIBgzCCASmgAwIBAgIUQwXq+dwzoj2FtN8l19ih86R4wVIwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLcHlrY3RsLXRlc3QwIBcNMjYxMTI5MjAwNzUzWhgPMjEyNjEx
MDUyMDA3NTNaMBYxFDASBgNVBAMMC3B5a2N0bC10ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEglQ1CBHODP43/3EFHtCtUvUxl95/8KCAkbiUC/kuuySp99mM
Z1SSMWZA3bVuV2r+t5xa1QHVPTi/Y9Y7vz6kqaNTMFEwHQYDVR0OBBYEFKiUEKcd
xDGB2VNdEL+vcWGvFyERMB8GA1UdIwQYMBaAFKiUEKcdxDGB2VNdEL+vcWGvFyER
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgdoSQp7MT1EIcWind
dBi3BfNu681l9B3z5O3zPWUIzHICIQDMhBS5YoEH0irNiR6Vlkca/1SXQBtVgRfD
XYpHcYp3ZA==
-----END CERTIFICATE-----
"""
TLS_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYv7q4j1F80lJv8MM
cWCbWem/0SkRY63Gb4/xp/Tmdp6hRANCAASCVDUIEc4M/jf/cQUe0K1S9TGX3n/w
oICRuJQL+S67JKn32YxnVJIxZkDdtW5Xav63nFrVAdU9OL9j1ju/PqSp
-----END PRIVATE KEY-----
"""

FILES: dict[str, bytes] = {
    "binary.bin": bytes(range(256)) + bytes(range(255, -1, -1)) + b"\x00\xff\xfe",
    "notes.txt": "line one\nünïcode line\n".encode(),
    "app.env": b"# comment\nMODE=prod\nEMPTY=\nQUOTED='a b'\n",
    "tls.crt": TLS_CERT.encode(),
    "tls.key": TLS_KEY.encode(),
}

# Legacy discovery: group/version -> (resource, kind, namespaced, subresources).
DISCOVERY: dict[str, list[tuple[str, str, bool, tuple[str, ...]]]] = {
    "v1": [
        ("configmaps", "ConfigMap", True, ()),
        ("namespaces", "Namespace", False, ()),
        ("pods", "Pod", True, ("log", "exec")),
        ("secrets", "Secret", True, ()),
        ("serviceaccounts", "ServiceAccount", True, ("token",)),
        ("services", "Service", True, ()),
    ],
    "apps/v1": [("deployments", "Deployment", True, ("scale",))],
    "batch/v1": [("cronjobs", "CronJob", True, ()), ("jobs", "Job", True, ())],
}
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def _discovery(path: str) -> dict[str, Any] | None:
    """The legacy discovery document at ``path``, if it is one."""
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": None}
    if path == "/apis":
        groups = []
        for group_version in DISCOVERY:
            if "/" in group_version:
                version = {"groupVersion": group_version, "version": group_version.split("/")[1]}
                name = group_version.split("/")[0]
                groups.append({"name": name, "versions": [version], "preferredVersion": version})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    group_version = path.removeprefix("/api/").removeprefix("/apis/")
    if path in (f"/api/{group_version}", f"/apis/{group_version}") and group_version in DISCOVERY:
        resources: list[dict[str, Any]] = []
        for plural, kind, namespaced, subresources in DISCOVERY[group_version]:
            entry = {"name": plural, "singularName": kind.lower(), "namespaced": namespaced}
            resources.append({**entry, "kind": kind, "verbs": VERBS})
            for sub in subresources:
                resources.append({**entry, "name": f"{plural}/{sub}", "kind": kind, "verbs": []})
        return {"kind": "APIResourceList", "groupVersion": group_version, "resources": resources}
    return None


@dataclass
class Post:
    """One POST as the server saw it."""

    path: str
    content_type: str
    body: bytes


class FakeApiServer:
    """Records POSTs, answers with the decoded object, serves GETs of what it stored."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.objects: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reports what matters."""

            def reply(self, status: HTTPStatus, obj: dict[str, Any]) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = self.path.partition("?")[0]
                with server.lock:
                    found = _discovery(path) or server.objects.get(path)
                if found is None:
                    self.reply(HTTPStatus.NOT_FOUND, _status(404, "NotFound", path))
                else:
                    self.reply(HTTPStatus.OK, found)

            def do_POST(self) -> None:
                path = self.path.partition("?")[0]
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                content_type = self.headers.get("Content-Type", "")
                with server.lock:
                    server.posts.append(Post(path, content_type, body))
                try:
                    obj = decode(body)
                except ProtobufError as err:
                    self.reply(HTTPStatus.BAD_REQUEST, _status(400, "BadRequest", str(err)))
                    return
                answer = _answer(obj)
                with server.lock:
                    server.objects[f"{path}/{obj['metadata'].get('name', '')}"] = answer
                self.reply(HTTPStatus.CREATED, answer)

        return Handler


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _answer(obj: dict[str, Any]) -> dict[str, Any]:
    """What the server stores and replies: the object, with the status kubectl reads."""
    answer = copy.deepcopy(obj)
    if obj["kind"] == "TokenRequest":
        answer["status"] = {"token": "the-token", "expirationTimestamp": "2030-01-01T00:00:00Z"}
    elif obj["kind"] == "SelfSubjectAccessReview":
        answer["status"] = {"allowed": True}
    elif obj["kind"] == "SelfSubjectReview":
        answer["status"] = {"userInfo": {"username": "alice", "groups": ["devs"]}}
    return answer


@pytest.fixture(scope="module")
def api() -> Iterator[FakeApiServer]:
    server = FakeApiServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join()


class Kubectl:
    """The real kubectl against the fake server, in its own HOME, cache and working directory."""

    def __init__(self, binary: str, api: FakeApiServer, root: Path) -> None:
        self.binary, self.api, self.root = binary, api, root
        self.kubeconfig = root / "kubeconfig"
        self.kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "fake", "cluster": {"server": api.url}}],
                    "contexts": [{"name": "fake", "context": {"cluster": "fake"}}],
                    "current-context": "fake",
                }
            )
        )
        for name, data in FILES.items():
            (root / name).write_bytes(data)

    def run(self, argv: list[str]) -> Result:
        flags = ["--kubeconfig", str(self.kubeconfig), "--cache-dir", str(self.root / "cache")]
        env = isolated_env(self.root / "home")
        return run_process([self.binary, *flags, *argv], cwd=self.root, env=env)

    def post(self, argv: list[str]) -> tuple[Post, Result]:
        """Run ``argv``, which must succeed after exactly one POST; that POST and the result."""
        with self.api.lock:
            before = len(self.api.posts)
        result = self.run(argv)
        assert result.code == 0, result.stderr
        with self.api.lock:
            posts = self.api.posts[before:]
        assert len(posts) == 1, posts
        assert posts[0].content_type == CONTENT_TYPE
        return posts[0], result


@pytest.fixture
def kc(kubectl: str, api: FakeApiServer, tmp_path: Path) -> Kubectl:
    return Kubectl(kubectl, api, tmp_path)


@dataclass
class Case:
    argv: list[str]  # after "create"
    nil_lists: tuple[str, ...] = ()  # dotted paths dry-run prints as null: no wire form
    setup: list[list[str]] = field(default_factory=list)  # "create" lines run first

    def __str__(self) -> str:
        return " ".join(self.argv)


CREATE_CASES = [
    # configmap
    Case(["configmap", "cm1", "--from-literal=a=b", "--from-literal=c=d"]),
    Case(["configmap", "cm2", "--from-file=binary.bin", "--from-file=notes.txt"]),
    Case(["configmap", "cm3", "--from-literal=k=", "--from-literal=u=ünï"]),
    Case(["configmap", "cm4", "--from-env-file=app.env", "--append-hash"]),
    Case(["configmap", "cm5", "--from-literal=a=b", "--save-config"]),
    # secret
    Case(["secret", "generic", "s1", "--from-literal=k=v", "--from-literal=empty="]),
    Case(["secret", "generic", "s2", "--from-file=bin=binary.bin", "--type=Opaque"]),
    Case(["secret", "generic", "s3", "--from-env-file=app.env", "--save-config"]),
    Case(["secret", "tls", "t1", "--cert=tls.crt", "--key=tls.key"]),
    Case(
        [
            "secret",
            "docker-registry",
            "dr",
            "--docker-username=u",
            "--docker-password=p@ss:w",
            "--docker-email=e@x.com",
            "--docker-server=reg.io",
        ]
    ),
    # deployment
    Case(["deployment", "d1", "--image=nginx", "--replicas=3", "--port=8080"]),
    Case(["deployment", "d0", "--image=nginx", "--replicas=0"]),
    Case(["deployment", "dm", "--image=nginx", "--image=busybox"]),
    Case(["deployment", "dc", "--image=busybox", "--port=53", "--", "sleep", "1d"]),
    Case(["deployment", "ds", "--image=nginx:1.27", "--save-config"]),
    # namespace, serviceaccount
    Case(["namespace", "ns1"]),
    Case(["namespace", "ns2", "--save-config"]),
    Case(["serviceaccount", "sa1"]),
    # service
    Case(["service", "clusterip", "cip", "--tcp=5678:8080", "--tcp=443:https"]),
    Case(["service", "clusterip", "headless", "--clusterip=None"]),
    Case(["service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"]),
    Case(["service", "loadbalancer", "lb", "--tcp=5678:8080"]),
    Case(["service", "externalname", "en", "--external-name=bar.com", "--tcp=80"]),
    # job, cronjob
    Case(["job", "j1", "--image=busybox", "--", "echo", "hi"]),
    Case(["job", "j2", "--image=busybox"]),
    Case(["job", "j3", "--image=busybox", "--", "sh", "-c", "echo a b"]),
    Case(
        ["job", "j4", "--from=cronjob/cjf"],
        setup=[["cronjob", "cjf", "--image=busybox", "--schedule=0 0 * * *", "--", "date"]],
    ),
    Case(["cronjob", "cj1", "--image=busybox", "--schedule=*/5 * * * *"]),
    Case(
        [
            "cronjob",
            "cj2",
            "--image=busybox",
            "--schedule=@daily",
            "--restart=Never",
            "--",
            "date",
        ]
    ),
    # ingress
    Case(["ingress", "i1", "--rule=foo.com/bar=svc1:8080"]),
    Case(
        [
            "ingress",
            "i2",
            "--class=nginx",
            "--rule=foo.com/=svc:http,tls=my-cert",
            "--rule=bar.com/api*=api:80,tls",
            "--default-backend=defsvc:80",
            "--annotation=a=b",
            "--annotation=nginx.ingress.kubernetes.io/rewrite-target=/",
        ]
    ),
    # rbac
    Case(
        [
            "role",
            "r1",
            "--verb=get,list",
            "--resource=pods,deployments.apps,pods/log",
            "--resource-name=a",
        ]
    ),
    Case(["rolebinding", "rb", "--role=r1", "--user=bob", "--serviceaccount=default:sa"]),
    Case(["rolebinding", "rbc", "--clusterrole=view", "--group=g1", "--group=g2"]),
    Case(["clusterrole", "cr1", "--verb=get", "--non-resource-url=/logs/*"]),
    Case(["clusterrole", "cr2", "--verb=*", "--resource=jobs.batch,services"]),
    Case(["clusterrole", "agg", "--aggregation-rule=foo=bar"], nil_lists=("rules",)),
    Case(["clusterrolebinding", "crb", "--clusterrole=cr1", "--user=alice", "--group=ops"]),
    # quota, priorityclass, poddisruptionbudget
    Case(["quota", "q1", "--hard=cpu=1.5,memory=1Gi,pods=2,services=3", "--scopes=BestEffort"]),
    Case(["quota", "q2", "--hard=requests.storage=100Mi,limits.cpu=250m"]),
    Case(["priorityclass", "pc1", "--value=1000", "--description=hi", "--preemption-policy=Never"]),
    Case(["priorityclass", "pc0", "--value=0", "--global-default=true"]),
    Case(["priorityclass", "pcn", "--value=-5"]),
    Case(["poddisruptionbudget", "pdb1", "--selector=app=x", "--min-available=50%"]),
    Case(["poddisruptionbudget", "pdb2", "--selector=app=x,tier=db", "--max-unavailable=1"]),
]


def _pop_nil(printed: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    for key in parents:
        printed = printed[key]
    assert printed.pop(last) is None, path


@pytest.mark.parametrize("case", CREATE_CASES, ids=str)
def test_create_body_decodes_to_dry_run_object(kc: Kubectl, case: Case) -> None:
    for line in case.setup:
        kc.post(["create", *line])
    cut = case.argv.index("--") if "--" in case.argv else len(case.argv)
    dry_run = [*case.argv[:cut], "--dry-run=client", "-o", "json", *case.argv[cut:]]
    dry = kc.run(["create", *dry_run])
    assert dry.code == 0, dry.stderr
    printed = json.loads(dry.stdout)
    for path in case.nil_lists:
        _pop_nil(printed, path)
    post, result = kc.post(["create", *case.argv])
    assert decode(post.body) == printed
    assert result.stdout.endswith(" created\n")


def test_create_token(kc: Kubectl) -> None:
    argv = ["create", "token", "sa1", "--duration=1h", "--audience=a1", "--audience=a2"]
    bound = ["--bound-object-kind=Pod", "--bound-object-name=p", "--bound-object-uid=123"]
    post, result = kc.post([*argv, *bound])
    assert post.path == "/api/v1/namespaces/default/serviceaccounts/sa1/token"
    assert decode(post.body) == {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "spec": {
            "audiences": ["a1", "a2"],
            "expirationSeconds": 3600,
            "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p", "uid": "123"},
        },
        "status": {"token": "", "expirationTimestamp": None},
    }
    assert result.stdout == "the-token"


def test_create_token_plain(kc: Kubectl) -> None:
    post, _ = kc.post(["create", "token", "sa1", "-n", "kube-system"])
    assert post.path == "/api/v1/namespaces/kube-system/serviceaccounts/sa1/token"
    assert decode(post.body) == {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "spec": {},
        "status": {"token": "", "expirationTimestamp": None},
    }


REVIEW = {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1"}


@pytest.mark.parametrize(
    ("argv", "spec"),
    [
        (
            ["list", "pods", "--subresource=log", "-n", "kube-system"],
            {
                "resourceAttributes": {
                    "namespace": "kube-system",
                    "verb": "list",
                    "resource": "pods",
                    "subresource": "log",
                }
            },
        ),
        (
            ["create", "deployments.apps", "--all-namespaces"],
            {"resourceAttributes": {"verb": "create", "group": "apps", "resource": "deployments"}},
        ),
        (
            ["get", "configmap/app"],
            {
                "resourceAttributes": {
                    "namespace": "default",
                    "verb": "get",
                    "resource": "configmaps",
                    "name": "app",
                }
            },
        ),
        (["get", "/logs"], {"nonResourceAttributes": {"path": "/logs", "verb": "get"}}),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_auth_can_i(kc: Kubectl, argv: list[str], spec: dict[str, Any]) -> None:
    post, result = kc.post(["auth", "can-i", *argv])
    assert post.path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    expected = {**REVIEW, "metadata": {}, "spec": spec, "status": {"allowed": False}}
    assert decode(post.body) == expected
    assert result.stdout == "yes\n"


def test_auth_whoami(kc: Kubectl) -> None:
    post, result = kc.post(["auth", "whoami", "-o", "json"])
    assert post.path == "/apis/authentication.k8s.io/v1/selfsubjectreviews"
    assert decode(post.body) == {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {},
        "status": {"userInfo": {}},
    }
    assert json.loads(result.stdout)["status"]["userInfo"] == {
        "username": "alice",
        "groups": ["devs"],
    }

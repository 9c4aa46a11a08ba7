"""``pykctl create`` against the real kubectl 1.37: ``create -f`` and every generator.

Both tools run the same command line against one simulator, each in its own namespace; their
stdout, stderr and exit code must be equal, and so must the objects they leave behind.
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


HELP_COMMANDS = [
    ["create"],
    *[
        ["create", name]
        for name in (
            "clusterrole",
            "clusterrolebinding",
            "configmap",
            "cronjob",
            "deployment",
            "ingress",
            "job",
            "namespace",
            "poddisruptionbudget",
            "priorityclass",
            "quota",
            "role",
            "rolebinding",
            "secret",
            "service",
            "serviceaccount",
            "token",
        )
    ],
    ["create", "secret", "generic"],
    ["create", "secret", "tls"],
    ["create", "secret", "docker-registry"],
    ["create", "service", "clusterip"],
    ["create", "service", "nodeport"],
    ["create", "service", "loadbalancer"],
    ["create", "service", "externalname"],
]


@pytest.mark.parametrize("argv", HELP_COMMANDS, ids=lambda argv: " ".join(argv))
def test_help(argv: list[str], kubectl: str, tmp_path: Path) -> None:
    assert help_page("pykctl", kubectl, argv, tmp_path) == help_page(
        "kubectl", kubectl, argv, tmp_path
    )


# Generator command lines: (arguments, kinds whose objects are compared afterwards).
GENERATORS = [
    (["create", "configmap", "c1", "--from-literal=b=2", "--from-literal=a=1"], ["configmaps"]),
    (["create", "cm", "c1", "--from-literal=a=1", "-o", "json"], ["configmaps"]),
    (["create", "cm", "c1", "--from-literal=a=x=y", "-o", "yaml", "--save-config"], ["configmaps"]),
    (["create", "cm", "c1", "--from-file=data", "--dry-run=client", "-o", "json"], []),
    (["create", "cm", "c1", "--from-file=k=data/one.txt", "--from-literal=z=1"], ["configmaps"]),
    (["create", "cm", "c1", "--from-env-file=vars.env", "-o", "yaml"], ["configmaps"]),
    (["create", "cm", "c1", "--from-literal=a=1", "--append-hash", "-o", "name"], ["configmaps"]),
    (["create", "cm", "c1", "--from-literal=bad key=1"], []),
    (["create", "cm", "c1", "--from-literal=a=1", "--from-literal=a=2"], []),
    (["create", "cm", "c1", "--from-literal=noequals"], []),
    (["create", "cm", "c1", "--from-file=missing.txt"], []),
    (["create", "cm", "c1", "--from-env-file=vars.env", "--from-literal=a=b"], []),
    (
        ["create", "cm", "c1", "--from-literal=a=1", "--dry-run=server", "-o", "json"],
        ["configmaps"],
    ),
    (["create", "cm", "c1", "--from-literal=a=1", "--dry-run"], []),
    (["create", "cm", "c1", "--from-literal=a=1", "--dry-run=bogus"], []),
    (["create", "cm", "c1", "--validate=bogus"], []),
    (["create", "cm", "c1", "-o", "bogus"], []),
    (["create", "cm"], []),
    (["create", "cm", "a", "b"], []),
    (["create", "secret", "generic", "s1", "--from-literal=user=admin", "-o", "json"], ["secrets"]),
    (["create", "secret", "generic", "s1", "--from-file=data", "--type=Opaque"], ["secrets"]),
    (["create", "secret", "generic", "s1", "--from-literal=a=1", "--append-hash"], ["secrets"]),
    (
        ["create", "secret", "tls", "t1", "--cert=tls.crt", "--key=tls.key", "-o", "yaml"],
        ["secrets"],
    ),
    (["create", "secret", "tls", "t1", "--cert=tls.crt", "--key=data/one.txt"], []),
    (["create", "secret", "tls", "t1", "--cert=tls.crt"], []),
    (
        [
            "create",
            "secret",
            "docker-registry",
            "d1",
            "--docker-username=u",
            "--docker-password=p<w>",
            "--docker-email=e@x",
            "-o",
            "json",
        ],
        ["secrets"],
    ),
    (["create", "secret", "docker-registry", "d1", "--docker-username=u"], []),
    (["create", "secret"], []),
    (["create", "secret", "nope"], []),
    (["create", "namespace", "ns-{ns}", "-o", "json"], []),
    (["create", "ns", "{ns}"], []),
    (["create", "serviceaccount", "sa1", "--save-config", "-o", "yaml"], ["serviceaccounts"]),
    (["create", "service", "clusterip", "s1", "--tcp=80:8080", "--tcp=443"], ["services"]),
    (["create", "svc", "clusterip", "s1", "--clusterip=None", "-o", "yaml"], ["services"]),
    (
        [
            "create",
            "svc",
            "clusterip",
            "s1",
            "--tcp=80",
            "--save-config",
            "--dry-run=client",
            "-o",
            "json",
        ],
        [],
    ),
    (["create", "svc", "nodeport", "s1", "--tcp=80:http", "--dry-run=client", "-o", "json"], []),
    (["create", "svc", "loadbalancer", "s1", "--tcp=5678:8080", "-o", "name"], ["services"]),
    (
        ["create", "svc", "externalname", "s1", "--external-name=bar.com", "-o", "yaml"],
        ["services"],
    ),
    (["create", "svc", "externalname", "s1", "--external-name=Bad_Name"], []),
    (["create", "svc", "externalname", "s1"], []),
    (["create", "svc", "clusterip", "s1"], []),
    (["create", "svc", "clusterip", "s1", "--tcp=abc"], []),
    (["create", "svc", "clusterip", "s1", "--tcp=70000"], []),
    (["create", "svc", "clusterip", "s1", "--tcp=80:Abc"], []),
    (["create", "svc", "nodeport", "s1", "--clusterip=None"], []),
    (["create", "deployment", "web", "--image=nginx", "--port=80", "-o", "json"], ["deployments"]),
    (
        ["create", "deploy", "web", "--image=nginx", "--replicas=3", "--", "sleep", "1"],
        ["deployments"],
    ),
    (
        [
            "create",
            "deploy",
            "web",
            "--image=busybox",
            "--image=nginx:1.27",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        [],
    ),
    (["create", "deploy", "web", "--image=a", "--image=b", "--", "date"], []),
    (["create", "deploy", "web"], []),
    (["create", "deploy", "web", "--image=x", "--replicas=9999999999"], []),
    (["create", "job", "j1", "--image=busybox", "--", "echo", "hi"], ["jobs"]),
    (["create", "job", "j1"], []),
    (["create", "job", "j1", "--image=x", "--from=cronjob/x"], []),
    (["create", "job", "j1", "--from=cronjob/missing"], []),
    (
        ["create", "cronjob", "cj1", "--image=busybox", "--schedule=*/1 * * * *", "-o", "yaml"],
        ["cronjobs"],
    ),
    (
        [
            "create",
            "cj",
            "cj1",
            "--image=busybox",
            "--schedule=@daily",
            "--restart=Never",
            "--",
            "date",
        ],
        ["cronjobs"],
    ),
    (["create", "cronjob", "cj1"], []),
    (
        ["create", "ingress", "i1", "--rule=foo.com/bar=svc1:8080,tls=my-cert", "-o", "yaml"],
        ["ingresses"],
    ),
    (
        [
            "create",
            "ingress",
            "i1",
            "--class=default",
            "--rule=foo.com/=svc:https,tls",
            "--rule=foo.com/path/subpath*=othersvc:8080",
            "--rule=bar.com/admin*=svc2:http",
            "--default-backend=defaultsvc:http",
            "--annotation=a=b",
            "-o",
            "json",
        ],
        ["ingresses"],
    ),
    (["create", "ingress", "i1"], []),
    (["create", "ingress", "i1", "--rule=nonsense"], []),
    (["create", "ingress", "i1", "--default-backend=x"], []),
    (
        [
            "create",
            "quota",
            "q1",
            "--hard=cpu=1,memory=1Gi,pods=2",
            "--scopes=BestEffort",
            "-o",
            "yaml",
        ],
        ["resourcequotas"],
    ),
    (["create", "quota", "q1", "--hard=cpu=1x"], []),
    (["create", "quota", "q1", "--hard=cpu"], []),
    (["create", "quota", "q1", "--scopes=A,,B"], []),
    (["create", "priorityclass", "pc-{ns}", "--value=5", "--description=hi", "-o", "json"], []),
    (
        [
            "create",
            "pc",
            "pc-{ns}",
            "--value=5",
            "--global-default=false",
            "--preemption-policy=Never",
            "--dry-run=server",
            "-o",
            "yaml",
        ],
        [],
    ),
    (
        ["create", "pdb", "p1", "--selector=app=web", "--min-available=50%", "-o", "json"],
        ["poddisruptionbudgets"],
    ),
    (
        ["create", "pdb", "p1", "--selector=app in (a,b)", "--max-unavailable=1", "-o", "yaml"],
        ["poddisruptionbudgets"],
    ),
    (["create", "pdb", "p1", "--min-available=1"], []),
    (["create", "pdb", "p1", "--selector=a=b"], []),
    (["create", "pdb", "p1", "--selector=a=b", "--min-available=x"], []),
    (
        [
            "create",
            "role",
            "r1",
            "--verb=get,list",
            "--resource=pods,rs.apps,deployments/scale",
            "--resource-name=a",
            "--resource-name=a",
            "-o",
            "yaml",
        ],
        ["roles"],
    ),
    (["create", "role", "r1", "--verb=bogus", "--resource=pods"], ["roles"]),
    (["create", "role", "r1", "--verb=get", "--resource=foo"], []),
    (["create", "role", "r1", "--verb=use", "--resource=pods"], []),
    (["create", "role", "r1", "--verb=get"], []),
    (["create", "role", "r1", "--resource=pods"], []),
    (["create", "role", "r1", "--verb=*", "--verb=get", "--resource=*"], ["roles"]),
    (
        [
            "create",
            "clusterrole",
            "cr-{ns}",
            "--verb=get",
            "--non-resource-url=/logs/*",
            "-o",
            "json",
        ],
        [],
    ),
    (
        [
            "create",
            "clusterrole",
            "cr-{ns}",
            "--aggregation-rule=a=b",
            "--dry-run=client",
            "-o",
            "json",
        ],
        [],
    ),
    (["create", "clusterrole", "cr-{ns}", "--verb=get", "--non-resource-url=x"], []),
    (["create", "clusterrole", "cr-{ns}", "--aggregation-rule=a=b", "--verb=get"], []),
    (["create", "clusterrole", "cr-{ns}", "--aggregation-rule=broken"], []),
    (
        [
            "create",
            "rolebinding",
            "rb1",
            "--clusterrole=admin",
            "--user=u1",
            "--group=g1",
            "--serviceaccount=ns:sa",
            "-o",
            "yaml",
        ],
        ["rolebindings"],
    ),
    (["create", "rolebinding", "rb1", "--role=r", "--clusterrole=c"], []),
    (["create", "rolebinding", "rb1", "--role=r", "--serviceaccount=bad"], []),
    (
        [
            "create",
            "clusterrolebinding",
            "crb-{ns}",
            "--clusterrole=view",
            "--user=u",
            "-o",
            "json",
        ],
        [],
    ),
    (["create", "clusterrolebinding", "crb-{ns}"], []),
    (["create", "bogus"], []),
    (["create"], []),
]

FILES = {
    "data/one.txt": "one\n",
    "data/two.txt": "two\r\nlines\n",
    "vars.env": "# comment\nA=1\n  B=two words\nC\n\nD=x=y\n",
}


def _tls_files(root: Path) -> dict[str, str]:
    from backends.simulator import certs

    ca = certs.make_ca("writes-test")
    serving = certs.make_serving_cert(ca)
    return {"tls.crt": serving.cert_pem.decode(), "tls.key": serving.key_pem.decode()}


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _tls_files(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize("argv,kinds", GENERATORS, ids=lambda v: " ".join(v) if v else "")
def test_generator(
    pair: Pair, argv: list[str], kinds: list[str], tls_files: dict[str, str]
) -> None:
    case = pair.case(files={**FILES, **tls_files})
    case.same(*argv)
    if kinds:
        case.state(*kinds)


def test_already_exists(pair: Pair) -> None:
    case = pair.case()
    case.setup("create", "configmap", "c1")
    case.same("create", "configmap", "c1", "--from-literal=a=b")
    case.setup("create", "namespace", "dup-{ns}")
    case.same("create", "namespace", "dup-{ns}")
    case.same("create", "secret", "generic", "s1")
    case.same("create", "secret", "generic", "s1")


def test_namespace_flag_goes_into_the_object(pair: Pair) -> None:
    case = pair.case()
    case.same(
        "create", "-n", "{ns}", "cm", "c1", "--from-literal=a=1", "--dry-run=client", "-o", "json"
    )
    case.same("create", "-n", "{ns}", "deploy", "d1", "--image=x", "--save-config", "-o", "yaml")


def test_job_from_cronjob(pair: Pair) -> None:
    case = pair.case(
        setup="""
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    metadata:
      labels: {team: a}
      annotations: {note: keep}
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
"""
    )
    case.same("create", "job", "manual", "--from=cronjob/nightly", "-o", "yaml")
    case.state("jobs")


def test_token(pair: Pair) -> None:
    case = pair.case()
    case.same("create", "token", "default")
    case.same("create", "token", "default", "-o", "yaml")
    case.same("create", "token", "default", "--duration=10m", "--audience=a", "-o", "json")
    case.same("create", "token", "missing")
    case.same("create", "token", "default", "--duration=1.5s")
    case.same("create", "token", "default", "--bound-object-kind=Foo", "--bound-object-name=x")
    case.same("create", "token", "default", "--bound-object-name=x")
    case.same("create", "token")


MANIFESTS = {
    "cm.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: from-file
  labels: {app: demo}
data:
  a: "1"
""",
    "dir/a.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: dir-a
data: {k: v}
---
apiVersion: v1
kind: Secret
metadata:
  name: dir-b
stringData: {k: v}
""",
    "dir/b.json": '{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "dir-c"}}',
    "dir/ignored.txt": "not a manifest",
    "dir/sub/c.yaml": """apiVersion: v1
kind: ConfigMap
metadata: {name: deep}
""",
    "list.yaml": """apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: l1, labels: {app: demo}}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: l2}
""",
    "bad.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: [unclosed
""",
    "unknown.yaml": """apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
""",
    "invalid.yaml": """apiVersion: v1
kind: ConfigMap
metadata: {name: Bad_Name}
""",
    "other-ns.yaml": """apiVersion: v1
kind: ConfigMap
metadata: {name: elsewhere, namespace: somewhere-else}
""",
    "unknown-field.yaml": """apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
spec: {foo: 1}
""",
}

CREATE_FILES = [
    ["create", "-f", "cm.yaml"],
    ["create", "-f", "cm.yaml", "-o", "json"],
    ["create", "-f", "cm.yaml", "--save-config", "-o", "yaml"],
    ["create", "-f", "cm.yaml", "--dry-run=client", "-o", "yaml"],
    ["create", "-f", "cm.yaml", "--dry-run=server"],
    ["create", "-f", "dir"],
    ["create", "-f", "dir", "-R", "-o", "name"],
    ["create", "-f", "list.yaml", "-l", "app=demo"],
    ["create", "-f", "cm.yaml", "-f", "list.yaml", "-o", "yaml"],
    ["create", "-f", "-"],
    ["create", "-f", "missing.yaml"],
    ["create", "-f", "bad.yaml"],
    ["create", "-f", "unknown.yaml"],
    ["create", "-f", "invalid.yaml"],
    ["create", "-f", "other-ns.yaml"],
    ["create", "-n", "{ns}", "-f", "other-ns.yaml"],
    ["create", "-f", "unknown-field.yaml"],
    ["create", "-f", "unknown-field.yaml", "--validate=warn"],
    ["create", "-f", "unknown-field.yaml", "--validate=false"],
    ["create", "-f", "bad.yaml", "-f", "cm.yaml", "-f", "unknown.yaml"],
    ["create", "-f", "dir/ignored.txt"],
    ["create", "-f", "cm.yaml", "extra"],
    ["create", "-f", "cm.yaml", "-k", "dir"],
    ["create", "--raw", "/api/v1/namespaces/{ns}/configmaps", "-f", "cm.yaml"],
    ["create", "--raw", "/api/v1/namespaces/{ns}/configmaps", "-f", "cm.yaml", "-o", "json"],
]


@pytest.mark.parametrize("argv", CREATE_FILES, ids=lambda argv: " ".join(argv))
def test_create_from_files(pair: Pair, argv: list[str]) -> None:
    case = pair.case(files=MANIFESTS)
    stdin = MANIFESTS["cm.yaml"] if "-" in argv else ""
    case.same(*argv, stdin=stdin)
    case.state("configmaps", "secrets", "serviceaccounts")


def test_create_then_again_reports_every_failure(pair: Pair) -> None:
    case = pair.case(files=MANIFESTS)
    case.same("create", "-f", "cm.yaml", "-f", "dir")
    case.same("create", "-f", "cm.yaml", "-f", "dir")
    case.state("configmaps", "secrets", "serviceaccounts")

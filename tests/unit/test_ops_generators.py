"""``pykctl.ops.generators``: the objects and input errors of kubectl's create generators."""

from __future__ import annotations

from pathlib import Path

import pytest

from pykctl.ops import generators as g


def test_configmap_sources(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "a.txt").write_text("A")
    (tmp_path / "dir" / "bin").write_bytes(b"\xff\x00")
    (tmp_path / "dir" / "sub").mkdir()
    env = tmp_path / "vars.env"
    env.write_text("\ufeffX=1\n  # c\n\nY=a=b\r\n")
    cm = g.configmap("c", "", [str(tmp_path / "dir")], ["z=1"])
    assert cm["data"] == {"a.txt": "A", "z": "1"}
    assert cm["binaryData"] == {"bin": "/wA="}
    assert g.configmap("c", "ns", env_files=[str(env)])["data"] == {"X": "1", "Y": "a=b"}
    assert g.configmap("c", "", literals=["a=1"], append_hash=True)["metadata"]["name"].startswith(
        "c-"
    )


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (
            {"literals": ["a=1", "a=2"]},
            'cannot add key "a", another key by that name already exists in Data for ConfigMap "c"',
        ),
        ({"literals": ["=x"]}, "invalid literal source =x, expected key=value"),
        (
            {"literals": ["bad key=1"]},
            '"bad key" is not a valid key name for a ConfigMap: a valid config key',
        ),
        ({"from_files": ["k=v=w"]}, "key names or file paths cannot contain '='"),
        ({"from_files": ["/nonexistent"]}, "error reading /nonexistent: no such file or directory"),
        ({"env_files": ["/x"], "literals": ["a=b"]}, "from-env-file cannot be combined"),
    ],
)
def test_configmap_errors(kwargs: dict[str, list[str]], message: str) -> None:
    with pytest.raises(g.GeneratorError, match=None) as err:
        g.configmap("c", "", **kwargs)  # type: ignore[arg-type]
    assert message in str(err.value)


def test_service_ports_and_checks() -> None:
    svc = g.service("s", "", "NodePort", ["80:http", "443"], node_port=30001)
    assert svc["spec"]["ports"] == [
        {"name": "80-http", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 30001},
        {"name": "443", "protocol": "TCP", "port": 443, "targetPort": 443, "nodePort": 30001},
    ]
    for tcp, message in [
        ("abc", 'strconv.ParseUint: parsing "abc": invalid syntax'),
        ("70000", 'strconv.ParseUint: parsing "70000": value out of range'),
        ("80:0", "must be between 1 and 65535, inclusive"),
        (
            "80:A",
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-),"
            "must contain at least one letter (a-z)",
        ),
    ]:
        with pytest.raises(g.GeneratorError) as err:
            g.service("s", "", "ClusterIP", [tcp])
        assert str(err.value) == message
    with pytest.raises(g.GeneratorError, match="ClusterIP=None can only be used"):
        g.service("s", "", "NodePort", cluster_ip="None")


def test_deployment_job_cronjob() -> None:
    deploy = g.deployment("web", "", ["registry/nginx:1.27", "busybox@sha256:0"], port=80)
    containers = deploy["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["nginx", "busybox"]
    assert containers[0]["ports"] == [{"containerPort": 80}]
    assert g.deployment("d", "", ["my_img.v2"])["spec"]["template"]["spec"]["containers"][0][
        "name"
    ].startswith("my-img-v2-")
    with pytest.raises(g.GeneratorError, match="multiple --image options and command"):
        g.deployment("d", "", ["a", "b"], ["date"])
    assert (
        g.cronjob("c", "", "i", "@daily")["spec"]["jobTemplate"]["spec"]["template"]["spec"][
            "restartPolicy"
        ]
        == "OnFailure"
    )
    cron = {
        "metadata": {"name": "nightly", "uid": "u1"},
        "spec": {
            "jobTemplate": {"metadata": {"annotations": {"x": "y"}}, "spec": {"parallelism": 1}}
        },
    }
    job = g.job_from_cronjob("manual", "", cron)
    assert job["metadata"]["annotations"] == {
        "cronjob.kubernetes.io/instantiate": "manual",
        "x": "y",
    }
    assert job["metadata"]["ownerReferences"][0]["uid"] == "u1"
    assert job["spec"] == {"parallelism": 1}


def test_ingress_rules() -> None:
    ing = g.ingress(
        "i",
        "",
        rules=["foo.com/=svc:https,tls", "foo.com/path*=other:8080", "bar.com/x=s:1,tls=sec"],
    )
    assert ing["spec"]["tls"] == [
        {"hosts": ["foo.com"]},
        {"hosts": ["bar.com"], "secretName": "sec"},
    ]
    assert ing["spec"]["rules"][0]["http"]["paths"][1] == {
        "path": "/path",
        "pathType": "Prefix",
        "backend": {"service": {"name": "other", "port": {"number": 8080}}},
    }
    with pytest.raises(g.GeneratorError, match="rule nonsense is invalid"):
        g.ingress("i", "", rules=["nonsense"])


def test_policy_and_rbac() -> None:
    assert g.quota("q", "", "cpu=1000m,memory=1Gi")["spec"]["hard"] == {"cpu": "1", "memory": "1Gi"}
    with pytest.raises(g.GeneratorError, match="quantities must match"):
        g.quota("q", "", "cpu=1x")
    pdb = g.pod_disruption_budget("p", "", "app=web", min_available="1")
    assert pdb["spec"] == {"selector": {"matchLabels": {"app": "web"}}, "minAvailable": 1}
    with pytest.raises(g.GeneratorError, match="invalid format specified for max-unavailable"):
        g.pod_disruption_budget("p", "", "a=b", max_unavailable="x")
    rules = g.policy_rules(
        ["get"], [("apps", "deployments"), ("", "pods"), ("apps", "deployments")], []
    )
    assert rules == [
        {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]},
        {"verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments"]},
    ]
    assert g.role_verbs(["get", "list", "get"]) == ["get", "list"]
    assert g.role_verbs(["get", "*"]) == ["*"]
    with pytest.raises(g.GeneratorError, match="can not perform 'bind' on 'pods' in group ''"):
        g.check_special_verbs(["bind"], "", "pods")
    binding = g.role_binding("rb", "", cluster_role="admin", service_accounts=["ns:sa"])
    assert binding["subjects"] == [{"kind": "ServiceAccount", "namespace": "ns", "name": "sa"}]
    with pytest.raises(g.GeneratorError, match="exactly one of clusterrole or role"):
        g.role_binding("rb", "")


def test_token_request_checks() -> None:
    assert g.token_request([], 600.0)["spec"] == {"audiences": None, "expirationSeconds": 600}
    for args, message in [
        (([], 1.5), "--duration cannot be expressed in units less than seconds"),
        ((["a", ""], 0.0), "--audience must not be an empty string"),
        (([], 0.0, "Foo", "x"), "supported --bound-object-kind values are Node, Pod, Secret"),
        (
            ([], 0.0, "", "x"),
            "--bound-object-name can only be set if --bound-object-kind is provided",
        ),
    ]:
        with pytest.raises(g.GeneratorError) as err:
            g.token_request(*args)  # type: ignore[arg-type]
        assert str(err.value) == message


def test_tls_key_pair_checks(tmp_path: Path) -> None:
    from backends.simulator import certs

    ca = certs.make_ca("t")
    serving = certs.make_serving_cert(ca)
    g.check_key_pair(serving.cert_pem, serving.key_pem)
    with pytest.raises(g.GeneratorError, match="failed to find any PEM data in certificate input"):
        g.check_key_pair(b"nothing", serving.key_pem)
    with pytest.raises(g.GeneratorError, match="private key does not match public key"):
        g.check_key_pair(serving.cert_pem, certs.make_ca("other").key_pem)

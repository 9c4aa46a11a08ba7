"""`pykctl config ...` against the real kubectl 1.37: same stdout, stderr, exit code and files.

Every case runs both tools on identical copies of the fixture kubeconfigs (single files,
several files in $KUBECONFIG, missing files, broken files) and compares everything a user or a
script could observe, including the files left behind and their modes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.twins import Twins

pytestmark = pytest.mark.e2e


@dataclass
class Case:
    argv: list[str]
    fixtures: list[str] = field(default_factory=lambda: ["basic.yaml"])
    kubeconfig: str | None = None  # $KUBECONFIG; None = unset
    unordered_stdout: bool = False  # kubectl prints a Go map in random order
    stdin: str = ""

    def __str__(self) -> str:
        prefix = f"KUBECONFIG={self.kubeconfig} " if self.kubeconfig is not None else ""
        return prefix + " ".join(self.argv)


K = ["--kubeconfig", "basic.yaml"]
AB = "a.yaml:b.yaml"

CASES = [
    # current-context / use-context
    Case(["config", "current-context", *K]),
    Case(["config", "current-context", "extra", "args", *K]),
    Case(["config", "current-context", "--kubeconfig", "empty.yaml"], ["empty.yaml"]),
    Case(["config", "current-context", "--kubeconfig", "missing.yaml"]),
    Case(["--context", "prod", "config", "current-context", *K]),
    Case(["config", "use-context", "prod", *K]),
    Case(["config", "use", "prod", *K]),
    Case(["config", "use-context", "dev-ctx", *K]),
    Case(["config", "use-context", "nope", *K]),
    Case(["config", "use-context", *K]),
    Case(["config", "use-context", "a", "b", *K]),
    Case(["config", "use-context", "", *K]),
    Case(["config", "use-context", "--bogus", *K]),
    # get-contexts
    Case(["config", "get-contexts", *K]),
    Case(["config", "get-contexts", "--no-headers", *K]),
    Case(["config", "get-contexts", "-o", "name", *K]),
    Case(["config", "get-contexts", "-oname", *K]),
    Case(["config", "get-contexts", "prod", *K]),
    Case(["config", "get-contexts", "prod", "dev-ctx", "prod", *K]),
    Case(["config", "get-contexts", "nope", *K]),
    Case(["config", "get-contexts", "nope", "prod", "nope2", *K]),
    Case(["config", "get-contexts", "-o", "name", "nope", *K]),
    Case(["config", "get-contexts", "-o", "wide", *K]),
    Case(["config", "get-contexts", "-o=", *K]),
    Case(["config", "get-contexts", "--kubeconfig", "empty.yaml"], ["empty.yaml"]),
    Case(["config", "get-contexts", "--kubeconfig", "strings.yaml"], ["strings.yaml"]),
    Case(["config", "get-contexts"], ["a.yaml", "b.yaml"], AB),
    # get-clusters / get-users
    Case(["config", "get-clusters", *K], unordered_stdout=True),
    Case(["config", "get-users", *K]),
    Case(["config", "get-users", "--kubeconfig", "missing.yaml"]),
    Case(["config", "get-clusters"], ["a.yaml", "b.yaml"], AB, unordered_stdout=True),
    # view
    Case(["config", "view", *K]),
    Case(["config", "view", "--raw", *K]),
    Case(["config", "view", "-o", "json", *K]),
    Case(["config", "view", "-o", "yaml", *K]),
    Case(["config", "view", "--minify", *K]),
    Case(["config", "view", "--minify", "--context", "prod", *K]),
    Case(["config", "view", "--minify", "--context", "ghost", *K]),
    Case(["config", "view", "--minify", "--kubeconfig", "empty.yaml"], ["empty.yaml"]),
    Case(["config", "view", "--minify", "--flatten", "--kubeconfig", "files.yaml"], ["files.yaml"]),
    Case(["config", "view", "--flatten", "--kubeconfig", "files.yaml"], ["files.yaml"]),
    Case(["config", "view", "--kubeconfig", "files.yaml"], ["files.yaml"]),
    Case(["config", "view", "--kubeconfig", "plugins.yaml"], ["plugins.yaml"]),
    Case(
        ["config", "view", "--raw", "-o", "json", "--kubeconfig", "plugins.yaml"], ["plugins.yaml"]
    ),
    Case(["config", "view", "--kubeconfig", "strings.yaml"], ["strings.yaml"]),
    Case(["config", "view", "-o", "json", "--kubeconfig", "strings.yaml"], ["strings.yaml"]),
    Case(["config", "view", "--kubeconfig", "empty.yaml"], ["empty.yaml"]),
    Case(["config", "view", "-o", "json", "--kubeconfig", "missing.yaml"]),
    Case(["config", "view", "--merge=false", "--kubeconfig", "missing.yaml"]),
    Case(["config", "view", "--merge=false", *K]),
    Case(["config", "view", "--merge=false"], ["a.yaml"], "a.yaml"),
    Case(["config", "view"], ["a.yaml", "b.yaml"], AB),
    Case(["config", "view"], ["a.yaml", "b.yaml"], "b.yaml:a.yaml"),
    Case(["config", "view"], ["a.yaml", "b.yaml"], "missing.yaml:b.yaml::a.yaml:b.yaml"),
    Case(["config", "view"], ["basic.yaml"], None),  # ~/.kube/config missing: empty config
    Case(["config", "view", "extra", *K]),
    Case(["config", "view", "--raw", "false", *K]),
    Case(["config", "view", "-o", "wide", *K]),
    Case(["config", "view", "-o", "name", *K]),
    Case(["config", "view", "-o", "jsonpath={.current-context}", *K]),
    Case(["config", "view", "-o", "jsonpath={.contexts[*].name}", *K]),
    Case(["config", "view", "-o", 'jsonpath={range .users[*]}{.name}{"\\n"}{end}', *K]),
    Case(["config", "view", "--raw", "-o", 'jsonpath={.users[?(@.name=="bob")].user.token}', *K]),
    Case(["config", "view", "-o", 'jsonpath={.users[?(@.name=="bob")].user.token}', *K]),
    Case(["config", "view", "-o", "jsonpath={.clusters[5]}", *K]),
    Case(["config", "view", "-o", "jsonpath={.kind", *K]),
    Case(["config", "view", "-o", "jsonpath-as-json={.kind}", *K]),
    Case(["config", "view", "-o", "jsonpath", "--template", "{.kind}", *K]),
    Case(["config", "view", "-o", "jsonpath-file=missing.txt", *K]),
    # broken kubeconfigs
    Case(["config", "view", "--kubeconfig", "broken-yaml.yaml"], ["broken-yaml.yaml"]),
    Case(["config", "view", "--kubeconfig", "broken-type.yaml"], ["broken-type.yaml"]),
    Case(["config", "view", "--kubeconfig", "duplicate.yaml"], ["duplicate.yaml"]),
    Case(["config", "view", "--kubeconfig", "wrong-version.yaml"], ["wrong-version.yaml"]),
    Case(["config", "view", "--kubeconfig", "bad-base64.yaml"], ["bad-base64.yaml"]),
    Case(["config", "view", "--kubeconfig", "yaml11-bool.yaml"], ["yaml11-bool.yaml"]),
    Case(["config", "get-contexts"], ["a.yaml", "broken-type.yaml"], "a.yaml:broken-type.yaml"),
    Case(
        ["config", "use-context", "ctxa"], ["a.yaml", "broken-yaml.yaml"], "a.yaml:broken-yaml.yaml"
    ),
    Case(["config", "delete-context", "--kubeconfig", "duplicate.yaml"], ["duplicate.yaml"]),
    Case(["config", "view", "--kubeconfig", "certs"]),
    # set-context
    Case(["config", "set-context", "new", "--cluster=dev", "--user=alice", "-n", "ns1", *K]),
    Case(["config", "set-context", "dev-ctx", "--namespace=", *K]),
    Case(["config", "set-context", "dev-ctx", *K]),
    Case(["config", "set-context", "--current", "--namespace=mystuff", *K]),
    Case(["-n", "globalns", "config", "set-context", "--current", *K]),
    Case(["config", "set-context", "--current", "prod", *K]),
    Case(["config", "set-context", *K]),
    Case(["config", "set-context", "a", "b", *K]),
    Case(["config", "set-context", "--current", "--kubeconfig", "empty.yaml"], ["empty.yaml"]),
    Case(
        [
            "config",
            "set-context",
            "my-context",
            "--namespace=mystuff",
            "--kubeconfig",
            "new/dir/config",
        ]
    ),
    Case(["config", "set-context", 'we"ird\tname', "--cluster=y", *K]),
    Case(["config", "set-context", "newctx", "--cluster=cb"], ["a.yaml", "b.yaml"], AB),
    Case(["config", "set-context", "ctxb", "--namespace=changed"], ["a.yaml", "b.yaml"], AB),
    Case(["config", "set-context", "x"], ["b.yaml"], "missing.yaml:b.yaml"),
    Case(["config", "set-context", "x"], [], "n1.yaml:n2.yaml"),
    Case(["config", "set-context", "x"], [], "only.yaml"),
    # set-cluster
    Case(["config", "set-cluster", "e2e", "--server=https://1.2.3.4", *K]),
    Case(["config", "set-cluster", "prod", *K]),
    Case(["config", "set-cluster", "prod", "--insecure-skip-tls-verify=true", *K]),
    Case(
        [
            "config",
            "set-cluster",
            "dev",
            "--server=https://x",
            "--tls-server-name=t",
            "--proxy-url=http://p",
            *K,
        ]
    ),
    Case(["config", "set-cluster", "dev", "--insecure-skip-tls-verify", *K]),
    Case(["config", "set-cluster", "dev", "--certificate-authority=certs/ca.crt", *K]),
    Case(
        [
            "config",
            "set-cluster",
            "dev",
            "--certificate-authority=certs/ca.crt",
            "--embed-certs",
            *K,
        ]
    ),
    Case(["config", "set-cluster", "dev", "--certificate-authority=../elsewhere/ca.crt", *K]),
    Case(["config", "set-cluster", "dev", "--embed-certs", *K]),
    Case(
        ["config", "set-cluster", "dev", "--embed-certs", "--certificate-authority=missing.crt", *K]
    ),
    Case(
        [
            "config",
            "set-cluster",
            "dev",
            "--insecure-skip-tls-verify",
            "--certificate-authority=x",
            *K,
        ]
    ),
    Case(["config", "set-cluster", "dev", "--embed-certs=maybe", *K]),
    Case(["config", "set-cluster", "dev", "--embed-certs", "false", *K]),
    Case(["config", "set-cluster", "", *K]),
    Case(["config", "set-cluster", *K]),
    Case(["-s", "https://x", "config", "set-cluster", "c9", *K]),
    Case(["--server", "https://x", "config", "set-cluster", "c8", *K]),
    Case(["config", "set-cluster", "c1", "--server=https://new"], ["files.yaml"], "files.yaml"),
    Case(
        ["config", "set-cluster", "outside", "--proxy-url=http://p"], ["files.yaml"], "files.yaml"
    ),
    Case(["config", "set-cluster", "shared", "--server=https://x"], ["a.yaml", "b.yaml"], AB),
    # set-credentials
    Case(["config", "set-credentials", "bob", "--username=b", "--password=p", *K]),
    Case(["config", "set-credentials", "carol", "--token=t", *K]),
    Case(["config", "set-credentials", "carol", "--token=", *K]),
    Case(["config", "set-credentials", "x", "--token=t", "--username=u", *K]),
    Case(
        [
            "config",
            "set-credentials",
            "alice",
            "--client-certificate=certs/client.crt",
            "--client-key=certs/client.key",
            *K,
        ]
    ),
    Case(
        [
            "config",
            "set-credentials",
            "alice",
            "--client-certificate=certs/client.crt",
            "--embed-certs",
            *K,
        ]
    ),
    Case(["config", "set-credentials", "alice", "--embed-certs", *K]),
    Case(["config", "set-credentials", "alice", "--embed-certs", "--client-key=nope.key", *K]),
    Case(
        [
            "config",
            "set-credentials",
            "oidc",
            "--auth-provider=oidc",
            "--auth-provider-arg=client-id=x,extra=1",
            "--auth-provider-arg=client-secret-",
        ],
        ["plugins.yaml"],
        "plugins.yaml",
    ),
    Case(
        ["config", "set-credentials", "oidc", "--auth-provider=gcp"],
        ["plugins.yaml"],
        "plugins.yaml",
    ),
    Case(["config", "set-credentials", "u", "--auth-provider-arg=bad", *K]),
    Case(
        [
            "config",
            "set-credentials",
            "u",
            "--exec-command=/usr/bin/plug",
            "--exec-api-version=client.authentication.k8s.io/v1",
            "--exec-arg=a,b",
            "--exec-arg=c",
            "--exec-env=ONE=1",
            *K,
        ]
    ),
    Case(
        ["config", "set-credentials", "gke-user", "--exec-command=other"],
        ["plugins.yaml"],
        "plugins.yaml",
    ),
    Case(
        [
            "config",
            "set-credentials",
            "gke-user",
            "--exec-env=HOME=/home/x",
            "--exec-env=GONE-",
            "--exec-interactive-mode=Never",
            "--exec-provide-cluster-info=false",
        ],
        ["plugins.yaml"],
        "plugins.yaml",
    ),
    Case(["config", "set-credentials", "u", "--exec-interactive-mode=Sometimes", *K]),
    Case(["config", "set-credentials", "u", "--exec-env=bad", *K]),
    Case(["config", "set-credentials", *K]),
    Case(["config", "set-credentials", "a", "b", *K]),
    Case(["config", "set-credentials", "", *K]),
    Case(["--token", "abc", "config", "set-credentials", "u9", *K]),
    # set / unset
    Case(["config", "set", "clusters.dev.server", "https://1.2.3.4", *K]),
    Case(["config", "set", "clusters.new.server", "https://1.2.3.4", *K]),
    Case(["config", "set", "clusters.10.0.0.1.insecure-skip-tls-verify", "true", *K]),
    Case(["config", "set", "clusters.dev.insecure-skip-tls-verify", "maybe", *K]),
    Case(["config", "set", "clusters.dev.certificate-authority-data", "Y2VydA==", *K]),
    Case(["config", "set", "clusters.dev.certificate-authority-data", "not base64", *K]),
    Case(["config", "set", "users.alice.client-key-data", "rawtext", "--set-raw-bytes", *K]),
    Case(["config", "set", "contexts.dev-ctx.namespace", "other", *K]),
    Case(["config", "set", "contexts.brandnew.namespace", "nn", *K]),
    Case(["config", "set", "current-context", "prod", *K]),
    Case(["config", "set", "preferences.colors", "true", *K]),
    Case(["config", "set", "users.bob.act-as", "admin", *K]),
    Case(["config", "set", "users.bob.act-as-groups", "admin", *K]),
    Case(["config", "set", "users.bob.exec.command", "x", *K]),
    Case(["config", "set", "foo", "bar", *K]),
    Case(["config", "set", "clusters.dev.server.extra", "x", *K]),
    Case(["config", "set", "clusters.dev.server", "", *K]),
    Case(["config", "set", "", "x", *K]),
    Case(["config", "set", "x", *K]),
    Case(["config", "set", "kind", "Foo", *K]),
    Case(["config", "set", "--", "users.bob.token", "-abc", *K]),
    Case(["config", "set", "users.bob.token", "-abc", *K]),
    Case(["config", "unset", "contexts.dev-ctx.namespace", *K]),
    Case(["config", "unset", "contexts.prod", *K]),
    Case(["config", "unset", "contexts.nope", *K]),
    Case(["config", "unset", "contexts.nope.namespace", *K]),
    Case(["config", "unset", "users.bob.token", *K]),
    Case(["config", "unset", "users", *K]),
    Case(["config", "unset", "current-context", *K]),
    Case(["config", "unset", "current-context"], ["a.yaml", "b.yaml"], AB),
    Case(["config", "set", "preferences.colors", "false"], ["a.yaml", "b.yaml"], AB),
    Case(["config", "unset", "", *K]),
    Case(["config", "unset", *K]),
    # delete-* and rename-context
    Case(["config", "delete-context", "prod", *K]),
    Case(["config", "delete-context", "dev-ctx", *K]),
    Case(["config", "delete-context", "nope", *K]),
    Case(["config", "delete-context", *K]),
    Case(["config", "delete-cluster", "prod", *K]),
    Case(["config", "delete-cluster", "nope", *K]),
    Case(["config", "delete-cluster", *K]),
    Case(["config", "delete-user", "bob", *K]),
    Case(["config", "delete-user", "nope", *K]),
    Case(["config", "delete-user", *K]),
    Case(["config", "delete-context", "ctxb"], ["a.yaml", "b.yaml"], AB),
    Case(["config", "delete-user", "ub"], ["a.yaml", "b.yaml"], AB),
    Case(["config", "rename-context", "prod", "production", *K]),
    Case(["config", "rename-context", "dev-ctx", "dev", *K]),
    Case(["config", "rename-context", "nope", "x", *K]),
    Case(["config", "rename-context", "prod", "dev-ctx", *K]),
    Case(["config", "rename-context", "prod", "", *K]),
    Case(["config", "rename-context", "prod", *K]),
    Case(["config", "rename-context", "ctxb", "renamed"], ["a.yaml", "b.yaml"], AB),
    # the group itself, flags and help
    Case(["config", *K]),
    Case(["config", "bogus", *K]),
    Case(["config", "bogus", "more", *K]),
    Case(["config", "view", "--bogus", *K]),
    Case(["config", "view", "-Z", *K]),
    Case(["config", "view", "-o", *K]),
    Case(["config", "view", "--output", *K]),
    Case(["config", "view", "---x", *K]),
    Case(["config", "view", "--minify=maybe", *K]),
    Case(["-o", "json", "config", "view", *K]),
    Case(["--raw", "config", "view", *K]),
    Case(["config", "--raw", "view", *K]),
    Case(["config", "view", "--help"]),
    Case(["config", "--help"]),
    Case(["config", "use-context", "-h"]),
    Case(["config", "set-credentials", "--help"]),
    Case(["config", "get-contexts", "--help"]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_as_kubectl(case: Case, tmp_path: Path, kubectl: str) -> None:
    twins = Twins(tmp_path, case.fixtures)
    expected = twins.run("kubectl", kubectl, case.argv, case.kubeconfig, case.stdin)
    actual = twins.run("pykctl", kubectl, case.argv, case.kubeconfig, case.stdin)
    if case.unordered_stdout:
        assert sorted(actual.result.stdout.splitlines()) == sorted(
            expected.result.stdout.splitlines()
        )
    else:
        assert actual.result.stdout == expected.result.stdout
    assert actual.result.stderr == expected.result.stderr
    assert actual.result.code == expected.result.code
    assert actual.files == expected.files

"""The ingress controller's pure parts: which Ingresses it serves, how their routes merge and
match (hosts, Prefix/Exact/ImplementationSpecific, regex and rewrites, default backends), which
Secret serves a TLS host, the headers it sends upstream, and the certificates it loads."""

from __future__ import annotations

import base64
from typing import Any
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from backends.simulator import certs
from backends.simulator.network.ingress_proxy import upstream_headers
from backends.simulator.network.ingress_routes import (
    Match,
    SecretRef,
    ServiceRef,
    build_table,
    certificate_host,
    is_ours,
    prefix_matches,
    request_host,
    tls_certificates,
)
from backends.simulator.network.ingress_tls import Certificates

Obj = dict[str, Any]


def ingress(
    name: str,
    rules: list[Obj] | None = None,
    namespace: str = "default",
    created: str = "2026-01-01T00:00:00Z",
    **extra: Any,
) -> Obj:
    annotations = extra.pop("annotations", None)
    metadata: Obj = {"name": name, "namespace": namespace, "creationTimestamp": created}
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata, "spec": {"rules": rules or [], **extra}}


def rule(host: str, *paths: tuple[str, str, str]) -> Obj:
    return {
        "host": host,
        "http": {
            "paths": [
                {
                    "path": path,
                    "pathType": kind,
                    "backend": {"service": {"name": service, "port": {"number": 80}}},
                }
                for path, kind, service in paths
            ]
        },
    }


def target(table_match: Match | None) -> tuple[str, str] | None:
    return None if table_match is None else (table_match.target.name, table_match.path)


@pytest.mark.parametrize(
    ("prefix", "path", "matches"),
    [
        ("/", "/anything", True),
        ("/foo", "/foo", True),
        ("/foo", "/foo/", True),
        ("/foo", "/foo/bar", True),
        ("/foo", "/foobar", False),
        ("/foo/", "/foo", True),
        ("/aaa/bbb", "/aaa/bbbxyz", False),
        ("/aaa/bbb/", "/aaa/bbb", True),
        ("/foo", "/", False),
    ],
)
def test_prefix_matches_element_wise(prefix: str, path: str, matches: bool) -> None:
    assert prefix_matches(prefix, path) is matches


def test_ingresses_merge_exact_first_then_longest_prefix() -> None:
    table = build_table(
        [
            ingress("b", [rule("a.example", ("/", "Prefix", "root"), ("/api", "Exact", "exact"))]),
            ingress("a", [rule("a.example", ("/api/v1", "ImplementationSpecific", "v1"))]),
            ingress("c", [rule("a.example", ("/api", "Prefix", "api"))]),
        ]
    )
    assert target(table.match("a.example", "/api")) == ("exact", "/api")
    assert target(table.match("a.example", "/api/")) == ("api", "/api/")
    assert target(table.match("a.example", "/api/v1/x?y=1")) == ("v1", "/api/v1/x?y=1")
    assert target(table.match("a.example", "/apix")) == ("root", "/apix")
    assert table.match("b.example", "/") is None


def test_hosts_exact_then_one_label_wildcard_then_any_host() -> None:
    table = build_table(
        [
            ingress("i", [rule("foo.bar.com", ("/", "Prefix", "exact"))]),
            ingress("j", [rule("*.bar.com", ("/", "Prefix", "wild"))]),
            ingress("k", [rule("", ("/other", "Prefix", "any"))]),
        ]
    )
    assert target(table.match("FOO.bar.com:8080", "/")) == ("exact", "/")
    assert target(table.match("baz.bar.com", "/")) == ("wild", "/")
    assert table.match("a.baz.bar.com", "/") is None  # one label only: no any-host /
    assert target(table.match("a.baz.bar.com", "/other")) == ("any", "/other")
    assert table.match("bar.com", "/") is None
    assert request_host("Example.COM.:443") == "example.com"


def test_default_backend_is_the_oldest_and_takes_what_no_route_matches() -> None:
    backend = {"service": {"name": "fallback", "port": {"name": "http"}}}
    younger = {"service": {"name": "younger", "port": {"number": 80}}}
    table = build_table(
        [
            ingress("new", created="2026-01-02T00:00:00Z", defaultBackend=younger),
            ingress("old", [rule("a.example", ("/x", "Exact", "x"))], defaultBackend=backend),
        ]
    )
    assert table.default == ServiceRef("default", "fallback", "http")
    assert target(table.match("a.example", "/y?z")) == ("fallback", "/y?z")
    assert target(table.match("a.example", "/x")) == ("x", "/x")


def test_backends_stay_in_the_ingress_namespace_and_hosts_are_shared() -> None:
    table = build_table(
        [
            ingress("a", [rule("shared", ("/a", "Prefix", "web"))], namespace="one"),
            ingress("b", [rule("shared", ("/b", "Prefix", "web"))], namespace="two"),
        ]
    )
    first, second = table.match("shared", "/a"), table.match("shared", "/b")
    assert first is not None and second is not None
    assert first.target == ServiceRef("one", "web", 80)
    assert second.target == ServiceRef("two", "web", 80)
    assert table.services() == {first.target, second.target}


def test_nginx_rewrite_target_with_capture_groups() -> None:
    annotations = {"nginx.ingress.kubernetes.io/rewrite-target": "/$2"}
    table = build_table(
        [
            ingress(
                "rw",
                [rule("h", ("/something(/|$)(.*)", "ImplementationSpecific", "svc"))],
                annotations=annotations,
            )
        ]
    )
    assert target(table.match("h", "/something")) == ("svc", "/")
    assert target(table.match("h", "/something/")) == ("svc", "/")
    assert target(table.match("h", "/SOMETHING/new?a=b")) == ("svc", "/new?a=b")
    assert table.match("h", "/other") is None


def test_rewrite_target_without_groups_replaces_the_whole_path() -> None:
    annotations = {"nginx.ingress.kubernetes.io/rewrite-target": "/"}
    table = build_table(
        [ingress("rw", [rule("h", ("/app", "Prefix", "svc"))], annotations=annotations)]
    )
    assert target(table.match("h", "/app/deep")) == ("svc", "/")


def test_use_regex_without_rewrite_keeps_the_path() -> None:
    annotations = {"nginx.ingress.kubernetes.io/use-regex": "true"}
    table = build_table(
        [ingress("re", [rule("h", ("/v[0-9]+/", "Prefix", "svc"))], annotations=annotations)]
    )
    assert target(table.match("h", "/v2/x")) == ("svc", "/v2/x")
    assert table.match("h", "/vx/") is None


def test_pykctl_replace_prefix() -> None:
    def table_for(value: str) -> Any:
        annotations = {"ingress.pykctl.io/replace-prefix": value}
        return build_table(
            [ingress("p", [rule("h", ("/api/", "Prefix", "svc"))], annotations=annotations)]
        )

    assert target(table_for("/").match("h", "/api/users?x")) == ("svc", "/users?x")
    assert target(table_for("/").match("h", "/api")) == ("svc", "/")
    assert target(table_for("/v2").match("h", "/api/users")) == ("svc", "/v2/users")


def ingress_class(name: str, controller: str, default: bool = False) -> Obj:
    metadata: Obj = {"name": name}
    if default:
        metadata["annotations"] = {"ingressclass.kubernetes.io/is-default-class": "true"}
    return {"metadata": metadata, "spec": {"controller": controller}}


def test_which_ingresses_are_ours() -> None:
    contour = ingress_class("contour", "projectcontour.io/ingress-controller")
    mine = ingress_class("mine", "projectcontour.io/ingress-controller")
    nginx = ingress_class("nginx", "k8s.io/ingress-nginx")
    classes = [contour, mine, nginx]
    assert is_ours(ingress("a", ingressClassName="contour"), classes)
    assert is_ours(ingress("a", ingressClassName="mine"), classes)
    assert not is_ours(ingress("a", ingressClassName="nginx"), classes)
    assert is_ours(ingress("a", ingressClassName="contour"), [])  # by name, no object
    assert not is_ours(ingress("a", ingressClassName="unknown"), classes)
    legacy = {"kubernetes.io/ingress.class": "nginx"}
    assert not is_ours(ingress("a", annotations=legacy), classes)
    legacy = {"kubernetes.io/ingress.class": "contour"}
    assert is_ours(ingress("a", annotations=legacy), classes)
    assert is_ours(ingress("a"), classes)  # no class, no default: ours
    assert not is_ours(ingress("a"), [contour, ingress_class("nginx", "nginx", default=True)])
    assert is_ours(ingress("a"), [ingress_class("contour", contour["spec"]["controller"], True)])


def test_the_oldest_ingress_wins_a_tls_host() -> None:
    older = ingress("old", tls=[{"hosts": ["a.example", "b.example"], "secretName": "s1"}])
    newer = ingress(
        "new", created="2026-02-01T00:00:00Z", tls=[{"hosts": ["A.example"], "secretName": "s2"}]
    )
    same = ingress(
        "same", created="2026-03-01T00:00:00Z", tls=[{"hosts": ["b.example"], "secretName": "s1"}]
    )
    chosen, conflicts = tls_certificates([newer, same, older])
    assert chosen == {
        "a.example": SecretRef("default", "s1", "default/old"),
        "b.example": SecretRef("default", "s1", "default/old"),
    }
    assert [(c.ingress, c.secret, c.host, c.winner.name) for c in conflicts] == [
        ("default/new", "s2", "a.example", "s1")
    ]
    assert certificate_host("x.wild.example", ["*.wild.example"]) == "*.wild.example"
    assert certificate_host("a.x.wild.example", ["*.wild.example"]) is None
    assert certificate_host("A.example", ["a.example"]) == "a.example"


def test_upstream_headers_keep_host_drop_hop_by_hop_and_add_forwarding() -> None:
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        ("192.0.2.7", 40000) if name == "peername" else default
    )
    request = make_mocked_request(
        "GET",
        "/x",
        headers={
            "Host": "a.example",
            "Connection": "keep-alive, X-Private",
            "X-Private": "1",
            "Keep-Alive": "timeout=5",
            "X-Forwarded-For": "10.0.0.1",
            "Accept": "*/*",
        },
        transport=transport,
    )
    headers = upstream_headers(request)
    assert dict(headers) == {
        "Host": "a.example",
        "Accept": "*/*",
        "X-Forwarded-For": "10.0.0.1, 192.0.2.7",
        "X-Forwarded-Proto": "http",
    }


def test_certificates_load_tls_secrets_and_report_problems() -> None:
    ca = certs.make_ca()
    pair = certs.make_serving_cert(ca, (), ("a.example",))
    secrets: dict[str, Obj] = {
        "good": {
            "type": "kubernetes.io/tls",
            "metadata": {"uid": "u", "resourceVersion": "1"},
            "data": {
                "tls.crt": base64.b64encode(pair.cert_pem).decode(),
                "tls.key": base64.b64encode(pair.key_pem).decode(),
            },
        },
        "opaque": {"type": "Opaque", "metadata": {}, "data": {}},
        "broken": {
            "type": "kubernetes.io/tls",
            "metadata": {"uid": "b", "resourceVersion": "1"},
            "data": {"tls.crt": base64.b64encode(b"nope").decode(), "tls.key": "bm9wZQ=="},
        },
    }
    store = Certificates()
    chosen = {
        host: SecretRef("default", name, "default/i")
        for host, name in (
            ("a.example", "good"),
            ("b.example", "opaque"),
            ("c.example", "missing"),
            ("d.example", "broken"),
        )
    }
    problems = store.update(chosen, lambda _namespace, name: secrets.get(name))
    assert set(store.hosts) == {"a.example"}
    assert [message.split(":")[0] for _, message in problems] == [
        'secret "default/opaque" is not of type kubernetes.io/tls',
        'secret "default/missing" not found',
        'secret "default/broken" holds no usable key pair',
    ]
    context = store.hosts["a.example"]
    assert store.update(chosen, lambda _namespace, name: secrets.get(name))
    assert store.hosts["a.example"] is context  # unchanged Secret: not loaded again

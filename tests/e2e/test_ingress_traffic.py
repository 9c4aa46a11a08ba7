"""Ingresses carry real traffic in the simulator (the study notes' Ingress chapter): the built-in
controller (Contour-like) installs its ``envoy`` LoadBalancer Service when the first Ingress
appears, publishes its address in the Ingresses' status (the real kubectl and pykctl print the
same ``get ingress`` table and ``describe ingress`` page), routes hosts and paths of several
Ingresses to kuard pods over HTTP and HTTPS (the certificate of the host's Secret, by SNI),
rewrites paths, ignores other classes and keeps each Ingress to its own namespace's Services.

Endpoints are hand-written EndpointSlices of selector-less services, so these tests do not
depend on the endpoints controller.
"""

from __future__ import annotations

import shutil
import socket
import ssl
from pathlib import Path

import pytest
from cryptography import x509

from backends.simulator import certs
from backends.simulator.network.ingress import NAMESPACE, SERVICE, IngressController
from tests.conftest import Result, run_process, run_pykctl
from tests.e2e.ingress_support import IngressSide, ingress, ingress_manifest, rule
from tests.e2e.kubelet_support import node_side
from tests.e2e.services_support import services

pytestmark = pytest.mark.e2e
__all__ = ["ingress", "node_side", "services"]  # fixtures, used by name


def request_line(page: dict[str, object]) -> str:
    return str(page["requestDump"]).split("\r\n")[0]


def header(page: dict[str, object], name: str) -> str:
    for line in str(page["requestDump"]).split("\r\n")[1:]:
        key, _, value = line.partition(": ")
        if key.lower() == name.lower():
            return value
    raise AssertionError(f"{name} not in {page['requestDump']!r}")


def pykctl(ingress: IngressSide, *args: str) -> Result:
    return run_pykctl(["--kubeconfig", str(ingress.side.sim.kubeconfig), *args])


def same_as_kubectl(ingress: IngressSide, *args: str) -> Result:
    """pykctl prints what the real kubectl prints; pykctl's result. AGE columns tick: pykctl
    runs between two kubectl runs and must equal one of them."""
    before = ingress.side.kubectl(*args)
    ours = pykctl(ingress, *args)
    theirs = before if ours.stdout == before.stdout else ingress.side.kubectl(*args)
    assert (ours.code, ours.stderr) == (theirs.code, theirs.stderr)
    assert ours.stdout == theirs.stdout
    return ours


def test_two_ingresses_route_two_hosts_and_two_paths(ingress: IngressSide) -> None:
    first, second = ingress.services.kuards("kuard-1", "kuard-2")
    ingress.backend("alpha", first)
    ingress.backend("beta", second)
    ingress.backend("empty", None)
    ingress.apply(
        ingress_manifest(
            "one",
            {
                "rules": [
                    rule("alpha.example", ("/", "Prefix", "alpha"), ("/-/b", "Prefix", "beta")),
                    rule("gone.example", ("/", "Prefix", "empty")),
                ]
            },
        ),
        ingress_manifest(
            "two",
            {"rules": [rule("beta.example", ("/-/x", "Exact", "beta"), ("/", "Prefix", "alpha"))]},
        ),
    )
    address = ingress.address()
    assert address.startswith("127.255.")
    ingress.side.until(lambda: bool(ingress.ingress_status("two").get("loadBalancer")))
    assert ingress.ingress_status("one") == {"loadBalancer": {"ingress": [{"ip": address}]}}

    page = ingress.request("alpha.example", "/-/one?q=1").page()
    assert page["hostname"] == "kuard-1"
    assert request_line(page) == "GET /-/one?q=1 HTTP/1.1"
    assert header(page, "Host") == "alpha.example"
    assert header(page, "X-Forwarded-For") == "127.0.0.1"
    assert header(page, "X-Forwarded-Proto") == "http"
    assert ingress.request("alpha.example", "/-/b/c").page()["hostname"] == "kuard-2"
    assert ingress.request("alpha.example", "/-/bc").page()["hostname"] == "kuard-1"
    assert ingress.request("beta.example:80", "/-/x").page()["hostname"] == "kuard-2"
    assert ingress.request("BETA.example", "/-/x/y").page()["hostname"] == "kuard-1"
    missing = ingress.request("other.example", "/")
    assert (missing.status, missing.body, missing.headers["Server"]) == (404, "", "envoy")
    down = ingress.request("gone.example", "/")
    assert (down.status, down.body) == (503, "no healthy upstream")

    # The front door and its address, as `kubectl get` shows them to both CLIs.
    listing = same_as_kubectl(ingress, "get", "ingress", "--no-headers", "-o", "wide")
    assert [line.split()[:5] for line in listing.stdout.splitlines()] == [
        ["one", "<none>", "alpha.example,gone.example", address, "80"],
        ["two", "<none>", "beta.example", address, "80"],
    ]
    envoy = ingress.side.ok("get", "svc", "-n", NAMESPACE, SERVICE, "--no-headers").split()
    assert envoy[:4] == [SERVICE, "LoadBalancer", envoy[2], address]
    assert same_as_kubectl(ingress, "describe", "ingress", "one").stdout.startswith("Name:")
    assert same_as_kubectl(ingress, "describe", "svc", "-n", NAMESPACE, SERVICE).stdout


def test_a_default_backend_takes_what_no_rule_matches(ingress: IngressSide) -> None:
    (ip,) = ingress.services.kuards("kuard-1")
    ingress.backend("alpha", ip)
    backend = {"service": {"name": "alpha", "port": {"name": "http"}}}
    ingress.apply(ingress_manifest("fallback", {"defaultBackend": backend}))
    assert ingress.request("anything.example", "/-/z").page()["hostname"] == "kuard-1"
    same_as_kubectl(ingress, "describe", "ingress", "fallback")


def test_rewrite_annotations_rewrite_the_path(ingress: IngressSide) -> None:
    (ip,) = ingress.services.kuards("kuard-1")
    ingress.backend("alpha", ip)
    ingress.apply(
        ingress_manifest(
            "nginx-style",
            {
                "rules": [
                    rule("rw.example", ("/something(/|$)(.*)", "ImplementationSpecific", "alpha"))
                ]
            },
            **{"nginx.ingress.kubernetes.io/rewrite-target": "/$2"},
        ),
        ingress_manifest(
            "pykctl-style",
            {"rules": [rule("rw.example", ("/api", "Prefix", "alpha"))]},
            **{"ingress.pykctl.io/replace-prefix": "/-"},
        ),
    )
    page = ingress.request("rw.example", "/something/-/deep?x=y").page()
    assert request_line(page) == "GET /-/deep?x=y HTTP/1.1"
    assert request_line(ingress.request("rw.example", "/api/v1").page()) == "GET /-/v1 HTTP/1.1"


def test_https_presents_the_secret_certificate_for_its_host(
    ingress: IngressSide, tmp_path: Path
) -> None:
    (ip,) = ingress.services.kuards("kuard-1")
    ingress.backend("alpha", ip)
    ca = certs.make_ca("ingress-test-ca")
    pairs = {
        host: certs.make_serving_cert(ca, ips=(), dns_names=(host,))
        for host in ("secure.example", "other.example")
    }
    for name, host in (
        ("secure-tls", "secure.example"),
        ("other-tls", "other.example"),
        ("rival-tls", "secure.example"),
    ):
        pair = pairs[host] if name != "rival-tls" else certs.make_serving_cert(ca, (), (host,))
        directory = tmp_path / name
        directory.mkdir()
        (directory / "tls.crt").write_bytes(pair.cert_pem)
        (directory / "tls.key").write_bytes(pair.key_pem)
        ingress.side.ok(
            "create",
            "secret",
            "tls",
            name,
            f"--cert={directory / 'tls.crt'}",
            f"--key={directory / 'tls.key'}",
        )
    ingress.apply(
        ingress_manifest(
            "secure",
            {
                "tls": [
                    {"hosts": ["secure.example"], "secretName": "secure-tls"},
                    {"hosts": ["other.example"], "secretName": "other-tls"},
                ],
                "rules": [
                    rule("secure.example", ("/", "Prefix", "alpha")),
                    rule("other.example", ("/", "Prefix", "alpha")),
                ],
            },
        ),
    )
    for host in ("secure.example", "other.example"):
        reply = ingress.request(host, "/-/tls", https=True, ca=ca.cert_pem)
        page = reply.page()
        assert header(page, "X-Forwarded-Proto") == "https"
        assert header(page, "Host") == host
    expected = x509.load_pem_x509_certificate(pairs["other.example"].cert_pem)
    served = _served_certificate(ingress, "other.example", ca.cert_pem)
    assert served == expected
    with pytest.raises(ssl.SSLError):
        ingress.request("unknown.example", "/", https=True, ca=ca.cert_pem)
    if shutil.which("curl"):  # as the study notes do it
        (tmp_path / "ca.crt").write_bytes(ca.cert_pem)
        address, port = ingress.controller.address(ingress.address(), 443)
        curl = run_process(
            ["curl", "-sS", "--cacert", str(tmp_path / "ca.crt"),
             "--resolve", f"secure.example:{port}:{address}",
             f"https://secure.example:{port}/-/curl"],
        )  # fmt: skip
        assert curl.code == 0, curl.stderr
        assert '"hostname":"kuard-1"' in curl.stdout

    ingress.side.clock.advance(2)  # younger by creationTimestamp (ties go by namespace/name)
    ingress.apply(
        ingress_manifest(
            "rival",
            {
                "tls": [{"hosts": ["secure.example"], "secretName": "rival-tls"}],
                "rules": [rule("secure.example", ("/-/r", "Prefix", "alpha"))],
            },
        )
    )
    served = _served_certificate(ingress, "secure.example", ca.cert_pem)
    assert served == x509.load_pem_x509_certificate(pairs["secure.example"].cert_pem)
    assert ingress.events("rival") == [
        (
            "Warning",
            "TLSConflict",
            "host secure.example: the certificate of secret default/secure-tls (ingress "
            "default/secure) is served; secret rival-tls of this ingress is ignored for it",
        )
    ]
    same_as_kubectl(ingress, "describe", "ingress", "rival")


def _served_certificate(ingress: IngressSide, host: str, ca: bytes) -> x509.Certificate:
    address, port = ingress.controller.address(ingress.address(), 443)
    context = ssl.create_default_context(cadata=ca.decode())
    with (
        socket.create_connection((address, port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def test_ingresses_of_another_class_are_ignored(ingress: IngressSide) -> None:
    (ip,) = ingress.services.kuards("kuard-1")
    ingress.backend("alpha", ip)
    ingress.apply(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {"name": "nginx"},
            "spec": {"controller": "k8s.io/ingress-nginx"},
        },
        ingress_manifest(
            "theirs",
            {"ingressClassName": "nginx", "rules": [rule("a.example", ("/", "Prefix", "alpha"))]},
        ),
        ingress_manifest(
            "legacy-theirs",
            {"rules": [rule("b.example", ("/", "Prefix", "alpha"))]},
            **{"kubernetes.io/ingress.class": "nginx"},
        ),
        ingress_manifest(
            "legacy-ours",
            {"rules": [rule("c.example", ("/", "Prefix", "alpha"))]},
            **{"kubernetes.io/ingress.class": "contour"},
        ),
        ingress_manifest(
            "ours",
            {"ingressClassName": "contour", "rules": [rule("d.example", ("/", "Prefix", "alpha"))]},
        ),
    )
    ingress.address()
    assert ingress.request("a.example", "/").status == 404
    assert ingress.request("b.example", "/").status == 404
    assert ingress.request("c.example", "/-/").page()["hostname"] == "kuard-1"
    assert ingress.request("d.example", "/-/").page()["hostname"] == "kuard-1"
    ingress.side.until(lambda: bool(ingress.ingress_status("ours").get("loadBalancer")))
    assert ingress.ingress_status("theirs").get("loadBalancer", {}) == {}
    assert ingress.ingress_status("legacy-theirs").get("loadBalancer", {}) == {}
    same_as_kubectl(ingress, "describe", "ingressclass", "contour")
    classes = same_as_kubectl(ingress, "get", "ingressclass", "--no-headers")
    assert [line.split()[:2] for line in classes.stdout.splitlines()] == [
        ["contour", "projectcontour.io/ingress-controller"],
        ["nginx", "k8s.io/ingress-nginx"],
    ]
    # Marking nginx the default class hands class-less Ingresses to it (admission sets it).
    ingress.side.ok(
        "annotate", "ingressclass", "nginx", "ingressclass.kubernetes.io/is-default-class=true"
    )
    ingress.apply(
        ingress_manifest("classless", {"rules": [rule("e.example", ("/", "Prefix", "alpha"))]})
    )
    assert ingress.request("e.example", "/").status == 404


def test_an_ingress_reaches_only_its_own_namespace(ingress: IngressSide) -> None:
    first, second = ingress.services.kuards("kuard-1", "kuard-2")
    ingress.side.ok("create", "namespace", "team-b")
    ingress.backend("web", first)
    ingress.backend("web", second, namespace="team-b")
    ingress.backend("only-default", first)
    ingress.apply(
        ingress_manifest("a", {"rules": [rule("shared.example", ("/-/a", "Prefix", "web"))]}),
        ingress_manifest(
            "b",
            {
                "rules": [
                    rule(
                        "shared.example",
                        ("/-/b", "Prefix", "web"),
                        ("/-/c", "Prefix", "only-default"),
                    )
                ]
            },
            namespace="team-b",
        ),
    )
    assert ingress.request("shared.example", "/-/a").page()["hostname"] == "kuard-1"
    assert ingress.request("shared.example", "/-/b").page()["hostname"] == "kuard-2"
    assert ingress.request("shared.example", "/-/c").status == 503  # not in team-b


def test_without_privilege_the_front_door_is_served_shifted_and_said_so(
    ingress: IngressSide,
) -> None:
    side = ingress.side
    simulator = side.sim.simulator
    (ip,) = ingress.services.kuards("kuard-1")
    ingress.backend("alpha", ip)
    ingress.apply(ingress_manifest("web", {"rules": [rule("", ("/", "Prefix", "alpha"))]}))
    address = ingress.address()
    unprivileged = IngressController(simulator.rest, simulator.clock, privileged=False)
    side.run(unprivileged.start())
    try:
        side.run(unprivileged.settled())
        assert unprivileged.address(address, 80) == (address, 10080)
        assert unprivileged.address(address, 443) == (address, 10443)
        status, page = side.http(f"http://{address}:10080/-/shifted")
        assert status == 200 and '"hostname":"kuard-1"' in page
        assert f"http {address}:10080" in unprivileged.describe()
    finally:
        side.run(unprivileged.stop())
    events = side.on_loop(lambda: simulator.store.objects("/events", NAMESPACE))
    assert (
        "Warning",
        "PortRemapped",
        f"cannot bind privileged port 80/TCP without privilege: {address}:80 is served on "
        f"{address}:10080",
    ) in [(e["type"], e["reason"], e["message"]) for e in events]


def test_the_study_notes_find_the_controllers_address_before_any_ingress(
    ingress: IngressSide,
) -> None:
    """The notes' ``kubectl get -n heptio-contour service contour -o wide``, run right after
    "installing" Contour (it is built in), shows the load balancer's address."""
    store = ingress.side.sim.simulator.store

    def published() -> list[dict[str, str]]:
        found = store.get("/services", NAMESPACE, SERVICE) or {}
        return list(((found.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [])

    ingress.side.until(lambda: bool(published()))
    address = published()[0]["ip"]
    shown = same_as_kubectl(
        ingress, "get", "-n", "heptio-contour", "service", "contour", "-o", "wide"
    )
    row = shown.stdout.splitlines()[1].split()
    assert row[:2] == ["contour", "LoadBalancer"] and row[3] == address
    assert row[-1] == "<none>"  # SELECTOR: the daemon serves it, no pods do

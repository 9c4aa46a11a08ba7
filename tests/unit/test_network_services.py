"""The pure parts of the Service data plane: kube-proxy's rules from Services and
EndpointSlices, the balancer's choice and ClientIP affinity on a FakeClock, the kubelet's
service variables, the pods' resolv.conf, the per-slot address plan and allocation."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

import pytest

from backends.simulator.apiserver import status
from backends.simulator.clock import FakeClock
from backends.simulator.network.balancer import Balancer
from backends.simulator.network.dns import resolv_conf
from backends.simulator.network.envvars import pod_service_env, variable_name
from backends.simulator.network.ipam import ServiceAllocator, free_load_balancer_ip
from backends.simulator.network.rules import Backend, service_rules
from backends.simulator.network.slots import Network
from backends.simulator.store import Store

Obj = dict[str, Any]


def service(name: str = "web", kind: str = "ClusterIP", **spec: Any) -> Obj:
    body: Obj = {
        "type": kind,
        "clusterIP": "127.96.0.5",
        "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
    }
    body.update(spec)
    return {"metadata": {"name": name, "namespace": "default"}, "spec": body}


def endpoint_slice(
    *endpoints: tuple[str, bool | None], name: str = "http", port: int = 8080
) -> Obj:
    return {
        "metadata": {"labels": {"kubernetes.io/service-name": "web"}},
        "addressType": "IPv4",
        "endpoints": [
            {"addresses": [ip], **({} if ready is None else {"conditions": {"ready": ready}})}
            for ip, ready in endpoints
        ],
        "ports": [{"name": name, "port": port, "protocol": "TCP"}],
    }


def test_cluster_ip_rule_uses_ready_endpoints_of_the_named_port() -> None:
    slices = [
        endpoint_slice(("127.244.1.2", True), ("127.244.1.3", False), ("127.244.1.4", None)),
        endpoint_slice(("127.244.1.2", True)),  # the same endpoint in two slices counts once
        endpoint_slice(("127.244.1.9", True), name="metrics"),
    ]
    (rule,) = service_rules(service(), slices, ["127.18.0.1"])
    assert rule.frontends == (("127.96.0.5", 80),)
    assert rule.backends == (Backend("127.244.1.2", 8080), Backend("127.244.1.4", 8080))
    assert rule.affinity_seconds is None and rule.key == ("default", "web", "http", "TCP")


def test_node_port_and_load_balancer_frontends() -> None:
    ports = [{"name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080}]
    (node_port,) = service_rules(service(kind="NodePort", ports=ports), [], ["127.18.0.1"])
    assert node_port.frontends == (("127.96.0.5", 80), ("127.18.0.1", 30080), ("127.0.0.1", 30080))
    balanced = service(kind="LoadBalancer", ports=ports, externalIPs=["127.1.2.3", "192.0.2.1"])
    balanced["status"] = {"loadBalancer": {"ingress": [{"ip": "127.255.0.1", "ipMode": "VIP"}]}}
    (rule,) = service_rules(balanced, [], ["127.18.0.1", "127.18.0.2"])
    assert rule.frontends == (
        ("127.96.0.5", 80), ("127.1.2.3", 80), ("127.255.0.1", 80),
        ("127.18.0.1", 30080), ("127.18.0.2", 30080), ("127.0.0.1", 30080),
    )  # fmt: skip


def test_headless_and_external_name_services_get_no_rules() -> None:
    assert service_rules(service(clusterIP="None"), [], []) == []
    assert service_rules(service(kind="ExternalName", externalName="example.com"), [], []) == []


def test_balancer_spreads_and_keeps_client_ip_affinity_until_its_timeout() -> None:
    clock = FakeClock()
    balancer = Balancer(clock, random.Random(7))
    a, b = Backend("127.244.1.2", 8080), Backend("127.244.1.3", 8080)
    assert balancer.pick("127.0.0.1") is None
    balancer.update([a, b], None)
    assert {balancer.pick("127.0.0.1") for _ in range(50)} == {a, b}
    balancer.update([a, b], 10.0)
    first = balancer.pick("127.0.0.1")
    for _ in range(20):
        clock.advance(9)  # each connection within the timeout renews it
        assert balancer.pick("127.0.0.1") == first
    clock.advance(11)
    picks = {balancer.pick("127.0.0.1")}
    for _ in range(40):
        clock.advance(11)
        picks.add(balancer.pick("127.0.0.1"))
    assert picks == {a, b}
    kept = balancer.pick("127.0.0.9")
    other = b if kept == a else a
    balancer.update([other], 10.0)  # the kept endpoint left: a fresh pick
    assert balancer.pick("127.0.0.9") == other


def test_client_ip_affinity_timeout_comes_from_the_service() -> None:
    config = {"clientIP": {"timeoutSeconds": 60}}
    (rule,) = service_rules(
        service(sessionAffinity="ClientIP", sessionAffinityConfig=config), [], []
    )
    assert rule.affinity_seconds == 60.0
    (default,) = service_rules(service(sessionAffinity="ClientIP"), [], [])
    assert default.affinity_seconds == 10800.0


def test_service_variables_as_the_kubelet_sets_them() -> None:
    kubernetes = service("kubernetes", ports=[{"name": "https", "port": 443, "protocol": "TCP"}])
    kubernetes["spec"]["clusterIP"] = "127.96.0.1"
    redis = service(
        "redis-primary",
        clusterIP="127.96.0.7",
        ports=[{"port": 6379}, {"name": "metrics", "port": 9121, "protocol": "UDP"}],
    )
    redis["metadata"]["namespace"] = "team"
    headless = service("db", clusterIP="None")
    headless["metadata"]["namespace"] = "team"
    listing = {"default": [kubernetes, service()], "team": [headless, redis]}
    pod: Obj = {"metadata": {"namespace": "team"}, "spec": {}}
    env = pod_service_env(pod, lambda ns: listing.get(ns, []))
    assert env == {
        "KUBERNETES_SERVICE_HOST": "127.96.0.1",
        "KUBERNETES_SERVICE_PORT": "443",
        "KUBERNETES_SERVICE_PORT_HTTPS": "443",
        "KUBERNETES_PORT": "tcp://127.96.0.1:443",
        "KUBERNETES_PORT_443_TCP": "tcp://127.96.0.1:443",
        "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
        "KUBERNETES_PORT_443_TCP_PORT": "443",
        "KUBERNETES_PORT_443_TCP_ADDR": "127.96.0.1",
        "REDIS_PRIMARY_SERVICE_HOST": "127.96.0.7",
        "REDIS_PRIMARY_SERVICE_PORT": "6379",
        "REDIS_PRIMARY_SERVICE_PORT_METRICS": "9121",
        "REDIS_PRIMARY_PORT": "tcp://127.96.0.7:6379",
        "REDIS_PRIMARY_PORT_6379_TCP": "tcp://127.96.0.7:6379",
        "REDIS_PRIMARY_PORT_6379_TCP_PROTO": "tcp",
        "REDIS_PRIMARY_PORT_6379_TCP_PORT": "6379",
        "REDIS_PRIMARY_PORT_6379_TCP_ADDR": "127.96.0.7",
        "REDIS_PRIMARY_PORT_9121_UDP": "udp://127.96.0.7:9121",
        "REDIS_PRIMARY_PORT_9121_UDP_PROTO": "udp",
        "REDIS_PRIMARY_PORT_9121_UDP_PORT": "9121",
        "REDIS_PRIMARY_PORT_9121_UDP_ADDR": "127.96.0.7",
    }
    pod["spec"]["enableServiceLinks"] = False  # only the master service is left
    assert set(pod_service_env(pod, lambda ns: listing.get(ns, []))) == {
        k for k in env if k.startswith("KUBERNETES_")
    }
    assert variable_name("3d.web-x") == "_3D_WEB_X"


def test_resolv_conf_by_dns_policy() -> None:
    pod: Obj = {"metadata": {"namespace": "team"}, "spec": {}}
    assert resolv_conf(pod, "127.96.0.10", ["corp.example"]) == (
        "search team.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
        "nameserver 127.96.0.10\n"
        "options ndots:5\n"
    )
    assert resolv_conf({"spec": {"dnsPolicy": "Default"}}, "127.96.0.10") is None
    assert resolv_conf({"spec": {"hostNetwork": True}}, "127.96.0.10") is None
    custom = {
        "spec": {
            "dnsPolicy": "None",
            "dnsConfig": {
                "nameservers": ["1.2.3.4"],
                "searches": ["ns1.svc.cluster-domain.example"],
                "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
            },
        }
    }
    assert resolv_conf(custom, "127.96.0.10") == (
        "search ns1.svc.cluster-domain.example\nnameserver 1.2.3.4\noptions ndots:2 edns0\n"
    )


def test_each_slot_has_its_own_service_and_load_balancer_ranges() -> None:
    first, second = Network(0), Network(1)
    assert str(first.service_network) == "127.96.0.0/18" and first.dns_ip == "127.96.0.10"
    assert str(first.load_balancer_network) == "127.255.0.0/22"
    assert str(second.service_network) == "127.96.64.0/18"
    assert str(second.load_balancer_network) == "127.255.4.0/22"
    last = Network(39)
    assert last.service_network.subnet_of(ipaddress.IPv4Network("127.96.0.0/12"))
    assert last.load_balancer_network.subnet_of(ipaddress.IPv4Network("127.255.0.0/16"))


def test_allocator_uses_the_slot_range_skips_dns_and_pins_kubernetes() -> None:
    store = Store()
    allocator = ServiceAllocator(store, Network(1))
    kubernetes = service("kubernetes", clusterIP="127.96.0.1")
    allocator.allocate(kubernetes, None)
    assert kubernetes["spec"]["clusterIPs"] == ["127.96.64.1"]
    store.create("/services", kubernetes)
    for index in range(9):
        created = service(f"s{index}", clusterIP="")
        allocator.allocate(created, None)
        store.create("/services", created)
    assert "127.96.64.10" not in {s["spec"]["clusterIP"] for s in store.objects("/services")}
    assert created["spec"]["clusterIP"] == "127.96.64.11"
    with pytest.raises(status.ApiStatus) as err:
        allocator.allocate(service("x", clusterIP="127.96.0.9"), None)
    assert "The range of valid IPs is 127.96.64.0/18" in str(err.value.body())


def test_load_balancer_addresses_from_the_pool() -> None:
    pool = ipaddress.IPv4Network("127.255.0.0/30")
    assert free_load_balancer_ip(pool, set()) == "127.255.0.1"
    assert free_load_balancer_ip(pool, {"127.255.0.1"}) == "127.255.0.2"
    assert free_load_balancer_ip(pool, {"127.255.0.1", "127.255.0.2"}) is None
    assert free_load_balancer_ip(pool, set(), "127.255.0.2") == "127.255.0.2"
    assert free_load_balancer_ip(pool, {"127.255.0.2"}, "127.255.0.2") is None
    assert free_load_balancer_ip(pool, set(), "10.0.0.1") is None

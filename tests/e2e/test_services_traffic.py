"""Services carry real traffic in the simulator (the study notes' Service Discovery chapter):
a cluster IP spreads connections over the ready kuard pods and never sends one to an unready
endpoint; a NodePort answers on the node's InternalIP and on 127.0.0.1; a LoadBalancer shows
``<pending>`` (the real kubectl and pykctl print the same table) and then answers on its
address; a pod sees the service variables and resolves the service's name through cluster DNS.

Most endpoints are hand-written EndpointSlices of selector-less services ("Manual Service
Discovery"), so those tests do not depend on the endpoints controller; the last test runs the
whole chain: a Deployment, ``pykctl expose``, readiness probes, the endpoints controller and
kube-proxy.
"""

from __future__ import annotations

import json
import re
import socket

import pytest

from backends.simulator.kubelet.isolation import BWRAP, isolation_mode
from backends.simulator.kubelet.logs import LogOptions
from backends.simulator.network import dnsmsg
from tests.conftest import run_pykctl
from tests.e2e.kubelet_support import node_side
from tests.e2e.services_support import KUARD, LOAD_BALANCER_DELAY, ServiceSide, services

pytestmark = pytest.mark.e2e
__all__ = ["node_side", "services"]  # fixtures, used by name


def service(name: str, kind: str = "ClusterIP", **spec: object) -> str:
    body = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {
            "type": kind,
            "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
            **spec,
        },
    }
    return json.dumps(body)


def hostname(page: str) -> str:
    found = re.search(r'"hostname":"([^"]+)"', page)
    assert found, page[:200]
    return found.group(1)


def test_cluster_ip_reaches_every_ready_kuard_and_never_an_unready_one(
    services: ServiceSide,
) -> None:
    side = services.side
    first, second = services.kuards("kuard-1", "kuard-2")
    side.ok("apply", "-f", "-", stdin=service("kuard"))
    cluster_ip = services.service("kuard")["spec"]["clusterIP"]
    url = f"http://{cluster_ip}/"
    assert services.refused(url)  # no endpoints yet: REJECT
    services.endpoint_slice("kuard", [(first, True), (second, True)])
    seen = {hostname(services.get(url)) for _ in range(40)}
    assert seen == {"kuard-1", "kuard-2"}
    services.endpoint_slice("kuard", [(first, True), (second, False)])
    assert {hostname(services.get(url)) for _ in range(30)} == {"kuard-1"}
    services.endpoint_slice("kuard", [(first, False), (second, False)])
    assert services.refused(url)


def test_session_affinity_client_ip_keeps_one_pod(services: ServiceSide) -> None:
    first, second = services.kuards("kuard-1", "kuard-2")
    services.side.ok("apply", "-f", "-", stdin=service("sticky", sessionAffinity="ClientIP"))
    services.endpoint_slice("sticky", [(first, True), (second, True)])
    url = f"http://{services.service('sticky')['spec']['clusterIP']}/"
    assert len({hostname(services.get(url)) for _ in range(30)}) == 1


def test_node_port_answers_on_the_node_ip_and_localhost(services: ServiceSide) -> None:
    (ip,) = services.kuards("kuard-1")
    services.side.ok("apply", "-f", "-", stdin=service("web", "NodePort"))
    services.endpoint_slice("web", [(ip, True)])
    node_port = services.service("web")["spec"]["ports"][0]["nodePort"]
    node_ip = services.side.network.node_ip(1)
    assert services.get(f"http://{node_ip}:{node_port}/healthy") == "ok"
    assert services.get(f"http://127.0.0.1:{node_port}/healthy") == "ok"


def test_load_balancer_is_pending_then_answers_on_its_address(services: ServiceSide) -> None:
    side = services.side
    (ip,) = services.kuards("kuard-1")
    side.ok("apply", "-f", "-", stdin=service("web", "LoadBalancer"))
    services.endpoint_slice("web", [(ip, True)])
    spec = services.service("web")["spec"]
    ports = f"80:{spec['ports'][0]['nodePort']}/TCP"
    pending = side.kubectl("get", "svc", "web", "--no-headers")
    assert pending.code == 0
    assert pending.stdout.split()[:5] == [
        "web",
        "LoadBalancer",
        spec["clusterIP"],
        "<pending>",
        ports,
    ]
    ours = run_pykctl(["--kubeconfig", str(side.sim.kubeconfig), "get", "svc", "web"])
    theirs = side.kubectl("get", "svc", "web")
    assert (ours.code, ours.stderr) == (theirs.code, theirs.stderr) == (0, "")
    assert ours.stdout.splitlines()[0] == theirs.stdout.splitlines()[0]
    assert ours.stdout.split()[:-1] == theirs.stdout.split()[:-1]  # all but AGE
    side.clock.advance(LOAD_BALANCER_DELAY)
    side.until(lambda: bool(services.service("web").get("status", {}).get("loadBalancer")))
    ingress = services.service("web")["status"]["loadBalancer"]["ingress"]
    assert ingress == [{"ip": ingress[0]["ip"], "ipMode": "VIP"}]
    address = ingress[0]["ip"]
    assert address.startswith("127.255.")
    assert side.kubectl("get", "svc", "web", "--no-headers").stdout.split()[3] == address
    services.settle()
    assert services.get(f"http://{address}/healthy") == "ok"
    reasons = [reason for _, reason, _ in _events(services, "web")]
    assert reasons[-2:] == ["EnsuringLoadBalancer", "EnsuredLoadBalancer"]


def _events(services: ServiceSide, name: str) -> list[tuple[str, str, str]]:
    side = services.side
    objects = side.on_loop(lambda: side.sim.simulator.store.objects("/events", "default"))
    return [
        (e["type"], e["reason"], e["message"])
        for e in objects
        if e["involvedObject"].get("name") == name and e["involvedObject"].get("kind") == "Service"
    ]


def test_a_pod_sees_the_service_variables(services: ServiceSide) -> None:
    side = services.side
    side.ok("apply", "-f", "-", stdin=service("redis-primary", ports=[{"port": 6379}]))
    cluster_ip = services.service("redis-primary")["spec"]["clusterIP"]
    side.apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "bb"},
            "spec": {
                "containers": [
                    {"name": "bb", "image": "busybox", "command": ["sh", "-c", "env; sleep 3600"]}
                ]
            },
        }
    )
    side.until(lambda: "running" in side.container_status("bb").get("state", {}))
    side.log_line("bb", "bb", "REDIS_PRIMARY_PORT_6379_TCP_ADDR=")

    async def read() -> str:
        source = side.agents.logs(side.must("bb"), "bb")
        return b"".join([chunk async for chunk in source.read(LogOptions())]).decode()

    log: str = side.run(read())
    for line in (
        f"REDIS_PRIMARY_SERVICE_HOST={cluster_ip}",
        "REDIS_PRIMARY_SERVICE_PORT=6379",
        f"REDIS_PRIMARY_PORT=tcp://{cluster_ip}:6379",
        f"REDIS_PRIMARY_PORT_6379_TCP=tcp://{cluster_ip}:6379",
        "REDIS_PRIMARY_PORT_6379_TCP_PROTO=tcp",
        "KUBERNETES_SERVICE_PORT=443",
    ):
        assert line in log.splitlines(), line


def test_cluster_dns_answers_and_kuard_resolves_the_service_name(services: ServiceSide) -> None:
    network = services.network
    if not network.dns_serves_pods:
        pytest.skip(f"cluster DNS cannot serve pods here: {network.dns_problem}")
    (ip,) = services.kuards("kuard-1")
    services.side.ok("apply", "-f", "-", stdin=service("kuard"))
    cluster_ip = services.service("kuard")["spec"]["clusterIP"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(5)
        client.sendto(
            dnsmsg.query(1, "kuard.default.svc.cluster.local", dnsmsg.A), (network.dns.address, 53)
        )
        answer = dnsmsg.parse(client.recv(4096))
    assert [r.value() for r in answer.answers] == [cluster_ip]
    if isolation_mode() != BWRAP:
        return  # plain processes use the host's resolver (see network/services.py)
    services.side.ok("delete", "pod", "kuard-1", "--wait=true")
    (ip,) = services.kuards("kuard-1")  # started after DNS: gets the cluster's resolv.conf
    body = json.dumps({"type": "A", "name": "kuard"}).encode()
    result = json.loads(services.get(f"http://{ip}:8080/dns/api", "POST", body))["result"]
    assert ";; opcode: QUERY, status: NOERROR" in result
    assert f"kuard.default.svc.cluster.local.\t5\tIN\tA\t{cluster_ip}" in result


def test_without_privilege_a_low_port_is_served_shifted_and_said_so(
    services: ServiceSide,
) -> None:
    from backends.simulator.network.proxy import KubeProxy

    side = services.side
    simulator = side.sim.simulator
    (ip,) = services.kuards("kuard-1")
    side.ok("apply", "-f", "-", stdin=service("web"))
    cluster_ip = services.service("web")["spec"]["clusterIP"]
    services.endpoint_slice("web", [(ip, True)])
    unprivileged = KubeProxy(simulator.rest, simulator.clock, privileged=False)
    side.run(unprivileged.start())
    try:
        side.run(unprivileged.settled())
        assert unprivileged.address(cluster_ip, 80) == (cluster_ip, 10080)
        assert services.get(f"http://{cluster_ip}:10080/healthy") == "ok"
        assert f"{cluster_ip}:80/TCP on 10080" in unprivileged.describe()
    finally:
        side.run(unprivileged.stop())
    assert (
        "Warning",
        "PortRemapped",
        f"cannot bind privileged port 80/TCP without privilege: {cluster_ip}:80 is served on "
        f"{cluster_ip}:10080",
    ) in _events(services, "web")


def test_status_lines_for_sim_status(services: ServiceSide) -> None:
    network = services.side.network
    lines = services.network.describe()
    assert lines["services"] == str(network.service_network)
    assert lines["balancers"] == str(network.load_balancer_network)
    assert lines["proxy"].startswith("userspace, ")
    assert lines["dns"].startswith(network.dns_ip)


def test_an_exposed_deployment_balances_over_ready_pods_as_readiness_flips(
    services: ServiceSide,
) -> None:
    """The whole chain with no hand-written endpoints: a Deployment's pods (the controllers),
    ``pykctl expose`` (a cluster IP), the endpoints controller following readiness probes, and
    kube-proxy taking an unready pod out of rotation."""
    side = services.side
    probe = {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 1, "failureThreshold": 1}
    side.ok("create", "deployment", "web", f"--image={KUARD}", "--replicas=2", "--port=8080")
    side.ok(
        "patch", "deployment", "web", "--type=json", "-p",
        json.dumps([{"op": "add", "path": "/spec/template/spec/containers/0/readinessProbe",
                     "value": probe}]),
    )  # fmt: skip
    side.ok("rollout", "status", "deployment/web", "--timeout=60s")
    exposed = run_pykctl(
        [
            "--kubeconfig",
            str(side.sim.kubeconfig),
            "expose",
            "deployment",
            "web",
            "--port=80",
            "--target-port=8080",
        ]
    )
    assert (exposed.stdout, exposed.code) == ("service/web exposed\n", 0)
    url = f"http://{services.service('web')['spec']['clusterIP']}/"

    def ready_addresses() -> list[str]:
        endpoints = side.on_loop(
            lambda: side.sim.simulator.store.get("/endpoints", "default", "web")
        )
        subsets = (endpoints or {}).get("subsets") or []
        return [a["ip"] for subset in subsets for a in subset.get("addresses") or []]

    side.until(lambda: len(ready_addresses()) == 2)
    services.settle()
    pods = {hostname(services.get(url)) for _ in range(40)}
    assert len(pods) == 2 and all(name.startswith("web-") for name in pods)
    unready, still_ready = sorted(pods)
    ip = side.must(unready)["status"]["podIP"]
    services.get(f"http://{ip}:8080/ready/api", "PUT", b'{"failNext":-1}')
    side.until(lambda: len(ready_addresses()) == 1)
    services.settle()
    assert {hostname(services.get(url)) for _ in range(30)} == {still_ready}


def test_hand_written_endpoints_are_mirrored_and_carry_traffic(services: ServiceSide) -> None:
    """The study notes' "Manual Service Discovery": an Endpoints object written by hand for a
    selector-less service becomes an EndpointSlice (the mirroring controller) that kube-proxy
    routes by; the notReady address gets no traffic."""
    first, second = services.kuards("kuard-1", "kuard-2")
    side = services.side
    side.ok("apply", "-f", "-", stdin=service("manual"))
    endpoints = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "manual"},
        "subsets": [
            {
                "addresses": [{"ip": first}],
                "notReadyAddresses": [{"ip": second}],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            }
        ],
    }
    side.ok("apply", "-f", "-", stdin=json.dumps(endpoints))
    mirrored = side.ok(
        "get", "endpointslices", "-l",
        "kubernetes.io/service-name=manual,"
        "endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io",
        "-o", "jsonpath={.items[0].endpoints[*].conditions.ready}",
    )  # fmt: skip
    assert mirrored == "true false"
    services.settle()
    url = f"http://{services.service('manual')['spec']['clusterIP']}/"
    assert {hostname(services.get(url)) for _ in range(20)} == {"kuard-1"}

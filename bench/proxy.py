"""Service traffic: requests per second through a cluster IP and through the Ingress controller
against straight to the pod IP.

A simulator with one node runs in this process with its Service data plane (kube-proxy, load
balancers, DNS, the Ingress controller); one kuard pod serves, a selector-less Service ``kuard``
(port 80 → 8080) has a hand-written EndpointSlice pointing at it, and an Ingress sends every
host's ``/`` to it. A client process (separate, so it does not share this process's interpreter
with the proxies) sends ``GET /healthy`` from ``--concurrency`` threads for ``--seconds`` each
way, one TCP connection per request (closed after the response). Printed: requests per second
straight to POD_IP:8080, through CLUSTER_IP:80, through the ingress address (its ``envoy``
LoadBalancer, port 80), and the ratios (target: each at least half the direct rate).

    python bench/proxy.py [--seconds 5] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.5


def client(host: str, port: int, seconds: float, concurrency: int) -> None:
    """The load generator (run as a child process): prints the requests per second."""
    deadline = time.monotonic() + seconds
    counts = [0] * concurrency

    def worker(index: int) -> None:
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection(host, port, timeout=5)
            connection.request("GET", "/healthy")
            if connection.getresponse().read() == b"ok":
                counts[index] += 1
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(sum(counts) / seconds)


def measure(host: str, port: int, seconds: float, concurrency: int) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--client", f"{host}:{port}", "--seconds", str(seconds),
         "--concurrency", str(concurrency)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(out.strip())


def setup(tmp: Path) -> tuple[Any, str, str, tuple[str, int]]:
    """A simulator with the data plane, a ready kuard, its service and an Ingress to it:
    (running, pod IP, cluster IP, ingress address)."""
    from backends.simulator.cluster.api import PODS, SERVICES, _resource, create
    from backends.simulator.testing import start_simulator

    running = start_simulator(tmp / "sim")
    sim = running.simulator
    network = sim.service_network
    assert network is not None
    network.load_balancers.delay = 0.0
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "kuard", "namespace": "default"},
        "spec": {
            "nodeName": "node-1",
            "containers": [{"name": "kuard", "image": "gcr.io/kuar-demo/kuard-amd64:blue"}],
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kuard", "namespace": "default"},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
    }
    ready = threading.Event()

    def check(_event: object = None) -> None:
        found = sim.store.get("/pods", "default", "kuard") or {}
        statuses = (found.get("status") or {}).get("containerStatuses") or []
        if statuses and statuses[0].get("ready"):
            ready.set()

    running.call(create, sim.rest, PODS, "default", pod, "bench")
    running.call(sim.store.add_listener, check)
    running.call(check)
    if not ready.wait(60):
        raise SystemExit("kuard did not become ready")
    running.call(sim.store.remove_listener, check)
    pod_ip = running.call(sim.store.get, "/pods", "default", "kuard")["status"]["podIP"]
    cluster_ip = running.call(create, sim.rest, SERVICES, "default", service, "bench")["spec"][
        "clusterIP"
    ]
    endpoint_slice = {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": "kuard-manual",
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": "kuard"},
        },
        "addressType": "IPv4",
        "endpoints": [{"addresses": [pod_ip], "conditions": {"ready": True}}],
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
    }
    slices = _resource("discovery.k8s.io", "endpointslices")
    running.call(create, sim.rest, slices, "default", endpoint_slice, "bench")
    asyncio.run_coroutine_threadsafe(network.proxy.settled(), running.loop).result(30)
    backend = {"service": {"name": "kuard", "port": {"number": 80}}}
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "kuard", "namespace": "default"},
        "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix",
                                                "backend": backend}]}}]},
    }  # fmt: skip
    running.call(create, sim.rest, _resource("networking.k8s.io", "ingresses"), "default",
                 ingress, "bench")  # fmt: skip
    controller = network.ingress
    published = threading.Event()

    def front_door(_event: object = None) -> None:
        found = sim.store.get("/services", "projectcontour", "envoy") or {}
        if (found.get("status") or {}).get("loadBalancer"):
            published.set()

    running.call(sim.store.add_listener, front_door)
    running.call(front_door)
    if not published.wait(30):
        raise SystemExit("the ingress controller's load balancer got no address")
    running.call(sim.store.remove_listener, front_door)
    asyncio.run_coroutine_threadsafe(controller.settled(), running.loop).result(30)
    address = controller.address(controller.addresses[0], 80)
    return running, pod_ip, cluster_ip, address


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        host, _, port = args.client.rpartition(":")
        client(host, int(port), args.seconds, args.concurrency)
        return
    with tempfile.TemporaryDirectory(prefix="pykctl-bench-proxy-") as tmp:
        running, pod_ip, cluster_ip, (ingress_ip, ingress_port) = setup(Path(tmp))
        try:
            direct = measure(pod_ip, 8080, args.seconds, args.concurrency)
            proxied = measure(cluster_ip, 80, args.seconds, args.concurrency)
            routed = measure(ingress_ip, ingress_port, args.seconds, args.concurrency)
        finally:
            running.stop()
    print(
        f"GET /healthy, {args.concurrency} clients, {args.seconds:g} s each, new connection per request"
    )
    print(f"  straight to the pod      {pod_ip}:8080  {direct:8.0f} req/s")
    for label, where, rate in (
        ("through the cluster IP", f"{cluster_ip}:80", proxied),
        ("through the ingress", f"{ingress_ip}:{ingress_port}", routed),
    ):
        ratio = rate / direct if direct else 0.0
        verdict = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
        print(
            f"  {label:<24} {where}  {rate:8.0f} req/s  "
            f"ratio {ratio:.2f} (target >= {TARGET_RATIO}) {verdict}"
        )


if __name__ == "__main__":
    main()

"""kuard and nginx on the simulator's kubelet, with real processes and real HTTP: the book's
Pods chapter — the UI and its probe controls on POD_IP:8080, liveness restarts, readiness
flips, memory limits enforced — plus exec and port-forward into a running container."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest

from backends.simulator.kubelet import resources
from backends.simulator.kubelet.logs import LogOptions
from tests.e2e.kubelet_support import NodeSide, node_side

pytestmark = pytest.mark.e2e
__all__ = ["node_side"]  # the fixture, used by name
Obj = dict[str, Any]
KUARD = "gcr.io/kuar-demo/kuard-amd64:blue"


def kuard(name: str = "kuard", **container: Any) -> Obj:
    """The book's kuard pod (5-1-kuard-pod.yaml) with extra container fields."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "containers": [
                {
                    "image": KUARD,
                    "name": "kuard",
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                    **container,
                }
            ]
        },
    }


def ready(side: NodeSide, pod: str = "kuard") -> bool:
    status = side.container_status(pod)
    return bool(status.get("ready"))


def pod_ip(side: NodeSide, pod: str = "kuard") -> str:
    return str(((side.pod(pod) or {}).get("status") or {}).get("podIP"))


def logs(side: NodeSide, pod: str, container: str) -> str:
    async def read() -> str:
        source = side.agents.logs(side.must(pod), container)
        return b"".join([chunk async for chunk in source.read(LogOptions())]).decode()

    text: str = side.run(read())
    return text


def test_kuard_serves_its_ui_probes_and_startup_log(node_side: NodeSide) -> None:
    node_side.apply(kuard())
    node_side.until(lambda: ready(node_side))
    assert node_side.columns("kuard")[:4] == ["kuard", "1/1", "Running", "0"]
    ip = pod_ip(node_side)
    assert ipaddress.ip_address(ip) in node_side.network.pod_network
    code, page = node_side.http(f"http://{ip}:8080/")
    assert code == 200 and "<title>KUAR Demo</title>" in page
    assert '"hostname":"kuard"' in page and '"version":"v0.10.0-blue"' in page
    assert node_side.http(f"http://{ip}:8080/healthy") == (200, "ok")
    assert node_side.http(f"http://{ip}:8080/a/ready") == (200, "ok")
    code, body = node_side.http(f"http://{ip}:8080/healthy/api", "PUT", b'{"failNext":2}')
    assert code == 200 and body.startswith('{"probePath":"","failNext":2,"history":[')
    assert node_side.http(f"http://{ip}:8080/a/healthy") == (500, "fail, 1 left")
    assert node_side.http(f"http://{ip}:8080/healthy") == (500, "fail, 0 left")
    assert node_side.http(f"http://{ip}:8080/healthy") == (200, "ok")
    assert node_side.http(f"http://{ip}:8080/nope") == (404, "404 page not found\n")
    assert node_side.http(f"http://{ip}:8080/memq/server/queues/work", "PUT", b"") == (200, "")
    code, message = node_side.http(
        f"http://{ip}:8080/b/memq/server/queues/work/enqueue", "POST", b"job-1"
    )
    assert code == 200 and '"body":"job-1"' in message
    code, message = node_side.http(f"http://{ip}:8080/memq/server/queues/work/dequeue", "POST", b"")
    assert code == 200 and '"body":"job-1"' in message
    assert node_side.http(f"http://{ip}:8080/memq/server/queues/work/dequeue", "POST", b"") == (
        204,
        "",
    )
    code, env = node_side.http(f"http://{ip}:8080/env/api")
    assert code == 200 and '"commandLine":["/kuard"]' in env and '"HOSTNAME":"kuard"' in env
    assert "PYKCTL" not in env
    text = re.sub(
        r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ", "", logs(node_side, "kuard", "kuard"), flags=re.M
    )
    lines = text.splitlines()
    assert lines[:6] == [
        "Starting kuard version: v0.10.0-blue",
        "*" * 70,
        "* WARNING: This server may expose sensitive",
        "* and secret information. Be careful.",
        "*" * 70,
        "Config: ",
    ]
    assert "Could not find certificates to serve TLS" in lines
    assert "Serving on HTTP on :8080" in lines
    assert any(re.fullmatch(r"127\.\d+\.\d+\.\d+:\d+ GET /healthy", line) for line in lines)


def test_exec_and_port_forward_reach_the_container(node_side: NodeSide) -> None:
    node_side.apply(kuard())
    node_side.until(lambda: ready(node_side))

    async def exec_hostname() -> tuple[int, bytes]:
        pod = node_side.must("kuard")
        session = await node_side.agents.exec(pod, "kuard", ["cat", "/etc/hostname"])
        out = await session.stdout.read()
        return await session.wait(), out

    assert node_side.run(exec_hostname()) == (0, b"kuard\n")

    async def forward() -> bytes:
        pod = node_side.must("kuard")
        reader, writer = await node_side.agents.port_forward(pod, 8080)
        writer.write(b"GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        writer.close()
        return data

    reply = node_side.run(forward())
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"\r\n\r\nok")


def test_failing_liveness_probe_restarts_the_container(node_side: NodeSide) -> None:
    probe = {
        "httpGet": {"path": "/healthy", "port": 8080},
        "periodSeconds": 1,
        "failureThreshold": 2,
    }
    node_side.apply(kuard(livenessProbe=probe))
    node_side.until(lambda: ready(node_side))
    ip = pod_ip(node_side)
    node_side.http(f"http://{ip}:8080/healthy/api", "PUT", b'{"failNext":-1}')
    node_side.until(
        lambda: node_side.container_status("kuard").get("restartCount") == 1 and ready(node_side)
    )
    columns = node_side.columns("kuard")
    assert columns[1:4] == ["1/1", "Running", "1"]
    last = node_side.container_status("kuard")["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (2, "Error")
    assert node_side.http(f"http://{ip}:8080/healthy") == (200, "ok")  # a new process
    events = node_side.events("kuard")
    assert (
        "Warning",
        "Unhealthy",
        "Liveness probe failed: HTTP probe failed with statuscode: 500",
    ) in events
    assert (
        "Normal",
        "Killing",
        "Container kuard failed liveness probe, will be restarted",
    ) in events


def test_readiness_probe_toggles_ready(node_side: NodeSide) -> None:
    probe = {
        "httpGet": {"path": "/ready", "port": "http"},
        "periodSeconds": 1,
        "failureThreshold": 1,
    }
    node_side.apply(kuard(readinessProbe=probe))
    node_side.until(lambda: ready(node_side))
    ip = pod_ip(node_side)
    node_side.http(f"http://{ip}:8080/ready/api", "PUT", b'{"failNext":-1}')
    node_side.until(lambda: not ready(node_side))
    assert node_side.columns("kuard")[1:4] == ["0/1", "Running", "0"]
    conditions = {c["type"]: c["status"] for c in node_side.must("kuard")["status"]["conditions"]}
    assert (conditions["Ready"], conditions["ContainersReady"]) == ("False", "False")
    node_side.http(f"http://{ip}:8080/ready/api", "PUT", b'{"failNext":0}')
    node_side.until(lambda: ready(node_side))
    assert node_side.columns("kuard")[1:4] == ["1/1", "Running", "0"]
    assert (
        "Warning",
        "Unhealthy",
        "Readiness probe failed: HTTP probe failed with statuscode: 500",
    ) in node_side.events("kuard")


@pytest.fixture(params=["kernel", "rss-poll"])
def enforcement(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Memory limits enforced by the kernel (cgroups, when this machine lets us) or by polling.
    Requested before ``node_side``, so that the kubelets are stopped (and their cgroups gone)
    before the modes are reset."""
    mode: str = request.param
    if mode == "rss-poll":
        monkeypatch.setenv("PYKCTL_CGROUPS", "off")
    elif resources.memory_mode() == "rss-poll":
        pytest.skip("no writable memory cgroup here")
    resources.reset_modes()
    request.addfinalizer(resources.reset_modes)
    return mode


def test_memory_hog_over_its_limit_is_oom_killed(enforcement: str, node_side: NodeSide) -> None:
    node_side.apply(kuard(resources={"limits": {"memory": "96Mi"}}))
    node_side.until(lambda: ready(node_side))
    assert (resources.memory_mode() == "rss-poll") == (enforcement == "rss-poll")
    ip = pod_ip(node_side)
    with pytest.raises(OSError):  # the connection drops: the process is gone
        node_side.http(f"http://{ip}:8080/mem/api/alloc?size={200 * 1024 * 1024}", "POST", b"")
    node_side.until(lambda: node_side.container_status("kuard").get("restartCount") == 1)
    last = node_side.container_status("kuard")["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (137, "OOMKilled")
    assert any(reason == "OOMKilling" for _, reason, _ in node_side.events("kuard"))


def test_nginx_serves_its_welcome_page_or_a_mounted_site(node_side: NodeSide) -> None:
    node_side.ok("create", "configmap", "site", "--from-literal=index.html=<h1>hello</h1>")
    node_side.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                     "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})  # fmt: skip
    node_side.apply({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "site"},
        "spec": {
            "volumes": [{"name": "html", "configMap": {"name": "site"}}],
            "containers": [{"name": "nginx", "image": "nginx:1.27",
                            "volumeMounts": [{"name": "html", "mountPath": "/usr/share/nginx/html"}]}],
        },
    })  # fmt: skip
    node_side.until(lambda: ready(node_side, "web") and ready(node_side, "site"))
    code, page = node_side.http(f"http://{pod_ip(node_side, 'web')}/")
    assert code == 200 and "<title>Welcome to nginx!</title>" in page and len(page.encode()) == 615
    assert node_side.http(f"http://{pod_ip(node_side, 'site')}/") == (200, "<h1>hello</h1>")
    code, missing = node_side.http(f"http://{pod_ip(node_side, 'web')}/missing")
    assert code == 404 and "<center><h1>404 Not Found</h1></center>" in missing
    access = node_side.log_line("web", "nginx", "GET /missing")
    assert re.fullmatch(
        r'127\.\d+\.\d+\.\d+ - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /missing HTTP/1\.1" 404 153 "-" "Python-urllib/3\.\d+" "-"',
        access,
    )


def test_privileged_ports_are_shifted_where_they_cannot_be_bound(node_side: NodeSide) -> None:
    node_side.agents.kubelets["node-1"].port_offset = 10000  # as on a machine without root
    node_side.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                     "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})  # fmt: skip
    node_side.until(lambda: ready(node_side, "web"))
    ip = pod_ip(node_side, "web")
    assert node_side.http(f"http://{ip}:10080/")[0] == 200
    conditions = {c["type"]: c for c in node_side.must("web")["status"]["conditions"]}
    remapped = conditions["pykctl.io/PrivilegedPortsRemapped"]
    assert (remapped["status"], remapped["reason"]) == ("True", "PrivilegedPortsRemapped")

    async def forward() -> bytes:
        reader, writer = await node_side.agents.port_forward(node_side.must("web"), 80)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        writer.close()
        return data

    assert b"Welcome to nginx!" in node_side.run(forward())


def test_keygen_job_runs_to_completion(node_side: NodeSide) -> None:
    """The book's one-shot Job pod (12-1-job-oneshot.yaml), as a bare pod."""
    node_side.apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "oneshot"},
            "spec": {
                "restartPolicy": "OnFailure",
                "containers": [
                    {
                        "name": "kuard",
                        "image": KUARD,
                        "command": ["/kuard"],
                        "args": [
                            "--keygen-enable",
                            "--keygen-exit-on-complete",
                            "--keygen-num-to-gen=3",
                        ],
                    }
                ],
            },
        }
    )
    node_side.until(
        lambda: ((node_side.pod("oneshot") or {}).get("status") or {}).get("phase") == "Succeeded"
    )
    assert node_side.columns("oneshot")[1:4] == ["0/1", "Completed", "0"]
    text = logs(node_side, "oneshot", "kuard")
    assert "(ID 0) Workload starting" in text and "(ID 0) Workload exiting" in text
    assert re.search(r"\(ID 0 3/3\) Item done: SHA256:[A-Za-z0-9+/]{43}\n", text)

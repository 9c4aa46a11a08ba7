"""The simulator's kubelet with real processes, checked the way a user sees it: the real
kubectl's READY/STATUS/RESTARTS, the pod's status and events, container logs.

Lifecycle here (crash loops, image pulls, init containers, configuration errors, volumes,
deletion with its grace period); kuard, probes and memory limits in test_kubelet_kuard.py.
"""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.kubelet import NodeAgents, isolation
from backends.simulator.kubelet.logs import LogOptions
from tests.e2e.kubelet_support import NodeSide, node_side

pytestmark = pytest.mark.e2e
__all__ = ["node_side"]  # the fixture, used by name
Obj = dict[str, Any]


def busybox(name: str, command: str, **extra: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "containers": [{"name": name, "image": "busybox", "command": ["sh", "-c", command]}],
            **extra,
        },
    }


def counted(side: NodeSide, pod: str) -> list[tuple[tuple[str, str, str], int]]:
    """Events about ``pod`` with their counts."""
    objects = side.on_loop(lambda: side.sim.simulator.store.objects("/events", "default"))
    return [
        ((e["type"], e["reason"], e["message"]), int(e.get("count") or 1))
        for e in objects
        if e["involvedObject"].get("name") == pod
    ]


def log_of(side: NodeSide, pod: str, container: str, previous: bool = False) -> str:
    async def read() -> str:
        source = side.agents.logs(side.must(pod), container, previous)
        return b"".join([chunk async for chunk in source.read(LogOptions())]).decode()

    text: str = side.run(read())
    return text


def test_busybox_exit_3_shows_error_then_crash_loop_back_off(node_side: NodeSide) -> None:
    node_side.apply(busybox("bb", "echo hi; sleep 1; exit 3"))
    lines = node_side.watch("bb", lambda line: "CrashLoopBackOff" in line)
    statuses = [line.split()[2] for line in lines[1:]]
    assert "Error" in statuses and statuses[-1] == "CrashLoopBackOff"
    columns = node_side.columns("bb")
    assert columns[1:4] == ["0/1", "CrashLoopBackOff", "1"]
    status = node_side.container_status("bb")
    assert status["lastState"]["terminated"]["exitCode"] == 3
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert status["state"]["waiting"]["message"].startswith(
        "back-off 10s restarting failed container=bb pod=bb_default("
    )
    assert log_of(node_side, "bb", "bb") == "hi\n"
    reasons = [reason for _, reason, _ in node_side.events("bb") if reason != "NoIsolation"]
    assert reasons[:4] == ["Pulling", "Pulled", "Created", "Started"]
    assert ("Warning", "BackOff") in {(kind, reason) for kind, reason, _ in node_side.events("bb")}


def test_unknown_image_err_image_pull_then_image_pull_back_off(node_side: NodeSide) -> None:
    node_side.apply({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nope"},
        "spec": {"containers": [{"name": "c", "image": "nosuchimage:v9"}]},
    })  # fmt: skip
    node_side.until(lambda: "ErrImagePull" in str(node_side.container_status("nope")))
    assert node_side.columns("nope")[1:4] == ["0/1", "ErrImagePull", "0"]
    error = (
        'failed to pull and unpack image "docker.io/library/nosuchimage:v9": failed to resolve '
        'reference "docker.io/library/nosuchimage:v9": pull access denied, repository does not '
        "exist or may require authorization: server message: insufficient_scope: "
        "authorization failed"
    )
    assert node_side.container_status("nope")["state"] == {
        "waiting": {"reason": "ErrImagePull", "message": error}
    }
    node_side.until(lambda: "ImagePullBackOff" in str(node_side.container_status("nope")))
    assert node_side.columns("nope")[1:4] == ["0/1", "ImagePullBackOff", "0"]
    waiting = node_side.container_status("nope")["state"]["waiting"]
    assert waiting["message"] == f'Back-off pulling image "nosuchimage:v9": ErrImagePull: {error}'
    node_side.clock.advance(10)  # the back-off is over: pulled (and failed) again
    pulling = ("Normal", "Pulling", 'Pulling image "nosuchimage:v9"')
    node_side.until(lambda: (pulling, 2) in counted(node_side, "nope"))
    events = node_side.events("nope")
    assert ("Normal", "Pulling", 'Pulling image "nosuchimage:v9"') in events
    assert ("Warning", "Failed", f'Failed to pull image "nosuchimage:v9": {error}') in events
    assert ("Warning", "Failed", "Error: ErrImagePull") in events
    assert ("Normal", "BackOff", 'Back-off pulling image "nosuchimage:v9"') in events
    assert ("Warning", "Failed", "Error: ImagePullBackOff") in events


def test_init_container_then_app(node_side: NodeSide) -> None:
    pod = busybox("app", "echo app; sleep 3600")
    pod["spec"]["initContainers"] = [
        {"name": "setup", "image": "busybox", "command": ["sh", "-c", "echo init; sleep 1"]}
    ]
    node_side.apply(pod)
    lines = node_side.watch("app", lambda line: " Running " in line)
    statuses = [line.split()[2] for line in lines[1:]]
    assert "Init:0/1" in statuses
    assert statuses[-1] == "Running"
    status = (node_side.pod("app") or {})["status"]
    init = status["initContainerStatuses"][0]
    assert init["state"]["terminated"]["reason"] == "Completed"
    assert (init["ready"], init["started"]) == (True, False)
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions == {
        "PodReadyToStartContainers": "True", "Initialized": "True", "Ready": "True",
        "ContainersReady": "True", "PodScheduled": "True",
    }  # fmt: skip
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled",
    ]  # fmt: skip
    assert log_of(node_side, "app", "setup") == "init\n"


def test_restart_policy_never_completes_or_fails(node_side: NodeSide) -> None:
    node_side.apply(busybox("ok", "echo done", restartPolicy="Never"))
    node_side.apply(busybox("bad", "exit 1", restartPolicy="Never"))
    node_side.until(lambda: phase(node_side, "ok") == "Succeeded")
    node_side.until(lambda: phase(node_side, "bad") == "Failed")
    assert node_side.columns("ok")[1:4] == ["0/1", "Completed", "0"]
    assert node_side.columns("bad")[1:4] == ["0/1", "Error", "0"]
    conditions = {
        c["type"]: (c["status"], c.get("reason"))
        for c in node_side.must("ok")["status"]["conditions"]
    }
    assert conditions["Ready"] == ("False", "PodCompleted")
    assert conditions["PodReadyToStartContainers"] == ("False", None)


def test_env_config_and_downward_api(node_side: NodeSide) -> None:
    node_side.ok("create", "configmap", "cfg", "--from-literal=mode=fast", "--from-literal=level=3")
    node_side.ok("create", "secret", "generic", "sec", "--from-literal=password=hunter2")
    pod = busybox(
        "envy",
        'echo "$MODE $PASSWORD $MY_POD $MY_IP $LVL_level $GREETING"; cat /cfg/mode; echo; '
        "cat /info/labels; echo; cat /info/name; echo; ls /var/run/secrets/kubernetes.io/serviceaccount",
        restartPolicy="Never",
    )
    container = pod["spec"]["containers"][0]
    container["env"] = [
        {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "mode"}}},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "password"}}},
        {"name": "MY_POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "MY_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "GREETING", "value": "hello $(MY_POD)"},
    ]
    container["envFrom"] = [{"prefix": "LVL_", "configMapRef": {"name": "cfg"}}]
    container["volumeMounts"] = [
        {"name": "cfg", "mountPath": "/cfg"},
        {"name": "info", "mountPath": "/info"},
    ]
    pod["metadata"]["labels"] = {"app": "envy", "tier": "test"}
    pod["spec"]["volumes"] = [
        {"name": "cfg", "configMap": {"name": "cfg"}},
        {"name": "info", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
            {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
        ]}},
    ]  # fmt: skip
    node_side.apply(pod)
    node_side.until(lambda: phase(node_side, "envy") == "Succeeded")
    ip = node_side.must("envy")["status"]["podIP"]
    assert ipaddress.ip_address(ip) in node_side.network.pod_network
    assert log_of(node_side, "envy", "envy").splitlines() == [
        f"fast hunter2 envy {ip} 3 hello envy",
        "fast",
        'app="envy"',
        'tier="test"',
        "envy",
        "ca.crt",
        "namespace",
        "token",
    ]


def test_missing_config_map_is_create_container_config_error(node_side: NodeSide) -> None:
    pod = busybox("cfgless", "sleep 3600")
    pod["spec"]["containers"][0]["env"] = [
        {"name": "X", "valueFrom": {"configMapKeyRef": {"name": "absent", "key": "k"}}}
    ]
    node_side.apply(pod)
    node_side.until(
        lambda: "CreateContainerConfigError" in str(node_side.container_status("cfgless"))
    )
    assert node_side.columns("cfgless")[1:4] == ["0/1", "CreateContainerConfigError", "0"]
    assert (
        node_side.container_status("cfgless")["state"]["waiting"]["message"]
        == 'configmap "absent" not found'
    )
    assert ("Warning", "Failed", 'Error: configmap "absent" not found') in node_side.events(
        "cfgless"
    )
    node_side.ok("create", "configmap", "absent", "--from-literal=k=v")
    node_side.clock.advance(10)
    node_side.until(lambda: "running" in node_side.container_status("cfgless").get("state", {}))


def phase(side: NodeSide, name: str) -> str:
    return str(((side.pod(name) or {}).get("status") or {}).get("phase") or "")


def test_two_containers_share_an_empty_dir(node_side: NodeSide) -> None:
    node_side.apply({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "share"},
        "spec": {
            "restartPolicy": "Never",
            "volumes": [{"name": "data", "emptyDir": {}}],
            "containers": [
                {"name": "writer", "image": "busybox", "command": ["sh", "-c", "echo from-writer > /data/x"],
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                {"name": "reader", "image": "alpine",
                 "command": ["sh", "-c", "until [ -f /shared/x ]; do sleep 0.1; done; cat /shared/x"],
                 "volumeMounts": [{"name": "data", "mountPath": "/shared"}]},
            ],
        },
    })  # fmt: skip
    node_side.until(lambda: phase(node_side, "share") == "Succeeded")
    assert log_of(node_side, "share", "reader") == "from-writer\n"
    assert node_side.columns("share")[1:3] == ["0/2", "Completed"]


def test_volume_claim_outlives_its_pod(node_side: NodeSide) -> None:
    node_side.ok(
        "apply",
        "-f",
        "-",
        stdin="""
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
""",
    )
    node_side.until(
        lambda: (
            (node_side.sim.simulator.store.get("/persistentvolumeclaims", "default", "data") or {})
            .get("status", {})
            .get("phase")
            == "Bound"
        )
    )
    line = node_side.ok("get", "pvc", "data", "--no-headers").split()
    assert (
        line[:2] == ["data", "Bound"]
        and line[2].startswith("pvc-")
        and line[3:6] == ["1Gi", "RWO", "standard"]
    )
    mount = {"volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    claim = [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    first = busybox("first", "echo kept > /data/file", restartPolicy="Never", volumes=claim)
    first["spec"]["containers"][0].update(mount)
    node_side.apply(first)
    node_side.until(lambda: phase(node_side, "first") == "Succeeded")
    node_side.ok("delete", "pod", "first")
    second = busybox("second", "cat /data/file", restartPolicy="Never", volumes=claim)
    second["spec"]["containers"][0].update(mount)
    node_side.apply(second)
    node_side.until(lambda: phase(node_side, "second") == "Succeeded")
    assert log_of(node_side, "second", "second") == "kept\n"


def test_deletion_honours_the_grace_period(node_side: NodeSide) -> None:
    node_side.apply({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "slow"},
        "spec": {
            "terminationGracePeriodSeconds": 5,
            "containers": [
                {"name": "stubborn", "image": "busybox",
                 "command": ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"]},
                {"name": "polite", "image": "busybox",
                 "command": ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; while true; do sleep 0.1; done"]},
            ],
        },
    })  # fmt: skip
    node_side.until(
        lambda: all(
            s.get("ready")
            for s in (node_side.pod("slow") or {}).get("status", {}).get("containerStatuses")
            or [{}]
        )
    )
    finals: list[Obj] = []

    def remember(_event: object) -> None:
        pod = node_side.pod("slow")
        if pod is not None:
            finals[:] = [pod]

    node_side.sim.call(lambda: node_side.sim.simulator.store.add_listener(remember))
    began = time.monotonic()
    assert (
        node_side.ok("delete", "pod", "slow", "--wait=false")
        == 'pod "slow" deleted from default namespace\n'
    )
    assert node_side.columns("slow")[2] == "Terminating"
    node_side.until(lambda: node_side.pod("slow") is None)
    assert time.monotonic() - began >= 5
    statuses = {
        s["name"]: s["state"]["terminated"] for s in finals[0]["status"]["containerStatuses"]
    }
    assert statuses["polite"]["exitCode"] == 0 and statuses["polite"]["reason"] == "Completed"
    assert statuses["stubborn"]["exitCode"] == 137 and statuses["stubborn"]["reason"] == "Error"
    killing = [m for _, reason, m in node_side.events("slow") if reason == "Killing"]
    assert sorted(killing) == ["Stopping container polite", "Stopping container stubborn"]


def test_sidecar_runs_beside_the_app(node_side: NodeSide) -> None:
    pod = busybox("withsidecar", "sleep 3600")
    pod["spec"]["initContainers"] = [
        {
            "name": "proxy",
            "image": "busybox",
            "restartPolicy": "Always",
            "command": ["sleep", "3600"],
        }
    ]
    node_side.apply(pod)
    node_side.until(
        lambda: all(
            s.get("ready")
            for s in node_side.must("withsidecar")["status"].get("containerStatuses") or [{}]
        )
    )
    assert node_side.columns("withsidecar")[1:3] == ["2/2", "Running"]
    proxy = node_side.must("withsidecar")["status"]["initContainerStatuses"][0]
    assert (proxy["ready"], proxy["started"], list(proxy["state"])) == (True, True, ["running"])


def test_lifecycle_hooks(node_side: NodeSide, tmp_path: Path) -> None:
    shared = tmp_path / "hooks"
    pod = busybox("hooked", "sleep 3600", terminationGracePeriodSeconds=2)
    container = pod["spec"]["containers"][0]
    container["lifecycle"] = {
        "postStart": {"exec": {"command": ["sh", "-c", "echo started > /hooks/post"]}},
        "preStop": {"exec": {"command": ["sh", "-c", "echo stopping > /hooks/pre"]}},
    }
    container["volumeMounts"] = [{"name": "hooks", "mountPath": "/hooks"}]
    pod["spec"]["volumes"] = [
        {"name": "hooks", "hostPath": {"path": str(shared), "type": "DirectoryOrCreate"}}
    ]
    node_side.apply(pod)
    node_side.until(lambda: node_side.container_status("hooked").get("ready") is True)
    assert (shared / "post").read_text() == "started\n"
    node_side.ok("delete", "pod", "hooked", "--wait=false")
    node_side.until(lambda: node_side.pod("hooked") is None)
    assert (shared / "pre").read_text() == "stopping\n"
    failing = busybox("badhook", "sleep 3600")
    failing["spec"]["containers"][0]["lifecycle"] = {
        "postStart": {"exec": {"command": ["sh", "-c", "exit 7"]}}
    }
    node_side.apply(failing)
    node_side.until(
        lambda: any(r == "FailedPostStartHook" for _, r, _ in node_side.events("badhook"))
    )
    message = next(m for _, r, m in node_side.events("badhook") if r == "FailedPostStartHook")
    uid = node_side.must("badhook")["metadata"]["uid"]
    assert message == (
        f'Exec lifecycle hook ([sh -c exit 7]) for Container "badhook" in Pod "badhook_default({uid})" '
        "failed - error: command 'sh -c exit 7' exited with 7: , message: \"\""
    )


def test_plain_processes_when_bubblewrap_is_unavailable(
    node_side: NodeSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYKCTL_ISOLATION", "plain")
    isolation.isolation_mode.cache_clear()
    try:
        node_side.apply({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "plain"},
            "spec": {
                "restartPolicy": "Never",
                "volumes": [{"name": "data", "emptyDir": {}}],
                "containers": [{"name": "c", "image": "busybox", "workingDir": "/data",
                                "command": ["sh", "-c", "echo hi > /data/x; cat x /data/x"],
                                "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
            },
        })  # fmt: skip
        node_side.until(lambda: phase(node_side, "plain") == "Succeeded")
    finally:
        monkeypatch.delenv("PYKCTL_ISOLATION")
        isolation.isolation_mode.cache_clear()
    assert log_of(node_side, "plain", "c") == "hi\nhi\n"
    assert any(reason == "NoIsolation" for _, reason, _ in node_side.events("plain"))


def test_a_command_that_cannot_start_is_a_start_error(node_side: NodeSide) -> None:
    node_side.apply({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "typo"},
        "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleepy", "1"]}]},
    })  # fmt: skip
    node_side.until(lambda: "CrashLoopBackOff" in str(node_side.container_status("typo")))
    last = node_side.container_status("typo")["lastState"]["terminated"]
    detail = (
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
        "runc create failed: unable to start container process: error during container init: "
        'exec: "sleepy": executable file not found in $PATH: unknown'
    )
    assert (last["exitCode"], last["reason"], last["message"]) == (128, "StartError", detail)
    assert last["startedAt"] == "1970-01-01T00:00:00Z"
    assert ("Warning", "Failed", f"Error: {detail}") in node_side.events("typo")
    assert node_side.columns("typo")[1:4] == ["0/1", "CrashLoopBackOff", "1"]


def test_active_deadline_fails_the_pod(node_side: NodeSide) -> None:
    node_side.apply(
        busybox("deadline", "sleep 3600", activeDeadlineSeconds=1, terminationGracePeriodSeconds=1)
    )
    node_side.until(lambda: "running" in node_side.container_status("deadline").get("state", {}))
    node_side.clock.advance(2)
    node_side.until(lambda: phase(node_side, "deadline") == "Failed")
    status = node_side.must("deadline")["status"]
    assert (status["reason"], status["message"]) == (
        "DeadlineExceeded",
        "Pod was active on the node longer than the specified deadline",
    )
    assert ("Normal", "DeadlineExceeded", status["message"]) in node_side.events("deadline")


def test_a_restarted_kubelet_adopts_its_pods(node_side: NodeSide) -> None:
    node_side.apply(busybox("survivor", "sleep 3600"))
    node_side.until(lambda: node_side.container_status("survivor").get("ready") is True)
    ip = node_side.must("survivor")["status"]["podIP"]
    node_side.stop()  # the daemon goes away: its containers die with it
    node_side.agents = NodeAgents(
        node_side.sim.simulator.rest, node_side.clock, node_side.agents.state_dir
    )
    node_side.start()
    node_side.until(lambda: node_side.container_status("survivor").get("restartCount") == 1)
    node_side.until(lambda: node_side.container_status("survivor").get("ready") is True)
    status = node_side.container_status("survivor")
    assert status["lastState"]["terminated"]["reason"] == "ContainerStatusUnknown"
    assert status["lastState"]["terminated"]["exitCode"] == 137
    assert node_side.must("survivor")["status"]["podIP"] == ip

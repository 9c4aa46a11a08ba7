"""Pods that stand for components the simulator daemon runs itself (kube-proxy, cluster DNS).

A pod annotated ``pykctl.io/served-by: daemon`` represents a part of the simulator that already
runs inside the daemon process (the userspace kube-proxy, the cluster DNS server): the kubelet
gives it a :class:`DaemonPodWorker` instead of a :class:`~.pod_worker.PodWorker`, so no process
is started for it. The worker reports what is true: the pod Running and Ready as soon as it is
bound, each container ``running`` since then with the ID ``pykctl://daemon-<component>-<hash>``,
and the pod IP where the component answers: the node's InternalIP for ``hostNetwork`` pods (as
kube-proxy's are on any cluster), else the address in the annotation ``pykctl.io/pod-ip`` (the
cluster DNS address for CoreDNS's pods), else the node's. Each container's log holds one line
saying that the component runs inside the daemon; exec, attach and port-forward are refused with
a message saying so (``SERVED_BY_DAEMON``). A deleted pod goes at once (nothing to stop).

Invariants: the worker never starts a process; it writes the pod's status only through the
kubelet's status writer, and only when it changed.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING, Any

from backends.simulator.clock import rfc3339
from backends.simulator.kubelet.logs import LogWriter
from backends.simulator.kubelet.pod_worker import Slot
from backends.simulator.kubelet.runtime import container_id

if TYPE_CHECKING:
    from backends.simulator.kubelet.kubelet import Kubelet

Obj = dict[str, Any]
SERVED_BY = "pykctl.io/served-by"
DAEMON = "daemon"
POD_IP = "pykctl.io/pod-ip"
COMPONENT_LABEL = "k8s-app"
SERVED_BY_DAEMON = "is served by the pykctl simulator daemon itself: it has no container process"
_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")


def served_by_daemon(obj: Obj) -> bool:
    """Whether ``obj`` (a pod, or a workload's pod template) stands for a daemon component."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return annotations.get(SERVED_BY) == DAEMON


def refusal(pod: Obj, container: str) -> str:
    """The message for exec, attach and port-forward into such a pod."""
    name = (pod.get("metadata") or {}).get("name")
    return f'container "{container}" in pod "{name}" {SERVED_BY_DAEMON}'


class DaemonPodWorker:
    """Reports a daemon component's pod as running (see the module docstring)."""

    def __init__(self, kubelet: Kubelet, pod: Obj) -> None:
        metadata = pod.get("metadata") or {}
        self.kubelet = kubelet
        self.namespace = str(metadata.get("namespace") or "")
        self.name = str(metadata.get("name") or "")
        self.uid = str(metadata.get("uid") or "")
        self.slots: dict[str, Slot] = {}  # no container runs: exec and attach find none
        spec = pod.get("spec") or {}
        annotations = metadata.get("annotations") or {}
        self.pod_ip = "" if spec.get("hostNetwork") else str(annotations.get(POD_IP) or "")
        self.component = str((metadata.get("labels") or {}).get(COMPONENT_LABEL) or self.name)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._logs: list[tuple[str, LogWriter]] = []

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def kick(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._close_logs()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if not self.sync():
                self._close_logs()
                self.kubelet.forget(self)
                return
            await self._wake.wait()

    def sync(self) -> bool:
        """Converge once; False when the pod is gone."""
        pod = self.kubelet.rest.store.get("/pods", self.namespace, self.name)
        if pod is None or (pod.get("metadata") or {}).get("uid") != self.uid:
            return False
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            self.kubelet.delete_pod(self.namespace, self.name, self.uid)
            return True
        status = self.status(pod)
        self._open_logs(pod, status)
        self.kubelet.write_status(pod, status)
        return True

    def _container_id(self, container: str) -> str:
        digest = hashlib.sha256(f"{self.uid}/{container}".encode()).hexdigest()
        return container_id(f"daemon-{self.component}-{digest[:16]}")

    def status(self, pod: Obj) -> Obj:
        """The pod's status: Running and Ready since it was first reported."""
        old = pod.get("status") or {}
        since = str(old.get("startTime") or rfc3339(self.kubelet.clock.now()))
        node_ip = self.kubelet.node_ip()
        pod_ip = self.pod_ip or node_ip
        previous = {c.get("type"): c for c in old.get("conditions") or []}
        conditions = [
            {
                "type": kind,
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": (previous.get(kind) or {}).get("lastTransitionTime") or since,
            }
            for kind in _CONDITIONS
        ]
        scheduled = previous.get("PodScheduled")
        if scheduled is not None:
            conditions.append(scheduled)
        statuses = [
            {
                "name": container["name"],
                "state": {"running": {"startedAt": since}},
                "ready": True,
                "restartCount": 0,
                "image": container.get("image", ""),
                "imageID": "",
                "containerID": self._container_id(container["name"]),
                "started": True,
            }
            for container in (pod.get("spec") or {}).get("containers") or []
        ]
        return {
            **old,
            "phase": "Running",
            "conditions": conditions,
            "hostIP": node_ip,
            "hostIPs": [{"ip": node_ip}],
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "startTime": since,
            "containerStatuses": statuses,
        }

    def _open_logs(self, pod: Obj, status: Obj) -> None:
        if self._logs:
            return
        store = self.kubelet.logs
        pod_dir = store.pod_dir(self.namespace, self.name, self.uid)
        for item in status["containerStatuses"]:
            hex_id = str(item["containerID"]).split("://", 1)[-1]
            writer = store.create(pod_dir, item["name"], 0, hex_id)
            line = (
                f"{self.component} runs inside the pykctl simulator daemon (no container process)"
            )
            writer.write("stderr", f"{line}; see `pykctl sim status`\n".encode())
            self._logs.append((hex_id, writer))

    def _close_logs(self) -> None:
        for hex_id, _ in self._logs:
            self.kubelet.logs.finished(hex_id)
        self._logs.clear()

"""The per-node agent: runs the pods bound to one Node with local processes.

A :class:`Kubelet` watches the store for pods whose ``spec.nodeName`` is its node and gives
each a :class:`~.pod_worker.PodWorker` (a :class:`~.daemon_pods.DaemonPodWorker` for a pod that
stands for a component the daemon runs itself). It owns what the node's pods share: the container
runtime, the crash-loop and image-pull back-offs, the images "present on the machine", the
event recorder (source ``kubelet``, host = node name) and the status writer. It reads and writes
only through the REST layer (pods' status subresource as manager ``kubelet``; deletion with
grace 0 and a UID precondition once a terminating pod's containers are gone) and never mutates
stored objects.

The node's addresses and allocatable resources come from its Node object (InternalIP; the
host's CPUs and memory when the Node has no ``status.allocatable``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from multidict import MultiDict, MultiDictProxy

from backends.simulator.apiserver import status as api_status
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.cluster.events import EventRecorder
from backends.simulator.kubelet import podips, timing
from backends.simulator.kubelet.backoff import IMAGE_BACKOFF_INITIAL, IMAGE_BACKOFF_MAX, Backoff
from backends.simulator.kubelet.daemon_pods import DaemonPodWorker, served_by_daemon
from backends.simulator.kubelet.env import Sources
from backends.simulator.kubelet.images import Image
from backends.simulator.kubelet.logs import LogStore
from backends.simulator.kubelet.pod_worker import PodWorker
from backends.simulator.kubelet.probes import ExecProbeError
from backends.simulator.kubelet.runtime import Container, ExecError, Runtime
from backends.simulator.kubelet.status import REMAP_CONDITION
from backends.simulator.kubelet.volumes import TokenSource, VolumeHost
from backends.simulator.store import Event

Obj = dict[str, Any]
log = logging.getLogger("pykctl.simulator.kubelet")
_NO_QUERY = MultiDictProxy(MultiDict[str]())
_PODS = lookup("", "v1", "pods")
REMAP_OFFSET = 10000
PULL_BYTES_PER_SECOND = 1e9
ServiceEnv = Callable[[Obj], Mapping[str, str]]
ResolvConf = Callable[[Obj], str | None]  # a pod's /etc/resolv.conf; None: the host's


def privileged_ports_allowed() -> bool:
    """Whether this process may bind ports below 1024 (root, CAP_NET_BIND_SERVICE, or the
    unprivileged port range starting low enough)."""
    if os.geteuid() == 0:
        return True
    try:
        with open("/proc/self/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("CapEff:") and int(line.split()[1], 16) & (1 << 10):
                    return True
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start", encoding="utf-8") as f:
            return int(f.read().strip()) <= 80
    except (OSError, ValueError):
        return False


def host_allocatable() -> dict[str, str]:
    """The machine's CPUs and memory, as a Node would report them."""
    memory = 0
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1])
    return {"cpu": str(os.cpu_count() or 1), "memory": f"{memory}Ki", "pods": "110"}


class Kubelet:
    """The agent of one node (see the module docstring)."""

    def __init__(
        self,
        node_name: str,
        rest: Rest,
        clock: Clock,
        root: str,
        logs: LogStore,
        addresses: podips.PodAddresses,
        token: TokenSource | None = None,
        service_env: ServiceEnv | None = None,
        resolv_conf: ResolvConf | None = None,
    ) -> None:
        self.node_name = node_name
        self.rest = rest
        self.clock = clock
        self.root = root
        self.logs = logs
        self.addresses = addresses
        self.token = token
        self.service_env = service_env or (lambda pod: {})
        self.resolv_conf: ResolvConf = resolv_conf or (lambda pod: None)
        self.runtime = Runtime(clock, logs, root)
        self.recorder = EventRecorder(rest, clock, "kubelet", node_name)
        self.backoff = Backoff()
        self.image_backoff = Backoff(IMAGE_BACKOFF_INITIAL, IMAGE_BACKOFF_MAX)
        self.pulled: set[str] = set()
        self.pull_bytes_per_second = PULL_BYTES_PER_SECOND
        self.port_offset = 0 if privileged_ports_allowed() else REMAP_OFFSET
        self.workers: dict[str, PodWorker | DaemonPodWorker] = {}
        self._running = False

    # ---------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Adopt this node's pods and follow the store from now on."""
        os.makedirs(self.root, exist_ok=True)
        self._running = True
        self.rest.store.add_listener(self._on_event)
        for pod in self.rest.store.objects("/pods"):
            self._consider(pod)

    async def stop(self) -> None:
        """Kill every container (no status is written) and stop all workers."""
        self._running = False
        self.rest.store.remove_listener(self._on_event)
        workers = list(self.workers.values())
        self.workers.clear()
        await asyncio.gather(*(worker.stop() for worker in workers))
        await self.runtime.stop()

    def _on_event(self, event: Event) -> None:
        if not self._running or event.resource != "/pods":
            return
        pod = event.object
        uid = str((pod.get("metadata") or {}).get("uid") or "")
        worker = self.workers.get(uid)
        if worker is not None:
            if not _status_only(event):
                worker.kick()
        elif event.type != "DELETED":
            self._consider(pod)

    def _consider(self, pod: Obj) -> None:
        spec = pod.get("spec") or {}
        metadata = pod.get("metadata") or {}
        if spec.get("nodeName") != self.node_name:
            return
        uid = str(metadata.get("uid") or "")
        if uid in self.workers:
            return
        previous_ip = (pod.get("status") or {}).get("podIP")
        if previous_ip:
            self.addresses.reserve(uid, str(previous_ip))
        worker = DaemonPodWorker(self, pod) if served_by_daemon(pod) else PodWorker(self, pod)
        self.workers[uid] = worker
        worker.start()

    def forget(self, worker: PodWorker | DaemonPodWorker) -> None:
        """A pod is gone: release what it held on the node."""
        if self.workers.get(worker.uid) is worker:
            del self.workers[worker.uid]
        self.addresses.release(worker.uid)
        self.backoff.forget_prefix(worker.uid + "/")
        self.image_backoff.forget_prefix(worker.uid + "_")
        if self.rest.store.get("/pods", worker.namespace, worker.name) is None:
            self.logs.remove_pod(self.logs.pod_dir(worker.namespace, worker.name, worker.uid))

    # ----------------------------------------------------------------------- the node

    def node(self) -> Obj | None:
        return self.rest.store.get("/nodes", "", self.node_name)

    def host_ips(self) -> list[str]:
        node = self.node() or {}
        ips = [
            str(address.get("address"))
            for address in (node.get("status") or {}).get("addresses") or []
            if address.get("type") == "InternalIP" and address.get("address")
        ]
        return ips or ["127.0.0.1"]

    def node_ip(self) -> str:
        return self.host_ips()[0]

    def pod_network(self) -> Any:
        return podips.node_range(self.node())

    def allocatable(self) -> Mapping[str, Any]:
        node = self.node() or {}
        return (node.get("status") or {}).get("allocatable") or host_allocatable()

    def _lookup(self, resource: str) -> Callable[[str, str], Obj | None]:
        return lambda namespace, name: self.rest.store.get(resource, namespace, name)

    def volume_host(self) -> VolumeHost:
        return VolumeHost(
            self._lookup("/configmaps"),
            self._lookup("/secrets"),
            self._lookup("/persistentvolumeclaims"),
            lambda name: self.rest.store.get("/persistentvolumes", "", name),
            self.allocatable(),
            self.token,
        )

    def env_sources(self) -> Sources:
        return Sources(
            self._lookup("/configmaps"),
            self._lookup("/secrets"),
            self.allocatable(),
            self.service_env,
        )

    def image_directories(self, image: Image) -> dict[str, str]:
        """The directories holding the files an image ships (nginx's html), container path →
        host path, written once per node."""
        digest = image.image_id.rsplit(":", 1)[-1][:16]
        root = os.path.join(self.root, "images", digest)
        directories: dict[str, str] = {}
        for path, content in image.files:
            target = os.path.join(root, path.lstrip("/"))
            if not os.path.exists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w", encoding="utf-8") as f:
                    f.write(content)
            directories[os.path.dirname(path)] = os.path.dirname(target)
        return directories

    def remap_condition(self, pod: Obj) -> Obj:
        """The condition telling that privileged container ports are served shifted."""
        existing = next(
            (
                c
                for c in (pod.get("status") or {}).get("conditions") or []
                if c.get("type") == REMAP_CONDITION
            ),
            None,
        )
        return {
            "type": REMAP_CONDITION,
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": (existing or {}).get("lastTransitionTime")
            or rfc3339(self.clock.now()),
            "reason": "PrivilegedPortsRemapped",
            "message": f"this node cannot bind ports below 1024: the simulator's stand-in servers "
            f"listen on port+{self.port_offset} instead, and port-forward translates",
        }

    # -------------------------------------------------------------------- API writes

    def write_status(self, pod: Obj, status: Obj) -> None:
        """Write ``status`` through the status subresource if it differs from the stored one."""
        assert _PODS is not None
        if _without_nulls(pod.get("status")) == _without_nulls(status):
            return
        metadata = pod.get("metadata") or {}
        body = {**pod, "status": status}
        try:
            self.rest.update_status(
                Target(_PODS, metadata.get("namespace"), metadata.get("name"), "status"),
                body,
                _NO_QUERY,
                manager="kubelet",
            )
        except api_status.ApiStatus as err:
            log.debug("status of %s not written: %s", metadata.get("name"), err.message)

    def delete_pod(self, namespace: str, name: str, uid: str) -> None:
        """Remove a terminated pod (grace 0, only this incarnation of it)."""
        assert _PODS is not None
        options = {"gracePeriodSeconds": 0, "preconditions": {"uid": uid}}
        try:
            self.rest.delete(Target(_PODS, namespace, name, None), options, _NO_QUERY)
        except api_status.ApiStatus as err:
            log.debug("pod %s/%s not deleted: %s", namespace, name, err.message)

    # ---------------------------------------------------------------- container access

    def container(self, pod: Obj, name: str) -> Container | None:
        """The running instance of container ``name`` of ``pod`` on this node."""
        worker = self.workers.get(str((pod.get("metadata") or {}).get("uid") or ""))
        if worker is None:
            return None
        slot = worker.slots.get(name)
        if slot is None or not slot.running:
            return None
        return slot.container

    def pod_ip(self, pod: Obj) -> str | None:
        worker = self.workers.get(str((pod.get("metadata") or {}).get("uid") or ""))
        return worker.pod_ip if worker is not None and worker.pod_ip else None

    async def exec_output(
        self, container: Container, argv: list[str], timeout: float
    ) -> tuple[int, str]:
        """Run ``argv`` in ``container``; (exit code, stdout+stderr). TimeoutError after
        ``timeout`` seconds (the command is killed)."""
        try:
            session = await self.runtime.exec(container, argv)
        except ExecError as err:
            raise ExecProbeError(str(err)) from None
        chunks: list[bytes] = []

        async def drain(reader: asyncio.StreamReader | None) -> None:
            while reader is not None:
                data = await reader.read(65536)
                if not data:
                    return
                chunks.append(data)

        async def run() -> int:
            await asyncio.gather(drain(session.stdout), drain(session.stderr))
            return await session.wait()

        try:
            code = await timing.wait_for(self.clock, run(), timeout)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                session.process.kill()
            raise
        return code, b"".join(chunks).decode("utf-8", "replace")


def _status_only(event: Event) -> bool:
    """Whether a change touched nothing but status (our own writes: no need to sync)."""
    if event.type != "MODIFIED" or event.previous is None:
        return False
    ignored = ("status", "metadata")
    before, after = event.previous, event.object
    if any(before.get(k) != after.get(k) for k in set(before) | set(after) if k not in ignored):
        return False
    volatile = ("resourceVersion", "managedFields")
    old_meta, new_meta = before.get("metadata") or {}, after.get("metadata") or {}
    return all(
        old_meta.get(k) == new_meta.get(k)
        for k in set(old_meta) | set(new_meta)
        if k not in volatile
    )


def _without_nulls(value: Any) -> Any:
    """``value`` without null fields (the API server drops them, e.g. ``lastProbeTime``)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value

"""The simulator's nodes, as their kubelets present them to the API: registration, node status,
heartbeats, and stop/start to simulate a machine failure.

Node K (1-based) is ``node-K``, with the InternalIP and pod CIDR of the simulator's
``Network`` (node-1 of a lone simulator is 127.18.0.1 with pods from 127.244.1.0/24), labelled as kind and minikube label their nodes (node-1 carries the
control-plane role, without its taint, as a minikube primary node does). Capacity and
allocatable come from ``NodeResources``; the node information (kernel, OS image, architecture)
from the host; the container runtime is ``pykctl://<version>``.

A running node's agent, like the kubelet, renews its Lease in ``kube-node-lease`` every 10 s (a
quarter of its 40 s duration) and posts its status when it changed or 5 minutes after the last
post (``nodeStatusReportFrequency``), which refreshes the conditions' ``lastHeartbeatTime``. A
stopped node posts nothing: the node lifecycle controller notices (lifecycle.py). Starting it
again is a reboot: a new boot ID, the kubelet's start-up events, and its conditions back to
healthy. Every timer reads the injected Clock in ``tick()``; nothing here sleeps.
"""

from __future__ import annotations

import copy
import logging
import platform
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.cluster.api import (
    LEASES,
    NODES,
    create,
    key,
    metadata,
    micro_time,
    patch,
    update,
)
from backends.simulator.cluster.events import NORMAL, WARNING, EventRecorder
from backends.simulator.network.slots import Network

log = logging.getLogger("pykctl.simulator.nodes")

Obj = dict[str, Any]

KUBELET_VERSION = "v1.37.1"
RUNTIME_VERSION = "pykctl://0.1.0"
LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40
LEASE_RENEW_SECONDS = LEASE_DURATION_SECONDS / 4
STATUS_UPDATE_SECONDS = 10.0
STATUS_REPORT_SECONDS = 300.0
KUBELET_PORT = 10250
CONTROL_PLANE_LABELS = {
    "node-role.kubernetes.io/control-plane": "",
    "node.kubernetes.io/exclude-from-external-load-balancers": "",
}
_ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}


@dataclass(frozen=True)
class NodeResources:
    """What one node offers (capacity; allocatable is the same, as on kind and minikube)."""

    cpu: str = "4"
    memory: str = "8Gi"
    pods: int = 110
    ephemeral_storage: str = "100Gi"

    def as_list(self) -> dict[str, str]:
        """The ResourceList a kubelet reports (with Linux's hugepages)."""
        return {
            "cpu": self.cpu,
            "ephemeral-storage": self.ephemeral_storage,
            "hugepages-1Gi": "0",
            "hugepages-2Mi": "0",
            "memory": self.memory,
            "pods": str(self.pods),
        }


@dataclass(frozen=True)
class HostInfo:
    """The machine's facts every simulated node reports."""

    kernel_version: str
    os_image: str
    operating_system: str
    architecture: str

    @classmethod
    def detect(cls) -> HostInfo:
        """Read them from the host (``uname``, ``/etc/os-release``)."""
        os_image = platform.platform()
        try:
            for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
                name, _, value = line.partition("=")
                if name == "PRETTY_NAME":
                    os_image = value.strip().strip('"')
        except OSError:
            pass
        machine = platform.machine()
        return cls(
            kernel_version=platform.release(),
            os_image=os_image,
            operating_system=platform.system().lower(),
            architecture=_ARCHITECTURES.get(machine, machine.lower()),
        )


def node_name(index: int) -> str:
    """The name of node ``index`` (1-based)."""
    return f"node-{index}"


def _stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "pykctl:" + "/".join(parts)))


# What the kubelet's condition setters report for a healthy node, in their order.
_HEALTHY = (
    (
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
        "NodeHasSufficientMemory",
    ),
    (
        "DiskPressure",
        "False",
        "KubeletHasNoDiskPressure",
        "kubelet has no disk pressure",
        "NodeHasNoDiskPressure",
    ),
    (
        "PIDPressure",
        "False",
        "KubeletHasSufficientPID",
        "kubelet has sufficient PID available",
        "NodeHasSufficientPID",
    ),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status", "NodeReady"),
)
# Not the kubelet's: the network plugin reports its own condition once, as CNIs do.
_NETWORK = (
    "NetworkUnavailable",
    "False",
    "PykctlNetworkIsUp",
    "pykctl network is running on this node",
)


class NodeAgent:
    """The kubelet's node-level duties for one node: register, post status, renew the lease."""

    def __init__(
        self,
        rest: Rest,
        clock: Clock,
        index: int,
        resources: NodeResources,
        host: HostInfo,
        cluster: str,
        network: Network,
    ) -> None:
        self.rest = rest
        self.clock = clock
        self.index = index
        self.network = network
        self.name = node_name(index)
        self.resources = resources
        self.host = host
        self.cluster = cluster
        self.recorder = EventRecorder(rest, clock, "kubelet", self.name)
        self.running = False
        self.boot_id = ""
        self._renewed = 0.0
        self._computed = 0.0
        self._reported = 0.0

    # ----------------------------------------------------------------------------- power

    def start(self) -> None:
        """Boot the node: a new boot ID, the kubelet's start-up events, register, heartbeat."""
        self.running = True
        self.boot_id = str(uuid.uuid4())
        self.recorder.event(self._ref(), NORMAL, "Starting", "Starting kubelet.")
        self.recorder.event(
            self._ref(),
            NORMAL,
            "NodeAllocatableEnforced",
            "Updated Node Allocatable limit across pods",
        )
        self._register()
        self._post_status(force=True)
        self._renew_lease()

    def stop(self) -> None:
        """The machine fails: its kubelet posts nothing more (the API objects stay)."""
        self.running = False

    # ------------------------------------------------------------------------------ time

    def tick(self) -> None:
        """Renew the lease and post the status when they are due."""
        if not self.running:
            return
        now = self.clock.monotonic()
        if now - self._renewed >= LEASE_RENEW_SECONDS:
            self._renew_lease()
        if now - self._computed >= STATUS_UPDATE_SECONDS:
            self._post_status(force=now - self._reported >= STATUS_REPORT_SECONDS)

    # ------------------------------------------------------------------------ the objects

    def _ref(self) -> Obj:
        """The kubelet's reference to its node: its name stands in for the UID."""
        return {"kind": "Node", "name": self.name, "uid": self.name}

    def _stored(self) -> Obj | None:
        return self.rest.store.get(key(NODES), "", self.name)

    def registration(self) -> Obj:
        """The Node object the kubelet registers (status filled by the first status post)."""
        now = rfc3339(self.clock.now())
        labels = {
            "beta.kubernetes.io/arch": self.host.architecture,
            "beta.kubernetes.io/os": self.host.operating_system,
            "kubernetes.io/arch": self.host.architecture,
            "kubernetes.io/hostname": self.name,
            "kubernetes.io/os": self.host.operating_system,
        }
        if self.index == 1:
            labels.update(CONTROL_PLANE_LABELS)
        network_type, network_status, reason, message = _NETWORK
        return {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": self.name,
                "labels": labels,
                "annotations": {
                    "node.alpha.kubernetes.io/ttl": "0",
                    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                },
            },
            "spec": {
                "podCIDR": self.network.pod_cidr(self.index),
                "podCIDRs": [self.network.pod_cidr(self.index)],
                "providerID": f"pykctl://{self.cluster}/{self.name}",
            },
            "status": {
                "capacity": self.resources.as_list(),
                "allocatable": self.resources.as_list(),
                "conditions": [
                    {
                        "type": network_type,
                        "status": network_status,
                        "lastHeartbeatTime": now,
                        "lastTransitionTime": now,
                        "reason": reason,
                        "message": message,
                    }
                ],
                "addresses": [
                    {"type": "InternalIP", "address": self.network.node_ip(self.index)},
                    {"type": "Hostname", "address": self.name},
                ],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": KUBELET_PORT}},
                "nodeInfo": self._node_info(),
            },
        }

    def _node_info(self) -> Obj:
        return {
            "machineID": _stable_uuid(self.cluster, self.name, "machine").replace("-", ""),
            "systemUUID": _stable_uuid(self.cluster, self.name, "system"),
            "bootID": self.boot_id,
            "kernelVersion": self.host.kernel_version,
            "osImage": self.host.os_image,
            "containerRuntimeVersion": RUNTIME_VERSION,
            "kubeletVersion": KUBELET_VERSION,
            "kubeProxyVersion": "",
            "operatingSystem": self.host.operating_system,
            "architecture": self.host.architecture,
        }

    def _register(self) -> None:
        if self._stored() is not None:
            return
        try:
            create(self.rest, NODES, None, self.registration(), "kubelet")
        except status.ApiStatus as err:
            if err.reason != "AlreadyExists":
                log.error("node %s could not register: %s", self.name, err.message)

    def _post_status(self, force: bool) -> None:
        """Compute the status as the kubelet's setters do; PATCH it when it changed or ``force``."""
        self._computed = self.clock.monotonic()
        node = self._stored()
        if node is None:
            return
        now = rfc3339(self.clock.now())
        previous = {c.get("type"): c for c in (node.get("status") or {}).get("conditions") or []}
        conditions: list[Obj] = []
        changed = False
        for condition_type, wanted, reason, message, event in _HEALTHY:
            before = previous.get(condition_type) or {}
            transition = before.get("status") != wanted
            changed = changed or transition or before.get("reason") != reason
            conditions.append(
                {
                    "type": condition_type,
                    "status": wanted,
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": now if transition else before.get("lastTransitionTime"),
                    "reason": reason,
                    "message": message,
                }
            )
            if transition and (before or condition_type != "Ready"):
                self.recorder.event(
                    self._ref(), NORMAL, event, f"Node {self.name} status is now: {event}"
                )
        info = (node.get("status") or {}).get("nodeInfo") or {}
        if info.get("bootID") != self.boot_id:
            changed = True
            if info.get("bootID"):
                self.recorder.event(
                    self._ref(),
                    WARNING,
                    "Rebooted",
                    f"Node {self.name} has been rebooted, boot id: {self.boot_id}",
                )
        if not changed and not force:
            return
        order = [*previous, *(c["type"] for c in conditions if c["type"] not in previous)]
        body = {
            "status": {
                "$setElementOrder/conditions": [{"type": t} for t in order],
                "conditions": conditions,
                "nodeInfo": self._node_info(),
                "capacity": self.resources.as_list(),
                "allocatable": self.resources.as_list(),
            }
        }
        try:
            patch(self.rest, NODES, None, self.name, body, "kubelet", status=True)
        except status.ApiStatus as err:
            log.warning("node %s status not posted: %s", self.name, err.message)
            return
        self._reported = self._computed

    def _renew_lease(self) -> None:
        """Create or renew ``kube-node-lease/<node>`` (the kubelet's node lease controller)."""
        self._renewed = self.clock.monotonic()
        renew_time = micro_time(self.clock.now())
        lease = self.rest.store.get(key(LEASES), LEASE_NAMESPACE, self.name)
        try:
            if lease is None:
                node = self._stored()
                owner = metadata(node or {})
                body: Obj = {
                    "apiVersion": "coordination.k8s.io/v1",
                    "kind": "Lease",
                    "metadata": {"name": self.name, "namespace": LEASE_NAMESPACE},
                    "spec": {
                        "holderIdentity": self.name,
                        "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                        "renewTime": renew_time,
                    },
                }
                if owner.get("uid"):
                    body["metadata"]["ownerReferences"] = [
                        {"apiVersion": "v1", "kind": "Node", "name": self.name, "uid": owner["uid"]}
                    ]
                create(self.rest, LEASES, LEASE_NAMESPACE, body, "kubelet")
            else:
                renewed = copy.deepcopy(lease)
                renewed["spec"]["renewTime"] = renew_time
                renewed["spec"]["holderIdentity"] = self.name
                renewed["spec"]["leaseDurationSeconds"] = LEASE_DURATION_SECONDS
                update(self.rest, LEASES, renewed, "kubelet")
        except status.ApiStatus as err:
            log.warning("node %s lease not renewed: %s", self.name, err.message)

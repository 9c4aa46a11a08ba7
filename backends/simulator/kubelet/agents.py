"""The node side of the simulator: one :class:`~.kubelet.Kubelet` per Node object, plus what
they share, behind one object the server wires in.

``NodeAgents(rest, clock, state_dir, tokens=...)``; ``await start()`` starts a kubelet for every
Node (and for each Node created later; a deleted Node's kubelet stops and its containers are
killed) and the volume provisioner; ``await stop()`` stops them all. Pod IPs come from one
allocator, container logs go to ``<state_dir>/logs``, pod files to
``<state_dir>/kubelet/<node>``, provisioned volumes to ``<state_dir>/storage``.

The API other parts of the simulator use (all take the pod object as stored):

* ``logs(pod, container, previous)`` → :class:`~.logs.LogSource` (``await``-free; raises
  :class:`~.logs.LogError` with the kubelet's message) whose ``read(LogOptions)`` is an async
  iterator of bytes — for the pods/log subresource;
* ``await exec(pod, container, command, stdin, tty)`` → :class:`~.runtime.ExecSession`;
  ``attach(pod, container)`` → :class:`~.runtime.AttachSession`;
  ``await port_forward(pod, port)`` → ``(StreamReader, StreamWriter)`` connected to the pod's
  IP and port — for exec/attach/port-forward; all raise :class:`NotRunning` when the
  container is not running on a node here, port-forward raises :class:`PortForwardError`
  with containerd's message when nothing listens;
* ``describe()`` → how containers run, for ``pykctl sim status`` (isolation and resource enforcement modes).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from typing import Any

from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.kubelet import isolation, resources
from backends.simulator.kubelet.daemon_pods import refusal, served_by_daemon
from backends.simulator.kubelet.kubelet import Kubelet
from backends.simulator.kubelet.logs import LogSource, LogStore
from backends.simulator.kubelet.podips import PodAddresses
from backends.simulator.kubelet.provisioner import Provisioner
from backends.simulator.kubelet.runtime import AttachSession, ExecSession
from backends.simulator.kubelet.volumes import TokenSource
from backends.simulator.store import Event
from backends.simulator.tokens import TokenIssuer

Obj = dict[str, Any]


class NotRunning(Exception):
    """The container is not running on any node of this simulator."""


class PortForwardError(Exception):
    """Nothing accepts connections on the pod's port; the message is containerd's."""


class NodeAgents:
    """Kubelets for the cluster's nodes, and the provisioner (see the module docstring)."""

    def __init__(
        self,
        rest: Rest,
        clock: Clock,
        state_dir: str,
        tokens: TokenIssuer | None = None,
        service_env: Callable[[Obj], Mapping[str, str]] | None = None,
        resolv_conf: Callable[[Obj], str | None] | None = None,
    ) -> None:
        self.rest = rest
        self.clock = clock
        self.state_dir = state_dir
        self.tokens = tokens
        self.service_env = service_env
        self.resolv_conf = resolv_conf
        self.addresses = PodAddresses()
        self.log_store = LogStore(os.path.join(state_dir, "logs"), clock)
        self.provisioner = Provisioner(rest, clock, os.path.join(state_dir, "storage"))
        self.kubelets: dict[str, Kubelet] = {}
        self._running = False
        self._pending: set[asyncio.Task[None]] = set()

    # ---------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        self._running = True
        for pod in self.rest.store.objects("/pods"):
            metadata = pod.get("metadata") or {}
            ip = (pod.get("status") or {}).get("podIP")
            if ip:
                self.addresses.reserve(str(metadata.get("uid")), str(ip))
        self.rest.store.add_listener(self._on_event)
        await self.provisioner.start()
        for node in self.rest.store.objects("/nodes"):
            await self._add(node["metadata"]["name"])

    async def stop(self) -> None:
        self._running = False
        self.rest.store.remove_listener(self._on_event)
        for task in list(self._pending):
            await task
        kubelets = list(self.kubelets.values())
        self.kubelets.clear()
        await asyncio.gather(*(kubelet.stop() for kubelet in kubelets))
        await self.provisioner.stop()
        resources.reset_modes()

    def node_power(self, name: str, running: bool) -> None:
        """A node was stopped (its kubelet goes away with its containers) or started again
        (a new kubelet adopts the node's pods, as after a reboot); for ``Cluster.on_node_power``."""
        if not self._running:
            return
        if running:
            task = asyncio.get_running_loop().create_task(self._add(name))
        elif name in self.kubelets:
            task = asyncio.get_running_loop().create_task(self.kubelets.pop(name).stop())
        else:
            return
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _on_event(self, event: Event) -> None:
        if not self._running or event.resource != "/nodes":
            return
        name = str((event.object.get("metadata") or {}).get("name") or "")
        if event.type == "DELETED" and name in self.kubelets:
            task = asyncio.get_running_loop().create_task(self.kubelets.pop(name).stop())
        elif event.type != "DELETED" and name not in self.kubelets:
            task = asyncio.get_running_loop().create_task(self._add(name))
        else:
            return
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _add(self, node: str) -> None:
        if node in self.kubelets or not self._running:
            return
        kubelet = Kubelet(
            node,
            self.rest,
            self.clock,
            os.path.join(self.state_dir, "kubelet", node),
            self.log_store,
            self.addresses,
            self._token_source(),
            self.service_env,
            self.resolv_conf,
        )
        self.kubelets[node] = kubelet
        await kubelet.start()

    def _token_source(self) -> TokenSource | None:
        issuer = self.tokens
        if issuer is None:
            return None

        def issue(namespace: str, account: str, audiences: list[str], seconds: int) -> str:
            found = self.rest.store.get("/serviceaccounts", namespace, account) or {}
            uid = str((found.get("metadata") or {}).get("uid") or "")
            return issuer.issue(namespace, account, uid, audiences, seconds, self.clock.now())

        return issue

    # -------------------------------------------------------------------- the API

    def _kubelet(self, pod: Obj) -> Kubelet | None:
        return self.kubelets.get(str((pod.get("spec") or {}).get("nodeName") or ""))

    def _container(self, pod: Obj, container: str) -> Any:
        if served_by_daemon(pod):
            raise NotRunning(refusal(pod, container))
        kubelet = self._kubelet(pod)
        found = kubelet.container(pod, container) if kubelet is not None else None
        if kubelet is None or found is None:
            name = (pod.get("metadata") or {}).get("name")
            raise NotRunning(f'container "{container}" in pod "{name}" is not running')
        return kubelet, found

    def logs(self, pod: Obj, container: str, previous: bool = False) -> LogSource:
        """The log of a container (LogError with the kubelet's message when there is none)."""
        return self.log_store.open(pod, container, previous)

    async def exec(
        self, pod: Obj, container: str, command: list[str], stdin: bool = False, tty: bool = False
    ) -> ExecSession:
        """Run ``command`` in a running container (ExecError when it cannot start)."""
        kubelet, found = self._container(pod, container)
        session: ExecSession = await kubelet.runtime.exec(found, command, stdin, tty)
        return session

    def attach(self, pod: Obj, container: str) -> AttachSession:
        """Attach to a running container's output (and stdin when it has one)."""
        _, found = self._container(pod, container)
        session: AttachSession = found.attach()
        return session

    async def port_forward(
        self, pod: Obj, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to ``port`` of the pod (privileged ports shifted where remapped)."""
        kubelet = self._kubelet(pod)
        address = kubelet.pod_ip(pod) if kubelet is not None else None
        if kubelet is None or address is None:
            name = (pod.get("metadata") or {}).get("name")
            raise NotRunning(f'pod "{name}" is not running on a node of this simulator')
        target = port + kubelet.port_offset if kubelet.port_offset and port < 1024 else port
        try:
            return await asyncio.open_connection(address, target)
        except OSError as err:
            # containerd dials localhost inside the pod's network namespace; say it as it does
            # (asyncio's strerror is "Connect call failed (...)", not the errno's text).
            sandbox = str((pod.get("metadata") or {}).get("uid") or "")
            reason = os.strerror(err.errno).lower() if err.errno else str(err).lower()
            raise PortForwardError(
                f'failed to connect to localhost:{port} inside namespace "{sandbox}", '
                f"IPv4: dial tcp4 127.0.0.1:{port}: connect: {reason} "
                f"IPv6 dial tcp6 [::1]:{port}: connect: connection refused "
            ) from None

    def describe(self) -> dict[str, str]:
        """How containers run here, for ``pykctl sim status``."""
        return {
            "isolation": isolation.describe_mode(),
            "resources": resources.describe_modes(),
        }

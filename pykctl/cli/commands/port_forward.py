"""``pykctl port-forward``: forward local ports to a pod, as kubectl does.

Complete (kubectl's order and messages): at least ``TYPE/NAME`` and one port; a positive
``--pod-running-timeout``; the object (``NAME`` is a pod); the pod it stands for — itself, or the
most active of the pods its selector matches (kubectl's AttachablePodForObject: services,
deployments, replica sets, stateful sets, daemon sets, jobs, replication controllers; with none
yet, a watch until one appears or the timeout); a service's ports translated to its pods' target
ports and named ports to numbers; UDP-only ports refused. Run: the pod must be Running; the
addresses (``localhost`` is 127.0.0.1 and ::1) and ports are parsed; the connection is upgraded;
a listener per address and port prints ``Forwarding from 127.0.0.1:8080 -> 8080``; each accepted
connection prints ``Handling connection for 8080`` and gets its pair of streams. An error the
kubelet reports for a connection is logged as kubectl's klog line and ends the session (``error:
lost connection to pod``), as in kubectl; Ctrl-C ends it with exit code 0.

The connection to the API server is SPDY/3.1 on the upgraded connection itself (``POST
.../portforward`` with ``Upgrade: SPDY/3.1``), kubectl's fallback, rather than kubectl's first
choice, SPDY tunnelled in WebSocket messages: both carry the same SPDY session, but the direct
upgrade needs no WebSocket framing (masking, fragmentation, control frames) on top, is served by
every kube-apiserver version (the tunnel needs 1.30 or later), and it is what kubectl falls back
to anyway. The upgrade goes through ``backends.upgrade`` (the context's TLS and credentials).
"""

from __future__ import annotations

import functools
import ipaddress
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import DURATION, STRING_SLICE, Flag

if TYPE_CHECKING:
    from backends.base import ClusterInfo
    from backends.objects.spdy import ThreadedConnection, ThreadedStream
    from pykctl.session import Session

Obj = dict[str, Any]

HELP = Help(
    use="port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]",
    short="Forward one or more local ports to a pod",
    long="""Forward one or more local ports to a pod.

 Use resource type/name such as deployment/mydeployment to select a pod. Resource type defaults to 'pod' if omitted.

 If there are multiple pods matching the criteria, a pod will be selected automatically. The forwarding session ends when the selected pod terminates, and a rerun of the command is needed to resume forwarding.""",
    example="""# Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
pykctl port-forward pod/mypod 5000 6000

# Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in a pod selected by the deployment
pykctl port-forward deployment/mydeployment 5000 6000

# Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https" in a pod selected by the service
pykctl port-forward service/myservice 8443:https

# Listen on port 8888 locally, forwarding to 5000 in the pod
pykctl port-forward pod/mypod 8888:5000

# Listen on port 8888 on all addresses, forwarding to 5000 in the pod
pykctl port-forward --address 0.0.0.0 pod/mypod 8888:5000

# Listen on port 8888 on localhost and selected IP, forwarding to 5000 in the pod
pykctl port-forward --address localhost,10.19.21.23 pod/mypod 8888:5000

# Listen on a random port locally, forwarding to 5000 in the pod
pykctl port-forward pod/mypod :5000""",
)

FLAGS = [
    Flag(
        "address",
        STRING_SLICE,
        default=["localhost"],
        usage="Addresses to listen on (comma separated). Only accepts IP addresses or localhost as "
        "a value. When localhost is supplied, pykctl will try to bind on both 127.0.0.1 and ::1 "
        "and will fail if neither of these addresses are available to bind.",
    ),
    Flag(
        "pod-running-timeout",
        DURATION,
        default=60.0,
        usage="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least "
        "one pod is running",
    ),
]

PROTOCOL = "portforward.k8s.io"
# Where kubectl 1.37.1's client-go logs each per-connection failure (tools/portforward).
KLOG_LOCATIONS = {
    "Error creating error stream": "portforward.go:475",
    "Error creating forwarding stream": "portforward.go:501",
    "Error copying from remote stream to local connection": "portforward.go:512",
    "Error copying from local connection to remote stream": "portforward.go:525",
    "Error reading from error stream": "portforward.go:546",
    "An error occurred forwarding": "portforward.go:549",
}
# API groups whose kinds kubectl decodes into typed objects (the others are Unstructured)
_TYPED_GROUPS = {
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io",
    "scheduling.k8s.io", "node.k8s.io", "certificates.k8s.io", "admissionregistration.k8s.io",
    "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "authentication.k8s.io",
    "authorization.k8s.io", "apiextensions.k8s.io", "storagemigration.k8s.io",
    "internal.apiserver.k8s.io",
}  # fmt: skip
_LABEL_SELECTED = {"ReplicaSet", "StatefulSet", "DaemonSet", "Deployment", "Job"}


# ------------------------------------------------------------------------------ the ports


@dataclass
class ForwardedPort:
    """A local:remote pair (``local`` 0 until a listener picked one)."""

    local: int
    remote: int

    def __str__(self) -> str:
        return f"{{{self.local} {self.remote}}}"


def split_port(port: str) -> tuple[str, str]:
    """kubectl's splitPort: ``[LOCAL:]REMOTE`` (anything else: the first part twice)."""
    parts = port.split(":")
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], parts[0])


def _go_parse_uint16(text: str) -> int:
    """strconv.ParseUint(text, 10, 16); ValueError with Go's message."""
    if not text or not text.isascii() or not text.isdigit():
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    if int(text) > 65535:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return int(text)


def _is_atoi(text: str) -> bool:
    """Does Go's strconv.Atoi accept ``text``?"""
    body = text[1:] if text[:1] in "+-" else text
    return bool(body) and body.isascii() and body.isdigit() and -(2**63) <= int(text) < 2**63


def parse_ports(ports: list[str]) -> list[ForwardedPort]:
    """client-go's parsePorts (``:5000`` and ``0:5000`` pick a free local port)."""
    forwards = []
    for spec in ports:
        parts = spec.split(":")
        if len(parts) == 1:
            local, remote = parts[0], parts[0]
        elif len(parts) == 2:
            local, remote = parts[0] or "0", parts[1]
        else:
            raise CommandError(f"invalid port format '{spec}'")
        try:
            local_port = _go_parse_uint16(local)
        except ValueError as err:
            raise CommandError(f"error parsing local port '{local}': {err}") from None
        try:
            remote_port = _go_parse_uint16(remote)
        except ValueError as err:
            raise CommandError(f"error parsing remote port '{remote}': {err}") from None
        if remote_port == 0:
            raise CommandError("remote port must be > 0")
        forwards.append(ForwardedPort(local_port, remote_port))
    return forwards


@dataclass(frozen=True)
class ListenAddress:
    address: str
    family: socket.AddressFamily
    failure_mode: str  # "all": localhost, fine while one of its addresses works; "any": must work

    @property
    def network(self) -> str:
        return "tcp4" if self.family == socket.AF_INET else "tcp6"


def parse_addresses(addresses: list[str]) -> list[ListenAddress]:
    """client-go's parseAddresses: ``localhost`` is 127.0.0.1 and ::1; sorted, deduplicated."""
    parsed: dict[str, ListenAddress] = {}
    for address in addresses:
        if address == "localhost":
            parsed.setdefault("127.0.0.1", ListenAddress("127.0.0.1", socket.AF_INET, "all"))
            parsed.setdefault("::1", ListenAddress("::1", socket.AF_INET6, "all"))
            continue
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise CommandError(f"{address} is not a valid IP") from None
        v4 = ip.version == 4 or (isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped)
        family = socket.AF_INET if v4 else socket.AF_INET6
        parsed[address] = ListenAddress(address, family, "any")
    return [parsed[key] for key in sorted(parsed)]


def _join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _container_ports(pod: Obj) -> list[Obj]:
    spec = pod.get("spec") or {}
    return [
        port
        for key in ("containers", "initContainers")
        for container in spec.get(key) or []
        for port in container.get("ports") or []
    ]


def container_port_by_name(pod: Obj, name: str) -> int:
    """kubectl's LookupContainerPortNumberByName (init containers too)."""
    for port in _container_ports(pod):
        if port.get("name") == name:
            return int(port.get("containerPort") or 0)
    pod_name = (pod.get("metadata") or {}).get("name", "")
    raise CommandError(f"Pod '{pod_name}' does not have a named port '{name}'")


def service_port_by_name(service: Obj, name: str) -> int:
    """kubectl's LookupServicePortNumberByName."""
    for port in (service.get("spec") or {}).get("ports") or []:
        if port.get("name") == name:
            return int(port.get("port") or 0)
    service_name = (service.get("metadata") or {}).get("name", "")
    raise CommandError(f"Service '{service_name}' does not have a named port '{name}'")


def container_port_for_service_port(service: Obj, pod: Obj, port: int) -> int:
    """kubectl's LookupContainerPortNumberByServicePort: the port's targetPort (a number, a
    container port name, or the port itself when omitted; headless services keep the port)."""
    spec = service.get("spec") or {}
    if spec.get("clusterIP") == "None":
        return port
    for service_port in spec.get("ports") or []:
        if int(service_port.get("port") or 0) != port:
            continue
        target = service_port.get("targetPort")
        if isinstance(target, str) and not target.isdigit():
            return container_port_by_name(pod, target)
        return int(target or 0) or port
    service_name = (service.get("metadata") or {}).get("name", "")
    raise CommandError(f"Service {service_name} does not have a service port {port}")


def translate_service_ports(ports: list[str], service: Obj, pod: Obj) -> list[str]:
    """kubectl's translateServicePortToTargetPort."""
    translated = []
    for spec in ports:
        local, remote = split_port(spec)
        if _is_atoi(remote):
            number = int(remote)
        else:
            number = service_port_by_name(service, remote)
            if local == remote:
                local = str(number)
        remote = str(container_port_for_service_port(service, pod, number))
        translated.append(f"{local}:{remote}" if local != remote else remote)
    return translated


def convert_named_ports(ports: list[str], pod: Obj) -> list[str]:
    """kubectl's convertPodNamedPortToNumber."""
    converted = []
    for spec in ports:
        local, remote = split_port(spec)
        if not remote:
            raise CommandError("remote port cannot be empty")
        number = remote if _is_atoi(remote) else str(container_port_by_name(pod, remote))
        converted.append(f"{local}:{number}" if local != remote else number)
    return converted


def check_udp_ports(ports: list[str], declared: list[Obj], number_of: Callable[[str], int]) -> None:
    """kubectl's checkUDPPorts: a remote port declared for UDP only cannot be forwarded."""
    udp = {int(p.get("port") or 0) for p in declared if p.get("protocol") == "UDP"}
    tcp = {int(p.get("port") or 0) for p in declared if p.get("protocol", "TCP") == "TCP"}
    for spec in ports:
        _, remote = split_port(spec)
        number = int(remote) if _is_atoi(remote) else number_of(remote)
        if number in udp - tcp:
            raise CommandError(f"UDP protocol is not supported for {remote}")


def _service_declared(service: Obj) -> list[Obj]:
    return [
        {"port": p.get("port"), "protocol": p.get("protocol", "TCP")}
        for p in (service.get("spec") or {}).get("ports") or []
    ]


def _pod_declared(pod: Obj) -> list[Obj]:
    return [
        {"port": p.get("containerPort"), "protocol": p.get("protocol", "TCP")}
        for container in (pod.get("spec") or {}).get("containers") or []
        for p in container.get("ports") or []
    ]


# --------------------------------------------------------------------- the object's pod


def split_resource_name(arg: str) -> tuple[str, str]:
    """cli-runtime's ResourceNames("pods", arg): ``TYPE/NAME`` or a pod's ``NAME``."""
    if "/" not in arg:
        return "pods", arg
    segments = arg.split("/")
    if len(segments) != 2:
        raise CommandError("arguments in resource/name form may not have more than one slash")
    kind, name = segments
    if not kind or not name or len(kind.split(",")) != 1:
        raise CommandError("arguments in resource/name form must have a single resource and name")
    return kind, name


def go_type(obj: Obj) -> str:
    """How Go's %T shows the decoded object: ``*v1.Service``, ``*unstructured.Unstructured``."""
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    if group in _TYPED_GROUPS:
        return f"*{version}.{obj.get('kind')}"
    return "*unstructured.Unstructured"


def pod_selector(obj: Obj) -> str:
    """kubectl's SelectorsForObject, as a label selector string."""
    from backends.objects.selectors import (
        SelectorError,
        label_selector_from_dict,
        selector_from_set,
    )

    kind, group = obj.get("kind"), str(obj.get("apiVersion") or "").rpartition("/")[0]
    spec = obj.get("spec") or {}
    if kind in _LABEL_SELECTED and group in ("apps", "extensions", "batch"):
        try:
            return str(label_selector_from_dict(spec.get("selector")))
        except SelectorError as err:
            raise CommandError(f"invalid label selector: {err}") from None
    if kind == "ReplicationController" and not group:
        return str(selector_from_set(spec.get("selector")))
    if kind == "Service" and not group:
        if not spec.get("selector"):
            name = (obj.get("metadata") or {}).get("name", "")
            raise ValueError(f"invalid service '{name}': Service is defined without a selector")
        return str(selector_from_set(spec.get("selector")))
    raise ValueError(f"selector for {go_type(obj)} not implemented")


def _ready_since(pod: Obj) -> str:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            return str(condition.get("lastTransitionTime") or "")
    return ""


def _is_ready(pod: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _restarts(pod: Obj) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return max((int(s.get("restartCount") or 0) for s in statuses), default=0)


def _after_or_zero(first: str, second: str) -> bool:
    """podutils' afterOrZero for RFC 3339 times ("" is the zero time)."""
    if not first or not second:
        return not first
    return first > second


def less_active(a: Obj, b: Obj) -> bool:
    """podutils.ActivePods' Less: is ``a`` less active than ``b``?"""
    node_a, node_b = ((p.get("spec") or {}).get("nodeName") or "" for p in (a, b))
    if node_a != node_b and (not node_a or not node_b):
        return not node_a
    rank = {"Pending": 0, "Unknown": 1, "Running": 2}
    phase_a, phase_b = (rank.get((p.get("status") or {}).get("phase") or "", 0) for p in (a, b))
    if phase_a != phase_b:
        return phase_a < phase_b
    if _is_ready(a) != _is_ready(b):
        return not _is_ready(a)
    if _is_ready(a) and _ready_since(a) != _ready_since(b):
        return _after_or_zero(_ready_since(a), _ready_since(b))
    if _restarts(a) != _restarts(b):
        return _restarts(a) > _restarts(b)
    created_a, created_b = (
        str((p.get("metadata") or {}).get("creationTimestamp") or "") for p in (a, b)
    )
    if created_a != created_b:
        return _after_or_zero(created_a, created_b)
    return False


def most_active(pods: list[Obj]) -> Obj:
    """The first pod of kubectl's sort.Reverse(ActivePods(pods))."""
    best = pods[0]
    for pod in pods[1:]:
        if less_active(best, pod):
            best = pod
    return best


def attachable_pod(session: Session, obj: Obj, timeout: float) -> Obj:
    """kubectl's AttachablePodForObject: the pod itself, or the most active pod its selector
    matches (waiting up to ``timeout`` for one to appear)."""
    if obj.get("kind") == "Pod" and obj.get("apiVersion") == "v1":
        return obj
    try:
        selector = pod_selector(obj)
    except ValueError as err:
        raise CommandError(f"cannot attach to {go_type(obj)}: {err}") from None
    pods = session.mapper.resource_for("pods")
    namespace = str((obj.get("metadata") or {}).get("namespace") or session.namespace)
    listed = session.client.list_objects(pods, namespace, [("labelSelector", selector)])
    items: list[Obj] = listed.get("items") or []
    if items:
        return most_active(items)
    version = str((listed.get("metadata") or {}).get("resourceVersion") or "")
    query = [("labelSelector", selector), ("resourceVersion", version)]
    query.append(("timeoutSeconds", str(max(1, math.ceil(timeout)))))
    deadline = time.monotonic() + timeout
    for event in session.client.watch(pods, namespace, query):
        if event.get("type") in ("ADDED", "MODIFIED"):
            found: Obj = event.get("object") or {}
            return found
        if time.monotonic() > deadline:
            break
    raise CommandError("timed out waiting for the condition")


# ------------------------------------------------------------------------ forwarding


def _go_value(value: str) -> str:
    """A string value in a klog structured line (klog's text format)."""
    from backends.objects.gofmt import quote

    if "\n" not in value:
        return quote(value)
    lines = value.rstrip("\n").split("\n")
    return "<\n" + "".join(f"\t{line}\n" for line in lines) + " >"


def klog_error(stderr: TextIO, message: str, err: str, local: int, remote: int | None) -> None:
    """client-go's HandleErrorWithLogger line: ``E1129 22:48:16.262889    7954 portforward.go:549]
    "An error occurred forwarding" err="..." localPort=8080 remotePort=80``."""
    now = time.time()
    stamp = time.strftime("%m%d %H:%M:%S", time.localtime(now))
    micros = int((now % 1) * 1_000_000)
    pairs = f" localPort={local}" + (f" remotePort={remote}" if remote is not None else "")
    location = KLOG_LOCATIONS[message]
    line = f'E{stamp}.{micros:06d} {os.getpid():>7} {location}] "{message}" err={_go_value(err)}'
    stderr.write(line + pairs + "\n")
    stderr.flush()


def dial(info: ClusterInfo, namespace: str, pod: str) -> ThreadedConnection:
    """The upgraded SPDY connection to ``pods/POD/portforward``; kubectl's errors otherwise."""
    import json
    from urllib.parse import quote

    from backends.objects.spdy import ThreadedConnection
    from backends.upgrade import upgrade

    path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(pod, safe='')}/portforward"
    headers = {
        "Connection": "Upgrade",
        "Upgrade": "SPDY/3.1",
        "X-Stream-Protocol-Version": PROTOCOL,
        "Content-Length": "0",
    }
    answer = upgrade(info, "POST", path, None, headers)
    connection_header = answer.headers.get("connection", "").lower()
    upgrade_header = answer.headers.get("upgrade", "").lower()
    if (
        answer.status != 101
        or "upgrade" not in connection_header
        or "spdy/3.1" not in upgrade_header
    ):
        answer.close()
        try:
            body = json.loads(answer.body)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("kind") == "Status":
            detail = str(body.get("message") or "")
        else:
            detail = f"unable to upgrade connection: {answer.body.decode(errors='replace').strip()}"
        raise CommandError(f"error upgrading connection: {detail}")
    protocol = answer.headers.get("x-stream-protocol-version", "")
    assert answer.sock is not None
    connection = ThreadedConnection(answer.sock, answer.leftover)
    connection.start()
    if protocol != PROTOCOL:
        connection.close()
        raise CommandError(
            f'unable to negotiate protocol: client supports "{PROTOCOL}", server returned "{protocol}"'
        )
    return connection


class ListenError(Exception):
    """No listener could be opened for a port (the message is client-go's)."""


class Forwarder:
    """client-go's PortForwarder over an upgraded connection: listeners, and a pair of streams
    per accepted connection."""

    def __init__(self, connection: ThreadedConnection, stdout: TextIO, stderr: TextIO) -> None:
        self.connection = connection
        self.stdout = stdout
        self.stderr = stderr
        self.listeners: list[socket.socket] = []
        self._lock = threading.Lock()
        self._next_request = 0

    def out(self, line: str) -> None:
        with self._lock:
            self.stdout.write(line + "\n")
            self.stdout.flush()

    def listen(self, addresses: list[ListenAddress], ports: list[ForwardedPort]) -> None:
        """Open every listener (kubectl's forward()); CommandError when none could be."""
        success = False
        for port in ports:
            try:
                self._listen_on_port(addresses, port)
                success = True
            except ListenError as err:
                with self._lock:
                    self.stderr.write(f"Unable to listen on port {port.local}: {err}\n")
                    self.stderr.flush()
        if not success:
            raise CommandError(
                f"unable to listen on any of the requested ports: [{' '.join(map(str, ports))}]"
            )

    def _listen_on_port(self, addresses: list[ListenAddress], port: ForwardedPort) -> None:
        errors: list[str] = []
        failed = {"all": 0, "any": 0}
        succeeded = {"all": 0, "any": 0}
        for address in addresses:
            try:
                listener = self._listener(address, port)
            except OSError as err:
                errors.append(str(err.strerror))
                failed[address.failure_mode] += 1
                continue
            succeeded[address.failure_mode] += 1
            self.listeners.append(listener)
            threading.Thread(target=self._accept, args=(listener, port), daemon=True).start()
        if (succeeded["all"] == 0 and failed["all"] > 0) or failed["any"] > 0:
            raise ListenError(
                f"Listeners failed to create with the following errors: [{' '.join(errors)}]"
            )

    def _listener(self, address: ListenAddress, port: ForwardedPort) -> socket.socket:
        target = _join_host_port(address.address, port.local)
        step = "socket"
        try:
            listener = socket.socket(address.family, socket.SOCK_STREAM)
            try:
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if address.family == socket.AF_INET6:
                    listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                step = "bind"
                listener.bind((address.address, port.local))
                step = "listen"
                listener.listen(socket.SOMAXCONN)
            except OSError:
                listener.close()
                raise
        except OSError as err:
            reason = (err.strerror or str(err)).lower()
            raise OSError(
                err.errno,
                f"unable to create listener: Error listen {address.network} {target}: {step}: {reason}",
            ) from None
        port.local = listener.getsockname()[1]
        self.out(f"Forwarding from {_join_host_port(address.address, port.local)} -> {port.remote}")
        return listener

    def _accept(self, listener: socket.socket, port: ForwardedPort) -> None:
        while not self.connection.closed.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn, port), daemon=True).start()

    def close(self) -> None:
        for listener in self.listeners:
            with _suppressed():
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            listener.close()

    def _request_id(self) -> int:
        with self._lock:
            request_id, self._next_request = self._next_request, self._next_request + 1
            return request_id

    def handle(self, conn: socket.socket, port: ForwardedPort) -> None:
        """One local connection (client-go's handleConnection)."""
        from backends.objects.spdy import SpdyError

        try:
            self.out(f"Handling connection for {port.local}")
            headers = {"streamtype": "error", "port": str(port.remote)}
            headers["requestid"] = str(self._request_id())
            try:
                error_stream = self.connection.open_stream(dict(headers))
            except SpdyError as err:
                klog_error(
                    self.stderr, "Error creating error stream", str(err), port.local, port.remote
                )
                return
            error_stream.end()
            headers["streamtype"] = "data"
            try:
                data_stream = self.connection.open_stream(headers)
            except SpdyError as err:
                klog_error(
                    self.stderr,
                    "Error creating forwarding stream",
                    str(err),
                    port.local,
                    port.remote,
                )
                return
            self._copy(conn, data_stream, port)
            data_stream.cancel()  # discard what is unsent, as kubectl resets the data stream
            message = b"".join(iter(error_stream.read, b""))
            error_stream.forget()
            data_stream.forget()
            if message:
                text = message.decode(errors="replace")
                klog_error(
                    self.stderr, "An error occurred forwarding", text, port.local, port.remote
                )
                self.connection.close()
        finally:
            with _suppressed():
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _copy(self, conn: socket.socket, stream: ThreadedStream, port: ForwardedPort) -> None:
        """Copy both ways until the pod's side ends or the local side fails."""
        from backends.objects.spdy import SpdyError

        finished = threading.Event()
        report = functools.partial(klog_error, self.stderr)

        def to_local() -> None:
            try:
                while data := stream.read():
                    conn.sendall(data)
            except OSError as err:
                report(
                    "Error copying from remote stream to local connection",
                    _network_error("write", conn, err),
                    port.local,
                    port.remote,
                )
            finally:
                finished.set()

        def to_remote() -> None:
            try:
                while data := conn.recv(32 * 1024):
                    stream.write(data)
            except OSError as err:
                if not finished.is_set():
                    report(
                        "Error copying from local connection to remote stream",
                        _network_error("read", conn, err),
                        port.local,
                        port.remote,
                    )
                    finished.set()
            except SpdyError:
                pass
            stream.end()

        threading.Thread(target=to_remote, daemon=True).start()
        threading.Thread(target=to_local, daemon=True).start()
        finished.wait()


class _suppressed:
    """``contextlib.suppress(OSError)`` without importing contextlib at start-up."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, value: object, traceback: object) -> bool:
        return isinstance(value, OSError)


def _network_error(op: str, conn: socket.socket, err: OSError) -> str:
    """Go's *net.OpError text: ``read tcp4 127.0.0.1:8080->127.0.0.1:51234: read: connection
    reset by peer``."""
    try:
        local, peer = conn.getsockname(), conn.getpeername()
        network = "tcp6" if conn.family == socket.AF_INET6 else "tcp4"
        ends = f"{_join_host_port(local[0], local[1])}->{_join_host_port(peer[0], peer[1])}"
        return f"{op} {network} {ends}: {op}: {(err.strerror or str(err)).lower()}"
    except OSError:
        return f"{op}: {(err.strerror or str(err)).lower()}"


# ----------------------------------------------------------------------------- the command


def run(inv: Invocation) -> int:
    from pykctl.session import Session

    if len(inv.args) < 2:
        raise inv.usage_error("TYPE/NAME and list of ports are required for port-forward")
    timeout = float(inv.flags["pod_running_timeout"])
    if timeout <= 0:
        raise inv.usage_error("--pod-running-timeout must be higher than zero")
    with Session.open(inv) as session:
        namespace = session.namespace
        kind, name = split_resource_name(inv.args[0])
        from pykctl.resources.mapper import UnknownResource

        try:
            resource = session.mapper.resource_for(kind)
        except UnknownResource as err:
            raise CommandError(str(err)) from None
        obj = session.client.get(resource, namespace if resource.namespaced else None, name)
        pod = attachable_pod(session, obj, timeout)
        ports = inv.args[1:]
        if obj.get("kind") == "Service" and obj.get("apiVersion") == "v1":
            check_udp_ports(
                ports, _service_declared(obj), functools.partial(service_port_by_name, obj)
            )
            ports = translate_service_ports(ports, obj, pod)
        else:
            check_udp_ports(
                ports, _pod_declared(pod), functools.partial(container_port_by_name, pod)
            )
            ports = convert_named_ports(ports, pod)
        pod_name = str((pod.get("metadata") or {}).get("name") or "")
        if not pod_name:
            raise CommandError("pod name or resource type/name must be specified")
        current = session.client.get(session.mapper.resource_for("pods"), namespace, pod_name)
        phase = (current.get("status") or {}).get("phase") or ""
        if phase != "Running":
            raise CommandError(
                f"unable to forward port because pod is not running. Current status={phase}"
            )
        try:  # from here on Ctrl-C ends the command quietly, as kubectl's signal handler does
            addresses = parse_addresses(inv.flags["address"])
            forwards = parse_ports(ports)
            connection = dial(session.connection.backend.info, namespace, pod_name)
            return _forward(inv, connection, addresses, forwards)
        except KeyboardInterrupt:
            return 0


def _forward(
    inv: Invocation,
    connection: ThreadedConnection,
    addresses: list[ListenAddress],
    forwards: list[ForwardedPort],
) -> int:
    """Listen and serve until the connection is lost (or Ctrl-C)."""
    forwarder = Forwarder(connection, inv.stdout, inv.stderr)
    try:
        forwarder.listen(addresses, forwards)
        connection.closed.wait()
        raise CommandError("lost connection to pod")
    finally:
        forwarder.close()
        connection.close()


port_forward = KCommand("port-forward", run, HELP, FLAGS)

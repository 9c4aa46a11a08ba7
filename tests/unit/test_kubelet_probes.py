"""Probes: the kubelet's check outcomes and messages, and a worker's thresholds and timing
(driven with a FakeClock and scripted outcomes)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from backends.simulator.clock import FakeClock
from backends.simulator.kubelet import probes
from backends.simulator.kubelet.probes import (
    ExecProbeError,
    Outcome,
    ProbeWorker,
    Target,
    exec_probe,
    http_probe,
    tcp_probe,
)

Obj = dict[str, Any]


async def serve(handler: Any) -> tuple[asyncio.AbstractServer, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


class Reply:
    """An HTTP server handler answering every request with one response; remembers requests."""

    def __init__(self, status: str, body: bytes = b"") -> None:
        self.status = status
        self.body = body
        self.seen: list[str] = []

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        self.seen.append(request.decode())
        head = f"HTTP/1.1 {self.status}\r\nContent-Length: {len(self.body)}\r\n\r\n"
        writer.write(head.encode() + self.body)
        await writer.drain()
        writer.close()


def target(exec_runner: Any = None) -> Target:
    return Target("127.0.0.1", "127.0.0.1", {"http": 1}, exec_runner)


def test_http_probe_outcomes() -> None:
    async def scenario() -> list[Outcome]:
        ok = Reply("200 OK", b"ok")
        server, port = await serve(ok)
        failing, bad_port = await serve(Reply("500 Internal Server Error", b"fail, permanent"))
        try:
            results = [
                await http_probe(
                    {
                        "path": "/healthy",
                        "port": port,
                        "httpHeaders": [{"name": "X-Probe", "value": "1"}],
                    },
                    target(),
                    1,
                ),
                await http_probe({"path": "/healthy", "port": bad_port}, target(), 1),
            ]
        finally:
            server.close()
            failing.close()
        results.append(await http_probe({"path": "/", "port": port}, target(), 1))
        assert "GET /healthy HTTP/1.1\r\nHost: 127.0.0.1:" in ok.seen[0]
        assert "User-Agent: kube-probe/1.37\r\nAccept: */*\r\nX-Probe: 1\r\n" in ok.seen[0]
        return results

    success, failure, refused = asyncio.run(scenario())
    assert success == Outcome(True, "ok")
    assert failure == Outcome(False, "HTTP probe failed with statuscode: 500")
    assert not refused.success and refused.output.startswith('Get "http://127.0.0.1:')
    assert refused.output.endswith(": connect: connection refused")


def test_http_probe_timeout_and_redirects() -> None:
    async def scenario() -> tuple[Outcome, Outcome]:
        released = asyncio.Event()

        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await released.wait()
            writer.close()

        slow, slow_port = await serve(silent)
        final = Reply("200 OK", b"landed")
        landing, landing_port = await serve(final)

        async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                f"HTTP/1.1 301 Moved\r\nLocation: http://example.invalid:{landing_port}/x\r\nContent-Length: 0\r\n\r\n".encode()
            )
            writer.close()

        mover, mover_port = await serve(redirect)
        try:
            timed_out = await http_probe({"path": "/", "port": slow_port}, target(), 0.2)
            moved = await http_probe({"path": "/", "port": mover_port}, target(), 1)
        finally:
            released.set()
            for server in (slow, landing, mover):
                server.close()
                await server.wait_closed()
        return timed_out, moved

    timed_out, moved = asyncio.run(scenario())
    assert timed_out.output.endswith(
        ": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    )
    assert moved.success  # a redirect to another host is not followed, and counts as success


def test_tcp_and_exec_probes() -> None:
    async def runner(argv: list[str], timeout: float) -> tuple[int, str]:
        if argv == ["slow"]:
            raise asyncio.TimeoutError
        if argv == ["missing"]:
            raise ExecProbeError("failed to exec in container: not found")
        return (
            (0, "")
            if argv == ["true"]
            else (1, "cat: can't open '/tmp/healthy': No such file or directory\n")
        )

    async def scenario() -> list[Outcome]:
        server, port = await serve(Reply("200 OK"))
        try:
            up = await tcp_probe({"port": port}, target(), 1)
        finally:
            server.close()
        return [
            up,
            await tcp_probe({"port": "http"}, target(), 1),
            await tcp_probe({"port": "nope"}, target(), 1),
            await exec_probe({"command": ["true"]}, target(runner), 1),
            await exec_probe({"command": ["cat", "/tmp/healthy"]}, target(runner), 1),
            await exec_probe({"command": ["slow"]}, target(runner), 1),
            await exec_probe({"command": ["missing"]}, target(runner), 1),
        ]

    up, refused, unnamed, ok, failed, slow, missing = asyncio.run(scenario())
    assert up.success and ok.success
    assert refused == Outcome(False, "dial tcp 127.0.0.1:1: connect: connection refused")
    assert unnamed.errored
    assert failed == Outcome(False, "cat: can't open '/tmp/healthy': No such file or directory\n")
    assert slow == Outcome(False, 'command "slow" timed out')
    assert missing == Outcome(False, "failed to exec in container: not found", True)


class Script:
    """Scripted probe outcomes, in order."""

    def __init__(self, *results: bool) -> None:
        self.results = list(results)
        self.calls = 0

    async def __call__(self, probe: Obj, target: Target) -> Outcome:
        self.calls += 1
        success = self.results.pop(0)
        return Outcome(success, "" if success else "HTTP probe failed with statuscode: 500")


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def install(*results: bool) -> Script:
        script = Script(*results)
        monkeypatch.setattr(probes, "run_probe", script)
        return script

    yield install


def worker(
    kind: str, probe: Obj, clock: FakeClock, started: bool = True
) -> tuple[ProbeWorker, list[bool], list[str]]:
    reports: list[bool] = []
    events: list[str] = []
    made = ProbeWorker(
        kind, probe, target(), clock, clock.monotonic(),
        lambda w, ok: reports.append(ok), events.append, lambda: started,
    )  # fmt: skip
    return made, reports, events


def test_liveness_reports_after_the_failure_threshold_and_holds(scripted: Any) -> None:
    script = scripted(True, False, False, False)
    clock = FakeClock()
    live, reports, events = worker("liveness", {"failureThreshold": 3}, clock)

    async def run() -> None:
        for _ in range(5):
            await live.probe_once()

    asyncio.run(run())
    assert reports == [False] and live.on_hold and script.calls == 4
    assert events == ["Liveness probe failed: HTTP probe failed with statuscode: 500"] * 3


def test_readiness_starts_unready_and_needs_its_success_threshold(scripted: Any) -> None:
    scripted(True, True, False, True)
    clock = FakeClock()
    readiness, reports, _ = worker(
        "readiness", {"successThreshold": 2, "failureThreshold": 1}, clock
    )
    assert readiness.result is False

    async def run() -> None:
        for _ in range(4):
            await readiness.probe_once()

    asyncio.run(run())
    assert reports == [True, False]


def test_initial_delay_and_startup_gating(scripted: Any) -> None:
    script = scripted(True, True)
    clock = FakeClock()
    live, _, _ = worker("liveness", {"initialDelaySeconds": 5}, clock)
    gated, _, _ = worker("readiness", {}, clock, started=False)

    async def run() -> None:
        await live.probe_once()
        await gated.probe_once()
        clock.advance(5)
        await live.probe_once()

    asyncio.run(run())
    assert script.calls == 1


def test_a_worker_ticks_every_period_on_the_injected_clock(scripted: Any) -> None:
    script = scripted(*[True] * 10)
    clock = FakeClock()
    ticking, _, _ = worker("readiness", {"periodSeconds": 10}, clock)

    async def run() -> None:
        ticking.start()
        await asyncio.sleep(0.05)
        assert script.calls == 1  # at once
        clock.advance(9)
        await asyncio.sleep(0.05)
        assert script.calls == 1
        clock.advance(1)
        await asyncio.sleep(0.05)
        assert script.calls == 2
        ticking.trigger()
        await asyncio.sleep(0.05)
        assert script.calls == 3
        await ticking.stop()

    asyncio.run(run())

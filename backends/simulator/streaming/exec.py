"""The pods/exec and pods/attach subresources: WebSocket remote-command sessions.

A request (GET, or POST as kube-apiserver also allows) goes through kube-apiserver's checks —
pod, container, node (``location``), then ``400 Upgrade request required`` for a plain request —
before the WebSocket upgrade; those errors are Status replies, which kubectl prints after its
SPDY fallback fails the same way. Only the WebSocket protocols are served (``channels``: v5,
v4); a SPDY upgrade gets a 400 saying so.

After the upgrade, what the kubelet reports comes as the Status on the error channel, as through
kube-apiserver's stream translator: a container that is not running (``unable to upgrade
connection: container not found ("c")``), a command that cannot start (``error executing
command in container: ...``), the exit code (NonZeroExitCode), or Success. Output is drained
before the Status; a client that goes away kills its exec (attach just lets go). A tty exec
starts once the client's first message — its terminal's size — arrived (or after a second), so
that the command sees the right size from the start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.kubelet.agents import NotRunning
from backends.simulator.kubelet.daemon_pods import SERVED_BY_DAEMON
from backends.simulator.kubelet.runtime import AttachSession, ExecError, ExecSession
from backends.simulator.streaming import channels
from backends.simulator.streaming.channels import ChannelSocket, Input
from backends.simulator.streaming.location import KUBELET_PORT, Location, locate, pods_only
from backends.simulator.streaming.options import StreamQuery, stream_query

if TYPE_CHECKING:
    from backends.simulator.server import Simulator

_MAX_MESSAGE = 16 * 1024 * 1024
FIRST_SIZE_SECONDS = 1.0


def _is_upgrade(request: web.Request) -> bool:
    """apimachinery's IsUpgradeRequest: a Connection header naming ``upgrade``."""
    return any("upgrade" in value.lower() for value in request.headers.getall("Connection", []))


def _is_websocket(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


async def serve_exec(
    simulator: Simulator, request: web.Request, target: Target
) -> web.StreamResponse:
    """Answer one pods/exec request."""
    return await _serve(simulator, request, target, _exec)


async def serve_attach(
    simulator: Simulator, request: web.Request, target: Target
) -> web.StreamResponse:
    """Answer one pods/attach request."""
    return await _serve(simulator, request, target, _attach)


Session = Callable[[ChannelSocket, Location, StreamQuery], Awaitable[None]]


async def _serve(
    simulator: Simulator, request: web.Request, target: Target, session: Session
) -> web.StreamResponse:
    pods_only(target, request.method)
    if request.method not in ("GET", "POST"):
        raise status.method_not_supported(target.resource, request.method.lower())
    query = stream_query(request.query)
    location = locate(simulator, target, query.container)
    if location is None:
        raise status.bad_request(f"pod {target.name} does not have a host assigned")
    if not _is_upgrade(request):
        raise status.bad_request("Upgrade request required")
    if not _is_websocket(request):
        raise status.bad_request(
            "unable to upgrade connection: the pykctl simulator serves "
            f"{target.subresource} over WebSocket ({', '.join(channels.PROTOCOLS)}) only"
        )
    offered = channels.offered(request)
    if not any(p in channels.PROTOCOLS for p in offered):
        raise status.bad_request(
            f"requested protocol(s) are not supported: [{' '.join(offered)}]; "
            f"supports [{' '.join(channels.PROTOCOLS)}]"
        )
    ws = web.WebSocketResponse(protocols=channels.PROTOCOLS, max_msg_size=_MAX_MESSAGE)
    await ws.prepare(request)
    channel = ChannelSocket(ws)
    if location.agents is None:
        await channel.finish(
            channels.internal_error(
                f"error dialing backend: dial tcp {location.address}:{KUBELET_PORT}: "
                "connect: connection refused"
            )
        )
    elif not query.any_stream:
        await channel.finish(
            channels.internal_error(
                "unable to upgrade connection: you must specify at least 1 of stdin, stdout, stderr"
            )
        )
    else:
        await session(channel, location, query)
    return ws


def _not_found(container: str) -> dict[str, object]:
    return channels.internal_error(
        f'unable to upgrade connection: container not found ("{container}")'
    )


async def _pump(reader: asyncio.StreamReader, channel: ChannelSocket, number: int | None) -> None:
    """Copy a process output to ``number`` (None: read and drop) until EOF."""
    while True:
        data = await reader.read(65536)
        if not data:
            return
        if number is not None:
            await channel.send(number, data)


async def _first_input(inputs: AsyncIterator[Input]) -> asyncio.Future[Input]:
    """With a tty, the client's first message (normally its terminal's size), awaited for up
    to ``FIRST_SIZE_SECONDS`` so that the command starts on a terminal of the right size; the
    future may still be pending."""
    first = asyncio.ensure_future(inputs.__anext__())
    await asyncio.wait({first}, timeout=FIRST_SIZE_SECONDS)
    return first


def _ready_resize(early: asyncio.Future[Input] | None) -> Input | None:
    """The client's first message if it already came and is a resize."""
    if early is None or not early.done() or early.cancelled() or early.exception() is not None:
        return None
    first = early.result()
    return first if first.kind == "resize" else None


async def _exec(channel: ChannelSocket, location: Location, query: StreamQuery) -> None:
    assert location.agents is not None
    inputs = channel.inputs()
    early = await _first_input(inputs) if query.tty else None
    try:
        session = await location.agents.exec(
            location.pod, location.container, query.command, query.stdin, query.tty
        )
    except (NotRunning, ExecError) as err:
        if early is not None:
            early.cancel()
        if isinstance(err, NotRunning) and SERVED_BY_DAEMON in str(err):
            await channel.finish(channels.internal_error(str(err)))
        elif isinstance(err, NotRunning):
            await channel.finish(_not_found(location.container))
        else:
            await channel.finish(
                channels.internal_error(f"error executing command in container: {err}")
            )
        return
    size = _ready_resize(early)
    if size is not None:
        # at once, before the command gets far (the runtime sizes its pty only once the command
        # started: it should take the size to start with instead)
        await _exec_input(session, size)
        early = None
    outputs = [_pump(session.stdout, channel, channels.STDOUT if query.stdout else None)]
    if session.stderr is not None:
        wanted = query.stderr and not query.tty
        outputs.append(_pump(session.stderr, channel, channels.STDERR if wanted else None))
    drained = asyncio.ensure_future(asyncio.gather(*outputs))
    exited = asyncio.ensure_future(session.wait())
    client = asyncio.ensure_future(_feed_exec(early, inputs, session))
    tasks = (drained, exited, client)
    try:
        await asyncio.wait({exited, client}, return_when=asyncio.FIRST_COMPLETED)
        if not exited.done():  # the client went away first
            _kill(session)
            await exited
            return
        code = exited.result()
        await drained
        finished = channels.SUCCESS if code == 0 else channels.exit_status(code, query.command)
        await channel.finish(finished)
        await client
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if session.stdin is not None and not session.stdin.is_closing():
            session.stdin.close()


async def _feed_exec(
    early: asyncio.Future[Input] | None, inputs: AsyncIterator[Input], session: ExecSession
) -> None:
    """The client's stdin, close and resize messages, until it closes the connection."""
    if early is not None:
        try:
            await _exec_input(session, await early)
        except StopAsyncIteration:
            return
    async for item in inputs:
        await _exec_input(session, item)


async def _exec_input(session: ExecSession, item: Input) -> None:
    if item.kind == "resize":
        session.resize(item.width, item.height)
    elif session.stdin is None or session.stdin.is_closing():
        return
    elif item.kind == "stdin":
        session.stdin.write(item.data)
        with contextlib.suppress(ConnectionError):
            await session.stdin.drain()
    elif item.kind == "close" and item.channel == channels.STDIN and session.pty_master is None:
        session.stdin.close()


def _kill(session: ExecSession) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(session.process.pid, signal.SIGKILL)


async def _attach(channel: ChannelSocket, location: Location, query: StreamQuery) -> None:
    assert location.agents is not None
    try:
        session = location.agents.attach(location.pod, location.container)
    except NotRunning:
        await channel.finish(_not_found(location.container))
        return
    wanted = {
        "stdout": channels.STDOUT if query.stdout else None,
        "stderr": channels.STDERR if query.stderr and not query.tty else None,
    }
    output = asyncio.ensure_future(_follow(channel, session, wanted))
    client = asyncio.ensure_future(_feed_attach(channel, session, query))
    try:
        await asyncio.wait({output, client}, return_when=asyncio.FIRST_COMPLETED)
        if output.done():  # the container exited: the kubelet reports success
            await channel.finish(channels.SUCCESS)
            await client
    finally:
        session.close()
        for task in (output, client):
            task.cancel()


async def _follow(
    channel: ChannelSocket, session: AttachSession, wanted: dict[str, int | None]
) -> None:
    """The container's output from now until it exits."""
    while True:
        item = await session.next_output()
        if item is None:
            return
        stream, data = item
        number = wanted.get(stream)
        if number is not None:
            await channel.send(number, data)


async def _feed_attach(channel: ChannelSocket, session: AttachSession, query: StreamQuery) -> None:
    async for item in channel.inputs():
        _attach_input(session, query, item)


def _attach_input(session: AttachSession, query: StreamQuery, item: Input) -> None:
    if item.kind == "resize":
        session.resize(item.width, item.height)
    elif not query.stdin:
        return
    elif item.kind == "stdin":
        session.write(item.data)
    elif item.kind == "close" and item.channel == channels.STDIN:
        session.close_stdin()

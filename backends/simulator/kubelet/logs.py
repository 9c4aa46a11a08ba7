"""Container logs: written in the CRI log format, read back for the pods/log subresource.

Layout: ``<root>/<namespace>_<pod>_<uid>/<container>/<restart>.<id12>.log`` (the kubelet's
``/var/log/pods`` with the container ID in the name), each line
``<RFC3339Nano> <stdout|stderr> <F|P> <content>`` — ``P`` marks a piece of a line longer than
16 KiB or cut by the stream, ``F`` a complete line. A file is rotated past ``max_size``
(``<file>.<YYYYmmdd-HHMMSS>``, at most ``max_files`` in all). The kubelet keeps the current and
the previous instance of each container (``--previous``) and deletes the rest.

The API the log subresource uses::

    source = logs.open(pod, "kuard", previous=False)   # LogError(message) -> 400
    async for chunk in source.read(LogOptions(follow=True, tail_lines=10, timestamps=True)):
        ...  # bytes, as kubectl prints them

``open`` applies the kubelet's checks on the pod status (``container "x" in pod "y" is
waiting to start: ContainerCreating``, ``previous terminated container "x" in pod "y" not
found`` ...). ``read`` honours tail, since, timestamps (fixed 9-digit RFC3339Nano), limitBytes
and stream; with ``follow`` it keeps yielding until the container instance has exited and its
output is drained. Attach subscribes to the live writer of a running instance
(``LogWriter.subscribe``).
"""

from __future__ import annotations

import asyncio
import datetime
import glob
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from backends.simulator.clock import Clock, parse_rfc3339

MAX_SIZE = 10 * 1024 * 1024
MAX_FILES = 5
MAX_LINE = 16 * 1024
_SUFFIX = ".log"


class LogError(Exception):
    """Logs cannot be served; the message is the kubelet's (the API answers 400 with it)."""


@dataclass(frozen=True)
class LogOptions:
    """The pods/log query, parsed."""

    follow: bool = False
    tail_lines: int | None = None  # None or negative: all lines
    since_time: datetime.datetime | None = None
    timestamps: bool = False
    limit_bytes: int | None = None
    stream: str = "All"  # All, Stdout or Stderr


def format_timestamp(moment: datetime.datetime) -> str:
    """RFC3339 with exactly nine fractional digits, UTC (the kubelet's RFC3339NanoFixed)."""
    moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond * 1000:09d}Z"


class LogWriter:
    """Writes one container instance's output; live subscribers get every chunk too."""

    def __init__(self, path: str, clock: Clock, max_size: int = MAX_SIZE) -> None:
        self.path = path
        self.clock = clock
        self.max_size = max_size
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self._file = open(path, "ab")  # noqa: SIM115 - kept open for the instance's life
        self._pending: dict[str, bytes] = {"stdout": b"", "stderr": b""}
        self._changed = asyncio.Event()
        self._subscribers: list[asyncio.Queue[tuple[str, bytes] | None]] = []
        self.closed = False

    def _line(self, stream: str, tag: str, content: bytes) -> None:
        stamp = format_timestamp(self.clock.now()).encode()
        self._file.write(
            stamp + b" " + stream.encode() + b" " + tag.encode() + b" " + content + b"\n"
        )

    def write(self, stream: str, data: bytes) -> None:
        """Append ``data`` from ``stream`` (``stdout`` or ``stderr``)."""
        if self.closed or not data:
            return
        for queue in self._subscribers:
            queue.put_nowait((stream, data))
        buffered = self._pending[stream] + data
        *lines, rest = buffered.split(b"\n")
        for line in lines:
            while len(line) > MAX_LINE:
                self._line(stream, "P", line[:MAX_LINE])
                line = line[MAX_LINE:]
            self._line(stream, "F", line)
        while len(rest) > MAX_LINE:
            self._line(stream, "P", rest[:MAX_LINE])
            rest = rest[MAX_LINE:]
        self._pending[stream] = rest
        self._file.flush()
        self._rotate_if_needed()
        self._notify()

    def _rotate_if_needed(self) -> None:
        if self._file.tell() < self.max_size:
            return
        self._file.close()
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        target = f"{self.path}.{stamp}"
        suffix = 0
        while os.path.exists(target):
            suffix += 1
            target = f"{self.path}.{stamp}-{suffix}"
        os.replace(self.path, target)
        for old in rotated_files(self.path)[: -(MAX_FILES - 1)]:
            os.unlink(old)
        self._file = open(self.path, "ab")  # noqa: SIM115

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def change_event(self) -> asyncio.Event:
        """An event set by the next write or close (take it before reading the file)."""
        return self._changed

    def subscribe(self) -> asyncio.Queue[tuple[str, bytes] | None]:
        """Live output from now on; None when the instance has exited."""
        queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()
        if self.closed:
            queue.put_nowait(None)
        else:
            self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[tuple[str, bytes] | None]) -> None:
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    def close(self) -> None:
        """Flush unterminated lines (as complete ones) and stop."""
        if self.closed:
            return
        for stream, rest in self._pending.items():
            if rest:
                self._line(stream, "F", rest)
        self._file.close()
        self.closed = True
        for queue in self._subscribers:
            queue.put_nowait(None)
        self._subscribers.clear()
        self._notify()


def rotated_files(path: str) -> list[str]:
    """Rotated predecessors of ``path``, oldest first."""
    return sorted(glob.glob(glob.escape(path) + ".*"))


@dataclass(frozen=True)
class _Entry:
    time: datetime.datetime
    stream: str
    partial: bool
    content: bytes


def _parse(line: bytes) -> _Entry | None:
    try:
        stamp, stream, tag, content = line.rstrip(b"\n").split(b" ", 3)
    except ValueError:
        parts = line.rstrip(b"\n").split(b" ", 3)
        if len(parts) != 3:
            return None
        stamp, stream, tag = parts
        content = b""
    try:
        moment = parse_rfc3339(_trim_nanos(stamp.decode()))
    except ValueError:
        return None
    return _Entry(moment, stream.decode(), tag == b"P", content)


def _trim_nanos(stamp: str) -> str:
    """Python parses at most microseconds."""
    head, dot, rest = stamp.partition(".")
    if not dot:
        return stamp
    digits = rest.rstrip("Z")
    return f"{head}.{digits[:6].ljust(6, '0')}Z"


class LogSource:
    """One container instance's log, readable once or followed."""

    def __init__(self, path: str, writer: LogWriter | None) -> None:
        self.path = path
        self.writer = writer

    def _wanted(self, entry: _Entry, options: LogOptions) -> bool:
        if options.stream == "Stdout" and entry.stream != "stdout":
            return False
        if options.stream == "Stderr" and entry.stream != "stderr":
            return False
        return options.since_time is None or entry.time >= options.since_time

    @staticmethod
    def _render(entry: _Entry, options: LogOptions) -> bytes:
        prefix = (format_timestamp(entry.time) + " ").encode() if options.timestamps else b""
        return prefix + entry.content + (b"" if entry.partial else b"\n")

    def _existing(self, options: LogOptions) -> tuple[list[bytes], int]:
        """Rendered lines already written and the offset read to. As the kubelet does, the
        tail counts the file's lines (each piece of a split line too), before the stream and
        since filters."""
        entries: list[_Entry] = []
        offset = 0
        for name in [*rotated_files(self.path), self.path]:
            try:
                with open(name, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            if name == self.path:
                offset = len(data)
            entries.extend(e for e in map(_parse, data.splitlines()) if e is not None)
        if options.tail_lines is not None and options.tail_lines >= 0:
            entries = entries[len(entries) - options.tail_lines :] if options.tail_lines else []
        lines = [self._render(e, options) for e in entries if self._wanted(e, options)]
        return lines, offset

    async def read(self, options: LogOptions) -> AsyncIterator[bytes]:
        """The log as kubectl prints it (see the module docstring)."""
        budget = options.limit_bytes if options.limit_bytes and options.limit_bytes > 0 else None
        lines, offset = self._existing(options)
        for line in lines:
            if budget is not None:
                line = line[:budget]
                budget -= len(line)
            if line:
                yield line
            if budget == 0:
                return
        if not options.follow or self.writer is None:
            return
        inode = _inode(self.path)
        while True:
            change = self.writer.change_event()
            closed = self.writer.closed
            chunk, offset, inode = _read_new(self.path, offset, inode)
            for raw in chunk.splitlines():
                entry = _parse(raw)
                if entry is None or not self._wanted(entry, options):
                    continue
                line = self._render(entry, options)
                if budget is not None:
                    line = line[:budget]
                    budget -= len(line)
                if line:
                    yield line
                if budget == 0:
                    return
            if closed:  # everything it wrote has been read
                return
            await change.wait()


def _inode(path: str) -> int:
    try:
        return os.stat(path).st_ino
    except OSError:
        return -1


def _read_new(path: str, offset: int, inode: int) -> tuple[bytes, int, int]:
    """Complete lines written since ``offset``; follows a rotation to the new file."""
    current = _inode(path)
    chunks = b""
    if current != inode and inode != -1:
        # Rotated: finish the old file (now renamed), then start the new one from 0.
        for name in reversed(rotated_files(path)):
            if _inode(name) == inode:
                with open(name, "rb") as f:
                    f.seek(offset)
                    chunks = f.read()
                break
        offset, inode = 0, current
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return chunks, offset, inode
    complete = data[: data.rfind(b"\n") + 1]
    return chunks + complete, offset + len(complete), inode


class LogStore:
    """Every container log of the simulated nodes, under one directory."""

    def __init__(self, root: str, clock: Clock) -> None:
        self.root = root
        self.clock = clock
        self._writers: dict[str, LogWriter] = {}  # container ID → live writer

    def pod_dir(self, namespace: str, name: str, uid: str) -> str:
        return os.path.join(self.root, f"{namespace}_{name}_{uid}")

    def create(self, pod_dir: str, container: str, restart: int, container_id: str) -> LogWriter:
        """The writer of a new container instance; drops all but the previous instance's logs."""
        directory = os.path.join(pod_dir, container)
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            number = name.split(".", 1)[0]
            if number.isdigit() and int(number) < restart - 1:
                os.unlink(os.path.join(directory, name))
        writer = LogWriter(
            os.path.join(directory, f"{restart}.{container_id[:12]}{_SUFFIX}"), self.clock
        )
        self._writers[container_id] = writer
        return writer

    def finished(self, container_id: str) -> None:
        writer = self._writers.pop(container_id, None)
        if writer is not None:
            writer.close()

    def path_of(self, pod_dir: str, container: str, container_id: str) -> str | None:
        matches = glob.glob(
            os.path.join(
                glob.escape(pod_dir), glob.escape(container), f"*.{container_id[:12]}{_SUFFIX}"
            )
        )
        return matches[0] if matches else None

    def remove_pod(self, pod_dir: str) -> None:
        shutil.rmtree(pod_dir, ignore_errors=True)

    def open(self, pod: dict[str, Any], container: str, previous: bool = False) -> LogSource:
        """The log of ``container`` of ``pod`` (see the module docstring); LogError if none."""
        metadata = pod.get("metadata") or {}
        pod_name = str(metadata.get("name") or "")
        full_id = _container_id(pod, container, previous)
        container_id = full_id.split("://", 1)[-1]
        pod_dir = self.pod_dir(
            str(metadata.get("namespace") or ""), pod_name, str(metadata.get("uid") or "")
        )
        path = self.path_of(pod_dir, container, container_id)
        if path is None:
            raise LogError(f"unable to retrieve container logs for {full_id}")
        return LogSource(path, self._writers.get(container_id))


def _container_id(pod: dict[str, Any], container: str, previous: bool) -> str:
    """kubelet's validateContainerLogStatus: the ID of the instance whose log to serve, or
    LogError."""
    pod_name = (pod.get("metadata") or {}).get("name", "")
    status = pod.get("status") or {}
    found = None
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for item in status.get(key) or []:
            if item.get("name") == container:
                found = item
                break
        if found is not None:
            break
    if found is None:
        raise LogError(f'container "{container}" in pod "{pod_name}" is not available')
    state = found.get("state") or {}
    last = (found.get("lastState") or {}).get("terminated")
    if previous:
        if not last or not last.get("containerID"):
            raise LogError(
                f'previous terminated container "{container}" in pod "{pod_name}" not found'
            )
        return str(last["containerID"])
    if state.get("running") is not None:
        return str(found.get("containerID") or "")
    terminated = state.get("terminated")
    if terminated is not None:
        if terminated.get("containerID"):
            return str(terminated["containerID"])
        if last and last.get("containerID"):
            return str(last["containerID"])
        raise LogError(f'container "{container}" in pod "{pod_name}" is terminated')
    if last is not None:
        if not last.get("containerID"):
            raise LogError(f'container "{container}" in pod "{pod_name}" is terminated')
        return str(last["containerID"])
    waiting = state.get("waiting")
    if waiting is not None:
        reason = waiting.get("reason") or ""
        if reason == "ErrImagePull":
            raise LogError(
                f'container "{container}" in pod "{pod_name}" is waiting to start: image can\'t be pulled'
            )
        if reason == "ImagePullBackOff":
            raise LogError(
                f'container "{container}" in pod "{pod_name}" is waiting to start: trying and failing to pull image'
            )
        raise LogError(f'container "{container}" in pod "{pod_name}" is waiting to start: {reason}')
    raise LogError(f'container "{container}" in pod "{pod_name}" is waiting to start - no logs yet')

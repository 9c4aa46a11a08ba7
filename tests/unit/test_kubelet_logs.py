"""Container logs: the CRI format, rotation, reading with kubectl's options, follow, and the
kubelet's messages when there is no log to serve."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.clock import FakeClock
from backends.simulator.kubelet.logs import (
    LogError,
    LogOptions,
    LogStore,
    LogWriter,
    format_timestamp,
    rotated_files,
)

Obj = dict[str, Any]


def read(
    store: LogStore, pod: Obj, container: str, options: LogOptions, previous: bool = False
) -> bytes:
    async def collect() -> bytes:
        source = store.open(pod, container, previous)
        return b"".join([chunk async for chunk in source.read(options)])

    return asyncio.run(collect())


def pod_with(state: Obj, last: Obj | None = None, name: str = "c") -> Obj:
    status: Obj = {"name": name, "state": state, "lastState": {"terminated": last} if last else {}}
    if "running" in state:
        status["containerID"] = "pykctl://" + "a" * 64
    return {
        "metadata": {"name": "p", "namespace": "ns", "uid": "u"},
        "status": {"containerStatuses": [status]},
    }


def test_timestamps_have_nine_fractional_digits() -> None:
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc)
    assert format_timestamp(moment) == "2026-01-02T03:04:05.123456000Z"


def test_cri_format_partial_lines_and_reading_options(tmp_path: Path) -> None:
    clock = FakeClock()
    store = LogStore(str(tmp_path), clock)

    async def write() -> None:
        writer = store.create(store.pod_dir("ns", "p", "u"), "c", 0, "a" * 64)
        writer.write("stdout", b"one\ntw")
        clock.advance(10)
        writer.write("stdout", b"o\n")
        writer.write("stderr", b"oops\n")
        clock.advance(10)
        writer.write("stdout", b"x" * 20000 + b"\nlast")
        store.finished("a" * 64)

    asyncio.run(write())
    path = tmp_path / "ns_p_u" / "c" / f"0.{'a' * 12}.log"
    lines = path.read_bytes().splitlines()
    assert lines[0] == b"2026-01-01T00:00:00.000000000Z stdout F one"
    assert lines[1] == b"2026-01-01T00:00:10.000000000Z stdout F two"
    assert lines[2] == b"2026-01-01T00:00:10.000000000Z stderr F oops"
    assert lines[3].startswith(b"2026-01-01T00:00:20.000000000Z stdout P xxx")
    assert lines[-1] == b"2026-01-01T00:00:20.000000000Z stdout F last"
    pod = pod_with({"running": {}})
    assert read(store, pod, "c", LogOptions()) == b"one\ntwo\noops\n" + b"x" * 20000 + b"\nlast\n"
    # tail counts the file's lines: the long line's last piece and the last line
    assert read(store, pod, "c", LogOptions(tail_lines=2)) == b"x" * 3616 + b"\nlast\n"
    assert read(store, pod, "c", LogOptions(tail_lines=0)) == b""
    assert read(store, pod, "c", LogOptions(stream="Stderr", timestamps=True)) == (
        b"2026-01-01T00:00:10.000000000Z oops\n"
    )
    since = datetime.datetime(2026, 1, 1, 0, 0, 5, tzinfo=datetime.timezone.utc)
    assert read(store, pod, "c", LogOptions(since_time=since, tail_lines=5)).startswith(
        b"two\noops\nxx"
    )
    assert read(store, pod, "c", LogOptions(stream="Stdout", tail_lines=5)).startswith(b"two\nxx")
    assert read(store, pod, "c", LogOptions(limit_bytes=6)) == b"one\ntw"


def test_follow_streams_until_the_container_exits(tmp_path: Path) -> None:
    store = LogStore(str(tmp_path), FakeClock())

    async def scenario() -> list[bytes]:
        writer = store.create(store.pod_dir("ns", "p", "u"), "c", 0, "a" * 64)
        writer.write("stdout", b"before\n")
        source = store.open(pod_with({"running": {}}), "c")
        seen: list[bytes] = []

        async def follow() -> None:
            async for chunk in source.read(LogOptions(follow=True)):
                seen.append(chunk)
                if chunk == b"before\n":
                    writer.write("stdout", b"after\n")
                    writer.write("stderr", b"no newline")
                    store.finished("a" * 64)

        await asyncio.wait_for(follow(), 10)
        return seen

    assert asyncio.run(scenario()) == [b"before\n", b"after\n", b"no newline\n"]


def test_rotation_keeps_the_newest_files(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock = FakeClock()
        writer = LogWriter(str(tmp_path / "0.log"), clock, max_size=100)
        for index in range(40):
            clock.advance(1)
            writer.write("stdout", f"line {index:02d} {'-' * 30}\n".encode())
        writer.close()

    asyncio.run(scenario())
    assert len(rotated_files(str(tmp_path / "0.log"))) == 4
    assert (tmp_path / "0.log").exists()


def test_previous_instance_and_the_kubelets_messages(tmp_path: Path) -> None:
    store = LogStore(str(tmp_path), FakeClock())

    async def write() -> None:
        for attempt, cid in ((0, "b" * 64), (1, "a" * 64)):
            writer = store.create(store.pod_dir("ns", "p", "u"), "c", attempt, cid)
            writer.write("stdout", f"run {attempt}\n".encode())
            store.finished(cid)

    asyncio.run(write())
    last = {"exitCode": 1, "containerID": "pykctl://" + "b" * 64}
    pod = pod_with({"running": {}}, last)
    assert read(store, pod, "c", LogOptions(), previous=True) == b"run 0\n"
    assert read(store, pod, "c", LogOptions()) == b"run 1\n"
    crashing = pod_with({"waiting": {"reason": "CrashLoopBackOff"}}, last)
    assert read(store, crashing, "c", LogOptions()) == b"run 0\n"
    cases = [
        (pod_with({"running": {}}), True, 'previous terminated container "c" in pod "p" not found'),
        (pod_with({"waiting": {"reason": "ContainerCreating"}}), False,
         'container "c" in pod "p" is waiting to start: ContainerCreating'),
        (pod_with({"waiting": {"reason": "ErrImagePull"}}), False,
         'container "c" in pod "p" is waiting to start: image can\'t be pulled'),
        (pod_with({"waiting": {"reason": "ImagePullBackOff"}}), False,
         'container "c" in pod "p" is waiting to start: trying and failing to pull image'),
        (pod_with({"running": {}}, name="other"), False, 'container "c" in pod "p" is not available'),
    ]  # fmt: skip
    for pod_obj, previous, message in cases:
        with pytest.raises(LogError) as err:
            store.open(pod_obj, "c", previous)
        assert str(err.value) == message

"""The local terminal of ``exec -t`` and ``attach -t`` (kubectl's util/term).

``is_terminal(stream)`` says whether a stream is a terminal; ``raw(stream)`` puts it in raw
mode for the duration of a session and restores it afterwards, even on error or Ctrl-C;
``size(stream)`` reads its (width, height). ``SizeMonitor`` yields the sizes to send: the
initial ones, then the terminal's size after each SIGWINCH, until ``stop()``. Signal handlers
can only be installed from the main thread; elsewhere only the initial sizes are sent.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import queue
import signal
import struct
import termios
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, TextIO

from pykctl.streams.stdio import descriptor

Size = tuple[int, int]


def is_terminal(stream: TextIO) -> bool:
    fd = descriptor(stream)
    return fd is not None and os.isatty(fd)


def size(stream: TextIO) -> Size | None:
    """(width, height) of the terminal ``stream`` is, or None."""
    fd = descriptor(stream)
    if fd is None or not os.isatty(fd):
        return None
    try:
        packed = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
    except OSError:
        return None
    rows, columns, _, _ = struct.unpack("HHHH", packed)
    return columns, rows


@contextlib.contextmanager
def raw(stream: TextIO) -> Iterator[None]:
    """Raw mode on ``stream`` (a terminal) while the block runs: moby/term's MakeRaw, applied
    at once (pending input is kept, unlike Python's ``tty.setraw``)."""
    fd = descriptor(stream)
    assert fd is not None
    saved = termios.tcgetattr(fd)
    mode = list(saved)
    mode[0] &= ~(
        termios.IGNBRK
        | termios.BRKINT
        | termios.PARMRK
        | termios.ISTRIP
        | termios.INLCR
        | termios.IGNCR
        | termios.ICRNL
        | termios.IXON
    )
    mode[1] &= ~termios.OPOST
    mode[2] = (mode[2] & ~(termios.CSIZE | termios.PARENB)) | termios.CS8
    mode[3] &= ~(termios.ECHO | termios.ECHONL | termios.ICANON | termios.ISIG | termios.IEXTEN)
    control = list(mode[6])
    control[termios.VMIN] = 1
    control[termios.VTIME] = 0
    mode[6] = control
    termios.tcsetattr(fd, termios.TCSANOW, mode)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class SizeMonitor:
    """Terminal sizes to send, as kubectl's MonitorSize queues them."""

    def __init__(self, stream: TextIO, initial: list[Size]) -> None:
        self.stream = stream
        self._queue: queue.Queue[Size | None] = queue.Queue()
        for item in initial:
            self._queue.put(item)
        self._previous: Any = None

    def start(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGWINCH, self._resized)

    def _resized(self, signum: int, frame: FrameType | None) -> None:
        current = size(self.stream)
        if current is not None:
            self._queue.put(current)

    def stop(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGWINCH, self._previous)
            self._previous = None
        self._queue.put(None)

    def __iter__(self) -> Iterator[Size]:
        while True:
            item = self._queue.get()
            if item is None:
                return
            yield item

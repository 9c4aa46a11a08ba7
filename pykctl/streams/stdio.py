"""Byte access to a command's text streams.

Remote output (exec, attach, logs, cp's tar) is bytes and must reach stdout/stderr unchanged:
on a real stream the bytes go to its binary buffer (after flushing the text layer, so text and
bytes keep their order); on an in-memory text stream (in-process tests) they are decoded as
UTF-8, incrementally so that a character split across chunks survives. Reading stdin works the
same way round: ``os.read`` on a real descriptor returns what is available (interactive input
is not held back), a binary buffer otherwise, text encoded as UTF-8 last.
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Callable
from typing import TextIO

Writer = Callable[[bytes], None]
Reader = Callable[[int], bytes]


def byte_writer(stream: TextIO) -> Writer:
    """A function writing bytes to ``stream`` and flushing them."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:

        def write(data: bytes) -> None:
            stream.flush()
            buffer.write(data)
            buffer.flush()

        return write
    decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def write_text(data: bytes) -> None:
        stream.write(decoder.decode(data))
        stream.flush()

    return write_text


def descriptor(stream: TextIO) -> int | None:
    """The file descriptor under ``stream``, if it has one."""
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def byte_reader(stream: TextIO) -> Reader:
    """A function reading up to n bytes from ``stream`` (b"" at the end)."""
    fd = descriptor(stream)
    if fd is not None:
        return lambda size: os.read(fd, size)
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return lambda size: bytes(buffer.read1(size))
    return lambda size: stream.read(size).encode()

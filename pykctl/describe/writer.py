"""The text sink every describer writes to: kubectl's PrefixWriter over a Go tabwriter.

kubectl formats a description with ``text/tabwriter`` (minwidth 0, tabwidth 8, padding 2, pad
with spaces) wrapped around the *whole* output, so ``Key:\\tvalue`` lines align per block of
consecutive lines that have the column. ``write(level, text)`` prefixes ``text`` with two
spaces per level; ``line(text)`` is ``WriteLine`` (no prefix, newline added); ``flush()`` ends
the current alignment blocks (kubectl flushes before a non-empty Events table). Every write is
made terminal-safe as kubectl's ``printers.WriteEscaped`` does: ESC becomes ``^[`` and CR ``\\r``.
``Writer(aligned=False)`` is kubectl's bare PrefixWriter with no tabwriter under it (``rollout
history --revision`` prints pod templates that way): tabs stay tabs.

Invariants: text comes out in write order; alignment never crosses a ``flush()``.
"""

from __future__ import annotations

from pykctl.printers.tabwriter import TabWriter

LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, LEVEL_4 = range(5)

_INDENT = "  "


def escape(text: str) -> str:
    """kubectl's terminal escaper: ``\\x1b`` → ``^[``, ``\\r`` → ``\\\\r``."""
    return text.replace("\x1b", "^[").replace("\r", "\\r")


class _Sink:
    """The tabwriter (None when unaligned) and the text already done."""

    def __init__(self, aligned: bool) -> None:
        self.tabs = TabWriter(minwidth=0, padding=2) if aligned else None
        self.done: list[str] = []

    def write(self, text: str) -> None:
        if self.tabs is None:
            self.done.append(text)
        else:
            self.tabs.write(text)

    def flush(self) -> None:
        if self.tabs is not None:
            self.done.append(self.tabs.flush())


class Writer:
    """Writes indented, tab-separated text; ``getvalue()`` returns it (aligned unless
    ``aligned=False``)."""

    def __init__(self, aligned: bool = True) -> None:
        self._sink = _Sink(aligned)
        self._indent = 0

    def write(self, level: int, text: str) -> None:
        """``text`` after ``level`` (plus this writer's nesting) indentation steps."""
        self._sink.write(escape(_INDENT * (level + self._indent) + text))

    def line(self, text: str = "") -> None:
        """``text`` and a newline, indented only by this writer's nesting (Go's WriteLine)."""
        self._sink.write(escape(_INDENT * self._indent + text + "\n"))

    def nested(self, indent: int) -> Writer:
        """A writer into the same text whose levels start ``indent`` steps deeper."""
        writer = Writer()
        writer._sink, writer._indent = self._sink, self._indent + indent
        return writer

    def flush(self) -> None:
        """Align what was written so far; later lines start new alignment blocks."""
        self._sink.flush()

    def getvalue(self) -> str:
        """Everything written (aligned, unless this writer is unaligned)."""
        self.flush()
        return "".join(self._sink.done)

"""Go's text/tabwriter (with the RememberWidths extension kubectl's fork adds).

Text is a sequence of lines whose cells are tab-terminated; the last cell of a line (after its
last tab) is never padded. A column's width is decided per *block*: the run of consecutive
lines that have a tab-terminated cell in that column. Width = widest cell + padding, at least
``minwidth``. With ``remember_widths`` a column never gets narrower than it was in an earlier
flush (``kubectl get -w`` keeps its rows aligned that way).

kubectl uses (minwidth=6, padding=3) for tables and (minwidth=0, padding=2) for describe.
"""

from __future__ import annotations


class TabWriter:
    """Collects text, aligns it on ``flush``."""

    def __init__(self, minwidth: int = 6, padding: int = 3, remember_widths: bool = False) -> None:
        self.minwidth = minwidth
        self.padding = padding
        self.remembered: list[int] | None = [] if remember_widths else None
        self._buffer: list[str] = []

    def write(self, text: str) -> None:
        self._buffer.append(text)

    def reset_widths(self) -> None:
        """Forget remembered widths (a new resource type starts its own alignment)."""
        if self.remembered is not None:
            self.remembered = []

    def flush(self) -> str:
        """The aligned text written since the last flush."""
        text = "".join(self._buffer)
        self._buffer = []
        if not text:
            return ""
        lines = [line.split("\t") for line in text.split("\n")]
        trailing = lines.pop() if lines else [""]
        out: list[str] = []
        self._format(lines, 0, len(lines), [], out)
        result = "".join(line + "\n" for line in out)
        # Text after the last newline (no newline yet) is written as is.
        return result + "\t".join(trailing)

    def _format(
        self, lines: list[list[str]], start: int, end: int, widths: list[int], out: list[str]
    ) -> None:
        column = len(widths)
        line0 = start
        this = start
        while this < end:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            self._emit(lines, line0, this, widths, out)
            line0 = this
            width = self.minwidth
            while this < end and column < len(lines[this]) - 1:
                width = max(width, len(lines[this][column]) + self.padding)
                this += 1
            if self.remembered is not None:
                if column < len(self.remembered):
                    width = max(width, self.remembered[column])
                    self.remembered[column] = width
                else:
                    self.remembered.append(width)
            widths.append(width)
            self._format(lines, line0, this, widths, out)
            widths.pop()
            line0 = this
        self._emit(lines, line0, end, widths, out)

    @staticmethod
    def _emit(
        lines: list[list[str]], start: int, end: int, widths: list[int], out: list[str]
    ) -> None:
        for cells in lines[start:end]:
            parts = []
            last = len(cells) - 1
            for j, cell in enumerate(cells):
                parts.append(cell)
                if j < last and j < len(widths):
                    parts.append(" " * (widths[j] - len(cell)))
            out.append("".join(parts))


def align(text: str, minwidth: int = 6, padding: int = 3, remember_widths: bool = True) -> str:
    """Align ``text`` in one go (defaults: cli-runtime's GetNewTabWriter)."""
    writer = TabWriter(minwidth, padding, remember_widths)
    writer.write(text)
    return writer.flush()

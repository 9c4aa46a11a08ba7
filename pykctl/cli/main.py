"""Entry point: run one pykctl command line and return its exit code.

``run`` is what tests call in-process (streams injected); ``main`` is the console script.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from pykctl.cli.errors import report


def run(
    argv: list[str],
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``pykctl ARGV`` and return the exit code; errors are printed kubectl's way."""
    from pykctl.cli.command import PROGRAM
    from pykctl.cli.root import root

    streams = (stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    try:
        ctx = root.make_context(PROGRAM, list(argv))
        ctx.meta["pykctl.streams"] = streams
        with ctx:
            code = root.invoke(ctx)
        return int(code or 0)
    except BaseException as err:  # the one error funnel: nothing escapes as a traceback
        if isinstance(err, SystemExit):
            return int(err.code or 0) if isinstance(err.code, int) else 1
        return report(err, streams[2])
    finally:
        for stream in streams[1:]:
            with contextlib.suppress(BrokenPipeError, ValueError):
                stream.flush()


def main() -> None:
    """Console script ``pykctl``."""
    code = run(sys.argv[1:])
    sys.exit(code)


if __name__ == "__main__":
    main()

"""Run the real kubectl and pykctl on identical copies of the same files, and compare.

Each tool gets its own directory with the same layout (kubeconfigs, certificate files, HOME),
so every path either tool prints or writes differs only by that directory, which the
comparison replaces with ``<DIR>``. kubectl runs as a real process; pykctl runs in-process
with the same environment and working directory (the subprocess suite covers the console
script itself).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FIXTURES, Result, isolated_env, run_process, run_pykctl

TOOLS = ("kubectl", "pykctl")


@dataclass
class Outcome:
    """One tool's run: what it printed and every file left in its directory."""

    result: Result
    files: dict[str, tuple[bytes, int]]


@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: Path) -> Iterator[None]:
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


_EXTENSION_FLAG = re.compile(r"\n    --[a-z-]+=[^\n]*:\n\t\(pykctl only\)[^\n]*\n")
_EXTENSION_EXAMPLE = re.compile(r"\n  \n  # [^\n]*\(pykctl only\)\n  pykctl [^\n]*")
_EXTENSION_PARAGRAPH = re.compile(r"\n\n [^\n]*\(pykctl only\)[^\n]*")


def without_extensions(text: str) -> str:
    """Help text minus what pykctl documents as its own ("(pykctl only)" flags, examples, notes)."""
    for pattern in (_EXTENSION_FLAG, _EXTENSION_EXAMPLE, _EXTENSION_PARAGRAPH):
        text = pattern.sub("", text)
    return text


class Twins:
    """Two identical sandboxes; ``run`` executes one command line in both."""

    def __init__(self, root: Path, fixtures: list[str]) -> None:
        self.dirs = {tool: root / tool for tool in TOOLS}
        for directory in self.dirs.values():
            (directory / "home").mkdir(parents=True)
            (directory / "kc").mkdir()
            (directory / "elsewhere").mkdir()
            (directory / "elsewhere" / "ca.crt").write_text("OUTSIDE CA\n")
            shutil.copytree(FIXTURES / "kubeconfigs" / "certs", directory / "kc" / "certs")
            for name in fixtures:
                shutil.copy(FIXTURES / "kubeconfigs" / name, directory / "kc" / name)

    def env(self, tool: str, kubeconfig: str | None) -> dict[str, str]:
        env = isolated_env(self.dirs[tool] / "home")
        if kubeconfig is not None:
            env["KUBECONFIG"] = kubeconfig
        return env

    def run(
        self, tool: str, kubectl: str, argv: list[str], kubeconfig: str | None, stdin: str = ""
    ) -> Outcome:
        directory = self.dirs[tool]
        env = self.env(tool, kubeconfig)
        if tool == "kubectl":
            result = run_process([kubectl, *argv], cwd=directory / "kc", env=env, stdin=stdin)
        else:
            with _environment(env, directory / "kc"):
                result = run_pykctl(argv, stdin=stdin)
        return Outcome(self.normalise(tool, result), self.snapshot(tool))

    def normalise(self, tool: str, result: Result) -> Result:
        def clean(text: str) -> str:
            text = text.replace(str(self.dirs[tool]), "<DIR>")
            return (
                text.replace("kubectl", "pykctl") if tool == "kubectl" else without_extensions(text)
            )

        return Result(clean(result.stdout), clean(result.stderr), result.code)

    def snapshot(self, tool: str) -> dict[str, tuple[bytes, int]]:
        directory = self.dirs[tool]
        files = {}
        for path in sorted(directory.rglob("*")):
            if path.is_file() and path.name != "keyring.json":
                content = path.read_bytes().replace(str(directory).encode(), b"<DIR>")
                files[str(path.relative_to(directory))] = (
                    content,
                    stat.S_IMODE(path.stat().st_mode),
                )
            elif path.is_dir():
                files[str(path.relative_to(directory)) + "/"] = (b"", 0)
        return files

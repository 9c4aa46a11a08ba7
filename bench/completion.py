"""Shell completion speed: ``pykctl __complete`` against ``kubectl __complete``, side by side.

Starts a simulator daemon (``pykctl sim start``, in a temporary PYKCTL_HOME and HOME), gives it
a few namespaces and pods with the real kubectl, then times what one TAB runs, for the same line
and the same kubeconfig, alternating the tools so that both see the same machine load. pykctl is
timed twice for lines that ask the server: its first TAB (no answer cached; discovery cached, as
after any earlier command) and a repeated TAB (the answer cached for a few seconds). Figures are
median wall milliseconds, with the CPU milliseconds (user + system) in brackets, which a busy
machine inflates less. The target is 100 ms per TAB on a simulator context.

    python bench/completion.py [--runs 20] [--imports]

``--imports`` also prints the modules a first TAB of ``-n ''`` spends most time importing
(``python -X importtime``). Python writes bytecode caches here (PYTHONDONTWRITEBYTECODE is
dropped for the child processes), as an installed pykctl has them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

TARGET_MS = 100.0
PODS = 20


@dataclass(frozen=True)
class Line:
    """A command line completed at the TAB; ``server`` when its answer comes from the cluster."""

    words: tuple[str, ...]
    server: bool

    def __str__(self) -> str:
        return " ".join(w or repr(w) for w in self.words)


LINES = [
    Line(("",), server=False),
    Line(("config", "use-context", ""), server=False),
    Line(("--context", ""), server=False),
    Line(("-n", ""), server=True),
    Line(("get", ""), server=True),
    Line(("get", "pods", ""), server=True),
    Line(("get", "pods", "-n", "team-a", "w"), server=True),
]


def tool(name: str) -> str:
    """The executable next to this Python (the venv's console scripts), else on PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: pip install -e '.[test]'")
    return found


def objects() -> str:
    """Two namespaces with PODS pods each."""
    docs = [f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}" for ns in ("team-a",)]
    for namespace in ("default", "team-a"):
        for i in range(PODS):
            docs.append(
                "apiVersion: v1\nkind: Pod\n"
                f"metadata: {{name: web-{i}, namespace: {namespace}}}\n"
                "spec: {containers: [{name: main, image: registry.k8s.io/pause:3.9}]}"
            )
    return "\n---\n".join(docs) + "\n"


@dataclass
class Samples:
    """Wall and CPU (user + system) milliseconds of the runs of one tool."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, argv: list[str], env: dict[str, str]) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        self.wall.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        self.cpu.append(used * 1000)

    def __str__(self) -> str:
        if not self.wall:
            return ""
        return f"{statistics.median(self.wall):7.1f}ms ({statistics.median(self.cpu):5.1f})"


def measure(line: Line, kubectl: str, pykctl: str, env: dict[str, str], runs: int) -> list[Samples]:
    """kubectl, pykctl's first TAB and pykctl's repeated TAB (only for lines asking the server)."""
    cache = Path(env["HOME"]) / ".kube" / "cache" / "pykctl-completion.json"
    k_argv = [kubectl, "__complete", *line.words]
    p_argv = [pykctl, "__complete", *line.words]
    k, first, repeat = Samples(), Samples(), Samples()
    Samples().run(k_argv, env)  # warm the file cache (and the discovery caches) for both
    Samples().run(p_argv, env)
    for _ in range(runs):
        k.run(k_argv, env)
        cache.unlink(missing_ok=True)
        first.run(p_argv, env)
        if line.server:
            repeat.run(p_argv, env)
    return [k, first, repeat]


def ratio(pykctl: Samples, kubectl: Samples) -> str:
    return f"{statistics.median(pykctl.wall) / statistics.median(kubectl.wall):5.2f}x"


def heaviest_imports(env: dict[str, str], count: int = 15) -> list[str]:
    """The modules a first TAB of ``-n ''`` spends most time importing (self time)."""
    (Path(env["HOME"]) / ".kube" / "cache" / "pykctl-completion.json").unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pykctl", "__complete", "-n", ""],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for text in result.stderr.splitlines():
        if text.startswith("import time:") and "|" in text and "self [us]" not in text:
            own, total, name = text.removeprefix("import time:").split("|")
            rows.append((int(own), int(total), name.rstrip()))
    rows.sort(reverse=True)
    return [
        f"{own / 1000:6.1f}ms self {total / 1000:6.1f}ms total  {name}"
        for own, total, name in rows[:count]
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--imports", action="store_true", help="show the heaviest imports")
    options = parser.parse_args()
    kubectl, pykctl = tool("kubectl"), tool("pykctl")
    with tempfile.TemporaryDirectory(prefix="pykctl-bench-") as directory:
        home = Path(directory)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            HOME=str(home),
            KUBECONFIG=str(home / "kubeconfig"),
            PYKCTL_HOME=str(home / "pykctl"),
        )
        subprocess.run([pykctl, "sim", "start"], env=env, check=True, stdout=subprocess.DEVNULL)
        try:
            subprocess.run(
                [kubectl, "apply", "-f", "-"],
                input=objects(),
                text=True,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            print(
                f"{'__complete ...':<28} {'kubectl':>16} {'pykctl':>16} {'ratio':>6}"
                f" {'repeat':>16} {'ratio':>6}"
            )
            worst = 0.0
            for line in LINES:
                k, first, repeat = measure(line, kubectl, pykctl, env, options.runs)
                worst = max(worst, statistics.median(first.wall))
                row = f"{line!s:<28} {k!s:>16} {first!s:>16} {ratio(first, k):>6}"
                if line.server:
                    row += f" {repeat!s:>16} {ratio(repeat, k):>6}"
                print(row)
            verdict = "within" if worst <= TARGET_MS else "OVER"
            print(f"slowest pykctl TAB {worst:.1f} ms ({verdict} the {TARGET_MS:.0f} ms target)")
            if options.imports:
                print("\nheaviest imports of a first TAB of -n '':")
                print("\n".join(heaviest_imports(env)))
        finally:
            subprocess.run([pykctl, "sim", "stop"], env=env, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

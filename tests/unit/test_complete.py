"""The ``__complete`` engine without a server: cobra's reading of a line, kubectl's completers
on fake sources, the answer cache, the HTTP transport, and the ``completion`` scripts.

The e2e suite (tests/e2e/test_completion.py) holds the same lines against the real kubectl.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import threading
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backends.base import ClusterInfo
from backends.errors import ConnectionFailed
from pykctl.cli import complete
from pykctl.cli.command import PROGRAM, Entry, Help, Invocation, KCommand, KGroup
from pykctl.cli.commands import completion
from pykctl.cli.errors import CommandError, UsageError
from pykctl.cli.flags import BOOL, INT, STRING, STRING_ARRAY, STRING_SLICE, Flag
from pykctl.cli.globals import GlobalOptions
from pykctl.resources.discovery import Catalog, Resource

# ---------------------------------------------------------------- a small tree, fake sources


def _command(name: str, *flags: Flag, hidden: bool = False) -> KCommand:
    return KCommand(
        name, lambda inv: 0, Help(name, short=f"{name} things"), list(flags), hidden=hidden
    )


def tree() -> KGroup:
    """A root shaped like pykctl's, with commands the completion table knows."""
    filename = Flag("filename", STRING_SLICE, shorthand="f", usage="Filename.")
    output = Flag("output", shorthand="o", usage="Output format. One of: (json, yaml, wide). See.")
    return KGroup(
        PROGRAM,
        Help(PROGRAM),
        entries=[
            Entry("zz-lazy", "no.such.module:command", "Never imported to be listed"),
            Entry("__internal", "no.such.module:command", "Internal", hidden=True),
        ],
        commands=[
            _command(
                "get",
                output,
                filename,
                Flag("subresource", usage="Subresource."),
                Flag("watch", BOOL, shorthand="w", usage="Watch.", hidden=True),
                Flag("label-columns", STRING_SLICE, shorthand="L", usage="Columns."),
            ),
            _command("logs", Flag("container", shorthand="c", usage="Container.")),
            _command("exec", Flag("container", shorthand="c", usage="Container.")),
            _command("port-forward"),
            _command("cp"),
            _command("scale", Flag("replicas", INT, usage="Replicas. Required.")),
            _command("version", Flag("client", BOOL, usage="Client only.")),
            _command("options", hidden=True),
            _command("completion"),
            KGroup(
                "config",
                Help("config", short="Modify kubeconfig files"),
                commands=[
                    KCommand("use-context", lambda inv: 0, Help("use-context"), aliases=["use"]),
                    _command("view"),
                ],
            ),
            KGroup(
                "rollout",
                Help("rollout", short="Manage the rollout"),
                commands=[_command("status")],
            ),
        ],
    )


class FakeSources:
    """Fixed answers, and a record of what was asked."""

    def __init__(self, pods: tuple[str, ...] = ("web-1", "web-2")) -> None:
        self.asked: list[tuple[str, ...]] = []
        self.options: GlobalOptions | None = None
        self.objects = {
            "pod": list(pods),
            "pods": list(pods),
            "namespace": ["default", "kube-system", "team-a"],
            "svc": ["websvc"],
            "deployment": ["web"],
        }

    def kubeconfig_names(self, section: str) -> list[str]:
        self.asked.append(("kubeconfig", section))
        return {"contexts": ["prod", "dev"], "clusters": ["c1"], "users": ["alice"]}[section]

    def resource_types(self) -> list[str]:
        self.asked.append(("types",))
        return ["configmaps", "pods", "podtemplates", "services", "deployments.apps"]

    def names(self, resource: str, namespace: str = "") -> list[str]:
        self.asked.append(("names", resource, namespace))
        return self.objects.get(resource, [])

    def containers(self, pod: str) -> list[str]:
        self.asked.append(("containers", pod))
        return ["init", "nginx"] if pod in ("web-1", "svc/websvc") else []

    def container_ports(self, pod: str) -> list[str]:
        return ["80", "443"] if pod == "web-1" else []

    def service_ports(self, service: str) -> list[str]:
        return ["8080"] if service == "websvc" else []


@pytest.fixture
def sources() -> FakeSources:
    return FakeSources()


def ask(sources: FakeSources, line: str) -> complete.Answer:
    """Complete ``line`` (``''`` is the empty word) on the small tree."""
    words = ["" if w == "''" else w for w in line.split(" ")]

    def open_sources(options: GlobalOptions) -> complete.Sources:
        sources.options = options
        return sources

    return complete.complete(words, open_sources, root=tree())


def values(answer: complete.Answer) -> list[str]:
    return [c.split("\t")[0] for c in answer.candidates]


# ---------------------------------------------------------------- commands


def test_commands_come_from_the_registry_sorted_with_their_short_help(
    sources: FakeSources,
) -> None:
    answer = ask(sources, "''")
    assert answer.directive == complete.NO_FILE_COMP
    assert answer.candidates[:3] == [
        "completion\tcompletion things",
        "config\tModify kubeconfig files",
        "cp\tcp things",
    ]
    assert "zz-lazy\tNever imported to be listed" in answer.candidates
    assert "options\toptions things" in answer.candidates  # hidden from help pages only
    assert not [c for c in answer.candidates if c.startswith("__")]
    assert sources.asked == []


def test_subcommands_and_prefixes(sources: FakeSources) -> None:
    assert values(ask(sources, "config ''")) == ["use-context", "view"]
    assert values(ask(sources, "co")) == ["completion", "config"]
    assert ask(sources, "config v").directive == complete.NO_FILE_COMP
    nothing = ask(sources, "config nope ''")
    assert (nothing.candidates, nothing.directive, nothing.error) == ([], 0, "")


def test_an_unknown_command_at_the_root_is_cobras_error(sources: FakeSources) -> None:
    answer = ask(sources, "nope pods ''")
    assert (answer.candidates, answer.directive) == ([], 0)
    assert answer.error == "unable to find a command for arguments: [nope pods]"


def test_global_flags_before_the_command(sources: FakeSources) -> None:
    assert values(ask(sources, "-n team-a config ''")) == ["use-context", "view"]
    assert values(ask(sources, "--kubeconfig x config v")) == ["view"]


# ---------------------------------------------------------------- flag names


def test_flag_names_inherited_first_then_local_each_sorted(sources: FakeSources) -> None:
    answer = ask(sources, "get -")
    names = values(answer)
    assert names[:3] == ["--as", "--as-group", "--as-uid"]
    local = names[names.index("--warnings-as-errors") + 1 :]
    assert local == [
        "--filename",
        "-f",
        "--help",
        "-h",
        "--label-columns",
        "-L",
        "--output",
        "-o",
        "--subresource",
    ]
    assert "--watch" not in names  # hidden
    assert "--help\thelp for get" in answer.candidates
    assert answer.directive == complete.NO_FILE_COMP


def test_the_root_owns_the_global_flags(sources: FakeSources) -> None:
    names = values(ask(sources, "--"))
    assert names == sorted(names)
    assert "--help" in names
    assert ask(sources, "--he").candidates == [f"--help\thelp for {PROGRAM}"]


def test_given_flags_are_not_offered_again_unless_repeatable(sources: FakeSources) -> None:
    names = values(ask(sources, "get -o json --as-group g -n x --"))
    assert "--output" not in names and "--namespace" not in names
    assert "--as-group" in names and "--label-columns" in names


def test_configs_own_kubeconfig_flag(sources: FakeSources) -> None:
    """kubectl's config passes down a --kubeconfig of its own: listed with its own usage, local to
    config itself, and not the global flag (it picks no kubeconfig for completion)."""
    config = ask(sources, "config --kubec").candidates
    assert config == ["--kubeconfig\tuse a particular kubeconfig file"]
    listed = ask(sources, "config view -").candidates
    assert "--kubeconfig\tuse a particular kubeconfig file" in listed
    local = values(ask(sources, "config -"))
    assert local[-3:] == ["--help", "-h", "--kubeconfig"]
    ask(sources, "config use-context --kubeconfig other ''")
    assert sources.options is not None and sources.options.kubeconfig == ""
    ask(sources, "--kubeconfig other --context ''")
    assert sources.options.kubeconfig == "other"


def test_required_flags_come_alone_until_given(sources: FakeSources) -> None:
    assert ask(sources, "scale -").candidates == ["--replicas\tReplicas. Required."]
    assert "--as" in values(ask(sources, "scale --replicas 3 -"))
    first = ask(sources, "scale ''")
    assert first.candidates[0] == "--replicas\tReplicas. Required."
    assert values(first)[1:] == ["deployment", "replicaset", "replicationcontroller", "statefulset"]


def test_help_given_ends_completion(sources: FakeSources) -> None:
    for line in ("get -h ''", "get --help po", "--help ''"):
        answer = ask(sources, line)
        assert (answer.candidates, answer.directive) == ([], complete.NO_FILE_COMP)


# ---------------------------------------------------------------- flag values


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("-n ''", ["default", "kube-system", "team-a"]),
        ("get pods -n t", ["team-a"]),
        ("--namespace=k", ["kube-system"]),
        ("-n=t", ["team-a"]),
        ("get -wn ''", ["default", "kube-system", "team-a"]),
        ("--context ''", ["prod", "dev"]),
        ("--cluster=", ["c1"]),
        ("--user a", ["alice"]),
        ("get -o ''", ["json", "yaml", "wide"]),
        ("get -o=y", ["yaml"]),
        ("get --subresource ''", ["status", "scale", "resize"]),
        ("exec web-1 -c ''", ["init", "nginx"]),
        ("exec -c ''", []),
    ],
)
def test_flag_values(sources: FakeSources, line: str, expected: list[str]) -> None:
    answer = ask(sources, line)
    assert (answer.candidates, answer.directive) == (expected, complete.NO_FILE_COMP)


def test_filename_flags_filter_file_types(sources: FakeSources) -> None:
    for line in ("get -f ''", "get --filename=", "get -f=x"):
        answer = ask(sources, line)
        assert (answer.candidates, answer.directive) == (
            ["json", "yaml", "yml"],
            complete.FILTER_FILE_EXT,
        )


def test_flags_without_completion_leave_it_to_the_shell(sources: FakeSources) -> None:
    for line in ("--kubeconfig ''", "version -v ''", "logs -c ''"):
        answer = ask(sources, line)
        assert (answer.candidates, answer.directive) == ([], 0)


def test_a_boolean_flag_takes_no_value(sources: FakeSources) -> None:
    assert ask(sources, "version --client ''").directive == 0
    assert values(ask(sources, "get --watch po")) == ["pods", "podtemplates"]


def test_unknown_flags_are_cobras_errors(sources: FakeSources) -> None:
    assert ask(sources, "get --nope=").error == "Subcommand 'get' does not support flag 'nope'"
    assert ask(sources, "get --nope ''").error == (
        "Error while parsing flags from args [--nope]: unknown flag: --nope"
    )
    assert ask(sources, "get --raw -").error == (
        "Error while parsing flags from args [--raw]: unknown flag: --raw"
    )


def test_no_flags_after_a_double_dash(sources: FakeSources) -> None:
    assert values(ask(sources, "get -- -")) == []
    assert values(ask(sources, "get -- po")) == ["pods", "podtemplates"]
    assert ask(sources, "get -- --nope=").error == ""


def test_the_lines_global_flags_reach_the_sources(sources: FakeSources) -> None:
    ask(sources, "--context prod get -n team-a pods ''")
    assert sources.options is not None
    assert (sources.options.context, sources.options.namespace) == ("prod", "team-a")
    assert sources.options.given == {"context", "namespace"}


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("line", "expected", "directive"),
    [
        ("get ''", ["configmaps", "pods", "podtemplates", "services", "deployments.apps"], 4),
        ("get po", ["pods", "podtemplates"], 4),
        ("get svc,po", ["svc,pods", "svc,podtemplates"], 4),
        ("get pods ''", ["web-1", "web-2"], 4),
        ("get pods web-1 ''", ["web-2"], 4),
        ("get pod/", ["pod/web-1", "pod/web-2"], 4),
        ("get pod/web-1 pod/", ["pod/web-2"], 4),
        ("get pod/web-1 se", ["services/"], 6),
        ("rollout status ''", ["deployment", "daemonset", "statefulset"], 4),
        ("rollout status deployment ''", ["web"], 4),
        ("rollout status deployment web ''", [], 4),
        ("rollout status deployment/web deployment/", [], 4),
        (
            "logs ''",
            [
                "web-1",
                "web-2",
                "daemonsets/",
                "deployments/",
                "pods/",
                "jobs/",
                "replicasets/",
                "replicationcontrollers/",
                "services/",
                "statefulsets/",
            ],
            4,
        ),
        ("logs d", ["daemonsets/", "deployments/"], 6),
        ("logs svc/", ["svc/websvc"], 4),
        ("logs web-1 ''", ["init", "nginx"], 4),
        ("logs svc/websvc n", ["nginx"], 4),
        ("logs web-1 nginx ''", [], 4),
        ("port-forward web-1 ''", ["80:80", "443:443"], 4),
        ("port-forward web-1 8", ["8:80", "8:443"], 4),
        ("port-forward web-1 9000:", ["9000:80", "9000:443"], 4),
        ("port-forward svc/websvc ''", ["8080:8080"], 4),
        ("port-forward service/websvc 1:", ["1:8080"], 4),
        ("port-forward web-1 80:80 ''", [], 4),
        ("completion ''", ["bash", "zsh", "fish", "powershell"], 4),
        ("completion bash ''", [], 0),
        ("config use-context ''", ["prod", "dev"], 4),
        ("config use-context prod ''", [], 4),
        ("config use p", ["prod"], 4),
        ("version ''", [], 0),
    ],
)
def test_arguments(sources: FakeSources, line: str, expected: list[str], directive: int) -> None:
    answer = ask(sources, line)
    assert (values(answer), answer.directive) == (expected, directive)


def test_pod_owners_need_no_space_without_pods() -> None:
    answer = ask(FakeSources(pods=()), "exec ''")
    assert answer.directive == complete.NO_FILE_COMP | complete.NO_SPACE
    assert values(answer)[0] == "daemonsets/"


def test_cp(sources: FakeSources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "team-notes").write_text("")
    (tmp_path / "team-dir").mkdir()
    assert values(ask(sources, "cp ''")) == [
        "default/",
        "kube-system/",
        "team-a/",
        "web-1:",
        "web-2:",
        "./",
        "/",
    ]
    assert values(ask(sources, "cp te")) == ["team-a/", "team-dir/", "team-notes"]
    assert ask(sources, "cp te").directive == complete.NO_SPACE
    assert values(ask(sources, "cp default/w")) == ["default/web-1:", "default/web-2:"]
    for line in ("cp ./x", "cp /tmp", "cp ~/x", "cp web-1:/tmp", "cp web-1:/x ''"):
        assert values(ask(sources, line)) == []


# ---------------------------------------------------------------- printing


def test_render_and_descriptions() -> None:
    answer = complete.Answer(["a\tfirst line\nsecond line", " b \t", "c"], 6)
    assert complete.render(answer) == "a\tfirst line\nb\nc\n:6\n"
    assert complete.render(answer, descriptions=False) == "a\nb\nc\n:6\n"


@pytest.mark.parametrize(
    ("directive", "text"),
    [
        (0, "ShellCompDirectiveDefault"),
        (4, "ShellCompDirectiveNoFileComp"),
        (6, "ShellCompDirectiveNoSpace, ShellCompDirectiveNoFileComp"),
        (8, "ShellCompDirectiveFilterFileExt"),
        (33, "ShellCompDirectiveError, ShellCompDirectiveKeepOrder"),
    ],
)
def test_directive_names(directive: int, text: str) -> None:
    assert complete.directive_names(directive) == text


def invocation(args: list[str], name: str = "__complete") -> Invocation:
    return Invocation(
        # a command's path names it, whichever alias was typed
        f"{PROGRAM} {'__complete' if name == '__completeNoDesc' else name}",
        args,
        {},
        set(),
        GlobalOptions(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        called_as=name,
    )


def test_the_command_prints_cobras_lines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = tmp_path / "debug.log"
    monkeypatch.setenv("BASH_COMP_DEBUG_FILE", str(log))
    inv = invocation(["nope", ""])
    assert complete.run(inv) == 0
    assert inv.stdout.getvalue() == ":0\n"  # type: ignore[attr-defined]
    assert inv.stderr.getvalue() == (  # type: ignore[attr-defined]
        "[Debug] [Error] unable to find a command for arguments: [nope]\n"
        "Completion ended with directive: ShellCompDirectiveDefault\n"
    )
    assert log.read_text() == "[Debug] [Error] unable to find a command for arguments: [nope]\n"
    with pytest.raises(CommandError, match=r"^requires at least 1 arg\(s\), only received 0$"):
        complete.run(invocation([]))


@pytest.mark.parametrize(
    ("name", "env", "descriptions"),
    [
        ("__complete", {}, True),
        ("__completeNoDesc", {}, False),
        ("__complete", {"PYKCTL_COMPLETION_DESCRIPTIONS": "false"}, False),
        ("__complete", {"COBRA_COMPLETION_DESCRIPTIONS": "0"}, False),
        (
            "__complete",
            {"PYKCTL_COMPLETION_DESCRIPTIONS": "1", "COBRA_COMPLETION_DESCRIPTIONS": "0"},
            True,
        ),
        ("__complete", {"PYKCTL_COMPLETION_DESCRIPTIONS": "maybe"}, True),
        ("__completeNoDesc", {"PYKCTL_COMPLETION_DESCRIPTIONS": "true"}, False),
    ],
)
def test_descriptions_wanted(
    monkeypatch: pytest.MonkeyPatch, name: str, env: dict[str, str], descriptions: bool
) -> None:
    for key in ("PYKCTL_COMPLETION_DESCRIPTIONS", "COBRA_COMPLETION_DESCRIPTIONS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert complete._descriptions_wanted(invocation([""], name)) is descriptions


def test_raw_args_command_keeps_flags_as_words() -> None:
    import click

    ctx = click.Context(complete.complete_command, info_name="__complete")
    complete.complete_command.parse_args(ctx, ["-n", "--bogus", "--", ""])
    assert ctx.meta["pykctl.args"] == ["-n", "--bogus", "--", ""]


# ---------------------------------------------------------------- data from the server


def _resource(
    group: str, version: str, plural: str, verbs: tuple[str, ...] = ("get", "list")
) -> Resource:
    return Resource(group, version, plural, plural.rstrip("s"), plural.title(), True, verbs)


def test_api_resource_names_are_kubectls() -> None:
    catalog = Catalog(
        groups=[("", ["v1"]), ("batch", ["v1"]), ("apps", ["v1"]), ("autoscaling", ["v2", "v1"])],
        resources=[
            _resource("", "v1", "pods"),
            _resource("", "v1", "bindings", ("create",)),
            _resource("", "v1", "configmaps"),
            _resource("batch", "v1", "jobs"),
            _resource("apps", "v1", "deployments"),
            _resource("autoscaling", "v1", "horizontalpodautoscalers"),
            _resource("autoscaling", "v2", "horizontalpodautoscalers"),
            _resource("autoscaling", "v1", "legacyonly"),
        ],
    )
    assert complete.api_resource_names(catalog) == [
        "configmaps",
        "pods",
        "deployments.apps",
        "horizontalpodautoscalers.autoscaling",
        "legacyonly.autoscaling",
        "jobs.batch",
    ]


@pytest.mark.parametrize(
    ("obj", "selector"),
    [
        ({"kind": "Service", "spec": {"selector": {"app": "web", "tier": "x"}}}, "app=web,tier=x"),
        ({"kind": "Service", "spec": {}}, None),
        ({"kind": "ReplicationController", "spec": {"selector": {"a": "b"}}}, "a=b"),
        (
            {
                "kind": "Deployment",
                "spec": {
                    "selector": {
                        "matchLabels": {"app": "web"},
                        "matchExpressions": [
                            {"key": "env", "operator": "In", "values": ["b", "a"]}
                        ],
                    }
                },
            },
            "app=web,env in (a,b)",
        ),
        ({"kind": "Job", "spec": {"selector": {}}}, ""),
        ({"kind": "CronJob", "spec": {}}, None),
    ],
)
def test_pod_selector(obj: dict[str, object], selector: str | None) -> None:
    assert complete.pod_selector(obj) == selector


def test_containers_and_ports_of_a_pod() -> None:
    pod = {
        "spec": {
            "initContainers": [{"name": "init", "ports": [{"containerPort": 1}]}],
            "containers": [{"name": "a", "ports": [{"containerPort": 80}]}, {"name": "b"}],
        }
    }
    assert complete.containers_of(pod) == ["init", "a", "b"]
    assert complete.container_ports_of(pod) == ["80"]
    assert complete.containers_of({}) == []


# ---------------------------------------------------------------- the cache


@pytest.fixture
def options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GlobalOptions:
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("apiVersion: v1\n")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    found = GlobalOptions()
    found.set("cache_dir", str(tmp_path / "cache"))
    return found


SHORT = complete.CACHE_SECONDS


def test_cache_round_trip_private_and_without_secrets(options: GlobalOptions) -> None:
    options.set("token", "s3cret-token")
    cache = complete.AnswerCache(options)
    assert cache.get(("names", "pods", ""), SHORT) is None
    cache.put(("names", "pods", ""), ["a", "b"])
    again = complete.AnswerCache(options)
    assert again.get(("names", "pods", ""), SHORT) == ["a", "b"]
    assert again.get(("names", "svc", ""), SHORT) is None
    path = Path(cache.path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert "s3cret" not in path.read_text()


def test_each_reader_says_how_old_an_answer_it_takes(
    options: GlobalOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    complete.AnswerCache(options).put(("types",), ["pods"])
    soon = time.time() + SHORT + 1
    monkeypatch.setattr(time, "time", lambda: soon)
    later = complete.AnswerCache(options)
    assert later.get(("types",), SHORT) is None
    assert later.get(("types",), complete.LASTING_SECONDS) == ["pods"]
    much_later = time.time() + complete.LASTING_SECONDS
    monkeypatch.setattr(time, "time", lambda: much_later)
    later.put(("names", "x", ""), ["y"])  # writing drops what nobody takes any more
    entries = json.loads(Path(later.path).read_text())
    assert list(entries) == [later._key(("names", "x", ""))]


def test_types_are_kept_as_long_as_discovery() -> None:
    from pykctl.resources import discovery

    assert discovery.TTL_SECONDS == complete.LASTING_SECONDS


def test_cache_is_per_kubeconfig_and_flags(options: GlobalOptions, tmp_path: Path) -> None:
    complete.AnswerCache(options).put(("types",), ["pods"])
    other_namespace = GlobalOptions(dict(options.values), set(options.given))
    other_namespace.set("namespace", "team-a")
    assert complete.AnswerCache(other_namespace).get(("types",), SHORT) is None
    kubeconfig = Path(os.environ["KUBECONFIG"])
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    assert complete.AnswerCache(options).get(("types",), SHORT) is None


def test_a_broken_cache_file_is_ignored(options: GlobalOptions) -> None:
    cache = complete.AnswerCache(options)
    Path(cache.path).parent.mkdir(parents=True)
    Path(cache.path).write_text("{not json")
    assert cache.get(("types",), SHORT) is None
    cache.put(("types",), ["pods"])
    assert complete.AnswerCache(options).get(("types",), SHORT) == ["pods"]


def test_kubeconfig_names_are_kept_until_the_kubeconfig_changes(options: GlobalOptions) -> None:
    kubeconfig = Path(os.environ["KUBECONFIG"])
    kubeconfig.write_text("contexts:\n- {name: a, context: {}}\n")
    assert complete.ClusterSources(options).kubeconfig_names("contexts") == ["a"]
    cached = complete.AnswerCache(options)
    assert cached.get(("kubeconfig", "contexts"), complete.LASTING_SECONDS) == ["a"]
    kubeconfig.write_text("contexts:\n- {name: a, context: {}}\n- {name: bb, context: {}}\n")
    assert complete.ClusterSources(options).kubeconfig_names("contexts") == ["a", "bb"]


def test_cluster_sources_without_a_cluster_give_nothing(
    options: GlobalOptions, tmp_path: Path
) -> None:
    options.set("kubeconfig", str(tmp_path / "broken"))
    (tmp_path / "broken").write_text("clusters: [\n")
    sources = complete.ClusterSources(options)
    assert sources.names("pods") == []
    assert sources.kubeconfig_names("contexts") == []
    assert sources.resource_types() == []
    assert not Path(sources.cache.path).exists()  # failures are not kept
    sources.close()


# ---------------------------------------------------------------- the HTTP transport


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[int, list[bytes]]]]:
    """``serve(reply, ...)``: a TCP server answering one connection per reply, in order; returns
    its port and the requests it receives."""
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(*replies: bytes) -> tuple[int, list[bytes]]:
        listener = socket.create_server(("127.0.0.1", 0))
        received: list[bytes] = []

        def answer() -> None:
            for reply in replies:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        request += conn.recv(4096)
                    received.append(request)
                    conn.sendall(reply)

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        listeners.append(listener)
        threads.append(thread)
        return listener.getsockname()[1], received

    yield start
    for listener in listeners:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
    for thread in threads:
        thread.join(timeout=5)


def test_http_backend_request_and_response(serve: Callable[..., tuple[int, list[bytes]]]) -> None:
    port, received = serve(
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"items": []}',
        b"HTTP/1.0 404 Not Found\r\n\r\nline1\nline2\n",
    )
    backend = complete.HttpBackend(ClusterInfo(f"http://127.0.0.1:{port}/prefix", token="t0k"))
    response = backend.request(
        "GET", "/api/v1/pods", [("limit", "500")], headers={"Accept": "application/json"}
    )
    assert (response.status, response.headers["Content-Type"], response.json()) == (
        200,
        "application/json",
        {"items": []},
    )
    request = received[0].decode()
    assert request.startswith("GET /prefix/api/v1/pods?limit=500 HTTP/1.0\r\n")
    assert f"Host: 127.0.0.1:{port}\r\n" in request
    assert "Authorization: Bearer t0k\r\n" in request
    assert "Connection: close\r\n" in request
    status, _, lines = backend.stream("GET", "/x")
    assert (status, list(lines)) == (404, [b"line1\n", b"line2\n"])


def test_http_backend_basic_auth(serve: Callable[..., tuple[int, list[bytes]]]) -> None:
    port, received = serve(b"HTTP/1.0 200 OK\r\n\r\n")
    info = ClusterInfo(f"http://127.0.0.1:{port}", username="u", password="p")
    complete.HttpBackend(info).request("GET", "/")
    assert "Authorization: Basic dTpw\r\n" in received[0].decode()


def test_http_backend_failures(serve: Callable[..., tuple[int, list[bytes]]]) -> None:
    port, _ = serve(b"garbage")
    with pytest.raises(ConnectionFailed, match="malformed HTTP response"):
        complete.HttpBackend(ClusterInfo(f"http://127.0.0.1:{port}")).request("GET", "/")
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(ConnectionFailed) as refused:
        complete.HttpBackend(ClusterInfo(f"https://127.0.0.1:{closed_port}")).request("GET", "/")
    assert refused.value.refused


def test_only_proxies_and_tls_server_names_need_the_kubernetes_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = types.ModuleType("backends.kube.backend")

    class KubeBackend:
        def __init__(self, info: ClusterInfo) -> None:
            self.info = info

    fake.KubeBackend = KubeBackend  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "backends.kube.backend", fake)
    assert isinstance(
        complete.open_backend(ClusterInfo("https://h:1", token="t")), complete.HttpBackend
    )
    for info in (
        ClusterInfo("https://h:1", proxy_url="http://proxy:3128"),
        ClusterInfo("https://h:1", tls_server_name="kubernetes"),
    ):
        assert isinstance(complete.open_backend(info), KubeBackend)


# ---------------------------------------------------------------- pykctl completion SHELL


@pytest.mark.parametrize("shell", completion.SHELLS)
def test_scripts_call_pykctl(shell: str) -> None:
    script = completion.script(shell)
    assert "kubectl" not in script and "@NAME" not in script and "@ACTIVE_HELP@" not in script
    assert f" for {PROGRAM:<36} -*- shell-script -*-\n" in script
    assert completion.BOILERPLATE in script
    assert f"__{PROGRAM}_" in script or f"_{PROGRAM}" in script


def test_script_headers() -> None:
    assert completion.script("bash").startswith(completion.BOILERPLATE + "# bash completion V2 for")
    assert completion.script("zsh").startswith(
        f"#compdef {PROGRAM}\ncompdef _{PROGRAM} {PROGRAM}\n\n# Copyright"
    )
    assert "complete -o default -F __start_pykctl pykctl" in completion.script("bash")
    assert '"PYKCTL_ACTIVE_HELP=0 $args[1] __complete' in completion.script("fish")
    assert "${env:PYKCTL_ACTIVE_HELP}=0" in completion.script("powershell")
    assert "pyk_ctl" in completion.script("bash", "pyk_ctl")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Shell not specified."),
        (["bash", "zsh"], "Too many arguments. Expected only the shell type."),
        (["tcsh"], 'Unsupported shell type "tcsh".'),
    ],
)
def test_completion_errors(args: list[str], message: str) -> None:
    inv = invocation(args, "completion")
    with pytest.raises(UsageError) as raised:
        completion.run(inv)
    assert str(raised.value) == f"{message}\nSee '{PROGRAM} completion -h' for help and examples"


def test_completion_prints_the_script() -> None:
    inv = invocation(["fish"], "completion")
    assert completion.run(inv) == 0
    assert inv.stdout.getvalue() == completion.script("fish")  # type: ignore[attr-defined]


def test_environment_variable_names() -> None:
    assert complete.config_env_var("ACTIVE_HELP") == "PYKCTL_ACTIVE_HELP"
    assert (
        complete.config_env_var("COMPLETION_DESCRIPTIONS", "my-tool.v2")
        == "MY_TOOL_V2_COMPLETION_DESCRIPTIONS"
    )


def test_flag_kinds_that_repeat() -> None:
    assert complete._repeatable(Flag("a", STRING_ARRAY))
    assert complete._repeatable(Flag("b", STRING_SLICE))
    assert complete._repeatable(Flag("c", "stringToString"))
    assert not complete._repeatable(Flag("d", STRING))

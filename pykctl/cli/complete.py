"""The hidden ``__complete`` command: cobra's shell-completion protocol, answered as kubectl does.

``pykctl __complete WORD... CURRENT`` prints one candidate per line (``candidate<TAB>description``)
and then ``:<directive>`` (cobra's ShellCompDirective bits), with ``Completion ended with
directive: ...`` on stderr; ``__completeNoDesc`` (or ``PYKCTL_COMPLETION_DESCRIPTIONS=false``)
drops the descriptions. The scripts of ``pykctl completion SHELL`` run it on every TAB.

Invariants:

- The line is read as cobra v1.10 reads it (its Find, pflag parsing, flag-value detection), and
  what completes each argument and flag value is kubectl 1.37's table below, so for the commands
  pykctl has the lines and the directive are kubectl's.
- Only the commands named on the line are imported; subcommands are listed from the registry's
  ``Entry`` metadata.
- Completing never fails and never starts anything: a broken kubeconfig, an unreachable server or
  a simulator that is not running give no candidates (problems of the line itself are reported
  as cobra's ``[Debug] [Error]`` lines on stderr), and the exit status is 0 — as with kubectl,
  only ``__complete`` without any word is an error.
- Answers are kept in ``<cache-dir>/pykctl-completion.json`` — object names ``CACHE_SECONDS``,
  resource types and kubeconfig names ``LASTING_SECONDS`` — keyed by the kubeconfig files'
  identity, the global flags and the query: a repeated TAB neither reads the kubeconfig nor
  connects. The server is reached with plain HTTP/1.0 over ``ssl``;
  ``requests`` is never imported, and ``kubernetes`` only for a context that needs a proxy or a
  TLS server name.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

import click

from pykctl.cli import flags as fl
from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand, KGroup
from pykctl.cli.errors import CommandError
from pykctl.cli.globals import GLOBAL_FLAGS, GlobalOptions

if TYPE_CHECKING:
    import socket
    import ssl

    from backends.base import Backend, ClusterInfo, HttpResponse
    from pykctl.client import Client
    from pykctl.resources.discovery import Catalog, Discovery
    from pykctl.resources.mapper import Mapper

NO_SPACE = 2
NO_FILE_COMP = 4
FILTER_FILE_EXT = 8
_DIRECTIVE_NAMES = (
    "ShellCompDirectiveError",
    "ShellCompDirectiveNoSpace",
    "ShellCompDirectiveNoFileComp",
    "ShellCompDirectiveFilterFileExt",
    "ShellCompDirectiveFilterDirs",
    "ShellCompDirectiveKeepOrder",
)
NO_DESCRIPTIONS_NAME = "__completeNoDesc"
CACHE_SECONDS = 5.0  # object names, containers, ports: what changes under the user's hands
LASTING_SECONDS = 600.0  # resource types (as long as discovery is cached), kubeconfig names
TIMEOUT_SECONDS = 5.0
FILE_EXTENSIONS = ["json", "yaml", "yml"]  # kubectl's -f/--filename: resource.FileExtensions
METADATA_ACCEPT = (
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
)


def directive_names(directive: int) -> str:
    """cobra's ShellCompDirective.string(): ``ShellCompDirectiveNoSpace, ...NoFileComp``."""
    names = [name for bit, name in enumerate(_DIRECTIVE_NAMES) if directive & (1 << bit)]
    return ", ".join(names) or "ShellCompDirectiveDefault"


def config_env_var(suffix: str, program: str = PROGRAM) -> str:
    """cobra's per-program variable: ``PYKCTL_COMPLETION_DESCRIPTIONS``, ``PYKCTL_ACTIVE_HELP``."""
    return re.sub(r"[^A-Z0-9_]", "_", f"{program}_{suffix}".upper())


# ---------------------------------------------------------------- where the values come from


class Sources(Protocol):
    """What completers read: the kubeconfig and the cluster of the line's context."""

    def kubeconfig_names(self, section: str) -> list[str]:
        """Names of the kubeconfig's ``contexts``, ``clusters`` or ``users``."""
        ...

    def resource_types(self) -> list[str]:
        """``kubectl api-resources -o name --verbs=get --cached``."""
        ...

    def names(self, resource: str, namespace: str = "") -> list[str]:
        """Names of the objects of ``resource`` (``pods``, ``deploy``, ``po,svc``, ``all``)."""
        ...

    def containers(self, pod: str) -> list[str]:
        """Init and regular container names of the pod ``pod`` (``NAME`` or ``TYPE/NAME``) means."""
        ...

    def container_ports(self, pod: str) -> list[str]:
        """Container ports of the pod ``pod`` means."""
        ...

    def service_ports(self, service: str) -> list[str]:
        """Ports of the service ``service``."""
        ...


Completer = Callable[[Sources, list[str], str], tuple[list[str], int]]


# ---------------------------------------------------------------- kubectl's completion table


def _prefixed(words: list[str], prefix: str) -> list[str]:
    return [w for w in words if w.startswith(prefix)]


def _fixed(*choices: str) -> Completer:
    """The same choices, whatever the line (cobra's FixedCompletions)."""
    return lambda sources, args, to_complete: (list(choices), NO_FILE_COMP)


def _kubeconfig(section: str, first_arg_only: bool) -> Completer:
    """Context, cluster or user names from the kubeconfig (kubectl's ListContextsInConfig...)."""

    def complete(sources: Sources, args: list[str], to_complete: str) -> tuple[list[str], int]:
        if first_arg_only and args:
            return [], NO_FILE_COMP
        return _prefixed(sources.kubeconfig_names(section), to_complete), NO_FILE_COMP

    return complete


def _names_of(resource: str, first_arg_only: bool = True) -> Completer:
    """Object names of one type (kubectl's ResourceNameCompletionFunc / CompGetResource)."""

    def complete(sources: Sources, args: list[str], to_complete: str) -> tuple[list[str], int]:
        if first_arg_only and args:
            return [], NO_FILE_COMP
        return _prefixed(sources.names(resource), to_complete), NO_FILE_COMP

    return complete


def _types(sources: Sources, allowed: tuple[str, ...], to_complete: str) -> list[str]:
    """Resource types for the first argument; in ``pods,svc`` the last one is completed."""
    if allowed:
        return _prefixed(list(allowed), to_complete)
    head, comma, last = to_complete.rpartition(",")
    return [head + comma + t for t in _prefixed(sources.resource_types(), last)]


def _types_and_names(allowed: tuple[str, ...] = (), repeat: bool = True) -> Completer:
    """``TYPE NAME...`` and ``TYPE/NAME...`` (kubectl's resourceTypeAndNameCompletionFunc);
    ``allowed`` limits the types, ``repeat`` allows more than one object."""

    def complete(sources: Sources, args: list[str], to_complete: str) -> tuple[list[str], int]:
        directive = NO_FILE_COMP
        if args and "/" not in args[0]:
            if not repeat and len(args) > 1:
                return [], directive
            found = _prefixed(sources.names(args[0]), to_complete)
            return [n for n in found if n not in args[1:]], directive
        if "/" not in to_complete:
            if not args:
                return _types(sources, allowed, to_complete), directive
            if not repeat:
                return [], directive
            return [f"{t}/" for t in _types(sources, allowed, to_complete)], directive | NO_SPACE
        if args and not repeat:
            return [], directive
        kind, _, prefix = to_complete.partition("/")
        found = [f"{kind}/{n}" for n in _prefixed(sources.names(kind), prefix)]
        return [n for n in found if n not in args], directive

    return complete


# kubectl's types that own pods, offered as TYPE/ next to pod names (doPodResourceCompletion)
_POD_OWNERS = (
    "daemonsets",
    "deployments",
    "pods",
    "jobs",
    "replicasets",
    "replicationcontrollers",
    "services",
    "statefulsets",
)


def _pod_or_owner(sources: Sources, to_complete: str) -> tuple[list[str], int]:
    """Pod names and ``TYPE/`` of the types that own pods, or ``TYPE/NAME``."""
    if "/" in to_complete:
        kind, _, prefix = to_complete.partition("/")
        return [f"{kind}/{n}" for n in _prefixed(sources.names(kind), prefix)], NO_FILE_COMP
    pods = _prefixed(sources.names("pod"), to_complete)
    directive = NO_FILE_COMP if pods else NO_FILE_COMP | NO_SPACE
    return pods + [f"{t}/" for t in _POD_OWNERS if t.startswith(to_complete)], directive


def _pod(sources: Sources, args: list[str], to_complete: str) -> tuple[list[str], int]:
    """attach, exec: the pod (kubectl's PodResourceNameCompletionFunc)."""
    return _pod_or_owner(sources, to_complete) if not args else ([], NO_FILE_COMP)


def _pod_and_container(
    sources: Sources, args: list[str], to_complete: str
) -> tuple[list[str], int]:
    """logs: the pod, then one of its containers."""
    if not args:
        return _pod_or_owner(sources, to_complete)
    if len(args) == 1:
        return _prefixed(sources.containers(args[0]), to_complete), NO_FILE_COMP
    return [], NO_FILE_COMP


def _container(sources: Sources, args: list[str], to_complete: str) -> tuple[list[str], int]:
    """exec -c: a container of the pod named first (kubectl's ContainerCompletionFunc)."""
    return _prefixed(sources.containers(args[0]), to_complete) if args else [], NO_FILE_COMP


def _pod_and_ports(sources: Sources, args: list[str], to_complete: str) -> tuple[list[str], int]:
    """port-forward: the pod or service, then ``LOCAL:REMOTE`` from its ports."""
    if not args:
        return _pod_or_owner(sources, to_complete)
    if len(args) > 1:
        return [], NO_FILE_COMP
    kind, _, name = args[0].partition("/")
    if name and kind in ("service", "services", "svc"):
        ports = sources.service_ports(name)
    else:
        ports = sources.container_ports(args[0])
    local = to_complete.split(":")[0]
    return _prefixed([f"{local or p}:{p}" for p in ports], to_complete), NO_FILE_COMP


def _cp(sources: Sources, args: list[str], to_complete: str) -> tuple[list[str], int]:
    """cp: ``NAMESPACE/``, ``POD:``, ``NAMESPACE/POD:``, local files (kubectl's cp completion)."""
    found: list[str] = []
    if args or to_complete[:1] in ("/", ".", "~") or ":" in to_complete:
        return found, NO_SPACE  # a local path, or a file in a pod: nothing to offer
    namespace, slash, _ = to_complete.partition("/")
    if slash and namespace:
        pods = [f"{namespace}/{p}:" for p in sources.names("pod", namespace)]
        return _prefixed(pods, to_complete), NO_SPACE
    found = [f"{ns}/" for ns in _prefixed(sources.names("namespace"), to_complete)]
    found += [f"{p}:" for p in _prefixed(sources.names("pod"), to_complete)]
    if found and to_complete:
        with os.scandir(".") as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.startswith(to_complete):
                    found.append(entry.name + ("/" if entry.is_dir(follow_symlinks=False) else ""))
    elif not to_complete:
        found += ["./", "/"]
    return found, NO_SPACE


_ROLLOUT_TYPES = ("deployment", "daemonset", "statefulset")
_SCALE_TYPES = ("deployment", "replicaset", "replicationcontroller", "statefulset")

ARGUMENTS: Mapping[str, Completer] = {
    "annotate": _types_and_names(),
    "apply edit-last-applied": _types_and_names(),
    "apply view-last-applied": _types_and_names(),
    "attach": _pod,
    "autoscale": _types_and_names(_SCALE_TYPES),
    "config delete-cluster": _kubeconfig("clusters", first_arg_only=True),
    "config delete-context": _kubeconfig("contexts", first_arg_only=True),
    "config delete-user": _kubeconfig("users", first_arg_only=True),
    "config rename-context": _kubeconfig("contexts", first_arg_only=True),
    "config set-context": _kubeconfig("contexts", first_arg_only=True),
    "config use-context": _kubeconfig("contexts", first_arg_only=True),
    "cordon": _names_of("node"),
    "cp": _cp,
    "create token": _names_of("serviceaccount"),
    "debug": _types_and_names(),
    "delete": _types_and_names(),
    "describe": _types_and_names(),
    "drain": _names_of("node"),
    "edit": _types_and_names(),
    "exec": _pod,
    "expose": _types_and_names(
        ("pod", "service", "replicationcontroller", "deployment", "replicaset")
    ),
    "get": _types_and_names(),
    "label": _types_and_names(),
    "logs": _pod_and_container,
    "patch": _types_and_names(),
    "port-forward": _pod_and_ports,
    "rollout history": _types_and_names(_ROLLOUT_TYPES),
    "rollout pause": _types_and_names(("deployment",)),
    "rollout restart": _types_and_names(_ROLLOUT_TYPES),
    "rollout resume": _types_and_names(("deployment",)),
    "rollout status": _types_and_names(_ROLLOUT_TYPES, repeat=False),
    "rollout undo": _types_and_names(_ROLLOUT_TYPES),
    "scale": _types_and_names(_SCALE_TYPES),
    "set image": _types_and_names(
        (
            "daemonsets",
            "deployments",
            "pods",
            "cronjobs",
            "replicasets",
            "replicationcontrollers",
            "statefulsets",
        ),
        repeat=False,
    ),
    "taint": _types_and_names(("node",)),
    "top node": _names_of("node"),
    "top pod": _names_of("pod"),
    "uncordon": _names_of("node"),
}
"""Each command's ValidArgsFunction in kubectl 1.37, by command path."""

VALID_ARGS: Mapping[str, tuple[str, ...]] = {
    "completion": ("bash", "zsh", "fish", "powershell"),
}
"""Commands whose first argument is one of fixed words (cobra's ValidArgs)."""

GLOBAL_FLAG_VALUES: Mapping[str, Completer] = {
    "namespace": _names_of("namespace", first_arg_only=False),
    "context": _kubeconfig("contexts", first_arg_only=False),
    "cluster": _kubeconfig("clusters", first_arg_only=False),
    "user": _kubeconfig("users", first_arg_only=False),
}
"""Values of the global flags kubectl completes (registerCompletionFuncForGlobalFlags)."""

_SUBRESOURCES = _fixed("status", "scale", "resize")

FLAG_VALUES: Mapping[tuple[str, str], Completer] = {
    ("apply", "subresource"): _SUBRESOURCES,
    ("config set-context", "namespace"): _names_of("namespace", first_arg_only=False),
    ("create clusterrolebinding", "clusterrole"): _names_of("clusterrole", first_arg_only=False),
    ("edit", "subresource"): _SUBRESOURCES,
    ("exec", "container"): _container,
    ("get", "subresource"): _SUBRESOURCES,
    ("patch", "subresource"): _SUBRESOURCES,
    ("replace", "subresource"): _SUBRESOURCES,
}
"""Values of commands' own flags kubectl completes, by (command path, flag name)."""

PERSISTENT_FLAGS: Mapping[str, list[fl.Flag]] = {
    "config": [fl.Flag("kubeconfig", usage="use a particular kubeconfig file")],
}
"""Flags kubectl's groups pass to their subcommands, besides the root's global ones. Being
other flags than the global ones, they feed no completion (``config use-context --kubeconfig F``
lists the contexts of the usual kubeconfig, as kubectl does)."""

CHOICES_IN_USAGE = {("get", "output")}
"""Flags completed with the ``One of: (a, b, ...)`` list of their usage text (get's -o)."""

REQUIRED_FLAGS: Mapping[str, tuple[str, ...]] = {
    "autoscale": ("max",),
    "create clusterrolebinding": ("clusterrole",),
    "create cronjob": ("image", "schedule"),
    "create deployment": ("image",),
    "create service externalname": ("external-name",),
    "kuberc set": ("section",),
    "run": ("image",),
    "scale": ("replicas",),
}
"""Flags kubectl marks required (MarkFlagRequired): offered before any other."""


def _persistent(key: str) -> list[fl.Flag]:
    """The flags the command at ``key`` passes down; the root passes the global flags."""
    return GLOBAL_FLAGS if not key else PERSISTENT_FLAGS.get(key, [])


def _choices_in_usage(usage: str) -> list[str]:
    found = re.search(r"One of: \(([^)]*)\)", usage)
    return found.group(1).split(", ") if found else []


# ---------------------------------------------------------------- the command tree, as cobra sees it


@dataclass(frozen=True)
class Node:
    """A command reached on the line, with its flags split as cobra splits them."""

    command: click.Command
    path: tuple[str, ...] = ()  # canonical names below the root

    @property
    def key(self) -> str:
        return " ".join(self.path)

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else PROGRAM

    def own_flags(self) -> list[fl.Flag]:
        """Local non-persistent flags, cobra's help flag included."""
        help_flag = fl.Flag("help", fl.BOOL, shorthand="h", usage=f"help for {self.name}")
        return [*getattr(self.command, "flags", []), help_flag]

    def local_flags(self) -> list[fl.Flag]:
        """cobra's NonInheritedFlags: own flags and those this command passes down."""
        return self.own_flags() + _persistent(self.key)

    def inherited_flags(self) -> list[fl.Flag]:
        """What the ancestors pass down, the nearest first; a local flag hides a like-named one."""
        if not self.path or not getattr(self.command, "inherit_globals", True):
            return []
        seen = {flag.name for flag in self.local_flags()}
        found = []
        for depth in range(len(self.path) - 1, -1, -1):
            for flag in _persistent(" ".join(self.path[:depth])):
                if flag.name not in seen:
                    seen.add(flag.name)
                    found.append(flag)
        return found

    def flag_set(self, with_help: bool = True) -> fl.FlagSet:
        flags = self.local_flags() + self.inherited_flags()
        return fl.FlagSet([f for f in flags if with_help or f.name != "help"], with_help=False)

    def lookup(self, name: str) -> fl.Flag | None:
        """cobra's findFlag: one letter is a shorthand, local flags first."""
        flags = self.flag_set()
        if len(name) == 1:
            short = flags.by_shorthand.get(name)
            if short is None:
                return None
            name = short.name
        return flags.by_name.get(name)


def _positionals(args: list[str], flags: fl.FlagSet) -> Iterator[int]:
    """Indexes of the words that are neither flags nor their values, before ``--`` (stripFlags)."""
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            return
        if (
            token.startswith("-")
            and "=" not in token
            and (token.startswith("--") or len(token) == 2)
            and flags.takes_value(token)
        ):
            i += 2
            continue
        if token and not token.startswith("-"):
            yield i
        i += 1


def find(root: KGroup, args: list[str]) -> tuple[Node, list[str]] | None:
    """cobra's Find: the command the words name, and the words left; None for an unknown
    command at the root."""
    node = Node(root)
    while isinstance(node.command, KGroup):
        group = node.command
        index = next(_positionals(args, node.flag_set(with_help=False)), None)
        if index is None:
            break
        name = group.resolve_alias(args[index])
        command = group.get_command(click.Context(group), name) if name else None
        if name is None or command is None:
            break
        node = Node(command, (*node.path, name))
        args = args[:index] + args[index + 1 :]
    if not node.path and next(_positionals(args, node.flag_set(with_help=False)), None) is not None:
        return None
    return node, args


def _listed(group: KGroup, name: str) -> bool:
    """pykctl hides ``options`` from help pages only, as kubectl does; cobra still offers it."""
    return not group.is_hidden(name) or not name.startswith("__")


def _is_flag(word: str) -> bool:
    """pflag's isFlagArg: ``--name`` or ``-x...``."""
    if word.startswith("--"):
        return len(word) >= 3
    return len(word) >= 2 and word.startswith("-")


def _repeatable(flag: fl.Flag) -> bool:
    return flag.kind in (fl.STRING_ARRAY, fl.STRING_SLICE) or flag.kind.startswith("stringTo")


def _go_list(words: list[str]) -> str:
    return "[" + " ".join(words) + "]"


# ---------------------------------------------------------------- the engine


@dataclass
class Answer:
    """Candidates, the directive, and cobra's error text for the line, if any."""

    candidates: list[str]
    directive: int = 0
    error: str = ""


@dataclass
class _FlagValue:
    """cobra's checkIfFlagCompletion: the flag whose value is being typed, if any."""

    flag: fl.Flag | None
    args: list[str]
    to_complete: str
    error: str = ""


def _flag_value(node: Node, args: list[str], last: str) -> _FlagValue:
    name = ""
    value = last
    with_equal = False
    if last.startswith("-"):
        if "=" not in last:
            return _FlagValue(None, args, last)
        index = last.index("=")
        name = last[2:index] if last[:index].startswith("--") else last[index - 1 : index]
        value = last[index + 1 :]
        with_equal = True
    trimmed = args
    if not name and args and _is_flag(args[-1]) and "=" not in args[-1]:
        previous = args[-1]
        name = previous[2:] if previous.startswith("--") else previous[-1]
        trimmed = args[:-1]
    if not name:
        return _FlagValue(None, trimmed, value)
    flag = node.lookup(name)
    if flag is None:
        error = f"Subcommand '{node.name}' does not support flag '{name}'"
        return _FlagValue(None, args, last, error)
    if not with_equal and flag.no_opt_value is not None:  # a boolean: no value follows it
        return _FlagValue(None, args, value)
    return _FlagValue(flag, trimmed, value)


def _flag_names(flag: fl.Flag, prefix: str) -> list[str]:
    usage = flag.usage
    found = [f"--{flag.name}\t{usage}"] if f"--{flag.name}".startswith(prefix) else []
    if flag.shorthand and f"-{flag.shorthand}".startswith(prefix):
        found.append(f"-{flag.shorthand}\t{usage}")
    return found


def _visible_flags(node: Node) -> list[fl.Flag]:
    """Inherited flags then local ones, each sorted by name (pflag's VisitAll)."""
    by_name = attrgetter("name")
    flags = sorted(node.inherited_flags(), key=by_name) + sorted(node.local_flags(), key=by_name)
    return [flag for flag in flags if not flag.hidden]


def _required(node: Node, changed: set[str], prefix: str) -> list[str]:
    names = REQUIRED_FLAGS.get(node.key, ())
    return [
        candidate
        for flag in _visible_flags(node)
        if flag.name in names and flag.dest not in changed
        for candidate in _flag_names(flag, prefix)
    ]


def _flag_completer(node: Node, flag: fl.Flag) -> Completer | None:
    if any(flag is g for g in GLOBAL_FLAGS):
        return GLOBAL_FLAG_VALUES.get(flag.name)
    if (node.key, flag.name) in CHOICES_IN_USAGE:
        choices = _choices_in_usage(flag.usage)
        return lambda sources, args, to_complete: (_prefixed(choices, to_complete), NO_FILE_COMP)
    return FLAG_VALUES.get((node.key, flag.name))


def global_options(flags: fl.FlagSet, values: Mapping[str, Any]) -> GlobalOptions:
    """The global flags' values among ``values`` (a command's own flags shadow them)."""
    options = GlobalOptions()
    for flag in GLOBAL_FLAGS:
        if flags.by_name.get(flag.name) is flag and flag.dest in values:
            options.set(flag.dest, values[flag.dest])
    return options


def complete(
    words: list[str],
    open_sources: Callable[[GlobalOptions], Sources],
    root: KGroup | None = None,
) -> Answer:
    """What ``__complete WORDS`` answers (the last word is the one being completed), for the
    command tree of ``root`` (pykctl's by default)."""
    if root is None:
        from pykctl.cli.root import root as pykctl_root

        root = pykctl_root
    *typed, last = words
    found = find(root, typed)
    if found is None:
        return Answer([], 0, f"unable to find a command for arguments: {_go_list(typed)}")
    node, args = found
    target = _flag_value(node, args, last)
    flags = node.flag_set()
    try:
        parsed = flags.parse(target.args)
    except fl.FlagError as err:
        return Answer([], 0, f"Error while parsing flags from args {_go_list(target.args)}: {err}")
    flag_completion = parsed.dash_index == -1  # no flags are completed after "--"
    if target.error and flag_completion:
        return Answer([], 0, target.error)
    changed = set(parsed.changed)
    if "help" in changed:
        return Answer([], NO_FILE_COMP)
    flag, to_complete, args = target.flag, target.to_complete, parsed.args
    if flag is not None and flag_completion and flag.name == "filename":
        return Answer(list(FILE_EXTENSIONS), FILTER_FILE_EXT)
    candidates: list[str] = []
    directive = 0
    if flag is None and to_complete.startswith("-") and "=" not in to_complete and flag_completion:
        candidates = _required(node, changed, to_complete)
        if not candidates:
            for each in _visible_flags(node):
                if each.dest not in changed or _repeatable(each):
                    candidates += _flag_names(each, to_complete)
        return Answer(candidates, NO_FILE_COMP)
    if flag is None:
        group = node.command
        own_flag_given = any(own.dest in changed for own in node.own_flags())
        if isinstance(group, KGroup) and not args and not own_flag_given:
            for name in group.list_commands(click.Context(group)):
                if _listed(group, name):
                    directive = NO_FILE_COMP
                    if name.startswith(to_complete):
                        candidates.append(f"{name}\t{group.short_help_for(name)}")
        candidates += _required(node, changed, to_complete)
        if node.key in VALID_ARGS:
            if not args:
                candidates += _prefixed(list(VALID_ARGS[node.key]), to_complete)
                directive = NO_FILE_COMP
            return Answer(candidates, directive)
    if flag is not None and flag_completion:
        completer = _flag_completer(node, flag)
    else:
        completer = ARGUMENTS.get(node.key)
    if completer is not None:
        sources = open_sources(global_options(flags, parsed.values))
        found_values, directive = completer(sources, args, to_complete)
        candidates += found_values
    return Answer(candidates, directive)


# ---------------------------------------------------------------- the kubeconfig and the cluster


def _quiet_errors() -> tuple[type[Exception], ...]:
    """Everything a lookup may raise that means "no candidates"."""
    from backends.errors import BackendError
    from pykctl.kubeconfig.errors import KubeconfigError
    from pykctl.resources.mapper import UnknownResource

    return (OSError, ValueError, BackendError, KubeconfigError, UnknownResource)


class ClusterSources:
    """Sources for a real line: its kubeconfig, and its context's cluster (opened on first use,
    never started). Object names, containers and ports are kept CACHE_SECONDS; resource types
    and kubeconfig names, which change seldom, LASTING_SECONDS (an edited kubeconfig is another
    cache key at once)."""

    def __init__(self, options: GlobalOptions) -> None:
        self.options = options
        self.cache = AnswerCache(options)
        self._cluster: _Cluster | None = None
        self._broken = False

    def kubeconfig_names(self, section: str) -> list[str]:
        return self._cached(("kubeconfig", section), LASTING_SECONDS, lambda: self._read(section))

    def resource_types(self) -> list[str]:
        return self._from_cluster(("types",), LASTING_SECONDS, lambda c: c.resource_types())

    def names(self, resource: str, namespace: str = "") -> list[str]:
        query = ("names", resource, namespace)
        return self._from_cluster(query, CACHE_SECONDS, lambda c: c.names(resource, namespace))

    def containers(self, pod: str) -> list[str]:
        query = ("containers", pod)
        return self._from_cluster(query, CACHE_SECONDS, lambda c: containers_of(c.pod(pod)))

    def container_ports(self, pod: str) -> list[str]:
        query = ("container-ports", pod)
        return self._from_cluster(query, CACHE_SECONDS, lambda c: container_ports_of(c.pod(pod)))

    def service_ports(self, service: str) -> list[str]:
        query = ("service-ports", service)
        return self._from_cluster(query, CACHE_SECONDS, lambda c: c.service_ports(service))

    def _from_cluster(
        self, query: tuple[str, ...], seconds: float, compute: Callable[[_Cluster], list[str]]
    ) -> list[str]:
        return self._cached(query, seconds, lambda: self._ask(compute))

    def _cached(
        self, query: tuple[str, ...], seconds: float, compute: Callable[[], list[str] | None]
    ) -> list[str]:
        """A recent answer to ``query``, else ``compute()``'s (kept unless it is None)."""
        found = self.cache.get(query, seconds)
        if found is None:
            found = compute()
            if found is None:
                return []
            self.cache.put(query, found)
        return found

    def _read(self, section: str) -> list[str] | None:
        from pykctl.kubeconfig.loader import PathOptions

        try:
            config = PathOptions.from_environment(explicit=self.options.kubeconfig).load()
        except _quiet_errors():
            return None
        return list(getattr(config, section))

    def _ask(self, compute: Callable[[_Cluster], list[str]]) -> list[str] | None:
        """``compute`` on the cluster; None when it cannot answer (after a connection failure,
        nothing more is asked)."""
        if self._broken:
            return None
        try:
            if self._cluster is None:
                self._cluster = _Cluster.open(self.options)
            return compute(self._cluster)
        except _quiet_errors() as err:
            from backends.errors import ApiError
            from pykctl.resources.mapper import UnknownResource

            self._broken = not isinstance(err, (ApiError, UnknownResource))
            return None

    def close(self) -> None:
        if self._cluster is not None:
            self._cluster.backend.close()


def api_resource_names(catalog: Catalog) -> list[str]:
    """``kubectl api-resources -o name --verbs=get``: every group's resources at its preferred
    version (discovery's ServerPreferredResources), sorted by group, then name."""
    seen: set[tuple[str, str]] = set()
    found = []
    for group, versions in catalog.groups:
        for version in versions:
            for r in catalog.resources:
                if (r.group, r.version) == (group, version) and (group, r.plural) not in seen:
                    seen.add((group, r.plural))
                    if "get" in r.verbs:
                        found.append(r)
    return [r.group_resource for r in sorted(found, key=lambda r: (r.group, r.plural))]


def containers_of(pod: Mapping[str, Any]) -> list[str]:
    spec = pod.get("spec") or {}
    containers = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    return [str(c.get("name", "")) for c in containers]


def container_ports_of(pod: Mapping[str, Any]) -> list[str]:
    containers = (pod.get("spec") or {}).get("containers") or []
    return [str(p.get("containerPort")) for c in containers for p in c.get("ports") or []]


_LABEL_SELECTED = ("ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job")
_SET_SELECTED = ("Service", "ReplicationController")


def pod_selector(obj: Mapping[str, Any]) -> str | None:
    """The label selector of the pods an object runs (kubectl's SelectorsForObject), if any."""
    from backends.objects.selectors import label_selector_from_dict, selector_from_set

    kind = obj.get("kind")
    selector = (obj.get("spec") or {}).get("selector")
    if kind in _LABEL_SELECTED:
        return str(label_selector_from_dict(selector or {}))
    if kind in _SET_SELECTED and selector:
        return str(selector_from_set(selector))
    return None


@dataclass
class _Cluster:
    """The context's cluster: REST client, discovery and resource mapper."""

    namespace: str
    backend: Backend
    client: Client
    discovery: Discovery
    mapper: Mapper

    @classmethod
    def open(cls, options: GlobalOptions) -> _Cluster:
        from pykctl.cli.connection import overrides
        from pykctl.client import Client
        from pykctl.kubeconfig.loader import PathOptions
        from pykctl.kubeconfig.resolve import resolve
        from pykctl.resources.discovery import Discovery
        from pykctl.resources.mapper import Mapper

        paths = PathOptions.from_environment(explicit=options.kubeconfig)
        context = resolve(paths, overrides(Invocation(PROGRAM, [], {}, set(), options)))
        backend = open_backend(context.cluster_info())
        discovery = Discovery(backend, options.cache_dir(), context.server)
        return cls(context.namespace, backend, Client(backend), discovery, Mapper(discovery))

    def resource_types(self) -> list[str]:
        return api_resource_names(self.discovery.catalog())

    def names(self, resource: str, namespace: str) -> list[str]:
        """What ``kubectl get RESOURCE -o go-template=<names>`` lists (only the metadata is
        asked for, where the server can send just that)."""
        resources = [r for part in resource.split(",") for r in self.mapper.expand(part)]
        names = []
        for r in resources:
            scope = (namespace or self.namespace) if r.namespaced else None
            for page in self.client.list_all_pages(r, scope, [], accept=METADATA_ACCEPT):
                items = page.get("items") or []
                names += [str((i.get("metadata") or {}).get("name")) for i in items]
        return names

    def pod(self, ref: str) -> Mapping[str, Any]:
        """The pod ``NAME`` or ``TYPE/NAME`` stands for: the pod itself, else the first pod of
        what the object selects (kubectl's AttachablePodForObject); empty if none."""
        kind, slash, name = ref.partition("/")
        kind, name = (kind, name) if slash else ("pods", ref)
        if not name:
            return {}
        obj = self.client.get(self.mapper.resource_for(kind), self.namespace, name)
        if obj.get("kind") == "Pod":
            return obj
        selector = pod_selector(obj)
        if selector is None:
            return {}
        query = [("labelSelector", selector)] if selector else []
        pods = self.client.list_objects(self.mapper.resource_for("pods"), self.namespace, query)
        items: list[Mapping[str, Any]] = pods.get("items") or []
        return items[0] if items else {}

    def service_ports(self, name: str) -> list[str]:
        service = self.client.get(self.mapper.resource_for("services"), self.namespace, name)
        return [str(p.get("port")) for p in (service.get("spec") or {}).get("ports") or []]


class AnswerCache:
    """Recent answers, in one JSON file ``{key: [time, value]}``; each reader says how old an
    answer it takes.

    A key is a checksum of what selects the cluster — the kubeconfig files that may be read (path,
    mtime, size), the global flags given — and of the query, so the cache is per context,
    namespace and type without reading the kubeconfig. The file is private (0600); answers older
    than LASTING_SECONDS are dropped whenever it is written.
    """

    def __init__(self, options: GlobalOptions) -> None:
        self.path = os.path.join(options.cache_dir(), "pykctl-completion.json")
        self.scope = _scope(options)
        self._entries: dict[str, list[Any]] | None = None

    def _key(self, query: tuple[str, ...]) -> str:
        """A checksum, so that no flag value (say a ``--token``) is written down as it is."""
        import zlib

        text = json.dumps([self.scope, query]).encode()
        return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}"

    def _load(self) -> dict[str, list[Any]]:
        if self._entries is None:
            try:
                with open(self.path, encoding="utf-8") as f:
                    data = json.load(f)
                self._entries = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._entries = {}
        return self._entries

    def get(self, query: tuple[str, ...], seconds: float) -> list[str] | None:
        """The answer to ``query`` if one is younger than ``seconds``."""
        entry = self._load().get(self._key(query))
        if isinstance(entry, list) and len(entry) == 2 and _younger(entry[0], seconds):
            return [str(value) for value in entry[1]]
        return None

    def put(self, query: tuple[str, ...], value: list[str]) -> None:
        entries = {
            k: e
            for k, e in self._load().items()
            if isinstance(e, list) and _younger(e[0], LASTING_SECONDS)
        }
        entries[self._key(query)] = [time.time(), value]
        self._entries = entries
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o750, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entries, f)
            os.replace(tmp, self.path)
        except OSError:
            return  # a cache that cannot be written only makes the next TAB slower


def _younger(stamp: Any, seconds: float) -> bool:
    return isinstance(stamp, (int, float)) and 0 <= time.time() - stamp < seconds


def _scope(options: GlobalOptions) -> list[Any]:
    home = os.path.join(os.path.expanduser("~"), ".kube", "config")
    listed = os.environ.get("KUBECONFIG", "").split(os.pathsep)
    files = []
    for path in [options.kubeconfig, *listed, home]:
        if path:
            try:
                stat = os.stat(path)
                files.append([path, stat.st_mtime_ns, stat.st_size])
            except OSError:
                files.append([path, None, None])
    given = sorted((dest, options.get(dest)) for dest in options.given)
    return [files, given]


class HttpBackend:
    """The Backend protocol in a few lines of HTTP/1.0 over a socket, enough for completion.

    Importing ``requests`` or ``kubernetes`` would take longer than a TAB may, and even
    ``http.client`` (with its ``email`` package) costs a tenth of it. HTTP/1.0 keeps this small:
    one connection per request, no chunked bodies, the server sends the body and closes.
    Failures raise ConnectionFailed.
    """

    def __init__(self, info: ClusterInfo) -> None:
        from urllib.parse import urlsplit

        self.info = info
        parts = urlsplit(info.server)
        secure = parts.scheme == "https"
        self.host = parts.netloc
        self._address = (parts.hostname or "", parts.port or (443 if secure else 80))
        self._prefix = parts.path.rstrip("/")
        self._timeout = info.timeout or TIMEOUT_SECONDS
        self._headers = {"Host": self.host, "User-Agent": f"{PROGRAM}/completion"}
        if info.token:
            self._headers["Authorization"] = f"Bearer {info.token}"
        elif info.username is not None and info.password is not None:
            import base64

            pair = base64.b64encode(f"{info.username}:{info.password}".encode()).decode()
            self._headers["Authorization"] = f"Basic {pair}"
        self._tls = _tls_context(info) if secure else None

    def request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        import socket
        from urllib.parse import urlencode

        from backends.base import HttpResponse
        from backends.errors import ConnectionFailed

        target = self._prefix + path + (f"?{urlencode(query)}" if query else "")
        fields = {**self._headers, **(headers or {}), "Connection": "close"}
        if body is not None:
            fields["Content-Length"] = str(len(body))
        head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
        message = f"{method} {target} HTTP/1.0\r\n{head}\r\n".encode() + (body or b"")
        try:
            with socket.create_connection(self._address, timeout=self._timeout) as raw:
                if self._tls is None:
                    data = _exchange(raw, message)
                else:
                    with self._tls.wrap_socket(raw, server_hostname=self._address[0]) as tls:
                        data = _exchange(tls, message)
        except ConnectionRefusedError as err:
            raise ConnectionFailed(self.host, str(err), refused=True) from None
        except OSError as err:
            raise ConnectionFailed(self.host, str(err)) from None
        head_bytes, separator, payload = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head_bytes.decode("latin-1").split("\r\n")
        status = status_line.split(" ", 2)[1:2]
        if not separator or not status or not status[0].isdigit():
            raise ConnectionFailed(self.host, f"malformed HTTP response: {status_line[:80]!r}")
        response_headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            response_headers[name.strip()] = value.strip()
        return HttpResponse(int(status[0]), response_headers, payload)

    def stream(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, str], Iterator[bytes]]:
        """The whole body, line by line (completion never watches)."""
        response = self.request(method, path, query, None, headers)
        return response.status, response.headers, iter(response.body.splitlines(keepends=True))

    def close(self) -> None:
        """Nothing stays open between requests."""


def _exchange(sock: socket.socket, message: bytes) -> bytes:
    """Send a request and read the response until the server closes the connection."""
    sock.sendall(message)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _tls_context(info: ClusterInfo) -> ssl.SSLContext:
    import ssl

    context = ssl.create_default_context(cadata=(info.ca_data or b"").decode() or None)
    if info.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if info.client_cert and info.client_key:
        _load_client_certificate(context, info.client_cert, info.client_key)
    return context


def _load_client_certificate(context: ssl.SSLContext, cert: bytes, key: bytes) -> None:
    """``ssl`` reads client certificates only from files: a private one, removed at once."""
    import tempfile

    fd, path = tempfile.mkstemp(prefix=f"{PROGRAM}-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(cert.rstrip(b"\n") + b"\n" + key)
        context.load_cert_chain(path)
    finally:
        os.unlink(path)


def open_backend(info: ClusterInfo) -> Backend:
    """HttpBackend, unless the context needs what only the kubernetes client does here."""
    if info.proxy_url or info.tls_server_name:
        from backends.kube.backend import KubeBackend

        return KubeBackend(info)
    return HttpBackend(info)


# ---------------------------------------------------------------- the command


def _descriptions_wanted(inv: Invocation) -> bool:
    """Not for ``__completeNoDesc``; else as PYKCTL_ (or COBRA_) COMPLETION_DESCRIPTIONS says."""
    if inv.called_as == NO_DESCRIPTIONS_NAME:
        return False
    value = os.environ.get(config_env_var("COMPLETION_DESCRIPTIONS")) or os.environ.get(
        "COBRA_COMPLETION_DESCRIPTIONS", ""
    )
    try:
        return fl.parse_bool(value)
    except ValueError:
        return True


def _debug(inv: Invocation, message: str) -> None:
    """cobra's CompDebugln to stderr (and to $BASH_COMP_DEBUG_FILE, as the scripts log)."""
    line = f"[Debug] {message}\n"
    inv.stderr.write(line)
    path = os.environ.get("BASH_COMP_DEBUG_FILE")
    if path:
        try:
            with open(path, "a", encoding="utf-8") as f:
                f.write(line)
        except OSError:
            return


def render(answer: Answer, descriptions: bool = True) -> str:
    """What ``__complete`` prints on stdout: one line per candidate, then ``:<directive>``."""
    lines = []
    for candidate in answer.candidates:
        if not descriptions:
            candidate = candidate.split("\t", 1)[0]
        lines.append(candidate.split("\n", 1)[0].strip() + "\n")
    return "".join(lines) + f":{answer.directive}\n"


def run(inv: Invocation) -> int:
    if not inv.args:
        raise CommandError("requires at least 1 arg(s), only received 0")
    opened: list[ClusterSources] = []

    def open_sources(options: GlobalOptions) -> Sources:
        opened.append(ClusterSources(options))
        return opened[-1]

    try:
        answer = complete(inv.args, open_sources)
    finally:
        for sources in opened:
            sources.close()
    if answer.error:
        _debug(inv, f"[Error] {answer.error}")
    inv.stdout.write(render(answer, _descriptions_wanted(inv)))
    inv.err(f"Completion ended with directive: {directive_names(answer.directive)}")
    return 0


class RawArgsCommand(KCommand):
    """A command that takes its words as they are, flags included (cobra's DisableFlagParsing)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["pykctl.values"] = {}
        ctx.meta["pykctl.changed"] = set()
        ctx.meta["pykctl.args"] = list(args)
        ctx.meta["pykctl.dash_index"] = -1
        return []


complete_command = RawArgsCommand(
    "__complete",
    run,
    Help(
        use="__complete [command-line]",
        short="Request shell completion choices for the specified command-line",
        long="__complete is a special command that is used by the shell completion logic\n"
        "to request completion choices for the specified command-line.",
    ),
    aliases=(NO_DESCRIPTIONS_NAME,),
    hidden=True,
)

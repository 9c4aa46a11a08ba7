"""The ``pykctl`` root command: the command registry, grouped as kubectl's help groups them.

Subcommands are registered by import path and imported only when run, so ``pykctl --help``
and ``pykctl config current-context`` load nothing they do not use. Entries are listed in
kubectl's registration order, which is also the order of "Did you mean this?" suggestions.
"""

from __future__ import annotations

from typing import TextIO

import click

from pykctl.cli.command import PROGRAM, Entry, Help, KGroup, render_help
from pykctl.cli.errors import CommandError, RawError

BASIC_BEGINNER = "Basic Commands (Beginner)"
BASIC_INTERMEDIATE = "Basic Commands (Intermediate)"
DEPLOY = "Deploy Commands"
CLUSTER_MANAGEMENT = "Cluster Management Commands"
TROUBLESHOOTING = "Troubleshooting and Debugging Commands"
ADVANCED = "Advanced Commands"
SETTINGS = "Settings Commands"

GROUPS = [
    BASIC_BEGINNER,
    BASIC_INTERMEDIATE,
    DEPLOY,
    CLUSTER_MANAGEMENT,
    TROUBLESHOOTING,
    ADVANCED,
    SETTINGS,
]


def _command(name: str, target: str, short: str, group: str = "", hidden: bool = False) -> Entry:
    """The entry of ``pykctl NAME``, served by ``pykctl.cli.commands.TARGET`` (module:attr)."""
    return Entry(name, f"pykctl.cli.commands.{target}", short, group=group, hidden=hidden)


ENTRIES = [
    _command(
        "create", "create:create", "Create a resource from a file or from stdin", BASIC_BEGINNER
    ),
    _command(
        "expose",
        "expose:expose",
        "Take a replication controller, service, deployment or pod and expose it as a new"
        " Kubernetes service",
        BASIC_BEGINNER,
    ),
    _command("run", "run:run", "Run a particular image on the cluster", BASIC_BEGINNER),
    _command("set", "set:set_group", "Set specific features on objects", BASIC_BEGINNER),
    _command("explain", "explain:explain", "Get documentation for a resource", BASIC_INTERMEDIATE),
    _command("get", "get:get", "Display one or many resources", BASIC_INTERMEDIATE),
    _command("edit", "edit:edit", "Edit a resource on the server", BASIC_INTERMEDIATE),
    _command(
        "delete",
        "delete:delete",
        "Delete resources by file names, stdin, resources and names, or by resources and label"
        " selector",
        BASIC_INTERMEDIATE,
    ),
    _command("rollout", "rollout:rollout", "Manage the rollout of a resource", DEPLOY),
    _command(
        "scale",
        "scale:scale",
        "Set a new size for a deployment, replica set, or replication controller",
        DEPLOY,
    ),
    _command(
        "autoscale",
        "autoscale:autoscale",
        "Auto-scale a deployment, replica set, stateful set, or replication controller",
        DEPLOY,
    ),
    _command(
        "cluster-info",
        "cluster_info:cluster_info",
        "Display cluster information",
        CLUSTER_MANAGEMENT,
    ),
    _command("top", "top:top", "Display resource (CPU/memory) usage", CLUSTER_MANAGEMENT),
    _command("cordon", "cordon:cordon", "Mark node as unschedulable", CLUSTER_MANAGEMENT),
    _command("uncordon", "cordon:uncordon", "Mark node as schedulable", CLUSTER_MANAGEMENT),
    _command(
        "drain", "drain:drain", "Drain node in preparation for maintenance", CLUSTER_MANAGEMENT
    ),
    _command("taint", "taint:taint", "Update the taints on one or more nodes", CLUSTER_MANAGEMENT),
    _command(
        "describe",
        "describe:describe",
        "Show details of a specific resource or group of resources",
        TROUBLESHOOTING,
    ),
    _command("logs", "logs:logs", "Print the logs for a container in a pod", TROUBLESHOOTING),
    _command("attach", "attach:attach", "Attach to a running container", TROUBLESHOOTING),
    _command("exec", "exec:exec_command", "Execute a command in a container", TROUBLESHOOTING),
    _command(
        "port-forward",
        "port_forward:port_forward",
        "Forward one or more local ports to a pod",
        TROUBLESHOOTING,
    ),
    _command("cp", "cp:cp", "Copy files and directories to and from containers", TROUBLESHOOTING),
    _command("auth", "auth:auth", "Inspect authorization", TROUBLESHOOTING),
    _command("events", "events:events", "List events", TROUBLESHOOTING),
    _command(
        "apply",
        "apply:apply",
        "Apply a configuration to a resource by file name or stdin",
        ADVANCED,
    ),
    _command("patch", "patch:patch", "Update fields of a resource", ADVANCED),
    _command("replace", "replace:replace", "Replace a resource by file name or stdin", ADVANCED),
    _command(
        "wait", "wait:wait", "Wait for a specific condition on one or many resources", ADVANCED
    ),
    _command("label", "label:label", "Update the labels on a resource", SETTINGS),
    _command("annotate", "annotate:annotate", "Update the annotations on a resource", SETTINGS),
    _command(
        "completion",
        "completion:completion",
        "Output shell completion code for the specified shell (bash, zsh, fish, or powershell)",
        SETTINGS,
    ),
    _command(
        "api-resources",
        "api_resources:api_resources",
        "Print the supported API resources on the server",
    ),
    _command(
        "api-versions",
        "api_resources:api_versions",
        'Print the supported API versions on the server, in the form of "group/version"',
    ),
    _command("config", "config:config", "Modify kubeconfig files"),
    _command("version", "version:version", "Print the client and server version information"),
    _command(
        "options",
        "options:options",
        "Print the list of flags inherited by all commands",
        hidden=True,
    ),
    _command("sim", "sim:sim", "Manage the bundled local simulator cluster (pykctl only)"),
    _command(
        "__keyring-credential",
        "keyring_credential:keyring_credential",
        "Print an ExecCredential holding a token kept in the OS keyring",
        hidden=True,
    ),
    Entry(
        "__complete",
        "pykctl.cli.complete:complete_command",
        "Request shell completion choices for the specified command-line",
        hidden=True,
        aliases=("__completeNoDesc",),
    ),
]

HELP = Help(
    use=PROGRAM,
    short=f"{PROGRAM} controls the Kubernetes cluster manager",
    long=f"""{PROGRAM} controls the Kubernetes cluster manager.

 It behaves like kubectl 1.37 and can run a local cluster of its own. Find more information at: https://kubernetes.io/docs/reference/kubectl/""",
    flags_in_use_line=True,
)


def levenshtein(a: str, b: str) -> int:
    """Edit distance between ``a`` and ``b``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


class RootGroup(KGroup):
    """The root: its help goes to stdout, and unknown commands get cobra's suggestions."""

    def run_without_subcommand(self, ctx: click.Context, stderr: TextIO) -> int:
        from pykctl.cli.command import streams

        _, stdout, _ = streams(ctx)
        stdout.write(render_help(self, PROGRAM))
        return 0

    def suggestions(self, typed: str) -> list[str]:
        lowered = typed.lower()
        return [
            e.name
            for e in self.entries.values()
            if not e.hidden
            and (levenshtein(lowered, e.name.lower()) <= 2 or e.name.lower().startswith(lowered))
        ]

    def unknown_command(self, ctx: click.Context, name: str, rest: list[str]) -> Exception:
        argv: list[str] = ctx.meta.get("pykctl.argv", [])
        if argv and argv[0].startswith("-"):
            return RawError(f"Error: flags cannot be placed before plugin name: {argv[0]}")
        message = f'unknown command "{name}" for "{PROGRAM}"'
        found = self.suggestions(name)
        if found:
            message += "\n\nDid you mean this?\n" + "".join(f"\t{s}\n" for s in found)
            message = message.rstrip("\n")
        return CommandError(message)


root = RootGroup(PROGRAM, HELP, entries=ENTRIES, groups=GROUPS)

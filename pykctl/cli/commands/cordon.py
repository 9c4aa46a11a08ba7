"""``pykctl cordon`` and ``pykctl uncordon``: mark nodes (un)schedulable — and the node
selection and cordoning that ``drain`` shares (kubectl's DrainCmdOptions.Complete and
RunCordonOrUncordon).

Invariants: node arguments are ``NAME`` or ``TYPE/NAME`` (kubectl's ResourceNames("nodes"));
``-l`` excludes names; every node is found before any is changed (a lookup error changes
nothing); a node is patched only when ``spec.unschedulable`` differs from what is wanted, with
the strategic merge patch kubectl computes; a failed patch is reported on stderr for that node
and the others carry on (exit code 0, as kubectl).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    ObjectPrinter,
    dry_run_query,
    dry_run_strategy,
)
from pykctl.cli.flags import Flag
from pykctl.cli.shared_flags import dry_run_flag, selector_flag
from pykctl.resources.builder import Info
from pykctl.resources.targets import Targets, TargetSpec

Obj = dict[str, Any]
STRATEGIC = "application/strategic-merge-patch+json"


@dataclass
class NodeCommand:
    """What cordon, uncordon and drain have in common once their arguments are checked."""

    inv: Invocation
    dry_run: str
    targets: Targets
    nodes: list[Info]

    def printer(self) -> ObjectPrinter:
        return ObjectPrinter(dry_run=self.dry_run)

    def print(self, obj: Obj, operation: str) -> None:
        self.printer().print(obj, operation, self.inv.stdout)


def check_node_args(inv: Invocation) -> None:
    """kubectl's usage errors: a node name or ``-l``, not both."""
    if not inv.args and "selector" not in inv.changed:
        use = getattr(inv.command, "help_text", Help("")).use
        raise inv.usage_error(f"USAGE: {use} [flags]")
    if inv.args and inv.flags["selector"]:
        raise inv.usage_error("error: cannot specify both a node name and a --selector option")


def node_spec(inv: Invocation) -> TargetSpec:
    """The nodes the arguments name: ``NAME`` means ``nodes/NAME``; ``-l`` selects nodes."""
    selector = inv.flags["selector"]
    if selector:
        return TargetSpec(args=["nodes"], selector=selector)
    return TargetSpec(args=[arg if "/" in arg else f"nodes/{arg}" for arg in inv.args])


def find_nodes(targets: Targets) -> list[Info]:
    """Every node, or the first error met (kubectl looks all of them up before acting)."""
    from pykctl.cli.errors import CommandError

    targets.resolve()
    nodes: list[Info] = []
    for visited in targets.visit():
        if isinstance(visited, BaseException):
            raise visited
        resource = visited.resource
        if resource.group or resource.plural != "nodes":
            group = f"{resource.group}/" if resource.group else "/"
            raise CommandError(
                f'error: expected resource of type node, got "{group}{resource.version}, '
                f'Resource={resource.plural}"'
            )
        nodes.append(visited)
    return nodes


def set_unschedulable(command: NodeCommand, desired: bool) -> int:
    """Cordon (``desired``) or uncordon every node, printing one line each."""
    verb = "cordon" if desired else "uncordon"
    for info in command.nodes:
        obj = info.obj or {}
        current = bool((obj.get("spec") or {}).get("unschedulable"))
        if current == desired:
            command.print(obj, f"already {verb}ed")
            continue
        if command.dry_run != CLIENT:
            patch = {"spec": {"unschedulable": True if desired else None}}
            try:
                command.targets.client.patch(
                    info.resource,
                    None,
                    info.name or "",
                    patch,
                    STRATEGIC,
                    dry_run_query(command.dry_run),
                )
            except Exception as err:
                if isinstance(err, (KeyboardInterrupt, SystemExit)):
                    raise
                from pykctl.resources.targets import aggregate_line

                command.inv.err(
                    f'error: unable to {verb} node "{info.name}": {aggregate_line(err)}'
                )
                continue
        command.print(obj, f"{verb}ed")
    return 0


def open_node_command(inv: Invocation, run: Any) -> int:
    """Check the arguments, connect, find the nodes and hand them to ``run``."""
    from pykctl.cli.commands.objects import open_targets

    check_node_args(inv)
    dry_run = dry_run_strategy(inv)
    with open_targets(inv, node_spec(inv)) as targets:
        command = NodeCommand(inv, dry_run, targets, find_nodes(targets))
        result: int = run(command)
    return result


def run_cordon(inv: Invocation) -> int:
    return open_node_command(inv, lambda command: set_unschedulable(command, True))


def run_uncordon(inv: Invocation) -> int:
    return open_node_command(inv, lambda command: set_unschedulable(command, False))


def node_flags() -> list[Flag]:
    """The flags cordon and uncordon have (drain adds its own)."""
    return [dry_run_flag(), selector_flag()]


cordon = KCommand(
    "cordon",
    run_cordon,
    Help(
        use="cordon NODE",
        short="Mark node as unschedulable",
        long="Mark node as unschedulable.",
        example='# Mark node "foo" as unschedulable\npykctl cordon foo',
    ),
    node_flags(),
)

uncordon = KCommand(
    "uncordon",
    run_uncordon,
    Help(
        use="uncordon NODE",
        short="Mark node as schedulable",
        long="Mark node as schedulable.",
        example='# Mark node "foo" as schedulable\npykctl uncordon foo',
    ),
    node_flags(),
)

__all__ = [
    "NodeCommand",
    "check_node_args",
    "cordon",
    "find_nodes",
    "node_spec",
    "open_node_command",
    "set_unschedulable",
    "uncordon",
]

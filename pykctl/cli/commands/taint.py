"""``pykctl taint``: update the taints on nodes, as ``kubectl taint`` does.

Arguments are ``node``/``nodes``, then node names (or ``-l``/``--all``), then taint specs:
``KEY=VALUE:EFFECT`` or ``KEY:EFFECT`` adds, ``KEY-`` / ``KEY:EFFECT-`` removes. Without
``--overwrite`` a taint with the same key and effect is an error. A taint's identity is its
(key, effect); the new list is the added taints, then the old ones not replaced, minus the
removed ones. Each node gets a strategic merge patch; errors are collected per node.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    ObjectPrinter,
    dry_run_query,
    dry_run_strategy,
    field_manager_flag,
    open_targets,
    print_flags,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag
from pykctl.cli.shared_flags import dry_run_flag, selector_flag, validate_flag
from pykctl.resources.targets import TargetSpec, aggregate

Obj = dict[str, Any]
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
STRATEGIC = "application/strategic-merge-patch+json"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: str = ""

    def __str__(self) -> str:
        if not self.effect:
            return f"{self.key}={self.value}:" if self.value else self.key
        return (
            f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"
        )

    def matches(self, other: Obj) -> bool:
        return other.get("key") == self.key and other.get("effect") == self.effect


def parse_taint(spec: str) -> Taint:
    """One ``KEY[=VALUE][:EFFECT]`` (kubectl's parseTaint)."""
    from backends.objects.selectors import label_key_errors, label_value_errors

    parts = spec.split(":")
    value, effect = "", ""
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in EFFECTS:
            raise ValueError(f"invalid taint effect: {effect}, unsupported taint effect")
        pair = parts[0].split("=")
        if len(pair) > 2:
            raise ValueError(f"invalid taint spec: {spec}")
        key = pair[0]
        if len(pair) == 2:
            value = pair[1]
            errors = label_value_errors(value)
            if errors:
                raise ValueError(f"invalid taint spec: {spec}, {'; '.join(errors)}")
    else:
        raise ValueError(f"invalid taint spec: {spec}")
    errors = label_key_errors(key)
    if errors:
        raise ValueError(f"invalid taint spec: {spec}, {'; '.join(errors)}")
    return Taint(key, value, effect)


def parse_taints(specs: list[str]) -> tuple[list[Taint], list[Taint]]:
    """Taints to add and to remove (kubectl's ParseTaints)."""
    add: list[Taint] = []
    remove: list[Taint] = []
    for spec in specs:
        if spec.endswith("-"):
            taint = parse_taint(spec[:-1])
            remove.append(Taint(taint.key, "", taint.effect))
            continue
        taint = parse_taint(spec)
        if not taint.effect:
            raise ValueError(f"invalid taint spec: {spec}")
        if any(t.key == taint.key and t.effect == taint.effect for t in add):
            raise ValueError(
                f"duplicated taints with the same key and effect: "
                f"{{{taint.key} {taint.value} {taint.effect} <nil>}}"
            )
        add.append(taint)
    return add, remove


def _as_obj(taint: Taint) -> Obj:
    obj: Obj = {"key": taint.key}
    if taint.value:
        obj["value"] = taint.value
    obj["effect"] = taint.effect
    return obj


def update_taints(
    node: Obj, add: list[Taint], remove: list[Taint], overwrite: bool
) -> tuple[Obj, str]:
    """The node with its taints changed and kubectl's word for it."""
    name = (node.get("metadata") or {}).get("name", "")
    old: list[Obj] = list((node.get("spec") or {}).get("taints") or [])
    if not overwrite:
        existing = [t.key for t in add for o in old if t.matches(o)]
        if existing:
            raise CommandError(
                f"node {name} already has {','.join(existing)} taint(s) with same effect(s) "
                "and --overwrite is false"
            )
    new = [_as_obj(t) for t in add]
    for taint in old:
        if not any(t.matches(taint) for t in add):
            new.append(taint)
    added = len(old) != len(new)
    errors: list[BaseException] = []
    deleted = False
    for gone in remove:
        kept = [
            t
            for t in new
            if not (
                t.get("key") == gone.key and (not gone.effect or t.get("effect") == gone.effect)
            )
        ]
        deleted = len(kept) != len(new)
        new = kept
        if not deleted:
            errors.append(CommandError(f'taint "{gone}" not found'))
    if errors:
        raise aggregate(errors)
    edited = copy.deepcopy(node)
    spec = edited.setdefault("spec", {})
    if new:
        spec["taints"] = new
    else:
        spec.pop("taints", None)
    if (added and deleted) or overwrite:
        return edited, "modified"
    return edited, "tainted" if added else "untainted"


def _split_args(args: list[str]) -> tuple[list[str], list[str]]:
    resources: list[str] = []
    specs: list[str] = []
    for arg in args:
        is_taint = "=" in arg or ":" in arg or arg.endswith("-")
        if is_taint:
            specs.append(arg)
        elif specs:
            raise CommandError(f"all resources must be specified before taint changes: {arg}")
        else:
            resources.append(arg)
    return resources, specs


def run(inv: Invocation) -> int:
    from backends.objects.diff import two_way_merge_patch

    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    resources, specs = _split_args(inv.args)
    if not resources:
        raise CommandError("one or more resources must be specified as <resource> <name>")
    if not specs:
        raise CommandError("at least one taint update is required")
    try:
        add, remove = parse_taints(specs)
    except ValueError as err:
        raise inv.usage_error(str(err)) from None
    printer = ObjectPrinter.from_flags(inv).check()  # kubectl's taint says no (dry run)
    select_all, selector = flags["all"], flags["selector"]
    spec = TargetSpec(args=["node"], selector=selector, select_all=select_all, latest=True)
    if not select_all and not selector and len(resources) >= 2:
        spec = TargetSpec(args=["node", *resources[1:]], latest=True)
    with open_targets(inv, spec) as targets:
        kind = resources[0].lower()
        if kind not in ("node", "nodes"):
            raise CommandError(
                f"invalid resource type {resources[0]}, only node types are supported"
            )
        conflicts = [
            f"{r.key}={r.effect}"
            for a in add
            for r in remove
            if a.key == r.key and (not r.effect or a.effect == r.effect)
        ]
        if conflicts:
            raise CommandError(
                "can not both modify and remove the following taint(s) in the same command: "
                + ", ".join(conflicts)
            )
        if select_all and selector:
            raise CommandError("setting 'all' parameter with a non empty selector is prohibited")
        if not select_all and not selector and len(resources) < 2:
            raise CommandError(
                "at least one resource name must be specified since 'all' parameter is not set"
            )
        targets.resolve()
        errors: list[BaseException] = []
        for visited in targets.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
                continue
            try:
                node = visited.obj or {}
                edited, operation = update_taints(node, add, remove, flags["overwrite"])
                shown = edited
                if dry_run != CLIENT:
                    shown = targets.client.patch(
                        visited.resource,
                        None,
                        visited.name or "",
                        two_way_merge_patch(node, edited),
                        STRATEGIC,
                        [
                            *dry_run_query(dry_run),
                            ("fieldManager", flags["field_manager"]),
                            ("fieldValidation", _validation(flags["validate"])),
                        ],
                    )
                printer.print(shown, operation, inv.stdout)
            except Exception as err:
                if isinstance(err, (KeyboardInterrupt, SystemExit)):
                    raise
                errors.append(err)
    if errors:
        raise aggregate(errors)
    return 0


def _validation(value: str) -> str:
    return {"true": "Strict", "strict": "Strict", "warn": "Warn"}.get(value.lower(), "Ignore")


HELP = Help(
    use="taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N",
    short="Update the taints on one or more nodes",
    long="""Update the taints on one or more nodes.

  *  A taint consists of a key, value, and effect. As an argument here, it is expressed as key=value:effect.
  *  The key must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 253 characters.
  *  Optionally, the key can begin with a DNS subdomain prefix and a single '/', like example.com/my-app.
  *  The value is optional. If given, it must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters.
  *  The effect must be NoSchedule, PreferNoSchedule or NoExecute.
  *  Currently taint can only apply to node.""",
    example="""# Update node 'foo' with a taint with key 'dedicated' and value 'special-user' and effect 'NoSchedule'
# If a taint with that key and effect already exists, its value is replaced as specified
pykctl taint nodes foo dedicated=special-user:NoSchedule

# Remove from node 'foo' the taint with key 'dedicated' and effect 'NoSchedule' if one exists
pykctl taint nodes foo dedicated:NoSchedule-

# Remove from node 'foo' all the taints with key 'dedicated'
pykctl taint nodes foo dedicated-

# Add a taint with key 'dedicated' on nodes having label myLabel=X
pykctl taint node -l myLabel=X  dedicated=foo:PreferNoSchedule

# Add to node 'foo' a taint with key 'bar' and no value
pykctl taint nodes foo bar:NoSchedule""",
)

FLAGS = [
    Flag("all", BOOL, usage="Select all nodes in the cluster"),
    dry_run_flag(),
    field_manager_flag("kubectl-taint"),
    Flag(
        "overwrite",
        BOOL,
        usage="If true, allow taints to be overwritten, otherwise reject taint updates that "
        "overwrite existing taints.",
    ),
    selector_flag(),
    validate_flag(),
    *print_flags(),
]

taint = KCommand("taint", run, HELP, FLAGS)

__all__ = ["Taint", "parse_taint", "parse_taints", "taint", "update_taints"]

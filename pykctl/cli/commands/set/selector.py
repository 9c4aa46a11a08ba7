"""``pykctl set selector``: replace the selector of Services.

As kubectl's SetSelectorOptions: the last argument is the selector (``k=v`` terms only: set
expressions are refused for Services), the others name the objects. Unlike the other ``set``
commands, objects are handled one at a time as they are found (an object that cannot be read
or changed is reported at the end, with the others' errors, as they are); the patch is sent
even when empty. ``--resource-version`` puts that version in the
patch, so that the server refuses a stale object (a Conflict).
"""

from __future__ import annotations

from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    ObjectPrinter,
    dry_run_strategy,
    field_manager_flag,
    open_targets,
    print_flags,
)
from pykctl.cli.commands.set.common import ObjectError, Patcher, group_of, target_spec
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, STRING, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags

Obj = dict[str, Any]


def parse_selector(text: str) -> Obj:
    """The selector argument as a ``metav1.LabelSelector``."""
    from backends.objects.selectors import SelectorError, parse_to_label_selector_dict

    try:
        return parse_to_label_selector_dict(text)
    except SelectorError as err:
        raise CommandError(str(err)) from None


def set_selector(obj: Obj, selector: Obj) -> Obj:
    """``obj`` (a Service, edited in place) selecting ``selector``'s labels."""
    expressions = selector.get("matchExpressions")
    if expressions:
        shown = " ".join(
            f"{{{e['key']} {e['operator']} [{' '.join(e.get('values') or [])}]}}"
            for e in expressions
        )
        raise ObjectError(f"match expression [{shown}] not supported on this object")
    if group_of(obj) != "" or obj.get("kind") != "Service":
        raise ObjectError("setting a selector is only supported for Services")
    spec = obj.setdefault("spec", {})
    labels = selector.get("matchLabels")
    if labels:
        spec["selector"] = dict(labels)
    else:
        spec.pop("selector", None)
    return obj


def run(inv: Invocation) -> int:
    import copy
    import dataclasses

    from pykctl.cli.commands.rollout.common import finish

    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    args = list(inv.args)
    resources, text = (args[:-1], args[-1]) if args else ([], None)
    selector = parse_selector(text) if text is not None else None
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    if selector is None:
        raise CommandError("one selector is required")
    local = flags["local"]
    patcher = Patcher(inv, printer, dry_run, local, "selector updated", None, skip_empty=False)
    version = flags["resource_version"]
    errors: list[BaseException] = []
    with open_targets(inv, target_spec(inv, resources, local)) as targets:
        targets.resolve()
        for visited in targets.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
                continue
            before = copy.deepcopy(visited.obj or {})
            if version:
                before.setdefault("metadata", {}).pop("resourceVersion", None)
            try:
                after = set_selector(copy.deepcopy(before), selector)
            except ObjectError as err:
                errors.append(CommandError(str(err)))
                continue
            if version:
                after.setdefault("metadata", {})["resourceVersion"] = version
            error = patcher.send_one(targets, dataclasses.replace(visited, obj=before), after)
            if error is not None:
                errors.append(error)
    finish(errors)
    return 0


HELP = Help(
    use="selector (-f FILENAME | TYPE NAME) EXPRESSIONS [--resource-version=version]",
    short="Set the selector on a resource",
    long="""Set the selector on a resource. Note that the new selector will overwrite the old selector if the resource had one prior to the invocation of 'set selector'.

 A selector must begin with a letter or number, and may contain letters, numbers, hyphens, dots, and underscores, up to 63 characters. If --resource-version is specified, then updates will use this resource version, otherwise the existing resource-version will be used. Note: currently selectors can only be set on Service objects.""",
    example="""# Set the labels and selector before creating a deployment/service pair
pykctl create service clusterip my-svc --clusterip="None" -o yaml --dry-run=client | pykctl set selector --local -f - 'environment=qa' -o yaml | pykctl create -f -
pykctl create deployment my-dep --image=nginx -o yaml --dry-run=client | pykctl label --local -f - environment=qa -o yaml | pykctl create -f -""",
)

FLAGS = [
    Flag(
        "all",
        BOOL,
        usage="Select all resources in the namespace of the specified resource types",
    ),
    dry_run_flag(),
    field_manager_flag("kubectl-set"),
    *filename_flags("identifying the resource.", kustomize=None, recursive=True),
    Flag("local", BOOL, usage="If true, annotation will NOT contact api-server but run locally."),
    Flag(
        "resource-version",
        STRING,
        usage="If non-empty, the selectors update will only succeed if this is the current "
        "resource-version for the object. Only valid when specifying a single resource.",
    ),
    *print_flags(),
]

selector = KCommand("selector", run, HELP, FLAGS)

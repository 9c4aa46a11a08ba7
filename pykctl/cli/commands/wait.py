"""``pykctl wait``: wait until objects are created, deleted, have a status condition, or have a
JSONPath value.

As kubectl: ``--for`` may be given several times (AND, in order; ``create`` is always waited
first, by looking the objects up every half second); every object found is then checked
condition by condition, each success printing ``kind/name condition met`` (or ``-o``). A check
reads the object, then watches it (field selector on its name, the server ending the watch when
the time is up) until the condition holds. One deadline, ``--timeout`` from the start, bounds
the whole command (0: check once; negative: a week). Failures keep kubectl's words: ``timed out
waiting for the condition on pods/web``, ``condition not met for pods/web``, ``no matching
resources found``; objects that fail do not stop the others, and the exit code is 1.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backends.errors import ApiError
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    ObjectPrinter,
    open_targets,
    print_flags,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, DURATION, STRING_ARRAY, Flag
from pykctl.cli.shared_flags import SIMPLE_SELECTOR_USAGE, field_selector_flag, selector_flag
from pykctl.client import Client
from pykctl.resources.builder import Info
from pykctl.resources.targets import Targets, TargetSpec, aggregate

Obj = dict[str, Any]
WEEK = 168 * 3600.0
CREATE_POLL_SECONDS = 0.5
TIMED_OUT = "timed out waiting for the condition"


@dataclass(frozen=True)
class Condition:
    """One ``--for``: ``kind`` is create, delete, condition or jsonpath."""

    kind: str
    name: str = ""  # condition type, or the JSONPath expression
    value: str = ""  # expected status / JSONPath value ("" with jsonpath: any value)


def _split_jsonpath_input(text: str) -> list[str]:
    """Split on single ``=`` (``==`` stays inside a part), as kubectl does."""
    parts: list[str] = []
    current = ""
    i = 0
    while i < len(text):
        if text[i] == "=":
            if i < len(text) - 1 and text[i + 1] == "=":
                current += "=="
                i += 2
                continue
            parts.append(current)
            current = ""
        else:
            current += text[i]
        i += 1
    return [*parts, current]


def parse_condition(text: str) -> Condition:
    """One ``--for`` value; errors are kubectl's."""
    from pykctl.printers import jsonpath

    lowered = text.lower()
    if lowered in ("delete", "create"):
        return Condition(lowered)
    if text.startswith("condition="):
        name, eq, value = text.removeprefix("condition=").partition("=")
        return Condition("condition", name, value if eq else "true")
    if text.startswith("jsonpath="):
        parts = _split_jsonpath_input(text.removeprefix("jsonpath="))
        if not 1 <= len(parts) <= 2:
            raise CommandError(
                "jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or "
                "--for=jsonpath='{.status.readyReplicas}'"
            )
        try:
            expression = jsonpath.relaxed(parts[0])
        except jsonpath.JSONPathError as err:
            raise CommandError(str(err)) from None
        value = ""
        if len(parts) == 2:
            value = parts[1].strip("'\"")
            if not value:
                raise CommandError(
                    "jsonpath wait has to have a value after equal sign, like "
                    "--for=jsonpath='{.status.readyReplicas}'=3"
                )
        if not expression:
            raise CommandError("jsonpath expression cannot be empty")
        try:
            jsonpath.parse(expression)
        except jsonpath.JSONPathError as err:
            raise CommandError(err.reason) from None
        return Condition("jsonpath", expression, value)
    raise CommandError(f'unrecognized condition: "{text}"')


def _go_value(value: Any) -> str:
    from backends.objects.gofmt import format_g

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_g(value)
    if value is None:
        return "<nil>"
    return str(value)


def condition_met(condition: Condition, obj: Obj) -> bool:
    """Does ``obj`` satisfy a status-condition or JSONPath condition now?"""
    if condition.kind == "condition":
        return _status_condition_met(condition, obj)
    from pykctl.printers import jsonpath

    try:
        results = jsonpath.parse(condition.name).find_results(obj, True)
    except jsonpath.JSONPathError as err:
        raise CommandError(err.reason) from None
    if not results or not results[0]:
        return False
    if len(results) > 1:
        raise CommandError("given jsonpath expression matches more than one list")
    if len(results[0]) > 1:
        raise CommandError("given jsonpath expression matches more than one value")
    if not condition.value:
        return True
    found = results[0][0]
    if isinstance(found, (dict, list)):
        raise CommandError("jsonpath leads to a nested object or list which is not supported")
    return _go_value(found).strip() == condition.value.strip()


def _status_condition_met(condition: Condition, obj: Obj) -> bool:
    conditions = (obj.get("status") or {}).get("conditions")
    if not isinstance(conditions, list):
        return False
    generation = (obj.get("metadata") or {}).get("generation")
    for entry in conditions:
        if not isinstance(entry, dict):
            continue
        kind, status = entry.get("type"), entry.get("status")
        if not isinstance(kind, str) or kind.casefold() != condition.name.casefold():
            continue
        if not isinstance(status, str):
            continue
        if isinstance(generation, int):
            observed = entry.get("observedGeneration")
            if not isinstance(observed, int):
                observed = (obj.get("status") or {}).get("observedGeneration")
            if isinstance(observed, int) and observed < generation:
                return False
        return status.casefold() == condition.value.casefold()
    return False


class Waiter:
    """Checks conditions on objects within one deadline."""

    def __init__(self, inv: Invocation, client: Client, timeout: float) -> None:
        self.inv = inv
        self.client = client
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    @staticmethod
    def object_name(info: Info) -> str:
        return f"{info.resource.plural}/{info.name}"

    def timed_out(self, info: Info) -> CommandError:
        return CommandError(f"{TIMED_OUT} on {self.object_name(info)}")

    def _get(self, info: Info) -> Obj:
        return self.client.get(info.resource, info.namespace, info.name or "")

    def _list(self, info: Info) -> Obj:
        return self.client.list_objects(
            info.resource, info.namespace, [("fieldSelector", f"metadata.name={info.name}")]
        )

    def _watch(self, info: Info, version: str, on_event: Callable[[str, Obj], bool]) -> bool:
        """Watch ``info`` until ``on_event`` says done (True) or the time is up (False)."""
        while self.remaining() > 0:
            query = [
                ("fieldSelector", f"metadata.name={info.name}"),
                ("resourceVersion", version),
                ("allowWatchBookmarks", "true"),
                ("timeoutSeconds", str(max(1, math.ceil(self.remaining())))),
            ]
            for event in self.client.watch(info.resource, info.namespace, query):
                kind, obj = str(event.get("type") or ""), event.get("object") or {}
                if kind == "BOOKMARK":
                    version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                    continue
                if kind != "ERROR":
                    version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                if on_event(kind, obj):
                    return True
                if self.remaining() <= 0:
                    return False
            if self.remaining() > 0:
                version = str((self._list(info).get("metadata") or {}).get("resourceVersion") or "")
        return False

    def until(self, info: Info, condition: Condition) -> Obj:
        """Wait for a status-condition or JSONPath condition; returns the object."""
        if not info.name:
            raise CommandError("resource name must be provided")
        if self.timeout == 0:
            obj = self._get(info)
            if not condition_met(condition, obj):
                raise CommandError(f"condition not met for {self.object_name(info)}")
            return obj
        if self.remaining() < 0:
            raise self.timed_out(info)
        listing = self._list(info)
        items = listing.get("items") or []
        if not items:
            raise ApiError(
                404, "NotFound", f'{info.resource.group_resource} "{info.name}" not found'
            )
        found: list[Obj] = []
        if condition_met(condition, items[0]):
            return dict(items[0])

        def on_event(kind: str, obj: Obj) -> bool:
            if kind == "ERROR":
                self.inv.stderr.write(
                    "error: An error occurred while waiting for the condition to be satisfied: "
                    f"{obj.get('message', '')}"
                )
                return False
            if kind == "DELETED" or not condition_met(condition, obj):
                return False
            found.append(obj)
            return True

        version = str((listing.get("metadata") or {}).get("resourceVersion") or "")
        if self._watch(info, version, on_event):
            return found[0]
        raise self.timed_out(info)

    def deleted(self, info: Info) -> Obj | None:
        """Wait for the object to be gone; returns what to print."""
        if not info.name:
            raise CommandError("resource name must be provided")
        try:
            current = self._get(info)
        except ApiError as err:
            if err.code == 404:
                return info.obj
            raise
        if self.timeout == 0:
            raise CommandError(f"condition not met for {self.object_name(info)}")
        if self.remaining() < 0:
            raise self.timed_out(info)
        listing = self._list(info)
        if not listing.get("items"):
            return current
        version = str((listing.get("metadata") or {}).get("resourceVersion") or "")

        def on_event(kind: str, obj: Obj) -> bool:
            if kind == "ERROR":
                self.inv.stderr.write(
                    "error: An error occurred while waiting for the object to be deleted: "
                    f"{obj.get('message', '')}"
                )
            return kind == "DELETED"

        if self._watch(info, version, on_event):
            return current
        raise self.timed_out(info)


def _wait_for_creation(targets: Targets, waiter: Waiter) -> None:
    """Look the objects up every half second until one is found (kubectl's create poll)."""
    while True:
        attempt = targets.fresh()
        attempt.resolve()
        found = False
        errors: list[BaseException] = []
        for visited in attempt.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
            else:
                found = True
        if errors:
            error = aggregate(errors)
            if not (isinstance(error, ApiError) and error.code == 404):
                raise error
        elif found:
            return
        time.sleep(min(CREATE_POLL_SECONDS, max(waiter.remaining(), 0.0)))
        if waiter.remaining() <= 0:
            raise CommandError(TIMED_OUT)


def run(inv: Invocation) -> int:
    flags = inv.flags
    printer = ObjectPrinter.from_flags(inv).check()
    conditions = [parse_condition(text) for text in flags["for"]]
    if not conditions:
        raise CommandError("unrecognized condition: []")
    timeout = flags["timeout"] if flags["timeout"] >= 0 else WEEK
    spec = TargetSpec(
        args=list(inv.args),
        filenames=flags["filename"],
        recursive=flags["recursive"],
        selector=flags["selector"],
        field_selector=flags["field_selector"],
        select_all=flags["all"],
        all_namespaces=flags["all_namespaces"],
        local=flags["local"],
        latest=True,
    )
    for_delete = any(c.kind == "delete" for c in conditions)
    errors: list[BaseException] = []
    visited = 0
    with open_targets(inv, spec) as targets:
        waiter = Waiter(inv, targets.client, timeout)
        if any(c.kind == "create" for c in conditions):
            _wait_for_creation(targets, waiter)
        targets.resolve()
        for item in targets.visit():
            if isinstance(item, BaseException):
                if not (for_delete and isinstance(item, ApiError) and item.code == 404):
                    errors.append(item)
                continue
            visited += 1
            try:
                for condition in conditions:
                    shown = _check(waiter, item, condition)
                    if shown is not None:
                        printer.print(shown, "condition met", inv.stdout)
            except Exception as err:  # kubectl carries on with the next object
                errors.append(err)
    if errors:
        raise aggregate(errors)
    if visited == 0 and not for_delete:
        raise CommandError("no matching resources found")
    return 0


def _check(waiter: Waiter, info: Info, condition: Condition) -> Obj | None:
    if condition.kind == "create":
        if not info.name or info.obj is None:
            raise CommandError("resource name must be provided")
        return info.obj
    if condition.kind == "delete":
        return waiter.deleted(info)
    return waiter.until(info, condition)


HELP = Help(
    use="wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]",
    short="Wait for a specific condition on one or many resources",
    long="""Wait for a specific condition on one or many resources.

 The command takes multiple resources and waits until the specified condition is seen in the Status field of every given resource.

 Alternatively, the command can wait for the given set of resources to be created or deleted by providing the "create" or "delete" keyword as the value to the --for flag.

 A successful message will be printed to stdout indicating when the specified condition has been met. You can use -o option to change to output destination.""",
    example="""# Wait for the pod "busybox1" to contain the status condition of type "Ready"
pykctl wait --for=condition=Ready pod/busybox1

# The default value of status condition is true; you can wait for other targets after an equal delimiter (compared after Unicode simple case folding, which is a more general form of case-insensitivity)
pykctl wait --for=condition=Ready=false pod/busybox1

# Wait for the pod "busybox1" to contain the status phase to be "Running"
pykctl wait --for=jsonpath='{.status.phase}'=Running pod/busybox1

# Wait for pod "busybox1" to be Ready
pykctl wait --for='jsonpath={.status.conditions[?(@.type=="Ready")].status}=True' pod/busybox1

# Wait for the service "loadbalancer" to have ingress
pykctl wait --for=jsonpath='{.status.loadBalancer.ingress}' service/loadbalancer

# Wait for the secret "busybox1" to be created, with a timeout of 30s
pykctl create secret generic busybox1
pykctl wait --for=create secret/busybox1 --timeout=30s

# Wait for the pod "busybox1" to be deleted, with a timeout of 60s, after having issued the "delete" command
pykctl delete pod/busybox1
pykctl wait --for=delete pod/busybox1 --timeout=60s

# Wait for pod "busybox1" to be created AND reach the "Ready" status condition
pykctl wait --for=condition=Ready --for=create pod/busybox1

# Wait for pod "busybox1" to reach the "Ready" status OR for its containers to report a "False" readiness state
until pykctl wait pod/busybox1 --for=condition=Ready --timeout=1s 2>/dev/null || \\
pykctl wait pod/busybox1 --for=condition=ContainersReady=False --timeout=1s 2>/dev/null; \\
do echo "Checking conditions..."; sleep 1; done""",
)

FLAGS = [
    Flag(
        "all", BOOL, usage="Select all resources in the namespace of the specified resource types"
    ),
    Flag(
        "all-namespaces",
        BOOL,
        shorthand="A",
        usage="If present, list the requested object(s) across all namespaces. Namespace in "
        "current context is ignored even if specified with --namespace.",
    ),
    field_selector_flag(),
    Flag("filename", STRING_ARRAY, shorthand="f", usage="identifying the resource."),
    Flag(
        "for",
        STRING_ARRAY,
        usage="The condition to wait on: [create|delete|condition=condition-name[=condition-value]"
        "|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. "
        "Condition values are compared after Unicode simple case folding, which is a more general "
        "form of case-insensitivity. Multiple conditions are supported and AND'ed to each other in "
        "a sequential order. If --for=create is passed, it is always waited first.",
    ),
    Flag("local", BOOL, usage="If true, annotation will NOT contact api-server but run locally."),
    Flag(
        "recursive",
        BOOL,
        default=True,
        shorthand="R",
        usage="Process the directory used in -f, --filename recursively. Useful when you want to "
        "manage related manifests organized within the same directory.",
    ),
    selector_flag(SIMPLE_SELECTOR_USAGE),
    Flag(
        "timeout",
        DURATION,
        default=30.0,
        usage="The length of time to wait before giving up. Zero means check once and don't "
        "wait, negative means wait for a week.",
    ),
    *print_flags(),
]

wait = KCommand("wait", run, HELP, FLAGS)

"""``pykctl delete``: delete objects named by arguments, selectors or files, as kubectl does.

Each object is deleted with kubectl's DeleteOptions (grace period, propagation policy) and
reported as ``pod "x" deleted from default namespace`` (``namespace "x" deleted`` for
cluster-scoped kinds; ``force deleted``; dry-run suffixes; ``-o name`` prints ``pod/x``).
Failures are reported at the end while the others are deleted. Nothing matched is
``No resources found`` on stdout. Then, unless ``--wait=false``, it waits until every deleted
object is gone (its uid no longer served), watching as kubectl's WatchList does.
``--interactive`` lists what would go and asks first.
"""

from __future__ import annotations

import time
from typing import Any

from backends.errors import ApiError, ConnectionFailed
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.create import common, sources
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, DURATION, INT, Flag
from pykctl.cli.shared_flags import (
    KUSTOMIZE_A,
    dry_run_flag,
    field_selector_flag,
    filename_flags,
    selector_flag,
)
from pykctl.resources.builder import Info

Obj = dict[str, Any]

# How long ``--wait`` waits when ``--timeout`` is 0 (kubectl's 168h).
DEFAULT_WAIT = 168 * 3600.0


def parse_cascade(inv: Invocation, value: str) -> str:
    """``--cascade``: Background, Foreground or Orphan (old boolean values warn)."""
    named = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}
    if value in named:
        return named[value]
    truthy = {"1", "t", "T", "TRUE", "true", "True"}
    falsy = {"0", "f", "F", "FALSE", "false", "False"}
    if value in truthy or value in falsy:
        replacement = "background" if value in truthy else "orphan"
        inv.err(
            f"warning: --cascade={value} is deprecated (boolean value) and can be replaced with "
            f"--cascade={replacement}."
        )
        return named[replacement]
    raise CommandError(
        f'invalid cascade value ({value}). Must be "background", "foreground", or "orphan"'
    )


def delete_options(propagation: str, grace_period: int, dry_run: bool = False) -> Obj:
    """The DeleteOptions body kubectl sends."""
    options: Obj = {"kind": "DeleteOptions", "apiVersion": "v1"}
    if grace_period >= 0:
        options["gracePeriodSeconds"] = grace_period
    options["propagationPolicy"] = propagation
    if dry_run:
        options["dryRun"] = ["All"]
    return options


def kind_text(info: Info) -> str:
    """``deployment.apps`` / ``pod``."""
    kind = info.resource.kind.lower()
    return f"{kind}.{info.resource.group}" if info.resource.group else kind


def deletion_line(info: Info, grace_period: int, dry_run: str, output: str) -> str:
    """What kubectl prints for one deleted object."""
    if output == "name":
        return f"{kind_text(info)}/{info.name}"
    operation = "force deleted" if grace_period == 0 else "deleted"
    if info.resource.namespaced:
        operation += f" from {info.namespace} namespace"
    operation += {
        common.DRY_RUN_CLIENT: " (dry run)",
        common.DRY_RUN_SERVER: " (server dry run)",
    }.get(dry_run, "")
    return f'{kind_text(info)} "{info.name}" {operation}'


def _uid(response: Obj) -> str:
    if response.get("kind") == "Status":
        return str((response.get("details") or {}).get("uid", ""))
    return str((response.get("metadata") or {}).get("uid", ""))


class Deleter:
    """One ``delete`` run (kubectl's DeleteOptions after Complete)."""

    def __init__(self, inv: Invocation, cluster: common.Cluster, cascade: str) -> None:
        flags = inv.flags
        self.inv = inv
        self.cluster = cluster
        self.cascade = cascade
        self.all_namespaces = bool(flags.get("all_namespaces"))
        self.warn_cluster_scope = cluster.namespace_explicit and not self.all_namespaces
        bulk = bool(flags.get("all") or flags.get("selector") or flags.get("field_selector"))
        self.ignore_not_found = bool(flags.get("ignore_not_found")) or (
            bulk and "ignore_not_found" not in inv.changed
        )
        grace = int(flags["grace_period"])
        if flags.get("now"):
            if grace != -1:
                raise CommandError("--now and --grace-period cannot be specified together")
            grace = 1
        if grace == 0 and not flags.get("force"):
            grace = 1
        if flags.get("force") and grace < 0:
            grace = 0
        self.grace_period = grace
        self.dry_run = common.dry_run_strategy(inv)
        self.output = str(flags.get("output") or "")
        self.how = sources.ArgSelection()

    def targets(self) -> list[Info | BaseException]:
        """What the arguments, selectors or files name (objects or errors, in order)."""
        inv = self.inv
        flags = inv.flags
        sources.check_filename_options(inv, required=False)
        if flags.get("all") and (flags.get("selector") or flags.get("field_selector")):
            raise CommandError("setting 'all' parameter but found a non empty selector. ")
        sources.check_args_with_files(inv)
        if flags.get("filename"):
            return sources.load_files(inv, self.cluster).items
        how = sources.ArgSelection(
            str(flags.get("selector") or ""),
            str(flags.get("field_selector") or ""),
            bool(flags.get("all")),
            self.all_namespaces,
        )
        if not inv.args:
            if how.bulk:
                raise CommandError("at least one resource must be specified to use a selector")
            raise CommandError(sources.MISSING_RESOURCES)
        self.how = how
        return list(sources.from_args(self.cluster, list(inv.args), how, expand=False))

    def validate(self) -> None:
        flags = self.inv.flags
        if self.output not in ("", "name"):
            raise CommandError(
                f"unexpected -o output mode: {self.output}. We only support '-o name'"
            )
        if flags.get("all") and flags.get("selector"):
            raise CommandError("cannot set --all and --selector at the same time")
        if flags.get("all") and flags.get("field_selector"):
            raise CommandError("cannot set --all and --field-selector at the same time")
        if self.grace_period == 0 and flags.get("force"):
            self.inv.err(
                "Warning: Immediate deletion does not wait for confirmation that the running "
                "resource has been terminated. The resource may continue to run on the cluster "
                "indefinitely."
            )
        elif self.grace_period > 0 and flags.get("force"):
            raise CommandError(
                "--force and --grace-period greater than 0 cannot be specified together"
            )

    def expanded(self, items: list[Info | BaseException]) -> list[Info | BaseException]:
        """Bulk selections replaced by the objects they list (or the listing's error)."""
        result: list[Info | BaseException] = []
        for item in items:
            if isinstance(item, BaseException) or item.name is not None:
                result.append(item)
                continue
            try:
                result.extend(sources.listed(self.cluster, item, self.how))
            except (ApiError, ConnectionFailed) as err:
                result.append(err)
        return result

    def confirm(self, infos: list[Info]) -> bool:
        """``--interactive``: list what would be deleted and ask."""
        out = self.inv.stdout
        out.write(f"You are about to delete the following {len(infos)} resource(s):\n")
        for info in infos:
            out.write(f"{kind_text(info)}/{info.name}\n")
        out.write("Do you want to continue? (y/N): ")
        out.flush()
        answer = self.inv.stdin.readline().strip().split(" ")[0]
        return answer.lower() == "y"

    def delete(self, items: list[Info | BaseException]) -> None:
        """Delete each object; then wait for them to be gone (kubectl's ``DeleteResult``)."""
        found = 0
        deleted: list[tuple[Info, str]] = []
        errors: list[BaseException] = []
        warn_cluster_scope = self.warn_cluster_scope
        for item in self.expanded(items):
            if isinstance(item, BaseException):
                errors.append(item)
                continue
            found += 1
            if warn_cluster_scope and not item.resource.namespaced:
                self.inv.err(
                    "Warning: deleting cluster-scoped resources, not scoped to the provided "
                    "namespace"
                )
                warn_cluster_scope = False
            if self.dry_run == common.DRY_RUN_CLIENT:
                self.inv.out(deletion_line(item, self.grace_period, self.dry_run, self.output))
                continue
            options = delete_options(
                self.cascade, self.grace_period, self.dry_run == common.DRY_RUN_SERVER
            )
            try:
                response = self.cluster.client.delete(
                    item.resource, item.namespace, item.name or "", options
                )
            except (ApiError, ConnectionFailed) as err:
                if not (self.ignore_not_found and isinstance(err, ApiError) and err.code == 404):
                    errors.append(common.with_source("deleting", item.source, err))
                continue
            self.inv.out(deletion_line(item, self.grace_period, self.dry_run, self.output))
            deleted.append((item, _uid(response)))
        common.raise_collected(errors)
        if found == 0:
            self.inv.out("No resources found")
            return
        if self.inv.flags.get("wait") and self.dry_run == common.DRY_RUN_NONE:
            self.wait(deleted)

    def wait(self, deleted: list[tuple[Info, str]]) -> None:
        """Until every deleted object is gone (kubectl's ``wait --for=delete``)."""
        timeout = float(self.inv.flags.get("timeout") or 0) or DEFAULT_WAIT
        errors: list[BaseException] = []
        for info, uid in deleted:
            try:
                wait_until_gone(self.cluster, info, uid, timeout)
            except (CommandError, ApiError) as err:
                errors.append(err)
        common.raise_collected(errors)


def wait_until_gone(cluster: common.Cluster, info: Info, uid: str, timeout: float) -> None:
    """Return once the object is not found (or another object holds its name); else watch it
    (``sendInitialEvents``, as client-go's WatchList) until it is deleted or time runs out."""
    try:
        live = cluster.client.get(info.resource, info.namespace, info.name or "")
    except ApiError as err:
        if err.code == 404:
            return
        raise
    if uid and (live.get("metadata") or {}).get("uid") != uid:
        return
    deadline = time.monotonic() + timeout
    timed_out = CommandError(
        f"timed out waiting for the condition on {info.resource.plural}/{info.name}"
    )
    query = [
        ("allowWatchBookmarks", "true"),
        ("fieldSelector", f"metadata.name={info.name}"),
        ("resourceVersionMatch", "NotOlderThan"),
        ("sendInitialEvents", "true"),
        ("timeoutSeconds", str(max(1, int(timeout)))),
    ]
    present = False
    for event in cluster.client.watch(info.resource, info.namespace, query):
        kind = event.get("type")
        obj = event.get("object") or {}
        if kind == "DELETED":
            return
        if kind == "ADDED" and (not uid or (obj.get("metadata") or {}).get("uid") == uid):
            present = True
        if kind == "BOOKMARK":
            annotations = (obj.get("metadata") or {}).get("annotations") or {}
            if annotations.get("k8s.io/initial-events-end") == "true" and not present:
                return
        if time.monotonic() >= deadline:
            raise timed_out
    raise timed_out


def run(inv: Invocation) -> int:
    """``delete``: see the module docstring."""
    cascade = parse_cascade(inv, str(inv.flags["cascade"]))
    with common.Cluster(inv) as cluster:
        cluster.resolve()
        deleter = Deleter(inv, cluster, cascade)
        if inv.flags["raw"]:
            deleter.validate()
            _validate_raw(inv)
            from pykctl.cli.commands.create import raw_request

            filenames = list(inv.flags["filename"])
            return raw_request(inv, "DELETE", inv.flags["raw"], filenames[0] if filenames else "")
        items = deleter.targets()
        if inv.flags["interactive"]:
            deleter.validate()
            preview = [i for i in deleter.expanded(items) if not isinstance(i, BaseException)]
            if not preview:
                inv.out("No resources found")
                return 0
            if not deleter.confirm(preview):
                inv.out("deletion is cancelled")
                return 0
        else:
            deleter.validate()
        deleter.delete(items)
    return 0


def _validate_raw(inv: Invocation) -> None:
    if inv.flags["interactive"]:
        raise CommandError("--interactive can not be used with --raw")
    filenames = list(inv.flags["filename"])
    if len(filenames) > 1:
        raise CommandError("--raw can only use a single local file or stdin")
    if filenames and filenames[0].startswith(("http://", "https://")):
        raise CommandError("--raw cannot read from a url")
    if inv.flags["recursive"]:
        raise CommandError("--raw and --recursive are mutually exclusive")
    if inv.flags["output"]:
        raise CommandError("--raw and --output are mutually exclusive")


def deletion_flags(wait_default: bool, filename_usage: str) -> list[Flag]:
    """kubectl's DeleteFlags as apply and replace declare them (and delete, with more)."""
    return [
        Flag(
            "cascade",
            default="background",
            no_opt_value="background",
            usage='Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.',
        ),
        *filename_flags(filename_usage, KUSTOMIZE_A),
        Flag(
            "force",
            BOOL,
            usage="If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.",
        ),
        Flag(
            "grace-period",
            INT,
            default=-1,
            usage="Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).",
        ),
        Flag(
            "timeout",
            DURATION,
            usage="The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object",
        ),
        Flag(
            "wait",
            BOOL,
            default=wait_default,
            usage="If true, wait for resources to be gone before returning. This waits for finalizers.",
        ),
    ]


delete = KCommand(
    "delete",
    run,
    Help(
        use="delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)])",
        short="Delete resources by file names, stdin, resources and names, or by resources and label selector",
        long="""Delete resources by file names, stdin, resources and names, or by resources and label selector.

 JSON and YAML formats are accepted. Only one type of argument may be specified: file names, resources and names, or resources and label selector.

 Some resources, such as pods, support graceful deletion. These resources define a default period before they are forcibly terminated (the grace period) but you may override that value with the --grace-period flag, or pass --now to set a grace-period of 1. Because these resources often represent entities in the cluster, deletion may not be acknowledged immediately. If the node hosting a pod is down or cannot reach the API server, termination may take significantly longer than the grace period. To force delete a resource, you must specify the --force flag. Note: only a subset of resources support graceful deletion. In absence of the support, the --grace-period flag is ignored.

 IMPORTANT: Force deleting pods does not wait for confirmation that the pod's processes have been terminated, which can leave those processes running until the node detects the deletion and completes graceful deletion. If your processes use shared storage or talk to a remote API and depend on the name of the pod to identify themselves, force deleting those pods may result in multiple processes running on different machines using the same identification which may lead to data corruption or inconsistency. Only force delete pods when you are sure the pod is terminated, or if your application can tolerate multiple copies of the same pod running at once. Also, if you force delete pods, the scheduler may place new pods on those nodes before the node has released those resources and causing those pods to be evicted immediately.

 Note that the delete command does NOT do resource version checks, so if someone submits an update to a resource right when you submit a delete, their update will be lost along with the rest of the resource.

 After a CustomResourceDefinition is deleted, invalidation of discovery cache may take up to 6 hours. If you don't want to wait, you might want to run "pykctl api-resources" to refresh the discovery cache.""",
        example="""# Delete a pod using the type and name specified in pod.json
pykctl delete -f ./pod.json

# Delete resources from a directory containing kustomization.yaml - e.g. dir/kustomization.yaml
pykctl delete -k dir

# Delete resources from all files that end with '.json'
pykctl delete -f '*.json'

# Delete a pod based on the type and name in the JSON passed into stdin
cat pod.json | pykctl delete -f -

# Delete pods and services with same names "baz" and "foo"
pykctl delete pod,service baz foo

# Delete pods and services with label name=myLabel
pykctl delete pods,services -l name=myLabel

# Delete a pod with minimal delay
pykctl delete pod foo --now

# Force delete a pod on a dead node
pykctl delete pod foo --force

# Delete all pods
pykctl delete pods --all

# Delete all pods only if the user confirms the deletion
pykctl delete pods --all --interactive""",
    ),
    [
        *deletion_flags(True, "containing the resource to delete."),
        Flag(
            "all",
            BOOL,
            usage="Delete all resources, in the namespace of the specified resource types.",
        ),
        Flag(
            "all-namespaces",
            BOOL,
            shorthand="A",
            usage="If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.",
        ),
        dry_run_flag(),
        field_selector_flag(),
        Flag(
            "ignore-not-found",
            BOOL,
            usage='Treat "resource not found" as a successful delete. Defaults to "true" when --all is specified.',
        ),
        Flag(
            "interactive",
            BOOL,
            shorthand="i",
            usage="If true, delete resource only when user confirms.",
        ),
        Flag(
            "now",
            BOOL,
            usage="If true, resources are signaled for immediate shutdown (same as --grace-period=1).",
        ),
        Flag(
            "output",
            shorthand="o",
            usage='Output mode. Use "-o name" for shorter output (resource/name).',
        ),
        Flag(
            "raw",
            usage="Raw URI to DELETE to the server.  Uses the transport specified by the kubeconfig file.",
        ),
        selector_flag(),
    ],
)

"""``pykctl drain``: cordon nodes, then evict (or delete) their pods and wait until they are
gone — kubectl's DrainCmdOptions over its drain.Helper.

Pods are filtered in kubectl's order (deleted long ago → skip; DaemonSet-managed → refuse
unless ``--ignore-daemonsets``, then keep; mirror → skip; emptyDir → refuse unless
``--delete-emptydir-data``; no controller → refuse unless ``--force``); finished pods always
go. A refused pod stops the whole node before anything is evicted. Evictions are POSTed to
``pods/NAME/eviction`` (429 is retried every 5 s); with ``--disable-eviction`` pods are
deleted. Waiting polls each pod every second until it is gone or replaced (another uid), bounded
by ``--timeout`` (0: forever). The first node that fails ends the command with its error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from backends.errors import ApiError
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.cordon import NodeCommand, node_flags, open_node_command, set_unschedulable
from pykctl.cli.commands.objects import CLIENT, SERVER
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, DURATION, INT, STRING, Flag
from pykctl.resources.builder import Info
from pykctl.resources.targets import AggregateError, aggregate, aggregate_line

Obj = dict[str, Any]

DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_STORAGE_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
RETRY_SECONDS = 5.0
POLL_SECONDS = 1.0


@dataclass
class Verdict:
    """What the filters say about one pod (kubectl's PodDeleteStatus)."""

    delete: bool
    reason: str = "Okay"  # Okay | Skip | Warning | Error
    message: str = ""


@dataclass
class PodList:
    """The node's pods with their verdicts, in list order."""

    items: list[tuple[Obj, Verdict]] = field(default_factory=list)

    def pods(self) -> list[Obj]:
        return [pod for pod, verdict in self.items if verdict.delete]

    def _grouped(self, reason: str) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for pod, verdict in self.items:
            if verdict.reason == reason:
                groups.setdefault(verdict.message, []).append(_pod_ref(pod))
        return groups

    def warnings(self) -> str:
        return "; ".join(f"{m}: {', '.join(p)}" for m, p in self._grouped("Warning").items())

    def errors(self) -> list[str]:
        lines = []
        for message, pods in self._grouped("Error").items():
            text = message or "unexpected error"
            if not text.lower().startswith("cannot delete"):
                text = f"cannot delete {text}"
            lines.append(f"{text}: {', '.join(pods)}")
        return lines


def _meta(pod: Obj) -> Obj:
    meta: Obj = pod.get("metadata") or {}
    return meta


def _pod_ref(pod: Obj) -> str:
    return f"{_meta(pod).get('namespace', '')}/{_meta(pod).get('name', '')}"


def _finished(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _controller(pod: Obj) -> Obj | None:
    for ref in _meta(pod).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def go_duration(seconds: float) -> str:
    """A duration as Go prints it: ``1s``, ``1m30s``, ``1h0m0s``, ``500ms``."""
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{secs:g}s"
    if hours:
        return f"{int(hours)}h{int(minutes)}m{text}"
    if minutes:
        return f"{int(minutes)}m{text}"
    return text


@dataclass
class Drainer:
    """kubectl's drain.Helper for one command line."""

    command: NodeCommand
    force: bool
    ignore_daemonsets: bool
    delete_emptydir_data: bool
    disable_eviction: bool
    grace_period: int
    timeout: float
    pod_selector: str
    skip_wait_seconds: int
    chunk_size: int

    @property
    def client(self) -> Any:
        return self.command.targets.client

    def _pods_resource(self) -> Any:
        return self.command.targets.mapper.resource_for("pods")

    # --- choosing pods --------------------------------------------------------------------

    def _verdict(self, pod: Obj) -> Verdict:
        for check in (
            self._skip_deleted,
            self._daemonset,
            self._mirror,
            self._local_storage,
            self._unreplicated,
        ):
            verdict = check(pod)
            if not verdict.delete:
                return verdict
        return verdict

    def _skip_deleted(self, pod: Obj) -> Verdict:
        return Verdict(False, "Skip") if self._deleted_long_ago(pod) else Verdict(True)

    def _deleted_long_ago(self, pod: Obj) -> bool:
        from backends.objects.durations import parse_time

        stamp = parse_time(_meta(pod).get("deletionTimestamp"))
        if self.skip_wait_seconds <= 0 or stamp is None:
            return False
        return int(time.time() - stamp.timestamp()) > self.skip_wait_seconds

    def _daemonset(self, pod: Obj) -> Verdict:
        ref = _controller(pod)
        if ref is None or ref.get("kind") != "DaemonSet" or _finished(pod):
            return Verdict(True)
        try:
            resource = self.command.targets.mapper.resource_for("daemonsets.apps")
            self.client.get(resource, _meta(pod).get("namespace"), str(ref.get("name", "")))
        except ApiError as err:
            if err.code == 404 and self.force:
                return Verdict(True, "Warning", err.message)
            return Verdict(False, "Error", err.message)
        if not self.ignore_daemonsets:
            return Verdict(False, "Error", DAEMONSET_FATAL)
        return Verdict(False, "Warning", DAEMONSET_WARNING)

    def _mirror(self, pod: Obj) -> Verdict:
        if MIRROR_ANNOTATION in (_meta(pod).get("annotations") or {}):
            return Verdict(False, "Skip")
        return Verdict(True)

    def _local_storage(self, pod: Obj) -> Verdict:
        volumes = (pod.get("spec") or {}).get("volumes") or []
        if not any("emptyDir" in volume for volume in volumes) or _finished(pod):
            return Verdict(True)
        if not self.delete_emptydir_data:
            return Verdict(False, "Error", LOCAL_STORAGE_FATAL)
        return Verdict(True, "Warning", LOCAL_STORAGE_WARNING)

    def _unreplicated(self, pod: Obj) -> Verdict:
        if _finished(pod) or _controller(pod) is not None:
            return Verdict(True)
        if self.force:
            return Verdict(True, "Warning", UNMANAGED_WARNING)
        return Verdict(False, "Error", UNMANAGED_FATAL)

    def pods_for_deletion(self, node: str) -> tuple[PodList, list[str]]:
        """The node's pods with their verdicts, and the refusals (kubectl's errors)."""
        from pykctl.resources.targets import list_error

        resource = self._pods_resource()
        field_selector = f"spec.nodeName={node}"
        query = [("labelSelector", self.pod_selector)] if self.pod_selector else []
        query.append(("fieldSelector", field_selector))
        found = PodList()
        try:
            for page in self.client.list_all_pages(resource, None, query, self.chunk_size):
                for pod in page.get("items") or []:
                    pod = {"kind": "Pod", "apiVersion": "v1", **pod}
                    found.items.append((pod, self._verdict(pod)))
        except ApiError as err:
            raise list_error(err, resource, self.pod_selector, field_selector) from None
        return found, found.errors()

    # --- removing pods --------------------------------------------------------------------

    def _delete_options(self) -> Obj:
        options: Obj = {}
        if self.grace_period >= 0:
            options["gracePeriodSeconds"] = self.grace_period
        if self.command.dry_run == SERVER:
            options["dryRun"] = ["All"]
        return options

    def _evict(self, pod: Obj) -> None:
        meta = _meta(pod)
        body = {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": meta.get("name"), "namespace": meta.get("namespace")},
            "deleteOptions": self._delete_options(),
        }
        self.client.create_subresource(
            self._pods_resource(), meta.get("namespace"), meta.get("name"), "eviction", body
        )

    def _gone(self, pod: Obj) -> bool:
        meta = _meta(pod)
        try:
            live = self.client.get(self._pods_resource(), meta.get("namespace"), meta.get("name"))
        except ApiError as err:
            if err.code == 404:
                return True
            raise
        if _meta(live).get("uid") != meta.get("uid"):
            return True
        if self._deleted_long_ago(live):
            self.command.inv.out(
                f'pod "{meta.get("name")}" has DeletionTimestamp older than '
                f"{self.skip_wait_seconds} seconds, skipping"
            )
            return True
        return False

    def _wait_for_delete(self, pods: list[Obj], verb: str, deadline: float | None) -> str:
        """Poll until every pod is gone, printing each; an error text when time runs out."""
        pending = list(pods)
        while True:
            still: list[Obj] = []
            for pod in pending:
                if self._gone(pod):
                    self.command.print(pod, verb)
                else:
                    still.append(pod)
            pending = still
            if not pending:
                return ""
            if deadline is not None and time.monotonic() >= deadline:
                return f"global timeout reached: {go_duration(self.timeout)}"
            time.sleep(POLL_SECONDS)

    def _evict_all(self, pods: list[Obj]) -> list[BaseException]:
        deadline = time.monotonic() + self.timeout if self.timeout else None
        errors: list[BaseException] = []
        waiting: list[Obj] = []
        for pod in pods:
            meta = _meta(pod)
            name, namespace = meta.get("name"), meta.get("namespace")
            suffix = " (server dry run)" if self.command.dry_run == SERVER else ""
            while True:
                self.command.inv.out(f"evicting pod {namespace}/{name}{suffix}")
                if deadline is not None and time.monotonic() >= deadline:
                    errors.append(
                        CommandError(
                            f'error when evicting pods/"{name}" -n "{namespace}": global '
                            f"timeout reached: {go_duration(self.timeout)}"
                        )
                    )
                    break
                try:
                    self._evict(pod)
                except ApiError as err:
                    if err.code == 404:
                        break
                    if err.code == 429:
                        self.command.inv.err(
                            f'error when evicting pods/"{name}" -n "{namespace}" (will retry '
                            f"after 5s): {aggregate_line(err)}"
                        )
                        time.sleep(RETRY_SECONDS)
                        continue
                    errors.append(
                        CommandError(
                            f'error when evicting pods/"{name}" -n "{namespace}": '
                            f"{aggregate_line(err)}"
                        )
                    )
                    break
                if self.command.dry_run != SERVER:
                    waiting.append(pod)
                break
        for pod in waiting:
            problem = self._wait_for_delete([pod], "evicted", deadline)
            if problem:
                meta = _meta(pod)
                errors.append(
                    CommandError(
                        f'error when waiting for pod "{meta.get("name")}" in namespace '
                        f'"{meta.get("namespace")}" to terminate: {problem}'
                    )
                )
        return errors

    def _delete_all(self, pods: list[Obj]) -> list[BaseException]:
        resource = self._pods_resource()
        for pod in pods:
            meta = _meta(pod)
            try:
                self.client.delete(
                    resource, meta.get("namespace"), meta.get("name"), self._delete_options()
                )
            except ApiError as err:
                if err.code != 404:
                    return [err]
        deadline = time.monotonic() + self.timeout if self.timeout else None
        problem = self._wait_for_delete(pods, "deleted", deadline)
        return [CommandError(problem)] if problem else []

    def drain_node(self, info: Info) -> BaseException | None:
        """Evict or delete one node's pods; the error that stopped it, if any."""
        name = info.name or ""
        found, refusals = self.pods_for_deletion(name)
        if refusals:
            return aggregate([CommandError(line) for line in refusals])
        warnings = found.warnings()
        if warnings:
            self.command.inv.err(f"Warning: {warnings}")
        pods = found.pods()
        if self.command.dry_run == CLIENT:
            for pod in pods:
                self.command.inv.out(f"evicting pod {_pod_ref(pod)} (dry run)")
            return None
        if not pods:
            return None
        errors = self._delete_all(pods) if self.disable_eviction else self._evict_all(pods)
        if not errors:
            return None
        pending, _ = self.pods_for_deletion(name)
        left = pending.pods()
        if left:
            self.command.inv.err(
                f'There are pending pods in node "{name}" when an error occurred: '
                f"{aggregate_line(aggregate(errors))}"
            )
            for pod in left:
                self.command.inv.err(f"pod/{_meta(pod).get('name')}")
        return aggregate(errors)


def _drain(command: NodeCommand) -> int:
    flags = command.inv.flags
    drainer = Drainer(
        command,
        force=flags["force"],
        ignore_daemonsets=flags["ignore_daemonsets"],
        delete_emptydir_data=flags["delete_emptydir_data"] or flags["delete_local_data"],
        disable_eviction=flags["disable_eviction"],
        grace_period=flags["grace_period"],
        timeout=flags["timeout"],
        pod_selector=flags["pod_selector"],
        skip_wait_seconds=flags["skip_wait_for_delete_timeout"],
        chunk_size=flags["chunk_size"],
    )
    set_unschedulable(command, True)
    drained: list[str] = []
    for info in command.nodes:
        error = drainer.drain_node(info)
        if error is None:
            drained.append(info.name or "")
            command.print(info.obj or {}, "drained")
            continue
        command.inv.err(
            f'error: unable to drain node "{info.name}" due to error: '
            f"{aggregate_line(error)}, continuing command..."
        )
        remaining = [node.name for node in command.nodes if node.name not in drained]
        command.inv.err("There are pending nodes to be drained:")
        for name in remaining:
            command.inv.err(f" {name}")
        raise AggregateError(error.errors if isinstance(error, AggregateError) else [error])
    return 0


def run(inv: Invocation) -> int:
    from backends.objects.selectors import SelectorError, parse_label_selector

    pod_selector = inv.flags["pod_selector"]
    if pod_selector:
        try:
            parse_label_selector(pod_selector)
        except SelectorError:
            raise CommandError(
                "--pod-selector=<pod_selector> must be a valid label selector"
            ) from None
    return open_node_command(inv, _drain)


HELP = Help(
    use="drain NODE",
    short="Drain node in preparation for maintenance",
    long="""Drain node in preparation for maintenance.

 The given node will be marked unschedulable to prevent new pods from arriving. 'drain' evicts the pods if the API server supports https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ eviction https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ . Otherwise, it will use normal DELETE to delete the pods. The 'drain' evicts or deletes all pods except mirror pods (which cannot be deleted through the API server).  If there are daemon set-managed pods, drain will not proceed without --ignore-daemonsets, and regardless it will not delete any daemon set-managed pods, because those pods would be immediately replaced by the daemon set controller, which ignores unschedulable markings.  If there are any pods that are neither mirror pods nor managed by a replication controller, replica set, daemon set, stateful set, or job, then drain will not delete any pods unless you use --force.  --force will also allow deletion to proceed if the managing resource of one or more pods is missing.

 'drain' waits for graceful termination. You should not operate on the machine until the command completes.

 When you are ready to put the node back into service, use pykctl uncordon, which will make the node schedulable again.

https://kubernetes.io/images/docs/kubectl_drain.svg Workflowhttps://kubernetes.io/images/docs/kubectl_drain.svg""",
    example="""# Drain node "foo", even if there are pods not managed by a replication controller, replica set, job, daemon set, or stateful set on it
pykctl drain foo --force

# As above, but abort if there are pods not managed by a replication controller, replica set, job, daemon set, or stateful set, and use a grace period of 15 minutes
pykctl drain foo --grace-period=900""",
)

EMPTYDIR_USAGE = (
    "Continue even if there are pods using emptyDir (local data that will be deleted when the "
    "node is drained)."
)

FLAGS = [
    Flag(
        "chunk-size",
        INT,
        default=500,
        usage="Return large lists in chunks rather than all at once. Pass 0 to disable.",
    ),
    Flag("delete-emptydir-data", BOOL, usage=EMPTYDIR_USAGE),
    Flag(
        "delete-local-data",
        BOOL,
        usage=EMPTYDIR_USAGE,
        deprecated="This option is deprecated and will be deleted. Use --delete-emptydir-data.",
    ),
    Flag(
        "disable-eviction",
        BOOL,
        usage="Force drain to use delete, even if eviction is supported. This will bypass "
        "checking PodDisruptionBudgets, use with caution.",
    ),
    Flag("force", BOOL, usage="Continue even if there are pods that do not declare a controller."),
    Flag(
        "grace-period",
        INT,
        default=-1,
        usage="Period of time in seconds given to each pod to terminate gracefully. If negative, "
        "the default value specified in the pod will be used.",
    ),
    Flag("ignore-daemonsets", BOOL, usage="Ignore DaemonSet-managed pods."),
    Flag("pod-selector", STRING, usage="Label selector to filter pods on the node"),
    Flag(
        "skip-wait-for-delete-timeout",
        INT,
        usage="If pod DeletionTimestamp older than N seconds, skip waiting for the pod.  Seconds "
        "must be greater than 0 to skip.",
    ),
    Flag(
        "timeout",
        DURATION,
        usage="The length of time to wait before giving up, zero means infinite",
    ),
    *node_flags(),
]

drain = KCommand("drain", run, HELP, FLAGS)

__all__ = ["Drainer", "PodList", "Verdict", "drain", "go_duration"]

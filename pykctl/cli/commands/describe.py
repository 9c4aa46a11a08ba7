"""``pykctl describe``: show details of objects, with related objects and events.

As kubectl's ``describe``: the arguments (``TYPE NAME...``, ``TYPE/NAME...``, ``TYPE`` alone
for every object of the type, ``-l``, ``-A``, ``-f``) select objects; each is described by the
describer of its kind (``pykctl.describe``, pure functions), or the generic one. This module is
the I/O side: it fetches what each describer needs (events, a Deployment's ReplicaSets, a
Node's pods and lease, a Namespace's quotas...) and tolerates the secondary failures kubectl
tolerates. Descriptions are separated by two empty lines; events are shown for one object
only unless ``--show-events`` is given. When ``TYPE NAME`` finds nothing, every object of the
type whose name starts with NAME is described (one empty line after each). Errors are
collected (each distinct message once) and reported after everything else, exit code 1.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

from backends.errors import ApiError
from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import BOOL, INT, STRING_SLICE, Flag
from pykctl.cli.shared_flags import selector_flag
from pykctl.client import Client
from pykctl.resources.discovery import Resource

if TYPE_CHECKING:
    from pykctl.describe.workloads import PodCounts
    from pykctl.session import Session

Obj = dict[str, Any]

HELP = Help(
    use="describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)",
    short="Show details of a specific resource or group of resources",
    long=f"""Show details of a specific resource or group of resources.

 Print a detailed description of the selected resources, including related resources such as events or controllers. You may select a single object by name, all objects of that type, provide a name prefix, or label selector. For example:

        $ {PROGRAM} describe TYPE NAME_PREFIX
        \n will first check for an exact match on TYPE and NAME_PREFIX. If no such resource exists, it will output details for every resource that has a name prefixed with NAME_PREFIX.

Use "{PROGRAM} api-resources" for a complete list of supported resources.""",
    example=f"""# Describe a node
{PROGRAM} describe nodes kubernetes-node-emt8.c.myproject.internal

# Describe a pod
{PROGRAM} describe pods/nginx

# Describe a pod identified by type and name in "pod.json"
{PROGRAM} describe -f pod.json

# Describe all pods
{PROGRAM} describe pods

# Describe pods by label name=myLabel
{PROGRAM} describe pods -l name=myLabel

# Describe all pods managed by the 'frontend' replication controller
# (rc-created pods get the name of the rc as a prefix in the pod name)
{PROGRAM} describe pods frontend""",
)

FLAGS = [
    Flag(
        "all-namespaces",
        BOOL,
        shorthand="A",
        usage="If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.",
    ),
    Flag(
        "chunk-size",
        INT,
        default=500,
        usage="Return large lists in chunks rather than all at once. Pass 0 to disable.",
    ),
    Flag(
        "filename",
        STRING_SLICE,
        shorthand="f",
        usage="Filename, directory, or URL to files containing the resource to describe",
    ),
    Flag(
        "kustomize",
        shorthand="k",
        usage="Process the kustomization directory. This flag can't be used together with -f or -R.",
    ),
    Flag(
        "recursive",
        BOOL,
        shorthand="R",
        usage="Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.",
    ),
    selector_flag(),
    Flag(
        "show-events",
        BOOL,
        default=True,
        usage="If true, display events related to the described object. Defaults to true for a single object, false for multiple objects and prefix matching.",
    ),
]

MISSING_TYPE = (
    "You must specify the type of resource to describe. "
    f'Use "{PROGRAM} api-resources" for a complete list of supported resources.\n'
)


def _typed(group_version: str, plural: str, kind: str, namespaced: bool = True) -> Resource:
    """A resource kubectl reads with its typed client (a fixed group and version)."""
    group, _, version = group_version.rpartition("/")
    return Resource(group, version, plural, kind.lower(), kind, namespaced)


PODS = _typed("v1", "pods", "Pod")
EVENTS = _typed("v1", "events", "Event")
QUOTAS = _typed("v1", "resourcequotas", "ResourceQuota")
LIMIT_RANGES = _typed("v1", "limitranges", "LimitRange")
SERVICES = _typed("v1", "services", "Service")
ENDPOINT_SLICES = _typed("discovery.k8s.io/v1", "endpointslices", "EndpointSlice")
REPLICA_SETS = _typed("apps/v1", "replicasets", "ReplicaSet")
LEASES = _typed("coordination.k8s.io/v1", "leases", "Lease")
RESOURCE_SLICES = _typed("resource.k8s.io/v1", "resourceslices", "ResourceSlice", False)
HPA_V2 = _typed("autoscaling/v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler")
HPA_V1 = _typed("autoscaling/v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler")
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"


# ---------------------------------------------------------------- fetching related objects


@dataclass
class Related:
    """The reads a describer needs, with kubectl's settings (events on/off, chunk size)."""

    client: Client
    show_events: bool
    chunk_size: int
    now: datetime

    def list_all(
        self,
        resource: Resource,
        namespace: str | None,
        label_selector: str = "",
        field_selector: str = "",
        chunked: bool = True,
    ) -> list[Obj]:
        """Every item of a list, following ``continue``; raises ApiError."""
        query = []
        if label_selector:
            query.append(("labelSelector", label_selector))
        if field_selector:
            query.append(("fieldSelector", field_selector))
        found: list[Obj] = []
        size = self.chunk_size if chunked else 0
        try:
            for page in self.client.list_all_pages(resource, namespace, query, size):
                found.extend(item for item in page.get("items") or [] if isinstance(item, dict))
        except ApiError as err:
            raise enhance_list_error(err, resource.plural, label_selector, field_selector) from None
        return found

    def events(
        self, obj: Obj, kind: str | None, uid: str | None = None, fail: bool = False
    ) -> list[Obj] | None:
        """The object's events (None when events are not shown). kubectl ignores a failed
        events query (an empty list) except for ConfigMaps (``fail``)."""
        if not self.show_events:
            return None
        from pykctl.describe.events import field_selector

        meta = obj.get("metadata") or {}
        namespace = str(meta.get("namespace") or "")
        selector = field_selector(
            str(meta.get("name") or ""),
            namespace,
            kind,
            str(meta.get("uid") or "") if uid is None else uid,
        )
        try:
            return self.list_all(EVENTS, namespace or None, field_selector=selector)
        except ApiError:
            if fail:
                raise
            return []


def enhance_list_error(err: ApiError, subject: str, labels: str, fields: str) -> ApiError:
    """kubectl's EnhanceListError: a NotFound or BadRequest list error names what was listed."""
    if err.code not in (400, 404):
        return err
    if not labels and not fields:
        message = f'Unable to list "{subject}": {err.message}'
    else:
        message = (
            f'Unable to find "{subject}" that match label selector "{labels}", '
            f'field selector "{fields}": {err.message}'
        )
    return ApiError(err.code, err.reason, message, {**err.status, "message": message})


def _describe_pod(r: Related, pod: Obj) -> str:
    from pykctl.describe.pod import describe_pod

    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    uid = annotations.get(MIRROR_POD_ANNOTATION)
    return describe_pod(pod, r.events(pod, None, uid=uid), r.now)


def _selector_of(obj: Obj) -> str:
    from pykctl.describe.workloads import selector_string

    return selector_string((obj.get("spec") or {}).get("selector"))


def _uid(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("uid") or "")


def _namespace(obj: Obj) -> str | None:
    return (obj.get("metadata") or {}).get("namespace") or None


def _controller_pods(r: Related, obj: Obj, selector: str) -> PodCounts:
    from pykctl.describe.workloads import pod_counts

    return pod_counts(r.list_all(PODS, _namespace(obj), label_selector=selector), _uid(obj))


def _describe_replica_set(r: Related, rs: Obj) -> str:
    from pykctl.describe.workloads import describe_replica_set

    pods: PodCounts | str
    try:
        pods = _controller_pods(r, rs, _selector_of(rs))
    except ApiError as err:
        pods = err.message
    return describe_replica_set(rs, r.events(rs, "ReplicaSet"), pods, r.now)


def _describe_replication_controller(r: Related, rc: Obj) -> str:
    from backends.objects.selectors import selector_from_set
    from pykctl.describe.workloads import describe_replication_controller

    selector = str(selector_from_set((rc.get("spec") or {}).get("selector")))
    pods = _controller_pods(r, rc, selector)
    events = r.events(rc, "ReplicationController")
    return describe_replication_controller(rc, events, pods, r.now)


def _describe_daemon_set(r: Related, ds: Obj) -> str:
    from pykctl.describe.workloads import describe_daemon_set

    pods = _controller_pods(r, ds, _selector_of(ds))
    return describe_daemon_set(ds, r.events(ds, "DaemonSet"), pods, r.now)


def _describe_stateful_set(r: Related, sts: Obj) -> str:
    from pykctl.describe.workloads import describe_stateful_set

    pods = _controller_pods(r, sts, _selector_of(sts))
    return describe_stateful_set(sts, r.events(sts, "StatefulSet"), pods, r.now)


def _describe_deployment(r: Related, deployment: Obj) -> str:
    from pykctl.describe.workloads import describe_deployment

    events = r.events(deployment, "Deployment")
    replica_sets: list[Obj] | None
    try:
        replica_sets = r.list_all(
            REPLICA_SETS, _namespace(deployment), label_selector=_selector_of(deployment)
        )
    except ApiError:
        replica_sets = None
    return describe_deployment(deployment, events, replica_sets, r.now)


def _describe_service(r: Related, service: Obj) -> str:
    from pykctl.describe.service import SERVICE_NAME_LABEL, describe_service

    name = (service.get("metadata") or {}).get("name")
    try:
        slices = r.list_all(
            ENDPOINT_SLICES,
            _namespace(service),
            label_selector=f"{SERVICE_NAME_LABEL}={name}",
            chunked=False,
        )
    except ApiError:
        slices = []
    return describe_service(service, slices, r.events(service, "Service"), r.now)


def _describe_ingress(r: Related, ingress: Obj) -> str:
    from pykctl.describe.ingress import BackendInfo, backend_services, describe_ingress
    from pykctl.describe.service import SERVICE_NAME_LABEL

    namespace = _namespace(ingress)
    backends: dict[str, BackendInfo] = {}
    for name in backend_services(ingress):
        try:
            slices = r.list_all(
                ENDPOINT_SLICES,
                namespace,
                label_selector=f"{SERVICE_NAME_LABEL}={name}",
                chunked=False,
            )
            service = r.client.get(SERVICES, namespace, name)
        except ApiError as err:
            backends[name] = BackendInfo(error=err.message)
            continue
        backends[name] = BackendInfo(service=service, slices=slices)
    return describe_ingress(ingress, backends, r.events(ingress, "Ingress"), r.now)


def _describe_node(r: Related, node: Obj) -> str:
    from backends.objects.selectors import escape_field_value
    from pykctl.describe.node import NodeRelated, describe_node

    name = str((node.get("metadata") or {}).get("name") or "")
    related = NodeRelated()
    try:
        related.pods = r.list_all(
            PODS,
            None,
            field_selector=f"spec.nodeName={escape_field_value(name)},"
            "status.phase!=Succeeded,status.phase!=Failed",
        )
    except ApiError as err:
        if err.code != 403:
            raise
    events = r.events(node, "Node")
    if events is not None:
        events = events + (r.events(node, "Node", uid=name) or [])
    try:
        related.lease = r.client.get(LEASES, "kube-node-lease", name)
    except ApiError as err:
        related.lease_error = err.message
    with contextlib.suppress(ApiError):
        related.resource_slices = r.list_all(
            RESOURCE_SLICES,
            None,
            field_selector=f"spec.nodeName={escape_field_value(name)}",
            chunked=False,
        )
    return describe_node(node, related, events, r.now)


def _not_served(call: Callable[[], list[Obj]]) -> list[Obj] | None:
    """A namespace's quota or limit-range list; None when the server has no such resource."""
    try:
        return call()
    except ApiError as err:
        if err.code == 404:
            return None
        raise


def _describe_namespace(r: Related, namespace: Obj) -> str:
    from pykctl.describe.namespace import describe_namespace

    name = str((namespace.get("metadata") or {}).get("name") or "")
    quotas = _not_served(lambda: r.list_all(QUOTAS, name))
    limit_ranges = _not_served(lambda: r.list_all(LIMIT_RANGES, name))
    return describe_namespace(namespace, quotas, limit_ranges)


def _describe_claim(r: Related, claim: Obj) -> str:
    from pykctl.describe.storage import describe_persistent_volume_claim, pods_for_claim

    pods = pods_for_claim(claim, r.list_all(PODS, _namespace(claim)))
    events = r.events(claim, "PersistentVolumeClaim")
    return describe_persistent_volume_claim(claim, events, pods, r.now)


def _describe_config_map(r: Related, config_map: Obj) -> str:
    from pykctl.describe.config import describe_config_map

    events = r.events(config_map, "ConfigMap", fail=True)
    return describe_config_map(config_map, events, r.now)


def _describe_hpa(r: Related, hpa: Obj) -> str:
    """kubectl reads the autoscaling/v2 form, or autoscaling/v1 when v2 is not served."""
    from pykctl.describe.autoscaling import describe_hpa_v1, describe_hpa_v2

    meta = hpa.get("metadata") or {}
    name, namespace = str(meta.get("name") or ""), _namespace(hpa)
    try:
        v2 = r.client.get(HPA_V2, namespace, name)
    except ApiError:
        v1 = r.client.get(HPA_V1, namespace, name)
        return describe_hpa_v1(v1, r.events(v1, "HorizontalPodAutoscaler"), r.now)
    return describe_hpa_v2(v2, r.events(v2, "HorizontalPodAutoscaler"), r.now)


def _without_related(module: str, function: str, events: bool = True) -> Describer:
    """A describer that needs the object (and its events) only."""

    def describe(r: Related, obj: Obj) -> str:
        target = getattr(__import__(f"pykctl.describe.{module}", fromlist=[function]), function)
        if not events:
            return str(target(obj))
        kind = str(obj.get("kind") or "")
        return str(target(obj, r.events(obj, kind), r.now))

    return describe


Describer = Callable[[Related, Obj], str]

DESCRIBERS: dict[tuple[str, str], Describer] = {
    ("", "Pod"): _describe_pod,
    ("", "ReplicationController"): _describe_replication_controller,
    ("", "Secret"): _without_related("config", "describe_secret", events=False),
    ("", "Service"): _describe_service,
    ("", "ServiceAccount"): _without_related("config", "describe_service_account"),
    ("", "Node"): _describe_node,
    ("", "LimitRange"): _without_related("namespace", "describe_limit_range", events=False),
    ("", "ResourceQuota"): _without_related("namespace", "describe_resource_quota", events=False),
    ("", "PersistentVolume"): _without_related("storage", "describe_persistent_volume"),
    ("", "PersistentVolumeClaim"): _describe_claim,
    ("", "Namespace"): _describe_namespace,
    ("", "Endpoints"): _without_related("service", "describe_endpoints"),
    ("", "ConfigMap"): _describe_config_map,
    ("discovery.k8s.io", "EndpointSlice"): _without_related("service", "describe_endpoint_slice"),
    ("networking.k8s.io", "Ingress"): _describe_ingress,
    ("networking.k8s.io", "IngressClass"): _without_related("ingress", "describe_ingress_class"),
    ("batch", "Job"): _without_related("workloads", "describe_job"),
    ("batch", "CronJob"): _without_related("workloads", "describe_cron_job"),
    ("apps", "StatefulSet"): _describe_stateful_set,
    ("apps", "Deployment"): _describe_deployment,
    ("apps", "DaemonSet"): _describe_daemon_set,
    ("apps", "ReplicaSet"): _describe_replica_set,
    ("storage.k8s.io", "StorageClass"): _without_related("storage", "describe_storage_class"),
    ("storage.k8s.io", "CSINode"): _without_related("storage", "describe_csi_node"),
    ("storage.k8s.io", "VolumeAttributesClass"): _without_related(
        "storage", "describe_volume_attributes_class"
    ),
    ("autoscaling", "HorizontalPodAutoscaler"): _describe_hpa,
    ("certificates.k8s.io", "CertificateSigningRequest"): _without_related(
        "certificates", "describe_csr"
    ),
    ("policy", "PodDisruptionBudget"): _without_related(
        "scheduling", "describe_pod_disruption_budget"
    ),
    ("", "PriorityClass"): _without_related("scheduling", "describe_priority_class"),
    ("scheduling.k8s.io", "PriorityClass"): _without_related(
        "scheduling", "describe_priority_class"
    ),
    ("networking.k8s.io", "NetworkPolicy"): _without_related(
        "networking", "describe_network_policy", events=False
    ),
    ("networking.k8s.io", "ServiceCIDR"): _without_related("networking", "describe_service_cidr"),
    ("networking.k8s.io", "IPAddress"): _without_related("networking", "describe_ip_address"),
    ("rbac.authorization.k8s.io", "Role"): _without_related("rbac", "describe_role", events=False),
    ("rbac.authorization.k8s.io", "ClusterRole"): _without_related(
        "rbac", "describe_role", events=False
    ),
    ("rbac.authorization.k8s.io", "RoleBinding"): _without_related(
        "rbac", "describe_binding", events=False
    ),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _without_related(
        "rbac", "describe_binding", events=False
    ),
}


def describer_for(resource: Resource) -> Describer:
    """The describer kubectl uses for this resource's kind (the generic one by default)."""
    return DESCRIBERS.get(
        (resource.group, resource.kind), _without_related("generic", "describe_generic")
    )


# ---------------------------------------------------------------- selecting objects


@dataclass
class Target:
    """One object to describe: its type, where it lives, and the object when already read."""

    resource: Resource
    namespace: str | None
    name: str
    obj: Obj | None = None


@dataclass
class Selection:
    """The objects of a command line and the errors met finding them (ContinueOnError).

    kubectl's builder keeps two kinds apart: ``errors`` met per object (a named object's GET,
    a namespace mismatch) and ``read_errors`` met reading the sources (files, decoding, REST
    mapping, lists), which it nests as one aggregate after the others.
    """

    targets: list[Target] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    read_errors: list[BaseException] = field(default_factory=list)

    def visit_errors(self) -> list[BaseException]:
        """The builder's errors, as the describe loop sees them."""
        found = list(self.errors)
        if self.read_errors:
            found.append(AggregateError(self.read_errors))
        return found


def _raw_message(err: BaseException) -> str:
    """Go's ``err.Error()``: a Status error's message, a client error's text."""
    return err.message if isinstance(err, ApiError) else str(err)


def _line(err: BaseException) -> str:
    """kubectl's messageForError: Status errors as ``Error from server ...``, others bare; a
    nested aggregate as ``[a, b]`` (each distinct message once)."""
    from pykctl.cli.errors import message_for

    if isinstance(err, AggregateError):
        messages = list(dict.fromkeys(_raw_message(e) for e in err.errors))
        return messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
    if isinstance(err, ApiError):
        return message_for(err)
    return message_for(err).removeprefix("error: ")


class AggregateError(RawError):
    """Several errors (kubectl's MultipleErrors): one line each, see ``_line``."""

    def __init__(self, errors: list[BaseException]) -> None:
        self.errors = errors
        super().__init__("\n".join(_line(err) for err in errors))


def final_error(
    visit_errors: list[BaseException], describe_errors: list[BaseException]
) -> BaseException:
    """The error kubectl reports: the builder's errors (one aggregate when several) followed by
    the describers'; a lone error prints as itself, several one per line."""
    top: list[BaseException] = list(describe_errors)
    if len(visit_errors) == 1:
        top.insert(0, visit_errors[0])
    elif visit_errors:
        top.insert(0, AggregateError(visit_errors))
    return top[0] if len(top) == 1 else AggregateError(top)


@dataclass
class DescribeOptions:
    """``describe`` flags and arguments, completed against a session."""

    args: list[str]
    filenames: list[str]
    recursive: bool
    kustomize: str
    selector: str
    all_namespaces: bool
    show_events: bool
    show_events_set: bool
    chunk_size: int

    @classmethod
    def from_invocation(cls, inv: Invocation) -> DescribeOptions:
        flags = inv.flags
        return cls(
            args=list(inv.args),
            filenames=list(flags["filename"]),
            recursive=bool(flags["recursive"]),
            kustomize=str(flags["kustomize"]),
            selector=str(flags["selector"]),
            all_namespaces=bool(flags["all_namespaces"]),
            show_events=bool(flags["show_events"]),
            show_events_set="show_events" in inv.changed,
            chunk_size=int(flags["chunk_size"]),
        )

    def validate(self) -> None:
        if not self.args and not self.filenames and not self.kustomize:
            raise CommandError(MISSING_TYPE)
        if self.kustomize and self.filenames:
            raise CommandError("only one of -f or -k can be specified")
        if self.kustomize:
            raise CommandError("pykctl does not support kustomize (-k)")


def _select(options: DescribeOptions, session: Session, inv: Invocation) -> Selection:
    """Resolve arguments and files into targets, fetching what the arguments name."""
    from pykctl.resources.builder import Builder, BuilderError, split_type_name_args
    from pykctl.resources.builder import Selection as BuilderSelection
    from pykctl.resources.mapper import UnknownResource

    if options.filenames:
        return _file_targets(options, session, inv)
    selection = BuilderSelection(
        session.namespace, all_namespaces=options.all_namespaces, selector=options.selector
    )
    try:
        for type_arg, name in split_type_name_args(options.args):
            if name is not None and len(_map_type(session, type_arg)) > 1:
                raise CommandError("you must specify only one resource")
        infos = Builder(session.mapper).from_args(options.args, selection)
    except (BuilderError, UnknownResource) as err:
        raise CommandError(str(err).replace("'kubectl ", f"'{PROGRAM} ")) from None
    for info in infos:
        if info.name is not None and options.all_namespaces and info.resource.namespaced:
            raise CommandError("a resource cannot be retrieved by name across all namespaces")
    result = Selection()
    for info in infos:
        if info.name is not None:
            try:
                obj = session.client.get(info.resource, info.namespace, info.name)
            except ApiError as err:
                result.errors.append(err)
                continue
            result.targets.append(Target(info.resource, info.namespace, info.name, obj))
            continue
        try:
            result.targets.extend(
                _list_targets(session.client, info.resource, info.namespace, options)
            )
        except ApiError as err:
            result.read_errors.append(err)
    return result


# ---------------------------------------------------------------- objects named in files

_JSON_TYPES = {bool: "bool", int: "number", float: "number", str: "string", list: "array"}


def _go_json_type(value: Any) -> str:
    return "object" if isinstance(value, dict) else _JSON_TYPES.get(type(value), "null")


def _file_targets(options: DescribeOptions, session: Session, inv: Invocation) -> Selection:
    """Objects named by ``-f``: each file read and each object mapped on its own; what fails
    becomes an error printed as kubectl prints the builder's (no ``error:`` prefix)."""
    import os

    from backends.objects.selectors import SelectorError, parse_label_selector
    from pykctl.resources import manifests

    missing = [
        f'the path "{path}" does not exist'
        for path in options.filenames
        if path != "-" and not path.startswith(("http://", "https://")) and not os.path.exists(path)
    ]
    if missing:
        raise CommandError(missing[0]) if len(missing) == 1 else RawError("\n".join(missing))
    if options.args:
        if any("/" in arg for arg in options.args):
            raise CommandError(
                "resource/name arguments cannot be provided when a path is specified"
            )
        raise CommandError(
            "when paths, URLs, or stdin is provided as input, "
            "you may not specify resource arguments as well"
        )
    selector = None
    if options.selector:
        try:
            selector = parse_label_selector(options.selector)
        except SelectorError as err:
            raise CommandError(
                f'the provided selector "{options.selector}" is not valid: {err}'
            ) from None
    result = Selection()
    for path in options.filenames:
        try:
            found = manifests.read([path], options.recursive, inv.stdin)
        except manifests.ManifestError as err:
            result.read_errors.append(RawError(str(err)))
            continue
        for manifest in found:
            try:
                target = _manifest_target(manifest, options, session)
            except RawError as err:
                result.read_errors.append(err)
                continue
            except CommandError as err:
                result.errors.append(err)
                continue
            labels = (manifest.obj.get("metadata") or {}).get("labels") or {}
            if selector is None or selector.matches(labels):
                result.targets.append(target)
    return result


def _resource_for_kind(session: Session, group: str, version: str, kind: str) -> Resource:
    """The REST mapping of a manifest's kind; without a version, the group's preferred one."""
    from pykctl.resources.mapper import UnknownKind

    if version:
        return session.mapper.for_kind(group, version, kind)
    catalog = session.mapper.discovery.catalog()
    found = [r for r in catalog.resources if r.group == group and r.kind == kind]
    preferred = [r for r in found if r.version == catalog.preferred_version(group)]
    if not (preferred or found):
        raise UnknownKind(group, version, kind)
    return (preferred or found)[0]


def _manifest_target(manifest: Any, options: DescribeOptions, session: Session) -> Target:
    """The object one manifest names (kubectl's unstructured decoding and REST mapping)."""
    import json

    from pykctl.resources.mapper import UnknownKind

    obj, source = manifest.obj, manifest.source
    if not obj.get("kind"):
        compact = json.dumps(obj, separators=(",", ":"), sort_keys=True)
        raise RawError(
            f"unable to decode {json.dumps(source)}: Object 'Kind' is missing in '{compact}'"
        )
    meta = obj.get("metadata") or {}
    for field_name in ("name", "namespace"):
        value = meta.get(field_name)
        if value is not None and not isinstance(value, str):
            raise RawError(
                f"unable to decode {json.dumps(source)}: json: cannot unmarshal "
                f"{_go_json_type(value)} into Go struct field ObjectMeta.metadata.{field_name} "
                "of type string"
            )
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    try:
        resource = _resource_for_kind(session, group, version, str(obj["kind"]))
    except UnknownKind as err:
        message = str(err)
        if not version:
            message = f'no matches for kind "{obj["kind"]}" in group "{group}"'
        raise RawError(
            f'resource mapping not found for name: "{name}" namespace: "{namespace}" from '
            f'"{source}": {message}\nensure CRDs are installed first'
        ) from None
    if not resource.namespaced:
        return Target(resource, None, name)
    enforced = session.namespace_explicit and not options.all_namespaces
    if enforced and namespace and namespace != session.namespace:
        raise CommandError(
            f'the namespace from the provided object "{namespace}" does not match the '
            f'namespace "{session.namespace}". You must pass '
            f"'--namespace={namespace}' to perform this operation."
        )
    if not namespace and not options.all_namespaces:
        namespace = session.namespace
    return Target(resource, namespace, name)


def _list_targets(
    client: Client, resource: Resource, namespace: str | None, options: DescribeOptions
) -> Iterator[Target]:
    query = [("labelSelector", options.selector)] if options.selector else []
    pages = client.list_all_pages(resource, namespace, query, options.chunk_size)
    try:
        listed = [item for page in pages for item in page.get("items") or []]
    except ApiError as err:
        subject = f"{resource.group}/{resource.version}, Resource={resource.plural}"
        raise enhance_list_error(err, subject, options.selector, "") from None
    for item in listed:
        meta = item.get("metadata") or {}
        item_namespace = meta.get("namespace") if resource.namespaced else None
        yield Target(resource, item_namespace, str(meta.get("name") or ""), item)


# ---------------------------------------------------------------- running


def _describe(related: Related, target: Target) -> str:
    obj = target.obj
    if obj is None:
        if not target.name:
            raise CommandError("resource name may not be empty")
        obj = related.client.get(target.resource, target.namespace or None, target.name)
    obj.setdefault("kind", target.resource.kind)
    obj.setdefault("apiVersion", target.resource.group_version)
    return describer_for(target.resource)(related, obj)


def _map_type(session: Session, type_arg: str) -> list[Resource]:
    """The resources a type argument names (a category names several)."""
    from pykctl.resources.mapper import UnknownResource

    try:
        return session.mapper.expand(type_arg)
    except UnknownResource as err:
        raise CommandError(str(err)) from None


def _prefix_candidates(session: Session, options: DescribeOptions) -> Iterator[Target]:
    """What kubectl's DescribeMatchingResources looks through: every object of the one type
    (not filtered by ``-l``), or the one object a ``TYPE/NAME`` argument names."""
    type_arg = options.args[0]
    if "/" in type_arg:
        kind, _, name = type_arg.partition("/")
        resource = _map_type(session, kind)[0]
        namespace = session.namespace if resource.namespaced else None
        obj = session.client.get(resource, namespace, name)
        yield Target(resource, namespace, name, obj)
        return
    resources = [r for t in type_arg.split(",") if t for r in _map_type(session, t)]
    if len(resources) != 1:
        raise CommandError("you may only specify a single resource type")
    resource = resources[0]
    namespace = session.namespace if resource.namespaced else None
    everything = DescribeOptions(**{**options.__dict__, "selector": ""})
    yield from _list_targets(session.client, resource, namespace, everything)


def _describe_prefix(
    related: Related, session: Session, options: DescribeOptions, original: ApiError, out: TextIO
) -> None:
    """Describe every object whose name starts with the name argument (one blank line after
    each); when none does, the original NotFound is the error."""
    prefix = options.args[1]
    found = False
    for target in _prefix_candidates(session, options):
        if target.name.startswith(prefix):
            found = True
            out.write(_describe(related, target) + "\n")
    if not found:
        raise original


def run(inv: Invocation) -> int:
    import time

    from pykctl.session import Session

    options = DescribeOptions.from_invocation(inv)
    options.validate()
    time.tzset()  # timestamps print in the local zone of this run's TZ, as kubectl's do
    with Session.open(inv) as session:
        selection = _select(options, session, inv)
        errors = selection.visit_errors()
        single = len(selection.targets) <= 1 and not errors
        related = Related(
            session.client,
            options.show_events if (single or options.show_events_set) else False,
            options.chunk_size,
            datetime.now(timezone.utc),
        )
        if (
            len(errors) == 1
            and isinstance(errors[0], ApiError)
            and errors[0].code == 404
            and len(options.args) == 2
        ):
            _describe_prefix(related, session, options, errors[0], inv.stdout)
            return 0
        seen: set[str] = set()
        failures: list[BaseException] = []
        first = True
        for target in selection.targets:
            try:
                text = _describe(related, target)
            except (ApiError, CommandError, ValueError) as err:  # ValueError: a describer's own
                message = err.message if isinstance(err, ApiError) else str(err)
                if message not in seen:
                    seen.add(message)
                    failures.append(
                        err if isinstance(err, (ApiError, CommandError)) else CommandError(message)
                    )
                continue
            inv.stdout.write(text if first else "\n\n" + text)
            first = False
        if not selection.targets and not errors:
            if options.all_namespaces:
                inv.err("No resources found")
            else:
                inv.err(f"No resources found in {session.namespace} namespace.")
        if errors or failures:
            raise final_error(errors, failures)
    return 0


describe = KCommand("describe", run, HELP, FLAGS)

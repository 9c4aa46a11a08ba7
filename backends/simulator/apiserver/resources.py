"""The resource types the simulator serves: names, kinds, scope, verbs, subresources.

This is the single source for discovery (/api, /apis, aggregated discovery), URL routing and
every per-kind behaviour keyed by resource. Order matters: groups and resources are listed in
the order kube-apiserver's discovery lists them (core first, then apps, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
CREATE_ONLY = ("create",)


@dataclass(frozen=True)
class Subresource:
    """``pods/log``, ``deployments/scale``: the kind it speaks and its verbs."""

    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str | None = None  # None: same group/version as the parent
    version: str | None = None


@dataclass(frozen=True)
class ResourceType:
    """One REST resource, e.g. ``deployments`` in ``apps/v1``."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[Subresource, ...] = field(default_factory=tuple)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        """The apiVersion objects of this type carry."""
        return self.group_version

    @property
    def qualified(self) -> str:
        """``deployments.apps`` (core resources have no suffix), as used in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def subresource(self, name: str) -> Subresource | None:
        for sub in self.subresources:
            if sub.name == name:
                return sub
        return None


def _status(kind: str) -> Subresource:
    return Subresource("status", kind, ("get", "patch", "update"))


def _scale() -> Subresource:
    return Subresource("scale", "Scale", ("get", "patch", "update"), "autoscaling", "v1")


R = ResourceType
RESOURCES: tuple[ResourceType, ...] = (
    # core/v1
    R("", "v1", "bindings", "binding", "Binding", verbs=CREATE_ONLY),
    R(
        "",
        "v1",
        "componentstatuses",
        "componentstatus",
        "ComponentStatus",
        False,
        ("cs",),
        verbs=("get", "list"),
    ),
    R("", "v1", "configmaps", "configmap", "ConfigMap", short_names=("cm",)),
    R("", "v1", "endpoints", "endpoints", "Endpoints", short_names=("ep",)),
    R("", "v1", "events", "event", "Event", short_names=("ev",)),
    R("", "v1", "limitranges", "limitrange", "LimitRange", short_names=("limits",)),
    R(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        False,
        ("ns",),
        verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
        subresources=(Subresource("finalize", "Namespace", ("update",)), _status("Namespace")),
    ),
    R(
        "",
        "v1",
        "nodes",
        "node",
        "Node",
        False,
        ("no",),
        subresources=(
            Subresource(
                "proxy", "NodeProxyOptions", ("create", "delete", "get", "patch", "update")
            ),
            _status("Node"),
        ),
    ),
    R(
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        short_names=("pvc",),
        subresources=(_status("PersistentVolumeClaim"),),
    ),
    R(
        "",
        "v1",
        "persistentvolumes",
        "persistentvolume",
        "PersistentVolume",
        False,
        ("pv",),
        subresources=(_status("PersistentVolume"),),
    ),
    R(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        short_names=("po",),
        categories=("all",),
        subresources=(
            Subresource("attach", "PodAttachOptions", ("create", "get")),
            Subresource("binding", "Binding", CREATE_ONLY),
            Subresource("ephemeralcontainers", "Pod", ("get", "patch", "update")),
            Subresource("eviction", "Eviction", CREATE_ONLY, "policy", "v1"),
            Subresource("exec", "PodExecOptions", ("create", "get")),
            Subresource("log", "Pod", ("get",)),
            Subresource("portforward", "PodPortForwardOptions", ("create", "get")),
            Subresource("proxy", "PodProxyOptions", ("create", "delete", "get", "patch", "update")),
            Subresource("resize", "Pod", ("get", "patch", "update")),
            _status("Pod"),
        ),
    ),
    R("", "v1", "podtemplates", "podtemplate", "PodTemplate"),
    R(
        "",
        "v1",
        "replicationcontrollers",
        "replicationcontroller",
        "ReplicationController",
        short_names=("rc",),
        categories=("all",),
        subresources=(_scale(), _status("ReplicationController")),
    ),
    R(
        "",
        "v1",
        "resourcequotas",
        "resourcequota",
        "ResourceQuota",
        short_names=("quota",),
        subresources=(_status("ResourceQuota"),),
    ),
    R("", "v1", "secrets", "secret", "Secret"),
    R(
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        short_names=("sa",),
        subresources=(
            Subresource("token", "TokenRequest", CREATE_ONLY, "authentication.k8s.io", "v1"),
        ),
    ),
    R(
        "",
        "v1",
        "services",
        "service",
        "Service",
        short_names=("svc",),
        categories=("all",),
        subresources=(
            Subresource(
                "proxy", "ServiceProxyOptions", ("create", "delete", "get", "patch", "update")
            ),
            _status("Service"),
        ),
    ),
    # apps/v1
    R("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision"),
    R(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        short_names=("ds",),
        categories=("all",),
        subresources=(_status("DaemonSet"),),
    ),
    R(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        short_names=("deploy",),
        categories=("all",),
        subresources=(_scale(), _status("Deployment")),
    ),
    R(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        short_names=("rs",),
        categories=("all",),
        subresources=(_scale(), _status("ReplicaSet")),
    ),
    R(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        short_names=("sts",),
        categories=("all",),
        subresources=(_scale(), _status("StatefulSet")),
    ),
    # events.k8s.io/v1
    R("events.k8s.io", "v1", "events", "event", "Event", short_names=("ev",)),
    # authentication / authorization: create-only reviews answered for the simulator's one user
    R(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        False,
        verbs=CREATE_ONLY,
    ),
    R(
        "authentication.k8s.io",
        "v1",
        "tokenreviews",
        "tokenreview",
        "TokenReview",
        False,
        verbs=CREATE_ONLY,
    ),
    R(
        "authorization.k8s.io",
        "v1",
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        "LocalSubjectAccessReview",
        verbs=CREATE_ONLY,
    ),
    R(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        False,
        verbs=CREATE_ONLY,
    ),
    R(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        "SelfSubjectRulesReview",
        False,
        verbs=CREATE_ONLY,
    ),
    R(
        "authorization.k8s.io",
        "v1",
        "subjectaccessreviews",
        "subjectaccessreview",
        "SubjectAccessReview",
        False,
        verbs=CREATE_ONLY,
    ),
    # autoscaling
    R(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        short_names=("hpa",),
        categories=("all",),
        subresources=(_status("HorizontalPodAutoscaler"),),
    ),
    # batch/v1
    R(
        "batch",
        "v1",
        "cronjobs",
        "cronjob",
        "CronJob",
        short_names=("cj",),
        categories=("all",),
        subresources=(_status("CronJob"),),
    ),
    R("batch", "v1", "jobs", "job", "Job", categories=("all",), subresources=(_status("Job"),)),
    # coordination.k8s.io/v1
    R("coordination.k8s.io", "v1", "leases", "lease", "Lease"),
    # discovery.k8s.io/v1
    R("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice"),
    # networking.k8s.io/v1
    R("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", False),
    R(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "ingress",
        "Ingress",
        short_names=("ing",),
        subresources=(_status("Ingress"),),
    ),
    R(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "networkpolicy",
        "NetworkPolicy",
        short_names=("netpol",),
    ),
    # policy/v1
    R(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        short_names=("pdb",),
        subresources=(_status("PodDisruptionBudget"),),
    ),
    # rbac.authorization.k8s.io/v1 (stored, not enforced)
    R(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        False,
    ),
    R("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", False),
    R("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding"),
    R("rbac.authorization.k8s.io", "v1", "roles", "role", "Role"),
    # scheduling.k8s.io/v1
    R(
        "scheduling.k8s.io",
        "v1",
        "priorityclasses",
        "priorityclass",
        "PriorityClass",
        False,
        ("pc",),
    ),
    # storage.k8s.io/v1
    R("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", False, ("sc",)),
)

# Group order as kube-apiserver lists /apis.
GROUP_ORDER = (
    "",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "scheduling.k8s.io",
)

_BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
_BY_KIND = {(r.group, r.version, r.kind): r for r in RESOURCES}


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    """The resource type served at ``/apis/GROUP/VERSION/PLURAL`` (group "" is /api/v1)."""
    return _BY_PATH.get((group, version, plural))


def for_kind(group: str, version: str, kind: str) -> ResourceType | None:
    """The resource type of objects with this apiVersion and kind."""
    return _BY_KIND.get((group, version, kind))


def group_versions() -> list[tuple[str, str]]:
    """(group, version) pairs served, in discovery order."""
    seen: list[tuple[str, str]] = []
    for group in GROUP_ORDER:
        for r in RESOURCES:
            if r.group == group and (r.group, r.version) not in seen:
                seen.append((r.group, r.version))
    return seen


def in_group_version(group: str, version: str) -> list[ResourceType]:
    return [r for r in RESOURCES if r.group == group and r.version == version]

"""Objects a fresh kube-apiserver writes at start-up, so the simulator looks like a cluster.

The system namespaces; the ``kubernetes`` Service with its Endpoints and EndpointSlice (the API
server's own endpoint reconciler, pointing at the simulator's 127.0.0.1 port); the two system
PriorityClasses; and the heart of the default RBAC policy (cluster-admin bound to
system:masters, admin, edit, view and the discovery roles). RBAC is stored, not enforced.
Existing objects are left as they are, so restarts change nothing.
"""

from __future__ import annotations

from typing import Any

from multidict import MultiDict, MultiDictProxy

from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest, resource_key
from backends.simulator.network.ipam import KUBERNETES_SERVICE_IP

Obj = dict[str, Any]
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
_NO_QUERY = MultiDictProxy(MultiDict[str]())
_BOOTSTRAP = {"kubernetes.io/bootstrapping": "rbac-defaults"}
_AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}

_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_VIEW_RESOURCES = [
    {
        "apiGroups": [""],
        "resources": [
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "pods/status",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "replicationcontrollers/status",
            "serviceaccounts",
            "services",
            "services/status",
        ],
        "verbs": _READ,
    },
    {
        "apiGroups": [""],
        "resources": [
            "bindings",
            "events",
            "limitranges",
            "namespaces",
            "namespaces/status",
            "pods/log",
            "resourcequotas",
            "resourcequotas/status",
        ],
        "verbs": _READ,
    },
    {
        "apiGroups": ["apps"],
        "resources": [
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ],
        "verbs": _READ,
    },
    {
        "apiGroups": ["autoscaling"],
        "resources": ["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
        "verbs": _READ,
    },
    {
        "apiGroups": ["batch"],
        "resources": ["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
        "verbs": _READ,
    },
    {
        "apiGroups": ["networking.k8s.io"],
        "resources": ["ingresses", "ingresses/status", "networkpolicies"],
        "verbs": _READ,
    },
    {
        "apiGroups": ["policy"],
        "resources": ["poddisruptionbudgets", "poddisruptionbudgets/status"],
        "verbs": _READ,
    },
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": _READ},
]
_EDIT_RESOURCES = [
    {
        "apiGroups": [""],
        "resources": [
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
            "secrets",
            "services/proxy",
        ],
        "verbs": _READ,
    },
    {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]},
    {
        "apiGroups": [""],
        "resources": ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"],
        "verbs": _WRITE,
    },
    {
        "apiGroups": [""],
        "resources": [
            "configmaps",
            "events",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
            "services/proxy",
        ],
        "verbs": _WRITE,
    },
    {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
    {
        "apiGroups": ["apps"],
        "resources": [
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ],
        "verbs": _WRITE,
    },
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": _WRITE},
    {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"], "verbs": _WRITE},
    {
        "apiGroups": ["networking.k8s.io"],
        "resources": ["ingresses", "networkpolicies"],
        "verbs": _WRITE,
    },
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": _WRITE},
]
_ADMIN_RESOURCES = [
    {"apiGroups": [""], "resources": ["namespaces"], "verbs": _READ},
    {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["rolebindings", "roles"],
        "verbs": [*_WRITE, *_READ],
    },
    {
        "apiGroups": ["authorization.k8s.io"],
        "resources": ["localsubjectaccessreviews"],
        "verbs": ["create"],
    },
]


def _cluster_role(name: str, rules: list[Obj], aggregate_to: tuple[str, ...] = ()) -> Obj:
    labels = dict(_BOOTSTRAP)
    for target in aggregate_to:
        labels[f"rbac.authorization.k8s.io/aggregate-to-{target}"] = "true"
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name, "labels": labels, "annotations": dict(_AUTOUPDATE)},
        "rules": rules,
    }


def _cluster_role_binding(name: str, role: str, group: str) -> Obj:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": dict(_BOOTSTRAP), "annotations": dict(_AUTOUPDATE)},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}],
    }


def rbac_policy() -> list[Obj]:
    """The bootstrap ClusterRoles and ClusterRoleBindings pykctl ships."""
    everything = [
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
        {"nonResourceURLs": ["*"], "verbs": ["*"]},
    ]
    discovery = [
        {
            "nonResourceURLs": [
                "/api",
                "/api/*",
                "/apis",
                "/apis/*",
                "/healthz",
                "/livez",
                "/openapi",
                "/openapi/*",
                "/readyz",
                "/version",
                "/version/",
            ],
            "verbs": ["get"],
        }
    ]
    public = [
        {
            "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"],
            "verbs": ["get"],
        }
    ]
    basic = [
        {
            "apiGroups": ["authorization.k8s.io"],
            "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
            "verbs": ["create"],
        },
        {
            "apiGroups": ["authentication.k8s.io"],
            "resources": ["selfsubjectreviews"],
            "verbs": ["create"],
        },
    ]
    return [
        _cluster_role("cluster-admin", everything),
        _cluster_role("admin", [*_VIEW_RESOURCES, *_EDIT_RESOURCES, *_ADMIN_RESOURCES]),
        _cluster_role("edit", [*_VIEW_RESOURCES, *_EDIT_RESOURCES], ("admin",)),
        _cluster_role("view", _VIEW_RESOURCES, ("edit",)),
        _cluster_role("system:discovery", discovery),
        _cluster_role("system:basic-user", basic),
        _cluster_role("system:public-info-viewer", public),
        _cluster_role_binding("cluster-admin", "cluster-admin", "system:masters"),
        _cluster_role_binding("system:discovery", "system:discovery", "system:authenticated"),
        _cluster_role_binding("system:basic-user", "system:basic-user", "system:authenticated"),
        _cluster_role_binding(
            "system:public-info-viewer", "system:public-info-viewer", "system:unauthenticated"
        ),
    ]


def priority_classes() -> list[Obj]:
    return [
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "system-node-critical"},
            "value": 2000001000,
            "description": "Used for system critical pods that must not be moved from their current node.",
        },
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "system-cluster-critical"},
            "value": 2000000000,
            "description": "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        },
    ]


def kubernetes_service(port: int) -> list[tuple[str, str, Obj]]:
    """The ``kubernetes`` Service, Endpoints and EndpointSlice for the API server on ``port``."""
    labels = {"component": "apiserver", "provider": "kubernetes"}
    return [
        (
            "services",
            "",
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "kubernetes", "labels": labels},
                "spec": {
                    "clusterIP": KUBERNETES_SERVICE_IP,
                    "type": "ClusterIP",
                    "sessionAffinity": "None",
                    "ports": [
                        {"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}
                    ],
                },
            },
        ),
        (
            "endpoints",
            "",
            {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {
                    "name": "kubernetes",
                    "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
                },
                "subsets": [
                    {
                        "addresses": [{"ip": "127.0.0.1"}],
                        "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
                    }
                ],
            },
        ),
        (
            "endpointslices",
            "discovery.k8s.io",
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "name": "kubernetes",
                    "labels": {"kubernetes.io/service-name": "kubernetes"},
                },
                "addressType": "IPv4",
                "endpoints": [{"addresses": ["127.0.0.1"], "conditions": {"ready": True}}],
                "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
            },
        ),
    ]


def create_missing(rest: Rest, plural: str, group: str, namespace: str, obj: Obj) -> None:
    """Create ``obj`` (``plural`` in API ``group``/v1) unless an object of its name exists."""
    version = "v1"
    resource = lookup(group, version, plural)
    assert resource is not None
    if rest.store.get(
        resource_key(resource), namespace if resource.namespaced else "", obj["metadata"]["name"]
    ):
        return
    try:
        rest.create(
            Target(resource, namespace or None, None, None), obj, _NO_QUERY, "kube-apiserver"
        )
    except status.ApiStatus:
        return


def _ports_text(obj: Obj) -> str:
    import json

    ports = (
        (obj.get("spec") or {}).get("ports")
        or obj.get("ports")
        or [port for subset in obj.get("subsets") or [] for port in subset.get("ports") or []]
    )
    return "".join(
        json.dumps({"port": p.get("targetPort", p.get("port"))}) + "," for p in ports
    ).replace("}", "")


def bootstrap(rest: Rest, port: int) -> None:
    """Create what a fresh cluster has, where missing."""
    for name in SYSTEM_NAMESPACES:
        create_missing(
            rest,
            "namespaces",
            "",
            "",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
        )
    for plural, group, obj in kubernetes_service(port):
        resource = lookup(group, "v1", plural)
        assert resource is not None
        current = rest.store.get(resource_key(resource), "default", "kubernetes")
        if current is not None and f'"port": {port},' not in _ports_text(current):
            rest.store.delete(resource_key(resource), "default", "kubernetes")  # the port moved
        create_missing(rest, plural, group, "default", obj)
    for obj in priority_classes():
        create_missing(rest, "priorityclasses", "scheduling.k8s.io", "", obj)
    for obj in rbac_policy():
        plural = "clusterroles" if obj["kind"] == "ClusterRole" else "clusterrolebindings"
        create_missing(rest, plural, "rbac.authorization.k8s.io", "", obj)

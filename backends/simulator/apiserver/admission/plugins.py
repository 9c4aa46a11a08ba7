"""Mutating admission plugins kube-apiserver v1.37 enables by default, on create.

``admit`` runs, for a decoded and defaulted object about to be created, the plugins that change
it: ``ServiceAccount`` (default service account, API-token volume, image pull secrets),
``DefaultTolerationSeconds``, ``Priority``, ``StorageObjectInUseProtection``,
``TaintNodesByCondition``, ``DefaultStorageClass`` and ``DefaultIngressClass``.

Plugins that need cluster state read it through a :class:`Cluster`; without one the cluster is
taken to hold only what kube-apiserver bootstraps (the two system priority classes) and every
service account is taken to exist with default settings. A plugin refusal raises
:class:`~.causes.AdmissionError` carrying kube-apiserver's 403 Status.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Protocol

from backends.simulator.apiserver.admission.causes import AdmissionError, forbidden_status
from backends.simulator.apiserver.admission.defaults import Obj, child, items
from backends.simulator.apiserver.resources import ResourceType

SYSTEM_PRIORITY_CLASSES = {
    "system-node-critical": 2000001000,
    "system-cluster-critical": 2000000000,
}
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
# utilrand.String's alphabet: no vowels, no confusable digits.
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_DEFAULT_STORAGE_CLASS = "storageclass.kubernetes.io/is-default-class"
_DEFAULT_INGRESS_CLASS = "ingressclass.kubernetes.io/is-default-class"


class Cluster(Protocol):
    """Read access to stored objects, as admission plugins see them."""

    def get(self, plural: str, namespace: str, name: str) -> Obj | None:
        """The object ``name`` of resource ``plural`` (``namespace`` "" when cluster-scoped)."""

    def list(self, plural: str) -> list[Obj]:
        """Every stored object of cluster-scoped resource ``plural``."""


def random_suffix(length: int = 5) -> str:
    """``utilrand.String``: what generated names (``kube-api-access-xxxxx``) end with."""
    return "".join(random.choices(_NAME_ALPHABET, k=length))


def _forbidden(resource: ResourceType, obj: Obj, reason: str) -> AdmissionError:
    name = str(obj.get("metadata", {}).get("name") or "")
    return AdmissionError(forbidden_status(resource.plural, resource.group, name, reason))


def _token_volume(name: str) -> Obj:
    return {
        "name": name,
        "projected": {
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {
                    "configMap": {
                        "name": "kube-root-ca.crt",
                        "items": [{"key": "ca.crt", "path": "ca.crt"}],
                    }
                },
                {
                    "downwardAPI": {
                        "items": [
                            {
                                "path": "namespace",
                                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                            }
                        ]
                    }
                },
            ],
            "defaultMode": 420,
        },
    }


def _mount_token(spec: Obj) -> None:
    """Add the ``kube-api-access-*`` projected volume and mount it where it is not mounted."""
    volume_name = f"kube-api-access-{random_suffix()}"
    mounted = False
    for container in items(spec, "initContainers") + items(spec, "containers"):
        mounts = container.get("volumeMounts")
        if not isinstance(mounts, list):
            mounts = container["volumeMounts"] = []
        if any(isinstance(m, dict) and m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts):
            continue
        mounts.append({"name": volume_name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH})
        mounted = True
    if mounted:
        volumes = spec.get("volumes")
        if not isinstance(volumes, list):
            volumes = spec["volumes"] = []
        volumes.append(_token_volume(volume_name))


def _service_account(resource: ResourceType, pod: Obj, cluster: Cluster | None) -> None:
    metadata = child(pod, "metadata")
    if "kubernetes.io/config.mirror" in (metadata.get("annotations") or {}):
        return
    spec = child(pod, "spec")
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = "default"
    spec["serviceAccount"] = spec["serviceAccountName"]
    account: Obj = {}
    if cluster is not None:
        namespace = str(metadata.get("namespace") or "")
        found = cluster.get("serviceaccounts", namespace, spec["serviceAccountName"])
        if found is None:
            name = spec["serviceAccountName"]
            raise _forbidden(
                resource,
                pod,
                f'error looking up service account {namespace}/{name}: serviceaccount "{name}" not found',
            )
        account = found
    automount = spec.get("automountServiceAccountToken")
    if automount is None:
        automount = account.get("automountServiceAccountToken")
    if automount is None or automount:
        _mount_token(spec)
    if not spec.get("imagePullSecrets") and account.get("imagePullSecrets"):
        spec["imagePullSecrets"] = [dict(s) for s in account["imagePullSecrets"]]


def _default_toleration_seconds(pod: Obj) -> None:
    spec = child(pod, "spec")
    tolerations = spec.get("tolerations")
    if not isinstance(tolerations, list):
        tolerations = []
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        tolerated = any(
            isinstance(t, dict)
            and t.get("key") in (key, "", None)
            and t.get("effect") in ("NoExecute", "", None)
            for t in tolerations
        )
        if not tolerated:
            tolerations.append(
                {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            )
    spec["tolerations"] = tolerations


def _priority_classes(cluster: Cluster | None) -> list[Obj]:
    if cluster is not None:
        return cluster.list("priorityclasses")
    return [
        {"metadata": {"name": name}, "value": value, "preemptionPolicy": "PreemptLowerPriority"}
        for name, value in SYSTEM_PRIORITY_CLASSES.items()
    ]


def _priority(resource: ResourceType, pod: Obj, cluster: Cluster | None) -> None:
    spec = child(pod, "spec")
    classes = _priority_classes(cluster)
    name = spec.get("priorityClassName")
    if name:
        chosen = next((c for c in classes if c.get("metadata", {}).get("name") == name), None)
        if chosen is None:
            raise _forbidden(resource, pod, f"no PriorityClass with name {name} was found")
    else:
        defaults = [c for c in classes if c.get("globalDefault")]
        chosen = min(defaults, key=lambda c: int(c.get("value") or 0)) if defaults else None
        if chosen is not None:
            spec["priorityClassName"] = chosen["metadata"]["name"]
    value = int(chosen.get("value") or 0) if chosen is not None else 0
    policy = (chosen or {}).get("preemptionPolicy") or "PreemptLowerPriority"
    if spec.get("priority") is not None and spec["priority"] != value:
        raise _forbidden(
            resource,
            pod,
            f"the integer value of priority ({spec['priority']}) must not be provided in pod spec; "
            f"priority admission controller computed {value} from the given PriorityClass name",
        )
    spec["priority"] = value
    if spec.get("preemptionPolicy") not in (None, policy):
        raise _forbidden(
            resource,
            pod,
            f"the string value of PreemptionPolicy ({spec['preemptionPolicy']}) must not be provided "
            f"in pod spec; priority admission controller computed {policy} from the given "
            "PriorityClass name",
        )
    spec["preemptionPolicy"] = policy


def _admit_pod(resource: ResourceType, pod: Obj, cluster: Cluster | None) -> None:
    _service_account(resource, pod, cluster)
    _default_toleration_seconds(pod)
    _priority(resource, pod, cluster)


def _add_finalizer(obj: Obj, finalizer: str) -> None:
    finalizers = child(obj, "metadata").setdefault("finalizers", [])
    if finalizer not in finalizers:
        finalizers.append(finalizer)


def _newest_default(classes: list[Obj], annotation: str) -> str | None:
    """The name of the default class: the newest one marked default, then the first by name."""
    marked = [
        c
        for c in classes
        if (c.get("metadata", {}).get("annotations") or {}).get(annotation) == "true"
    ]
    if not marked:
        return None
    marked.sort(key=lambda c: c["metadata"].get("name", ""))
    marked.sort(key=lambda c: c["metadata"].get("creationTimestamp") or "", reverse=True)
    name: str = marked[0]["metadata"]["name"]
    return name


def _admit_pvc(_resource: ResourceType, claim: Obj, cluster: Cluster | None) -> None:
    _add_finalizer(claim, "kubernetes.io/pvc-protection")
    spec = child(claim, "spec")
    if cluster is not None and spec.get("storageClassName") is None:
        default = _newest_default(cluster.list("storageclasses"), _DEFAULT_STORAGE_CLASS)
        if default is not None:
            spec["storageClassName"] = default


def _admit_pv(_resource: ResourceType, volume: Obj, _cluster: Cluster | None) -> None:
    _add_finalizer(volume, "kubernetes.io/pv-protection")


def _admit_node(_resource: ResourceType, node: Obj, _cluster: Cluster | None) -> None:
    taints = child(node, "spec").setdefault("taints", [])
    if not any(t.get("key") == "node.kubernetes.io/not-ready" for t in taints):
        taints.append({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"})


def _admit_ingress(_resource: ResourceType, ingress: Obj, cluster: Cluster | None) -> None:
    spec = child(ingress, "spec")
    annotations = ingress.get("metadata", {}).get("annotations") or {}
    if cluster is None or spec.get("ingressClassName") is not None:
        return
    if "kubernetes.io/ingress.class" in annotations:
        return
    default = _newest_default(cluster.list("ingressclasses"), _DEFAULT_INGRESS_CLASS)
    if default is not None:
        spec["ingressClassName"] = default


_PLUGINS: dict[tuple[str, str], Callable[[ResourceType, Obj, Cluster | None], None]] = {
    ("", "pods"): _admit_pod,
    ("", "persistentvolumeclaims"): _admit_pvc,
    ("", "persistentvolumes"): _admit_pv,
    ("", "nodes"): _admit_node,
    ("networking.k8s.io", "ingresses"): _admit_ingress,
}


def admit(resource: ResourceType, obj: Obj, cluster: Cluster | None = None) -> None:
    """Run the mutating admission plugins for the creation of ``obj`` (in place).

    Raises :class:`AdmissionError` (403 Forbidden) when a plugin refuses the object.
    """
    plugin = _PLUGINS.get((resource.group, resource.plural))
    if plugin is not None:
        plugin(resource, obj, cluster)

"""Decode-time defaulting: what kube-apiserver v1.37's ``SetObjectDefaults_*`` do to a request body.

Upstream runs these defaulters whenever it decodes an object (create, update, patch), before
admission and validation. This module reproduces them on the JSON form, per served kind:
``SetDefaults_*`` functions, declarative ``+default`` tags and nested defaulters (pod specs in
templates, volumes, probes, ports...). It also reproduces two effects of the v1 <-> internal
round trip that every stored object shows: the deprecated ``serviceAccount`` mirrors
``serviceAccountName``, and ``resources: {}``, a non-pointer Go struct the serializer never
omits, is materialized on containers.

Invariants: only absent (or Go-zero) fields are filled; nothing is removed except where upstream
clears a field (``sessionAffinityConfig`` with ``sessionAffinity: None``); functions mutate the
dict they are given and never share default values between objects. Feature-gated behaviour
follows v1.37's default gates. Resource quantities are kept as sent (upstream also rounds them up
to milli precision). Admission plugins and registry strategies live in ``plugins`` and
``strategy``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backends.simulator.apiserver.resources import ResourceType

Obj = dict[str, Any]

MAX_INT32 = 2**31 - 1
DEFAULT_CPU_UTILIZATION = 80
_VOLUME_MODE = 0o644  # 420: secret, configMap, downwardAPI and projected volumes


def child(obj: Obj, key: str) -> Obj:
    """``obj[key]`` as a dict, created when absent or null."""
    value = obj.get(key)
    if not isinstance(value, dict):
        value = {}
        obj[key] = value
    return value


def items(obj: Obj, key: str) -> list[Obj]:
    """The dict elements of list ``obj[key]`` (none when absent)."""
    value = obj.get(key)
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def _fill(obj: Obj, key: str, value: Any) -> None:
    """Set ``obj[key]`` when it is absent, null or the empty string (Go's unset)."""
    if obj.get(key) in (None, ""):
        obj[key] = value


def _fill_nonzero(obj: Obj, key: str, value: Any) -> None:
    """Set a non-pointer number that is absent or 0."""
    if not obj.get(key):
        obj[key] = value


# --- pods and pod templates -------------------------------------------------------------------


def image_tag(image: str) -> str:
    """The tag of an image reference (``latest`` when it has neither tag nor digest)."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        return last.rsplit(":", 1)[1]
    return "" if digest else "latest"


def _default_http_get(action: Obj | None) -> None:
    if isinstance(action, dict):
        _fill(action, "path", "/")
        _fill(action, "scheme", "HTTP")


def _default_probe(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    _fill_nonzero(probe, "timeoutSeconds", 1)
    _fill_nonzero(probe, "periodSeconds", 10)
    _fill_nonzero(probe, "successThreshold", 1)
    _fill_nonzero(probe, "failureThreshold", 3)
    _default_http_get(probe.get("httpGet"))
    grpc = probe.get("grpc")
    if isinstance(grpc, dict) and grpc.get("service") is None:
        grpc["service"] = ""


def _default_field_ref(holder: Any) -> None:
    if isinstance(holder, dict) and isinstance(holder.get("fieldRef"), dict):
        _fill(holder["fieldRef"], "apiVersion", "v1")


def _default_container(container: Obj) -> None:
    """``SetDefaults_Container`` plus the nested defaulters of a container."""
    if not container.get("imagePullPolicy"):
        tag = image_tag(str(container.get("image") or ""))
        container["imagePullPolicy"] = "Always" if tag == "latest" else "IfNotPresent"
    _fill(container, "terminationMessagePath", "/dev/termination-log")
    _fill(container, "terminationMessagePolicy", "File")
    for port in items(container, "ports"):
        _fill(port, "protocol", "TCP")
    for env in items(container, "env"):
        _default_field_ref(env.get("valueFrom"))
    child(container, "resources")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(container.get(probe))
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                _default_http_get(lifecycle[hook].get("httpGet"))


def default_pvc_spec(spec: Obj) -> None:
    """``SetDefaults_PersistentVolumeClaimSpec``."""
    _fill(spec, "volumeMode", "Filesystem")
    child(spec, "resources")


def _volume_sources(volume: Obj) -> bool:
    return any(key != "name" and value is not None for key, value in volume.items())


def _default_volume(volume: Obj) -> None:
    """``SetDefaults_Volume`` and the defaulters of each volume source."""
    if not _volume_sources(volume):
        volume["emptyDir"] = {}
    source = volume.get("image")
    if isinstance(source, dict) and not source.get("pullPolicy"):
        tag = image_tag(str(source.get("reference") or ""))
        source["pullPolicy"] = "Always" if tag == "latest" else "IfNotPresent"
    if isinstance(volume.get("hostPath"), dict):
        _fill_absent(volume["hostPath"], "type", "")
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        if isinstance(volume.get(key), dict):
            _fill_absent(volume[key], "defaultMode", _VOLUME_MODE)
    if isinstance(volume.get("downwardAPI"), dict):
        for item in items(volume["downwardAPI"], "items"):
            _default_field_ref(item)
    if isinstance(volume.get("projected"), dict):
        for projection in items(volume["projected"], "sources"):
            if isinstance(projection.get("downwardAPI"), dict):
                for item in items(projection["downwardAPI"], "items"):
                    _default_field_ref(item)
            token = projection.get("serviceAccountToken")
            if isinstance(token, dict):
                _fill_absent(token, "expirationSeconds", 3600)
    _default_legacy_sources(volume)
    ephemeral = volume.get("ephemeral")
    if isinstance(ephemeral, dict) and isinstance(ephemeral.get("volumeClaimTemplate"), dict):
        default_pvc_spec(child(ephemeral["volumeClaimTemplate"], "spec"))


def _fill_absent(obj: Obj, key: str, value: Any) -> None:
    """Set a pointer field that is absent or null (an empty string is a set value)."""
    if obj.get(key) is None:
        obj[key] = value


def _default_legacy_sources(source: Obj) -> None:
    """Defaults of the in-tree volume plugins (shared by pod volumes and persistent volumes)."""
    if isinstance(source.get("iscsi"), dict):
        _fill(source["iscsi"], "iscsiInterface", "default")
    if isinstance(source.get("rbd"), dict):
        rbd = source["rbd"]
        _fill(rbd, "pool", "rbd")
        _fill(rbd, "user", "admin")
        _fill(rbd, "keyring", "/etc/ceph/keyring")
    if isinstance(source.get("azureDisk"), dict):
        disk = source["azureDisk"]
        _fill_absent(disk, "cachingMode", "ReadWrite")
        _fill_absent(disk, "fsType", "ext4")
        _fill_absent(disk, "readOnly", False)
        _fill_absent(disk, "kind", "Shared")
    if isinstance(source.get("scaleIO"), dict):
        _fill(source["scaleIO"], "storageMode", "ThinProvisioned")
        _fill(source["scaleIO"], "fsType", "xfs")


def _all_containers(spec: Obj) -> list[Obj]:
    return (
        items(spec, "initContainers")
        + items(spec, "containers")
        + items(spec, "ephemeralContainers")
    )


def default_pod_spec(spec: Obj) -> None:
    """``SetDefaults_PodSpec`` and the nested defaulters of volumes and containers.

    Applies to pods and to every pod template (deployments, jobs, ...).
    """
    _fill(spec, "dnsPolicy", "ClusterFirst")
    _fill(spec, "restartPolicy", "Always")
    _fill_absent(spec, "securityContext", {})
    _fill_absent(spec, "terminationGracePeriodSeconds", 30)
    _fill(spec, "schedulerName", "default-scheduler")
    # v1 <-> internal conversion keeps the deprecated field in step with serviceAccountName.
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    for volume in items(spec, "volumes"):
        _default_volume(volume)
    for container in _all_containers(spec):
        _default_container(container)


def _default_requests_from_limits(container: Obj) -> None:
    resources = child(container, "resources")
    limits = resources.get("limits")
    if not isinstance(limits, dict):
        return
    requests = child(resources, "requests")
    for name, value in limits.items():
        requests.setdefault(name, value)


def default_pod(pod: Obj) -> None:
    """``SetObjectDefaults_Pod``: pod spec defaults plus the pod-only ones."""
    spec = child(pod, "spec")
    for container in items(spec, "containers") + items(spec, "initContainers"):
        _default_requests_from_limits(container)
    _fill_absent(spec, "enableServiceLinks", True)
    if spec.get("hostNetwork"):
        for container in items(spec, "containers") + items(spec, "initContainers"):
            for port in items(container, "ports"):
                if not port.get("hostPort"):
                    port["hostPort"] = port.get("containerPort")
    default_pod_spec(spec)


def _default_template(spec: Obj) -> None:
    template = child(spec, "template")
    default_pod_spec(child(template, "spec"))


def _default_pod_template(obj: Obj) -> None:
    default_pod_spec(child(child(obj, "template"), "spec"))


# --- core/v1 ----------------------------------------------------------------------------------


def _externally_accessible(spec: Obj) -> bool:
    kind = spec.get("type")
    return kind in ("LoadBalancer", "NodePort") or (
        kind == "ClusterIP" and bool(spec.get("externalIPs"))
    )


def _default_service(service: Obj) -> None:
    """``SetDefaults_Service`` (IP families come with the defaults a single-stack IPv4 cluster sets)."""
    spec = child(service, "spec")
    _fill(spec, "sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig") or {}
        client_ip = config.get("clientIP") or {}
        if client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    _fill(spec, "type", "ClusterIP")
    for port in items(spec, "ports"):
        _fill(port, "protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if _externally_accessible(spec):
        _fill(spec, "externalTrafficPolicy", "Cluster")
    kind = spec["type"]
    if kind in ("ClusterIP", "NodePort", "LoadBalancer"):
        _fill(spec, "internalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        _fill_absent(spec, "allocateLoadBalancerNodePorts", True)
    if kind != "ExternalName":
        headless_without_selector = spec.get("clusterIP") == "None" and not spec.get("selector")
        _fill(
            spec,
            "ipFamilyPolicy",
            "RequireDualStack" if headless_without_selector else "SingleStack",
        )
        if not spec.get("ipFamilies"):
            spec["ipFamilies"] = ["IPv4"]


def _default_namespace(namespace: Obj) -> None:
    """``SetDefaults_Namespace`` and ``SetDefaults_NamespaceStatus``."""
    metadata = child(namespace, "metadata")
    if metadata.get("name"):
        child(metadata, "labels")["kubernetes.io/metadata.name"] = metadata["name"]
    _fill(child(namespace, "status"), "phase", "Active")


def _default_secret(secret: Obj) -> None:
    _fill(secret, "type", "Opaque")


def _default_pvc(claim: Obj) -> None:
    default_pvc_spec(child(claim, "spec"))
    _fill(child(claim, "status"), "phase", "Pending")


def _default_pv(volume: Obj) -> None:
    spec = child(volume, "spec")
    _fill(child(volume, "status"), "phase", "Pending")
    _fill(spec, "persistentVolumeReclaimPolicy", "Retain")
    _fill_absent(spec, "volumeMode", "Filesystem")
    if isinstance(spec.get("hostPath"), dict):
        _fill_absent(spec["hostPath"], "type", "")
    _default_legacy_sources(spec)


def _default_endpoints(endpoints: Obj) -> None:
    for subset in items(endpoints, "subsets"):
        for port in items(subset, "ports"):
            _fill(port, "protocol", "TCP")


def _default_limit_range(limit_range: Obj) -> None:
    """``SetDefaults_LimitRangeItem``: container defaults from max and min."""
    for item in items(child(limit_range, "spec"), "limits"):
        if item.get("type") != "Container":
            continue
        default = child(item, "default")
        default_request = child(item, "defaultRequest")
        for name, value in (item.get("max") or {}).items():
            default.setdefault(name, value)
        for name, value in default.items():
            default_request.setdefault(name, value)
        for name, value in (item.get("min") or {}).items():
            default_request.setdefault(name, value)


def _default_node(node: Obj) -> None:
    status = child(node, "status")
    if status.get("allocatable") is None and status.get("capacity") is not None:
        status["allocatable"] = dict(status["capacity"])


def _default_replication_controller(rc: Obj) -> None:
    spec = child(rc, "spec")
    template = spec.get("template")
    labels = template.get("metadata", {}).get("labels") if isinstance(template, dict) else None
    if labels is not None:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        metadata = child(rc, "metadata")
        if not metadata.get("labels"):
            metadata["labels"] = dict(labels)
    _fill_absent(spec, "replicas", 1)
    if isinstance(template, dict):
        default_pod_spec(child(template, "spec"))


# --- apps/v1 ----------------------------------------------------------------------------------


def _default_deployment(deployment: Obj) -> None:
    spec = child(deployment, "spec")
    _fill_absent(spec, "replicas", 1)
    strategy = child(spec, "strategy")
    _fill(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = child(strategy, "rollingUpdate")
        _fill_absent(rolling, "maxUnavailable", "25%")
        _fill_absent(rolling, "maxSurge", "25%")
    _fill_absent(spec, "revisionHistoryLimit", 10)
    _fill_absent(spec, "progressDeadlineSeconds", 600)
    _default_template(spec)


def _default_daemon_set(daemon_set: Obj) -> None:
    spec = child(daemon_set, "spec")
    strategy = child(spec, "updateStrategy")
    _fill(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = child(strategy, "rollingUpdate")
        _fill_absent(rolling, "maxUnavailable", 1)
        _fill_absent(rolling, "maxSurge", 0)
    _fill_absent(spec, "revisionHistoryLimit", 10)
    _default_template(spec)


def _default_stateful_set(stateful_set: Obj) -> None:
    spec = child(stateful_set, "spec")
    _fill(spec, "podManagementPolicy", "OrderedReady")
    strategy = child(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        child(strategy, "rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(strategy.get("rollingUpdate"), dict):
        _fill_absent(strategy["rollingUpdate"], "partition", 0)
    retention = child(spec, "persistentVolumeClaimRetentionPolicy")
    _fill(retention, "whenDeleted", "Retain")
    _fill(retention, "whenScaled", "Retain")
    _fill_absent(spec, "replicas", 1)
    _fill_absent(spec, "revisionHistoryLimit", 10)
    _default_template(spec)
    for claim in items(spec, "volumeClaimTemplates"):
        _default_pvc(claim)


def _default_replica_set(replica_set: Obj) -> None:
    spec = child(replica_set, "spec")
    _fill_absent(spec, "replicas", 1)
    _default_template(spec)


# --- batch/v1 ---------------------------------------------------------------------------------


def _default_job_spec_nested(spec: Obj) -> None:
    """Defaults every JobSpec gets, also inside a CronJob's job template."""
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        for rule in items(policy, "rules"):
            for pattern in items(rule, "onPodConditions"):
                _fill(pattern, "status", "True")
    _default_template(spec)


def _default_job(job: Obj) -> None:
    """``SetDefaults_Job``."""
    spec = child(job, "spec")
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    _fill_absent(spec, "parallelism", 1)
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    template_labels = (spec.get("template") or {}).get("metadata", {}).get("labels")
    metadata = child(job, "metadata")
    if template_labels is not None and not metadata.get("labels"):
        metadata["labels"] = dict(template_labels)
    _fill_absent(spec, "completionMode", "NonIndexed")
    _fill_absent(spec, "suspend", False)
    if spec.get("podReplacementPolicy") is None:
        failed_only = spec.get("podFailurePolicy") is not None
        spec["podReplacementPolicy"] = "Failed" if failed_only else "TerminatingOrFailed"
    _fill_absent(spec, "manualSelector", False)
    _default_job_spec_nested(spec)


def _default_cron_job(cron_job: Obj) -> None:
    spec = child(cron_job, "spec")
    _fill(spec, "concurrencyPolicy", "Allow")
    _fill_absent(spec, "suspend", False)
    _fill_absent(spec, "successfulJobsHistoryLimit", 3)
    _fill_absent(spec, "failedJobsHistoryLimit", 1)
    _default_job_spec_nested(child(child(spec, "jobTemplate"), "spec"))


# --- other groups -----------------------------------------------------------------------------


def _scaling_rules(rules: Any, defaults: Obj) -> Obj:
    result = dict(defaults)
    if isinstance(rules, dict):
        for key in ("selectPolicy", "stabilizationWindowSeconds", "policies", "tolerance"):
            if rules.get(key) is not None:
                result[key] = rules[key]
    return result


def _default_hpa(hpa: Obj) -> None:
    """``SetDefaults_HorizontalPodAutoscaler`` (autoscaling/v2)."""
    spec = child(hpa, "spec")
    _fill_absent(spec, "minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {
                        "type": "Utilization",
                        "averageUtilization": DEFAULT_CPU_UTILIZATION,
                    },
                },
            }
        ]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        scale_up = {
            "stabilizationWindowSeconds": 0,
            "selectPolicy": "Max",
            "policies": [
                {"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15},
            ],
        }
        scale_down = {
            "selectPolicy": "Max",
            "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
        }
        behavior["scaleUp"] = _scaling_rules(behavior.get("scaleUp"), scale_up)
        behavior["scaleDown"] = _scaling_rules(behavior.get("scaleDown"), scale_down)


def _default_network_policy(policy: Obj) -> None:
    """``SetDefaults_NetworkPolicy``: port protocols and policyTypes."""
    spec = child(policy, "spec")
    for direction in ("ingress", "egress"):
        for rule in items(spec, direction):
            for port in items(rule, "ports"):
                _fill(port, "protocol", "TCP")
    if not spec.get("policyTypes"):
        types = ["Ingress"]
        if spec.get("egress"):
            types.append("Egress")
        spec["policyTypes"] = types


def _default_ingress_class(ingress_class: Obj) -> None:
    parameters = child(ingress_class, "spec").get("parameters")
    if isinstance(parameters, dict) and parameters.get("scope") is None:
        parameters["scope"] = "Cluster"


def _default_endpoint_slice(slice_: Obj) -> None:
    for port in items(slice_, "ports"):
        _fill_absent(port, "name", "")
        _fill_absent(port, "protocol", "TCP")


def _default_priority_class(priority_class: Obj) -> None:
    _fill_absent(priority_class, "preemptionPolicy", "PreemptLowerPriority")


def _default_storage_class(storage_class: Obj) -> None:
    _fill_absent(storage_class, "reclaimPolicy", "Delete")
    _fill_absent(storage_class, "volumeBindingMode", "Immediate")


def _default_role_binding(binding: Obj) -> None:
    """``SetDefaults_Subject``: the API group of each subject kind."""
    for subject in items(binding, "subjects"):
        if subject.get("apiGroup"):
            continue
        if subject.get("kind") == "ServiceAccount":
            subject.pop("apiGroup", None)  # "" is omitted when encoded (omitempty)
        elif subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = "rbac.authorization.k8s.io"


_DEFAULTERS: dict[tuple[str, str], Callable[[Obj], None]] = {
    ("", "Pod"): default_pod,
    ("", "PodTemplate"): _default_pod_template,
    ("", "ReplicationController"): _default_replication_controller,
    ("", "Service"): _default_service,
    ("", "Namespace"): _default_namespace,
    ("", "Secret"): _default_secret,
    ("", "PersistentVolumeClaim"): _default_pvc,
    ("", "PersistentVolume"): _default_pv,
    ("", "Endpoints"): _default_endpoints,
    ("", "LimitRange"): _default_limit_range,
    ("", "Node"): _default_node,
    ("apps", "Deployment"): _default_deployment,
    ("apps", "ReplicaSet"): _default_replica_set,
    ("apps", "StatefulSet"): _default_stateful_set,
    ("apps", "DaemonSet"): _default_daemon_set,
    ("batch", "Job"): _default_job,
    ("batch", "CronJob"): _default_cron_job,
    ("autoscaling", "HorizontalPodAutoscaler"): _default_hpa,
    ("networking.k8s.io", "NetworkPolicy"): _default_network_policy,
    ("networking.k8s.io", "IngressClass"): _default_ingress_class,
    ("discovery.k8s.io", "EndpointSlice"): _default_endpoint_slice,
    ("scheduling.k8s.io", "PriorityClass"): _default_priority_class,
    ("storage.k8s.io", "StorageClass"): _default_storage_class,
    ("rbac.authorization.k8s.io", "RoleBinding"): _default_role_binding,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _default_role_binding,
}


def apply_defaults(resource: ResourceType, obj: Obj) -> None:
    """Default ``obj`` (a decoded request body of ``resource``'s kind) in place."""
    defaulter = _DEFAULTERS.get((resource.group, resource.kind))
    if defaulter is not None:
        defaulter(obj)

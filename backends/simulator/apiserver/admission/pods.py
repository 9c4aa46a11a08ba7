"""Validation of pod specs (pods and every pod template) and of pod updates.

Follows ``ValidatePodSpec`` and its helpers in kube-apiserver v1.37's
``pkg/apis/core/validation``: containers (names, images, ports, env, mounts, resources, probes,
policies), volumes, and the pod-level enums and names. The checks run on defaulted objects, so
fields upstream requires only because defaulting always sets them are reported the same way.
Security contexts, affinity, topology spread and DNS config are accepted as sent.
"""

from __future__ import annotations

from typing import Any

from backends.simulator.apiserver.admission import causes as c
from backends.simulator.apiserver.admission.causes import Cause
from backends.simulator.apiserver.admission.meta import (
    as_dict,
    as_list,
    nonnegative,
    validate_label_name,
    validate_labels,
)
from backends.simulator.apiserver.admission.names import (
    inclusive_range_error,
    is_config_map_key,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
    is_relaxed_env_var_name,
    is_valid_port_name,
    is_valid_port_num,
)
from backends.simulator.apiserver.admission.quantity import quantity_value

MAX_INT32 = 2**31 - 1
_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
_TOLERATION_EFFECTS = ("NoExecute", "NoSchedule", "PreferNoSchedule")
_PREEMPTION_POLICIES = ("Never", "PreemptLowerPriority")
_VOLUME_SOURCES = (
    "emptyDir", "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs",
    "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker",
    "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral",
    "image",
)  # fmt: skip
UPDATABLE_POD_FIELDS = (
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)


def _dns_label(errs: list[Cause], value: str, path: str) -> None:
    errs.extend(c.invalid(path, value, msg) for msg in is_dns1123_label(value))


def _validate_volumes(errs: list[Cause], volumes: list[Any], path: str) -> set[str]:
    """``ValidateVolumes``: names (DNS labels, unique) and exactly one source each."""
    names: set[str] = set()
    for index, volume in enumerate(volumes):
        volume = as_dict(volume)
        volume_path = f"{path}[{index}]"
        name = volume.get("name")
        if not name:
            errs.append(c.required(f"{volume_path}.name"))
        elif isinstance(name, str):
            _dns_label(errs, name, f"{volume_path}.name")
            if name in names:
                errs.append(c.duplicate(f"{volume_path}.name", name))
            names.add(name)
        sources = [s for s in _VOLUME_SOURCES if volume.get(s) is not None]
        if not sources:
            errs.append(c.required(volume_path, "must specify a volume type"))
        elif len(sources) > 1:
            for extra in sources[1:]:
                errs.append(
                    c.forbidden(f"{volume_path}.{extra}", "may not specify more than 1 volume type")
                )
        else:
            _validate_volume_source(
                errs, sources[0], as_dict(volume[sources[0]]), f"{volume_path}.{sources[0]}"
            )
    return names


def _validate_volume_source(
    errs: list[Cause], kind: str, source: dict[str, Any], path: str
) -> None:
    if kind == "configMap" or kind == "secret":
        key = "name" if kind == "configMap" else "secretName"
        if kind == "secret" and not source.get(key):
            errs.append(c.required(f"{path}.secretName"))
        _validate_key_to_paths(errs, as_list(source.get("items")), f"{path}.items")
        _validate_mode(errs, source.get("defaultMode"), f"{path}.defaultMode")
    elif kind == "persistentVolumeClaim" and not source.get("claimName"):
        errs.append(c.required(f"{path}.claimName"))
    elif kind == "hostPath" and not source.get("path"):
        errs.append(c.required(f"{path}.path"))


def _validate_key_to_paths(errs: list[Cause], items: list[Any], path: str) -> None:
    for index, item in enumerate(items):
        item = as_dict(item)
        item_path = f"{path}[{index}]"
        if not item.get("key"):
            errs.append(c.required(f"{item_path}.key"))
        if not item.get("path"):
            errs.append(c.required(f"{item_path}.path"))
        _validate_mode(errs, item.get("mode"), f"{item_path}.mode")


def _validate_mode(errs: list[Cause], mode: Any, path: str) -> None:
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        errs.append(
            c.invalid(path, mode, "must be a number between 0 and 0777 (octal), both inclusive")
        )


def _validate_ports(errs: list[Cause], ports: list[Any], path: str) -> None:
    """``validateContainerPorts``."""
    names: set[str] = set()
    for index, port in enumerate(ports):
        port = as_dict(port)
        port_path = f"{path}[{index}]"
        name = port.get("name")
        if isinstance(name, str) and name:
            errs.extend(c.invalid(f"{port_path}.name", name, m) for m in is_valid_port_name(name))
            if name in names:
                errs.append(c.duplicate(f"{port_path}.name", name))
            names.add(name)
        container_port = port.get("containerPort", 0)
        if container_port == 0:
            errs.append(c.required(f"{port_path}.containerPort"))
        elif isinstance(container_port, int):
            errs.extend(
                c.invalid(f"{port_path}.containerPort", container_port, m)
                for m in is_valid_port_num(container_port)
            )
        host_port = port.get("hostPort", 0)
        if isinstance(host_port, int) and host_port != 0:
            errs.extend(
                c.invalid(f"{port_path}.hostPort", host_port, m)
                for m in is_valid_port_num(host_port)
            )
        protocol = port.get("protocol")
        if not protocol:
            errs.append(c.required(f"{port_path}.protocol"))
        elif protocol not in _PROTOCOLS:
            errs.append(c.not_supported(f"{port_path}.protocol", protocol, _PROTOCOLS))


def _validate_env(errs: list[Cause], env: list[Any], path: str) -> None:
    """``ValidateEnv`` with the relaxed (v1.37 default) name rule."""
    for index, var in enumerate(env):
        var = as_dict(var)
        var_path = f"{path}[{index}]"
        name = var.get("name")
        if not name:
            errs.append(c.required(f"{var_path}.name"))
        elif isinstance(name, str):
            errs.extend(
                c.invalid(f"{var_path}.name", name, m) for m in is_relaxed_env_var_name(name)
            )
        value_from = var.get("valueFrom")
        if value_from is None:
            continue
        sources = [
            k
            for k in (
                "fieldRef",
                "resourceFieldRef",
                "configMapKeyRef",
                "secretKeyRef",
                "fileKeyRef",
            )
            if as_dict(value_from).get(k) is not None
        ]
        if var.get("value") and sources:
            errs.append(
                c.invalid(
                    f"{var_path}.valueFrom", "", "may not be specified when `value` is not empty"
                )
            )
        if not sources:
            errs.append(
                c.invalid(
                    f"{var_path}.valueFrom",
                    "",
                    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                )
            )
        elif len(sources) > 1:
            errs.append(
                c.invalid(
                    f"{var_path}.valueFrom",
                    "",
                    "may not have more than one field specified at a time",
                )
            )
        for ref in ("configMapKeyRef", "secretKeyRef"):
            selector = as_dict(value_from).get(ref)
            if isinstance(selector, dict):
                key = selector.get("key")
                if not key:
                    errs.append(c.required(f"{var_path}.valueFrom.{ref}.key"))
                elif isinstance(key, str):
                    errs.extend(
                        c.invalid(f"{var_path}.valueFrom.{ref}.key", key, m)
                        for m in is_config_map_key(key)
                    )


def _validate_volume_mounts(
    errs: list[Cause], mounts: list[Any], volumes: set[str], path: str
) -> None:
    """``ValidateVolumeMounts``: known volume names, mount paths set and unique."""
    mount_paths: set[str] = set()
    for index, mount in enumerate(mounts):
        mount = as_dict(mount)
        mount_path = f"{path}[{index}]"
        name = mount.get("name")
        if not name:
            errs.append(c.required(f"{mount_path}.name"))
        elif name not in volumes:
            errs.append(c.not_found(f"{mount_path}.name", name))
        target = mount.get("mountPath")
        if not target:
            errs.append(c.required(f"{mount_path}.mountPath"))
        elif isinstance(target, str):
            if target in mount_paths:
                errs.append(c.invalid(f"{mount_path}.mountPath", target, "must be unique"))
            mount_paths.add(target)
        sub_path = mount.get("subPath")
        if isinstance(sub_path, str) and sub_path:
            if sub_path.startswith("/"):
                errs.append(c.invalid(f"{mount_path}.subPath", sub_path, "must be a relative path"))
            elif ".." in sub_path.split("/"):
                errs.append(c.invalid(f"{mount_path}.subPath", sub_path, "must not contain '..'"))


_STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def _validate_resource_name(errs: list[Cause], name: str, path: str) -> None:
    """``validateContainerResourceName``: standard names, hugepages or qualified extended names."""
    errs.extend(c.invalid(path, name, m) for m in is_qualified_name(name))
    if (
        "/" not in name
        and name not in _STANDARD_CONTAINER_RESOURCES
        and not name.startswith("hugepages-")
    ):
        errs.append(c.invalid(path, name, "must be a standard resource for containers"))


def _validate_resources(errs: list[Cause], resources: Any, path: str) -> None:
    """``ValidateContainerResourceRequirements``: names, non-negative, requests <= limits."""
    resources = as_dict(resources)
    limits = as_dict(resources.get("limits"))
    requests = as_dict(resources.get("requests"))
    for group, values in (("limits", limits), ("requests", requests)):
        for name, raw in values.items():
            item_path = f"{path}.{group}[{name}]"
            _validate_resource_name(errs, name, item_path)
            value = quantity_value(raw)
            if value is not None and value < 0:
                errs.append(c.invalid(item_path, str(raw), "must be greater than or equal to 0"))
    for name, raw in requests.items():
        request = quantity_value(raw)
        limit = quantity_value(limits.get(name)) if name in limits else None
        if request is not None and limit is not None and request > limit:
            errs.append(
                c.invalid(
                    f"{path}.requests[{name}]",
                    str(raw),
                    f"must be less than or equal to {name} limit of {limits[name]}",
                )
            )
        elif name.startswith("hugepages-") and name not in limits:
            errs.append(
                c.forbidden(
                    f"{path}.requests[{name}]", "must be less than or equal to hugepages limit"
                )
            )


def _validate_probe(errs: list[Cause], probe: Any, path: str) -> None:
    """``validateProbe``: one handler, non-negative timings."""
    if not isinstance(probe, dict):
        return
    handlers = [h for h in ("exec", "httpGet", "tcpSocket", "grpc") if probe.get(h) is not None]
    if not handlers:
        errs.append(c.required(path, "must specify a handler type"))
    elif len(handlers) > 1:
        errs.append(
            c.forbidden(f"{path}.{handlers[1]}", "may not specify more than 1 handler type")
        )
    for name in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        nonnegative(errs, probe.get(name, 0), f"{path}.{name}")
    http_get = probe.get("httpGet")
    if isinstance(http_get, dict):
        _validate_port_num_or_name(errs, http_get.get("port"), f"{path}.httpGet.port")
        if http_get.get("scheme") not in ("HTTP", "HTTPS"):
            errs.append(
                c.not_supported(
                    f"{path}.httpGet.scheme", http_get.get("scheme") or "", ("HTTP", "HTTPS")
                )
            )
    tcp = probe.get("tcpSocket")
    if isinstance(tcp, dict):
        _validate_port_num_or_name(errs, tcp.get("port"), f"{path}.tcpSocket.port")


def _validate_port_num_or_name(errs: list[Cause], port: Any, path: str) -> None:
    """``ValidatePortNumOrName``."""
    if isinstance(port, str):
        errs.extend(c.invalid(path, port, m) for m in is_valid_port_name(port))
    elif isinstance(port, int):
        errs.extend(c.invalid(path, port, m) for m in is_valid_port_num(port))


def _validate_container(
    errs: list[Cause], container: dict[str, Any], volumes: set[str], path: str
) -> None:
    """``validateContainerCommon``."""
    name = container.get("name")
    if not name:
        errs.append(c.required(f"{path}.name"))
    elif isinstance(name, str):
        _dns_label(errs, name, f"{path}.name")
    if not container.get("image"):
        errs.append(c.required(f"{path}.image"))
    policy = container.get("terminationMessagePolicy")
    if not policy:
        errs.append(c.required(f"{path}.terminationMessagePolicy"))
    elif policy not in _TERMINATION_MESSAGE_POLICIES:
        errs.append(
            c.not_supported(
                f"{path}.terminationMessagePolicy", policy, _TERMINATION_MESSAGE_POLICIES
            )
        )
    _validate_ports(errs, as_list(container.get("ports")), f"{path}.ports")
    _validate_env(errs, as_list(container.get("env")), f"{path}.env")
    for index, source in enumerate(as_list(container.get("envFrom"))):
        prefix = as_dict(source).get("prefix")
        if isinstance(prefix, str) and prefix:
            errs.extend(
                c.invalid(f"{path}.envFrom[{index}].prefix", prefix, m)
                for m in is_relaxed_env_var_name(prefix)
            )
    _validate_volume_mounts(
        errs, as_list(container.get("volumeMounts")), volumes, f"{path}.volumeMounts"
    )
    pull_policy = container.get("imagePullPolicy")
    if not pull_policy:
        errs.append(c.required(f"{path}.imagePullPolicy"))
    elif pull_policy not in _PULL_POLICIES:
        errs.append(c.not_supported(f"{path}.imagePullPolicy", pull_policy, _PULL_POLICIES))
    _validate_resources(errs, container.get("resources"), f"{path}.resources")


def _validate_containers(
    errs: list[Cause], containers: Any, volumes: set[str], path: str, seen: set[str]
) -> None:
    """``validateContainers`` / ``validateInitContainers``: common checks, unique names."""
    for index, container in enumerate(as_list(containers)):
        container = as_dict(container)
        container_path = f"{path}[{index}]"
        _validate_container(errs, container, volumes, container_path)
        name = container.get("name")
        if isinstance(name, str) and name:
            if name in seen:
                errs.append(c.duplicate(f"{container_path}.name", name))
            seen.add(name)
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            _validate_probe(errs, container.get(probe), f"{container_path}.{probe}")
        liveness = as_dict(container.get("livenessProbe"))
        if liveness and liveness.get("successThreshold", 1) != 1:
            errs.append(
                c.invalid(
                    f"{container_path}.livenessProbe.successThreshold",
                    liveness.get("successThreshold"),
                    "must be 1",
                )
            )


def _validate_tolerations(errs: list[Cause], tolerations: list[Any], path: str) -> None:
    """``ValidateTolerations``."""
    for index, toleration in enumerate(tolerations):
        toleration = as_dict(toleration)
        idx_path = f"{path}[{index}]"
        key = toleration.get("key") or ""
        if key:
            validate_label_name(errs, key, f"{idx_path}.key")
        operator = toleration.get("operator") or ""
        if not key and operator != "Exists":
            errs.append(
                c.invalid(
                    f"{idx_path}.operator",
                    operator,
                    'operator must be Exists when `key` is empty, which means "match all values and all keys"',
                )
            )
        if (
            toleration.get("tolerationSeconds") is not None
            and toleration.get("effect") != "NoExecute"
        ):
            errs.append(
                c.invalid(
                    f"{idx_path}.effect",
                    toleration.get("effect") or "",
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                )
            )
        value = toleration.get("value") or ""
        if operator in ("", "Equal"):
            errs.extend(c.invalid(f"{idx_path}.operator", value, m) for m in is_label_value(value))
        elif operator == "Exists":
            if value:
                errs.append(
                    c.invalid(
                        f"{idx_path}.operator",
                        toleration,
                        "value must be empty when `operator` is 'Exists'",
                    )
                )
        elif operator not in ("Lt", "Gt"):
            errs.append(
                c.not_supported(f"{idx_path}.operator", operator, ("Equal", "Exists", "Lt", "Gt"))
            )
        effect = toleration.get("effect")
        if effect and effect not in _TOLERATION_EFFECTS:
            errs.append(c.not_supported(f"{idx_path}.effect", effect, _TOLERATION_EFFECTS))


def validate_pod_spec(errs: list[Cause], spec: Any, path: str) -> None:
    """``ValidatePodSpec`` for a pod or a pod template's spec."""
    spec = as_dict(spec)
    volumes = _validate_volumes(errs, as_list(spec.get("volumes")), f"{path}.volumes")
    containers = as_list(spec.get("containers"))
    names: set[str] = set()
    if not containers:
        errs.append(c.required(f"{path}.containers"))
    _validate_containers(errs, containers, volumes, f"{path}.containers", names)
    _validate_containers(errs, spec.get("initContainers"), volumes, f"{path}.initContainers", names)
    restart_policy = spec.get("restartPolicy")
    if not restart_policy:
        errs.append(c.required(f"{path}.restartPolicy"))
    elif restart_policy not in _RESTART_POLICIES:
        errs.append(c.not_supported(f"{path}.restartPolicy", restart_policy, _RESTART_POLICIES))
    dns_policy = spec.get("dnsPolicy")
    if not dns_policy:
        errs.append(c.required(f"{path}.dnsPolicy"))
    elif dns_policy not in _DNS_POLICIES:
        errs.append(c.not_supported(f"{path}.dnsPolicy", dns_policy, _DNS_POLICIES))
    validate_labels(errs, spec.get("nodeSelector"), f"{path}.nodeSelector")
    for index, secret in enumerate(as_list(spec.get("imagePullSecrets"))):
        if not as_dict(secret).get("name"):
            errs.append(c.required(f"{path}.imagePullSecrets[{index}].name"))
    for field in ("serviceAccountName", "nodeName", "priorityClassName"):
        value = spec.get(field)
        if isinstance(value, str) and value:
            errs.extend(c.invalid(f"{path}.{field}", value, m) for m in is_dns1123_subdomain(value))
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not 1 <= deadline <= MAX_INT32:
        errs.append(
            c.invalid(
                f"{path}.activeDeadlineSeconds", deadline, inclusive_range_error(1, MAX_INT32)
            )
        )
    for field in ("hostname", "subdomain"):
        value = spec.get(field)
        if isinstance(value, str) and value:
            _dns_label(errs, value, f"{path}.{field}")
    _validate_tolerations(errs, as_list(spec.get("tolerations")), f"{path}.tolerations")
    preemption = spec.get("preemptionPolicy")
    if preemption is not None and preemption not in _PREEMPTION_POLICIES:
        errs.append(c.not_supported(f"{path}.preemptionPolicy", preemption, _PREEMPTION_POLICIES))
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is None:
        errs.append(c.required(f"{path}.terminationGracePeriodSeconds"))
    for index, gate in enumerate(as_list(spec.get("schedulingGates"))):
        name = as_dict(gate).get("name") or ""
        validate_label_name(errs, name, f"{path}.schedulingGates[{index}].name")


def validate_pod(errs: list[Cause], pod: dict[str, Any]) -> None:
    """The pod-only parts of ``ValidatePodCreate`` (metadata is validated by the caller)."""
    spec = as_dict(pod.get("spec"))
    validate_pod_spec(errs, spec, "spec")
    for group in ("containers", "initContainers"):
        for index, container in enumerate(as_list(spec.get(group))):
            image = as_dict(container).get("image")
            if isinstance(image, str) and image and image != image.strip():
                errs.append(
                    c.invalid(
                        f"spec.{group}[{index}].image",
                        image,
                        "must not have leading or trailing whitespace",
                    )
                )


def _mutable_view(spec: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with the fields a pod update may change copied from ``old``."""
    view = dict(spec)
    for group in ("containers", "initContainers"):
        new_list = as_list(spec.get(group))
        old_list = as_list(old.get(group))
        if group in spec and len(new_list) == len(old_list):
            view[group] = [
                {**as_dict(n), "image": as_dict(o).get("image")}
                for n, o in zip(new_list, old_list, strict=True)
            ]
    for key in ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"):
        if key in old:
            view[key] = old[key]
        else:
            view.pop(key, None)
    return view


def _without_seconds(toleration: Any) -> dict[str, Any]:
    return {k: v for k, v in as_dict(toleration).items() if k != "tolerationSeconds"}


def validate_pod_update(errs: list[Cause], pod: dict[str, Any], old: dict[str, Any]) -> None:
    """``ValidatePodUpdate``: only images, deadline, added tolerations and grace may change."""
    spec = as_dict(pod.get("spec"))
    old_spec = as_dict(old.get("spec"))
    validate_pod(errs, pod)
    deadline, old_deadline = (
        spec.get("activeDeadlineSeconds"),
        old_spec.get("activeDeadlineSeconds"),
    )
    if old_deadline is not None and (deadline is None or deadline > old_deadline):
        errs.append(
            c.invalid(
                "spec.activeDeadlineSeconds",
                deadline,
                "must be less than or equal to previous value",
            )
        )
    for group in ("containers", "initContainers"):
        for index, container in enumerate(as_list(spec.get(group))):
            if not as_dict(container).get("image"):
                errs.append(c.required(f"spec.{group}[{index}].image"))
    new_tolerations = [_without_seconds(t) for t in as_list(spec.get("tolerations"))]
    for index, toleration in enumerate(as_list(old_spec.get("tolerations"))):
        if _without_seconds(toleration) not in new_tolerations:
            errs.append(
                c.forbidden(
                    f"spec.tolerations[{index}]",
                    "existing toleration can not be modified except its tolerationSeconds",
                )
            )
    grace, old_grace = (
        spec.get("terminationGracePeriodSeconds"),
        old_spec.get("terminationGracePeriodSeconds"),
    )
    grace_ok = grace == old_grace or (isinstance(old_grace, int) and old_grace < 0 and grace == 1)
    if not grace_ok or _mutable_view(spec, old_spec) != old_spec:
        errs.append(
            c.forbidden(
                "spec", f"pod updates may not change fields other than {UPDATABLE_POD_FIELDS}"
            )
        )

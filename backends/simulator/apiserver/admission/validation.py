"""Object validation of kube-apiserver v1.37 for the kinds the simulator serves.

``validate(resource, obj, old)`` returns the causes upstream's ``Validate`` (create) or
``ValidateUpdate`` (update, when ``old`` is given) would report, in upstream's order, for an
object that has been defaulted and prepared (see the package docstring for the pipeline).
Every kind gets object-metadata validation with its own name rule (DNS subdomain, DNS label,
DNS-1035 label or path segment); the kinds users write by hand get their spec rules and update
immutability: pods, services, workloads (deployments, replica sets, stateful sets, daemon sets,
replication controllers, jobs, cron jobs), namespaces, config maps, secrets, claims, HPAs and
ingresses. ``invalid_status`` in ``causes`` turns the causes into the 422 Status.

Invariant: on update, ``obj.metadata.resourceVersion`` must already be filled in for an
unconditional update (upstream copies the stored one before validating).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from backends.simulator.apiserver.admission import causes as c
from backends.simulator.apiserver.admission.causes import Cause
from backends.simulator.apiserver.admission.meta import (
    as_dict,
    as_list,
    immutable,
    key_path,
    nonnegative,
    selector_is_empty,
    selector_matches,
    validate_annotations,
    validate_label_selector,
    validate_labels,
    validate_object_meta,
    validate_object_meta_update,
)
from backends.simulator.apiserver.admission.names import (
    NameCheck,
    is_config_map_key,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_path_segment_name,
    is_qualified_name,
    is_valid_port_name,
    is_valid_port_num,
    name_is_dns1035_label,
    name_is_dns_label,
    name_is_dns_subdomain,
)
from backends.simulator.apiserver.admission.pods import (
    validate_pod,
    validate_pod_spec,
    validate_pod_update,
)
from backends.simulator.apiserver.admission.quantity import quantity_value
from backends.simulator.apiserver.resources import ResourceType

Obj = dict[str, Any]
Validator = Callable[[list[Cause], Obj, "Obj | None"], None]

MAX_SECRET_SIZE = 1024 * 1024
_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
_SERVICE_PROTOCOLS = ("SCTP", "TCP", "UDP")
_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_PERCENT = re.compile("[0-9]+%")
_IPV4 = re.compile(
    r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"
)


def _path_segment(name: str, prefix: bool) -> list[str]:
    return is_path_segment_name(name, prefix)


# Name rules per kind; anything not listed is a DNS subdomain.
_NAME_CHECKS: dict[tuple[str, str], NameCheck] = {
    ("", "Namespace"): name_is_dns_label,
    ("", "Service"): name_is_dns1035_label,
    ("rbac.authorization.k8s.io", "Role"): _path_segment,
    ("rbac.authorization.k8s.io", "ClusterRole"): _path_segment,
    ("rbac.authorization.k8s.io", "RoleBinding"): _path_segment,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _path_segment,
}


def _spec(obj: Obj) -> Obj:
    return as_dict(obj.get("spec"))


def _labels(obj: Any) -> Any:
    return as_dict(as_dict(obj).get("metadata")).get("labels")


# --- workloads --------------------------------------------------------------------------------


def _pod_template(errs: list[Cause], template: Any, path: str) -> None:
    """``ValidatePodTemplateSpec``: template labels, annotations and pod spec."""
    metadata = as_dict(as_dict(template).get("metadata"))
    validate_labels(errs, metadata.get("labels"), f"{path}.metadata.labels")
    validate_pod_spec(errs, as_dict(template).get("spec"), f"{path}.spec")


def _stateful_set_template(errs: list[Cause], template: Any) -> None:
    """``ValidatePodTemplateSpecForStatefulSet``: only the template's labels and annotations,
    under upstream's paths ``spec.template.labels``/``.annotations``. Upstream leaves the pod spec
    unchecked (its volume check would reject mounts of volumeClaimTemplates); a bad spec shows
    when the controller creates pods."""
    metadata = as_dict(as_dict(template).get("metadata"))
    validate_labels(errs, metadata.get("labels"), "spec.template.labels")
    validate_annotations(errs, metadata.get("annotations"), "spec.template.annotations")


def _selector(errs: list[Cause], spec: Obj, path: str, kind: str, required: bool = True) -> None:
    selector = spec.get("selector")
    if selector is None:
        if required:
            errs.append(c.required(f"{path}.selector"))
        return
    validate_label_selector(errs, selector, f"{path}.selector")
    if selector_is_empty(selector):
        errs.append(
            c.invalid(f"{path}.selector", selector, f"empty selector is invalid for {kind}")
        )


def _template_matches(errs: list[Cause], spec: Obj, path: str) -> None:
    template = as_dict(spec.get("template"))
    selector = spec.get("selector")
    if (
        isinstance(selector, dict)
        and not selector_is_empty(selector)
        and not selector_matches(selector, _labels(template))
    ):
        labels = dict(sorted(as_dict(_labels(template)).items()))
        errs.append(
            c.invalid(
                f"{path}.template.metadata.labels",
                labels,
                "`selector` does not match template `labels`",
            )
        )


def _always_restart(errs: list[Cause], spec: Obj, path: str) -> None:
    pod_spec = as_dict(as_dict(spec.get("template")).get("spec"))
    if pod_spec.get("restartPolicy") != "Always":
        errs.append(
            c.not_supported(
                f"{path}.template.spec.restartPolicy",
                pod_spec.get("restartPolicy") or "",
                ["Always"],
            )
        )


def _replica_set_template(errs: list[Cause], spec: Obj, path: str, deadline_detail: str) -> None:
    """``ValidatePodTemplateSpecForReplicaSet``."""
    if "template" not in spec:
        errs.append(c.required(f"{path}.template"))
        return
    _template_matches(errs, spec, path)
    _pod_template(errs, spec["template"], f"{path}.template")
    _always_restart(errs, spec, path)
    deadline = as_dict(as_dict(spec["template"]).get("spec")).get("activeDeadlineSeconds")
    if deadline is not None:
        errs.append(
            c.invalid(f"{path}.template.spec.activeDeadlineSeconds", deadline, deadline_detail)
        )


def _int_or_percent(errs: list[Cause], value: Any, path: str) -> None:
    """``ValidatePositiveIntOrPercent`` and ``IsNotMoreThan100Percent``."""
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            errs.append(c.invalid(path, value, "must be an integer or percentage (e.g '5%')"))
        elif int(value[:-1]) > 100:
            errs.append(c.invalid(path, value, "must not be greater than 100%"))
    else:
        nonnegative(errs, value, path)


def _int_or_percent_value(value: Any) -> int:
    """``getIntOrPercentValue``: the percentage, else ``IntValue`` (Atoi of a string, 0 on error)."""
    if isinstance(value, str):
        text = value[:-1] if _PERCENT.fullmatch(value) else value
        return int(text) if text.isdigit() else 0
    return value if isinstance(value, int) else 0


def _validate_deployment(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    nonnegative(errs, spec.get("replicas", 0), "spec.replicas")
    _selector(errs, spec, "spec", "deployment")
    _replica_set_template(
        errs, spec, "spec", "activeDeadlineSeconds in ReplicaSet is not Supported"
    )
    strategy = as_dict(spec.get("strategy"))
    kind = strategy.get("type")
    if kind == "Recreate":
        if strategy.get("rollingUpdate") is not None:
            errs.append(
                c.forbidden(
                    "spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'",
                )
            )
    elif kind == "RollingUpdate":
        rolling = as_dict(strategy.get("rollingUpdate"))
        unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        _int_or_percent(errs, unavailable, "spec.strategy.rollingUpdate.maxUnavailable")
        _int_or_percent(errs, surge, "spec.strategy.rollingUpdate.maxSurge")
        if _int_or_percent_value(unavailable) == 0 and _int_or_percent_value(surge) == 0:
            errs.append(
                c.invalid(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    unavailable,
                    "may not be 0 when `maxSurge` is 0",
                )
            )
    else:
        errs.append(c.not_supported("spec.strategy", strategy, ("Recreate", "RollingUpdate")))
    min_ready = spec.get("minReadySeconds", 0)
    nonnegative(errs, min_ready, "spec.minReadySeconds")
    nonnegative(errs, spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        nonnegative(errs, deadline, "spec.progressDeadlineSeconds")
        if isinstance(min_ready, int) and deadline <= min_ready:
            errs.append(
                c.invalid(
                    "spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"
                )
            )
    if old is not None:
        immutable(errs, spec.get("selector"), _spec(old).get("selector"), "spec.selector")


def _validate_replica_set(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    nonnegative(errs, spec.get("replicas", 0), "spec.replicas")
    nonnegative(errs, spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    _selector(errs, spec, "spec", "deployment")
    _replica_set_template(
        errs, spec, "spec", "activeDeadlineSeconds in ReplicaSet is not Supported"
    )
    if old is not None:
        immutable(errs, spec.get("selector"), _spec(old).get("selector"), "spec.selector")


def _validate_daemon_set(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    selector = spec.get("selector")
    validate_label_selector(errs, selector, "spec.selector")
    if not selector_matches(selector, _labels(spec.get("template"))):
        labels = dict(sorted(as_dict(_labels(spec.get("template"))).items()))
        errs.append(
            c.invalid(
                "spec.template.metadata.labels",
                labels,
                "`selector` does not match template `labels`",
            )
        )
    if isinstance(selector, dict) and selector_is_empty(selector):
        errs.append(c.invalid("spec.selector", selector, "empty selector is invalid for daemonset"))
    _pod_template(errs, spec.get("template"), "spec.template")
    _always_restart(errs, spec, "spec")
    deadline = as_dict(as_dict(spec.get("template")).get("spec")).get("activeDeadlineSeconds")
    if deadline is not None:
        errs.append(
            c.invalid(
                "spec.template.spec.activeDeadlineSeconds",
                deadline,
                "activeDeadlineSeconds must be nil for daemons",
            )
        )
    nonnegative(errs, spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    strategy = as_dict(spec.get("updateStrategy"))
    kind = strategy.get("type")
    if not kind:
        errs.append(c.required("spec.updateStrategy.type"))
    elif kind not in ("OnDelete", "RollingUpdate"):
        errs.append(
            c.not_supported("spec.updateStrategy.type", kind, ("OnDelete", "RollingUpdate"))
        )
    elif kind == "RollingUpdate":
        rolling = as_dict(strategy.get("rollingUpdate"))
        _int_or_percent(
            errs, rolling.get("maxUnavailable"), "spec.updateStrategy.rollingUpdate.maxUnavailable"
        )
        _int_or_percent(errs, rolling.get("maxSurge"), "spec.updateStrategy.rollingUpdate.maxSurge")
    nonnegative(errs, spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
    if old is not None:
        immutable(errs, spec.get("selector"), _spec(old).get("selector"), "spec.selector")


_STATEFUL_SET_UPDATABLE = (
    "replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy", "minReadySeconds",
)  # fmt: skip


def _validate_stateful_set(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    policy = spec.get("podManagementPolicy")
    if not policy:
        errs.append(c.required("spec.podManagementPolicy"))
    elif policy not in ("OrderedReady", "Parallel"):
        errs.append(
            c.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'")
        )
    strategy = as_dict(spec.get("updateStrategy"))
    kind = strategy.get("type")
    if not kind:
        errs.append(c.required("spec.updateStrategy"))
    elif kind == "OnDelete":
        if strategy.get("rollingUpdate") is not None:
            errs.append(
                c.invalid(
                    "spec.updateStrategy.rollingUpdate",
                    strategy["rollingUpdate"],
                    "only allowed for updateStrategy 'RollingUpdate'",
                )
            )
    elif kind == "RollingUpdate":
        rolling = as_dict(strategy.get("rollingUpdate"))
        nonnegative(
            errs, rolling.get("partition", 0), "spec.updateStrategy.rollingUpdate.partition"
        )
    else:
        errs.append(
            c.invalid("spec.updateStrategy", strategy, "must be 'RollingUpdate' or 'OnDelete'")
        )
    nonnegative(errs, spec.get("replicas", 0), "spec.replicas")
    nonnegative(errs, spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    _selector(errs, spec, "spec", "statefulset")
    if spec.get("selector") is not None:
        _template_matches(errs, spec, "spec")
    _stateful_set_template(errs, spec.get("template"))
    _always_restart(errs, spec, "spec")
    if as_dict(as_dict(spec.get("template")).get("spec")).get("activeDeadlineSeconds") is not None:
        errs.append(
            c.forbidden(
                "spec.template.spec.activeDeadlineSeconds",
                "activeDeadlineSeconds in StatefulSet is not Supported",
            )
        )
    if old is not None:
        old_spec = _spec(old)
        changed = {k for k in set(spec) | set(old_spec) if spec.get(k) != old_spec.get(k)}
        if changed - set(_STATEFUL_SET_UPDATABLE):
            errs.append(
                c.forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                    "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                    "'minReadySeconds' are forbidden",
                )
            )


def _validate_replication_controller(errs: list[Cause], obj: Obj, _old: Obj | None) -> None:
    spec = _spec(obj)
    nonnegative(errs, spec.get("replicas", 0), "spec.replicas")
    nonnegative(errs, spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    selector = as_dict(spec.get("selector"))
    if not selector:
        errs.append(c.required("spec.selector"))
    else:
        validate_labels(errs, selector, "spec.selector")
    template = spec.get("template")
    if template is None:
        errs.append(c.required("spec.template"))
        return
    labels = as_dict(_labels(template))
    if selector and any(labels.get(k) != v for k, v in selector.items()):
        errs.append(
            c.invalid(
                "spec.template.metadata.labels",
                dict(sorted(labels.items())),
                "`selector` does not match template `labels`",
            )
        )
    _pod_template(errs, template, "spec.template")
    _always_restart(errs, spec, "spec")


# --- batch ------------------------------------------------------------------------------------


def _has_label(errs: list[Cause], labels: Obj, key: str, expected: str) -> None:
    """``ValidateHasLabel`` on ``spec.template.metadata``."""
    path = key_path("spec.template.metadata.labels", key)
    if key not in labels:
        errs.append(c.required(path, expected))
    elif labels[key] != expected:
        errs.append(c.invalid(path, dict(sorted(labels.items())), f"must be '{expected}'"))


def _job_spec(errs: list[Cause], spec: Obj, path: str) -> None:
    """``validateJobSpec``: counts, completion mode, template and its restart policy."""
    for name in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
    ):
        nonnegative(errs, spec.get(name), f"{path}.{name}")
    mode = spec.get("completionMode")
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errs.append(c.not_supported(f"{path}.completionMode", mode, ("NonIndexed", "Indexed")))
    if mode == "Indexed" and spec.get("completions") is None:
        errs.append(c.required(f"{path}.completions", "when completion mode is Indexed"))
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None and replacement not in ("TerminatingOrFailed", "Failed"):
        errs.append(
            c.not_supported(
                f"{path}.podReplacementPolicy", replacement, ("Failed", "TerminatingOrFailed")
            )
        )
    _pod_template(errs, spec.get("template"), f"{path}.template")
    restart = as_dict(as_dict(spec.get("template")).get("spec")).get("restartPolicy")
    if restart not in ("OnFailure", "Never"):
        errs.append(
            c.not_supported(
                f"{path}.template.spec.restartPolicy", restart or "", ("OnFailure", "Never")
            )
        )


def _validate_job(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    metadata = as_dict(obj.get("metadata"))
    spec = _spec(obj)
    if not spec.get("manualSelector") and spec.get("selector") is not None:
        uid, name = str(metadata.get("uid") or ""), str(metadata.get("name") or "")
        if not uid:
            errs.append(c.required("metadata.uid"))
        labels = as_dict(_labels(spec.get("template")))
        _has_label(errs, labels, "controller-uid", uid)
        _has_label(errs, labels, "job-name", name)
        old_labels = as_dict(_labels(_spec(old).get("template"))) if old is not None else None
        if old_labels is None or (
            "batch.kubernetes.io/job-name" in old_labels
            and "batch.kubernetes.io/controller-uid" in old_labels
        ):
            _has_label(errs, labels, "batch.kubernetes.io/controller-uid", uid)
            _has_label(errs, labels, "batch.kubernetes.io/job-name", name)
        expected = {
            "controller-uid": uid,
            "batch.kubernetes.io/controller-uid": uid,
            "job-name": name,
            "batch.kubernetes.io/job-name": name,
        }
        if not selector_matches(spec["selector"], expected):
            errs.append(
                c.invalid("spec.selector", spec["selector"], "`selector` not auto-generated")
            )
    _job_spec(errs, spec, "spec")
    if spec.get("selector") is None:
        errs.append(c.required("spec.selector"))
    else:
        validate_label_selector(errs, spec["selector"], "spec.selector")
        if not selector_matches(spec["selector"], _labels(spec.get("template"))):
            labels = dict(sorted(as_dict(_labels(spec.get("template"))).items()))
            errs.append(
                c.invalid(
                    "spec.template.metadata.labels",
                    labels,
                    "`selector` does not match template `labels`",
                )
            )
    if old is not None:
        old_spec = _spec(old)
        for name in (
            "completions",
            "selector",
            "template",
            "completionMode",
            "podFailurePolicy",
            "backoffLimitPerIndex",
            "managedBy",
            "successPolicy",
        ):
            immutable(errs, spec.get(name), old_spec.get(name), f"spec.{name}")


_CRON_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 6),
)
_CRON_NAMES = {
    3: {
        m: i + 1
        for i, m in enumerate(
            ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
        )
    },
    4: {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))},
}
_CRON_DESCRIPTORS = (
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
)
_DURATION = re.compile(r"([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+")


def _cron_value(text: str, field: int) -> tuple[int | None, str | None]:
    names = _CRON_NAMES.get(field, {})
    if text.lower() in names:
        return names[text.lower()], None
    if not text.isdigit():
        return (
            None,
            f"failed to parse int from {text}: strconv.Atoi: parsing {c.go_quote(text)}: invalid syntax",
        )
    return int(text), None


def cron_error(schedule: str) -> str | None:
    """What robfig/cron's ``ParseStandard`` says about a schedule, or None when it parses."""
    if schedule.startswith("@"):
        if schedule in _CRON_DESCRIPTORS:
            return None
        if schedule.startswith("@every "):
            duration = schedule[len("@every ") :]
            return (
                None
                if _DURATION.fullmatch(duration)
                else f"failed to parse duration {schedule}: time: invalid duration {c.go_quote(duration)}"
            )
        return f"unrecognized descriptor: {schedule}"
    fields = schedule.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: {schedule}"
    for index, (text, (_, low, high)) in enumerate(zip(fields, _CRON_FIELDS, strict=True)):
        for part in text.split(","):
            range_part, _, step = part.partition("/")
            if step and not step.isdigit():
                return f"failed to parse int from {step}: strconv.Atoi: parsing {c.go_quote(step)}: invalid syntax"
            if range_part in ("*", "?"):
                continue
            start_text, _, end_text = range_part.partition("-")
            start, error = _cron_value(start_text, index)
            if error:
                return error
            end = start
            if end_text:
                end, error = _cron_value(end_text, index)
                if error:
                    return error
            assert start is not None and end is not None
            if start < low:
                return f"beginning of range ({start}) below minimum ({low}): {part}"
            if end > high:
                return f"end of range ({end}) above maximum ({high}): {part}"
            if start > end:
                return f"beginning of range ({start}) beyond end of range ({end}): {part}"
    return None


def _validate_cron_job(errs: list[Cause], obj: Obj, _old: Obj | None) -> None:
    name = as_dict(obj.get("metadata")).get("name")
    if isinstance(name, str) and len(name) > 52:
        errs.append(c.invalid("metadata.name", name, "must be no more than 52 characters"))
    spec = _spec(obj)
    schedule = spec.get("schedule")
    if not schedule:
        errs.append(c.required("spec.schedule"))
    elif isinstance(schedule, str):
        if "TZ" in schedule:
            errs.append(
                c.invalid(
                    "spec.schedule",
                    schedule,
                    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                )
            )
        else:
            error = cron_error(schedule)
            if error:
                errs.append(c.invalid("spec.schedule", schedule, error))
    nonnegative(errs, spec.get("startingDeadlineSeconds"), "spec.startingDeadlineSeconds")
    policy = spec.get("concurrencyPolicy")
    if not policy:
        errs.append(c.required("spec.concurrencyPolicy"))
    elif policy not in ("Allow", "Forbid", "Replace"):
        errs.append(
            c.not_supported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace"))
        )
    job_spec = as_dict(as_dict(spec.get("jobTemplate")).get("spec"))
    _job_spec(errs, job_spec, "spec.jobTemplate.spec")
    if job_spec.get("selector") is not None:
        errs.append(
            c.invalid(
                "spec.jobTemplate.spec.selector",
                job_spec["selector"],
                "`selector` will be auto-generated",
            )
        )
    if job_spec.get("manualSelector"):
        errs.append(c.not_supported("spec.jobTemplate.spec.manualSelector", True, ("nil", "false")))
    nonnegative(errs, spec.get("successfulJobsHistoryLimit"), "spec.successfulJobsHistoryLimit")
    nonnegative(errs, spec.get("failedJobsHistoryLimit"), "spec.failedJobsHistoryLimit")


# --- core -------------------------------------------------------------------------------------


def _cluster_ips(spec: Obj) -> list[Any]:
    ips = as_list(spec.get("clusterIPs"))
    if not ips and spec.get("clusterIP"):
        ips = [spec["clusterIP"]]
    return ips


def _go_service_port(port: Obj) -> Obj:
    """The internal ``core.ServicePort`` key upstream prints for duplicate ports."""
    return {
        "Name": "",
        "Protocol": port.get("protocol", ""),
        "AppProtocol": None,
        "Port": port.get("port", 0),
        "TargetPort": 0,
        "NodePort": 0,
    }


def _validate_service(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    kind = spec.get("type")
    ports = [as_dict(p) for p in as_list(spec.get("ports"))]
    headless = spec.get("clusterIP") == "None"
    if old is not None:
        _validate_cluster_ip_update(errs, spec, _spec(old), kind, _spec(old).get("type"))
    if not ports and not headless and kind != "ExternalName":
        errs.append(c.required("spec.ports"))
    if kind in ("LoadBalancer", "NodePort") and headless:
        errs.append(
            c.invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {kind} services")
        )
    if kind == "LoadBalancer":
        for index, port in enumerate(ports):
            if port.get("port") == 10250:
                errs.append(
                    c.invalid(
                        f"spec.ports[{index}].port",
                        10250,
                        "may not expose port 10250 externally since it is used by kubelet",
                    )
                )
    if kind == "ExternalName":
        if _cluster_ips(spec):
            errs.append(c.forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        cname = str(spec.get("externalName") or "").removesuffix(".")
        if cname:
            errs.extend(
                c.invalid("spec.externalName", cname, m) for m in is_dns1123_subdomain(cname)
            )
        else:
            errs.append(c.required("spec.externalName"))
    names: set[str] = set()
    for index, port in enumerate(ports):
        _validate_service_port(errs, port, len(ports) > 1, names, f"spec.ports[{index}]")
    validate_labels(errs, spec.get("selector"), "spec.selector")
    affinity = spec.get("sessionAffinity")
    if not affinity:
        errs.append(c.required("spec.sessionAffinity"))
    elif affinity not in ("ClientIP", "None"):
        errs.append(c.not_supported("spec.sessionAffinity", affinity, ("ClientIP", "None")))
    for index, ip in enumerate(_cluster_ips(spec)):
        if ip != "None" and isinstance(ip, str) and not _valid_ip(ip):
            errs.append(
                c.invalid(
                    f"spec.clusterIPs[{index}]",
                    ip,
                    "must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)",
                )
            )
    if not kind:
        errs.append(c.required("spec.type"))
    elif kind not in _SERVICE_TYPES:
        errs.append(c.not_supported("spec.type", kind, _SERVICE_TYPES))
    if kind == "ClusterIP":
        for index, port in enumerate(ports):
            if port.get("nodePort"):
                errs.append(
                    c.forbidden(
                        f"spec.ports[{index}].nodePort",
                        "may not be used when `type` is 'ClusterIP'",
                    )
                )
    seen_node_ports: set[tuple[Any, Any]] = set()
    for index, port in enumerate(ports):
        if port.get("nodePort"):
            key = (port.get("protocol"), port["nodePort"])
            if key in seen_node_ports:
                errs.append(c.duplicate(f"spec.ports[{index}].nodePort", port["nodePort"]))
            seen_node_ports.add(key)
    seen_ports: set[tuple[Any, Any]] = set()
    for index, port in enumerate(ports):
        key = (port.get("protocol"), port.get("port"))
        if key in seen_ports:
            errs.append(c.duplicate(f"spec.ports[{index}]", _go_service_port(port)))
        seen_ports.add(key)
    policy = spec.get("externalTrafficPolicy")
    if policy and policy not in ("Cluster", "Local"):
        errs.append(c.not_supported("spec.externalTrafficPolicy", policy, ("Cluster", "Local")))


def _valid_ip(ip: str) -> bool:
    if _IPV4.fullmatch(ip):
        return True
    try:
        return isinstance(ipaddress.ip_address(ip), ipaddress.IPv6Address)
    except ValueError:
        return False


def _validate_service_port(
    errs: list[Cause], port: Obj, require_name: bool, names: set[str], path: str
) -> None:
    """``validateServicePort``."""
    name = port.get("name")
    if require_name and not name:
        errs.append(c.required(f"{path}.name"))
    elif isinstance(name, str) and name:
        errs.extend(c.invalid(f"{path}.name", name, m) for m in is_dns1123_label(name))
        if name in names:
            errs.append(c.duplicate(f"{path}.name", name))
        names.add(name)
    number = port.get("port", 0)
    if isinstance(number, int):
        errs.extend(c.invalid(f"{path}.port", number, m) for m in is_valid_port_num(number))
    protocol = port.get("protocol")
    if not protocol:
        errs.append(c.required(f"{path}.protocol"))
    elif protocol not in _SERVICE_PROTOCOLS:
        errs.append(c.not_supported(f"{path}.protocol", protocol, _SERVICE_PROTOCOLS))
    target = port.get("targetPort")
    if isinstance(target, str):
        errs.extend(c.invalid(f"{path}.targetPort", target, m) for m in is_valid_port_name(target))
    elif isinstance(target, int):
        errs.extend(c.invalid(f"{path}.targetPort", target, m) for m in is_valid_port_num(target))
    app_protocol = port.get("appProtocol")
    if isinstance(app_protocol, str):
        errs.extend(
            c.invalid(f"{path}.appProtocol", app_protocol, m)
            for m in is_qualified_name(app_protocol)
        )


def _validate_cluster_ip_update(
    errs: list[Cause], spec: Obj, old_spec: Obj, kind: Any, old_kind: Any
) -> None:
    """``validateUpgradeDowngradeClusterIPs``: allocated cluster IPs may not change."""
    if "ExternalName" in (kind, old_kind):
        return
    new_ips, old_ips = _cluster_ips(spec), _cluster_ips(old_spec)
    if "None" in new_ips[:1] and "None" in old_ips[:1]:
        return
    if not new_ips and old_ips:
        errs.append(c.invalid("spec.clusterIPs[0]", new_ips, "primary clusterIP can not be unset"))
        return
    for index, ip in enumerate(old_ips):
        if index < len(new_ips) and new_ips[index] != ip:
            errs.append(c.invalid(f"spec.clusterIPs[{index}]", new_ips, "may not change once set"))


def _validate_namespace(errs: list[Cause], obj: Obj, _old: Obj | None) -> None:
    for finalizer in as_list(_spec(obj).get("finalizers")):
        if isinstance(finalizer, str):
            errs.extend(
                c.invalid("spec.finalizers", finalizer, m) for m in is_qualified_name(finalizer)
            )
            if "/" not in finalizer and finalizer != "kubernetes":
                errs.append(
                    c.invalid(
                        "spec.finalizers",
                        finalizer,
                        "name is neither a standard finalizer name nor is it fully qualified",
                    )
                )


def _validate_data_keys(errs: list[Cause], data: Any, path: str) -> int:
    size = 0
    for key, value in as_dict(data).items():
        errs.extend(c.invalid(key_path(path, key), key, m) for m in is_config_map_key(key))
        size += len(str(value).encode())
    return size


def _immutable_data(errs: list[Cause], obj: Obj, old: Obj | None, fields: tuple[str, ...]) -> None:
    if old is None or not old.get("immutable"):
        return
    if not obj.get("immutable"):
        errs.append(c.forbidden("immutable", "field is immutable when `immutable` is set"))
    for name in fields:
        if obj.get(name) != old.get(name):
            errs.append(c.forbidden(name, "field is immutable when `immutable` is set"))


def _validate_config_map(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    size = _validate_data_keys(errs, obj.get("data"), "data")
    size += _validate_data_keys(errs, obj.get("binaryData"), "binaryData")
    for key in as_dict(obj.get("binaryData")):
        if key in as_dict(obj.get("data")):
            errs.append(c.invalid("data", key, "duplicate of key present in binaryData"))
    if size > MAX_SECRET_SIZE:
        errs.append(c.too_long("", MAX_SECRET_SIZE))
    _immutable_data(errs, obj, old, ("data", "binaryData"))


_SECRET_REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def _validate_secret(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    data = as_dict(obj.get("data"))
    if _validate_data_keys(errs, data, "data") > MAX_SECRET_SIZE:
        errs.append(c.too_long("data", MAX_SECRET_SIZE))
    kind = obj.get("type")
    if kind == "kubernetes.io/service-account-token":
        annotations = as_dict(as_dict(obj.get("metadata")).get("annotations"))
        if not annotations.get("kubernetes.io/service-account.name"):
            errs.append(c.required("metadata.annotations[kubernetes.io/service-account.name]"))
    elif kind == "kubernetes.io/basic-auth" and "username" not in data and "password" not in data:
        # Upstream builds this path from the literal "data[%s]" (sic).
        errs.append(c.required("data[%s][username]"))
        errs.append(c.required("data[%s][password]"))
    elif kind == "kubernetes.io/ssh-auth" and not data.get("ssh-privatekey"):
        errs.append(c.required("data[%s][ssh-privatekey]"))
    for key in _SECRET_REQUIRED_KEYS.get(str(kind), ()):
        if key not in data:
            errs.append(c.required(key_path("data", key)))
    if old is not None:
        immutable(errs, kind, old.get("type"), "type")
    _immutable_data(errs, obj, old, ("data",))


def _validate_pvc(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    modes = as_list(spec.get("accessModes"))
    if not modes:
        errs.append(c.required("spec.accessModes", "at least 1 access mode is required"))
    for mode in modes:
        if mode not in _ACCESS_MODES:
            errs.append(c.not_supported("spec.accessModes", mode, _ACCESS_MODES))
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        errs.append(
            c.forbidden("spec.accessModes", "may not use ReadWriteOncePod with other access modes")
        )
    validate_label_selector(errs, spec.get("selector"), "spec.selector")
    requests = as_dict(as_dict(spec.get("resources")).get("requests"))
    storage_path = key_path("spec.resources", "storage")
    if "storage" not in requests:
        errs.append(c.required(storage_path))
    else:
        value = quantity_value(requests["storage"])
        if value is not None and value <= 0:
            errs.append(
                c.invalid(storage_path, str(requests["storage"]), "must be greater than zero")
            )
    volume_mode = spec.get("volumeMode")
    if volume_mode is not None and volume_mode not in ("Block", "Filesystem"):
        errs.append(c.not_supported("spec.volumeMode", volume_mode, ("Block", "Filesystem")))
    if old is not None:
        old_spec = _spec(old)
        unchanged = {
            k: v for k, v in spec.items() if k not in ("resources", "volumeAttributesClassName")
        }
        old_unchanged = {
            k: v for k, v in old_spec.items() if k not in ("resources", "volumeAttributesClassName")
        }
        if not old_spec.get("volumeName"):
            unchanged.pop("volumeName", None)
            old_unchanged.pop("volumeName", None)
        if unchanged != old_unchanged:
            errs.append(
                c.forbidden(
                    "spec",
                    "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
                )
            )


def _validate_hpa(errs: list[Cause], obj: Obj, _old: Obj | None) -> None:
    spec = _spec(obj)
    minimum, maximum = spec.get("minReplicas"), spec.get("maxReplicas", 0)
    if isinstance(minimum, int) and minimum < 1:
        errs.append(c.invalid("spec.minReplicas", minimum, "must be greater than or equal to 1"))
    if isinstance(maximum, int):
        if maximum < 1:
            errs.append(c.invalid("spec.maxReplicas", maximum, "must be greater than 0"))
        if isinstance(minimum, int) and maximum < minimum:
            errs.append(
                c.invalid(
                    "spec.maxReplicas", maximum, "must be greater than or equal to `minReplicas`"
                )
            )
    ref = as_dict(spec.get("scaleTargetRef"))
    for name in ("kind", "name"):
        value = ref.get(name)
        if not value:
            errs.append(c.required(f"spec.scaleTargetRef.{name}"))
        elif isinstance(value, str):
            errs.extend(
                c.invalid(f"spec.scaleTargetRef.{name}", value, m)
                for m in is_path_segment_name(value)
            )


def _validate_ingress(errs: list[Cause], obj: Obj, _old: Obj | None) -> None:
    spec = _spec(obj)
    rules = as_list(spec.get("rules"))
    if not rules and spec.get("defaultBackend") is None:
        errs.append(
            c.invalid("spec", rules, "either `defaultBackend` or `rules` must be specified")
        )
    for index, rule in enumerate(rules):
        rule = as_dict(rule)
        rule_path = f"spec.rules[{index}]"
        host = rule.get("host")
        if isinstance(host, str) and host:
            checked = host[2:] if host.startswith("*.") else host
            errs.extend(
                c.invalid(f"{rule_path}.host", host, m) for m in is_dns1123_subdomain(checked)
            )
        http = rule.get("http")
        if http is None:
            continue
        paths = as_list(as_dict(http).get("paths"))
        if not paths:
            errs.append(c.required(f"{rule_path}.http.paths"))
        for path_index, entry in enumerate(paths):
            _validate_ingress_path(errs, as_dict(entry), f"{rule_path}.http.paths[{path_index}]")


def _validate_ingress_path(errs: list[Cause], entry: Obj, path: str) -> None:
    path_type = entry.get("pathType")
    if not path_type:
        errs.append(c.required(f"{path}.pathType", "pathType must be specified"))
    elif path_type not in ("Exact", "ImplementationSpecific", "Prefix"):
        errs.append(
            c.not_supported(
                f"{path}.pathType", path_type, ("Exact", "ImplementationSpecific", "Prefix")
            )
        )
    value = entry.get("path") or ""
    if path_type in ("Exact", "Prefix") and not value.startswith("/"):
        errs.append(c.invalid(f"{path}.path", value, "must be an absolute path"))
    backend = as_dict(entry.get("backend"))
    service = backend.get("service")
    if service is None and backend.get("resource") is None:
        errs.append(c.invalid(f"{path}.backend", backend, "one backend must be specified"))
    if isinstance(service, dict):
        name = service.get("name")
        if not name:
            errs.append(c.required(f"{path}.backend.service.name"))
        else:
            errs.extend(
                c.invalid(f"{path}.backend.service.name", name, m)
                for m in name_is_dns1035_label(name)
            )
        port = as_dict(service.get("port"))
        if port.get("name") and port.get("number"):
            errs.append(
                c.invalid(
                    f"{path}.backend.service.port", port, "cannot set both port name & port number"
                )
            )
        elif port.get("name"):
            errs.extend(
                c.invalid(f"{path}.backend.service.port.name", port["name"], m)
                for m in is_valid_port_name(port["name"])
            )
        elif isinstance(port.get("number"), int):
            errs.extend(
                c.invalid(f"{path}.backend.service.port.number", port["number"], m)
                for m in is_valid_port_num(port["number"])
            )
        else:
            errs.append(
                c.required(f"{path}.backend.service.port", "port name or number is required")
            )


def _validate_pod(errs: list[Cause], obj: Obj, old: Obj | None) -> None:
    if old is None:
        validate_pod(errs, obj)
    else:
        validate_pod_update(errs, obj, old)


_VALIDATORS: dict[tuple[str, str], Validator] = {
    ("", "Pod"): _validate_pod,
    ("", "PodTemplate"): lambda errs, obj, old: _pod_template(
        errs, obj.get("template"), "template"
    ),
    ("", "ReplicationController"): _validate_replication_controller,
    ("", "Service"): _validate_service,
    ("", "Namespace"): _validate_namespace,
    ("", "ConfigMap"): _validate_config_map,
    ("", "Secret"): _validate_secret,
    ("", "PersistentVolumeClaim"): _validate_pvc,
    ("apps", "Deployment"): _validate_deployment,
    ("apps", "ReplicaSet"): _validate_replica_set,
    ("apps", "DaemonSet"): _validate_daemon_set,
    ("apps", "StatefulSet"): _validate_stateful_set,
    ("batch", "Job"): _validate_job,
    ("batch", "CronJob"): _validate_cron_job,
    ("autoscaling", "HorizontalPodAutoscaler"): _validate_hpa,
    ("networking.k8s.io", "Ingress"): _validate_ingress,
}


def validate(resource: ResourceType, obj: Obj, old: Obj | None = None) -> list[Cause]:
    """The validation causes for creating ``obj`` (or updating ``old`` to ``obj``)."""
    errs: list[Cause] = []
    key = (resource.group, resource.kind)
    metadata = as_dict(obj.get("metadata"))
    if old is None:
        name_check = _NAME_CHECKS.get(key, name_is_dns_subdomain)
        validate_object_meta(errs, metadata, resource.namespaced, name_check)
    else:
        validate_object_meta_update(errs, metadata, as_dict(old.get("metadata")))
    validator = _VALIDATORS.get(key)
    if validator is not None:
        validator(errs, obj, old)
    return errs

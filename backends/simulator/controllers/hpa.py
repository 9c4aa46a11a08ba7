"""kube-controller-manager's horizontal-pod-autoscaler controller (autoscaling/v2) on Resource
metrics (CPU, memory) read in-process from the simulator's metrics-server sampler.

Every 15 seconds (and when the HPA changes) ``reconcile``, as upstream:

* reads the target's scale (``scaleTargetRef`` → its ``replicas`` and selector); a missing
  target is AbleToScale False FailedGetScale;
* a target at 0 replicas (with minReplicas above 0) disables scaling (ScalingActive False
  ScalingDisabled); outside [minReplicas, maxReplicas] it is brought back into range;
* otherwise, per metric: the pods of the selector, their usage from the sampler and their
  containers' requests; utilisation = total usage * 100 / total requests over the ready pods
  with metrics; within the tolerance (0.1) the replica count stays, else it becomes
  ``ceil(ratio * pods with metrics)``, re-checked with pods lacking metrics counted at 100% (on
  scale down) or 0% (on scale up) and not-ready pods at 0% (on scale up); the largest proposal
  wins (a metric that fails: ScalingActive False FailedGetResourceMetric and events
  FailedGetResourceMetric / FailedComputeMetricsReplicas);
* the proposal is stabilised (the highest recommendation of the last 300 s when scaling down,
  ``behavior.scaleDown.stabilizationWindowSeconds`` when given; ``scaleUp``'s window likewise,
  0 by default) and rate-limited (at most max(2 * current, 4) when scaling up), then clamped to
  [minReplicas, maxReplicas] — ScalingLimited says which rule applied;
* a new count is written to the target's ``spec.replicas`` (AbleToScale SucceededRescale,
  event SuccessfulRescale "New size: 3; reason: cpu resource utilization (percentage of
  request) above target" / "All metrics below target"), with ``lastScaleTime``;
* status: currentReplicas, desiredReplicas, currentMetrics, conditions AbleToScale,
  ScalingActive, ScalingLimited (a condition's lastTransitionTime moves only when its status
  does).

Scaling policies in ``behavior`` (other than the stabilisation windows), Pods, Object and
External metrics and container resource metrics are not implemented.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backends.objects.quantity import MILLI, Format, Quantity, QuantityError
from backends.objects.selectors import SelectorError, parse_label_selector
from backends.simulator.apiserver import status
from backends.simulator.apiserver.resources import ResourceType, for_kind, lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.apiserver.subresources import scale_of
from backends.simulator.clock import Clock, rfc3339
from backends.simulator.cluster import api
from backends.simulator.cluster.events import NORMAL, WARNING, EventRecorder
from backends.simulator.controllers.framework import Controller, object_key, split_key
from backends.simulator.controllers.pods import MANAGER, is_ready, labels, meta
from backends.simulator.store import Event

if TYPE_CHECKING:
    from backends.simulator.metrics.sampler import Usage

Obj = dict[str, Any]
# The sampler's view: pod UID -> (container name, usage) of its running containers.
PodUsage = Callable[[], Mapping[str, Sequence[tuple[str, "Usage"]]]]

_hpas = lookup("autoscaling", "v2", "horizontalpodautoscalers")
assert _hpas is not None
HPAS = _hpas

SYNC_PERIOD_SECONDS = 15.0
TOLERANCE = 0.1
DOWNSCALE_STABILIZATION_SECONDS = 300
NO_METRICS = "no metrics returned from resource metrics API"


class MetricError(Exception):
    """A metric could not be computed; the message is the controller's."""


@dataclass(frozen=True)
class Proposal:
    """What one metric asks for."""

    replicas: int
    name: str  # "cpu resource utilization (percentage of request)"
    status: Obj  # its entry in status.currentMetrics


def _milli(quantity: Any) -> int:
    try:
        return Quantity.from_json(quantity).milli_value()
    except (QuantityError, ValueError, TypeError):
        return 0


def _condition(kind: str, state: str, reason: str, message: str, now: str) -> Obj:
    return {
        "type": kind,
        "status": state,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


class HorizontalPodAutoscalerController(Controller):
    """Scales the targets of HorizontalPodAutoscalers; see the module docstring."""

    name = "horizontal-pod-autoscaler"
    primary = api.key(HPAS)
    watches = (primary,)

    def __init__(self, rest: Rest, clock: Clock, metrics: PodUsage | None = None) -> None:
        """``metrics``: the sampler's pod usage (None: no metrics-server, every metric fails)."""
        super().__init__(rest, clock)
        self.metrics = metrics
        self.recorder = EventRecorder(rest, clock, "horizontal-pod-autoscaler", manager=MANAGER)
        self._recommendations: dict[str, list[tuple[float, int]]] = {}

    def on_event(self, event: Event) -> None:
        key = object_key(meta(event.object)["namespace"], meta(event.object)["name"])
        if event.type == "DELETED":
            self._recommendations.pop(key, None)
        elif event.previous is None or event.previous.get("spec") != event.object.get("spec"):
            self.queue.add(key)

    def reconcile(self, key: str) -> None:
        hpa = self.store.get(self.primary, *split_key(key))
        if hpa is None or meta(hpa).get("deletionTimestamp"):
            return
        self.queue.add_after(key, SYNC_PERIOD_SECONDS)
        conditions = {c["type"]: dict(c) for c in (hpa.get("status") or {}).get("conditions") or []}
        new = self._scale(key, hpa, conditions)
        order = ("AbleToScale", "ScalingActive", "ScalingLimited")
        new["conditions"] = [conditions[k] for k in order if k in conditions]
        if new != (hpa.get("status") or {}):
            updated = copy.deepcopy(hpa)
            updated["status"] = new
            api.update_status(self.rest, HPAS, updated, MANAGER)

    def _set(
        self, conditions: dict[str, Obj], kind: str, state: str, reason: str, message: str
    ) -> None:
        """``setCondition``: the transition time moves only with the status."""
        now = rfc3339(self.clock.now())
        old = conditions.get(kind)
        since = old["lastTransitionTime"] if old is not None and old["status"] == state else now
        conditions[kind] = _condition(kind, state, reason, message, since)

    # ----------------------------------------------------------------------- scaling

    def _target(self, hpa: Obj) -> tuple[ResourceType | None, Obj | None, str]:
        ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
        group, _, version = str(ref.get("apiVersion") or "").rpartition("/")
        resource = for_kind(group, version, str(ref.get("kind") or ""))
        name = str(ref.get("name") or "")
        if resource is None or resource.subresource("scale") is None:
            kind = f"{ref.get('kind')}.{group}" if group else str(ref.get("kind"))
            return None, None, f'no matches for kind "{kind}" with scale subresource'
        found = self.store.get(api.key(resource), meta(hpa)["namespace"], name)
        if found is None:
            qualified = f"{resource.plural}.{resource.group}" if resource.group else resource.plural
            return resource, None, f'{qualified} "{name}" not found'
        return resource, found, ""

    def _scale(self, key: str, hpa: Obj, conditions: dict[str, Obj]) -> Obj:
        spec = hpa.get("spec") or {}
        old = hpa.get("status") or {}
        resource, target, error = self._target(hpa)
        new: Obj = {k: old[k] for k in ("lastScaleTime", "currentMetrics") if k in old}
        if resource is None or target is None:
            self._set(
                conditions,
                "AbleToScale",
                "False",
                "FailedGetScale",
                f"the HPA controller was unable to get the target's current scale: {error}",
            )
            self.recorder.event(hpa, WARNING, "FailedGetScale", error)
            new.update(currentReplicas=int(old.get("currentReplicas") or 0))
            new["desiredReplicas"] = int(old.get("desiredReplicas") or 0)
            return new
        scale = scale_of(target, resource.kind)
        current = int(scale["spec"]["replicas"])
        self._set(
            conditions,
            "AbleToScale",
            "True",
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        )
        minimum = int(spec.get("minReplicas", 1))
        maximum = int(spec.get("maxReplicas") or 0)
        reason = ""
        if current == 0 and minimum != 0:
            desired = 0
            self._set(
                conditions,
                "ScalingActive",
                "False",
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            )
        elif current > maximum:
            desired, reason = maximum, "Current number of replicas above Spec.MaxReplicas"
        elif current < minimum:
            desired, reason = minimum, "Current number of replicas below Spec.MinReplicas"
        else:
            proposals, failure = self._proposals(hpa, scale, current)
            new["currentMetrics"] = [p.status for p in proposals] or [{"type": ""}]
            if failure is not None:
                self._set(conditions, "ScalingActive", "False", *failure)
            if not proposals:
                new.update(currentReplicas=current, desiredReplicas=current)
                return new
            best = max(proposals, key=lambda p: p.replicas)
            if failure is None:
                self._set(
                    conditions,
                    "ScalingActive",
                    "True",
                    "ValidMetricFound",
                    f"the HPA was able to successfully calculate a replica count from {best.name}",
                )
            desired = self._normalize(
                key, hpa, conditions, current, best.replicas, minimum, maximum
            )
            if desired > current:
                reason = f"{best.name} above target"
            elif desired < current:
                reason = "All metrics below target"
        new.update(currentReplicas=current, desiredReplicas=desired)
        if desired != current and reason:
            self._rescale(hpa, resource, target, conditions, desired, reason, new)
        return new

    def _rescale(
        self,
        hpa: Obj,
        resource: ResourceType,
        target: Obj,
        conditions: dict[str, Obj],
        desired: int,
        reason: str,
        new: Obj,
    ) -> None:
        try:
            api.patch(
                self.rest,
                resource,
                meta(target)["namespace"],
                meta(target)["name"],
                {"spec": {"replicas": desired}},
                MANAGER,
            )
        except status.ApiStatus as err:
            self._set(
                conditions,
                "AbleToScale",
                "False",
                "FailedUpdateScale",
                f"the HPA controller was unable to update the target scale: {err.message}",
            )
            self.recorder.event(
                hpa,
                WARNING,
                "FailedRescale",
                f"New size: {desired}; reason: {reason}; error: {err.message}",
            )
            return
        self._set(
            conditions,
            "AbleToScale",
            "True",
            "SucceededRescale",
            f"the HPA controller was able to update the target scale to {desired}",
        )
        self.recorder.event(
            hpa, NORMAL, "SuccessfulRescale", f"New size: {desired}; reason: {reason}"
        )
        new["lastScaleTime"] = rfc3339(self.clock.now())

    def _normalize(
        self,
        key: str,
        hpa: Obj,
        conditions: dict[str, Obj],
        current: int,
        proposed: int,
        minimum: int,
        maximum: int,
    ) -> int:
        """Stabilise and limit the proposal (``normalizeDesiredReplicas``)."""
        behavior = (hpa.get("spec") or {}).get("behavior") or {}
        down_window = int(
            (behavior.get("scaleDown") or {}).get(
                "stabilizationWindowSeconds", DOWNSCALE_STABILIZATION_SECONDS
            )
        )
        up_window = int((behavior.get("scaleUp") or {}).get("stabilizationWindowSeconds", 0))
        now = self.clock.monotonic()
        history = [
            (at, n)
            for at, n in self._recommendations.get(key, [])
            if now - at <= max(down_window, up_window)
        ]
        up = min([proposed] + [n for at, n in history if now - at < up_window])
        down = max([proposed] + [n for at, n in history if now - at < down_window])
        self._recommendations[key] = [*history, (now, proposed)]
        stabilized = min(max(current, up), down)
        if stabilized != proposed:
            self._set(
                conditions,
                "AbleToScale",
                "True",
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest "
                "recent recommendation",
            )
        else:
            self._set(
                conditions,
                "AbleToScale",
                "True",
                "ReadyForNewScale",
                "recommended size matches current size",
            )
        up_limit = max(2 * current, 4)
        if maximum > up_limit:
            ceiling, limit_reason = (
                up_limit,
                (
                    "ScaleUpLimit",
                    "the desired replica count is increasing faster than the maximum scale rate",
                ),
            )
        else:
            ceiling, limit_reason = (
                maximum,
                (
                    "TooManyReplicas",
                    "the desired replica count is more than the maximum replica count",
                ),
            )
        if stabilized < minimum:
            self._set(
                conditions,
                "ScalingLimited",
                "True",
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
            return minimum
        if stabilized > ceiling:
            self._set(conditions, "ScalingLimited", "True", *limit_reason)
            return ceiling
        self._set(
            conditions,
            "ScalingLimited",
            "False",
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
        )
        return stabilized

    # ----------------------------------------------------------------------- metrics

    def _proposals(
        self, hpa: Obj, scale: Obj, current: int
    ) -> tuple[list[Proposal], tuple[str, str] | None]:
        """Each valid metric's proposal, and the first failure's (reason, message)."""
        metrics = (hpa.get("spec") or {}).get("metrics") or []
        proposals: list[Proposal] = []
        errors: list[str] = []
        first_reason = ""
        for metric in metrics:
            source = metric.get("resource") or {}
            resource_name = str(source.get("name") or "")
            if metric.get("type") != "Resource" or resource_name not in ("cpu", "memory"):
                errors.append(f"unsupported metric source type {metric.get('type')!r}")
                first_reason = first_reason or "InvalidMetricSourceType"
                continue
            try:
                proposals.append(
                    self._resource_proposal(hpa, scale, current, resource_name, source)
                )
            except MetricError as err:
                message = f"failed to get {resource_name} utilization: {err}"
                self.recorder.event(hpa, WARNING, "FailedGetResourceMetric", message)
                errors.append(f"failed to get {resource_name} resource metric value: {message}")
                first_reason = first_reason or "FailedGetResourceMetric"
        if not errors:
            return proposals, None
        summary = (
            f"invalid metrics ({len(errors)} invalid out of {len(metrics)}), first error is: "
            f"{errors[0]}"
        )
        self.recorder.event(hpa, WARNING, "FailedComputeMetricsReplicas", summary)
        detail = errors[0].split(": ", 1)[1] if ": " in errors[0] else errors[0]
        return proposals, (
            first_reason,
            f"the HPA was unable to compute the replica count: {detail}",
        )

    def _resource_proposal(
        self, hpa: Obj, scale: Obj, current: int, resource_name: str, source: Obj
    ) -> Proposal:
        target = source.get("target") or {}
        selector_text = (scale.get("status") or {}).get("selector") or ""
        try:
            selector = parse_label_selector(selector_text)
        except SelectorError as err:
            raise MetricError(str(err)) from None
        pods = [
            p
            for p in self.store.objects("/pods", meta(hpa)["namespace"])
            if selector_text
            and selector.matches(labels(p))
            and not meta(p).get("deletionTimestamp")
            and (p.get("status") or {}).get("phase") != "Failed"
        ]
        if not pods:
            raise MetricError(f"unable to get metrics for resource {resource_name}: {NO_METRICS}")
        sampled = self.metrics() if self.metrics is not None else {}
        usage: dict[str, int] = {}
        for pod in pods:
            containers = sampled.get(str(meta(pod).get("uid") or ""))
            if containers and (pod.get("status") or {}).get("phase") == "Running":
                if resource_name == "cpu":
                    usage[meta(pod)["name"]] = (
                        sum(u.cpu_nanocores for _, u in containers) // 1_000_000
                    )
                else:
                    usage[meta(pod)["name"]] = sum(u.memory for _, u in containers) * 1000
        if not usage:
            raise MetricError(f"unable to get metrics for resource {resource_name}: {NO_METRICS}")
        requests: dict[str, int] = {}
        for pod in pods:
            total = 0
            for container in (pod.get("spec") or {}).get("containers") or []:
                wanted = ((container.get("resources") or {}).get("requests") or {}).get(
                    resource_name
                )
                if wanted is None and target.get("type") == "Utilization":
                    raise MetricError(
                        f"missing request for {resource_name} in container {container.get('name')} "
                        f"of Pod {meta(pod)['name']}"
                    )
                total += _milli(wanted) if wanted is not None else 0
            requests[meta(pod)["name"]] = total
        ready = {meta(p)["name"] for p in pods if is_ready(p)}
        counted = {name: value for name, value in usage.items() if name in ready}
        missing = [meta(p)["name"] for p in pods if meta(p)["name"] not in usage]
        ignored = [name for name in usage if name not in ready]
        if not counted:
            counted, ignored = usage, []
        kind = target.get("type") or "Utilization"
        if kind == "Utilization":
            wanted_ratio = int(target.get("averageUtilization") or 0)
            name = f"{resource_name} resource utilization (percentage of request)"

            def ratio(values: Mapping[str, int]) -> tuple[float, int, int]:
                total_requests = sum(requests.get(n, 0) for n in values)
                if total_requests <= 0:
                    raise MetricError(f"no {resource_name} requests on the pods")
                utilization = sum(values.values()) * 100 // total_requests
                return (
                    utilization / max(wanted_ratio, 1),
                    utilization,
                    sum(values.values()) // len(values),
                )
        else:
            average = _milli(target.get("averageValue"))
            name = f"{resource_name} resource"

            def ratio(values: Mapping[str, int]) -> tuple[float, int, int]:
                mean = sum(values.values()) // len(values)
                return mean / max(average, 1), 0, mean

        usage_ratio, utilization, mean = ratio(counted)
        replicas = self._replicas(current, usage_ratio, counted, missing, ignored, requests, ratio)
        current_status: Obj = {"averageValue": self._quantity(resource_name, mean)}
        if kind == "Utilization":
            current_status["averageUtilization"] = utilization
        return Proposal(
            replicas,
            name,
            {"type": "Resource", "resource": {"name": resource_name, "current": current_status}},
        )

    @staticmethod
    def _quantity(resource_name: str, milli: int) -> str:
        if resource_name == "cpu":
            return str(Quantity(milli, MILLI, Format.DECIMAL_SI))
        return str(Quantity(milli // 1000, 0, Format.BINARY_SI))

    @staticmethod
    def _replicas(
        current: int,
        usage_ratio: float,
        counted: Mapping[str, int],
        missing: list[str],
        ignored: list[str],
        requests: Mapping[str, int],
        ratio: Callable[[Mapping[str, int]], tuple[float, int, int]],
    ) -> int:
        """``calcPlainMetricReplicas``: the proposal, with missing and unready pods."""
        if not missing and not ignored:
            if abs(1.0 - usage_ratio) <= TOLERANCE:
                return current
            return math.ceil(usage_ratio * len(counted))
        values = dict(counted)
        if usage_ratio < 1.0:
            for name in missing:
                values[name] = requests.get(name, 0)  # at 100% of its request
        else:
            for name in [*missing, *ignored]:
                values[name] = 0
        new_ratio, _, _ = ratio(values)
        if abs(1.0 - new_ratio) <= TOLERANCE or (usage_ratio < 1.0) != (new_ratio < 1.0):
            return current
        proposed = math.ceil(new_ratio * len(values))
        if (new_ratio < 1.0 and proposed > current) or (new_ratio > 1.0 and proposed < current):
            return current
        return proposed

"""kube-controller-manager's deployment controller: ReplicaSets per pod template, rolled by
the RollingUpdate or Recreate strategy, with revisions, history and progress conditions.

For each Deployment, ``reconcile`` claims the ReplicaSets its selector matches (adopting and
releasing as the replicaset controller does for pods), finds the new ReplicaSet (the one whose
template, ignoring ``pod-template-hash``, is the Deployment's) and then, as upstream:

* paused, or only ``spec.replicas`` changed: scale the active ReplicaSets (proportionally when
  several are), no rollout; a paused deployment's Progressing condition is ``DeploymentPaused``;
* RollingUpdate: scale the new ReplicaSet up within ``replicas + maxSurge`` pods, then scale old
  ones down (unhealthy first) keeping ``replicas - maxUnavailable`` available (25% each by
  default, surge rounded up, unavailability down, never both zero);
* Recreate: scale every old ReplicaSet to 0, wait until their pods are gone, then create/scale
  the new one;
* the new ReplicaSet is ``<deployment>-<hash>`` with label and selector ``pod-template-hash:
  <hash>``; the hash is fnv32a over the template (and ``status.collisionCount``) rendered with
  Kubernetes' SafeEncodeString alphabet;
* annotations: ``deployment.kubernetes.io/revision`` (max old + 1; a reused ReplicaSet keeps its
  former numbers in ``revision-history``), ``desired-replicas`` and ``max-replicas``; the
  Deployment's own annotations are copied to its ReplicaSets (not kubectl's last-applied);
* old ReplicaSets scaled to 0 beyond ``revisionHistoryLimit`` (10) are deleted once complete;
* status: replicas, updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas,
  observedGeneration, collisionCount and the conditions Available (MinimumReplicasAvailable /
  MinimumReplicasUnavailable) and Progressing (NewReplicaSetCreated, FoundNewReplicaSet,
  ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded after
  ``progressDeadlineSeconds`` without progress, DeploymentPaused / DeploymentResumed);
* events: ScalingReplicaSet "Scaled up replica set web-5d8f9c7b6 from 0 to 3".
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from backends.objects.selectors import SelectorError, label_selector_from_dict
from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock, parse_rfc3339, rfc3339
from backends.simulator.cluster import api
from backends.simulator.cluster.events import NORMAL, WARNING, EventRecorder
from backends.simulator.controllers.framework import Controller, object_key, split_key
from backends.simulator.controllers.pods import (
    MANAGER,
    controller_ref,
    labels,
    meta,
    new_controller_ref,
)
from backends.simulator.store import Event

Obj = dict[str, Any]

_deployments = lookup("apps", "v1", "deployments")
assert _deployments is not None
DEPLOYMENTS = _deployments

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_NOT_COPIED = (LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS)
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
DEFAULT_HISTORY_LIMIT = 10
MAX_INT32 = 2**31 - 1


# ------------------------------------------------------------------------ pure helpers


def fnv32a(data: bytes) -> int:
    """FNV-1a, 32 bits."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def compute_hash(template: Obj, collision_count: int | None) -> str:
    """``controller.ComputeHash``: the pod template's hash as kube renders it."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += (collision_count & 0xFFFFFFFF).to_bytes(4, "little") + bytes(4)
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in str(fnv32a(data)).encode())


def _scaled(value: Any, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``."""
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value)


def fenceposts(deployment: Obj) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) as absolute numbers (``ResolveFenceposts``)."""
    spec = deployment.get("spec") or {}
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0, 0
    rolling = strategy.get("rollingUpdate") or {}
    replicas = int(spec.get("replicas", 1))
    surge = _scaled(rolling.get("maxSurge", "25%"), replicas, True)
    unavailable = _scaled(rolling.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, min(unavailable, replicas)


def revision(obj: Obj) -> int:
    try:
        return int((meta(obj).get("annotations") or {}).get(REVISION) or 0)
    except ValueError:
        return 0


def _without_hash(template: Obj) -> Obj:
    copied = copy.deepcopy(template)
    template_labels = (copied.get("metadata") or {}).get("labels") or {}
    template_labels.pop(HASH_LABEL, None)
    if "metadata" in copied and not template_labels:
        copied["metadata"].pop("labels", None)
    return copied


def templates_equal(one: Obj, other: Obj) -> bool:
    """``EqualIgnoreHash``."""
    return _without_hash(one) == _without_hash(other)


def _replicas(rs: Obj) -> int:
    return int((rs.get("spec") or {}).get("replicas", 1) or 0)


def _status(rs: Obj, field: str) -> int:
    return int((rs.get("status") or {}).get(field) or 0)


def _created(rs: Obj) -> tuple[str, str]:
    return str(meta(rs).get("creationTimestamp") or ""), str(meta(rs)["name"])


def condition(obj: Obj, kind: str) -> Obj | None:
    for item in (obj.get("status") or {}).get("conditions") or []:
        if item.get("type") == kind:
            return dict(item)
    return None


def set_condition(conditions: list[Obj], new: Obj) -> list[Obj]:
    """``SetDeploymentCondition``: same status and reason: unchanged; same status: the
    transition time stays; the condition goes last."""
    current = next((c for c in conditions if c["type"] == new["type"]), None)
    if current is not None and (current["status"], current.get("reason")) == (
        new["status"],
        new.get("reason"),
    ):
        return conditions
    if current is not None and current["status"] == new["status"]:
        new = {**new, "lastTransitionTime": current.get("lastTransitionTime")}
    return [c for c in conditions if c["type"] != new["type"]] + [new]


class DeploymentController(Controller):
    """Rolls Deployments through their ReplicaSets; see the module docstring."""

    name = "deployment-controller"
    primary = api.key(DEPLOYMENTS)
    watches = (primary, api.key(api.REPLICA_SETS), "/pods")

    def __init__(self, rest: Rest, clock: Clock) -> None:
        super().__init__(rest, clock)
        self.recorder = EventRecorder(rest, clock, self.name, manager=MANAGER)

    # ------------------------------------------------------------------------ informers

    def _owner_key(self, obj: Obj, kind: str, store_key: str) -> str | None:
        ref = controller_ref(obj)
        if ref is None or ref.get("kind") != kind:
            return None
        namespace = meta(obj).get("namespace") or ""
        owner = self.store.get(store_key, namespace, str(ref.get("name")))
        if owner is None or meta(owner).get("uid") != ref.get("uid"):
            return None
        return object_key(namespace, str(ref.get("name")))

    def on_event(self, event: Event) -> None:
        obj = event.object
        namespace = meta(obj).get("namespace") or ""
        if event.resource == self.primary:
            self.queue.add(object_key(namespace, meta(obj)["name"]))
            return
        if event.resource == "/pods":
            if event.type != "DELETED":
                return  # Recreate waits for old pods to be gone
            rs_key = self._owner_key(obj, "ReplicaSet", api.key(api.REPLICA_SETS))
            rs = self.store.get(api.key(api.REPLICA_SETS), *split_key(rs_key)) if rs_key else None
            owner = self._owner_key(rs, "Deployment", self.primary) if rs else None
            if owner is not None:
                self.queue.add(owner)
            return
        owners = {self._owner_key(obj, "Deployment", self.primary)}
        if event.previous is not None:
            owners.add(self._owner_key(event.previous, "Deployment", self.primary))
        owners.discard(None)
        if not owners and controller_ref(obj) is None and event.type != "DELETED":
            for deployment in self.store.objects(self.primary, namespace):
                try:
                    selector = label_selector_from_dict(
                        (deployment.get("spec") or {}).get("selector")
                    )
                except SelectorError:
                    continue
                if selector.matches(labels(obj)):
                    owners.add(object_key(namespace, meta(deployment)["name"]))
        for owner in owners:
            if owner is not None:
                self.queue.add(owner)

    # ------------------------------------------------------------------------ reconcile

    def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        deployment = self.store.get(self.primary, namespace, name)
        if deployment is None:
            return
        spec = deployment.get("spec") or {}
        try:
            selector = label_selector_from_dict(spec.get("selector"))
        except SelectorError:
            return
        if selector.empty():
            if (deployment.get("status") or {}).get("observedGeneration") != meta(deployment).get(
                "generation"
            ):
                self.recorder.event(
                    deployment,
                    WARNING,
                    "SelectingAll",
                    "This deployment is selecting all pods. A non-empty selector is required.",
                )
                self._write_status(
                    deployment,
                    {
                        **(deployment.get("status") or {}),
                        "observedGeneration": meta(deployment).get("generation"),
                    },
                )
            return
        replica_sets = self._claim(deployment, selector)
        if meta(deployment).get("deletionTimestamp"):
            self._sync_status(deployment, replica_sets)
            return
        deployment = self._check_paused(deployment)
        if spec.get("paused") or self._is_scaling_event(deployment, replica_sets):
            self._sync(deployment, replica_sets)
            return
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            self._rollout_recreate(deployment, replica_sets)
        else:
            self._rollout_rolling(deployment, replica_sets)

    def _claim(self, deployment: Obj, selector: Any) -> list[Obj]:
        """``getReplicaSetsForDeployment``: adopt matching orphans, release the others."""
        namespace = meta(deployment)["namespace"]
        uid = meta(deployment)["uid"]
        claimed = []
        for rs in self.store.objects(api.key(api.REPLICA_SETS), namespace):
            ref = controller_ref(rs)
            matches = selector.matches(labels(rs))
            if ref is not None and ref.get("uid") != uid:
                continue
            if ref is not None and matches:
                claimed.append(rs)
            elif ref is not None and not meta(deployment).get("deletionTimestamp"):
                refs = [r for r in meta(rs).get("ownerReferences") or [] if r.get("uid") != uid]
                self._patch_rs(
                    rs, {"metadata": {"ownerReferences": refs or None, "uid": meta(rs)["uid"]}}
                )
            elif ref is None and matches and not meta(deployment).get("deletionTimestamp"):
                adopted = self._patch_rs(
                    rs,
                    {
                        "metadata": {
                            "ownerReferences": [new_controller_ref(deployment)],
                            "uid": meta(rs)["uid"],
                        }
                    },
                )
                if adopted is not None:
                    claimed.append(adopted)
        return claimed

    def _patch_rs(self, rs: Obj, body: Obj) -> Obj | None:
        try:
            return api.patch(
                self.rest, api.REPLICA_SETS, meta(rs)["namespace"], meta(rs)["name"], body, MANAGER
            )
        except status.ApiStatus:
            return None

    # --------------------------------------------------------------------- replica sets

    def _new_and_old(
        self, deployment: Obj, replica_sets: list[Obj]
    ) -> tuple[Obj | None, list[Obj]]:
        template = (deployment.get("spec") or {}).get("template") or {}
        matching = sorted(
            (
                rs
                for rs in replica_sets
                if templates_equal((rs.get("spec") or {}).get("template") or {}, template)
            ),
            key=_created,
        )
        new = matching[0] if matching else None
        return new, [rs for rs in replica_sets if rs is not new]

    def _sync_revision(
        self, deployment: Obj, replica_sets: list[Obj], create: bool
    ) -> tuple[Obj, Obj | None, list[Obj]]:
        """``getAllReplicaSetsAndSyncRevision``: (deployment, new RS, old RSes)."""
        new, old = self._new_and_old(deployment, replica_sets)
        wanted = max((revision(rs) for rs in old), default=0) + 1
        namespace = meta(deployment)["namespace"]
        if new is not None:
            updated = self._annotate(deployment, new, wanted)
            if updated != new:
                new = api.update(self.rest, api.REPLICA_SETS, updated, MANAGER)
            if condition(deployment, "Progressing") is None:
                deployment = self._set_progressing(
                    deployment,
                    "True",
                    "FoundNewReplicaSet",
                    f'Found new replica set "{meta(new)["name"]}"',
                )
        elif create:
            new = self._create_new(deployment, replica_sets, old, wanted)
            if new is None:
                return deployment, None, old
            deployment = (
                self.store.get(self.primary, namespace, meta(deployment)["name"]) or deployment
            )
        deployment = self._set_deployment_revision(
            deployment, str(wanted if new is not None else revision(deployment) or "")
        )
        return deployment, new, old

    def _annotate(self, deployment: Obj, rs: Obj, wanted: int) -> Obj:
        """``SetNewReplicaSetAnnotations`` + ``SetReplicasAnnotations`` on a copy of ``rs``."""
        updated = copy.deepcopy(rs)
        annotations = dict(meta(updated).get("annotations") or {})
        for key, value in (meta(deployment).get("annotations") or {}).items():
            if key not in _NOT_COPIED:
                annotations[key] = value
        old_revision = revision(rs)
        if old_revision < wanted:
            if old_revision > 0:
                history = [h for h in (annotations.get(REVISION_HISTORY) or "").split(",") if h]
                annotations[REVISION_HISTORY] = ",".join([*history, str(old_revision)])
            annotations[REVISION] = str(wanted)
        replicas = int((deployment.get("spec") or {}).get("replicas", 1))
        annotations[DESIRED_REPLICAS] = str(replicas)
        annotations[MAX_REPLICAS] = str(replicas + fenceposts(deployment)[0])
        meta(updated)["annotations"] = annotations
        return updated

    def _set_deployment_revision(self, deployment: Obj, wanted: str) -> Obj:
        annotations = meta(deployment).get("annotations") or {}
        if not wanted or annotations.get(REVISION) == wanted:
            return deployment
        updated = copy.deepcopy(deployment)
        meta(updated)["annotations"] = {**annotations, REVISION: wanted}
        return api.update(self.rest, DEPLOYMENTS, updated, MANAGER)

    def _create_new(
        self, deployment: Obj, all_rs: list[Obj], old: list[Obj], wanted: int
    ) -> Obj | None:
        spec = deployment.get("spec") or {}
        collisions = (deployment.get("status") or {}).get("collisionCount")
        template = copy.deepcopy(spec.get("template") or {})
        pod_hash = compute_hash(template, collisions)
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = pod_hash
        selector = copy.deepcopy(spec.get("selector") or {})
        selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
        name = f"{meta(deployment)['name']}-{pod_hash}"
        rs: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": meta(deployment)["namespace"],
                "labels": dict(template["metadata"]["labels"]),
                "ownerReferences": [new_controller_ref(deployment)],
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": int(spec.get("minReadySeconds") or 0),
                "selector": selector,
                "template": template,
            },
        }
        rs = self._annotate(deployment, rs, wanted)
        rs["spec"]["replicas"] = self._new_rs_replicas(deployment, all_rs, None)
        try:
            created = api.create(
                self.rest, api.REPLICA_SETS, meta(deployment)["namespace"], rs, MANAGER
            )
        except status.ApiStatus as err:
            if err.reason != "AlreadyExists":
                raise
            existing = self.store.get(
                api.key(api.REPLICA_SETS), meta(deployment)["namespace"], name
            )
            if (
                existing is not None
                and controller_ref(existing)
                and (controller_ref(existing) or {}).get("uid") == meta(deployment)["uid"]
                and templates_equal(
                    (existing.get("spec") or {}).get("template") or {}, spec.get("template") or {}
                )
            ):
                return existing
            bumped = copy.deepcopy(deployment)
            bumped.setdefault("status", {})["collisionCount"] = int(collisions or 0) + 1
            api.update_status(self.rest, DEPLOYMENTS, bumped, MANAGER)
            return None
        replicas = _replicas(created)
        if replicas > 0:
            self._scaled_event(deployment, created, 0, replicas)
        fresh = self.store.get(
            self.primary, meta(deployment)["namespace"], meta(deployment)["name"]
        )
        if fresh is not None:
            self._set_progressing(
                fresh, "True", "NewReplicaSetCreated", f'Created new replica set "{name}"'
            )
        return created

    def _new_rs_replicas(self, deployment: Obj, all_rs: list[Obj], new: Obj | None) -> int:
        """``NewRSNewReplicas``."""
        replicas = int((deployment.get("spec") or {}).get("replicas", 1))
        if (((deployment.get("spec") or {}).get("strategy") or {}).get("type")) == "Recreate":
            return replicas
        current = sum(_replicas(rs) for rs in all_rs)
        surge = fenceposts(deployment)[0]
        new_replicas = _replicas(new) if new is not None else 0
        if current >= replicas + surge:
            return new_replicas
        return new_replicas + max(0, min(replicas + surge - current, replicas - new_replicas))

    def _scale(self, deployment: Obj, rs: Obj, size: int) -> Obj:
        """``scaleReplicaSet``: size and replica annotations, with the ScalingReplicaSet event."""
        annotated = self._annotate_replicas(deployment, rs)
        if _replicas(rs) == size and annotated == rs:
            return rs
        annotated["spec"]["replicas"] = size
        updated = api.update(self.rest, api.REPLICA_SETS, annotated, MANAGER)
        if _replicas(rs) != size:
            self._scaled_event(deployment, rs, _replicas(rs), size)
        return updated

    def _annotate_replicas(self, deployment: Obj, rs: Obj) -> Obj:
        updated = copy.deepcopy(rs)
        replicas = int((deployment.get("spec") or {}).get("replicas", 1))
        annotations = dict(meta(updated).get("annotations") or {})
        annotations[DESIRED_REPLICAS] = str(replicas)
        annotations[MAX_REPLICAS] = str(replicas + fenceposts(deployment)[0])
        meta(updated)["annotations"] = annotations
        return updated

    def _scaled_event(self, deployment: Obj, rs: Obj, old: int, new: int) -> None:
        direction = "up" if new > old else "down"
        self.recorder.event(
            deployment,
            NORMAL,
            "ScalingReplicaSet",
            f"Scaled {direction} replica set {meta(rs)['name']} from {old} to {new}",
        )

    # ------------------------------------------------------------------------ strategies

    def _rollout_rolling(self, deployment: Obj, replica_sets: list[Obj]) -> None:
        deployment, new, old = self._sync_revision(deployment, replica_sets, create=True)
        all_rs = [*old, *([new] if new is not None else [])]
        replicas = int((deployment.get("spec") or {}).get("replicas", 1))
        if new is not None and _replicas(new) != replicas:
            target = (
                replicas
                if _replicas(new) > replicas
                else self._new_rs_replicas(deployment, all_rs, new)
            )
            if target != _replicas(new):
                self._scale(deployment, new, target)
                self._sync_rollout_status(deployment, new)
                return
        if self._scale_down_old(deployment, new, old):
            self._sync_rollout_status(deployment, new)
            return
        self._finish(deployment, new, old)

    def _scale_down_old(self, deployment: Obj, new: Obj | None, old: list[Obj]) -> bool:
        """``reconcileOldReplicaSets``: whether any old ReplicaSet was scaled down."""
        old_pods = sum(_replicas(rs) for rs in old)
        if old_pods == 0:
            return False
        all_pods = old_pods + (_replicas(new) if new is not None else 0)
        replicas = int((deployment.get("spec") or {}).get("replicas", 1))
        min_available = replicas - fenceposts(deployment)[1]
        new_unavailable = (
            (_replicas(new) - _status(new, "availableReplicas")) if new is not None else 0
        )
        room = all_pods - min_available - new_unavailable
        if room <= 0:
            return False
        scaled = False
        ordered = sorted(old, key=_created)
        current: dict[str, Obj] = {meta(rs)["name"]: rs for rs in ordered}
        for rs in ordered:  # cleanupUnhealthyReplicas
            if room <= 0:
                break
            unhealthy = _replicas(rs) - _status(rs, "availableReplicas")
            if _replicas(rs) == 0 or unhealthy <= 0:
                continue
            down = min(room, unhealthy)
            current[meta(rs)["name"]] = self._scale(deployment, rs, _replicas(rs) - down)
            room -= down
            scaled = True
        available = sum(
            _status(rs, "availableReplicas") for rs in [*current.values(), *([new] if new else [])]
        )
        budget = available - min_available
        for rs in sorted(current.values(), key=_created):  # scaleDownOldReplicaSetsForRollingUpdate
            if budget <= 0:
                break
            if _replicas(rs) == 0:
                continue
            down = min(_replicas(rs), budget)
            self._scale(deployment, rs, _replicas(rs) - down)
            budget -= down
            scaled = True
        return scaled

    def _rollout_recreate(self, deployment: Obj, replica_sets: list[Obj]) -> None:
        deployment, new, old = self._sync_revision(deployment, replica_sets, create=False)
        scaled = False
        for rs in old:
            if _replicas(rs) > 0:
                self._scale(deployment, rs, 0)
                scaled = True
        if scaled or self._old_pods_running(old):
            self._sync_rollout_status(deployment, new)
            return
        if new is None:
            deployment, new, old = self._sync_revision(deployment, replica_sets, create=True)
        if new is not None:
            self._scale(deployment, new, int((deployment.get("spec") or {}).get("replicas", 1)))
        self._finish(deployment, new, old)

    def _old_pods_running(self, old: list[Obj]) -> bool:
        uids = {meta(rs)["uid"] for rs in old}
        return any(
            (controller_ref(pod) or {}).get("uid") in uids
            and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
            for pod in self.store.objects("/pods", meta(old[0])["namespace"] if old else "")
        )

    def _finish(self, deployment: Obj, new: Obj | None, old: list[Obj]) -> None:
        fresh = self._fresh(deployment)
        if fresh is None:
            return
        replica_sets = [
            rs for rs in (self._fresh_rs(r) for r in [*old, *([new] if new else [])]) if rs
        ]
        new = self._fresh_rs(new) if new is not None else None
        if _complete(fresh, self._calculate(fresh, replica_sets, new)):
            self._cleanup(
                fresh,
                [
                    rs
                    for rs in replica_sets
                    if rs is not new and (new is None or meta(rs)["uid"] != meta(new)["uid"])
                ],
            )
        self._sync_rollout_status(fresh, new)

    def _cleanup(self, deployment: Obj, old: list[Obj]) -> None:
        """``cleanupDeployment``: old, empty ReplicaSets beyond ``revisionHistoryLimit``."""
        limit = (deployment.get("spec") or {}).get("revisionHistoryLimit", DEFAULT_HISTORY_LIMIT)
        cleanable = sorted(
            (rs for rs in old if not meta(rs).get("deletionTimestamp")),
            key=lambda rs: (revision(rs), _created(rs)),
        )
        for rs in cleanable[: max(0, len(cleanable) - int(limit))]:
            if _status(rs, "replicas") != 0 or _replicas(rs) != 0:
                continue
            try:
                self.rest.delete(
                    Target(api.REPLICA_SETS, meta(rs)["namespace"], meta(rs)["name"], None),
                    {},
                    api.NO_QUERY,
                )
            except status.ApiStatus as err:
                if err.reason != "NotFound":
                    raise

    # ---------------------------------------------------------------- scaling and pause

    def _is_scaling_event(self, deployment: Obj, replica_sets: list[Obj]) -> bool:
        replicas = str(int((deployment.get("spec") or {}).get("replicas", 1)))
        for rs in replica_sets:
            if _replicas(rs) > 0:
                desired = (meta(rs).get("annotations") or {}).get(DESIRED_REPLICAS)
                if desired is not None and desired != replicas:
                    return True
        return False

    def _sync(self, deployment: Obj, replica_sets: list[Obj]) -> None:
        """``sync``: scale without rolling (paused, or a scaling event)."""
        deployment, new, old = self._sync_revision(deployment, replica_sets, create=False)
        replicas = int((deployment.get("spec") or {}).get("replicas", 1))
        all_rs = [*([new] if new is not None else []), *old]
        active = [rs for rs in all_rs if _replicas(rs) > 0]
        if len(active) <= 1:
            target = active[0] if active else new
            if target is not None:
                self._scale(deployment, target, replicas)
        else:
            allowed = replicas + fenceposts(deployment)[0]
            current = sum(_replicas(rs) for rs in active)
            to_add = allowed - current
            if to_add:
                ordered = sorted(active, key=lambda rs: (-_replicas(rs), _created(rs)))
                added = 0
                sizes = {}
                for rs in ordered:
                    share = round(_replicas(rs) * to_add / current) if current else 0
                    if abs(added + share) > abs(to_add):
                        share = to_add - added
                    sizes[meta(rs)["name"]] = max(0, _replicas(rs) + share)
                    added += share
                first = meta(ordered[0])["name"]
                sizes[first] = max(0, sizes[first] + to_add - added)
                for rs in ordered:
                    self._scale(deployment, rs, sizes[meta(rs)["name"]])
        fresh = self._fresh(deployment)
        if fresh is None:
            return
        if (fresh.get("spec") or {}).get("paused"):
            self._cleanup(fresh, [r for r in (self._fresh_rs(rs) for rs in old) if r])
        self._sync_status(fresh, [r for r in (self._fresh_rs(rs) for rs in all_rs) if r])

    def _check_paused(self, deployment: Obj) -> Obj:
        """``checkPausedConditions``: the Progressing condition says paused / resumed."""
        if (deployment.get("spec") or {}).get("progressDeadlineSeconds") is None:
            return deployment
        current = condition(deployment, "Progressing")
        paused = bool((deployment.get("spec") or {}).get("paused"))
        if paused and (current is None or current.get("reason") != "DeploymentPaused"):
            return self._set_progressing(
                deployment, "Unknown", "DeploymentPaused", "Deployment is paused"
            )
        if not paused and current is not None and current.get("reason") == "DeploymentPaused":
            return self._set_progressing(
                deployment, "Unknown", "DeploymentResumed", "Deployment is resumed"
            )
        return deployment

    # --------------------------------------------------------------------------- status

    def _fresh(self, deployment: Obj) -> Obj | None:
        return self.store.get(self.primary, meta(deployment)["namespace"], meta(deployment)["name"])

    def _fresh_rs(self, rs: Obj) -> Obj | None:
        found = self.store.get(api.key(api.REPLICA_SETS), meta(rs)["namespace"], meta(rs)["name"])
        return found if found is not None and meta(found)["uid"] == meta(rs)["uid"] else None

    def _condition(self, kind: str, state: str, reason: str, message: str) -> Obj:
        now = rfc3339(self.clock.now())
        return {
            "type": kind,
            "status": state,
            "lastUpdateTime": now,
            "lastTransitionTime": now,
            "reason": reason,
            "message": message,
        }

    def _set_progressing(self, deployment: Obj, state: str, reason: str, message: str) -> Obj:
        conditions = list((deployment.get("status") or {}).get("conditions") or [])
        new = set_condition(conditions, self._condition("Progressing", state, reason, message))
        if new == conditions:
            return deployment
        return self._write_status(
            deployment, {**(deployment.get("status") or {}), "conditions": new}
        )

    def _write_status(self, deployment: Obj, new_status: Obj) -> Obj:
        if new_status == deployment.get("status"):
            return deployment
        updated = copy.deepcopy(deployment)
        updated["status"] = new_status
        return api.update_status(self.rest, DEPLOYMENTS, updated, MANAGER)

    def _calculate(self, deployment: Obj, replica_sets: list[Obj], new: Obj | None) -> Obj:
        """``calculateStatus``."""
        replicas = int((deployment.get("spec") or {}).get("replicas", 1))
        old = deployment.get("status") or {}
        available = sum(_status(rs, "availableReplicas") for rs in replica_sets)
        result: Obj = {"observedGeneration": meta(deployment).get("generation")}
        counts = (
            ("replicas", sum(_status(rs, "replicas") for rs in replica_sets)),
            ("updatedReplicas", _status(new, "replicas") if new is not None else 0),
            ("readyReplicas", sum(_status(rs, "readyReplicas") for rs in replica_sets)),
            ("availableReplicas", available),
            ("unavailableReplicas", max(0, replicas - available)),
        )
        for field, value in counts:
            if value:
                result[field] = value
        conditions = [dict(c) for c in old.get("conditions") or []]
        if available >= replicas - fenceposts(deployment)[1]:
            wanted = self._condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            )
        else:
            wanted = self._condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            )
        conditions = set_condition(conditions, wanted)
        if conditions:
            result["conditions"] = conditions
        if old.get("collisionCount") is not None:
            result["collisionCount"] = old["collisionCount"]
        return result

    def _sync_status(self, deployment: Obj, replica_sets: list[Obj]) -> None:
        new, _ = self._new_and_old(deployment, replica_sets)
        self._write_status(deployment, self._calculate(deployment, replica_sets, new))

    def _sync_rollout_status(self, deployment: Obj, new: Obj | None) -> None:
        """``syncRolloutStatus``: counts, Available and Progressing; requeue at the deadline."""
        fresh = self._fresh(deployment)
        if fresh is None:
            return
        deployment = fresh
        selector = label_selector_from_dict((deployment.get("spec") or {}).get("selector"))
        replica_sets = [
            rs
            for rs in self.store.objects(api.key(api.REPLICA_SETS), meta(deployment)["namespace"])
            if (controller_ref(rs) or {}).get("uid") == meta(deployment)["uid"]
            and selector.matches(labels(rs))
        ]
        new = self._fresh_rs(new) if new is not None else None
        result = self._calculate(deployment, replica_sets, new)
        spec = deployment.get("spec") or {}
        deadline = spec.get("progressDeadlineSeconds")
        conditions = list(result.get("conditions") or [])
        current = condition(deployment, "Progressing")
        name = (
            f'ReplicaSet "{meta(new)["name"]}"'
            if new is not None
            else f'Deployment "{meta(deployment)["name"]}"'
        )
        if deadline is None or int(deadline) == MAX_INT32:
            conditions = [c for c in conditions if c["type"] != "Progressing"]
        complete_already = (
            result.get("replicas", 0) == result.get("updatedReplicas", 0)
            and current is not None
            and current.get("reason") == "NewReplicaSetAvailable"
        )
        if deadline is not None and int(deadline) != MAX_INT32 and not complete_already:
            if _complete(deployment, result):
                conditions = set_condition(
                    conditions,
                    self._condition(
                        "Progressing",
                        "True",
                        "NewReplicaSetAvailable",
                        f"{name} has successfully progressed.",
                    ),
                )
            elif _progressing(deployment, result):
                wanted = self._condition(
                    "Progressing", "True", "ReplicaSetUpdated", f"{name} is progressing."
                )
                if current is not None and current["status"] == "True":
                    wanted["lastTransitionTime"] = current.get("lastTransitionTime")
                conditions = [c for c in conditions if c["type"] != "Progressing"] + [wanted]
            elif self._timed_out(deployment):
                conditions = set_condition(
                    conditions,
                    self._condition(
                        "Progressing",
                        "False",
                        "ProgressDeadlineExceeded",
                        f"{name} has timed out progressing.",
                    ),
                )
        failure = next(
            (
                condition(rs, "ReplicaFailure")
                for rs in replica_sets
                if condition(rs, "ReplicaFailure")
            ),
            None,
        )
        if failure is not None:
            conditions = set_condition(
                conditions,
                {
                    **self._condition(
                        "ReplicaFailure",
                        failure["status"],
                        str(failure.get("reason")),
                        str(failure.get("message")),
                    )
                },
            )
        else:
            conditions = [c for c in conditions if c["type"] != "ReplicaFailure"]
        if conditions:
            result["conditions"] = conditions
        else:
            result.pop("conditions", None)
        written = self._write_status(deployment, result)
        progressing = condition(written, "Progressing")
        if (
            deadline is not None
            and int(deadline) != MAX_INT32
            and progressing is not None
            and progressing.get("reason")
            not in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded")
            and not _complete(written, written.get("status") or {})
        ):
            since = parse_rfc3339(str(progressing.get("lastUpdateTime")))
            remaining = (since - self.clock.now()).total_seconds() + int(deadline)
            self.queue.add_after(
                object_key(meta(written)["namespace"], meta(written)["name"]), max(remaining, 0) + 1
            )

    def _timed_out(self, deployment: Obj) -> bool:
        """``DeploymentTimedOut``."""
        current = condition(deployment, "Progressing")
        if current is None or current.get("reason") == "NewReplicaSetAvailable":
            return False
        if current.get("reason") == "ProgressDeadlineExceeded":
            return True
        deadline = int((deployment.get("spec") or {}).get("progressDeadlineSeconds") or 0)
        since = parse_rfc3339(str(current.get("lastUpdateTime")))
        return (self.clock.now() - since).total_seconds() > deadline


def _complete(deployment: Obj, new_status: Obj) -> bool:
    """``DeploymentComplete``."""
    replicas = int((deployment.get("spec") or {}).get("replicas", 1))
    return (
        int(new_status.get("updatedReplicas") or 0) == replicas
        and int(new_status.get("replicas") or 0) == replicas
        and int(new_status.get("availableReplicas") or 0) == replicas
        and int(new_status.get("observedGeneration") or 0)
        >= int(meta(deployment).get("generation") or 0)
    )


def _progressing(deployment: Obj, new_status: Obj) -> bool:
    """``DeploymentProgressing``: any of the counts moved the right way."""
    old = deployment.get("status") or {}

    def count(source: Obj, field: str) -> int:
        return int(source.get(field) or 0)

    old_old = count(old, "replicas") - count(old, "updatedReplicas")
    new_old = count(new_status, "replicas") - count(new_status, "updatedReplicas")
    return (
        count(new_status, "updatedReplicas") > count(old, "updatedReplicas")
        or new_old < old_old
        or count(new_status, "readyReplicas") > count(old, "readyReplicas")
        or count(new_status, "availableReplicas") > count(old, "availableReplicas")
    )

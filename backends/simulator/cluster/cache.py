"""kube-scheduler's cache: the nodes and the pods assigned to them, kept up to date from store
events, so that a scheduling cycle costs O(nodes), not O(pods).

A pod counts on its node from the moment it is bound (``spec.nodeName``) until it is deleted or
finishes (Succeeded/Failed: kube-scheduler's informer leaves terminal pods out), and also while
the scheduler *assumes* it there (waiting for its volumes). What a pod requests is computed once
per pod version. A node's totals are recomputed only when its pods or the node change.
"""

from __future__ import annotations

from typing import Any

from backends.simulator.cluster import resources as res
from backends.simulator.cluster.api import NODES, PODS, key, metadata
from backends.simulator.cluster.placement import NodeInfo
from backends.simulator.store import Event, Store

Obj = dict[str, Any]
PodKey = tuple[str, str]
TERMINAL_PHASES = ("Succeeded", "Failed")


def pod_key(pod: Obj) -> PodKey:
    """namespace/name of a pod."""
    meta = metadata(pod)
    return str(meta.get("namespace") or ""), str(meta["name"])


def _version(pod: Obj, non_zero: bool) -> tuple[str, str, bool]:
    meta = metadata(pod)
    return str(meta.get("uid")), str(meta.get("resourceVersion")), non_zero


class SchedulerCache:
    """Nodes and their pods; ``observe`` every store event, ``node_infos()`` for a cycle."""

    def __init__(self, store: Store) -> None:
        self._nodes: dict[str, Obj] = {}
        self._pods: dict[str, dict[PodKey, Obj]] = {}  # node -> its pods
        self._node_of: dict[PodKey, str] = {}
        self._assumed: dict[PodKey, str] = {}
        self._infos: dict[str, NodeInfo] = {}
        self._requests: dict[tuple[str, str, bool], res.Amounts] = {}
        for node in store.objects(key(NODES)):
            self._nodes[metadata(node)["name"]] = node
        for pod in store.objects(key(PODS)):
            self._place(pod)

    def requests(self, pod: Obj, non_zero: bool) -> res.Amounts:
        """``pod_requests``, memoized per pod version."""
        version = _version(pod, non_zero)
        found = self._requests.get(version)
        if found is None:
            found = self._requests[version] = res.pod_requests(pod, non_zero)
        return found

    def _unplace(self, pod: PodKey) -> None:
        node = self._node_of.pop(pod, None)
        if node is not None:
            self._pods.get(node, {}).pop(pod, None)
            self._infos.pop(node, None)

    def _place(self, pod: Obj) -> None:
        """Count ``pod`` on its node (bound or assumed), or nowhere."""
        found = pod_key(pod)
        self._unplace(found)
        node = (pod.get("spec") or {}).get("nodeName") or self._assumed.get(found)
        if node and (pod.get("status") or {}).get("phase") not in TERMINAL_PHASES:
            self._node_of[found] = node
            self._pods.setdefault(node, {})[found] = pod
            self._infos.pop(node, None)

    def observe(self, event: Event) -> None:
        """Follow one store change."""
        if event.resource == key(NODES):
            name = metadata(event.object)["name"]
            if event.type == "DELETED":
                self._nodes.pop(name, None)
            else:
                self._nodes[name] = event.object
            self._infos.pop(name, None)
        elif event.resource == key(PODS):
            if event.previous is not None:
                for non_zero in (False, True):
                    self._requests.pop(_version(event.previous, non_zero), None)
            if event.type == "DELETED":
                self._assumed.pop(pod_key(event.object), None)
                self._unplace(pod_key(event.object))
            else:
                if (event.object.get("spec") or {}).get("nodeName"):
                    self._assumed.pop(pod_key(event.object), None)
                self._place(event.object)

    def assume(self, pod: Obj, node: str) -> None:
        """Count ``pod`` on ``node`` before it is bound there."""
        self._assumed[pod_key(pod)] = node
        self._place(pod)

    def assumed(self, pod: PodKey) -> str | None:
        """The node ``pod`` is assumed on, if any."""
        return self._assumed.get(pod)

    def forget(self, pod: Obj) -> None:
        """Stop assuming ``pod`` anywhere."""
        self._assumed.pop(pod_key(pod), None)
        self._place(pod)

    def node_infos(self) -> list[NodeInfo]:
        """Every node with its pods, by name."""
        infos = []
        for name in sorted(self._nodes):
            info = self._infos.get(name)
            if info is None:
                pods = self._pods.get(name, {}).values()
                info = self._infos[name] = NodeInfo.of(self._nodes[name], pods, self.requests)
            infos.append(info)
        return infos

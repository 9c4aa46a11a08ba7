"""The simulated cluster's control side, as Kubernetes components do it, over the store and the
REST layer only (no component reaches into another's internals):

* nodes.py — each node's kubelet, as the API sees it: registration, status, Lease heartbeats;
* lifecycle.py, eviction.py — kube-controller-manager's node lifecycle and taint eviction
  controllers (grace periods, condition taints, pods not ready, NoExecute evictions);
* scheduler.py with queue.py, cache.py, placement.py, preemption.py, resources.py, taints.py —
  kube-scheduler (queue and cache; pure filters, scores, messages and preemption);
* events.py — the events recorders every simulator component uses;
* cluster.py — ``Cluster``, which wires and drives them on the simulator's loop; control.py —
  the node stop/start request behind ``pykctl sim node``; api.py — how they read and write.
"""

from backends.simulator.cluster.cluster import Cluster
from backends.simulator.cluster.nodes import NodeResources

__all__ = ["Cluster", "NodeResources"]

"""The simulator's kube-controller-manager: the workload, endpoints and garbage-collection
controllers on one ``ControllerManager`` (see framework.py for how it runs).

The garbage collector always runs: without it an object deleted with the ``orphan`` or
``foregroundDeletion`` finalizer (``kubectl delete --cascade=orphan|foreground``) would never
go. The others run when the cluster has nodes (``workloads``).
"""

from __future__ import annotations

from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.controllers.deployment import DeploymentController
from backends.simulator.controllers.endpoints import EndpointsController
from backends.simulator.controllers.framework import Controller, ControllerManager
from backends.simulator.controllers.garbage_collector import GarbageCollector
from backends.simulator.controllers.replicaset import (
    REPLICATION_CONTROLLERS,
    ReplicaSetController,
)


def controller_manager(rest: Rest, clock: Clock, workloads: bool = True) -> ControllerManager:
    """The controllers, in the order a pass runs them."""
    controllers: list[Controller] = []
    if workloads:
        controllers += [
            DeploymentController(rest, clock),
            ReplicaSetController(rest, clock),
            ReplicaSetController(rest, clock, REPLICATION_CONTROLLERS),
            EndpointsController(rest, clock),
        ]
    controllers.append(GarbageCollector(rest, clock))
    return ControllerManager(rest, clock, controllers)

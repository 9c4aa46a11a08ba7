"""The simulator's kube-controller-manager: the workload, endpoints and garbage-collection
controllers on one ``ControllerManager`` (see framework.py for how it runs).

The garbage collector and the namespace controller always run: without them an object deleted
with the ``orphan`` or ``foregroundDeletion`` finalizer (``kubectl delete --cascade=orphan|
foreground``), or a deleted namespace, would never go. The others run when the cluster has nodes
(``workloads``): deployments, replica sets, replication controllers, daemon sets, stateful sets,
cron jobs, jobs, ttl-after-finished, horizontal pod autoscalers and endpoints.
"""

from __future__ import annotations

from backends.simulator.apiserver.rest import Rest
from backends.simulator.clock import Clock
from backends.simulator.controllers.cronjob import CronJobController
from backends.simulator.controllers.daemonset import DaemonSetController
from backends.simulator.controllers.deployment import DeploymentController
from backends.simulator.controllers.endpoints import EndpointsController
from backends.simulator.controllers.framework import Controller, ControllerManager
from backends.simulator.controllers.garbage_collector import GarbageCollector
from backends.simulator.controllers.hpa import HorizontalPodAutoscalerController, PodUsage
from backends.simulator.controllers.job import JobController
from backends.simulator.controllers.mirroring import EndpointSliceMirroringController
from backends.simulator.controllers.namespace_deletion import NamespaceController
from backends.simulator.controllers.replicaset import (
    REPLICATION_CONTROLLERS,
    ReplicaSetController,
)
from backends.simulator.controllers.statefulset import StatefulSetController
from backends.simulator.controllers.ttl import TTLAfterFinishedController


def controller_manager(
    rest: Rest, clock: Clock, workloads: bool = True, metrics: PodUsage | None = None
) -> ControllerManager:
    """The controllers, in the order a pass runs them; ``metrics`` is the metrics-server's
    pod usage the HorizontalPodAutoscaler controller reads (``MetricsServer.sampler.pods``)."""
    controllers: list[Controller] = []
    if workloads:
        controllers += [
            DeploymentController(rest, clock),
            ReplicaSetController(rest, clock),
            ReplicaSetController(rest, clock, REPLICATION_CONTROLLERS),
            DaemonSetController(rest, clock),
            StatefulSetController(rest, clock),
            CronJobController(rest, clock),
            JobController(rest, clock),
            TTLAfterFinishedController(rest, clock),
            HorizontalPodAutoscalerController(rest, clock, metrics),
            EndpointsController(rest, clock),
            EndpointSliceMirroringController(rest, clock),
        ]
    controllers += [GarbageCollector(rest, clock), NamespaceController(rest, clock)]
    return ControllerManager(rest, clock, controllers)

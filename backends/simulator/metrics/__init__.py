"""metrics-server for the simulator: resource usage of the real container processes, served as
the metrics.k8s.io/v1beta1 API (``kubectl top``).

``sampler`` reads the containers' processes and cgroups; ``api`` serves PodMetrics and
NodeMetrics from those samples and wires both into a simulator (``MetricsServer``). Metrics are
computed, never stored.
"""

from __future__ import annotations

from backends.simulator.metrics.api import MetricsServer

__all__ = ["MetricsServer"]

"""The simulator's node side: kubelets running pods as local processes (see agents.py)."""

from backends.simulator.kubelet.agents import NodeAgents, NotRunning, PortForwardError
from backends.simulator.kubelet.isolation import isolation_mode

__all__ = ["NodeAgents", "NotRunning", "PortForwardError", "isolation_mode"]

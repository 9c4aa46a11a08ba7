"""Where a pods/log, exec or attach request goes, found as kube-apiserver finds it
(``LogLocation``/``streamLocation`` in pkg/registry/core/pod/strategy.go): the pod, its
container, and the node agent (kubelet) that runs it — with the API server's errors on the way.

Errors, in kube-apiserver's order: the pod is not found (404); no container named and several to
choose from (400 ``a container name must be specified for pod P, choose one of: [a b]``, init and
ephemeral containers listed too); an unknown container (400 ``container x is not valid for pod
p``); the node's object is missing (404); no kubelet answers for the node (500, as a failed dial).
An unscheduled pod has no location: logs then answer empty, exec and attach 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import lookup

if TYPE_CHECKING:
    from backends.simulator.kubelet import NodeAgents
    from backends.simulator.server import Simulator

Obj = dict[str, Any]
KUBELET_PORT = 10250


def container_names(pod: Obj) -> list[str]:
    """Every container name in the order kube-apiserver's VisitContainers lists them."""
    spec = pod.get("spec") or {}
    return [
        str(c.get("name"))
        for key in ("initContainers", "containers", "ephemeralContainers")
        for c in spec.get(key) or []
    ]


def choose_container(pod: Obj, name: str) -> str:
    """kube-apiserver's validateContainer: ``name``, or the only container when none is named."""
    pod_name = (pod.get("metadata") or {}).get("name", "")
    if name:
        if name not in container_names(pod):
            raise status.bad_request(f"container {name} is not valid for pod {pod_name}")
        return name
    containers = (pod.get("spec") or {}).get("containers") or []
    if len(containers) == 1:
        return str(containers[0].get("name"))
    if not containers:
        raise status.bad_request(f"a container name must be specified for pod {pod_name}")
    choices = " ".join(container_names(pod))
    raise status.bad_request(
        f"a container name must be specified for pod {pod_name}, choose one of: [{choices}]"
    )


def pods_only(target: Target, method: str) -> None:
    """These subresources exist on core/v1 pods only (404 as for any unknown subresource)."""
    resource = target.resource
    if resource.group or resource.plural != "pods" or target.name is None:
        raise status.ApiStatus(
            404,
            "NotFound",
            "the server could not find the requested resource "
            f"({method.lower()} {resource.plural} {target.subresource})",
        )


def get_pod(simulator: Simulator, target: Target) -> Obj:
    """The pod the request names (404 when it does not exist)."""
    return simulator.rest.get(Target(target.resource, target.namespace, target.name, None))


def node_address(simulator: Simulator, node: str) -> str:
    """The node's InternalIP (404 when the Node object is gone, as the connection lookup)."""
    found = simulator.rest.store.get("/nodes", "", node)
    if found is None:
        nodes = lookup("", "v1", "nodes")
        assert nodes is not None
        raise status.not_found(nodes, node)
    for address in (found.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            return str(address.get("address"))
    return node


@dataclass(frozen=True)
class Location:
    """A scheduled pod's container and the agents that run the pod's node."""

    pod: Obj
    container: str
    node: str
    address: str
    agents: NodeAgents | None  # None: nothing runs the node (its kubelet is down)

    def dial_error(self, path: str) -> str:
        """What a failed connection to the node's kubelet looks like in kube-apiserver."""
        return (
            f'Get "https://{self.address}:{KUBELET_PORT}{path}": dial tcp '
            f"{self.address}:{KUBELET_PORT}: connect: connection refused"
        )


def locate(simulator: Simulator, target: Target, container: str) -> Location | None:
    """The location of ``container`` (chosen as kube-apiserver chooses) of the target pod;
    None when the pod is not scheduled to a node."""
    pod = get_pod(simulator, target)
    chosen = choose_container(pod, container)
    node = str((pod.get("spec") or {}).get("nodeName") or "")
    if not node:
        return None
    address = node_address(simulator, node)
    agents = simulator.kubelets
    running = agents is not None and node in agents.kubelets
    return Location(pod, chosen, node, address, agents if running else None)

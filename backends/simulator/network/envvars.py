"""The service environment variables a container starts with, as the kubelet sets them
(``pkg/kubelet/envvars`` and ``getServiceEnvVarMap``).

For every Service with a cluster IP (not headless, not ExternalName) in the pod's namespace —
when ``spec.enableServiceLinks`` is not false — and always for ``default/kubernetes``:
``{SVC}_SERVICE_HOST``, ``{SVC}_SERVICE_PORT`` (first port), ``{SVC}_SERVICE_PORT_{NAME}`` per
named port, and the Docker-links variables ``{SVC}_PORT`` (first port, ``tcp://IP:PORT``) and
``{SVC}_PORT_{PORT}_{PROTO}[_PROTO|_PORT|_ADDR]`` per port. ``{SVC}`` is the name upper-cased
with ``-`` and ``.`` as ``_`` (and a leading ``_`` before a digit). Only services that exist when
the container starts are seen, as in Kubernetes. Pure: services are read through a callable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]


def variable_name(name: str) -> str:
    """kubelet's makeEnvVariableName."""
    upper = name.replace(".", "_").replace("-", "_").upper()
    return "_" + upper if re.match(r"[0-9]", upper) else upper


def service_variables(service: Obj) -> dict[str, str]:
    """The variables one service contributes (empty for headless or ExternalName)."""
    spec = service.get("spec") or {}
    ip = spec.get("clusterIP")
    ports = spec.get("ports") or []
    if not ip or ip == "None" or not ports:
        return {}
    prefix = variable_name(str((service.get("metadata") or {}).get("name") or ""))
    out = {f"{prefix}_SERVICE_HOST": str(ip), f"{prefix}_SERVICE_PORT": str(ports[0]["port"])}
    for port in ports:
        if port.get("name"):
            out[f"{prefix}_SERVICE_PORT_{variable_name(port['name'])}"] = str(port["port"])
    for index, port in enumerate(ports):
        protocol = str(port.get("protocol") or "TCP")
        url = f"{protocol.lower()}://{ip}:{port['port']}"
        if index == 0:
            out[f"{prefix}_PORT"] = url
        base = f"{prefix}_PORT_{port['port']}_{protocol.upper()}"
        out[base] = url
        out[f"{base}_PROTO"] = protocol.lower()
        out[f"{base}_PORT"] = str(port["port"])
        out[f"{base}_ADDR"] = str(ip)
    return out


def pod_service_env(pod: Obj, services: Callable[[str], list[Obj]]) -> dict[str, str]:
    """The service variables of ``pod``; ``services(namespace)`` lists a namespace's services."""
    namespace = str((pod.get("metadata") or {}).get("namespace") or "")
    links = (pod.get("spec") or {}).get("enableServiceLinks") is not False
    chosen: dict[str, Obj] = {}
    for service in services("default"):
        if (service.get("metadata") or {}).get("name") == "kubernetes":
            chosen["kubernetes"] = service
    if links:
        for service in services(namespace):
            chosen[str(service["metadata"]["name"])] = service
    env: dict[str, str] = {}
    for name in sorted(chosen):
        env.update(service_variables(chosen[name]))
    return env

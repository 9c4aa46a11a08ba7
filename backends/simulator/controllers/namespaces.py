"""What every namespace gets as soon as it exists, as in a real cluster: the ``default``
ServiceAccount (kube-controller-manager's serviceaccount controller) and the
``kube-root-ca.crt`` ConfigMap holding the cluster's CA (its root-ca-cert-publisher).

Runs on store events, so namespaces created by any client get them; both objects come back if
deleted, as their controllers would recreate them.
"""

from __future__ import annotations

from typing import Any

from multidict import MultiDict, MultiDictProxy

from backends.simulator.apiserver import status
from backends.simulator.apiserver.paths import Target
from backends.simulator.apiserver.resources import lookup
from backends.simulator.apiserver.rest import Rest
from backends.simulator.store import Event

ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
_NO_QUERY = MultiDictProxy(MultiDict[str]())


class NamespaceDefaults:
    """Creates the default ServiceAccount and the root CA ConfigMap in every namespace."""

    def __init__(self, rest: Rest, ca_pem: str) -> None:
        self.rest = rest
        self.ca_pem = ca_pem
        service_accounts = lookup("", "v1", "serviceaccounts")
        config_maps = lookup("", "v1", "configmaps")
        assert service_accounts is not None and config_maps is not None
        self.service_accounts = service_accounts
        self.config_maps = config_maps
        rest.store.add_listener(self._on_event)
        for namespace in rest.store.objects("/namespaces"):
            if not (namespace.get("metadata") or {}).get("deletionTimestamp"):
                self.ensure(namespace["metadata"]["name"])

    def _on_event(self, event: Event) -> None:
        metadata = event.object.get("metadata") or {}
        if (
            event.resource == "/namespaces"
            and event.type != "DELETED"
            and not metadata.get("deletionTimestamp")
        ):
            self.ensure(metadata["name"])
        elif event.type == "DELETED" and event.resource in ("/serviceaccounts", "/configmaps"):
            namespace = metadata.get("namespace", "")
            ns = self.rest.store.get("/namespaces", "", namespace)
            if ns is not None and not (ns.get("metadata") or {}).get("deletionTimestamp"):
                self.ensure(namespace)

    def ensure(self, namespace: str) -> None:
        """Create whichever of the two objects is missing in ``namespace``."""
        wanted: list[tuple[Any, dict[str, Any]]] = []
        if self.rest.store.get("/serviceaccounts", namespace, "default") is None:
            wanted.append(
                (
                    self.service_accounts,
                    {
                        "apiVersion": "v1",
                        "kind": "ServiceAccount",
                        "metadata": {"name": "default"},
                    },
                )
            )
        if self.ca_pem and self.rest.store.get("/configmaps", namespace, ROOT_CA_CONFIGMAP) is None:
            wanted.append(
                (
                    self.config_maps,
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {
                            "name": ROOT_CA_CONFIGMAP,
                            "annotations": {
                                "kubernetes.io/description": (
                                    "Contains a CA bundle that can be used to verify the kube-apiserver when "
                                    "using internal endpoints such as the internal service IP or "
                                    "kubernetes.default.svc. No other usage is guaranteed across distributions "
                                    "of Kubernetes clusters."
                                )
                            },
                        },
                        "data": {"ca.crt": self.ca_pem},
                    },
                )
            )
        for resource, obj in wanted:
            try:
                self.rest.create(Target(resource, namespace, None, None), obj, _NO_QUERY)
            except status.ApiStatus:
                continue

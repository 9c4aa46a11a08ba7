"""The cluster's own components in kube-system, as kubeadm installs them on a kind cluster:
kube-proxy as a DaemonSet (one pod per node, host network) and DNS as the ``coredns``
Deployment behind the ``kube-dns`` Service, whose clusterIP is the cluster DNS address (the
service network's ``.10``, which the allocator keeps for it) with ports 53/UDP, 53/TCP and
9153/TCP (metrics, declared as kubeadm does; nothing answers it).

They are honest objects: the simulator daemon runs both components itself (network/proxy.py,
network/dns.py), so their pod templates carry ``pykctl.io/served-by: daemon`` and the kubelets
report those pods Running and Ready without starting processes (kubelet/daemon_pods.py);
CoreDNS's pods have the DNS address as pod IP (``pykctl.io/pod-ip``), so kube-dns's endpoints
are where DNS answers. The kube-dns Service carries the annotation too, so kube-proxy leaves its
address to the DNS server. The workload controllers run them like any other workload.

Created at start-up, where missing, only by a simulator with nodes and a ServiceNetwork.
"""

from __future__ import annotations

from typing import Any

from backends.simulator.apiserver.rest import Rest
from backends.simulator.bootstrap import create_missing
from backends.simulator.kubelet.daemon_pods import DAEMON, POD_IP, SERVED_BY

Obj = dict[str, Any]
NAMESPACE = "kube-system"
KUBE_PROXY_IMAGE = "registry.k8s.io/kube-proxy:v1.37.1"
COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.1"
_LINUX = {"kubernetes.io/os": "linux"}


def kube_proxy() -> Obj:
    """kubeadm's kube-proxy DaemonSet."""
    labels = {"k8s-app": "kube-proxy"}
    container = {
        "name": "kube-proxy",
        "image": KUBE_PROXY_IMAGE,
        "command": [
            "/usr/local/bin/kube-proxy",
            "--config=/var/lib/kube-proxy/config.conf",
            "--hostname-override=$(NODE_NAME)",
        ],
        "env": [
            {
                "name": "NODE_NAME",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
            }
        ],
        "securityContext": {"privileged": True},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": NAMESPACE, "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels, "annotations": {SERVED_BY: DAEMON}},
                "spec": {
                    "containers": [container],
                    "hostNetwork": True,
                    "nodeSelector": _LINUX,
                    "priorityClassName": "system-node-critical",
                    "serviceAccountName": "kube-proxy",
                    "tolerations": [{"operator": "Exists"}],
                },
            },
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
        },
    }


def coredns(dns_ip: str) -> Obj:
    """kubeadm's CoreDNS Deployment (two replicas), its pods at ``dns_ip``."""
    labels = {"k8s-app": "kube-dns"}
    container = {
        "name": "coredns",
        "image": COREDNS_IMAGE,
        "args": ["-conf", "/etc/coredns/Corefile"],
        "ports": [
            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
        ],
        "resources": {
            "limits": {"memory": "170Mi"},
            "requests": {"cpu": "100m", "memory": "70Mi"},
        },
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": NAMESPACE, "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {
                    "labels": labels,
                    "annotations": {SERVED_BY: DAEMON, POD_IP: dns_ip},
                },
                "spec": {
                    "containers": [container],
                    "dnsPolicy": "Default",
                    "nodeSelector": _LINUX,
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
                    ],
                },
            },
        },
    }


def kube_dns(dns_ip: str) -> Obj:
    """The kube-dns Service at the cluster DNS address."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "namespace": NAMESPACE,
            "labels": {
                "k8s-app": "kube-dns",
                "kubernetes.io/cluster-service": "true",
                "kubernetes.io/name": "CoreDNS",
            },
            "annotations": {
                "prometheus.io/port": "9153",
                "prometheus.io/scrape": "true",
                SERVED_BY: DAEMON,
            },
        },
        "spec": {
            "clusterIP": dns_ip,
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
            "selector": {"k8s-app": "kube-dns"},
        },
    }


def install_addons(rest: Rest, dns_ip: str) -> None:
    """Create the components' objects in kube-system, where missing."""
    for account in ("kube-proxy", "coredns"):
        create_missing(
            rest,
            "serviceaccounts",
            "",
            NAMESPACE,
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account}},
        )
    create_missing(rest, "services", "", NAMESPACE, kube_dns(dns_ip))
    create_missing(rest, "daemonsets", "apps", NAMESPACE, kube_proxy())
    create_missing(rest, "deployments", "apps", NAMESPACE, coredns(dns_ip))

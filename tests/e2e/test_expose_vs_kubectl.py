"""``expose``: pykctl against the real kubectl 1.37 on one simulator.

kubectl prints the objects these commands create from Go structs, so their JSON keeps the
structs' field order; pykctl builds what it generates in that order (``--dry-run=client``), and
the objects the server returns are compared as data.
"""

from __future__ import annotations

import shlex

import pytest

from tests.e2e.verbs_harness import Twins, twins

pytestmark = pytest.mark.e2e

__all__ = ["twins"]


def split(words: str) -> list[str]:
    """A command line written as a shell would split it."""
    return shlex.split(words)


OBJECTS = """
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  containers:
  - name: c
    image: nginx
    ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}, {containerPort: 53}]
  - name: d
    image: nginx
    ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata:
  name: single
  labels: {app: single}
spec:
  containers: [{name: c, image: nginx, ports: [{containerPort: 8443, name: https}]}]
---
apiVersion: v1
kind: Pod
metadata:
  name: bare
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep
  labels: {app: dep}
spec:
  selector: {matchLabels: {app: dep}}
  template:
    metadata: {labels: {app: dep}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 9000}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: expr
spec:
  selector:
    matchLabels: {app: expr}
    matchExpressions: [{key: tier, operator: In, values: [a, b]}]
  template:
    metadata: {labels: {app: expr, tier: a}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs
spec:
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 7000, protocol: SCTP}]}]}
---
apiVersion: v1
kind: Service
metadata:
  name: front
  labels: {app: front}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: dns, port: 53, protocol: UDP}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
"""

FILES = {
    "pod.yaml": """
    apiVersion: v1
    kind: Pod
    metadata:
      name: single
      labels: {app: single}
    spec:
      containers: [{name: c, image: nginx, ports: [{containerPort: 8443}]}]
    """
}

EXPOSE_CASES = [
    "pod web",
    "pod web --dry-run=client -o yaml",
    "pod web --dry-run=client -o json",
    "pod web --port=53 --dry-run=client -o json",
    "pod web --protocol=SCTP --dry-run=client -o yaml",
    "pod single --dry-run=client -o json",
    "pod single --port=443 --target-port=https --name=secure -o yaml",
    "pod single --type=NodePort --dry-run=client -o yaml",
    "pod single --type=LoadBalancer --load-balancer-ip=10.1.2.3 --dry-run=client -o json",
    "pod single --external-ip=10.9.9.9 --session-affinity=ClientIP --dry-run=client -o json",
    "pod single --cluster-ip=None --dry-run=client -o yaml",
    "pod single --session-affinity=Sticky",
    "pod single --selector=app=x,tier=y -l team=a --dry-run=client -o yaml",
    "pod single --selector=app",
    "pod single --selector=app=x,",
    "pod single --port=abc",
    "pod single -o name",
    "pod single --dry-run=server",
    """pod single '--overrides={"spec":{"type":"NodePort"}}' --dry-run=client -o yaml""",
    "pod single --save-config -o yaml",
    "pod bare --port=80",
    "pod bare",
    "pod bare --selector=app=bare",
    "deploy dep --dry-run=client -o yaml",
    "deploy dep",
    "deploy expr --port=80",
    "rs rs --dry-run=client -o json",
    "svc front --name=front2 --dry-run=client -o json",
    "svc front --name=front2 --port=8080",
    "cm cfg --port=80",
    "pod/single deploy/dep --dry-run=client -o yaml",
    "pods single missing --dry-run=client",
    "pod missing --port=80",
    "pod",
    "",
    "-f pod.yaml --dry-run=client -o yaml",
    "-f pod.yaml --name=fromfile",
]


@pytest.mark.parametrize("words", EXPOSE_CASES)
def test_expose(twins: Twins, words: str) -> None:
    case = twins.case(OBJECTS)
    case.same("expose", *split(words), files=FILES)
    case.same_state("services")


def test_exposed_service_as_json(twins: Twins) -> None:
    case = twins.case(OBJECTS)
    case.same("expose", "pod", "single", "-o", "json")

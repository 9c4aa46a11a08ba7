"""``wait``: pykctl against the real kubectl 1.37 on one simulator.

Conditions are set through the status subresource (the simulator runs no kubelet here). The
cases where the condition changes while the tools wait start both as processes, change the
object, and compare what they printed when they returned.
"""

from __future__ import annotations

import pytest

from tests.e2e.verbs_harness import Case, Twins, twins

pytestmark = pytest.mark.e2e

__all__ = ["twins"]

PODS = """
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  labels: {app: db}
spec:
  containers: [{name: c, image: postgres}]
"""


def set_ready(case: Case, pod: str, status: str = "True", generation: int | None = None) -> None:
    condition: dict[str, object] = {"type": "Ready", "status": status}
    if generation is not None:
        condition["observedGeneration"] = generation
    patch = {"status": {"conditions": [condition]}}
    for namespace in (case.k_ns, case.p_ns):
        path = f"/api/v1/namespaces/{namespace}/pods/{pod}/status"
        case.twins.request("PATCH", path, patch, "application/merge-patch+json")


STATIC_CASES = [
    ["--for=condition=Ready", "pod/web"],
    ["--for=condition=ready", "pod/web", "-o", "name"],
    ["--for=condition=Ready=true", "pod/web", "pod/db", "--timeout=1s"],
    ["--for=condition=Ready=False", "pod/db", "--timeout=0"],
    ["--for=condition=Ready", "pod/db", "--timeout=0"],
    ["--for=condition=Ready", "pods", "--all", "--timeout=1s"],
    ["--for=condition=Ready", "pods", "-l", "app=web", "-o", "jsonpath={.metadata.name}"],
    ["--for=condition=Ready", "pods", "-l", "app=none"],
    ["--for=jsonpath={.status.phase}=Pending", "pod/web"],
    ["--for=jsonpath={.status.phase}", "pod/web", "-o", "name"],
    ["--for=jsonpath=.metadata.name=web", "pod/web"],
    ["--for=jsonpath={.spec.containers}", "pod/web"],
    ["--for=jsonpath={.spec.containers}=x", "pod/web"],
    ["--for=jsonpath={.spec.containers[*].name}=c", "pod/web"],
    ["--for=jsonpath={.metadata.name}=web", "pod/web", "pod/missing"],
    ["--for=jsonpath={.status.phase}=", "pod/web"],
    ["--for=jsonpath==x", "pod/web"],
    ["--for=jsonpath={.status.phase}=a=b", "pod/web"],
    ["--for=jsonpath={.a", "pod/web"],
    ["--for=create", "pod/web"],
    ["--for=create", "--for=condition=Ready", "pod/web"],
    ["--for=create", "pod/missing", "--timeout=1s"],
    ["--for=delete", "pod/missing"],
    ["--for=delete", "pod/web", "--timeout=0"],
    ["--for=delete", "pod/web", "--timeout=1s"],
    ["--for=bogus", "pod/web"],
    ["pod/web"],
    ["--for=condition=Ready", "pod/web", "-o", "bogus"],
    ["--for=condition=Ready", "pod/missing"],
    ["--for=condition=Ready"],
    ["--for=condition=Ready", "nosuchtype/web"],
    ["--for=condition=Ready", "pod/web", "-o", "yaml"],
]


@pytest.mark.parametrize("argv", STATIC_CASES, ids=" ".join)
def test_wait(twins: Twins, argv: list[str]) -> None:
    case = twins.case(PODS)
    set_ready(case, "web")
    case.same("wait", *argv)


def test_an_outdated_condition_is_not_met(twins: Twins) -> None:
    case = twins.case(PODS)
    set_ready(case, "web", generation=0)
    case.same("wait", "--for=condition=Ready", "pod/web", "--timeout=0")


def test_condition_met_while_waiting(twins: Twins) -> None:
    case = twins.case(PODS)
    processes = case.spawn("wait", "--for=condition=Ready", "pod/db", "--timeout=30s")
    case.await_watches("/pods")
    set_ready(case, "db")
    case.finish(processes)


def test_deleted_while_waiting(twins: Twins) -> None:
    case = twins.case(PODS)
    processes = case.spawn("wait", "--for=delete", "pod/db", "--timeout=30s")
    case.await_watches("/pods")
    case.setup("delete", "pod", "db", "--grace-period=0", "--force")
    case.finish(processes)


def test_created_while_waiting(twins: Twins) -> None:
    case = twins.case()
    processes = case.spawn("wait", "--for=create", "pod/late", "--timeout=30s")
    case.setup("run", "late", "--image=nginx")
    case.finish(processes)

"""Pod status as the kubelet computes it: container states, phases, conditions, times."""

from __future__ import annotations

import datetime
from typing import Any

from backends.simulator.kubelet.status import (
    ContainerView,
    Instance,
    PodView,
    build_status,
    phase,
    should_restart,
)

Obj = dict[str, Any]
T0 = datetime.datetime(2026, 1, 1, 10, 0, 0, tzinfo=datetime.timezone.utc)
T1 = T0 + datetime.timedelta(seconds=5)


def pod(
    containers: list[str], init: list[Obj] | None = None, policy: str = "Always", **status: Any
) -> Obj:
    spec: Obj = {
        "containers": [{"name": n, "image": "busybox"} for n in containers],
        "restartPolicy": policy,
    }
    if init:
        spec["initContainers"] = init
    return {
        "metadata": {"name": "p", "namespace": "default", "uid": "u1", "generation": 1},
        "spec": spec,
        "status": {"phase": "Pending", "qosClass": "BestEffort", **status},
    }


def running(cid: str = "pykctl://a") -> Instance:
    return Instance(
        cid, "docker.io/library/busybox:latest", "docker.io/library/busybox@sha256:1", "running", T0
    )


def exited(code: int, reason: str, cid: str = "pykctl://b") -> Instance:
    return Instance(
        cid,
        "docker.io/library/busybox:latest",
        "docker.io/library/busybox@sha256:1",
        "exited",
        T0,
        T1,
        code,
        reason,
    )


def view(**containers: ContainerView) -> PodView:
    return PodView(dict(containers), True, ("127.244.1.2",), ("127.18.0.1",))


def test_a_new_pod_waits_in_container_creating_with_the_kubelets_conditions() -> None:
    status = build_status(pod(["c"]), PodView({}, False, (), ("127.18.0.1",)), T0)
    assert status["observedGeneration"] == 1 and status["phase"] == "Pending"
    assert status["containerStatuses"] == [{
        "name": "c", "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
        "ready": False, "restartCount": 0, "image": "busybox", "imageID": "", "started": False,
    }]  # fmt: skip
    assert [(c["type"], c["status"], c.get("reason")) for c in status["conditions"]] == [
        ("PodReadyToStartContainers", "False", None),
        ("Initialized", "True", None),
        ("Ready", "False", "ContainersNotReady"),
        ("ContainersReady", "False", "ContainersNotReady"),
        ("PodScheduled", "True", None),
    ]
    ready = status["conditions"][2]
    assert ready == {
        "type": "Ready", "observedGeneration": 1, "status": "False", "lastProbeTime": None,
        "lastTransitionTime": "2026-01-01T10:00:00Z", "reason": "ContainersNotReady",
        "message": "containers with unready status: [c]",
    }  # fmt: skip
    assert status["hostIPs"] == [{"ip": "127.18.0.1"}] and "podIP" not in status
    assert status["startTime"] == "2026-01-01T10:00:00Z" and status["qosClass"] == "BestEffort"


def test_running_and_ready() -> None:
    status = build_status(
        pod(["c"]), view(c=ContainerView("c", running(), ready=True, started=True)), T1
    )
    container = status["containerStatuses"][0]
    assert container["state"] == {"running": {"startedAt": "2026-01-01T10:00:00Z"}}
    assert (container["ready"], container["started"], container["containerID"]) == (
        True,
        True,
        "pykctl://a",
    )
    assert container["image"] == "docker.io/library/busybox:latest" and container["resources"] == {}
    assert status["phase"] == "Running" and status["podIPs"] == [{"ip": "127.244.1.2"}]
    assert all(c["status"] == "True" for c in status["conditions"])


def test_crash_loop_back_off_moves_the_terminated_state_to_last_state() -> None:
    waiting = ("CrashLoopBackOff", "back-off 10s restarting failed container=c pod=p_default(u1)")
    status = build_status(
        pod(["c"]),
        view(
            c=ContainerView("c", exited(3, "Error"), exited(3, "Error", "pykctl://z"), 1, waiting)
        ),
        T1,
    )
    container = status["containerStatuses"][0]
    assert container["state"] == {"waiting": {"reason": "CrashLoopBackOff", "message": waiting[1]}}
    assert container["lastState"]["terminated"] == {
        "exitCode": 3, "reason": "Error", "startedAt": "2026-01-01T10:00:00Z",
        "finishedAt": "2026-01-01T10:00:05Z", "containerID": "pykctl://b",
    }  # fmt: skip
    assert container["restartCount"] == 1 and status["phase"] == "Running"


def test_a_container_that_exited_and_will_not_restart_decides_the_phase() -> None:
    done = build_status(
        pod(["c"], policy="Never"), view(c=ContainerView("c", exited(0, "Completed"))), T1
    )
    failed = build_status(
        pod(["c"], policy="OnFailure"), view(c=ContainerView("c", exited(1, "Error"))), T1
    )
    assert done["phase"] == "Succeeded"
    assert [c.get("reason") for c in done["conditions"][1:4]] == [
        "PodCompleted",
        "PodCompleted",
        "PodCompleted",
    ]
    assert failed["phase"] == "Running"  # OnFailure: it will be restarted
    terminal = build_status(
        pod(["c"], policy="Always"),
        PodView({"c": ContainerView("c", exited(137, "Error"))}, False, (), (), True),
        T1,
    )
    assert terminal["phase"] == "Failed"
    assert terminal["conditions"][2]["reason"] == "PodFailed"


def test_a_terminal_phase_is_never_left() -> None:
    status = build_status(pod(["c"], phase="Failed"), view(c=ContainerView("c", running())), T1)
    assert status["phase"] == "Failed"


def test_init_containers_and_sidecars() -> None:
    init = [
        {"name": "setup", "image": "busybox"},
        {"name": "proxy", "image": "busybox", "restartPolicy": "Always"},
    ]
    initializing = build_status(
        pod(["app"], init), view(setup=ContainerView("setup", running(), started=True)), T1
    )
    assert initializing["phase"] == "Pending"
    assert initializing["initContainerStatuses"][1]["state"] == {
        "waiting": {"reason": "PodInitializing"}
    }
    assert initializing["containerStatuses"][0]["state"] == {
        "waiting": {"reason": "PodInitializing"}
    }
    assert (
        initializing["conditions"][1]["message"]
        == "containers with incomplete status: [setup proxy]"
    )
    up = build_status(
        pod(["app"], init),
        view(
            setup=ContainerView("setup", exited(0, "Completed")),
            proxy=ContainerView("proxy", running("pykctl://p"), ready=True, started=True),
            app=ContainerView("app", running("pykctl://q"), ready=True, started=True),
        ),
        T1,
    )
    setup, proxy = up["initContainerStatuses"]
    assert (setup["ready"], setup["started"]) == (True, False)
    assert (proxy["ready"], proxy["started"]) == (True, True)
    assert up["phase"] == "Running" and all(c["status"] == "True" for c in up["conditions"])


def test_a_vanished_running_container_is_status_unknown() -> None:
    old = {
        "containerStatuses": [
            {"name": "c", "state": {"running": {"startedAt": "x"}}, "restartCount": 2}
        ]
    }
    status = build_status(pod(["c"], None, "Always", **old), view(c=ContainerView("c")), T1)
    container = status["containerStatuses"][0]
    assert container["restartCount"] == 3
    assert container["lastState"]["terminated"]["reason"] == "ContainerStatusUnknown"
    assert container["lastState"]["terminated"]["exitCode"] == 137


def test_transition_times_are_kept_while_a_condition_holds() -> None:
    first = pod(["c"])
    first["status"] = build_status(
        first, view(c=ContainerView("c", running(), ready=True, started=True)), T0
    )
    later = build_status(first, view(c=ContainerView("c", running(), ready=True, started=True)), T1)
    assert later["conditions"] == first["status"]["conditions"]
    unready = build_status(
        first, view(c=ContainerView("c", running(), ready=False, started=True)), T1
    )
    assert unready["conditions"][2]["lastTransitionTime"] == "2026-01-01T10:00:05Z"
    assert unready["conditions"][1]["lastTransitionTime"] == "2026-01-01T10:00:00Z"


def test_readiness_gates() -> None:
    gated = pod(["c"], conditions=[{"type": "example.com/lb", "status": "False"}])
    gated["spec"]["readinessGates"] = [
        {"conditionType": "example.com/lb"},
        {"conditionType": "x/y"},
    ]
    status = build_status(
        gated, view(c=ContainerView("c", running(), ready=True, started=True)), T1
    )
    ready = status["conditions"][2]
    assert (ready["status"], ready["reason"]) == ("False", "ReadinessGatesNotReady")
    assert ready["message"] == (
        'the status of pod readiness gate "example.com/lb" is not "True", but False, '
        'corresponding condition of pod readiness gate "x/y" does not exist.'
    )
    assert [c["type"] for c in status["conditions"]][4:] == ["example.com/lb", "PodScheduled"]


def test_should_restart_follows_the_policy() -> None:
    assert should_restart({"name": "c"}, pod(["c"], policy="Never"), ContainerView("c"))
    assert not should_restart(
        {"name": "c"}, pod(["c"], policy="Never"), ContainerView("c", exited(1, "Error"))
    )
    assert not should_restart(
        {"name": "c"}, pod(["c"], policy="OnFailure"), ContainerView("c", exited(0, "Completed"))
    )
    assert should_restart(
        {"name": "c"}, pod(["c"], policy="OnFailure"), ContainerView("c", exited(2, "Error"))
    )
    deleting = pod(["c"])
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T10:00:00Z"
    assert not should_restart({"name": "c"}, deleting, ContainerView("c", exited(2, "Error")))


def test_phase_with_a_failed_init_container_and_restart_policy_never() -> None:
    spec = pod(["app"], [{"name": "setup", "image": "busybox"}], policy="Never")
    statuses = {"setup": {"name": "setup", "state": {"terminated": {"exitCode": 1}}}}
    assert phase(spec, statuses, False) == "Failed"

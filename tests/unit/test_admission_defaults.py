"""Unit tests for the simulator's defaulting: SetDefaults_*, admission plugins and strategies.

Expected objects follow kube-apiserver v1.37's ``pkg/apis/*/v1/defaults.go``, the
ServiceAccount / DefaultTolerationSeconds / Priority admission plugins and the registry
strategies (``PrepareForCreate``), as seen in ``kubectl get -o yaml`` of freshly created objects.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from backends.simulator.apiserver.admission import (
    AdmissionError,
    admit,
    apply_defaults,
    prepare_for_create,
    prepare_for_update,
)
from backends.simulator.apiserver.admission.defaults import image_tag
from backends.simulator.apiserver.admission.strategy import qos_class
from backends.simulator.apiserver.resources import ResourceType, lookup

Obj = dict[str, Any]


def resource(group: str, version: str, plural: str) -> ResourceType:
    found = lookup(group, version, plural)
    assert found is not None
    return found


PODS = resource("", "v1", "pods")
SERVICES = resource("", "v1", "services")
DEPLOYMENTS = resource("apps", "v1", "deployments")
JOBS = resource("batch", "v1", "jobs")


def defaulted(res: ResourceType, obj: Obj) -> Obj:
    result = copy.deepcopy(obj)
    apply_defaults(res, result)
    return result


DEFAULTED_CONTAINER = {
    "name": "c",
    "image": "nginx",
    "resources": {},
    "imagePullPolicy": "Always",
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}
TEMPLATE_SPEC_DEFAULTS = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
    "schedulerName": "default-scheduler",
}


def test_pod_spec_defaults() -> None:
    pod = defaulted(
        PODS, {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    )
    assert pod["spec"] == {
        "containers": [DEFAULTED_CONTAINER],
        "enableServiceLinks": True,
        **TEMPLATE_SPEC_DEFAULTS,
    }


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.25", "IfNotPresent"),
        ("localhost:5000/app", "Always"),
        ("localhost:5000/app:v2", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
        ("nginx:latest@sha256:" + "a" * 64, "Always"),
    ],
)
def test_image_pull_policy_from_tag(image: str, policy: str) -> None:
    pod = defaulted(PODS, {"spec": {"containers": [{"name": "c", "image": image}]}})
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_image_tag() -> None:
    assert image_tag("registry:5000/a/b") == "latest"
    assert image_tag("a/b:1.0") == "1.0"


def test_explicit_values_are_kept() -> None:
    spec = {
        "restartPolicy": "Never",
        "terminationGracePeriodSeconds": 0,
        "enableServiceLinks": False,
        "containers": [{"name": "c", "image": "nginx", "imagePullPolicy": "Never"}],
    }
    pod = defaulted(PODS, {"spec": spec})["spec"]
    assert (
        pod["restartPolicy"],
        pod["terminationGracePeriodSeconds"],
        pod["enableServiceLinks"],
    ) == ("Never", 0, False)
    assert pod["containers"][0]["imagePullPolicy"] == "Never"


def test_container_nested_defaults() -> None:
    container = {
        "name": "c",
        "image": "nginx",
        "ports": [{"containerPort": 80}],
        "env": [{"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
        "resources": {"limits": {"cpu": "1"}},
        "livenessProbe": {"httpGet": {"port": 80}},
        "readinessProbe": {"grpc": {"port": 9000}},
        "lifecycle": {"preStop": {"httpGet": {"port": 8080}}},
    }
    result = defaulted(PODS, {"spec": {"containers": [container]}})["spec"]["containers"][0]
    assert result["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert result["env"][0]["valueFrom"]["fieldRef"] == {
        "fieldPath": "metadata.namespace",
        "apiVersion": "v1",
    }
    assert result["resources"] == {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}
    assert result["livenessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert result["readinessProbe"]["grpc"] == {"port": 9000, "service": ""}
    assert result["lifecycle"]["preStop"]["httpGet"] == {
        "port": 8080,
        "path": "/",
        "scheme": "HTTP",
    }


def test_volume_defaults() -> None:
    volumes = [
        {"name": "empty"},
        {"name": "cm", "configMap": {"name": "x"}},
        {"name": "sec", "secret": {"secretName": "s", "defaultMode": 256}},
        {"name": "host", "hostPath": {"path": "/tmp"}},
        {"name": "proj", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}},
        {
            "name": "eph",
            "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}},
        },
    ]
    result = defaulted(PODS, {"spec": {"containers": [], "volumes": volumes}})["spec"]["volumes"]
    assert result[0] == {"name": "empty", "emptyDir": {}}
    assert result[1]["configMap"] == {"name": "x", "defaultMode": 420}
    assert result[2]["secret"] == {"secretName": "s", "defaultMode": 256}
    assert result[3]["hostPath"] == {"path": "/tmp", "type": ""}
    assert result[4]["projected"] == {
        "sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}}],
        "defaultMode": 420,
    }
    assert result[5]["ephemeral"]["volumeClaimTemplate"]["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "volumeMode": "Filesystem",
        "resources": {},
    }


def test_host_network_defaults_host_ports() -> None:
    spec = {
        "hostNetwork": True,
        "containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 8080}]}],
    }
    port = defaulted(PODS, {"spec": spec})["spec"]["containers"][0]["ports"][0]
    assert port == {"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"}


def test_deprecated_service_account_mirrors_name() -> None:
    spec = defaulted(PODS, {"spec": {"serviceAccount": "builder", "containers": []}})["spec"]
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("builder", "builder")


def test_service_cluster_ip_defaults() -> None:
    service = defaulted(SERVICES, {"spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]}})
    assert service["spec"] == {
        "selector": {"app": "a"},
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "sessionAffinity": "None",
        "type": "ClusterIP",
        "internalTrafficPolicy": "Cluster",
        "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"],
    }


def test_service_load_balancer_and_node_port() -> None:
    lb = defaulted(
        SERVICES,
        {"spec": {"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": "https"}]}},
    )["spec"]
    assert lb["externalTrafficPolicy"] == "Cluster"
    assert lb["allocateLoadBalancerNodePorts"] is True
    assert lb["ports"][0]["targetPort"] == "https"
    node_port = defaulted(SERVICES, {"spec": {"type": "NodePort", "ports": [{"port": 80}]}})["spec"]
    assert node_port["externalTrafficPolicy"] == "Cluster"
    assert "allocateLoadBalancerNodePorts" not in node_port


def test_service_session_affinity() -> None:
    client_ip = defaulted(SERVICES, {"spec": {"sessionAffinity": "ClientIP"}})["spec"]
    assert client_ip["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    none = defaulted(
        SERVICES, {"spec": {"sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 5}}}}
    )["spec"]
    assert "sessionAffinityConfig" not in none


def test_service_headless_and_external_name() -> None:
    headless = defaulted(SERVICES, {"spec": {"clusterIP": "None"}})["spec"]
    assert (headless["ipFamilyPolicy"], headless["ipFamilies"]) == ("RequireDualStack", ["IPv4"])
    external = defaulted(
        SERVICES, {"spec": {"type": "ExternalName", "externalName": "example.com"}}
    )["spec"]
    assert "ipFamilyPolicy" not in external and "internalTrafficPolicy" not in external


def test_deployment_defaults() -> None:
    template = {
        "metadata": {"labels": {"app": "a"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    deployment = defaulted(DEPLOYMENTS, {"spec": {"template": template}})
    assert deployment["spec"] == {
        "template": {
            "metadata": {"labels": {"app": "a"}},
            "spec": {"containers": [DEFAULTED_CONTAINER], **TEMPLATE_SPEC_DEFAULTS},
        },
        "replicas": 1,
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
        },
        "revisionHistoryLimit": 10,
        "progressDeadlineSeconds": 600,
    }


def test_recreate_strategy_gets_no_rolling_update() -> None:
    deployment = defaulted(DEPLOYMENTS, {"spec": {"strategy": {"type": "Recreate"}}})
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_stateful_set_and_daemon_set_defaults() -> None:
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    sts = defaulted(
        resource("apps", "v1", "statefulsets"), {"spec": {"volumeClaimTemplates": [claim]}}
    )["spec"]
    assert sts["podManagementPolicy"] == "OrderedReady"
    assert sts["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert sts["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    assert (sts["replicas"], sts["revisionHistoryLimit"]) == (1, 10)
    assert sts["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem"
    assert sts["volumeClaimTemplates"][0]["status"] == {"phase": "Pending"}
    ds = defaulted(resource("apps", "v1", "daemonsets"), {"spec": {}})["spec"]
    assert ds["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
    }
    assert ds["revisionHistoryLimit"] == 10


def test_job_defaults() -> None:
    template = {
        "metadata": {"labels": {"app": "a"}},
        "spec": {"restartPolicy": "Never", "containers": []},
    }
    job = defaulted(JOBS, {"metadata": {"name": "j"}, "spec": {"template": template}})
    spec = job["spec"]
    assert job["metadata"]["labels"] == {"app": "a"}
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    assert (spec["completionMode"], spec["suspend"], spec["manualSelector"]) == (
        "NonIndexed",
        False,
        False,
    )
    assert spec["podReplacementPolicy"] == "TerminatingOrFailed"


def test_job_defaults_depend_on_other_fields() -> None:
    spec = {
        "parallelism": 3,
        "backoffLimitPerIndex": 1,
        "podFailurePolicy": {"rules": [{"onPodConditions": [{"type": "DisruptionTarget"}]}]},
    }
    result = defaulted(JOBS, {"spec": spec})["spec"]
    assert "completions" not in result
    assert result["backoffLimit"] == 2147483647
    assert result["podReplacementPolicy"] == "Failed"
    assert result["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"] == "True"


def test_cron_job_defaults() -> None:
    cron = defaulted(
        resource("batch", "v1", "cronjobs"),
        {
            "spec": {
                "schedule": "* * * * *",
                "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}},
            }
        },
    )
    spec = cron["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"]) == ("Allow", False)
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    job_spec = spec["jobTemplate"]["spec"]
    assert "backoffLimit" not in job_spec
    assert job_spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


def test_core_kinds() -> None:
    namespace = defaulted(resource("", "v1", "namespaces"), {"metadata": {"name": "dev"}})
    assert namespace == {
        "metadata": {"name": "dev", "labels": {"kubernetes.io/metadata.name": "dev"}},
        "status": {"phase": "Active"},
    }
    assert defaulted(resource("", "v1", "secrets"), {})["type"] == "Opaque"
    claim = defaulted(resource("", "v1", "persistentvolumeclaims"), {"spec": {}})
    assert claim["spec"]["volumeMode"] == "Filesystem" and claim["status"] == {"phase": "Pending"}
    volume = defaulted(resource("", "v1", "persistentvolumes"), {"spec": {}})
    assert volume["spec"] == {"persistentVolumeReclaimPolicy": "Retain", "volumeMode": "Filesystem"}
    rc = defaulted(
        resource("", "v1", "replicationcontrollers"),
        {"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}},
    )
    assert (rc["metadata"]["labels"], rc["spec"]["selector"], rc["spec"]["replicas"]) == (
        {"a": "b"},
        {"a": "b"},
        1,
    )


def test_other_groups() -> None:
    hpa = defaulted(
        resource("autoscaling", "v2", "horizontalpodautoscalers"),
        {"spec": {"maxReplicas": 3, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}},
    )
    spec = hpa["spec"]
    assert spec["minReplicas"] == 1
    assert spec["metrics"] == [
        {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 80},
            },
        }
    ]
    assert spec["behavior"]["scaleDown"] == {
        "selectPolicy": "Max",
        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
        "stabilizationWindowSeconds": 60,
    }
    assert spec["behavior"]["scaleUp"]["policies"][0] == {
        "type": "Pods",
        "value": 4,
        "periodSeconds": 15,
    }
    policy = defaulted(
        resource("networking.k8s.io", "v1", "networkpolicies"),
        {"spec": {"egress": [{"ports": [{"port": 53}]}]}},
    )
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["egress"][0]["ports"][0]["protocol"] == "TCP"
    assert (
        defaulted(resource("scheduling.k8s.io", "v1", "priorityclasses"), {})["preemptionPolicy"]
        == "PreemptLowerPriority"
    )
    storage = defaulted(resource("storage.k8s.io", "v1", "storageclasses"), {})
    assert (storage["reclaimPolicy"], storage["volumeBindingMode"]) == ("Delete", "Immediate")
    binding = defaulted(
        resource("rbac.authorization.k8s.io", "v1", "rolebindings"),
        {"subjects": [{"kind": "User", "name": "u"}, {"kind": "ServiceAccount", "name": "s"}]},
    )
    assert [s.get("apiGroup") for s in binding["subjects"]] == ["rbac.authorization.k8s.io", None]


# --- admission plugins ------------------------------------------------------------------------


def admitted(pod_spec: Obj, cluster: Any = None) -> Obj:
    pod = defaulted(PODS, {"metadata": {"name": "p", "namespace": "default"}, "spec": pod_spec})
    admit(PODS, pod, cluster)
    return pod


def test_service_account_plugin_mounts_token() -> None:
    spec = admitted(
        {
            "containers": [{"name": "c", "image": "i"}],
            "initContainers": [{"name": "i", "image": "i"}],
        }
    )["spec"]
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")
    volume = spec["volumes"][-1]
    assert re.fullmatch("kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}", volume["name"])
    assert volume["projected"]["sources"][0] == {
        "serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}
    }
    mount = {
        "name": volume["name"],
        "readOnly": True,
        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
    }
    assert spec["containers"][0]["volumeMounts"] == [mount]
    assert spec["initContainers"][0]["volumeMounts"] == [mount]


def test_service_account_plugin_respects_automount_false() -> None:
    spec = admitted(
        {"automountServiceAccountToken": False, "containers": [{"name": "c", "image": "i"}]}
    )["spec"]
    assert "volumes" not in spec


class FakeCluster:
    """Stored objects keyed by (plural, namespace, name)."""

    def __init__(self, objects: dict[tuple[str, str, str], Obj]) -> None:
        self.objects = objects

    def get(self, plural: str, namespace: str, name: str) -> Obj | None:
        return self.objects.get((plural, namespace, name))

    def list(self, plural: str) -> list[Obj]:
        return [o for (p, _, _), o in self.objects.items() if p == plural]


def test_service_account_must_exist_in_cluster() -> None:
    with pytest.raises(AdmissionError) as raised:
        admitted({"serviceAccountName": "robot", "containers": []}, FakeCluster({}))
    assert raised.value.code == 403
    assert raised.value.status["message"] == (
        'pods "p" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found'
    )
    assert raised.value.status["details"] == {"name": "p", "kind": "pods"}


def test_service_account_settings_from_cluster() -> None:
    account = {
        "metadata": {"name": "default"},
        "automountServiceAccountToken": False,
        "imagePullSecrets": [{"name": "reg"}],
    }
    cluster = FakeCluster({("serviceaccounts", "default", "default"): account})
    spec = admitted({"containers": [{"name": "c", "image": "i"}]}, cluster)["spec"]
    assert "volumes" not in spec
    assert spec["imagePullSecrets"] == [{"name": "reg"}]


def test_default_toleration_seconds() -> None:
    spec = admitted(
        {
            "containers": [],
            "tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}],
        }
    )["spec"]
    assert spec["tolerations"] == [
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists"},
        {
            "key": "node.kubernetes.io/not-ready",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
    ]


def test_priority_plugin() -> None:
    spec = admitted({"containers": []})["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    critical = admitted({"containers": [], "priorityClassName": "system-node-critical"})["spec"]
    assert critical["priority"] == 2000001000
    with pytest.raises(AdmissionError) as raised:
        admitted({"containers": [], "priorityClassName": "gold"})
    assert (
        raised.value.status["message"]
        == 'pods "p" is forbidden: no PriorityClass with name gold was found'
    )
    with pytest.raises(AdmissionError) as raised:
        admitted({"containers": [], "priority": 5})
    assert raised.value.status["message"] == (
        'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; '
        "priority admission controller computed 0 from the given PriorityClass name"
    )


def test_priority_global_default_from_cluster() -> None:
    high = {
        "metadata": {"name": "high"},
        "value": 1000,
        "globalDefault": True,
        "preemptionPolicy": "Never",
    }
    cluster = FakeCluster(
        {("priorityclasses", "", "high"): high, ("serviceaccounts", "default", "default"): {}}
    )
    spec = admitted({"containers": []}, cluster)["spec"]
    assert (spec["priorityClassName"], spec["priority"], spec["preemptionPolicy"]) == (
        "high",
        1000,
        "Never",
    )


def test_claim_and_node_plugins() -> None:
    claims = resource("", "v1", "persistentvolumeclaims")
    claim: Obj = {"metadata": {"name": "c"}, "spec": {}}
    standard = {
        "metadata": {
            "name": "standard",
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        }
    }
    admit(claims, claim, FakeCluster({("storageclasses", "", "standard"): standard}))
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert claim["spec"]["storageClassName"] == "standard"
    node: Obj = {"metadata": {"name": "n"}}
    admit(resource("", "v1", "nodes"), node)
    assert node["spec"]["taints"] == [
        {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}
    ]


# --- strategies -------------------------------------------------------------------------------


def test_pod_prepare_for_create_sets_status() -> None:
    pod = defaulted(
        PODS,
        {
            "spec": {"schedulingGates": [{"name": "g"}], "containers": []},
            "status": {"phase": "Running"},
        },
    )
    prepare_for_create(PODS, pod)
    assert pod["status"]["phase"] == "Pending"
    assert pod["status"]["qosClass"] == "BestEffort"
    assert pod["status"]["conditions"][0]["reason"] == "SchedulingGated"


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        ([{}], "BestEffort"),
        ([{"requests": {"cpu": "100m"}}], "Burstable"),
        (
            [
                {
                    "limits": {"cpu": "1", "memory": "1Gi"},
                    "requests": {"cpu": "1000m", "memory": "1024Mi"},
                }
            ],
            "Guaranteed",
        ),
        (
            [
                {
                    "limits": {"cpu": "1", "memory": "1Gi"},
                    "requests": {"cpu": "500m", "memory": "1Gi"},
                }
            ],
            "Burstable",
        ),
        ([{"limits": {"cpu": "1", "memory": "1Gi"}}, {}], "Burstable"),
    ],
)
def test_qos_class(resources: list[Obj], expected: str) -> None:
    containers = [{"name": str(i), "resources": r} for i, r in enumerate(resources)]
    assert qos_class({"containers": containers}) == expected


def test_job_selector_generation() -> None:
    job = defaulted(
        JOBS,
        {
            "metadata": {"name": "pi", "uid": "u-1"},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": []}}},
        },
    )
    prepare_for_create(JOBS, job)
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}}
    assert job["spec"]["template"]["metadata"]["labels"] == {
        "job-name": "pi",
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": "u-1",
        "batch.kubernetes.io/controller-uid": "u-1",
    }
    assert job["status"] == {}


def test_manual_selector_is_left_alone() -> None:
    job = defaulted(
        JOBS,
        {"metadata": {"name": "pi", "uid": "u"}, "spec": {"manualSelector": True, "template": {}}},
    )
    prepare_for_create(JOBS, job)
    assert "selector" not in job["spec"]


def test_status_reset_and_carried_over() -> None:
    replica_sets = resource("apps", "v1", "replicasets")
    rs: Obj = {"spec": {}, "status": {"replicas": 7}}
    prepare_for_create(replica_sets, rs)
    assert rs["status"] == {"replicas": 0}
    service: Obj = {"spec": {}}
    prepare_for_create(SERVICES, service)
    assert service["status"] == {"loadBalancer": {}}
    updated: Obj = {"spec": {"replicas": 2}, "status": {"replicas": 9}}
    prepare_for_update(replica_sets, updated, {"spec": {}, "status": {"replicas": 3}})
    assert updated["status"] == {"replicas": 3}


def test_namespace_finalizers() -> None:
    namespaces = resource("", "v1", "namespaces")
    namespace: Obj = {"metadata": {"name": "dev"}}
    prepare_for_create(namespaces, namespace)
    assert namespace["spec"] == {"finalizers": ["kubernetes"]}
    assert namespace["status"] == {"phase": "Active"}
    update: Obj = {"metadata": {"name": "dev"}, "spec": {"finalizers": []}}
    prepare_for_update(namespaces, update, namespace)
    assert update["spec"] == {"finalizers": ["kubernetes"]}

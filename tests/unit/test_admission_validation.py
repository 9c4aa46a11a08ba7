"""Unit tests for the simulator's validation and its 422 Status.

Expected texts are kube-apiserver v1.37's: apimachinery's ``util/validation`` and
``api/validate/content`` messages (label keys and values say "bytes" since v1.35, object names
say "characters"), ``field.Error.ErrorBody`` renderings (``%q`` strings, JSON for composite bad
values) and the per-kind rules of ``pkg/apis/*/validation``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from backends.simulator.apiserver.admission import (
    Cause,
    apply_defaults,
    invalid_status,
    prepare_for_create,
    validate,
)
from backends.simulator.apiserver.admission.causes import go_quote, render_value
from backends.simulator.apiserver.admission.validation import cron_error
from backends.simulator.apiserver.resources import ResourceType, lookup

Obj = dict[str, Any]

SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def resource(group: str, version: str, plural: str) -> ResourceType:
    found = lookup(group, version, plural)
    assert found is not None
    return found


PODS = resource("", "v1", "pods")
SERVICES = resource("", "v1", "services")
DEPLOYMENTS = resource("apps", "v1", "deployments")


def ready(res: ResourceType, obj: Obj) -> Obj:
    """A request body as validation sees it: defaulted and prepared."""
    result = copy.deepcopy(obj)
    apply_defaults(res, result)
    result.setdefault("metadata", {}).setdefault("uid", "uid-1")
    prepare_for_create(res, result)
    return result


def messages(res: ResourceType, obj: Obj, old: Obj | None = None) -> list[str]:
    return [str(cause) for cause in validate(res, obj, old)]


def pod(**spec: Any) -> Obj:
    body: Obj = {
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    body["spec"].update(spec)
    return ready(PODS, body)


def test_valid_pod_has_no_causes() -> None:
    assert validate(PODS, pod()) == []


@pytest.mark.parametrize(
    ("res", "name", "expected"),
    [
        (PODS, "Foo", [f'metadata.name: Invalid value: "Foo": {SUBDOMAIN}']),
        (
            PODS,
            "a" * 254,
            [
                'metadata.name: Invalid value: "'
                + "a" * 254
                + '": must be no more than 253 characters'
            ],
        ),
        (
            resource("", "v1", "namespaces"),
            "a.b",
            ['metadata.name: Invalid value: "a.b": must not contain dots'],
        ),
        (resource("", "v1", "namespaces"), "A", [f'metadata.name: Invalid value: "A": {LABEL}']),
        (SERVICES, "1web", [f'metadata.name: Invalid value: "1web": {DNS1035}']),
        (
            resource("rbac.authorization.k8s.io", "v1", "roles"),
            "a/b%c",
            [
                "metadata.name: Invalid value: \"a/b%c\": may not contain '/'",
                "metadata.name: Invalid value: \"a/b%c\": may not contain '%'",
            ],
        ),
        (
            resource("rbac.authorization.k8s.io", "v1", "clusterroles"),
            "..",
            ["metadata.name: Invalid value: \"..\": may not be '..'"],
        ),
        (resource("rbac.authorization.k8s.io", "v1", "clusterroles"), "system:admin", []),
    ],
)
def test_object_names(res: ResourceType, name: str, expected: list[str]) -> None:
    namespace = {"namespace": "default"} if res.namespaced else {}
    obj = {"metadata": {"name": name, **namespace}}
    assert [m for m in messages(res, obj) if m.startswith("metadata.name")] == expected


def test_name_required_and_generate_name() -> None:
    configmaps = resource("", "v1", "configmaps")
    assert messages(configmaps, {"metadata": {"namespace": "default"}}) == [
        "metadata.name: Required value: name or generateName is required"
    ]
    generated = {"metadata": {"generateName": "web-", "name": "web-x7k2p", "namespace": "default"}}
    assert messages(configmaps, generated) == []
    bad = {"metadata": {"generateName": "Web-", "name": "Web-x7k2p", "namespace": "default"}}
    assert (
        messages(configmaps, bad)[0] == f'metadata.generateName: Invalid value: "Web-": {SUBDOMAIN}'
    )


def test_namespace_scope() -> None:
    configmaps = resource("", "v1", "configmaps")
    assert messages(configmaps, {"metadata": {"name": "c"}}) == [
        "metadata.namespace: Required value"
    ]
    nodes = resource("", "v1", "nodes")
    assert messages(nodes, {"metadata": {"name": "n", "namespace": "x"}}) == [
        "metadata.namespace: Forbidden: not allowed on this type"
    ]


def test_labels() -> None:
    labels = {
        "app": "a" * 64,
        "example.com/ok": "v",
        "Bad_Prefix/x": "v",
        "x" * 64: "v",
        "a/b/c": "v",
        "/x": "bad value!",
    }
    obj = {"metadata": {"name": "c", "namespace": "default", "labels": labels}}
    assert messages(resource("", "v1", "configmaps"), obj) == [
        'metadata.labels: Invalid value: "' + "a" * 64 + '": must be no more than 63 bytes',
        f'metadata.labels: Invalid value: "Bad_Prefix/x": prefix part {SUBDOMAIN}',
        'metadata.labels: Invalid value: "'
        + "x" * 64
        + '": name part must be no more than 63 bytes',
        'metadata.labels: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
        "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an "
        "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        'metadata.labels: Invalid value: "/x": prefix part must be non-empty',
        f'metadata.labels: Invalid value: "bad value!": {LABEL_VALUE}',
    ]


def test_label_key_name_part() -> None:
    obj = {"metadata": {"name": "c", "namespace": "default", "labels": {"-x": ""}}}
    assert messages(resource("", "v1", "configmaps"), obj) == [
        f'metadata.labels: Invalid value: "-x": {NAME_PART}'
    ]


def test_annotations() -> None:
    obj = {
        "metadata": {
            "name": "c",
            "namespace": "default",
            "annotations": {"Example.com/Key": "ok", "a": "x" * 262144},
        }
    }
    assert messages(resource("", "v1", "configmaps"), obj) == [
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    ]


def test_pod_container_rules() -> None:
    spec = {
        "containers": [
            {
                "name": "web",
                "ports": [
                    {"containerPort": 0},
                    {"containerPort": 70000, "name": "http"},
                    {"containerPort": 80, "name": "http", "protocol": "ICMP"},
                ],
            },
            {
                "name": "web",
                "image": " nginx",
                "imagePullPolicy": "Sometimes",
                "env": [{"name": ""}, {"name": "A=B"}],
            },
            {
                "name": "Side_car",
                "image": "x",
                "volumeMounts": [{"name": "missing", "mountPath": "/data"}],
            },
        ],
        "restartPolicy": "Sometimes",
    }
    obj = ready(PODS, {"metadata": {"name": "p", "namespace": "default"}, "spec": spec})
    assert messages(PODS, obj) == [
        "spec.containers[0].image: Required value",
        "spec.containers[0].ports[0].containerPort: Required value",
        "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        'spec.containers[0].ports[2].name: Duplicate value: "http"',
        'spec.containers[0].ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        "spec.containers[1].env[0].name: Required value",
        "spec.containers[1].env[1].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
        'spec.containers[1].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
        'spec.containers[1].name: Duplicate value: "web"',
        f'spec.containers[2].name: Invalid value: "Side_car": {LABEL}',
        'spec.containers[2].volumeMounts[0].name: Not found: "missing"',
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        'spec.containers[1].image: Invalid value: " nginx": must not have leading or trailing whitespace',
    ]


def test_pod_without_containers_and_bad_resources() -> None:
    assert messages(PODS, pod(containers=[])) == ["spec.containers: Required value"]
    limited = pod(
        containers=[
            {
                "name": "c",
                "image": "i",
                "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "2", "gpu": "1"}},
            }
        ]
    )
    assert messages(PODS, limited) == [
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
        'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]


def test_pod_volumes_and_tolerations() -> None:
    spec = {
        "volumes": [
            {"name": "a", "emptyDir": {}, "hostPath": {"path": "/"}},
            {"name": "a", "configMap": {"name": "c"}},
        ],
        "tolerations": [{"operator": "Equal", "value": "x"}, {"key": "k", "effect": "Sometimes"}],
    }
    assert messages(PODS, pod(**spec)) == [
        "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type",
        'spec.volumes[1].name: Duplicate value: "a"',
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
        'spec.tolerations[1].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
    ]


def test_pod_update_may_only_change_images() -> None:
    old = pod(tolerations=[])
    old["metadata"]["resourceVersion"] = "5"
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "nginx:1.27"
    new["spec"]["tolerations"] = [{"key": "k", "operator": "Exists"}]
    assert validate(PODS, new, old) == []
    new["spec"]["nodeName"] = "node-1"
    assert messages(PODS, new, old) == [
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
        "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
        "previously negative)"
    ]


def test_metadata_update() -> None:
    old = {
        "metadata": {
            "name": "c",
            "namespace": "default",
            "uid": "u1",
            "resourceVersion": "3",
            "generation": 2,
        }
    }
    new = {"metadata": {"name": "d", "namespace": "default", "uid": "u2", "generation": 1}}
    assert messages(resource("", "v1", "configmaps"), new, old) == [
        'metadata.resourceVersion: Invalid value: "": must be specified for an update',
        "metadata.generation: Invalid value: 1: must not be decremented",
        'metadata.name: Invalid value: "d": field is immutable',
        'metadata.uid: Invalid value: "u2": field is immutable',
    ]


def deployment(**spec: Any) -> Obj:
    body: Obj = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    body["spec"].update(spec)
    return ready(DEPLOYMENTS, body)


def test_deployment_selector_rules() -> None:
    assert validate(DEPLOYMENTS, deployment()) == []
    assert messages(DEPLOYMENTS, deployment(selector={"matchLabels": {"app": "other"}})) == [
        'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'
    ]
    assert messages(DEPLOYMENTS, deployment(selector={})) == [
        "spec.selector: Invalid value: {}: empty selector is invalid for deployment"
    ]
    no_selector = deployment()
    del no_selector["spec"]["selector"]
    assert messages(DEPLOYMENTS, no_selector) == ["spec.selector: Required value"]


def test_deployment_spec_rules() -> None:
    spec = {
        "replicas": -1,
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "150"},
        },
        "progressDeadlineSeconds": 5,
        "minReadySeconds": 10,
    }
    assert messages(DEPLOYMENTS, deployment(**spec)) == [
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"150\": must be an integer or percentage (e.g '5%')",
        "spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds",
    ]
    recreate = deployment(strategy={"type": "Recreate", "rollingUpdate": {}})
    assert messages(DEPLOYMENTS, recreate) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
    ]
    template = deployment()
    template["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert messages(DEPLOYMENTS, template) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    ]


def test_deployment_selector_is_immutable() -> None:
    old = deployment()
    old["metadata"]["resourceVersion"] = "1"
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "fe"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "fe"
    assert messages(DEPLOYMENTS, new, old) == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable'
    ]


def test_stateful_set_update_forbidden_fields() -> None:
    stateful_sets = resource("apps", "v1", "statefulsets")
    body = {
        "metadata": {"name": "db", "namespace": "default", "resourceVersion": "1"},
        "spec": deployment()["spec"],
    }
    del body["spec"]["strategy"], body["spec"]["progressDeadlineSeconds"]
    old = ready(stateful_sets, body)
    assert validate(stateful_sets, old) == []
    new = copy.deepcopy(old)
    new["spec"]["serviceName"] = "db"
    assert messages(stateful_sets, new, old) == [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    ]


def test_stateful_set_template_checks_only_labels_and_annotations() -> None:
    """As ``ValidatePodTemplateSpecForStatefulSet``: mounts of volumeClaimTemplates (not among
    the pod's volumes) are fine; template labels are checked under ``spec.template.labels``."""
    stateful_sets = resource("apps", "v1", "statefulsets")
    body = {
        "metadata": {"name": "db", "namespace": "default"},
        "spec": deployment()["spec"],
    }
    del body["spec"]["strategy"], body["spec"]["progressDeadlineSeconds"]
    body["spec"]["volumeClaimTemplates"] = [
        {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}}
    ]
    container = body["spec"]["template"]["spec"]["containers"][0]
    container["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    obj = ready(stateful_sets, body)
    assert validate(stateful_sets, obj) == []
    obj["spec"]["template"]["metadata"]["labels"]["bad key!"] = "x"
    assert [m.split(":")[0] for m in messages(stateful_sets, obj)] == ["spec.template.labels"]


def test_job_rules() -> None:
    jobs = resource("batch", "v1", "jobs")
    body: Obj = {
        "metadata": {"name": "pi", "namespace": "default"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "perl"}]}}},
    }
    assert messages(jobs, ready(jobs, body)) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'
    ]
    body["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    job = ready(jobs, body)
    assert validate(jobs, job) == []
    job["spec"]["template"]["metadata"]["labels"]["job-name"] = "other"
    assert messages(jobs, job)[0].startswith(
        'spec.template.metadata.labels[job-name]: Invalid value: {"batch.kubernetes.io/controller-uid":"uid-1",'
    )
    assert messages(jobs, job)[0].endswith(": must be 'pi'")


def test_cron_job_rules() -> None:
    cron_jobs = resource("batch", "v1", "cronjobs")
    body = {
        "metadata": {"name": "c" * 53, "namespace": "default"},
        "spec": {
            "schedule": "*/5 * * *",
            "concurrencyPolicy": "Sometimes",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "OnFailure",
                            "containers": [{"name": "c", "image": "i"}],
                        }
                    }
                }
            },
        },
    }
    assert messages(cron_jobs, ready(cron_jobs, body)) == [
        'metadata.name: Invalid value: "' + "c" * 53 + '": must be no more than 52 characters',
        'spec.schedule: Invalid value: "*/5 * * *": expected exactly 5 fields, found 4: */5 * * *',
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ]


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        ("*/15 9-17 * * mon-fri", None),
        ("@hourly", None),
        ("@every 1h30m", None),
        ("@often", "unrecognized descriptor: @often"),
        ("61 * * * *", "end of range (61) above maximum (59): 61"),
        ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ],
)
def test_cron_schedules(schedule: str, error: str | None) -> None:
    assert cron_error(schedule) == error


def service(**spec: Any) -> Obj:
    body: Obj = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
    }
    body["spec"].update(spec)
    return ready(SERVICES, body)


def test_service_rules() -> None:
    assert validate(SERVICES, service()) == []
    assert messages(SERVICES, service(ports=[])) == ["spec.ports: Required value"]
    ports = [
        {"port": 80, "name": "http"},
        {"port": 80, "nodePort": 30001},
        {"port": 70000, "name": "http", "protocol": "ICMP", "targetPort": "Web"},
    ]
    assert messages(SERVICES, service(ports=ports, type="Bogus")) == [
        "spec.ports[1].name: Required value",
        'spec.ports[2].name: Duplicate value: "http"',
        "spec.ports[2].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
        'spec.ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        'spec.ports[2].targetPort: Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
        'spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}',
    ]
    assert messages(SERVICES, service(ports=[{"port": 80, "nodePort": 30001}])) == [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    ]


def test_service_cluster_ip_is_immutable() -> None:
    old = service(clusterIP="10.96.0.10", clusterIPs=["10.96.0.10"])
    old["metadata"]["resourceVersion"] = "2"
    new = copy.deepcopy(old)
    new["spec"]["clusterIP"] = "10.96.0.11"
    new["spec"]["clusterIPs"] = ["10.96.0.11"]
    assert messages(SERVICES, new, old) == [
        'spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set'
    ]


def test_external_name_service() -> None:
    body = {"metadata": {"name": "ext", "namespace": "default"}, "spec": {"type": "ExternalName"}}
    assert messages(SERVICES, ready(SERVICES, body)) == ["spec.externalName: Required value"]


def test_config_map_and_secret_keys() -> None:
    configmaps = resource("", "v1", "configmaps")
    obj = {"metadata": {"name": "c", "namespace": "default"}, "data": {"bad key": "v", "..": "v"}}
    assert messages(configmaps, obj) == [
        'data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '
        "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        "data[..]: Invalid value: \"..\": must not be '..'",
    ]
    secrets = resource("", "v1", "secrets")
    tls = ready(
        secrets,
        {
            "metadata": {"name": "s", "namespace": "default"},
            "type": "kubernetes.io/tls",
            "data": {"tls.crt": "eA=="},
        },
    )
    assert messages(secrets, tls) == ["data[tls.key]: Required value"]
    auth = ready(
        secrets,
        {"metadata": {"name": "s", "namespace": "default"}, "type": "kubernetes.io/basic-auth"},
    )
    assert messages(secrets, auth) == [
        "data[%s][username]: Required value",
        "data[%s][password]: Required value",
    ]


def test_immutable_config_map() -> None:
    configmaps = resource("", "v1", "configmaps")
    old = {
        "metadata": {"name": "c", "namespace": "default", "resourceVersion": "1"},
        "immutable": True,
        "data": {"a": "1"},
    }
    new = {**copy.deepcopy(old), "data": {"a": "2"}}
    assert messages(configmaps, new, old) == [
        "data: Forbidden: field is immutable when `immutable` is set"
    ]


def test_persistent_volume_claim() -> None:
    claims = resource("", "v1", "persistentvolumeclaims")
    claim = ready(claims, {"metadata": {"name": "c", "namespace": "default"}, "spec": {}})
    assert messages(claims, claim) == [
        "spec.accessModes: Required value: at least 1 access mode is required",
        "spec.resources[storage]: Required value",
    ]
    old = ready(
        claims,
        {
            "metadata": {"name": "c", "namespace": "default", "resourceVersion": "1"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
    )
    assert validate(claims, old) == []
    grown = copy.deepcopy(old)
    grown["spec"]["resources"]["requests"]["storage"] = "2Gi"
    assert validate(claims, grown, old) == []
    grown["spec"]["accessModes"] = ["ReadWriteMany"]
    assert messages(claims, grown, old) == [
        "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
    ]


def test_hpa() -> None:
    hpas = resource("autoscaling", "v2", "horizontalpodautoscalers")
    hpa = ready(
        hpas,
        {
            "metadata": {"name": "h", "namespace": "default"},
            "spec": {"minReplicas": 3, "maxReplicas": 2, "scaleTargetRef": {"kind": "Deployment"}},
        },
    )
    assert messages(hpas, hpa) == [
        "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
        "spec.scaleTargetRef.name: Required value",
    ]


def test_ingress() -> None:
    ingresses = resource("networking.k8s.io", "v1", "ingresses")
    rule = {
        "host": "*.example.com",
        "http": {
            "paths": [
                {
                    "path": "api",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": "api", "port": {}}},
                }
            ]
        },
    }
    ingress = ready(
        ingresses, {"metadata": {"name": "i", "namespace": "default"}, "spec": {"rules": [rule]}}
    )
    assert messages(ingresses, ingress) == [
        'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
        "spec.rules[0].http.paths[0].backend.service.port: Required value: port name or number is required",
    ]


# --- Status bodies and value rendering --------------------------------------------------------


def test_invalid_status_single_cause() -> None:
    causes = [Cause("FieldValueRequired", "spec.containers[0].image", "Required value")]
    assert invalid_status(PODS, "x", causes) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Pod "x" is invalid: spec.containers[0].image: Required value',
        "reason": "Invalid",
        "details": {
            "name": "x",
            "kind": "Pod",
            "causes": [
                {
                    "reason": "FieldValueRequired",
                    "message": "Required value",
                    "field": "spec.containers[0].image",
                }
            ],
        },
        "code": 422,
    }


def test_invalid_status_aggregates_and_deduplicates() -> None:
    required = Cause("FieldValueRequired", "spec.selector", "Required value")
    invalid = Cause(
        "FieldValueInvalid",
        "spec.replicas",
        "Invalid value: -1: must be greater than or equal to 0",
    )
    status = invalid_status(DEPLOYMENTS, "web", [required, invalid, required])
    assert status["message"] == (
        'Deployment.apps "web" is invalid: [spec.selector: Required value, '
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0]"
    )
    assert status["details"]["group"] == "apps"
    assert len(status["details"]["causes"]) == 3
    assert (
        invalid_status(PODS, "x", [required, required])["message"]
        == 'Pod "x" is invalid: spec.selector: Required value'
    )


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("tab\there", '"tab\\there"'),
        ('quote"', '"quote\\""'),
        ("ünïcode", '"ünïcode"'),
        (True, "true"),
        (1.5, "1.5"),
        (1e21, "1e+21"),
        ({"b": "<x>", "a": [1, None]}, '{"b":"\\u003cx\\u003e","a":[1,null]}'),
    ],
)
def test_render_value(value: Any, rendered: str) -> None:
    assert render_value(value) == rendered


def test_go_quote_escapes_control_characters() -> None:
    assert go_quote("\x01\u200b") == '"\\x01\\u200b"'

"""``explain``: pykctl against the real kubectl 1.37 on one simulator, which serves the v1.37
OpenAPI v3 schemas (and no OpenAPI v2)."""

from __future__ import annotations

import pytest

from tests.e2e.verbs_harness import Twins, twins

pytestmark = pytest.mark.e2e

__all__ = ["twins"]

EXPLAIN_CASES = [
    "pods",
    "pods --recursive",
    "pods.spec",
    "pods.spec.containers",
    "pods.spec.containers.ports",
    "pods.spec.containers.ports.containerPort",
    "pods.metadata.labels",
    "pods.metadata.managedFields.fieldsV1",
    "pods.spec --recursive --max-depth=1",
    "pods.spec.affinity --recursive",
    "po.status.conditions",
    "Pod.spec.volumes.projected.sources --recursive",
    "deployments",
    "deploy.spec.template --recursive --max-depth=2",
    "deployments.apps.spec.strategy",
    "deploy --api-version=apps/v1",
    "deploy --api-version=apps/v2",
    "deploy --api-version=a/b/c",
    "svc.spec.ports.targetPort",
    "nodes.status.capacity",
    "cronjobs.spec.jobTemplate --recursive --max-depth=3",
    "sts.spec.volumeClaimTemplates.spec --recursive",
    "hpa.spec.metrics --recursive",
    "ev",
    "events.events.k8s.io",
    "ingresses.spec.rules",
    "clusterroles --recursive",
    "pods.nope",
    "pods.spec.nope.deeper",
    "pods.spec..containers",
    "pods[0]",
    "pods..",
    ".",
    "nosuchtype",
    "foo.bar",
    "",
    "pods deployments",
    "pods --max-depth=1",
    "pods --recursive --max-depth=-1",
    "pods -o bogus",
    "pods -o plaintext-openapiv2",
]


@pytest.mark.parametrize("words", EXPLAIN_CASES)
def test_explain(twins: Twins, words: str) -> None:
    case = twins.case(namespaces=False)
    case.same("explain", *words.split(), namespaced=False)


@pytest.mark.parametrize("resource", ["configmaps", "limitranges", "endpointslices", "leases"])
def test_explain_every_field_of_a_resource(twins: Twins, resource: str) -> None:
    case = twins.case(namespaces=False)
    case.same("explain", resource, "--recursive", namespaced=False)
    case.same("explain", resource, namespaced=False)

"""``api-resources``, ``api-versions`` and ``cluster-info``: pykctl against the real kubectl 1.37
on one simulator."""

from __future__ import annotations

import json

import pytest

from tests.e2e.verbs_harness import Twins, twins

pytestmark = pytest.mark.e2e

__all__ = ["twins"]

API_RESOURCES_CASES = [
    "",
    "-o wide",
    "-o name",
    "-o json",
    "-o yaml",
    "-o JSON",
    "-o bogus",
    "--no-headers",
    "-o wide --no-headers",
    "--namespaced=false",
    "--namespaced=true -o name",
    "--api-group=apps",
    "--api-group=",
    "--api-group=nope -o json",
    "--api-group=nope -o wide",
    "--verbs=get --verbs=list,watch",
    "--verbs=create -o name",
    "--categories=all -o wide",
    "--sort-by=name",
    "--sort-by=kind --namespaced=false",
    "--sort-by=bogus",
    "--cached",
    "extra",
]


@pytest.mark.parametrize("words", API_RESOURCES_CASES)
def test_api_resources(twins: Twins, words: str) -> None:
    case = twins.case(namespaces=False)
    case.same("api-resources", *words.split(), namespaced=False)


@pytest.mark.parametrize("words", ["", "extra"])
def test_api_versions(twins: Twins, words: str) -> None:
    case = twins.case(namespaces=False)
    case.same("api-versions", *words.split(), namespaced=False)


CLUSTER_SERVICES = """
apiVersion: v1
kind: Service
metadata:
  name: dns
  labels: {kubernetes.io/cluster-service: "true", kubernetes.io/name: CoreDNS}
spec:
  ports: [{name: dns, port: 53, protocol: UDP}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {kubernetes.io/cluster-service: "true"}
spec:
  ports: [{name: https, port: 8443}]
---
apiVersion: v1
kind: Service
metadata:
  name: plain
  labels: {kubernetes.io/cluster-service: "true"}
spec:
  ports: [{port: 80}]
"""


@pytest.mark.parametrize(
    "words",
    [
        "cluster-info",
        "cluster-info extra words",
        "cluster-info --bogus",
        "cluster-info dump -o name",
    ],
)
def test_cluster_info(twins: Twins, words: str) -> None:
    case = twins.case(CLUSTER_SERVICES)
    case.same(*words.split())


def test_cluster_info_in_kube_system(twins: Twins) -> None:
    case = twins.case()
    case.same("cluster-info", namespaced=False)


@pytest.mark.parametrize("output", ["yaml", "json"])
def test_cluster_info_dump(twins: Twins, output: str) -> None:
    case = twins.case(CLUSTER_SERVICES)
    kubectl, pykctl = case.run("cluster-info", "dump", "-o", output, "--namespaces", "{NS}")
    assert (pykctl.stderr, pykctl.code) == (kubectl.stderr, kubectl.code)
    if output == "yaml":
        assert pykctl.stdout == kubectl.stdout
    else:  # kubectl's JSON keeps Go struct field order; pykctl's objects have sorted keys

        def documents(text: str) -> list[object]:
            decoder, found, index = json.JSONDecoder(), [], 0
            while index < len(text):
                document, index = decoder.raw_decode(text, index)
                found.append(document)
                index += 1
            return found

        assert documents(pykctl.stdout) == documents(kubectl.stdout)

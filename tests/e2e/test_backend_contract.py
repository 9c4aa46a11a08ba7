"""One contract, two backends: SimulatorBackend (http.client) and KubeBackend (the official client's
transport) must behave the same against the same API server — statuses, bodies, streams and
errors — so every command works identically on a real cluster and on the simulator."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest

from backends.base import Backend, ClusterInfo
from backends.errors import ConnectionFailed, from_response
from backends.kube.backend import KubeBackend
from backends.simulator.client import SimulatorBackend
from backends.simulator.testing import RunningSimulator

pytestmark = pytest.mark.e2e

BACKENDS = {"simulator": SimulatorBackend, "kube": KubeBackend}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, pykctl_simulator: RunningSimulator) -> Iterator[Backend]:
    info = ClusterInfo(
        server=pykctl_simulator.url,
        ca_data=pykctl_simulator.ca_file.read_bytes(),
        token=pykctl_simulator.token,
    )
    instance: Backend = BACKENDS[request.param](info)
    try:
        yield instance
    finally:
        instance.close()


def configmap(name: str) -> bytes:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}}).encode()


JSON = {"Accept": "application/json", "Content-Type": "application/json"}
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


def test_get_version(backend: Backend) -> None:
    response = backend.request("GET", "/version")
    assert response.status == 200
    assert response.json()["gitVersion"] == "v1.37.1"


def test_create_get_list_delete(backend: Backend) -> None:
    created = backend.request("POST", CONFIGMAPS, [("fieldManager", "contract")], configmap("c1"), JSON)
    assert created.status == 201
    got = backend.request("GET", f"{CONFIGMAPS}/c1", headers=JSON)
    assert got.json()["data"] == {"a": "1"}
    listed = backend.request("GET", CONFIGMAPS, [("labelSelector", "")], headers=JSON)
    assert "c1" in [item["metadata"]["name"] for item in listed.json()["items"]]
    deleted = backend.request("DELETE", f"{CONFIGMAPS}/c1", body=b"{}", headers=JSON)
    assert deleted.status == 200


def test_errors_are_returned_as_statuses(backend: Backend) -> None:
    missing = backend.request("GET", f"{CONFIGMAPS}/nope", headers=JSON)
    assert missing.status == 404
    error = from_response(missing)
    assert (error.reason, error.message) == ("NotFound", 'configmaps "nope" not found')
    backend.request("POST", CONFIGMAPS, None, configmap("dup"), JSON)
    again = backend.request("POST", CONFIGMAPS, None, configmap("dup"), JSON)
    assert (again.status, from_response(again).reason) == (409, "AlreadyExists")


def test_patch_content_types(backend: Backend) -> None:
    backend.request("POST", CONFIGMAPS, None, configmap("p"), JSON)
    for content_type, body in (
        ("application/merge-patch+json", {"data": {"b": "2"}}),
        ("application/strategic-merge-patch+json", {"data": {"c": "3"}}),
        ("application/json-patch+json", [{"op": "remove", "path": "/data/a"}]),
    ):
        response = backend.request(
            "PATCH", f"{CONFIGMAPS}/p", None, json.dumps(body).encode(), {"Content-Type": content_type}
        )
        assert response.status == 200, response.body
    assert backend.request("GET", f"{CONFIGMAPS}/p").json()["data"] == {"b": "2", "c": "3"}


def test_watch_streams_events_as_they_happen(backend: Backend, pykctl_simulator: RunningSimulator) -> None:
    status, _, lines = backend.stream("GET", CONFIGMAPS, [("watch", "true"), ("timeoutSeconds", "10")])
    assert status == 200
    writer = SimulatorBackend(
        ClusterInfo(pykctl_simulator.url, pykctl_simulator.ca_file.read_bytes(), token=pykctl_simulator.token)
    )
    created = threading.Event()

    def create_after_first_event() -> None:
        created.wait(10)
        writer.request("POST", CONFIGMAPS, None, configmap("watched"), JSON)

    thread = threading.Thread(target=create_after_first_event)
    thread.start()
    try:
        seen = []
        for line in lines:
            event = json.loads(line)
            seen.append((event["type"], event["object"]["metadata"]["name"]))
            created.set()  # the initial ADDED events have started: now make a change
            if seen[-1] == ("ADDED", "watched"):
                break
        assert ("ADDED", "kube-root-ca.crt") in seen
        assert seen[-1] == ("ADDED", "watched")
    finally:
        created.set()
        thread.join()
        writer.close()


def test_bad_token_is_401(pykctl_simulator: RunningSimulator) -> None:
    for cls in BACKENDS.values():
        backend = cls(ClusterInfo(pykctl_simulator.url, pykctl_simulator.ca_file.read_bytes(), token="wrong"))
        try:
            response = backend.request("GET", CONFIGMAPS)
            assert response.status == 401
            assert response.json()["reason"] == "Unauthorized"
        finally:
            backend.close()


def test_refused_connection_is_connection_failed() -> None:
    for cls in BACKENDS.values():
        backend = cls(ClusterInfo("https://127.0.0.1:1", insecure=True, token="t"))
        try:
            with pytest.raises(ConnectionFailed) as err:
                backend.request("GET", "/version")
            assert err.value.refused
            assert err.value.host == "127.0.0.1:1"
        finally:
            backend.close()

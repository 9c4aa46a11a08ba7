"""The simulator with its dashboard mounted, and a requests session holding its token, for the
dashboard's tests (tests/e2e/test_dashboard*.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import requests

from backends.simulator import daemon, dashboard
from backends.simulator.apiserver import paths
from backends.simulator.testing import RunningSimulator


def api_session(running: RunningSimulator) -> requests.Session:
    """requests with the simulator's token and CA (for setting up what the browser sees)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(running.ca_file)
    session.headers["Authorization"] = f"Bearer {running.token}"
    return session


def create(running: RunningSimulator, path: str, obj: dict[str, Any]) -> dict[str, Any]:
    """POST ``obj`` to the collection at ``path``."""
    response = api_session(running).post(running.url + path, json=obj, timeout=30)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def create_in_process(running: RunningSimulator, path: str, objects: list[dict[str, Any]]) -> None:
    """Create many objects quickly, straight through the simulator's REST layer."""
    from multidict import MultiDict, MultiDictProxy

    def create_all() -> None:
        target = paths.parse(path)
        for obj in objects:
            running.simulator.rest.create(target, obj, MultiDictProxy(MultiDict()))

    running.call(create_all)


def ticket_path(running: RunningSimulator) -> str:
    """A one-time login link's path, asked for with the token as ``pykctl sim dashboard`` does."""
    response = api_session(running).post(f"{running.url}{dashboard.TICKETS_PATH}", timeout=30)
    assert response.status_code == 200, response.text
    path: str = response.json()["path"]
    return path


def fake_daemon_state(running: RunningSimulator, root: Path) -> Path:
    """A $PYKCTL_HOME whose default simulator's daemon.json, token and CA name ``running`` (this
    process stands for the daemon), for ``pykctl sim dashboard`` without a daemon."""
    state = daemon.StateDir(daemon.DEFAULT_NAME, root / "pykctl" / "sim" / daemon.DEFAULT_NAME)
    state.path.mkdir(parents=True)
    state.token_file.write_text(running.token)
    state.ca_cert.write_bytes(running.ca_file.read_bytes())
    port = int(running.url.rpartition(":")[2])
    state.info_file.write_text(json.dumps({"pid": os.getpid(), "port": port, "started": 0}))
    return root / "pykctl"


def pod(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """kuard, as in the study notes."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {"app": name}},
        "spec": {
            "containers": [
                {
                    "name": "kuard",
                    "image": "gcr.io/kuar-demo/kuard-amd64:blue",
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                }
            ]
        },
    }


def workload(kind: str, name: str, replicas: int) -> dict[str, Any]:
    """A ReplicaSet or Deployment of kuard pods labelled app=NAME."""
    template = pod(name)
    template.pop("apiVersion")
    template.pop("kind")
    template["metadata"].pop("name")
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": template,
        },
    }

"""``pykctl set env|resources|serviceaccount|subject|selector`` (and every ``set`` help page)
against the real kubectl 1.37 on the simulator: each tool changes its own object of the same
spec (``k-NAME`` for kubectl, ``p-NAME`` for pykctl) and the transcripts (stdout, stderr, exit
code) must be equal once names, uids, versions and times are normalised. No sleeps: nothing
here waits for pods."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.rollout_support import Twins, deployment
from tests.e2e.streams_support import Streams, streams

pytestmark = pytest.mark.e2e
__all__ = ["streams"]
Obj = dict[str, Any]


def workload(name: str) -> Obj:
    """A paused Deployment with an init container, ``main`` (with ``A=1``) and ``side``."""
    manifest = deployment(name, replicas=1, paused=True)
    spec = manifest["spec"]["template"]["spec"]
    main = spec["containers"][0]
    main["env"] = [{"name": "A", "value": "1"}]
    spec["containers"].append({**main, "name": "side", "env": []})
    spec["initContainers"] = [{"name": "init", "image": "busybox", "command": ["true"]}]
    return manifest


def twins_of(streams: Streams, name: str, manifest: Any = workload) -> Twins:
    twins = Twins(streams, name)
    for tool_name in twins.names.values():
        streams.ok("apply", "-f", "-", stdin=json.dumps(manifest(tool_name)))
    return twins


def stored(streams: Streams, path: str, name: str) -> Obj:
    """The object as the simulator stores it (``{}`` when absent)."""
    found: Obj | None = streams.sim.simulator.store.get(path, "default", name)
    return found or {}


def test_env(streams: Streams, tmp_path: Path) -> None:
    twins = twins_of(streams, "env")
    streams.ok("create", "configmap", "env-cm", "--from-literal=my.key=v1")
    streams.ok("create", "secret", "generic", "env-secret", "--from-literal=pass=s3")
    twins.same("set", "env", "deploy/NAME", "B=2", "FOO_BAR=x")
    twins.same("set", "env", "deploy/NAME", "--list")
    twins.same("set", "env", "deploy/NAME", "--list", "-c", "m*")
    twins.same("set", "env", "deploy/NAME", "B-")
    twins.same("set", "env", "deploy/NAME", "A=1")
    twins.same("set", "env", "deploy/NAME", "A=1")  # unchanged: silent
    twins.same("set", "env", "deploy/NAME", "A=2", "--overwrite=false")
    twins.same("set", "env", "deploy/NAME", "A=2", "-c", "nope")
    twins.same("set", "env", "deploy/NAME", "--from=configmap/env-cm", "--prefix=P_", "-c", "main")
    twins.same("set", "env", "deploy/NAME", "--from=secret/env-secret", "--keys=pass,x", "-c", "s*")
    twins.same("set", "env", "deploy/NAME", "--list")
    twins.same("set", "env", "deploy/NAME", "--list", "--resolve", "-e", "V=1")
    twins.same("set", "env", "deploy/NAME", "-e", "-", "-c", "side", stdin="X=1 # c\n#Y=2\nZ\n")
    twins.same("set", "env", "deploy/NAME", "C=3", "--dry-run=client", "-o", "yaml", "-c", "init")
    twins.same("set", "env", "deploy/NAME", "C=3", "--dry-run=server", "-o", "name")
    twins.same("set", "env", "deploy/NAME", "C=a b", "-o", "json")
    twins.same("set", "env", "deploy/NAME", "C-", "-c", "si*")
    manifest = tmp_path / "web.json"
    manifest.write_text(json.dumps(workload("NAME")))
    twins.same("set", "env", "-f", str(manifest), "--local", "Q=1", "-o", "yaml")
    twins.same("set", "env", "-f", str(manifest), "--local", "Q=1")
    streams.ok("delete", "configmap", "env-cm")
    twins.same("set", "env", "deploy/NAME", "--list", "--resolve", "-c", "main")
    env = {
        tool: twins.stored(tool)["spec"]["template"]["spec"]["containers"][1]["env"]
        for tool in twins.names
    }
    assert env["kubectl"] == env["pykctl"]


def test_resources(streams: Streams, tmp_path: Path) -> None:
    twins = twins_of(streams, "res")
    twins.same("set", "resources", "deploy/NAME", "--limits=cpu=200m,memory=512Mi", "-c", "main")
    twins.same("set", "resources", "deploy/NAME", "--limits=cpu=200m,memory=512Mi", "-c", "main")
    twins.same("set", "resources", "deploy/NAME", "--requests=cpu=0.1", "-c", "side", "-o", "yaml")
    twins.same("set", "resources", "deploy/NAME", "--limits=foo=1")
    twins.same(
        "set", "resources", "deploy/NAME", "--requests=cpu=2", "--limits=cpu=1", "-c", "init"
    )
    twins.same("set", "resources", "deploy/NAME", "--limits=cpu=1", "-c", "nope")
    twins.same("set", "resources", "deploy/NAME", "svc/kubernetes", "--limits=cpu=300m")
    twins.same("set", "resources", "deploy/NAME", "--limits=memory=1Gi", "--dry-run=server")
    twins.same(
        "set", "resources", "deploy/NAME", "--requests=cpu=1m", "--dry-run=client", "-o", "json"
    )
    manifest = tmp_path / "web.json"
    manifest.write_text(json.dumps(workload("NAME")))
    twins.same("set", "resources", "-f", str(manifest), "--local", "--limits=cpu=1.5", "-o", "yaml")
    containers = {
        tool: twins.stored(tool)["spec"]["template"]["spec"]["containers"] for tool in twins.names
    }
    assert containers["kubectl"] == containers["pykctl"]
    assert containers["pykctl"][0]["resources"]["limits"] == {"cpu": "300m", "memory": "512Mi"}


def test_serviceaccount(streams: Streams, tmp_path: Path) -> None:
    twins = twins_of(streams, "sa")
    twins.same("set", "serviceaccount", "deploy/NAME", "sa1")
    twins.same("set", "sa", "deploy/NAME", "sa1")  # unchanged: still "updated"
    twins.same("set", "sa", "deploy/NAME", "sa2", "--dry-run=client", "-o", "yaml")
    twins.same("set", "sa", "deploy/NAME", "sa3", "--dry-run=server", "-o", "name")
    twins.same("set", "sa", "deploy/NAME", "deploy/nope", "svc/kubernetes", "x")
    twins.same("set", "sa", "svc/kubernetes", "deploy/NAME", "x")
    manifest = tmp_path / "web.json"
    manifest.write_text(json.dumps(workload("NAME")))
    twins.same("set", "sa", "-f", str(manifest), "x", "--local", "-o", "yaml")
    accounts = {
        tool: twins.stored(tool)["spec"]["template"]["spec"]["serviceAccountName"]
        for tool in twins.names
    }
    assert accounts == {"kubectl": "x", "pykctl": "x"}  # svc/kubernetes failed alone


def test_subject(streams: Streams, tmp_path: Path) -> None:
    twins = Twins(streams, "subj")
    for name in twins.names.values():
        streams.ok("create", "rolebinding", name, "--role=admin", "--user=u1")
        streams.ok("create", "clusterrolebinding", name, "--clusterrole=view", "--group=g1")
    twins.same(
        "set", "subject", "rolebinding", "NAME", "--user=u2", "--user=u0", "--group=g2",
        "--serviceaccount=:s1", "--serviceaccount=ns:s2",
    )  # fmt: skip
    twins.same("set", "subject", "rolebinding", "NAME", "--user=u2")  # unchanged: silent
    twins.same("set", "subject", "clusterrolebinding", "NAME", "--serviceaccount=:x")
    twins.same("set", "subject", "clusterrolebinding/NAME", "--group=g9", "-o", "yaml")
    twins.same("set", "subject", "rolebinding/NAME", "--user=u3", "--dry-run=client", "-o", "json")
    twins.same("set", "subject", "rolebinding/NAME", "rolebinding/nope", "--user=z")
    twins.same("set", "subject", "rolebinding/NAME", "svc/kubernetes", "--user=u4")
    twins.same("set", "subject", "rolebinding/NAME", "--group=g5", "--dry-run=server")
    binding = tmp_path / "rb.yaml"
    binding.write_text(
        streams.ok("create", "rolebinding", "x", "--role=admin", "--user=admin", "--dry-run=client",
                   "-o", "yaml")
    )  # fmt: skip
    twins.same("set", "subject", "--local", "-f", str(binding), "--user=foo", "-o", "yaml")
    subjects = {
        tool: stored(streams, "rbac.authorization.k8s.io/rolebindings", name)["subjects"]
        for tool, name in twins.names.items()
    }
    assert subjects["kubectl"] == subjects["pykctl"]


def test_selector(streams: Streams, tmp_path: Path) -> None:
    twins = Twins(streams, "sel")
    for name in twins.names.values():
        streams.ok("create", "service", "clusterip", name, "--tcp=80:80")
    twins.same("set", "selector", "svc/NAME", "app=x")
    twins.same("set", "selector", "svc/NAME", "app=x")  # unchanged: still "updated"
    twins.same("set", "selector", "svc/NAME", "a in (b,c),d")
    twins.same("set", "selector", "svc/NAME", "a=b", "--resource-version=1")
    twins.same("set", "selector", "svc/NAME", "k=v", "--dry-run=client", "-o", "name")
    twins.same("set", "selector", "svc/NAME", "svc/nope", "k=v2")
    twins.same("set", "selector", "svc/kubernetes", "svc/NAME", "k=v3", "--dry-run=server")
    service = tmp_path / "svc.yaml"
    service.write_text(
        streams.ok("create", "service", "clusterip", "x", "--tcp=80:80", "--dry-run=client", "-o",
                   "yaml")
    )  # fmt: skip
    twins.same("set", "selector", "--local", "-f", str(service), "environment=qa", "-o", "yaml")
    selectors = {
        tool: stored(streams, "/services", name)["spec"]["selector"]
        for tool, name in twins.names.items()
    }
    assert selectors == {"kubectl": {"k": "v2"}, "pykctl": {"k": "v2"}}


@pytest.mark.parametrize(
    "args",
    [
        ["set", "env", "A=1"],
        ["set", "env", "deploy/x", "A=1", "deploy/y"],
        ["set", "env", "deploy/x", "1A=2"],
        ["set", "env", "deploy/x", "A=1", "A-"],
        ["set", "env", "deploy/x", "--keys=a", "A=1"],
        ["set", "env", "deploy/x", "--list", "-o", "yaml"],
        ["set", "env", "deploy/x", "-e", "A"],
        ["set", "env", "deploy/nope", "A=1"],
        ["set", "env", "svc/kubernetes", "A=1"],
        ["set", "env", "deploy/x", "--from=secret/nope"],
        ["set", "env", "deploy/x", "--from=svc/kubernetes"],
        ["set", "env", "deploy/x", "--from=configmap"],
        ["set", "env", "deploy/x", "--all", "-l", "a=b", "A=1"],
        ["set", "env", "deploy/x", "--local", "A=1"],
        ["set", "env", "deploy/x", "A=1", "--dry-run=server", "--local"],
        ["set", "env", "deploy/x", "A=1", "--dry-run=maybe"],
        ["set", "resources", "deploy/x"],
        ["set", "resources", "deploy/x", "--limits=cpu=x"],
        ["set", "resources", "deploy/x", "--limits=cpu"],
        ["set", "resources", "svc/kubernetes", "--limits=cpu=1"],
        ["set", "resources", "deploy/x", "--limits=cpu=1", "--local"],
        ["set", "resources", "--limits=cpu=1", "--local"],
        ["set", "resources", "deploy/nope", "--limits=cpu=1"],
        ["set", "resources", "deploy/x", "--limits=cpu=1", "--all", "-l", "a=b"],
        ["set", "resources", "deploy/x", "--limits=cpu=1", "-o", "wide"],
        ["set", "sa"],
        ["set", "sa", "deploy/x"],
        ["set", "sa", "svc/kubernetes", "x"],
        ["set", "sa", "deploy/x", "--local", "y"],
        ["set", "sa", "deploy/x", "y", "-l", "a=b"],
        ["set", "subject", "rolebinding", "x"],
        ["set", "subject", "rolebinding", "x", "--serviceaccount=y"],
        ["set", "subject", "svc/kubernetes", "--user=a"],
        ["set", "subject", "rolebinding/x", "--user=a", "--local"],
        ["set", "selector"],
        ["set", "selector", "svc/x"],
        ["set", "selector", "svc/kubernetes", "a=b,c!=d"],
        ["set", "selector", "svc", "x", "svc/y", "k=v"],
        ["set", "selector", "svc/x", "k=v", "--local"],
        ["set", "nope"],
    ],
    ids=" ".join,
)
def test_errors(streams: Streams, args: list[str]) -> None:
    Twins(streams, "none").same(*args)

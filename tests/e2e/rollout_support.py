"""Twins for the rollout and ``set image`` tests: the same command line run by the real kubectl
on its own Deployment and by pykctl on another with the same spec.

``NAME`` in an argument becomes ``k-<name>`` for kubectl and ``p-<name>`` for pykctl; their
transcripts are normalised (the program's name, the object's name, pod-template hashes, uids,
resource versions and timestamps) before comparison.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conftest import Result
from tests.e2e.streams_support import Streams

Obj = dict[str, Any]
Transcript = tuple[str, str, int]

_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_VERSION = re.compile(r'(resourceVersion"?: )"\d+"')


def deployment(name: str, replicas: int = 2, paused: bool = False) -> Obj:
    """A Deployment of busybox pods that sleep (they start at once)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "paused": paused,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "terminationGracePeriodSeconds": 1,
                    "containers": [
                        {"name": "main", "image": "busybox", "command": ["sleep", "3600"]}
                    ],
                },
            },
        },
    }


class Twins:
    """Two Deployments with the same spec, one per tool."""

    def __init__(self, streams: Streams, name: str) -> None:
        self.streams = streams
        self.name = name
        self.names = {"kubectl": f"k-{name}", "pykctl": f"p-{name}"}

    def create(self, paused: bool = False, replicas: int = 2) -> None:
        """Apply both Deployments (with kubectl) and wait until their spec is observed."""
        for name in self.names.values():
            manifest = json.dumps(deployment(name, replicas, paused))
            self.streams.ok("apply", "-f", "-", stdin=manifest)
        self.observed()

    def stored(self, tool: str) -> Obj:
        name = self.names[tool]
        found: Obj | None = self.streams.sim.simulator.store.get(
            "apps/deployments", "default", name
        )
        return found or {}

    def observed(self) -> None:
        """Block until both controllers have seen the latest spec of their Deployment."""

        def seen(obj: Obj) -> bool:
            generation = (obj.get("metadata") or {}).get("generation", 0)
            return bool(obj) and (obj.get("status") or {}).get("observedGeneration") == generation

        self.streams.until(lambda: all(seen(self.stored(tool)) for tool in self.names))

    def replica_sets(self, tool: str) -> list[Obj]:
        name = self.names[tool]
        return [
            rs
            for rs in self.streams.sim.call(
                lambda: self.streams.sim.simulator.store.objects("apps/replicasets", "default")
            )
            if any(ref.get("name") == name for ref in rs["metadata"].get("ownerReferences") or [])
        ]

    def _argv(self, tool: str, args: tuple[str, ...]) -> list[str]:
        return [a.replace("NAME", self.names[tool]) for a in args]

    def normalise(self, tool: str, result: Result) -> Transcript:
        def clean(text: str) -> str:
            text = re.sub(r"\bkubectl\b", "pykctl", text)
            text = re.sub(rf"\b{self.names[tool]}-[a-z0-9]+\b", "NAME-HASH", text)
            text = re.sub(rf"\b{self.names[tool]}\b", "NAME", text)
            text = re.sub(r'(pod-template-hash"?[=:] ?"?)[a-z0-9]+', r"\1HASH", text)
            text = _VERSION.sub(r'\1"RV"', _STAMP.sub("TIME", _UID.sub("UID", text)))
            return text

        return clean(result.stdout), clean(result.stderr), result.code

    def both(self, *args: str, stdin: str = "") -> tuple[Transcript, Transcript]:
        theirs = self.streams.kubectl(*self._argv("kubectl", args), stdin=stdin)
        ours = self.streams.pykctl(*self._argv("pykctl", args), stdin=stdin)
        return self.normalise("kubectl", theirs), self.normalise("pykctl", ours)

    def same(self, *args: str, stdin: str = "") -> Transcript:
        """Run both; their normalised transcripts must be equal. kubectl's."""
        theirs, ours = self.both(*args, stdin=stdin)
        assert ours == theirs, args
        return theirs

    def same_end(self, *args: str) -> Transcript:
        """As ``same`` for a command that prints progress: the lines before the last depend on
        timing, so only their form is compared; the last line, stderr and exit code must match."""
        theirs, ours = self.both(*args)
        for stdout, _, _ in (theirs, ours):
            *progress, _ = stdout.splitlines() or [""]
            assert all(line.startswith("Waiting for deployment ") for line in progress), stdout
        assert (ours[0].splitlines()[-1:], *ours[1:]) == (theirs[0].splitlines()[-1:], *theirs[1:])
        return theirs

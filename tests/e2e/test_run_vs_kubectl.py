"""``run``: pykctl against the real kubectl 1.37 on one simulator.

kubectl prints the objects these commands create from Go structs, so their JSON keeps the
structs' field order; pykctl builds what it generates in that order (``--dry-run=client``), and
the objects the server returns are compared as data.
"""

from __future__ import annotations

import json
import shlex

import pytest

from tests.e2e.verbs_harness import Twins, twins

pytestmark = pytest.mark.e2e

__all__ = ["twins"]


def split(words: str) -> list[str]:
    """A command line written as a shell would split it."""
    return shlex.split(words)


RUN_CASES = [
    "web --image=nginx",
    "web --image=nginx --dry-run=client",
    "web --image=nginx --dry-run=client -o yaml",
    "web --image=nginx --dry-run=client -o json",
    "web --image=nginx --dry-run=server",
    "web --image=nginx -o name",
    "web --image=nginx -o yaml",
    "web --image=nginx:1.25 --port=80 --expose",
    "web --image=nginx --port=80 --expose --dry-run=client -o json -l a=b,c=d",
    "web --image=nginx --port=80 --expose -o yaml -l tier=front",
    "web --image=busybox --restart=Never --command -- sh -c date",
    "web --image=busybox --restart=OnFailure -- --verbose --level 3",
    "web --image=nginx --env=A=1 --env=B= --annotations=k=v --privileged --dry-run=client -o json",
    "web --image=nginx --image-pull-policy=IfNotPresent --dry-run=client -o yaml",
    "web --image=nginx --labels=app=x --dry-run=client -o yaml",
    "web --image=nginx -i -t --attach=false --leave-stdin-open --dry-run=client -o json",
    "web --image=nginx --save-config -o yaml",
    """web --image=nginx '--overrides={"spec":{"hostname":"h"}}' --dry-run=client -o json""",
    """web --image=nginx '--overrides={"spec":{"hostname":"h"}}' -o yaml""",
    """web --image=nginx '--overrides={"metadata":{"labels":{"x":"y"}}}' --dry-run=client -o yaml""",
    "web --image=nginx --override-type=strategic --dry-run=client -o yaml "
    """'--overrides={"spec":{"containers":[{"name":"web","image":"redis"}]}}'""",
    "web --image=nginx --override-type=json --dry-run=client -o yaml "
    """'--overrides=[{"op":"add","path":"/spec/hostname","value":"h"}]'""",
    "web --image=nginx --overrides=nope",
    "web --image=nginx --override-type=bad --overrides={}",
    "web --image=Bad_Image",
    "web --image=localhost:5000/team/app:v1@sha256:0123456789abcdef0123456789abcdef --dry-run=client",
    "web",
    "--image=nginx",
    "-- web --image=nginx",
    "web --image=nginx --port=http",
    "web --image=nginx --expose",
    "web --image=nginx --rm",
    "web --image=nginx -t",
    "web --image=nginx -i --dry-run=client",
    "web --image=nginx --restart=Sometimes",
    "web --image=nginx --env=1A=b",
    "web --image=nginx --env=A",
    "web --image=nginx -l a",
    "web --image=nginx -l =b",
    "web --image=nginx --annotations=a",
    "web --image=nginx --image-pull-policy=Sometimes",
    "web --image=nginx --cascade=sideways",
    "web --image=nginx -o bogus",
    "web --image=nginx --dry-run=bogus",
    "web --image=nginx --pod-running-timeout=0s",
]


@pytest.mark.parametrize("words", RUN_CASES)
def test_run(twins: Twins, words: str) -> None:
    case = twins.case()
    case.same("run", *split(words))
    case.same_state("pods,services")


def test_run_twice_is_already_exists(twins: Twins) -> None:
    case = twins.case()
    case.setup("run", "web", "--image=nginx")
    case.same("run", "web", "--image=nginx")


def test_run_created_object_as_json(twins: Twins) -> None:
    case = twins.case()
    kubectl, pykctl = case.run("run", "web", "--image=nginx", "-o", "json")
    assert (pykctl.stderr, pykctl.code) == (kubectl.stderr, kubectl.code)
    assert json.loads(pykctl.stdout) == json.loads(kubectl.stdout)


def test_the_study_notes_generator_flag_still_runs(twins: Twins) -> None:
    """kubectl 1.37 refuses ``--generator`` (removed in 1.21); pykctl accepts it with kubectl
    1.20's deprecation notice, so the study notes' ``run kuard --generator=run-pod/v1`` runs."""
    case = twins.case()
    kubectl, pykctl = case.run(
        "run", "kuard", "--generator=run-pod/v1", "--image=gcr.io/kuar-demo/kuard-amd64:blue"
    )
    assert (kubectl.code, kubectl.stderr) == (
        1,
        "error: unknown flag: --generator\nSee 'pykctl run --help' for usage.\n",  # normalised
    )
    assert (pykctl.stdout, pykctl.code) == ("pod/kuard created\n", 0)
    assert pykctl.stderr == (
        "Flag --generator has been deprecated, has no effect and will be removed in the future.\n"
    )

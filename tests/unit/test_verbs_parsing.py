"""Argument and flag parsing of the everyday verbs: resource arguments (pykctl.resources.targets),
``wait --for`` conditions, ``expose``'s service generator, ``run``'s image references."""

from __future__ import annotations

import pytest

from backends.errors import ApiError
from pykctl.cli.commands.expose import ServiceSpec, ports_of, selector_of
from pykctl.cli.commands.run import IMAGE_REFERENCE
from pykctl.cli.commands.wait import Condition, condition_met, parse_condition
from pykctl.cli.errors import CommandError, message_for
from pykctl.resources.targets import Targets, TargetSpec, aggregate, aggregate_line


def resolve_offline(spec: TargetSpec) -> Targets:
    targets = Targets(spec, "default", False, None)
    targets.resolve()
    return targets


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pod/a", "svc"], "there is no need to specify a resource type as a separate argument"),
        (["pod/a/b"], "arguments in resource/name form may not have more than one slash"),
        (["pods,svc/a"], "arguments in resource/name form must have a single resource and name"),
        (["/a"], "arguments in resource/name form must have a single resource and name"),
        ([], "You must provide one or more resources by argument or filename."),
    ],
)
def test_argument_errors_need_no_server(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as err:
        resolve_offline(TargetSpec(args=args))
    assert str(err.value).startswith(message)


def test_local_specs_refuse_resource_arguments() -> None:
    with pytest.raises(CommandError) as err:
        resolve_offline(TargetSpec(args=["pods"], local=True))
    assert str(err.value).startswith("error: you must specify resources by --filename")


def test_several_errors_print_one_line_each() -> None:
    errors: list[BaseException] = [
        ApiError(404, "NotFound", 'pods "a" not found'),
        CommandError("'x' already has a value (1), and --overwrite is false"),
    ]
    assert message_for(aggregate(errors)) == (
        'Error from server (NotFound): pods "a" not found\n'
        "'x' already has a value (1), and --overwrite is false"
    )
    assert aggregate(errors[:1]) is errors[0]
    nested = aggregate([CommandError("a"), CommandError("b")])
    assert aggregate_line(nested) == "[a, b]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("delete", Condition("delete")),
        ("Create", Condition("create")),
        ("condition=Ready", Condition("condition", "Ready", "true")),
        ("condition=Ready=false", Condition("condition", "Ready", "false")),
        ("jsonpath={.status.phase}=Running", Condition("jsonpath", "{.status.phase}", "Running")),
        ("jsonpath=.a.b='x'", Condition("jsonpath", "{.a.b}", "x")),
        ("jsonpath={.a}", Condition("jsonpath", "{.a}", "")),
        ('jsonpath={.a[?(@.x=="y")].b}=1', Condition("jsonpath", '{.a[?(@.x=="y")].b}', "1")),
    ],
)
def test_wait_conditions(text: str, expected: Condition) -> None:
    assert parse_condition(text) == expected


def test_wait_condition_checks() -> None:
    pod = {
        "metadata": {"generation": 2},
        "status": {
            "phase": "Running",
            "observedGeneration": 2,
            "conditions": [{"type": "Ready", "status": "True", "observedGeneration": 1}],
        },
    }
    assert not condition_met(Condition("condition", "ready", "true"), pod)
    pod["status"]["conditions"][0]["observedGeneration"] = 2  # type: ignore[index]
    assert condition_met(Condition("condition", "ready", "TRUE"), pod)
    assert condition_met(Condition("jsonpath", "{.status.phase}", "Running"), pod)
    assert condition_met(Condition("jsonpath", "{.metadata.generation}", "2"), pod)
    with pytest.raises(CommandError, match="nested object"):
        condition_met(Condition("jsonpath", "{.status}", "x"), pod)


def test_expose_builds_services_as_kubectl_does() -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"labels": {"app": "web"}},
        "spec": {
            "containers": [
                {"ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]},
                {"ports": [{"containerPort": 80}]},
            ]
        },
    }
    assert ports_of(pod) == ["80", "53"]
    assert selector_of(pod) == "app=web"
    service = ServiceSpec(name="web", selector="app=web", ports="80,53", target_port="http")
    assert service.build()["spec"]["ports"] == [
        {"name": "port-1", "protocol": "TCP", "port": 80, "targetPort": "http"},
        {"name": "port-2", "protocol": "TCP", "port": 53, "targetPort": "http"},
    ]
    with pytest.raises(CommandError, match="no selectors"):
        selector_of({"kind": "Deployment", "spec": {"selector": {}}})


@pytest.mark.parametrize(
    ("image", "valid"),
    [
        ("nginx", True),
        ("nginx:1.25-alpine", True),
        ("registry.example.com:5000/team/app:v1", True),
        ("app@sha256:" + "0" * 64, True),
        ("Nginx", False),
        ("nginx:", False),
        ("-nginx", False),
    ],
)
def test_image_references(image: str, valid: bool) -> None:
    assert bool(IMAGE_REFERENCE.fullmatch(image)) is valid

"""``pykctl autoscale``: create a HorizontalPodAutoscaler (autoscaling/v2) for a deployment,
replica set, stateful set or replication controller.

As kubectl 1.37: ``--max`` is required and at least 1 and not below ``--min``; ``--cpu`` and
``--memory`` take a percentage (a Utilization target) or a quantity (an AverageValue target;
bare numbers are millicores / mebibytes); the deprecated ``--cpu-percent`` adds a Utilization
target and excludes ``--cpu``. The HPA is named after the target (or ``--name``), refers to it
by apiVersion, kind and name, and is created with the field manager ``kubectl-autoscale``;
a target without a scale subresource is refused. Output: ``<resource>/<name> autoscaled``.
kubectl's fallback to autoscaling/v1 is not needed against a 1.37 server and not done; the
deprecated ``--record`` is accepted without writing its change-cause annotation.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    ObjectPrinter,
    as_typed,
    create_object,
    dry_run_strategy,
    field_manager_flag,
    open_targets,
    print_flags,
    save_config_flag,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, INT, STRING, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags
from pykctl.resources.builder import Info
from pykctl.resources.targets import TargetSpec, aggregate

Obj = dict[str, Any]
_DEFAULT_UNITS = {"cpu": "m", "memory": "Mi"}
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)", re.I)


def go_float(value: float) -> str:
    """Go's ``%g`` for the values a bare number can take."""
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    return f"{value:g}"


def metric_target(text: str, resource: str) -> Obj:
    """``parseResourceInput``: a Utilization or AverageValue target (kubectl's errors)."""
    from backends.objects.quantity import Quantity, QuantityError

    value = text.strip()
    if not value:
        raise CommandError("empty input")
    if value.endswith("%"):
        number = value[:-1]
        if not re.fullmatch(r"[+-]?\d+", number) or int(number) < 0 or int(number) >= 2**31:
            raise CommandError(f"invalid percentage value: {number}")
        return {"type": "Utilization", "averageUtilization": int(number)}
    if _FLOAT.fullmatch(value):
        number_value = float(value)
        if math.isnan(number_value) or math.isinf(number_value):
            raise CommandError(f"invalid resource {resource} value: {value}")
        value = go_float(number_value) + _DEFAULT_UNITS[resource]
    try:
        quantity = Quantity.parse(value)
    except QuantityError:
        raise CommandError(f"invalid resource {resource} value: {text.strip()}") from None
    return {"type": "AverageValue", "averageValue": str(quantity)}


def validate(flags: dict[str, Any]) -> None:
    """``AutoscaleOptions.Validate``."""
    maximum, minimum = flags["max"], flags["min"]
    if maximum < 1:
        raise CommandError(f"--max=MAXPODS is required and must be at least 1, max: {maximum}")
    if maximum < minimum:
        raise CommandError(
            "--max=MAXPODS must be larger or equal to --min=MINPODS, "
            f"max: {maximum}, min: {minimum}"
        )
    if flags["cpu_percent"] > 0 and flags["cpu"]:
        raise CommandError("--cpu-percent and --cpu are mutually exclusive")
    if flags["cpu"]:
        metric_target(flags["cpu"], "cpu")
    if flags["memory"]:
        metric_target(flags["memory"], "memory")


def build_hpa(info: Info, flags: dict[str, Any]) -> Obj:
    """The HorizontalPodAutoscaler for ``info``, in the Go struct's field order."""
    resource = info.resource
    name = info.name or ""
    spec: Obj = {
        "scaleTargetRef": {
            "kind": resource.kind,
            "name": name,
            "apiVersion": resource.group_version,
        }
    }
    if flags["min"] > 0:
        spec["minReplicas"] = flags["min"]
    spec["maxReplicas"] = flags["max"]
    metrics: list[Obj] = []
    if flags["cpu_percent"] > 0:
        target: Obj = {"type": "Utilization", "averageUtilization": flags["cpu_percent"]}
        metrics.append({"type": "Resource", "resource": {"name": "cpu", "target": target}})
    for resource_name in ("cpu", "memory"):
        if flags[resource_name]:
            target = metric_target(flags[resource_name], resource_name)
            metrics.append(
                {"type": "Resource", "resource": {"name": resource_name, "target": target}}
            )
    if metrics:
        spec["metrics"] = metrics
    return {
        "kind": "HorizontalPodAutoscaler",
        "apiVersion": "autoscaling/v2",
        "metadata": {"name": flags["name"] or name},
        "spec": spec,
        "status": {"desiredReplicas": 0, "currentMetrics": None},
    }


def run(inv: Invocation) -> int:
    flags = inv.flags
    if "max" not in inv.changed:
        raise CommandError('required flag(s) "max" not set')
    dry_run = dry_run_strategy(inv)
    validate(flags)
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    spec = TargetSpec(
        args=list(inv.args),
        filenames=flags["filename"],
        recursive=flags["recursive"],
        kustomize=flags["kustomize"],
    )
    errors: list[BaseException] = []
    count = 0
    with open_targets(inv, spec) as targets:
        targets.resolve()
        for visited in targets.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
                continue
            try:
                if "scale" not in visited.resource.subresources:
                    resource = visited.resource
                    raise CommandError(
                        f"cannot autoscale a {resource.kind}: could not find scale subresource "
                        f"for {resource.group}/{resource.version}, Resource={resource.plural} in "
                        "discovery information"
                    )
                hpa = build_hpa(visited, flags)
                if targets.enforce_namespace:
                    hpa["metadata"]["namespace"] = targets.namespace
                count += 1
                if dry_run == CLIENT:  # built in the Go struct's order: printed as it is
                    printer.print(hpa, "created", inv.stdout, typed=True)
                    continue
                created = create_object(
                    targets.client,
                    targets.mapper.resource_for("horizontalpodautoscalers.autoscaling"),
                    targets.namespace,
                    hpa,
                    dry_run,
                    flags,
                )
                shown, typed = as_typed(created)
                printer.print(shown, "autoscaled", inv.stdout, typed=typed)
            except Exception as err:  # kubectl stops at the first failing object
                errors.append(err)
                break
    if errors:
        raise aggregate(errors)
    if count == 0:
        raise CommandError("no objects passed to autoscale")
    return 0


HELP = Help(
    use="autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu=CPU] [--memory=MEMORY]",
    short="Auto-scale a deployment, replica set, stateful set, or replication controller",
    long="""Creates an autoscaler that automatically chooses and sets the number of pods that run in a Kubernetes cluster. The command will attempt to use the autoscaling/v2 API first, in case of an error, it will fall back to autoscaling/v1 API.

 Looks up a deployment, replica set, stateful set, or replication controller by name and creates an autoscaler that uses the given resource as a reference. An autoscaler can automatically increase or decrease number of pods deployed within the system as needed.""",
    example="""# Auto scale a deployment "foo", with the number of pods between 2 and 10, no target CPU utilization specified so a default autoscaling policy will be used
pykctl autoscale deployment foo --min=2 --max=10

# Auto scale a replication controller "foo", with the number of pods between 1 and 5, target CPU utilization at 80%
pykctl autoscale rc foo --max=5 --cpu=80%

# Auto scale a deployment "bar", with the number of pods between 3 and 6, target average CPU of 500m and memory of 200Mi
pykctl autoscale deployment bar --min=3 --max=6 --cpu=500m --memory=200Mi

# Auto scale a deployment "bar", with the number of pods between 2 and 8, target CPU utilization 60% and memory utilization 70%
pykctl autoscale deployment bar --min=2 --max=8 --cpu=60% --memory=70%""",
)

FLAGS = [
    Flag(
        "cpu",
        STRING,
        usage='Target CPU utilization over all the pods. When specified as a percentage (e.g."70%" '
        "for 70% of requested CPU) it will target average utilization. When specified as "
        'quantity (e.g."500m" for 500 milliCPU) it will target average value. Value without '
        'units is treated as a quantity with miliCPU being the unit (e.g."500" is "500m").',
    ),
    Flag(
        "cpu-percent",
        INT,
        default=-1,
        usage="The target average CPU utilization (represented as a percent of requested CPU) "
        "over all the pods. If it's not specified or negative, a default autoscaling policy "
        "will be used.",
        deprecated="Use --cpu with percentage or resource quantity format (e.g., '70%' for "
        "utilization or '500m' for milliCPU).",
    ),
    dry_run_flag(),
    field_manager_flag("kubectl-autoscale"),
    *filename_flags("Filename, directory, or URL to files identifying the resource to autoscale."),
    Flag(
        "max",
        INT,
        default=-1,
        usage="The upper limit for the number of pods that can be set by the autoscaler. Required.",
    ),
    Flag(
        "memory",
        STRING,
        usage="Target memory utilization over all the pods. When specified  as a percentage "
        '(e.g."60%" for 60% of requested memory) it will target average utilization. When '
        'specified as quantity (e.g."200Mi" for 200 MiB, "1Gi" for 1 GiB) it will target '
        "average value. Value without units is treated as a quantity with mebibytes being the "
        'unit (e.g."200" is "200Mi").',
    ),
    Flag(
        "min",
        INT,
        default=-1,
        usage="The lower limit for the number of pods that can be set by the autoscaler. If "
        "it's not specified or negative, the server will apply a default value.",
    ),
    Flag(
        "name",
        STRING,
        usage="The name for the newly created object. If not specified, the name of the input "
        "resource will be used.",
    ),
    Flag(
        "record",
        BOOL,
        usage="Record current kubectl command in the resource annotation. If set to false, do not "
        "record the command. If set to true, record the command. If not set, default to "
        "updating the existing annotation value only if one already exists.",
        deprecated="--record will be removed in the future",
    ),  # accepted; the change-cause annotation it asks for is not written
    save_config_flag(),
    *print_flags(),
]

autoscale = KCommand("autoscale", run, HELP, FLAGS)

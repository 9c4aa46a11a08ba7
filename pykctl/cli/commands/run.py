"""``pykctl run``: create a pod running one image (and, with ``--expose``, a service for it).

The pod is built as kubectl builds it (labels ``run=NAME`` unless ``-l``, one container named
after the pod, ``--env``, ``--port``, arguments after ``--`` as args or, with ``--command``, as
the command, ``dnsPolicy: ClusterFirst``), with its fields in the Go struct's order so that
``--dry-run=client -o json`` prints what kubectl prints; ``--overrides`` patches it. Checks and
messages are kubectl's, in its order.

Attached (``--attach``, ``-i/--stdin``, ``-t/--tty``, ``--rm``), the pod is seen through by
``run_attached``.
"""

from __future__ import annotations

import re
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    NONE,
    ObjectPrinter,
    apply_overrides,
    as_typed,
    create_object,
    dry_run_strategy,
    field_manager_flag,
    override_flags,
    print_flags,
    save_config_flag,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, DURATION, INT, STRING, STRING_ARRAY, Flag
from pykctl.cli.shared_flags import dry_run_flag
from pykctl.resources.targets import aggregate

Obj = dict[str, Any]

# github.com/distribution/reference's ReferenceRegexp (name[:tag][@digest])
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[(?:[a-fA-F0-9:]+)\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
IMAGE_REFERENCE = re.compile(rf"{_NAME}(?::{_TAG})?(?:@{_DIGEST})?")
ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
RESTART_POLICIES = ("Always", "OnFailure", "Never")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
CASCADES = ("background", "orphan", "foreground", "true", "false")


def parse_label_list(text: str) -> dict[str, str]:
    """``a=b,c=d`` (kubectl run's and expose's parseLabels); empty text: no labels."""
    labels: dict[str, str] = {}
    if not text:
        return labels
    for spec in text.split(","):
        parts = spec.split("=")
        if len(parts) != 2:
            raise CommandError(f"unexpected label spec: {spec}")
        if not parts[0]:
            raise CommandError("unexpected empty label key")
        labels[parts[0]] = parts[1]
    return labels


def _annotations(specs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    invalid = []
    for spec in specs:
        if "=" in spec and not spec.startswith("="):
            key, _, value = spec.partition("=")
            found[key] = value
        else:
            invalid.append(spec)
    if invalid:
        raise CommandError(f"invalid annotations format: {', '.join(invalid)}")
    return found


def _envs(specs: list[str]) -> list[dict[str, str]]:
    envs = []
    for spec in specs:
        name, eq, value = spec.partition("=")
        if not eq or not name or not ENV_NAME.fullmatch(name):
            raise CommandError(f"invalid env: {spec}")
        envs.append({"name": name, "value": value} if value else {"name": name})
    return envs


def _restart_policy(inv: Invocation) -> str:
    restart = inv.flags["restart"]
    if not restart:
        return "OnFailure" if inv.flags["stdin"] else "Always"
    if restart not in RESTART_POLICIES:
        raise CommandError(
            f"invalid restart policy: {restart}, valid values are: Always, OnFailure, Never"
        )
    return str(restart)


def _pull_policy(inv: Invocation) -> str:
    policy = inv.flags["image_pull_policy"]
    if policy and policy not in PULL_POLICIES:
        raise CommandError(
            f"invalid image pull policy: {policy}, valid values are: Always, IfNotPresent, Never"
        )
    return str(policy)


def _sorted(mapping: dict[str, str]) -> dict[str, str]:
    return dict(sorted(mapping.items()))


def pod_object(inv: Invocation, name: str, labels: dict[str, str], args: list[str]) -> Obj:
    """The Pod kubectl run generates, in the Go struct's field order."""
    flags = inv.flags
    container: Obj = {"name": name, "image": flags["image"]}
    if args:
        container["command" if flags["command"] else "args"] = args
    if flags["port"]:
        container["ports"] = [{"containerPort": int(flags["port"])}]
    envs = _envs(flags["env"])
    if envs:
        container["env"] = envs
    container["resources"] = {}
    if flags["image_pull_policy"]:
        container["imagePullPolicy"] = flags["image_pull_policy"]
    if flags["privileged"]:
        container["securityContext"] = {"privileged": True}
    if flags["stdin"]:
        container["stdin"] = True
        if not flags["leave_stdin_open"]:
            container["stdinOnce"] = True
    if flags["tty"]:
        container["tty"] = True
    metadata: Obj = {"name": name, "labels": _sorted(labels)}
    annotations = _annotations(flags["annotations"])
    if annotations:
        metadata["annotations"] = _sorted(annotations)
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": metadata,
        "spec": {
            "containers": [container],
            "restartPolicy": _restart_policy(inv),
            "dnsPolicy": "ClusterFirst",
        },
        "status": {},
    }


def service_for_pod(name: str, labels: dict[str, str], selector: dict[str, str], port: int) -> Obj:
    """The ClusterIP Service ``--expose`` adds, in the Go struct's field order."""
    metadata: Obj = {"name": name}
    if labels:
        metadata["labels"] = _sorted(labels)
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": metadata,
        "spec": {
            "ports": [{"protocol": "TCP", "port": port, "targetPort": port}],
            "selector": _sorted(selector),
        },
        "status": {"loadBalancer": {}},
    }


def _complete(inv: Invocation) -> str:
    """kubectl's Complete: parse every flag (errors in its order); returns the dry-run mode."""
    flags = inv.flags
    _annotations(flags["annotations"])
    parse_label_list(flags["labels"])
    _envs(flags["env"])
    _restart_policy(inv)
    _pull_policy(inv)
    if flags["pod_running_timeout"] <= 0:
        raise CommandError("--pod-running-timeout must be higher than zero")
    dry_run = dry_run_strategy(inv)
    ObjectPrinter.from_flags(inv, dry_run).check()
    if flags["cascade"] not in CASCADES:
        raise CommandError(
            f'invalid cascade value ({flags["cascade"]}). Must be "background", "foreground", '
            'or "orphan"'
        )
    return dry_run


def _dash_index() -> int:
    """Where ``--`` was among the arguments (-1: nowhere); cobra's ArgsLenAtDash."""
    import click

    context = click.get_current_context(silent=True)
    return int(context.meta.get("pykctl.dash_index", -1)) if context is not None else -1


def _attaches(inv: Invocation) -> bool:
    """``--attach``, which ``-i`` implies unless ``--attach`` is given."""
    flags = inv.flags
    return bool(flags["attach"] or ("attach" not in inv.changed and flags["stdin"]))


def _validate(inv: Invocation, dry_run: str) -> None:
    flags = inv.flags
    attach = _attaches(inv)
    if not inv.args or _dash_index() == 0:
        raise CommandError("NAME is required for run")
    image = flags["image"]
    if not image:
        raise CommandError("--image is required")
    if not IMAGE_REFERENCE.fullmatch(image):
        raise CommandError(f'invalid image name "{image}": invalid reference format')
    if flags["tty"] and not flags["stdin"]:
        raise CommandError("-i/--stdin is required for containers with -t/--tty=true")
    if flags["expose"] and not flags["port"]:
        raise CommandError("--port must be set when exposing a service")
    if flags["port"] and not re.fullmatch(r"[+-]?[0-9]+", flags["port"]):
        raise CommandError("--port must be a number")
    if not attach and flags["rm"]:
        raise CommandError("--rm should only be used for attached containers")
    if attach and dry_run != NONE:
        raise CommandError(
            "--dry-run=[server|client] can't be used with attached containers options "
            "(--attach, --stdin, or --tty)"
        )


def execute(inv: Invocation) -> int:
    """Complete, validate and run ``pykctl run``."""
    from pykctl.session import Session

    if "image" not in inv.changed:
        raise CommandError('required flag(s) "image" not set')
    dry_run = _complete(inv)
    _validate(inv, dry_run)
    flags = inv.flags
    name, arguments = inv.args[0], inv.args[1:]
    labels = parse_label_list(flags["labels"]) or {"run": name}
    pod = apply_overrides(
        pod_object(inv, name, labels, arguments), flags["overrides"], flags["override_type"]
    )
    objects = [pod]
    if flags["expose"]:
        objects.append(
            service_for_pod(name, parse_label_list(flags["labels"]), labels, int(flags["port"]))
        )
    printer = ObjectPrinter.from_flags(inv, dry_run)
    errors: list[BaseException] = []
    created: list[Obj] = []
    resources = []
    with Session.open(inv) as session:
        for index, obj in enumerate(objects):
            if dry_run == CLIENT:
                if session.namespace_explicit:
                    obj["metadata"] = {
                        "name": obj["metadata"]["name"],
                        "namespace": session.namespace,
                        **obj["metadata"],
                    }
                created.append(obj)
                continue
            resource = session.mapper.resource_for("pods" if index == 0 else "services")
            try:
                created.append(
                    create_object(session.client, resource, session.namespace, obj, dry_run, flags)
                )
                resources.append(resource)
            except Exception as err:
                if index == 0:
                    raise
                errors.append(err)
        if _attaches(inv):
            from pykctl.cli.commands.run_attached import run_attached

            for obj in created[1:]:  # the service is printed; the pod is attached to
                shown, typed = as_typed(obj)
                printer.print(shown, "created", inv.stdout, typed=typed)
            return run_attached(
                inv, session, list(zip(resources, created, strict=True)), _restart_policy(inv)
            )
    for obj in created:
        shown, typed = as_typed(obj)
        printer.print(shown, "created", inv.stdout, typed=typed or dry_run == CLIENT)
    if errors:
        raise aggregate(errors)
    return 0


HELP = Help(
    use='run NAME --image=image [--env="key=value"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...]',
    short="Run a particular image on the cluster",
    long="Create and run a particular image in a pod.",
    example="""# Start a nginx pod
pykctl run nginx --image=nginx

# Start a hazelcast pod and let the container expose port 5701
pykctl run hazelcast --image=hazelcast/hazelcast --port=5701

# Start a hazelcast pod and set environment variables "DNS_DOMAIN=cluster" and "POD_NAMESPACE=default" in the container
pykctl run hazelcast --image=hazelcast/hazelcast --env="DNS_DOMAIN=cluster" --env="POD_NAMESPACE=default"

# Start a hazelcast pod and set labels "app=hazelcast" and "env=prod" in the container
pykctl run hazelcast --image=hazelcast/hazelcast --labels="app=hazelcast,env=prod"

# Dry run; print the corresponding API objects without creating them
pykctl run nginx --image=nginx --dry-run=client

# Start a nginx pod, but overload the spec with a partial set of values parsed from JSON
pykctl run nginx --image=nginx --overrides='{ "apiVersion": "v1", "spec": { ... } }'

# Start a busybox pod and keep it in the foreground, don't restart it if it exits
pykctl run -i -t busybox --image=busybox --restart=Never

# Start the nginx pod using the default command, but use custom arguments (arg1 .. argN) for that command
pykctl run nginx --image=nginx -- <arg1> <arg2> ... <argN>

# Start the nginx pod using a different command and custom arguments
pykctl run nginx --image=nginx --command -- <cmd> <arg1> ... <argN>""",
)

FLAGS = [
    # Removed from kubectl in 1.21; accepted, as kubectl 1.20 did, so that older books' commands
    # (the study notes' `run kuard --generator=run-pod/v1`) still run. (pykctl only)
    Flag("generator", STRING, deprecated="has no effect and will be removed in the future."),
    Flag("annotations", STRING_ARRAY, usage="Annotations to apply to the pod."),
    Flag(
        "attach",
        BOOL,
        usage="If true, wait for the Pod to start running, and then attach to the Pod as if "
        "'pykctl attach ...' were called.  Default false, unless '-i/--stdin' is set, in which "
        "case the default is true. With '--restart=Never' the exit code of the container process "
        "is returned.",
    ),
    Flag(
        "cascade",
        STRING,
        default="background",
        usage='Must be "background", "orphan", or "foreground". Selects the deletion cascading '
        "strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to "
        "background.",
    ),
    Flag(
        "command",
        BOOL,
        usage="If true and extra arguments are present, use them as the 'command' field in the "
        "container, rather than the 'args' field which is the default.",
    ),
    Flag(
        "detach-keys",
        STRING,
        default="ctrl-p,ctrl-q",
        usage="Override the key sequence for detaching a container.",
    ),
    dry_run_flag(),
    Flag("env", STRING_ARRAY, usage="Environment variables to set in the container."),
    Flag(
        "expose",
        BOOL,
        usage="If true, create a ClusterIP service associated with the pod.  Requires `--port`.",
    ),
    field_manager_flag("kubectl-run"),
    Flag(
        "force",
        BOOL,
        usage="If true, immediately remove resources from API and bypass graceful deletion. Note "
        "that immediate deletion of some resources may result in inconsistency or data loss and "
        "requires confirmation.",
    ),
    Flag(
        "grace-period",
        INT,
        default=-1,
        usage="Period of time in seconds given to the resource to terminate gracefully. Ignored "
        "if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true "
        "(force deletion).",
    ),
    Flag("image", STRING, usage="The image for the container to run."),
    Flag(
        "image-pull-policy",
        STRING,
        usage="The image pull policy for the container.  If left empty, this value will not be "
        "specified by the client and defaulted by the server.",
    ),
    Flag(
        "kustomize",
        STRING,
        shorthand="k",
        usage="Process a kustomization directory. This flag can't be used together with -f or -R.",
    ),
    Flag(
        "labels",
        STRING,
        shorthand="l",
        usage="Comma separated labels to apply to the pod. Will override previous values.",
    ),
    Flag(
        "leave-stdin-open",
        BOOL,
        usage="If the pod is started in interactive mode or with stdin, leave stdin open after "
        "the first attach completes. By default, stdin will be closed after the first attach "
        "completes.",
    ),
    *override_flags(),
    Flag(
        "pod-running-timeout",
        DURATION,
        default=60.0,
        usage="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least "
        "one pod is running",
    ),
    Flag("port", STRING, usage="The port that this container exposes."),
    Flag("privileged", BOOL, usage="If true, run the container in privileged mode."),
    Flag("quiet", BOOL, shorthand="q", usage="If true, suppress prompt messages."),
    Flag(
        "recursive",
        BOOL,
        shorthand="R",
        usage="Process the directory used in -f, --filename recursively. Useful when you want to "
        "manage related manifests organized within the same directory.",
    ),
    Flag(
        "restart",
        STRING,
        default="Always",
        usage="The restart policy for this Pod.  Legal values [Always, OnFailure, Never].",
    ),
    Flag(
        "rm",
        BOOL,
        usage="If true, delete the pod after it exits.  Only valid when attaching to the "
        "container, e.g. with '--attach' or with '-i/--stdin'.",
    ),
    save_config_flag(),
    Flag(
        "stdin",
        BOOL,
        shorthand="i",
        usage="Keep stdin open on the container in the pod, even if nothing is attached.",
    ),
    Flag(
        "timeout",
        DURATION,
        usage="The length of time to wait before giving up on a delete, zero means determine a "
        "timeout from the size of the object",
    ),
    Flag("tty", BOOL, shorthand="t", usage="Allocate a TTY for the container in the pod."),
    Flag(
        "wait",
        BOOL,
        usage="If true, wait for resources to be gone before returning. This waits for finalizers.",
    ),
    *print_flags(),
]

run = KCommand("run", execute, HELP, FLAGS)

"""``create deployment|job|cronjob``: workloads running one image (or several, for a
deployment), with an optional command after ``--``; ``create job --from=cronjob/NAME``."""

from __future__ import annotations

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.create import common, generator
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import INT, STRING_SLICE, Flag
from pykctl.ops import generators

DEPLOYMENT = generator.target(
    "apps", "v1", "deployments", "Deployment", True, "failed to create deployment: "
)
JOB = generator.target("batch", "v1", "jobs", "Job", True, "failed to create job: ")
CRONJOB = generator.target("batch", "v1", "cronjobs", "CronJob", True, "failed to create cronjob: ")


def _command(inv: Invocation) -> list[str]:
    """The words after NAME: the container's command."""
    return list(inv.args[1:])


def run_deployment(inv: Invocation) -> int:
    def build(request: generator.Request) -> generators.Obj:
        return generators.deployment(
            request.name,
            request.namespace,
            request.flags["image"],
            _command(inv),
            request.flags["port"],
            request.flags["replicas"],
        )

    return generator.run(inv, DEPLOYMENT, build, required=("image",))


deployment = KCommand(
    "deployment",
    run_deployment,
    Help(
        use="deployment NAME --image=image -- [COMMAND] [args...]",
        short="Create a deployment with the specified name",
        long="Create a deployment with the specified name.",
        example="""# Create a deployment named my-dep that runs the busybox image
pykctl create deployment my-dep --image=busybox

# Create a deployment with a command
pykctl create deployment my-dep --image=busybox -- date

# Create a deployment named my-dep that runs the nginx image with 3 replicas
pykctl create deployment my-dep --image=nginx --replicas=3

# Create a deployment named my-dep that runs the busybox image and expose port 5701
pykctl create deployment my-dep --image=busybox --port=5701

# Create a deployment named my-dep that runs multiple containers
pykctl create deployment my-dep --image=busybox:latest --image=ubuntu:latest --image=nginx""",
    ),
    generator.flags(
        Flag(
            "image",
            STRING_SLICE,
            usage="Image names to run. A deployment can have multiple images set for multi-container pod.",
        ),
        Flag(
            "port",
            INT,
            default=-1,
            usage="The containerPort that this deployment exposes.",
            validate=common.parse_int32,
        ),
        Flag(
            "replicas",
            INT,
            default=1,
            shorthand="r",
            usage="Number of replicas to create. Default is 1.",
            validate=common.parse_int32,
        ),
    ),
    aliases=["deploy"],
)


def _job(request: generator.Request) -> generators.Obj:
    flags = request.flags
    command = _command(request.inv)
    image, source = flags["image"], flags["from"]
    if bool(image) == bool(source):
        raise generators.GeneratorError("either --image or --from must be specified")
    if command and source:
        raise generators.GeneratorError("cannot specify --from and command")
    if image:
        return generators.job(request.name, request.namespace, image, command)
    return generators.job_from_cronjob(request.name, request.namespace, _cronjob(request, source))


def _cronjob(request: generator.Request, source: str) -> generators.Obj:
    """The object ``--from`` names; it must be one cron job."""
    from pykctl.resources.builder import Builder, BuilderError, Selection

    cluster = request.cluster
    try:
        infos = Builder(cluster.mapper).from_args([source], Selection(cluster.namespace))
    except BuilderError as err:
        raise CommandError(str(err)) from None
    objects: list[generators.Obj] = []
    for info in infos:
        if info.name is None:
            listed = cluster.client.list_objects(info.resource, info.namespace)
            objects.extend(listed.get("items") or [])
        else:
            objects.append(cluster.client.get(info.resource, info.namespace, info.name))
            objects[-1].setdefault("kind", info.resource.kind)
    if len(objects) != 1:
        raise generators.GeneratorError("from must be an existing cronjob")
    found = objects[0]
    if found.get("kind") != "CronJob" or found.get("apiVersion") != "batch/v1":
        raise generators.GeneratorError(f"unknown object type *{_go_type(found)}")
    return found


def _go_type(obj: generators.Obj) -> str:
    """The Go type kubectl names in its error (``v1.Deployment``)."""
    version = str(obj.get("apiVersion", "")).rpartition("/")[2]
    return f"{version}.{obj.get('kind', '')}"


def run_job(inv: Invocation) -> int:
    return generator.run(inv, JOB, _job)


job = KCommand(
    "job",
    run_job,
    Help(
        use="job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...]",
        short="Create a job with the specified name",
        long="Create a job with the specified name.",
        example="""# Create a job
pykctl create job my-job --image=busybox

# Create a job with a command
pykctl create job my-job --image=busybox -- date

# Create a job from a cron job named "a-cronjob"
pykctl create job test-job --from=cronjob/a-cronjob""",
    ),
    generator.flags(
        Flag(
            "from",
            usage="The name of the resource to create a Job from (only CronJob is supported).",
        ),
        Flag("image", usage="Image name to run."),
    ),
)


def run_cronjob(inv: Invocation) -> int:
    def build(request: generator.Request) -> generators.Obj:
        flags = request.flags
        return generators.cronjob(
            request.name,
            request.namespace,
            flags["image"],
            flags["schedule"],
            flags["restart"],
            _command(inv),
        )

    return generator.run(inv, CRONJOB, build, required=("image", "schedule"))


cronjob = KCommand(
    "cronjob",
    run_cronjob,
    Help(
        use="cronjob NAME --image=image --schedule='0/5 * * * ?' -- [COMMAND] [args...]",
        short="Create a cron job with the specified name",
        long="Create a cron job with the specified name.",
        example="""# Create a cron job
pykctl create cronjob my-job --image=busybox --schedule="*/1 * * * *"

# Create a cron job with a command
pykctl create cronjob my-job --image=busybox --schedule="*/1 * * * *" -- date""",
        flags_in_use_line=True,
    ),
    generator.flags(
        Flag("image", usage="Image name to run."),
        Flag("restart", usage="job's restart policy. supported values: OnFailure, Never"),
        Flag("schedule", usage="A schedule in the Cron format the job should be run with."),
    ),
    aliases=["cj"],
)

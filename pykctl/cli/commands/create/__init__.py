"""``pykctl create``: objects from files (``create -f``) and the create generators.

``create`` is both a command and a group, as in kubectl: a first word naming a generator runs
it; anything else runs ``create -f`` itself (whose stray arguments are kubectl's
``Unexpected args`` usage error). Objects from files are created one by one, in file order;
a failure is reported at the end and the others are still created.
"""

from __future__ import annotations

from backends.errors import ApiError, ConnectionFailed
from pykctl.cli.command import Entry, Help, Invocation, KCommand
from pykctl.cli.commands.create import common
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags, selector_flag, validate_flag

_M = "pykctl.cli.commands.create"

HELP = Help(
    use="create -f FILENAME",
    short="Create a resource from a file or from stdin",
    long="""Create a resource from a file or from stdin.

 JSON and YAML formats are accepted.""",
    example="""# Create a pod using the data in pod.json
pykctl create -f ./pod.json

# Create a pod based on the JSON passed into stdin
cat pod.json | pykctl create -f -

# Edit the data in registry.yaml in JSON then create the resource using the edited data
pykctl create -f registry.yaml --edit -o json""",
)

FLAGS = [
    *common.printer_flags(),
    dry_run_flag(),
    Flag("edit", BOOL, usage="Edit the API resource before creating"),
    common.field_manager_flag("kubectl-create"),
    *filename_flags("Filename, directory, or URL to files to use to create the resource"),
    Flag(
        "raw",
        usage="Raw URI to POST to the server.  Uses the transport specified by the kubeconfig file.",
    ),
    common.save_config_flag(),
    selector_flag(),
    validate_flag(),
    Flag(
        "windows-line-endings",
        BOOL,
        usage="Only relevant if --edit=true. Defaults to the line ending native to your platform.",
    ),
]


def _validate_raw(inv: Invocation) -> None:
    """kubectl's checks of ``--raw`` against the other flags."""
    from urllib.parse import urlsplit

    filenames = list(inv.flags["filename"])
    if inv.flags["edit"]:
        raise CommandError("--raw and --edit are mutually exclusive")
    if len(filenames) != 1:
        raise CommandError("--raw can only use a single local file or stdin")
    if filenames[0].startswith(("http://", "https://")):
        raise CommandError("--raw cannot read from a url")
    if inv.flags["recursive"]:
        raise CommandError("--raw and --recursive are mutually exclusive")
    if inv.flags["selector"]:
        raise CommandError("--raw and --selector (-l) are mutually exclusive")
    if inv.flags["output"]:
        raise CommandError("--raw and --output are mutually exclusive")
    raw = inv.flags["raw"]
    if not raw.startswith("/") and not urlsplit(raw).scheme:
        raise CommandError(
            f'--raw must be a valid URL path: parse "{raw}": invalid URI for request'
        )


def raw_request(inv: Invocation, method: str, path: str, filename: str) -> int:
    """POST/PUT/DELETE a file's bytes to a raw API path; print the answer as it came."""
    from backends.errors import from_response

    if not filename:
        body = b""
    elif filename == "-":
        body = inv.stdin.read().encode()
    else:
        with open(filename, "rb") as f:
            body = f.read()
    with common.Cluster(inv) as cluster:
        response = cluster.session.connection.backend.request(
            method, path, None, body, {"Accept": "application/json, */*"}
        )
    if response.status >= 400:
        raise from_response(response)
    inv.stdout.write(response.body.decode(errors="replace"))
    return 0


def run_create(inv: Invocation) -> int:
    """``create -f``: create every object the files hold."""
    common.unexpected_args(inv)
    dry_run = common.dry_run_strategy(inv)
    validation = common.validation_directive(inv)
    printer = common.ResultPrinter(inv, dry_run)
    from pykctl.cli.commands.create import sources

    sources.check_filename_options(inv)
    if inv.flags["raw"]:
        _validate_raw(inv)
        return raw_request(inv, "POST", inv.flags["raw"], inv.flags["filename"][0])
    if inv.flags["edit"]:
        from pykctl.cli.commands.edit import edit_before_create

        return edit_before_create(inv, validation)
    from pykctl.ops.apply import create_or_update_annotation

    manager = str(inv.flags["field_manager"])
    with common.Cluster(inv) as cluster:
        loaded = sources.load_files(
            inv, cluster, selector=inv.flags["selector"], validation=validation
        )
        errors: list[BaseException] = []
        count = 0
        for item in loaded.items:
            if isinstance(item, BaseException):
                errors.append(item)
                continue
            obj = create_or_update_annotation(item.obj or {}, bool(inv.flags["save_config"]))
            if dry_run != common.DRY_RUN_CLIENT:
                try:
                    obj = cluster.client.create(
                        item.resource,
                        item.namespace,
                        obj,
                        common.write_query(dry_run, manager, validation),
                    )
                except (ApiError, ConnectionFailed) as err:  # reported at the end
                    errors.append(common.with_source("creating", item.source, err))
                    continue
            count += 1
            printer.print(obj, "created")
        common.raise_collected(errors)
    if count == 0:
        raise CommandError("no objects passed to create")
    return 0


create = common.RunnableGroup(
    KCommand("create", run_create, HELP, FLAGS),
    name="create",
    help=HELP,
    flags=FLAGS,
    entries=[
        Entry("clusterrole", f"{_M}.rbac:clusterrole", "Create a cluster role"),
        Entry(
            "clusterrolebinding",
            f"{_M}.rbac:clusterrolebinding",
            "Create a cluster role binding for a particular cluster role",
        ),
        Entry(
            "configmap",
            f"{_M}.data:configmap",
            "Create a config map from a local file, directory or literal value",
            aliases=("cm",),
        ),
        Entry(
            "cronjob",
            f"{_M}.workloads:cronjob",
            "Create a cron job with the specified name",
            aliases=("cj",),
        ),
        Entry(
            "deployment",
            f"{_M}.workloads:deployment",
            "Create a deployment with the specified name",
            aliases=("deploy",),
        ),
        Entry(
            "ingress",
            f"{_M}.ingress:ingress",
            "Create an ingress with the specified name",
            aliases=("ing",),
        ),
        Entry("job", f"{_M}.workloads:job", "Create a job with the specified name"),
        Entry(
            "namespace",
            f"{_M}.cluster:namespace",
            "Create a namespace with the specified name",
            aliases=("ns",),
        ),
        Entry(
            "poddisruptionbudget",
            f"{_M}.cluster:poddisruptionbudget",
            "Create a pod disruption budget with the specified name",
            aliases=("pdb",),
        ),
        Entry(
            "priorityclass",
            f"{_M}.cluster:priorityclass",
            "Create a priority class with the specified name",
            aliases=("pc",),
        ),
        Entry(
            "quota",
            f"{_M}.cluster:quota",
            "Create a quota with the specified name",
            aliases=("resourcequota",),
        ),
        Entry("role", f"{_M}.rbac:role", "Create a role with single rule"),
        Entry(
            "rolebinding",
            f"{_M}.rbac:rolebinding",
            "Create a role binding for a particular role or cluster role",
        ),
        Entry("secret", f"{_M}.data:secret", "Create a secret using a specified subcommand"),
        Entry(
            "service",
            f"{_M}.service:service",
            "Create a service using a specified subcommand",
            aliases=("svc",),
        ),
        Entry(
            "serviceaccount",
            f"{_M}.cluster:serviceaccount",
            "Create a service account with the specified name",
            aliases=("sa",),
        ),
        Entry("token", f"{_M}.token:token", "Request a service account token"),
    ],
)

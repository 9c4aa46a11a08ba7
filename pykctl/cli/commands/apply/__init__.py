"""``pykctl apply``: apply configurations (``run``) and manage the last-applied annotation
(``view-last-applied``, ``set-last-applied``, ``edit-last-applied``).

As ``create``, ``apply`` is a command and a group: a first word naming a subcommand runs it,
anything else is ``apply`` itself (whose stray arguments are an ``Unexpected args`` error).
"""

from __future__ import annotations

from pykctl.cli.command import Entry, Help, Invocation, KCommand
from pykctl.cli.commands.create import common
from pykctl.cli.commands.delete import deletion_flags
from pykctl.cli.flags import BOOL, STRING_ARRAY, Flag
from pykctl.cli.shared_flags import dry_run_flag, selector_flag, validate_flag

_M = "pykctl.cli.commands.apply.lastapplied"

HELP = Help(
    use="apply (-f FILENAME | -k DIRECTORY)",
    short="Apply a configuration to a resource by file name or stdin",
    long="""Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.

 JSON and YAML formats are accepted.

 Alpha Disclaimer: the --prune functionality is not yet complete. Do not use unless you are aware of what the current state is. See https://issues.k8s.io/34274.""",
    example="""# Apply the configuration in pod.json to a pod
pykctl apply -f ./pod.json

# Apply resources from a directory containing kustomization.yaml - e.g. dir/kustomization.yaml
pykctl apply -k dir/

# Apply the JSON passed into stdin to a pod
cat pod.json | pykctl apply -f -

# Apply the configuration from all files that end with '.json'
pykctl apply -f '*.json'

# Note: --prune is still in Alpha
# Apply the configuration in manifest.yaml that matches label app=nginx and delete all other resources that are not in the file and match label app=nginx
pykctl apply --prune -f manifest.yaml -l app=nginx

# Apply the configuration in manifest.yaml and delete all the other config maps that are not in the file
pykctl apply --prune -f manifest.yaml --all --prune-allowlist=core/v1/ConfigMap""",
)

FLAGS = [
    *deletion_flags(
        False, "The files, directories or URLs that contain the configurations to apply."
    ),
    *common.printer_flags(),
    validate_flag(),
    dry_run_flag(),
    Flag("server-side", BOOL, usage="If true, apply runs in the server instead of the client."),
    Flag(
        "force-conflicts",
        BOOL,
        usage="If true, server-side apply will force the changes against conflicts.",
    ),
    common.field_manager_flag("kubectl-client-side-apply"),
    selector_flag(),
    Flag(
        "prune-allowlist",
        STRING_ARRAY,
        usage="Overwrite the default allowlist with <group/version/kind> for --prune",
    ),
    Flag(
        "all",
        BOOL,
        usage="Select all resources in the namespace of the specified resource types.",
    ),
    Flag(
        "prune",
        BOOL,
        usage="Automatically delete resource objects, that do not appear in the configs and are created by either apply or create --save-config. Should be used with either -l or --all.",
    ),
    Flag(
        "overwrite",
        BOOL,
        default=True,
        usage="Automatically resolve conflicts between the modified and live configuration by using values from the modified configuration",
    ),
    Flag(
        "openapi-patch",
        BOOL,
        default=True,
        usage="If true, use openapi to calculate diff when the openapi presents and the resource can be found in the openapi spec. Otherwise, fall back to use baked-in types.",
    ),
    common.subresource_flag(
        "If specified, apply will operate on the subresource of the requested object.  Only allowed when using --server-side."
    ),
]


def _run(inv: Invocation) -> int:
    from pykctl.cli.commands.apply.run import run

    return run(inv)


apply = common.RunnableGroup(
    KCommand("apply", _run, HELP, FLAGS),
    name="apply",
    help=HELP,
    flags=FLAGS,
    entries=[
        Entry(
            "edit-last-applied",
            f"{_M}:edit_last_applied",
            "Edit latest last-applied-configuration annotations of a resource/object",
        ),
        Entry(
            "set-last-applied",
            f"{_M}:set_last_applied",
            "Set the last-applied-configuration annotation on a live object to match the contents of a file",
        ),
        Entry(
            "view-last-applied",
            f"{_M}:view_last_applied",
            "View the latest last-applied-configuration annotations of a resource/object",
        ),
    ],
)

"""``pykctl annotate``: update the annotations on objects.

The flags and help are annotate's own (kubectl builds them from ResourceBuilderFlags, hence the
differences from ``label``: ``-R`` defaults to true, shorter selector help); the work is
``label.run_metadata_command`` with the annotation rules of ``pykctl.ops.metadata``.
"""

from __future__ import annotations

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.label import ANNOTATE, run_metadata_command
from pykctl.cli.commands.objects import (
    field_manager_flag,
    print_flags,
)
from pykctl.cli.flags import BOOL, STRING, Flag
from pykctl.cli.shared_flags import (
    KUSTOMIZE_A,
    SIMPLE_SELECTOR_USAGE,
    dry_run_flag,
    field_selector_flag,
    filename_flags,
    selector_flag,
)


def run(inv: Invocation) -> int:
    return run_metadata_command(inv, ANNOTATE)


HELP = Help(
    use="annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]",
    short="Update the annotations on a resource",
    long="""Update the annotations on one or more resources.

 All Kubernetes objects support the ability to store additional data with the object as annotations. Annotations are key/value pairs that can be larger than labels and include arbitrary string values such as structured JSON. Tools and system extensions may use annotations to store their own data.

 Attempting to set an annotation that already exists will fail unless --overwrite is set. If --resource-version is specified and does not match the current resource version on the server the command will fail.

Use "pykctl api-resources" for a complete list of supported resources.""",
    example="""# Update pod 'foo' with the annotation 'description' and the value 'my frontend'
# If the same annotation is set multiple times, only the last value will be applied
pykctl annotate pods foo description='my frontend'

# Update a pod identified by type and name in "pod.json"
pykctl annotate -f pod.json description='my frontend'

# Update pod 'foo' with the annotation 'description' and the value 'my frontend running nginx', overwriting any existing value
pykctl annotate --overwrite pods foo description='my frontend running nginx'

# Update all pods in the namespace
pykctl annotate pods --all description='my frontend running nginx'

# Update pod 'foo' only if the resource is unchanged from version 1
pykctl annotate pods foo description='my frontend running nginx' --resource-version=1

# Update pod 'foo' by removing an annotation named 'description' if it exists
# Does not require the --overwrite flag
pykctl annotate pods foo description-""",
)

FLAGS = [
    Flag(
        "all", BOOL, usage="Select all resources in the namespace of the specified resource types"
    ),
    Flag(
        "all-namespaces",
        BOOL,
        shorthand="A",
        usage="If present, list the requested object(s) across all namespaces. Namespace in "
        "current context is ignored even if specified with --namespace.",
    ),
    dry_run_flag(),
    field_manager_flag("kubectl-annotate"),
    field_selector_flag(),
    *filename_flags(
        "identifying the resource.",
        KUSTOMIZE_A,
        recursive=True,
    ),
    Flag("list", BOOL, usage="If true, display the annotations for a given resource."),
    Flag("local", BOOL, usage="If true, annotation will NOT contact api-server but run locally."),
    Flag(
        "overwrite",
        BOOL,
        usage="If true, allow annotations to be overwritten, otherwise reject annotation "
        "updates that overwrite existing annotations.",
    ),
    Flag(
        "resource-version",
        STRING,
        usage="If non-empty, the annotation update will only succeed if this is the current "
        "resource-version for the object. Only valid when specifying a single resource.",
    ),
    selector_flag(SIMPLE_SELECTOR_USAGE),
    *print_flags(),
]

annotate = KCommand("annotate", run, HELP, FLAGS)

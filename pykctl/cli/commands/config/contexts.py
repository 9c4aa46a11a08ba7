"""Context commands: current-context, use-context, get-contexts, set-context, delete-context,
rename-context.

Names are echoed with Go's %q in the success messages (``Context "a\\"b" created.``) and raw in
the delete messages, as kubectl does. ``--context`` never changes what these commands act on.
"""

from __future__ import annotations

from backends.objects.gofmt import quote as go_quote
from pykctl.cli.command import PROGRAM, Help, Invocation, KCommand
from pykctl.cli.commands.config.common import require_args_or_help, starting_config
from pykctl.cli.errors import CommandError, RawError
from pykctl.cli.flags import BOOL, Flag
from pykctl.kubeconfig.loader import modify_config
from pykctl.printers.tabwriter import align


def run_current_context(inv: Invocation) -> int:
    _, config = starting_config(inv)
    if not config.current_context:
        raise CommandError("current-context is not set")
    inv.out(config.current_context)
    return 0


current_context = KCommand(
    "current-context",
    run_current_context,
    Help(
        use="current-context",
        short="Display the current-context",
        long="Display the current-context.",
        example="""# Display the current-context
pykctl config current-context""",
        flags_in_use_line=True,
    ),
)


def run_use_context(inv: Invocation) -> int:
    require_args_or_help(inv, 1)
    name = inv.args[0]
    if not name:
        raise CommandError("empty context names are not allowed")
    options, config = starting_config(inv)
    if name not in config.contexts:
        raise CommandError(f"no context exists with the name: {go_quote(name)}")
    config.current_context = name
    modify_config(options, config)
    inv.out(f"Switched to context {go_quote(name)}.")
    return 0


use_context = KCommand(
    "use-context",
    run_use_context,
    Help(
        use="use-context CONTEXT_NAME",
        short="Set the current-context in a kubeconfig file",
        long="Set the current-context in a kubeconfig file.",
        example="""# Use the context for the minikube cluster
pykctl config use-context minikube""",
    ),
    aliases=["use"],
)

GET_CONTEXTS_FLAGS = [
    Flag(
        "no-headers",
        BOOL,
        usage="When using the default or custom-column output format, don't print headers (default print headers).",
    ),
    Flag("output", shorthand="o", usage="Output format. One of: (name)."),
]


def run_get_contexts(inv: Invocation) -> int:
    output = inv.flags["output"]
    if output not in ("", "name"):
        raise CommandError(
            f"--output {output} is not available in {PROGRAM} config get-contexts; "
            "resetting to default output format"
        )
    _, config = starting_config(inv)
    names_only = output == "name"
    missing: list[str] = []
    if inv.args:
        found = [n for n in inv.args if n in config.contexts]
        missing = [n for n in inv.args if n not in config.contexts]
    else:
        found = list(config.contexts)
    lines = []
    if not names_only and not inv.flags["no_headers"]:
        lines.append("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n")
    for name in sorted(found):
        if names_only:
            lines.append(name + "\n")
            continue
        context = config.contexts[name]
        marker = "*" if name == config.current_context else " "
        lines.append(
            f"{marker}\t{name}\t{context.get('cluster', '')}\t{context.get('user', '')}"
            f"\t{context.get('namespace', '')}\n"
        )
    text = "".join(lines)
    inv.stdout.write(text if names_only else align(text))
    if len(missing) == 1:
        raise CommandError(f"context {missing[0]} not found")
    if missing:
        raise RawError("\n".join(f"context {n} not found" for n in missing))
    return 0


get_contexts = KCommand(
    "get-contexts",
    run_get_contexts,
    Help(
        use="get-contexts [(-o|--output=)name)]",
        short="Describe one or many contexts",
        long="Display one or many contexts from the kubeconfig file.",
        example="""# List all the contexts in your kubeconfig file
pykctl config get-contexts

# Describe one context in your kubeconfig file
pykctl config get-contexts my-context""",
    ),
    GET_CONTEXTS_FLAGS,
)

SET_CONTEXT_FLAGS = [
    Flag("cluster", usage="cluster for the context entry in kubeconfig"),
    Flag("current", BOOL, usage="Modify the current context"),
    Flag("namespace", shorthand="n", usage="namespace for the context entry in kubeconfig"),
    Flag("user", usage="user for the context entry in kubeconfig"),
]


def run_set_context(inv: Invocation) -> int:
    if len(inv.args) > 1:
        require_args_or_help(inv, 1)
    name = inv.args[0] if inv.args else ""
    current = bool(inv.flags["current"])
    if not name and not current:
        raise CommandError("you must specify a non-empty context name or --current")
    if name and current:
        raise CommandError("you cannot specify both a context name and --current")
    options, config = starting_config(inv)
    if current:
        if not config.current_context:
            raise CommandError("no current context is set")
        name = config.current_context
    exists = name in config.contexts
    context = dict(config.contexts.get(name, {}))
    for key in ("cluster", "user", "namespace"):
        if key in inv.changed:
            context[key] = inv.flags[key]
            if not context[key]:
                del context[key]
    config.contexts[name] = context
    modify_config(options, config)
    inv.out(f"Context {go_quote(name)} {'modified' if exists else 'created'}.")
    return 0


set_context = KCommand(
    "set-context",
    run_set_context,
    Help(
        use="set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace]",
        short="Set a context entry in kubeconfig",
        long="""Set a context entry in kubeconfig.

 Specifying a name that already exists will merge new fields on top of existing values for those fields.""",
        example="""# Set the user field on the gce context entry without touching other values
pykctl config set-context gce --user=cluster-admin""",
    ),
    SET_CONTEXT_FLAGS,
)


def run_delete_context(inv: Invocation) -> int:
    options, config = starting_config(inv)
    if len(inv.args) != 1:
        inv.stdout.write(inv.help_page())
        return 0
    name = inv.args[0]
    destination = options.default_file()
    if name not in config.contexts:
        raise CommandError(f"cannot delete context {name}, not in {destination}")
    if config.current_context == name:
        inv.err(
            'warning: this removed your active context, use "pykctl config use-context" '
            "to select a different one"
        )
        inv.stderr.flush()
    del config.contexts[name]
    modify_config(options, config)
    inv.out(f"deleted context {name} from {destination}")
    return 0


delete_context = KCommand(
    "delete-context",
    run_delete_context,
    Help(
        use="delete-context NAME",
        short="Delete the specified context from the kubeconfig",
        long="Delete the specified context from the kubeconfig.",
        example="""# Delete the context for the minikube cluster
pykctl config delete-context minikube""",
    ),
)


def run_rename_context(inv: Invocation) -> int:
    require_args_or_help(inv, 2)
    old, new = inv.args
    if not new:
        raise CommandError("You must specify a new non-empty context name")
    options, config = starting_config(inv)
    destination = options.default_file()
    if old not in config.contexts:
        raise CommandError(f"cannot rename the context {go_quote(old)}, it's not in {destination}")
    if new in config.contexts:
        raise CommandError(
            f"cannot rename the context {go_quote(old)}, the context {go_quote(new)} "
            f"already exists in {destination}"
        )
    config.contexts[new] = config.contexts.pop(old)
    origin = config.origins.pop(("contexts", old), "")
    if origin:
        config.origins[("contexts", new)] = origin
    if config.current_context == old:
        config.current_context = new
    modify_config(options, config)
    inv.out(f"Context {go_quote(old)} renamed to {go_quote(new)}.")
    return 0


rename_context = KCommand(
    "rename-context",
    run_rename_context,
    Help(
        use="rename-context CONTEXT_NAME NEW_NAME",
        short="Rename a context from the kubeconfig file",
        long="""Renames a context from the kubeconfig file.

 CONTEXT_NAME is the context name that you want to change.

 NEW_NAME is the new name you want to set.

 Note: If the context being renamed is the 'current-context', this field will also be updated.""",
        example="""# Rename the context 'old-name' to 'new-name' in your kubeconfig file
pykctl config rename-context old-name new-name""",
    ),
)

"""``pykctl config view``: the merged kubeconfig, minified, flattened or redacted.

Pipeline, as kubectl's: load → ``--minify`` (``--context`` first replaces current-context) →
``--flatten`` (inline referenced files) or, without ``--raw``, redaction (tokens and passwords
become ``REDACTED``, certificate data ``DATA+OMITTED``) → print. Files are never written.
"""

from __future__ import annotations

import base64
import os

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.config.common import go_list, paths
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag
from pykctl.kubeconfig import files, schema
from pykctl.kubeconfig.model import Config, Section
from pykctl.printers.output import PRINT_FORMATS, OutputError, parse_output_format, render

FLAGS = [
    Flag(
        "allow-missing-template-keys",
        BOOL,
        default=True,
        usage="If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.",
    ),
    Flag(
        "flatten",
        BOOL,
        usage="Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)",
    ),
    Flag("merge", BOOL, default=True, usage="Merge the full hierarchy of kubeconfig files"),
    Flag(
        "minify", BOOL, usage="Remove all information not used by current-context from the output"
    ),
    Flag(
        "output",
        shorthand="o",
        default="yaml",
        usage=f"Output format. One of: ({', '.join(PRINT_FORMATS)}).",
    ),
    Flag("raw", BOOL, usage="Display raw byte data and sensitive data"),
    Flag(
        "show-managed-fields",
        BOOL,
        usage="If true, keep the managedFields when printing objects in JSON or YAML format.",
    ),
    Flag(
        "template",
        usage="Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].",
    ),
]

REDACTED = "REDACTED"
DATA_OMITTED = base64.b64decode("DATA+OMITTED")  # encodes back to the text DATA+OMITTED


def minify(config: Config) -> None:
    """Keep only the current context and its cluster and user (client-go's MinifyConfig)."""
    name = config.current_context
    if not name:
        raise CommandError("current-context must exist in order to minify")
    context = config.contexts.get(name)
    if context is None:
        raise CommandError(f"cannot locate context {name}")
    clusters, users = {}, {}
    cluster, user = context.get("cluster", ""), context.get("user", "")
    if cluster:
        if cluster not in config.clusters:
            raise CommandError(f"cannot locate cluster {cluster}")
        clusters[cluster] = config.clusters[cluster]
    if user:
        if user not in config.users:
            raise CommandError(f"cannot locate user {user}")
        users[user] = config.users[user]
    config.contexts = {name: context}
    config.clusters = clusters
    config.users = users


def _inline(entry: dict[str, object], key: str, base: str) -> None:
    path = entry.get(key)
    if not path:
        return
    if entry.get(f"{key}-data"):
        raise CommandError("cannot have values for both path and contents")
    assert isinstance(path, str)
    absolute = path if os.path.isabs(path) else os.path.join(base, path)
    try:
        with open(absolute, "rb") as f:
            entry[f"{key}-data"] = f.read()
    except OSError as err:
        raise CommandError(f"open {absolute}: {(err.strerror or '').lower()}") from None
    del entry[key]


def flatten(config: Config) -> None:
    """Replace referenced certificate files by their content (client-go's FlattenConfig)."""
    plan: list[tuple[Section, tuple[str, ...]]] = [
        ("users", ("client-certificate", "client-key")),
        ("clusters", ("certificate-authority",)),
    ]
    for section, keys in plan:
        entries = config.section(section)
        for name in sorted(entries):
            entry = dict(entries[name])
            origin = config.origins.get((section, name), "")
            base = os.path.abspath(os.path.dirname(origin))
            for key in keys:
                _inline(entry, key, base)
            entries[name] = entry


def redact(config: Config) -> None:
    """kubectl's ShortenConfig: secrets and certificate data are replaced by markers."""
    for name, user in list(config.users.items()):
        user = dict(user)
        for key in ("client-key-data", "client-certificate-data"):
            if user.get(key):
                user[key] = DATA_OMITTED
        for key in ("token", "password"):
            if user.get(key):
                user[key] = REDACTED
        config.users[name] = user
    for name, cluster in list(config.clusters.items()):
        if cluster.get("certificate-authority-data"):
            config.clusters[name] = {**cluster, "certificate-authority-data": DATA_OMITTED}


def load(inv: Invocation) -> Config:
    options = paths(inv)
    if inv.flags["merge"]:
        return options.load()
    if not options.explicit:
        raise CommandError("if merge==false a precise file must be specified")
    try:
        return files.load_file(options.explicit)
    except FileNotFoundError:
        raise CommandError(f"open {options.explicit}: no such file or directory") from None


def run(inv: Invocation) -> int:
    if inv.args:
        raise inv.usage_error(f"unexpected arguments: {go_list(inv.args)}")
    try:
        fmt = parse_output_format(inv.flags["output"], inv.flags["template"], PRINT_FORMATS)
    except OutputError as err:
        raise CommandError(str(err)) from None
    config = load(inv)
    if inv.flags["minify"]:
        if inv.globals.context:
            config.current_context = inv.globals.context
        minify(config)
    if inv.flags["flatten"]:
        flatten(config)
    elif not inv.flags["raw"]:
        redact(config)
    document = schema.encode_config(config.to_internal())
    if fmt.kind == "name":
        inv.out("config/<unknown>")
        return 0
    try:
        text = render(
            document,
            fmt,
            allow_missing_keys=inv.flags["allow_missing_template_keys"],
            sort_keys=False,
        )
    except OutputError as err:
        raise CommandError(str(err)) from None
    inv.stdout.write(text)
    return 0


view = KCommand(
    "view",
    run,
    Help(
        use="view",
        short="Display merged kubeconfig settings or a specified kubeconfig file",
        long="""Display merged kubeconfig settings or a specified kubeconfig file.

 You can use --output jsonpath={...} to extract specific values using a jsonpath expression.""",
        example="""# Show merged kubeconfig settings
pykctl config view

# Show merged kubeconfig settings, raw certificate data, and exposed secrets
pykctl config view --raw

# Get the password for the e2e user
pykctl config view -o jsonpath='{.users[?(@.name == "e2e")].user.password}'""",
        flags_in_use_line=True,
    ),
    FLAGS,
)

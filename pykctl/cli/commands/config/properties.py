"""``pykctl config set`` and ``unset``: change one property addressed by a dotted path.

The path walks client-go's *internal* Config, whose field names differ slightly from the file's
(``act-as`` for ``as``; ``-`` is the file an entry lives in). A map key (a cluster, user or
context name) runs up to the next segment that is a field name of the entry, so names with dots
work (``clusters.10.0.0.1.server``). Where kubectl crashes (paths into ``extensions``, setting
``exec`` to a string) pykctl reports an error instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backends.objects.gofmt import quote
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.config.common import require_args_or_help, starting_config
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag, parse_bool
from pykctl.kubeconfig.loader import modify_config
from pykctl.kubeconfig.model import Config, Section
from pykctl.kubeconfig.schema import DecodeError, go_base64_decode

# Field types of the internal Config.
STRING, BOOL_FIELD, BYTES, STRINGS, STRINGS_MAP, POINTER, EXTENSIONS, ORIGIN = (
    "string",
    "bool",
    "bytes",
    "[]string",
    "map[string][]string",
    "pointer",
    "extensions",
    "origin",
)
STRUCTS: dict[str, dict[str, str]] = {
    "Config": {
        "kind": STRING,
        "apiVersion": STRING,
        "preferences": "struct:Preferences",
        "clusters": "map:Cluster",
        "users": "map:AuthInfo",
        "contexts": "map:Context",
        "current-context": STRING,
        "extensions": EXTENSIONS,
    },
    "Preferences": {"colors": BOOL_FIELD, "extensions": EXTENSIONS},
    "Cluster": {
        "-": ORIGIN,
        "server": STRING,
        "tls-server-name": STRING,
        "insecure-skip-tls-verify": BOOL_FIELD,
        "certificate-authority": STRING,
        "certificate-authority-data": BYTES,
        "proxy-url": STRING,
        "disable-compression": BOOL_FIELD,
        "extensions": EXTENSIONS,
    },
    "AuthInfo": {
        "-": ORIGIN,
        "client-certificate": STRING,
        "client-certificate-data": BYTES,
        "client-key": STRING,
        "client-key-data": BYTES,
        "token": STRING,
        "tokenFile": STRING,
        "act-as": STRING,
        "act-as-uid": STRING,
        "act-as-groups": STRINGS,
        "act-as-user-extra": STRINGS_MAP,
        "username": STRING,
        "password": STRING,
        "auth-provider": POINTER,
        "exec": POINTER,
        "extensions": EXTENSIONS,
    },
    "Context": {
        "-": ORIGIN,
        "cluster": STRING,
        "user": STRING,
        "namespace": STRING,
        "extensions": EXTENSIONS,
    },
}
# Internal field names that the file spells differently.
FILE_NAMES = {
    "act-as": "as",
    "act-as-uid": "as-uid",
    "act-as-groups": "as-groups",
    "act-as-user-extra": "as-user-extra",
}
SECTION_OF = {"clusters": "clusters", "users": "users", "contexts": "contexts"}


@dataclass(frozen=True)
class Step:
    """One segment of a property path and the type it leads to."""

    name: str
    type: str


def parse_path(path: str) -> list[Step]:
    """Split a property path into steps (kubectl's navigation step parser)."""
    parts = path.split(".")
    steps: list[Step] = []
    current = "struct:Config"
    i = 0
    while i < len(parts):
        kind, _, struct = current.partition(":")
        if kind == "map":
            options = STRUCTS[struct]
            rest = parts[i + 1 :]
            count = next((j + 1 for j, part in enumerate(rest) if part in options), len(parts) - i)
            steps.append(Step(".".join(parts[i : i + count]), f"struct:{struct}"))
            i += count
            current = f"struct:{struct}"
        elif kind == "struct":
            options = STRUCTS[struct]
            if parts[i] not in options:
                listed = " ".join(f"{{{s.name} {s.type}}}" for s in steps)
                raise CommandError(f"unable to parse {path} after [{listed}] at api.{struct}")
            steps.append(Step(parts[i], options[parts[i]]))
            current = options[parts[i]]
            i += 1
        elif kind == STRINGS_MAP:
            raise CommandError("string is not of type struct")
        else:
            raise CommandError(f"unable to parse one or more field values of {path}")
    return steps


def _map_text(entries: dict[str, Any]) -> str:
    """Go's %v of a map of pointers (the addresses differ on every run, as in kubectl)."""
    return (
        "map["
        + " ".join(f"{name}:0x{id(value):x}" for name, value in sorted(entries.items()))
        + "]"
    )


def _convert(field_type: str, value: str, raw_bytes: bool) -> Any:
    if field_type == BOOL_FIELD:
        try:
            return parse_bool(value)
        except ValueError as err:
            raise CommandError(str(err)) from None
    if field_type == BYTES:
        if raw_bytes:
            return value.encode()
        try:
            return go_base64_decode(value)
        except DecodeError as err:
            raise CommandError(f"error decoding input value: {err}") from None
    if field_type == STRINGS:
        raise CommandError("unrecognized slice type. string")
    if field_type == POINTER:
        raise CommandError("unrecognized type: <nil>")
    return value


def _set_leaf(holder: dict[str, Any], step: Step, value: str | None, raw_bytes: bool) -> None:
    """Set (value) or unset (None) one field of an entry or of the preferences."""
    key = FILE_NAMES.get(step.name, step.name)
    if value is None:
        holder.pop(key, None)
        return
    if step.type in (STRINGS_MAP, EXTENSIONS):
        current = holder.get(key) or {}
        raise CommandError(f"can't set a map to a value: {_map_text(current)}")
    converted = _convert(step.type, value, raw_bytes)
    if converted in ("", False, b""):
        holder.pop(key, None)
    else:
        holder[key] = converted


def apply(config: Config, steps: list[Step], value: str | None, raw_bytes: bool = False) -> None:
    """Set ``value`` at ``steps`` (``None`` unsets), as kubectl's modifyConfig does."""
    first = steps[0]
    if first.name in ("kind", "apiVersion"):
        return  # accepted, but never written to a file
    if first.name == "current-context":
        config.current_context = value or ""
        return
    if first.name == "extensions":
        if value is not None:
            raise CommandError(f"can't set a map to a value: {_map_text(config.extensions)}")
        config.extensions = {}
        return
    if first.name == "preferences":
        if len(steps) == 1:
            if value is not None:
                colors = "true" if config.preferences.get("colors") else "false"
                raise CommandError(
                    'unable to locate path config.navigationStep{stepValue:"", '
                    f"stepType:reflect.Type(nil)}} under {{{colors} map[]}}"
                )
            config.preferences = {}
            return
        preferences = dict(config.preferences)
        _set_leaf(preferences, steps[1], value, raw_bytes)
        config.preferences = preferences
        return
    section: Section = SECTION_OF[first.name]  # type: ignore[assignment]
    entries = config.section(section)
    if len(steps) <= 2 and value is not None:
        raise CommandError(f"can't set a map to a value: {_map_text(entries)}")
    if len(steps) == 1:
        entries.clear()
        return
    name = steps[1].name
    if len(steps) == 2:
        entries.pop(name, None)
        return
    if name not in entries:
        if value is None:
            raise CommandError(f"current map key `{name}` is invalid")
        entries[name] = {}
    field = steps[2]
    if field.type == ORIGIN:
        if value:
            config.origins[(section, name)] = value
        else:
            config.origins.pop((section, name), None)
        return
    entry = dict(entries[name])
    _set_leaf(entry, field, value, raw_bytes)
    entries[name] = entry


def run_set(inv: Invocation) -> int:
    require_args_or_help(inv, 2)
    path, value = inv.args
    if not value:
        raise CommandError("you cannot use set to unset a property")
    if not path:
        raise CommandError("you must specify a property")
    options, config = starting_config(inv)
    apply(config, parse_path(path), value, raw_bytes=inv.flags["set_raw_bytes"])
    modify_config(options, config, relativize=False)
    inv.out(f"Property {quote(path)} set.")
    return 0


def run_unset(inv: Invocation) -> int:
    require_args_or_help(inv, 1)
    path = inv.args[0]
    if not path:
        raise CommandError("you must specify a property")
    options, config = starting_config(inv)
    apply(config, parse_path(path), None)
    modify_config(options, config, relativize=False)
    inv.out(f"Property {quote(path)} unset.")
    return 0


set_property = KCommand(
    "set",
    run_set,
    Help(
        use="set PROPERTY_NAME PROPERTY_VALUE",
        short="Set an individual value in a kubeconfig file",
        long="""Set an individual value in a kubeconfig file.

 PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.

 PROPERTY_VALUE is the new value you want to set. Binary fields such as 'certificate-authority-data' expect a base64 encoded string unless the --set-raw-bytes flag is used.

 Specifying an attribute name that already exists will merge new fields on top of existing values.""",
        example="""# Set the server field on the my-cluster cluster to https://1.2.3.4
pykctl config set clusters.my-cluster.server https://1.2.3.4

# Set the certificate-authority-data field on the my-cluster cluster
pykctl config set clusters.my-cluster.certificate-authority-data $(echo "cert_data_here" | base64 -i -)

# Set the cluster field in the my-context context to my-cluster
pykctl config set contexts.my-context.cluster my-cluster

# Set the client-key-data field in the cluster-admin user using --set-raw-bytes option
pykctl config set users.cluster-admin.client-key-data cert_data_here --set-raw-bytes=true""",
    ),
    [
        Flag(
            "set-raw-bytes",
            BOOL,
            usage="When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding.",
        )
    ],
)

unset_property = KCommand(
    "unset",
    run_unset,
    Help(
        use="unset PROPERTY_NAME",
        short="Unset an individual value in a kubeconfig file",
        long="""Unset an individual value in a kubeconfig file.

 PROPERTY_NAME is a dot delimited name where each token represents either an attribute name or a map key.  Map keys may not contain dots.""",
        example="""# Unset the current-context
pykctl config unset current-context

# Unset namespace in foo context
pykctl config unset contexts.foo.namespace""",
    ),
)

"""``pykctl set env``: add, change, remove or list the environment variables of containers in
pods and pod templates.

As kubectl's EnvOptions: resource arguments come first, then ``KEY=VALUE`` and ``KEY-``
(``-e`` adds more; ``-e -`` reads ``KEY=VALUE`` lines from stdin, ``#`` starting a comment);
``--from=configmap/NAME|secret/NAME`` adds one ``valueFrom`` variable per key (``--keys``
filters them; a key that is not a valid variable name is upper-cased with ``_`` for the
other characters, with kubectl's ``Warning: key a-b transferred to A_B``), ``--prefix``
prefixes every new variable. ``-c`` picks containers by wildcard (init containers too);
``--list`` prints each selected container's environment (after the changes, which are then
not sent), resolving references with ``--resolve``. The edit and its patch follow
:mod:`pykctl.cli.commands.set.common`.

Invariant: checks run in kubectl's order — argument split, flags, variable parsing, the
``--from`` object, then the objects to change.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TextIO

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    ObjectPrinter,
    dry_run_strategy,
    field_manager_flag,
    open_targets,
    print_flags,
)
from pykctl.cli.commands.rollout.common import finish
from pykctl.cli.commands.set.common import (
    ALL_WITH_SELECTOR,
    RESOURCES_REQUIRED,
    ObjectError,
    Patcher,
    check_local_dry_run,
    pod_spec,
    read_infos,
    require,
    select_containers,
    target_spec,
)
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, STRING, STRING_ARRAY, STRING_SLICE, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags, selector_flag

if TYPE_CHECKING:
    from pykctl.client import Client

Obj = dict[str, Any]
_ENV_ARGUMENT = re.compile(r"(?s).+=.*")
_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_]")


def split_arguments(args: list[str]) -> tuple[list[str], list[str]]:
    """Resources, then variables (``K=V`` or ``K-``): kubectl's SplitEnvironmentFromResources."""
    resources: list[str] = []
    changes: list[str] = []
    for arg in args:
        is_env = bool(_ENV_ARGUMENT.fullmatch(arg)) or arg.endswith("-")
        if is_env:
            changes.append(arg)
        elif changes:
            raise CommandError(
                "all resources must be specified before environment changes: " + " ".join(args)
            )
        else:
            resources.append(arg)
    return resources, changes


def _read_env(stdin: TextIO) -> list[Obj]:
    """``KEY=VALUE`` lines (Go's line scanner: ``\n`` ends a line, a ``\r`` before it is dropped)."""
    found: list[Obj] = []
    for line in stdin.read().split("\n"):
        line = line.removesuffix("\r").partition("#")[0]
        name, eq, value = line.partition("=")
        if eq:
            found.append({"name": name, "value": value})
    return found


def parse_env(specs: list[str], stdin: TextIO) -> tuple[list[Obj], list[str]]:
    """The variables to set and the names to remove (kubectl's ParseEnv)."""
    from backends.objects.gofmt import quote
    from pykctl.ops.generators import env_var_name_errors

    env: list[Obj] = []
    remove: list[str] = []
    for spec in specs:
        if spec == "-":
            env.extend(_read_env(stdin))
        elif "=" in spec:
            name, _, value = spec.partition("=")
            errors = env_var_name_errors(name)
            if errors:
                raise CommandError(f"{quote(name)} is not a valid key name: {';'.join(errors)}")
            env.append({"name": name, "value": value})
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise CommandError(f"unknown environment variable: {spec}")
    literal = {spec.partition("=")[0] for spec in specs if spec != "-" and "=" in spec}
    if any(name in literal for name in remove):
        raise CommandError(
            "can not both modify and remove the same environment variable in the same command"
        )
    return env, remove


def update_env(existing: list[Obj], env: list[Obj], remove: list[str]) -> list[Obj]:
    """kubectl's updateEnv: replace in place, drop removed, append new (first wins)."""
    covered = set(remove)
    by_name: dict[str, Obj] = {}
    for item in env:
        by_name.setdefault(item["name"], item)
    out: list[Obj] = []
    for item in existing:
        name = item.get("name")
        if name in covered:
            continue
        if name in by_name:
            covered.add(str(name))
            out.append(by_name[str(name)])
            continue
        out.append(item)
    for item in env:
        if item["name"] not in covered:
            covered.add(item["name"])
            out.append(item)
    return out


def _env_name(key: str, stderr: TextIO) -> str:
    name = _INVALID_NAME_CHARS.sub("_", key).upper()
    if name != key:
        stderr.write(f"Warning: key {key} transferred to {name}\n")
    return name


def env_from(obj: Obj, keys: list[str], stderr: TextIO) -> list[Obj]:
    """One ``valueFrom`` variable per key of a ConfigMap or Secret (``keys`` filters)."""
    kind = obj.get("kind")
    if str(obj.get("apiVersion")) != "v1" or kind not in ("ConfigMap", "Secret"):
        raise CommandError("unsupported resource specified in --from")
    ref = "configMapKeyRef" if kind == "ConfigMap" else "secretKeyRef"
    name = (obj.get("metadata") or {}).get("name", "")
    return [
        {"name": _env_name(key, stderr), "valueFrom": {ref: {"key": key, "name": name}}}
        for key in sorted(obj.get("data") or {})
        if not keys or key in keys
    ]


def ref_text(source: Obj) -> str:
    """kubectl's GetEnvVarRefString."""
    if "configMapKeyRef" in source:
        ref = source["configMapKeyRef"]
        return f"configmap {ref.get('name', '')}, key {ref.get('key', '')}"
    if "secretKeyRef" in source:
        ref = source["secretKeyRef"]
        return f"secret {ref.get('name', '')}, key {ref.get('key', '')}"
    if "fieldRef" in source:
        return f"field path {source['fieldRef'].get('fieldPath', '')}"
    if "resourceFieldRef" in source:
        ref = source["resourceFieldRef"]
        prefix = f"{ref['containerName']}/" if ref.get("containerName") else ""
        return f"resource field {prefix}{ref.get('resource', '')}"
    return "invalid valueFrom"


class Resolver:
    """Reads the ConfigMaps and Secrets that ``--resolve`` looks up (each once per container)."""

    def __init__(self, client: Client, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self.cache: dict[tuple[str, str], Obj] = {}

    def _data(self, plural: str, name: str) -> dict[str, str]:
        from pykctl.resources.discovery import Resource

        key = (plural, name)
        if key not in self.cache:
            kind = "Secret" if plural == "secrets" else "ConfigMap"
            resource = Resource("", "v1", plural, kind.lower(), kind, True)
            self.cache[key] = self.client.get(resource, self.namespace, name)
        return dict(self.cache[key].get("data") or {})

    def value(self, source: Obj, obj: Obj) -> str:
        """The value of a reference; an ApiError or ValueError says why not."""
        import base64

        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            data = self._data("secrets", ref.get("name", ""))
            if ref.get("key") not in data:
                raise ValueError(f"key {ref.get('key')} not found in secret {ref.get('name')}")
            return base64.b64decode(data[ref["key"]]).decode(errors="replace")
        if "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            data = self._data("configmaps", ref.get("name", ""))
            if ref.get("key") not in data:
                raise ValueError(f"key {ref.get('key')} not found in config map {ref.get('name')}")
            return str(data[ref["key"]])
        if "fieldRef" in source:
            return _field_value(obj, str(source["fieldRef"].get("fieldPath", "")))
        raise ValueError("invalid valueFrom")


def _field_value(obj: Obj, path: str) -> str:
    metadata = obj.get("metadata") or {}
    simple = {
        "metadata.name": "name",
        "metadata.namespace": "namespace",
        "metadata.uid": "uid",
    }
    if path in simple:
        return str(metadata.get(simple[path], ""))
    if path in ("metadata.labels", "metadata.annotations"):
        from backends.objects.gofmt import quote

        values = metadata.get(path.partition(".")[2]) or {}
        return "\n".join(f"{k}={quote(str(v))}" for k, v in sorted(values.items()))
    raise ValueError(f"unsupported fieldPath: {path}")


class EnvRun:
    """One ``set env`` command line (kubectl's EnvOptions.RunEnv)."""

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        flags = inv.flags
        self.local: bool = flags["local"]
        self.selector: str = flags["containers"]
        self.listing: bool = flags["list"]
        if flags["all"] and flags["selector"]:
            raise CommandError(ALL_WITH_SELECTOR)
        self.resources, self.changes = split_arguments(list(inv.args))
        self.dry_run = dry_run_strategy(inv)
        self.printer = ObjectPrinter.from_flags(inv, self.dry_run).check()
        require(
            [
                *check_local_dry_run(self.local, self.dry_run),
                *([RESOURCES_REQUIRED] if not flags["filename"] and not self.resources else []),
                *(
                    ["--list and --output may not be specified together"]
                    if self.listing and flags["output"]
                    else []
                ),
                *(
                    ["when specifying --keys, a configmap or secret must be provided with --from"]
                    if flags["keys"] and not flags["from"]
                    else []
                ),
            ]
        )
        self.env, self.remove = parse_env([*flags["env"], *self.changes], inv.stdin)
        self.resolver: Resolver | None = None

    def run(self) -> int:
        flags = self.inv.flags
        if flags["from"]:
            spec = target_spec(self.inv, [] if self.local else [flags["from"]], self.local)
            with open_targets(self.inv, spec) as targets:
                for info in read_infos(targets):
                    self.env.extend(env_from(info.obj or {}, flags["keys"], self.inv.stderr))
        if flags["prefix"]:
            self.env = [{**e, "name": flags["prefix"] + e["name"]} for e in self.env]
        patcher = Patcher(
            self.inv,
            self.printer,
            self.dry_run,
            self.local,
            "env updated",
            "failed to patch env update to pod template: ",
        )
        spec = target_spec(self.inv, [] if self.local else self.resources, self.local)
        with open_targets(self.inv, spec) as targets:
            infos = read_infos(targets)
            if self.listing and flags["resolve"] and not self.local:
                self.resolver = Resolver(targets.client, targets.namespace)
            edits = patcher.edits(infos, self.edit)
            if self.listing:
                return 0
            patcher.send(targets, edits)
        finish(patcher.errors)
        return 0

    def edit(self, obj: Obj) -> Obj | None:
        """The object with the variables changed in every selected container."""
        spec = pod_spec(obj)
        containers = select_containers(spec, self.selector)
        kind = str(obj.get("kind") or "")
        name = str((obj.get("metadata") or {}).get("name") or "")
        if not containers:
            from backends.objects.gofmt import quote

            self.inv.stderr.write(
                f"Warning: {kind}/{name} does not have any containers matching "
                f"{quote(self.selector)}\n"
            )
            return obj
        failed = False
        for container in containers:
            if not self.inv.flags["overwrite"]:
                _refuse_overwrite(container.get("env") or [], self.env)
            updated = update_env(container.get("env") or [], self.env, self.remove)
            if updated:
                container["env"] = updated
            else:
                container.pop("env", None)
            if self.listing:
                failed = self._list(obj, kind, name, container) or failed
        if failed:
            raise ObjectError("failed to retrieve valueFrom references")
        return obj

    def _list(self, obj: Obj, kind: str, name: str, container: Obj) -> bool:
        """Print one container's environment; whether a reference could not be resolved."""
        from backends.errors import ApiError

        out = self.inv.stdout
        out.write(f"# {kind} {name}, container {container.get('name', '')}\n")
        problems: dict[str, list[str]] = {}
        for item in container.get("env") or []:
            source = item.get("valueFrom")
            if source is None:
                out.write(f"{item.get('name', '')}={item.get('value', '')}\n")
                continue
            if self.resolver is None:
                out.write(f"# {item.get('name', '')} from {ref_text(source)}\n")
                continue
            try:
                out.write(f"{item.get('name', '')}={self.resolver.value(source, obj)}\n")
            except (ApiError, ValueError) as err:
                out.write(f"# {item.get('name', '')} from {ref_text(source)}\n")
                text = err.message if isinstance(err, ApiError) else str(err)
                problems.setdefault(text, []).append(str(item.get("name", "")))
        lines = sorted(
            f"error retrieving reference for {', '.join(sorted(names))}: {text}"
            for text, names in problems.items()
        )
        for line in lines:
            self.inv.stderr.write(line + "\n")
        return bool(problems)


def _refuse_overwrite(existing: list[Obj], env: list[Obj]) -> None:
    for item in env:
        current = next((e for e in existing if e.get("name") == item["name"]), None)
        if current is not None and current.get("value", "") != item.get("value", ""):
            raise ObjectError(
                f"'{current.get('name')}' already has a value ({current.get('value', '')}), "
                "and --overwrite is false"
            )


def run(inv: Invocation) -> int:
    return EnvRun(inv).run()


HELP = Help(
    use="env RESOURCE/NAME KEY_1=VAL_1 ... KEY_N=VAL_N",
    short="Update environment variables on a pod template",
    long="""Update environment variables on a pod template.

 List environment variable definitions in one or more pods, pod templates. Add, update, or remove container environment variable definitions in one or more pod templates (within replication controllers or deployment configurations). View or modify the environment variable definitions on all containers in the specified pods or pod templates, or just those that match a wildcard.

 If "--env -" is passed, environment variables can be read from STDIN using the standard env syntax.

 Possible resources include (case insensitive):

        pod (po), replicationcontroller (rc), deployment (deploy), daemonset (ds), statefulset (sts), cronjob (cj), replicaset (rs)""",
    example="""# Update deployment 'registry' with a new environment variable
pykctl set env deployment/registry STORAGE_DIR=/local

# List the environment variables defined on a deployments 'sample-build'
pykctl set env deployment/sample-build --list

# List the environment variables defined on all pods
pykctl set env pods --all --list

# Output modified deployment in YAML, and does not alter the object on the server
pykctl set env deployment/sample-build STORAGE_DIR=/data -o yaml

# Update all containers in all replication controllers in the project to have ENV=prod
pykctl set env rc --all ENV=prod

# Import environment from a secret
pykctl set env --from=secret/mysecret deployment/myapp

# Import environment from a config map with a prefix
pykctl set env --from=configmap/myconfigmap --prefix=MYSQL_ deployment/myapp

# Import specific keys from a config map
pykctl set env --keys=my-example-key --from=configmap/myconfigmap deployment/myapp

# Remove the environment variable ENV from container 'c1' in all deployment configs
pykctl set env deployments --all --containers="c1" ENV-

# Remove the environment variable ENV from a deployment definition on disk and
# update the deployment config on the server
pykctl set env -f deploy.json ENV-

# Set some of the local shell environment into a deployment config on the server
env | grep RAILS_ | pykctl set env -e - deployment/registry""",
)

FLAGS = [
    Flag(
        "all",
        BOOL,
        usage="If true, select all resources in the namespace of the specified resource types",
    ),
    Flag(
        "containers",
        STRING,
        default="*",
        shorthand="c",
        usage="The names of containers in the selected pod templates to change - may use wildcards",
    ),
    dry_run_flag(),
    Flag(
        "env",
        STRING_ARRAY,
        shorthand="e",
        usage="Specify a key-value pair for an environment variable to set into each container.",
    ),
    field_manager_flag("kubectl-set"),
    *filename_flags("Filename, directory, or URL to files the resource to update the env"),
    Flag("from", STRING, usage="The name of a resource from which to inject environment variables"),
    Flag(
        "keys", STRING_SLICE, usage="Comma-separated list of keys to import from specified resource"
    ),
    Flag(
        "list",
        BOOL,
        usage="If true, display the environment and any changes in the standard format. this "
        "flag will removed when we have pykctl view env.",
    ),
    Flag("local", BOOL, usage="If true, set env will NOT contact api-server but run locally."),
    Flag(
        "overwrite",
        BOOL,
        default=True,
        usage="If true, allow environment to be overwritten, otherwise reject updates that "
        "overwrite existing environment.",
    ),
    Flag("prefix", STRING, usage="Prefix to append to variable names"),
    Flag(
        "resolve",
        BOOL,
        usage="If true, show secret or configmap references when listing variables",
    ),
    selector_flag(),
    *print_flags(),
]

env = KCommand("env", run, HELP, FLAGS)

"""Which kubeconfig files are read, how they merge, and where changes are written.

The rules are client-go's (``kubectl config --help`` states them):

1. ``--kubeconfig F``: only F.
2. otherwise ``$KUBECONFIG``, a list split on ``os.pathsep`` (duplicates and empty entries
   dropped); missing files are skipped. The first file to set a cluster, user, context or
   extension name wins the whole entry; the first non-empty ``current-context`` wins.
3. otherwise ``~/.kube/config``.

Changes (``modify_config``) go back to the file each entry came from; new entries and a new
``current-context`` go to the default file: the explicit file, the only $KUBECONFIG entry, the
first $KUBECONFIG file that exists, or else the last one listed. All files are locked while a
change is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pykctl.kubeconfig import files
from pykctl.kubeconfig.errors import KubeconfigError
from pykctl.kubeconfig.model import SECTION_NAMES, Config, Entry, Section


def home_file() -> str:
    """``$HOME/.kube/config``."""
    return os.path.join(os.path.expanduser("~"), ".kube", "config")


def _migrate_legacy_home_file(target: str) -> None:
    """client-go copies ``~/.kube/.kubeconfig`` to ``~/.kube/config`` when only the former
    exists, on every load, whichever files are in play."""
    legacy = os.path.join(os.path.dirname(target), ".kubeconfig")
    if os.path.exists(target) or not os.path.isfile(legacy):
        return
    with open(legacy, "rb") as src:
        data = src.read()
    with open(target, "wb") as dst:
        dst.write(data)


@dataclass(frozen=True)
class PathOptions:
    """The kubeconfig files in play for one command (client-go's PathOptions)."""

    explicit: str = ""
    env_files: tuple[str, ...] = ()
    global_file: str = ""

    @classmethod
    def from_environment(cls, explicit: str = "", env: dict[str, str] | None = None) -> PathOptions:
        value = os.environ.get("KUBECONFIG", "") if env is None else env.get("KUBECONFIG", "")
        entries: list[str] = []
        for entry in value.split(os.pathsep):
            if entry and entry not in entries:
                entries.append(entry)
        return cls(explicit=explicit, env_files=tuple(entries), global_file=home_file())

    def precedence(self) -> list[str]:
        """The files read, highest priority first."""
        if self.explicit:
            return [self.explicit]
        if self.env_files:
            return list(self.env_files)
        return [self.global_file]

    def default_file(self) -> str:
        """Where new entries and current-context are written."""
        if self.explicit:
            return self.explicit
        if self.env_files:
            if len(self.env_files) == 1:
                return self.env_files[0]
            for path in self.env_files:
                if os.path.exists(path):
                    return path
            return self.env_files[-1]
        return self.global_file

    def load(self) -> Config:
        """The merged config (client-go's RawConfig via GetStartingConfig).

        A missing explicit file or missing files in the list give an empty config; a broken
        file raises KubeconfigError (all broken files are reported, as an aggregate).
        """
        _migrate_legacy_home_file(self.global_file)
        configs: list[Config] = []
        errors: list[str] = []
        for path in self.precedence():
            try:
                configs.append(files.load_file(path))
            except FileNotFoundError:
                continue
            except IsADirectoryError:
                errors.append(f'error loading config file "{path}": read {path}: is a directory')
            except KubeconfigError as err:
                errors.append(str(err))
        if errors:
            raise KubeconfigError(errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")
        return merge(configs)


def merge(configs: list[Config]) -> Config:
    """Merge configs in priority order: the first to define a name keeps it whole."""
    merged = Config()
    for config in configs:
        for section in SECTION_NAMES:
            target = merged.section(section)
            for name, entry in config.section(section).items():
                if name not in target:
                    target[name] = entry
                    origin = config.origins.get((section, name))
                    if origin:
                        merged.origins[(section, name)] = origin
        for name, value in config.extensions.items():
            merged.extensions.setdefault(name, value)
        if not merged.current_context:
            merged.current_context = config.current_context
        for key, value in config.preferences.items():
            if key == "extensions":
                for name, ext in value.items():
                    merged.preferences.setdefault("extensions", {}).setdefault(name, ext)
            elif value and not merged.preferences.get(key):
                merged.preferences[key] = value
    return merged.copy()


def modify_config(paths: PathOptions, new: Config, relativize: bool = True) -> None:
    """Write the differences between the files' current content and ``new`` (client-go's
    ModifyConfig). With ``relativize``, file references of written clusters and users are made
    relative to their kubeconfig's directory when they lie below it."""
    with files.locked(paths.precedence()):
        start = paths.load()
        if start.current_context != new.current_context:
            _write_current_context(paths, new.current_context)
        if start.preferences != new.preferences:
            _write_preferences(paths, new)
        for section in SECTION_NAMES:
            _write_changed_entries(paths, start, new, section, relativize)
        for section in SECTION_NAMES:
            _write_deleted_entries(paths, start, new, section)


def _origin(config: Config, section: Section, name: str, paths: PathOptions) -> str:
    return config.origins.get((section, name)) or paths.default_file()


def _write_changed_entries(
    paths: PathOptions, start: Config, new: Config, section: Section, relativize: bool
) -> None:
    pending: dict[str, Config] = {}
    old_entries = start.section(section)
    for name, entry in new.section(section).items():
        if (
            name in old_entries
            and old_entries[name] == entry
            and (start.origins.get((section, name)) == new.origins.get((section, name)))
        ):
            continue
        destination = _origin(new, section, name, paths)
        target = pending.get(destination) or files.load_or_empty(destination)
        pending[destination] = target
        if relativize and section != "contexts":
            entry = relativize_paths(entry, section, destination)
        target.section(section)[name] = entry
    for destination, config in pending.items():
        files.write_file(config, destination)


def file_references(entry: Entry, section: Section) -> list[tuple[str, ...]]:
    """Keys of the fields holding file paths (client-go's Get*FileReferences)."""
    if section == "clusters":
        return [("certificate-authority",)]
    refs: list[tuple[str, ...]] = [("client-certificate",), ("client-key",), ("tokenFile",)]
    if "/" in (entry.get("exec") or {}).get("command", ""):
        refs.append(("exec", "command"))
    return refs


def relativize_paths(entry: Entry, section: Section, kubeconfig: str) -> Entry:
    """Paths resolved against the kubeconfig's directory, then relative when they need no ``..``."""
    base = os.path.abspath(os.path.dirname(kubeconfig))
    entry = dict(entry)
    for ref in file_references(entry, section):
        holder = entry if len(ref) == 1 else dict(entry[ref[0]])
        key = ref[-1]
        value = holder.get(key, "")
        if not value:
            continue
        resolved = value if os.path.isabs(value) else os.path.normpath(os.path.join(base, value))
        relative = os.path.relpath(resolved, base)
        holder[key] = resolved if relative.startswith("../") else relative
        if len(ref) > 1:
            entry[ref[0]] = holder
    return entry


def _write_deleted_entries(
    paths: PathOptions, start: Config, new: Config, section: Section
) -> None:
    for name in start.section(section):
        if name in new.section(section):
            continue
        destination = _origin(start, section, name, paths)
        target = files.load_or_empty(destination)
        target.section(section).pop(name, None)
        files.write_file(target, destination)


def _write_current_context(paths: PathOptions, context: str) -> None:
    if paths.explicit:
        target = files.load_or_empty(paths.explicit)
        target.current_context = context
        files.write_file(target, paths.explicit)
        return
    if context:
        destination = paths.default_file()
        target = files.load_or_empty(destination)
        target.current_context = context
        files.write_file(target, destination)
        return
    for path in paths.precedence():
        if os.path.exists(path):
            target = files.load_or_empty(path)
            if target.current_context:
                target.current_context = ""
                files.write_file(target, path)
                return
    raise KubeconfigError("no config found to write context")


def _write_preferences(paths: PathOptions, new: Config) -> None:
    if paths.explicit:
        target = files.load_or_empty(paths.explicit)
        target.preferences = new.preferences
        files.write_file(target, paths.explicit)
        return
    for path in paths.precedence():
        target = files.load_or_empty(path)
        if target.preferences != new.preferences:
            target.preferences = new.preferences
            files.write_file(target, path)
            return
    raise KubeconfigError("no config found to write preferences")

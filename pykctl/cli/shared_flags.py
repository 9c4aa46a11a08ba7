"""The flags many kubectl commands share — kubectl's cmdutil.AddDryRunFlag,
AddLabelSelectorFlagVar, AddFilenameOptionFlags and the field-selector flag: names, defaults and usage texts in one
place, so every command's help page says them the same way. Imports nothing heavy."""

from __future__ import annotations

from pykctl.cli.flags import BOOL, STRING, STRING_SLICE, Flag

SELECTOR_USAGE = (
    "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
    "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
    "specified label constraints."
)
# The older wording some commands (annotate, wait, ...) still print.
SIMPLE_SELECTOR_USAGE = (
    "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l "
    "key1=value1,key2=value2)"
)
FIELD_SELECTOR_USAGE = (
    "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector "
    "key1=value1,key2=value2). The server only supports a limited number of field queries per "
    "type."
)
KUSTOMIZE_THE = (
    "Process the kustomization directory. This flag can't be used together with -f or -R."
)
KUSTOMIZE_A = "Process a kustomization directory. This flag can't be used together with -f or -R."
RECURSIVE_USAGE = (
    "Process the directory used in -f, --filename recursively. Useful when you want to manage "
    "related manifests organized within the same directory."
)
DRY_RUN_USAGE = (
    'Must be "none", "server", or "client". If client strategy, only print the object that '
    "would be sent, without sending it. If server strategy, submit server-side request without "
    "persisting the resource."
)


def dry_run_flag() -> Flag:
    """``--dry-run[=none|client|server]``; given bare it means ``unchanged`` (an error)."""
    return Flag("dry-run", STRING, default="none", no_opt_value="unchanged", usage=DRY_RUN_USAGE)


def selector_flag(usage: str = SELECTOR_USAGE) -> Flag:
    """``-l/--selector``."""
    return Flag("selector", STRING, shorthand="l", usage=usage)


def field_selector_flag() -> Flag:
    """``--field-selector``."""
    return Flag("field-selector", STRING, usage=FIELD_SELECTOR_USAGE)


def filename_flags(
    usage: str, kustomize: str | None = KUSTOMIZE_THE, recursive: bool = False
) -> list[Flag]:
    """``-f/--filename``, ``-R/--recursive`` (default ``recursive``) and, with its usage text
    unless a command lacks it, ``-k/--kustomize``."""
    flags = [
        Flag("filename", STRING_SLICE, shorthand="f", usage=usage),
        Flag("recursive", BOOL, default=recursive, shorthand="R", usage=RECURSIVE_USAGE),
    ]
    if kustomize is not None:
        flags.append(Flag("kustomize", STRING, shorthand="k", usage=kustomize))
    return flags


def validate_flag() -> Flag:
    """``--validate[=strict|warn|ignore]`` (server-side field validation)."""
    return Flag(
        "validate",
        default="strict",
        no_opt_value="strict",
        usage='Must be one of: strict (or true), warn, ignore (or false). "true" or "strict" will '
        "use a schema to validate the input and fail the request if invalid. It will perform "
        "server side validation if ServerSideFieldValidation is enabled on the api-server, but "
        'will fall back to less reliable client-side validation if not. "warn" will warn about '
        "unknown or duplicate fields without blocking the request if server-side field "
        'validation is enabled on the API server, and behave as "ignore" otherwise. "false" or '
        '"ignore" will not perform any schema validation, silently dropping any unknown or '
        "duplicate fields.",
    )

"""Choosing and running a printer from ``-o/--output`` and ``--template``, as kubectl does.

``-o jsonpath=T``, ``-o jsonpath-file=F``, ``-o jsonpath --template=T``; ``--template`` alone
means go-template. An unknown format is kubectl's "unable to match a printer" error listing the
formats the command accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backends.objects import gojson, goyaml


class OutputError(Exception):
    """A printer problem; the text is what kubectl prints after ``error: ``."""


TEMPLATE_FORMATS = {
    "go-template": "go-template",
    "template": "go-template",
    "go-template-file": "go-template-file",
    "templatefile": "go-template-file",
    "jsonpath": "jsonpath",
    "jsonpath-file": "jsonpath-file",
    "jsonpath-as-json": "jsonpath-as-json",
}


@dataclass(frozen=True)
class OutputFormat:
    """A resolved ``-o``: the printer kind and, for template printers, the template text."""

    kind: str
    template: str = ""


def parse_output_format(output: str, template: str, allowed: Sequence[str]) -> OutputFormat:
    """Resolve ``-o``/``--template`` against the formats a command accepts."""
    name, eq, argument = output.partition("=")
    if not output and template:
        name, argument, eq = "go-template", template, "="
    elif not eq and name in TEMPLATE_FORMATS and template:
        argument, eq = template, "="
    elif eq and template and name in TEMPLATE_FORMATS:
        name = output  # kubectl refuses -o jsonpath=X --template=Y
    if name not in allowed or (eq and name not in TEMPLATE_FORMATS):
        raise OutputError(
            f'unable to match a printer suitable for the output format "{output}", '
            f"allowed formats are: {','.join(sorted(allowed))}"
        )
    kind = TEMPLATE_FORMATS.get(name, name)
    if kind.endswith("-file"):
        try:
            with open(argument, encoding="utf-8") as f:
                argument = f.read()
        except OSError as err:
            raise OutputError(
                f"error reading --template {argument}, open {argument}: {(err.strerror or '').lower()}"
            ) from None
        kind = kind.removesuffix("-file")
    return OutputFormat(kind, argument)


def render(
    obj: Any, fmt: OutputFormat, allow_missing_keys: bool = True, sort_keys: bool = True
) -> str:
    """Print one object (JSON-like data) in ``fmt``."""
    if fmt.kind == "json":
        return gojson.dumps(obj, indent="    ", sort_keys=sort_keys) + "\n"
    if fmt.kind == "yaml":
        return goyaml.dumps(obj)
    if fmt.kind in ("jsonpath", "jsonpath-as-json"):
        from pykctl.printers import jsonpath

        try:
            parsed = jsonpath.parse(fmt.template)
        except jsonpath.JSONPathError as err:
            raise OutputError(str(err)) from None
        try:
            if fmt.kind == "jsonpath":
                return parsed.execute(obj, allow_missing_keys=allow_missing_keys)
            return parsed.execute_as_json(obj, allow_missing_keys=allow_missing_keys)
        except jsonpath.JSONPathError as err:
            raise OutputError(
                jsonpath.execution_error_message(fmt.template, err.reason, obj)
            ) from None
    raise OutputError(f"output format {fmt.kind} is not supported by pykctl yet")

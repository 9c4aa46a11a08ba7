"""Go's text/template as kubectl's ``-o go-template`` runs it, in pure Python.

:func:`parse` reads a template (named ``output``, with text/template's builtins plus kubectl's
``exists`` and ``base64decode``) as kubectl does when it builds the printer;
:meth:`GoTemplate.render` executes it over one object decoded from JSON and returns the text
kubectl prints; :func:`render` does both. Failures raise :class:`TemplateError`, whose message is
what kubectl prints after ``error: `` and whose ``stdout`` is what kubectl writes to standard
output before failing: the output produced so far followed by its debugging dump (empty for a
parse error).

The language is Go 1.26's: actions, trim markers, comments, pipelines, variables (``:=``, ``=``),
``if``/``else if``, ``with``/``else with``, ``range`` (lists, maps in sorted key order, integers,
``else``, ``break``, ``continue``), ``define``/``template``/``block``, and the functions ``and or
not len index slice eq ne lt le gt ge print printf println html js urlquery call``; ``printf`` is
Go's ``fmt`` (see :mod:`.printf`). Values follow Go's view of decoded JSON (see :mod:`.values`):
integers are int64, other numbers float64, missing keys ``<no value>`` (or an error when missing
keys are not allowed).

Callers pass data as Go decodes JSON: integers within int64 (kubectl turns larger ones into
float64), everything else as ``json.loads`` gives it.

Known differences from kubectl: ``%p`` prints a fixed address; Python's stack ends before Go's
limit of 100000 nested ``{{template}}`` calls (the error is Go's, but output written before it may
be shorter) and before 10000 nested parentheses or data nested that deep (a TemplateError saying
"too deeply nested" instead of kubectl's output).
"""

from __future__ import annotations

from backends.objects import gojson
from pykctl.printers.gotemplate.execute import ExecError, execute
from pykctl.printers.gotemplate.funcs import FUNCS
from pykctl.printers.gotemplate.parser import ParseError, Tree
from pykctl.printers.gotemplate.parser import parse as parse_trees
from pykctl.printers.gotemplate.printf import sprintf
from pykctl.printers.gotemplate.strconv import quote

__all__ = ["GoTemplate", "TemplateError", "parse", "render"]

_NAME = "output"


class TemplateError(Exception):
    """A template that failed to parse or execute, reported as kubectl reports it."""

    def __init__(self, message: str, stdout: str = "") -> None:
        super().__init__(message)
        self.stdout = stdout


class GoTemplate:
    """A parsed template; immutable, so it can print any number of objects."""

    def __init__(self, text: str, trees: dict[str, Tree]) -> None:
        self.text = text
        self._trees = trees

    def render(
        self, data: object, allow_missing_keys: bool = True, *, raw_json: str | None = None
    ) -> str:
        """What kubectl prints for ``data``.

        ``raw_json`` is the object's JSON as kubectl marshalled it, shown in the debugging dump
        (default: compact JSON with sorted keys, as for the unstructured objects ``get`` prints).
        """
        try:
            return execute(self._trees, _NAME, data, missing_key_error=not allow_missing_keys)
        except ExecError as err:
            reason, output = str(err), err.output
        except RecursionError:
            reason, output = f"template: {_NAME}: data too deeply nested", ""
        raw = gojson.dumps(data) if raw_json is None else raw_json
        dump = (
            f"Error executing template: {reason}. Printing more information for debugging the"
            " template:\n"
            f"\ttemplate was:\n\t\t{self.text}\n"
            f"\traw data was:\n\t\t{raw}\n"
            f"\tobject given to template engine was:\n\t\t{sprintf('%+v', [data])}\n\n"
        )
        raise TemplateError(f"error executing template {quote(self.text)}: {reason}", output + dump)


def parse(template: str) -> GoTemplate:
    """Parse a go-template as kubectl does; a TemplateError carries kubectl's message."""
    try:
        return GoTemplate(template, parse_trees(_NAME, template, FUNCS.keys()))
    except ParseError as err:
        raise TemplateError(f"error parsing template {template}, {err}") from None
    except RecursionError:
        raise TemplateError(
            f"error parsing template {template}, template: {_NAME}: too deeply nested"
        ) from None


def render(
    template: str, data: object, allow_missing_keys: bool = True, *, raw_json: str | None = None
) -> str:
    """What ``kubectl ... -o go-template=TEMPLATE`` prints for ``data``."""
    return parse(template).render(data, allow_missing_keys, raw_json=raw_json)

"""Command-line flags parsed the way kubectl's (spf13/pflag) parser does.

pflag differs from most Python parsers in ways kubectl users rely on: flags and arguments mix
freely; ``--`` ends flags; boolean flags take a value only as ``--flag=false`` (``--flag x``
leaves ``x`` as an argument); shorthands combine (``-it``) and take values glued (``-nfoo``),
with ``=`` (``-n=foo``) or as the next argument. Errors carry pflag's exact text.

A ``Flag`` describes one flag; ``parse`` turns argv into values and positional arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

BOOL, STRING, INT, STRING_ARRAY, STRING_SLICE, DURATION = (
    "bool",
    "string",
    "int",
    "stringArray",
    "strings",
    "duration",
)


class FlagError(Exception):
    """A flag could not be parsed; the message is pflag's."""


@dataclass
class Flag:
    """One flag: its long name, optional one-letter shorthand, value kind and default."""

    name: str
    kind: str = STRING
    default: Any = None
    shorthand: str = ""
    usage: str = ""
    hidden: bool = False
    dest: str = ""
    # Value used when the flag is given without "=value" (pflag's NoOptDefVal); bools only.
    no_opt_value: str | None = None
    help_default: str | None = None  # how --help shows the default, when not derivable
    validate: Callable[[str], Any] | None = field(default=None, repr=False)
    # pflag's MarkDeprecated: hidden from help; using it prints "Flag --x has been deprecated, …"
    deprecated: str = ""

    def __post_init__(self) -> None:
        if not self.dest:
            self.dest = self.name.replace("-", "_")
        if self.deprecated:
            self.hidden = True
        if self.kind == BOOL and self.no_opt_value is None:
            self.no_opt_value = "true"
        if self.default is None:
            self.default = {BOOL: False, STRING: "", INT: 0, DURATION: 0.0}.get(self.kind)
            if self.kind in (STRING_ARRAY, STRING_SLICE):
                self.default = []

    @property
    def display_name(self) -> str:
        """The name as pflag prints it in errors: ``-o, --output`` or ``--kubeconfig``."""
        return f"-{self.shorthand}, --{self.name}" if self.shorthand else f"--{self.name}"

    def convert(self, raw: str) -> Any:
        """Parse one occurrence's text into a value; raises FlagError as pflag words it."""
        try:
            if self.validate is not None:
                return self.validate(raw)
            if self.kind == BOOL:
                return parse_bool(raw)
            if self.kind == INT:
                return parse_int(raw)
            if self.kind == DURATION:
                return parse_duration(raw)
            return raw
        except ValueError as err:
            raise FlagError(
                f'invalid argument "{raw}" for "{self.display_name}" flag: {err}'
            ) from None


_BOOL_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_BOOL_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def parse_bool(raw: str) -> bool:
    """Go's strconv.ParseBool."""
    if raw in _BOOL_TRUE:
        return True
    if raw in _BOOL_FALSE:
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{raw}": invalid syntax')


def parse_int(raw: str) -> int:
    """Go's strconv.ParseInt(raw, 0, 64) as pflag's int flags use it."""
    body = raw[1:] if raw[:1] in "+-" else raw
    try:
        if re.fullmatch(r"0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+", body):
            value = int(raw, 0)
        elif re.fullmatch(r"0[0-7_]+", body):
            value = int(("-" if raw.startswith("-") else "") + "0o" + body[1:], 0)
        elif re.fullmatch(r"[0-9](?:_?[0-9])*", body):
            value = int(raw)
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f'strconv.ParseInt: parsing "{raw}": invalid syntax') from None
    if not -(2**63) <= value < 2**63:
        raise ValueError(f'strconv.ParseInt: parsing "{raw}": value out of range')
    return value


_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "\u00b5s": 1e-6,
    "\u03bcs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([a-zµμ]*)")


def parse_duration(raw: str) -> float:
    """Go's time.ParseDuration, in seconds (``1h30m``, ``250ms``, ``0``)."""
    quoted = f'"{raw}"'
    s = raw
    sign = 1.0
    if s[:1] in "+-":
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise ValueError(f"time: invalid duration {quoted}")
    total = 0.0
    while s:
        m = _DURATION_PART.match(s)
        number, unit = (m.group(1), m.group(2)) if m else ("", "")
        if not number or number == ".":
            raise ValueError(f"time: invalid duration {quoted}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _DURATION_UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration {quoted}')
        total += float(number) * _DURATION_UNITS[unit]
        s = s[m.end() :] if m else ""
    return sign * total


HELP_FLAG = Flag("help", BOOL, shorthand="h", hidden=True)


@dataclass
class ParseResult:
    """Flag values by dest (only flags that were given), the order they were set, and args."""

    values: dict[str, Any]
    changed: list[str]
    args: list[str]
    dash_index: int = -1  # index in args where "--" was seen, or -1


class FlagSet:
    """A set of flags, parsed together (a command's own flags plus the global ones)."""

    def __init__(self, flags: Iterable[Flag], with_help: bool = True) -> None:
        self.by_name: dict[str, Flag] = {}
        self.by_shorthand: dict[str, Flag] = {}
        for flag in [*flags, HELP_FLAG] if with_help else flags:
            if (
                flag.name in self.by_name
            ):  # pflag: a command's own flag hides a global one, shorthand too
                continue
            self.by_name[flag.name] = flag
            if flag.shorthand:
                self.by_shorthand.setdefault(flag.shorthand, flag)

    def takes_value(self, token: str) -> bool:
        """cobra's stripFlags rule: does this flag token consume the next argument?"""
        if token.startswith("--"):
            flag = self.by_name.get(token[2:])
            return flag is None or flag.no_opt_value is None
        flag = self.by_shorthand.get(token[1:])
        return flag is None or flag.no_opt_value is None

    def parse(self, argv: list[str]) -> ParseResult:
        values: dict[str, Any] = {}
        changed: list[str] = []
        args: list[str] = []
        dash_index = -1

        def set_value(flag: Flag, raw: str) -> None:
            value = flag.convert(raw)
            if flag.kind in (STRING_ARRAY, STRING_SLICE):
                items = _split_csv(raw) if flag.kind == STRING_SLICE else [raw]
                if flag.dest not in values:
                    values[flag.dest] = []
                values[flag.dest].extend(items)
            else:
                values[flag.dest] = value
            changed.append(flag.dest)

        i = 0
        while i < len(argv):
            token = argv[i]
            i += 1
            if token == "--":
                dash_index = len(args)
                args.extend(argv[i:])
                break
            if token.startswith("--"):
                name, eq, raw = token[2:].partition("=")
                if not name or name.startswith("-") or name.startswith("="):
                    raise FlagError(f"bad flag syntax: {token}")
                flag = self.by_name.get(name.replace("_", "-"))
                if flag is None:
                    raise FlagError(f"unknown flag: --{name}")
                if eq:
                    set_value(flag, raw)
                elif flag.no_opt_value is not None:
                    set_value(flag, flag.no_opt_value)
                elif i < len(argv):
                    set_value(flag, argv[i])
                    i += 1
                else:
                    raise FlagError(f"flag needs an argument: {token}")
            elif token.startswith("-") and len(token) > 1:
                shorthands = token[1:]
                while shorthands:
                    c = shorthands[0]
                    glued = len(shorthands) > 2 and shorthands[1] == "="
                    rest = shorthands[2:] if glued else shorthands[1:]
                    flag = self.by_shorthand.get(c)
                    if flag is None:
                        raise FlagError(f"unknown shorthand flag: '{c}' in -{shorthands}")
                    if glued:
                        set_value(flag, rest)
                        shorthands = ""
                    elif flag.no_opt_value is not None:
                        set_value(flag, flag.no_opt_value)
                        shorthands = rest
                    elif rest:
                        set_value(flag, rest)
                        shorthands = ""
                    elif i < len(argv):
                        set_value(flag, argv[i])
                        i += 1
                        shorthands = ""
                    else:
                        raise FlagError(f"flag needs an argument: '{c}' in -{shorthands}")
            else:
                args.append(token)
        return ParseResult(values, changed, args, dash_index)


def _split_csv(raw: str) -> list[str]:
    """pflag's stringSlice splits a value as one CSV record."""
    import csv

    if raw == "":
        return []
    return next(csv.reader([raw]))

"""Click commands that parse and print help the way kubectl (cobra) does.

Click holds the command tree, the contexts and the lazy loading; parsing follows cobra: the
subcommand is found by skipping flags (a global flag may come before, between or after the
command words), then one pflag parse runs over the command's own flags plus the global ones.
Command code never sees Click: it receives an ``Invocation`` and raises errors that
``cli.errors`` turns into kubectl's messages.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import click

from pykctl.cli import flags as f
from pykctl.cli.errors import Exit, FlagUsageError, UsageError
from pykctl.cli.globals import GLOBAL_FLAGS, GlobalOptions

PROGRAM = "pykctl"


@dataclass
class Invocation:
    """Everything a command needs: its flags, arguments, global options and streams."""

    command_path: str
    args: list[str]
    flags: dict[str, Any]
    changed: set[str]
    globals: GlobalOptions
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    command: click.Command | None = None
    called_as: str = ""  # the name or alias typed (cobra's CalledAs)

    def help_page(self) -> str:
        """This command's ``--help`` text."""
        assert self.command is not None
        return render_help(self.command, self.command_path)

    def out(self, text: str) -> None:
        """Write ``text`` and a newline to stdout."""
        self.stdout.write(text + "\n")

    def err(self, text: str) -> None:
        """Write ``text`` and a newline to stderr."""
        self.stderr.write(text + "\n")

    def usage_error(self, message: str) -> UsageError:
        return UsageError(message, self.command_path)


Runner = Callable[[Invocation], "int | None"]


@dataclass
class Help:
    """A command's help texts, as cobra's Use/Short/Long/Example."""

    use: str
    short: str = ""
    long: str = ""
    example: str = ""
    flags_in_use_line: bool = False  # cobra appends " [flags]" unless a command disables it
    # --help prints nothing: the command's help template is empty (kubectl's `options`)
    empty_help_template: bool = False


def streams(ctx: click.Context) -> tuple[TextIO, TextIO, TextIO]:
    """The (stdin, stdout, stderr) of this run: the runner's, else the process's."""
    root = ctx.find_root()
    found: tuple[TextIO, TextIO, TextIO] = root.meta.get(
        "pykctl.streams", (sys.stdin, sys.stdout, sys.stderr)
    )
    return found


def command_path(ctx: click.Context) -> str:
    """cobra's CommandPath: the program, then each command by its name (not the alias typed)."""
    parts: list[str] = []
    node: click.Context | None = ctx
    while node is not None:
        name = node.command.name if node.parent is not None else None
        parts.append(name or node.info_name or PROGRAM)
        node = node.parent
    return " ".join(reversed(parts))


class KCommand(click.Command):
    """A leaf command: pflag parsing of its flags and the global flags, cobra-style help."""

    def __init__(
        self,
        name: str,
        run: Runner,
        help: Help,
        flags: Sequence[f.Flag] = (),
        aliases: Sequence[str] = (),
        hidden: bool = False,
        inherit_globals: bool = True,
    ) -> None:
        super().__init__(name, callback=None, hidden=hidden, add_help_option=False)
        self.run = run
        self.help_text = help
        self.flags = list(flags)
        self.aliases = list(aliases)
        self.inherit_globals = inherit_globals

    def flag_set(self) -> f.FlagSet:
        return f.FlagSet(self.flags + (GLOBAL_FLAGS if self.inherit_globals else []))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            result = self.flag_set().parse(args)
        except f.FlagError as err:
            raise FlagUsageError(str(err), command_path(ctx)) from None
        root = ctx.find_root()
        globals_: GlobalOptions = root.meta.setdefault("pykctl.globals", GlobalOptions())
        own = {flag.dest for flag in self.flags}
        values: dict[str, Any] = {flag.dest: flag.default for flag in self.flags}
        for dest, value in result.values.items():
            if dest in own or dest == "help":
                values[dest] = value
            else:
                globals_.set(dest, value)
        ctx.meta["pykctl.values"] = values
        ctx.meta["pykctl.changed"] = {d for d in result.changed if d in own}
        ctx.meta["pykctl.args"] = result.args
        ctx.meta["pykctl.dash_index"] = result.dash_index
        return []

    def invoke(self, ctx: click.Context) -> Any:
        values = ctx.meta["pykctl.values"]
        stdin, stdout, stderr = streams(ctx)
        if values.pop("help", False):
            stdout.write(render_help(self, command_path(ctx)))
            return 0
        for flag in self.flags:
            if flag.deprecated and flag.dest in ctx.meta["pykctl.changed"]:
                stderr.write(f"Flag --{flag.name} has been deprecated, {flag.deprecated}\n")
        invocation = Invocation(
            command_path=command_path(ctx),
            args=ctx.meta["pykctl.args"],
            flags=values,
            changed=ctx.meta["pykctl.changed"],
            globals=ctx.find_root().meta.setdefault("pykctl.globals", GlobalOptions()),
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            command=self,
            called_as=ctx.info_name or "",
        )
        return self.run(invocation) or 0


@dataclass
class Entry:
    """A subcommand known by name before it is imported: where it lives and its one-liner."""

    name: str
    target: str  # "module:attribute" of a KCommand or KGroup
    short: str
    group: str = ""
    hidden: bool = False
    aliases: tuple[str, ...] = ()


class KGroup(click.Group):
    """A command with subcommands, loaded lazily; finds the subcommand the way cobra does."""

    def __init__(
        self,
        name: str,
        help: Help,
        entries: Sequence[Entry] = (),
        groups: Sequence[str] = (),
        commands: Sequence[click.Command] = (),
        aliases: Sequence[str] = (),
        flags: Sequence[f.Flag] = (),
    ) -> None:
        super().__init__(name, add_help_option=False, invoke_without_command=True)
        self.help_text = help
        self.entries = {e.name: e for e in entries}
        self.groups = list(groups)
        self.aliases = list(aliases)
        self.flags = list(flags)
        self.hidden_entries: set[str] = {e.name for e in entries if e.hidden}
        for command in commands:
            self.add_command(command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.entries) | set(self.commands))

    def short_help_for(self, name: str) -> str:
        if name in self.entries:
            return self.entries[name].short
        command = self.commands[name]
        return getattr(command, "help_text", Help(name)).short

    def is_hidden(self, name: str) -> bool:
        if name in self.entries:
            return self.entries[name].hidden
        return self.commands[name].hidden

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = self.resolve_alias(cmd_name)
        if name is None:
            return None
        if name not in self.commands and name in self.entries:
            module_name, _, attribute = self.entries[name].target.partition(":")
            module = __import__(module_name, fromlist=[attribute])
            self.commands[name] = getattr(module, attribute)
        return self.commands.get(name)

    def resolve_alias(self, name: str) -> str | None:
        if name in self.entries or name in self.commands:
            return name
        for entry in self.entries.values():
            if name in entry.aliases:
                return entry.name
        for command in self.commands.values():
            if name in getattr(command, "aliases", ()):
                return command.name
        return None

    def flag_set(self) -> f.FlagSet:
        return f.FlagSet(self.flags + GLOBAL_FLAGS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Find the next command word as cobra's stripFlags does; keep every other token.

        At the root the help flag is not yet known, so ``-h``/``--help`` swallow the next word
        there, as in kubectl (``kubectl -h config`` prints the root help).
        """
        is_root = ctx.parent is None
        flag_set = f.FlagSet(self.flags + GLOBAL_FLAGS, with_help=not is_root)
        ctx.meta["pykctl.argv"] = list(args)
        rest = list(args)
        i = 0
        while i < len(rest):
            token = rest[i]
            if token == "--":
                break
            if token.startswith("-") and len(token) > 1 and "=" not in token:
                is_long = token.startswith("--")
                if (is_long or len(token) == 2) and flag_set.takes_value(token):
                    i += 2
                    continue
                i += 1
                continue
            if token.startswith("-") and len(token) > 1:
                i += 1
                continue
            ctx.meta["pykctl.subcommand"] = token
            ctx.meta["pykctl.rest"] = rest[:i] + rest[i + 1 :]
            return []
        ctx.meta["pykctl.subcommand"] = None
        ctx.meta["pykctl.rest"] = rest
        return []

    def invoke(self, ctx: click.Context) -> Any:
        name: str | None = ctx.meta["pykctl.subcommand"]
        rest: list[str] = ctx.meta["pykctl.rest"]
        _, stdout, stderr = streams(ctx)
        if name is None:
            try:
                result = self.flag_set().parse(rest)
            except f.FlagError as err:
                raise FlagUsageError(str(err), command_path(ctx)) from None
            if result.values.get("help"):
                stdout.write(render_help(self, command_path(ctx)))
                return 0
            return self.run_without_subcommand(ctx, stderr)
        command = self.get_command(ctx, name)
        if command is None:
            raise self.unknown_command(ctx, name, rest)
        sub_ctx = command.make_context(name, rest, parent=ctx)
        with sub_ctx:
            return command.invoke(sub_ctx)

    def run_without_subcommand(self, ctx: click.Context, stderr: TextIO) -> int:
        """kubectl prints a group's help to stderr and fails when no subcommand is given."""
        stderr.write(render_help(self, command_path(ctx)))
        raise Exit(1)

    def unknown_command(self, ctx: click.Context, name: str, rest: list[str]) -> Exception:
        """kubectl's group-level message names every remaining word: ``unknown command "a b"``."""
        try:
            words = [name, *self.flag_set().parse(rest).args]
        except f.FlagError as err:
            return FlagUsageError(str(err), command_path(ctx))
        return UsageError(f'unknown command "{" ".join(words)}"', command_path(ctx))


def render_help(command: click.Command, path: str) -> str:
    from pykctl.cli.help import render

    help_text = getattr(command, "help_text", None)
    if isinstance(help_text, Help) and help_text.empty_help_template:
        return ""
    return render(command, path)

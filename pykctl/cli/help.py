"""Help pages laid out as kubectl lays them out (its cobra templates, non-terminal output).

A page is the trimmed long description, then: ``Aliases:``, ``Examples:``, the command list,
``Options:`` (flags sorted by long name, ``    -o, --output='yaml':`` then a tab-indented usage
line), ``Usage:`` and the closing tips. It always ends with exactly one newline.
"""

from __future__ import annotations

import click

from pykctl.cli.command import PROGRAM, KGroup
from pykctl.cli.flags import BOOL, DURATION, INT, STRING, STRING_ARRAY, STRING_SLICE, Flag
from pykctl.cli.globals import GLOBAL_FLAGS

OPTIONS_TIP = f'Use "{PROGRAM} options" for a list of global command-line options (applies to all commands).\n'


def _format_duration(seconds: float) -> str:
    """Go's Duration.String() for whole seconds and minutes (enough for flag defaults)."""
    if seconds == 0:
        return "0s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def default_text(flag: Flag) -> str:
    """pflag's DefValue as kubectl's help shows it: only strings are quoted."""
    if flag.help_default == "__cache_dir__":
        from pykctl.cli.globals import GlobalOptions

        return f"'{GlobalOptions().cache_dir()}'"
    if flag.help_default is not None:
        return (
            f"'{flag.help_default}'"
            if flag.kind == STRING and flag.help_default
            else flag.help_default
        )
    if flag.kind == STRING:
        return f"'{flag.default or ''}'"
    if flag.kind == BOOL:
        return "true" if flag.default else "false"
    if flag.kind == INT:
        return str(flag.default)
    if flag.kind == DURATION:
        return _format_duration(float(flag.default or 0))
    if flag.kind in (STRING_ARRAY, STRING_SLICE):
        return "[" + ",".join(flag.default or []) + "]"
    return str(flag.default)


def flag_entries(flags: list[Flag]) -> str:
    """The flag blocks of an Options section, sorted by long name, each ending in a blank line."""
    out = []
    for flag in sorted(flags, key=lambda fl: fl.name):
        if flag.hidden:
            continue
        names = f"-{flag.shorthand}, --{flag.name}" if flag.shorthand else f"--{flag.name}"
        usage = flag.usage.replace("\n", " ")
        out.append(f"    {names}={default_text(flag)}:\n\t{usage}\n\n")
    return "".join(out)


def _command_rows(group: KGroup, names: list[str], width: int) -> str:
    return "".join(f"  {name.ljust(width)}   {group.short_help_for(name)}\n" for name in names)


def _commands_block(group: KGroup, path: str) -> str:
    names = group.list_commands(click.Context(group))
    # cobra pads to the longest name, hidden commands included, internal "__" ones not
    width = max([11, *(len(n) for n in names if not n.startswith("__"))])
    visible = [n for n in names if not group.is_hidden(n)]
    if not group.groups:
        return "Available Commands:\n" + _command_rows(group, visible, width)
    blocks = []
    grouped: set[str] = set()
    for title in group.groups:
        members = [e.name for e in group.entries.values() if e.group == title and not e.hidden]
        grouped.update(members)
        if members:  # pykctl shows only the groups it has commands in
            blocks.append(f"{title}:\n" + _command_rows(group, members, width))
    others = [n for n in visible if n not in grouped]
    blocks.append("Other Commands:\n" + _command_rows(group, others, width))
    return "\n".join(blocks)


def usage_line(command: click.Command, path: str) -> str:
    help_text = command.help_text  # type: ignore[attr-defined]
    parent = path.rsplit(" ", 1)[0] if " " in path else ""
    line = f"{parent} {help_text.use}".strip() if parent else help_text.use
    if help_text.flags_in_use_line:
        line += " [flags]"
    if "[options]" not in line:
        line += " [options]"
    return line


def render(command: click.Command, path: str) -> str:
    """The full ``--help`` page of ``command`` reached as ``path`` (e.g. ``pykctl config view``)."""
    help_text = command.help_text  # type: ignore[attr-defined]
    page = (help_text.long or help_text.short).strip()
    sections: list[str] = []
    aliases = list(getattr(command, "aliases", []))
    if aliases:
        sections.append(f"Aliases:\n{', '.join([command.name or '', *aliases])}\n")
    if help_text.example:
        example = "\n".join("  " + line for line in help_text.example.strip("\n").split("\n"))
        sections.append(f"Examples:\n{example.rstrip()}\n")
    if isinstance(command, KGroup):
        sections.append(_commands_block(command, path))
    own_flags = [fl for fl in getattr(command, "flags", []) if not fl.hidden]
    if own_flags:
        sections.append("Options:\n" + flag_entries(own_flags).rstrip("\n") + "\n")
    runnable = getattr(command, "runnable", True)
    if runnable:
        sections.append(f"Usage:\n  {usage_line(command, path)}\n")
    tips = ""
    if isinstance(command, KGroup):
        tips += f'Use "{path} <command> --help" for more information about a given command.\n'
    if runnable:
        tips += OPTIONS_TIP
    body = "\n".join(sections)
    return f"{page}\n\n{body}\n{tips}" if tips else f"{page}\n\n{body}"


def render_options() -> str:
    """``kubectl options``: every global flag; the page ends with a blank line."""
    return "The following options can be passed to any command:\n\n" + flag_entries(GLOBAL_FLAGS)

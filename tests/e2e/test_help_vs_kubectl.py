"""Every command's ``--help`` (and ``-h``) page against the real kubectl's: the command paths are
walked from pykctl's own registry, so a command added to pykctl is compared without anyone
listing it here. Commands only pykctl has (``sim`` and the hidden helpers) are left out; a
kubectl command pykctl lacks simply has no page to compare yet.

The pages must be equal once ``kubectl`` is written ``pykctl`` — except where it is part of a
name that stays (``kubectl.kubernetes.io/...`` annotations, ``kubectl-`` plugin names, URLs)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from pykctl.cli.command import KGroup
from pykctl.cli.root import root
from tests.conftest import isolated_env, run_process, run_pykctl

pytestmark = pytest.mark.e2e

PYKCTL_ONLY = {"sim", "__complete", "__keyring-credential"}
# Pages that differ on purpose, compared in their own modules: completion's examples name
# pykctl's files (_pykctl, pykctl.fish); set-credentials documents --keyring (pykctl only).
OWN_PAGES = {("completion",), ("config", "set-credentials")}
# "kubectl" as the program's name: not in URLs, annotation keys or plugin names.
_PROGRAM = re.compile(r"(?<![/])\bkubectl\b(?![-.]\w)")


def command_paths(group: KGroup, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under ``group``, subcommands after their group."""
    paths: list[tuple[str, ...]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        if not prefix and name in PYKCTL_ONLY:
            continue
        command = group.get_command(context, name)
        assert command is not None, name
        paths.append((*prefix, name))
        if isinstance(command, KGroup):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


# Groups whose page lists a subcommand pykctl does not have yet.
PENDING = {("auth",): "auth reconcile is not built"}
COMMANDS = [
    pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=PENDING[path]))
    if path in PENDING
    else path
    for path in command_paths(root)
    if path not in OWN_PAGES
]


def test_the_registry_is_walked() -> None:
    paths = command_paths(root)
    assert ("get",) in paths and ("config", "view") in paths
    assert ("rollout", "status") in paths and ("set", "image") in paths
    assert not any(path[0] in PYKCTL_ONLY for path in paths)


@pytest.mark.parametrize("words", COMMANDS, ids=lambda words: " ".join(words))
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_matches_kubectl(
    kubectl: str, tmp_path: Path, words: tuple[str, ...], flag: str
) -> None:
    expected = run_process([kubectl, *words, flag], env=isolated_env(tmp_path))
    ours = run_pykctl([*words, flag])
    assert (ours.stdout, ours.stderr, ours.code) == (
        _PROGRAM.sub("pykctl", expected.stdout),
        expected.stderr,
        expected.code,
    )

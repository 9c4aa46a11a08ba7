"""``--help`` of the everyday verbs: pykctl's page is kubectl 1.37's with ``pykctl`` for
``kubectl`` (and the help import of each verb's module cannot fail unnoticed).

Field manager names (``--field-manager='kubectl-label'``) are data, not the program's name:
pykctl records the same managers as kubectl, so objects it changes look the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import isolated_env, run_process, run_pykctl

pytestmark = pytest.mark.e2e

COMMANDS = [
    ["label"],
    ["annotate"],
    ["patch"],
    ["scale"],
    ["explain"],
    ["api-resources"],
    ["api-versions"],
    ["wait"],
    ["run"],
    ["expose"],
    ["cluster-info"],
    ["cluster-info", "dump"],
]


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_matches_kubectl(kubectl: str, tmp_path: Path, words: list[str], flag: str) -> None:
    expected = run_process([kubectl, *words, flag], env=isolated_env(tmp_path))
    ours = run_pykctl([*words, flag])
    assert (ours.stdout, ours.stderr, ours.code) == (
        re.sub(r"kubectl(?!-)", "pykctl", expected.stdout),
        expected.stderr,
        expected.code,
    )

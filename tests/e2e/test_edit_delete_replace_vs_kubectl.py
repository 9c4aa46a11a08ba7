"""``pykctl edit``, ``delete`` and ``replace`` against the real kubectl 1.37.

Both tools run the same steps against one simulator, each in its own namespace; every step's
stdout, stderr and exit code must be equal, and so must the objects left behind. Edits are made
by small editor scripts that rewrite the temporary file the same way every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.writes_harness import Case, Pair, help_page, module_pair

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with module_pair(tmp_path_factory) as running:
        yield running


@pytest.mark.parametrize("command", ["edit", "delete", "replace"])
def test_help(command: str, kubectl: str, tmp_path: Path) -> None:
    assert help_page("pykctl", kubectl, [command], tmp_path) == help_page(
        "kubectl", kubectl, [command], tmp_path
    )


OBJECTS = """apiVersion: v1
kind: ConfigMap
metadata:
  name: one
  labels: {app: demo}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: two
  labels: {app: demo}
data: {a: "2"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: three
data: {a: "3"}
"""

EDITORS = {
    "change.sh": """sed -i 's/a: "1"/a: "changed"/; s/"a": "1"/"a": "changed"/' "$1\"""",
    "same.sh": "true",
    "empty.sh": ': > "$1"',
    "broken.sh": """sed -i 's/^data:$/data: [unclosed/' "$1\"""",
    "rename.sh": """sed -i 's/^  name: one$/  name: other/' "$1\"""",
    "badlabel.sh": """sed -i 's/^    app: demo$/    app: "not valid!"/' "$1\"""",
    "nokind.sh": """sed -i '/^kind:/d' "$1\"""",
    "fail.sh": "exit 3",
}


def _editor_case(pair: Pair) -> Case:
    files = {f"editors/{name}": f"#!/bin/sh\n{body}\n" for name, body in EDITORS.items()}
    case = pair.case(setup=OBJECTS, files=files)
    for side in case.sides():
        for name in EDITORS:
            (side.cwd / "editors" / name).chmod(0o755)
    return case


def editor(name: str) -> dict[str, str]:
    return {"KUBE_EDITOR": f"editors/{name}.sh"}


def test_edit(pair: Pair) -> None:
    case = _editor_case(pair)
    case.same("edit", "cm/one", env=editor("change"))
    case.same("edit", "cm/one", env=editor("change"))
    case.same("edit", "configmap", "two", "-o", "json", env=editor("change"))
    case.same("edit", "cm/two", "--output-patch", env={"EDITOR": "editors/change.sh"})
    case.same("edit", "cm/three", "--save-config", "-o", "yaml", env=editor("same"))
    case.state("configmaps")


def test_edit_several(pair: Pair) -> None:
    case = _editor_case(pair)
    case.same("edit", "cm", "one", "two", env=editor("change"))
    case.same("edit", "cm", "-o", "json", env=editor("same"))
    case.state("configmaps")


def test_edit_cancelled(pair: Pair) -> None:
    case = _editor_case(pair)
    case.same("edit", "cm/one", env=editor("same"))
    case.same("edit", "cm/one", env=editor("empty"))
    case.same("edit", "cm/one", env=editor("broken"))
    case.same("edit", "cm/one", env=editor("nokind"))
    case.same("edit", "cm/one", env=editor("rename"))
    case.same("edit", "cm/one", env=editor("badlabel"))
    case.same("edit", "cm/one", env=editor("fail"))
    case.same("edit", "cm/one", env={"KUBE_EDITOR": "no-such-editor"})
    case.state("configmaps")


def test_edit_errors(pair: Pair) -> None:
    case = _editor_case(pair)
    case.same("edit", "cm/missing", env=editor("same"))
    case.same("edit", env=editor("same"))
    case.same("edit", "cm", "one", "-f", "x.yaml", env=editor("same"))
    case.same("edit", "bogus/one", env=editor("same"))


def test_create_edit(pair: Pair) -> None:
    case = _editor_case(pair)
    case.file(
        "new.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new}\ndata: {a: "1"}\n'
    )
    case.same("create", "-f", "new.yaml", "--edit", env=editor("change"))
    case.state("configmaps")


DELETES = [
    ["delete", "cm", "one"],
    ["delete", "cm/one", "-o", "name"],
    ["delete", "cm", "one", "two", "missing"],
    ["delete", "cm", "missing"],
    ["delete", "cm", "missing", "--ignore-not-found"],
    ["delete", "cm", "-l", "app=demo"],
    ["delete", "cm", "-l", "app=nothing"],
    ["delete", "cm", "-l", "a b"],
    ["delete", "cm", "--all"],
    ["delete", "cm", "--all", "--dry-run=client"],
    ["delete", "cm", "--all", "--dry-run=server"],
    ["delete", "cm"],
    ["delete"],
    ["delete", "cm", "one", "--now"],
    ["delete", "cm", "one", "--now", "--grace-period=5"],
    ["delete", "cm", "one", "--grace-period=0", "--force"],
    ["delete", "cm", "one", "--grace-period=5", "--force"],
    ["delete", "cm", "one", "-o", "yaml"],
    ["delete", "cm", "one", "--cascade=orphan"],
    ["delete", "cm", "one", "--cascade=true"],
    ["delete", "cm", "one", "--cascade=bogus"],
    ["delete", "cm", "one", "--wait=false"],
    ["delete", "cm", "--all", "-l", "app=demo"],
    ["delete", "cm", "one", "-l", "app=demo"],
    ["delete", "-f", "objects.yaml"],
    ["delete", "-f", "objects.yaml", "cm", "one"],
    ["delete", "bogus", "one"],
    ["delete", "-n", "{ns}", "namespace", "gone-{ns}"],
    ["delete", "namespace", "gone-{ns}", "--dry-run=client"],
    ["delete", "cm", "-A", "-l", "case={ns}"],
    ["delete", "cm/one", "deploy/nothing"],
    ["delete", "--raw", "/api/v1/namespaces/{ns}/configmaps/one"],
    ["delete", "pod", "p1", "--grace-period=0", "--force"],
    ["delete", "pods,cm", "--all", "--grace-period=0", "--force", "-o", "name"],
]


DELETE_SETUP = (
    OBJECTS.replace("name: three", "name: three\n  labels: {case: '{ns}'}")
    + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: gone-{ns}}\n"
    + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p1}\n"
    + "spec: {containers: [{name: c, image: busybox}]}\n"
)


@pytest.mark.parametrize("argv", DELETES, ids=lambda argv: " ".join(argv))
def test_delete(pair: Pair, argv: list[str]) -> None:
    case = pair.case(setup=DELETE_SETUP, files={"objects.yaml": OBJECTS})
    case.same(*argv)
    case.state("configmaps", "pods")


def test_delete_interactive(pair: Pair) -> None:
    case = pair.case(setup=OBJECTS)
    case.same("delete", "cm", "-l", "app=demo", "-i", stdin="n\n")
    case.same("delete", "cm", "one", "--interactive", stdin="y\n")
    case.same("delete", "cm", "-l", "app=nothing", "-i", stdin="y\n")
    case.state("configmaps")


REPLACEMENT = """apiVersion: v1
kind: ConfigMap
metadata:
  name: one
  labels: {app: replaced}
data: {b: "new"}
"""


REPLACES = [
    ["replace", "-f", "one.yaml"],
    ["replace", "-f", "one.yaml", "-o", "json"],
    ["replace", "-f", "one.yaml", "--save-config", "-o", "yaml"],
    ["replace", "-f", "one.yaml", "--dry-run=client"],
    ["replace", "-f", "one.yaml", "--dry-run=server"],
    ["replace", "-f", "missing.yaml"],
    ["replace", "-f", "absent.yaml"],
    ["replace", "-f", "one.yaml", "-f", "absent.yaml"],
    ["replace", "--force", "-f", "one.yaml"],
    ["replace", "-f", "one.yaml", "--grace-period=1"],
    ["replace", "-f", "one.yaml", "--timeout=1s"],
    ["replace", "--force", "--dry-run=client", "-f", "one.yaml"],
    ["replace"],
    ["replace", "-f", "one.yaml", "--validate=bogus"],
]


@pytest.mark.parametrize("argv", REPLACES, ids=lambda argv: " ".join(argv))
def test_replace(pair: Pair, argv: list[str]) -> None:
    files = {
        "one.yaml": REPLACEMENT,
        "absent.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: absent}\n",
    }
    case = pair.case(setup=OBJECTS, files=files)
    case.same(*argv)
    case.state("configmaps")

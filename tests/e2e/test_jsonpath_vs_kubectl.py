"""Differential tests: pykctl's JSONPath engine against the real kubectl v1.37.1.

kubectl's jsonpath printer is driven offline with ``kubectl label --local -f OBJ --overwrite t=1``:
the object already carries ``t=1``, so it reaches the printer unchanged (as an unstructured map,
integers as int64). stdout, stderr and the exit code must match byte for byte. Templates whose
output depends on Go's random map order are compared on ``jsonpath-as-json`` output, ignoring order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from pykctl.printers.jsonpath import JSONPathError, parse

pytestmark = pytest.mark.e2e

_PATH = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
KUBECTL = shutil.which("kubectl", path=_PATH)

OBJECT: dict[str, object] = {
    "apiVersion": "example.com/v1",
    "kind": "Thing",
    "metadata": {
        "name": "wéb",
        "labels": {"t": "1", "a.b": "dots"},
        "annotations": {"k.io/x": "ann", "": "empty-key", "*": "star", "sp ace": "spaced"},
    },
    "spec": {
        "ports": [
            {"name": "http", "port": 80, "f": 1.5, "on": True},
            {"name": "https", "port": 443, "f": 1000000.5, "np": 30000, "on": False},
        ],
        "n": None,
        "b": True,
        "big": 12345678901,
        "neg": -5,
        "h": 1.0,
        "fl": [1e21, 1e-7, 1.0, -0.0, 0.1, 100, 1.25e-5, 123456789.0, 0.000123],
        "s": 'é\u0001\t"<>&\u2028 \U0001f600 \u00ad \u200b',
        "one": {"only": "child"},
        "lists": [{"l": [1]}, {"l": []}, {"l": [2]}],
        "mixed": [1, None, "s", 2.5, True, {"a": 1}, [3]],
        "empty": {"m": {}, "l": [], "s": ""},
        'q"k': "v\\",
        "ctl": "\u0000\u0007\b\f\n\r\t\u000b\u001b\u007f\u0080\u009f \u00a0\u3000\ue000",
    },
}

# Order-independent templates (single-key maps only where wildcards or ".." meet maps).
CASES = [
    # fields, roots, literal text
    "{.kind}",
    "{$.kind}",
    "{@.kind}",
    "{ .kind }",
    "{.metadata.name}",
    "{.kind} {.apiVersion}",
    "{.kind}{.apiVersion}",
    "kind: {.kind}\\n",
    "a}b{.kind}}",
    "{.metadata.name}é",
    "{}",
    "{$}",
    "{@}",
    "{.spec}",
    "{.spec.ports}",
    "{.spec.ports[0]}",
    "{.spec.b} {.spec.n} {.spec.big} {.spec.neg} {.spec.h}",
    "{.spec.fl}",
    "{.spec.fl[*]}",
    "{.spec.s}",
    "{.spec.ctl}",
    "{.spec.mixed}",
    "{.spec.mixed[*]}",
    "{.spec.empty}",
    "{.spec.empty.m}{.spec.empty.l}[{.spec.empty.s}]",
    '{.spec.q"k}',
    "{.nope}",
    "{.nope.deeper}",
    "{.spec.n.x}",
    "{.spec.b.x}",
    "{.spec.s.x}",
    "{.spec.ports.name}",
    "{.}",
    "{.metadata.annotations.}",
    "{.metadata.labels.a\\.b}",
    "{.metadata.annotations.k\\.io/x}",
    "{.metadata.labels['a.b']}",
    "{.metadata.labels['t']}",
    "{.metadata.annotations.\\*}",
    "plain text only",
    "{.metadata.annotations.sp\\ ace}",
    "{.metadata.annotations.sp ace}",
    '{"{"}{"}"}',
    "{.spec.ports[0] .name}",
    "{.spec.ports[0]$.name}",
    "{.spec.ports[0]@name}",
    "{@.kind@.apiVersion}",
    # indexes and slices
    "{.spec.ports[0].name}",
    "{.spec.ports[1].name}",
    "{.spec.ports[-1].name}",
    "{.spec.ports[-2].name}",
    "{.spec.ports[2]}",
    "{.spec.ports[-3]}",
    "{.spec.ports[0:1].name}",
    "{.spec.ports[1:].name}",
    "{.spec.ports[:1].name}",
    "{.spec.ports[:].name}",
    "{.spec.ports[*].name}",
    "{.spec.ports[-1:].name}",
    "{.spec.fl[::2]}",
    "{.spec.fl[1:7:3]}",
    "{.spec.ports[0:0]}",
    "{.spec.ports[5:5]}",
    "{.spec.ports[-1:-1]}",
    "{.spec.ports[1:0]}",
    "{.spec.ports[0:5]}",
    "{.spec.ports[::-1]}",
    "{.spec.ports[0:2:0]}",
    "{.spec.ports[]}",
    "{.spec.ports[0,1].name}",
    "{.spec.ports[1,0].name}",
    "{.spec.ports[1, 0, 1].port}",
    "{.spec.ports[0,]}",
    "{.spec.ports[,]}",
    "{.spec.ports[0]['name','port']}",
    "{.spec.ports[*]['name', 'port']}",
    "{.spec.ports[0,'x']}",
    "{.spec.lists[*].l[*]}",
    "{.spec.lists[*].l[0]}",
    "{.spec.lists[0].l[0]}",
    "{.spec.one[0]}",
    "{.spec.s[0]}",
    "{.spec.big[0]}",
    "{.spec.h[0]}",
    "{.spec.b[0]}",
    "{.spec.n[0]}",
    "{.spec.ports[9223372036854775807]}",
    # wildcards and recursive descent
    "{.spec.one.*}",
    "{.spec.fl.*}",
    "{.spec.b.*}",
    "{.spec.n.*}",
    "{.metadata.name.*}",
    "{.spec.ports[*].name.*}",
    "{.metadata.name.*[0]}",
    "{.spec.one..only}",
    "{..only}",
    "{...only}",
    "{.spec.one..}",
    "{.spec.lists..l}",
    "{.spec..nope}",
    "{..[0]}",
    # filters
    '{.spec.ports[?(@.name=="https")].port}',
    "{.spec.ports[?(@.name=='http')].port}",
    '{.spec.ports[?(@.name == "http")].port}',
    "{.spec.ports[?(@.port==80)].name}",
    "{.spec.ports[?(@.port!=80)].name}",
    "{.spec.ports[?(@.port<443)].name}",
    "{.spec.ports[?(@.port>80)].name}",
    "{.spec.ports[?(@.port<=80)].name}",
    "{.spec.ports[?(@.port>=443)].name}",
    '{.spec.ports[?(@.name<"i")].name}',
    '{.spec.ports[?(@.name>"http")].name}',
    "{.spec.ports[?(@.f==1.5)].name}",
    "{.spec.ports[?(@.f>1.0)].name}",
    "{.spec.ports[?(@.f>=1000000.5)].name}",
    "{.spec.ports[?(@.f>1)].name}",
    "{.spec.ports[?(@.port>79.5)].name}",
    '{.spec.ports[?(@.port=="80")].name}',
    "{.spec.ports[?(@.on==true)].name}",
    "{.spec.ports[?(@.on!=true)].name}",
    "{.spec.ports[?(@.on<true)].name}",
    "{.spec.ports[?(@.on>=false)].name}",
    "{.spec.ports[?(@.port==@.port)].name}",
    "{.spec.ports[?(@.port==@.np)].name}",
    "{.spec.ports[?(80==@.port)].name}",
    "{.spec.ports[?($.port==80)].name}",
    "{.spec.ports[?(@.np)].name}",
    "{.spec.ports[?(@.nope)].name}",
    '{.spec.ports[?(@.nope=="x")].name}',
    "{.spec.ports[?(@)].name}",
    "{.spec.ports[?(@==1)].name}",
    "{.spec.ports[?(@.port=80)].name}",
    "{.spec.ports[?(@.port===80)].name}",
    '{.spec.ports[?(@.name=="a)b")]}',
    '{.spec.ports[?(@.name=="\\u0068ttp")].port}',
    "{.spec.ports[?(@.name=='ht\\'tp')].port}",
    "{.spec.ports[?(@.port==1.0)].name}",
    "{.spec.lists[?(@.l[*]==1)]}",
    "{.spec.lists[?(@.l[0])]}",
    "{.spec.lists[?(@.l[5])]}",
    "{.spec.lists[?(@.l[0]==1)]}",
    "{.spec.lists[?(@.l)]}",
    "{.spec.mixed[?(@.a)]}",
    "{.spec.mixed[?(@.a==1)]}",
    "{.spec.mixed[?(@==1)]}",
    '{.spec.mixed[?(@=="s")]}',
    "{.spec.fl[?(@>1)]}",
    "{.spec.fl[?(@>1.0)]}",
    "{.spec.n[?(@.a)]}",
    "{.spec.one[?(@.a)]}",
    "{.spec.s[?(@.a)]}",
    "{.spec.big[?(@.a)]}",
    "{.spec.ports[?(@.name)][?(@.port)]}",
    '{.spec.ports[?("http"==@.name)].port}',
    '{.spec.ports[?(@.name=="}")]}',
    '{.spec.ports[?(@.name=="a\\")b")]}',
    "{.spec.ports[?(@.name==\"x')]}",
    "{.spec.mixed[?(@.*==115)]}",
    "{.spec.mixed[?(@.*>1.5)]}",
    "{.spec.lists[?(@.l[?(@==1)])]}",
    # range / end
    '{range .spec.ports[*]}{.name}{"\\t"}{.port}{"\\n"}{end}',
    "{range .spec.ports[*]}[{@.name}]{end}",
    "{range .spec.lists[*]}[{range .l[*]}{@},{end}]{end}",
    "{range .spec.lists[*]}{.l[0]}{end}",
    "{range .spec.mixed[*]}<{@}>{end}",
    "{range .spec.mixed[*]}{.a}{end}",
    "A{range .nope[*]}x{.y}{end}B",
    "{range .spec.ports[*]}{.name}",
    "{range .spec.ports[*]}{.name}{end}{end}",
    "{end}",
    "{.kind}{end}",
    "{range}{.kind}{end}",
    "{range .spec.ports}{.name}{end}",
    "{range .spec.ports[*]}{range .nope[*]}{.x}{end}{.name}{end}",
    "{range .spec.ports[*]}{.name}{end}{.kind}",
    "{.kind end}",
    "{range .spec.ports[*] end}{.name}",
    "{range .spec.ports[*]}{range .spec.ports[*]}{.name}{end}{end}",
    "{range .spec.ports[*]}{.name}{range .nope[*]}{end}|{end}",
    "{range .spec.ports[*]}{range}{.name}{end}{end}",
    "{range .spec.ports[*]}{range .name.*}{@},{end};{end}",
    "{range .spec.fl[0:2]}{@}{' '}{end}",
    # quoted strings and literals
    '{"\\n"}',
    "{'x'}",
    '{"a\\"b"}',
    "{'a\\'b'}",
    '{"a\\\'b"}',
    "{'a\\\"b'}",
    '{"\\u00e9"}',
    '{"\\U0001F600"}',
    '{"\\x41"}',
    '{"\\101"}',
    '{"\\400"}',
    '{"\\q"}',
    '{"\\ud800"}',
    '{"\\a\\b\\f\\v\\r\\\\"}',
    '{"\\xff\\xc3\\xa9"}',
    '{"abc}',
    '{"a\\\\"}',
    '{"a\\\\" "b"}',
    '{"<&>"}',
    '{"a" "b"}',
    '{.kind "x"}',
    '{"x" .kind}',
    '{""}',
    "x{'\\t'}y{'\\\\'}z",
    "{5}",
    "{-5}",
    "{+5}",
    "{007}",
    "{1.5}",
    "{1.}",
    "{1.0}",
    "{-0.0}",
    "{99999999999999999999}",
    "{1.2.3}",
    "{-}",
    "{true}",
    "{false}",
    "{.spec.ports[*] 7}",
    "{.spec.ports[*] true}",
    "{.nope 7}",
    "{5[0]}",
    "{1.5[0]}",
    "{true[0]}",
    '{"s"[0]}',
    # identifiers and parse errors
    "{kind}",
    "{foo.bar}",
    "{a&b}",
    "{_x}",
    "{é}",
    "{٣}",
    "{.kind",
    "{",
    "{.kind\n}",
    "{.a,.b}",
    "{.a|b}",
    "{#}",
    "{\t.kind}",
    "{€}",
    "{\u00a0}",
    "{*}",
    "{(}",
    "{=}",
    "{!}",
    "{{.kind}}",
    "{..*}",
    "{....name}",
    '{.spec.ports["name"]}',
    "{.spec.ports[a]}",
    "{.spec.ports[ 0 ]}",
    "{.spec.ports[0}",
    "{.spec.ports[-]}",
    "{.spec.ports[1:-]}",
    "{.spec.ports[99999999999999999999]}",
    "{.spec.ports[1.5]}",
    '{.spec.ports[?(@.name=~"h.*")]}',
    "{.spec.ports[?(@.name && @.port)]}",
    "{.spec.ports[?(!@.name)]}",
    "{.spec.ports[?(@.port==80]}",
    "{.spec.ports[?(@.port==80)}",
    "{.spec.ports[?(@.port==80)",
    "{.spec.ports[?(@.port==80) ]}",
    '{"a\nb"}',
    "{.spec.ports[?(@.name==\n)]}",
    "{.spec.ports[0\n]}",
    "{.kind\r}",
    "{['a}{\"']}",
]

AS_JSON_CASES = [
    "{.kind}",
    "{.metadata.name}{.spec.ports[*].port}",
    "a{.spec.mixed}{.nope}b",
    "{.spec.s}",
    "{.spec.fl[*]}",
    "{.spec.ports[0]}",
    '{"<&>"}{"\\xff"}{"\\xc3\\xa9"}',
    "{range .spec.ports[*]}{.name}{end}",
    "{range .spec.mixed[*]}{.a}{end}",
    "{.metadata.name.*}",
    "{5}{1.5}{true}",
    "{.spec.ports[5]}",
    "{.kind",
]

STRICT_CASES = [
    "{.nope}",
    "{.kind}",
    "{.}",
    "{.spec.ports[*].np}",
    "{.spec.ports[*].zz}",
    "{.spec.n.x}",
    "{.metadata.name.x}",
    "{range .spec.ports[*]}{.np}{end}",
    "{range .nope[*]}{.x}{end}",
    "{.spec.ports[?(@.np)].name}",
    "{.spec.ports[?(@.np==30000)].name}",
    "{.spec.ports[?(@.zz)].name}",
    "{..nope}",
    "{.nope[0]}",
    '{"x"}',
]

# Go visits map entries in random order: compared ignoring the order of results.
UNORDERED_CASES = [
    "{..}",
    "{.*}",
    "{.metadata.labels.*}",
    "{.spec.ports[*].*}",
    "{..name}",
    "{..port}",
    "{..l}",
    "{.metadata.*.*}",
    "{range .metadata.annotations.*}{@}{end}",
    "{.metadata.annotations['*']}",
]


@dataclass(frozen=True)
class Outcome:
    stdout: bytes
    stderr: bytes
    code: int


@pytest.fixture(scope="module")
def kubectl_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if KUBECTL is None:
        pytest.skip("kubectl is not installed")
    home = tmp_path_factory.mktemp("kubectl-home")
    (home / "object.json").write_text(json.dumps(OBJECT), encoding="utf-8")
    return {"PATH": _PATH, "HOME": str(home), "KUBECONFIG": str(home / "kubeconfig")}


def run_kubectl(env: dict[str, str], output: str, *flags: str) -> Outcome:
    assert KUBECTL is not None
    obj = str(Path(env["HOME"]) / "object.json")
    argv = [KUBECTL, "label", "--local", "-f", obj, "--overwrite", "t=1", "-o", output, *flags]
    done = subprocess.run(argv, capture_output=True, env=env, timeout=60, check=False)
    return Outcome(done.stdout, done.stderr, done.returncode)


def run_pykctl(template: str, as_json: bool = False, allow_missing: bool = True) -> Outcome:
    """What a kubectl-compatible jsonpath printer built on pykctl writes."""
    try:
        parsed = parse(template)
        execute = parsed.execute_as_json if as_json else parsed.execute
        text = execute(OBJECT, allow_missing_keys=allow_missing)
    except JSONPathError as err:
        message = f"error: {err}"
        if not message.endswith("\n"):
            message += "\n"
        return Outcome(b"", message.encode("utf-8", "surrogateescape"), 1)
    return Outcome(text.encode("utf-8", "surrogateescape"), b"", 0)


@pytest.mark.parametrize("template", CASES)
def test_jsonpath(kubectl_env: dict[str, str], template: str) -> None:
    expected = run_kubectl(kubectl_env, f"jsonpath={template}")
    assert run_pykctl(template) == expected


@pytest.mark.parametrize("template", AS_JSON_CASES)
def test_jsonpath_as_json(kubectl_env: dict[str, str], template: str) -> None:
    expected = run_kubectl(kubectl_env, f"jsonpath-as-json={template}")
    assert run_pykctl(template, as_json=True) == expected


@pytest.mark.parametrize("template", STRICT_CASES)
def test_jsonpath_missing_keys_not_allowed(kubectl_env: dict[str, str], template: str) -> None:
    flag = "--allow-missing-template-keys=false"
    expected = run_kubectl(kubectl_env, f"jsonpath={template}", flag)
    assert run_pykctl(template, allow_missing=False) == expected


def _unordered(stdout: bytes) -> Counter[tuple[str, ...]]:
    """The JSON arrays of jsonpath-as-json output, each as a sorted tuple, in any order."""
    decoder = json.JSONDecoder()
    text, pos = stdout.decode(), 0
    arrays: Counter[tuple[str, ...]] = Counter()
    while pos < len(text):
        values, end = decoder.raw_decode(text, pos)
        arrays[tuple(sorted(json.dumps(v, sort_keys=True) for v in values))] += 1
        pos = end + 1
    return arrays


@pytest.mark.parametrize("template", UNORDERED_CASES)
def test_map_order_independent(kubectl_env: dict[str, str], template: str) -> None:
    expected = run_kubectl(kubectl_env, f"jsonpath-as-json={template}")
    ours = run_pykctl(template, as_json=True)
    assert (ours.code, ours.stderr) == (expected.code, expected.stderr) == (0, b"")
    assert _unordered(ours.stdout) == _unordered(expected.stdout)

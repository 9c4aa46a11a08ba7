"""Differential tests: selector parsing and quantity rendering against the real kubectl v1.37.1.

Three kubectl commands run apimachinery's parsers offline and print the result or the error:

* ``kubectl top pod -l S`` runs ``labels.Parse`` and prints ``error: <msg>`` before it
  contacts a server; a valid selector gets as far as the (unreachable) server.
* ``kubectl create pdb p --selector=S --dry-run=client -o json`` runs
  ``metav1.ParseToLabelSelector`` and prints the resulting ``spec.selector`` or the error.
* ``kubectl top pod --field-selector S`` runs ``fields.ParseSelector`` the same way.
* ``kubectl create quota q --hard=x=Q --dry-run=client -o json`` runs
  ``resource.ParseQuantity`` and prints the quantity's JSON form (its ``String()``).

The kubeconfig points at a closed local port, so nothing ever reaches a real cluster.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from backends.objects.quantity import Quantity, QuantityError
from backends.objects.selectors import (
    SelectorError,
    parse_field_selector,
    parse_label_selector,
    parse_to_label_selector_dict,
)
from tests.conftest import Result, isolated_env, run_process

pytestmark = pytest.mark.e2e

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: closed
  cluster:
    server: http://127.0.0.1:1
contexts:
- name: closed
  context:
    cluster: closed
current-context: closed
"""


@pytest.fixture
def run_kubectl(kubectl: str, tmp_path: Path) -> Callable[..., Result]:
    """Run kubectl with its own HOME and a kubeconfig whose server is a closed port."""
    home = tmp_path / "kubectl-home"
    home.mkdir()
    (home / "config").write_text(KUBECONFIG)
    env = {**isolated_env(home), "KUBECONFIG": str(home / "config")}

    def run(*args: str) -> Result:
        return run_process([kubectl, *args], cwd=home, env=env)

    return run


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def _reached_the_server(result: Result) -> bool:
    line = _last_line(result.stderr)
    return line.startswith(("The connection to the server", "Unable to connect to the server"))


def _random_strings(alphabet: str, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(count)]


LABEL_SELECTORS = [
    "",
    "a b",
    "a/b/c",
    "A_/x",
    "-a",
    "a=-b",
    "a>b",
    "a>1",
    "x>-1",
    "a>99999999999999999999",
    "a in (b",
    "a in b",
    ",",
    "a,",
    "a,,b",
    "a in (b c)",
    "a notin",
    "a in (,)",
    "!",
    "!!a",
    "a!",
    "a=(",
    "(a)",
    "a=b)",
    "x in (a,,b",
    "é=1",
    "a=é",
    "=a",
    "a==",
    "a!=",
    "/a",
    "a/",
    "Ex.com/a",
    'a"b',
    "a in (b))",
    "a in (b,!)",
    "a=b c",
    "x=a,y=b,z=c",
    "x!=a,y=b",
    "x= ,z= ",
    "!x=a",
    "x==a==b",
    "in in (in)",
    "notin notin (notin,in)",
    "x notin (abc,,def),bar,z in (),w",
    "x in (a,,a,,a,,a,,)",
    "x notin (, a)",
    "a in (x,y,notin, z,in)",
    "app=web,tier in (frontend,backend),!canary",
    "example.com/a-b_c.d=e",
    "a\t=\tb",
    "b=2,a=1,a=3",
    "k" * 64,
    "a=" + "v" * 64,
    "p" * 254 + "/a",
    "é" * 32,
    *_random_strings('ab=!(),<> \tin"x-_./1', 40, seed=11),
]


@pytest.mark.parametrize("text", LABEL_SELECTORS)
def test_label_selector_parse_matches_kubectl(
    run_kubectl: Callable[..., Result], text: str
) -> None:
    run = run_kubectl
    result = run("top", "pod", "-l", text)
    try:
        parse_label_selector(text)
    except SelectorError as error:
        assert _last_line(result.stderr) == f"error: {error}"
    else:
        assert _reached_the_server(result), result.stderr


@pytest.mark.parametrize("text", [text for text in LABEL_SELECTORS if text])
def test_label_selector_object_matches_kubectl(
    run_kubectl: Callable[..., Result], text: str
) -> None:
    run = run_kubectl
    result = run(
        "create",
        "pdb",
        "p",
        f"--selector={text}",
        "--min-available=1",
        "--dry-run=client",
        "-o",
        "json",
    )
    try:
        expected = parse_to_label_selector_dict(text)
    except SelectorError as error:
        assert (result.code, result.stderr.strip()) == (1, f"error: {error}")
    else:
        assert result.code == 0, result.stderr
        assert json.loads(result.stdout)["spec"]["selector"] == expected


FIELD_SELECTORS = [
    "a",
    "a=b=c",
    "a\\x",
    "a=b\\",
    "a=b,c",
    "=",
    "a=b",
    "a==b",
    "a!=b",
    "a!b",
    ",,",
    "a=b\\,c",
    "a=b\\=c",
    "a=\\",
    "a\\=b=c",
    "=a",
    "b=1,a",
    "metadata.name=x,status.phase!=Running",
    *_random_strings("ab=!,\\.x", 30, seed=5),
]


@pytest.mark.parametrize("text", FIELD_SELECTORS)
def test_field_selector_parse_matches_kubectl(
    run_kubectl: Callable[..., Result], text: str
) -> None:
    run = run_kubectl
    result = run("top", "pod", "--field-selector", text)
    try:
        parse_field_selector(text)
    except SelectorError as error:
        assert _last_line(result.stderr) == f"error: {error}"
    else:
        assert _reached_the_server(result), result.stderr


QUANTITIES = [
    *"0 0m 0Ki 1 1Ki 7Mi 3Ei 5n 4u 3m 8k 50k 2P 1E 1E-3 1e3 1E6 1e14 100.035k 0.001 0.5".split(),
    *"0.00500 0.5e-2 1.2e3 1.3E+6 9.01 7.123456M 3.001n 1.1E-9 0.5e-9 9Ei 12E 100.035Ki".split(),
    *"0.05Gi 0.000000000001Ki .001 1. 1.G 1.Ki 1024Mi 1000M 1.5Gi 1000m 100M 1024Ki +1Gi".split(),
    *"01Gi 1.500 1.100 1.000 +5 007 -007 m Ki + - . e3 1.e-10 -.5Ki 1000E 1e21 1e100".split(),
    *"1e-100 123456789012Ki +123456789012Ki +12345678901Ki 8Ei 7Ei 1e4294967296 -1.5n".split(),
    *"12e-1 1E+3 1234567890123456789 12345678901234567890 1234567890.123456789 -0 -1Ki".split(),
    *"1.1.M 0.1mi aoeu .5i 1i -3.01e- e-10 .e-10 1ee3 1Ki3 1e+ 1e9223372036854775808 0x10".split(),
    *"1e 1K 1KI 1ki 1.5e1Ki".split(),
]


def test_quantities_render_like_kubectl(run_kubectl: Callable[..., Result]) -> None:
    run = run_kubectl
    valid: dict[str, str] = {}
    for index, text in enumerate(QUANTITIES):
        try:
            valid[f"x{index:03d}"] = str(Quantity.parse(text))
        except QuantityError as error:
            result = run(
                "create", "quota", "q", f"--hard=x={text}", "--dry-run=client", "-o", "json"
            )
            assert (text, result.stderr.strip()) == (text, f"error: {error}")
    hard = ",".join(f"{name}={QUANTITIES[int(name[1:])]}" for name in valid)
    result = run("create", "quota", "q", f"--hard={hard}", "--dry-run=client", "-o", "json")
    assert result.code == 0, result.stderr
    rendered = json.loads(result.stdout)["spec"]["hard"]
    assert {QUANTITIES[int(name[1:])]: rendered[name] for name in valid} == {
        QUANTITIES[int(name[1:])]: text for name, text in valid.items()
    }

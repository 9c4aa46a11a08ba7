"""pflag semantics of pykctl's flag parser, the cases kubectl users rely on."""

from __future__ import annotations

import pytest

from pykctl.cli.flags import (
    BOOL,
    DURATION,
    INT,
    STRING_ARRAY,
    STRING_SLICE,
    Flag,
    FlagError,
    FlagSet,
)

FLAGS = FlagSet(
    [
        Flag("output", shorthand="o"),
        Flag("namespace", shorthand="n"),
        Flag("stdin", BOOL, shorthand="i"),
        Flag("tty", BOOL, shorthand="t"),
        Flag("replicas", INT, shorthand="r"),
        Flag("timeout", DURATION),
        Flag("env", STRING_ARRAY),
        Flag("image", STRING_SLICE),
        Flag("show-managed-fields", BOOL),
    ]
)


def parse(*argv: str) -> tuple[dict[str, object], list[str]]:
    result = FLAGS.parse(list(argv))
    return result.values, result.args


@pytest.mark.parametrize(
    ("argv", "values", "args"),
    [
        (["get", "-o", "json", "pods"], {"output": "json"}, ["get", "pods"]),
        (["-ojson"], {"output": "json"}, []),
        (["-o=json"], {"output": "json"}, []),
        (["-o="], {"output": "="}, []),
        (["--output="], {"output": ""}, []),
        (["--output", "--raw"], {"output": "--raw"}, []),
        (["-it"], {"stdin": True, "tty": True}, []),
        (["-tinfoo"], {"tty": True, "stdin": True, "namespace": "foo"}, []),
        (["-it=false"], {"stdin": True, "tty": False}, []),
        (["--stdin", "false"], {"stdin": True}, ["false"]),
        (["--stdin=false"], {"stdin": False}, []),
        (["-r", "0x10"], {"replicas": 16}, []),
        (["-r", "010"], {"replicas": 8}, []),
        (["--replicas=1_000"], {"replicas": 1000}, []),
        (["--timeout=1m30s"], {"timeout": 90.0}, []),
        (["--env=a=1,b=2", "--env", "c=3"], {"env": ["a=1,b=2", "c=3"]}, []),
        (["--image=a,b", '--image="c,d",e'], {"image": ["a", "b", "c,d", "e"]}, []),
        (["--show_managed_fields"], {"show_managed_fields": True}, []),
        (["a", "--", "-x", "--y"], {}, ["a", "-x", "--y"]),
        (["-"], {}, ["-"]),
    ],
)
def test_parses_like_pflag(argv: list[str], values: dict[str, object], args: list[str]) -> None:
    assert parse(*argv) == (values, args)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bogus"], "unknown flag: --bogus"),
        (["-Z"], "unknown shorthand flag: 'Z' in -Z"),
        (["-itZ"], "unknown shorthand flag: 'Z' in -Z"),
        (["-Z=1"], "unknown shorthand flag: 'Z' in -Z=1"),
        (["-o"], "flag needs an argument: 'o' in -o"),
        (["-ito"], "flag needs an argument: 'o' in -o"),
        (["--output"], "flag needs an argument: --output"),
        (["---x"], "bad flag syntax: ---x"),
        (
            ["--stdin=maybe"],
            'invalid argument "maybe" for "-i, --stdin" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
        ),
        (
            ["-r", "abc"],
            'invalid argument "abc" for "-r, --replicas" flag: strconv.ParseInt: parsing "abc": invalid syntax',
        ),
        (
            ["-r", "99999999999999999999"],
            'invalid argument "99999999999999999999" for "-r, --replicas" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range',
        ),
        (
            ["--timeout=5"],
            'invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"',
        ),
        (
            ["--timeout=1x"],
            'invalid argument "1x" for "--timeout" flag: time: unknown unit "x" in duration "1x"',
        ),
        (
            ["--timeout=abc"],
            'invalid argument "abc" for "--timeout" flag: time: invalid duration "abc"',
        ),
    ],
)
def test_errors_word_for_word(argv: list[str], message: str) -> None:
    with pytest.raises(FlagError) as err:
        parse(*argv)
    assert str(err.value) == message


def test_own_flag_hides_global_shorthand() -> None:
    local = Flag("server")
    flags = FlagSet([local, Flag("server", shorthand="s")])
    with pytest.raises(FlagError, match="unknown shorthand flag: 's' in -s"):
        flags.parse(["-s", "x"])

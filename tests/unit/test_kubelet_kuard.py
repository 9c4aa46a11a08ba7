"""The kuard stand-in's pieces that a learner sees: flags, the config log, probe semantics,
version colours, JSON as Go writes it."""

from __future__ import annotations

import datetime
import json

import pytest

from backends.simulator.kubelet import kuard


def test_flags_parse_as_pflag_does() -> None:
    flags = kuard.parse_flags(
        [
            "--keygen-enable",
            "--keygen-num-to-gen=10",
            "--liveness-fail-next",
            "-1",
            "extra",
            "--debug=false",
        ]
    )
    assert flags["keygen-enable"] is True and flags["keygen-num-to-gen"] == 10
    assert flags["liveness-fail-next"] == -1 and flags["debug"] is False
    assert flags["address"] == ":8080"


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--nope"], "unknown flag: --nope"), (["-x"], "unknown shorthand flag: 'x' in -x"),
     (["--keygen-exit-code=a"], 'invalid argument "a" for "--keygen-exit-code" flag: strconv.ParseInt: parsing "a": invalid syntax')],
)  # fmt: skip
def test_bad_flags_exit_2_with_usage(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        kuard.parse_flags(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(message + "\nUsage of /kuard:\n")
    assert '      --address string              The address to serve on (default ":8080")\n' in err
    assert "      --debug                       Debug/Developer mode\n" in err


def test_config_log_reflects_the_flags() -> None:
    text = json.dumps(
        kuard.settings(kuard.parse_flags(["--keygen-enable"])), indent=2, sort_keys=True
    )
    assert text.splitlines()[:5] == [
        "{",
        '  "address": ":8080",',
        '  "debug": false,',
        '  "debug-sitedata-dir": "./sitedata",',
        '  "keygen": {',
    ]
    assert '    "enable": true,' in text


def test_probe_fail_next_semantics() -> None:
    probe = kuard.Probe("/healthy", 2)
    assert [probe.check() for _ in range(3)] == [
        (500, "fail, 1 left"),
        (500, "fail, 0 left"),
        (200, "ok"),
    ]
    probe.fail_next = -1
    assert probe.check() == (500, "fail, permanent")
    status = probe.status()
    assert status["probePath"] == "" and status["failNext"] == -1
    assert [h["id"] for h in status["history"]] == [4, 3, 2, 1]
    assert status["history"][0]["relWhen"] == "now"
    for _ in range(30):
        probe.check()
    assert len(probe.status()["history"]) == 20


def test_version_colours_and_go_formats() -> None:
    assert kuard.fnv1a("v0.10.0-blue") % 360 == 339
    assert kuard.fnv1a("v0.10.0-green") % 360 == 54
    assert kuard.go_json({"a": "<b>&"}) == '{"a":"\\u003cb\\u003e\\u0026"}'
    moment = datetime.datetime(2026, 1, 2, 15, 4, 5, tzinfo=datetime.timezone.utc)
    assert kuard.go_stamp(moment) == "Jan  2 15:04:05"
    assert kuard.canonical_header("x-forwarded-for") == "X-Forwarded-For"


def test_dns_answers_look_like_dig(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = kuard.dns_answer("localhost.", "A")
    lines = answer.splitlines()
    assert lines[0].startswith(";; opcode: QUERY, status: NOERROR, id: ")
    assert ";; QUESTION SECTION:" in lines and ";localhost.\tIN\t A" in lines
    assert "localhost.\t5\tIN\tA\t127.0.0.1" in lines

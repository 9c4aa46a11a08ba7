"""Unit tests for backends.objects.quantity (apimachinery resource.Quantity semantics)."""

from __future__ import annotations

import pytest

from backends.objects.quantity import (
    FORMAT_WRONG_MESSAGE,
    NUMERIC_MESSAGE,
    SUFFIX_MESSAGE,
    Format,
    Quantity,
    QuantityError,
    format_mebibytes,
    format_millicores,
    percent_of,
)

# Observed with kubectl v1.37.1: `kubectl create quota q --hard=x=<input> --dry-run=client
# -o jsonpath={.spec.hard.x}` parses each value with resource.ParseQuantity and prints its
# JSON form, i.e. String().
KUBECTL_RENDERINGS = [
    ("0", "0"),
    ("0n", "0"),
    ("0m", "0"),
    ("0Ki", "0"),
    ("1", "1"),
    ("1Ki", "1Ki"),
    ("8Ki", "8Ki"),
    ("7Mi", "7Mi"),
    ("3Ei", "3Ei"),
    ("5n", "5n"),
    ("4u", "4u"),
    ("3m", "3m"),
    ("8k", "8k"),
    ("50k", "50k"),
    ("7M", "7M"),
    ("40T", "40T"),
    ("2P", "2P"),
    ("1E", "1E"),
    ("1E-3", "1E-3"),
    ("1e3", "1e3"),
    ("1E6", "1E6"),
    ("1e14", "100e12"),
    ("1e13", "10e12"),
    ("100.035k", "100.035k"),
    ("0.001", "1m"),
    ("0.0005k", "500m"),
    ("0.5", "500m"),
    ("0.00500", "5m"),
    ("0.5e0", "500e-3"),
    ("0.5e-2", "5e-3"),
    ("10.035M", "10.035M"),
    ("1.2e3", "1200"),
    ("1.3E+6", "1300e3"),
    ("1.40e9", "1400e6"),
    ("9.01", "9010m"),
    ("8.1k", "8100"),
    ("7.123456M", "7.123456M"),
    ("6.987654321G", "6.987654321G"),
    ("300.2T", "300200G"),
    ("1.01E", "1010P"),
    ("3.001n", "4n"),
    ("1.1E-9", "2e-9"),
    ("0.0000000005", "1n"),
    ("0.5e-9", "1e-9"),
    ("0.00000012345", "124n"),
    ("9Ei", "9223372036854775807"),
    ("9223372036854775807Ki", "9223372036854775807"),
    ("12E", "12E"),
    ("100.035Ki", "102435840m"),
    ("0.5Mi", "512Ki"),
    ("0.05Gi", "53687091200m"),
    ("0.000000000001Ki", "2n"),
    (".001", "1m"),
    (".0001k", "100m"),
    ("1.", "1."),
    ("1.G", "1.G"),
    ("1024Mi", "1Gi"),
    ("1000M", "1G"),
    (".001Ki", "1024m"),
    ("1.5Gi", "1536Mi"),
    ("1000m", "1"),
    ("100M", "100M"),
    ("1024Ki", "1Mi"),
    ("+1Gi", "+1Gi"),
    ("01Gi", "01Gi"),
    ("1.500", "1.500"),
    ("1.100", "1.100"),
    ("1.000", "1"),
    ("+5", "+5"),
    ("007", "007"),
    ("-007", "-007"),
    ("m", "0"),
    ("Ki", "0"),
    ("+", "0"),
    ("-", "0"),
    (".", "0"),
    ("e3", "0"),
    ("1.e-10", "1e-9"),
    ("-.5Ki", "-512"),
    ("1000E", "1"),
    ("1e21", "1e21"),
    ("1e100", "10e99"),
    ("1e-100", "1e-9"),
    ("123456789012Ki", "123456789012Ki"),
    ("+123456789012Ki", "123456789012Ki"),
    ("+12345678901Ki", "+12345678901Ki"),
    ("8Ei", "9223372036854775807"),
    ("7Ei", "7Ei"),
    ("1024Ei", "9223372036854775807"),
    ("1e4294967296", "1e4294967296"),
    ("1e2147483647", "10e2147483646"),
    ("1.5n", "2n"),
    ("-1.5n", "-2n"),
    ("1.Ki", "1.Ki"),
    ("12e-1", "1200e-3"),
    ("1E+3", "1E+3"),
    ("1234567890123456789", "1234567890123456789"),
    ("12345678901234567890", "12345678901234567890"),
    ("1234567890.123456789", "1234567890123456789n"),
    ("1.000001", "1.000001"),
    ("-0", "0"),
    ("0.0Ki", "0"),
    ("1023Ki", "1023Ki"),
    ("1025", "1025"),
    ("-1Ki", "-1Ki"),
    ("-1024", "-1024"),
    ("10e2", "1e3"),
    ("1e-12", "1e-9"),
    ("1e19", "10e18"),
    ("1.7976931348623157e308", "179769313486231570e291"),
]

KUBECTL_ERRORS = [
    ("", FORMAT_WRONG_MESSAGE),
    (" 1", FORMAT_WRONG_MESSAGE),
    ("1 ", FORMAT_WRONG_MESSAGE),
    ("1.1.M", FORMAT_WRONG_MESSAGE),
    ("1+1.0M", FORMAT_WRONG_MESSAGE),
    ("0.1mi", SUFFIX_MESSAGE),
    ("0.1am", FORMAT_WRONG_MESSAGE),
    ("aoeu", FORMAT_WRONG_MESSAGE),
    (".5i", SUFFIX_MESSAGE),
    ("1i", SUFFIX_MESSAGE),
    ("-3.01i", SUFFIX_MESSAGE),
    ("-3.01e-", SUFFIX_MESSAGE),
    ("e-10", NUMERIC_MESSAGE),
    (".e-10", NUMERIC_MESSAGE),
    ("1ee3", SUFFIX_MESSAGE),
    ("1Ki3", SUFFIX_MESSAGE),
    ("1e+", SUFFIX_MESSAGE),
    ("1e9223372036854775808", SUFFIX_MESSAGE),
    ("0x10", FORMAT_WRONG_MESSAGE),
    ("1e", SUFFIX_MESSAGE),
    ("1K", SUFFIX_MESSAGE),
    ("1KI", FORMAT_WRONG_MESSAGE),
    ("1ki", SUFFIX_MESSAGE),
]


@pytest.mark.parametrize(("text", "expected"), KUBECTL_RENDERINGS)
def test_parse_renders_like_kubectl(text: str, expected: str) -> None:
    assert str(Quantity.parse(text)) == expected


@pytest.mark.parametrize(("text", "message"), KUBECTL_ERRORS)
def test_parse_errors_are_gos(text: str, message: str) -> None:
    with pytest.raises(QuantityError) as caught:
        Quantity.parse(text)
    assert str(caught.value) == message


def test_error_texts() -> None:
    assert FORMAT_WRONG_MESSAGE == (
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
    assert NUMERIC_MESSAGE == "unable to parse numeric part of quantity"
    assert SUFFIX_MESSAGE == "unable to parse quantity's suffix"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("1", Format.DECIMAL_SI),
        ("0", Format.DECIMAL_SI),
        ("0Ki", Format.BINARY_SI),
        ("1Gi", Format.BINARY_SI),
        ("1e3", Format.DECIMAL_EXPONENT),
        ("1E", Format.DECIMAL_SI),  # exa, not an exponent
        ("0.5Mi", Format.BINARY_SI),
        ("0.000000000001Ki", Format.DECIMAL_SI),  # a BinarySI fraction of 1 becomes DecimalSI
        ("-0.5Ki", Format.BINARY_SI),
    ],
)
def test_format_is_remembered(text: str, fmt: Format) -> None:
    assert Quantity.parse(text).format is fmt


@pytest.mark.parametrize(
    ("text", "value", "milli"),
    [
        ("1", 1, 1000),
        ("1.5", 2, 1500),
        ("0.5", 1, 500),
        ("100m", 1, 100),
        ("1234567n", 1, 2),
        ("0.1m", 1, 1),
        ("1Ki", 1024, 1024000),
        ("1.5Gi", 1610612736, 1610612736000),
        ("1e3", 1000, 1000000),
        ("0", 0, 0),
        ("-1.5", -2, -1500),  # away from zero, as Go's int64 path
        ("-100m", -1, -100),
        ("10E", 10**19, 10**22),  # exact here; Go overflows int64
    ],
)
def test_value_and_milli_value_round_up(text: str, value: int, milli: int) -> None:
    quantity = Quantity.parse(text)
    assert quantity.value() == value
    assert quantity.milli_value() == milli


@pytest.mark.parametrize(
    ("from_scale", "to_scale", "expected"),
    [
        (-9, -9, 1),
        (-9, -6, 1),
        (-9, -3, 1),
        (-9, 0, 1),
        (-6, -9, 1000),
        (-3, -9, 1000000),
        (-3, -6, 1000),
        (-3, 0, 1),
        (0, -9, 1000000000),
        (0, -3, 1000),
        (0, 0, 1),
        (2, -2, 10000),
    ],
)
def test_scaled_value(from_scale: int, to_scale: int, expected: int) -> None:
    assert Quantity(1, from_scale).scaled_value(to_scale) == expected


@pytest.mark.parametrize(
    ("text", "scale", "expected", "exact"),
    [
        ("9.01", -3, "9010m", True),
        ("9.01", -2, "9010m", True),
        ("9.01", -1, "9100m", False),
        ("9.01", 0, "10", False),
        ("9.01", 1, "10", False),
        ("9.01", 2, "100", False),
        ("-9.01", -1, "-9100m", False),
        ("-9.01", 0, "-10", False),
        ("1.5n", -3, "1m", False),
        ("1.500", -3, "1.500", True),  # already at milli scale: the text survives
        ("1.000001", -3, "1001m", False),
    ],
)
def test_round_up(text: str, scale: int, expected: str, exact: bool) -> None:
    rounded, was_exact = Quantity.parse(text).round_up(scale)
    assert (str(rounded), was_exact) == (expected, exact)


def test_comparison_ignores_format() -> None:
    one_gi = Quantity.parse("1Gi")
    assert one_gi == Quantity.parse("1024Mi") == Quantity.parse("1073741824")
    assert (
        hash(one_gi) == hash(Quantity.parse("1073741824")) == hash(Quantity.parse("1.073741824G"))
    )
    assert Quantity.parse("100m") > Quantity.parse("50m")
    assert Quantity.parse("10000T") > Quantity.parse("100Gi")
    assert Quantity.parse("1Gi") > Quantity.parse("900Mi")
    assert Quantity.parse("-1") < Quantity.parse("0") <= Quantity.parse("0m")
    assert Quantity.parse("0") >= Quantity.parse("0Ki")
    assert Quantity.parse("1") != Quantity.parse("1001m")
    assert Quantity.parse("1").compare(Quantity.parse("1000m")) == 0
    assert sorted(Quantity.parse(t) for t in ["1Gi", "1", "500m", "2k"]) == [
        Quantity.parse(t) for t in ["500m", "1", "2k", "1Gi"]
    ]
    assert Quantity.parse("1") != "1"


@pytest.mark.parametrize(
    ("left", "right", "total", "difference"),
    [
        ("100m", "1", "1100m", "-900m"),
        ("1Gi", "512Mi", "1536Mi", "512Mi"),
        ("1", "100m", "1100m", "900m"),
        ("0", "100m", "100m", "-100m"),  # a zero left operand takes the other's format
        ("0", "1Gi", "1Gi", "-1Gi"),
        ("100m", "0", "100m", "100m"),
        ("1Gi", "0", "1Gi", "1Gi"),
        ("1Gi", "1G", "2073741824", "73741824"),
        ("1e3", "1", "1001", "999"),
        ("1e3", "1e3", "2e3", "0"),
        ("1k", "1e3", "2k", "0"),
        ("+1Gi", "0", "1Gi", "1Gi"),  # arithmetic drops a kept text
        ("1.5", "1.5", "3", "0"),
    ],
)
def test_add_and_subtract(left: str, right: str, total: str, difference: str) -> None:
    a, b = Quantity.parse(left), Quantity.parse(right)
    assert str(a + b) == total
    assert str(a - b) == difference


def test_accumulating_from_zero_keeps_the_first_format() -> None:
    total = Quantity()
    for text in ["250m", "1", "500m"]:
        total += Quantity.parse(text)
    assert str(total) == "1750m"
    memory = Quantity()
    for text in ["128Mi", "1Gi", "64Mi"]:
        memory += Quantity.parse(text)
    assert str(memory) == "1216Mi"


def test_negation() -> None:
    assert str(-Quantity.parse("9.01")) == "-9010m"
    assert str(-Quantity.parse("-1Ki")) == "1Ki"
    assert str(-Quantity()) == "0"
    assert str(-Quantity.parse("+1Gi")) == "-1Gi"


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (Quantity(1), "1"),
        (Quantity(1000), "1k"),
        (Quantity(1234000), "1234k"),
        (Quantity(1024, fmt=Format.BINARY_SI), "1Ki"),
        (Quantity(1000000, fmt=Format.DECIMAL_EXPONENT), "1e6"),
        (Quantity(1024 * 1024, fmt=Format.BINARY_SI), "1Mi"),
        (Quantity(1536, fmt=Format.BINARY_SI), "1536"),
        (Quantity(1, -3), "1m"),
        (Quantity(1000, -3), "1"),
        (Quantity(1024, -3, Format.BINARY_SI), "1024m"),  # below 1Ki: DecimalSI
        (Quantity(1024 * 1024, -3, Format.BINARY_SI), "1048576m"),  # not whole: DecimalSI
        (Quantity(1, -9), "1n"),
        (Quantity(1000, -9), "1u"),
        (Quantity(1, -6), "1u"),
        (Quantity(0, -9), "0"),
        (Quantity(1, 21), "1"),  # Go has no suffix for 10^21 and prints none
        (Quantity(1, 2, Format.DECIMAL_EXPONENT), "100"),
        (Quantity(-1, -2, Format.DECIMAL_EXPONENT), "-10e-3"),
        (Quantity(2**70, fmt=Format.BINARY_SI), "1"),  # nor for 1024^7
    ],
)
def test_constructed_quantities_render_canonically(quantity: Quantity, expected: str) -> None:
    assert str(quantity) == expected


CANONICAL = ["1Gi", "300Mi", "6Ki", "1001Gi", "5", "500m", "1G", "1m", "80m", "1080m", "300M", "1T"]
CANONICAL += ["1234567M", "3k", "1025", "1e9", "1e-3", "1e-9", "80e-3", "300e6", "1n", "1080u"]


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_text_round_trips(text: str) -> None:
    quantity = Quantity.parse(text)
    assert str(quantity) == text
    assert str(Quantity(quantity.scaled_value(-9), -9, quantity.format)) == text
    assert repr(quantity) == f"Quantity({text!r})"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "0"),
        (" 1 ", "1"),
        ("\u00a01Gi\t", "1Gi"),
        (1, "1"),
        (0.5, "500m"),
        (1000, "1k"),
        ("1e3", "1e3"),
    ],
)
def test_from_json(raw: object, expected: str) -> None:
    assert str(Quantity.from_json(raw)) == expected


@pytest.mark.parametrize("raw", [True, [], {}, "\x1c1"])
def test_from_json_rejects_what_go_rejects(raw: object) -> None:
    with pytest.raises(QuantityError, match="quantities must match"):
        Quantity.from_json(raw)


def test_sign_and_zero() -> None:
    assert Quantity.parse("-1m").sign() == -1
    assert Quantity.parse("0Gi").sign() == 0
    assert Quantity.parse("0Gi").is_zero()
    assert Quantity.parse("1n").sign() == 1
    assert not Quantity.parse("1n").is_zero()


@pytest.mark.parametrize(
    ("text", "cpu", "memory"),
    [
        ("1234567n", "2m", "0Mi"),
        ("0", "0m", "0Mi"),
        ("1.5", "1500m", "0Mi"),
        ("10240Ki", "10485760000m", "10Mi"),
        ("3Gi", "3221225472000m", "3072Mi"),
        ("512Ki", "524288000m", "0Mi"),
        ("-1.5Mi", "-1572864000m", "-1Mi"),  # Go's division truncates toward zero
    ],
)
def test_top_formatting(text: str, cpu: str, memory: str) -> None:
    quantity = Quantity.parse(text)
    assert format_millicores(quantity) == cpu
    assert format_mebibytes(quantity) == memory


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        ("1500m", "4", 37),
        ("29m", "100m", 28),  # float64 arithmetic, as kubectl: 0.29 * 100 < 29
        ("2", "2", 100),
        ("3", "2", 150),
        ("1", "0", 0),
        ("0", "1", 0),
        ("1Gi", "4Gi", 25),
    ],
)
def test_percent_of(part: str, whole: str, expected: int) -> None:
    assert percent_of(Quantity.parse(part), Quantity.parse(whole)) == expected

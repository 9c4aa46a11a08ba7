"""Kubernetes resource quantities, as apimachinery's ``resource.Quantity`` behaves.

A :class:`Quantity` is an exact fixed-point number (``unscaled * 10**scale`` held in Python
ints; never a float) plus the :class:`Format` it is rendered in (``DecimalSI`` ``500m``,
``BinarySI`` ``1Gi``, ``DecimalExponent`` ``1e3``).

Invariants, all as in ``k8s.io/apimachinery/pkg/api/resource``:

* Parsing rounds a non-zero value *away from zero* to a multiple of ``1n`` and caps
  ``BinarySI`` values at ``2**63 - 1`` in magnitude; a ``BinarySI`` value strictly between
  -1 and 1 becomes ``DecimalSI``.
* ``str(q)`` is what Kubernetes serializes: the parsed text verbatim when Go keeps it (its
  "already canonical" shortcut, which also keeps oddities such as ``+1Gi``, ``007`` or
  ``1.500``), otherwise the canonical form (largest exponent, no fraction: ``1536Mi``,
  ``1500m``, ``10e99``). Arithmetic results always use the canonical form.
* Quantities are immutable; ``==``, ``<``... and ``hash`` compare values, not formats.
* ``value()`` / ``milli_value()`` round away from zero (``ceil`` for positive values).

Known, deliberate gaps: results beyond int64 are exact here where Go overflows or returns
garbage, and a negative fractional value always rounds away from zero (Go's ``inf.Dec``
code path disagrees with its int64 path there).
"""

from __future__ import annotations

import enum
import re
from typing import Final

INT64_MAX: Final = (1 << 63) - 1
NANO: Final = -9
MILLI: Final = -3

FORMAT_WRONG_MESSAGE: Final = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
NUMERIC_MESSAGE: Final = "unable to parse numeric part of quantity"
SUFFIX_MESSAGE: Final = "unable to parse quantity's suffix"


class QuantityError(ValueError):
    """A string Kubernetes would refuse as a quantity; ``str()`` is Go's error text."""


class Format(str, enum.Enum):
    """How a quantity is rendered (Go's ``resource.Format``)."""

    DECIMAL_EXPONENT = "DecimalExponent"
    BINARY_SI = "BinarySI"
    DECIMAL_SI = "DecimalSI"


_DECIMAL_SUFFIXES: Final = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX_BY_EXPONENT: Final = {e: s for s, e in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIX_BY_POWER: Final = {p // 10: s for s, p in _BINARY_SUFFIXES.items()}

# The grammar of Go's hand-written scanner (parseQuantityString): sign, leading zeros,
# integer digits, optional fraction, then suffix letters, an optional sign and digits.
_SCANNER: Final = re.compile(r"([+-]?)(0*)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)")
_GO_INT: Final = re.compile(r"[+-]?[0-9]+")
# unicode.IsSpace, which Go's strings.TrimSpace uses (str.strip() also trims \x1c-\x1f).
_GO_SPACE: Final = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _interpret_suffix(suffix: str) -> tuple[int, int, Format]:
    """(base, exponent, format) of a suffix; raises the suffix error when unknown."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], Format.DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], Format.BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE" and _GO_INT.fullmatch(suffix[1:]):
        exponent = int(suffix[1:])
        if -(1 << 63) <= exponent <= INT64_MAX:
            # Go keeps the parsed int64 in an int32, wrapping around.
            return 10, (exponent + (1 << 31)) % (1 << 32) - (1 << 31), Format.DECIMAL_EXPONENT
    raise QuantityError(SUFFIX_MESSAGE)


def _pow10(exponent: int) -> int:
    """``10**exponent`` for ``exponent >= 0``, typed as an int."""
    power: int = 10**exponent
    return power


def _divide_away_from_zero(unscaled: int, digits: int) -> int:
    """``unscaled / 10**digits`` (``digits > 0``) rounded away from zero."""
    if digits > len(str(abs(unscaled))):  # |unscaled| < 10**digits: avoid a huge power
        return (unscaled > 0) - (unscaled < 0)
    quotient, remainder = divmod(abs(unscaled), _pow10(digits))
    magnitude = quotient + (remainder != 0)
    return -magnitude if unscaled < 0 else magnitude


def _strip_factors(value: int, factor: int) -> tuple[int, int]:
    """``value`` without trailing factors of ``factor``, and how many were removed."""
    times = 0
    while value and value % factor == 0:
        value //= factor
        times += 1
    return value, times


def _trunc_div(numerator: int, denominator: int) -> int:
    """Go's integer division (truncates toward zero)."""
    quotient = abs(numerator) // abs(denominator)
    return -quotient if (numerator < 0) != (denominator < 0) else quotient


class Quantity:
    """An immutable Kubernetes quantity; see the module docstring for its rules."""

    __slots__ = ("_format", "_scale", "_text", "_unscaled")

    _unscaled: int
    _scale: int
    _format: Format
    _text: str | None

    def __init__(self, value: int = 0, scale: int = 0, fmt: Format = Format.DECIMAL_SI) -> None:
        """``value * 10**scale`` in ``fmt`` (Go's NewQuantity / NewScaledQuantity)."""
        self._unscaled = value
        self._scale = scale
        self._format = fmt
        self._text = None

    @classmethod
    def _make(cls, unscaled: int, scale: int, fmt: Format, text: str | None) -> Quantity:
        quantity = cls(unscaled, scale, fmt)
        quantity._text = text
        return quantity

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """Parse like Go's ``resource.ParseQuantity`` (no surrounding whitespace allowed)."""
        match = _SCANNER.fullmatch(text) if text else None
        if match is None:
            raise QuantityError(FORMAT_WRONG_MESSAGE)
        sign, zeros, num, denom, suffix = match.groups(default="")
        base, exponent, fmt = _interpret_suffix(suffix)
        negative = sign == "-"
        digits = (num or "0") + denom
        if base == 10:
            scale = exponent - len(denom)
            if len(digits) <= 18 and scale >= NANO:
                # Go's int64 fast path; it keeps the input text when that looks canonical.
                canonical = scale % 3 == 0 and not digits.endswith("000") and digits[0] != "0"
                unscaled = int(digits)
                return cls._make(
                    -unscaled if negative else unscaled, scale, fmt, text if canonical else None
                )
        elif not denom and 14 - len(digits) - exponent * 3 // 10 >= 0:
            unscaled = int(digits) << exponent
            if unscaled <= INT64_MAX:
                canonical = int(digits) & 7 != 0
                return cls._make(
                    -unscaled if negative else unscaled, 0, fmt, text if canonical else None
                )
        if not (zeros or num or denom):
            raise QuantityError(NUMERIC_MESSAGE)
        return cls._parse_slow(negative, int(digits), len(denom), base, exponent, fmt)

    @classmethod
    def _parse_slow(
        cls,
        negative: bool,
        unscaled: int,
        fraction_digits: int,
        base: int,
        exponent: int,
        fmt: Format,
    ) -> Quantity:
        """Go's inf.Dec path: round up to nanos, cap BinarySI, demote tiny BinarySI."""
        scale = -fraction_digits
        if base == 10:
            scale += exponent
        else:
            unscaled <<= exponent
        if scale < NANO:
            unscaled, scale = _divide_away_from_zero(unscaled, NANO - scale), NANO
        if fmt is Format.BINARY_SI:
            one = _pow10(max(-scale, 0))  # 1 at this scale; scale <= 0 on this path
            if unscaled > INT64_MAX * one:
                unscaled, scale = INT64_MAX, 0
            elif 0 < unscaled < one:
                fmt = Format.DECIMAL_SI
        return cls._make(-unscaled if negative else unscaled, scale, fmt, None)

    @classmethod
    def from_json(cls, value: object) -> Quantity:
        """Decode a JSON value as Go's UnmarshalJSON does (strings are trimmed; null is 0).

        A float has lost its source text, so ``1e3`` arrives as ``1000.0`` and renders as
        ``1k``; pass the raw number token as a string to keep Go's rendering.
        """
        if value is None:
            return cls()
        if isinstance(value, bool):
            return cls.parse("true" if value else "false")
        if isinstance(value, int | float):
            return cls.parse(repr(value))
        if isinstance(value, str):
            return cls.parse(value.strip(_GO_SPACE))
        raise QuantityError(FORMAT_WRONG_MESSAGE)

    @property
    def format(self) -> Format:
        """The format ``str()`` renders in."""
        return self._format

    def is_zero(self) -> bool:
        """Whether the value is 0."""
        return self._unscaled == 0

    def sign(self) -> int:
        """-1, 0 or 1."""
        return (self._unscaled > 0) - (self._unscaled < 0)

    def scaled_value(self, scale: int) -> int:
        """The value in units of ``10**scale``, rounded away from zero (Go's ScaledValue)."""
        shift = self._scale - scale
        if shift >= 0:
            return self._unscaled * _pow10(shift)
        return _divide_away_from_zero(self._unscaled, -shift)

    def value(self) -> int:
        """The value rounded up to an integer (Go's Value)."""
        return self.scaled_value(0)

    def milli_value(self) -> int:
        """The value in thousandths, rounded up (Go's MilliValue)."""
        return self.scaled_value(MILLI)

    def round_up(self, scale: int) -> tuple[Quantity, bool]:
        """Round away from zero to a multiple of ``10**scale``; also say whether it was exact.

        As Go's RoundUp, a quantity already at that scale keeps its text.
        """
        if self._scale >= scale:
            return self, True
        rounded = _divide_away_from_zero(self._unscaled, scale - self._scale)
        exact = rounded * _pow10(scale - self._scale) == self._unscaled
        return Quantity(rounded, scale, self._format), exact

    def _aligned(self, other: Quantity) -> tuple[int, int, int]:
        """Both unscaled values at their common (smaller) scale, and that scale."""
        scale = min(self._scale, other._scale)
        return (
            self._unscaled * _pow10(self._scale - scale),
            other._unscaled * _pow10(other._scale - scale),
            scale,
        )

    def __add__(self, other: Quantity) -> Quantity:
        """The sum; a zero left operand takes the right one's format (as Go's Add)."""
        fmt = other._format if self.is_zero() else self._format
        left, right, scale = self._aligned(other)
        return Quantity(left + right, scale, fmt)

    def __sub__(self, other: Quantity) -> Quantity:
        """The difference; a zero left operand takes the right one's format (as Go's Sub)."""
        fmt = other._format if self.is_zero() else self._format
        left, right, scale = self._aligned(other)
        return Quantity(left - right, scale, fmt)

    def __neg__(self) -> Quantity:
        return Quantity(-self._unscaled, self._scale, self._format)

    def compare(self, other: Quantity) -> int:
        """-1, 0 or 1 as ``self`` is less than, equal to or greater than ``other``."""
        if self.sign() != other.sign():
            return (self.sign() > other.sign()) - (self.sign() < other.sign())
        left, right, _ = self._aligned(other)
        return (left > right) - (left < right)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.compare(other) == 0

    def __lt__(self, other: Quantity) -> bool:
        return self.compare(other) < 0

    def __le__(self, other: Quantity) -> bool:
        return self.compare(other) <= 0

    def __gt__(self, other: Quantity) -> bool:
        return self.compare(other) > 0

    def __ge__(self, other: Quantity) -> bool:
        return self.compare(other) >= 0

    def __hash__(self) -> int:
        unscaled, times = _strip_factors(self._unscaled, 10)
        return hash((unscaled, self._scale + times if unscaled else 0))

    def __str__(self) -> str:
        return self._text if self._text is not None else self._canonical()

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def _canonical(self) -> str:
        """Go's CanonicalizeBytes: no precision lost, no fraction, largest exponent."""
        if self._unscaled == 0:
            return "0"
        if self._format is Format.BINARY_SI:
            # Whole numbers of at least 1Ki in magnitude; anything else renders as DecimalSI.
            scaled = self._unscaled * _pow10(max(self._scale, 0))
            whole, fraction = divmod(scaled, _pow10(max(-self._scale, 0)))
            if fraction == 0 and abs(whole) >= 1024:
                mantissa, powers = _strip_factors(whole, 1024)
                return f"{mantissa}{_BINARY_SUFFIX_BY_POWER.get(powers, '')}"
        mantissa, times = _strip_factors(self._unscaled, 10)
        exponent = self._scale + times
        rounded = exponent - exponent % 3
        mantissa *= _pow10(exponent - rounded)
        if self._format is Format.DECIMAL_EXPONENT:
            return f"{mantissa}e{rounded}" if rounded else str(mantissa)
        return f"{mantissa}{_DECIMAL_SUFFIX_BY_EXPONENT.get(rounded, '')}"


def format_millicores(quantity: Quantity) -> str:
    """CPU as ``kubectl top`` prints it: ``"%dm" % MilliValue()``."""
    return f"{quantity.milli_value()}m"


def format_mebibytes(quantity: Quantity) -> str:
    """Memory as ``kubectl top`` prints it: ``"%dMi" % (Value() / 2**20)``, truncated."""
    return f"{_trunc_div(quantity.value(), 1 << 20)}Mi"


def percent_of(part: Quantity, whole: Quantity) -> int:
    """``int64(float64(part.MilliValue()) / float64(whole.MilliValue()) * 100)``, 0 if no whole.

    Deliberately computed in IEEE doubles like kubectl (top, describe node), because that
    is observable: 29m of 100m prints as 28%.
    """
    denominator = whole.milli_value()
    if denominator == 0:
        return 0
    return int(float(part.milli_value()) / float(denominator) * 100)

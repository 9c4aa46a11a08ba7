"""Kubernetes resource quantities (``500m``, ``1Gi``, ``2e3``) as exact fractions.

Only what admission needs: parsing to a comparable value, and apimachinery's format error.
The canonical re-serialization of quantities is not done here; values are stored as sent.
"""

from __future__ import annotations

import re
from fractions import Fraction

FORMAT_ERROR = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)

_QUANTITY = re.compile(r"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([eEinumkKMGTP]*[-+]?[0-9]*)")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_EXPONENT = re.compile(r"[eE][-+]?[0-9]+")


def parse_quantity(text: str) -> Fraction | None:
    """The value of a quantity string, or None when it is not one."""
    match = _QUANTITY.fullmatch(text.strip())
    if match is None:
        return None
    number, suffix = match.groups()
    value = Fraction(number)
    if suffix in _BINARY:
        return value * Fraction(1024) ** _BINARY[suffix]
    if suffix in _DECIMAL:
        exponent = _DECIMAL[suffix]
    elif _EXPONENT.fullmatch(suffix):
        exponent = int(suffix[1:])
    else:
        return None
    return value * Fraction(10) ** exponent


def quantity_value(value: object) -> Fraction | None:
    """The value of a quantity as decoded from JSON (a string or a bare number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, str):
        return parse_quantity(value)
    return None

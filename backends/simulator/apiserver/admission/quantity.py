"""Resource quantities for admission: values to compare (exact fractions) and the form
kube-apiserver stores (Go's Quantity round trip), on top of backends.objects.quantity."""

from __future__ import annotations

from fractions import Fraction

from backends.objects.quantity import FORMAT_WRONG_MESSAGE, Quantity, QuantityError

FORMAT_ERROR = FORMAT_WRONG_MESSAGE
MILLI = -3


def parse_quantity(text: str) -> Fraction | None:
    """The value of a quantity string, or None when it is not one."""
    try:
        quantity = Quantity.parse(text)
    except QuantityError:
        return None
    return Fraction(quantity.scaled_value(-9), 10**9)


def quantity_value(value: object) -> Fraction | None:
    """The value of a quantity as decoded from JSON (a string or a bare number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Fraction(repr(value))
    if isinstance(value, str):
        return parse_quantity(value)
    return None


def stored_form(text: str, in_resource_list: bool) -> str | None:
    """What kube-apiserver stores for a quantity sent as ``text`` (None: not a quantity).

    Go decodes into a Quantity and writes it back: canonical unless Go kept the input text;
    values of a ResourceList are first rounded up to milli units (SetDefaults_ResourceList).
    """
    try:
        quantity = Quantity.from_json(text)
    except QuantityError:
        return None
    if in_resource_list:
        rounded, _ = quantity.round_up(MILLI)
        if rounded != quantity:
            quantity = rounded
    return str(quantity)

"""``kubectl get --sort-by``: ordering objects and Table rows by a JSONPath field, as kubectl does.

kubectl sorts with Go's ``sort.Sort`` (pattern-defeating quicksort, insertion sort up to 12
elements), which is not stable, and with a comparison that is not a strict weak order: a row
missing the field is "less" than every row, including another row missing it. The resulting
order is therefore a property of the algorithm, so :func:`go_sort` reproduces ``sort.Sort``
exactly: the same ``less``/``swap`` calls in the same sequence, hence the same permutation.

Values compare as kubectl's ``isLess`` compares decoded JSON: integers with integers, floats
with floats, ``null`` first, and strings lexically unless both parse as resource quantities,
which then compare by value (``"900Mi" < "1Gi"``). Other pairs (booleans, maps, lists, an int
against a float) are fatal in kubectl (``klog.Exitf``); :class:`UnsortableError` carries that
line's text.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from backends.objects.quantity import Quantity, QuantityError
from pykctl.printers.godump import go_quote

Obj = dict[str, Any]
Less = Callable[[int, int], bool]
Swap = Callable[[int, int], None]

__all__ = [
    "SortError",
    "UnsortableError",
    "go_sort",
    "sort_objects",
    "sort_table_rows",
]

_MASK64 = (1 << 64) - 1
_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2


class SortError(Exception):
    """Sorting could not start; ``str()`` is kubectl's text after ``error: ``."""


class UnsortableError(Exception):
    """Two values kubectl cannot compare; ``str()`` is the fatal log line kubectl prints."""


# --------------------------------------------------------------------------------------------
# Go's sort.Sort


def go_sort(n: int, less: Less, swap: Swap) -> None:
    """Sort positions ``0..n-1`` exactly as Go's ``sort.Sort`` does with ``less`` and ``swap``."""
    if n > 1:
        _pdqsort(less, swap, 0, n, n.bit_length())


def _insertion_sort(less: Less, swap: Swap, a: int, b: int) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and less(j, j - 1):
            swap(j, j - 1)
            j -= 1


def _sift_down(less: Less, swap: Swap, lo: int, hi: int, first: int) -> None:
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and less(first + child, first + child + 1):
            child += 1
        if not less(first + root, first + child):
            return
        swap(first + root, first + child)
        root = child


def _heap_sort(less: Less, swap: Swap, a: int, b: int) -> None:
    first, hi = a, b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(less, swap, i, hi, first)
    for i in range(hi - 1, -1, -1):
        swap(first, first + i)
        _sift_down(less, swap, 0, i, first)


def _pdqsort(less: Less, swap: Swap, a: int, b: int, limit: int) -> None:
    was_balanced = was_partitioned = True
    while True:
        length = b - a
        if length <= 12:
            _insertion_sort(less, swap, a, b)
            return
        if limit == 0:
            _heap_sort(less, swap, a, b)
            return
        if not was_balanced:
            _break_patterns(swap, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(less, a, b)
        if hint == _DECREASING:
            _reverse_range(swap, a, b)
            pivot = (b - 1) - (pivot - a)
            hint = _INCREASING
        if (
            was_balanced
            and was_partitioned
            and hint == _INCREASING
            and _partial_insertion_sort(less, swap, a, b)
        ):
            return
        if a > 0 and not less(a - 1, pivot):
            a = _partition_equal(less, swap, a, b, pivot)
            continue
        mid, was_partitioned = _partition(less, swap, a, b, pivot)
        left, right = mid - a, b - mid
        threshold = length // 8
        if left < right:
            was_balanced = left >= threshold
            _pdqsort(less, swap, a, mid, limit)
            a = mid + 1
        else:
            was_balanced = right >= threshold
            _pdqsort(less, swap, mid + 1, b, limit)
            b = mid


def _partition(less: Less, swap: Swap, a: int, b: int, pivot: int) -> tuple[int, bool]:
    swap(a, pivot)
    i, j = a + 1, b - 1
    while i <= j and less(i, a):
        i += 1
    while i <= j and not less(j, a):
        j -= 1
    if i > j:
        swap(j, a)
        return j, True
    swap(i, j)
    i, j = i + 1, j - 1
    while True:
        while i <= j and less(i, a):
            i += 1
        while i <= j and not less(j, a):
            j -= 1
        if i > j:
            break
        swap(i, j)
        i, j = i + 1, j - 1
    swap(j, a)
    return j, False


def _partition_equal(less: Less, swap: Swap, a: int, b: int, pivot: int) -> int:
    swap(a, pivot)
    i, j = a + 1, b - 1
    while True:
        while i <= j and not less(a, i):
            i += 1
        while i <= j and less(a, j):
            j -= 1
        if i > j:
            return i
        swap(i, j)
        i, j = i + 1, j - 1


def _partial_insertion_sort(less: Less, swap: Swap, a: int, b: int) -> bool:
    i = a + 1
    for _ in range(5):
        while i < b and not less(i, i - 1):
            i += 1
        if i == b:
            return True
        if b - a < 50:
            return False
        swap(i, i - 1)
        if i - a >= 2:
            for j in range(i - 1, 0, -1):
                if not less(j, j - 1):
                    break
                swap(j, j - 1)
        if b - i >= 2:
            for j in range(i + 1, b):
                if not less(j, j - 1):
                    break
                swap(j, j - 1)
    return False


def _break_patterns(swap: Swap, a: int, b: int) -> None:
    length = b - a
    if length < 8:
        return
    state = length
    modulus = 1 << length.bit_length()
    base = a + (length // 4) * 2
    for idx in range(base - 1, base + 2):
        state ^= (state << 13) & _MASK64
        state ^= state >> 7
        state ^= (state << 17) & _MASK64
        other = state & (modulus - 1)
        if other >= length:
            other -= length
        swap(idx, a + other)


def _choose_pivot(less: Less, a: int, b: int) -> tuple[int, int]:
    length = b - a
    swaps = [0]
    i, j, k = a + length // 4, a + length // 4 * 2, a + length // 4 * 3

    def order2(x: int, y: int) -> tuple[int, int]:
        if less(y, x):
            swaps[0] += 1
            return y, x
        return x, y

    def median(x: int, y: int, z: int) -> int:
        x, y = order2(x, y)
        y, z = order2(y, z)
        x, y = order2(x, y)
        return y

    if length >= 8:
        if length >= 50:
            i, j, k = median(i - 1, i, i + 1), median(j - 1, j, j + 1), median(k - 1, k, k + 1)
        j = median(i, j, k)
    if swaps[0] == 0:
        return j, _INCREASING
    if swaps[0] == 12:
        return j, _DECREASING
    return j, _UNKNOWN


def _reverse_range(swap: Swap, a: int, b: int) -> None:
    i, j = a, b - 1
    while i < j:
        swap(i, j)
        i, j = i + 1, j - 1


# --------------------------------------------------------------------------------------------
# kubectl's comparison


def _go_type(value: object) -> str:
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    return type(value).__name__


def _quantity(text: str) -> Quantity | None:
    try:
        return Quantity.parse(text)
    except QuantityError:
        return None


def is_less(i: object, j: object) -> bool:
    """kubectl's ``isLess`` for two decoded JSON values; raises ValueError when unsortable."""
    if i is None or j is None:
        return i is None and j is not None
    if isinstance(i, (bool, dict, list)):
        raise ValueError(f"unsortable type: {_go_type(i)}")
    if isinstance(i, int) and isinstance(j, int) and not isinstance(j, bool):
        return i < j
    if isinstance(i, float) and isinstance(j, float):
        return i < j
    if isinstance(i, str) and isinstance(j, str):
        left, right = _quantity(i), _quantity(j)
        if left is not None and right is not None:
            return left.compare(right) < 0
        return i < j
    raise ValueError("unsortable interface: interface")


def _fatal(message: str, line: int) -> UnsortableError:
    """The ``klog.Exitf`` line kubectl prints before exiting (local time, pid, source line)."""
    now = time.time()
    stamp = time.strftime("%m%d %H:%M:%S", time.localtime(now))
    micros = int((now % 1) * 1_000_000)
    return UnsortableError(f"F{stamp}.{micros:06d} {os.getpid():>7} sorter.go:{line}] {message}")


class _Sorter:
    """Positions, their JSONPath values, and kubectl's Less over them."""

    def __init__(
        self, values: list[list[list[object]]], field: str, subject: str, line: int
    ) -> None:
        self.values = values
        self.field = field
        self.subject = subject  # the %T kubectl names in its fatal message
        self.line = line
        self.order = list(range(len(values)))

    def less(self, a: int, b: int) -> bool:
        left, right = self.values[a], self.values[b]
        if not left or not left[0]:
            return True
        if not right or not right[0]:
            return False
        try:
            return is_less(left[0][0], right[0][0])
        except ValueError as err:
            raise _fatal(
                f"Field {self.field} in {self.subject} is an unsortable type: interface, err: {err}",
                self.line,
            ) from None

    def swap(self, a: int, b: int) -> None:
        self.values[a], self.values[b] = self.values[b], self.values[a]
        self.order[a], self.order[b] = self.order[b], self.order[a]

    def run(self) -> list[int]:
        go_sort(len(self.values), self.less, self.swap)
        return self.order


def _found(values: list[list[object]]) -> bool:
    return bool(values) and bool(values[0])


def sort_objects(objects: list[Obj], field: str) -> list[int]:
    """kubectl's ``SortObjects``: the original positions of ``objects`` in sorted order.

    ``field`` is the ``--sort-by`` text; raises SortError when it is not a usable path or no
    object has it, and UnsortableError when two values cannot be compared.
    """
    from pykctl.printers import jsonpath  # only when sorting (it is costly to import)

    try:
        parsed = jsonpath.parse(jsonpath.relaxed(field), "sorting")
        values = [parsed.find_results(obj) for obj in objects]
    except jsonpath.JSONPathError as err:
        raise SortError(err.reason) from None
    relaxed = parsed.template
    if not any(_found(v) for v in values):
        raise SortError(
            f"couldn't find any field with path {go_quote(relaxed)} in the list of objects"
        )
    return _Sorter(values, relaxed, "*unstructured.Unstructured", 329).run()


def relaxed_or_raw(field: str) -> str:
    """The relaxed form of ``field``, or ``field`` itself when it cannot be relaxed."""
    from pykctl.printers import jsonpath  # only when sorting (it is costly to import)

    try:
        return jsonpath.relaxed(field)
    except jsonpath.JSONPathError:
        return field


def sort_table_rows(table: Obj, field: str) -> None:
    """kubectl's ``TableSorter``: order ``table``'s rows by ``field`` of each row's object.

    Raises SortError as kubectl's table sorter words it (kubectl then prints nothing for the
    table), UnsortableError when two values cannot be compared.
    """
    from pykctl.printers import jsonpath  # only when sorting (it is costly to import)

    rows: list[Obj] = table.get("rows") or []
    path = relaxed_or_raw(field)
    try:
        parsed = jsonpath.parse(path, "sorting")
    except jsonpath.JSONPathError as err:
        raise SortError(f"sorting error: {err.reason}") from None
    values: list[list[list[object]]] = []
    for row in rows:
        try:
            values.append(parsed.find_results(row.get("object")))
        except jsonpath.JSONPathError as err:
            raise SortError(
                f"Failed to get values for [][]reflect.Value(nil) using {path} "
                f"(&errors.errorString{{s:{go_quote(err.reason)}}})"
            ) from None
    if rows and not any(_found(v) for v in values):
        raise SortError(
            f"couldn't find any field with path {go_quote(path)} in the list of objects"
        )
    order = _Sorter(values, path, "[][][]reflect.Value", 375).run()
    table["rows"] = [rows[i] for i in order]

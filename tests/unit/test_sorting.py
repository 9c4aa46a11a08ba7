"""``--sort-by``: Go's sort.Sort, kubectl's value comparison, and its errors."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from pykctl.printers.sorting import (
    SortError,
    UnsortableError,
    go_sort,
    is_less,
    sort_objects,
    sort_table_rows,
)


def _sorted_by_go(values: list[Any], less: Any = None) -> list[Any]:
    items = list(values)
    compare = less or (lambda a, b: a < b)
    go_sort(len(items), lambda i, j: compare(items[i], items[j]), lambda i, j: _swap(items, i, j))
    return items


def _swap(items: list[Any], i: int, j: int) -> None:
    items[i], items[j] = items[j], items[i]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 12, 13, 49, 50, 51, 100, 257])
def test_go_sort_sorts_random_values_with_duplicates(n: int) -> None:
    rng = random.Random(n)
    values = [rng.randrange(n // 3 + 1) for _ in range(n)]
    assert _sorted_by_go(values) == sorted(values)


@pytest.mark.parametrize(
    "pattern",
    [
        list(range(300)),
        list(range(300, 0, -1)),
        [7] * 300,
        [i % 10 for i in range(300)],
        [i if i % 50 else 1000 - i for i in range(300)],
        list(range(150)) + list(range(150)),
    ],
    ids=["sorted", "reversed", "equal", "sawtooth", "nearly-sorted", "two-runs"],
)
def test_go_sort_handles_the_patterns_pdqsort_special_cases(pattern: list[int]) -> None:
    assert _sorted_by_go(pattern) == sorted(pattern)


def test_go_sort_with_kubectls_missing_values_reverses_short_lists() -> None:
    # kubectl's Less says a missing value is less than anything, another missing value too;
    # with insertion sort (12 or fewer items) the items without the field come out reversed.
    # Observed: kubectl get cm --sort-by=.metadata.labels.app on [a(app=web), b, c, d].
    def less(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
        if a[1] is None:
            return True
        if b[1] is None:
            return False
        return a[1] < b[1]

    rows = [("a", "web"), ("b", None), ("c", None), ("d", None)]
    assert [r[0] for r in _sorted_by_go(rows, less)] == ["d", "c", "b", "a"]


def test_quantities_compare_by_value_other_strings_lexically() -> None:
    assert is_less("900Mi", "1Gi")
    assert not is_less("1Gi", "1024Mi") and not is_less("1024Mi", "1Gi")
    assert is_less("500m", "1")
    assert is_less("10", "9a")  # "9a" is no quantity: byte order
    assert is_less("abc", "abd")


def test_numbers_and_nulls() -> None:
    assert is_less(2, 10)
    assert is_less(1.5, 2.5)
    assert is_less(None, "x")
    assert not is_less("x", None)
    assert not is_less(None, None)


@pytest.mark.parametrize(
    ("left", "right", "message"),
    [
        (True, False, "unsortable type: bool"),
        ({"a": 1}, {"b": 2}, "unsortable type: map[string]interface {}"),
        ([1], [2], "unsortable type: []interface {}"),
        (1, 1.5, "unsortable interface: interface"),
        ("1", 1, "unsortable interface: interface"),
    ],
)
def test_unsortable_values(left: object, right: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        is_less(left, right)


def _cm(name: str, **data: Any) -> dict[str, Any]:
    return {"kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def test_sort_objects_returns_original_positions() -> None:
    objects = [_cm("c", size="2Gi"), _cm("a", size="1Ki"), _cm("b", size="3")]
    assert sort_objects(objects, "data.size") == [2, 1, 0]
    assert sort_objects(objects, "{.metadata.name}") == [1, 2, 0]


def test_sort_objects_errors_are_kubectls() -> None:
    with pytest.raises(SortError) as err:
        sort_objects([_cm("a")], ".nothing")
    assert str(err.value) == (
        'couldn\'t find any field with path "{.nothing}" in the list of objects'
    )
    with pytest.raises(SortError, match=r"^unexpected path string, expected a 'name1\.name2'"):
        sort_objects([_cm("a")], "{.metadata.name")
    with pytest.raises(SortError, match=r"^array index out of bounds: index 3, length 1$"):
        sort_objects([{"spec": {"items": [1]}}], ".spec.items[3]")


def test_unsortable_values_are_kubectls_fatal_line() -> None:
    with pytest.raises(UnsortableError) as err:
        sort_objects([_cm("a", x="1"), _cm("b", y="2")], ".data")
    assert re.fullmatch(
        r"F\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ sorter\.go:329\] Field \{\.data\} in "
        r"\*unstructured\.Unstructured is an unsortable type: interface, "
        r"err: unsortable type: map\[string\]interface \{\}",
        str(err.value),
    )


def _table(*objects: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "Table",
        "rows": [{"cells": [o["metadata"]["name"]], "object": o} for o in objects],
    }


def test_table_rows_sort_by_their_objects() -> None:
    table = _table(_cm("b", n="2"), _cm("c", n="10"), _cm("a", n="1"))
    sort_table_rows(table, ".data.n")
    assert [r["cells"][0] for r in table["rows"]] == ["a", "b", "c"]


def test_table_sorting_errors() -> None:
    with pytest.raises(SortError, match=r"^sorting error: unclosed action$"):
        sort_table_rows(_table(_cm("a"), _cm("b")), "{.metadata.name")
    with pytest.raises(SortError, match=r"^couldn't find any field with path"):
        sort_table_rows(_table(_cm("a"), _cm("b")), ".nothing")
    with pytest.raises(SortError, match=r"^Failed to get values for \[\]\[\]reflect\.Value\(nil\)"):
        sort_table_rows(_table({"metadata": {"name": "a"}, "l": [1]}), ".l[4]")
    empty = _table()
    sort_table_rows(empty, ".nothing")
    assert empty["rows"] == []

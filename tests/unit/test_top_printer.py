"""``top``'s printing, without a server: kubectl's TopCmdPrinter cells (millicores rounded up,
whole Mi truncated, truncated percentages, ``<unknown>``), its sort orders, ``--sum`` rows, and
the age in ``Metrics not available for pod``."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from backends.objects.quantity import Quantity
from pykctl.cli.commands.top import go_age, node_table, pod_table

Obj = dict[str, Any]


def pod(name: str, namespace: str = "default", **containers: tuple[str, str]) -> Obj:
    return {
        "metadata": {"name": name, "namespace": namespace},
        "containers": [
            {"name": c, "usage": {"cpu": cpu, "memory": memory}}
            for c, (cpu, memory) in containers.items()
        ],
    }


def node(name: str, cpu: str, memory: str) -> Obj:
    return {"metadata": {"name": name}, "usage": {"cpu": cpu, "memory": memory}}


def test_pod_rows_sum_containers_round_cpu_up_and_truncate_memory() -> None:
    pods = [pod("web", app=("1234567n", "10240Ki"), side=("1", "512Ki"))]
    text = pod_table(pods, False, False, False, "", False, False)
    assert text == "NAME\tCPU(cores)\tMEMORY(bytes)\t\nweb\t1002m\t10Mi\t\n"


def test_containers_namespaces_and_sum_rows_follow_kubectls_columns() -> None:
    pods = [
        pod("b", "two", c=("250m", "1Gi")),
        pod("a", "two", c=("1m", "0")),
        pod("z", "one", c=("0", "1Mi")),
    ]
    text = pod_table(pods, True, True, False, "", True, False)
    assert text.splitlines() == [
        "NAMESPACE\tPOD\tNAME\tCPU(cores)\tMEMORY(bytes)\t",
        "one\tz\tc\t0m\t1Mi\t",
        "two\ta\tc\t1m\t0Mi\t",
        "two\tb\tc\t250m\t1024Mi\t",
        "\t\t\t________\t________\t",
        "\t\t\t251m\t1025Mi\t",
    ]


def test_without_headers_the_sum_rows_lose_the_extra_columns() -> None:
    text = pod_table([pod("a", c=("1", "1Mi"))], False, True, True, "", True, False)
    assert text.splitlines() == [
        "default\ta\t1000m\t1Mi\t",
        "\t________\t________\t",
        "\t1000m\t1Mi\t",  # the name cell of the total row is empty
    ]


def test_sort_by_usage_puts_the_largest_first() -> None:
    pods = [pod("small", c=("1m", "5Mi")), pod("big", c=("900m", "1Mi"))]
    by_cpu = pod_table(pods, False, False, True, "cpu", False, False)
    by_memory = pod_table(pods, False, False, True, "memory", False, False)
    assert [line.split("\t")[0] for line in by_cpu.splitlines()] == ["big", "small"]
    assert [line.split("\t")[0] for line in by_memory.splitlines()] == ["small", "big"]


def test_swap_is_a_column_of_its_own() -> None:
    text = pod_table([pod("a", c=("1m", "1Mi"))], False, False, False, "", False, True)
    assert text == "NAME\tCPU(cores)\tMEMORY(bytes)\tSWAP(bytes)\t\na\t1m\t1Mi\t0Mi\t\n"


def test_no_pods_print_nothing() -> None:
    assert pod_table([], False, False, False, "", True, False) == ""
    assert node_table([], {}, {}, False, "", False) == ""


def test_nodes_show_shares_of_their_available_resources_and_unknowns_last() -> None:
    available = {
        "n1": {"cpu": Quantity.parse("4"), "memory": Quantity.parse("16Gi")},
        "n0": {"cpu": Quantity.parse("100m"), "memory": Quantity.parse("0")},
        "gone": {"cpu": Quantity.parse("1")},
    }
    nodes = [node("n1", "1500m", "3Gi"), node("n0", "29m", "1Mi")]
    text = node_table(nodes, available, {}, False, "", False)
    assert text.splitlines() == [
        "NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t",
        "n0\t29m\t28%\t1Mi\t0%\t",  # computed in doubles, as kubectl does
        "n1\t1500m\t37%\t3072Mi\t18%\t",
        "gone\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t",
    ]


def test_a_node_without_swap_prints_unknown_swap() -> None:
    available = {"n": {"cpu": Quantity.parse("1"), "memory": Quantity.parse("1Gi")}}
    text = node_table([node("n", "1", "1Gi")], available, {"n": ["swap"]}, True, "", True)
    assert text == "n\t1000m\t100%\t1024Mi\t100%\t<unknown>\t<unknown>\t\n"


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (datetime.timedelta(minutes=10, milliseconds=500), "10m0.5s"),
        (datetime.timedelta(hours=1), "1h0m0s"),
        (datetime.timedelta(seconds=2, microseconds=1), "2.000001s"),
        (datetime.timedelta(hours=26, minutes=3, seconds=4), "26h3m4s"),
    ],
)
def test_ages_are_go_durations(age: datetime.timedelta, text: str) -> None:
    assert go_age(age) == text

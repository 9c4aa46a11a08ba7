"""``pykctl top pod|node``: CPU and memory usage from the Metrics API, as ``kubectl top`` prints it.

Both subcommands first check that discovery lists metrics.k8s.io (the first of its versions
that is v1 or v1beta1; none: ``error: Metrics API not available``), then get or list PodMetrics
or NodeMetrics, sending ``-l`` as ``labelSelector``. Selectors are parsed here first, so a bad
one fails with the parser's message before any request.

``top pod`` applies ``--field-selector`` as kubectl does: it lists the pods matching both
selectors (in every namespace with ``-A``) and keeps their metrics. When no metrics remain it
looks at the pods of the namespace: none is ``No resources found in NS namespace.`` (``No
resources found`` with ``-A``) on stderr and exit 0; one older than two minutes is kubectl's
``Metrics not available for pod NS/NAME, age: ...``; otherwise ``metrics not available yet``.
``top node`` prints each node's usage with percentages of its allocatable resources
(``--show-capacity``: capacity), then a line of ``<unknown>`` for each listed node without
metrics (sorted by name; kubectl's order is Go's random map order).

The output is kubectl's TopCmdPrinter: every cell tab-terminated and aligned like ``get``
(minwidth 6, padding 3), CPU as ``%dm`` of its milli-value, memory and swap in whole ``Mi``,
percentages truncated, rows ordered by Go's ``sort.Sort`` (not stable) with kubectl's
comparisons: by name (namespace first with ``-A``), or with ``--sort-by`` by CPU or memory,
largest first. ``--sum`` adds kubectl's underline and total rows, in its column arithmetic.
``--use-protocol-buffers`` is accepted; pykctl always asks for JSON.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backends.objects.quantity import Quantity, format_mebibytes, format_millicores, percent_of
from pykctl.cli.command import Help, Invocation, KCommand, KGroup
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, STRING, Flag
from pykctl.cli.shared_flags import field_selector_flag, selector_flag
from pykctl.printers.sorting import go_sort

if TYPE_CHECKING:
    from pykctl.resources.discovery import Resource
    from pykctl.session import Session

Obj = dict[str, Any]
Less = Callable[[Obj, Obj], bool]
METRICS_GROUP = "metrics.k8s.io"
SUPPORTED_VERSIONS = ("v1", "v1beta1")
CPU, MEMORY, SWAP = "cpu", "memory", "swap"
UNKNOWN = "<unknown>"
UNDERLINE = "________"
METRICS_CREATION_DELAY = datetime.timedelta(minutes=2)
POD_COLUMNS = ("NAME", "CPU(cores)", "MEMORY(bytes)")
NODE_COLUMNS = ("NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)")


# ------------------------------------------------------------------------------ printing


@dataclass
class Line:
    """One row of usage (kubectl's ResourceMetricsInfo): a name, its usage, and what it is a
    share of; ``missing`` resources print as ``<unknown>``."""

    name: str
    usage: Mapping[str, Quantity]
    available: Mapping[str, Quantity] = field(default_factory=dict)
    missing: Sequence[str] = ()


def measured(show_swap: bool) -> tuple[str, ...]:
    return (CPU, MEMORY, SWAP) if show_swap else (CPU, MEMORY)


def _amount(resource: str, quantity: Quantity) -> str:
    if resource == CPU:
        return format_millicores(quantity)
    if resource in (MEMORY, SWAP):
        return format_mebibytes(quantity)
    return str(quantity.value())


def _cells(line: Line, resources: Sequence[str]) -> str:
    """The name and usage cells of a row, each tab-terminated, and the newline."""
    text = line.name + "\t"
    for resource in resources:
        if resource in line.missing:
            text += f"{UNKNOWN}\t{UNKNOWN}\t"
            continue
        quantity = line.usage.get(resource, Quantity())
        text += _amount(resource, quantity) + "\t"
        if resource in line.available:
            text += f"{percent_of(quantity, line.available[resource])}%\t"
    return text + "\n"


def _header(columns: Sequence[str]) -> str:
    return "".join(column + "\t" for column in columns) + "\n"


def quantities(usage: Mapping[str, Any] | None) -> dict[str, Quantity]:
    """A ResourceList from JSON (values the server sent as quantity strings)."""
    return {name: Quantity.parse(str(value)) for name, value in (usage or {}).items()}


def pod_usage(pod: Obj, resources: Sequence[str]) -> dict[str, Quantity]:
    """A pod's usage of each measured resource, summed over its containers."""
    total = dict.fromkeys(resources, Quantity())
    for container in pod.get("containers") or []:
        usage = quantities(container.get("usage"))
        for resource in resources:
            total[resource] = total[resource] + usage.get(resource, Quantity())
    return total


def _sorted(items: list[Obj], less: Less) -> list[Obj]:
    """``items`` ordered by Go's sort.Sort with ``less(a, b)`` (same permutation as kubectl)."""
    order = list(range(len(items)))

    def swap(i: int, j: int) -> None:
        order[i], order[j] = order[j], order[i]

    go_sort(len(order), lambda i, j: less(items[order[i]], items[order[j]]), swap)
    return [items[i] for i in order]


def _by_usage(sort_by: str, usage: Callable[[Obj], Mapping[str, Quantity]]) -> Less:
    """kubectl's comparison for ``--sort-by``: larger CPU milli-value or memory value first."""

    def amount(item: Obj) -> int:
        if sort_by == CPU:
            return usage(item).get(CPU, Quantity()).milli_value()
        return usage(item).get(MEMORY, Quantity()).value()

    return lambda a, b: amount(a) > amount(b)


def pod_table(
    pods: list[Obj],
    containers: bool,
    with_namespace: bool,
    no_headers: bool,
    sort_by: str,
    total: bool,
    show_swap: bool,
) -> str:
    """kubectl's PrintPodMetrics, before alignment ("" without pods)."""
    if not pods:
        return ""
    resources = measured(show_swap)
    columns = (*POD_COLUMNS, "SWAP(bytes)") if show_swap else POD_COLUMNS
    width = len(columns)
    text = ""
    if not no_headers:
        if with_namespace:
            text += "NAMESPACE\t"
            width += 1
        if containers:
            text += "POD\t"
            width += 1
        text += _header(columns)
    if sort_by:
        usages = {id(pod): pod_usage(pod, resources) for pod in pods}
        ordered = _sorted(pods, _by_usage(sort_by, lambda pod: usages[id(pod)]))
    else:

        def by_name(a: Obj, b: Obj) -> bool:
            ma, mb = a.get("metadata") or {}, b.get("metadata") or {}
            if with_namespace and ma.get("namespace") != mb.get("namespace"):
                return str(ma.get("namespace", "")) < str(mb.get("namespace", ""))
            return str(ma.get("name", "")) < str(mb.get("name", ""))

        ordered = _sorted(pods, by_name)
    for pod in ordered:
        metadata = pod.get("metadata") or {}
        prefix = f"{metadata.get('namespace', '')}\t" if with_namespace else ""
        if not containers:
            text += prefix + _cells(
                Line(str(metadata.get("name", "")), pod_usage(pod, resources)), resources
            )
            continue
        listed = list(pod.get("containers") or [])
        if sort_by:
            listed = _sorted(listed, _by_usage(sort_by, lambda c: quantities(c.get("usage"))))
        else:
            listed = _sorted(listed, lambda a, b: str(a.get("name", "")) < str(b.get("name", "")))
        for container in listed:
            line = Line(str(container.get("name", "")), quantities(container.get("usage")))
            text += prefix + f"{metadata.get('name', '')}\t" + _cells(line, resources)
    if total:
        sums = dict.fromkeys(resources, Quantity())
        for pod in ordered:
            for resource, quantity in pod_usage(pod, resources).items():
                sums[resource] = sums[resource] + quantity
        text += "\t" * (width - 2) + f"{UNDERLINE}\t{UNDERLINE}\t\n"
        text += "\t" * (width - 3) + _cells(Line("", sums), resources)
    return text


def node_table(
    nodes: list[Obj],
    available: Mapping[str, Mapping[str, Quantity]],
    missing: Mapping[str, Sequence[str]],
    no_headers: bool,
    sort_by: str,
    show_swap: bool,
) -> str:
    """kubectl's PrintNodeMetrics, before alignment ("" without metrics): a row per
    NodeMetrics, then ``<unknown>`` rows for nodes in ``available`` without metrics."""
    if not nodes:
        return ""
    resources = measured(show_swap)

    def name(node: Obj) -> str:
        return str((node.get("metadata") or {}).get("name", ""))

    if sort_by:
        ordered = _sorted(nodes, _by_usage(sort_by, lambda node: quantities(node.get("usage"))))
    else:
        ordered = _sorted(nodes, lambda a, b: name(a) < name(b))
    text = (
        ""
        if no_headers
        else _header((*NODE_COLUMNS, "SWAP(bytes)", "SWAP(%)") if show_swap else NODE_COLUMNS)
    )
    unseen = dict(available)
    for node in ordered:
        node_name = name(node)
        line = Line(
            node_name,
            quantities(node.get("usage")),
            available.get(node_name, {}),
            missing.get(node_name, ()),
        )
        text += _cells(line, resources)
        unseen.pop(node_name, None)
    for node_name in sorted(unseen):
        text += node_name + "\t" + f"{UNKNOWN}\t{UNKNOWN}\t" * len(resources) + "\n"
    return text


# ------------------------------------------------------------------------------- running


def _check_sort_by(sort_by: str) -> None:
    if sort_by and sort_by not in (CPU, MEMORY):
        raise CommandError("--sort-by accepts only cpu or memory")


def _label_query(text: str) -> list[tuple[str, str]]:
    """``labelSelector`` as kubectl sends it (parsed and re-printed; none when empty)."""
    from backends.objects import selectors

    if not text:
        return []
    try:
        return [("labelSelector", str(selectors.parse_label_selector(text)))]
    except selectors.SelectorError as err:
        raise CommandError(str(err)) from None


def _field_query(text: str) -> list[tuple[str, str]]:
    from backends.objects import selectors

    if not text:
        return []
    try:
        return [("fieldSelector", str(selectors.parse_field_selector(text)))]
    except selectors.SelectorError as err:
        raise CommandError(str(err)) from None


def metrics_version(session: Session) -> str:
    """The Metrics API version to use: the first listed that kubectl supports."""
    for group, versions in session.discovery.refresh().groups:
        if group == METRICS_GROUP:
            for version in versions:
                if version in SUPPORTED_VERSIONS:
                    return str(version)
    raise CommandError("Metrics API not available")


def _resource(group: str, version: str, plural: str, kind: str, namespaced: bool) -> Resource:
    from pykctl.resources.discovery import Resource

    return Resource(group, version, plural, "", kind, namespaced)


def _fetch(
    session: Session,
    resource: Resource,
    namespace: str | None,
    name: str,
    query: list[tuple[str, str]],
) -> list[Obj]:
    """The named object as a one-item list, or the listed items."""
    if name:
        return [session.client.get(resource, namespace, name)]
    items: list[Obj] = session.client.list_objects(resource, namespace, query).get("items") or []
    return items


def go_age(age: datetime.timedelta) -> str:
    """Go's Duration.String() of a pod's age (microsecond precision): ``2m3.5s``, ``1h0m0s``."""
    micros = age // datetime.timedelta(microseconds=1)
    seconds, fraction = divmod(micros, 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{seconds}" + (f".{fraction:06d}".rstrip("0") if fraction else "") + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text


def _check_age(pod: Obj) -> None:
    from backends.objects.durations import parse_time

    metadata = pod.get("metadata") or {}
    created = parse_time(metadata.get("creationTimestamp"))
    if created is None:
        return
    age = datetime.datetime.now(datetime.timezone.utc) - created
    if age > METRICS_CREATION_DELAY:
        raise CommandError(
            f"Metrics not available for pod {metadata.get('namespace', '')}/"
            f"{metadata.get('name', '')}, age: {go_age(age)}"
        )


def run_pod(inv: Invocation) -> int:
    from pykctl.session import Session

    flags = inv.flags
    if len(inv.args) > 1:
        raise inv.usage_error(POD_HELP.use)
    name = inv.args[0] if inv.args else ""
    with Session.open(inv) as session:
        namespace = session.namespace
        _check_sort_by(flags["sort_by"])
        if name and (flags["selector"] or flags["field_selector"]):
            raise CommandError("only one of NAME or selector can be provided")
        labels = _label_query(flags["selector"])
        fields = _field_query(flags["field_selector"])
        version = metrics_version(session)
        everywhere = flags["all_namespaces"]
        pods_resource = _resource("", "v1", "pods", "Pod", True)
        metrics = _fetch(
            session,
            _resource(METRICS_GROUP, version, "pods", "PodMetrics", True),
            "" if everywhere else namespace,
            name,
            labels,
        )
        if metrics and fields:
            selected = {
                (pod["metadata"].get("namespace"), pod["metadata"].get("name"))
                for pod in _fetch(
                    session, pods_resource, None if everywhere else namespace, "", labels + fields
                )
            }
            metrics = [
                m
                for m in metrics
                if (m["metadata"].get("namespace"), m["metadata"].get("name")) in selected
            ]
        if not metrics:
            pods = _fetch(session, pods_resource, namespace, name, labels + fields)
            for pod in pods:
                _check_age(pod)
            if pods:
                raise CommandError("metrics not available yet")
            inv.err(
                "No resources found"
                if everywhere
                else f"No resources found in {namespace} namespace."
            )
    _write(
        inv,
        pod_table(
            metrics,
            flags["containers"],
            everywhere,
            flags["no_headers"],
            flags["sort_by"],
            flags["sum"],
            flags["show_swap"],
        ),
    )
    return 0


def run_node(inv: Invocation) -> int:
    from pykctl.session import Session

    flags = inv.flags
    if len(inv.args) > 1:
        raise inv.usage_error(NODE_HELP.use)
    name = inv.args[0] if inv.args else ""
    with Session.open(inv) as session:
        _check_sort_by(flags["sort_by"])
        if name and flags["selector"]:
            raise CommandError("only one of NAME or --selector can be provided")
        labels = _label_query(flags["selector"])
        version = metrics_version(session)
        metrics = _fetch(
            session,
            _resource(METRICS_GROUP, version, "nodes", "NodeMetrics", False),
            None,
            name,
            labels,
        )
        if not metrics:
            raise CommandError("metrics not available yet")
        nodes = _fetch(session, _resource("", "v1", "nodes", "Node", False), None, name, labels)
    available: dict[str, dict[str, Quantity]] = {}
    missing: dict[str, list[str]] = {}
    for node in nodes:
        node_name = str(node["metadata"].get("name", ""))
        status = node.get("status") or {}
        available[node_name] = quantities(
            status.get("capacity" if flags["show_capacity"] else "allocatable")
        )
        swap = ((status.get("nodeInfo") or {}).get("swap") or {}).get("capacity")
        if swap is not None:
            available[node_name][SWAP] = Quantity.parse(str(swap))
        else:
            missing[node_name] = [SWAP]
    _write(
        inv,
        node_table(
            metrics, available, missing, flags["no_headers"], flags["sort_by"], flags["show_swap"]
        ),
    )
    return 0


def _write(inv: Invocation, text: str) -> None:
    from pykctl.printers.tabwriter import align

    inv.stdout.write(align(text))


# ------------------------------------------------------------------------------ commands

_NO_HEADERS = "If present, print output without headers"
_PROTOBUF = Flag(
    "use-protocol-buffers",
    BOOL,
    default=True,
    usage="Enables using protocol-buffers to access Metrics API.",
)
_SELECTOR = selector_flag()

POD_HELP = Help(
    use="pod [NAME | -l label]",
    short="Display resource (CPU/memory) usage of pods",
    long="""Display resource (CPU/memory) usage of pods.

 The 'top pod' command allows you to see the resource consumption of pods.

 Due to the metrics pipeline delay, they may be unavailable for a few minutes since pod creation.""",
    example="""# Show metrics for all pods in the default namespace
pykctl top pod

# Show metrics for all pods in the given namespace
pykctl top pod --namespace=NAMESPACE

# Show metrics for a given pod and its containers
pykctl top pod POD_NAME --containers

# Show metrics for the pods defined by label name=myLabel
pykctl top pod -l name=myLabel""",
)

NODE_HELP = Help(
    use="node [NAME | -l label]",
    short="Display resource (CPU/memory) usage of nodes",
    long="""Display resource (CPU/memory) usage of nodes.

 The top-node command allows you to see the resource consumption of nodes.""",
    example="""# Show metrics for all nodes
pykctl top node

# Show metrics for a given node
pykctl top node NODE_NAME""",
)

top_pod = KCommand(
    "pod",
    run_pod,
    POD_HELP,
    [
        Flag(
            "all-namespaces",
            BOOL,
            shorthand="A",
            usage="If present, list the requested object(s) across all namespaces. Namespace in "
            "current context is ignored even if specified with --namespace.",
        ),
        Flag("containers", BOOL, usage="If present, print usage of containers within a pod."),
        field_selector_flag(),
        Flag("no-headers", BOOL, usage=_NO_HEADERS + "."),
        _SELECTOR,
        Flag("show-swap", BOOL, usage="Print pod resources related to swap memory."),
        Flag(
            "sort-by",
            STRING,
            usage="If non-empty, sort pods list using specified field. The field can be either "
            "'cpu' or 'memory'.",
        ),
        Flag("sum", BOOL, usage="Print the sum of the resource usage"),
        _PROTOBUF,
    ],
    aliases=("pods", "po"),
)

top_node = KCommand(
    "node",
    run_node,
    NODE_HELP,
    [
        Flag("no-headers", BOOL, usage=_NO_HEADERS),
        _SELECTOR,
        Flag(
            "show-capacity",
            BOOL,
            usage="Print node resources based on Capacity instead of Allocatable(default) of the "
            "nodes.",
        ),
        Flag("show-swap", BOOL, usage="Print node resources related to swap memory."),
        Flag(
            "sort-by",
            STRING,
            usage="If non-empty, sort nodes list using specified field. The field can be either "
            "'cpu' or 'memory'.",
        ),
        _PROTOBUF,
    ],
    aliases=("nodes", "no"),
)

top = KGroup(
    "top",
    Help(
        use="top",
        short="Display resource (CPU/memory) usage",
        long="""Display resource (CPU/memory) usage.

 This command provides a view of recent resource consumption for nodes and pods. It fetches metrics from the Metrics Server, which aggregates this data from the kubelet on each node. The Metrics Server must be installed and running in the cluster for this command to work.

 The metrics shown are specifically optimized for Kubernetes autoscaling decisions, such as those made by the Horizontal Pod Autoscaler (HPA) and Vertical Pod Autoscaler (VPA). Because of this, the values may not match those from standard OS tools like 'top', as the metrics are designed to provide a stable signal for autoscalers rather than for pinpoint accuracy.

 FAQ for Metrics Server: https://github.com/kubernetes-sigs/metrics-server/blob/master/FAQ.md

 When to use this command:

  *  For on-the-fly spot-checks of resource usage (e.g. identify which pods are consuming the most resources at a glance, or get a quick sense of the load on your nodes)
  *  Understand current resource consumption patterns
  *  Validate the behavior of your HPA or VPA configurations by seeing the metrics they use for scaling decisions.

 It is not intended to be a replacement for full-featured monitoring solutions. Its primary design goal is to provide a low-overhead signal for autoscalers, not to be a perfectly accurate monitoring tool. For high-accuracy reporting, historical analysis, dashboarding, or alerting, you should use a dedicated monitoring solution.""",
        flags_in_use_line=True,
    ),
    commands=[top_node, top_pod],
)

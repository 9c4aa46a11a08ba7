"""``pykctl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]``: print container logs.

As kubectl's LogsOptions: Complete (arguments, ``--since-time``, fetching the object or the pods
``-l`` selects), Validate, then RunLogs: one log request per container (``LogsForObject``: a
workload or service stands for its best pod to read, ``Found N pods, using pod/x`` when it had
several, every pod with ``--all-pods``; the default container with its ``Defaulted container``
note; every container with ``--all-containers``). Requests are read one after the other, or —
following more than one — concurrently, at most ``--max-log-requests`` of them, whole lines at a
time so that lines never interleave. ``--prefix`` marks each line ``[pod/NAME/CONTAINER] ``.

A followed log that fails with a Status is retried every second until ``--pod-running-timeout``
(each error on stderr), so ``logs -f`` on a starting pod waits for it; ``--ignore-errors`` turns
failures into an ``error: ...`` line on stdout. Log bytes reach stdout unchanged
(``streams.http``; requests are ordered as the pods and containers are, where kubectl's order
is its map's, i.e. random).
"""

from __future__ import annotations

import datetime
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backends.errors import ApiError, BackendError
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands import pods
from pykctl.cli.commands.exec import pod_running_timeout_flag
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, DURATION, INT, STRING, Flag
from pykctl.resources.targets import TargetSpec

if TYPE_CHECKING:
    from pykctl.session import Session
    from pykctl.streams.stdio import Writer

Obj = dict[str, Any]

USAGE = "logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]"
USAGE_ERROR = f"expected '{USAGE}'.\nPOD or TYPE/NAME is a required argument for the logs command"
SELECTOR_TAIL = 10
RETRY_SECONDS = 1.0
DEADLINE = "context deadline exceeded"


# --- --since-time: Go's time.Parse(time.RFC3339, s) --------------------------------------

_LAYOUT = "2006-01-02T15:04:05Z07:00"
_ELEMENTS = [
    ("2006", r"\d{4}"),
    ("-", "-"),
    ("01", r"\d{2}"),
    ("-", "-"),
    ("02", r"\d{2}"),
    ("T", "T"),
    ("15", r"\d{2}"),
    (":", ":"),
    ("04", r"\d{2}"),
    (":", ":"),
    ("05", r"\d{2}(?:\.\d+)?"),
    ("Z07:00", r"Z|[+-]\d{2}:\d{2}"),
]


class TimeError(ValueError):
    """``str()`` is Go's parse error text."""


def parse_rfc3339(text: str) -> datetime.datetime:
    """Go's time.Parse with RFC3339, with its error texts."""
    position = 0
    values: list[str] = []
    for element, pattern in _ELEMENTS:
        match = re.compile(pattern).match(text, position)
        if match is None:
            raise TimeError(
                f'parsing time "{text}" as "{_LAYOUT}": cannot parse "{text[position:]}" as '
                f'"{element}"'
            )
        values.append(match.group(0))
        position = match.end()
    if position != len(text):
        raise TimeError(f'parsing time "{text}": extra text: "{text[position:]}"')
    year, _, month, _, day, _, hour, _, minute, _, second, zone = values
    for value, limit, what in ((month, 12, "month"), (hour, 23, "hour"), (minute, 59, "minute")):
        if int(value) > limit or (what == "month" and int(value) == 0):
            raise TimeError(f'parsing time "{text}": {what} out of range')
    whole, _, fraction = second.partition(".")
    if int(whole) > 59:
        raise TimeError(f'parsing time "{text}": second out of range')
    try:
        moment = datetime.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(whole)
        )
    except ValueError:
        raise TimeError(f'parsing time "{text}": day out of range') from None
    moment += datetime.timedelta(microseconds=int((fraction + "000000")[:6]))
    if zone == "Z":
        return moment.replace(tzinfo=datetime.timezone.utc)
    sign = 1 if zone[0] == "+" else -1
    offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * sign
    return moment.replace(tzinfo=datetime.timezone(offset))


def rfc3339(moment: datetime.datetime) -> str:
    """metav1.Time as a query parameter: UTC, seconds."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def round_seconds(seconds: float) -> int:
    """Go's Duration.Round(time.Second), in whole seconds (halves away from zero)."""
    nanos = round(seconds * 1e9)
    whole, rest = divmod(abs(nanos), 1_000_000_000)
    if rest >= 500_000_000:
        whole += 1
    return whole if nanos >= 0 else -whole


# --- options -------------------------------------------------------------------------------


@dataclass
class LogOptions:
    """PodLogOptions, as kubectl builds them (ToLogOptions)."""

    container: str = ""
    follow: bool = False
    previous: bool = False
    timestamps: bool = False
    insecure: bool = False
    since_time: datetime.datetime | None = None
    since_seconds: int | None = None
    tail: int | None = None
    limit_bytes: int | None = None

    def query(self, container: str) -> list[tuple[str, str]]:
        query = [("container", container)]
        for name, value in (
            ("follow", self.follow),
            ("previous", self.previous),
            ("timestamps", self.timestamps),
            ("insecureSkipTLSVerifyBackend", self.insecure),
        ):
            if value:
                query.append((name, "true"))
        if self.since_seconds is not None:
            query.append(("sinceSeconds", str(self.since_seconds)))
        if self.since_time is not None:
            query.append(("sinceTime", rfc3339(self.since_time)))
        if self.tail is not None:
            query.append(("tailLines", str(self.tail)))
        if self.limit_bytes is not None:
            query.append(("limitBytes", str(self.limit_bytes)))
        return query


def log_options(inv: Invocation, container: str) -> LogOptions:
    flags = inv.flags
    options = LogOptions(
        container=container,
        follow=bool(flags["follow"]),
        previous=bool(flags["previous"]),
        timestamps=bool(flags["timestamps"]),
        insecure=bool(flags["insecure_skip_tls_verify_backend"]),
    )
    if flags["since_time"]:
        try:
            options.since_time = parse_rfc3339(flags["since_time"])
        except TimeError as err:
            raise CommandError(str(err)) from None
    if flags["limit_bytes"] != 0:
        options.limit_bytes = int(flags["limit_bytes"])
    if flags["since"] != 0:
        options.since_seconds = round_seconds(float(flags["since"]))
    tail = int(flags["tail"])
    if flags["selector"] and tail == -1 and "tail" not in inv.changed:
        options.tail = SELECTOR_TAIL
    elif tail != -1:
        options.tail = tail
    return options


def validate(inv: Invocation, options: LogOptions) -> None:
    flags = inv.flags
    if flags["since_time"] and flags["since"] != 0:
        raise CommandError("at most one of `sinceTime` or `sinceSeconds` may be specified")
    if flags["all_containers"] and options.container:
        raise CommandError(
            f"--all-containers=true should not be specified with container name {options.container}"
        )
    if "container" in inv.changed and len(inv.args) == 2:
        raise CommandError("only one of -c or an inline [CONTAINER] arg is allowed")
    if flags["limit_bytes"] < 0:
        raise CommandError("--limit-bytes must be greater than 0")
    if options.since_seconds is not None and options.since_seconds < 0:
        raise CommandError("--since must be greater than 0")
    if options.tail is not None and options.tail < -1:
        raise CommandError("--tail must be greater than or equal to -1")


# --- requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogRequest:
    """One container's log to read."""

    namespace: str
    pod: str
    container: str
    field_path: str

    def prefix(self) -> bytes:
        return f"[pod/{self.pod}/{self.container}] ".encode()


@dataclass
class Planner:
    """LogsForObject: the requests an object stands for, and kubectl's notes on the way."""

    session: Session
    warn: Callable[[str], object]
    options: LogOptions
    timeout: float
    all_containers: bool
    all_pods: bool
    requests: list[LogRequest] = field(default_factory=list)

    def plan(self, objects: list[Obj], is_list: bool) -> list[LogRequest]:
        if is_list:
            for pod in objects:
                self._pod(pod, self.all_containers, self.all_pods, self.options.container)
        else:
            self._object(objects[0])
        return self.requests

    def _object(self, obj: Obj) -> None:
        if obj.get("kind") == "Pod":
            self._pod(obj, self.all_containers, self.all_pods, self.options.container)
            return
        try:
            selector = pods.selector_for(obj)
        except ValueError as err:
            raise CommandError(f"cannot get the logs from {pods.go_type(obj)}: {err}") from None
        namespace = str((obj.get("metadata") or {}).get("namespace") or "")
        finder = pods.PodFinder(self.session.client, self.session.mapper)
        found = finder.matching(namespace, selector, self.timeout, pods.logging_less)
        if len(found) > 1 and self.all_pods:
            for pod in found:
                self._pod(pod, self.all_containers, self.all_pods, self.options.container)
            return
        if len(found) > 1:
            self.warn(
                f"Found {len(found)} pods, using pod/{(found[0].get('metadata') or {}).get('name')}\n"
            )
        self._pod(found[0], self.all_containers, self.all_pods, self.options.container)

    def _pod(self, pod: Obj, all_containers: bool, all_pods: bool, container: str) -> None:
        metadata = pod.get("metadata") or {}
        name = str(metadata.get("name") or "")
        if all_containers:
            spec = pod.get("spec") or {}
            for key in ("initContainers", "containers", "ephemeralContainers"):
                for item in spec.get(key) or []:
                    self._pod(pod, False, False, str(item.get("name")))
            return
        if not container:
            wanted = str(
                (metadata.get("annotations") or {}).get(pods.DEFAULT_CONTAINER_ANNOTATION) or ""
            )
            if wanted and pods.find_container(pod, wanted)[0] is None:
                self.warn(f'Default container name "{wanted}" not found in pod {name}\n')
            elif wanted:
                container = wanted
        if not container:
            containers = (pod.get("spec") or {}).get("containers") or [{}]
            container = str(containers[0].get("name") or "")
            if pods.has_others(pod) and not all_pods:
                self.warn(pods.defaulted_note(pod, container))
        found, field_path = pods.find_container(pod, container)
        if found is None:
            raise pods.not_valid(pod, container)
        namespace = str(metadata.get("namespace") or self.session.namespace)
        self.requests.append(LogRequest(namespace, name, container, field_path))


# --- reading -------------------------------------------------------------------------------


def error_text(err: BaseException) -> str:
    """Go's err.Error(): a Status error is just its message."""
    return err.message if isinstance(err, ApiError) else str(err)


@dataclass
class Reader:
    """Reads log requests to stdout (DefaultConsumeRequest and consumeWithRetry)."""

    session: Session
    options: LogOptions
    prefix: bool
    ignore_errors: bool
    timeout: float
    stderr: Callable[[str], object]

    def lines(self, request: LogRequest) -> Iterator[bytes]:
        """The log, line by line (each with its newline, the last maybe without)."""
        from backends.base import HttpResponse
        from backends.errors import from_response
        from pykctl.client import resource_path
        from pykctl.streams import http

        path = resource_path(
            self.session.mapper.resource_for("pods"), request.namespace, request.pod, "log"
        )
        info = self.session.connection.backend.info
        response = http.get(
            info, path, self.options.query(request.container), {"Accept": "application/json, */*"}
        )
        if not 200 <= response.status < 300:
            body = response.read()
            raise from_response(HttpResponse(response.status, response.headers, body))
        pending = b""
        for chunk in response.chunks():
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"
        if pending:
            yield pending

    def consume(self, request: LogRequest, out: Writer) -> None:
        marker = request.prefix() if self.prefix and request.field_path and request.pod else b""
        for line in self.lines(request):
            out(marker + line)

    def consume_with_retry(self, request: LogRequest, out: Writer, errors_out: Writer) -> None:
        if not self.options.follow:
            try:
                self.consume(request, out)
            except (BackendError, OSError) as err:
                if not self.ignore_errors:
                    raise
                errors_out(f"error: {error_text(err)}\n".encode())
            return
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.consume(request, out)
                return
            except (BackendError, OSError) as err:
                if self.ignore_errors:
                    errors_out(f"error: {error_text(err)}\n".encode())
                    return
                self.stderr(error_text(err) + "\n")
                if not isinstance(err, ApiError):
                    raise
            remaining = deadline - time.monotonic()
            if remaining > 0:
                threading.Event().wait(min(RETRY_SECONDS, remaining))
            if time.monotonic() >= deadline:
                raise CommandError(DEADLINE)

    def sequential(self, requests: list[LogRequest], out: Writer) -> None:
        for request in requests:
            self.consume_with_retry(request, out, out)

    def parallel(self, requests: list[LogRequest], out: Writer) -> None:
        """Every request at once; whole lines reach ``out`` one at a time."""
        pipe: queue.Queue[tuple[str, Any]] = queue.Queue()

        def worker(request: LogRequest) -> None:
            try:
                self.consume_with_retry(
                    request,
                    lambda data: pipe.put(("data", data)),
                    lambda data: pipe.put(("data", data)),
                )
            except BaseException as err:
                pipe.put(("error", err))
                return
            pipe.put(("done", None))

        for request in requests:
            threading.Thread(target=worker, args=(request,), daemon=True).start()
        remaining = len(requests)
        while remaining:
            kind, value = pipe.get()
            if kind == "data":
                out(value)
            elif kind == "error":
                raise value
            else:
                remaining -= 1


# --- the command ---------------------------------------------------------------------------


def _complete(inv: Invocation) -> tuple[str, str]:
    """The resource argument and the container (kubectl's Complete, argument part)."""
    args, selector = inv.args, inv.flags["selector"]
    if not args:
        if not selector:
            raise inv.usage_error(USAGE_ERROR)
        return "", inv.flags["container"]
    if len(args) == 1:
        if selector:
            raise inv.usage_error("only a selector (-l) or a POD name is allowed")
        return args[0], inv.flags["container"]
    if len(args) == 2:
        return args[0], args[1]
    raise inv.usage_error(USAGE_ERROR)


def run(inv: Invocation) -> int:
    """Complete, validate and run ``pykctl logs``."""
    from pykctl.session import Session
    from pykctl.streams import stdio

    flags = inv.flags
    resource, container = _complete(inv)
    all_pods = bool(flags["all_pods"])
    prefix = bool(flags["prefix"]) or all_pods
    timeout = float(flags["pod_running_timeout"])
    if timeout <= 0:
        raise CommandError("--pod-running-timeout must be higher than zero")
    options = log_options(inv, container)
    selector = flags["selector"]
    with Session.open(inv) as session:
        spec = TargetSpec(args=pods.pod_args(resource) if resource else ["pods"], selector=selector)
        try:
            objects = pods.fetch(session, inv, spec)
        except ApiError as err:
            if err.code != 404:
                raise
            raise CommandError(
                f'error from server (NotFound): {err.message} in namespace "{session.namespace}"'
            ) from None
        if not selector and len(objects) != 1:
            raise CommandError("expected a resource")
        if selector and not objects:
            inv.err(f"No resources found in {session.namespace} namespace.")
        validate(inv, options)
        planner = Planner(
            session, inv.stderr.write, options, timeout, bool(flags["all_containers"]), all_pods
        )
        requests = planner.plan(objects, bool(selector)) if objects else []
        reader = Reader(
            session, options, prefix, bool(flags["ignore_errors"]), timeout, inv.stderr.write
        )
        out = stdio.byte_writer(inv.stdout)
        if options.follow and len(requests) > 1:
            limit = int(flags["max_log_requests"])
            if len(requests) > limit:
                raise CommandError(
                    f"you are attempting to follow {len(requests)} log streams, but maximum "
                    f"allowed concurrency is {limit}, use --max-log-requests to increase the limit"
                )
            reader.parallel(requests, out)
        else:
            reader.sequential(requests, out)
    return 0


HELP = Help(
    use=USAGE,
    short="Print the logs for a container in a pod",
    long="Print the logs for a container in a pod or specified resource. If the pod has only one container, the container name is optional.",
    example="""# Return snapshot logs from pod nginx with only one container
pykctl logs nginx

# Return snapshot logs from pod nginx, prefixing each line with the source pod and container name
pykctl logs nginx --prefix

# Return snapshot logs from pod nginx, limiting output to 500 bytes
pykctl logs nginx --limit-bytes=500

# Return snapshot logs from pod nginx, waiting up to 20 seconds for it to start running.
pykctl logs nginx --pod-running-timeout=20s

# Return snapshot logs from pod nginx with multi containers
pykctl logs nginx --all-containers=true

# Return snapshot logs from all pods in the deployment nginx
pykctl logs deployment/nginx --all-pods=true

# Return snapshot logs from all containers in pods defined by label app=nginx
pykctl logs -l app=nginx --all-containers=true

# Return snapshot logs from all pods defined by label app=nginx, limiting concurrent log requests to 10 pods
pykctl logs -l app=nginx --max-log-requests=10

# Return snapshot of previous terminated ruby container logs from pod web-1
pykctl logs -p -c ruby web-1

# Begin streaming the logs from pod nginx, continuing even if errors occur
pykctl logs nginx -f --ignore-errors=true

# Begin streaming the logs of the ruby container in pod web-1
pykctl logs -f -c ruby web-1

# Begin streaming the logs from all containers in pods defined by label app=nginx
pykctl logs -f -l app=nginx --all-containers=true

# Display only the most recent 20 lines of output in pod nginx
pykctl logs --tail=20 nginx

# Show all logs from pod nginx written in the last hour
pykctl logs --since=1h nginx

# Show all logs with timestamps from pod nginx starting from August 30, 2024, at 06:00:00 UTC
pykctl logs nginx --since-time=2024-08-30T06:00:00Z --timestamps=true

# Show logs from a kubelet with an expired serving certificate
pykctl logs --insecure-skip-tls-verify-backend nginx

# Return snapshot logs from first container of a job named hello
pykctl logs job/hello

# Return snapshot logs from container nginx-1 of a deployment named nginx
pykctl logs deployment/nginx -c nginx-1""",
)

FLAGS = [
    Flag("all-containers", BOOL, usage="Get all containers' logs in the pod(s)."),
    Flag("all-pods", BOOL, usage="Get logs from all pod(s). Sets prefix to true."),
    Flag("container", STRING, shorthand="c", usage="Print the logs of this container"),
    Flag("follow", BOOL, shorthand="f", usage="Specify if the logs should be streamed."),
    Flag(
        "ignore-errors",
        BOOL,
        usage="If watching / following pod logs, allow for any errors that occur to be non-fatal",
    ),
    Flag(
        "insecure-skip-tls-verify-backend",
        BOOL,
        usage="Skip verifying the identity of the kubelet that logs are requested from.  In theory, "
        "an attacker could provide invalid log content back. You might want to use this if your "
        "kubelet serving certificates have expired.",
    ),
    Flag("limit-bytes", INT, usage="Maximum bytes of logs to return. Defaults to no limit."),
    Flag(
        "max-log-requests",
        INT,
        default=5,
        usage="Specify maximum number of concurrent logs to follow when using by a selector. "
        "Defaults to 5.",
    ),
    pod_running_timeout_flag(20.0),
    Flag(
        "prefix",
        BOOL,
        usage="Prefix each log line with the log source (pod name and container name)",
    ),
    Flag(
        "previous",
        BOOL,
        shorthand="p",
        usage="If true, print the logs for the previous instance of the container in a pod if it "
        "exists.",
    ),
    Flag(
        "selector",
        STRING,
        shorthand="l",
        usage="Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. "
        "-l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
        "specified label constraints.",
    ),
    Flag(
        "since",
        DURATION,
        usage="Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to "
        "all logs. Only one of since-time / since may be used.",
    ),
    Flag(
        "since-time",
        STRING,
        usage="Only return logs after a specific date (RFC3339). Defaults to all logs. Only one "
        "of since-time / since may be used.",
    ),
    Flag(
        "tail",
        INT,
        default=-1,
        usage="Lines of recent log file to display. Defaults to -1 with no selector, showing all "
        "log lines otherwise 10, if a selector is provided.",
    ),
    Flag("timestamps", BOOL, usage="Include timestamps on each line in the log output"),
]

logs = KCommand("logs", run, HELP, FLAGS)

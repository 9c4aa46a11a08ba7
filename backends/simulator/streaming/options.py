"""The query parameters of pods/log, pods/exec and pods/attach, read the way kube-apiserver's
parameter codec reads PodLogOptions, PodExecOptions and PodAttachOptions, and validated as it
validates them (400 for what does not parse, 422 for PodLogOptions out of range).

Booleans follow apimachinery's ``Convert_Slice_string_To_bool``: absent is false; ``0``, ``f``,
``false``, ``n``, ``no`` (any case) are false; anything else, the empty string included, is true.
Python's client spells every boolean out (``stdin=false``); kubectl sends only the true ones.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from multidict import MultiMapping

from backends.simulator.apiserver import status
from backends.simulator.clock import Clock, parse_rfc3339
from backends.simulator.kubelet.logs import LogOptions

_FALSE = {"0", "f", "false", "n", "no"}
_STREAMS = ("All", "Stderr", "Stdout")


def flag(query: Mapping[str, str], name: str) -> bool:
    """A boolean parameter (see the module docstring)."""
    if name not in query:
        return False
    return query[name].lower() not in _FALSE


def _int(query: Mapping[str, str], name: str) -> int | None:
    if name not in query:
        return None
    text = query[name]
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not body.isascii():
        raise status.bad_request(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    return int(text)


def _invalid(pod: str, causes: list[dict[str, str]]) -> status.ApiStatus:
    return status.invalid("PodLogOptions", "", pod, causes)


def _value_cause(path: str, value: int, detail: str) -> dict[str, str]:
    return {
        "reason": "FieldValueInvalid",
        "message": f"Invalid value: {value}: {detail}",
        "field": path,
    }


@dataclass(frozen=True)
class LogQuery:
    """A pods/log request: which container and the kubelet's read options."""

    container: str
    previous: bool
    options: LogOptions


def log_query(query: MultiMapping[str], pod: str, clock: Clock) -> LogQuery:
    """PodLogOptions from the query (400 when a value does not parse, 422 when out of range)."""
    tail = _int(query, "tailLines")
    limit = _int(query, "limitBytes")
    since_seconds = _int(query, "sinceSeconds")
    since_time = None
    if "sinceTime" in query:
        try:
            since_time = parse_rfc3339(query["sinceTime"])
        except ValueError:
            text = query["sinceTime"]
            raise status.bad_request(
                f'parsing time "{text}" as "2006-01-02T15:04:05Z07:00": cannot parse '
                f'"{text}" as "2006"'
            ) from None
    stream = query.get("stream")
    causes: list[dict[str, str]] = []
    if tail is not None and tail < 0:
        causes.append(_value_cause("tailLines", tail, "must be greater than or equal to 0"))
    if limit is not None and limit < 1:
        causes.append(_value_cause("limitBytes", limit, "must be greater than 0"))
    if since_seconds is not None and since_time is not None:
        causes.append(
            {
                "reason": "FieldValueForbidden",
                "message": "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified",
            }
        )
    elif since_seconds is not None and since_seconds < 1:
        causes.append(_value_cause("sinceSeconds", since_seconds, "must be greater than 0"))
    if stream is not None and stream not in _STREAMS:
        supported = ", ".join(f'"{s}"' for s in _STREAMS)
        causes.append(
            {
                "reason": "FieldValueNotSupported",
                "message": f'Unsupported value: "{stream}": supported values: {supported}',
                "field": "stream",
            }
        )
    elif stream not in (None, "All") and tail is not None:
        causes.append(
            {
                "reason": "FieldValueForbidden",
                "message": "Forbidden: `tailLines` and specific `stream` are mutually exclusive "
                "for now",
            }
        )
    if causes:
        raise _invalid(pod, causes)
    if since_seconds is not None:
        since_time = clock.now() - datetime.timedelta(seconds=since_seconds)
    return LogQuery(
        container=query.get("container", ""),
        previous=flag(query, "previous"),
        options=LogOptions(
            follow=flag(query, "follow"),
            tail_lines=tail,
            since_time=since_time,
            timestamps=flag(query, "timestamps"),
            limit_bytes=limit,
            stream=stream or "All",
        ),
    )


@dataclass(frozen=True)
class StreamQuery:
    """A pods/exec or pods/attach request."""

    container: str
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool
    command: list[str] = field(default_factory=list)

    @property
    def any_stream(self) -> bool:
        """The kubelet needs at least one of stdin, stdout and stderr (stderr does not count
        with a tty, whose output all comes on stdout)."""
        return self.stdin or self.stdout or (self.stderr and not self.tty)


def stream_query(query: MultiMapping[str]) -> StreamQuery:
    """PodExecOptions / PodAttachOptions from the query."""
    return StreamQuery(
        container=query.get("container", ""),
        stdin=flag(query, "stdin"),
        stdout=flag(query, "stdout"),
        stderr=flag(query, "stderr"),
        tty=flag(query, "tty"),
        command=list(query.getall("command", [])),
    )

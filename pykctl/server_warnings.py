"""The API server's warnings, shown as kubectl shows them.

kube-apiserver sends deprecation notices and field-validation warnings in ``Warning`` response
headers (RFC 7234: ``299 - "text"``, several per header separated by commas). kubectl prints each
text once per command, on stderr, as ``Warning: text`` (client-go's deduplicating warning
writer). ``connect()`` wraps every command's backend in a ``WarningPrinter``, so no command
handles them itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TextIO

from backends.base import Backend, ClusterInfo, HttpResponse

_WARNING = re.compile(r'(\d{3}) [^\s,]+ "((?:[^"\\]|\\.)*)"(?: "[^"]*")?\s*(?:,\s*|$)')


def parse_warnings(headers: Mapping[str, str]) -> list[str]:
    """The texts of the 299 warnings in ``headers``. As client-go, parsing stops at the first
    malformed warning, which is dropped with everything after it."""
    value = headers.get("Warning") or ""
    texts = []
    position = 0
    while position < len(value):
        match = _WARNING.match(value, position)
        if match is None:
            break
        if match.group(1) == "299":
            texts.append(re.sub(r"\\(.)", r"\1", match.group(2)))
        position = match.end()
    return texts


class WarningPrinter:
    """A backend that writes the server's warnings to ``stderr``, each text once."""

    def __init__(self, inner: Backend, stderr: TextIO) -> None:
        self.inner = inner
        self.info: ClusterInfo = inner.info
        self.stderr = stderr
        self.seen: set[str] = set()

    def _show(self, headers: Mapping[str, str]) -> None:
        for text in parse_warnings(headers):
            if text not in self.seen:
                self.seen.add(text)
                self.stderr.write(f"Warning: {text}\n")

    def request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        response = self.inner.request(method, path, query, body, headers)
        self._show(response.headers)
        return response

    def stream(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, str], Iterator[bytes]]:
        status, response_headers, lines = self.inner.stream(method, path, query, headers)
        self._show(response_headers)
        return status, response_headers, lines

    def close(self) -> None:
        self.inner.close()

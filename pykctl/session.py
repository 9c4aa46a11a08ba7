"""One command's view of its cluster: connection, REST client, resource mapper, namespace.

Opened lazily by server-facing commands (``Session.open(inv)``) and closed when they finish,
so commands that never reach a server pay nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pykctl.cli.command import Invocation
from pykctl.cli.connection import Connection, connect
from pykctl.client import Client
from pykctl.resources.discovery import Discovery
from pykctl.resources.mapper import Mapper


@dataclass
class Session:
    """A connected command: ``client`` for requests, ``mapper`` for resource types."""

    inv: Invocation
    connection: Connection

    @classmethod
    def open(cls, inv: Invocation) -> Session:
        return cls(inv, connect(inv))

    @cached_property
    def client(self) -> Client:
        return Client(self.connection.backend)

    @cached_property
    def discovery(self) -> Discovery:
        return Discovery(self.connection.backend, self.inv.globals.cache_dir(), self.connection.context.server)

    @cached_property
    def mapper(self) -> Mapper:
        return Mapper(self.discovery)

    @property
    def namespace(self) -> str:
        """``-n``, else the context's namespace, else ``default``."""
        return self.connection.context.namespace

    @property
    def namespace_explicit(self) -> bool:
        """Was the namespace given with ``-n``?"""
        return self.connection.context.namespace_explicit

    def close(self) -> None:
        self.connection.backend.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

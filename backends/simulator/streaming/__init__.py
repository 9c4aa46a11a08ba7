"""Streaming subresources of pods, served by the simulator's API server from its node agents:
pods/log (``log``), pods/exec and pods/attach (``exec``) over the channel.k8s.io WebSocket
protocols (``channels``), pods/portforward (``portforward``: SPDY/3.1, tunnelled or direct, and
the v4 channels).

``handlers(simulator)`` gives them by subresource name, for
``simulator.context.subresource_handlers``, which the API server consults before its own
subresources.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from backends.simulator.streaming import portforward
from backends.simulator.streaming.exec import serve_attach, serve_exec
from backends.simulator.streaming.log import serve_log

if TYPE_CHECKING:
    from backends.simulator.apiserver.app import SubresourceHandler
    from backends.simulator.server import Simulator


def handlers(simulator: Simulator) -> dict[str, SubresourceHandler]:
    """The ``log``, ``exec``, ``attach`` and ``portforward`` handlers of ``simulator``."""
    return {
        "log": functools.partial(serve_log, simulator),
        "exec": functools.partial(serve_exec, simulator),
        "attach": functools.partial(serve_attach, simulator),
        **portforward.handlers(simulator),
    }

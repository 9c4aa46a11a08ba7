"""The simulator's web dashboard (the study notes' "Kubernetes UI"), served under ``/ui/`` by
the API server itself: explore, watch and act on the cluster from a browser, logged in with the
API token or a one-time link from ``pykctl sim dashboard``. See ``routes`` (HTTP), ``auth``
(tickets, sessions, CSRF), ``manifests`` (YAML) and ``pages`` (documents and headers); the page
itself is ``static/`` (vanilla JavaScript modules, no external asset)."""

from __future__ import annotations

from backends.simulator.dashboard.routes import PREFIX, TICKETS_PATH, Dashboard, mount

__all__ = ["PREFIX", "TICKETS_PATH", "Dashboard", "mount"]

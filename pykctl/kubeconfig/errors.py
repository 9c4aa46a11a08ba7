"""Errors about kubeconfig files and contexts, carrying kubectl's exact wording."""

from __future__ import annotations


class KubeconfigError(Exception):
    """A kubeconfig problem; ``str()`` is the text kubectl prints after ``error: ``."""


class ConfigurationError(KubeconfigError):
    """A context/cluster/user that cannot be resolved; kubectl prints it as
    ``Error in configuration: ...`` without the ``error:`` prefix."""

"""The in-memory kubeconfig: client-go's api.Config, as plain data.

``clusters``, ``users`` and ``contexts`` map a name to its entry, a dict keyed by the v1 JSON
field names (``server``, ``certificate-authority-data`` as bytes, ``token``, ``exec``, ...).
``origins`` remembers which file each entry came from (client-go's LocationOfOrigin); an entry
without an origin is new. Entries are never shared between two Config objects: ``copy`` is deep.
"""

from __future__ import annotations

import copy as _copy
from dataclasses import dataclass, field
from typing import Any, Literal

Section = Literal["clusters", "users", "contexts"]
SECTION_NAMES: tuple[Section, ...] = ("clusters", "users", "contexts")

Entry = dict[str, Any]


@dataclass
class Config:
    """A kubeconfig: one file's content, or several files merged."""

    clusters: dict[str, Entry] = field(default_factory=dict)
    users: dict[str, Entry] = field(default_factory=dict)
    contexts: dict[str, Entry] = field(default_factory=dict)
    current_context: str = ""
    preferences: dict[str, Any] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)
    origins: dict[tuple[Section, str], str] = field(default_factory=dict)

    def section(self, name: Section) -> dict[str, Entry]:
        entries: dict[str, Entry] = getattr(self, name)
        return entries

    def copy(self) -> Config:
        return _copy.deepcopy(self)

    @classmethod
    def from_internal(cls, data: dict[str, Any], origin: str = "") -> Config:
        """Build from schema.decode_config's result; every entry gets ``origin``."""
        config = cls(
            clusters=data.get("clusters") or {},
            users=data.get("users") or {},
            contexts=data.get("contexts") or {},
            current_context=data.get("current-context") or "",
            preferences=data.get("preferences") or {},
            extensions=data.get("extensions") or {},
        )
        if origin:
            for section in SECTION_NAMES:
                for name in config.section(section):
                    config.origins[(section, name)] = origin
        return config

    def to_internal(self) -> dict[str, Any]:
        """The form schema.encode_config takes."""
        return {
            "clusters": self.clusters,
            "users": self.users,
            "contexts": self.contexts,
            "current-context": self.current_context,
            "preferences": self.preferences,
            "extensions": self.extensions,
        }

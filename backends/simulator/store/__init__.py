"""The simulator's object store: every API object, its resourceVersion, and watches."""

from backends.simulator.store.store import (
    AlreadyExistsError,
    ConflictError,
    Event,
    GoneError,
    NotFoundError,
    Store,
    StoreError,
    Watch,
)

__all__ = [
    "AlreadyExistsError",
    "ConflictError",
    "Event",
    "GoneError",
    "NotFoundError",
    "Store",
    "StoreError",
    "Watch",
]

"""kube-apiserver v1.37's admission for the simulator: decoding, defaulting, validation.

Pure functions over JSON dicts, applied to a request body in kube-apiserver's order:

1. ``decode_body`` (``strict``): parse, type-check against the schema, apply
   ``fieldValidation`` (unknown and duplicate fields), drop what Go's typed decode drops;
2. ``apply_defaults`` (``defaults``): the ``SetDefaults_*`` of the kind;
3. the server fills system metadata (name from generateName, uid, creationTimestamp, namespace);
4. ``admit`` (``plugins``, create only): mutating admission plugins;
5. ``prepare_for_create`` / ``prepare_for_update`` (``strategy``): status reset or carry-over,
   generated selectors and finalizers;
6. ``validate`` (``validation``), and ``invalid_status`` for the 422 when it returns causes.

``field_problems`` reports the unknown fields of an already-decoded object (a patch result).
Failures of steps 1 and 4 raise :class:`AdmissionError` carrying the Status to send.
"""

from __future__ import annotations

from backends.simulator.apiserver.admission.causes import (
    AdmissionError,
    Cause,
    bad_request_status,
    forbidden_status,
    invalid_status,
)
from backends.simulator.apiserver.admission.defaults import apply_defaults
from backends.simulator.apiserver.admission.plugins import Cluster, admit
from backends.simulator.apiserver.admission.strategy import prepare_for_create, prepare_for_update
from backends.simulator.apiserver.admission.strict import (
    IGNORE,
    STRICT,
    WARN,
    decode_body,
    field_problems,
)
from backends.simulator.apiserver.admission.validation import validate

__all__ = [
    "IGNORE",
    "STRICT",
    "WARN",
    "AdmissionError",
    "Cause",
    "Cluster",
    "admit",
    "apply_defaults",
    "bad_request_status",
    "decode_body",
    "field_problems",
    "forbidden_status",
    "invalid_status",
    "prepare_for_create",
    "prepare_for_update",
    "validate",
]

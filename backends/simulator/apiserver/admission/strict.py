"""Decoding a JSON request body the way kube-apiserver v1.37 decodes into its Go types.

``decode_body`` parses the body, checks it against the kind's OpenAPI schema and returns the
object as the typed decode leaves it (unknown fields dropped, nulls and duplicate keys resolved)
together with the warnings to send. It reproduces three behaviours of the Go decoder
(``sigs.k8s.io/json`` plus the custom unmarshalers of apimachinery):

* type errors, always fatal (400 BadRequest): ``json: cannot unmarshal string into Go struct
  field PodSpec.spec.containers of type []v1.Container``, quantity and base64 errors;
* strict errors, per ``fieldValidation``: ``unknown field "spec.foo"`` and ``duplicate field
  "metadata.name"``, fatal under ``Strict`` (``strict decoding error: ...``), warnings under
  ``Warn``, silent under ``Ignore``;
* the ``<Kind> in version "<v>" cannot be handled as a <Kind>: ...`` wrapping of both.

Invariants: the schemas are read, never modified; errors are reported in document order with
Go's rules (the first type error wins, a custom unmarshaler's error wins over it; strict errors
are deduplicated and capped at 100). Go type names are derived from definition names, so string
enums read ``string`` where Go would name their alias type.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from backends.objects import schemas
from backends.simulator.apiserver.admission.causes import AdmissionError, bad_request_status
from backends.simulator.apiserver.admission.quantity import FORMAT_ERROR, stored_form
from backends.simulator.apiserver.resources import ResourceType

STRICT, WARN, IGNORE = "Strict", "Warn", "Ignore"
_MAX_STRICT_ERRORS = 100
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_OPAQUE = {
    "io.k8s.apimachinery.pkg.runtime.RawExtension",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
}


class _Number(float):
    """A JSON number with a fraction or exponent, remembering its literal text."""

    text: str

    def __new__(cls, text: str) -> _Number:
        number = super().__new__(cls, text)
        number.text = text
        return number


class _Pairs(dict[str, Any]):
    """A JSON object that repeated a key; ``pairs`` keeps every member in document order."""

    pairs: list[tuple[str, Any]]


def _object_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    repeated = _Pairs(obj)
    repeated.pairs = pairs
    return repeated


class _Fatal(Exception):
    """A custom unmarshaler's error: Go stops decoding at once."""


@dataclass
class _Decoder:
    """The state of one decode: the saved type error and the strict errors, in order."""

    type_error: str | None = None
    strict_errors: list[str] = field(default_factory=list)
    in_resource_list: bool = False  # values are rounded up to milli units (ResourceList)

    def save(self, message: str) -> None:
        if self.type_error is None:
            self.type_error = message

    def strict(self, message: str) -> None:
        if message not in self.strict_errors and len(self.strict_errors) < _MAX_STRICT_ERRORS:
            self.strict_errors.append(message)


@dataclass(frozen=True)
class _Context:
    """Go's error context: the innermost struct type and the dotted path of struct fields."""

    struct: str
    fields: tuple[str, ...]


def _definition(schema: schemas.Schema | None) -> str | None:
    """The definition name a schema refers to (``io.k8s.api.core.v1.PodSpec``)."""
    while schema is not None:
        ref = schema.get("$ref")
        if ref is None and len(schema.get("allOf") or []) == 1:
            ref = schema["allOf"][0].get("$ref")
        if ref is None:
            return None
        name: str = ref.rsplit("/", 1)[-1]
        target = schemas.definitions().get(name)
        if target is None or ("$ref" not in target and "allOf" not in target):
            return name
        schema = target
    return None


def _go_type(schema: schemas.Schema | None) -> str:
    """The Go type name a schema stands for (``[]v1.Container``, ``int32``, ``map[string]string``)."""
    name = _definition(schema)
    if name is not None and name not in (_INT_OR_STRING, _QUANTITY):
        resolved = schemas.resolve(schema) or {}
        if resolved.get("properties") or name in _OPAQUE:
            package, _, kind = name.rpartition(".")
            return f"{package.rpartition('.')[2]}.{kind}"
    resolved = schemas.resolve(schema) or {}
    json_types = schemas.types(resolved)
    if "array" in json_types:
        return "[]" + _go_type(schemas.items_schema(resolved))
    if "object" in json_types and isinstance(resolved.get("additionalProperties"), dict):
        return "map[string]" + _go_type(resolved["additionalProperties"])
    if "integer" in json_types:
        return str(resolved.get("format") or "int64")
    if "number" in json_types:
        return "float64"
    if "boolean" in json_types:
        return "bool"
    if resolved.get("format") == "byte":
        return "[]uint8"
    return "string"


def _json_kind(value: Any) -> str:
    """What Go's decoder calls a JSON value in ``cannot unmarshal <kind>``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_error(value_kind: str, go_type: str, context: _Context | None) -> str:
    if context is None or not context.fields:
        return f"json: cannot unmarshal {value_kind} into Go value of type {go_type}"
    path = ".".join(context.fields)
    return f"json: cannot unmarshal {value_kind} into Go struct field {context.struct}.{path} of type {go_type}"


def _number_text(value: int | float) -> str:
    return value.text if isinstance(value, _Number) else repr(value)


def _decode_integer(
    decoder: _Decoder, value: Any, schema: schemas.Schema, context: _Context | None
) -> Any:
    go_type = str(schema.get("format") or "int64")
    low, high = _INT_RANGES.get(go_type, _INT_RANGES["int64"])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        decoder.save(_type_error(_json_kind(value), go_type, context))
        return None
    if isinstance(value, float) or not low <= value <= high:
        decoder.save(_type_error(f"number {_number_text(value)}", go_type, context))
        return None
    return value


def _base64_error(text: str) -> str | None:
    """Go's ``base64.StdEncoding`` complaint about ``text`` (newlines are ignored)."""
    stripped = text.replace("\r", "").replace("\n", "")
    for index, char in enumerate(stripped):
        if not (char.isascii() and (char.isalnum() or char in "+/=")):
            return f"illegal base64 data at input byte {index}"
    try:
        base64.b64decode(stripped, validate=True)
    except binascii.Error:
        return f"illegal base64 data at input byte {len(stripped) - len(stripped) % 4}"
    return None


def _decode_scalar(
    decoder: _Decoder, value: Any, schema: schemas.Schema, context: _Context | None
) -> Any:
    json_types = schemas.types(schema)
    if "integer" in json_types:
        return _decode_integer(decoder, value, schema, context)
    expected = (
        "number" if "number" in json_types else "boolean" if "boolean" in json_types else "string"
    )
    matches = {
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "string": isinstance(value, str),
    }[expected]
    if not matches:
        decoder.save(_type_error(_json_kind(value), _go_type(schema), context))
        return None
    if expected == "string" and schema.get("format") == "byte":
        error = _base64_error(value)
        if error is not None:
            decoder.save(error)
    if isinstance(value, _Number):
        return float(value)
    return value


def _decode_special(decoder: _Decoder, name: str, value: Any, context: _Context | None) -> Any:
    if name == _INT_OR_STRING:
        if isinstance(value, str) or (
            isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**31
        ):
            return value
        kind = (
            f"number {_number_text(value)}"
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            else _json_kind(value)
        )
        raise _Fatal(_type_error(kind, "int32", context))
    if name == _QUANTITY:
        text = (
            value
            if isinstance(value, str)
            else None
            if isinstance(value, (dict, list, bool))
            else _number_text(value)
        )
        stored = None if text is None else stored_form(text, decoder.in_resource_list)
        if stored is None:
            raise _Fatal(FORMAT_ERROR)
        return stored
    return _plain(value)


def _plain(value: Any) -> Any:
    """``value`` with parser artefacts (remembered literals, repeated keys) removed."""
    if isinstance(value, _Number):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _members(obj: dict[str, Any]) -> list[tuple[str, Any]]:
    return obj.pairs if isinstance(obj, _Pairs) else list(obj.items())


def _merge(old: Any, new: Any) -> Any:
    """A repeated key decodes into the value already there: objects merge, the rest is replaced."""
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for key, value in new.items():
            merged[key] = _merge(merged.get(key), value)
        return merged
    return new


def _walk(
    decoder: _Decoder,
    value: Any,
    schema: schemas.Schema | None,
    path: str,
    context: _Context | None,
) -> Any:
    """Decode ``value`` against ``schema``; ``path`` is the strict path (with indices)."""
    if value is None or schema is None:
        return _plain(value)
    name = _definition(schema)
    if name in _OPAQUE or name in (_INT_OR_STRING, _QUANTITY):
        return _decode_special(decoder, str(name), value, context)
    resolved = schemas.resolve(schema) or {}
    json_types = schemas.types(resolved)
    properties = resolved.get("properties")
    if properties:
        return _walk_struct(decoder, value, resolved, name, path, context)
    if "array" in json_types:
        if not isinstance(value, list):
            decoder.save(_type_error(_json_kind(value), _go_type(schema), context))
            return None
        items = schemas.items_schema(resolved)
        return [
            _walk(decoder, item, items, f"{path}[{index}]", context)
            for index, item in enumerate(value)
        ]
    if "object" in json_types:
        additional = resolved.get("additionalProperties")
        if not isinstance(additional, dict):
            return _plain(value)
        if not isinstance(value, dict):
            decoder.save(_type_error(_json_kind(value), _go_type(schema), context))
            return None
        result: dict[str, Any] = {}
        seen: set[str] = set()
        outer = decoder.in_resource_list
        decoder.in_resource_list = _definition(additional) == _QUANTITY
        for key, member in _members(value):
            if key in seen:
                decoder.strict(f'duplicate field "{_join(path, key)}"')
            seen.add(key)
            result[key] = _merge(
                result.get(key), _walk(decoder, member, additional, _join(path, key), context)
            )
        decoder.in_resource_list = outer
        return result
    if not json_types:
        return _plain(value)
    return _decode_scalar(decoder, value, resolved, context)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk_struct(
    decoder: _Decoder,
    value: Any,
    schema: schemas.Schema,
    name: str | None,
    path: str,
    context: _Context | None,
) -> Any:
    struct = (name or "").rpartition(".")[2]
    if not isinstance(value, dict):
        decoder.save(
            _type_error(
                _json_kind(value),
                _go_type({"$ref": f"#/$defs/{name}"}) if name else "struct",
                context,
            )
        )
        return None
    properties: dict[str, Any] = schema["properties"]
    fields = context.fields if context else ()
    result: dict[str, Any] = {}
    seen: set[str] = set()
    for key, member in _members(value):
        if key not in properties:
            decoder.strict(f'unknown field "{_join(path, key)}"')
            continue
        if key in seen:
            decoder.strict(f'duplicate field "{_join(path, key)}"')
        seen.add(key)
        decoded = _walk(
            decoder, member, properties[key], _join(path, key), _Context(struct, (*fields, key))
        )
        if decoded is None:
            result.pop(key, None)
        else:
            result[key] = _merge(result.get(key), decoded)
    return result


def _cannot_handle(body: dict[str, Any], resource: ResourceType, detail: str) -> AdmissionError:
    kind = (
        body.get("kind")
        if isinstance(body.get("kind"), str) and body.get("kind")
        else resource.kind
    )
    api_version = body.get("apiVersion") if isinstance(body.get("apiVersion"), str) else ""
    version = str(api_version).rpartition("/")[2] or resource.version
    message = (
        f"{kind} in version {json.dumps(version)} cannot be handled as a {resource.kind}: {detail}"
    )
    return AdmissionError(bad_request_status(message))


_TYPE_META = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'


def _syntax_error(error: ValueError) -> str:
    """Go's wording for the common JSON syntax errors."""
    if isinstance(error, json.JSONDecodeError):
        if error.pos >= len(error.doc.rstrip()):
            return "unexpected end of JSON input"
        return f"invalid character {error.doc[error.pos]!r} looking for beginning of value"
    return str(error)


def _unrecognized(body: bytes | str, resource: ResourceType, detail: str) -> AdmissionError:
    """``transformDecodeError`` without a kind: the body is summarized, hex unless an object."""
    data = body.encode() if isinstance(body, str) else body
    if not data:
        summary = "<empty>"
    elif data[:1] == b"{":
        summary = data[:30].decode(errors="replace") + (" ..." if len(data) > 30 else "")
    else:
        summary = data[:30].hex() + (" ..." if len(data) > 30 else "")
    message = f"the object provided is unrecognized (must be of type {resource.kind}): couldn't get version/kind; json parse error: {detail} ({summary})"
    return AdmissionError(bad_request_status(message))


def decode_body(
    body: bytes | str, resource: ResourceType, field_validation: str = STRICT
) -> tuple[dict[str, Any], list[str]]:
    """Decode a JSON request body for ``resource``: the object and the warnings to send.

    Raises :class:`AdmissionError` with a 400 Status for malformed JSON, type errors and, under
    ``fieldValidation=Strict``, unknown or duplicate fields.
    """
    try:
        raw = json.loads(body, object_pairs_hook=_object_hook, parse_float=_Number)
    except ValueError as error:
        raise _unrecognized(body, resource, _syntax_error(error)) from None
    if not isinstance(raw, dict):
        raise _unrecognized(
            body,
            resource,
            f"json: cannot unmarshal {_json_kind(raw)} into Go value of type {_TYPE_META}",
        )
    schema = schemas.for_kind(resource.group, resource.version, resource.kind)
    if schema is None:
        return _plain(raw), []
    decoder = _Decoder()
    try:
        obj = _walk_struct(
            decoder,
            raw,
            schema,
            schemas.definition_name(resource.group, resource.version, resource.kind),
            "",
            None,
        )
    except _Fatal as fatal:
        raise _cannot_handle(raw, resource, str(fatal)) from None
    if decoder.type_error is not None:
        raise _cannot_handle(raw, resource, decoder.type_error)
    if decoder.strict_errors and field_validation == STRICT:
        raise _cannot_handle(
            raw, resource, "strict decoding error: " + ", ".join(decoder.strict_errors)
        )
    warnings = decoder.strict_errors if field_validation == WARN else []
    return obj, list(warnings)


def field_problems(resource: ResourceType, obj: dict[str, Any]) -> list[str]:
    """The unknown fields of an already-decoded object (a patch result), as strict errors.

    Type errors are not reported here; ``decode_body`` reports them for request bodies.
    """
    schema = schemas.for_kind(resource.group, resource.version, resource.kind)
    if schema is None:
        return []
    decoder = _Decoder()
    name = schemas.definition_name(resource.group, resource.version, resource.kind)
    with contextlib.suppress(_Fatal):
        _walk_struct(decoder, obj, schema, name, "", None)
    return decoder.strict_errors

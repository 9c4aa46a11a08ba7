"""The kubeconfig v1 schema and its Go decoding and encoding rules.

kubectl reads a kubeconfig by converting the YAML to JSON (object keys sorted) and decoding it
case-sensitively into client-go's ``v1.Config`` structs, then converting the named lists into
maps. It writes by the reverse path. This module reproduces what users can observe of that:

* unknown fields are dropped; ``null`` leaves a field at its zero value;
* a value of the wrong JSON type is reported as Go does
  (``json: cannot unmarshal number into Go struct field Cluster.clusters.cluster.server of type
  string``) — the first error in sorted-key order wins;
* ``*-data`` fields are base64 in the file and bytes in memory;
* duplicate names in ``clusters``, ``users`` or ``contexts`` are an error; entries are written
  back sorted by name; exec plugins of the alpha/beta API default ``interactiveMode`` to
  ``IfAvailable``;
* encoding keeps Go's struct field order (``config view -o json``) and omits ``omitempty``
  fields at their zero value.

Decoded values are plain dicts keyed by the JSON field names; a field absent from a dict is at
its zero value. Nothing here touches the filesystem.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from backends.objects.gofmt import quote

# Field kinds.
STRING, BOOL, BYTES, STRINGS, STRING_MAP, STRINGS_MAP, RAW = (
    "string",
    "bool",
    "bytes",
    "strings",
    "string_map",
    "strings_map",
    "raw",
)
STRUCT, POINTER, LIST = "struct", "pointer", "list"


@dataclass(frozen=True)
class Field:
    """One JSON field of a Go struct."""

    name: str
    kind: str
    omitempty: bool = True
    struct: Struct | None = None  # for STRUCT, POINTER and LIST fields


@dataclass(frozen=True)
class Struct:
    """A Go struct: its type name (as Go prints it) and its fields in declaration order."""

    go_name: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


NAMED_EXTENSION = Struct(
    "NamedExtension", (Field("name", STRING, False), Field("extension", RAW, False))
)
_EXTENSIONS = Field("extensions", LIST, True, NAMED_EXTENSION)

PREFERENCES = Struct("Preferences", (Field("colors", BOOL), _EXTENSIONS))
CLUSTER = Struct(
    "Cluster",
    (
        Field("server", STRING, False),
        Field("tls-server-name", STRING),
        Field("insecure-skip-tls-verify", BOOL),
        Field("certificate-authority", STRING),
        Field("certificate-authority-data", BYTES),
        Field("proxy-url", STRING),
        Field("disable-compression", BOOL),
        _EXTENSIONS,
    ),
)
AUTH_PROVIDER = Struct(
    "AuthProviderConfig", (Field("name", STRING, False), Field("config", STRING_MAP, False))
)
EXEC_ENV_VAR = Struct("ExecEnvVar", (Field("name", STRING, False), Field("value", STRING, False)))
EXEC = Struct(
    "ExecConfig",
    (
        Field("command", STRING, False),
        Field("args", STRINGS, False),
        Field("env", LIST, False, EXEC_ENV_VAR),
        Field("apiVersion", STRING),
        Field("installHint", STRING),
        Field("provideClusterInfo", BOOL, False),
        Field("interactiveMode", STRING),
    ),
)
AUTH_INFO = Struct(
    "AuthInfo",
    (
        Field("client-certificate", STRING),
        Field("client-certificate-data", BYTES),
        Field("client-key", STRING),
        Field("client-key-data", BYTES),
        Field("token", STRING),
        Field("tokenFile", STRING),
        Field("as", STRING),
        Field("as-uid", STRING),
        Field("as-groups", STRINGS),
        Field("as-user-extra", STRINGS_MAP),
        Field("username", STRING),
        Field("password", STRING),
        Field("auth-provider", POINTER, True, AUTH_PROVIDER),
        Field("exec", POINTER, True, EXEC),
        _EXTENSIONS,
    ),
)
CONTEXT = Struct(
    "Context",
    (
        Field("cluster", STRING, False),
        Field("user", STRING, False),
        Field("namespace", STRING),
        _EXTENSIONS,
    ),
)
NAMED_CLUSTER = Struct(
    "NamedCluster", (Field("name", STRING, False), Field("cluster", STRUCT, False, CLUSTER))
)
NAMED_AUTH_INFO = Struct(
    "NamedAuthInfo", (Field("name", STRING, False), Field("user", STRUCT, False, AUTH_INFO))
)
NAMED_CONTEXT = Struct(
    "NamedContext", (Field("name", STRING, False), Field("context", STRUCT, False, CONTEXT))
)
CONFIG = Struct(
    "Config",
    (
        Field("kind", STRING),
        Field("apiVersion", STRING),
        Field("preferences", STRUCT, True, PREFERENCES),
        Field("clusters", LIST, False, NAMED_CLUSTER),
        Field("users", LIST, False, NAMED_AUTH_INFO),
        Field("contexts", LIST, False, NAMED_CONTEXT),
        Field("current-context", STRING, False),
        _EXTENSIONS,
    ),
)

# The three named sections: (JSON list name, entry key, entry struct, Go element type name).
SECTIONS = (
    ("clusters", "cluster", CLUSTER, "Cluster"),
    ("users", "user", AUTH_INFO, "AuthInfo"),
    ("contexts", "context", CONTEXT, "Context"),
)
_LIST_ELEMENT = {"clusters": "NamedCluster", "users": "NamedAuthInfo", "contexts": "NamedContext"}
_INTERACTIVE_DEFAULT_VERSIONS = (
    "client.authentication.k8s.io/v1alpha1",
    "client.authentication.k8s.io/v1beta1",
)


class DecodeError(Exception):
    """The kubeconfig content cannot be decoded; the message is Go's."""


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _go_type(f: Field) -> str:
    return {
        STRING: "v1.ExecInteractiveMode" if f.name == "interactiveMode" else "string",
        BOOL: "bool",
        BYTES: "[]uint8",
        STRINGS: "[]string",
        STRING_MAP: "map[string]string",
        STRINGS_MAP: "map[string][]string",
    }.get(f.kind) or (
        f"[]v1.{f.struct.go_name}"
        if f.kind == LIST and f.struct
        else f"v1.{f.struct.go_name if f.struct else ''}"
    )


def go_base64_decode(text: str) -> bytes:
    """base64.StdEncoding.Decode, with Go's error offsets (``illegal base64 data at input byte N``)."""
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    src = text
    si = 0
    quantum: list[str] = []
    chars: list[str] = []

    def corrupt(at: int) -> DecodeError:
        return DecodeError(f"illegal base64 data at input byte {at}")

    while True:
        quantum = []
        j = 0
        while j < 4:
            if si == len(src):
                if j == 0:
                    return base64.b64decode("".join(chars)) if chars else b""
                raise corrupt(si - j)
            c = src[si]
            si += 1
            if c in alphabet:
                quantum.append(c)
                j += 1
                continue
            if c in "\r\n":
                continue
            if c != "=":
                raise corrupt(si - 1)
            if j in (0, 1):
                raise corrupt(si - 1)
            if j == 2:
                while si < len(src) and src[si] in "\r\n":
                    si += 1
                if si == len(src):
                    raise corrupt(len(src))
                if src[si] != "=":
                    raise corrupt(si - 1)
                si += 1
            while si < len(src) and src[si] in "\r\n":
                si += 1
            if si < len(src):
                raise corrupt(si)
            chars.extend(quantum)
            chars.extend("=" * (4 - j))
            try:
                return base64.b64decode("".join(chars))
            except binascii.Error as err:  # pragma: no cover - alphabet already checked
                raise corrupt(si - 1) from err
        chars.extend(quantum)


def _sorted_json(value: Any) -> Any:
    """JSON data with object keys sorted, as kubectl's YAML-to-JSON conversion leaves them."""
    if isinstance(value, dict):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(item) for item in value]
    return value


class _Decoder:
    """Decodes JSON-like data into schema dicts, remembering the first type error."""

    def __init__(self) -> None:
        self.error: str | None = None

    def _mismatch(self, value: Any, struct: Struct, path: str, go_type: str) -> None:
        if self.error is None:
            self.error = (
                f"json: cannot unmarshal {_json_type(value)} into Go struct field "
                f"{struct.go_name}.{path} of type {go_type}"
            )

    def struct(
        self, data: Any, struct: Struct, path: str, owner: Struct, go_type: str
    ) -> dict[str, Any] | None:
        if data is None:
            return None
        if not isinstance(data, dict):
            self._mismatch(data, owner, path, go_type)
            return None
        out: dict[str, Any] = {}
        for key in sorted(data):
            f = struct.field(key)
            if f is None:
                continue
            value = data[key]
            sub = f"{path}.{key}" if path else key
            decoded = self.value(value, f, struct, sub)
            if decoded is not None:
                out[key] = decoded
        return out

    def value(self, value: Any, f: Field, owner: Struct, path: str) -> Any:
        if value is None:
            return None
        kind = f.kind
        if kind == STRING:
            if isinstance(value, str):
                return value
        elif kind == BOOL:
            if isinstance(value, bool):
                return value
        elif kind == BYTES:
            if isinstance(value, str):
                try:
                    return go_base64_decode(value)
                except DecodeError as err:
                    if self.error is None:
                        self.error = str(err)
                    return None
        elif kind == RAW:
            return _sorted_json(value)
        elif kind == STRINGS:
            if isinstance(value, list):
                out = []
                for item in value:
                    if item is None or isinstance(item, str):
                        out.append(item or "")
                    else:
                        self._mismatch(item, owner, path, "string")
                return out
        elif kind in (STRING_MAP, STRINGS_MAP):
            if isinstance(value, dict):
                result: dict[str, Any] = {}
                for key in sorted(value):
                    item = value[key]
                    if kind == STRING_MAP:
                        if item is None or isinstance(item, str):
                            result[key] = item or ""
                        else:
                            self._mismatch(item, owner, path, "string")
                    else:
                        strings = self.value(item, Field(f.name, STRINGS), owner, path)
                        if strings is not None or item is None:
                            result[key] = strings
                return result
        elif kind in (STRUCT, POINTER):
            assert f.struct is not None
            if isinstance(value, dict):
                return self.struct(value, f.struct, path, owner, _go_type(f))
        elif kind == LIST:
            assert f.struct is not None
            if isinstance(value, list):
                items: list[dict[str, Any]] = []
                for item in value:
                    if item is None:
                        items.append({})
                    elif isinstance(item, dict):
                        items.append(
                            self.struct(item, f.struct, path, owner, f"v1.{f.struct.go_name}") or {}
                        )
                    else:
                        self._mismatch(item, owner, path, f"v1.{f.struct.go_name}")
                return items
        self._mismatch(value, owner, path, _go_type(f))
        return None


def _go_v(value: Any, f: Field | None, struct: Struct | None = None, top: bool = False) -> str:
    """Go's %v of a decoded v1 value (used only in the duplicate-name error)."""
    if struct is not None:
        data = value or {}
        return (
            "{"
            + " ".join(
                _go_v(data.get(sf.name), sf, sf.struct if sf.kind in (STRUCT,) else None)
                for sf in struct.fields
            )
            + "}"
        )
    assert f is not None
    if f.kind == STRING:
        return value or ""
    if f.kind == BOOL:
        return "true" if value else "false"
    if f.kind == BYTES:
        return "[" + " ".join(str(b) for b in (value or b"")) + "]"
    if f.kind == STRINGS:
        return "[" + " ".join(value or []) + "]"
    if f.kind in (STRING_MAP, STRINGS_MAP):
        return (
            "map["
            + " ".join(
                f"{k}:{_go_v(v, Field(k, STRINGS if f.kind == STRINGS_MAP else STRING))}"
                for k, v in sorted((value or {}).items())
            )
            + "]"
        )
    if f.kind == POINTER:
        return "<nil>" if value is None else "0xc000010000"
    if f.kind == LIST:
        assert f.struct is not None
        return "[" + " ".join(_go_v(item, None, f.struct) for item in (value or [])) + "]"
    if f.kind == RAW:
        from backends.objects import gojson

        raw = "" if value is None else gojson.dumps(value)
        return "{[" + " ".join(str(b) for b in raw.encode()) + "] <nil>}"
    return str(value)


def _extension_map(items: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if not items:
        return None
    return {item.get("name", ""): item.get("extension") for item in items}


def _normalise_extensions(data: dict[str, Any]) -> None:
    """Named extension lists become name→value maps, as in client-go's internal Config."""
    ext = _extension_map(data.pop("extensions", None))
    if ext:
        data["extensions"] = ext


def decode_config(data: Any) -> dict[str, Any]:
    """Decode one kubeconfig document (JSON-like data) into the internal form.

    The internal form mirrors client-go's api.Config: ``clusters``, ``users`` and ``contexts``
    are dicts from name to entry, ``extensions`` dicts from name to raw value. Raises
    DecodeError with kubectl's message.
    """
    if data is not None and not isinstance(data, dict):
        raise DecodeError(
            "couldn't get version/kind; json parse error: json: cannot unmarshal "
            f"{_json_type(data)} into Go value of type struct {{ APIVersion string "
            '"json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'
        )
    data = data or {}
    for key in ("apiVersion", "kind"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise DecodeError(
                "couldn't get version/kind; json parse error: json: cannot unmarshal "
                f"{_json_type(data[key])} into Go struct field .{key} of type string"
            )
    version = data.get("apiVersion") or "v1"
    kind = data.get("kind") or "Config"
    if version != "v1" or kind != "Config":
        raise DecodeError(
            f'no kind "{kind}" is registered for version "{version}" in scheme '
            '"k8s.io/client-go/tools/clientcmd/api/latest/latest.go:50"'
        )
    decoder = _Decoder()
    decoded = decoder.struct(data, CONFIG, "", CONFIG, "v1.Config") or {}
    if decoder.error:
        raise DecodeError(decoder.error)

    config: dict[str, Any] = {
        "preferences": decoded.get("preferences") or {},
        "current-context": decoded.get("current-context", ""),
    }
    _normalise_extensions(config["preferences"])
    for section, key, _, element in SECTIONS:
        items = decoded.get(section) or []
        entries: dict[str, dict[str, Any]] = {}
        for item in items:
            name = item.get("name", "")
            if name in entries:
                list_field = CONFIG.field(section)
                assert list_field is not None
                listing = _go_v(items, list_field)
                raise DecodeError(
                    f"error converting *[]{_LIST_ELEMENT[section]} into "
                    f"*map[string]*api.{element}: duplicate name {quote(name)} in list: {listing}"
                )
            entry = dict(item.get(key) or {})
            _normalise_extensions(entry)
            if section == "users" and "exec" in entry:
                exec_config = dict(entry["exec"])
                if (
                    not exec_config.get("interactiveMode")
                    and exec_config.get("apiVersion") in _INTERACTIVE_DEFAULT_VERSIONS
                ):
                    exec_config["interactiveMode"] = "IfAvailable"
                entry["exec"] = exec_config
            entries[name] = entry
        config[section] = entries
    ext = _extension_map(decoded.get("extensions"))
    if ext:
        config["extensions"] = ext
    return config


def _is_zero(value: Any) -> bool:
    return (
        value is None or value == "" or value is False or value == b"" or value == [] or value == {}
    )


def _encode_extensions(ext: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    if not ext:
        return None
    return [{"name": name, "extension": ext[name]} for name in sorted(ext)]


def encode_struct(data: dict[str, Any] | None, struct: Struct) -> dict[str, Any]:
    """A v1 struct as Go's json.Marshal sees it: declaration order, omitempty applied."""
    data = data or {}
    out: dict[str, Any] = {}
    for f in struct.fields:
        value = data.get(f.name)
        if f.name == "extensions" and isinstance(value, dict):
            value = _encode_extensions(value)
        if f.omitempty and (_is_zero(value) if f.kind != POINTER else value is None):
            continue
        out[f.name] = _encode_value(value, f)
    return out


def _encode_value(value: Any, f: Field) -> Any:
    if f.kind == STRING:
        return value or ""
    if f.kind == BOOL:
        return bool(value)
    if f.kind == BYTES:
        if isinstance(value, str):  # an already-redacted marker such as DATA+OMITTED
            return value
        return base64.b64encode(value).decode() if value else None
    if f.kind in (STRUCT, POINTER):
        assert f.struct is not None
        return encode_struct(value, f.struct)
    if f.kind == LIST:
        assert f.struct is not None
        struct = f.struct
        return None if value is None else [encode_struct(item, struct) for item in value]
    return value


def encode_config(config: dict[str, Any]) -> dict[str, Any]:
    """The internal config as a v1 Config document, in Go's struct field order."""
    doc: dict[str, Any] = {"kind": "Config", "apiVersion": "v1"}
    prefs = encode_struct(config.get("preferences"), PREFERENCES)
    if prefs:
        doc["preferences"] = prefs
    for section, key, struct, _ in SECTIONS:
        entries: dict[str, dict[str, Any]] = config.get(section) or {}
        doc[section] = [
            {"name": name, key: encode_struct(entries[name], struct)} for name in sorted(entries)
        ] or None
    # Go's order: kind, apiVersion, preferences, clusters, users, contexts, current-context.
    doc["current-context"] = config.get("current-context", "")
    ext = _encode_extensions(config.get("extensions"))
    if ext:
        doc["extensions"] = ext
    return doc

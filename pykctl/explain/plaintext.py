"""kubectl explain's ``plaintext`` output: its OpenAPI v3 template (``plaintext.tmpl``), in Python.

``render`` takes the OpenAPI v3 document of one group/version, the resource and the field path,
and produces what kubectl's template prints: ``GROUP``/``KIND``/``VERSION``, then either the
resource's (or field's) ``DESCRIPTION`` and ``FIELDS`` (one level, or the whole tree with
``recursive``, cut at ``max_depth``), with ``FIELD: name <type>`` first when a field was asked
for. Each helper mirrors one of the template's definitions (description, fieldList,
fieldDetail, typeGuess, extractEnum, externalDocs, output, schema) and keeps Go template
semantics where they show: truthiness of empty values, map iteration in sorted key order,
``$ref`` resolution within the document, cycle detection through the refs already followed.
Descriptions wrap with go-wordwrap at 76 columns (narrower when nested).

Invariants: pure (document in, text out); on a failure ``ExplainError.output`` holds what kubectl
has already written to stdout (the header) and ``str()`` its message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pykctl.explain.wordwrap import wrap_string

Schema = dict[str, Any]
METHODS = ("get", "post", "put", "patch", "delete")


class ExplainError(Exception):
    """A template failure; ``output`` is the text printed before it."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


def truthy(value: Any) -> bool:
    """Go template truth: false, 0, nil and empty strings, lists and maps are false."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    if isinstance(value, (int, float)):
        return value != 0
    return True


def indent(amount: int, text: str) -> str:
    pad = " " * amount
    return pad + text.replace("\n", "\n" + pad)


def _go_print(value: Any) -> str:
    from backends.objects.gofmt import format_g

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_g(value)
    if value is None:
        return "<nil>"
    return str(value)


def _is_map_schema(value: Any) -> bool:
    """``additionalProperties`` holding a schema (not a boolean)."""
    return truthy(value) and not isinstance(value, bool)


@dataclass(frozen=True)
class Request:
    """What to explain: the resource (group, version, plural) and the field path."""

    group: str
    version: str
    resource: str
    field_path: tuple[str, ...] = ()
    recursive: bool = False
    max_depth: int = 0

    @property
    def gvr_string(self) -> str:
        """Go's GroupVersionResource.String(): ``apps/v1, Resource=deployments``."""
        return f"{self.group}/{self.version}, Resource={self.resource}"


class Renderer:
    """The template's definitions over one OpenAPI v3 document."""

    def __init__(self, document: Schema, request: Request) -> None:
        self.document = document
        self.request = request

    def resolve_ref(self, ref: Any) -> Schema | None:
        """``#/components/schemas/X`` within the document (anything else: None)."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            return None
        current: Any = self.document
        for key in ref[1:].split("/"):
            if not key:
                continue
            current = current.get(key) if isinstance(current, dict) else None
            if not isinstance(current, dict):
                return None
        return current if isinstance(current, dict) else None

    def _resolved(self, schema: Schema) -> Schema:
        found = self.resolve_ref(schema.get("$ref"))
        return found if truthy(found) and found is not None else schema

    # --- small definitions -------------------------------------------------------------------

    def type_guess(self, schema: Any) -> str:
        if not truthy(schema) or not isinstance(schema, dict):
            raise ExplainError("expected schema argument to subtemplate 'typeguess'")
        if truthy(schema.get("items")):
            return "[]" + self.type_guess(schema["items"])
        if _is_map_schema(schema.get("additionalProperties")):
            return "map[string]" + self.type_guess(schema["additionalProperties"])
        all_of: Any = schema.get("allOf")
        if truthy(all_of) and not truthy(schema.get("properties")) and len(all_of) == 1:
            return self.type_guess(all_of[0])
        ref = schema.get("$ref")
        if truthy(ref):
            target = self.resolve_ref(ref)
            kind = (target or {}).get("type")
            if not truthy(target) or not truthy(kind) or kind == "object":
                return str(ref).split("/")[-1].split(".")[-1] or "Object"
            return _go_print(kind)
        kind = schema.get("type")
        if kind == "object":
            return "Object"
        return _go_print(kind) if truthy(kind) else "Object"

    def extract_enum(self, schema: Any, long_view: bool, limit: int, indent_amount: int = 0) -> str:
        if not truthy(schema) or not isinstance(schema, dict) or not truthy(schema.get("enum")):
            return ""
        out = "ENUM:" if long_view else "\n" + " " * indent_amount + "enum: "
        for index, element in enumerate(schema["enum"]):
            if limit > -1 and index >= limit:
                out += ", ...."
                break
            if index > 0 and not long_view:
                out += ", "
            elif long_view:
                out += "\n    "
            out += '""' if element == "" else _go_print(element)
        return out

    def description(self, schema: Schema) -> str:
        resolved = self._resolved(schema)
        if not truthy(resolved):
            return ""
        out = ""
        if truthy(resolved.get("description")):
            out += f"{resolved['description']}\n"
        for sub in resolved.get("allOf") or []:
            out += self.description(sub)
        if truthy(resolved.get("items")):
            out += self.description(resolved["items"])
        if _is_map_schema(resolved.get("additionalProperties")):
            out += self.description(resolved["additionalProperties"])
        return out

    @staticmethod
    def external_docs(schema: Schema, head: int = 0, body: int = 4, width: int = 76) -> str:
        docs: Any = schema.get("externalDocs")
        if not truthy(docs):
            return ""
        out = indent(head, "EXTERNAL DOCS:") + "\n"
        if truthy(docs.get("description")):
            out += indent(body, wrap_string(docs["description"], width)) + "\n"
        if truthy(docs.get("url")):
            out += indent(body, f"URL: {docs['url']}") + "\n"
        return out

    # --- fields ------------------------------------------------------------------------------

    def field_detail(self, name: str, schema: Schema, level: int) -> str:
        amount = level * 2
        field = schema["properties"][name]
        out = f"{indent(amount, name)}\t<{self.type_guess(field)}>"
        if name in (schema.get("required") or []):
            out += " -required-"
        out += self.extract_enum(field, False, 4, amount) + "\n"
        if self.request.recursive:
            return out
        text = field.get("description") if truthy(field.get("description")) else "<no description>"
        out += indent(amount + 2, wrap_string(str(text), 78 - amount)) + "\n"
        if truthy(field.get("externalDocs")):
            out += "\n" + self.external_docs(field, amount + 2, amount + 4, 76 - amount)
        return out + "\n"

    def field_list(self, schema: Schema, level: int, history: dict[str, int]) -> str:
        ref = schema.get("$ref") or ""
        if ref and history.get(ref):
            return ""
        following = {**history, ref: 1}
        resolved = self._resolved(schema)
        out = ""
        depth = self.request.max_depth
        properties = resolved.get("properties") or {}
        for name in sorted(properties):
            out += self.field_detail(name, resolved, level)
            if self.request.recursive and (depth == 0 or level < depth):
                out += self.field_list(properties[name], level + 1, following)
        for sub in resolved.get("allOf") or []:
            out += self.field_list(sub, level, following)
        if truthy(resolved.get("items")):
            out += self.field_list(resolved["items"], level, following)
        if _is_map_schema(resolved.get("additionalProperties")):
            out += self.field_list(resolved["additionalProperties"], level, following)
        return out

    # --- the field path ----------------------------------------------------------------------

    def output(self, schema: Schema, path: tuple[str, ...], history: dict[str, int]) -> str:
        ref = schema.get("$ref") or ""
        following = {**history, ref: 1}
        resolved = self._resolved(schema)
        if not path:
            text = self.description(resolved) or "<empty>"
            out = "DESCRIPTION:\n" + indent(4, wrap_string(text, 76)) + "\n"
            docs = self.external_docs(resolved)
            if docs:
                out += "\n" + docs
            fields = self.field_list(resolved, 1, {})
            if fields:
                out += "FIELDS:\n" + fields
            return out
        if ref and history.get(ref):
            return ""
        properties: Any = resolved.get("properties")
        if truthy(properties) and truthy(properties.get(path[0])):
            sub = properties[path[0]]
            out = ""
            if len(path) == 1:
                out += f"FIELD: {path[0]} <{self.type_guess(sub)}>\n"
                out += self.extract_enum(sub, True, -1) + "\n\n"
            return out + self.output(sub, path[1:], {})
        if truthy(resolved.get("items")):
            return self.output(resolved["items"], path, following)
        if _is_map_schema(resolved.get("additionalProperties")):
            return self.output(resolved["additionalProperties"], path, following)
        for sub in resolved.get("allOf") or []:
            found = self.output(sub, path, following)
            if found:
                return found
        return ""

    # --- the whole page ----------------------------------------------------------------------

    def find_gvk(self) -> Any:
        """The group/version/kind the resource's API paths declare."""
        r = self.request
        prefix = f"/apis/{r.group}" if r.group else "/api"
        searched = [
            f"{prefix}/{r.version}/{r.resource}",
            f"{prefix}/{r.version}/{r.resource}/{{name}}",
            f"{prefix}/{r.version}/namespaces/{{namespace}}/{r.resource}",
            f"{prefix}/{r.version}/namespaces/{{namespace}}/{r.resource}/{{name}}",
        ]
        gvk: Any = ""
        paths = self.document.get("paths") or {}
        for path in searched:
            element: Any = paths.get(path)
            if not truthy(element):
                continue
            for method in METHODS:
                operation = element.get(method)
                if not truthy(operation):
                    continue
                gvk = operation.get("x-kubernetes-group-version-kind")
                if truthy(gvk):
                    break
        return gvk

    def render(self) -> str:
        gvk = self.find_gvk()
        if not truthy(gvk):
            raise ExplainError(
                f"error: GVR ({self.request.gvr_string}) not found in OpenAPI schema"
            )
        header = ""
        if truthy(gvk.get("group")):
            header += f"GROUP:      {gvk['group']}\n"
        header += f"KIND:       {gvk.get('kind')}\nVERSION:    {gvk.get('version')}\n\n"
        schemas = ((self.document.get("components") or {}).get("schemas")) or {}
        for name in sorted(schemas):
            schema = schemas[name]
            if gvk in (schema.get("x-kubernetes-group-version-kind") or []):
                body = self.output(schema, self.request.field_path, {})
                if not body:
                    field = self.request.field_path[-1]
                    raise ExplainError(f'error: field "{field}" does not exist', header)
                return header + body + "\n"
        found = " ".join(f"{k}:{_go_print(gvk[k])}" for k in sorted(gvk))
        raise ExplainError(f"error: GVK map[{found}] not found in OpenAPI schema", header)


def render(document: Schema, request: Request) -> str:
    """The plaintext explanation of ``request`` from its group/version's OpenAPI v3 document."""
    return Renderer(document, request).render()


__all__ = ["ExplainError", "Renderer", "Request", "render"]

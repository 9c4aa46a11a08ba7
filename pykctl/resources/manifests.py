"""Reading manifests from ``-f``: files, directories (``-R`` to recurse), ``-`` for stdin, and
http(s) URLs; YAML (several documents) or JSON; ``kind: List`` flattened into its items.

As kubectl: a directory contributes only its ``.json``, ``.yaml`` and ``.yml`` files (in lexical
order, direct children unless recursive); a file named explicitly is read whatever its
extension; empty documents are skipped; objects keep file order. Errors carry kubectl's text
(``error: the path "x" does not exist``, ``error parsing x: error converting YAML to JSON: ...``).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from backends.objects import goyaml

EXTENSIONS = (".json", ".yaml", ".yml")
Obj = dict[str, Any]


class ManifestError(Exception):
    """A manifest that cannot be read; ``str()`` is kubectl's text after ``error: ``."""


@dataclass
class Manifest:
    """One object from a manifest source; ``source`` is how kubectl names it in messages."""

    obj: Obj
    source: str


def _documents(text: str, source: str) -> Iterator[Any]:
    """The YAML documents of ``text`` (JSON is YAML), typed as sigs.k8s.io/yaml types them."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            yield json.loads(text)
            return
        except ValueError:
            pass  # not JSON after all: YAML flow style
    for chunk in _split_documents(text):
        try:
            document = goyaml.loads(chunk)
        except goyaml.YAMLSyntaxError as err:
            raise ManifestError(f"error parsing {source}: error converting YAML to JSON: {err}") from None
        if document is not None:
            yield document


def _split_documents(text: str) -> list[str]:
    """Split on ``---`` lines as kubectl's YAML reader does."""
    chunks: list[list[str]] = [[]]
    for line in text.splitlines(keepends=True):
        if line.rstrip("\r\n").rstrip() == "---" or line.startswith("--- "):
            chunks.append([])
            continue
        chunks[-1].append(line)
    return ["".join(chunk) for chunk in chunks if "".join(chunk).strip()]


def _flatten(document: Any, source: str) -> Iterator[Obj]:
    if not isinstance(document, dict):
        raise ManifestError(f"error validating {source}: error validating data: invalid object to validate")
    kind = document.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(document.get("items"), list):
        for item in document["items"]:
            yield from _flatten(item, source)
        return
    yield document


def parse(text: str, source: str) -> list[Manifest]:
    """Every object in one manifest text."""
    return [Manifest(obj, source) for document in _documents(text, source) for obj in _flatten(document, source)]


def _read_url(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            data: bytes = response.read()
            return data.decode()
    except urllib.error.HTTPError as err:
        raise ManifestError(f"unable to read URL {url!r}, server reported {err.code} {err.reason}, status code={err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        raise ManifestError(f"unable to read URL {url!r}: {err}") from None


def files(path: str, recursive: bool) -> list[str]:
    """The files one ``-f`` names: itself, or a directory's manifests in lexical order (its
    subdirectories' too with ``-R``)."""
    if not os.path.isdir(path):
        return [path]
    found: list[str] = []
    for entry in sorted(os.listdir(path)):
        full = os.path.join(path, entry)
        if os.path.isdir(full):
            if recursive:
                found.extend(f for f in files(full, True) if f.endswith(EXTENSIONS))
        elif entry.endswith(EXTENSIONS):
            found.append(full)
    return found


def read(paths: list[str], recursive: bool = False, stdin: TextIO | None = None) -> list[Manifest]:
    """Every object named by ``-f`` arguments, in order."""
    manifests: list[Manifest] = []
    for path in paths:
        if path == "-":
            manifests.extend(parse((stdin.read() if stdin else ""), "STDIN"))
            continue
        if path.startswith(("http://", "https://")):
            manifests.extend(parse(_read_url(path), path))
            continue
        if not os.path.exists(path):
            raise ManifestError(f'the path "{path}" does not exist')
        for file in files(path, recursive):
            try:
                with open(file, encoding="utf-8") as f:
                    text = f.read()
            except OSError as err:
                raise ManifestError(f"open {file}: {(err.strerror or '').lower()}") from None
            manifests.extend(parse(text, file))
    return manifests


def dump_yaml(obj: Any) -> str:
    """YAML as kubectl prints it (for messages and editors)."""
    return goyaml.dumps(obj)


__all__ = ["EXTENSIONS", "Manifest", "ManifestError", "dump_yaml", "parse", "read"]

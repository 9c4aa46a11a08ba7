"""Configuration objects: ConfigMap, Secret and ServiceAccount.

A ConfigMap prints every value in full under its key; a Secret prints only sizes (the token of
a service-account-token Secret excepted, as kubectl shows it) and no events; a ServiceAccount
lists its image pull secrets.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime

from pykctl.describe.events import describe_events
from pykctl.describe.format import Obj, items, mapping, text, write_metadata
from pykctl.describe.writer import LEVEL_0, Writer


def describe_config_map(config_map: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe configmap``."""
    w = Writer()
    write_metadata(w, config_map)
    w.write(LEVEL_0, "\nData\n====\n")
    data = mapping(config_map, "data")
    for key in sorted(data):
        w.write(LEVEL_0, f"{key}:\n----\n")
        w.write(LEVEL_0, f"{data[key]}\n")
        w.write(LEVEL_0, "\n")
    w.write(LEVEL_0, "\nBinaryData\n====\n")
    binary = mapping(config_map, "binaryData")
    for key in sorted(binary):
        w.write(LEVEL_0, f"{key}: {len(_decode(binary[key]))} bytes\n")
    w.write(LEVEL_0, "\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()


def _decode(value: object) -> bytes:
    """A ``[]byte`` field (base64 in JSON)."""
    try:
        return base64.b64decode(str(value or ""), validate=False)
    except (binascii.Error, ValueError):
        return b""


SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token"


def describe_secret(secret: Obj) -> str:
    """``kubectl describe secret`` (kubectl shows no events for Secrets)."""
    w = Writer()
    write_metadata(w, secret)
    secret_type = text(secret, "type")
    w.write(LEVEL_0, f"\nType:\t{secret_type}\n")
    w.write(LEVEL_0, "\nData\n====\n")
    data = mapping(secret, "data")
    for key in sorted(data):
        value = _decode(data[key])
        if key == "token" and secret_type == SERVICE_ACCOUNT_TOKEN_TYPE:
            w.write(LEVEL_0, f"{key}:\t{value.decode(errors='replace')}\n")
        else:
            w.write(LEVEL_0, f"{key}:\t{len(value)} bytes\n")
    return w.getvalue()


def describe_service_account(account: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe serviceaccount``."""
    w = Writer()
    write_metadata(w, account)
    header, blank = "Image pull secrets:", " " * len("Image pull secrets:")
    names = [text(secret, "name") for secret in items(account, "imagePullSecrets")]
    if not names:
        w.write(LEVEL_0, f"{header}\t<none>\n")
    for i, name in enumerate(names):
        w.write(LEVEL_0, f"{header if i == 0 else blank}\t{name}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()

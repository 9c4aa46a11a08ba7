"""CertificateSigningRequests: who asks, for what subject and names, and where it stands.

The request's PEM is parsed (with ``cryptography``, imported only here) into the subject and
subject alternative names kubectl lists; a request that does not parse fails the description
with ``Error parsing CSR: ...``, as in kubectl. The status is ``Denied``/``Approved``/``Pending``
plus ``,Failed`` and ``,Issued`` when they apply.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.objects.durations import human_duration
from backends.objects.selectors import format_labels
from pykctl.describe.events import describe_events
from pykctl.describe.format import (
    Obj,
    annotations_of,
    dig,
    items,
    labels_of,
    number,
    rfc1123z,
    text,
)
from pykctl.describe.writer import LEVEL_0, Writer


class CSRError(ValueError):
    """The request is not a PEM certificate request; ``str()`` is kubectl's message."""


def csr_status(csr: Obj) -> str:
    """kubectl's extractCSRStatus."""
    types = {text(c, "type") for c in items(csr, "status", "conditions")}
    status = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        status += ",Failed"
    if dig(csr, "status", "certificate"):
        status += ",Issued"
    return status


def _parse(request: Any) -> Any:
    from cryptography import x509

    try:
        pem = base64.b64decode(str(request or ""))
    except (binascii.Error, ValueError):
        pem = b""
    marker = b"-----BEGIN CERTIFICATE REQUEST-----"
    if marker not in pem:
        raise CSRError("Error parsing CSR: PEM block type must be CERTIFICATE REQUEST")
    try:
        return x509.load_pem_x509_csr(pem)
    except ValueError:
        raise CSRError("Error parsing CSR: x509: malformed certificate request") from None


def _subject(request: Any) -> dict[str, list[str]]:
    from cryptography.x509.oid import NameOID

    oids = {
        NameOID.COMMON_NAME: "Common Name",
        NameOID.SERIAL_NUMBER: "Serial Number",
        NameOID.ORGANIZATION_NAME: "Organization",
        NameOID.ORGANIZATIONAL_UNIT_NAME: "Organizational Unit",
        NameOID.COUNTRY_NAME: "Country",
        NameOID.LOCALITY_NAME: "Locality",
        NameOID.STATE_OR_PROVINCE_NAME: "Province",
        NameOID.STREET_ADDRESS: "StreetAddress",
        NameOID.POSTAL_CODE: "PostalCode",
    }
    found: dict[str, list[str]] = {name: [] for name in oids.values()}
    for attribute in request.subject:
        if attribute.oid in oids:
            found[oids[attribute.oid]].append(str(attribute.value))
    return found


def _alternative_names(request: Any) -> dict[str, list[str]]:
    from cryptography import x509

    names: dict[str, list[str]] = {
        "DNS Names": [],
        "Email Addresses": [],
        "URIs": [],
        "IP Addresses": [],
    }
    try:
        extension = request.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return names
    value = extension.value
    names["DNS Names"] = [str(v) for v in value.get_values_for_type(x509.DNSName)]
    names["Email Addresses"] = [str(v) for v in value.get_values_for_type(x509.RFC822Name)]
    names["URIs"] = [str(v) for v in value.get_values_for_type(x509.UniformResourceIdentifier)]
    names["IP Addresses"] = [str(v) for v in value.get_values_for_type(x509.IPAddress)]
    return names


def _list(w: Writer, name: str, values: list[str]) -> None:
    if values:
        w.write(LEVEL_0, f"\t{name}:\t" + "\n\t\t".join(values) + "\n")


def describe_csr(csr: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe csr``; raises CSRError when the request does not parse."""
    request = _parse(dig(csr, "spec", "request"))
    spec = dig(csr, "spec") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{text(csr, 'metadata', 'name')}\n")
    w.write(LEVEL_0, f"Labels:\t{format_labels(labels_of(csr))}\n")
    w.write(LEVEL_0, f"Annotations:\t{format_labels(annotations_of(csr))}\n")
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(dig(csr, 'metadata', 'creationTimestamp'))}\n")
    w.write(LEVEL_0, f"Requesting User:\t{text(spec, 'username')}\n")
    if text(spec, "signerName"):
        w.write(LEVEL_0, f"Signer:\t{text(spec, 'signerName')}\n")
    if dig(spec, "expirationSeconds") is not None:
        w.write(
            LEVEL_0,
            f"Requested Duration:\t{human_duration(float(number(spec, 'expirationSeconds')))}\n",
        )
    w.write(LEVEL_0, f"Status:\t{csr_status(csr)}\n")
    subject = _subject(request)
    w.write(LEVEL_0, "Subject:\n")
    w.write(LEVEL_0, f"\tCommon Name:\t{(subject['Common Name'] or [''])[-1]}\n")
    w.write(LEVEL_0, f"\tSerial Number:\t{(subject['Serial Number'] or [''])[-1]}\n")
    for name in (
        "Organization",
        "Organizational Unit",
        "Country",
        "Locality",
        "Province",
        "StreetAddress",
        "PostalCode",
    ):
        _list(w, name, subject[name])
    names = _alternative_names(request)
    if any(names.values()):
        w.write(LEVEL_0, "Subject Alternative Names:\n")
        for name in ("DNS Names", "Email Addresses", "URIs", "IP Addresses"):
            _list(w, name, names[name])
    if events is not None:
        describe_events(w, events, now)
    return w.getvalue()

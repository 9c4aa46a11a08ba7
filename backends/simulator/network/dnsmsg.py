"""DNS messages (RFC 1035, SRV from RFC 2782) encoded and decoded with the standard library.

What cluster DNS needs: parse a query (header, questions; compression pointers followed, other
sections ignored), build an answer (resource records in answer and additional sections, no
compression on output), truncate an oversized UDP answer (TC bit, no records) so resolvers retry
over TCP, and decode answers (tests and clients). Names are compared lower-case without the
trailing dot. Malformed input raises :class:`FormatError`.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, field

A, NS, CNAME, SOA, PTR, AAAA, SRV, OPT, ANY = 1, 2, 5, 6, 12, 28, 33, 41, 255
IN = 1
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
QR, AA, TC, RD, RA = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080
UDP_LIMIT = 512
_HEADER = struct.Struct("!HHHHHH")


class FormatError(ValueError):
    """Not a well-formed DNS message."""


@dataclass(frozen=True)
class Question:
    name: str
    qtype: int
    qclass: int = IN


@dataclass(frozen=True)
class Record:
    """A resource record; ``data`` is the encoded RDATA."""

    name: str
    rtype: int
    ttl: int
    data: bytes

    def value(self) -> str:
        """RDATA in presentation form (A, AAAA, CNAME, PTR, NS, SRV; hex otherwise)."""
        if self.rtype == A and len(self.data) == 4:
            return str(ipaddress.IPv4Address(self.data))
        if self.rtype == AAAA and len(self.data) == 16:
            return str(ipaddress.IPv6Address(self.data))
        if self.rtype in (CNAME, PTR, NS):
            return read_name(self.data, 0)[0]
        if self.rtype == SRV and len(self.data) >= 7:
            priority, weight, port = struct.unpack_from("!HHH", self.data)
            return f"{priority} {weight} {port} {read_name(self.data, 6)[0]}"
        return self.data.hex()


@dataclass
class Message:
    id: int
    flags: int
    questions: list[Question] = field(default_factory=list)
    answers: list[Record] = field(default_factory=list)
    additional: list[Record] = field(default_factory=list)

    @property
    def rcode(self) -> int:
        return self.flags & 0xF


def normal(name: str) -> str:
    """Lower case, no trailing dot."""
    return name.rstrip(".").lower()


def encode_name(name: str) -> bytes:
    out = bytearray()
    for label in normal(name).split(".") if normal(name) else []:
        raw = label.encode("idna") if not label.isascii() else label.encode()
        if not 0 < len(raw) < 64:
            raise FormatError(f"bad label in {name!r}")
        out += bytes([len(raw)]) + raw
    return bytes(out + b"\0")


def read_name(data: bytes, offset: int) -> tuple[str, int]:
    """The name at ``offset`` and the offset after it (compression pointers followed)."""
    labels: list[str] = []
    end = -1
    for _ in range(128):
        if offset >= len(data):
            raise FormatError("name runs past the message")
        length = data[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(data):
                raise FormatError("truncated pointer")
            if end < 0:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | data[offset + 1]
            continue
        if length & 0xC0:
            raise FormatError("bad label type")
        offset += 1
        if length == 0:
            return ".".join(labels).lower(), end if end >= 0 else offset
        if offset + length > len(data):
            raise FormatError("label runs past the message")
        labels.append(data[offset : offset + length].decode("ascii", "replace"))
        offset += length
    raise FormatError("too many labels or a pointer loop")


def _read_records(data: bytes, offset: int, count: int) -> tuple[list[Record], int]:
    records = []
    for _ in range(count):
        name, offset = read_name(data, offset)
        if offset + 10 > len(data):
            raise FormatError("truncated record")
        rtype, _rclass, ttl, length = struct.unpack_from("!HHIH", data, offset)
        offset += 10
        if offset + length > len(data):
            raise FormatError("truncated record data")
        rdata = data[offset : offset + length]
        if rtype in (CNAME, PTR, NS, SRV):  # expand compressed names inside RDATA
            head = 6 if rtype == SRV else 0
            target = read_name(data, offset + head)[0]
            rdata = rdata[:head] + encode_name(target)
        records.append(Record(name, rtype, ttl, rdata))
        offset += length
    return records, offset


def parse(data: bytes) -> Message:
    """Decode a message (questions, answers and additional records)."""
    if len(data) < _HEADER.size:
        raise FormatError("short header")
    ident, flags, qd, an, ns, ar = _HEADER.unpack_from(data)
    offset = _HEADER.size
    questions = []
    for _ in range(qd):
        name, offset = read_name(data, offset)
        if offset + 4 > len(data):
            raise FormatError("truncated question")
        qtype, qclass = struct.unpack_from("!HH", data, offset)
        offset += 4
        questions.append(Question(name, qtype, qclass))
    answers, offset = _read_records(data, offset, an)
    _, offset = _read_records(data, offset, ns)
    additional, _ = _read_records(data, offset, ar)
    return Message(ident, flags, questions, answers, additional)


def _record_bytes(record: Record) -> bytes:
    return (
        encode_name(record.name)
        + struct.pack("!HHIH", record.rtype, IN, record.ttl, len(record.data))
        + record.data
    )


def encode(message: Message) -> bytes:
    """The wire form of ``message``."""
    out = bytearray(
        _HEADER.pack(
            message.id,
            message.flags,
            len(message.questions),
            len(message.answers),
            0,
            len(message.additional),
        )
    )
    for question in message.questions:
        out += encode_name(question.name) + struct.pack("!HH", question.qtype, question.qclass)
    for record in [*message.answers, *message.additional]:
        out += _record_bytes(record)
    return bytes(out)


def query(ident: int, name: str, qtype: int, recursion: bool = True) -> bytes:
    """A query for ``name``."""
    return encode(Message(ident, RD if recursion else 0, [Question(normal(name), qtype)]))


def response(
    request: Message,
    rcode: int,
    answers: list[Record] | None = None,
    additional: list[Record] | None = None,
    authoritative: bool = True,
) -> Message:
    """The answer to ``request`` (its id, question and RD flag echoed)."""
    flags = QR | RA | (request.flags & RD) | rcode | (AA if authoritative else 0)
    return Message(request.id, flags, list(request.questions), answers or [], additional or [])


def encode_udp(message: Message, limit: int = UDP_LIMIT) -> bytes:
    """The wire form for UDP: over ``limit`` bytes, the header and question with TC set."""
    data = encode(message)
    if len(data) <= limit:
        return data
    truncated = Message(message.id, message.flags | TC, message.questions)
    return encode(truncated)


def a(name: str, ip: str, ttl: int) -> Record:
    return Record(normal(name), A, ttl, ipaddress.IPv4Address(ip).packed)


def cname(name: str, target: str, ttl: int) -> Record:
    return Record(normal(name), CNAME, ttl, encode_name(target))


def ptr(name: str, target: str, ttl: int) -> Record:
    return Record(normal(name), PTR, ttl, encode_name(target))


def srv(name: str, priority: int, weight: int, port: int, target: str, ttl: int) -> Record:
    return Record(
        normal(name), SRV, ttl, struct.pack("!HHH", priority, weight, port) + encode_name(target)
    )

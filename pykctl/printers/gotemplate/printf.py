"""Go's ``fmt.Sprint``, ``Sprintln`` and ``Sprintf`` over template values.

Arguments are Go ``any`` values in the form of :mod:`.values` (``None`` is a nil interface). A
:class:`~.values.Iface` or ``NO_VALUE`` argument stands for a ``reflect.Value`` passed to fmt, as
text/template does in its own error messages. Everything fmt does for these types is reproduced:
flags ``+ - # 0 space``, width and precision (also ``*`` and ``[n]`` argument indexes), every verb
for bool, integers, floats, complex numbers, strings, maps (keys sorted) and slices, ``%T``, and
the error forms ``%!d(string=x)``, ``%!v(MISSING)``, ``%!(EXTRA ...)``, ``%!(NOVERB)``,
``%!(BADINDEX)``, ``%!(BADWIDTH)``, ``%!(BADPREC)``.

Known difference: ``%p`` of a map or slice prints a fixed address (Go prints a memory address).
"""

from __future__ import annotations

from pykctl.printers.gotemplate import strconv
from pykctl.printers.gotemplate.values import NO_VALUE, Iface, is_signed, type_name, utf8

_FAKE_POINTER = 0xC000010000
_TOO_LARGE = 1_000_000
_LOWER = "0123456789abcdefx"
_UPPER = "0123456789ABCDEFX"


def go_sort_key(key: str) -> bytes:
    """Go orders map keys (strings) by their bytes."""
    return utf8(key)


class _Flags:
    """fmt's settings for one verb: width, precision and the ``+ - # 0 space`` flags."""

    __slots__ = (
        "minus",
        "plus",
        "plus_v",
        "prec",
        "prec_present",
        "sharp",
        "sharp_v",
        "space",
        "wid",
        "wid_present",
        "zero",
    )

    def __init__(self) -> None:
        self.wid = self.prec = 0
        self.wid_present = self.prec_present = self.minus = self.plus = self.sharp = False
        self.space = self.zero = self.plus_v = self.sharp_v = False


class _Printer:
    """One fmt ``pp``: an output buffer, the current flags and the value being printed."""

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.f = _Flags()
        self.arg: object = None
        self.value: object = NO_VALUE
        self.reordered = False
        self.good_arg_num = True

    def text(self) -> str:
        """Everything printed so far."""
        return "".join(self.buf)

    # --- padding (format.go) ---

    def _padding(self, n: int) -> str:
        if n <= 0:
            return ""
        return ("0" if self.f.zero and not self.f.minus else " ") * n

    def pad(self, s: str) -> None:
        if not self.f.wid_present or self.f.wid == 0:
            self.buf.append(s)
            return
        fill = self._padding(self.f.wid - len(s))
        self.buf.append(s + fill if self.f.minus else fill + s)

    def _pad_no_zero(self, s: str) -> None:
        zero = self.f.zero
        self.f.zero = False
        self.pad(s)
        self.f.zero = zero

    # --- scalars ---

    def fmt_bool(self, v: bool, verb: str) -> None:
        if verb in "tv":
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb)

    def fmt_integer(self, v: int, signed: bool, verb: str) -> None:
        f = self.f
        if verb == "v":
            if f.sharp_v and not signed:
                sharp = f.sharp
                f.sharp = True
                self._integer(v, 16, signed, verb, _LOWER)
                f.sharp = sharp
            else:
                self._integer(v, 10, signed, verb, _LOWER)
        elif verb in "dboOxX":
            base = {"d": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}[verb]
            self._integer(v, base, signed, verb, _UPPER if verb == "X" else _LOWER)
        elif verb == "c":
            self.pad(strconv.rune_text(self._rune(v)))
        elif verb == "q":
            self.pad(strconv.quote_rune(self._rune(v), ascii_only=f.plus))
        elif verb == "U":
            self._unicode(v if v >= 0 else v & ((1 << 64) - 1))
        else:
            self.bad_verb(verb)

    @staticmethod
    def _rune(v: int) -> int:
        return v if 0 <= v <= strconv.MAX_RUNE else strconv.RUNE_ERROR

    def _unicode(self, u: int) -> None:
        f = self.f
        prec = f.prec if f.prec_present and f.prec > 4 else 4
        digits = f"{u:X}"
        text = "U+" + digits.rjust(prec, "0")
        if f.sharp and strconv.valid_rune(u) and strconv.is_print(chr(u)):
            text += f" '{chr(u)}'"
        self._pad_no_zero(text)

    def _integer(self, v: int, base: int, signed: bool, verb: str, digits: str) -> None:
        f = self.f
        negative = signed and v < 0
        u = -v if negative else v
        prec = 0
        if f.prec_present:
            prec = f.prec
            if prec == 0 and u == 0:
                zero = f.zero
                f.zero = False
                self.buf.append(self._padding(f.wid))
                f.zero = zero
                return
        elif f.zero and not f.minus and f.wid_present:
            prec = f.wid
            if negative or f.plus or f.space:
                prec -= 1
        text = ""
        while True:
            text = digits[u % base] + text
            u //= base
            if not u:
                break
        text = text.rjust(prec, "0")
        if f.sharp:
            if base == 2:
                text = "0b" + text
            elif base == 8 and text[0] != "0":
                text = "0" + text
            elif base == 16:
                text = "0" + digits[16] + text
        if verb == "O":
            text = "0o" + text
        if negative:
            text = "-" + text
        elif f.plus:
            text = "+" + text
        elif f.space:
            text = " " + text
        self._pad_no_zero(text)

    def fmt_float(self, v: float, verb: str) -> None:
        if verb == "v":
            self._float(v, "g", -1)
        elif verb in "bgGxX":
            self._float(v, verb, -1)
        elif verb in "feEF":
            self._float(v, "f" if verb == "F" else verb, 6)
        else:
            self.bad_verb(verb)

    def _float(self, v: float, verb: str, prec: int) -> None:
        f = self.f
        if f.prec_present:
            prec = f.prec
        num = strconv.format_float(v, verb, prec)
        num = num if num[0] in "+-" else "+" + num
        if f.space and num[0] == "+" and not f.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            if num[1] == "N" and not f.space and not f.plus:
                num = num[1:]
            self._pad_no_zero(num)
            return
        if f.sharp and verb != "b":
            num = self._sharp_float(num, verb, prec)
        if f.plus or num[0] != "+":
            if f.zero and not f.minus and f.wid_present and f.wid > len(num):
                self.buf.append(num[0] + self._padding(f.wid - len(num)) + num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    @staticmethod
    def _sharp_float(num: str, verb: str, prec: int) -> str:
        """``%#g`` and friends: always a decimal point, trailing zeros kept."""
        digits = (6 if prec == -1 else prec) if verb in "vgGx" else 0
        tail = ""
        has_point = False
        seen_nonzero = False
        body = num
        for i in range(1, len(num)):
            c = num[i]
            if c == ".":
                has_point = True
            elif c in "pP" or (c in "eE" and verb not in "xX"):
                tail, body = num[i:], num[:i]
                break
            else:
                if c != "0":
                    seen_nonzero = True
                if seen_nonzero:
                    digits -= 1
        if not has_point:
            if len(body) == 2 and body[1] == "0":
                digits -= 1
            body += "."
        return body + "0" * max(digits, 0) + tail

    def fmt_complex(self, v: complex, verb: str) -> None:
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb)
            return
        plus = self.f.plus
        self.buf.append("(")
        self.fmt_float(v.real, verb)
        self.f.plus = True
        self.fmt_float(v.imag, verb)
        self.buf.append("i)")
        self.f.plus = plus

    def fmt_string(self, v: str, verb: str) -> None:
        if verb == "v":
            if self.f.sharp_v:
                self._quoted(v)
            else:
                self._string(v)
        elif verb == "s":
            self._string(v)
        elif verb in "xX":
            self._hex_string(v, _LOWER if verb == "x" else _UPPER)
        elif verb == "q":
            self._quoted(v)
        else:
            self.bad_verb(verb)

    def _truncate(self, s: str) -> str:
        return s[: self.f.prec] if self.f.prec_present else s

    def _string(self, s: str) -> None:
        self.pad(self._truncate(s))

    def _quoted(self, s: str) -> None:
        s = self._truncate(s)
        if self.f.sharp and strconv.can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(strconv.quote(s, ascii_only=self.f.plus))

    def _hex_string(self, s: str, digits: str) -> None:
        f = self.f
        data = utf8(s)
        if f.prec_present and f.prec < len(data):
            data = data[: f.prec]
        if not data:
            if f.wid_present:
                self.buf.append(self._padding(f.wid))
            return
        prefix = "0" + digits[16] if f.sharp else ""
        if f.space:
            text = " ".join(prefix + digits[b >> 4] + digits[b & 15] for b in data)
        else:
            text = prefix + "".join(digits[b >> 4] + digits[b & 15] for b in data)
        fill = self._padding(f.wid - len(text)) if f.wid_present else ""
        self.buf.append(text + fill if f.minus else fill + text)

    def _pointer(self, value: object) -> None:
        """``%p``: only maps and slices are references among template values."""
        if not isinstance(value, (dict, list)):
            self.bad_verb("p")
            return
        sharp = self.f.sharp
        self.f.sharp = not sharp
        self._integer(_FAKE_POINTER, 16, False, "p", _LOWER)
        self.f.sharp = sharp

    # --- errors ---

    def bad_verb(self, verb: str) -> None:
        self.buf.append(f"%!{verb}(")
        if self.arg is not None:
            self.buf.append(type_name(self.arg) + "=")
            self.print_arg(self.arg, "v")
        elif self.value is not NO_VALUE:
            self.buf.append(type_name(self.value) + "=")
            self.print_value(self.value, "v", 0)
        else:
            self.buf.append("<nil>")
        self.buf.append(")")

    # --- dispatch (print.go) ---

    def print_arg(self, arg: object, verb: str) -> None:
        self.arg = arg
        self.value = NO_VALUE
        if arg is None:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb)
            return
        if verb == "T":
            self._string(type_name(arg))
            return
        if verb == "p":
            self._pointer(arg)
            return
        if verb == "w" and isinstance(arg, (dict, list)):
            self.bad_verb(verb)  # %w wants an error; fmt rejects the whole value
        elif isinstance(arg, (dict, list, Iface)) or arg is NO_VALUE:
            self.print_value(arg, verb, 0)
        else:
            self._scalar(arg, verb)

    def _scalar(self, v: object, verb: str) -> None:
        if isinstance(v, bool):
            self.fmt_bool(v, verb)
        elif isinstance(v, int):
            self.fmt_integer(int(v), is_signed(v), verb)
        elif isinstance(v, float):
            self.fmt_float(v, verb)
        elif isinstance(v, complex):
            self.fmt_complex(v, verb)
        elif isinstance(v, str):
            self.fmt_string(v, verb)
        else:
            raise TypeError(f"not a template value: {v!r}")

    def print_value(self, value: object, verb: str, depth: int) -> None:
        self.arg = None
        self.value = value
        if value is NO_VALUE:
            if depth == 0:
                self.buf.append("<invalid reflect.Value>")
            elif verb == "v":
                self.buf.append("<nil>")
            else:
                self.bad_verb(verb)
        elif isinstance(value, Iface):
            if value.value is None:
                self.buf.append("interface {}(nil)" if self.f.sharp_v else "<nil>")
            else:
                self.print_value(value.value, verb, depth + 1)
        elif isinstance(value, dict):
            self._map(value, verb, depth)
        elif isinstance(value, list):
            self._slice(value, verb, depth)
        else:
            self._scalar(value, verb)

    def _map(self, value: dict[str, object], verb: str, depth: int) -> None:
        if self.f.sharp_v:
            self.buf.append(type_name(value) + "{")
        else:
            self.buf.append("map[")
        for i, key in enumerate(sorted(value, key=go_sort_key)):
            if i:
                self.buf.append(", " if self.f.sharp_v else " ")
            self.print_value(key, verb, depth + 1)
            self.buf.append(":")
            self.print_value(Iface(value[key]), verb, depth + 1)
        self.buf.append("}" if self.f.sharp_v else "]")

    def _slice(self, value: list[object], verb: str, depth: int) -> None:
        sep = ", " if self.f.sharp_v else " "
        self.buf.append(type_name(value) + "{" if self.f.sharp_v else "[")
        for i, item in enumerate(value):
            if i:
                self.buf.append(sep)
            self.print_value(Iface(item), verb, depth + 1)
        self.buf.append("}" if self.f.sharp_v else "]")

    # --- Sprintf ---

    def do_printf(self, fmt: str, args: list[object]) -> None:
        end = len(fmt)
        arg_num = 0
        after_index = False
        i = 0
        while i < end:
            self.good_arg_num = True
            last = i
            while i < end and fmt[i] != "%":
                i += 1
            if i > last:
                self.buf.append(fmt[last:i])
            if i >= end:
                break
            i += 1
            f = self.f = _Flags()
            while i < end and fmt[i] in "#0+- ":
                c = fmt[i]
                f.sharp |= c == "#"
                f.zero |= c == "0"
                f.plus |= c == "+"
                f.minus |= c == "-"
                f.space |= c == " "
                i += 1
            arg_num, i, after_index = self._arg_number(arg_num, fmt, i, len(args))
            if i < end and fmt[i] == "*":
                i += 1
                f.wid, f.wid_present, arg_num = _int_from_arg(args, arg_num)
                if not f.wid_present:
                    self.buf.append("%!(BADWIDTH)")
                if f.wid < 0:
                    f.wid, f.minus, f.zero = -f.wid, True, False
                after_index = False
            else:
                f.wid, f.wid_present, i = _parse_num(fmt, i, end)
                if after_index and f.wid_present:
                    self.good_arg_num = False
            if i + 1 < end and fmt[i] == ".":
                i += 1
                if after_index:
                    self.good_arg_num = False
                arg_num, i, after_index = self._arg_number(arg_num, fmt, i, len(args))
                if i < end and fmt[i] == "*":
                    i += 1
                    f.prec, f.prec_present, arg_num = _int_from_arg(args, arg_num)
                    if f.prec < 0:
                        f.prec, f.prec_present = 0, False
                    if not f.prec_present:
                        self.buf.append("%!(BADPREC)")
                    after_index = False
                else:
                    f.prec, f.prec_present, i = _parse_num(fmt, i, end)
                    if not f.prec_present:
                        f.prec, f.prec_present = 0, True
            if not after_index:
                arg_num, i, after_index = self._arg_number(arg_num, fmt, i, len(args))
            if i >= end:
                self.buf.append("%!(NOVERB)")
                break
            verb = fmt[i]
            i += 1
            if verb == "%":
                self.buf.append("%")
            elif not self.good_arg_num:
                self.buf.append(f"%!{verb}(BADINDEX)")
            elif arg_num >= len(args):
                self.buf.append(f"%!{verb}(MISSING)")
            else:
                if verb in "vw":
                    f.sharp_v, f.sharp = f.sharp, False
                    f.plus_v, f.plus = f.plus, False
                self.print_arg(args[arg_num], verb)
                arg_num += 1
        if not self.reordered and arg_num < len(args):
            self.f = _Flags()
            self.buf.append("%!(EXTRA ")
            for n, arg in enumerate(args[arg_num:]):
                if n:
                    self.buf.append(", ")
                if arg is None:
                    self.buf.append("<nil>")
                else:
                    self.buf.append(type_name(arg) + "=")
                    self.print_arg(arg, "v")
            self.buf.append(")")

    def _arg_number(self, arg_num: int, fmt: str, i: int, num_args: int) -> tuple[int, int, bool]:
        if i >= len(fmt) or fmt[i] != "[":
            return arg_num, i, False
        self.reordered = True
        index, width, ok = _parse_arg_number(fmt[i:])
        if ok and 0 <= index < num_args:
            return index, i + width, True
        self.good_arg_num = False
        return arg_num, i + width, ok


def _parse_num(s: str, start: int, end: int) -> tuple[int, bool, int]:
    """fmt's ``parsenum``: (number, whether digits were present, index after them)."""
    if start >= end:
        return 0, False, end
    num, found, i = 0, False, start
    while i < end and "0" <= s[i] <= "9":
        if num > _TOO_LARGE or num < -_TOO_LARGE:
            return 0, False, end
        num = num * 10 + ord(s[i]) - ord("0")
        found = True
        i += 1
    return num, found, i


def _parse_arg_number(fmt: str) -> tuple[int, int, bool]:
    """``[n]``: (zero-based index, characters consumed, ok)."""
    if len(fmt) < 3:
        return 0, 1, False
    close = fmt.find("]", 1)
    if close < 0:
        return 0, 1, False
    width, ok, after = _parse_num(fmt, 1, close)
    if not ok or after != close:
        return 0, close + 1, False
    return width - 1, close + 1, True


def _int_from_arg(args: list[object], arg_num: int) -> tuple[int, bool, int]:
    """A ``*`` width or precision: any Go integer that fits an int."""
    if arg_num >= len(args):
        return 0, False, arg_num
    arg = args[arg_num]
    ok = isinstance(arg, int) and not isinstance(arg, bool)
    num = int(arg) if ok and isinstance(arg, int) else 0
    if ok and (num > _TOO_LARGE or num < -_TOO_LARGE):
        num, ok = 0, False
    return num, ok, arg_num + 1


def sprint(args: list[object]) -> str:
    """``fmt.Sprint``: a space between operands when neither is a string."""
    p = _Printer()
    prev_string = False
    for n, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if n and not is_string and not prev_string:
            p.buf.append(" ")
        p.f = _Flags()
        p.print_arg(arg, "v")
        prev_string = is_string
    return p.text()


def sprintln(args: list[object]) -> str:
    """``fmt.Sprintln``: operands separated by spaces, then a newline."""
    p = _Printer()
    for n, arg in enumerate(args):
        if n:
            p.buf.append(" ")
        p.f = _Flags()
        p.print_arg(arg, "v")
    p.buf.append("\n")
    return p.text()


def sprintf(fmt: str, args: list[object]) -> str:
    """``fmt.Sprintf``."""
    p = _Printer()
    p.do_printf(fmt, args)
    return p.text()


def sprint_value(value: object, verb: str = "v") -> str:
    """One value with a plain verb (``%v``, ``%+v``, ``%s``...), as in Go error messages."""
    return sprintf("%" + verb, [value])

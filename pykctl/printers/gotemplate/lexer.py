"""The text/template lexer: template text to items, one at a time, as Go's ``parse/lex.go`` does.

The lexer is pulled by the parser (:meth:`Lexer.next_item`). Outside actions it yields text;
inside ``{{ }}`` it yields fields, variables, identifiers, literals, punctuation and runs of space.
Trim markers (``{{- `` and `` -}}``) are applied here, comments are dropped here, and the first
error ends the input (every later item is EOF), as in Go. Positions are character offsets into the
template (error messages convert them to Go's byte columns); ``line`` is where an item starts.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import NamedTuple, Optional

from pykctl.printers.gotemplate.strconv import invalid_byte, is_print, quote

LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
_LEFT_COMMENT = "/*"
_RIGHT_COMMENT = "*/"
_SPACES = " \t\r\n"


class T(IntEnum):
    """Item types, in Go's order: every keyword sorts after ``KEYWORD``."""

    ERROR = 0
    BOOL = 1
    CHAR = 2
    CHAR_CONSTANT = 3
    COMMENT = 4
    COMPLEX = 5
    ASSIGN = 6
    DECLARE = 7
    EOF = 8
    FIELD = 9
    IDENTIFIER = 10
    LEFT_DELIM = 11
    LEFT_PAREN = 12
    NUMBER = 13
    PIPE = 14
    RAW_STRING = 15
    RIGHT_DELIM = 16
    RIGHT_PAREN = 17
    SPACE = 18
    STRING = 19
    TEXT = 20
    VARIABLE = 21
    KEYWORD = 22
    BLOCK = 23
    BREAK = 24
    CONTINUE = 25
    DOT = 26
    DEFINE = 27
    ELSE = 28
    END = 29
    IF = 30
    NIL = 31
    RANGE = 32
    TEMPLATE = 33
    WITH = 34


KEYWORDS = {
    ".": T.DOT,
    "block": T.BLOCK,
    "break": T.BREAK,
    "continue": T.CONTINUE,
    "define": T.DEFINE,
    "else": T.ELSE,
    "end": T.END,
    "if": T.IF,
    "range": T.RANGE,
    "nil": T.NIL,
    "template": T.TEMPLATE,
    "with": T.WITH,
}


class Item(NamedTuple):
    """A token: its type, start offset, text and starting line."""

    typ: T
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        if self.typ == T.EOF:
            return "EOF"
        if self.typ == T.ERROR:
            return self.val
        if self.typ > T.KEYWORD:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return quote(self.val[:10]) + "..."
        return quote(self.val)


def go_unicode(c: str) -> str:
    """``%#U`` of a rune: ``U+0026 '&'`` (the quoted form only for printable runes)."""
    if invalid_byte(c) is not None:
        c = "\ufffd"
    code = f"U+{ord(c):04X}"
    return f"{code} '{c}'" if is_print(c) else code


def _is_space(c: str) -> bool:
    return c != "" and c in _SPACES


def _is_alphanumeric(c: str) -> bool:
    return c == "_" or c.isalpha() or c.isdecimal()


def _has_left_trim_marker(s: str) -> bool:
    return len(s) >= 2 and s[0] == "-" and _is_space(s[1])


def _has_right_trim_marker(s: str) -> bool:
    return len(s) >= 2 and _is_space(s[0]) and s[1] == "-"


_State = Callable[[], Optional["_State"]]


class Lexer:
    """Scans one template; ``next_item`` runs state functions until one yields an item."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.at_eof = False
        self.paren_depth = 0
        self.line = 1
        self.start_line = 1
        self.inside_action = False
        self.item = Item(T.EOF, 0, "EOF", 1)

    def next_item(self) -> Item:
        """The next item; after an error or the end, EOF forever."""
        self.item = Item(T.EOF, self.pos, "EOF", self.start_line)
        state: _State | None = self._inside_action if self.inside_action else self._text
        while state is not None:
            state = state()
        return self.item

    # --- scanning primitives ---

    def _next(self) -> str:
        if self.pos >= len(self.input):
            self.at_eof = True
            return ""
        c = self.input[self.pos]
        self.pos += 1
        if c == "\n":
            self.line += 1
        return c

    def _backup(self) -> None:
        if not self.at_eof and self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def _peek(self) -> str:
        c = self._next()
        self._backup()
        return c

    def _accept(self, valid: str) -> bool:
        c = self._next()
        if c != "" and c in valid:
            return True
        self._backup()
        return False

    def _accept_run(self, valid: str) -> None:
        while True:
            c = self._next()
            if c == "" or c not in valid:
                break
        self._backup()

    def _this_item(self, typ: T) -> Item:
        item = Item(typ, self.start, self.input[self.start : self.pos], self.start_line)
        self.start = self.pos
        self.start_line = self.line
        return item

    def _emit(self, typ: T) -> None:
        self.item = self._this_item(typ)

    def _emit_item(self, item: Item) -> None:
        self.item = item

    def _ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def _error(self, message: str) -> None:
        self.item = Item(T.ERROR, self.start, message, self.start_line)
        self.start = self.pos = 0
        self.input = ""

    def _at_right_delim(self) -> tuple[bool, bool]:
        """(at a right delimiter, whether it carries a trim marker)."""
        if _has_right_trim_marker(self.input[self.pos :]) and self.input.startswith(
            RIGHT_DELIM, self.pos + 2
        ):
            return True, True
        return self.input.startswith(RIGHT_DELIM, self.pos), False

    def _at_terminator(self) -> bool:
        c = self._peek()
        if _is_space(c) or c in ("", ".", ",", "|", ":", ")", "("):
            return True
        return self.input.startswith(RIGHT_DELIM, self.pos)

    # --- states ---

    def _text(self) -> _State | None:
        x = self.input.find(LEFT_DELIM, self.pos)
        if x >= 0:
            if x > self.pos:
                self.pos = x
                trim = 0
                if _has_left_trim_marker(self.input[x + len(LEFT_DELIM) :]):
                    text = self.input[self.start : self.pos]
                    trim = len(text) - len(text.rstrip(_SPACES))
                self.pos -= trim
                self.line += self.input.count("\n", self.start, self.pos)
                item = self._this_item(T.TEXT)
                self.pos += trim
                self._ignore()
                if item.val:
                    self._emit_item(item)
                    return None
            return self._left_delim
        self.pos = len(self.input)
        if self.pos > self.start:
            self.line += self.input.count("\n", self.start, self.pos)
            self._emit(T.TEXT)
        else:
            self._emit(T.EOF)
        return None

    def _left_delim(self) -> _State | None:
        self.pos += len(LEFT_DELIM)
        after_marker = 2 if _has_left_trim_marker(self.input[self.pos :]) else 0
        if self.input.startswith(_LEFT_COMMENT, self.pos + after_marker):
            self.pos += after_marker
            self._ignore()
            return self._comment
        item = self._this_item(T.LEFT_DELIM)
        self.inside_action = True
        self.pos += after_marker
        self._ignore()
        self.paren_depth = 0
        self._emit_item(item)
        return None

    def _comment(self) -> _State | None:
        self.pos += len(_LEFT_COMMENT)
        x = self.input.find(_RIGHT_COMMENT, self.pos)
        if x < 0:
            self._error("unclosed comment")
            return None
        self.pos = x + len(_RIGHT_COMMENT)
        delim, trim = self._at_right_delim()
        if not delim:
            self._error("comment ends before closing delimiter")
            return None
        self.line += self.input.count("\n", self.start, self.pos)
        self._this_item(T.COMMENT)
        self.pos += (2 if trim else 0) + len(RIGHT_DELIM)
        if trim:
            rest = self.input[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(_SPACES))
        self._ignore()
        return self._text

    def _right_delim(self) -> _State | None:
        _, trim = self._at_right_delim()
        if trim:
            self.pos += 2
            self._ignore()
        self.pos += len(RIGHT_DELIM)
        item = self._this_item(T.RIGHT_DELIM)
        if trim:
            rest = self.input[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(_SPACES))
            self._ignore()
        self.inside_action = False
        self._emit_item(item)
        return None

    def _inside_action(self) -> _State | None:
        delim, _ = self._at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self._right_delim
            self._error("unclosed left paren")
            return None
        c = self._next()
        if c == "":
            self._error("unclosed action")
        elif _is_space(c):
            self._backup()
            return self._space
        elif c == "=":
            self._emit(T.ASSIGN)
        elif c == ":":
            if self._next() != "=":
                self._error("expected :=")
            else:
                self._emit(T.DECLARE)
        elif c == "|":
            self._emit(T.PIPE)
        elif c == '"':
            return self._quote
        elif c == "`":
            return self._raw_quote
        elif c == "$":
            return self._variable
        elif c == "'":
            return self._char
        elif c == "." and self.pos < len(self.input) and not "0" <= self.input[self.pos] <= "9":
            return self._field
        elif c in "+-." or "0" <= c <= "9":
            self._backup()
            return self._number
        elif _is_alphanumeric(c):
            self._backup()
            return self._identifier
        elif c == "(":
            self.paren_depth += 1
            self._emit(T.LEFT_PAREN)
        elif c == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self._error("unexpected right paren")
            else:
                self._emit(T.RIGHT_PAREN)
        elif c <= "\x7f" and c.isprintable():
            self._emit(T.CHAR)
        else:
            self._error(f"unrecognized character in action: {go_unicode(c)}")
        return None

    def _space(self) -> _State | None:
        spaces = 0
        while _is_space(self._peek()):
            self._next()
            spaces += 1
        if _has_right_trim_marker(self.input[self.pos - 1 :]) and self.input.startswith(
            RIGHT_DELIM, self.pos + 1
        ):
            self._backup()
            if spaces == 1:
                return self._right_delim
        self._emit(T.SPACE)
        return None

    def _identifier(self) -> _State | None:
        while True:
            c = self._next()
            if _is_alphanumeric(c):
                continue
            self._backup()
            word = self.input[self.start : self.pos]
            if not self._at_terminator():
                self._error(f"bad character {go_unicode(c)}")
            elif word in KEYWORDS:
                self._emit(KEYWORDS[word])
            elif word in ("true", "false"):
                self._emit(T.BOOL)
            else:
                self._emit(T.IDENTIFIER)
            return None

    def _field(self) -> _State | None:
        return self._field_or_variable(T.FIELD)

    def _variable(self) -> _State | None:
        if self._at_terminator():
            self._emit(T.VARIABLE)
            return None
        return self._field_or_variable(T.VARIABLE)

    def _field_or_variable(self, typ: T) -> _State | None:
        if self._at_terminator():
            self._emit(T.VARIABLE if typ == T.VARIABLE else T.DOT)
            return None
        while True:
            c = self._next()
            if not _is_alphanumeric(c):
                self._backup()
                break
        if not self._at_terminator():
            self._error(f"bad character {go_unicode(c)}")
        else:
            self._emit(typ)
        return None

    def _quoted(self, closing: str, typ: T, message: str) -> None:
        while True:
            c = self._next()
            if c == "\\":
                c = self._next()
                if c not in ("", "\n"):
                    continue
                self._error(message)
                return
            if c in ("", "\n"):
                self._error(message)
                return
            if c == closing:
                self._emit(typ)
                return

    def _char(self) -> _State | None:
        self._quoted("'", T.CHAR_CONSTANT, "unterminated character constant")
        return None

    def _quote(self) -> _State | None:
        self._quoted('"', T.STRING, "unterminated quoted string")
        return None

    def _raw_quote(self) -> _State | None:
        while True:
            c = self._next()
            if c == "":
                self._error("unterminated raw quoted string")
                return None
            if c == "`":
                self._emit(T.RAW_STRING)
                return None

    def _number(self) -> _State | None:
        if not self._scan_number():
            self._error(f"bad number syntax: {quote(self.input[self.start : self.pos])}")
            return None
        if self._peek() in ("+", "-"):
            if not self._scan_number() or self.input[self.pos - 1] != "i":
                self._error(f"bad number syntax: {quote(self.input[self.start : self.pos])}")
                return None
            self._emit(T.COMPLEX)
            return None
        self._emit(T.NUMBER)
        return None

    def _scan_number(self) -> bool:
        self._accept("+-")
        digits = "0123456789_"
        if self._accept("0"):
            if self._accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self._accept("oO"):
                digits = "01234567_"
            elif self._accept("bB"):
                digits = "01_"
        self._accept_run(digits)
        if self._accept("."):
            self._accept_run(digits)
        if len(digits) == 11 and self._accept("eE"):
            self._accept("+-")
            self._accept_run("0123456789_")
        if len(digits) == 23 and self._accept("pP"):
            self._accept("+-")
            self._accept_run("0123456789_")
        self._accept("i")
        if _is_alphanumeric(self._peek()):
            self._next()
            return False
        return True

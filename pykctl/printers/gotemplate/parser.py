"""The text/template parser (Go's ``parse/parse.go``): items to trees, with Go's error messages.

:func:`parse` returns every template the text defines, by name: the top-level one (``output`` in
kubectl) and those from ``{{define}}`` and ``{{block}}``. Errors are raised as :class:`ParseError`
worded as Go words them, ``template: output:LINE: MESSAGE``, where LINE is the line of the last
item read. The parser keeps Go's three-item lookahead, so which item an error names, and on which
line, is the same as in Go.
"""

from __future__ import annotations

from collections.abc import Set

from pykctl.printers.gotemplate import nodes as n
from pykctl.printers.gotemplate.lexer import Item, Lexer, T
from pykctl.printers.gotemplate.strconv import (
    GoSyntaxError,
    float_or_error,
    parse_float,
    parse_int,
    parse_uint,
    quote,
    unquote,
    unquote_char,
)
from pykctl.printers.gotemplate.values import utf8

MAX_STACK_DEPTH = 10000
MAX_PIPELINE_CMDS = 100000


class ParseError(Exception):
    """A template that does not parse; the text is Go's error message."""


class Tree:
    """One named template, and the parsing state used while it is being read."""

    def __init__(self, name: str, parse_name: str, text: str) -> None:
        self.name = name
        self.parse_name = parse_name
        self.text = text
        self.root: n.ListNode | None = None
        self._funcs: Set[str] = frozenset()
        self._lex = Lexer("")
        self._token = [Item(T.EOF, 0, "", 0)] * 3
        self._peek_count = 0
        self._vars: list[str] = ["$"]
        self._tree_set: dict[str, Tree] = {}
        self._action_line = 0
        self._range_depth = 0
        self._stack_depth = 0

    # --- token stream ---

    def _next(self) -> Item:
        if self._peek_count > 0:
            self._peek_count -= 1
        else:
            self._token[0] = self._lex.next_item()
        return self._token[self._peek_count]

    def _backup(self) -> None:
        self._peek_count += 1

    def _backup2(self, t1: Item) -> None:
        self._token[1] = t1
        self._peek_count = 2

    def _backup3(self, t2: Item, t1: Item) -> None:
        self._token[1] = t1
        self._token[2] = t2
        self._peek_count = 3

    def _peek(self) -> Item:
        if self._peek_count > 0:
            return self._token[self._peek_count - 1]
        self._peek_count = 1
        self._token[0] = self._lex.next_item()
        return self._token[0]

    def _next_non_space(self) -> Item:
        while True:
            token = self._next()
            if token.typ != T.SPACE:
                return token

    def _peek_non_space(self) -> Item:
        token = self._next_non_space()
        self._backup()
        return token

    # --- errors ---

    def _error(self, message: str) -> ParseError:
        return ParseError(f"template: {self.parse_name}:{self._token[0].line}: {message}")

    def _expect(self, expected: T, context: str) -> Item:
        token = self._next_non_space()
        if token.typ != expected:
            raise self._unexpected(token, context)
        return token

    def _expect_one_of(self, first: T, second: T, context: str) -> Item:
        token = self._next_non_space()
        if token.typ not in (first, second):
            raise self._unexpected(token, context)
        return token

    def _unexpected(self, token: Item, context: str) -> ParseError:
        if token.typ == T.ERROR:
            extra = ""
            if self._action_line not in (0, token.line):
                extra = f" in action started at {self.parse_name}:{self._action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            return self._error(f"{token}{extra}")
        return self._error(f"unexpected {token} in {context}")

    # --- trees ---

    def start(self, funcs: Set[str], lex: Lexer, tree_set: dict[str, Tree]) -> None:
        self._funcs = funcs
        self._lex = lex
        self._tree_set = tree_set
        self._vars = ["$"]

    def add(self) -> None:
        """Install this tree in the set; a second non-empty definition is an error."""
        existing = self._tree_set.get(self.name)
        if existing is None or n.is_empty_tree(existing.root):
            self._tree_set[self.name] = self
        elif not n.is_empty_tree(self.root):
            raise self._error(f"template: multiple definition of template {quote(self.name)}")

    def _subtree(self, name: str) -> Tree:
        tree = Tree(name, self.parse_name, self.text)
        tree.start(self._funcs, self._lex, self._tree_set)
        return tree

    def parse_top(self) -> None:
        """The whole input: text and actions, plus ``{{define}}`` at the top level."""
        self.root = n.ListNode(self._peek().pos)
        while self._peek().typ != T.EOF:
            if self._peek().typ == T.LEFT_DELIM:
                delim = self._next()
                if self._next_non_space().typ == T.DEFINE:
                    self._subtree("definition").parse_definition()
                    continue
                self._backup2(delim)
            node = self._text_or_action()
            if isinstance(node, (n.EndNode, n.ElseNode)):
                raise self._error(f"unexpected {node}")
            self.root.nodes.append(node)

    def parse_definition(self) -> None:
        context = "define clause"
        name = self._expect_one_of(T.STRING, T.RAW_STRING, context)
        self.name = self._unquote(name.val)
        self._expect(T.RIGHT_DELIM, context)
        self.root, end = self._item_list()
        if not isinstance(end, n.EndNode):
            raise self._error(f"unexpected {end} in {context}")
        self.add()

    def _item_list(self) -> tuple[n.ListNode, n.Node]:
        """Text and actions up to ``{{end}}`` or ``{{else}}``, which is returned separately."""
        items = n.ListNode(self._peek_non_space().pos)
        while self._peek_non_space().typ != T.EOF:
            node = self._text_or_action()
            if isinstance(node, (n.EndNode, n.ElseNode)):
                return items, node
            items.nodes.append(node)
        raise self._error("unexpected EOF")

    def _text_or_action(self) -> n.Node:
        token = self._next_non_space()
        if token.typ == T.TEXT:
            return n.TextNode(token.pos, token.val)
        if token.typ == T.LEFT_DELIM:
            self._action_line = token.line
            try:
                return self._action()
            finally:
                self._action_line = 0
        raise self._unexpected(token, "input")

    def _action(self) -> n.Node:
        token = self._next_non_space()
        if token.typ == T.BLOCK:
            return self._block_control()
        if token.typ in (T.BREAK, T.CONTINUE):
            return self._loop_control(token)
        if token.typ == T.ELSE:
            return self._else_control()
        if token.typ == T.END:
            return n.EndNode(self._expect(T.RIGHT_DELIM, "end").pos)
        if token.typ == T.IF:
            return n.IfNode(*self._parse_control("if"))
        if token.typ == T.RANGE:
            return n.RangeNode(*self._parse_control("range"))
        if token.typ == T.TEMPLATE:
            return self._template_control()
        if token.typ == T.WITH:
            return n.WithNode(*self._parse_control("with"))
        self._backup()
        token = self._peek()
        return n.ActionNode(token.pos, token.line, self._pipeline("command", T.RIGHT_DELIM))

    def _loop_control(self, keyword: Item) -> n.Node:
        word = "{{" + keyword.val + "}}"
        token = self._next_non_space()
        if token.typ != T.RIGHT_DELIM:
            raise self._unexpected(token, word)
        if self._range_depth == 0:
            raise self._error(f"{word} outside {{{{range}}}}")
        if keyword.typ == T.BREAK:
            return n.BreakNode(keyword.pos, keyword.line)
        return n.ContinueNode(keyword.pos, keyword.line)

    def _pipeline(self, context: str, end: T) -> n.PipeNode:
        token = self._peek_non_space()
        pipe = n.PipeNode(token.pos, token.line)
        self._declarations(pipe, context)
        while True:
            token = self._next_non_space()
            if token.typ == end:
                self._check_pipeline(pipe, context)
                return pipe
            if token.typ in _OPERAND_STARTS:
                self._backup()
                pipe.cmds.append(self._command())
                if len(pipe.cmds) > MAX_PIPELINE_CMDS:
                    raise self._error("pipeline too long")
            else:
                raise self._unexpected(token, context)

    def _declarations(self, pipe: n.PipeNode, context: str) -> None:
        """``$x :=``, ``$x =``, and ``$i, $v :=`` in a range."""
        while True:
            v = self._peek_non_space()
            if v.typ != T.VARIABLE:
                return
            self._next()
            after = self._peek()
            following = self._peek_non_space()
            if following.typ in (T.ASSIGN, T.DECLARE):
                pipe.is_assign = following.typ == T.ASSIGN
                self._next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, v.val.split(".")))
                self._vars.append(v.val)
                return
            if following.typ == T.CHAR and following.val == ",":
                self._next_non_space()
                pipe.decl.append(n.VariableNode(v.pos, v.val.split(".")))
                self._vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self._peek_non_space().typ in (T.VARIABLE, T.RIGHT_DELIM, T.RIGHT_PAREN):
                        continue
                    raise self._error("range can only initialize variables")
                raise self._error(f"too many declarations in {context}")
            if after.typ == T.SPACE:
                self._backup3(v, after)
            else:
                self._backup2(v)
            return

    def _check_pipeline(self, pipe: n.PipeNode, context: str) -> None:
        if not pipe.cmds:
            raise self._error(f"missing value for {context}")
        for stage, cmd in enumerate(pipe.cmds[1:], start=2):
            if isinstance(
                cmd.args[0], (n.BoolNode, n.DotNode, n.NilNode, n.NumberNode, n.StringNode)
            ):
                raise self._error(f"non executable command in pipeline stage {stage}")

    def _parse_control(
        self, context: str
    ) -> tuple[int, int, n.PipeNode, n.ListNode, n.ListNode | None]:
        mark = len(self._vars)
        try:
            pipe = self._pipeline(context, T.RIGHT_DELIM)
            if context == "range":
                self._range_depth += 1
            body, nxt = self._item_list()
            if context == "range":
                self._range_depth -= 1
            else_list: n.ListNode | None = None
            if isinstance(nxt, n.ElseNode):
                if context == "if" and self._peek().typ == T.IF:
                    self._next()
                    else_list = n.ListNode(nxt.pos, [n.IfNode(*self._parse_control("if"))])
                elif context == "with" and self._peek().typ == T.WITH:
                    self._next()
                    else_list = n.ListNode(nxt.pos, [n.WithNode(*self._parse_control("with"))])
                else:
                    else_list, nxt = self._item_list()
                    if not isinstance(nxt, n.EndNode):
                        raise self._error(f"expected end; found {nxt}")
            return pipe.pos, pipe.line, pipe, body, else_list
        finally:
            del self._vars[mark:]

    def _else_control(self) -> n.Node:
        peek = self._peek_non_space()
        if peek.typ in (T.IF, T.WITH):
            return n.ElseNode(peek.pos, peek.line)
        token = self._expect(T.RIGHT_DELIM, "else")
        return n.ElseNode(token.pos, token.line)

    def _block_control(self) -> n.Node:
        context = "block clause"
        token = self._next_non_space()
        name = self._template_name(token, context)
        pipe = self._pipeline(context, T.RIGHT_DELIM)
        block = self._subtree(name)
        block.root, end = block._item_list()
        if not isinstance(end, n.EndNode):
            raise self._error(f"unexpected {end} in {context}")
        block.add()
        return n.TemplateNode(token.pos, token.line, name, pipe)

    def _template_control(self) -> n.Node:
        context = "template clause"
        token = self._next_non_space()
        name = self._template_name(token, context)
        pipe = None
        if self._next_non_space().typ != T.RIGHT_DELIM:
            self._backup()
            pipe = self._pipeline(context, T.RIGHT_DELIM)
        return n.TemplateNode(token.pos, token.line, name, pipe)

    def _template_name(self, token: Item, context: str) -> str:
        if token.typ not in (T.STRING, T.RAW_STRING):
            raise self._unexpected(token, context)
        return self._unquote(token.val)

    def _command(self) -> n.CommandNode:
        cmd = n.CommandNode(self._peek_non_space().pos)
        while True:
            self._peek_non_space()
            operand = self._operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self._next()
            if token.typ == T.SPACE:
                continue
            if token.typ in (T.RIGHT_DELIM, T.RIGHT_PAREN):
                self._backup()
            elif token.typ != T.PIPE:
                raise self._unexpected(token, "operand")
            break
        if not cmd.args:
            raise self._error("empty command")
        return cmd

    def _operand(self) -> n.Node | None:
        node = self._term()
        if node is None or self._peek().typ != T.FIELD:
            return node
        chain = n.ChainNode(self._peek().pos, node)
        while self._peek().typ == T.FIELD:
            chain.field.append(self._next().val[1:])
        if isinstance(node, n.FieldNode):
            return n.FieldNode(chain.pos, str(chain)[1:].split("."))
        if isinstance(node, n.VariableNode):
            return n.VariableNode(chain.pos, str(chain).split("."))
        if isinstance(node, (n.BoolNode, n.StringNode, n.NumberNode, n.NilNode, n.DotNode)):
            raise self._error(f"unexpected . after term {quote(str(node))}")
        return chain

    def _term(self) -> n.Node | None:
        token = self._next_non_space()
        typ = token.typ
        if typ == T.IDENTIFIER:
            if token.val not in self._funcs:
                raise self._error(f"function {quote(token.val)} not defined")
            return n.IdentifierNode(token.pos, token.val)
        if typ == T.DOT:
            return n.DotNode(token.pos)
        if typ == T.NIL:
            return n.NilNode(token.pos)
        if typ == T.VARIABLE:
            if token.val not in self._vars:
                raise self._error(f"undefined variable {quote(token.val)}")
            return n.VariableNode(token.pos, token.val.split("."))
        if typ == T.FIELD:
            return n.FieldNode(token.pos, token.val[1:].split("."))
        if typ == T.BOOL:
            return n.BoolNode(token.pos, token.val == "true")
        if typ in (T.CHAR_CONSTANT, T.COMPLEX, T.NUMBER):
            return self._number(token)
        if typ == T.LEFT_PAREN:
            if self._stack_depth >= MAX_STACK_DEPTH:
                raise self._error("max expression depth exceeded")
            self._stack_depth += 1
            try:
                return self._pipeline("parenthesized pipeline", T.RIGHT_PAREN)
            finally:
                self._stack_depth -= 1
        if typ in (T.STRING, T.RAW_STRING):
            return n.StringNode(token.pos, token.val, self._unquote(token.val))
        self._backup()
        return None

    def _unquote(self, literal: str) -> str:
        try:
            return unquote(literal)
        except GoSyntaxError as err:
            raise self._error(str(err)) from None

    def _number(self, token: Item) -> n.NumberNode:
        try:
            return number_node(token)
        except (GoSyntaxError, ValueError) as err:
            raise self._error(str(err)) from None


_OPERAND_STARTS = frozenset(
    (
        T.BOOL,
        T.CHAR_CONSTANT,
        T.COMPLEX,
        T.DOT,
        T.FIELD,
        T.IDENTIFIER,
        T.NUMBER,
        T.NIL,
        T.RAW_STRING,
        T.STRING,
        T.VARIABLE,
        T.LEFT_PAREN,
    )
)

_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


def _integral_forms(node: n.NumberNode, f: float) -> None:
    """Record the int64/uint64 forms of an integral float, as Go's conversions find them."""
    if f.is_integer() and -(1 << 63) <= f <= _INT64_MAX:
        node.is_int, node.int64 = True, int(f)
    if f.is_integer() and 0 <= f <= _UINT64_MAX:
        node.is_uint, node.uint64 = True, int(f)


def _scan_complex(text: str) -> complex:
    """``fmt.Sscan`` into a complex128: a real part, then a signed imaginary part ending in i."""
    pos = 0

    def accept(chars: str) -> bool:
        nonlocal pos
        if pos < len(text) and text[pos] in chars:
            pos += 1
            return True
        return False

    def float_token() -> str:
        start = pos
        if accept("nN") and accept("aA") and accept("nN"):
            return text[start:pos]
        accept("+-")
        if accept("iI") and accept("nN") and accept("fF"):
            return text[start:pos]
        digits, exponent = "0123456789_", "eEpP"
        if accept("0") and accept("xX"):
            digits, exponent = "0123456789aAbBcCdDeEfF_", "pP"
        while accept(digits):
            pass
        if accept("."):
            while accept(digits):
                pass
        if accept(exponent):
            accept("+-")
            while accept("0123456789_"):
                pass
        return text[start:pos]

    real = float_token()
    if not accept("+-"):
        raise ValueError("syntax error scanning complex number")
    imag = text[pos - 1] + float_token()
    if not accept("i"):
        raise ValueError("syntax error scanning complex number")
    return complex(float_or_error(real), float_or_error(imag))


def number_node(token: Item) -> n.NumberNode:
    """Go's ``newNumber``: a constant under every type that can represent it."""
    text = token.val
    node = n.NumberNode(token.pos, text)
    if token.typ == T.CHAR_CONSTANT:
        r, _, tail = unquote_char(utf8(text[1:]), ord(text[0]))
        if tail != b"'":
            raise ValueError(f"malformed character constant: {text}")
        node.is_int = node.is_uint = node.is_float = True
        node.int64 = node.uint64 = r
        node.float64 = float(r)
        return node
    if token.typ == T.COMPLEX:
        node.is_complex, node.complex128 = True, _scan_complex(text)
        _simplify_complex(node)
        return node
    if text.endswith("i"):
        imag = parse_float(text[:-1])
        if imag is not None:
            node.is_complex, node.complex128 = True, complex(0, imag)
            _simplify_complex(node)
            return node
    unsigned = parse_uint(text)
    if unsigned is not None:
        node.is_uint, node.uint64 = True, unsigned
    signed = parse_int(text)
    if signed is not None:
        node.is_int, node.int64 = True, signed
        if signed == 0:
            node.is_uint, node.uint64 = True, unsigned or 0
    if node.is_int:
        node.is_float, node.float64 = True, float(node.int64)
    elif node.is_uint:
        node.is_float, node.float64 = True, float(node.uint64)
    else:
        f = parse_float(text)
        if f is not None:
            if not any(c in text for c in ".eEpP"):
                raise ValueError(f"integer overflow: {quote(text)}")
            node.is_float, node.float64 = True, f
            _integral_forms(node, f)
    if not (node.is_int or node.is_uint or node.is_float):
        raise ValueError(f"illegal number syntax: {quote(text)}")
    return node


def _simplify_complex(node: n.NumberNode) -> None:
    """A complex constant with no imaginary part is also a float (and maybe an integer)."""
    if node.complex128.imag == 0:
        node.is_float, node.float64 = True, node.complex128.real
        _integral_forms(node, node.float64)


def parse(name: str, text: str, funcs: Set[str]) -> dict[str, Tree]:
    """Parse ``text`` as template ``name``; every template it defines, by name."""
    tree_set: dict[str, Tree] = {}
    top = Tree(name, name, text)
    top.start(funcs, Lexer(text), tree_set)
    top.parse_top()
    top.add()
    return tree_set

"""Template execution (Go's ``text/template/exec.go``) over kubectl's decoded JSON.

:func:`execute` walks a parsed template, writing text as it goes; on the first error it raises
:class:`ExecError` carrying Go's message and the output written so far (Go has already written it
to the stream when it fails). Evaluation mirrors Go step by step, because the details show:
which node an error names (``executing "output" at <.spec.x>``), when a value is still an
``interface {}`` (``can't evaluate field x in type interface {}``), how arguments are converted to
a function's parameter types, how missing keys behave (``<no value>``, or an error with
``missingkey=error``), the sorted iteration of maps, ``break``/``continue``, variable scoping, and
the 100000-deep limit on ``{{template}}`` calls.
"""

from __future__ import annotations

from typing import Final

from pykctl.printers.gotemplate import nodes as n
from pykctl.printers.gotemplate.funcs import ANY, FUNCS, STRING, VALUE, Func, FuncError, call
from pykctl.printers.gotemplate.parser import Tree
from pykctl.printers.gotemplate.printf import go_sort_key, sprint, sprint_value
from pykctl.printers.gotemplate.strconv import quote
from pykctl.printers.gotemplate.values import (
    IFACE_TYPE,
    NO_VALUE,
    GoInt,
    Iface,
    as_interface,
    truth,
    type_name,
    unwrap,
    utf8,
)

MAX_EXEC_DEPTH: Final = 100000


class ExecError(Exception):
    """A failed execution: Go's message, and what had been written before the failure."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


class _Missing:
    """No value from a previous pipeline stage (Go's ``missingVal``)."""


_MISSING: Final = _Missing()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _State:
    """The state of one template invocation: its template, variables, and the current node."""

    def __init__(
        self,
        trees: dict[str, Tree],
        tree: Tree,
        missing_key_error: bool,
        out: list[str],
        dot: object,
        depth: int,
    ) -> None:
        self.trees = trees
        self.tree = tree
        self.missing_key_error = missing_key_error
        self.out = out
        self.vars: list[list[object]] = [["$", dot]]
        self.depth = depth
        self.node: n.Node | None = None

    # --- errors ---

    def fail(self, message: str) -> ExecError:
        name = self.tree.name
        if self.node is None:
            return ExecError(f"template: {name}: {message}")
        prefix = self.tree.text[: self.node.pos]
        line_start = prefix.rfind("\n") + 1
        column = len(utf8(prefix[line_start:]))
        location = f"{self.tree.parse_name}:{prefix.count(chr(10)) + 1}:{column}"
        return ExecError(
            f"template: {location}: executing {quote(name)} at <{self.node}>: {message}"
        )

    def at(self, node: n.Node) -> None:
        self.node = node

    # --- variables ---

    def _push(self, name: str, value: object) -> None:
        self.vars.append([name, value])

    def _pop(self, mark: int) -> None:
        del self.vars[mark:]

    def _set_var(self, name: str, value: object) -> None:
        for var in reversed(self.vars):
            if var[0] == name:
                var[1] = value
                return
        raise self.fail(f"undefined variable: {name}")

    def _var_value(self, name: str) -> object:
        for var_name, value in reversed(self.vars):
            if var_name == name:
                return value
        raise self.fail(f"undefined variable: {name}")

    # --- walking ---

    def walk(self, dot: object, node: n.Node) -> None:
        self.node = node
        if isinstance(node, n.TextNode):
            self.out.append(node.text)
        elif isinstance(node, n.ActionNode):
            value = self._eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self._print_value(node, value)
        elif isinstance(node, n.ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, (n.IfNode, n.WithNode)):
            self._walk_if_or_with(dot, node)
        elif isinstance(node, n.RangeNode):
            self._walk_range(dot, node)
        elif isinstance(node, n.TemplateNode):
            self._walk_template(dot, node)
        elif isinstance(node, n.BreakNode):
            raise _Break
        elif isinstance(node, n.ContinueNode):
            raise _Continue
        else:
            raise self.fail(f"unknown node: {node}")

    def _walk_if_or_with(self, dot: object, node: n.BranchNode) -> None:
        mark = len(self.vars)
        try:
            value = self._eval_pipeline(dot, node.pipe)
            is_true, ok = truth(unwrap(value))
            if not ok:
                raise self.fail(f"if/with can't use {sprint_value(value)}")
            if is_true:
                self.walk(value if isinstance(node, n.WithNode) else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            self._pop(mark)

    def _walk_range(self, dot: object, node: n.RangeNode) -> None:
        self.at(node)
        outer = len(self.vars)
        try:
            self._range(dot, node)
        except _Break:
            pass
        finally:
            self._pop(outer)

    def _range(self, dot: object, node: n.RangeNode) -> None:
        value = unwrap(self._eval_pipeline(dot, node.pipe))
        mark = len(self.vars)
        decl = node.pipe.decl

        def iteration(index: object, elem: object) -> None:
            if decl:
                if node.pipe.is_assign:
                    self._set_var(str(decl[0].ident[0]), index if len(decl) > 1 else elem)
                else:
                    self.vars[-1][1] = elem
            if len(decl) > 1:
                if node.pipe.is_assign:
                    self._set_var(str(decl[1].ident[0]), elem)
                else:
                    self.vars[-2][1] = index
            try:
                self.walk(elem, node.list)
            except _Continue:
                pass
            finally:
                self._pop(mark)

        if isinstance(value, int) and not isinstance(value, bool):
            if len(decl) > 1:
                raise self.fail(
                    f"can't use {sprint_value(value)} to iterate over more than one variable"
                )
            for i in range(value):
                iteration(NO_VALUE, type(value)(i))
            if value > 0:
                return
        elif isinstance(value, list):
            for i, item in enumerate(value):
                iteration(GoInt(i), Iface(item))
            if value:
                return
        elif isinstance(value, dict):
            for key in sorted(value, key=go_sort_key):
                iteration(key, Iface(value[key]))
            if value:
                return
        elif value is not NO_VALUE:
            raise self.fail(f"range can't iterate over {sprint_value(value)}")
        if node.else_list is not None:
            self.walk(dot, node.else_list)

    def _walk_template(self, dot: object, node: n.TemplateNode) -> None:
        self.at(node)
        tree = self.trees.get(node.name)
        if tree is None or tree.root is None:
            raise self.fail(f"template {quote(node.name)} not defined")
        if self.depth == MAX_EXEC_DEPTH:
            raise self.fail(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        dot = self._eval_pipeline(dot, node.pipe)
        state = _State(self.trees, tree, self.missing_key_error, self.out, dot, self.depth + 1)
        try:
            state.walk(dot, tree.root)
        except RecursionError:
            # Python's stack ends long before Go's 100000 levels; report Go's error.
            self.at(node)
            raise self.fail(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})") from None

    def _print_value(self, node: n.Node, value: object) -> None:
        self.node = node
        if type(value) is str:
            self.out.append(value)
        elif type(value) is int:
            self.out.append(str(value))
        elif value is NO_VALUE:
            self.out.append("<no value>")
        else:
            self.out.append(sprint([as_interface(value)]))

    # --- evaluation ---

    def _eval_pipeline(self, dot: object, pipe: n.PipeNode | None) -> object:
        if pipe is None:
            return NO_VALUE
        self.node = pipe
        value: object = _MISSING
        for cmd in pipe.cmds:
            value = self._eval_command(dot, cmd, value)
            if isinstance(value, Iface):
                value = NO_VALUE if value.value is None else value.value
        for var in pipe.decl:
            if pipe.is_assign:
                self._set_var(var.ident[0], value)
            else:
                self._push(var.ident[0], value)
        return value

    def _not_a_function(self, args: list[n.Node], final: object) -> None:
        if len(args) > 1 or final is not _MISSING:
            raise self.fail(f"can't give argument to non-function {args[0]}")

    def _eval_command(self, dot: object, cmd: n.CommandNode, final: object) -> object:
        first = cmd.args[0]
        if isinstance(first, n.FieldNode):
            return self._eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, n.ChainNode):
            return self._eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, n.IdentifierNode):
            return self._eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, n.PipeNode):
            self._not_a_function(cmd.args, final)
            return self._eval_pipeline(dot, first)
        if isinstance(first, n.VariableNode):
            return self._eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self._not_a_function(cmd.args, final)
        if isinstance(first, n.BoolNode):
            return first.true
        if isinstance(first, n.DotNode):
            return dot
        if isinstance(first, n.NilNode):
            raise self.fail("nil is not a command")
        if isinstance(first, n.NumberNode):
            return self._ideal_constant(first)
        if isinstance(first, n.StringNode):
            return first.text
        raise self.fail(f"can't evaluate command {quote(str(first))}")

    def _ideal_constant(self, constant: n.NumberNode) -> object:
        """A number with no type context: the literal's syntax decides, as in Go."""
        self.at(constant)
        text = constant.text
        hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not set(text) & set("pP")
        if constant.is_complex:
            return constant.complex128
        if constant.is_float and not hex_int and text[0] != "'" and set(text) & set(".eEpP"):
            return constant.float64
        if constant.is_int:
            return GoInt(constant.int64)
        if constant.is_uint:
            raise self.fail(f"{text} overflows int")
        return NO_VALUE

    def _eval_field_node(
        self, dot: object, field: n.FieldNode, args: list[n.Node] | None, final: object
    ) -> object:
        self.at(field)
        return self._eval_field_chain(dot, field.ident, args, final)

    def _eval_chain_node(
        self, dot: object, chain: n.ChainNode, args: list[n.Node] | None, final: object
    ) -> object:
        self.at(chain)
        if not chain.field:
            raise self.fail("internal error: no fields in evalChainNode")
        if isinstance(chain.node, n.NilNode):
            raise self.fail(f"indirection through explicit nil in {chain}")
        receiver = self._eval_arg(dot, None, chain.node)
        return self._eval_field_chain(receiver, chain.field, args, final)

    def _eval_variable_node(
        self, dot: object, var: n.VariableNode, args: list[n.Node] | None, final: object
    ) -> object:
        self.at(var)
        value = self._var_value(var.ident[0])
        if len(var.ident) == 1:
            if args is not None:
                self._not_a_function(args, final)
            return value
        return self._eval_field_chain(value, var.ident[1:], args, final)

    def _eval_field_chain(
        self, receiver: object, ident: list[str], args: list[n.Node] | None, final: object
    ) -> object:
        for name in ident[:-1]:
            receiver = self._eval_field(name, None, _MISSING, receiver)
        return self._eval_field(ident[-1], args, final, receiver)

    def _eval_field(
        self, name: str, args: list[n.Node] | None, final: object, receiver: object
    ) -> object:
        """``.name`` of ``receiver``: a map key (the only fields kubectl's data has)."""
        if receiver is NO_VALUE:
            if self.missing_key_error:
                raise self.fail(f"nil data; no entry for key {quote(name)}")
            return NO_VALUE
        boxed = isinstance(receiver, Iface)
        if isinstance(receiver, Iface):
            if receiver.value is None:
                raise self.fail(f"nil pointer evaluating {IFACE_TYPE}.{name}")
            receiver = receiver.value
        if isinstance(receiver, dict):
            if (args is not None and len(args) > 1) or final is not _MISSING:
                raise self.fail(f"{name} is not a method but has arguments")
            if name in receiver:
                return Iface(receiver[name])
            if self.missing_key_error:
                raise self.fail(f"map has no entry for key {quote(name)}")
            return NO_VALUE
        typ = IFACE_TYPE if boxed else type_name(receiver)
        raise self.fail(f"can't evaluate field {name} in type {typ}")

    def _eval_function(
        self,
        dot: object,
        ident: n.IdentifierNode,
        cmd: n.Node,
        args: list[n.Node] | None,
        final: object,
    ) -> object:
        self.at(ident)
        func = FUNCS.get(ident.ident)
        if func is None:
            raise self.fail(f"{quote(ident.ident)} is not a defined function")
        return self._eval_call(dot, func, cmd, ident.ident, args, final)

    def _eval_call(
        self,
        dot: object,
        func: Func,
        node: n.Node,
        name: str,
        all_args: list[n.Node] | None,
        final: object,
    ) -> object:
        args = all_args[1:] if all_args is not None else []
        num_in = len(args) + (0 if final is _MISSING else 1)
        num_fixed = len(args)
        if func.variadic is not None:
            num_fixed = len(func.params)
            if num_in < num_fixed:
                raise self.fail(
                    f"wrong number of args for {name}: want at least {num_fixed} got {len(args)}"
                )
        elif num_in != len(func.params):
            raise self.fail(
                f"wrong number of args for {name}: want {len(func.params)} got {num_in}"
            )
        if name in ("and", "or"):
            return self._and_or(dot, name == "or", args, final)
        values: list[object] = []
        for i, arg in enumerate(args):
            typ = func.params[i] if i < num_fixed else func.variadic
            value = self._eval_arg(dot, typ, arg)
            values.append(as_interface(value) if typ == ANY else value)
        if final is not _MISSING:
            if func.variadic is None or num_in - 1 < num_fixed:
                typ = func.params[num_in - 1]
            else:
                typ = func.variadic
            value = self._validate_type(final, typ)
            values.append(as_interface(value) if typ == ANY else value)
        try:
            if name == "call":
                callee = str(args[0]) if args else _value_string(final)
                return call(callee, *values)
            return func.impl(*values)
        except FuncError as err:
            self.at(node)
            raise self.fail(f"error calling {name}: {err}") from None

    def _and_or(self, dot: object, is_or: bool, args: list[n.Node], final: object) -> object:
        """``and``/``or``: evaluate arguments only until the result is known."""
        value: object = NO_VALUE
        for arg in args:
            value = self._eval_arg(dot, VALUE, arg)
            if truth(unwrap(value))[0] == is_or:
                return value
        if final is not _MISSING:
            value = self._validate_type(final, VALUE)
        return value

    def _validate_type(self, value: object, typ: str | None) -> object:
        """Check ``value`` against a parameter type, converting as text/template does."""
        if value is NO_VALUE:
            if typ is None or typ == VALUE:
                return NO_VALUE
            if typ == ANY:
                return Iface(None)
            raise self.fail(f"invalid value; expected {typ}")
        if typ != STRING or isinstance(value, str):
            return value
        if isinstance(value, Iface) and isinstance(value.value, str):
            return value.value
        actual = value.value if isinstance(value, Iface) and value.value is not None else value
        raise self.fail(f"wrong type for value; expected {typ}; got {type_name(actual)}")

    def _eval_arg(self, dot: object, typ: str | None, node: n.Node) -> object:
        self.node = node
        if isinstance(node, n.FieldNode):
            return self._validate_type(self._eval_field_node(dot, node, [node], _MISSING), typ)
        if isinstance(node, n.DotNode):
            return self._validate_type(dot, typ)
        if isinstance(node, n.NilNode):
            if typ == VALUE:
                return NO_VALUE
            if typ == ANY:
                return Iface(None)
            raise self.fail(f"cannot assign nil to {typ}")
        if isinstance(node, n.VariableNode):
            value = self._eval_variable_node(dot, node, None, _MISSING)
        elif isinstance(node, n.PipeNode):
            value = self._eval_pipeline(dot, node)
        elif isinstance(node, n.IdentifierNode):
            value = self._eval_function(dot, node, node, None, _MISSING)
        elif isinstance(node, n.ChainNode):
            value = self._eval_chain_node(dot, node, None, _MISSING)
        elif typ == STRING:
            if isinstance(node, n.StringNode):
                return node.text
            raise self.fail(f"expected string; found {node}")
        else:
            return self._eval_literal(node)
        return self._validate_type(value, typ)

    def _eval_literal(self, node: n.Node) -> object:
        """A constant given where any type is accepted."""
        self.at(node)
        if isinstance(node, n.BoolNode):
            return node.true
        if isinstance(node, n.NumberNode):
            return self._ideal_constant(node)
        if isinstance(node, n.StringNode):
            return node.text
        raise self.fail(f"can't handle assignment of {node} to empty interface argument")


def _value_string(value: object) -> str:
    """``reflect.Value.String()``: a string's text, ``<T Value>`` otherwise."""
    if isinstance(value, str):
        return value
    if value is NO_VALUE or value is _MISSING:
        return "<invalid Value>"
    return f"<{type_name(value)} Value>"


def execute(trees: dict[str, Tree], name: str, data: object, missing_key_error: bool) -> str:
    """Run template ``name`` on ``data``; the text it writes, or ExecError."""
    out: list[str] = []
    dot = NO_VALUE if data is None else data
    tree = trees[name]
    state = _State(trees, tree, missing_key_error, out, dot, 0)
    try:
        if tree.root is None:
            raise state.fail(f"{quote(name)} is an incomplete or empty template")
        state.walk(dot, tree.root)
    except ExecError as err:
        err.output = "".join(out)
        raise
    return "".join(out)

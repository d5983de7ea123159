"""Domain rules run as joins on the engine's own index instead of SPARQL.

A rule's WHERE clause (rdflib's algebra of the .rq file, which stays the source of truth) is compiled
into a Python function of nested loops over `owl_rl.Index` (term ids, see terms.py) when it uses only
what is listed here: basic graph patterns with IRI predicates, joins, UNION, VALUES, and FILTERs of
`=`, `!=`, `&&`, `||`, `!`, EXISTS and NOT EXISTS. Anything else (OPTIONAL, paths, functions, a
variable predicate, a term read as a boolean ...) raises `Unsupported` when the rule is loaded, and
the rule runs through SPARQL. Comparing two different literals (SPARQL compares their values) raises
`Unsupported` while running: the rule then runs through SPARQL for that round.

Why: reading each answer out of pyoxigraph costs microseconds, about as much as the join itself,
and interpreting a plan row by row (a dict per partial answer, a call per test) costs as much again;
the generated loops keep each variable in a local and build the rule's conclusions and premises in
the innermost loop. Answers are as SPARQL gives them: one per solution (bag semantics), all variables
bound by the branch taken. Their order is that of the plan: patterns joined in a greedy order (most
ends bound first, the written order breaking ties), each filter as soon as what it reads is bound,
the branches of a UNION one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.plugins.sparql.parserutils import CompValue

from hubspoke.inference.owl_rl import Index, Premises
from hubspoke.inference.terms import IdTriple, Term

Answers = list[tuple[IdTriple, Premises]]
Plan = Callable[[Index], Answers]  # every (conclusion, premises) of a rule over an index
Pattern = tuple[object, object, object]  # rdflib terms or variables, as in the algebra


class Unsupported(Exception):
    """A construct the join compiler does not handle: run the rule through SPARQL."""


def constant(x: object) -> Term | None:
    """An rdflib IRI or literal of a rule's pattern as a pyoxigraph term; None for anything else."""
    if isinstance(x, rdflib.URIRef):
        return ox.NamedNode(str(x))
    if isinstance(x, rdflib.Literal):
        if x.language:
            return ox.Literal(str(x), language=x.language)
        return ox.Literal(str(x), datatype=ox.NamedNode(str(x.datatype)) if x.datatype else None)
    return None


def _term(x: object) -> Term | str:
    """A pattern term: a pyoxigraph term, or a variable's name (a str that is not a term)."""
    if isinstance(x, rdflib.Variable):
        return str(x)
    found = constant(x)
    if found is None:
        raise Unsupported(f"pattern term {x!r}")  # a blank node (a variable in SPARQL) or a path
    return found


# -- the plan: steps in the order they run --------------------------------------------------------
# ("match", s, p, o, pattern): one triple pattern (s, o: a term or a variable's name; p an IRI)
# ("test", expression): a FILTER conjunct, read with what is bound where it stands
# ("values", rows): a VALUES block (rows: variable -> term)
# ("union", steps, steps): the two branches, one after the other
Step = tuple[Any, ...]
Filters = tuple[tuple[Any, frozenset[str]], ...]


def _compile(node: Any, bound: frozenset[str], isolated: bool, filters: Filters = ()) -> tuple[list[Step], frozenset[str]]:
    """The steps of `node` given the variables certainly bound on entry, and those bound on exit.
    `isolated`: the node is evaluated on its own (SPARQL's bottom-up scope), so a FILTER or UNION
    may only be reached with nothing bound (NOT EXISTS is the exception: it sees the outer row).
    `filters`: conjuncts of a FILTER over this node, with the variables they read, for a basic graph
    pattern to apply as soon as those are bound (one NOT EXISTS per relationship, not per pair)."""
    if not isinstance(node, CompValue):
        raise Unsupported(repr(node))
    name = node.name
    if name == "BGP":
        return _bgp([(tuple(_term(x) for x in t), tuple(t)) for t in node["triples"]], bound, filters)
    if filters:  # only a BGP, or a join ending in one, takes filters (see Filter below)
        s1, after1 = _compile(node["p1"], bound, isolated)
        s2, after2 = _compile(node["p2"], after1, isolated, filters)
        return s1 + s2, after2
    if name == "Join":
        s1, after1 = _compile(node["p1"], bound, isolated)
        if isolated and node["p2"].name not in ("BGP", "ToMultiSet"):
            raise Unsupported("join with a group on its right")
        s2, after2 = _compile(node["p2"], after1, isolated)
        return s1 + s2, after2
    if name == "ToMultiSet" and node["p"].name == "values":
        rows = [{str(k): _term(v) for k, v in r.items()} for r in node["p"]["res"]]
        for r in rows:
            if any(isinstance(v, str) for v in r.values()):
                raise Unsupported("a variable in VALUES")
        common = frozenset.intersection(*(frozenset(r) for r in rows)) if rows else frozenset()
        return [("values", rows)], bound | common
    if name == "Filter":
        if isolated and bound:
            raise Unsupported("filter inside a join")
        expr, inner = node["expr"], node["p"]
        parts = [expr["expr"], *(expr.get("other") or [])] if expr.name == "ConditionalAndExpression" else [expr]
        if inner.name == "BGP" or (inner.name == "Join" and inner["p2"].name == "BGP"):
            # every variable of the pattern is bound by its end: each conjunct is applied as soon as
            # the pattern's variables it reads are bound
            inner_vars = _variables(inner)
            tests = tuple((part, frozenset(_variables(part) & inner_vars)) for part in parts)
            steps, after = _compile(inner, bound, isolated, tests)
            if not inner_vars <= after:  # a VALUES row leaves one unbound: not what tests assumed
                raise Unsupported("UNDEF in VALUES under a FILTER")
            return steps, after
        steps, after = _compile(inner, bound, isolated)
        return steps + [("test", part) for part in parts], after
    if name == "Union":
        if isolated and bound:
            raise Unsupported("union inside a join")
        s1, a1 = _compile(node["p1"], bound, isolated)
        s2, a2 = _compile(node["p2"], bound, isolated)
        return [("union", s1, s2)], a1 & a2
    raise Unsupported(name)


def _variables(node: Any) -> set[str]:
    """Every variable named anywhere in an algebra node or expression (EXISTS patterns included)."""
    out: set[str] = set()
    if isinstance(node, rdflib.Variable):
        out.add(str(node))
    elif isinstance(node, CompValue):
        for key, value in node.items():
            if key != "_vars":
                out |= _variables(value)
        if node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            out |= _variables(node.graph)
    elif isinstance(node, (list, tuple)):
        for item in node:
            out |= _variables(item)
    elif isinstance(node, dict):
        for k, v in node.items():
            out |= _variables(k) | _variables(v)
    return out


def _bgp(patterns: list[tuple[tuple[Term | str, ...], Pattern]], bound: frozenset[str],
         filters: Filters = ()) -> tuple[list[Step], frozenset[str]]:
    """Patterns joined in a greedy order: next the one with most ends bound (a constant or a
    variable bound so far), the written order breaking ties; each filter right after the step that
    binds the last of its variables."""
    steps: list[Step] = []
    left = list(patterns)
    known = bound
    waiting = list(filters)
    while True:
        ready = [t for t, needs in waiting if needs <= known]
        waiting = [(t, needs) for t, needs in waiting if not needs <= known]
        steps += [("test", t) for t in ready]
        if not left:
            break

        def score(t: tuple[Term | str, ...], known: frozenset[str] = known) -> int:
            return sum(1 for x in (t[0], t[2]) if not isinstance(x, str) or x in known)
        best = max(range(len(left)), key=lambda i: (score(left[i][0]), -i))
        (s, p, o), pattern = left.pop(best)
        if isinstance(p, str) or not isinstance(p, ox.NamedNode):
            raise Unsupported("a variable or non-IRI predicate")
        steps.append(("match", s, p, o, pattern))
        known = known | {x for x in (s, o) if isinstance(x, str)}
    steps += [("test", t) for t, _n in waiting]  # a test reading a variable the pattern may leave unbound
    return steps, known


# -- code generation -------------------------------------------------------------------------------

class _Source:
    """The generated function's text, its constants (terms, as ids when run) and helpers."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: list[Term] = []
        self.predicates: dict[int, str] = {}  # constant number -> the local holding its out/inn map
        self.variables: dict[str, str] = {}
        self.functions: list[list[str]] = []  # EXISTS tests, defined before the loops
        self.counter = 0

    def constant(self, term: Term) -> str:
        for i, known in enumerate(self.constants):
            if known == term and type(known) is type(term):
                return f"K{i}"
        self.constants.append(term)
        return f"K{len(self.constants) - 1}"

    def var(self, name: str) -> str:
        if name not in self.variables:
            self.variables[name] = f"v{len(self.variables)}"
        return self.variables[name]

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


class _State:
    """What is known where a piece of code stands: the variables bound (and which of them may hold a
    literal: bound from an object position or a VALUES literal), and the patterns matched so far."""

    def __init__(self, bound: dict[str, bool], matched: tuple[Pattern, ...] = ()) -> None:
        self.bound = bound  # variable -> may be a literal
        self.matched = matched

    def bind(self, name: str, maybe_literal: bool) -> _State:
        return _State({**self.bound, name: maybe_literal}, self.matched)

    def match(self, pattern: Pattern) -> _State:
        return _State(dict(self.bound), (*self.matched, pattern))


Continuation = Callable[[_State, int], list[str]]


def _pad(depth: int) -> str:
    return "    " * depth


def _value(src: _Source, x: Term | str, state: _State) -> str | None:
    """The code of a pattern end if it is bound (a constant, a bound variable), else None."""
    if isinstance(x, str):
        return src.var(x) if x in state.bound else None
    return src.constant(x)


def _steps(src: _Source, steps: Sequence[Step], state: _State, depth: int, then: Continuation) -> list[str]:
    """The code of the steps from where `state` stands, with `then` at the innermost point."""
    if not steps:
        return then(state, depth)
    step, rest = steps[0], steps[1:]
    kind = step[0]

    def go_on(st: _State, d: int) -> list[str]:
        return _steps(src, rest, st, d, then)

    pad = _pad(depth)
    if kind == "union":  # both branches, one after the other, each with the rest of the plan
        return _steps(src, step[1], state, depth, go_on) + _steps(src, step[2], state, depth, go_on)
    if kind == "test":
        code, _certain = _expr(src, step[1], state)
        return [f"{pad}if {code}:", *go_on(state, depth + 1)]
    if kind == "values":
        return _values(src, step[1], state, depth, go_on)
    _kind, s, p, o, pattern = step
    pk = src.constant(p)
    index = int(pk[1:])
    if index not in src.predicates:
        src.predicates[index] = f"P{index}"
    out_map, in_map = f"O{index}", f"I{index}"
    sv, ov = _value(src, s, state), _value(src, o, state)
    matched = state.match(pattern)
    if sv is not None and ov is not None:
        return [f"{pad}if ({sv}, {pk}, {ov}) in ALL:", *go_on(matched, depth + 1)]
    if sv is not None:
        assert isinstance(o, str)
        return [f"{pad}for {src.var(o)} in {out_map}.get({sv}, EMPTY):", *go_on(matched.bind(o, True), depth + 1)]
    assert isinstance(s, str)
    if ov is not None:
        return [f"{pad}for {src.var(s)} in {in_map}.get({ov}, EMPTY):", *go_on(matched.bind(s, False), depth + 1)]
    assert isinstance(o, str)
    objects = src.fresh("os")
    if s == o:  # ?x p ?x
        return [f"{pad}for {src.var(s)}, {objects} in {out_map}.items():", f"{pad}    if {src.var(s)} in {objects}:",
                *go_on(matched.bind(s, False), depth + 2)]
    return [f"{pad}for {src.var(s)}, {objects} in {out_map}.items():", f"{pad}    for {src.var(o)} in {objects}:",
            *go_on(matched.bind(s, False).bind(o, True), depth + 2)]


def _values(src: _Source, rows: list[dict[str, Term]], state: _State, depth: int, then: Continuation) -> list[str]:
    """A VALUES block: each row in turn, joined with what is bound (a row that disagrees is left
    out). Rows are few: each gets its own copy of the rest of the plan, with its values as constants."""
    if len(rows) > 64:
        raise Unsupported("a VALUES block of more than 64 rows")
    out: list[str] = []
    pad = _pad(depth)
    for row in rows:
        checks = [f"{src.var(k)} == {src.constant(v)}" for k, v in row.items() if k in state.bound]
        fresh = {k: v for k, v in row.items() if k not in state.bound}
        st = state
        inner = depth + 1
        out.append(f"{pad}if {' and '.join(checks) or 'True'}:")
        for k, v in fresh.items():
            out.append(f"{_pad(inner)}{src.var(k)} = {src.constant(v)}")
            st = st.bind(k, isinstance(v, ox.Literal))
        out += then(st, inner)
    return out


def _expr(src: _Source, e: Any, state: _State) -> tuple[str, bool]:
    """A FILTER expression as code that gives True, False or None (an error: an unbound variable),
    and whether it never gives None. Which variables are bound is known here, so an error is too."""
    if isinstance(e, (rdflib.Variable, rdflib.URIRef, rdflib.Literal)):
        raise Unsupported("effective boolean value of a term")
    if not isinstance(e, CompValue):
        raise Unsupported(repr(e))
    name = e.name
    if name == "RelationalExpression" and e["op"] in ("=", "!="):
        left, right = _operand(src, e["expr"], state), _operand(src, e["other"], state)
        if left is None or right is None:
            return "None", False
        (a, a_literal), (b, b_literal) = left, right
        # SPARQL compares two literals by value ("1"^^xsd:integer = "01"^^xsd:integer): not done here
        both_literals = f"{a} in LITERALS and {b} in LITERALS and clash()" if a_literal and b_literal else None
        if e["op"] == "=":
            return (f"({a} == {b} or ({both_literals}))" if both_literals else f"({a} == {b})"), True
        return (f"({a} != {b} and ({a} not in LITERALS or {b} not in LITERALS or clash()))" if both_literals
                else f"({a} != {b})"), True
    if name in ("ConditionalAndExpression", "ConditionalOrExpression"):
        parts = [_expr(src, x, state) for x in [e["expr"], *(e.get("other") or [])]]
        if all(certain for _code, certain in parts):
            joiner = " and " if name == "ConditionalAndExpression" else " or "
            return "(" + joiner.join(code for code, _c in parts) + ")", True
        helper = "and3" if name == "ConditionalAndExpression" else "or3"
        return f"{helper}(" + ", ".join(f"(lambda: {code})" for code, _c in parts) + ")", False
    if name == "UnaryNot":
        code, certain = _expr(src, e["expr"], state)
        return (f"(not {code})", True) if certain else (f"not3({code})", False)
    if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        graph = e.graph  # rdflib keeps the translated pattern as an attribute, the parse as an item
        outer = sorted(n for n in _variables(graph) if n in state.bound)
        steps, _after = _compile(graph, frozenset(outer), isolated=False)
        function = src.fresh("exists")
        params = [src.var(n) for n in outer]
        inner = _State({n: state.bound[n] for n in outer})
        body = _steps(src, steps, inner, 2, lambda _st, d: [f"{_pad(d)}return True"])
        src.functions.append([f"    def {function}({', '.join(params)}):", *body, "        return False"])
        call = f"{function}({', '.join(params)})"
        return (call if name == "Builtin_EXISTS" else f"(not {call})"), True
    raise Unsupported(name)


def _operand(src: _Source, e: Any, state: _State) -> tuple[str, bool] | None:
    """A compared term: its code and whether it may be a literal; None for an unbound variable."""
    if isinstance(e, rdflib.Variable):
        name = str(e)
        return (src.var(name), state.bound[name]) if name in state.bound else None
    if isinstance(e, (rdflib.URIRef, rdflib.Literal)):
        term = _term(e)
        assert not isinstance(term, str)
        return src.constant(term), isinstance(term, ox.Literal)
    raise Unsupported(f"comparing {e!r}")


def _answer(src: _Source, template: Sequence[Pattern], premises: Sequence[Pattern], state: _State, depth: int) -> list[str]:
    """The innermost code: the conclusions the template gives under the answer, each with the
    premises (the WHERE clause's patterns under the answer that are triples of the index: those this
    branch matched, and any other whose variables it binds, looked up)."""
    pad = _pad(depth)
    made: list[tuple[str, list[str]]] = []  # a conclusion's code, and the checks it needs when run
    for pattern in template:
        ends = [_end(src, x, state) for x in pattern]
        if any(end is None for end in ends) or isinstance(pattern[1], rdflib.Literal):
            continue  # a variable this answer leaves unbound, a blank node, a literal predicate: nothing made
        (s, s_literal), (p, _p), (o, _o) = ends  # type: ignore[misc]
        checks = []
        if isinstance(pattern[1], rdflib.Variable):
            checks.append(f"{p} in IRIS")  # only an IRI can be a predicate
        if s_literal:
            checks.append(f"{s} not in LITERALS")  # nor can a literal be a subject
        made.append((f"({s}, {p}, {o})", checks))
    if not made:
        return [f"{pad}pass"]
    used: list[str] = []
    for pattern in dict.fromkeys(premises):
        ends = [_end(src, x, state) for x in pattern]
        if any(end is None for end in ends):
            continue
        triple = "(" + ", ".join(end[0] for end in ends if end is not None) + ")"
        used.append(triple if pattern in state.matched else f"*(({triple},) if {triple} in ALL else ())")
    premises_code = "(" + "".join(f"{u}, " for u in used) + ")"
    if len(made) == 1 and not made[0][1]:
        return [f"{pad}add(({made[0][0]}, {premises_code}))"]
    lines = [f"{pad}used = {premises_code}"]
    for code, checks in made:
        if checks:
            lines += [f"{pad}if {' and '.join(checks)}:", f"{pad}    add(({code}, used))"]
        else:
            lines.append(f"{pad}add(({code}, used))")
    return lines


def _end(src: _Source, x: object, state: _State) -> tuple[str, bool] | None:
    """A template or premise pattern's end under the answer: its code and whether it may be a
    literal; None if it is a variable the answer leaves unbound or not a term (a blank node)."""
    if isinstance(x, rdflib.Variable):
        name = str(x)
        return (src.var(name), state.bound[name]) if name in state.bound else None
    term = constant(x)
    if term is None:
        return None
    return src.constant(term), isinstance(term, ox.Literal)


def clash() -> bool:
    raise Unsupported("comparing two different literals (SPARQL compares values)")


def and3(*parts: Callable[[], bool | None]) -> bool | None:
    """SPARQL's &&: false && error is false, true && error is an error (None)."""
    error = False
    for part in parts:
        v = part()
        if v is None:
            error = True
        elif not v:
            return False
    return None if error else True


def or3(*parts: Callable[[], bool | None]) -> bool | None:
    """SPARQL's ||: true || error is true, false || error is an error (None)."""
    error = False
    for part in parts:
        v = part()
        if v is None:
            error = True
        elif v:
            return True
    return None if error else False


def not3(v: bool | None) -> bool | None:
    return None if v is None else not v


_EMPTY: frozenset[int] = frozenset()
_EMPTY_MAP: dict[int, set[int]] = {}


def compile_rule(where: Any, template: Sequence[Pattern], premises: Sequence[Pattern]) -> Plan:
    """The plan of a CONSTRUCT: its WHERE algebra (under its Project), the template it builds and
    the patterns whose triples are an answer's premises (`rules.load_rule` gives them), as one
    generated function of the index. Raises `Unsupported` for what it does not handle."""
    if isinstance(where, CompValue) and where.name == "Project":
        where = where["p"]
    steps, _bound = _compile(where, frozenset(), isolated=True)
    src = _Source()
    body = _steps(src, steps, _State({}), 1, lambda st, d: _answer(src, template, premises, st, d))
    prelude = ["def plan(index, K):", "    ALL = index.all", "    LITERALS = index.terms.literals",
               "    IRIS = index.terms.iris", "    out = []", "    add = out.append"]
    if src.constants:
        prelude.append("    " + ", ".join(f"K{i}" for i in range(len(src.constants))) + ", = K")
    for i in sorted(src.predicates):
        prelude.append(f"    O{i} = index.out.get(K{i}) or EMPTY_MAP")
        prelude.append(f"    I{i} = index.inn.get(K{i}) or EMPTY_MAP")
    text = "\n".join(prelude + [line for f in src.functions for line in f] + body + ["    return out", ""])
    scope: dict[str, Any] = {"EMPTY": _EMPTY, "EMPTY_MAP": _EMPTY_MAP, "clash": clash, "and3": and3, "or3": or3, "not3": not3}
    exec(compile(text, "<rule plan>", "exec"), scope)  # noqa: S102  # our own text, from the rule's algebra
    function = scope["plan"]
    constants = tuple(src.constants)

    def run(index: Index) -> Answers:
        intern = index.terms.intern
        answers: Answers = function(index, tuple(intern(t) for t in constants))
        return answers
    run.source = text  # type: ignore[attr-defined]  # for reading what a rule became
    return run

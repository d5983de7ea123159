"""Domain rules run as joins on the engine's own index instead of SPARQL.

A rule's WHERE clause (rdflib's algebra of the .rq file, which stays the source of truth) is compiled
into nested-loop joins over `owl_rl.Index` when it uses only what is listed here: basic graph
patterns with IRI predicates, joins, UNION, VALUES, and FILTERs of `=`, `!=`, `&&`, `||`, `!`,
EXISTS and NOT EXISTS. Anything else (OPTIONAL, paths, functions, a variable predicate ...) raises
`Unsupported` when the rule is loaded, and the rule runs through SPARQL as before. Comparing two
different literals (SPARQL compares their values) raises `Unsupported` while running: the rule then
runs through SPARQL for that round.

Why: reading each answer out of pyoxigraph costs microseconds, about as much as the join itself,
and the answers' terms are new objects that every later look-up must hash and compare in full.
Answers are as SPARQL gives them: one per solution (bag semantics), all variables bound by the
branch taken; their order may differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.plugins.sparql.parserutils import CompValue

from hubspoke.inference.owl_rl import Index, Term

Binding = dict[str, Term]
Rows = list[Binding]
Plan = Callable[[Index, Rows], Rows]  # all the answers that extend each given row, row by row
Test = Callable[[Index, Binding], bool]


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


def compile_where(node: Any) -> Callable[[Index], Rows]:
    """The plan of a CONSTRUCT's WHERE algebra (under its Project): every answer over an index."""
    if isinstance(node, CompValue) and node.name == "Project":
        node = node["p"]
    plan, _bound = _compile(node, frozenset(), isolated=True)
    return lambda index: plan(index, [{}])


def _compile(node: Any, bound: frozenset[str], isolated: bool,
             filters: tuple[tuple[Test, frozenset[str]], ...] = ()) -> tuple[Plan, frozenset[str]]:
    """The plan of `node` given the variables certainly bound on entry, and those bound on exit.
    `isolated`: the node is evaluated on its own (SPARQL's bottom-up scope), so a FILTER or UNION
    may only be reached with nothing bound (NOT EXISTS is the exception: it sees the outer row).
    `filters`: tests of a FILTER over this node, with the variables they read, for a basic graph
    pattern to apply as soon as those are bound (one NOT EXISTS per relationship, not per pair)."""
    if not isinstance(node, CompValue):
        raise Unsupported(repr(node))
    name = node.name
    if name == "BGP":
        return _bgp([tuple(_term(x) for x in t) for t in node["triples"]], bound, filters)
    if filters:  # only a BGP, or a join ending in one, takes filters (see Filter below)
        p1, after1 = _compile(node["p1"], bound, isolated)
        p2, after2 = _compile(node["p2"], after1, isolated, filters)
        return _join(p1, p2), after2
    if name == "Join":
        p1, after1 = _compile(node["p1"], bound, isolated)
        if isolated and node["p2"].name not in ("BGP", "ToMultiSet"):
            raise Unsupported("join with a group on its right")
        p2, after2 = _compile(node["p2"], after1, isolated)
        return _join(p1, p2), after2
    if name == "ToMultiSet" and node["p"].name == "values":
        rows = [{str(k): _term(v) for k, v in r.items()} for r in node["p"]["res"]]
        for r in rows:
            if any(isinstance(v, str) for v in r.values()):
                raise Unsupported("a variable in VALUES")
        common = frozenset.intersection(*(frozenset(r) for r in rows)) if rows else frozenset()
        return _values(rows), bound | common  # type: ignore[arg-type]
    if name == "Filter":
        if isolated and bound:
            raise Unsupported("filter inside a join")
        expr, inner = node["expr"], node["p"]
        parts = [expr["expr"], *(expr.get("other") or [])] if expr.name == "ConditionalAndExpression" else [expr]
        if inner.name == "BGP" or (inner.name == "Join" and inner["p2"].name == "BGP"):
            # every variable of the pattern is bound by its end: each conjunct is applied as soon as
            # the pattern's variables it reads are bound
            inner_vars = _variables(inner)
            tests = tuple((_expr(part, bound | inner_vars), frozenset(_variables(part) & inner_vars)) for part in parts)
            plan, after = _compile(inner, bound, isolated, tests)
            if not inner_vars <= after:  # a VALUES row leaves one unbound: not what tests assumed
                raise Unsupported("UNDEF in VALUES under a FILTER")
            return plan, after
        plan, after = _compile(inner, bound, isolated)
        return _filter(plan, [_expr(part, after) for part in parts]), after
    if name == "Union":
        if isolated and bound:
            raise Unsupported("union inside a join")
        p1, a1 = _compile(node["p1"], bound, isolated)
        p2, a2 = _compile(node["p2"], bound, isolated)
        return _union(p1, p2), a1 & a2
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


def _bgp(patterns: list[tuple[Term | str, ...]], bound: frozenset[str],
         filters: tuple[tuple[Test, frozenset[str]], ...] = ()) -> tuple[Plan, frozenset[str]]:
    """Patterns joined in a greedy order: next the one with most ends bound (a constant or a
    variable bound so far), the written order breaking ties; each filter right after the step that
    binds the last of its variables."""
    steps: list[Plan] = []
    left = list(patterns)
    known = bound
    waiting = list(filters)
    while True:
        ready = [t for t, needs in waiting if needs <= known]
        waiting = [(t, needs) for t, needs in waiting if not needs <= known]
        if ready:
            steps.append(_filter(_unit, ready))
        if not left:
            break

        def score(t: tuple[Term | str, ...], known: frozenset[str] = known) -> int:
            return sum(1 for x in (t[0], t[2]) if not isinstance(x, str) or x in known)
        best = max(range(len(left)), key=lambda i: (score(left[i]), -i))
        s, p, o = left.pop(best)
        if isinstance(p, str) or not isinstance(p, ox.NamedNode):
            raise Unsupported("a variable or non-IRI predicate")
        steps.append(_match(s, p, o, known))
        known = known | {x for x in (s, o) if isinstance(x, str)}
    if waiting:  # a test reading a variable the pattern may leave unbound: after everything
        steps.append(_filter(_unit, [t for t, _n in waiting]))

    def run(index: Index, rows: Rows) -> Rows:
        for step in steps:
            rows = step(index, rows)
            if not rows:
                break
        return rows
    return run, known


def _unit(index: Index, rows: Rows) -> Rows:
    return rows


def _match(s: Term | str, p: ox.NamedNode, o: Term | str, known: frozenset[str] | set[str]) -> Plan:
    """One triple pattern; which ends are bound is known when compiled, so each case is its own
    loop. A variable that is not known to be bound may still be, by one branch of a UNION: such
    rows are matched as bound."""
    s_var, o_var = isinstance(s, str), isinstance(o, str)
    s_in = s_var and s in known
    o_in = o_var and o in known

    def value(x: Term | str, row: Binding) -> Term | None:
        return row.get(x) if isinstance(x, str) else x

    if (not s_var or s_in) and (not o_var or o_in):
        def check(index: Index, rows: Rows) -> Rows:
            everything = index.all
            return [row for row in rows if (value(s, row), p, value(o, row)) in everything]
        return check
    if s_var and o_var and s == o:  # ?x p ?x
        name = s
        assert isinstance(name, str)

        def same(index: Index, rows: Rows) -> Rows:
            out: Rows = []
            by_s = index.out.get(p, {})
            for row in rows:
                if name in row:
                    out += _match(s, p, o, set(row))(index, [row])
                    continue
                out += [{**row, name: x} for x, os in by_s.items() if x in os]
            return out
        return same
    if not s_var or s_in:
        oname = o
        assert isinstance(oname, str)

        def forward(index: Index, rows: Rows) -> Rows:
            out: Rows = []
            objects = index.objects
            for row in rows:
                sv = value(s, row)
                if sv is None:
                    continue
                found = objects(sv, p)
                current = row.get(oname)
                if current is not None:
                    if current in found:
                        out.append(row)
                    continue
                out += [{**row, oname: x} for x in found]
            return out
        return forward
    sname = s
    assert isinstance(sname, str)
    if not o_var or o_in:
        def backward(index: Index, rows: Rows) -> Rows:
            out: Rows = []
            subjects = index.subjects
            for row in rows:
                ov = value(o, row)
                if ov is None:
                    continue
                found = subjects(p, ov)
                current = row.get(sname)
                if current is not None:
                    if current in found:
                        out.append(row)
                    continue
                out += [{**row, sname: x} for x in found]
            return out
        return backward
    oname2 = o
    assert isinstance(oname2, str)

    def scan(index: Index, rows: Rows) -> Rows:
        out: Rows = []
        pairs = [(x, y) for x, os in index.out.get(p, {}).items() for y in os]
        for row in rows:
            if sname in row or oname2 in row:
                out += _match(s, p, o, set(row))(index, [row])
                continue
            out += [{**row, sname: x, oname2: y} for x, y in pairs]
        return out
    return scan


def _join(p1: Plan, p2: Plan) -> Plan:
    return lambda index, rows: p2(index, p1(index, rows))


def _union(p1: Plan, p2: Plan) -> Plan:
    return lambda index, rows: p1(index, rows) + p2(index, rows)


def _values(table: list[dict[str, Term]]) -> Plan:
    def run(index: Index, rows: Rows) -> Rows:
        return [{**row, **r} for row in rows for r in table if all(row.get(k, v) == v for k, v in r.items())]
    return run


def _filter(inner: Plan, tests: list[Test]) -> Plan:
    def run(index: Index, rows: Rows) -> Rows:
        rows = inner(index, rows)
        for test in tests:
            rows = [r for r in rows if test(index, r)]
        return rows
    return run


class _Error(Exception):
    """A SPARQL expression error (an unbound variable): the filter is false."""


def _expr(e: Any, bound: frozenset[str]) -> Test:
    """A FILTER expression as a test of a row; an error (unbound variable) makes it false."""
    value = _value(e, bound)

    def test(index: Index, row: Binding) -> bool:
        try:
            return value(index, row) is True
        except _Error:
            return False
    return test


Value = Callable[[Index, Binding], object]


def _value(e: Any, bound: frozenset[str]) -> Value:
    if isinstance(e, (rdflib.Variable, rdflib.URIRef, rdflib.Literal)):
        x = _term(e)
        if isinstance(x, str):
            name = x

            def var(index: Index, row: Binding) -> object:
                v = row.get(name)
                if v is None:
                    raise _Error(name)
                return v
            return var
        return lambda index, row: x
    if not isinstance(e, CompValue):
        raise Unsupported(repr(e))
    name = e.name
    if name == "RelationalExpression" and e["op"] in ("=", "!="):
        left, right, negate = _value(e["expr"], bound), _value(e["other"], bound), e["op"] == "!="

        def compare(index: Index, row: Binding) -> object:
            a, b = left(index, row), right(index, row)
            if a == b:
                return not negate
            if isinstance(a, ox.Literal) and isinstance(b, ox.Literal):
                raise Unsupported("comparing two different literals (SPARQL compares values)")
            return negate  # different IRIs, blank nodes, or a literal and a non-literal
        return compare
    if name in ("ConditionalAndExpression", "ConditionalOrExpression"):
        parts = [_value(x, bound) for x in [e["expr"], *(e.get("other") or [])]]
        conjunction = name == "ConditionalAndExpression"

        def logic(index: Index, row: Binding) -> object:
            error = False
            for part in parts:  # SPARQL: false && error is false, true || error is true
                try:
                    v = part(index, row)
                except _Error:
                    error = True
                    continue
                if not isinstance(v, bool):
                    raise Unsupported("effective boolean value of a term")
                if v is not conjunction:
                    return v
            if error:
                raise _Error(name)
            return conjunction
        return logic
    if name == "UnaryNot":
        inner = _value(e["expr"], bound)

        def negation(index: Index, row: Binding) -> object:
            v = inner(index, row)
            if not isinstance(v, bool):
                raise Unsupported("effective boolean value of a term")
            return not v
        return negation
    if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        graph = e.graph  # rdflib keeps the translated pattern as an attribute, the parse as an item
        plan, _after = _compile(graph, bound, isolated=False)
        exists = name == "Builtin_EXISTS"

        def there(index: Index, row: Binding) -> object:
            return exists if plan(index, [row]) else not exists
        return there
    raise Unsupported(name)

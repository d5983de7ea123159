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

from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.plugins.sparql.parserutils import CompValue

from hubspoke.inference.owl_rl import Index, Term

Binding = dict[str, Term]
Plan = Callable[[Index, Binding], Iterator[Binding]]
Test = Callable[[Index, Binding], bool]


class Unsupported(Exception):
    """A construct the join compiler does not handle: run the rule through SPARQL."""


def _term(x: object) -> Term | str:
    """A pattern term: a pyoxigraph term, or a variable's name (a str that is not a term)."""
    if isinstance(x, rdflib.Variable):
        return str(x)
    if isinstance(x, rdflib.URIRef):
        return ox.NamedNode(str(x))
    if isinstance(x, rdflib.Literal):
        if x.language:
            return ox.Literal(str(x), language=x.language)
        return ox.Literal(str(x), datatype=ox.NamedNode(str(x.datatype)) if x.datatype else None)
    raise Unsupported(f"pattern term {x!r}")  # a blank node (a variable in SPARQL) or a path


def compile_where(node: Any) -> Plan:
    """The plan of a CONSTRUCT's WHERE algebra (under its Project)."""
    if isinstance(node, CompValue) and node.name == "Project":
        node = node["p"]
    plan, _bound = _compile(node, frozenset(), isolated=True)
    return plan


def _compile(node: Any, bound: frozenset[str], isolated: bool) -> tuple[Plan, frozenset[str]]:
    """The plan of `node` given the variables certainly bound on entry, and those bound on exit.
    `isolated`: the node is evaluated on its own (SPARQL's bottom-up scope), so a FILTER or UNION
    may only be reached with nothing bound (NOT EXISTS is the exception: it sees the outer row)."""
    if not isinstance(node, CompValue):
        raise Unsupported(repr(node))
    name = node.name
    if name == "BGP":
        return _bgp([tuple(_term(x) for x in t) for t in node["triples"]], bound)
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
        inner, after = _compile(node["p"], bound, isolated)
        test = _expr(node["expr"], after)
        return _filter(inner, test), after
    if name == "Union":
        if isolated and bound:
            raise Unsupported("union inside a join")
        p1, a1 = _compile(node["p1"], bound, isolated)
        p2, a2 = _compile(node["p2"], bound, isolated)
        return _union(p1, p2), a1 & a2
    raise Unsupported(name)


def _bgp(patterns: list[tuple[Term | str, ...]], bound: frozenset[str]) -> tuple[Plan, frozenset[str]]:
    """Patterns joined in a greedy order: next the one with most ends bound (a constant or a
    variable bound so far), the written order breaking ties."""
    steps: list[Plan] = []
    left = list(patterns)
    known = set(bound)
    while left:
        def score(t: tuple[Term | str, ...]) -> int:
            return sum(1 for x in (t[0], t[2]) if not isinstance(x, str) or x in known)
        best = max(range(len(left)), key=lambda i: (score(left[i]), -i))
        s, p, o = left.pop(best)
        if isinstance(p, str) or not isinstance(p, ox.NamedNode):
            raise Unsupported("a variable or non-IRI predicate")
        steps.append(_match(s, p, o, known))
        known = known | {x for x in (s, o) if isinstance(x, str)}
    plan: Plan = _unit
    for step in steps:
        plan = _join(plan, step)
    return plan, frozenset(known)


def _unit(index: Index, row: Binding) -> Iterator[Binding]:
    yield row


def _match(s: Term | str, p: ox.NamedNode, o: Term | str, known: set[str]) -> Plan:
    """One triple pattern; which ends are bound is known when compiled (an end bound on entry is read
    from the row), so each case is its own small loop."""
    s_var, o_var = isinstance(s, str), isinstance(o, str)
    s_in = s_var and s in known
    o_in = o_var and o in known
    if s_var and o_var and s == o and not s_in:  # ?x p ?x
        name = s
        assert isinstance(name, str)

        def same(index: Index, row: Binding) -> Iterator[Binding]:
            if name in row:
                yield from _match(s, p, o, set(row))(index, row)
                return
            for x, os in list(index.out.get(p, {}).items()):
                if x in os:
                    yield {**row, name: x}
        return same

    def value(x: Term | str, row: Binding) -> Term | None:
        return row.get(x) if isinstance(x, str) else x

    if (not s_var or s_in) and (not o_var or o_in):
        def check(index: Index, row: Binding) -> Iterator[Binding]:
            sv, ov = value(s, row), value(o, row)
            if sv is not None and ov is not None and (sv, p, ov) in index.all:
                yield row
        return check
    if not s_var or s_in:
        oname = o
        assert isinstance(oname, str)

        def forward(index: Index, row: Binding) -> Iterator[Binding]:
            sv = value(s, row)
            if sv is not None:
                found = index.objects(sv, p)
                current = row.get(oname)  # bound by one branch of a UNION: a check, not a loop
                if current is not None:
                    if current in found:
                        yield row
                    return
                for x in list(found):
                    yield {**row, oname: x}
        return forward
    sname = s
    assert isinstance(sname, str)
    if not o_var or o_in:
        def backward(index: Index, row: Binding) -> Iterator[Binding]:
            ov = value(o, row)
            if ov is not None:
                found = index.subjects(p, ov)
                current = row.get(sname)
                if current is not None:
                    if current in found:
                        yield row
                    return
                for x in list(found):
                    yield {**row, sname: x}
        return backward
    oname2 = o
    assert isinstance(oname2, str)

    def scan(index: Index, row: Binding) -> Iterator[Binding]:
        if sname in row or oname2 in row:  # bound by one branch of a UNION: match as bound
            yield from _match(s, p, o, set(row))(index, row)
            return
        for x, os in list(index.out.get(p, {}).items()):
            for y in list(os):
                yield {**row, sname: x, oname2: y}
    return scan


def _join(p1: Plan, p2: Plan) -> Plan:
    def run(index: Index, row: Binding) -> Iterator[Binding]:
        for r in p1(index, row):
            yield from p2(index, r)
    return run


def _union(p1: Plan, p2: Plan) -> Plan:
    def run(index: Index, row: Binding) -> Iterator[Binding]:
        yield from p1(index, row)
        yield from p2(index, row)
    return run


def _values(rows: list[dict[str, Term]]) -> Plan:
    def run(index: Index, row: Binding) -> Iterator[Binding]:
        for r in rows:
            if all(row.get(k, v) == v for k, v in r.items()):
                yield {**row, **r}
    return run


def _filter(inner: Plan, test: Test) -> Plan:
    def run(index: Index, row: Binding) -> Iterator[Binding]:
        for r in inner(index, row):
            if test(index, r):
                yield r
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
            for _ in plan(index, row):
                return exists
            return not exists
        return there
    raise Unsupported(name)

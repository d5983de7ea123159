"""The domain rules of ontology/rules/: one SPARQL CONSTRUCT per file, with a header comment.

Header: the file starts with comment lines; the first reads `# label: <short label>`, the rest say
what the rule means. A rule is run as joins over the engine's own index where `joins` can compile its
WHERE clause (every rule of ontology/rules/ today), else as a SELECT over the same WHERE clause
through pyoxigraph; either way, for every answer we know both the triples it constructs and its
premises: the triple patterns of the WHERE clause (outside FILTERs) with the answer's bindings.
Negated patterns (FILTER NOT EXISTS) are conditions, not premises, and are not recorded.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator
from operator import itemgetter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from hubspoke.inference.joins import Plan, Unsupported, compile_rule, constant
from hubspoke.inference.owl_rl import TermIndex
from hubspoke.inference.terms import Term, Triple

RULES_BASE = "https://w3id.org/hubspoke/rules/"
_TEMPLATE = re.compile(r"CONSTRUCT\s*\{[^{}]*\}", re.IGNORECASE)

Pattern = tuple[object, object, object]  # rdflib terms or variables


class RuleError(ValueError):
    """A rule file that cannot be used: no header, no CONSTRUCT, or bad SPARQL; names the file."""


@dataclass(frozen=True)
class Rule:
    """One domain rule: its IRI, label, meaning, the SELECT to run, what it builds and from what."""

    iri: str
    label: str
    comment: str
    path: Path
    select: str
    template: tuple[Compiled, ...]
    premises: tuple[Compiled, ...]
    values: tuple[tuple[str, frozenset[Term]], ...] = ()  # VALUES: variable -> the terms it takes
    plan: Plan | None = field(default=None, compare=False)  # the rule as joins over the engine's index; None: SPARQL


def _bgp_patterns(node: object) -> Iterator[Pattern]:
    """Triple patterns of an algebra tree, not looking inside filter expressions."""
    if isinstance(node, CompValue):
        if node.name == "BGP":
            yield from node["triples"]
            return
        for key, value in node.items():
            if key != "expr":
                yield from _bgp_patterns(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _bgp_patterns(item)


def _values(node: object) -> dict[str, set[Term]]:
    """The terms each variable takes in the query's VALUES blocks (all blocks together)."""
    found: dict[str, set[Term]] = {}
    if isinstance(node, CompValue):
        if node.name == "values":
            for binding in node["res"]:
                for var, term in binding.items():
                    compiled = compile_term(term)
                    if compiled is not None and not isinstance(compiled, Var):
                        found.setdefault(str(var), set()).add(compiled)
        for key, value in node.items():
            for var, terms in _values(value).items():
                found.setdefault(var, set()).update(terms)
    elif isinstance(node, (list, tuple)):
        for item in node:
            for var, terms in _values(item).items():
                found.setdefault(var, set()).update(terms)
    return found


def load_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lstrip("#").strip())
    if not header or not header[0].lower().startswith("label:"):
        raise RuleError(f"{path}: a rule starts with a comment line '# label: …'")
    label = header[0].split(":", 1)[1].strip()
    comment = " ".join(h for h in header[1:] if h)
    try:
        algebra = prepareQuery(text).algebra
    except Exception as error:  # rdflib raises pyparsing errors of several types
        raise RuleError(f"{path}: not SPARQL: {error}") from error
    if algebra.name != "ConstructQuery" or not _TEMPLATE.search(text):
        raise RuleError(f"{path}: a rule is one CONSTRUCT {{ … }} WHERE {{ … }} query")
    premises: tuple[Pattern, ...] = tuple(dict.fromkeys((t[0], t[1], t[2]) for t in _bgp_patterns(algebra["p"])))
    template: tuple[Pattern, ...] = tuple((t[0], t[1], t[2]) for t in algebra["template"])
    try:
        plan: Plan | None = compile_rule(algebra["p"], template, premises)
    except Unsupported:
        plan = None  # run through SPARQL
    return Rule(
        iri=RULES_BASE + path.stem,
        label=label,
        comment=comment,
        path=path,
        select=_TEMPLATE.sub("SELECT *", text, count=1),
        template=compile_patterns(template),
        premises=compile_patterns(premises),
        values=tuple((var, frozenset(terms)) for var, terms in sorted(_values(algebra["p"]).items())),
        plan=plan,
    )


def load_rules(folder: Path) -> list[Rule]:
    """Every rule of a folder, in file-name order."""
    return [load_rule(p) for p in sorted(folder.glob("*.rq"))] if folder.is_dir() else []


class Var(str):
    """A variable of a compiled pattern: the name of the answer column that binds it."""


CompiledTerm = Term | Var | None
Compiled = tuple[CompiledTerm, CompiledTerm, CompiledTerm]


def compile_term(term: object) -> CompiledTerm:
    """An rdflib pattern term as a pyoxigraph term or a variable, once per rule (not per answer)."""
    if isinstance(term, rdflib.Variable):
        return Var(str(term))
    return constant(term)  # None for a blank node or a property path: not a premise we can name


def compile_patterns(patterns: tuple[Pattern, ...]) -> tuple[Compiled, ...]:
    return tuple((compile_term(s), compile_term(p), compile_term(o)) for s, p, o in patterns)


def instantiate(patterns: tuple[Compiled, ...], row: ox.QuerySolution) -> list[Triple]:
    out = []
    for pattern in patterns:
        ts, tp, to = (row[x] if isinstance(x, Var) else x for x in pattern)
        if ts is not None and isinstance(tp, ox.NamedNode) and to is not None:
            out.append((ts, tp, to))
    return out


# A pattern with its variables as column numbers of the answer (None: not bound by this query).
Positioned = tuple[Term | int | None, Term | int | None, Term | int | None]


def _positions(patterns: tuple[Compiled, ...], columns: dict[str, int]) -> list[Positioned]:
    def at(x: CompiledTerm) -> Term | int | None:
        return columns.get(x) if isinstance(x, Var) else x

    return [(at(s), at(p), at(o)) for s, p, o in patterns]


def _bind(patterns: list[Positioned], values: tuple[Term | None, ...]) -> list[Triple]:
    """The patterns' triples under one answer (given as a tuple: indexing beats look-up by name)."""
    out: list[Triple] = []
    for ps, pp, po in patterns:
        s = values[ps] if isinstance(ps, int) else ps
        p = values[pp] if isinstance(pp, int) else pp
        o = values[po] if isinstance(po, int) else po
        if s is not None and isinstance(p, ox.NamedNode) and o is not None and not isinstance(s, ox.Literal):
            out.append((s, p, o))
    return out


def rule_inputs(rule: Rule) -> frozenset[Term] | None:
    """What the rule reads: the predicates of its premises, but for `?x a C` the class C (rdf:type
    itself only where the class is a variable); None when a premise has a variable predicate (then
    any change may matter). Compare with `changes`."""
    values = dict(rule.values)
    read: set[Term] = set()
    for _s, p, o in rule.premises:
        if not isinstance(p, ox.NamedNode):
            return None
        if p.value == _RDF_TYPE and isinstance(o, ox.NamedNode):
            read.add(o)
        elif p.value == _RDF_TYPE and isinstance(o, Var) and o in values:
            read |= values[o]  # `?x a ?kind` with ?kind from VALUES (taken over all the query's blocks)
        else:
            read.add(p)
    return frozenset(read)


def changes(triples: Iterable[Triple]) -> set[Term]:
    """What new triples change, in the terms of `rule_inputs`."""
    out: set[Term] = set()
    for _s, p, o in triples:
        if p.value == _RDF_TYPE:
            out.add(o)
        out.add(p)
    return out


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def apply_rule(rule: Rule, store: ox.Store, known: Container[Triple]) -> Iterator[tuple[Triple, tuple[Triple, ...]]]:
    """Every triple the rule constructs over the store, with the premises that gave it: one answer per
    rule instance, so a triple that several facts support comes once for each (all its derivations).
    Premises are the WHERE clause's patterns under the answer that are in `known` (a pattern of a
    UNION branch the answer did not take is not)."""
    solutions = store.query(rule.select)
    assert isinstance(solutions, ox.QuerySolutions), rule.iri  # load_rules made the CONSTRUCT a SELECT *
    columns = {v.value: i for i, v in enumerate(solutions.variables)}
    template = _positions(rule.template, columns)
    # the premises as one itemgetter over the answer plus the patterns' constants: C code, not a loop
    constants: list[Term | None] = []
    picks: list[int] = []
    width = len(columns)
    for pattern in _positions(rule.premises, columns):
        for x in pattern:
            if isinstance(x, int):
                picks.append(x)
            else:
                picks.append(width + len(constants))
                constants.append(x)
    premises_of = itemgetter(*picks) if picks else None  # picks come in threes: a tuple, never one item
    extra = tuple(constants)
    for row in solutions:
        values = tuple(row)
        made = _bind(template, values)
        if made:
            if premises_of is not None:
                flat = iter(premises_of(values + extra))
                used = tuple(t for t in zip(flat, flat, flat) if t in known)
            else:
                used = ()
            for t in made:
                yield t, used  # zip of three gives (s, p, o); `in known` keeps the real triples


def apply_plan(rule: Rule, index: TermIndex) -> list[tuple[Triple, tuple[Triple, ...]]]:
    """What `apply_rule` gives, from the rule's joins over a reasoner's index (rule.plan is set), in
    terms; the infer step calls `rule.plan` itself, in ids. Raises `Unsupported` where the rule
    needs SPARQL after all (see joins)."""
    assert rule.plan is not None, rule.iri
    as_triple = index.ids.terms.as_triple
    return [(as_triple(t), tuple(as_triple(p) for p in used)) for t, used in rule.plan(index.ids)]

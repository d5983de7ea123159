"""The domain rules of ontology/rules/: one SPARQL CONSTRUCT per file, with a header comment.

Header: the file starts with comment lines; the first reads `# label: <short label>`, the rest say
what the rule means. A rule is run as a SELECT over the same WHERE clause, so that for every answer
we know both the triples it constructs and its premises: the triple patterns of the WHERE clause
(outside FILTERs) with the answer's bindings. Negated patterns (FILTER NOT EXISTS) are conditions,
not premises, and are not recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from hubspoke.inference.owl_rl import Term, Triple

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
    premises = tuple(dict.fromkeys(_bgp_patterns(algebra["p"])))
    return Rule(
        iri=RULES_BASE + path.stem,
        label=label,
        comment=comment,
        path=path,
        select=_TEMPLATE.sub("SELECT *", text, count=1),
        template=compile_patterns(tuple(algebra["template"])),
        premises=compile_patterns(premises),
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
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    return None  # a blank node or a property path: not a premise we can name


def compile_patterns(patterns: tuple[Pattern, ...]) -> tuple[Compiled, ...]:
    return tuple((compile_term(s), compile_term(p), compile_term(o)) for s, p, o in patterns)


def instantiate(patterns: tuple[Compiled, ...], row: ox.QuerySolution) -> list[Triple]:
    out = []
    for pattern in patterns:
        ts, tp, to = (row[x] if isinstance(x, Var) else x for x in pattern)
        if ts is not None and isinstance(tp, ox.NamedNode) and to is not None:
            out.append((ts, tp, to))
    return out


def apply_rule(rule: Rule, store: ox.Store, known: set[Triple]) -> Iterator[tuple[Triple, tuple[Triple, ...]]]:
    """Every triple the rule constructs over the store, with the premises that gave it: one answer per
    rule instance, so a triple that several facts support comes once for each (all its derivations)."""
    solutions = store.query(rule.select)
    assert isinstance(solutions, ox.QuerySolutions), rule.iri  # load_rules made the CONSTRUCT a SELECT *
    for row in solutions:
        made = [t for t in instantiate(rule.template, row) if not isinstance(t[0], ox.Literal)]
        if made:
            premises = tuple(t for t in instantiate(rule.premises, row) if t in known)
            for t in made:
                yield t, premises

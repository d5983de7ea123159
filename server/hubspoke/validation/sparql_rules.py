"""The shapes' whole-graph SHACL-SPARQL rules, run by pyoxigraph instead of rdflib's SPARQL engine.

A whole-graph rule is a node shape with an sh:targetNode and an sh:sparql SELECT: it runs once over
the whole data graph, `$this` bound to the target node, and each solution is a violation whose
offending node is ?value (validation.validate_shacl reports it so). pyshacl evaluates these queries
with rdflib, which took ~6.5 of the ~9 s a write's validation took on the real graph (profiled on this
machine, loaded); pyoxigraph answers them in milliseconds. Everything else in the shapes still runs in
pyshacl. The results follow SHACL 1.0 section 5.3 as pyshacl applies it: `$this` pre-bound, one result
per distinct solution, the message's {?var}/{$var} filled with each binding's lexical form;
tests/test_validation.py checks that both engines report the same problems on every fixture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH


@dataclass(frozen=True)
class WholeGraphRule:
    shape: rdflib.URIRef
    target: str
    select: str
    prefixes: dict[str, str]
    messages: tuple[str, ...]


@dataclass(frozen=True)
class RuleViolation:
    shape: rdflib.URIRef
    this: str
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    path: str
    message: str


def _prefixes(shapes: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for source in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(source, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                out[str(prefix)] = str(namespace)
    return out


def split(shapes: rdflib.Graph) -> tuple[rdflib.Graph, list[WholeGraphRule]]:
    """The shapes without their whole-graph rules, and those rules. A shape that is anything more than
    a target node and SELECT constraints (other constraints, a severity other than Violation, a
    deactivation) stays with pyshacl, so nothing is judged differently."""
    rules: list[WholeGraphRule] = []
    moved: set[rdflib.URIRef] = set()
    simple = {rdflib.RDF.type, SH.targetNode, SH.sparql, SH.message, rdflib.RDFS.comment, rdflib.RDFS.label}
    for shape in set(shapes.subjects(SH.targetNode, None)):
        if not isinstance(shape, rdflib.URIRef) or set(shapes.predicates(shape, None)) - simple:
            continue
        targets = list(shapes.objects(shape, SH.targetNode))
        constraints = list(shapes.objects(shape, SH.sparql))
        found = []
        for constraint in constraints:
            select = shapes.value(constraint, SH.select)
            if select is None or set(shapes.predicates(constraint, None)) - {SH.prefixes, SH.message, SH.select,
                                                                              rdflib.RDF.type}:
                break
            messages = tuple(str(m) for m in shapes.objects(constraint, SH.message)) or tuple(
                str(m) for m in shapes.objects(shape, SH.message))
            for target in targets:
                if isinstance(target, rdflib.URIRef):
                    found.append(WholeGraphRule(shape, str(target), str(select), _prefixes(shapes, constraint),
                                                messages))
        else:
            if found and len(found) == len(constraints) * len(targets):
                rules += found
                moved.add(shape)
    if not moved:
        return shapes, []
    rest = rdflib.Graph()
    for prefix, namespace in shapes.namespaces():
        rest.bind(prefix, namespace)
    for triple in shapes:
        if triple[0] not in moved:
            rest.add(triple)
    return rest, sorted(rules, key=lambda r: (str(r.shape), r.target, r.select))


def _lexical(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else str(term)


def run(rules: list[WholeGraphRule], data: ox.Store) -> list[RuleViolation]:
    """Each rule's solutions over the store's default graph, as violations."""
    out: list[RuleViolation] = []
    this = ox.Variable("this")
    for rule in rules:
        target = ox.NamedNode(rule.target)
        solutions = data.query(rule.select, prefixes=rule.prefixes, substitutions={this: target})
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        seen: set[tuple[object, ...]] = set()
        for solution in solutions:
            bound = {name: solution[name] for name in names if solution[name] is not None}
            key = tuple(sorted((k, str(v)) for k, v in bound.items()))
            if key in seen:
                continue
            seen.add(key)
            bound.setdefault("this", target)
            message = min(rule.messages) if rule.messages else ""  # a shape with several: pyshacl's first, sorted
            for name, term in bound.items():
                text = _lexical(term)
                message = re.sub("{[?$]" + re.escape(name) + "}", lambda _m: text, message)  # noqa: B023 (used at once)
            value = bound.get("value")
            out.append(RuleViolation(rule.shape, _lexical(bound["this"]),
                                     value if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)) else None,
                                     _lexical(bound["path"]) if "path" in bound else "", message))
    return out

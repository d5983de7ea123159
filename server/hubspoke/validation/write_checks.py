"""The shapes over a write: only the nodes the write can affect, with the verdicts of a full run.

A write changes a few triples of the checked data (every graph but the shapes, inferred triples and
derivation records, taken as one set of triples). Shape results can change only for nodes near
those triples. When the shapes pyshacl runs read one step from their focus node (plain predicate
paths, node-level logical constraints, sh:class on a value - true of shapes/ today; the whole-graph
SPARQL rules run apart), the nodes a changed triple (s p o) can affect are s, o (sh:targetObjectsOf),
and, when p is rdf:type, every node with a value s (its sh:class checks read s's types). Otherwise the
write re-checks every node within HOPS steps of a changed triple (either direction). Either way it
keeps the previous problems of every other node and re-runs the whole-graph rules (cheap in
pyoxigraph) in full.
The whole check runs instead when that reasoning may not hold: a change to the ontology graph or to any
rdfs:subClassOf triple (which decide what the shapes target), a blank node among the changed or nearby nodes (pyshacl can only be
given IRIs as focus nodes, and only http(s), urn and file ones as IRIs), or too many nodes nearby to
gain anything.
tests/test_write_checks.py compares the verdicts with a full run over random writes to the real graph.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
import rdflib.collection
from rdflib.namespace import SH

from hubspoke import namespaces as ns
from hubspoke.validation import sparql_rules
from hubspoke.validation.problems import Problem, compact
from hubspoke.validation.shacl import validate_shacl

Key = tuple[str, ...]
HOPS = 3  # path steps a shape reads from its focus node, with a margin (the longest in shapes/ is 2)
MOST = 2000  # above this many nodes to re-check, the full run is as cheap

# Graphs the shapes do not judge: the shapes themselves and what inference derives from checked data.
UNCHECKED = frozenset({ns.SHAPES_GRAPH, ns.INFERRED_GRAPH, ns.DERIVATIONS_GRAPH})


# pyshacl takes any other focus IRI for a CURIE and expands it (or fails): such writes get the full check.
_PLAIN = ("http:", "https:", "urn:", "file:")


TYPE = ox.NamedNode(str(rdflib.RDF.type))
SUBCLASS = ox.NamedNode(str(rdflib.RDFS.subClassOf))


def problem_key(problem: Problem) -> Key:
    return (problem.rule, problem.focus, problem.path, problem.value, problem.message)


def checked_triples(store: ox.Store) -> set[ox.Triple]:
    """The data the shapes judge: every graph's triples but the unchecked graphs', as one set (read
    graph by graph, so the derivation records - most of the store - are never walked)."""
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += [g for g in store.named_graphs() if not (isinstance(g, ox.NamedNode) and g.value in UNCHECKED)]
    return {q.triple for g in graphs for q in store.quads_for_pattern(None, None, None, g)}


def _ontology(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ns.ONTOLOGY_GRAPH))}


@dataclass(frozen=True)
class PreparedShapes:
    """The shapes as pyshacl and sparql_rules take them, made once per set of shapes."""

    triples: frozenset[ox.Triple]
    graph: rdflib.Graph
    rest: rdflib.Graph
    rules: list[sparql_rules.WholeGraphRule]

    @property
    def rule_names(self) -> set[str]:
        return {compact(str(r.shape)) for r in self.rules}

    @functools.cached_property
    def one_step(self) -> bool:
        return reads_one_step(self.rest)


_FAR = {SH.property, SH.inversePath, SH.alternativePath, SH.zeroOrMorePath,
        SH.oneOrMorePath, SH.zeroOrOnePath}


def reads_one_step(shapes: rdflib.Graph) -> bool:
    """Whether every shape reads only its focus node's own triples and its values' types: plain paths,
    and shapes nested in logical constraints only at node level."""
    if any(not isinstance(o, rdflib.URIRef) for o in shapes.objects(None, SH.path)):
        return False
    if any((None, far, None) in shapes for far in (SH.node, SH.sparql, SH.targetNode)):
        return False
    for container, link, member_or_list in shapes.triples((None, None, None)):
        if link not in (SH["or"], SH["and"], SH.xone, SH["not"], SH.qualifiedValueShape):
            continue
        members = ([member_or_list] if link in (SH["not"], SH.qualifiedValueShape)
                   else list(rdflib.collection.Collection(shapes, member_or_list)))
        for member in members:
            reads = set(shapes.predicates(member, None))
            if reads & _FAR or reads & {SH["or"], SH["and"], SH.xone, SH["not"], SH.qualifiedValueShape}:
                return False
            if SH.path in reads and (container, SH.path, None) in shapes:
                return False  # a property's values checked for their own values: two steps
    # a property shape (the objects of sh:property) that has property shapes of its own reads two steps
    return not any((shape, SH.property, None) in shapes for shape in shapes.objects(None, SH.property))


def prepare(shapes: set[ox.Triple] | frozenset[ox.Triple], known: PreparedShapes | None = None) -> PreparedShapes:
    """`known` again when it holds these very shapes, else the shapes prepared anew."""
    if known is not None and known.triples == shapes:
        return known
    from hubspoke.rdf_bridge import to_rdflib

    graph = to_rdflib(list(shapes))
    rest, rules = sparql_rules.split(graph)
    return PreparedShapes(frozenset(shapes), graph, rest, rules)


def full_problems(triples: Iterable[ox.Triple], shapes: set[ox.Triple] | PreparedShapes) -> list[Problem]:
    from hubspoke.rdf_bridge import to_rdflib

    prepared = shapes if isinstance(shapes, PreparedShapes) else prepare(shapes)
    triples = list(triples)
    data = ox.Store()
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return validate_shacl(to_rdflib(triples), prepared.graph, store=data, split=(prepared.rest, prepared.rules))


@dataclass(frozen=True)
class Verdict:
    new: list[Problem]  # problems the write brings (not in the baseline)
    keys: set[Key]  # every problem of the data after the write: the next write's baseline
    focus_nodes: int  # how many nodes were re-checked (-1: the whole check ran)


def _nearby(seeds: set[ox.NamedNode | ox.BlankNode], triples: set[ox.Triple],
            vocabulary: set[ox.NamedNode | ox.BlankNode]) -> set[ox.NamedNode | ox.BlankNode]:
    """The nodes within HOPS steps of the seeds, walking triples either way; never through vocabulary
    terms (classes, properties, the ontology's named values), which touch everything and are not data."""
    links: dict[ox.NamedNode | ox.BlankNode, set[ox.NamedNode | ox.BlankNode]] = {}
    for t in triples:
        o = t.object
        if isinstance(o, (ox.NamedNode, ox.BlankNode)) and isinstance(t.subject, (ox.NamedNode, ox.BlankNode)):
            links.setdefault(t.subject, set()).add(o)
            links.setdefault(o, set()).add(t.subject)
    found, frontier = set(seeds), set(seeds)
    for _ in range(HOPS):
        step: set[ox.NamedNode | ox.BlankNode] = set()
        for node in frontier:
            if node in vocabulary:
                continue
            step |= links.get(node, set()) - found
        found |= step
        frontier = step
        if len(found) > MOST:
            break
    return found


def check_write(before: ox.Store, after: ox.Store, shapes: set[ox.Triple] | PreparedShapes,
                baseline: set[Key]) -> Verdict:
    """The shapes' verdict on a write from `before` to `after`, judged against `baseline` (the problems
    `before` had)."""
    shapes = shapes if isinstance(shapes, PreparedShapes) else prepare(shapes)
    old, new = checked_triples(before), checked_triples(after)
    changed = old ^ new
    if not changed:
        return Verdict([], set(baseline), 0)
    if _ontology(before) != _ontology(after):
        return _full(new, shapes, baseline)
    if any(t.predicate == SUBCLASS for t in changed):
        return _full(new, shapes, baseline)
    seeds: set[ox.NamedNode | ox.BlankNode] = set()
    typed: set[ox.NamedNode | ox.BlankNode] = set()
    for t in changed:
        seeds.add(t.subject)  # type: ignore[arg-type]  # (RDF-star subjects never reach a checked write)
        if isinstance(t.object, (ox.NamedNode, ox.BlankNode)):
            seeds.add(t.object)
        if t.predicate == TYPE:
            typed.add(t.subject)  # type: ignore[arg-type]
    focus: set[ox.NamedNode | ox.BlankNode]
    if shapes.one_step:
        focus = seeds | {t.subject for t in old | new
                         if t.object in typed and isinstance(t.subject, (ox.NamedNode, ox.BlankNode))}
    else:
        vocabulary = {t.subject for t in _ontology(after) if isinstance(t.subject, (ox.NamedNode, ox.BlankNode))}
        vocabulary.add(TYPE)
        focus = _nearby(seeds, old | new, vocabulary)
    if len(focus) > MOST or not all(isinstance(n, ox.NamedNode) and n.value.lower().startswith(_PLAIN)
                                     for n in focus):
        return _full(new, shapes, baseline)
    if (None, SH.targetNode, None) in shapes.rest:  # a whole-graph rule pyshacl keeps: it targets no data node
        return _full(new, shapes, baseline)
    from hubspoke.rdf_bridge import to_rdflib

    data = ox.Store()
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in new)
    # One-step shapes read nothing of the data beyond the focus nodes' own triples, the triples pointing at
    # them, their values' types and the class hierarchy: pyshacl gets just those (converting all of the
    # data to rdflib was most of a write's check).
    read = _read_by_one_step(new, focus) if shapes.one_step else new
    found = validate_shacl(to_rdflib(list(read)), shapes.graph, store=data, split=(shapes.rest, shapes.rules),
                           focus=[str(n.value) for n in focus])
    names = {n.value for n in focus}
    rule_names = shapes.rule_names
    kept = {k for k in baseline if k[1] not in names and k[0] not in rule_names}
    keys = kept | {problem_key(p) for p in found}
    return Verdict([p for p in found if problem_key(p) not in baseline], keys, len(focus))


def _read_by_one_step(triples: set[ox.Triple], focus: set[ox.NamedNode | ox.BlankNode]) -> set[ox.Triple]:
    own = {t for t in triples if t.subject in focus or t.object in focus or t.predicate == SUBCLASS}
    values = {t.object for t in own if t.subject in focus}
    return own | {t for t in triples if t.predicate == TYPE and t.subject in values}


def _full(triples: set[ox.Triple], shapes: PreparedShapes, baseline: set[Key]) -> Verdict:
    after = full_problems(triples, shapes)
    return Verdict([p for p in after if problem_key(p) not in baseline], {problem_key(p) for p in after}, -1)

"""A write is checked only on the nodes it can affect (hubspoke/validation/write_checks.py): its verdict - the
problems it brings and the problems the data has afterwards - must be the verdict of a full run of the
shapes. Random writes to the real built graph, of the kinds curators and clients make: a statement
removed, a value replaced by a wrong one, a type changed, a new fact with parts missing."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from hubspoke import namespaces as ns
from hubspoke.build import BuildReport
from hubspoke.config import ProjectPaths
from hubspoke.store import EmbeddedStore
from hubspoke.validation.write_checks import (PreparedShapes, check_write, checked_triples, full_problems, prepare,
                                   problem_key)

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FACTS = ox.NamedNode(ns.FACTS_GRAPH)
HS = ns.HS


def _copy(store: ox.Store) -> ox.Store:
    out = ox.Store()
    out.bulk_extend(iter(store))
    return out


def _writes(store: ox.Store, count: int, seed: int) -> list[tuple[str, list[ox.Quad], list[ox.Quad]]]:
    """(what, quads removed, quads added), drawn from the graph's own facts."""
    rng = random.Random(seed)
    facts = sorted(store.quads_for_pattern(None, None, None, FACTS), key=str)
    nodes = sorted({q.subject for q in facts if isinstance(q.subject, ox.NamedNode)}, key=str)
    classes = sorted({q.object for q in facts if q.predicate == RDF_TYPE}, key=str)
    out: list[tuple[str, list[ox.Quad], list[ox.Quad]]] = []
    for i in range(count):
        kind = ["remove", "wrong value", "retype", "untype", "half fact", "literal for a node"][i % 6]
        quad = rng.choice(facts)
        if kind == "remove":
            out.append((f"remove {quad}", [quad], []))
        elif kind == "wrong value":
            other = rng.choice(facts)
            out.append((f"{quad.predicate} of {quad.subject} := {other.object}", [quad],
                        [ox.Quad(quad.subject, quad.predicate, other.object, FACTS)]))
        elif kind == "retype":
            node = rng.choice(nodes)
            out.append((f"{node} a another class", list(store.quads_for_pattern(node, RDF_TYPE, None, FACTS)),
                        [ox.Quad(node, RDF_TYPE, rng.choice(classes), FACTS)]))
        elif kind == "untype":
            node = rng.choice(nodes)
            out.append((f"{node} untyped", list(store.quads_for_pattern(node, RDF_TYPE, None, FACTS)), []))
        elif kind == "half fact":
            new = ox.NamedNode(f"https://w3id.org/hubspoke/id/test-fact-{i}")
            out.append((f"half fact {new}", [], [
                ox.Quad(new, RDF_TYPE, rng.choice(classes), FACTS),
                ox.Quad(new, ox.NamedNode(HS + "hasParty"), rng.choice(nodes), FACTS)]))
        else:
            out.append((f"{quad.predicate} of {quad.subject} := a literal", [],
                        [ox.Quad(quad.subject, quad.predicate, ox.Literal("not a node"), FACTS)]))
    return out


@pytest.mark.parametrize(("seed", "one_step"), [(1, True), (2, False)])
def test_a_write_is_judged_as_a_full_run_would(built: tuple[ProjectPaths, BuildReport], seed: int, one_step: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of finding the nodes to re-check: the one-step reading the real shapes allow, and the
    walk of HOPS steps used for shapes that read further."""
    assert prepare({q.triple for q in EmbeddedStore.from_file(built[0].dataset_file).oxigraph.quads_for_pattern(
        None, None, None, ox.NamedNode(ns.SHAPES_GRAPH))}).one_step
    if not one_step:
        monkeypatch.setattr(PreparedShapes, "one_step", property(lambda self: False))
    before = EmbeddedStore.from_file(built[0].dataset_file).oxigraph
    shapes = {q.triple for q in before.quads_for_pattern(None, None, None, ox.NamedNode(ns.SHAPES_GRAPH))}
    baseline = {problem_key(p) for p in full_problems(checked_triples(before), shapes)}
    focused = 0
    for what, removed, added in _writes(before, 8 if one_step else 6, seed):
        after = _copy(before)
        for quad in removed:
            after.remove(quad)
        after.extend(added)
        verdict = check_write(before, after, shapes, baseline)
        full = {problem_key(p) for p in full_problems(checked_triples(after), shapes)}
        assert verdict.keys == full, what
        assert {problem_key(p) for p in verdict.new} == full - baseline, what
        focused += verdict.focus_nodes >= 0
    # Most writes took the focused path (near the hubs, 3 steps reach most of the graph and the walk gives
    # up): the test compares the focused verdict with the full one, not the full run with itself.
    assert focused >= (4 if one_step else 2)


def test_a_change_to_the_ontology_runs_the_whole_check(built: tuple[ProjectPaths, BuildReport]) -> None:
    before = EmbeddedStore.from_file(built[0].dataset_file).oxigraph
    shapes = {q.triple for q in before.quads_for_pattern(None, None, None, ox.NamedNode(ns.SHAPES_GRAPH))}
    after = _copy(before)
    after.add(ox.Quad(ox.NamedNode(HS + "NewKind"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                      ox.NamedNode(HS + "Alliance"), ox.NamedNode(ns.ONTOLOGY_GRAPH)))
    baseline = {problem_key(p) for p in full_problems(checked_triples(before), shapes)}
    assert check_write(before, after, shapes, baseline).focus_nodes == -1


def test_an_iri_pyshacl_would_read_as_a_curie_gets_the_whole_check(built: tuple[ProjectPaths, BuildReport]) -> None:
    before = EmbeddedStore.from_file(built[0].dataset_file).oxigraph
    shapes = {q.triple for q in before.quads_for_pattern(None, None, None, ox.NamedNode(ns.SHAPES_GRAPH))}
    after = _copy(before)
    after.add(ox.Quad(ox.NamedNode("javascript:x"), ox.NamedNode("http://example.org/p"), ox.Literal("1"), FACTS))
    baseline = {problem_key(p) for p in full_problems(checked_triples(before), shapes)}
    verdict = check_write(before, after, shapes, baseline)
    assert verdict.focus_nodes == -1
    assert verdict.keys == {problem_key(p) for p in full_problems(checked_triples(after), shapes)}
    assert verdict.new  # the IRI scheme rule refuses it


@pytest.mark.parametrize(("extra", "one_step"), [
    ("", True),
    ("ex:S sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .", False),  # a sequence path
    ("ex:S sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1 ] .", False),
    ("ex:S sh:property [ sh:path ex:p ; sh:node ex:T ] .", False),  # the value's own shape: two steps
    ("ex:S sh:property [ sh:path ex:p ; sh:or ( [ sh:path ex:q ; sh:minCount 1 ] ) ] .", False),
    ("ex:S sh:or ( [ sh:path ex:q ; sh:minCount 1 ] [ sh:path ex:r ; sh:minCount 1 ] ) .", True),  # node level
    ("ex:S sh:property [ sh:path ex:p ; sh:class ex:C ] .", True),  # the value's types: the rdf:type rule
])
def test_what_counts_as_reading_one_step(extra: str, one_step: bool) -> None:
    import rdflib

    text = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:datatype ex:D ] .\n" + extra)
    triples = {q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)}
    assert prepare(triples).one_step is one_step
    del rdflib

"""The domain rules run as joins on the engine's index give what SPARQL gives: the same answers (rule
instance by rule instance, with their premises), and SPARQL still runs what the compiler leaves."""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from hubspoke import namespaces as ns
from hubspoke.inference.materialise import as_tuple, infer
from hubspoke.inference.owl_rl import Reasoner
from hubspoke.inference.rules import Rule, apply_plan, apply_rule, load_rule, load_rules
from hubspoke.loading import load_folder, parse_turtle_file

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules(ROOT / "ontology" / "rules")
CASES = sorted(p for p in Path(__file__).parent.glob("rule-*") if (p / "input.ttl").exists())


@functools.cache
def closed(case: Path) -> Reasoner:
    data = [as_tuple(t) for t in parse_turtle_file(case / "input.ttl")]
    ontology = [as_tuple(t) for f in load_folder(ROOT / "ontology", ns.ONTOLOGY_GRAPH) for t in f.triples]
    reasoner = Reasoner(data + ontology)
    reasoner.run()
    return reasoner


def test_every_project_rule_compiles() -> None:
    assert RULES and all(rule.plan is not None for rule in RULES)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.path.stem)
def test_joins_give_the_answers_sparql_gives(rule: Rule, case: Path) -> None:
    reasoner = closed(case)
    store = ox.Store()
    store.bulk_extend(ox.Quad(*t) for t in reasoner.index.all)  # type: ignore[misc]
    by_sparql = Counter((t, frozenset(p)) for t, p in apply_rule(rule, store, reasoner.index.all))
    by_joins = Counter((t, frozenset(p)) for t, p in apply_plan(rule, reasoner.index))
    assert by_joins == by_sparql


def test_whole_step_agrees_with_sparql_rules() -> None:
    case = Path(__file__).parent / "rule-participates-with"
    inputs = {ns.FACTS_GRAPH: parse_turtle_file(case / "input.ttl"),
              ns.ONTOLOGY_GRAPH: [t for f in load_folder(ROOT / "ontology", ns.ONTOLOGY_GRAPH) for t in f.triples]}
    joins = infer(inputs, RULES)
    sparql = infer(inputs, [dataclasses.replace(r, plan=None) for r in RULES])
    assert set(joins.inferred) == set(sparql.inferred)
    assert joins.per_rule == sparql.per_rule
    assert len(joins.derivations) == len(joins.records or ()) == len(sparql.derivations)


def test_what_the_compiler_leaves_runs_through_sparql(tmp_path: Path) -> None:
    path = tmp_path / "optional.rq"
    path.write_text("# label: optional\n# Uses OPTIONAL, which the join compiler leaves to SPARQL.\n"
                    "PREFIX hs: <https://w3id.org/hubspoke/ontology/>\n"
                    "CONSTRUCT { ?a hs:participatesWith ?b } WHERE { ?r hs:hasParty ?a , ?b OPTIONAL { ?r hs:modality ?m } "
                    "FILTER(?a != ?b && !BOUND(?m)) }\n", encoding="utf-8")
    rule = load_rule(path)
    assert rule.plan is None
    s = "https://w3id.org/hubspoke/id/"
    party = ox.NamedNode(ns.HS + "hasParty")
    data = [ox.Triple(ox.NamedNode(s + "r"), party, ox.NamedNode(s + x)) for x in ("a", "b")]
    result = infer({ns.FACTS_GRAPH: data}, [rule])
    assert ox.Triple(ox.NamedNode(s + "a"), ox.NamedNode(ns.HS + "participatesWith"), ox.NamedNode(s + "b")) in result.inferred


def test_comparing_two_literals_falls_back_to_sparql(tmp_path: Path) -> None:
    """SPARQL compares literals by value ("1"^^xsd:integer = "01"^^xsd:integer): the joins leave that
    to SPARQL while running."""
    path = tmp_path / "same-size.rq"
    path.write_text("# label: same size\n# Two things of equal size.\n"
                    "PREFIX ex: <https://example.org/>\n"
                    "CONSTRUCT { ?a ex:sameSizeAs ?b } WHERE { ?a ex:size ?x . ?b ex:size ?y FILTER(?a != ?b && ?x = ?y) }\n",
                    encoding="utf-8")
    rule = load_rule(path)
    assert rule.plan is not None
    ex = "https://example.org/"
    size = ox.NamedNode(ex + "size")
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    data = [ox.Triple(ox.NamedNode(ex + "a"), size, ox.Literal("1", datatype=integer)),
            ox.Triple(ox.NamedNode(ex + "b"), size, ox.Literal("01", datatype=integer))]
    result = infer({ns.FACTS_GRAPH: data}, [rule])
    assert ox.Triple(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "sameSizeAs"), ox.NamedNode(ex + "b")) in result.inferred

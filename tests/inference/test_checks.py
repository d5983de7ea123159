"""The engine's part in validation: constructs it does not reason with are named with their file and
line, and its clashes become problems (only when the other checks found none)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.build import owl_rl_problems
from hubspoke.inference.checks import unsupported_problems
from hubspoke.loading import parse_turtle_file
from hubspoke.validation import Problem

ONTOLOGY = """@prefix hs: <https://w3id.org/hubspoke/ontology/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
hs:alliedWith a owl:ObjectProperty , owl:IrreflexiveProperty .
hs:Alliance a owl:Class .
hs:Alliance owl:equivalentClass [ a owl:Restriction ; owl:onProperty hs:hasParty ;
    owl:minCardinality "2"^^xsd:nonNegativeInteger ] .
"""


def test_an_unsupported_construct_is_named_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ontology" / "core.ttl"
    path.parent.mkdir()
    path.write_text(ONTOLOGY, encoding="utf-8")
    problems = unsupported_problems(parse_turtle_file(path), [path], tmp_path)
    assert [(p.rule, p.where) for p in problems] == [("owl-rl:unsupported", "ontology/core.ttl:7")]
    assert problems[0].message.startswith("owl:minCardinality is outside OWL 2 RL")


def test_the_real_ontology_uses_nothing_out_of_scope(project_root: Path) -> None:
    files = sorted((project_root / "ontology").glob("*.ttl"))
    triples = [t for f in files for t in parse_turtle_file(f)]
    assert unsupported_problems(triples, files, project_root) == []


def test_clashes_become_problems_when_nothing_else_is_wrong() -> None:
    graphs = {
        ns.ONTOLOGY_GRAPH: [ox.Triple(ox.NamedNode(ns.HS + "alliedWith"), ox.NamedNode(ns.PREFIXES["rdf"] + "type"),
                                      ox.NamedNode("http://www.w3.org/2002/07/owl#IrreflexiveProperty"))],
        ns.FACTS_GRAPH: [ox.Triple(ox.NamedNode(ns.HSI + "japan"), ox.NamedNode(ns.HS + "alliedWith"), ox.NamedNode(ns.HSI + "japan"))],
    }
    problems = owl_rl_problems(graphs, None, [], None)
    assert [(p.rule, p.focus, p.path) for p in problems] == [("owl-rl:prp-irp", ns.HSI + "japan", ns.HS + "alliedWith")]
    assert "irreflexive" in problems[0].message
    other = Problem("owl:IrreflexiveProperty", ns.HSI + "japan", "found by HermiT", check="owl")
    assert owl_rl_problems(graphs, None, [other], None) == []

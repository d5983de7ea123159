"""The whole-graph SHACL-SPARQL rules run by pyoxigraph (hubspoke/sparql_rules.py) report exactly what
pyshacl reports when it runs them itself: same problems, same messages, on every validation fixture
(each breaks a shape or rule on purpose) and on the real curated files."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from hubspoke import namespaces as ns
from hubspoke.validation import sparql_rules
from hubspoke.build import assemble
from hubspoke.config import ProjectPaths
from hubspoke.rdf_bridge import to_rdflib
from hubspoke.validation import validate_shacl
from tests.test_validation import CASES, ROOT, make_project


def _both(paths: ProjectPaths) -> tuple[list[str], list[str]]:
    graphs, _files = assemble(paths, "0.0.0")
    data = to_rdflib([*graphs[ns.ONTOLOGY_GRAPH], *graphs[ns.FACTS_GRAPH], *graphs.get(ns.LINKS_GRAPH, [])])
    shapes = to_rdflib(graphs[ns.SHAPES_GRAPH])
    ours = validate_shacl(data, shapes)
    theirs = validate_shacl(data, shapes, rules_in_oxigraph=False)
    return sorted(map(repr, ours)), sorted(map(repr, theirs))


@pytest.mark.parametrize("case", CASES)
def test_same_problems_as_pyshacl_on_every_fixture(case: str, tmp_path: Path) -> None:
    ours, theirs = _both(make_project(case, tmp_path))
    assert ours == theirs


def test_same_problems_as_pyshacl_on_the_real_files(tmp_path: Path) -> None:
    ours, theirs = _both(ProjectPaths.at(ROOT, build_dir=tmp_path / "build"))
    assert ours == theirs


def test_the_real_shapes_have_whole_graph_rules_and_they_all_move() -> None:
    shapes = rdflib.Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    rest, rules = sparql_rules.split(shapes)
    targeted = {s for s in shapes.subjects(SH.targetNode, None) if (s, SH.sparql, None) in shapes}
    assert targeted and {r.shape for r in rules} == targeted  # else the speed-up silently shrinks
    assert not any((s, None, None) in rest for s in targeted)
    assert len(rest) < len(shapes)


def test_a_rule_with_more_than_a_select_stays_with_pyshacl() -> None:
    shapes = rdflib.Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:Plain a sh:NodeShape ; sh:targetNode ex:T ; sh:sparql [ sh:select "SELECT $this ?value WHERE { ?value ex:p 1 }" ] .
        ex:Warning a sh:NodeShape ; sh:targetNode ex:T ; sh:severity sh:Warning ;
            sh:sparql [ sh:select "SELECT $this ?value WHERE { ?value ex:p 2 }" ] .
    """)
    rest, rules = sparql_rules.split(shapes)
    assert [str(r.shape) for r in rules] == ["http://example.org/Plain"]
    assert (rdflib.URIRef("http://example.org/Warning"), SH.severity, SH.Warning) in rest

"""Inference as data: each case in tests/inference/ is an input beside the triples it must infer and
those it must not; owlrl is the oracle for the OWL 2 RL rules both engines support; every inferred
triple is explained by a derivation record that reaches the source quotations."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
import rdflib

from hubspoke import namespaces as ns
from hubspoke.build import BuildReport
from hubspoke.rdf_bridge import to_oxigraph
from hubspoke.config import ProjectPaths
from hubspoke.inference.compare import comparable
from hubspoke.inference.materialise import Inference, as_tuple, infer
from hubspoke.inference.owl_rl import Reasoner, Triple
from hubspoke.inference.rules import RuleError, load_rule, load_rules
from hubspoke.loading import load_folder, parse_turtle_file
from hubspoke.store import EmbeddedStore

CASES = Path(__file__).parent / "inference"
ROOT = Path(__file__).resolve().parents[1]
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "input.ttl").exists())
RDF = str(rdflib.RDF)


def triples(path: Path) -> set[Triple]:
    return {as_tuple(t) for t in parse_turtle_file(path)}


def run_case(case: Path) -> tuple[set[Triple], Inference]:
    """owl-rl-* cases carry their own axioms; rule-* cases run with the project's ontology and rules."""
    data = parse_turtle_file(case / "input.ttl")
    inputs: dict[str, list[ox.Triple]] = {ns.FACTS_GRAPH: data}
    rules = []
    if case.name.startswith("rule-"):
        inputs[ns.ONTOLOGY_GRAPH] = [t for f in load_folder(ROOT / "ontology", ns.ONTOLOGY_GRAPH) for t in f.triples]
        rules = load_rules(ROOT / "ontology" / "rules")
    asserted = {as_tuple(t) for ts in inputs.values() for t in ts}
    return asserted, infer(inputs, rules)


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_case_infers_exactly_what_it_must(case: Path) -> None:
    asserted, result = run_case(case)
    inferred = {as_tuple(t) for t in result.inferred}
    must = triples(case / "must-infer.ttl")
    must_not = triples(case / "must-not-infer.ttl")
    assert must and must_not, "a case states both what must and what must not follow"
    assert must - inferred == set(), "expected inferences missing"
    assert must & asserted == set(), "a must-infer triple is already asserted: the case tests nothing"
    assert must_not & (inferred | asserted) == set(), "inferred what must not follow"


def test_every_rule_has_a_case_and_a_header() -> None:
    rules = load_rules(ROOT / "ontology" / "rules")
    assert {r.path.stem for r in rules} == {c.name.removeprefix("rule-") for c in CASE_DIRS if c.name.startswith("rule-")}
    for rule in rules:
        assert rule.label and len(rule.comment) > 80, f"{rule.path.name}: header must say what the rule means"
        assert rule.premises, f"{rule.path.name}: no premises found"


def test_a_rule_without_label_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "no-label.rq"
    bad.write_text("# something\nCONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c }\n", encoding="utf-8")
    with pytest.raises(RuleError, match="no-label.rq: a rule starts with a comment line"):
        load_rule(bad)
    select = tmp_path / "select.rq"
    select.write_text("# label: x\nSELECT * WHERE { ?a ?b ?c }\n", encoding="utf-8")
    with pytest.raises(RuleError, match="one CONSTRUCT"):
        load_rule(select)


def test_same_entailments_as_owlrl() -> None:
    """owlrl's DeductiveClosure(OWLRL_Semantics) as the oracle, on all owl-rl cases together plus
    domain and range axioms (our engine runs them only when asked)."""
    text = "\n".join((c / "input.ttl").read_text(encoding="utf-8") for c in CASE_DIRS if c.name.startswith("owl-rl-"))
    text += "\n@prefix ex: <http://example.org/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" \
        "ex:hosts rdfs:domain ex:Host . ex:hostedBy rdfs:range ex:Host . ex:Host rdfs:subClassOf ex:Actor .\n"
    graph = rdflib.Graph().parse(data=text, format="turtle")
    asserted = {as_tuple(t) for t in to_oxigraph(graph)}
    ours = Reasoner(asserted, domain_range=True)
    ours.run()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    oracle = {t for t in (as_tuple(x) for x in to_oxigraph_lenient(graph))}
    mine = set(ours.index.all)
    assert comparable(mine) == comparable(oracle)
    assert (ox.NamedNode("http://example.org/japan"), ox.NamedNode(RDF + "type"), ox.NamedNode("http://example.org/Actor")) in comparable(mine)


def to_oxigraph_lenient(graph: rdflib.Graph) -> list[ox.Triple]:
    """owlrl writes triples with literal subjects, which are not RDF; leave those out."""
    kept = rdflib.Graph()
    for s, p, o in graph:
        if not isinstance(s, rdflib.Literal):
            kept.add((s, p, o))
    return to_oxigraph(kept)


def test_domain_and_range_are_off_in_the_build() -> None:
    data = {as_tuple(t) for t in parse_turtle_file(CASES / "rule-allied-with" / "input.ttl")}
    data.add((ox.NamedNode(ns.HSI + "summit"), ox.NamedNode(ns.HS + "hasHost"), ox.NamedNode(ns.HSI + "someone")))
    ontology = {as_tuple(t) for f in load_folder(ROOT / "ontology", ns.ONTOLOGY_GRAPH) for t in f.triples}
    reasoner = Reasoner(data | ontology)
    reasoner.run()
    party_is_actor = (ox.NamedNode(ns.HSI + "someone"), ox.NamedNode(RDF + "type"), ox.NamedNode(ns.HS + "Actor"))
    assert party_is_actor not in reasoner.index.all  # hs:hasHost's range would give it
    with_ranges = Reasoner(data | ontology, domain_range=True)
    with_ranges.run()
    assert party_is_actor in with_ranges.index.all


def test_consistency_rules_find_clashes() -> None:
    text = """@prefix ex: <http://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ex:Alliance owl:disjointWith ex:Partnership . ex:alliedWith a owl:IrreflexiveProperty .
    ex:x a ex:Alliance , ex:Partnership . ex:japan ex:alliedWith ex:japan ."""
    graph = rdflib.Graph().parse(data=text, format="turtle")
    reasoner = Reasoner({as_tuple(t) for t in to_oxigraph(graph)})
    reasoner.run()
    assert sorted(c.rule for c in reasoner.check()) == ["cax-dw", "prp-irp"]


def derivation_store(case: str) -> EmbeddedStore:
    asserted, result = run_case(CASES / case)
    store = ox.Store()
    store.extend(ox.Quad(*t, ox.NamedNode(ns.FACTS_GRAPH)) for t in asserted)  # type: ignore[misc]
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(ns.INFERRED_GRAPH)) for t in result.inferred)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(ns.DERIVATIONS_GRAPH)) for t in result.derivations)
    return EmbeddedStore(store)


PREFIXES = """PREFIX hs: <https://w3id.org/hubspoke/ontology/> PREFIX hsi: <https://w3id.org/hubspoke/id/>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def rows(store: EmbeddedStore, query: str, graphs: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The query's rows; `graphs` name its default graph (the derivation records are not in the default one)."""
    result = store.query(PREFIXES + query, graphs)
    return [tuple(str(v.value) if v is not None else "" for v in row) for row in result.payload]  # type: ignore[union-attr]


def test_every_inferred_triple_has_one_derivation_whose_premises_hold() -> None:
    store = derivation_store("rule-spoke-to-spoke")
    unexplained = rows(store, """SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/hubspoke/graph/inferred> { ?s ?p ?o }
      FILTER NOT EXISTS { GRAPH <https://w3id.org/hubspoke/graph/derivations> {
        ?d hs:derivedStatement [ rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ] ; hs:appliedRule ?r ; prov:used ?x } } }""")
    assert unexplained == []
    # a premise is asserted (in a named graph) or is itself derived
    groundless = rows(store, """SELECT ?premise WHERE { GRAPH <https://w3id.org/hubspoke/graph/derivations> {
        ?d prov:used ?premise . FILTER NOT EXISTS { ?premise hs:assertedIn ?g } FILTER NOT EXISTS { ?d2 hs:derivedStatement ?premise } } }""")
    assert groundless == []


def test_spoke_to_spoke_derivation_reaches_the_quotes() -> None:
    store = derivation_store("rule-spoke-to-spoke")
    found = rows(store, """SELECT ?rule ?quote WHERE {
      ?d hs:derivedStatement [ rdf:subject hsi:japan ; rdf:predicate hs:spokeToSpokePartnerOf ; rdf:object hsi:australia ] ;
         hs:appliedRule ?rule ; hs:supportingQuotation ?q . ?q prov:value ?quote } ORDER BY ?quote""", (ns.FACTS_GRAPH, ns.DERIVATIONS_GRAPH))
    # every derivation is kept: the rule's own, and the symmetric reading of australia -> japan
    assert sorted(found) == [
        ("https://w3id.org/hubspoke/rules/owl-rl/prp-symp", "Japan and Australia will strengthen their cooperation"),
        ("https://w3id.org/hubspoke/rules/owl-rl/prp-symp", "its ally the United States"),
        ("https://w3id.org/hubspoke/rules/spoke-to-spoke", "Japan and Australia will strengthen their cooperation"),
        ("https://w3id.org/hubspoke/rules/spoke-to-spoke", "its ally the United States"),
    ]
    # the rule is described in the derivations graph by its header
    label = rows(store, "SELECT ?l WHERE { <https://w3id.org/hubspoke/rules/spoke-to-spoke> a hs:InferenceRule ; rdfs:label ?l }",
                 (ns.DERIVATIONS_GRAPH,))
    assert label == [("spoke-to-spoke partners",)]
    # and the premise "Japan is a US ally" was itself derived: cax-sco from membership of the
    # has-value restriction (cls-hv2), which came from the alliedWith the alliance rule gave
    chain = rows(store, """SELECT ?rule ?rule2 ?rule3 WHERE { ?d hs:derivedStatement [ rdf:subject hsi:japan ; rdf:predicate rdf:type ;
        rdf:object hs:UnitedStatesAlly ] ; hs:appliedRule ?rule ; prov:used ?p .
        ?d2 hs:derivedStatement ?p ; hs:appliedRule ?rule2 ; prov:used ?p2 . ?d3 hs:derivedStatement ?p2 ; hs:appliedRule ?rule3 }""", (ns.FACTS_GRAPH, ns.DERIVATIONS_GRAPH))
    base = "https://w3id.org/hubspoke/rules/"
    assert (base + "owl-rl/cax-sco", base + "owl-rl/cls-hv2", base + "allied-with") in chain
    assert (base + "owl-rl/cax-eqc1", base + "owl-rl/cls-hv2", base + "allied-with") in chain  # the same, by C ≡ R
    # no circular derivation: C ≡ R gives `japan a R` from `japan a C`, but not back again
    assert all(r2 != base + "owl-rl/cax-eqc2" for _r, r2, _r3 in chain)


def test_build_keeps_inferences_out_of_the_input_graphs(kg_store: EmbeddedStore, built: tuple[ProjectPaths, BuildReport]) -> None:
    paths, report = built
    facts = sum(len(parse_turtle_file(p)) for p in sorted(paths.instances_dir.glob("*.ttl")))
    assert report.graphs[ns.FACTS_GRAPH] == facts
    assert report.graphs[ns.INFERRED_GRAPH] > 0 and report.graphs[ns.DERIVATIONS_GRAPH] > 0
    leaked = rows(kg_store, """SELECT ?g WHERE { GRAPH ?g { ?s hs:alliedWith|hs:securityPartnerOf|hs:participatesWith ?o }
        FILTER(?g != <https://w3id.org/hubspoke/graph/inferred>) } LIMIT 1""")
    assert leaked == []
    assert report.inference["inferred"] == report.graphs[ns.INFERRED_GRAPH]


def test_anonymous_premises_have_a_readable_label() -> None:
    """The has-value restriction behind hs:UnitedStatesAlly is a blank node: the derivations graph
    labels it, so an explanation can show more than "[anonymous]"."""
    store = derivation_store("rule-spoke-to-spoke")
    labels = rows(store, """SELECT DISTINCT ?l WHERE { GRAPH <https://w3id.org/hubspoke/graph/derivations> {
        ?st rdf:subject ?b . FILTER(isBlank(?b)) ?b rdfs:label ?l } }""")
    assert labels == [("(hs:alliedWith value hsi:united-states)",)]


def test_every_fact_behind_a_tie_has_its_own_derivation(kg_store: EmbeddedStore) -> None:
    """Japan and Australia are security partners by several ties (the 2007 declaration, exercises,
    2+2 meetings): each is a derivation of its own, so an explanation can pick the one that fits."""
    ties = rows(kg_store, """SELECT DISTINCT ?tie WHERE { GRAPH <https://w3id.org/hubspoke/graph/derivations> {
        ?st rdf:subject hsi:japan ; rdf:predicate hs:securityPartnerOf ; rdf:object hsi:australia .
        ?d hs:derivedStatement ?st ; hs:appliedRule <https://w3id.org/hubspoke/rules/security-partner-of> ; prov:used ?p .
        ?p rdf:predicate hs:hasParty ; rdf:subject ?tie } }""")
    assert len(ties) >= 3, ties
    assert (ns.HSI + "japan-australia-joint-declaration-2007",) in ties

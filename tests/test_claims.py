"""The authors' claims (ontology/claims.ttl, instances/claims-00N.ttl): every entity a claim names is a
curated entity (a typo would silently mint a new IRI), and each seed's claims quote that seed."""

from __future__ import annotations

import rdflib
from rdflib.namespace import RDF

HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
KINDS = (HS.Argument, HS.Assessment, HS.Prediction, HS.Recommendation, HS.Hypothesis)
LINKS = (HS.claimSource, HS.claimedBy, HS.claimAbout, HS.claimAddressee, HS.claimGround, HS.claimant)


def claims(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    return {c for kind in KINDS for c in graph.subjects(RDF.type, kind)}


def test_every_seed_has_claims_of_its_own(instances_graph: rdflib.Graph) -> None:
    by_source = {instances_graph.value(c, HS.claimSource) for c in claims(instances_graph)}
    assert {str(s).rsplit("/", 1)[1] for s in by_source} == {f"source-00{n}" for n in range(5)}


def test_every_entity_a_claim_names_is_curated(instances_graph: rdflib.Graph) -> None:
    unknown = [f"{c} {p} {o}" for c in claims(instances_graph) for p in LINKS for o in instances_graph.objects(c, p)
               if (o, RDF.type, None) not in instances_graph]
    assert unknown == []

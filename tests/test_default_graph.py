"""A query without a dataset sees the knowledge - ontology, facts, links, inferred triples - and not the
machinery (shapes, derivation records), which GRAPH and the dataset parameters still reach; the
service description says so, and the Graph Store's ?default is the store's own default graph."""

from __future__ import annotations

import pyoxigraph as ox
import requests

from hubspoke import namespaces as ns
from hubspoke.store import EmbeddedStore
from tests.conftest import LiveServer

SHAPE = "PREFIX sh: <http://www.w3.org/ns/shacl#> ASK { ?s a sh:NodeShape }"
DERIVATION = "PREFIX hs: <https://w3id.org/hubspoke/ontology/> ASK { ?d a hs:Derivation }"


def _ask(store: EmbeddedStore, text: str, default: tuple[str, ...] = ()) -> bool:
    result = store.query(text, default)
    assert result.kind == "boolean"
    return bool(result.payload)


def test_the_default_graph_holds_the_knowledge_not_the_machinery(kg_store: EmbeddedStore) -> None:
    assert not _ask(kg_store, SHAPE) and not _ask(kg_store, DERIVATION)
    assert _ask(kg_store, "PREFIX hs: <https://w3id.org/hubspoke/ontology/> ASK { ?a a hs:Alliance }")  # facts
    assert _ask(kg_store, "PREFIX hs: <https://w3id.org/hubspoke/ontology/> ASK { ?s hs:alliedWith ?o }")  # inferred
    assert _ask(kg_store, "PREFIX owl: <http://www.w3.org/2002/07/owl#> ASK { ?c a owl:Class }")  # ontology
    # Still there, by GRAPH and by the protocol's dataset
    assert _ask(kg_store, f"PREFIX sh: <http://www.w3.org/ns/shacl#> ASK {{ GRAPH <{ns.SHAPES_GRAPH}> {{ ?s a sh:NodeShape }} }}")
    assert _ask(kg_store, DERIVATION, (ns.DERIVATIONS_GRAPH,))
    classes = kg_store.query("SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 3")
    top = [row["c"].value for row in classes.payload]  # type: ignore[union-attr]
    assert not any(c.endswith(("#Statement", "/Derivation", "#NodeShape")) for c in top), top


def test_the_service_description_says_what_the_default_graph_is(live_server: LiveServer) -> None:
    body = requests.get(live_server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30).content
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert not any(t.object == ox.NamedNode(sd + "UnionDefaultGraph") for t in triples)
    comments = [t.object.value for t in triples if t.predicate.value.endswith("rdf-schema#comment")]
    assert any(ns.SHAPES_GRAPH in c and ns.DERIVATIONS_GRAPH in c and "?default" in c for c in comments)
    default_size = requests.get(live_server.url + "/store?default", headers={"Accept": "application/n-triples"},
                                timeout=30)
    assert default_size.status_code == 200 and default_size.text.strip() == ""  # the store's own default graph


def test_a_browser_following_the_home_page_link_gets_the_description(live_server: LiveServer) -> None:
    """The home page links /sparql?format=text/plain: a browser (HTML first in Accept) gets the service
    description as text, not the query page, because the ?format= names an RDF format."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    home = requests.get(live_server.url + "/", headers={"Accept": browser}, timeout=30).text
    assert 'href="/sparql?format=text/plain"' in home
    answer = requests.get(live_server.url + "/sparql?format=text/plain", headers={"Accept": browser}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/plain")
    assert "sparql-service-description#Service" in answer.text
    assert "<form" in requests.get(live_server.url + "/sparql", headers={"Accept": browser}, timeout=30).text

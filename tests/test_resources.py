"""The graph's IRIs answer on the live server: a page for browsers, RDF for everything else, and
from any entity a way to the quotes that support what is said of it."""

from __future__ import annotations

import re

import pyoxigraph as ox
import rdflib
import requests

from tests.conftest import LiveServer

PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
HSI = rdflib.Namespace("https://w3id.org/hubspoke/id/")
HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_instance_iri_gives_its_description_with_quotations(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/id/japan-australia-joint-declaration-2007", timeout=10,
                            headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    declaration = HSI["japan-australia-joint-declaration-2007"]
    assert graph.value(declaration, HS.date) == rdflib.Literal("2007-03", datatype=rdflib.XSD.gYearMonth)
    assert {HSI["shinzo-abe"], HSI["john-howard"]} <= set(graph.objects(declaration, HS.hasSignatory))
    quotes = [graph.value(q, PROV.value) for q in graph.objects(declaration, PROV.wasDerivedFrom)]
    assert quotes and all(quotes), "every quotation of the fact comes with its text"


def test_plain_client_gets_turtle_and_other_formats_by_accept(live_server: LiveServer) -> None:
    plain = requests.get(live_server.url + "/ontology/State", timeout=10)
    assert plain.headers["Content-Type"].startswith("text/turtle")
    jsonld = requests.get(live_server.url + "/ontology/State", headers={"Accept": "application/ld+json"}, timeout=10)
    assert jsonld.headers["Content-Type"].startswith("application/ld+json")
    triples = {(str(q.subject.value), str(q.predicate.value), str(q.object.value))
               for q in ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD)}  # rdflib's JSON-LD reader warns
    assert (str(HS.State), str(rdflib.RDFS.label), "state") in triples


def test_browser_gets_a_page_leading_to_the_quotes(live_server: LiveServer) -> None:
    page = requests.get(live_server.url + "/id/australia", headers={"Accept": BROWSER}, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "<h1>Australia</h1>" in page.text
    assert 'href="/id/japan-australia-joint-declaration-2007"' in page.text, "facts that name it link to their pages"
    assert "a loyal and significant American ally" in page.text, "the quote behind a fact naming it is shown"
    assert "<td>skos:altLabel</td>" in page.text, "a property without a label shows as a prefixed name"
    assert not re.search(r">[0-9a-f]{32}<", page.text), "no blank-node identifiers are shown to people"


def test_unknown_iri_is_404_and_unacceptable_type_406(live_server: LiveServer) -> None:
    missing = requests.get(live_server.url + "/id/atlantis", timeout=10)
    assert missing.status_code == 404 and "atlantis" in missing.text and "Traceback" not in missing.text
    assert requests.get(live_server.url + "/id/japan", headers={"Accept": "image/png"}, timeout=10).status_code == 406


def test_browser_gets_results_as_a_table_linking_to_the_graphs_pages(live_server: LiveServer) -> None:
    query = ("PREFIX hs: <https://w3id.org/hubspoke/ontology/> PREFIX hsi: <https://w3id.org/hubspoke/id/> "
             "SELECT ?fact WHERE { ?fact a hs:JointDeclaration ; hs:hasParty hsi:australia }")
    page = requests.get(live_server.url + "/sparql", params={"query": query}, headers={"Accept": BROWSER}, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<a href="/id/japan-australia-joint-declaration-2007"' in page.text
    machine = requests.get(live_server.url + "/sparql", params={"query": query}, headers={"Accept": "*/*"}, timeout=10)
    assert machine.headers["Content-Type"].startswith("application/sparql-results+json"), "*/* keeps the standard format"
    ask = requests.get(live_server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "html"}, timeout=10)
    assert "The answer is <strong>yes</strong>" in ask.text
    bad = requests.get(live_server.url + "/sparql", params={"query": "SELECT ?x WHERE {"}, headers={"Accept": BROWSER}, timeout=10)
    assert bad.status_code == 400 and "Traceback" not in bad.text

"""The SPARQL endpoint through real clients: SPARQLWrapper and requests against `hubspoke serve`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.conftest import LiveServer

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
STATE_LABEL = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { <https://w3id.org/hubspoke/ontology/State> rdfs:label ?label }"""


def client(server: LiveServer, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setReturnFormat(fmt)
    return sparql


def test_select_json_answers_with_the_graph(live_server: LiveServer) -> None:
    sparql = client(live_server, JSON)
    sparql.setQuery(STATE_LABEL)
    rows = sparql.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert rows == [{"label": {"type": "literal", "value": "state", "xml:lang": "en"}}]


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_select_in_other_result_formats(live_server: LiveServer, fmt: str) -> None:
    sparql = client(live_server, fmt)
    sparql.setQuery(STATE_LABEL)
    response = sparql.query().response
    body = response.read().decode("utf-8")
    content_type = response.headers["Content-Type"]
    if fmt == XML:
        assert content_type.startswith("application/sparql-results+xml")
        assert "<literal xml:lang=\"en\">state</literal>" in body
    elif fmt == CSV:
        assert content_type.startswith("text/csv")
        assert list(csv.reader(io.StringIO(body))) == [["label"], ["state"]]
    else:
        assert content_type.startswith("text/tab-separated-values")
        assert body.splitlines() == ["?label", '"state"@en']


def test_ask(live_server: LiveServer) -> None:
    sparql = client(live_server, JSON)
    sparql.setQuery("ASK { <https://w3id.org/hubspoke/ontology/Alliance> ?p ?o }")
    assert sparql.queryAndConvert()["boolean"] is True  # type: ignore[index]
    sparql.setQuery("ASK { <https://w3id.org/hubspoke/ontology/NoSuchTerm> ?p ?o }")
    assert sparql.queryAndConvert()["boolean"] is False  # type: ignore[index]


def test_construct_turtle_parses_and_holds_the_triples(live_server: LiveServer) -> None:
    sparql = client(live_server, TURTLE)
    sparql.setQuery("CONSTRUCT { ?c a <http://www.w3.org/2002/07/owl#Class> } WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> }")
    graph = sparql.queryAndConvert()
    if isinstance(graph, bytes):
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/hubspoke/ontology/Alliance"), rdflib.RDF.type, rdflib.OWL.Class) in graph


def test_describe(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/sparql", params={"query": "DESCRIBE <https://w3id.org/hubspoke/ontology/State>"},
                            headers={"Accept": "application/n-triples"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/n-triples")
    graph = rdflib.Graph().parse(data=response.text, format="nt")
    assert graph.value(rdflib.URIRef("https://w3id.org/hubspoke/ontology/State"), rdflib.RDFS.label) == rdflib.Literal("state", lang="en")


def test_post_form_and_direct_post(live_server: LiveServer) -> None:
    form = requests.post(live_server.url + "/sparql", data={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}, timeout=10)
    direct = requests.post(live_server.url + "/sparql", data=COUNT.encode(), timeout=10,
                           headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert form.status_code == direct.status_code == 200
    n_form = int(form.json()["results"]["bindings"][0]["n"]["value"])
    assert n_form > 500 and n_form == int(direct.json()["results"]["bindings"][0]["n"]["value"])


def test_bad_query_is_400_with_a_readable_message(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"}, timeout=10)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "syntax error" in response.text.lower() and "1:" in response.text
    assert "Traceback" not in response.text
    sparql = client(live_server, JSON)
    sparql.setQuery("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        sparql.queryAndConvert()


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("put", {}, 405),
        ("delete", {}, 405),
        ("post", {"data": b"SELECT * {}", "headers": {"Content-Type": "text/plain"}}, 415),
        ("get", {"params": {"query": COUNT}, "headers": {"Accept": "image/png"}}, 406),
        ("post", {"data": b"INSERT DATA { <a:b> <a:c> <a:d> }", "headers": {"Content-Type": "application/sparql-update"}}, 403),
    ],
)
def test_protocol_error_codes(live_server: LiveServer, method: str, kwargs: dict[str, object], status: int) -> None:
    response = getattr(requests, method)(live_server.url + "/sparql", timeout=10, **kwargs)
    assert response.status_code == status
    assert "Traceback" not in response.text


def test_service_description_on_plain_get(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert list(graph.objects(None, sd.endpoint)) == [rdflib.URIRef(live_server.url + "/sparql")]


def test_home_page_says_what_is_inside(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/", timeout=10)
    assert response.status_code == 200 and "text/html" in response.headers["Content-Type"]
    assert "https://w3id.org/hubspoke/graph/facts" in response.text
    health = requests.get(live_server.url + "/health", timeout=10).json()
    assert health["status"] == "ok" and health["triples"] > 500


@pytest.fixture()
def empty_server(tmp_path: Path) -> Iterator[LiveServer]:
    empty = tmp_path / "empty.nq"
    empty.write_bytes(b"")
    server = LiveServer(empty)
    yield server
    server.stop()


def test_empty_dataset_file_gives_an_empty_store(empty_server: LiveServer) -> None:
    sparql = client(empty_server, JSON)
    sparql.setQuery(COUNT)
    result = sparql.queryAndConvert()
    assert json.loads(json.dumps(result))["results"]["bindings"][0]["n"]["value"] == "0"


# --- issue 6: every format through SPARQLWrapper, negotiation, service description, VoID, metrics.
# These use endpoint_server (tests/fixtures/endpoint/dataset.trig), which does not depend on the build.

FACTS_GRAPH = "https://w3id.org/hubspoke/graph/facts"
STATES = "CONSTRUCT { ?s a <https://w3id.org/hubspoke/ontology/State> } WHERE { ?s a <https://w3id.org/hubspoke/ontology/State> }"


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask_in_every_result_format(endpoint_server: LiveServer, fmt: str) -> None:
    sparql = client(endpoint_server, fmt)
    sparql.setQuery("ASK { <https://w3id.org/hubspoke/id/japan> ?p ?o }")
    response = sparql.query().response
    body = response.read().decode("utf-8")
    expected_type = {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml"}[fmt]
    assert response.headers["Content-Type"].split(";")[0] == expected_type
    assert "true" in body


@pytest.mark.parametrize("mime", ["text/csv", "text/tab-separated-values"])
def test_ask_in_csv_or_tsv_is_406_naming_what_works(endpoint_server: LiveServer, mime: str) -> None:
    # SPARQL 1.1 CSV/TSV results are defined for SELECT only; a bare "true" is rejected by strict readers.
    response = requests.get(endpoint_server.url + "/sparql", headers={"Accept": mime}, timeout=10,
                            params={"query": "ASK { <https://w3id.org/hubspoke/id/japan> ?p ?o }"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text and mime not in response.text


@pytest.mark.parametrize(("fmt", "rdflib_format"), [(TURTLE, "turtle"), (XML, "xml"), (RDFXML, "xml"), (N3, "turtle"),
                                                    (JSONLD, "json-ld")])
def test_construct_in_every_graph_format(endpoint_server: LiveServer, fmt: str, rdflib_format: str) -> None:
    sparql = client(endpoint_server, fmt)
    sparql.setQuery(STATES)
    response = sparql.query().response
    body = response.read()
    mime = response.headers["Content-Type"].split(";")[0]
    expected = {TURTLE: {"text/turtle"}, XML: {"application/rdf+xml"}, RDFXML: {"application/rdf+xml"},
                N3: {"text/n3", "text/turtle"}, JSONLD: {"application/ld+json"}}[fmt]
    assert mime in expected
    if rdflib_format == "json-ld":
        triples = list(ox.parse(body, format=ox.RdfFormat.JSON_LD))  # rdflib's JSON-LD parser warns
        assert len(triples) == 5
    else:
        assert len(rdflib.Graph().parse(data=body, format=rdflib_format)) == 5


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
        ("text/tab-separated-values, application/sparql-results+json;q=0.1", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/json"),
    ],
)
def test_q_values_for_results(endpoint_server: LiveServer, accept: str, expected: str) -> None:
    response = requests.get(endpoint_server.url + "/sparql", params={"query": "SELECT * WHERE { ?s a ?t } LIMIT 1"},
                            headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("application/n-quads", "application/n-quads"), ("application/trig;q=0.9, text/turtle;q=0.1", "application/trig"),
     ("application/n-triples", "application/n-triples"), ("text/html;q=0.1, application/ld+json", "application/ld+json")],
)
def test_q_values_for_graphs(endpoint_server: LiveServer, accept: str, expected: str) -> None:
    response = requests.get(endpoint_server.url + "/sparql", params={"query": STATES}, headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] == expected
    oxformat = {"application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG,
                "application/n-triples": ox.RdfFormat.N_TRIPLES, "application/ld+json": ox.RdfFormat.JSON_LD}[expected]
    assert len(list(ox.parse(response.content, format=oxformat))) == 5  # the body is what the header says


def test_service_description_lists_formats_and_graphs(endpoint_server: LiveServer) -> None:
    response = requests.get(endpoint_server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    formats = {str(f) for f in graph.objects(None, sd.resultFormat)}
    assert {"http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
            "http://www.w3.org/ns/formats/Turtle", "http://www.w3.org/ns/formats/RDF_XML"} <= formats
    assert sd.SPARQL11Update in set(graph.objects(None, sd.supportedLanguage))  # the server has a token
    assert sd.BasicFederatedQuery in set(graph.objects(None, sd.feature))  # it has an allow-list
    named = {str(graph.value(n, sd.name)): int(graph.value(graph.value(n, sd.graph), void.triples))
             for n in graph.subjects(rdflib.RDF.type, sd.NamedGraph)}
    assert named[FACTS_GRAPH] == 11


def test_void_counts_triples_per_graph(endpoint_server: LiveServer) -> None:
    for path in ("/void", "/.well-known/void"):
        response = requests.get(endpoint_server.url + path, headers={"Accept": "text/turtle"}, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
        graph = rdflib.Graph().parse(data=response.text, format="turtle")
        void = rdflib.Namespace("http://rdfs.org/ns/void#")
        sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
        counts = {str(graph.value(s, sd.name)): int(graph.value(s, void.triples)) for s in graph.subjects(sd.name, None)}
        assert counts[FACTS_GRAPH] == 11 and counts["https://w3id.org/hubspoke/graph/ontology"] == 2


def test_metrics_count_requests_by_route_and_status(endpoint_server: LiveServer) -> None:
    def count(text: str) -> float:
        for line in text.splitlines():
            if line.startswith('hubspoke_http_requests_total{method="GET",route="/health",status="200"}'):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = count(requests.get(endpoint_server.url + "/metrics", timeout=10).text)
    for _ in range(4):
        requests.get(endpoint_server.url + "/health", timeout=10)
    after = requests.get(endpoint_server.url + "/metrics", timeout=10)
    assert after.headers["Content-Type"].startswith("text/plain")
    assert count(after.text) == before + 4  # all workers counted (prometheus_client multiprocess mode)
    assert "hubspoke_http_request_duration_seconds_bucket" in after.text

"""The Graph Store HTTP Protocol at /store and SPARQL Update: who may write, what the shapes refuse
(the store left exactly as it was), and every graph format on the way out. Against endpoint_server,
whose dataset (tests/fixtures/endpoint/dataset.trig) carries a shapes graph."""

from __future__ import annotations

import uuid

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

from tests.conftest import ENDPOINT_TOKEN, LiveServer

AUTH = {"Authorization": f"Bearer {ENDPOINT_TOKEN}"}
FACTS = "https://w3id.org/hubspoke/graph/facts"
SHAPES = "https://w3id.org/hubspoke/graph/shapes"
PERSON = b"""@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/person/1> a foaf:Person ; foaf:name "Jane \xc3\xa9" ; foaf:knows [ foaf:name "Bob" ] ."""
NO_LABEL_STATE = b"<https://w3id.org/hubspoke/id/atlantis> a <https://w3id.org/hubspoke/ontology/State> ."


def new_graph() -> str:
    return f"http://example.org/test-graph/{uuid.uuid4()}"


def dump(server: LiveServer) -> rdflib.Graph:
    """Every quad of the store, as a graph of reified-free triples tagged with their graph (for isomorphism:
    blank node labels differ from one worker's copy to the other's)."""
    response = requests.get(server.url + "/sparql", timeout=30, headers={"Accept": "application/n-triples"},
                            params={"query": "CONSTRUCT { ?s ?p ?o . ?s <urn:in> ?g } WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.text, format="nt")


def same(a: rdflib.Graph, b: rdflib.Graph) -> bool:
    return isomorphic(a, b)


def parse(data: bytes, fmt: str) -> rdflib.Graph:
    """rdflib where it parses without warnings; pyoxigraph for N-Quads, TriG and JSON-LD (rdflib's
    parsers for those raise deprecation warnings, errors under this suite's filterwarnings)."""
    if fmt in ("nquads", "trig", "json-ld"):
        oxformat = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "json-ld": ox.RdfFormat.JSON_LD}[fmt]
        quads = list(ox.parse(data, format=oxformat))
        data = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b""
        fmt = "nt"
    return rdflib.Graph().parse(data=data, format=fmt)


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 403), ({"Authorization": "Basic dXNlcjpwdw=="}, 401)],
)
def test_writes_need_the_token(endpoint_server: LiveServer, headers: dict[str, str], status: int) -> None:
    graph = new_graph()
    put = requests.put(endpoint_server.url + "/store", params={"graph": graph}, data=PERSON, timeout=30,
                       headers={"Content-Type": "text/turtle", **headers})
    assert put.status_code == status
    if status == 401:
        assert put.headers["WWW-Authenticate"].startswith("Bearer")
    upd = requests.post(endpoint_server.url + "/sparql", data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <a:b> <a:c> <a:d> }} }}"},
                        headers=headers, timeout=30)
    assert upd.status_code == status
    assert requests.get(endpoint_server.url + "/store", params={"graph": graph}, timeout=30).status_code == 404


def test_read_only_server_refuses_every_write() -> None:
    from hubspoke.store import EmbeddedStore
    from hubspoke.web import AppConfig, create_app

    client = create_app(AppConfig(store=EmbeddedStore(), query_timeout=None)).test_client()
    for headers in ({}, AUTH):
        assert client.put("/store?default", data=PERSON, headers={"Content-Type": "text/turtle", **headers}).status_code == 403
        assert client.post("/sparql", data={"update": "CLEAR ALL"}, headers=headers).status_code == 403


@pytest.mark.parametrize(
    ("mime", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/n-quads", "nquads"),
     ("application/trig", "trig"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_put_then_get_in_every_format(endpoint_server: LiveServer, mime: str, rdflib_format: str) -> None:
    graph = new_graph()
    put = requests.put(endpoint_server.url + "/store", params={"graph": graph}, data=PERSON, timeout=30,
                       headers={"Content-Type": "text/turtle", **AUTH})
    assert put.status_code == 201
    got = requests.get(endpoint_server.url + "/store", params={"graph": graph}, headers={"Accept": mime}, timeout=30)
    assert got.status_code == 200 and got.headers["Content-Type"].split(";")[0] == mime
    want = rdflib.Graph().parse(data=PERSON, format="turtle")
    assert isomorphic(parse(got.content, rdflib_format), want)
    assert requests.delete(endpoint_server.url + "/store", params={"graph": graph}, headers=AUTH, timeout=30).status_code == 204


def test_q_values_choose_the_format(endpoint_server: LiveServer) -> None:
    response = requests.get(endpoint_server.url + "/store", params={"graph": FACTS}, timeout=30,
                            headers={"Accept": "text/turtle;q=0.5, application/rdf+xml;q=0.9, image/png"})
    assert response.headers["Content-Type"].startswith("application/rdf+xml")
    refused = requests.get(endpoint_server.url + "/store", params={"graph": FACTS}, headers={"Accept": "image/png"}, timeout=30)
    assert refused.status_code == 406


def test_post_merges_and_delete_removes(endpoint_server: LiveServer) -> None:
    graph = new_graph()
    url = endpoint_server.url + "/store"
    assert requests.post(url, params={"graph": graph}, data=b'<http://a> <http://b> "1" .', timeout=30,
                         headers={"Content-Type": "application/n-triples", **AUTH}).status_code == 201
    assert requests.post(url, params={"graph": graph}, data=b'<http://a> <http://b> "2" .', timeout=30,
                         headers={"Content-Type": "application/n-triples", **AUTH}).status_code == 204
    body = requests.get(url, params={"graph": graph}, headers={"Accept": "application/n-triples"}, timeout=30).text
    assert len(body.strip().splitlines()) == 2
    assert requests.delete(url, params={"graph": graph}, headers=AUTH, timeout=30).status_code == 204
    assert requests.get(url, params={"graph": graph}, timeout=30).status_code == 404
    assert requests.delete(url, params={"graph": graph}, headers=AUTH, timeout=30).status_code == 404


def test_a_put_that_breaks_the_shapes_is_refused_with_the_report(endpoint_server: LiveServer) -> None:
    before = dump(endpoint_server)
    graph = new_graph()
    response = requests.put(endpoint_server.url + "/store", params={"graph": graph}, data=NO_LABEL_STATE, timeout=30,
                            headers={"Content-Type": "text/turtle", **AUTH})
    assert response.status_code == 422
    report = response.json()
    assert report["conforms"] is False
    assert [p["focus"].rsplit("/", 1)[-1].split(":")[-1] for p in report["problems"]] == ["atlantis"]
    assert "exactly one preferred label" in report["problems"][0]["message"]
    assert same(dump(endpoint_server), before)
    assert requests.get(endpoint_server.url + "/store", params={"graph": graph}, timeout=30).status_code == 404


def test_an_update_that_breaks_the_shapes_is_refused_and_nothing_changes(endpoint_server: LiveServer) -> None:
    before = dump(endpoint_server)
    # Two operations: the first alone is harmless, the second breaks the shapes; neither may remain.
    text = (f"INSERT DATA {{ GRAPH <{FACTS}> {{ <https://w3id.org/hubspoke/id/fiji> a <https://w3id.org/hubspoke/ontology/State> ; "
            f"<http://www.w3.org/2004/02/skos/core#prefLabel> \"Fiji\"@en }} }} ; "
            f"DELETE WHERE {{ GRAPH <{FACTS}> {{ <https://w3id.org/hubspoke/id/japan> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} }}")
    response = requests.post(endpoint_server.url + "/sparql", data=text.encode(), timeout=30,
                             headers={"Content-Type": "application/sparql-update", "Accept": "text/plain", **AUTH})
    assert response.status_code == 422
    assert "japan" in response.text and "exactly one preferred label" in response.text
    assert same(dump(endpoint_server), before)


def test_the_shapes_graph_cannot_be_written(endpoint_server: LiveServer) -> None:
    before = dump(endpoint_server)
    response = requests.post(endpoint_server.url + "/sparql", data=b"DROP ALL", timeout=30,
                             headers={"Content-Type": "application/sparql-update", **AUTH})
    assert response.status_code == 403 and SHAPES in response.text
    assert same(dump(endpoint_server), before)


def test_a_valid_write_is_seen_by_every_worker(endpoint_server: LiveServer) -> None:
    graph = new_graph()
    text = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/x> <http://example.org/y> \"z\" }} }}"
    assert requests.post(endpoint_server.url + "/sparql", data={"update": text}, headers=AUTH, timeout=30).status_code == 204
    # The server has two workers; new connections land on either. All must see the write.
    for _ in range(8):
        ask = requests.get(endpoint_server.url + "/sparql", timeout=30, headers={"Accept": "application/sparql-results+json"},
                           params={"query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p \"z\" }} }}"})
        assert ask.json()["boolean"] is True
    requests.delete(endpoint_server.url + "/store", params={"graph": graph}, headers=AUTH, timeout=30)


def test_post_without_a_graph_creates_one(endpoint_server: LiveServer) -> None:
    created = requests.post(endpoint_server.url + "/store", data=PERSON, timeout=30,
                            headers={"Content-Type": "text/turtle", **AUTH})
    assert created.status_code == 201
    location = created.headers["Location"]
    assert location.startswith(endpoint_server.url + "/store/graphs/")
    direct = requests.get(location, headers={"Accept": "text/turtle"}, timeout=30)
    assert direct.status_code == 200
    assert isomorphic(rdflib.Graph().parse(data=direct.text, format="turtle"), rdflib.Graph().parse(data=PERSON, format="turtle"))
    requests.delete(location, headers=AUTH, timeout=30)


def test_a_write_is_judged_by_the_problems_it_brings(endpoint_server: LiveServer) -> None:
    # The fixture's ordinal is read back from pyoxigraph as xsd:integer (its store drops integer
    # subtypes), which the ordinal shape flags; harmless writes must still pass, new breakage must not.
    flagged = requests.get(endpoint_server.url + "/sparql", timeout=30, headers={"Accept": "application/sparql-results+json"},
                           params={"query": "SELECT (DATATYPE(?o) AS ?t) WHERE { ?s <https://w3id.org/hubspoke/ontology/ordinal> ?o }"})
    assert flagged.json()["results"]["bindings"][0]["t"]["value"] == "http://www.w3.org/2001/XMLSchema#integer"
    graph = new_graph()
    ok = requests.put(endpoint_server.url + "/store", params={"graph": graph}, data=PERSON, timeout=30,
                      headers={"Content-Type": "text/turtle", **AUTH})
    assert ok.status_code == 201, ok.text
    bad = requests.post(endpoint_server.url + "/store", params={"graph": graph}, timeout=30,
                        data=b'<http://example.org/s> <https://w3id.org/hubspoke/ontology/ordinal> "first" .',
                        headers={"Content-Type": "application/n-triples", **AUTH})
    assert bad.status_code == 422
    assert [p["message"] for p in bad.json()["problems"]] == ["An ordinal is an xsd:positiveInteger"]
    requests.delete(endpoint_server.url + "/store", params={"graph": graph}, headers=AUTH, timeout=30)

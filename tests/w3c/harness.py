"""Replay the W3C SPARQL 1.1 protocol, service-description and graph-store manifests over HTTP.

Each manifest entry becomes a `W3CTest` (read with rdflib from the Turtle manifest); `run` resets the
server (DROP ALL, then the test's ut:graphData loaded through the Graph Store), replays every
ht:Request in order and checks each response against mf:expectedStatus, mf:expectedFormat,
mf:expectedBoolean, the expected content type and body (graph isomorphism) and mf:expectedLocation.
The manifests carry no credentials; the harness adds the server's bearer token to every request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
import requests
from rdflib.collection import Collection
from rdflib.compare import isomorphic

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")

# The manifests' path prefixes and where this server answers them.
PATHS = {"/sparql/": "/sparql/", "/gsp": "/store"}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "application/json",
                 "application/xml", "text/xml")
TABULAR_TYPES = BOOLEAN_TYPES + ("text/csv", "text/tab-separated-values")
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld", "text/plain": "nt", "application/n-quads": "nquads",
             "application/trig": "trig"}


@dataclass
class Expected:
    statuses: list[str] = field(default_factory=list)
    format: str | None = None
    boolean: bool | None = None
    content_type: str | None = None
    body: str | None = None
    location: str | None = None


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class W3CTest:
    manifest: str
    name: str  # the entry's local name, e.g. query_post_form
    title: str
    kind: str  # ProtocolTest, GraphStoreProtocolTest, ServiceDescriptionTest
    graph_data: list[tuple[Path, str]]  # (file, graph IRI)
    requests: list[Request]

    @property
    def id(self) -> str:
        return f"{self.manifest}:{self.name}"


def _local(node: Any) -> str:
    text = str(node)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _items(graph: rdflib.Graph, head: Any) -> list[Any]:
    return list(Collection(graph, head)) if head is not None else []


def _request(graph: rdflib.Graph, node: Any) -> Request:
    headers = {}
    for header in _items(graph, graph.value(node, HT.headers)):
        headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    resp = graph.value(node, HT.resp)
    expected = Expected(statuses=sorted(_local(s) for s in graph.objects(resp, MF.expectedStatus)))
    fmt = graph.value(resp, MF.expectedFormat)
    expected.format = str(fmt) if fmt is not None else None
    boolean = graph.value(resp, MF.expectedBoolean)
    expected.boolean = bool(boolean.toPython()) if boolean is not None else None
    for header in _items(graph, graph.value(resp, HT.headers)):
        if str(graph.value(header, HT.fieldName)).lower() == "content-type":
            expected.content_type = str(graph.value(header, HT.fieldValue))
    expected_body = graph.value(resp, HT.body)
    if expected_body is not None:
        expected.body = str(graph.value(expected_body, CNT.chars))
    location = graph.value(resp, MF.expectedLocation)
    expected.location = str(location) if location is not None else None
    return Request(str(graph.value(node, HT.methodName)), str(graph.value(node, HT.absolutePath)), headers, body,
                   expected)


def load_manifest(path: Path) -> list[W3CTest]:
    """Every entry of a manifest (following mf:include), in the manifest's order."""
    graph = rdflib.Graph().parse(path, format="turtle")
    tests: list[W3CTest] = []
    for manifest in graph.subjects(rdflib.RDF.type, MF.Manifest):
        for included in _items(graph, graph.value(manifest, MF.include)):
            tests += load_manifest(path.parent / _local(included))
        for entry in _items(graph, graph.value(manifest, MF.entries)):
            data = []
            for graph_data in graph.objects(entry, UT.graphData):
                file = path.parent / _local(graph.value(graph_data, UT.graph))
                data.append((file, str(graph.value(graph_data, rdflib.RDFS.label))))
            action = graph.value(entry, MF.action)
            nodes = _items(graph, graph.value(action, HT.requests)) if action is not None else []
            tests.append(W3CTest(
                manifest=path.parent.name, name=_local(entry), title=str(graph.value(entry, MF.name)),
                kind=_local(graph.value(entry, rdflib.RDF.type)), graph_data=sorted(data),
                requests=[_request(graph, n) for n in nodes]))
    return tests


def status_matches(code: int, names: list[str]) -> bool:
    named = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404, "BadRequest": 400}
    for name in names:
        if name.startswith("StatusCode") and name.endswith("xx") and str(code)[0] == name[len("StatusCode")]:
            return True
        if named.get(name) == code:
            return True
    return False


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def parse_boolean(response: requests.Response) -> bool:
    mime = _mime(response.headers.get("Content-Type"))
    if "json" in mime:
        return bool(json.loads(response.text)["boolean"])
    root = __import__("xml.etree.ElementTree", fromlist=["fromstring"]).fromstring(response.content)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None, "an XML boolean result without <boolean>"
    return (node.text or "").strip() == "true"


class Runner:
    """Replays tests against one live server with write access."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.auth = {"Authorization": f"Bearer {token}"}

    def url(self, path: str) -> str:
        for prefix, ours in PATHS.items():
            if path.startswith(prefix):
                return self.base_url + ours + path[len(prefix):]
        raise AssertionError(f"a request path outside the manifests' prefixes: {path}")

    def reset(self, test: W3CTest) -> None:
        """Each test starts from an empty store plus its own ut:graphData (loaded through /store)."""
        drop = requests.post(self.base_url + "/sparql", data=b"DROP ALL", timeout=30,
                             headers={"Content-Type": "application/sparql-update", **self.auth})
        assert drop.status_code == 204, drop.text
        for file, graph in test.graph_data:
            put = requests.put(self.base_url + "/store", params={"graph": graph}, data=file.read_bytes(), timeout=30,
                               headers={"Content-Type": "application/n-triples", **self.auth})
            assert put.status_code in (201, 204), put.text

    def run(self, test: W3CTest) -> None:
        if test.kind == "ServiceDescriptionTest":
            check_service_description(self.base_url + "/sparql", test.name)
            return
        self.reset(test)
        variables: dict[str, str] = {}
        for number, req in enumerate(test.requests, 1):
            path, body = req.path, req.body
            for name, value in variables.items():
                path = path.replace(name, value)
                body = body.replace(name.encode(), value.encode()) if body is not None else None
            response = requests.request(req.method, self.url(path), data=body, timeout=30, allow_redirects=False,
                                        headers={**req.headers, **self.auth})
            where = f"{test.id} request {number} ({req.method} {path})"
            check_response(where, req, response)
            if req.expected.location:
                variables[req.expected.location] = response.headers["Location"]


def check_response(where: str, req: Request, response: requests.Response) -> None:
    exp = req.expected
    assert status_matches(response.status_code, exp.statuses), (
        f"{where}: status {response.status_code}, expected {exp.statuses}: {response.text[:300]}")
    assert "Traceback" not in response.text, f"{where}: a stack trace in the response"
    mime = _mime(response.headers.get("Content-Type"))
    if exp.format == "boolean":
        assert mime in BOOLEAN_TYPES, f"{where}: {mime} is not a boolean result format"
        value = parse_boolean(response)
        if exp.boolean is not None:
            assert value is exp.boolean, f"{where}: ASK answered {value}, expected {exp.boolean}"
    elif exp.format == "tabular":
        assert mime in TABULAR_TYPES, f"{where}: {mime} is not a tabular result format"
        if "json" in mime:
            assert "bindings" in json.loads(response.text)["results"]
    elif exp.format == "RDF":
        assert mime in RDF_TYPES, f"{where}: {mime} is not an RDF format"
        rdflib.Graph().parse(data=response.content, format=RDF_TYPES[mime])
    if exp.content_type:
        assert mime == _mime(exp.content_type), f"{where}: Content-Type {mime}, expected {exp.content_type}"
    if exp.body is not None and req.method != "HEAD":
        got = rdflib.Graph().parse(data=response.content, format=RDF_TYPES[mime])
        want = rdflib.Graph().parse(data=exp.body, format="turtle")
        assert isomorphic(got, want), f"{where}: the graph differs from the expected one:\n{response.text}"
    if exp.location:
        assert response.headers.get("Location"), f"{where}: no Location header"


def check_service_description(endpoint: str, name: str) -> None:
    """The service-description manifest names its three checks without requests; each is done here."""
    response = requests.get(endpoint, headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200, response.text
    mime = _mime(response.headers.get("Content-Type"))
    assert mime in RDF_TYPES, f"the service description came as {mime}"
    graph = rdflib.Graph().parse(data=response.content, format=RDF_TYPES[mime])
    services = list(graph.subjects(rdflib.RDF.type, SD.Service))
    assert len(services) == 1, "exactly one sd:Service"
    service = services[0]
    if name == "returns-rdf":
        assert len(graph) > 0
    elif name == "has-endpoint-triple":
        assert (service, SD.endpoint, rdflib.URIRef(endpoint)) in graph
    elif name == "conforms-to-schema":
        check_sd_schema(graph, service)
    else:
        raise AssertionError(f"no check is known for the service-description test {name}")


def check_sd_schema(graph: rdflib.Graph, service: Any) -> None:
    """The ranges the SPARQL 1.1 Service Description vocabulary gives its properties."""
    languages = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
    assert set(graph.objects(service, SD.supportedLanguage)) <= languages and any(
        graph.objects(service, SD.supportedLanguage)), "sd:supportedLanguage must name SPARQL languages"
    for prop in (SD.endpoint, SD.resultFormat, SD.inputFormat, SD.feature):
        for value in graph.objects(service, prop):
            assert isinstance(value, rdflib.URIRef), f"{prop} must be an IRI, got {value!r}"
    for value in graph.objects(service, SD.resultFormat):
        assert str(value).startswith("http://www.w3.org/ns/formats/"), f"sd:resultFormat {value} is not a W3C format IRI"
    known_features = {SD.DereferencesURIs, SD.UnionDefaultGraph, SD.RequiresDataset, SD.EmptyGraphs,
                      SD.BasicFederatedQuery}
    assert set(graph.objects(service, SD.feature)) <= known_features
    for dataset in graph.objects(service, SD.defaultDataset):
        assert (dataset, rdflib.RDF.type, SD.Dataset) in graph
        for default in graph.objects(dataset, SD.defaultGraph):
            assert (default, rdflib.RDF.type, SD.Graph) in graph
        for named in graph.objects(dataset, SD.namedGraph):
            assert (named, rdflib.RDF.type, SD.NamedGraph) in graph
            assert isinstance(graph.value(named, SD.name), rdflib.URIRef), "sd:name must be an IRI"
            for g in graph.objects(named, SD.graph):
                assert (g, rdflib.RDF.type, SD.Graph) in graph

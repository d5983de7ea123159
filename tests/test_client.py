"""`hubspoke query` (SPARQLWrapper underneath) as a user runs it: against hubspoke, and against
another SPARQL endpoint (a minimal stub on 127.0.0.1 that records what it was sent)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import rdflib

from tests.conftest import LiveServer

LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE { <https://w3id.org/hubspoke/id/japan> skos:prefLabel ?label }"""


def hubspoke_query(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hubspoke.cli", "query", *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_in_each_format(endpoint_server: LiveServer, fmt: str) -> None:
    done = hubspoke_query("--endpoint", endpoint_server.url + "/sparql", "--format", fmt, LABELS)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    if fmt == "json":
        assert json.loads(out)["results"]["bindings"][0]["label"]["value"] == "Japan"
    elif fmt == "xml":
        assert '<literal xml:lang="en">Japan</literal>' in out
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(out))) == [["label"], ["Japan"]]
    else:
        assert out.splitlines() == ["?label", '"Japan"@en']


def test_construct_from_a_file(endpoint_server: LiveServer, tmp_path: Path) -> None:
    query = tmp_path / "states.rq"
    query.write_text("CONSTRUCT { ?s a <https://w3id.org/hubspoke/ontology/State> } WHERE { ?s a <https://w3id.org/hubspoke/ontology/State> }")
    done = hubspoke_query("--endpoint", endpoint_server.url + "/sparql", "--format", "ntriples", f"@{query}")
    assert done.returncode == 0, done.stderr
    assert len(rdflib.Graph().parse(data=done.stdout, format="nt")) == 5


def test_errors_are_one_readable_line(endpoint_server: LiveServer) -> None:
    bad = hubspoke_query("--endpoint", endpoint_server.url + "/sparql", "SELECT ?s WHERE { ?s ?p }")
    assert bad.returncode == 1 and "syntax error" in bad.stderr.lower() and "Traceback" not in bad.stderr
    refused = hubspoke_query("--endpoint", endpoint_server.url + "/sparql", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert refused.returncode == 1 and "403" in refused.stderr and "allow-list" in refused.stderr
    wrong = hubspoke_query("--endpoint", endpoint_server.url + "/sparql", "--format", "turtle", LABELS)
    assert wrong.returncode == 2 and "does not fit a SELECT/ASK query" in wrong.stderr
    missing = hubspoke_query("--endpoint", endpoint_server.url + "/sparql", "@/no/such/file.rq")
    assert missing.returncode == 2 and "cannot read" in missing.stderr


class _StubEndpoint(BaseHTTPRequestHandler):
    """Another SPARQL endpoint: answers every query with one fixed row, and remembers the request."""

    seen: list[dict[str, object]] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        self.seen.append({"content_type": self.headers.get("Content-Type"), "accept": self.headers.get("Accept"),
                          "form": parse_qs(body)})
        answer = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "from the stub"}}]}})
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def stub_endpoint() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _StubEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _StubEndpoint.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()
    server.server_close()


def test_against_another_endpoint(stub_endpoint: str) -> None:
    done = hubspoke_query("--endpoint", stub_endpoint, "SELECT ?x WHERE { ?x ?p ?o }")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"]["bindings"][0]["x"]["value"] == "from the stub"
    (request,) = _StubEndpoint.seen
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["accept"] == "application/sparql-results+json"
    assert request["form"] == {"query": ["SELECT ?x WHERE { ?x ?p ?o }"]}  # no stray format= parameters

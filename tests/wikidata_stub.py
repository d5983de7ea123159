"""A Wikidata-shaped SPARQL endpoint on 127.0.0.1 for the linking tests: a real HTTP server (the
standard library's) answering the SPARQL protocol over the test fixture with pyoxigraph, plus paths
that misbehave as real endpoints do - 429 with Retry-After, 500, too slow, HTML with status 200.

Paths: /sparql (the fixture), /busy (429 Retry-After: 1 for the first two requests, then the fixture),
/unavailable (503 Retry-After: 2 once, then the fixture),
/busy-long (429 Retry-After: 3600, always), /error (500), /slow (answers after 3 s), /html (an HTML page
with 200), /not-json (200, a SPARQL JSON type, a body that is not JSON). Every request is recorded.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata" / "test-fixture-not-wikidata.ttl"


@dataclass
class Seen:
    path: str
    method: str
    user_agent: str
    content_type: str
    accept: str


@dataclass
class WikidataStub:
    store: ox.Store
    requests: list[Seen] = field(default_factory=list)
    busy_left: int = 2
    unavailable_left: int = 1
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def start(self) -> WikidataStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (the /slow tests)
                    pass

            def _query_text(self) -> str:
                parsed = urllib.parse.urlsplit(self.path)
                if self.command == "GET":
                    return urllib.parse.parse_qs(parsed.query).get("query", [""])[0]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if (self.headers.get("Content-Type") or "").startswith("application/sparql-query"):
                    return body
                return urllib.parse.parse_qs(body).get("query", [""])[0]

            def _handle(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                text = self._query_text()
                stub.requests.append(Seen(path, self.command, self.headers.get("User-Agent", ""),
                                          self.headers.get("Content-Type", ""), self.headers.get("Accept", "")))
                if path == "/busy" and stub.busy_left > 0:
                    stub.busy_left -= 1
                    return self._send(429, b"Too Many Requests\n", "text/plain", {"Retry-After": "1"})
                if path == "/unavailable" and stub.unavailable_left > 0:
                    stub.unavailable_left -= 1
                    return self._send(503, b"Service Unavailable\n", "text/plain", {"Retry-After": "2"})
                if path == "/busy-long":
                    return self._send(429, b"Too Many Requests\n", "text/plain", {"Retry-After": "3600"})
                if path == "/error":
                    return self._send(500, b"java.lang.RuntimeException: oops\n", "text/plain")
                if path == "/html":
                    return self._send(200, b"<!DOCTYPE html><html><body>Please log in</body></html>", "text/html; charset=utf-8")
                if path == "/not-json":
                    return self._send(200, b"{\"head\": ", "application/sparql-results+json")
                if path == "/slow":
                    time.sleep(3)
                if path not in ("/sparql", "/busy", "/slow", "/unavailable"):
                    return self._send(404, b"not found\n", "text/plain")
                try:
                    result = stub.store.query(text)
                except SyntaxError as error:
                    return self._send(400, f"bad query: {error}\n".encode(), "text/plain")
                accept = self.headers.get("Accept", "")
                if "sparql-results+xml" in accept and "json" not in accept:
                    fmt, ctype = ox.QueryResultsFormat.XML, "application/sparql-results+xml"
                else:
                    fmt, ctype = ox.QueryResultsFormat.JSON, "application/sparql-results+json"
                assert isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
                self._send(200, result.serialize(format=fmt) or b"", ctype + "; charset=utf-8")

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def start_stub() -> WikidataStub:
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    return WikidataStub(store).start()

"""Query results as a page for people: a browser that prefers HTML (or ?format=html) gets a table in
which the graph's own IRIs link to their pages, where the quotes behind each fact are shown.

The query still runs in the query process under the timeout and the row cap; it answers in SPARQL
JSON (or N-Triples for a graph), and only the worker turns that into HTML.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from flask import Response, render_template, request

from hubspoke.web.common import Reply
from hubspoke.web.links import local_path, short
from hubspoke.web.media import TABLES, term_json

# What the query process is asked for when the page is wanted: solutions and booleans as SPARQL JSON,
# graphs as N-Triples (the first of these each kind's table accepts).
MACHINE_ACCEPT = [("application/sparql-results+json", 1.0), ("application/n-triples", 0.9)]


def wants_html(formats: Sequence[str]) -> bool:
    """An explicit ?format=html, or an Accept header that ranks text/html above every result format."""
    if any(f.strip().lower() == "html" for f in formats):
        return True
    if formats:
        return False
    offered = ["text/html", *dict.fromkeys(m.mime for table in TABLES.values() for m in table)]
    accept = request.accept_mimetypes
    named = any(value.split(";")[0].strip().lower() == "text/html" for value, _quality in accept)
    return named and accept.best_match(offered) == "text/html"  # */* alone keeps the standard JSON


def render(reply: Reply, query: str) -> Response:
    """The page for a successful machine answer; errors keep their status and plain text."""
    if reply.status != 200:
        return reply.response()
    body = reply.body.decode("utf-8")
    variables: list[str] = []
    rows: list[list[dict[str, str]]] = []
    boolean = None
    if reply.content_type.startswith("application/sparql-results+json"):
        data = json.loads(body)
        if "boolean" in data:
            boolean = bool(data["boolean"])
        else:
            variables = data["head"]["vars"]
            rows = [[_cell(b.get(v)) for v in variables] for b in data["results"]["bindings"]]
    else:
        variables = ["subject", "predicate", "object"]
        rows = [[_cell(term_json(t)) for t in (q.subject, q.predicate, q.object)]
                for q in ox.parse(reply.body, format=ox.RdfFormat.N_TRIPLES)]
    page = render_template("results.html", query=query, variables=variables, rows=rows, boolean=boolean)
    headers = {"Vary": "Accept", "X-Hubspoke-Row-Cap": reply.headers.get("X-Hubspoke-Row-Cap", "")}
    return Response(page, content_type="text/html; charset=utf-8", headers=headers)


def _cell(term: dict[str, Any] | None) -> dict[str, str]:
    """What a table cell shows: text, and a link for the graph's own IRIs."""
    if term is None:
        return {"text": ""}
    if term["type"] == "uri":
        iri = str(term["value"])
        path = local_path(iri)
        return {"text": short(iri), "link": path, "title": iri} if path else {"text": short(iri)}
    if term["type"] == "bnode":
        return {"text": "[anonymous]"}
    lang = term.get("xml:lang")
    return {"text": term["value"] + (f" @{lang}" if lang else "")}

"""The SPARQL 1.1 Query protocol on /sparql, and the service description on a plain GET."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from hubspoke.namespaces import PREFIXES
from hubspoke.store import QueryResult, QuerySyntaxError, Store
from hubspoke.web.media import GRAPH_TYPES, TABLES, MediaType, content_type, negotiate

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error answer: a status and one readable line, never a stack trace."""
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain", headers=headers)


def store() -> Store:
    s: Store = current_app.config["HUBSPOKE_STORE"]
    return s


@bp.route("/sparql", methods=["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"])
def sparql() -> Response:
    if request.method not in ("GET", "HEAD", "POST"):
        return plain(405, f"{request.method} is not allowed on /sparql; use GET or POST", {"Allow": "GET, HEAD, POST"})
    if request.method == "POST":
        return _post()
    queries = request.args.getlist("query")
    if not queries:
        return _describe_service()
    if len(queries) > 1:
        return plain(400, "Exactly one 'query' parameter is allowed")
    return _run(queries[0], request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri"))


def _post() -> Response:
    mimetype = request.mimetype
    if mimetype == FORM:
        if "update" in request.form:
            return _update_refused()
        queries = request.form.getlist("query")
        if len(queries) != 1:
            return plain(400, "A form POST must carry exactly one 'query' parameter")
        return _run(queries[0], request.form.getlist("default-graph-uri"), request.form.getlist("named-graph-uri"))
    if mimetype == QUERY_BODY:
        text = request.get_data(as_text=False)
        try:
            query = text.decode("utf-8")
        except UnicodeDecodeError:
            return plain(400, "The query body is not UTF-8")
        return _run(query, request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri"))
    if mimetype == UPDATE_BODY:
        return _update_refused()
    return plain(415, f"Unsupported media type {mimetype or '(none)'}; send {FORM} or {QUERY_BODY}")


def _update_refused() -> Response:
    # Writes exist only when an update token is configured (DESIGN.md 'Server'); the protocol issue adds them.
    return plain(403, "This endpoint is read-only: SPARQL Update is disabled")


def _run(query: str, default_graphs: list[str], named_graphs: list[str]) -> Response:
    try:
        result = store().query(query, default_graphs, named_graphs)
    except QuerySyntaxError as error:
        return plain(400, f"Query syntax error: {error}")
    return _serialise(result)


def _serialise(result: QueryResult) -> Response:
    media = negotiate(result.kind, request.accept_mimetypes, request.values.get("format") or request.values.get("output"))
    if media is None:
        offered = ", ".join(dict.fromkeys(m.mime for m in TABLES[result.kind]))
        return plain(406, f"None of the accepted media types can carry this result; offered: {offered}")
    if isinstance(result.payload, ox.QueryTriples):
        body = serialise_triples(result.payload, media)
    else:
        assert isinstance(media.format, ox.QueryResultsFormat)
        body = result.payload.serialize(format=media.format)
    return Response(body, status=200, content_type=content_type(media.mime), headers={"Vary": "Accept"})


def serialise_triples(triples: Iterable[ox.Triple], media: MediaType) -> bytes:
    assert isinstance(media.format, ox.RdfFormat)
    prefixes = PREFIXES if media.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    out = ox.serialize(list(triples), format=media.format, prefixes=prefixes)
    return out or b""


def _describe_service() -> Response:
    """A plain GET: browsers get the query page, other clients the SPARQL service description."""
    if request.accept_mimetypes.best_match(["text/html", *[m.mime for m in GRAPH_TYPES]]) == "text/html":
        return Response(render_template("query.html"), mimetype="text/html")
    media = negotiate("graph", request.accept_mimetypes, request.args.get("format"))
    if media is None:
        return plain(406, "The service description is available as " + ", ".join(m.mime for m in GRAPH_TYPES))
    body = serialise_triples(service_description(request.base_url), media)
    return Response(body, content_type=content_type(media.mime), headers={"Vary": "Accept"})


def service_description(endpoint: str) -> list[ox.Triple]:
    service = ox.BlankNode()
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731 - a local shorthand keeps the table readable
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
    ]
    for mime in dict.fromkeys(m.mime for table in TABLES.values() for m in table):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.Literal(mime)))
    return triples

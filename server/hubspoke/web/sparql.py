"""The SPARQL 1.1 Protocol on /sparql: query (GET, form POST, direct POST), update (POST, with a
token), the service description on a plain GET. Every query runs in a child process with the timeout
(timeout.py) after the guard has refused SERVICE off the allow-list and LOAD (query_guard.py)."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MIMEAccept

from hubspoke.namespaces import PREFIXES
from hubspoke.endpoint.guard import GuardError, inspect_query, inspect_update
from hubspoke.store import EmbeddedStore, QuerySyntaxError, ResultKind
from hubspoke.web.common import Reply, config, guarded_write, invalid_iri, plain, store, with_deadline, write_refusal
from hubspoke.web.media import GRAPH_TYPES, TABLES, MediaType, content_type, negotiate, term_json
from hubspoke.web import results_page
from hubspoke.web.service import service_description

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
ALLOW = {"Allow": "GET, HEAD, POST"}


@bp.record_once
def _warm_up(_state: object) -> None:
    # rdflib builds its parser lazily (~50 ms); do it once here so each query's child inherits it warm.
    inspect_query("ASK {}")
    inspect_update("CLEAR DEFAULT")


@bp.route("/sparql", methods=["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"])
@bp.route("/sparql/", methods=["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"])
def sparql() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204, headers=ALLOW)
    if request.method not in ("GET", "HEAD", "POST"):
        return plain(405, f"{request.method} is not allowed on /sparql; use GET or POST", ALLOW).response()
    reply = _post() if request.method == "POST" else _get()
    return reply if isinstance(reply, Response) else reply.response()


def _get() -> Reply | Response:
    if "update" in request.args:
        return plain(400, "SPARQL Update must be sent with POST (form 'update=' or application/sparql-update)")
    queries = request.args.getlist("query")
    if not queries:
        return _describe_service()
    if len(queries) > 1:
        return plain(400, "Exactly one 'query' parameter is allowed")
    return _query(queries[0], request.args)


def _post() -> Reply | Response:
    mimetype = request.mimetype
    if mimetype == FORM:
        queries, updates = request.form.getlist("query"), request.form.getlist("update")
        if queries and updates:
            return plain(400, "A request carries either 'query' or 'update', not both")
        if updates:
            if len(updates) > 1:
                return plain(400, "Exactly one 'update' parameter is allowed")
            return _update(updates[0], request.values)
        if len(queries) != 1:
            return plain(400, "A form POST must carry exactly one 'query' (or 'update') parameter")
        return _query(queries[0], request.values)
    if mimetype in (QUERY_BODY, UPDATE_BODY):
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            return plain(415, f"{mimetype} bodies must be UTF-8, not {charset}")
        try:
            text = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            return plain(400, "The request body is not UTF-8")
        return _query(text, request.args) if mimetype == QUERY_BODY else _update(text, request.args)
    return plain(415, f"Unsupported media type {mimetype or '(none)'}; send {FORM}, {QUERY_BODY} or {UPDATE_BODY}")


# --- queries ---

@dataclass(frozen=True)
class QuerySpec:
    """Everything a query process needs to answer one request (picklable: it crosses a pipe)."""

    text: str
    default_graphs: list[str]
    named_graphs: list[str]
    accept: list[tuple[str, float]]
    formats: list[str]
    base_iri: str
    row_cap: int
    service_allow: tuple[str, ...]
    byte_cap: int = 0


def answer_query(current: EmbeddedStore, spec: QuerySpec) -> Reply:
    """Guard, run and serialise one query: what the query process does for each request."""
    try:
        info = inspect_query(spec.text, spec.service_allow)
        # info.text, not spec.text: the store runs exactly the text the guard checked.
        result = current.query(info.text, spec.default_graphs, spec.named_graphs, base_iri=spec.base_iri,
                               dataset_in_query=info.has_dataset_clause)
        return answer(result.kind, result.payload, MIMEAccept(spec.accept), spec.formats, spec.row_cap,
                      spec.byte_cap)
    except GuardError as error:
        return plain(error.status, str(error))
    except QuerySyntaxError as error:
        return plain(400, f"Query syntax error: {error}")
    except PermissionError:  # the sandbox refused a socket: a SERVICE the guard let by, with no allow-list
        return plain(403, "The query tried to reach the network; this endpoint's query processes have none")
    except OSError as error:  # an allowed SERVICE endpoint failed or could not be reached
        return plain(502, f"A SERVICE endpoint failed: {error}")
    except RuntimeError as error:  # evaluation refused by the engine, e.g. an unknown extension function
        return plain(400, f"The query cannot be evaluated: {error}")


def _query(text: str, params: Any) -> Reply | Response:
    settings = config()
    default_graphs, named_graphs = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    bad = invalid_iri(default_graphs + named_graphs)
    if bad is not None:
        return bad
    formats = params.getlist("format") + params.getlist("output")
    page = results_page.wants_html(formats)
    spec = QuerySpec(text, default_graphs, named_graphs,
                     results_page.MACHINE_ACCEPT if page else list(request.accept_mimetypes),
                     [] if page else formats, request.base_url, settings.row_cap, tuple(settings.service_allow),
                     settings.byte_cap)
    current = store().current()
    reply = with_deadline(functools.partial(answer_query, current), spec, current.state_key())
    return results_page.render(reply, text) if page else reply


def answer(kind: ResultKind, payload: Any, accept: MIMEAccept, formats: Sequence[str], row_cap: int,
           byte_cap: int = 0) -> Reply:
    """Serialise a result in the negotiated format; more rows than the row cap, or a body larger than the
    byte cap, is refused, never cut."""
    media = negotiate(kind, accept, formats)
    if media is None:
        offered = ", ".join(dict.fromkeys(m.mime for m in TABLES[kind]))
        return plain(406, f"None of the accepted media types can carry this result; offered: {offered}")
    headers = {"Vary": "Accept"}
    if kind == "boolean":
        assert isinstance(media.format, ox.QueryResultsFormat)
        return Reply(200, payload.serialize(format=media.format), content_type(media.mime), headers)
    rows = list(itertools.islice(payload, row_cap + 1)) if row_cap else list(payload)
    if row_cap and len(rows) > row_cap:
        what = "rows" if kind == "solutions" else "triples"
        return plain(422, f"The result has more than {row_cap} {what}, the row cap of this endpoint; "
                          "nothing was sent. Page through it with ORDER BY, LIMIT and OFFSET",
                     {"X-Hubspoke-Row-Cap": str(row_cap)})
    headers["X-Hubspoke-Row-Cap"] = str(row_cap)
    if kind == "graph":
        body = serialise_triples(rows, media)
    else:
        body = _serialise_solutions(payload.variables, rows, media)
    if byte_cap and len(body) > byte_cap:
        return plain(422, f"The answer is larger than {byte_cap} bytes, the byte cap of this endpoint; nothing "
                          "was sent. Ask for fewer rows (LIMIT) or shorter values",
                     {"X-Hubspoke-Byte-Cap": str(byte_cap)})
    if byte_cap:
        headers["X-Hubspoke-Byte-Cap"] = str(byte_cap)
    return Reply(200, body, content_type(media.mime), headers)


def _serialise_solutions(variables: list[ox.Variable], rows: list[ox.QuerySolution], media: MediaType) -> bytes:
    """Rows already taken from the engine (to count them against the cap) are written as SPARQL JSON,
    then handed back to pyoxigraph for the other formats, so each format keeps one faithful writer."""
    names = [v.value for v in variables]
    bindings = [{n: term_json(row[n]) for n in names if row[n] is not None} for row in rows]
    data = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode("utf-8")
    if media.format == ox.QueryResultsFormat.JSON:
        return data
    assert isinstance(media.format, ox.QueryResultsFormat)
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(format=media.format) or b""


def serialise_triples(triples: Iterable[ox.Triple], media: MediaType) -> bytes:
    assert isinstance(media.format, ox.RdfFormat)
    prefixes = PREFIXES if media.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    out = ox.serialize(list(triples), format=media.format, prefixes=prefixes)
    return out or b""


# --- updates ---

def _update(text: str, params: Any) -> Reply:
    refusal = write_refusal()
    if refusal is not None:
        return refusal
    settings = config()
    using, using_named = params.getlist("using-graph-uri"), params.getlist("using-named-graph-uri")
    bad = invalid_iri(using + using_named)
    if bad is not None:
        return bad
    base, allow = request.base_url, tuple(settings.service_allow)
    # The update is parsed and guarded in the write's own process, under its deadline and limits.
    _result, refusal = guarded_write(lambda s: s.update(text, using, using_named, base_iri=base, service_allow=allow))
    return refusal or Reply(204, b"", "text/plain")


# --- the service description ---

def _describe_service() -> Reply | Response:
    """A plain GET: browsers get the query page, other clients (or a ?format= naming an RDF format) the
    SPARQL service description."""
    formats = [f.strip().lower() for f in request.args.getlist("format")]
    named = any(f in m.short or f == m.mime for f in formats for m in GRAPH_TYPES)
    if not named and request.accept_mimetypes.best_match(["text/html", *[m.mime for m in GRAPH_TYPES]]) == "text/html":
        return Response(render_template("query.html"), mimetype="text/html")
    media = negotiate("graph", request.accept_mimetypes, request.args.getlist("format"))
    if media is None:
        return plain(406, "The service description is available as " + ", ".join(m.mime for m in GRAPH_TYPES))
    endpoint = request.base_url
    triples = service_description(endpoint, store().graph_sizes(), config())
    return Reply(200, serialise_triples(triples, media), content_type(media.mime), {"Vary": "Accept"})

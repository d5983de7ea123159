"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: `?graph=IRI` or `?default` (indirect), or
/store/<path> naming the graph by its own URL (direct). Reads for everyone; writes with the token.

Uploads are parsed by pyoxigraph, whose RDF/XML reader resolves no external entity (no XXE), with the
graph's IRI as the base. A POST to /store without a graph creates a new graph and answers 201 with
its IRI in Location."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, request

from hubspoke.endpoint.guard import GuardError
from hubspoke.store import GraphName
from hubspoke.web.common import Reply, guarded_write, plain, store, write_refusal
from hubspoke.web.media import GRAPH_TYPES, content_type, negotiate
from hubspoke.web.sparql import serialise_triples

bp = Blueprint("graph_store", __name__)

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"]
ALLOW = {"Allow": "GET, HEAD, PUT, POST, DELETE"}
# Formats a graph may be uploaded in: triples only (a quad format could name other graphs).
_UPLOADS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}


class BadUpload(GuardError):
    """An upload that cannot be parsed (400) or has an unsupported type (415)."""


@bp.route("/store", methods=METHODS)
@bp.route("/store/<path:rest>", methods=METHODS)
def graph_store(rest: str = "") -> Response:
    reply = _dispatch(rest)
    return reply if isinstance(reply, Response) else reply.response()


def _dispatch(rest: str) -> Reply | Response:
    if request.method == "OPTIONS":
        return Response(status=204, headers=ALLOW)
    if request.method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        return plain(405, f"{request.method} is not allowed on the graph store", ALLOW)
    graphs, default = request.args.getlist("graph"), "default" in request.args
    if rest:
        if graphs or default:
            return plain(400, "A graph named by its URL takes no ?graph= or ?default")
        try:
            target: GraphName = ox.NamedNode(request.base_url).value
        except ValueError:
            return plain(400, f"{request.base_url!r} is not a valid IRI, so it cannot name a graph")
    elif graphs and default or len(graphs) > 1:
        return plain(400, "Name exactly one graph: ?graph=IRI or ?default")
    elif graphs:
        target = graphs[0]
        try:
            ox.NamedNode(target)
        except ValueError:
            return plain(400, f"?graph= must be an absolute IRI, not {target!r}")
    elif default:
        target = None
    elif request.method == "POST":
        return _create()
    else:
        return plain(400, "Name a graph: ?graph=IRI, ?default, or a URL under /store/")
    if request.method in ("GET", "HEAD"):
        return _read(target)
    refusal = write_refusal()
    if refusal is not None:
        return refusal
    if request.method == "DELETE":
        if not store().has_graph(target):
            return plain(404, f"No graph {_label(target)} in the store")
        _done, failure = guarded_write(lambda s: s.delete_graph(target))
        return failure or Reply(204, b"", "text/plain")
    try:
        upload = _upload(target)
    except BadUpload as error:
        return plain(error.status, str(error))
    # Parsed in the write's own process: an entity bomb in RDF/XML meets the deadline and the memory cap.
    if request.method == "PUT":
        created, failure = guarded_write(lambda s: s.replace_graph(target, upload.triples()))
    else:
        created, failure = guarded_write(lambda s: s.add_to_graph(target, upload.triples()))
    if failure is not None:
        return failure
    return Reply(201, b"", "text/plain") if created else Reply(204, b"", "text/plain")


def _label(target: GraphName) -> str:
    return "(default graph)" if target is None else f"<{target}>"


def _read(target: GraphName) -> Reply:
    current = store()
    if not current.has_graph(target):
        return plain(404, f"No graph {_label(target)} in the store")
    media = negotiate("graph", request.accept_mimetypes, request.args.getlist("format"))
    if media is None:
        return plain(406, "A graph is available as " + ", ".join(m.mime for m in GRAPH_TYPES))
    body = serialise_triples(current.graph_triples(target), media)
    return Reply(200, body, content_type(media.mime), {"Vary": "Accept"})


def _create() -> Reply:
    refusal = write_refusal()
    if refusal is not None:
        return refusal
    target = f"{request.host_url}store/graphs/{uuid.uuid4()}"
    try:
        upload = _upload(target)
    except BadUpload as error:
        return plain(error.status, str(error))
    _created, failure = guarded_write(lambda s: s.add_to_graph(target, upload.triples()))
    return failure or Reply(201, b"", "text/plain", {"Location": target})


@dataclass(frozen=True)
class Upload:
    """The documents of a request body, not yet parsed: (bytes, media type) each, with the base IRI."""

    parts: list[tuple[bytes, str]]
    base: str

    def triples(self) -> list[ox.Triple]:
        """Parse every part (call it in the write's process: parsing is where an upload can explode)."""
        triples: list[ox.Triple] = []
        for data, mimetype in self.parts:
            try:
                triples += [q.triple for q in ox.parse(data, format=_UPLOADS[mimetype], base_iri=self.base)]
            except (SyntaxError, ValueError) as error:
                raise BadUpload(f"The {mimetype} body cannot be parsed: {error}") from None
        return triples


def _upload(base: GraphName) -> Upload:
    """The request body: one RDF document, or every file of a multipart/form-data body; 415 for a type
    that is not a triples format."""
    if request.mimetype == "multipart/form-data":
        parts = [(upload.read(), upload.mimetype) for upload in request.files.values()]
    else:
        parts = [(request.get_data(), request.mimetype)]
    for _data, mimetype in parts:
        if mimetype not in _UPLOADS:
            err = BadUpload(f"Unsupported media type {mimetype or '(none)'}; send one of {', '.join(_UPLOADS)}")
            err.status = 415
            raise err
    return Upload(parts, base or request.base_url)

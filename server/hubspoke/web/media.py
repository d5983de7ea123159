"""One table of media types per result kind, and content negotiation with q-values (STYLE.md 12)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

from hubspoke.store import ResultKind


@dataclass(frozen=True)
class MediaType:
    mime: str
    format: ox.QueryResultsFormat | ox.RdfFormat
    short: str  # the value of ?format= / ?output= that asks for it


_RESULTS = [
    MediaType("application/sparql-results+json", ox.QueryResultsFormat.JSON, "json"),
    MediaType("application/sparql-results+xml", ox.QueryResultsFormat.XML, "xml"),
    MediaType("text/csv", ox.QueryResultsFormat.CSV, "csv"),
    MediaType("text/tab-separated-values", ox.QueryResultsFormat.TSV, "tsv"),
    MediaType("application/json", ox.QueryResultsFormat.JSON, "json"),
    MediaType("application/xml", ox.QueryResultsFormat.XML, "xml"),
]
_BOOLEAN = [m for m in _RESULTS]  # SPARQL CSV/TSV answer ASK with the bare word, as Oxigraph and Jena do
GRAPH_TYPES = [
    MediaType("text/turtle", ox.RdfFormat.TURTLE, "turtle"),
    MediaType("application/n-triples", ox.RdfFormat.N_TRIPLES, "ntriples"),
    MediaType("application/n-quads", ox.RdfFormat.N_QUADS, "nquads"),
    MediaType("application/trig", ox.RdfFormat.TRIG, "trig"),
    MediaType("application/ld+json", ox.RdfFormat.JSON_LD, "jsonld"),
    MediaType("application/rdf+xml", ox.RdfFormat.RDF_XML, "rdfxml"),
    MediaType("text/plain", ox.RdfFormat.N_TRIPLES, "nt"),
    MediaType("application/json", ox.RdfFormat.JSON_LD, "json"),
    MediaType("application/xml", ox.RdfFormat.RDF_XML, "xml"),
]
TABLES: dict[ResultKind, list[MediaType]] = {"solutions": _RESULTS, "boolean": _BOOLEAN, "graph": GRAPH_TYPES}

# Types whose text is not ASCII-only by definition get an explicit charset.
_TEXTUAL = ("text/", "application/sparql-results+json", "application/json", "application/ld+json")


def content_type(mime: str) -> str:
    return f"{mime}; charset=utf-8" if mime.startswith(_TEXTUAL) else mime


def negotiate(kind: ResultKind, accept: MIMEAccept, requested: str | None = None) -> MediaType | None:
    """The best media type for a result kind: an explicit ?format= wins, then Accept with q-values.

    No Accept header (or */*) gives the first, standard type of the table; None means 406.
    """
    table = TABLES[kind]
    if requested:
        wanted = requested.strip().lower()
        for media in table:
            if wanted in (media.short, media.mime):
                return media
        return None
    if not accept or not list(accept.values()):
        return table[0]
    best = accept.best_match([m.mime for m in table], default=None)
    if best is None:
        return None
    return next(m for m in table if m.mime == best)

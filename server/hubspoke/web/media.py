"""One table of media types per result kind, and content negotiation with q-values (STYLE.md 12)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

from hubspoke.store import ResultKind

FORMATS = "http://www.w3.org/ns/formats/"  # the W3C's IRIs for formats, used by the service description


@dataclass(frozen=True)
class MediaType:
    mime: str
    format: ox.QueryResultsFormat | ox.RdfFormat
    short: tuple[str, ...]  # values of ?format= / ?output= that ask for it (SPARQLWrapper, Virtuoso, Fuseki)
    w3c: str = ""  # the format's IRI under http://www.w3.org/ns/formats/ ("" for an alias)


_RESULTS = [
    MediaType("application/sparql-results+json", ox.QueryResultsFormat.JSON, ("json",), FORMATS + "SPARQL_Results_JSON"),
    MediaType("application/sparql-results+xml", ox.QueryResultsFormat.XML, ("xml",), FORMATS + "SPARQL_Results_XML"),
    MediaType("text/csv", ox.QueryResultsFormat.CSV, ("csv",), FORMATS + "SPARQL_Results_CSV"),
    MediaType("text/tab-separated-values", ox.QueryResultsFormat.TSV, ("tsv",), FORMATS + "SPARQL_Results_TSV"),
    MediaType("application/json", ox.QueryResultsFormat.JSON, ()),
    MediaType("application/xml", ox.QueryResultsFormat.XML, ()),
    MediaType("text/xml", ox.QueryResultsFormat.XML, ()),
]
# SPARQL 1.1 CSV/TSV define results for SELECT only: an ASK asked for them gets 406 naming these instead
# of a bare "true" that strict readers (Jena's) reject.
_BOOLEAN = [m for m in _RESULTS if m.format not in (ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)]
GRAPH_TYPES = [
    MediaType("text/turtle", ox.RdfFormat.TURTLE, ("turtle", "ttl", "n3"), FORMATS + "Turtle"),
    MediaType("application/n-triples", ox.RdfFormat.N_TRIPLES, ("ntriples", "nt", "n-triples"), FORMATS + "N-Triples"),
    MediaType("application/n-quads", ox.RdfFormat.N_QUADS, ("nquads", "nq", "n-quads"), FORMATS + "N-Quads"),
    MediaType("application/trig", ox.RdfFormat.TRIG, ("trig",), FORMATS + "TriG"),
    MediaType("application/ld+json", ox.RdfFormat.JSON_LD, ("jsonld", "json-ld", "json"), FORMATS + "JSON-LD"),
    MediaType("application/rdf+xml", ox.RdfFormat.RDF_XML, ("rdfxml", "rdf+xml", "rdf", "xml"), FORMATS + "RDF_XML"),
    MediaType("text/plain", ox.RdfFormat.N_TRIPLES, ()),
    MediaType("application/json", ox.RdfFormat.JSON_LD, ()),
    MediaType("application/xml", ox.RdfFormat.RDF_XML, ()),
    MediaType("text/xml", ox.RdfFormat.RDF_XML, ()),
    MediaType("text/n3", ox.RdfFormat.TURTLE, ()),  # Turtle is N3's RDF subset: an N3 reader reads it
]
TABLES: dict[ResultKind, list[MediaType]] = {"solutions": _RESULTS, "boolean": _BOOLEAN, "graph": GRAPH_TYPES}

# Types whose text is not ASCII-only by definition get an explicit charset.
_TEXTUAL = ("text/", "application/sparql-results+json", "application/json", "application/ld+json",
            "application/trig", "application/n-triples", "application/n-quads")


def content_type(mime: str) -> str:
    return f"{mime}; charset=utf-8" if mime.startswith(_TEXTUAL) else mime


def negotiate(kind: ResultKind, accept: MIMEAccept, requested: str | Iterable[str] | None = None) -> MediaType | None:
    """The best media type for a result kind: a known ?format= value wins, then Accept with q-values.

    Unknown ?format= values are ignored (clients such as SPARQLWrapper send several, some meant for
    other servers). No Accept header (or */*) gives the first, standard type of the table; None means 406.
    """
    table = TABLES[kind]
    wanted = [requested] if isinstance(requested, str) else list(requested or ())
    for value in wanted:
        value = value.strip().lower()
        for media in table:
            if value in media.short or value == media.mime:
                return media
    if not accept or not list(accept.values()):
        return table[0]
    # Media-type parameters other than q (e.g. "text/turtle; charset=utf-8") do not narrow the choice.
    accept = MIMEAccept([(value.split(";")[0].strip(), quality) for value, quality in accept])
    best = accept.best_match([m.mime for m in table])
    if best is None:
        return None
    return next(m for m in table if m.mime == best)


def w3c_formats() -> list[str]:
    """Every format IRI the endpoint can answer in (results and graphs), for the service description."""
    return [m.w3c for table in (_RESULTS, GRAPH_TYPES) for m in table if m.w3c]


def term_json(term: Any) -> dict[str, Any]:
    """One RDF term as a SPARQL 1.1 Query Results JSON binding value (RDF-star triples included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


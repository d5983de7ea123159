"""Moving triples between pyoxigraph (loading, querying) and rdflib (pyshacl, the identifier table):
through N-Triples, the cheapest faithful route (STACK-NOTES.md)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence

import pyoxigraph as ox
import rdflib


@contextlib.contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a stack trace for each ill-typed literal (a bad date); the shapes report those instead."""
    logger = logging.getLogger("rdflib.term")
    saved = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(saved)


def to_rdflib(triples: Sequence[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    data = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=ox.RdfFormat.N_TRIPLES)
    if data:
        with quiet_rdflib():
            graph.parse(data=data, format="nt")
    return graph


def to_oxigraph(graph: rdflib.Graph) -> list[ox.Triple]:
    data = graph.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]

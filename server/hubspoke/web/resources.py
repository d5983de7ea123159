"""The graph's own IRIs answer (DESIGN.md, 'IRIs and graphs'): /id/japan and /ontology/State give a
page to a browser and the description as RDF to any other client (Turtle by default).

The description is the resource's own statements plus the quotations behind them (a concise
bounded description with its provenance); the page adds the facts that name the resource, each
with its quote, so a reader can go from any entity to the sentences that support what is said of it.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request

from hubspoke import namespaces as ns
from hubspoke.web.media import GRAPH_TYPES, content_type, negotiate
from hubspoke.web.sparql import serialise_triples

bp = Blueprint("resources", __name__)

_DESCRIPTION = """PREFIX prov: <http://www.w3.org/ns/prov#>
CONSTRUCT { ?this ?p ?o . ?q ?qp ?qo } WHERE {
  { ?this ?p ?o } UNION { ?this prov:wasDerivedFrom ?q . ?q ?qp ?qo }
}"""

# Statements about the resource, with readable labels, and the facts that name it, with quotes.
_OUTGOING = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?this ?p ?pLabel ?o ?oLabel ?inferred WHERE {
  ?this ?p ?o .
  FILTER(!isBlank(?o))  # an inferred type such as an owl:hasValue restriction has no name to show
  OPTIONAL { ?p rdfs:label ?pLabel FILTER(langMatches(lang(?pLabel), "en")) }
  OPTIONAL { ?o skos:prefLabel|rdfs:label ?oLabel FILTER(langMatches(lang(?oLabel), "en")) }
  BIND(EXISTS { GRAPH <https://w3id.org/hubspoke/graph/inferred> { ?this ?p ?o } } AS ?inferred)
} ORDER BY ?p ?o"""

_INCOMING = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?this ?fact ?factLabel ?p ?pLabel ?quote ?source WHERE {
  GRAPH <https://w3id.org/hubspoke/graph/facts> { ?fact ?p ?this }
  OPTIONAL { ?fact skos:prefLabel ?factLabel FILTER(langMatches(lang(?factLabel), "en")) }
  OPTIONAL { ?p rdfs:label ?pLabel FILTER(langMatches(lang(?pLabel), "en")) }
  OPTIONAL { ?fact prov:wasDerivedFrom ?q . ?q prov:value ?quote ; prov:wasQuotedFrom ?source }
} ORDER BY ?factLabel ?fact LIMIT 2000"""

_QUOTES = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?this ?quote ?source ?title WHERE {
  ?this prov:wasDerivedFrom ?q . ?q prov:value ?quote ; prov:wasQuotedFrom ?source .
  OPTIONAL { ?source dcterms:title ?title }
} ORDER BY ?source ?quote"""


@bp.route("/id/<path:slug>")
def instance(slug: str) -> Response | str:
    return describe(ns.HSI + slug)


@bp.route("/ontology/<path:term>")
def term(term: str) -> Response | str:
    return describe(ns.HS + term)


def describe(iri: str) -> Response | str:
    store = current_app.config["HUBSPOKE_STORE"]
    try:
        this = {ox.Variable("this"): ox.NamedNode(iri)}
    except ValueError:
        abort(400, description=f"{iri!r} is not a valid IRI, so nothing in this graph can be named by it")
    triples = list(_payload(store, _DESCRIPTION, this))
    incoming = [_row(r) for r in _payload(store, _INCOMING, this)]
    if not triples and not incoming:
        abort(404, description=f"<{iri}> is not described in this graph")
    mimes = [m.mime for m in GRAPH_TYPES]
    requested = request.args.get("format")
    if requested != "html" and (requested or request.accept_mimetypes.best_match([*mimes, "text/html"]) != "text/html"):
        media = negotiate("graph", request.accept_mimetypes, requested)
        if media is None:
            abort(406, description="this resource is available as HTML or as " + ", ".join(dict.fromkeys(mimes)))
        return Response(serialise_triples(triples, media), content_type=content_type(media.mime), headers={"Vary": "Accept"})
    outgoing = [_row(r) for r in _payload(store, _OUTGOING, this)]
    quotes = [_row(r) for r in _payload(store, _QUOTES, this)]
    label = next((r["oLabel"] or r["o"] for r in outgoing if r["p"].endswith(("#prefLabel", "#label"))), iri)
    page = render_template("resource.html", iri=iri, label=label, outgoing=outgoing, incoming=incoming,
                           quotes=quotes)
    return Response(page, content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


def _payload(store: Any, query: str, this: dict[ox.Variable, ox.NamedNode]) -> Any:
    # The IRI is bound by substitution, never pasted into the query text.
    current = store.current() if hasattr(store, "current") else store
    return current.oxigraph.query(query, use_default_graph_as_union=True, substitutions=this)


def _row(solution: ox.QuerySolution) -> dict[str, str]:
    out: dict[str, str] = {}
    for variable in ("p", "pLabel", "o", "oLabel", "fact", "factLabel", "quote", "source", "title", "inferred"):
        try:
            value = solution[variable]
        except (KeyError, IndexError, TypeError):
            continue
        out[variable] = "" if value is None else str(value.value)
    return out


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
SELECT DISTINCT ?this ?p ?pLabel ?o ?oLabel ?inferred ?oIri WHERE {
  ?this ?p ?o .
  BIND(isIRI(?o) AS ?oIri)  # only an IRI becomes a link (a literal that looks like one does not)
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
    iri = ns.HS + term
    wants_html = request.args.get("format") == "html" or (
        not request.args.get("format") and request.accept_mimetypes.best_match(
            [*(m.mime for m in GRAPH_TYPES), "text/html"]) == "text/html")
    if not wants_html:
        module = module_triples(current_app.config["HUBSPOKE_STORE"], iri)
        if module:  # an ontology module's IRI gives the whole module, as a document
            media = negotiate("graph", request.accept_mimetypes, request.args.get("format"))
            if media is None:
                abort(406, description="the module is available as " + ", ".join(dict.fromkeys(m.mime for m in GRAPH_TYPES)))
            return Response(serialise_triples(module, media), content_type=content_type(media.mime),
                            headers={"Vary": "Accept"})
    return describe(iri)


def module_triples(store: Any, iri: str) -> list[ox.Triple]:
    """The whole ontology module whose owl:Ontology is `iri` (empty if it is not one): its header, every
    term it defines (rdfs:isDefinedBy) with the blank nodes of their axioms, and the anonymous axioms
    (an owl:AllDisjointClasses) that name only its terms or terms it imports."""
    current = store.current() if hasattr(store, "current") else store
    ox_store: ox.Store = current.oxigraph
    graph = ox.NamedNode(ns.ONTOLOGY_GRAPH)
    try:
        module = ox.NamedNode(iri)
    except ValueError:  # not an IRI: certainly not a module
        return []
    if not any(ox_store.quads_for_pattern(module, ox.NamedNode(_RDF_TYPE), ox.NamedNode(_OWL_ONTOLOGY), graph)):
        return []
    triples = [q.triple for q in ox_store.quads_for_pattern(None, None, None, graph)]
    by_subject: dict[Any, list[ox.Triple]] = {}
    objects: set[Any] = set()
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
        objects.add(t.object)
    defined_by: dict[Any, Any] = {t.subject: t.object for t in triples if t.predicate.value == _IS_DEFINED_BY}

    def closure(subject: Any) -> list[ox.Triple]:
        out, todo, seen = [], [subject], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for t in by_subject.get(node, []):
                out.append(t)
                if isinstance(t.object, ox.BlankNode):
                    todo.append(t.object)
        return out

    out: list[ox.Triple] = closure(module)
    for subject, owner in defined_by.items():
        if owner == module:
            out += closure(subject)
    for root in by_subject:
        if isinstance(root, ox.BlankNode) and root not in objects:
            named = {t.object for t in closure(root) if isinstance(t.object, ox.NamedNode) and t.object in defined_by}
            owners = {defined_by[n] for n in named}
            if module in owners and all(_owner_rank(o, module, ox_store, graph) for o in owners):
                out += closure(root)
    return list(dict.fromkeys(out))


def _owner_rank(owner: Any, module: Any, store: ox.Store, graph: ox.NamedNode) -> bool:
    """An anonymous axiom belongs to `module` when every term it names is the module's own or one it imports."""
    return bool(owner == module or any(store.quads_for_pattern(module, ox.NamedNode(_OWL_IMPORTS), owner, graph)))


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"
_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
_IS_DEFINED_BY = "http://www.w3.org/2000/01/rdf-schema#isDefinedBy"


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
    for variable in ("p", "pLabel", "o", "oLabel", "fact", "factLabel", "quote", "source", "title", "inferred", "oIri"):
        try:
            value = solution[variable]
        except (KeyError, IndexError, TypeError):
            continue
        out[variable] = "" if value is None else str(value.value)
    return out


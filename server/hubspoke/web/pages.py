"""People pages: home (what is inside, example questions) and the health check."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template

from hubspoke import namespaces as ns

bp = Blueprint("pages", __name__)

EXAMPLES = [
    (
        "Japan's security partners and the facts behind each",
        """PREFIX hs: <https://w3id.org/hubspoke/ontology/>
PREFIX hsi: <https://w3id.org/hubspoke/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?partner ?relationship ?type ?date ?quote WHERE {
  GRAPH <https://w3id.org/hubspoke/graph/facts> {
    ?relationship hs:hasParty hsi:japan, ?p ; a ?t .
  }
  FILTER(?p != hsi:japan)
  ?p skos:prefLabel ?partner . ?t rdfs:label ?type .
  OPTIONAL { ?relationship hs:date ?date }
  OPTIONAL { ?relationship prov:wasDerivedFrom/prov:value ?quote }
} ORDER BY ?partner ?date LIMIT 50""",
    ),
    (
        "Triples per named graph",
        "SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph",
    ),
]


@bp.route("/")
def home() -> str:
    store = current_app.config["HUBSPOKE_STORE"]
    sizes = store.graph_sizes()
    graphs = [(g, sizes.get(g, 0)) for g in (ns.ONTOLOGY_GRAPH, ns.FACTS_GRAPH, ns.LINKS_GRAPH, ns.INFERRED_GRAPH, ns.DERIVATIONS_GRAPH, ns.SHAPES_GRAPH)]
    examples = [(title, q, "/sparql?" + urlencode({"query": q})) for title, q in EXAMPLES]
    return render_template("home.html", graphs=graphs, examples=examples, version=current_app.config["HUBSPOKE_VERSION"])


@bp.route("/favicon.ico")
def favicon() -> Response:
    # Browsers ask for it on every page; no icon is a plain "nothing here", not an error in their console.
    return Response(status=204)


@bp.route("/health")
def health() -> Response:
    """Answered by the worker itself, never through the query processes, so it answers while they work:
    "busy" when every query process of this worker is running a request (200 still: the server is up)."""
    from hubspoke.web.common import pool

    store = current_app.config["HUBSPOKE_STORE"]
    state = pool().state()
    config = current_app.config["HUBSPOKE_CONFIG"]
    reload: dict[str, object] = {}
    if config.reload_status is not None:  # `serve --reload`: which build, and whether the last edit failed
        from hubspoke.curation.reload import health_fields

        reload = {"reload": health_fields(config.reload_status, config.build_id)}
    return jsonify(status="busy" if state.running >= state.slots else "ok",
                   version=current_app.config["HUBSPOKE_VERSION"], triples=sum(store.graph_sizes().values()),
                   query_processes=state.slots, running=state.running, waiting=state.waiting, **reload)

"""The SPARQL 1.1 Service Description and the VoID description, as triples built from the store."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.store import in_default_graph
from hubspoke.web.media import FORMATS, w3c_formats

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _count(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


def service_description(endpoint: str, sizes: dict[str, int], settings: Any) -> list[ox.Triple]:
    """sd:Service with its endpoint, languages, result formats (W3C format IRIs), features and the
    default dataset: the default graph (the union of the store's default graph and every named graph
    but the shapes and the derivation records, said in words: SPARQL-SD has no term for it) and one
    sd:NamedGraph per graph."""
    service = ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
    ]  # not sd:UnionDefaultGraph (two graphs stay out); no sd:DereferencesURIs: FROM selects graphs in the store and never fetches
    if settings.update_token:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    if settings.service_allow:
        triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    for iri in w3c_formats():
        triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(iri)))
    for name in ("Turtle", "N-Triples", "RDF_XML", "JSON-LD"):  # what the Graph Store accepts (graph_store._UPLOADS)
        triples.append(ox.Triple(service, _sd("inputFormat"), ox.NamedNode(FORMATS + name)))
    dataset, default = ox.BlankNode(), ox.BlankNode()
    triples += [
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _sd("Graph")),
        ox.Triple(default, _void("triples"), _count(sum(n for g, n in sizes.items() if in_default_graph(g)))),
        ox.Triple(default, RDFS_COMMENT, ox.Literal(
            "A query's default graph: the union of the store's own default graph and every named graph except "
            f"<{ns.SHAPES_GRAPH}> and <{ns.DERIVATIONS_GRAPH}>, which GRAPH and the dataset parameters reach. "
            "The Graph Store's ?default is the store's own default graph (empty in the built dataset).", language="en")),
    ]
    for name, size in sorted(sizes.items()):
        if not name:
            continue
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(name)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
            ox.Triple(graph, _void("triples"), _count(size)),
        ]
    return triples


def void_description(base: str, endpoint: str, sizes: dict[str, int], version: str) -> list[ox.Triple]:
    """A void:Dataset for the whole store with one void:subset per named graph and its triple count."""
    dataset = ox.NamedNode(base + "void#hubspoke")
    triples = [
        ox.Triple(dataset, RDF_TYPE, _void("Dataset")),
        ox.Triple(dataset, DCTERMS_TITLE, ox.Literal(f"hubspoke {version}")),
        ox.Triple(dataset, _void("sparqlEndpoint"), ox.NamedNode(endpoint)),
        ox.Triple(dataset, _void("triples"), _count(sum(sizes.values()))),
    ]
    for name, size in sorted(sizes.items()):
        subset = ox.BlankNode()  # a graph IRI cannot be folded into a fragment safely; sd:name links it
        triples += [
            ox.Triple(dataset, _void("subset"), subset),
            ox.Triple(subset, RDF_TYPE, _void("Dataset")),
            ox.Triple(subset, _void("triples"), _count(size)),
        ]
        if name:
            triples.append(ox.Triple(subset, _sd("name"), ox.NamedNode(name)))
    return triples

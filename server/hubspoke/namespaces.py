"""The IRIs hubspoke mints: terms, instances, shapes and named graphs (DESIGN.md, 'IRIs and graphs')."""

from typing import Final

HS: Final = "https://w3id.org/hubspoke/ontology/"
HSI: Final = "https://w3id.org/hubspoke/id/"
SHAPES: Final = "https://w3id.org/hubspoke/shapes/"
GRAPH_BASE: Final = "https://w3id.org/hubspoke/graph/"

ONTOLOGY_GRAPH: Final = GRAPH_BASE + "ontology"
FACTS_GRAPH: Final = GRAPH_BASE + "facts"
LINKS_GRAPH: Final = GRAPH_BASE + "links"
INFERRED_GRAPH: Final = GRAPH_BASE + "inferred"
DERIVATIONS_GRAPH: Final = GRAPH_BASE + "derivations"
SHAPES_GRAPH: Final = GRAPH_BASE + "shapes"
IMPORTED_GRAPH: Final = GRAPH_BASE + "imported"  # facts from open-data snapshots, only when switched on

PREFIXES: Final[dict[str, str]] = {
    "hs": HS,
    "hsi": HSI,
    "hsh": SHAPES,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def prefixed_name(iri: str, prefixes: dict[str, str] | None = None) -> str | None:
    """`hs:State` for an IRI that one of the prefixes covers with a plain local name; None otherwise
    (callers choose their own fallback: the IRI, or `<IRI>`)."""
    for prefix, base in (prefixes or PREFIXES).items():
        local = iri[len(base):]
        if iri.startswith(base) and local and "/" not in local:
            return f"{prefix}:{local}"
    return None

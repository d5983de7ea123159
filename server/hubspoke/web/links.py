"""How pages name and link the graph's IRIs: the server's own path for an hsi:/hs: IRI, and a
prefixed name where one fits. Registered as template globals (`local`, `short`) by create_app."""

from __future__ import annotations

from hubspoke import namespaces as ns

_PAGES = ((ns.HSI, "/id/"), (ns.HS, "/ontology/"))


def local_path(iri: str) -> str | None:
    """/id/japan for hsi:japan, /ontology/State for hs:State; None for any other IRI."""
    for base, path in _PAGES:
        if iri.startswith(base) and len(iri) > len(base):
            return path + iri[len(base):]
    return None


def short(iri: str) -> str:
    """rdf:type, skos:altLabel ... for an IRI a page shows without a label; the IRI itself otherwise."""
    return ns.prefixed_name(iri) or iri

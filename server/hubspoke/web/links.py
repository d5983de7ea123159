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


_SAFE_SCHEMES = ("http://", "https://")
_OWN_SPACE = "https://w3id.org/hubspoke/"


def safe_href(iri: str) -> str | None:
    """What a page may put into href for an IRI: its own page's path, another site's http(s) IRI as it
    is, and None for our own IRIs that have no page here and for any other scheme (javascript:, data:,
    file: ... accepted by RDF, never by a link)."""
    path = local_path(iri)
    if path is not None:
        return path
    if iri.startswith(_OWN_SPACE):
        return None  # ours (a rule, a derivation, a snapshot) but no page here: a link would leave for nothing
    return iri if iri.lower().startswith(_SAFE_SCHEMES) and not any(c in iri for c in '"<> \n\r\t') else None

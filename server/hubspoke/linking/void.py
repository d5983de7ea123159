"""The description of the links graph: one void:Linkset per link target (Wikidata, GeoNames) with
its link predicate and count, property partitions for the code literals (ISO 3166, COW), and the
licence and attribution of the dataset and of every target (DESIGN.md, 'Linking')."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import rdflib
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, VOID, XSD

from hubspoke import namespaces as ns

HSI = rdflib.Namespace(ns.HSI)
HS = rdflib.Namespace(ns.HS)
DATASET = HSI["dataset"]
CC_BY_4 = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = rdflib.URIRef("http://creativecommons.org/publicdomain/zero/1.0/")


@dataclass(frozen=True)
class Target:
    """A dataset our entities link to, and the terms it is published under."""

    slug: str
    title: str
    uri_space: str
    homepage: str
    license: rdflib.URIRef | None
    attribution: str


WIKIDATA = Target("wikidata", "Wikidata", "http://www.wikidata.org/entity/", "https://www.wikidata.org/",
                  CC0, "Wikidata (wikidata.org), structured data released under CC0 1.0")
GEONAMES = Target("geonames", "GeoNames", "https://sws.geonames.org/", "https://www.geonames.org/",
                  CC_BY_4, "GeoNames (geonames.org), licensed under CC BY 4.0")
TARGETS = (WIKIDATA, GEONAMES)

# Code literals: (property, label, where the codes come from, how to cite them).
CODES = (
    (HS.iso3166Alpha2, "ISO 3166-1 alpha-2 codes", "https://www.iso.org/iso-3166-country-codes.html",
     "ISO 3166-1 country codes, International Organization for Standardization"),
    (HS.iso3166Alpha3, "ISO 3166-1 alpha-3 codes", "https://www.iso.org/iso-3166-country-codes.html",
     "ISO 3166-1 country codes, International Organization for Standardization"),
    (HS.cowCountryCode, "Correlates of War country codes", "https://correlatesofwar.org/",
     "Correlates of War Project, State System Membership List (country codes, ccode)"),
)


def target_of(iri: str) -> Target | None:
    return next((t for t in TARGETS if iri.startswith(t.uri_space)), None)


def void_graph(links: rdflib.Graph) -> rdflib.Graph:
    """VoID and licence triples describing `links` (the identifier table's triples)."""
    g = rdflib.Graph()
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, DCTERMS.title, rdflib.Literal("hubspoke: Asia-Pacific security alignments", lang="en")))
    g.add((DATASET, DCTERMS.license, CC_BY_4))
    g.add((DATASET, VOID.uriSpace, rdflib.Literal(ns.HSI)))
    counts: Counter[str] = Counter()
    for _s, p, o in links.triples((None, SKOS.exactMatch, None)):
        if (target := target_of(str(o))) is not None:
            counts[target.slug] += 1
    for target in TARGETS:
        dataset, linkset = HSI[f"dataset-{target.slug}"], HSI[f"linkset-{target.slug}"]
        g.add((dataset, RDF.type, VOID.Dataset))
        g.add((dataset, DCTERMS.title, rdflib.Literal(target.title, lang="en")))
        g.add((dataset, FOAF.homepage, rdflib.URIRef(target.homepage)))
        g.add((dataset, VOID.uriSpace, rdflib.Literal(target.uri_space)))
        if target.license is not None:
            g.add((dataset, DCTERMS.license, target.license))
        g.add((dataset, DCTERMS.bibliographicCitation, rdflib.Literal(target.attribution, lang="en")))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, DCTERMS.title, rdflib.Literal(f"hubspoke to {target.title}", lang="en")))
        g.add((linkset, VOID.subjectsTarget, DATASET))
        g.add((linkset, VOID.objectsTarget, dataset))
        g.add((linkset, VOID.linkPredicate, SKOS.exactMatch))
        g.add((linkset, VOID.triples, rdflib.Literal(counts[target.slug], datatype=XSD.integer)))
        g.add((linkset, DCTERMS.license, CC_BY_4))
        g.add((DATASET, VOID.subset, linkset))
    for prop, label, source, citation in CODES:
        partition = HSI[f"codes-{str(prop).rsplit('/', 1)[-1]}"]
        g.add((DATASET, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, prop))
        g.add((partition, DCTERMS.title, rdflib.Literal(label, lang="en")))
        g.add((partition, VOID.triples, rdflib.Literal(len(set(links.triples((None, prop, None)))), datatype=XSD.integer)))
        g.add((partition, DCTERMS.source, rdflib.URIRef(source)))
        g.add((partition, DCTERMS.bibliographicCitation, rdflib.Literal(citation, lang="en")))
    return g

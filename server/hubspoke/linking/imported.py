"""The imported graph (https://w3id.org/hubspoke/graph/imported): what the snapshots say and the curated
files do not, switched on by `hubspoke build --imported` (or HUBSPOKE_IMPORTED=1) and kept apart
from the curated facts. The seeds always win: nothing is imported where the curated graph already
says something of the same kind (a start date, an end date).

What is imported, each date as an xsd:gYear (Wikidata's time values carry a precision the SPARQL
answer does not give, so only the year is taken as certain):
- hs:startDate / hs:endDate of a linked security relationship (alliance, treaty, agreement ...),
  organisation or framework, from its inception (P571) / dissolution (P576);
- hs:startDate / hs:endDate of a membership (a hs:Participation as hs:Member) from the P580 / P582
  qualifiers of the member's P463 statement, when the pair has exactly one such record here.

Each imported triple is traced to its snapshot: a reified rdf:Statement with prov:wasDerivedFrom the
snapshot's IRI, whose PROV record (endpoint, query, time, SHA-256, licence) is in the same graph.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.linking.check import year
from hubspoke.linking.snapshots import Snapshot, load
from hubspoke.rdf_bridge import to_oxigraph

IMPORTED_BASE = "https://w3id.org/hubspoke/imported/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
GYEAR = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
START, END = ox.NamedNode(ns.HS + "startDate"), ox.NamedNode(ns.HS + "endDate")
_PREFIXES = "\n".join(f"PREFIX {k}: <{v}>" for k, v in ns.PREFIXES.items()) + "\n"


def _store(graphs: dict[str, list[ox.Triple]]) -> ox.Store:
    store = ox.Store()
    for name in (ns.ONTOLOGY_GRAPH, ns.FACTS_GRAPH, ns.LINKS_GRAPH):
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in graphs.get(name, []))
    return store


def _rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(_PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (r[n].value if r[n] is not None else "") for n in names} for r in result]


def _trace(subject: str, predicate: ox.NamedNode, year_value: int, snapshot: Snapshot) -> list[ox.Triple]:
    s, o = ox.NamedNode(subject), ox.Literal(f"{year_value:04d}", datatype=GYEAR)
    key = hashlib.sha256(f"{subject} {predicate.value} {o.value}".encode()).hexdigest()[:20]
    statement = ox.NamedNode(IMPORTED_BASE + key)
    return [
        ox.Triple(s, predicate, o),
        ox.Triple(statement, ox.NamedNode(RDF + "type"), ox.NamedNode(RDF + "Statement")),
        ox.Triple(statement, ox.NamedNode(RDF + "subject"), s),
        ox.Triple(statement, ox.NamedNode(RDF + "predicate"), predicate),
        ox.Triple(statement, ox.NamedNode(RDF + "object"), o),
        ox.Triple(statement, PROV_DERIVED, ox.NamedNode(snapshot.iri)),
    ]


def imported_triples(graphs: dict[str, list[ox.Triple]], snapshots_dir: Path) -> list[ox.Triple]:
    """The imported graph for the curated `graphs` (ontology, facts, links) and the snapshots of a folder;
    raises snapshots.SnapshotError when the folder has none or one is damaged."""
    snapshots = load(snapshots_dir)
    store = _store(graphs)
    entity_of = {r["q"]: r["e"] for r in _rows(store, """SELECT ?e ?q WHERE { GRAPH <%s> { ?e skos:exactMatch ?q }
        FILTER(STRSTARTS(STR(?q), "http://www.wikidata.org/entity/")) }""" % ns.LINKS_GRAPH)}
    out: list[ox.Triple] = []
    used: set[str] = set()

    def add(subject: str, predicate: ox.NamedNode, value: str, snapshot: Snapshot) -> None:
        y = year(value)
        if y is not None and y > 0:
            out.extend(_trace(subject, predicate, y, snapshot))
            used.add(snapshot.name)

    lifespans = snapshots.get("lifespans")
    if lifespans is not None:
        datable = {r["e"] for r in _rows(store, """SELECT DISTINCT ?e WHERE {
            VALUES ?kind { hs:SecurityRelationship hs:InternationalOrganization hs:MultilateralFramework }
            ?e a/rdfs:subClassOf* ?kind }""")}
        started = {r["e"] for r in _rows(store, "SELECT DISTINCT ?e WHERE { ?e hs:startDate|hs:date ?d }")}
        ended = {r["e"] for r in _rows(store, "SELECT DISTINCT ?e WHERE { ?e hs:endDate ?d }")}
        for binding in lifespans.bindings:
            entity = entity_of.get(binding.get("item", {}).get("value", ""))
            if entity is None or entity not in datable:
                continue
            if "inception" in binding and entity not in started:
                add(entity, START, binding["inception"]["value"], lifespans)
            if "dissolved" in binding and entity not in ended:
                add(entity, END, binding["dissolved"]["value"], lifespans)
    memberships = snapshots.get("memberships")
    if memberships is not None:
        records: dict[tuple[str, str], list[dict[str, str]]] = {}
        for r in _rows(store, """SELECT ?p ?x ?f ?start ?end WHERE { ?p a hs:Participation ; hs:participant ?x ;
                hs:framework ?f ; hs:participationRole hs:Member .
                FILTER NOT EXISTS { ?p hs:modality ?m FILTER(?m != hs:Asserted) }
                OPTIONAL { ?p hs:startDate|hs:date ?start } OPTIONAL { ?p hs:endDate ?end } }"""):
            records.setdefault((r["x"], r["f"]), []).append(r)
        for binding in memberships.bindings:
            x = entity_of.get(binding.get("item", {}).get("value", ""))
            f = entity_of.get(binding.get("organisation", {}).get("value", ""))
            found = records.get((x or "", f or ""), [])
            if len({r["p"] for r in found}) != 1:
                continue  # none, or several records of one membership: which one the date belongs to is unknown
            record = found[0]
            if "start" in binding and not record["start"]:
                add(record["p"], START, binding["start"]["value"], memberships)
            if "end" in binding and not record["end"]:
                add(record["p"], END, binding["end"]["value"], memberships)
    for name in sorted(used):
        out.extend(to_oxigraph(snapshots[name].record))
    return list(dict.fromkeys(out))


def without_imported(dataset: Path, folder: Path) -> Path:
    """A copy of a built dataset (N-Quads or TriG) in `folder` without the imported graph: seeds-only."""
    from hubspoke.store import EmbeddedStore

    store = EmbeddedStore.from_file(dataset).oxigraph
    graph = ox.NamedNode(ns.IMPORTED_GRAPH)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    target = folder / "seeds-only.nq"
    store.dump(str(target), format=ox.RdfFormat.N_QUADS)
    return target

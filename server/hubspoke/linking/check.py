"""`hubspoke link check`: the snapshots against the curated graph, each disagreement a validation
Problem (check "link") with the file and line of our statement, so curators read it like any other
problem. Neither side is assumed right: a problem says what each side has.

Rules:
- link-code: an ISO 3166-1 code or GeoNames id of the table that the linked item does not have;
- link-type: the linked item's types (P31) belong to another kind of thing than our class (a State
  linked to a human) - judged only on well-known core types, so an unusual type is not a problem;
- link-membership: a membership (a hs:Participation as member) of two linked entities that Wikidata
  lacks, or a P463 membership between two linked entities that the curated graph lacks;
- link-party: a party of a linked treaty or alliance that its signatories (P1891) lack, or the reverse;
- link-date: a start or end year of ours that contradicts the inception (P571), dissolution (P576) or
  membership start (P580) year of the linked item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.identifiers import read_table
from hubspoke.linking.snapshots import Snapshot
from hubspoke.validation.locate import SourceIndex
from hubspoke.validation import Problem, compact

HS = ns.HS
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
WD = "http://www.wikidata.org/entity/"
_PREFIXES = "\n".join(f"PREFIX {k}: <{v}>" for k, v in ns.PREFIXES.items()) + "\n"

# Core Wikidata types per class of ours: an item typed with another class's core type and none of
# its own does not fit. Q3624078 sovereign state, Q6256 country, Q5 human, Q484652 international
# organization, Q245065 intergovernmental organization, Q515 city, Q5119 capital, Q1549591 big city,
# Q9430 ocean, Q165 sea, Q23442 island.
CORE_TYPES: dict[str, frozenset[str]] = {
    HS + "State": frozenset({WD + "Q3624078", WD + "Q6256"}),
    HS + "Person": frozenset({WD + "Q5"}),
    HS + "InternationalOrganization": frozenset({WD + "Q484652", WD + "Q245065"}),
    HS + "Place": frozenset({WD + "Q515", WD + "Q5119", WD + "Q1549591", WD + "Q9430", WD + "Q165", WD + "Q23442"}),
}
_YEAR = re.compile(r"^(-?[0-9]{4,})")


@dataclass(frozen=True)
class Curated:
    """The curated graph in a store, the table's links both ways, and where each statement is written."""

    store: ox.Store
    entity_of: dict[str, str]  # Wikidata IRI -> hubspoke IRI
    item_of: dict[str, str]  # hubspoke IRI -> Wikidata IRI
    index: SourceIndex

    def rows(self, query: str) -> list[dict[str, str]]:
        result = self.store.query(_PREFIXES + query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: (r[n].value if r[n] is not None else "") for n in names} for r in result]


def curated(graphs: dict[str, list[ox.Triple]], table_path: Path, index: SourceIndex) -> Curated:
    store = ox.Store()
    for name in (ns.ONTOLOGY_GRAPH, ns.FACTS_GRAPH, ns.LINKS_GRAPH):
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in graphs.get(name, []))
    rows = [r for r in read_table(table_path) if r.status == "reviewed" and r.wikidata]
    return Curated(store, {r.wikidata_iri: r.iri for r in rows}, {r.iri: r.wikidata_iri for r in rows}, index)


def year(value: str) -> int | None:
    match = _YEAR.match(value.strip())
    return int(match.group(1)) if match else None


def _values(snapshot: Snapshot | None, *names: str) -> Iterable[tuple[str, ...]]:
    for binding in snapshot.bindings if snapshot else []:
        yield tuple(binding.get(n, {}).get("value", "") for n in names)


def _problem(c: Curated, rule: str, focus: str, message: str, path: str = "", value: str = "") -> Problem:
    where = c.index.locate(focus, path, value)
    return Problem(rule, focus, message, path=path, value=value, check="link",
                   file=where.file if where else "", line=where.line if where else 0)


def check(c: Curated, snapshots: dict[str, Snapshot]) -> list[Problem]:
    """Every disagreement between the snapshots and the curated graph, sorted like validation problems."""
    problems = (_codes(c, snapshots.get("codes")) + _types(c, snapshots.get("labels"))
                + _memberships(c, snapshots.get("memberships")) + _parties(c, snapshots.get("signatories"))
                + _dates(c, snapshots.get("lifespans")))
    return sorted(set(problems), key=Problem.sort_key)


def _codes(c: Curated, snapshot: Snapshot | None) -> list[Problem]:
    theirs: dict[tuple[str, str], set[str]] = {}
    for it, iso2, iso3, geonames in _values(snapshot, "item", "iso2", "iso3", "geonames"):
        for key, value in (("iso2", iso2), ("iso3", iso3), ("geonames", geonames)):
            if value:
                theirs.setdefault((it, key), set()).add(value)
    out = []
    checks = (("iso2", HS + "iso3166Alpha2", "ISO 3166-1 alpha-2 code"), ("iso3", HS + "iso3166Alpha3", "ISO 3166-1 alpha-3 code"))
    for key, predicate, what in checks:
        for r in c.rows(f"SELECT ?e ?code WHERE {{ ?e <{predicate}> ?code }}"):
            item = c.item_of.get(r["e"])
            given = theirs.get((item or "", key))
            if item and given and r["code"] not in given:
                out.append(_problem(c, "link-code", r["e"], f"the table gives the {what} {r['code']!r}; the linked "
                                    f"item {compact(item)} has {', '.join(sorted(map(repr, given)))}: correct the "
                                    "table or the link", predicate, ""))
    for r in c.rows("SELECT ?e ?g WHERE { ?e skos:exactMatch ?g FILTER(STRSTARTS(STR(?g), 'https://sws.geonames.org/')) }"):
        item, ours = c.item_of.get(r["e"]), r["g"].rstrip("/").rsplit("/", 1)[-1]
        given = theirs.get((item or "", "geonames"))
        if item and given and ours not in given:
            out.append(_problem(c, "link-code", r["e"], f"the table gives the GeoNames id {ours}; the linked item "
                                f"{compact(item)} has {', '.join(sorted(given))}", "http://www.w3.org/2004/02/skos/core#exactMatch"))
    return out


def _types(c: Curated, snapshot: Snapshot | None) -> list[Problem]:
    types: dict[str, set[str]] = {}
    for it, kind in _values(snapshot, "item", "type"):
        if kind:
            types.setdefault(it, set()).add(kind)
    out = []
    for r in c.rows("SELECT DISTINCT ?e ?class WHERE { ?e a/rdfs:subClassOf* ?class }"):
        ours = CORE_TYPES.get(r["class"])
        item = c.item_of.get(r["e"])
        if ours is None or item is None or item not in types:
            continue
        theirs = types[item]
        others = {t for cls, core in CORE_TYPES.items() if cls != r["class"] for t in core & theirs}
        if others and not ours & theirs:
            out.append(_problem(c, "link-type", r["e"], f"{compact(r['e'])} is a {compact(r['class'])} here, but its "
                                f"linked item {compact(item)} is an instance of {', '.join(sorted(map(compact, others)))}: "
                                "the link probably names another thing", RDF_TYPE, r["class"]))
    return out


def _memberships(c: Curated, snapshot: Snapshot | None) -> list[Problem]:
    if snapshot is None:
        return []
    theirs: dict[tuple[str, str], set[int | None]] = {}
    asked = set()
    for item, organisation, start in _values(snapshot, "item", "organisation", "start"):
        asked.add(item)
        if item in c.entity_of and organisation in c.entity_of:
            theirs.setdefault((c.entity_of[item], c.entity_of[organisation]), set()).add(year(start) if start else None)
    ours: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in c.rows("""SELECT ?p ?x ?f ?dp ?date WHERE { ?p a hs:Participation ; hs:participant ?x ; hs:framework ?f ;
            hs:participationRole hs:Member . FILTER NOT EXISTS { ?p hs:modality ?m FILTER(?m != hs:Asserted) }
            OPTIONAL { VALUES ?dp { hs:startDate hs:date } ?p ?dp ?date } }"""):
        if r["x"] in c.item_of and r["f"] in c.item_of:
            ours.setdefault((r["x"], r["f"]), []).append(r)
    out = []
    for (x, f), records in sorted(ours.items()):
        if c.item_of[x] not in asked:
            continue  # the snapshot did not ask about this member
        if (x, f) not in theirs:
            for r in records:
                out.append(_problem(c, "link-membership", r["p"], f"{compact(x)} is a member of {compact(f)} here; "
                                    f"Wikidata ({compact(c.item_of[x])}) has no P463 membership of {compact(c.item_of[f])}",
                                    HS + "framework", f))
            continue
        starts = {y for y in theirs[(x, f)] if y is not None}
        for r in records:
            if r["date"] and starts and year(r["date"]) not in starts:
                out.append(_problem(c, "link-date", r["p"], f"the membership of {compact(x)} in {compact(f)} starts in "
                                    f"{r['date']} here; Wikidata's P580 gives {', '.join(map(str, sorted(starts)))}",
                                    r["dp"], ""))
    for (x, f) in sorted(set(theirs) - set(ours)):
        out.append(_problem(c, "link-membership", x, f"Wikidata ({compact(c.item_of[x])}) has {compact(x)} as a member "
                            f"(P463) of {compact(f)}; the curated graph has no membership (hs:Participation as hs:Member) "
                            "of it - add one with its source, or note why not"))
    return out


def _parties(c: Curated, snapshot: Snapshot | None) -> list[Problem]:
    signatories: dict[str, set[str]] = {}
    for item, signatory in _values(snapshot, "item", "signatory"):
        signatories.setdefault(item, set()).add(signatory)
    out = []
    parties: dict[str, set[str]] = {}
    for r in c.rows("SELECT ?r ?party WHERE { ?r hs:hasParty ?party }"):
        if r["r"] in c.item_of:
            parties.setdefault(r["r"], set()).add(r["party"])
    for relationship, ours in sorted(parties.items()):
        item = c.item_of[relationship]
        if item not in signatories:
            continue
        theirs = signatories[item]
        for party in sorted(ours):
            if c.item_of.get(party) not in theirs:
                out.append(_problem(c, "link-party", relationship, f"{compact(party)} is a party here; the signatories "
                                    f"(P1891) of {compact(item)} do not include it", HS + "hasParty", party))
        for signatory in sorted(theirs - {c.item_of.get(p) for p in ours}):
            name = compact(c.entity_of[signatory]) if signatory in c.entity_of else f"{compact(signatory)} (linked to no entity here)"
            out.append(_problem(c, "link-party", relationship, f"{compact(item)} lists {name} as a signatory (P1891); "
                                f"{compact(relationship)} has no such party", HS + "hasParty"))
    return out


def _dates(c: Curated, snapshot: Snapshot | None) -> list[Problem]:
    theirs: dict[tuple[str, str], set[int]] = {}
    for it, inception, dissolved in _values(snapshot, "item", "inception", "dissolved"):
        for key, value in (("start", inception), ("end", dissolved)):
            if value and (y := year(value)) is not None:
                theirs.setdefault((it, key), set()).add(y)
    out = []
    for r in c.rows("SELECT ?e ?p ?d WHERE { VALUES ?p { hs:startDate hs:date hs:endDate } ?e ?p ?d }"):
        item = c.item_of.get(r["e"])
        key = "end" if r["p"].endswith("endDate") else "start"
        given = theirs.get((item or "", key))
        if item and given and year(r["d"]) not in given:
            what = "dissolution (P576)" if key == "end" else "inception (P571)"
            out.append(_problem(c, "link-date", r["e"], f"{compact(r['e'])} {'ends' if key == 'end' else 'starts'} in "
                                f"{r['d']} here; the {what} of {compact(item)} is {', '.join(map(str, sorted(given)))}",
                                r["p"], ""))
    return out

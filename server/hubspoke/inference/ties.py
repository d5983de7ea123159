"""US-linked ties: the spokes, spoke-to-spoke ties, states tied only through a US ally or only
through a minilateral with the US, and every state's shortest chain of ties to the US, each link
with its fact and quotes - now, or as of a year.

Ties are the relationships the security-tie rule marks hs:SecurityTie (ontology/rules/security-tie.rq)
with two to five state parties; larger settings and framework memberships are not ties.

As of a year Y: a fact counts when its start (hs:startDate, else hs:date; any precision, read as
its year) is in or before Y and it has no hs:endDate before Y. Undated facts are not guessed. By
default (undated="attested") an undated fact counts from the year its sources attest it - its
hs:claimDate, else the earliest dcterms:issued of the documents it is quoted from: a 2013 paper
calling Australia a US ally shows the alliance stood in 2013, and says nothing of 2005. Every link
built on an undated fact says so (`undated`, with the `attested` year), and the facts left out of a
year for want of a date are listed. undated="include" counts every undated fact in every year,
"exclude" none. Without a year the answer is the network on record: all ties except ended ones
(hs:status hs:Ended or an hs:endDate).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.store import Store

UNITED_STATES = ns.HSI + "united-states"
MAX_PARTIES = 5  # a trilateral or minilateral; the Six-Party Talks and region-wide forums are not ties
Undated = Literal["attested", "include", "exclude"]

KIND_ALLY = ns.HS + "AllyTie"
KIND_SPOKE = ns.HS + "SpokeToSpokeTie"
KIND_DIRECT = ns.HS + "DirectPartnerTie"
KIND_MINILATERAL = ns.HS + "MinilateralTie"
KIND_THROUGH_ALLY = ns.HS + "TieThroughAlly"
KIND_CHAIN = ns.HS + "LongerChainTie"

_PREFIXES = "\n".join(f"PREFIX {k}: <{v}>" for k, v in ns.PREFIXES.items()) + "\n"


@dataclass(frozen=True)
class Source:
    quote: str
    quotation: str
    document: str
    title: str


@dataclass
class Fact:
    """One security tie on record: a reified relationship with its state parties and dates."""

    iri: str
    label: str
    kinds: list[str]
    parties: frozenset[str]
    alliance: bool
    start: int | None
    end: int | None
    ended: bool
    sources: list[Source] = field(default_factory=list)
    attested: int | None = None  # for an undated fact: the year its sources show it stood

    def holds(self, year: int | None, undated: Undated) -> bool:
        if year is None:
            return not (self.ended or self.end is not None)
        if self.start is None:
            if undated == "attested":
                return self.attested is not None and self.attested <= year
            return undated == "include"
        return self.start <= year and (self.end is None or self.end >= year)


@dataclass
class Link:
    """One step of a chain: two states and the fact that ties them, with the shortcut to explain."""

    source: str
    target: str
    fact: Fact
    statement: tuple[str, str, str]


@dataclass
class Item:
    state: str
    kind: str
    via: list[str]
    path: list[Link]

    @property
    def year(self) -> int | None:
        return self.path[0].fact.start

    @property
    def undated(self) -> bool:
        return any(link.fact.start is None for link in self.path)


@dataclass
class Answer:
    year: int | None
    undated_policy: Undated
    items: list[Item]
    unlinked: list[str]
    labels: dict[str, str]
    kind_labels: dict[str, str]
    undated_left_out: list[Fact]

    def kinds_of(self, state: str) -> set[str]:
        return {i.kind for i in self.items if i.state == state}

    def via(self, state: str, kind: str) -> set[str]:
        return {v for i in self.items if i.state == state and i.kind == kind for v in i.via}


def _rows(store: Store, query: str) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode | None]]:
    result = store.query(_PREFIXES + query)
    assert isinstance(result.payload, ox.QuerySolutions)
    names = [v.value for v in result.payload.variables]
    return [{n: row[n] for n in names} for row in result.payload]


def _year(term: object) -> int | None:
    text = getattr(term, "value", "")
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def _value(term: object) -> str:
    return str(getattr(term, "value", "")) if term is not None else ""


def load_facts(store: Store) -> tuple[list[Fact], dict[str, str], dict[str, str]]:
    """The ties on record with parties, dates and quotes; labels of states and tie kinds."""
    facts: dict[str, Fact] = {}
    for row in _rows(store, """SELECT ?tie ?party ?alliance ?date ?start ?end ?ended ?label WHERE {
        ?tie a hs:SecurityTie ; hs:hasParty ?party . ?party a hs:State .
        BIND(EXISTS { ?tie a hs:Alliance } AS ?alliance) BIND(EXISTS { ?tie hs:status hs:Ended } AS ?ended)
        OPTIONAL { ?tie hs:date ?date } OPTIONAL { ?tie hs:startDate ?start } OPTIONAL { ?tie hs:endDate ?end }
        OPTIONAL { ?tie skos:prefLabel ?label } }"""):
        iri = _value(row["tie"])
        fact = facts.setdefault(iri, Fact(iri, _value(row["label"]) or iri.rsplit("/", 1)[-1], [], frozenset(),
                                          _value(row["alliance"]) == "true", None, None, _value(row["ended"]) == "true"))
        fact.parties = fact.parties | {_value(row["party"])}
        starts = [y for y in (_year(row["start"]), _year(row["date"]), fact.start) if y is not None]
        fact.start = min(starts) if starts else None
        ends = [y for y in (_year(row["end"]), fact.end) if y is not None]
        fact.end = max(ends) if ends else None
    for row in _rows(store, f"""SELECT ?tie ?kind WHERE {{ GRAPH <{ns.FACTS_GRAPH}> {{ ?tie a ?c }}
        ?tie a hs:SecurityTie . ?c rdfs:label ?kind FILTER(langMatches(lang(?kind), "en")) }} ORDER BY ?kind"""):
        if (known := facts.get(_value(row["tie"]))) and _value(row["kind"]) not in known.kinds:
            known.kinds.append(_value(row["kind"]))
    for row in _rows(store, """SELECT ?tie ?q ?quote ?doc ?title ?issued WHERE { ?tie a hs:SecurityTie ; prov:wasDerivedFrom ?q .
        ?q prov:value ?quote OPTIONAL { ?q prov:wasQuotedFrom ?doc OPTIONAL { ?doc dcterms:title ?title }
        OPTIONAL { ?doc dcterms:issued ?issued } } } ORDER BY ?q"""):
        if known := facts.get(_value(row["tie"])):
            issued = [y for y in (_year(row["issued"]), known.attested) if y is not None]
            known.attested = min(issued) if issued else None
            source = Source(_value(row["quote"]), _value(row["q"]), _value(row["doc"]), _value(row["title"]))
            if source not in known.sources:
                known.sources.append(source)
    for row in _rows(store, "SELECT ?tie ?claimed WHERE { ?tie a hs:SecurityTie ; hs:claimDate ?claimed }"):
        if (known := facts.get(_value(row["tie"]))) and (y := _year(row["claimed"])) is not None:
            known.attested = y  # the tie's own claim date wins over its documents' dates
    labels = {_value(r["s"]): _value(r["label"]) for r in _rows(store, """SELECT ?s (SAMPLE(?l) AS ?label) WHERE {
        ?s a hs:State OPTIONAL { ?s skos:prefLabel ?l FILTER(langMatches(lang(?l), "en") || lang(?l) = "") } } GROUP BY ?s""")}
    labels = {s: (label or s.rsplit("/", 1)[-1]) for s, label in labels.items()}
    kind_labels = {_value(r["k"]): _value(r["l"]) for r in _rows(store, """SELECT ?k ?l WHERE {
        ?k a hs:TieKind ; rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }""")}
    return sorted(facts.values(), key=lambda f: f.iri), labels, kind_labels


def _preference(fact: Fact) -> tuple[bool, bool, int, int, str]:
    """Which of several facts to show for one link: an alliance, then the earliest dated, then the
    best quoted, then by IRI."""
    return (not fact.alliance, fact.start is None, fact.start or 0, -len(fact.sources), fact.iri)


def _link(a: str, b: str, fact: Fact) -> Link:
    predicate = ns.HS + ("alliedWith" if fact.alliance else "securityPartnerOf")
    return Link(a, b, fact, (a, predicate, b))


def us_linked(store: Store, year: int | None = None, undated: Undated = "attested", hub: str = UNITED_STATES) -> Answer:
    facts, labels, kind_labels = load_facts(store)
    return compute(facts, labels, kind_labels, year, undated, hub)


def compute(facts: Iterable[Fact], labels: dict[str, str], kind_labels: dict[str, str],
            year: int | None, undated: Undated, hub: str = UNITED_STATES) -> Answer:
    facts = list(facts)
    active = [f for f in facts if f.holds(year, undated) and 2 <= len(f.parties)]
    left_out = [f for f in facts if f.start is None and f.holds(year, "include") and not f.holds(year, undated)]
    ties = [f for f in active if len(f.parties) <= MAX_PARTIES]
    name = labels.get

    def by_label(states: Iterable[str]) -> list[str]:
        return sorted(states, key=lambda s: (name(s, s), s))

    edges: dict[str, dict[str, list[Fact]]] = {}
    for f in ties:
        for a in f.parties:
            for b in f.parties:
                if a != b:
                    edges.setdefault(a, {}).setdefault(b, []).append(f)

    def best(a: str, b: str, keep: Callable[[Fact], bool] | None = None) -> Fact | None:
        candidates = [f for f in edges.get(a, {}).get(b, []) if keep is None or keep(f)]
        return min(candidates, key=_preference) if candidates else None

    def best_of_edge(a: str, b: str) -> Fact:
        """best() for a and b known to be linked (b is in edges[a]), so there is a fact."""
        fact = best(a, b)
        assert fact is not None, (a, b)
        return fact

    alliance_of = {s: alliance for s in edges.get(hub, {}) if (alliance := best(s, hub, lambda f: f.alliance))}
    allies = by_label(alliance_of)
    items: list[Item] = []
    for s in allies:
        items.append(Item(s, KIND_ALLY, [], [_link(s, hub, alliance_of[s])]))
    for a in allies:
        for b in allies:
            if a != b and (spoke := best(a, b, lambda f: hub not in f.parties)):
                items.append(Item(a, KIND_SPOKE, [b], [_link(a, b, spoke), _link(b, hub, alliance_of[b])]))

    # shortest chains: breadth-first from the hub, neighbours in a stable order
    parent: dict[str, tuple[str, Fact]] = {}
    seen, queue = {hub}, deque([hub])
    while queue:
        node = queue.popleft()
        for nxt in by_label(edges.get(node, {})):
            if nxt not in seen:
                seen.add(nxt)
                parent[nxt] = (node, best_of_edge(nxt, node))
                queue.append(nxt)

    unlinked = []
    for s in by_label(labels):
        if s == hub or s in alliance_of:
            continue
        with_hub = edges.get(s, {}).get(hub, [])
        if direct := best(s, hub, lambda f: len(f.parties) == 2):
            items.append(Item(s, KIND_DIRECT, [], [_link(s, hub, direct)]))
        elif with_hub:
            shared = min(with_hub, key=lambda f: (len(f.parties), *_preference(f)))
            others = by_label(shared.parties - {s, hub})
            items.append(Item(s, KIND_MINILATERAL, others, [_link(s, hub, shared)]))
        elif tied_allies := [a for a in allies if a in edges.get(s, {})]:
            ally = tied_allies[0]
            items.append(Item(s, KIND_THROUGH_ALLY, tied_allies, [_link(s, ally, best_of_edge(s, ally)), _link(ally, hub, alliance_of[ally])]))
        elif s in parent:
            path, node = [], s
            while node != hub:
                up, fact = parent[node]
                path.append(_link(node, up, fact))
                node = up
            items.append(Item(s, KIND_CHAIN, [link.target for link in path[:-1]], path))
        else:
            unlinked.append(s)
    return Answer(year, undated, items, unlinked, labels, kind_labels, left_out)


def answer_json(answer: Answer) -> dict[str, object]:
    """The answer as plain data: each item with state, kind, via, path, year and sources."""
    name = answer.labels.get

    def fact_json(f: Fact) -> dict[str, object]:
        return {"iri": f.iri, "label": f.label, "kinds": f.kinds, "parties": sorted(f.parties), "year": f.start,
                "end_year": f.end, "undated": f.start is None, "attested": f.attested}

    def sources(item: Item) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for link in item.path:
            for s in link.fact.sources:
                entry = {"fact": link.fact.iri, "quote": s.quote, "quotation": s.quotation, "document": s.document, "title": s.title}
                if entry not in out:
                    out.append(entry)
        return out

    items = [{
        "state": i.state, "state_label": name(i.state, i.state),
        "kind": i.kind, "kind_label": answer.kind_labels.get(i.kind, i.kind.rsplit("/", 1)[-1]),
        "via": [{"state": v, "label": name(v, v)} for v in i.via],
        "path": [{"from": link.source, "from_label": name(link.source, link.source), "to": link.target,
                  "to_label": name(link.target, link.target), "fact": fact_json(link.fact),
                  "statement": {"s": link.statement[0], "p": link.statement[1], "o": link.statement[2]}} for link in i.path],
        "year": i.year, "undated": i.undated, "sources": sources(i),
    } for i in answer.items]
    return {
        "year": answer.year, "undated_policy": answer.undated_policy, "hub": UNITED_STATES, "items": items,
        "unlinked": [{"state": s, "label": name(s, s)} for s in answer.unlinked],
        "undated_links": sorted({link.fact.iri for i in answer.items for link in i.path if link.fact.start is None}),
        "undated_left_out": [fact_json(f) for f in answer.undated_left_out],
    }


def item_keys(answer: Answer) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(i.state, i.kind, tuple(i.via)) for i in answer.items}


def changes(earlier: Answer, later: Answer) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    """What appeared and what went away between two answers, as (state, kind, via) keys."""
    before, after = item_keys(earlier), item_keys(later)
    return {"added": sorted(after - before), "removed": sorted(before - after)}

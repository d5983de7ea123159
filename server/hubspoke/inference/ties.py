"""US-linked ties: the spokes, spoke-to-spoke ties, states tied only through a US ally or only
through a minilateral with the US, and every state's shortest chain of ties to the US, each link
with its fact and quotes - now, or as of a year.

Ties are the relationships the security-tie rule marks hs:SecurityTie (ontology/rules/security-tie.rq)
with two to five state parties; larger settings and framework memberships are not ties.

Time (DESIGN.md, modelling rule 7; the terms are in ontology/relationships.ttl and ties.ttl). Each
tie holds over an interval whose ends are known (hs:startDate, else hs:date; hs:endDate), bounded
(hs:startNoEarlierThan / hs:startNoLaterThan, hs:endNoEarlierThan / hs:endNoLaterThan) or unknown.
Dates are read as their year. A source that presents a tie as standing bounds its start by the
source's year (its hs:claimDate, else the earliest dcterms:issued of the documents it is quoted
from: the `attested` year); hs:status hs:Ended without a date bounds the end the same way. As of a
year Y a tie has one of three standings (Fact.standing):

- holds: known to have begun by Y (start, or an upper bound of the start, in or before Y) and not
  known to have ended before Y;
- does not hold: known to begin after Y (start, or its lower bound, after Y) or to have ended
  before Y;
- not known: anything else - above all an undated tie attested only by a later source. A 2013
  paper calling Australia a US ally says nothing of 2005: the alliance is *not known* for 2005,
  never absent.

The answer is built twice: from the ties that hold (its items hold), then from the ties that hold
or are not known; what the second adds is kept, marked not known, with the tie it rests on
(unknown="hide" leaves it out and lists the not-known ties aside). Without a year the answer is the
network on record: every tie that has not ended.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.store import Store

UNITED_STATES = ns.HSI + "united-states"
MAX_PARTIES = 5  # a trilateral or minilateral; the Six-Party Talks and region-wide forums are not ties
Unknown = Literal["show", "hide"]
Standing = Literal["holds", "not-known", "does-not-hold"]
HOLDS: Standing = "holds"
NOT_KNOWN: Standing = "not-known"
DOES_NOT_HOLD: Standing = "does-not-hold"
STANDING_IRI: dict[Standing, str] = {HOLDS: ns.HS + "HoldsAsOfYear", NOT_KNOWN: ns.HS + "NotKnownAsOfYear",
                                     DOES_NOT_HOLD: ns.HS + "DoesNotHoldAsOfYear"}
STANDING_LABEL: dict[Standing, str] = {HOLDS: "holds", NOT_KNOWN: "not known", DOES_NOT_HOLD: "does not hold"}
_RANK: dict[Standing, int] = {HOLDS: 0, NOT_KNOWN: 1, DOES_NOT_HOLD: 2}

KIND_ALLY = ns.HS + "AllyTie"
KIND_SPOKE = ns.HS + "SpokeToSpokeTie"
KIND_DIRECT = ns.HS + "DirectPartnerTie"
KIND_MINILATERAL = ns.HS + "MinilateralTie"
KIND_THROUGH_ALLY = ns.HS + "TieThroughAlly"
KIND_CHAIN = ns.HS + "LongerChainTie"
_PER_STATE_KINDS = (KIND_DIRECT, KIND_MINILATERAL, KIND_THROUGH_ALLY, KIND_CHAIN)

_PREFIXES = "\n".join(f"PREFIX {k}: <{v}>" for k, v in ns.PREFIXES.items()) + "\n"


def weakest(standings: Iterable[Standing]) -> Standing:
    """The standing of a chain: as weak as its weakest link."""
    return max(standings, key=_RANK.__getitem__, default=HOLDS)


@dataclass(frozen=True)
class Source:
    quote: str
    quotation: str
    document: str
    title: str
    issued: int | None = None


@dataclass
class Fact:
    """One security tie on record: a reified relationship with its state parties, dates and bounds."""

    iri: str
    label: str
    kinds: list[str]
    parties: frozenset[str]
    alliance: bool
    start: int | None
    end: int | None
    ended: bool
    sources: list[Source] = field(default_factory=list)
    attested: int | None = None  # the year its sources show it standing (claim date, else earliest source)
    start_after: int | None = None  # hs:startNoEarlierThan
    start_by: int | None = None  # hs:startNoLaterThan
    end_after: int | None = None  # hs:endNoEarlierThan
    end_by: int | None = None  # hs:endNoLaterThan
    date_text: str = ""  # the start (or date) as typed: "2007-03"
    end_text: str = ""
    as_written: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    modalities: list[str] = field(default_factory=list)  # hs:modality values; none means presented as fact

    @property
    def undated(self) -> bool:
        return self.start is None

    def latest_start(self) -> int | None:
        """The year by which it is known to have begun: its start, its bound, or its first attestation."""
        if self.start is not None:
            return self.start
        bounds = [y for y in (self.start_by, self.attested) if y is not None]
        return min(bounds) if bounds else None

    def earliest_start(self) -> int | None:
        return self.start if self.start is not None else self.start_after

    def latest_end(self) -> int | None:
        """The year by which it is known to have ended; None when it is not known to have ended."""
        if self.end is not None:
            return self.end
        if self.end_by is not None:
            return self.end_by
        return self.attested if self.ended else None  # "had ceased" in a source of that year

    def standing(self, year: int | None) -> Standing:
        return self.judge(year)[0]

    def reason(self, year: int | None) -> str:
        return self.judge(year)[1]

    def judge(self, year: int | None) -> tuple[Standing, str]:
        """The standing as of `year` (None: today) and why, in words a reader can check."""
        end = self.latest_end()
        if year is None:
            if end is not None or self.ended:
                return DOES_NOT_HOLD, f"ended {self._end_words()}"
            return HOLDS, f"{self._start_words()}; not ended"
        earliest, latest = self.earliest_start(), self.latest_start()
        if earliest is not None and earliest > year:
            return DOES_NOT_HOLD, (f"dated {self.date_text}, after {year}" if self.start is not None
                                   else f"began no earlier than {earliest}, after {year}")
        if end is not None and end < year:
            return DOES_NOT_HOLD, f"ended {self._end_words()}, before {year}"
        if latest is None or latest > year:
            return NOT_KNOWN, self._start_words() + (f"; not known for {year}" if latest is None else "")
        if self.end is None and (self.ended or self.end_by is not None) and not (self.end_after is not None and self.end_after >= year):
            return NOT_KNOWN, f"{self._start_words()}; ended {self._end_words()}: may have ended before {year}"
        return HOLDS, self._start_words()

    def _start_words(self) -> str:
        if self.start is not None:
            return f"dated {self.date_text}"
        parts = []
        if self.start_after is not None:
            parts.append(f"began no earlier than {self.start_after}")
        if self.start_by is not None:
            parts.append(f"began by {self.start_by}")
        if not parts:
            parts.append("start not in sources")
        if self.attested is not None and (self.start_by is None or self.attested < self.start_by):
            parts.append(f"first attested by a {self.attested} source")
        elif self.attested is None and self.start_by is None:
            parts.append("no dated source attests it")
        return "; ".join(parts)

    def _end_words(self) -> str:
        if self.end is not None:
            return self.end_text or str(self.end)
        if self.end_by is not None:
            return f"by {self.end_by}"
        if self.attested is not None:
            return f"at a date not in sources, by {self.attested} (the source's year)"
        return "at a date not in sources"


@dataclass
class Link:
    """One step of a chain: two states and the fact that ties them, with the statement to explain."""

    source: str
    target: str
    fact: Fact
    statement: tuple[str, str, str]
    standing: Standing = HOLDS
    reason: str = ""


@dataclass
class Item:
    state: str
    kind: str
    via: list[str]
    path: list[Link]
    premises: list[Link] = field(default_factory=list)  # what the kind presumes: a spoke's own alliance

    @property
    def year(self) -> int | None:
        return self.path[0].fact.start

    @property
    def undated(self) -> bool:
        return any(link.fact.start is None for link in self.path)

    @property
    def standing(self) -> Standing:
        return weakest(link.standing for link in self.path + self.premises)

    @property
    def reason(self) -> str:
        """Why the item has its standing: the weakest link's fact and its reason."""
        worst = max(self.path + self.premises, key=lambda link: _RANK[link.standing])
        return f"{worst.fact.label}: {worst.reason}"


@dataclass
class Answer:
    year: int | None
    unknown_policy: Unknown
    items: list[Item]
    unlinked: list[str]
    labels: dict[str, str]
    kind_labels: dict[str, str]
    not_known: list[Fact]  # ties not known as of the year (all of them, used in items or not)

    @property
    def undated_left_out(self) -> list[Fact]:
        """The not-known ties the answer leaves out (unknown="hide"), kept for older callers."""
        return self.not_known if self.unknown_policy == "hide" else []

    def kinds_of(self, state: str) -> set[str]:
        return {i.kind for i in self.items if i.state == state}

    def via(self, state: str, kind: str) -> set[str]:
        return {v for i in self.items if i.state == state and i.kind == kind for v in i.via}


def _rows(store: Store, query: str) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode | None]]:
    result = store.query(_PREFIXES + query)
    assert isinstance(result.payload, ox.QuerySolutions)
    names = [v.value for v in result.payload.variables]
    return [{n: row[n] for n in names} for row in result.payload]


def year_of(term: object) -> int | None:
    """The year of an xsd:gYear / gYearMonth / date literal (its first four ASCII digits)."""
    text = getattr(term, "value", "")
    head = text[:4]
    return int(head) if len(head) == 4 and all("0" <= c <= "9" for c in head) else None


def _value(term: object) -> str:
    return str(getattr(term, "value", "")) if term is not None else ""


def _earlier(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _later(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def load_facts(store: Store) -> tuple[list[Fact], dict[str, str], dict[str, str]]:
    """The ties on record with parties, dates, bounds and quotes; labels of states and tie kinds."""
    facts: dict[str, Fact] = {}
    for row in _rows(store, """SELECT ?tie ?party ?alliance ?date ?start ?end ?ended ?label WHERE {
        ?tie a hs:SecurityTie ; hs:hasParty ?party . ?party a hs:State .
        BIND(EXISTS { ?tie a hs:Alliance } AS ?alliance) BIND(EXISTS { ?tie hs:status hs:Ended } AS ?ended)
        OPTIONAL { ?tie hs:date ?date } OPTIONAL { ?tie hs:startDate ?start } OPTIONAL { ?tie hs:endDate ?end }
        OPTIONAL { ?tie skos:prefLabel ?label FILTER(langMatches(lang(?label), "en")) } }"""):
        iri = _value(row["tie"])
        fact = facts.setdefault(iri, Fact(iri, _value(row["label"]) or iri.rsplit("/", 1)[-1], [], frozenset(),
                                          _value(row["alliance"]) == "true", None, None, _value(row["ended"]) == "true"))
        fact.parties = fact.parties | {_value(row["party"])}
        for term in (row["start"], row["date"]):
            if (y := year_of(term)) is not None and (fact.start is None or y < fact.start):
                fact.start, fact.date_text = y, _value(term)
        if (y := year_of(row["end"])) is not None and (fact.end is None or y > fact.end):
            fact.end, fact.end_text = y, _value(row["end"])
    for row in _rows(store, """SELECT ?tie ?p ?v WHERE { ?tie a hs:SecurityTie ; ?p ?v .
        VALUES ?p { hs:startNoEarlierThan hs:startNoLaterThan hs:endNoEarlierThan hs:endNoLaterThan hs:dateAsWritten hs:dateReasoning } }
        ORDER BY ?tie ?p ?v"""):
        if not (known := facts.get(_value(row["tie"]))):
            continue
        prop, value, y = _value(row["p"]).removeprefix(ns.HS), _value(row["v"]), year_of(row["v"])
        if prop == "startNoEarlierThan":
            known.start_after = _later(known.start_after, y)  # the tightest bound wins
        elif prop == "startNoLaterThan":
            known.start_by = _earlier(known.start_by, y)
        elif prop == "endNoEarlierThan":
            known.end_after = _later(known.end_after, y)
        elif prop == "endNoLaterThan":
            known.end_by = _earlier(known.end_by, y)
        elif prop == "dateAsWritten" and value not in known.as_written:
            known.as_written.append(value)
        elif prop == "dateReasoning" and value not in known.reasoning:
            known.reasoning.append(value)
    for row in _rows(store, f"""SELECT ?tie ?c ?kind WHERE {{ GRAPH <{ns.FACTS_GRAPH}> {{ ?tie a ?c }}
        ?tie a hs:SecurityTie . ?c rdfs:label ?kind FILTER(langMatches(lang(?kind), "en")) }} ORDER BY ?kind"""):
        if (known := facts.get(_value(row["tie"]))) and _value(row["kind"]) not in known.kinds:
            known.kinds.append(_value(row["kind"]))
    for row in _rows(store, f"""SELECT ?tie ?q ?quote ?doc ?title ?issued WHERE {{ GRAPH <{ns.FACTS_GRAPH}> {{ ?tie prov:wasDerivedFrom ?q }}
        ?tie a hs:SecurityTie . ?q prov:value ?quote OPTIONAL {{ ?q prov:wasQuotedFrom ?doc OPTIONAL {{ ?doc dcterms:title ?title }}
        OPTIONAL {{ ?doc dcterms:issued ?issued }} }} }} ORDER BY ?q"""):
        if known := facts.get(_value(row["tie"])):
            issued = year_of(row["issued"])
            known.attested = _earlier(known.attested, issued)
            source = Source(_value(row["quote"]), _value(row["q"]), _value(row["doc"]), _value(row["title"]), issued)
            if source not in known.sources:
                known.sources.append(source)
    for row in _rows(store, "SELECT ?tie ?claimed WHERE { ?tie a hs:SecurityTie ; hs:claimDate ?claimed }"):
        if (known := facts.get(_value(row["tie"]))) and (y := year_of(row["claimed"])) is not None:
            known.attested = y  # the tie's own claim date wins over its documents' dates
    labels = {_value(r["s"]): _value(r["label"]) for r in _rows(store, """SELECT ?s (SAMPLE(?l) AS ?label) WHERE {
        ?s a hs:State OPTIONAL { ?s skos:prefLabel ?l FILTER(langMatches(lang(?l), "en") || lang(?l) = "") } } GROUP BY ?s""")}
    labels = {s: (label or s.rsplit("/", 1)[-1]) for s, label in labels.items()}
    kind_labels = {_value(r["k"]): _value(r["l"]) for r in _rows(store, """SELECT ?k ?l WHERE {
        ?k a hs:TieKind ; rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }""")}
    return sorted(facts.values(), key=lambda f: f.iri), labels, kind_labels


def preference(fact: Fact, year: int | None) -> tuple[int, bool, bool, int, int, str]:
    """Which of several facts to show for one link as of `year`: one that holds before one not known,
    then an alliance, then the earliest dated (else the earliest attested), then the best quoted, then
    by IRI. The explanation of a link uses the same order (explain.pick_fact)."""
    return (_RANK[fact.standing(year)], not fact.alliance, fact.start is None,
            fact.start if fact.start is not None else (fact.latest_start() or 9999), -len(fact.sources), fact.iri)


def predicate_of(fact: Fact) -> str:
    return ns.HS + ("alliedWith" if fact.alliance else "securityPartnerOf")


def us_linked(store: Store, year: int | None = None, unknown: Unknown = "show", hub: str = UNITED_STATES) -> Answer:
    facts, labels, kind_labels = load_facts(store)
    return compute(facts, labels, kind_labels, year, unknown, hub)


def compute(facts: Iterable[Fact], labels: dict[str, str], kind_labels: dict[str, str],
            year: int | None, unknown: Unknown = "show", hub: str = UNITED_STATES) -> Answer:
    facts = list(facts)
    judged = {f.iri: f.judge(year) for f in facts}
    ties = [f for f in facts if 2 <= len(f.parties) <= MAX_PARTIES and judged[f.iri][0] != DOES_NOT_HOLD]
    not_known = [f for f in ties if judged[f.iri][0] == NOT_KNOWN]
    holding = [f for f in ties if judged[f.iri][0] == HOLDS]
    known_items, known_unlinked = _items(holding, labels, year, judged, hub)
    if unknown == "hide" or len(holding) == len(ties):
        return Answer(year, unknown, known_items, known_unlinked, labels, kind_labels, not_known)
    all_items, unlinked = _items(ties, labels, year, judged, hub)
    # Keep what the not-known ties add: a state's stronger kind, a new spoke pair, a state otherwise unlinked.
    keys = {(i.state, i.kind, tuple(i.via)) for i in known_items}
    kinds = {(i.state, i.kind) for i in known_items}
    extra = [i for i in all_items if i.standing != HOLDS and (i.state, i.kind, tuple(i.via)) not in keys
             and not (i.kind in _PER_STATE_KINDS and (i.state, i.kind) in kinds)]
    order = {s: n for n, s in enumerate(sorted(labels, key=lambda s: (labels.get(s, s), s)))}
    items = sorted(known_items + extra, key=lambda i: (_kind_order(i.kind), order.get(i.state, 0), _RANK[i.standing]))
    return Answer(year, unknown, items, unlinked, labels, kind_labels, not_known)


def _kind_order(kind: str) -> int:
    return (KIND_ALLY, KIND_SPOKE, *_PER_STATE_KINDS).index(kind)


def _items(ties: list[Fact], labels: dict[str, str], year: int | None, judged: dict[str, tuple[Standing, str]],
           hub: str) -> tuple[list[Item], list[str]]:
    name = labels.get

    def by_label(states: Iterable[str]) -> list[str]:
        return sorted(states, key=lambda s: (name(s, s), s))

    def rank(fact: Fact) -> tuple[int, bool, bool, int, int, str]:
        return preference(fact, year)

    def link(a: str, b: str, fact: Fact) -> Link:
        standing, reason = judged[fact.iri]
        return Link(a, b, fact, (a, predicate_of(fact), b), standing, reason)

    edges: dict[str, dict[str, list[Fact]]] = {}
    for f in ties:
        for a in f.parties:
            for b in f.parties:
                if a != b:
                    edges.setdefault(a, {}).setdefault(b, []).append(f)

    def best(a: str, b: str, keep: Callable[[Fact], bool] | None = None) -> Fact | None:
        candidates = [f for f in edges.get(a, {}).get(b, []) if keep is None or keep(f)]
        return min(candidates, key=rank) if candidates else None

    def best_of_edge(a: str, b: str) -> Fact:
        """best() for a and b known to be linked (b is in edges[a]), so there is a fact."""
        fact = best(a, b)
        assert fact is not None, (a, b)
        return fact

    alliance_of = {s: alliance for s in edges.get(hub, {}) if (alliance := best(s, hub, lambda f: f.alliance))}
    allies = by_label(alliance_of)
    items: list[Item] = []
    for s in allies:
        items.append(Item(s, KIND_ALLY, [], [link(s, hub, alliance_of[s])]))
    for a in allies:
        for b in allies:
            if a != b and (spoke := best(a, b, lambda f: hub not in f.parties)):
                items.append(Item(a, KIND_SPOKE, [b], [link(a, b, spoke), link(b, hub, alliance_of[b])],
                                  [link(a, hub, alliance_of[a])]))

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
            items.append(Item(s, KIND_DIRECT, [], [link(s, hub, direct)]))
        elif with_hub:
            shared = min(with_hub, key=lambda f: (_RANK[judged[f.iri][0]], len(f.parties), *rank(f)))
            others = by_label(shared.parties - {s, hub})
            items.append(Item(s, KIND_MINILATERAL, others, [link(s, hub, shared)]))
        elif tied_allies := [a for a in allies if a in edges.get(s, {})]:
            ally = tied_allies[0]
            items.append(Item(s, KIND_THROUGH_ALLY, tied_allies, [link(s, ally, best_of_edge(s, ally)), link(ally, hub, alliance_of[ally])]))
        elif s in parent:
            path, node = [], s
            while node != hub:
                up, fact = parent[node]
                path.append(link(node, up, fact))
                node = up
            items.append(Item(s, KIND_CHAIN, [step.target for step in path[:-1]], path))
        else:
            unlinked.append(s)
    return items, unlinked


def explain_url(s: str, p: str, o: str, fact: str, year: int | None) -> str:
    """The /explain link for one link of an answer: the statement, the very fact shown, the year."""
    params = {"s": s, "p": p, "o": o, "fact": fact}
    if year is not None:
        params["year"] = str(year)
    return "/explain?" + urlencode(params)


def fact_json(f: Fact, year: int | None) -> dict[str, object]:
    """A tie as plain data, with its dates and bounds and its standing as of `year` (None: today)."""
    standing, reason = f.judge(year)
    return {"iri": f.iri, "label": f.label, "kinds": f.kinds, "parties": sorted(f.parties), "alliance": f.alliance,
            "year": f.start, "date": f.date_text or None, "end_year": f.end, "end": f.end_text or None,
            "start_no_earlier_than": f.start_after, "start_no_later_than": f.start_by,
            "end_no_earlier_than": f.end_after, "end_no_later_than": f.end_by, "ended": f.ended,
            "undated": f.start is None, "start_known": f.start is not None, "attested": f.attested,
            "date_as_written": f.as_written, "date_reasoning": f.reasoning,
            "standing": standing, "standing_iri": STANDING_IRI[standing], "reason": reason}


def answer_json(answer: Answer) -> dict[str, object]:
    """The answer as plain data: each item with state, kind, via, standing and why, path and sources."""
    name = answer.labels.get
    year = answer.year

    def sources(item: Item) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for step in item.path:
            for s in step.fact.sources:
                entry = {"fact": step.fact.iri, "quote": s.quote, "quotation": s.quotation, "document": s.document, "title": s.title}
                if entry not in out:
                    out.append(entry)
        return out

    items = [{
        "state": i.state, "state_label": name(i.state, i.state),
        "kind": i.kind, "kind_label": answer.kind_labels.get(i.kind, i.kind.rsplit("/", 1)[-1]),
        "via": [{"state": v, "label": name(v, v)} for v in i.via],
        "standing": i.standing, "standing_iri": STANDING_IRI[i.standing], "reason": i.reason,
        "premises": [{"from": step.source, "to": step.target, "fact": step.fact.iri, "label": step.fact.label,
                      "standing": step.standing, "reason": step.reason,
                      "explain": explain_url(*step.statement, step.fact.iri, year)} for step in i.premises],
        "path": [{"from": step.source, "from_label": name(step.source, step.source), "to": step.target,
                  "to_label": name(step.target, step.target), "fact": fact_json(step.fact, year),
                  "standing": step.standing, "reason": step.reason,
                  "statement": {"s": step.statement[0], "p": step.statement[1], "o": step.statement[2]},
                  "explain": explain_url(*step.statement, step.fact.iri, year)} for step in i.path],
        "year": i.year, "undated": i.undated, "sources": sources(i),
    } for i in answer.items]
    where = f"as of {year}" if year is not None else "today"
    return {
        "year": year, "unknown_policy": answer.unknown_policy, "hub": UNITED_STATES, "items": items,
        "unlinked": [{"state": s, "label": name(s, s), "standing": DOES_NOT_HOLD, "standing_iri": STANDING_IRI[DOES_NOT_HOLD],
                      "reason": f"no chain of security ties to the United States on record that holds or may hold {where}"}
                     for s in answer.unlinked],
        "undated_links": sorted({step.fact.iri for i in answer.items for step in i.path if step.fact.start is None}),
        "not_known": [fact_json(f, year) for f in answer.not_known],
        "undated_left_out": [fact_json(f, year) for f in answer.undated_left_out],
    }


ItemKey = tuple[str, str, tuple[str, ...]]


def item_standings(answer: Answer) -> dict[ItemKey, tuple[Standing, str]]:
    """Each (state, kind, via) of an answer with its standing and why (the strongest, if listed twice)."""
    out: dict[ItemKey, tuple[Standing, str]] = {}
    for i in answer.items:
        key = (i.state, i.kind, tuple(i.via))
        if key not in out or _RANK[i.standing] < _RANK[out[key][0]]:
            out[key] = (i.standing, i.reason)
    return out


def item_keys(answer: Answer) -> set[ItemKey]:
    return set(item_standings(answer))


def changes(earlier: Answer, later: Answer) -> dict[str, list[dict[str, object]]]:
    """What appeared, what went away and whose standing changed between two answers; each entry is
    (state, kind, via) with its standing before and after (None: not in that answer) and why."""
    before, after = item_standings(earlier), item_standings(later)

    def entry(key: ItemKey) -> dict[str, object]:
        was, now = before.get(key), after.get(key)
        return {"state": key[0], "kind": key[1], "via": list(key[2]), "before": was[0] if was else None,
                "after": now[0] if now else None, "reason_before": was[1] if was else None, "reason_after": now[1] if now else None}

    return {"added": [entry(k) for k in sorted(after.keys() - before.keys())],
            "removed": [entry(k) for k in sorted(before.keys() - after.keys())],
            "changed": [entry(k) for k in sorted(before.keys() & after.keys()) if before[k][0] != after[k][0]]}

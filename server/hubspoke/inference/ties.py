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

Where each date comes from (Fact.origins, a DateOrigin per date or bound): the curated facts ("seeds",
with the quotations that name it), a computation from them ("computed": hs:dateReasoning and its
hs:dateEvidence), or the imported graph ("imported": the snapshots its reified statement is traced to,
with the endpoint, query file and time of their PROV record). A date that only the imported graph gives
keeps the curated value beside it (Fact.seeds_values), so Fact.without_imported() is the fact from the
seeds alone and imported_changes() names the answers that change with imported facts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlencode, urlsplit

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


OriginKind = Literal["seeds", "computed", "imported"]
# The dates and bounds of a Fact, by attribute name, with the words a page uses for each.
DATE_FIELDS: dict[str, str] = {"start": "start", "end": "end", "start_after": "start no earlier than",
                               "start_by": "start no later than", "end_after": "end no earlier than",
                               "end_by": "end no later than", "attested": "first attested"}
_DATE_PROPERTY: dict[str, tuple[str, bool]] = {  # property -> (Fact attribute, keep the earliest value)
    "date": ("start", True), "startDate": ("start", True), "endDate": ("end", False),
    "startNoEarlierThan": ("start_after", False), "startNoLaterThan": ("start_by", True),
    "endNoEarlierThan": ("end_after", False), "endNoLaterThan": ("end_by", True)}


@dataclass(frozen=True)
class SnapshotRecord:
    """An open-data snapshot an imported date comes from, as its PROV record in the imported graph names it."""

    iri: str
    endpoint: str = ""
    query: str = ""  # the query file the record names (dcterms:identifier of the query used)
    retrieved: str = ""  # prov:generatedAtTime
    license: str = ""

    @property
    def name(self) -> str:
        """"lifespans" for https://w3id.org/hubspoke/snapshot/lifespans/<hash>."""
        parts = self.iri.rstrip("/").rsplit("/", 2)
        return parts[-2] if len(parts) == 3 else self.iri

    @property
    def description(self) -> str:
        """"Wikidata snapshot of 2026-11-29" - Wikidata only when the record's endpoint is Wikidata's."""
        host = urlsplit(self.endpoint).hostname or ""
        who = "Wikidata" if host == "wikidata.org" or host.endswith(".wikidata.org") else (self.endpoint or "open-data")
        return f"{who} snapshot of {self.retrieved[:10]}" if self.retrieved else f"{who} snapshot"


@dataclass(frozen=True)
class DateOrigin:
    """Where one date or bound of a fact comes from: the curated facts (the quotations that give it),
    a computation from them (hs:dateReasoning and its hs:dateEvidence), or the imported graph (the
    snapshots its PROV record traces it to)."""

    kind: OriginKind
    text: str  # "seeds: <source title>", "computed: <reasoning>", "imported from <snapshot> (<what>)"
    sources: tuple[Source, ...] = ()
    snapshots: tuple[SnapshotRecord, ...] = ()
    reasoning: str = ""


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
    origins: dict[str, DateOrigin] = field(default_factory=dict)  # DATE_FIELDS attribute -> where its value comes from
    # For each date whose value rests on the imported graph: the value the curated facts alone give
    # (None: none), its text and origin; without_imported() puts them back.
    seeds_values: dict[str, tuple[int | None, str, DateOrigin | None]] = field(default_factory=dict)

    @property
    def undated(self) -> bool:
        return self.start is None

    @property
    def imported_fields(self) -> list[str]:
        """The dates and bounds (DATE_FIELDS attributes) whose value comes from the imported graph."""
        return [name for name in DATE_FIELDS if (o := self.origins.get(name)) is not None and o.kind == "imported"]

    def without_imported(self) -> Fact:
        """This fact as the curated facts alone give it (itself when no date of it is imported)."""
        if not self.seeds_values:
            return self
        changed: dict[str, object] = {}
        origins = dict(self.origins)
        for name, (value, text, origin) in self.seeds_values.items():
            changed[name] = value
            if name == "start":
                changed["date_text"] = text
            elif name == "end":
                changed["end_text"] = text
            if origin is None:
                origins.pop(name, None)
            else:
                origins[name] = origin
        return replace(self, origins=origins, seeds_values={}, **changed)  # type: ignore[arg-type]

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


def has_imported_graph(store: Store) -> bool:
    """Whether the served dataset has the imported graph (a build with --imported, served without --seeds-only)."""
    result = store.query(f"ASK {{ GRAPH <{ns.IMPORTED_GRAPH}> {{ ?s ?p ?o }} }}")
    return bool(result.payload) if isinstance(result.payload, ox.QueryBoolean) else False


_DATE_VALUES = " ".join(f"hs:{p}" for p in _DATE_PROPERTY)


def _imported_only(store: Store) -> dict[tuple[str, str, str], list[SnapshotRecord]]:
    """(tie, property, value) -> its snapshots, for every date of a tie that only the imported graph
    gives (a value also in a curated graph is curated); empty without the imported graph."""
    records: dict[str, SnapshotRecord] = {}
    out: dict[tuple[str, str, str], list[SnapshotRecord]] = {}
    for row in _rows(store, f"""SELECT ?tie ?p ?v ?snapshot ?endpoint ?query ?retrieved ?license WHERE {{
        GRAPH <{ns.IMPORTED_GRAPH}> {{ ?tie ?p ?v . ?st rdf:subject ?tie ; rdf:predicate ?p ; rdf:object ?v ;
            prov:wasDerivedFrom ?snapshot
          OPTIONAL {{ ?snapshot dcterms:source ?endpoint }} OPTIONAL {{ ?snapshot prov:generatedAtTime ?retrieved }}
          OPTIONAL {{ ?snapshot dcterms:license ?license }}
          OPTIONAL {{ ?snapshot prov:wasGeneratedBy/prov:used ?q . ?q dcterms:identifier ?query }} }}
        VALUES ?p {{ {_DATE_VALUES} }} ?tie a hs:SecurityTie .
        FILTER NOT EXISTS {{ GRAPH ?g {{ ?tie ?p ?v }} FILTER(?g != <{ns.IMPORTED_GRAPH}>) }} }}
        ORDER BY ?tie ?p ?v ?snapshot"""):
        iri = _value(row["snapshot"])
        record = records.setdefault(iri, SnapshotRecord(iri, _value(row["endpoint"]), _value(row["query"]),
                                                        _value(row["retrieved"]), _value(row["license"])))
        found = out.setdefault((_value(row["tie"]), _value(row["p"]).removeprefix(ns.HS), _value(row["v"])), [])
        if record not in found:
            found.append(record)
    return out


def _titles(sources: Iterable[Source]) -> str:
    return "; ".join(dict.fromkeys(s.title or s.document or s.quotation for s in sources))


def _curated_origin(fact: Fact, name: str, year: int, text: str, evidence: list[Source]) -> DateOrigin:
    """A curated date or bound. A bound of a fact that says how its dates are computed (hs:dateReasoning)
    is computed, from its hs:dateEvidence; a start or end is given by the quotations that name it (its
    year or its wording), else computed when the fact says how, else given by the fact's sources."""
    reasoning = " ".join(fact.reasoning)
    computed = DateOrigin("computed", f"computed: {reasoning}", tuple(evidence), reasoning=reasoning)
    if reasoning and name not in ("start", "end"):
        return computed
    needles = [str(year), *([text] if text else []), *(fact.as_written if name == "start" else [])]
    naming = [s for s in fact.sources if any(n and n in s.quote for n in needles)]
    if not naming and reasoning:
        return computed
    chosen = naming or fact.sources
    return DateOrigin("seeds", f"seeds: {_titles(chosen)}" if chosen else "seeds: the curated facts", tuple(chosen))


def _imported_origin(snapshots: list[SnapshotRecord]) -> DateOrigin:
    words = "; ".join(f"{s.iri} ({s.description}{', query ' + s.query if s.query else ''})" for s in snapshots)
    return DateOrigin("imported", f"imported from {words}", snapshots=tuple(snapshots))


def load_facts(store: Store) -> tuple[list[Fact], dict[str, str], dict[str, str]]:
    """The ties on record with parties, dates, bounds and quotes; labels of states and tie kinds.
    Each date and bound knows where it comes from (Fact.origins); one that only the imported graph
    gives keeps the curated value beside it (Fact.seeds_values, Fact.without_imported)."""
    facts: dict[str, Fact] = {}
    for row in _rows(store, """SELECT ?tie ?party ?alliance ?ended ?label WHERE {
        ?tie a hs:SecurityTie ; hs:hasParty ?party . ?party a hs:State .
        BIND(EXISTS { ?tie a hs:Alliance } AS ?alliance) BIND(EXISTS { ?tie hs:status hs:Ended } AS ?ended)
        OPTIONAL { ?tie skos:prefLabel ?label FILTER(langMatches(lang(?label), "en")) } }"""):
        iri = _value(row["tie"])
        fact = facts.setdefault(iri, Fact(iri, _value(row["label"]) or iri.rsplit("/", 1)[-1], [], frozenset(),
                                          _value(row["alliance"]) == "true", None, None, _value(row["ended"]) == "true"))
        fact.parties = fact.parties | {_value(row["party"])}
    imported = _imported_only(store)
    # attribute -> [(year, text, snapshots or None for curated)] per tie
    candidates: dict[str, dict[str, list[tuple[int, str, list[SnapshotRecord] | None]]]] = {}
    for row in _rows(store, f"""SELECT ?tie ?p ?v WHERE {{ ?tie a hs:SecurityTie ; ?p ?v .
        VALUES ?p {{ {_DATE_VALUES} hs:dateAsWritten hs:dateReasoning }} }} ORDER BY ?tie ?p ?v"""):
        if not (known := facts.get(_value(row["tie"]))):
            continue
        prop, value, y = _value(row["p"]).removeprefix(ns.HS), _value(row["v"]), year_of(row["v"])
        if prop in _DATE_PROPERTY and y is not None:
            name = _DATE_PROPERTY[prop][0]
            candidates.setdefault(known.iri, {}).setdefault(name, []).append((y, value, imported.get((known.iri, prop, value))))
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
    evidence: dict[str, list[Source]] = {}
    for row in _rows(store, """SELECT ?tie ?q ?quote ?doc ?title ?issued WHERE { ?tie a hs:SecurityTie ; hs:dateEvidence ?q .
        ?q prov:value ?quote OPTIONAL { ?q prov:wasQuotedFrom ?doc OPTIONAL { ?doc dcterms:title ?title }
        OPTIONAL { ?doc dcterms:issued ?issued } } } ORDER BY ?q"""):
        source = Source(_value(row["quote"]), _value(row["q"]), _value(row["doc"]), _value(row["title"]), year_of(row["issued"]))
        if source not in (found := evidence.setdefault(_value(row["tie"]), [])):
            found.append(source)
    claimed: set[str] = set()
    for row in _rows(store, "SELECT ?tie ?claimed WHERE { ?tie a hs:SecurityTie ; hs:claimDate ?claimed }"):
        if (known := facts.get(_value(row["tie"]))) and (y := year_of(row["claimed"])) is not None:
            known.attested = y  # the tie's own claim date wins over its documents' dates
            claimed.add(known.iri)
    for fact in facts.values():
        _settle_dates(fact, candidates.get(fact.iri, {}), evidence.get(fact.iri, []), fact.iri in claimed)
    labels = {_value(r["s"]): _value(r["label"]) for r in _rows(store, """SELECT ?s (SAMPLE(?l) AS ?label) WHERE {
        ?s a hs:State OPTIONAL { ?s skos:prefLabel ?l FILTER(langMatches(lang(?l), "en") || lang(?l) = "") } } GROUP BY ?s""")}
    labels = {s: (label or s.rsplit("/", 1)[-1]) for s, label in labels.items()}
    kind_labels = {_value(r["k"]): _value(r["l"]) for r in _rows(store, """SELECT ?k ?l WHERE {
        ?k a hs:TieKind ; rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }""")}
    return sorted(facts.values(), key=lambda f: f.iri), labels, kind_labels


def _settle_dates(fact: Fact, candidates: dict[str, list[tuple[int, str, list[SnapshotRecord] | None]]],
                  evidence: list[Source], claimed: bool) -> None:
    """Each date and bound of a fact from its candidate values (the earliest start, the latest end, the
    tightest bound), with where it comes from; and, where that value is imported, the curated one."""
    earliest = {name: first for name, first in _DATE_PROPERTY.values()}
    for name, values in candidates.items():
        def pick(options: list[tuple[int, str, list[SnapshotRecord] | None]]) -> tuple[int, str, list[SnapshotRecord] | None] | None:
            # on a tie of years the curated value first, then the order of the query
            return min(options, key=lambda o: (o[0] if earliest[name] else -o[0], o[2] is not None)) if options else None

        def origin(option: tuple[int, str, list[SnapshotRecord] | None]) -> DateOrigin:
            year, text, snapshots = option
            return _imported_origin(snapshots) if snapshots is not None else _curated_origin(fact, name, year, text, evidence)

        best = pick(values)
        assert best is not None
        setattr(fact, name, best[0])
        if name == "start":
            fact.date_text = best[1]
        elif name == "end":
            fact.end_text = best[1]
        fact.origins[name] = origin(best)
        if best[2] is not None:  # the value in use is imported: keep what the curated facts alone say
            curated = pick([o for o in values if o[2] is None])
            fact.seeds_values[name] = (curated[0], curated[1], origin(curated)) if curated else (None, "", None)
    if fact.attested is not None:
        if claimed:
            fact.origins["attested"] = DateOrigin("seeds", f"seeds: the date of the claim (hs:claimDate), {_titles(fact.sources)}",
                                                  tuple(fact.sources))
        else:
            first = [s for s in fact.sources if s.issued == fact.attested]
            fact.origins["attested"] = DateOrigin("seeds", f"seeds: {_titles(first)} ({fact.attested})", tuple(first))


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
            "standing": standing, "standing_iri": STANDING_IRI[standing], "reason": reason,
            "date_origins": {name: {"value": _date_value(f, name), **origin_json(o)}
                             for name in DATE_FIELDS if (o := f.origins.get(name)) is not None},
            "imported_dates": f.imported_fields}


def _date_value(f: Fact, name: str) -> str:
    """A date as the page shows it: the start and end as typed ("2007-03"), a bound or attested year."""
    text = f.date_text if name == "start" else f.end_text if name == "end" else ""
    return text or str(getattr(f, name))


def mark_imported_changes(body: dict[str, object], changed: list[dict[str, object]]) -> None:
    """Flag each item of an answer_json body whose answer changes with imported facts."""
    keys = {(c["state"], c["kind"], tuple(v["state"] for v in c["via"])) for c in changed}  # type: ignore[attr-defined]
    items = body["items"]
    assert isinstance(items, list)
    for item in items:
        item["changes_with_imported"] = (item["state"], item["kind"], tuple(v["state"] for v in item["via"])) in keys


def origin_json(origin: DateOrigin) -> dict[str, object]:
    """Where a date comes from, as plain data: kind (seeds, computed, imported), the words a page shows,
    the quotations (seeds, computed) or the snapshots with the endpoint and query of their PROV record."""
    return {"kind": origin.kind, "text": origin.text,
            "quotations": [{"quotation": s.quotation, "quote": s.quote, "document": s.document, "title": s.title}
                           for s in origin.sources],
            "snapshots": [{"iri": r.iri, "name": r.name, "endpoint": r.endpoint, "query": r.query, "retrieved": r.retrieved,
                           "license": r.license, "description": r.description} for r in origin.snapshots],
            **({"reasoning": origin.reasoning} if origin.reasoning else {})}


def imported_date_words(f: Fact) -> str:
    """"Australia-US alliance start 1951 from snapshot lifespans (<IRI>, <what>)": the imported dates of a fact."""
    parts = []
    for name in f.imported_fields:
        origin = f.origins[name]
        snaps = ", ".join(f"{r.name} ({r.iri}, {r.description})" for r in origin.snapshots)
        parts.append(f"{f.label} {DATE_FIELDS[name]} {getattr(f, name)} from snapshot {snaps}")
    return "; ".join(parts)


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


def _item_facts(answer: Answer, key: ItemKey) -> list[Fact]:
    """The facts the items of one (state, kind, via) rest on: their path and premises."""
    out: dict[str, Fact] = {}
    for i in answer.items:
        if (i.state, i.kind, tuple(i.via)) == key:
            for step in i.path + i.premises:
                out.setdefault(step.fact.iri, step.fact)
    return list(out.values())


def imported_changes(seeds_only: Answer, with_imported: Answer) -> list[dict[str, object]]:
    """The answers that change with imported facts: each (state, kind, via) whose standing differs
    between the answer from the curated facts alone and the answer with the imported graph (or that
    is in one of them only), with both standings and why, and the imported dates it rests on."""
    before, after = item_standings(seeds_only), item_standings(with_imported)
    name = with_imported.labels.get
    where = f"as of {with_imported.year}" if with_imported.year is not None else "today"
    out: list[dict[str, object]] = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is not None and now is not None and was[0] == now[0]:
            continue
        facts = {f.iri: f for f in _item_facts(seeds_only, key) + _item_facts(with_imported, key)}  # the imported ones win
        imported = [f for f in facts.values() if f.imported_fields]
        state, kind, via = key
        kind_label = with_imported.kind_labels.get(kind, kind.rsplit("/", 1)[-1])
        subject = f"{name(state, state)}: {kind_label}" + (f" via {', '.join(name(v, v) for v in via)}" if via else "")
        with_words = f"{STANDING_LABEL[now[0]]} {where}" if now else f"not in the answer {where}"
        seeds_words = STANDING_LABEL[was[0]] if was else "not in the answer"
        dates = "; ".join(imported_date_words(f) for f in imported)
        out.append({
            "state": state, "state_label": name(state, state), "kind": kind, "kind_label": kind_label,
            "via": [{"state": v, "label": name(v, v)} for v in via],
            "with_imported": now[0] if now else None, "seeds_only": was[0] if was else None,
            "reason_with_imported": now[1] if now else None, "reason_seeds_only": was[1] if was else None,
            "imported_dates": [{"fact": f.iri, "label": f.label, "dates": {
                n: {"year": getattr(f, n), "origin": origin_json(f.origins[n])} for n in f.imported_fields}} for f in imported],
            "text": f"{subject} {with_words} with imported dates ({dates or 'no imported date on its chain'}); "
                    f"{seeds_words} from the seeds alone",
        })
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

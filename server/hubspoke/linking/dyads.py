"""The dyad-year export: one row per pair of states, year and tie, keyed by Correlates of War and
ISO 3166 codes, so the graph joins with COW and ATOP data (DESIGN.md, 'Linking').

Rows come from two kinds of tie:
- asserted (`inferred` false): every security tie on record (hs:SecurityTie, as the ties page reads
  them, hubspoke.inference.ties.load_facts) gives a row for each pair of its state parties and each
  year it holds; `tie_kind` names its classes.
- inferred (`inferred` true): every hs:alliedWith, hs:securityPartnerOf and hs:spokeToSpokePartnerOf
  between two states in the inferred graph; its years are those in which every tie its derivation
  rests on holds (walked down the derivation records to the asserted hs:hasParty statements).

Years. A row is emitted for each year whose standing is *holds* (inference/ties.py: known to have
begun by then, not known to have ended). A dated tie holds from its start year (hs:startDate, else
hs:date) to its end year (or its end bound), or to `through`; `year_status` is `dated`. An undated
tie is never read as absent before its sources: its rows start at the year the sources show it had
begun - an upper bound of its start (hs:startNoLaterThan, "by 1997") or else the year its sources
attest it (its hs:claimDate, else its earliest source document) - with `year_status` `start_unknown`:
it may have held earlier, which the graph does not know (*not known*), so no earlier rows are emitted.
A tie marked ended without an end date gives only its first year, `end_unknown`.
`through` defaults to the latest year any source document was issued: the graph says nothing of
later years, and no row is later than it. `date_source` says where the dates come from: "curated", or
the snapshot IRI(s) when a dataset built with --imported dates the tie from open data. Pairs are ordered by COW code (ccode1 < ccode2), as in non-directed dyad data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.inference.ties import HOLDS, NOT_KNOWN, Fact, load_facts
from hubspoke.store import Store

INFERRED_PREDICATES = ("alliedWith", "securityPartnerOf", "spokeToSpokePartnerOf")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PREFIXES = "\n".join(f"PREFIX {k}: <{v}>" for k, v in ns.PREFIXES.items()) + "\n"


class ExportError(ValueError):
    """The graph cannot give a dyad-year table (no states with codes, a bad year)."""


@dataclass(frozen=True)
class DyadYear:
    ccode1: int
    ccode2: int
    iso1: str
    iso2: str
    state1: str
    state2: str
    year: int
    year_status: str  # dated | start_unknown | end_unknown
    date_source: str  # "curated", or the snapshot(s) an imported start/end date comes from
    tie_kind: str
    inferred: bool
    parties: int
    fact: str
    source_document: str


COLUMNS = tuple(f.name for f in fields(DyadYear))


@dataclass(frozen=True)
class Codes:
    ccode: int
    iso3: str
    label: str


# A year range with its status: years -> "dated" or "start_unknown" (None: holds in every year).
Years = dict[int, str] | None


def _rows(store: Store, query: str) -> list[dict[str, str]]:
    result = store.query(_PREFIXES + query)
    assert isinstance(result.payload, ox.QuerySolutions)
    names = [v.value for v in result.payload.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in result.payload]


def state_codes(store: Store) -> dict[str, Codes]:
    """Every hs:State with its COW code and ISO alpha-3 code (states without a COW code are left out)."""
    out: dict[str, Codes] = {}
    for r in _rows(store, """SELECT ?s ?c ?iso (SAMPLE(?l) AS ?label) WHERE { ?s a hs:State ; hs:cowCountryCode ?c .
            OPTIONAL { ?s hs:iso3166Alpha3 ?iso } OPTIONAL { ?s skos:prefLabel ?l FILTER(langMatches(lang(?l), "en")) } }
            GROUP BY ?s ?c ?iso"""):
        out[r["s"]] = Codes(int(r["c"]), r["iso"], r["label"] or r["s"].rsplit("/", 1)[-1])
    return out


def states_without_codes(store: Store) -> list[str]:
    """States that have no COW code: their ties cannot be rows (the export says so, it does not guess)."""
    return sorted(r["s"] for r in _rows(store, "SELECT ?s WHERE { ?s a hs:State FILTER NOT EXISTS { ?s hs:cowCountryCode ?c } }"))


def latest_source_year(store: Store) -> int | None:
    rows = _rows(store, "SELECT (MAX(SUBSTR(STR(?d), 1, 4)) AS ?y) WHERE { ?doc a hs:SourceDocument ; dcterms:issued ?d }")
    year = rows[0]["y"] if rows else ""
    return int(year) if year.isdigit() else None


def fact_years(fact: Fact, through: int) -> dict[int, str]:
    """The years a tie holds (its standing as of the year is *holds*, inference/ties.py), each with its
    status: `dated` when its start is in the sources, `start_unknown` when only a bound or the year its
    sources attest it says it had begun; and the first year alone as `end_unknown` for a tie that ended
    at a date the sources do not give. Years it is *not known* to hold are not emitted."""
    first = fact.latest_start()
    if first is None:
        return {}
    status = "dated" if fact.start is not None else "start_unknown"
    years: dict[int, str] = {}
    for year in range(first, through + 1):
        standing = fact.standing(year)
        if standing == HOLDS:
            years[year] = status
        elif standing == NOT_KNOWN and fact.ended and year == first:
            years[year] = "end_unknown"
    return years


def _intersect(a: Years, b: Years) -> Years:
    if a is None:
        return b
    if b is None:
        return a
    return {y: max(a[y], b[y], key=_WEAKNESS.index) for y in a.keys() & b.keys()}


def _union(a: Years, b: Years) -> Years:
    if a is None:
        return b
    if b is None:
        return a
    return {y: min((v for v in (a.get(y), b.get(y)) if v), key=_WEAKNESS.index) for y in a.keys() | b.keys()}


_WEAKNESS = ["dated", "start_unknown", "end_unknown"]  # a year resting on two ties is as weak as the weaker


class _Derivations:
    """The derivation records: statement -> (s, p, o) and, for a derived one, its premises."""

    def __init__(self, store: Store) -> None:
        self.spo: dict[str, tuple[str, str, str]] = {}
        self.premises: dict[str, dict[str, list[str]]] = {}  # statement -> derivation -> its premises
        for r in _rows(store, f"""SELECT ?st ?s ?p ?o WHERE {{ GRAPH <{ns.DERIVATIONS_GRAPH}> {{
                ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }} }}"""):
            self.spo[r["st"]] = (r["s"], r["p"], r["o"])
        for r in _rows(store, f"""SELECT ?st ?d ?premise WHERE {{ GRAPH <{ns.DERIVATIONS_GRAPH}> {{
                ?d hs:derivedStatement ?st ; prov:used ?premise }} }}"""):
            self.premises.setdefault(r["st"], {}).setdefault(r["d"], []).append(r["premise"])
        self.by_spo = {spo: st for st, spo in self.spo.items()}

    def years(self, statement: str, facts: dict[str, Fact], through: int, seen: frozenset[str] = frozenset()) -> tuple[Years, set[str]]:
        """The years a statement holds and the ties it rests on: an asserted hs:hasParty of a tie
        holds in the tie's years; a derived statement in the years all the premises of one of its
        derivations hold (the engine keeps every derivation: a year counts if any of them holds)."""
        s, p, _o = self.spo.get(statement, ("", "", ""))
        if statement not in self.premises:  # asserted
            if p == ns.HS + "hasParty" and s in facts:
                return fact_years(facts[s], through), {s}
            return None, set()
        if statement in seen:
            return {}, set()
        found: Years = None
        used: set[str] = set()
        for premises in self.premises[statement].values():
            years: Years = None
            rests_on: set[str] = set()
            for premise in premises:
                y, u = self.years(premise, facts, through, seen | {statement})
                years, rests_on = _intersect(years, y), rests_on | u
            if years:
                found, used = _union(found, years), used | rests_on
        return found, used


def imported_dates(store: Store) -> dict[str, set[str]]:
    """Fact IRI -> the snapshots its imported start or end date comes from (the imported graph, if any)."""
    out: dict[str, set[str]] = {}
    for r in _rows(store, f"""SELECT ?s ?snapshot WHERE {{ GRAPH <{ns.IMPORTED_GRAPH}> {{ ?st rdf:subject ?s ;
            rdf:predicate ?p ; prov:wasDerivedFrom ?snapshot VALUES ?p {{ hs:startDate hs:endDate hs:date }} }} }}"""):
        out.setdefault(r["s"], set()).add(r["snapshot"])
    return out


def dyad_years(store: Store, through: int | None = None) -> list[DyadYear]:
    """The dyad-year rows of the graph in `store`, sorted by ccode1, ccode2, year, tie."""
    codes = state_codes(store)
    if not codes:
        raise ExportError("no state in the graph has a COW code (hs:cowCountryCode); build with the identifier table")
    through = through if through is not None else latest_source_year(store)
    if through is None:
        raise ExportError("no source document has a date; give the last year to export (--through)")
    facts, _labels, _kinds = load_facts(store)
    by_iri = {f.iri: f for f in facts}
    imported = imported_dates(store)
    out: set[DyadYear] = set()

    def add(a: str, b: str, years: dict[int, str], kind: str, inferred: bool, parties: int, on: Iterable[Fact]) -> None:
        if a not in codes or b not in codes or a == b:
            return
        x, y = sorted((codes[a], codes[b]), key=lambda c: c.ccode)
        on = sorted(on, key=lambda f: f.iri)
        fact = " ".join(f.iri for f in on)
        documents = " ".join(sorted({s.document for f in on for s in f.sources if s.document}))
        snapshots = sorted({snap for f in on for snap in imported.get(f.iri, ())})
        date_source = " ".join(snapshots) or "curated"
        for year, status in years.items():
            if year > through:
                continue
            out.add(DyadYear(x.ccode, y.ccode, x.iso3, y.iso3, x.label, y.label, year, status, date_source, kind,
                             inferred, parties, fact, documents))

    for f in facts:
        years = fact_years(f, through)
        parties = sorted(f.parties)
        for i, a in enumerate(parties):
            for b in parties[i + 1:]:
                add(a, b, years, "|".join(f.kinds) or "security tie", False, len(parties), [f])
    derivations = _Derivations(store)
    for name in INFERRED_PREDICATES:
        for r in _rows(store, f"SELECT ?a ?b WHERE {{ GRAPH <{ns.INFERRED_GRAPH}> {{ ?a hs:{name} ?b }} }}"):
            statement = derivations.by_spo.get((r["a"], ns.HS + name, r["b"]))
            if statement is None:
                continue
            derived, used = derivations.years(statement, by_iri, through)
            if derived is None:  # rests on no dated or attested tie: the graph cannot say when
                continue
            add(r["a"], r["b"], derived, name, True, 2, [by_iri[u] for u in used])
    return sorted(out, key=lambda d: (d.ccode1, d.ccode2, d.year, d.inferred, d.tie_kind, d.fact))


def csv_lines(rows: Iterable[DyadYear]) -> Iterator[str]:
    """The rows as CSV text, a header first, one line at a time (for streaming)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["true" if v is True else "false" if v is False else v for v in astuple(row)])
        yield buffer.getvalue()

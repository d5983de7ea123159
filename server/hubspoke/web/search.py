"""Search and the index of entities (issue 15): /search?q=…[&kind=State][&year=YYYY] and /id/.

Names are fetched with one fixed query (no user input in its text), run like any /sparql query in one
of the worker's query processes under the deadline (common.with_deadline, sparql.answer_query), and
filtered here in Python: the search text never reaches SPARQL, so it needs no escaping there.

A name is any skos:prefLabel, skos:altLabel, hs:officialName or rdfs:label of an entity of the graph
(an IRI under https://w3id.org/hubspoke/id/), and any hs:nameUsed of an hs:NameUse naming it; a query
matches a name when it is a substring of it, ignoring case and accents. An entity's kinds are the local
names of its rdf:type in the facts graph (asserted, not inferred, so Japan is listed as a State and not
also as an Agent); kind= also accepts an inferred kind (kind=Agent finds states, organisations, people). A year keeps the entities whose dates span it: from the earliest hs:date/hs:startDate to the
latest hs:endDate, open-ended when there is a start date and no end, and otherwise from the earliest to
the latest of its dates; entities without dates are left out (the page says how many).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, render_template, request

from hubspoke import namespaces as ns
from hubspoke.web.common import Reply, config, store, with_deadline
from hubspoke.web.ties import parse_year

bp = Blueprint("search", __name__)

MAX_QUERY = 200  # characters in q: more is refused with 400
MAX_KIND = 100

_NAMES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX hs: <https://w3id.org/hubspoke/ontology/>
SELECT ?e ?what ?v WHERE {
  {
    GRAPH <https://w3id.org/hubspoke/graph/facts> { ?e a ?v }
    BIND("type" AS ?what)
  } UNION {
    ?e a ?v  # with the inferred types: kind=Agent finds every state, organisation and person
    FILTER(STRSTARTS(STR(?v), "https://w3id.org/hubspoke/ontology/"))
    BIND("anyType" AS ?what)
  } UNION {
    ?e skos:prefLabel ?v BIND("prefLabel" AS ?what)
  } UNION {
    ?e skos:altLabel ?v BIND("altLabel" AS ?what)
  } UNION {
    ?e hs:officialName ?v BIND("officialName" AS ?what)
  } UNION {
    ?e rdfs:label ?v BIND("label" AS ?what)
  } UNION {
    ?use hs:namedEntity ?e ; hs:nameUsed ?v BIND("nameUsed" AS ?what)
  } UNION {
    ?e hs:date ?v BIND("date" AS ?what)
  } UNION {
    ?e hs:startDate ?v BIND("startDate" AS ?what)
  } UNION {
    ?e hs:endDate ?v BIND("end" AS ?what)
  }
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), "https://w3id.org/hubspoke/id/"))
}"""

_NAME_KINDS = ("prefLabel", "altLabel", "officialName", "label", "nameUsed")
WHICH = {"prefLabel": "name", "altLabel": "also called", "officialName": "official name", "label": "label",
         "nameUsed": "name used by some"}  # how a page says where a matched name comes from
_YEAR = re.compile(r"-?[0-9]{4}")


@dataclass
class Entity:
    iri: str
    kinds: set[str] = field(default_factory=set)  # asserted in the facts graph
    all_kinds: set[str] = field(default_factory=set)  # asserted or inferred
    names: list[tuple[str, str]] = field(default_factory=list)  # (which property, the name)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    has_start_date: bool = False

    @property
    def slug(self) -> str:
        return self.iri[len(ns.HSI):]

    @property
    def path(self) -> str:
        return "/id/" + self.slug

    @property
    def label(self) -> str:
        for which in ("prefLabel", "label", "officialName", "altLabel", "nameUsed"):
            found = sorted(n for w, n in self.names if w == which)
            if found:
                return found[0]
        return self.slug

    @property
    def dated(self) -> bool:
        return bool(self.starts or self.ends)

    def spans(self, year: int) -> bool:
        dates = self.starts + self.ends
        if not dates:
            return False
        if self.has_start_date and not self.ends:
            return min(dates) <= year
        return min(dates) <= year <= max(dates)


def normalise(text: str) -> str:
    """Case- and accent-insensitive form: 'Đôkdo' and 'dokdo' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


def _year_of(value: str) -> int | None:
    match = _YEAR.match(value.strip())
    return int(match.group()) if match else None


def entities() -> dict[str, Entity]:
    """Every entity with its names, kinds and date years, from one fixed query under the deadline."""
    from hubspoke.web.sparql import QuerySpec, answer_query

    settings = config()
    spec = QuerySpec(_NAMES, [], [], [("application/sparql-results+json", 1.0)], [], request.base_url,
                     0, tuple(settings.service_allow), 0)
    current = store().current()
    # The same handler as /sparql: a standing query process is forked with its handler, so sharing it keeps them.
    reply: Reply = with_deadline(functools.partial(answer_query, current), spec, current.state_key())
    if reply.status != 200:  # busy (429, 503 with Retry-After) or over the deadline (422): said as /sparql says it
        abort(reply.response())
    found: dict[str, Entity] = {}
    for row in json.loads(reply.body)["results"]["bindings"]:
        iri, what, value = row["e"]["value"], row["what"]["value"], row["v"]["value"]
        entity = found.setdefault(iri, Entity(iri))
        if what == "type":
            entity.kinds.add(_local_name(value))
            entity.all_kinds.add(_local_name(value))
        elif what == "anyType":
            entity.all_kinds.add(_local_name(value))
        elif what in _NAME_KINDS:
            entity.names.append((what, value))
        else:
            year = _year_of(value)
            if year is None:
                continue
            if what == "end":
                entity.ends.append(year)
            else:
                entity.starts.append(year)
                # hs:date alone reads as a point; hs:startDate as the start of something that lasts
                entity.has_start_date = entity.has_start_date or what == "startDate"
    for entity in found.values():
        entity.names = sorted(set(entity.names))
    return {iri: e for iri, e in found.items() if e.names or e.kinds}


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1] or iri


@dataclass(frozen=True)
class Hit:
    entity: Entity
    matched: str  # the name that matched
    which: str  # the property it came from
    exact: bool


@bp.route("/search")
def search() -> Response:
    q = request.args.get("q")
    if q is None or not q.strip():
        abort(400, description="search needs q, the text to look for (for example /search?q=Takeshima)")
    if len(q) > MAX_QUERY:
        abort(400, description=f"q is at most {MAX_QUERY} characters")
    kind = request.args.get("kind", "").strip()
    if len(kind) > MAX_KIND:
        abort(400, description=f"kind is at most {MAX_KIND} characters")
    year = parse_year(request.args.get("year"))
    needle = normalise(q.strip())
    everything = entities()
    kinds = sorted({k for e in everything.values() for k in e.kinds})
    known_kinds = {k for e in everything.values() for k in e.all_kinds}
    hits: list[Hit] = []
    undated = 0
    for entity in everything.values():
        if kind and kind not in entity.all_kinds:
            continue
        matches = [(which, name) for which, name in entity.names if needle in normalise(name)]
        if not matches:
            continue
        if year is not None and not entity.spans(year):
            undated += not entity.dated
            continue
        exact = [(w, n) for w, n in matches if normalise(n) == needle]
        which, name = (exact or sorted(matches, key=lambda m: (len(m[1]), m[1])))[0]
        hits.append(Hit(entity, name, which, bool(exact)))
    hits.sort(key=lambda h: (not h.exact, normalise(h.entity.label), h.entity.iri))
    best = [h for h in hits if h.exact]
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        for k in [kind] if kind else sorted(hit.entity.kinds) or ["(no kind)"]:
            groups.setdefault(k, []).append(hit)
    page = render_template("search.html", q=q, kind=kind, year=year, kinds=kinds, best=best,
                           groups=sorted(groups.items()), total=len(hits), undated=undated, which=WHICH,
                           unknown_kind=bool(kind) and kind not in known_kinds)
    return Response(page, content_type="text/html; charset=utf-8")


@bp.route("/id/")
def index() -> Response:
    groups: dict[str, list[Entity]] = {}
    for entity in entities().values():
        for k in sorted(entity.kinds) or ["(no kind)"]:
            groups.setdefault(k, []).append(entity)
    ordered = [(k, sorted(members, key=lambda e: (normalise(e.label), e.iri))) for k, members in sorted(groups.items())]
    # One kind's members at a time (?kind=State): all of them on one page ran to 28,000 px (368 quotations).
    chosen = request.args.get("kind", "")
    shown = [(k, members) for k, members in ordered if k == chosen]
    page = render_template("index.html", groups=ordered, shown=shown, chosen=chosen,
                           total=sum(len(m) for _, m in ordered))
    return Response(page, content_type="text/html; charset=utf-8")

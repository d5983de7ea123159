"""US-linked ties and explanations, for people (HTML) and programs (JSON).

/ties/us-linked[?year=YYYY][&unknown=show|hide][&compare=2005,2010,2013][&imported=include|exclude]
/explain?s=…&p=…&o=…[&year=YYYY][&fact=IRI]   (prefixed names hs:/hsi:/… or full IRIs; a quoted literal as object)
/explain?fact=IRI[&year=YYYY]                   (a relationship alone: its dates, standing and quotes)
JSON when the client asks for it (Accept: application/json, or ?format=json), HTML otherwise.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from hubspoke.inference import explain as ex
from hubspoke.inference import ties as tie
from hubspoke.store import Store

bp = Blueprint("ties", __name__)
MIN_YEAR, MAX_YEAR = 1800, 2200
MAX_COMPARE = 8  # years in one comparison: enough to read, not a way to make the server work for nothing
_YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only: str.isdigit() also accepts '²' and other digits
_POLICIES: tuple[tie.Unknown, ...] = ("show", "hide")
UNKNOWN: tuple[str, ...] = _POLICIES


def wants_json() -> bool:
    if request.args.get("format") in ("json", "html"):
        return request.args["format"] == "json"
    best = request.accept_mimetypes.best_match(["text/html", "application/json"], default="text/html")
    return best == "application/json"


def parse_year(text: str | None, name: str = "year") -> int | None:
    """A four-digit ASCII year in [MIN_YEAR, MAX_YEAR], None when absent or empty; 400 otherwise."""
    if not text:  # None or ""
        return None
    if not _YEAR.fullmatch(text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        abort(400, description=f"{name} must be a four-digit year between {MIN_YEAR} and {MAX_YEAR} "
                               f"(ASCII digits), not {text[:20]!r}")
    return int(text)


def parse_compare(text: str | None) -> list[int]:
    """`2005,2010,2013`: up to MAX_COMPARE years, each strictly a year; 400 otherwise."""
    if not text:
        return []
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > MAX_COMPARE:
        abort(400, description=f"compare takes at most {MAX_COMPARE} years, separated by commas")
    years = []
    for part in parts:
        if part:
            year = parse_year(part, "each year of compare")
            assert year is not None
            years.append(year)
    return years


def parse_unknown(text: str) -> tie.Unknown:
    """What to do with ties whose standing is not known as of the year: show them flagged, or hide them."""
    for policy in _POLICIES:
        if text == policy:
            return policy
    abort(400, description=f"unknown must be one of {', '.join(UNKNOWN)}")


IMPORTED: tuple[str, ...] = ("include", "exclude")


def parse_imported(text: str) -> bool:
    """imported=include (the default) answers with the imported graph when the dataset has one;
    imported=exclude answers from the curated facts alone (seeds-only)."""
    if text == "":
        return True  # an empty field of a form: the default
    if text not in IMPORTED:
        abort(400, description=f"imported must be one of {', '.join(IMPORTED)} (exclude answers from the curated facts alone)")
    return text == "include"


class Basis:
    """What an answer rests on: the served dataset's imported graph (if any), and whether the answer uses it.
    `facts` are the facts the answer uses; `seeds` the same facts as the curated facts alone give them."""

    def __init__(self, store: Store, include: bool) -> None:
        self.with_imported, self.labels, self.kind_labels = tie.load_facts(store)
        self.has_imported = tie.has_imported_graph(store)
        self.seeds = [f.without_imported() for f in self.with_imported]
        self.include = include and self.has_imported
        self.facts = self.with_imported if self.include else self.seeds

    @property
    def dataset(self) -> str:
        """seeds+imported, seeds-only (no imported graph), or seeds-only by request (imported=exclude)."""
        return "seeds+imported" if self.include else "seeds-only" if not self.has_imported else "seeds-only (imported=exclude)"

    def answer(self, year: int | None, unknown: tie.Unknown, seeds: bool = False) -> tie.Answer:
        return tie.compute(self.seeds if seeds else self.facts, self.labels, self.kind_labels, year, unknown, tie.UNITED_STATES)

    def changes(self, year: int | None, unknown: tie.Unknown) -> list[dict[str, object]]:
        """What changes with imported facts as of the year (empty without an imported graph)."""
        if not self.has_imported:
            return []
        with_imported = tie.compute(self.with_imported, self.labels, self.kind_labels, year, unknown, tie.UNITED_STATES)
        return tie.imported_changes(self.answer(year, unknown, seeds=True), with_imported)

    def json(self) -> dict[str, object]:
        words = ("the answer uses the imported graph: dates from open-data snapshots, each named below" if self.include
                 else "the answer is seeds-only: the served dataset has no imported graph" if not self.has_imported
                 else "the answer is seeds-only (imported=exclude): the imported graph is left out")
        return {"dataset": self.dataset, "imported_graph": self.has_imported, "uses_imported": self.include, "note": words}


def reject_old_undated() -> None:
    if "undated" in request.args:
        abort(400, description="undated= was replaced by unknown=show|hide: an undated tie is shown as "
                               "'not known' for the years before its sources attest it, never left out silently")


@bp.route("/ties/us-linked")
def us_linked() -> Response | str:
    store = current_app.config["HUBSPOKE_STORE"]
    reject_old_undated()
    year = parse_year(request.args.get("year"))
    unknown = parse_unknown(request.args.get("unknown", "show"))
    compare = parse_compare(request.args.get("compare"))
    basis = Basis(store, parse_imported(request.args.get("imported", "include")))
    labels, kind_labels = basis.labels, basis.kind_labels
    answer = basis.answer(year, unknown)
    answers = [basis.answer(y, unknown) for y in compare]
    steps = [{"from": a.year, "to": b.year, **tie.changes(a, b)} for a, b in zip(answers, answers[1:])]
    imported_changes = basis.changes(year, unknown)
    body = tie.answer_json(answer)
    tie.mark_imported_changes(body, imported_changes)
    if wants_json():
        body["imported"] = basis.json()
        body["changes_with_imported"] = imported_changes
        if compare:
            body["compare"] = [tie.answer_json(a) for a in answers]
            body["changes"] = steps
            body["compare_changes_with_imported"] = [{"year": y, "changes": basis.changes(y, unknown)} for y in compare]
        return jsonify(body)
    args = {k: v for k, v in request.args.items() if k != "format"}
    return render_template("ties.html", answer=body, compare=[tie.answer_json(a) for a in answers],
                           changes=steps, labels=labels, kind_labels=kind_labels, unknown=unknown,
                           json_link="?" + urlencode({**args, "format": "json"}),
                           basis=basis.json(), imported_changes=imported_changes,
                           switch_link="?" + urlencode({**{k: v for k, v in args.items() if k != "imported"},
                                                        **({"imported": "exclude"} if basis.include else {})}),
                           field_words=tie.DATE_FIELDS, standing_label=tie.STANDING_LABEL)


def _term(name: str, position: str) -> ex.Term:
    try:
        return ex.parse_term(request.args[name], position)
    except ex.TermError as error:
        abort(400, description=f"{name}: {error}")


@bp.route("/explain")
def explain() -> Response | tuple[Response, int] | str:
    store = current_app.config["HUBSPOKE_STORE"]
    year = parse_year(request.args.get("year"))
    fact_iri: str | None = None
    if request.args.get("fact"):
        fact_term = _term("fact", "subject")
        if not isinstance(fact_term, ox.NamedNode):
            abort(400, description="fact must be the IRI of a relationship")
        fact_iri = fact_term.value
    if fact_iri is not None and not any(request.args.get(k) for k in ("s", "p", "o")):
        return _explain_fact(store, fact_iri, year)
    missing = [k for k in ("s", "p", "o") if not request.args.get(k)]
    if missing:
        abort(400, description=f"give the triple to explain as s, p and o, or a relationship as fact (missing: {', '.join(missing)})")
    s, p, o = _term("s", "subject"), _term("p", "predicate"), _term("o", "object")
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
        abort(400, description="the subject and the predicate must be IRIs")
    found = ex.explain(store, s, p, o, year, fact_iri)
    status = 404 if found.status == "absent" else 200
    _facts, labels, _kinds = tie.load_facts(store)
    labels = {**labels, **{f.iri: f.label for f in ex.facts_in(found)}}  # name the relationships too
    if wants_json():
        body = ex.to_json(found)
        body["quotes_all"] = [q.__dict__ for q in ex.all_quotes(found)]
        body["chain"] = ex.chain_text(found, labels)
        return jsonify(body), status
    def term(t: ex.Term) -> str:
        return labels.get(t.value, ex.short(t)) if isinstance(t, ox.NamedNode) else ex.short(t)

    html = render_template("explain.html", found=found, short=ex.short, term=term, predicate_label=_label(store, p), quotes=ex.all_quotes(found), labels=labels,
                           fact=found.fact, judged=found.fact.judge(year) if found.fact else None, year=year,
                           standing_label=tie.STANDING_LABEL, rests_on=ex.facts_in(found))
    return Response(html, status=status, mimetype="text/html")


def _label(store: Store, term: ox.NamedNode) -> str:
    """The English label of an ontology term, for a sentence; its prefixed name when it has none."""
    result = store.query(f"SELECT ?l WHERE {{ {term} <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                         f'FILTER(langMatches(lang(?l), "en")) }} LIMIT 1')
    assert isinstance(result.payload, ox.QuerySolutions)
    rows = list(result.payload)
    return str(rows[0]["l"].value) if rows else ex.short(term)


def _explain_fact(store: Store, fact_iri: str, year: int | None) -> Response | tuple[Response, int]:
    fact = ex.explain_fact(store, fact_iri, year)
    if fact is None:
        abort(404, description=f"{fact_iri} is not a relationship of the graph")
    _facts, labels, _kinds = tie.load_facts(store)
    if wants_json():
        return jsonify({"year": year, "fact": {**tie.fact_json(fact, year), "quotes": [s.__dict__ for s in fact.sources]}})
    html = render_template("explain.html", found=None, short=ex.short, quotes=[], labels=labels, fact=fact,
                           judged=fact.judge(year), year=year, standing_label=tie.STANDING_LABEL, rests_on=[fact])
    return Response(html, status=200, mimetype="text/html")

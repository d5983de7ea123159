"""The network over time (DESIGN.md, 'Server'): the security ties on record as of a year, drawn as
the hub and its spokes, with every tie leading to the explanation of that very fact as of that year.

/network[?year=YYYY][&unknown=show|hide][&imported=include|exclude]  — an SVG page, or JSON when asked for (?format=json).
Every date says where it comes from (ties.Fact.origins). When the dataset has an imported graph the
standing of each tie is also judged from the curated facts alone, and a tie whose standing differs is
marked as changing with imported facts; imported=exclude draws the seeds-only network.
Each tie has its standing as of the year (ties.Fact.judge): one that holds is drawn solid; one not
known (its start is not in the sources, which attest it only later) dashed in another colour and
named so - never left out as if absent; one that does not hold is not drawn but listed with why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from hubspoke.inference import ties as tie
from hubspoke.web.ties import Basis, parse_imported, parse_unknown, parse_year, reject_old_undated, wants_json

bp = Blueprint("network", __name__)

SIZE, RADIUS = 760, 300  # the drawing's width and height, and the circle the states stand on


@dataclass(frozen=True)
class Edge:
    """One tie as drawn: from a state to a state, or to a minilateral's marker."""

    x1: float
    y1: float
    x2: float
    y2: float
    fact: str
    label: str
    alliance: bool
    undated: bool
    standing: tie.Standing
    reason: str
    explain: str


def fact_explain_url(fact: tie.Fact, year: int | None) -> str:
    """A minilateral's line from a member to its marker: the explanation of the relationship itself."""
    params = {"fact": fact.iri, **({"year": str(year)} if year is not None else {})}
    return "/explain?" + urlencode(params)


def pair_explain_url(fact: tie.Fact, a: str, b: str, year: int | None) -> str:
    return tie.explain_url(a, tie.predicate_of(fact), b, fact.iri, year)


@bp.route("/network")
def network() -> Response | str:
    store = current_app.config["HUBSPOKE_STORE"]
    reject_old_undated()
    year = parse_year(request.args.get("year"))
    unknown = parse_unknown(request.args.get("unknown", "show"))
    basis = Basis(store, parse_imported(request.args.get("imported", "include")))
    facts, labels = basis.facts, basis.labels
    ties = [f for f in facts if 2 <= len(f.parties) <= tie.MAX_PARTIES]
    judged = {f.iri: f.judge(year) for f in ties}
    shown = [tie.HOLDS] if unknown == "hide" else [tie.HOLDS, tie.NOT_KNOWN]
    drawn = [f for f in ties if judged[f.iri][0] in shown]
    left = [f for f in ties if judged[f.iri][0] not in shown]
    changed = imported_changes(basis, year)
    if wants_json():
        def entry(f: tie.Fact) -> dict[str, object]:
            standing, reason = judged[f.iri]
            pair = sorted(f.parties)
            data = tie.fact_json(f, year)
            return {"fact": f.iri, "label": f.label, "parties": pair, "alliance": f.alliance, "year": f.start,
                    "date": f.date_text or None, "undated": f.start is None, "attested": f.attested,
                    "start_no_earlier_than": f.start_after, "start_no_later_than": f.start_by,
                    "end_year": f.end, "end": f.end_text or None, "end_no_earlier_than": f.end_after, "end_no_later_than": f.end_by,
                    "standing": standing, "standing_iri": tie.STANDING_IRI[standing], "reason": reason,
                    "date_origins": data["date_origins"], "imported_dates": data["imported_dates"],
                    "changes_with_imported": f.iri in changed,
                    "explain": pair_explain_url(f, pair[0], pair[1], year) if len(pair) == 2 else fact_explain_url(f, year)}

        order = sorted(drawn, key=lambda f: (f.start or f.latest_start() or 0, f.label))
        return jsonify(year=year, unknown=unknown, hub=tie.UNITED_STATES, imported=basis.json(),
                       states=sorted({p for f in drawn for p in f.parties}),
                       ties=[entry(f) for f in order],
                       not_drawn=[entry(f) for f in sorted(left, key=lambda f: f.label)],
                       changes_with_imported=list(changed.values()))
    positions = layout(sorted({p for f in drawn for p in f.parties}, key=lambda s: labels.get(s, s)))
    edges, markers = draw(drawn, positions, judged, year)
    years = sorted({y for f in facts for y in (f.start, f.attested, f.start_by) if y is not None})
    counts = {s: sum(1 for f in drawn if judged[f.iri][0] == s) for s in (tie.HOLDS, tie.NOT_KNOWN)}
    args = {k: v for k, v in request.args.items() if k not in ("format", "year")}
    return render_template("network.html", year=year, unknown=unknown, years=years, size=SIZE,
                           positions=positions, labels=labels, edges=edges, markers=markers,
                           hub=tie.UNITED_STATES, count=len(drawn), counts=counts,
                           left=[(f, judged[f.iri]) for f in sorted(left, key=lambda f: f.label)],
                           facts={f.iri: tie.fact_json(f, year) for f in ties}, changed=changed, basis=basis.json(),
                           keep="".join(f"&{urlencode({k: v})}" for k, v in args.items()),
                           switch_link="?" + urlencode({**({"year": str(year)} if year is not None else {}),
                                                        **{k: v for k, v in args.items() if k != "imported"},
                                                        **({"imported": "exclude"} if basis.include else {})}),
                           field_words=tie.DATE_FIELDS, standing_label=tie.STANDING_LABEL)


def imported_changes(basis: Basis, year: int | None) -> dict[str, dict[str, object]]:
    """Fact IRI -> how its standing as of the year changes with imported facts (only the ties whose
    standing differs between the curated facts alone and the facts with the imported graph)."""
    if not basis.has_imported:
        return {}
    out: dict[str, dict[str, object]] = {}
    for seeds, full in zip(basis.seeds, basis.with_imported):
        if not 2 <= len(full.parties) <= tie.MAX_PARTIES or not full.imported_fields:
            continue
        (was, why_was), (now, why_now) = seeds.judge(year), full.judge(year)
        if was != now:
            where = f"as of {year}" if year is not None else "today"
            out[full.iri] = {"fact": full.iri, "label": full.label, "with_imported": now, "seeds_only": was,
                             "reason_with_imported": why_now, "reason_seeds_only": why_was,
                             "imported_dates": {n: {"year": getattr(full, n), "origin": tie.origin_json(full.origins[n])}
                                                for n in full.imported_fields},
                             "text": f"{full.label}: {tie.STANDING_LABEL[now]} {where} with imported dates "
                                     f"({tie.imported_date_words(full)}); {tie.STANDING_LABEL[was]} from the seeds alone ({why_was})"}
    return out


def layout(states: list[str]) -> dict[str, tuple[float, float]]:
    """The hub at the centre, every other state on a circle around it, in alphabetical order."""
    centre = SIZE / 2
    others = [s for s in states if s != tie.UNITED_STATES]
    positions = {tie.UNITED_STATES: (centre, centre)} if tie.UNITED_STATES in states else {}
    for i, state in enumerate(others):
        angle = 2 * math.pi * i / max(len(others), 1) - math.pi / 2
        positions[state] = (round(centre + RADIUS * math.cos(angle), 1), round(centre + RADIUS * math.sin(angle), 1))
    return positions


def draw(holding: list[tie.Fact], positions: dict[str, tuple[float, float]], judged: dict[str, tuple[tie.Standing, str]],
         year: int | None) -> tuple[list[Edge], list[tuple[float, float, tie.Fact, tie.Standing, str, str]]]:
    """Lines for bilateral ties; a marker at the parties' centre, joined to each, for a minilateral."""
    edges: list[Edge] = []
    markers: list[tuple[float, float, tie.Fact, tie.Standing, str, str]] = []
    pairs: dict[frozenset[str], list[tie.Fact]] = {}
    for fact in holding:
        if len(fact.parties) == 2:
            pairs.setdefault(fact.parties, []).append(fact)
    for pair, between in pairs.items():
        a, b = sorted(pair)
        (x1, y1), (x2, y2) = positions[a], positions[b]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        nx, ny = (y1 - y2) / length, (x2 - x1) / length  # unit normal: parallel ties side by side
        for i, fact in enumerate(sorted(between, key=lambda f: (not f.alliance, f.start or 0, f.label))):
            shift = (i - (len(between) - 1) / 2) * 6
            dx, dy = round(nx * shift, 1), round(ny * shift, 1)
            standing, reason = judged[fact.iri]
            edges.append(Edge(x1 + dx, y1 + dy, x2 + dx, y2 + dy, fact.iri, fact.label, fact.alliance, fact.start is None,
                              standing, reason, pair_explain_url(fact, a, b, year)))
    for fact in holding:
        if len(fact.parties) == 2:
            continue
        points = [positions[p] for p in sorted(fact.parties)]
        mx = round(sum(x for x, _ in points) / len(points), 1)
        my = round(sum(y for _, y in points) / len(points), 1)
        standing, reason = judged[fact.iri]
        url = fact_explain_url(fact, year)
        markers.append((mx, my, fact, standing, reason, url))
        edges += [Edge(x, y, mx, my, fact.iri, fact.label, False, fact.start is None, standing, reason, url) for x, y in points]
    return edges, markers

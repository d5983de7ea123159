"""The network over time (DESIGN.md, 'Server'): the security ties on record as of a year, drawn as
the hub and its spokes, with every tie linking to its fact and the quotes behind it.

/network[?year=YYYY][&undated=attested|include|exclude]  — an SVG page, or JSON when asked for.
The year rule is the ties module's own (Fact.holds): an undated tie counts from the year its sources
attest it and is drawn dashed, never given a date it does not have.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from hubspoke.inference import ties as tie
from hubspoke.web.ties import parse_undated, parse_year, wants_json

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


@bp.route("/network")
def network() -> Response | str:
    store = current_app.config["HUBSPOKE_STORE"]
    year = parse_year(request.args.get("year"))
    undated = parse_undated(request.args.get("undated", "attested"))
    facts, labels, _kinds = tie.load_facts(store)
    holding = [f for f in facts if len(f.parties) <= tie.MAX_PARTIES and f.holds(year, undated)]
    if wants_json():
        return jsonify(year=year, undated=undated, hub=tie.UNITED_STATES,
                       states=sorted({p for f in holding for p in f.parties}),
                       ties=[{"fact": f.iri, "label": f.label, "parties": sorted(f.parties), "alliance": f.alliance,
                              "year": f.start, "undated": f.start is None, "attested": f.attested}
                             for f in sorted(holding, key=lambda f: (f.start or f.attested or 0, f.label))])
    positions = layout(sorted({p for f in holding for p in f.parties}, key=lambda s: labels.get(s, s)))
    edges, markers = draw(holding, positions)
    years = sorted({y for f in facts for y in (f.start, f.attested) if y is not None})
    return render_template("network.html", year=year, undated=undated, years=years, size=SIZE,
                           positions=positions, labels=labels, edges=edges, markers=markers,
                           hub=tie.UNITED_STATES, count=len(holding))


def layout(states: list[str]) -> dict[str, tuple[float, float]]:
    """The hub at the centre, every other state on a circle around it, in alphabetical order."""
    centre = SIZE / 2
    others = [s for s in states if s != tie.UNITED_STATES]
    positions = {tie.UNITED_STATES: (centre, centre)} if tie.UNITED_STATES in states else {}
    for i, state in enumerate(others):
        angle = 2 * math.pi * i / max(len(others), 1) - math.pi / 2
        positions[state] = (round(centre + RADIUS * math.cos(angle), 1), round(centre + RADIUS * math.sin(angle), 1))
    return positions


def draw(holding: list[tie.Fact], positions: dict[str, tuple[float, float]]) -> tuple[list[Edge], list[tuple[float, float, tie.Fact]]]:
    """Lines for bilateral ties; a marker at the parties' centre, joined to each, for a minilateral."""
    edges: list[Edge] = []
    markers: list[tuple[float, float, tie.Fact]] = []
    pairs: dict[frozenset[str], list[tie.Fact]] = {}
    for fact in holding:
        if len(fact.parties) == 2:
            pairs.setdefault(fact.parties, []).append(fact)
    for pair, between in pairs.items():
        (x1, y1), (x2, y2) = (positions[p] for p in sorted(pair))
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        nx, ny = (y1 - y2) / length, (x2 - x1) / length  # unit normal: parallel ties side by side
        for i, fact in enumerate(sorted(between, key=lambda f: (not f.alliance, f.start or 0, f.label))):
            shift = (i - (len(between) - 1) / 2) * 6
            dx, dy = round(nx * shift, 1), round(ny * shift, 1)
            edges.append(Edge(x1 + dx, y1 + dy, x2 + dx, y2 + dy, fact.iri, fact.label, fact.alliance, fact.start is None))
    for fact in holding:
        points = [positions[p] for p in sorted(fact.parties)]
        undated = fact.start is None
        if len(points) == 2:
            continue
        mx = round(sum(x for x, _ in points) / len(points), 1)
        my = round(sum(y for _, y in points) / len(points), 1)
        markers.append((mx, my, fact))
        edges += [Edge(x, y, mx, my, fact.iri, fact.label, False, undated) for x, y in points]
    return edges, markers

"""US-linked ties and explanations, for people (HTML) and programs (JSON).

/ties/us-linked[?year=YYYY][&undated=attested|include|exclude][&compare=2005,2010,2013]
/explain?s=…&p=…&o=…   (prefixed names hs:/hsi:/… or full IRIs; a quoted literal as object)
JSON when the client asks for it (Accept: application/json, or ?format=json), HTML otherwise.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from hubspoke.inference import explain as ex
from hubspoke.inference import ties as tie

bp = Blueprint("ties", __name__)
MIN_YEAR, MAX_YEAR = 1800, 2200
_POLICIES: tuple[tie.Undated, ...] = ("attested", "include", "exclude")
UNDATED: tuple[str, ...] = _POLICIES  # the policies' names, for messages and other views' checks


def wants_json() -> bool:
    if request.args.get("format") in ("json", "html"):
        return request.args["format"] == "json"
    best = request.accept_mimetypes.best_match(["text/html", "application/json"], default="text/html")
    return best == "application/json"


def parse_year(text: str | None) -> int | None:
    if not text:  # None or ""
        return None
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        abort(400, description=f"year must be a four-digit year between {MIN_YEAR} and {MAX_YEAR}, not {text!r}")
    return int(text)


def parse_undated(text: str) -> tie.Undated:
    """The undated policy a request names; 400 for any other."""
    for policy in _POLICIES:
        if text == policy:
            return policy
    abort(400, description=f"undated must be one of {', '.join(UNDATED)}")


def explain_link(s: str, p: str, o: str) -> str:
    return "/explain?" + urlencode({"s": s, "p": p, "o": o})


@bp.route("/ties/us-linked")
def us_linked() -> Response | str:
    store = current_app.config["HUBSPOKE_STORE"]
    year = parse_year(request.args.get("year"))
    undated = parse_undated(request.args.get("undated", "attested"))
    compare = [parse_year(y.strip()) for y in request.args.get("compare", "").split(",") if y.strip()]
    facts, labels, kind_labels = tie.load_facts(store)
    answer = tie.compute(facts, labels, kind_labels, year, undated, tie.UNITED_STATES)
    answers = [tie.compute(facts, labels, kind_labels, y, undated, tie.UNITED_STATES) for y in compare]
    steps = [{"from": a.year, "to": b.year, **tie.changes(a, b)} for a, b in zip(answers, answers[1:])]
    if wants_json():
        body = tie.answer_json(answer)
        if compare:
            body["compare"] = [tie.answer_json(a) for a in answers]
            body["changes"] = steps
        return jsonify(body)
    return render_template("ties.html", answer=tie.answer_json(answer), compare=[tie.answer_json(a) for a in answers],
                           changes=steps, labels=labels, kind_labels=kind_labels, explain_link=explain_link, undated=undated)


@bp.route("/explain")
def explain() -> Response | tuple[Response, int] | str:
    store = current_app.config["HUBSPOKE_STORE"]
    missing = [k for k in ("s", "p", "o") if not request.args.get(k)]
    if missing:
        abort(400, description=f"give the triple to explain as s, p and o (missing: {', '.join(missing)})")
    try:
        s = ex.parse_term(request.args["s"], "subject")
        p = ex.parse_term(request.args["p"], "predicate")
        o = ex.parse_term(request.args["o"], "object")
    except ex.TermError as error:
        abort(400, description=str(error))
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
        abort(400, description="the subject and the predicate must be IRIs")
    found = ex.explain(store, s, p, o)
    status = 404 if found.status == "absent" else 200
    if wants_json():
        body = ex.to_json(found)
        body["quotes_all"] = [q.__dict__ for q in ex.all_quotes(found)]
        return jsonify(body), status
    html = render_template("explain.html", found=found, short=ex.short, quotes=ex.all_quotes(found))
    return Response(html, status=status, mimetype="text/html")

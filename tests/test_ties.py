"""US-linked ties: a stored network beside its expected answer per year (with the standing of each
item: holds / not-known / does-not-hold); the headline answers on the real graph for 2000, 2007 and
2010; explanations of the very fact shown, with one or several derivations per statement; the
/ties/us-linked and /explain routes on the live server; `hubspoke explain`."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests

from hubspoke import namespaces as ns
from hubspoke.build import BuildReport
from hubspoke.config import ProjectPaths
from hubspoke.inference import ties as tie
from hubspoke.inference.explain import Explanation, all_quotes, explain, parse_term
from hubspoke.inference.materialise import infer
from hubspoke.inference.rules import load_rules
from hubspoke.inference.ties import Answer, load_facts, us_linked
from hubspoke.loading import load_folder, parse_turtle_file
from hubspoke.store import EmbeddedStore
from tests.conftest import LiveServer

HERE = Path(__file__).parent
ROOT = HERE.parent
TIES = HERE / "ties"
HSI = ns.HSI


def slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def summary(answer: Answer) -> list[str]:
    return sorted(" ".join([slug(i.state), slug(i.kind), *map(slug, i.via), i.standing]) for i in answer.items)


def network_store(*updates: str) -> EmbeddedStore:
    """The stored network, inferred exactly as the build does, then changed by any SPARQL updates."""
    facts = parse_turtle_file(TIES / "network.ttl")
    graphs = {ns.FACTS_GRAPH: facts,
              ns.ONTOLOGY_GRAPH: [t for f in load_folder(ROOT / "ontology", ns.ONTOLOGY_GRAPH) for t in f.triples]}
    result = infer(graphs, load_rules(ROOT / "ontology" / "rules"))
    graphs[ns.INFERRED_GRAPH] = result.inferred
    graphs[ns.DERIVATIONS_GRAPH] = result.derivations
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, ts in graphs.items() for t in ts)
    for update in updates:
        store.update(update)
    return EmbeddedStore(store)


@pytest.fixture(scope="module")
def network() -> EmbeddedStore:
    return network_store()


EXPECTED = json.loads((TIES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_network_answer_as_of_year(network: EmbeddedStore, year: str) -> None:
    as_of = None if year == "current" else int(year)
    answer = us_linked(network, as_of)
    expected = EXPECTED[year]
    assert summary(answer) == sorted(expected["items"])
    assert sorted(slug(s) for s in answer.unlinked) == sorted(expected["unlinked"])
    assert sorted(slug(f.iri) for f in answer.not_known) == expected["not_known"]
    facts = {slug(f.iri): f for f in load_facts(network)[0]}
    assert {name: facts[name].standing(as_of) for name in expected["standings"]} == expected["standings"]


def test_each_link_names_its_fact_year_and_quotes(network: EmbeddedStore) -> None:
    answer = us_linked(network, 2013)
    vietnam = next(i for i in answer.items if slug(i.state) == "vietnam")
    assert [(slug(link.source), slug(link.fact.iri), slug(link.target)) for link in vietnam.path] == [
        ("vietnam", "philippines-vietnam-exercise", "philippines"),
        ("philippines", "japan-philippines-partnership", "japan"),
        ("japan", "japan-us-alliance", "united-states"),
    ]
    assert vietnam.year == 2010 and not vietnam.undated and vietnam.standing == "holds"
    spoke = next(i for i in answer.items if slug(i.state) == "australia" and i.via)
    assert spoke.year == 2007 and [s.quote for s in spoke.path[0].fact.sources] == ["Japan and Australia will strengthen their cooperation"]


def test_each_standing_says_why(network: EmbeddedStore) -> None:
    facts = {slug(f.iri): f for f in load_facts(network)[0]}
    thai = facts["thailand-us-alliance"]
    assert thai.judge(2010) == ("not-known", "start not in sources; first attested by a 2013 source")
    assert thai.judge(2013)[0] == "holds"
    assert facts["japan-singapore-exercise"].judge(1980) == ("does-not-hold", "began no earlier than 1994, after 1980")
    assert facts["japan-singapore-exercise"].judge(1995)[0] == "not-known"
    assert facts["coordination-group"].judge(2005) == ("does-not-hold", "ended by 2001, before 2005")
    assert facts["japan-australia-declaration"].judge(2005) == ("does-not-hold", "dated 2007-03, after 2005")
    assert facts["new-zealand-us-alliance"].judge(None)[0] == "does-not-hold"
    # a chain is as weak as its weakest link, and a spoke-to-spoke tie also rests on the spoke's own alliance
    item = next(i for i in us_linked(network, 1995).items if slug(i.state) == "singapore")
    assert item.standing == "not-known" and "no earlier than 1994" in item.reason


def test_not_known_ties_are_shown_flagged_or_hidden_never_silently(network: EmbeddedStore) -> None:
    shown = us_linked(network, 2010)
    thai = next(i for i in shown.items if slug(i.state) == "thailand")
    assert thai.kind == tie.KIND_ALLY and thai.standing == "not-known" and thai.path[0].fact.undated
    hidden = us_linked(network, 2010, unknown="hide")
    assert "thailand" not in {slug(i.state) for i in hidden.items}
    assert "thailand-us-alliance" in {slug(f.iri) for f in hidden.undated_left_out}
    body = tie.answer_json(shown)
    assert any(f["iri"].endswith("thailand-us-alliance") and f["standing"] == "not-known" for f in body["not_known"])  # type: ignore[attr-defined]


# -- the real graph: the headline answers (issue 10, "Done when") ---------------------------------

def kinds(answer: Answer, state: str, standing: str | None = "holds") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for i in answer.items:
        if slug(i.state) == state and (standing is None or i.standing == standing):
            out.setdefault(slug(i.kind), set()).update(slug(v) for v in i.via)
    return out


ALLIES = ("japan", "australia", "south-korea")
NEVER_LINKED = ("china", "russia", "north-korea")


@pytest.mark.parametrize("year", [2000, 2007, 2010])
def test_real_graph_us_allies_as_of_year(kg_store: EmbeddedStore, year: int) -> None:
    answer = us_linked(kg_store, year)
    for state in ALLIES:
        ally = [i for i in answer.items if slug(i.state) == state and i.kind == tie.KIND_ALLY]
        assert len(ally) == 1, f"{state} is not shown as a US ally as of {year}"
        fact = ally[0].path[0].fact
        # dated and holding, or flagged: its start is not in the sources (never left out)
        assert (fact.start is not None and fact.start <= year and ally[0].standing == "holds") or \
            (fact.start is None and ally[0].standing == "not-known" and "start not in sources" in ally[0].reason)
    assert {slug(i.state) for i in answer.items}.isdisjoint(NEVER_LINKED)
    assert set(NEVER_LINKED) <= {slug(s) for s in answer.unlinked}


def test_real_graph_spoke_to_spoke_partners_of_japan(kg_store: EmbeddedStore) -> None:
    answer = us_linked(kg_store)
    partners = {slug(v) for i in answer.items if slug(i.state) == "japan" and slug(i.kind) == "SpokeToSpokeTie" for v in i.via}
    assert {"australia", "south-korea"} <= partners


def test_real_graph_india_tied_only_through_trilaterals_with_japan(kg_store: EmbeddedStore) -> None:
    india = kinds(us_linked(kg_store), "india")
    assert india == {"MinilateralTie": {"japan"}}


def test_real_graph_changes_2005_2010_2013(kg_store: EmbeddedStore) -> None:
    by_year = {y: us_linked(kg_store, y) for y in (2005, 2010, 2013)}
    assert kinds(by_year[2005], "india") == {"TieThroughAlly": {"japan"}}
    assert kinds(by_year[2005], "india", "not-known") == {"MinilateralTie": {"japan"}}  # the undated trilateral drills
    assert kinds(by_year[2013], "india") == {"MinilateralTie": {"japan"}}
    japan_2013 = {slug(v) for i in by_year[2013].items if slug(i.state) == "japan" and slug(i.kind) == "SpokeToSpokeTie" for v in i.via}
    assert "australia" in japan_2013
    assert "SpokeToSpokeTie" not in kinds(by_year[2005], "japan")  # known to hold: the 2007 declaration is later
    # may hold: the undated, unattested SDF exercises with Australia - shown, flagged not known
    assert "australia" in kinds(by_year[2005], "japan", "not-known")["SpokeToSpokeTie"]
    step = tie.changes(by_year[2010], by_year[2013])
    ally = {(slug(c["state"]), c["before"], c["after"]) for c in step["changed"] if c["kind"] == tie.KIND_ALLY}  # type: ignore[operator]
    assert ally == {("australia", "not-known", "holds"), ("south-korea", "not-known", "holds")}


# -- explanations: the very fact shown, as of the year --------------------------------------------

def tree_facts(found: Explanation) -> set[str]:
    """Subjects of the asserted premises anywhere in the proof."""
    out, stack = set(), [found]
    while stack:
        node = stack.pop()
        if node.status == "asserted" and isinstance(node.subject, ox.NamedNode):
            out.add(node.subject.value)
        stack += node.premises
    return out


def test_real_graph_explains_spoke_to_spoke_down_to_quotes(kg_store: EmbeddedStore) -> None:
    found = explain(kg_store, parse_term("hsi:japan"), parse_term("hs:spokeToSpokePartnerOf", "predicate"), parse_term("hsi:australia"))  # type: ignore[arg-type]
    assert found.status == "inferred" and found.rule.endswith("/spoke-to-spoke")
    assert all_quotes(found), "the explanation reaches the source quotes"


def test_real_graph_japan_australia_2007_is_explained_by_the_declaration_not_kakadu(kg_store: EmbeddedStore) -> None:
    s, p, o = parse_term("hsi:japan"), parse_term("hs:securityPartnerOf", "predicate"), parse_term("hsi:australia")
    declaration = HSI + "japan-australia-joint-declaration-2007"
    found = explain(kg_store, s, p, o, 2007, declaration)  # type: ignore[arg-type]
    assert found.status == "inferred" and found.fact is not None and found.fact.iri == declaration
    assert declaration in tree_facts(found) and HSI + "kakadu-2016" not in tree_facts(found)
    assert {q.quote for q in found.fact.sources} <= {q.quote for q in all_quotes(found)}
    # without a fact, as of 2010: a fact in force then, never the 2016 exercise
    by_year = explain(kg_store, s, p, o, 2010)  # type: ignore[arg-type]
    assert by_year.fact is not None and by_year.fact.standing(2010) == "holds" and HSI + "kakadu-2016" not in tree_facts(by_year)


SECOND_DERIVATION = """
PREFIX hs: <https://w3id.org/hubspoke/ontology/>
PREFIX hsi: <https://w3id.org/hubspoke/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT { GRAPH <https://w3id.org/hubspoke/graph/derivations> {
    <https://w3id.org/hubspoke/derivation/test-second> a hs:Derivation ; hs:appliedRule ?rule ; hs:derivedStatement ?st ;
        prov:used ?tieStatement , <https://w3id.org/hubspoke/derivation/test-p1> , <https://w3id.org/hubspoke/derivation/test-p2> .
    <https://w3id.org/hubspoke/derivation/test-p1> a rdf:Statement ; rdf:subject hsi:trilateral-strategic-dialogue ;
        rdf:predicate hs:hasParty ; rdf:object hsi:japan ; hs:assertedIn <https://w3id.org/hubspoke/graph/facts> .
    <https://w3id.org/hubspoke/derivation/test-p2> a rdf:Statement ; rdf:subject hsi:trilateral-strategic-dialogue ;
        rdf:predicate hs:hasParty ; rdf:object hsi:australia ; hs:assertedIn <https://w3id.org/hubspoke/graph/facts> .
} } WHERE { GRAPH <https://w3id.org/hubspoke/graph/derivations> {
    ?st rdf:subject hsi:japan ; rdf:predicate hs:securityPartnerOf ; rdf:object hsi:australia .
    ?d hs:derivedStatement ?st ; hs:appliedRule ?rule .
    ?tieStatement rdf:subject hsi:trilateral-strategic-dialogue ; rdf:predicate rdf:type ; rdf:object hs:SecurityTie .
} }"""


def test_explain_picks_among_several_derivations_by_fact_and_year() -> None:
    """The engine may record every derivation of a triple: the explanation picks the fitting one."""
    store = network_store(SECOND_DERIVATION)  # a second recorded derivation, as an engine that keeps all writes them
    s, p, o = parse_term("hsi:japan"), parse_term("hs:securityPartnerOf", "predicate"), parse_term("hsi:australia")
    in_2006 = explain(store, s, p, o, 2006)  # type: ignore[arg-type]
    assert in_2006.derivation_count >= 2 and not in_2006.enumerated  # the engine keeps every derivation
    assert in_2006.fact is not None and slug(in_2006.fact.iri) == "trilateral-strategic-dialogue"  # the declaration is of 2007
    assert HSI + "trilateral-strategic-dialogue" in tree_facts(in_2006)
    shown = explain(store, s, p, o, 2010, HSI + "japan-australia-declaration")  # type: ignore[arg-type]
    assert shown.fact is not None and slug(shown.fact.iri) == "japan-australia-declaration" and not shown.enumerated
    assert HSI + "japan-australia-declaration" in tree_facts(shown) and HSI + "trilateral-strategic-dialogue" not in tree_facts(shown)
    tsd = explain(store, s, p, o, 2010, HSI + "trilateral-strategic-dialogue")  # type: ignore[arg-type]
    # The engine records the derivation through the trilateral itself (the added one is its twin):
    # whichever is taken, it rests on the fact shown.
    assert "rests on the fact shown" in tsd.chosen_by
    assert HSI + "trilateral-strategic-dialogue" in tree_facts(tsd) and HSI + "japan-australia-declaration" not in tree_facts(tsd)


SYMMETRIC_DERIVATIONS = """
PREFIX hs: <https://w3id.org/hubspoke/ontology/>
PREFIX hsi: <https://w3id.org/hubspoke/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT { GRAPH <https://w3id.org/hubspoke/graph/derivations> {
    <https://w3id.org/hubspoke/derivation/test-symp-1> a hs:Derivation ; hs:derivedStatement ?ja ; prov:used ?aj ;
        hs:appliedRule <https://w3id.org/hubspoke/rules/owl-rl/prp-symp> .
    <https://w3id.org/hubspoke/derivation/test-symp-2> a hs:Derivation ; hs:derivedStatement ?aj ; prov:used ?ja ;
        hs:appliedRule <https://w3id.org/hubspoke/rules/owl-rl/prp-symp> .
} } WHERE { GRAPH <https://w3id.org/hubspoke/graph/derivations> {
    ?ja rdf:subject hsi:japan ; rdf:predicate hs:securityPartnerOf ; rdf:object hsi:australia .
    ?aj rdf:subject hsi:australia ; rdf:predicate hs:securityPartnerOf ; rdf:object hsi:japan .
} }"""


def test_explain_never_goes_round_a_cycle_of_recorded_derivations() -> None:
    """With all derivations kept, a symmetric property derives each direction from the other."""
    store = network_store(SYMMETRIC_DERIVATIONS)
    s, p, o = parse_term("hsi:japan"), parse_term("hs:securityPartnerOf", "predicate"), parse_term("hsi:australia")
    for year in (None, 2006, 2013):
        found = explain(store, s, p, o, year)  # type: ignore[arg-type]
        assert found.derivation_count >= 2 and found.rule.endswith("/security-partner-of"), found.rule
        assert found.fact is not None and found.fact.iri in tree_facts(found)
    # only the two symmetric derivations left: the explanation stops where it would go round
    only_cycle = network_store(SYMMETRIC_DERIVATIONS, """
        PREFIX hs: <https://w3id.org/hubspoke/ontology/>
        PREFIX hsi: <https://w3id.org/hubspoke/id/>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        DELETE { GRAPH ?g { ?d ?x ?y } } WHERE { GRAPH ?g { ?d hs:derivedStatement ?st ; ?x ?y .
            ?st rdf:subject ?a ; rdf:predicate hs:securityPartnerOf ; rdf:object ?b .
            FILTER(?a IN (hsi:japan, hsi:australia) && ?b IN (hsi:japan, hsi:australia) && !STRSTARTS(STR(?d), "https://w3id.org/hubspoke/derivation/test-")) } }""")
    found = explain(only_cycle, s, p, o, 2013)  # type: ignore[arg-type]

    def depth(node: Explanation) -> int:
        return 1 + max((depth(q) for q in node.premises), default=0)

    assert found.rule.endswith("/prp-symp") and depth(found) == 2


def test_explain_enumerates_the_derivation_of_the_fact_shown_when_only_one_is_recorded(network: EmbeddedStore) -> None:
    s, p, o = parse_term("hsi:japan"), parse_term("hs:securityPartnerOf", "predicate"), parse_term("hsi:australia")
    for fact in ("japan-australia-declaration", "trilateral-strategic-dialogue"):
        found = explain(network, s, p, o, 2013, HSI + fact)  # type: ignore[arg-type]
        assert found.fact is not None and slug(found.fact.iri) == fact and HSI + fact in tree_facts(found)
        others = {HSI + "japan-australia-declaration", HSI + "trilateral-strategic-dialogue"} - {HSI + fact}
        assert not others & tree_facts(found)
    # a fact that does not tie the two: no derivation rests on it, and the explanation says so
    wrong = explain(network, s, p, o, 2013, HSI + "japan-us-alliance")  # type: ignore[arg-type]
    assert wrong.note and wrong.status == "inferred"


# -- the server and the command line ------------------------------------------------------------

def get_json(server: LiveServer, path: str, **params: str) -> dict[str, Any]:
    response = requests.get(server.url + path, params={**params, "format": "json"}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_ties_route_json_items(live_server: LiveServer) -> None:
    url = live_server.url
    body = get_json(live_server, "/ties/us-linked", year="2013")
    assert body["year"] == 2013
    assert body["items"], "no US-linked ties on the real graph"
    for item in body["items"]:
        assert set(item) >= {"state", "kind", "via", "path", "year", "sources", "standing", "reason"}
        assert item["path"][-1]["to"] == ns.HSI + "united-states"
    ally = next(i for i in body["items"] if i["state"] == ns.HSI + "japan" and i["kind"] == ns.HS + "AllyTie")
    assert ally["path"][0]["statement"]["p"] == ns.HS + "alliedWith"
    compare = get_json(live_server, "/ties/us-linked", compare="2005,2013")
    assert [a["year"] for a in compare["compare"]] == [2005, 2013] and compare["changes"][0]["added"]
    page = requests.get(url + "/ties/us-linked", params={"compare": "2007,2013"}, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"] and "Japan" in page.text
    assert "now <span class=\"st st-holds\">holds</span> (was not known)" in page.text


@pytest.mark.parametrize("year", ["2000", "2007", "2010"])
def test_us_allies_as_of_year_over_http(live_server: LiveServer, year: str) -> None:
    body = get_json(live_server, "/ties/us-linked", year=year)
    for state in ALLIES:
        ally = [i for i in body["items"] if i["state"] == HSI + state and i["kind"] == ns.HS + "AllyTie"]
        assert len(ally) == 1, f"{state} is not shown as a US ally as of {year}"
        fact = ally[0]["path"][0]["fact"]
        assert (fact["start_known"] and ally[0]["standing"] == "holds") or \
            (not fact["start_known"] and ally[0]["standing"] == "not-known" and "start not in sources" in ally[0]["reason"])
    linked = {i["state"] for i in body["items"]}
    unlinked = {u["state"]: u for u in body["unlinked"]}
    for state in NEVER_LINKED:
        assert HSI + state not in linked and unlinked[HSI + state]["standing"] == "does-not-hold"
    page = requests.get(live_server.url + "/ties/us-linked", params={"year": year}, headers={"Accept": "text/html"}, timeout=30)
    assert page.text.count('class="st st-not-known"') >= 2  # Australia's and South Korea's alliances, flagged


def check_explanation(server: LiveServer, url: str, fact: str, quotes: set[str]) -> None:
    response = requests.get(server.url + url, headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 200, (url, response.text)
    body = response.json()
    assert body["fact"]["iri"] == fact, f"{url} explains {body['fact'] and body['fact']['iri']}, the page shows {fact}"
    assert {q["quote"] for q in body["fact"]["quotes"]} == quotes
    assert quotes <= {q["quote"] for q in body["quotes_all"]}, "the proof reaches the fact's own quotes"

    def asserted_subjects(node: dict[str, Any]) -> set[str]:
        here = {node["s"]} if node["status"] == "asserted" else set()
        return here.union(*(asserted_subjects(p) for p in node["premises"]))

    assert fact in asserted_subjects(body), f"the proof behind {url} does not rest on {fact}"


@pytest.mark.parametrize("year", [None, "2000", "2007", "2010", "2013"])
def test_every_link_of_the_ties_page_explains_the_fact_it_shows(live_server: LiveServer, year: str | None) -> None:
    params = {"year": year} if year else {}
    body = get_json(live_server, "/ties/us-linked", **params)
    page = requests.get(live_server.url + "/ties/us-linked", params=params, headers={"Accept": "text/html"}, timeout=30).text
    checked: set[str] = set()
    for item in body["items"]:
        for link in item["path"]:
            assert f'href="{html.escape(link["explain"])}"' in page, "the page links to the same explanation"
            if link["explain"] in checked:
                continue
            checked.add(link["explain"])
            quotes = {s["quote"] for s in item["sources"] if s["fact"] == link["fact"]["iri"]}
            check_explanation(live_server, link["explain"], link["fact"]["iri"], quotes)
        for premise in item["premises"]:  # a spoke's own alliance, when the page shows it
            if premise["standing"] != "holds":
                assert f'href="{html.escape(premise["explain"])}"' in page
            if premise["explain"] not in checked:
                checked.add(premise["explain"])
                response = requests.get(live_server.url + premise["explain"], headers={"Accept": "application/json"}, timeout=30)
                assert response.json()["fact"]["iri"] == premise["fact"]
    assert len(checked) >= 8


@pytest.mark.parametrize("query", [
    {"year": "\u00b2"}, {"year": "\u00b2\u00b2\u00b2\u00b2"}, {"year": "0999"}, {"year": "20x5"}, {"year": "99999"},
    {"compare": "2005,\u00b2"}, {"compare": ",".join(["2005"] * 20)}, {"undated": "include"}, {"unknown": "maybe"},
])
def test_bad_parameters_are_400_with_a_message(live_server: LiveServer, query: dict[str, str]) -> None:
    for path in ("/ties/us-linked", "/network"):
        if path == "/network" and "compare" in query:
            continue
        response = requests.get(live_server.url + path, params=query, timeout=30)
        assert response.status_code == 400, (path, query, response.status_code)
        assert "Traceback" not in response.text and len(response.text) < 500


@pytest.mark.parametrize("query", [
    {"s": "hsi:a>b", "p": "hs:alliedWith", "o": "hsi:japan"}, {"s": "hsi:japan", "p": "hs:alliedWith", "o": "<https://x/a b>"},
    {"s": "javascript:alert(1)", "p": "hs:alliedWith", "o": "hsi:japan"}, {"fact": "hsi:a{b}"},
    {"s": "hsi:japan", "p": "hs:alliedWith", "o": "hsi:united-states", "year": "²"}, {"s": "hsi:japan"},
])
def test_bad_explain_requests_are_400(live_server: LiveServer, query: dict[str, str]) -> None:
    response = requests.get(live_server.url + "/explain", params=query, timeout=30)
    assert response.status_code == 400, (query, response.text)
    assert "Traceback" not in response.text


def test_explain_route(live_server: LiveServer) -> None:
    url = live_server.url
    triple = {"s": "hsi:japan", "p": "hs:alliedWith", "o": ns.HSI + "united-states"}
    body = requests.get(url + "/explain", params=triple, headers={"Accept": "application/json"}, timeout=30).json()
    assert body["status"] == "inferred" and body["rule"].endswith("/allied-with") and body["quotes_all"]
    assert body["fact"]["iri"] == HSI + "japan-us-alliance" and body["fact"]["standing"] == "holds"
    assert any(p["status"] == "asserted" and p["quotes"] for p in body["premises"])
    page = requests.get(url + "/explain", params={**triple, "year": "2010"}, timeout=30)
    assert page.status_code == 200 and "alliance parties are allied" in page.text and "as of 2010" in page.text
    assert "<details" in page.text, "the OWL proof is one click deeper"
    absent = requests.get(url + "/explain", params={"s": "hsi:japan", "p": "hs:alliedWith", "o": "hsi:australia", "format": "json"}, timeout=30)
    assert absent.status_code == 404 and absent.json()["status"] == "absent"
    alone = get_json(live_server, "/explain", fact="hsi:australia-us-alliance", year="2010")
    assert alone["fact"]["standing"] == "not-known" and "start not in sources" in alone["fact"]["reason"]
    assert requests.get(url + "/explain", params={"fact": "hsi:no-such-fact"}, timeout=30).status_code == 404


def test_cli_explain(built: tuple[ProjectPaths, BuildReport]) -> None:
    dataset = str(built[0].dataset_file)
    cmd = [sys.executable, "-m", "hubspoke.cli", "--root", str(ROOT), "explain", "--dataset", dataset]
    ok = subprocess.run([*cmd, "hsi:japan", "hs:alliedWith", ns.HSI + "united-states"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert "inferred by alliance parties are allied" in ok.stdout and 'quote: "' in ok.stdout
    shown = subprocess.run([*cmd, "--year", "2007", "--fact", "hsi:japan-australia-joint-declaration-2007",
                            "hsi:japan", "hs:securityPartnerOf", "hsi:australia"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    first = shown.stdout.splitlines()[0]
    assert first.startswith("Japan — Japan-Australia Joint Declaration on Security Cooperation (dated 2007-03; holds as of 2007) → Australia")
    assert "kakadu" not in shown.stdout.lower()
    absent = subprocess.run([*cmd, "hsi:japan", "hs:alliedWith", "hsi:australia"], capture_output=True, text=True, timeout=60)
    assert absent.returncode == 1 and "neither asserted nor inferred" in absent.stdout


UNSAFE = """
PREFIX hs: <https://w3id.org/hubspoke/ontology/>
PREFIX hsi: <https://w3id.org/hubspoke/id/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
INSERT DATA {
  GRAPH <https://w3id.org/hubspoke/graph/facts> {
    <javascript:alert(1)> a hs:State ; skos:prefLabel "Scriptland"@en .
    <javascript:alert(2)> a hs:Alliance ; skos:prefLabel "Scriptland-US alliance"@en ;
        hs:hasParty <javascript:alert(1)> , hsi:united-states .
    hsi:japan-scriptland-exercise a hs:Exercise ; hs:hasParty hsi:japan , <javascript:alert(1)> ; hs:date "2009"^^<http://www.w3.org/2001/XMLSchema#gYear> .
  }
  GRAPH <https://w3id.org/hubspoke/graph/inferred> { <javascript:alert(2)> a hs:SecurityTie , hs:SecurityRelationship .
    hsi:japan-scriptland-exercise a hs:SecurityTie , hs:SecurityRelationship . }
}"""


def test_pages_never_link_to_a_javascript_iri_in_the_data() -> None:
    """Curated data may hold any IRI scheme; a page links only what links.safe_href allows."""
    from hubspoke.web import AppConfig, create_app

    client = create_app(AppConfig(store=network_store(UNSAFE), query_timeout=None)).test_client()
    for path in ("/ties/us-linked", "/ties/us-linked?year=2013", "/ties/us-linked?compare=2005,2013", "/network",
                 "/network?year=2013", "/explain?fact=hsi:japan-scriptland-exercise&year=2010",
                 "/explain?s=hsi:japan&p=hs:securityPartnerOf&o=hsi:singapore&year=2010"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, (path, response.text)
        text = response.get_data(as_text=True)
        assert "Scriptland" in text or "japan" in path or "singapore" in path
        assert 'href="javascript:' not in text.lower(), path

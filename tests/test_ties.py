"""US-linked ties: a stored network beside its expected answer per year; the headline answers on
the real graph; the /ties/us-linked and /explain routes on the live server; `hubspoke explain`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from hubspoke import namespaces as ns
from hubspoke.build import BuildReport
from hubspoke.config import ProjectPaths
from hubspoke.inference.explain import all_quotes, explain, parse_term
from hubspoke.inference.materialise import infer
from hubspoke.inference.rules import load_rules
from hubspoke.inference.ties import Answer, us_linked
from hubspoke.loading import load_folder, parse_turtle_file
from hubspoke.store import EmbeddedStore

HERE = Path(__file__).parent
ROOT = HERE.parent
TIES = HERE / "ties"


def slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def summary(answer: Answer) -> list[str]:
    return sorted(" ".join([slug(i.state), slug(i.kind), *map(slug, i.via)]) for i in answer.items)


@pytest.fixture(scope="module")
def network() -> EmbeddedStore:
    """The stored network, inferred exactly as the build does, in an embedded store."""
    graphs = {ns.FACTS_GRAPH: parse_turtle_file(TIES / "network.ttl"),
              ns.ONTOLOGY_GRAPH: [t for f in load_folder(ROOT / "ontology", ns.ONTOLOGY_GRAPH) for t in f.triples]}
    result = infer(graphs, load_rules(ROOT / "ontology" / "rules"))
    graphs[ns.INFERRED_GRAPH] = result.inferred
    graphs[ns.DERIVATIONS_GRAPH] = result.derivations
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, ts in graphs.items() for t in ts)
    return EmbeddedStore(store)


EXPECTED = json.loads((TIES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_network_answer_as_of_year(network: EmbeddedStore, year: str) -> None:
    answer = us_linked(network, None if year == "current" else int(year))
    expected = EXPECTED[year]
    assert summary(answer) == sorted(expected["items"])
    assert sorted(slug(s) for s in answer.unlinked) == sorted(expected["unlinked"])
    if "undated_left_out" in expected:
        assert sorted(slug(f.iri) for f in answer.undated_left_out) == expected["undated_left_out"]


def test_each_link_names_its_fact_year_and_quotes(network: EmbeddedStore) -> None:
    answer = us_linked(network, 2013)
    vietnam = next(i for i in answer.items if slug(i.state) == "vietnam")
    assert [(slug(link.source), slug(link.fact.iri), slug(link.target)) for link in vietnam.path] == [
        ("vietnam", "philippines-vietnam-exercise", "philippines"),
        ("philippines", "japan-philippines-partnership", "japan"),
        ("japan", "japan-us-alliance", "united-states"),
    ]
    assert vietnam.year == 2010 and not vietnam.undated
    spoke = next(i for i in answer.items if slug(i.state) == "australia" and i.via)
    assert spoke.year == 2007 and [s.quote for s in spoke.path[0].fact.sources] == ["Japan and Australia will strengthen their cooperation"]


def test_undated_facts_are_marked_and_the_policy_is_chosen(network: EmbeddedStore) -> None:
    attested = us_linked(network, 2013)
    india = next(i for i in attested.items if slug(i.state) == "india")
    assert slug(india.path[0].fact.iri) == "india-japan-us-dialogue"  # dated wins over undated
    included = us_linked(network, 2005, undated="include")
    # counted in every year: the undated India-Japan exercise ties India to Japan in 2005, marked undated
    link = next(i for i in included.items if slug(i.state) == "india").path[0]
    assert slug(link.fact.iri) == "india-japan-global-partnership"  # still the dated fact is shown first
    excluded = us_linked(network, 2013, undated="exclude")
    assert "india-japan-exercise" in [slug(f.iri) for f in excluded.undated_left_out]


# -- the real graph: the headline answers (issue 5, "Done when") ---------------------------------

def kinds(answer: Answer, state: str) -> dict[str, set[str]]:
    return {slug(i.kind): {slug(v) for v in i.via} for i in answer.items if slug(i.state) == state}


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
    assert kinds(by_year[2013], "india") == {"MinilateralTie": {"japan"}}
    japan_2013 = {slug(v) for i in by_year[2013].items if slug(i.state) == "japan" and slug(i.kind) == "SpokeToSpokeTie" for v in i.via}
    assert "australia" in japan_2013
    japan_2005 = {slug(v) for i in by_year[2005].items if slug(i.state) == "japan" and slug(i.kind) == "SpokeToSpokeTie" for v in i.via}
    assert "australia" not in japan_2005  # the 2007 declaration is later


def test_real_graph_explains_spoke_to_spoke_down_to_quotes(kg_store: EmbeddedStore) -> None:
    found = explain(kg_store, parse_term("hsi:japan"), parse_term("hs:spokeToSpokePartnerOf", "predicate"), parse_term("hsi:australia"))  # type: ignore[arg-type]
    assert found.status == "inferred" and found.rule.endswith("/spoke-to-spoke")
    assert all_quotes(found), "the explanation reaches the source quotes"


# -- the server and the command line ------------------------------------------------------------

def test_ties_route_json_items(live_server: object) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    body = requests.get(url + "/ties/us-linked", params={"year": "2013"}, headers={"Accept": "application/json"}, timeout=30).json()
    assert body["year"] == 2013
    assert body["items"], "no US-linked ties on the real graph"
    for item in body["items"]:
        assert set(item) >= {"state", "kind", "via", "path", "year", "sources"}
        assert item["path"][-1]["to"] == ns.HSI + "united-states"
    ally = next(i for i in body["items"] if i["state"] == ns.HSI + "japan" and i["kind"] == ns.HS + "AllyTie")
    assert ally["path"][0]["statement"]["p"] == ns.HS + "alliedWith"
    compare = requests.get(url + "/ties/us-linked", params={"compare": "2005,2013", "format": "json"}, timeout=30).json()
    assert [a["year"] for a in compare["compare"]] == [2005, 2013] and compare["changes"][0]["added"]
    html = requests.get(url + "/ties/us-linked", headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 200 and "text/html" in html.headers["Content-Type"] and "Japan" in html.text
    bad = requests.get(url + "/ties/us-linked", params={"year": "20x5"}, timeout=30)
    assert bad.status_code == 400 and "Traceback" not in bad.text


def test_explain_route(live_server: object) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    triple = {"s": "hsi:japan", "p": "hs:alliedWith", "o": ns.HSI + "united-states"}
    body = requests.get(url + "/explain", params=triple, headers={"Accept": "application/json"}, timeout=30).json()
    assert body["status"] == "inferred" and body["rule"].endswith("/allied-with") and body["quotes_all"]
    assert any(p["status"] == "asserted" and p["quotes"] for p in body["premises"])
    html = requests.get(url + "/explain", params=triple, timeout=30)
    assert html.status_code == 200 and "alliance parties are allied" in html.text
    absent = requests.get(url + "/explain", params={"s": "hsi:japan", "p": "hs:alliedWith", "o": "hsi:australia", "format": "json"}, timeout=30)
    assert absent.status_code == 404 and absent.json()["status"] == "absent"
    assert requests.get(url + "/explain", params={"s": "hsi:japan"}, timeout=30).status_code == 400


def test_cli_explain(built: tuple[ProjectPaths, BuildReport]) -> None:
    dataset = str(built[0].dataset_file)
    cmd = [sys.executable, "-m", "hubspoke.cli", "--root", str(ROOT), "explain", "--dataset", dataset]
    ok = subprocess.run([*cmd, "hsi:japan", "hs:alliedWith", ns.HSI + "united-states"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert "inferred by alliance parties are allied" in ok.stdout and 'quote: "' in ok.stdout
    absent = subprocess.run([*cmd, "hsi:japan", "hs:alliedWith", "hsi:australia"], capture_output=True, text=True, timeout=60)
    assert absent.returncode == 1 and "neither asserted nor inferred" in absent.stdout

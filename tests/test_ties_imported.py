"""The ties page and the network with imported facts (issue 11): every date says where it comes from,
and when the served dataset has an imported graph the pages mark which answers change with imported
facts (and ?imported=exclude shows the seeds-only answer); without one they say the answer is seeds-only.

The builds are the linking tests' own (tests/conftest.py, linked_builds: the project refreshed from the
Wikidata-shaped fixture on 127.0.0.1, built --seeds-only and --imported), served by the real
`hubspoke serve` (LiveServer). The fixture's dates are test data; the tests read them from the imported
graph instead of repeating them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from hubspoke.inference import ties as tie
from hubspoke.store import EmbeddedStore
from tests.conftest import LiveServer

HS = "https://w3id.org/hubspoke/ontology/"
HSI = "https://w3id.org/hubspoke/id/"
SNAPSHOT = "https://w3id.org/hubspoke/snapshot/"
AUSTRALIA, SOUTH_KOREA, JAPAN = HSI + "australia", HSI + "south-korea", HSI + "japan"
ALLIANCES = {AUSTRALIA: HSI + "australia-us-alliance", SOUTH_KOREA: HSI + "south-korea-us-alliance"}
DATE_KEYS = {"year": "start", "end_year": "end", "start_no_earlier_than": "start_after", "start_no_later_than": "start_by",
             "end_no_earlier_than": "end_after", "end_no_later_than": "end_by", "attested": "attested"}


@pytest.fixture(scope="module")
def imported_server(linked_builds: dict[str, Path]) -> Iterator[LiveServer]:
    server = LiveServer(linked_builds["imported"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def seeds_server(linked_builds: dict[str, Path]) -> Iterator[LiveServer]:
    server = LiveServer(linked_builds["seeds"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def imported_starts(linked_builds: dict[str, Path]) -> dict[str, int]:
    """The start year the imported graph gives each US alliance the seeds leave undated (whatever the fixture says)."""
    facts = {f.iri: f for f in tie.load_facts(EmbeddedStore.from_file(linked_builds["imported"]))[0]}
    return {state: facts[alliance].start for state, alliance in ALLIANCES.items() if facts[alliance].start is not None}


def get(server: LiveServer, path: str, **params: str) -> requests.Response:
    return requests.get(server.url + path, params=params, headers={"Accept": "application/json"}, timeout=60)


def page(server: LiveServer, path: str, **params: str) -> str:
    answer = requests.get(server.url + path, params=params, headers={"Accept": "text/html"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.text


def allies(body: dict[str, object]) -> dict[str, dict[str, object]]:
    items = body["items"]
    assert isinstance(items, list)
    return {i["state"]: i for i in items if i["kind"] == tie.KIND_ALLY}


def fact_jsons(node: object) -> Iterator[dict[str, object]]:
    """Every fact (a dict with date_origins) anywhere in a JSON answer."""
    if isinstance(node, dict):
        if "date_origins" in node:
            yield node
        for value in node.values():
            yield from fact_jsons(value)
    elif isinstance(node, list):
        for value in node:
            yield from fact_jsons(value)


def test_the_imported_build_dates_the_alliances_the_seeds_leave_undated(imported_starts: dict[str, int],
                                                                       linked_builds: dict[str, Path]) -> None:
    assert set(imported_starts) == {AUSTRALIA, SOUTH_KOREA}
    seeds = {f.iri: f for f in tie.load_facts(EmbeddedStore.from_file(linked_builds["seeds"]))[0]}
    assert all(seeds[a].start is None and not seeds[a].imported_fields for a in ALLIANCES.values())
    # the same fact, loaded with the imported graph and taken back to the curated facts alone, is the seeds build's
    full = {f.iri: f for f in tie.load_facts(EmbeddedStore.from_file(linked_builds["imported"]))[0]}
    for iri in ALLIANCES.values():
        alone = full[iri].without_imported()
        assert (alone.start, alone.date_text, set(alone.origins)) == (None, "", set(seeds[iri].origins))
        assert full[iri].imported_fields == ["start"] and full[iri].origins["start"].kind == "imported"
        assert full[iri].origins["start"].snapshots[0].iri.startswith(SNAPSHOT + "lifespans/")
    assert full[HSI + "japan-us-alliance"].origins["start"].kind == "seeds"  # the seeds win (1952)


def test_the_page_marks_the_answers_that_change_with_imported_facts(imported_server: LiveServer,
                                                                   imported_starts: dict[str, int]) -> None:
    year = str(max(imported_starts.values()))  # both alliances begun by then, decades before a source attests them
    body = get(imported_server, "/ties/us-linked", year=year).json()
    assert body["imported"]["imported_graph"] is True and body["imported"]["uses_imported"] is True
    changed = {c["state"]: c for c in body["changes_with_imported"] if c["kind"] == tie.KIND_ALLY}
    assert set(changed) == {AUSTRALIA, SOUTH_KOREA}
    for state, c in changed.items():
        assert (c["with_imported"], c["seeds_only"]) == ("holds", "not-known")
        [dates] = c["imported_dates"]
        assert dates["fact"] == ALLIANCES[state] and dates["dates"]["start"]["year"] == imported_starts[state]
        [snapshot] = dates["dates"]["start"]["origin"]["snapshots"]
        assert snapshot["iri"].startswith(SNAPSHOT + "lifespans/") and snapshot["query"] == "queries/wikidata/lifespans.rq"
        assert snapshot["endpoint"].startswith("http://127.0.0.1:") and snapshot["retrieved"]
        assert snapshot["iri"] in c["text"] and "from the seeds alone" in c["text"] and f"as of {year}" in c["text"]
    items = allies(body)
    assert items[AUSTRALIA]["standing"] == "holds" and items[AUSTRALIA]["changes_with_imported"] is True
    assert items[JAPAN]["changes_with_imported"] is False  # dated 1952 by the seeds either way
    start = items[AUSTRALIA]["path"][0]["fact"]["date_origins"]["start"]
    assert start["kind"] == "imported" and start["text"].startswith("imported from " + SNAPSHOT + "lifespans/")
    # the seeds-only answer, on request: the same marks, the other standing
    alone = get(imported_server, "/ties/us-linked", year=year, imported="exclude").json()
    assert alone["imported"] == {**alone["imported"], "imported_graph": True, "uses_imported": False}
    assert allies(alone)[AUSTRALIA]["standing"] == "not-known"
    assert "start" not in allies(alone)[AUSTRALIA]["path"][0]["fact"]["date_origins"]
    assert alone["changes_with_imported"] == body["changes_with_imported"]
    # hidden not-known ties: from the seeds alone Australia is not in the answer at all
    hidden = {c["state"]: c for c in get(imported_server, "/ties/us-linked", year=year, unknown="hide").json()["changes_with_imported"]
              if c["kind"] == tie.KIND_ALLY}
    assert hidden[AUSTRALIA]["seeds_only"] is None and hidden[AUSTRALIA]["with_imported"] == "holds"
    # a year by which a source attests the alliances: the standing is the same either way, so no mark
    assert not [c for c in get(imported_server, "/ties/us-linked", year="2013").json()["changes_with_imported"]
                if c["kind"] == tie.KIND_ALLY]


def test_the_html_page_names_the_snapshot_and_both_answers(imported_server: LiveServer, imported_starts: dict[str, int]) -> None:
    year = str(max(imported_starts.values()))
    html = page(imported_server, "/ties/us-linked", year=year)
    assert "changes with imported facts" in html and "from the seeds alone" in html
    # Named, but not linked: a snapshot IRI has no page on this server, and a link would leave it for nothing.
    assert "snapshot lifespans" in html
    assert not re.search(r'href="https://w3id\.org/hubspoke/', html)
    assert 'href="?year=%s&amp;imported=exclude"' % year in html
    alone = page(imported_server, "/ties/us-linked", year=year, imported="exclude")
    assert "leaves the imported graph out" in alone and "Show it with imported facts" in alone
    network = page(imported_server, "/network", year=year)
    assert "changes with imported facts" in network and "snapshot lifespans" in network
    assert "Draw it from the seeds alone" in network


def test_a_seeds_only_dataset_says_so_and_marks_nothing(seeds_server: LiveServer, imported_starts: dict[str, int]) -> None:
    year = str(max(imported_starts.values()))
    body = get(seeds_server, "/ties/us-linked", year=year).json()
    assert body["imported"]["imported_graph"] is False and body["imported"]["dataset"] == "seeds-only"
    assert body["changes_with_imported"] == [] and not any(i["changes_with_imported"] for i in body["items"])
    assert not any(o["kind"] == "imported" for f in fact_jsons(body) for o in f["date_origins"].values())
    html = page(seeds_server, "/ties/us-linked", year=year)
    assert "this answer is seeds-only — the served dataset has no imported graph" in html
    assert "changes with imported facts" not in html and "imported=exclude" not in html
    network = get(seeds_server, "/network", year=year).json()
    assert network["changes_with_imported"] == [] and network["imported"]["imported_graph"] is False
    assert "no imported graph" in page(seeds_server, "/network", year=year)


@pytest.mark.parametrize("build", ["seeds", "imported"])
def test_every_date_in_the_json_says_where_it_comes_from(build: str, imported_server: LiveServer, seeds_server: LiveServer) -> None:
    server = imported_server if build == "imported" else seeds_server
    kinds: set[str] = set()
    for path, params in (("/ties/us-linked", {}), ("/ties/us-linked", {"year": "1960"}),
                         ("/ties/us-linked", {"year": "2005", "compare": "1995,2010"}), ("/network", {"year": "2000"}),
                         ("/network", {})):
        body = get(server, path, **params).json()
        found = list(fact_jsons(body))
        assert found, path
        for f in found:
            for key, name in DATE_KEYS.items():
                if f.get(key) is not None:
                    origin = f["date_origins"].get(name)
                    assert origin and origin["kind"] in ("seeds", "computed", "imported") and origin["text"], (path, f["label"], key)
                    assert origin["quotations"] or origin["snapshots"] or origin["kind"] == "computed", (path, f["label"], key)
                    kinds.add(origin["kind"])
    assert {"seeds", "computed"} <= kinds and (("imported" in kinds) == (build == "imported"))


def test_a_bad_imported_value_is_a_400(imported_server: LiveServer) -> None:
    for path in ("/ties/us-linked", "/network"):
        answer = get(imported_server, path, imported="maybe")
        assert answer.status_code == 400 and "imported must be one of include, exclude" in answer.text


def test_the_network_marks_the_ties_whose_standing_changes(imported_server: LiveServer, imported_starts: dict[str, int]) -> None:
    year = str(max(imported_starts.values()))
    body = get(imported_server, "/network", year=year).json()
    assert {c["fact"] for c in body["changes_with_imported"]} == set(ALLIANCES.values())
    ties = {t["fact"]: t for t in body["ties"]}
    for alliance in ALLIANCES.values():
        assert ties[alliance]["changes_with_imported"] is True and ties[alliance]["standing"] == "holds"
        assert ties[alliance]["date_origins"]["start"]["kind"] == "imported"
    alone = {t["fact"]: t for t in get(imported_server, "/network", year=year, imported="exclude").json()["ties"]}
    assert all(alone[a]["standing"] == "not-known" for a in ALLIANCES.values())


def test_the_seeds_build_has_no_imported_graph(linked_builds: dict[str, Path]) -> None:
    store = EmbeddedStore.from_file(linked_builds["seeds"])
    assert not tie.has_imported_graph(store)
    assert tie.has_imported_graph(EmbeddedStore.from_file(linked_builds["imported"]))
    assert isinstance(store.oxigraph, ox.Store)


def test_curated_dates_name_their_quote_or_their_reasoning(kg_store: EmbeddedStore) -> None:
    """On the real graph: a start a quote names is seeds (that quote); a bound with hs:dateReasoning is computed."""
    facts = {f.iri: f for f in tie.load_facts(kg_store)[0]}
    alliance = facts[HSI + "japan-us-alliance"].origins["start"]
    assert alliance.kind == "seeds" and alliance.sources and all("1952" in s.quote for s in alliance.sources)
    treaty = facts[HSI + "japan-us-security-treaty"].origins["start_by"]
    assert treaty.kind == "computed" and treaty.reasoning.startswith("003 says") and treaty.sources
    assert {s.quotation.rsplit("/", 1)[-1] for s in treaty.sources} == {"q-003-alliance-treaty", "q-002-sole-provider-1952"}
    australia = facts[HSI + "australia-us-alliance"]
    assert set(australia.origins) == {"attested"} and australia.origins["attested"].text.endswith("(2013)")
    assert not any(f.imported_fields or f.seeds_values for f in facts.values())  # the real build is seeds-only
    assert all(f.without_imported() is f for f in facts.values())


def test_an_empty_imported_field_is_the_default(seeds_server: LiveServer) -> None:
    body = get(seeds_server, "/ties/us-linked", year="1960", imported="").json()
    assert body["imported"]["dataset"] == "seeds-only"

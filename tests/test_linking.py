"""Linking with Wikidata, offline (issue 11): `link refresh` against a Wikidata-shaped endpoint on
127.0.0.1 (tests/wikidata_stub.py, serving the test fixture) and against stubs that answer 429, 500,
slowly and with HTML; `link check` on the snapshots; the imported graph switched on and off in the
build; a federated query through the SERVICE allow-list of a live `hubspoke serve`.

The end-to-end tests work on a copy of the project whose identifier table also links the three US
alliances and two frameworks to made-up fixture items (Q990000001...): the real table stays as reviewed.
That copy, its refresh and its two builds are made once per session (tests/conftest.py, linked_*) and
shared with the ties page's tests (test_ties_imported.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from hubspoke.linking.refresh import RefreshFailed, RefreshSettings, ask, refresh, retry_after
from hubspoke.linking.snapshots import SnapshotError, load
from tests.conftest import LiveServer, run_hubspoke
from tests.wikidata_stub import WikidataStub

ROOT = Path(__file__).resolve().parents[1]
HS = "https://w3id.org/hubspoke/ontology/"
HSI = "https://w3id.org/hubspoke/id/"
IMPORTED = "https://w3id.org/hubspoke/graph/imported"
QUERY = "SELECT ?item ?label WHERE { VALUES ?item { # ITEMS\n } ?item <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


@pytest.fixture(scope="module")
def stub(wikidata_stub: WikidataStub) -> WikidataStub:
    return wikidata_stub  # shared with the session's refresh (tests/conftest.py); the tests count requests from `before`


hubspoke = run_hubspoke  # `hubspoke ARGS` in a subprocess (tests/conftest.py)


@pytest.fixture(scope="module")
def project(linked_project: Path) -> Path:
    """A copy of the project with the test links added to its identifier table (tests/conftest.py, TEST_LINKS)."""
    return linked_project


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


# --------------------------------------------------------------- refresh: the client's manners

def test_refresh_saves_each_answer_with_its_prov_record(stub: WikidataStub, tmp_path: Path) -> None:
    before = len(stub.requests)
    outcomes = refresh(ROOT / "queries" / "wikidata", ROOT / "instances" / "identifiers.csv", tmp_path,
                       RefreshSettings(endpoint=stub.url + "/sparql", timeout=5))
    assert {o.name for o in outcomes} == {"labels", "codes", "memberships", "lifespans", "signatories"}
    sent = stub.requests[before:]
    assert {r.method for r in sent} == {"POST"} and {r.content_type for r in sent} == {"application/x-www-form-urlencoded"}
    assert all(r.user_agent.startswith("hubspoke-link-refresh/") and "https://" in r.user_agent for r in sent)
    snapshots = load(tmp_path)
    codes = snapshots["codes"]
    assert {"JP", "JPN"} <= {b[k]["value"] for b in codes.bindings for k in ("iso2", "iso3") if k in b}
    record = codes.record
    text = record.serialize(format="nt")
    import hashlib
    assert hashlib.sha256((tmp_path / "codes.srj").read_bytes()).hexdigest() in text
    for needle in (stub.url + "/sparql", "http://www.w3.org/ns/prov#startedAtTime", "http://purl.org/dc/terms/license",
                   "publicdomain/zero/1.0", "wdt:P297"):
        assert needle in text, needle
    assert codes.iri.startswith("https://w3id.org/hubspoke/snapshot/codes/")


def test_429_is_retried_after_its_retry_after(stub: WikidataStub) -> None:
    waited: list[float] = []
    stub.busy_left = 2
    body, attempts = ask(QUERY.replace("# ITEMS", "<http://www.wikidata.org/entity/Q17>"),
                         RefreshSettings(endpoint=stub.url + "/busy", timeout=5, sleep=waited.append))
    assert attempts == 3 and waited == [1.0, 1.0]
    assert json.loads(body)["results"]["bindings"][0]["label"]["value"] == "Japan"


def test_503_is_retried_after_its_retry_after(stub: WikidataStub) -> None:
    waited: list[float] = []
    stub.unavailable_left = 1
    _body, attempts = ask(QUERY.replace("# ITEMS", "<http://www.wikidata.org/entity/Q17>"),
                          RefreshSettings(endpoint=stub.url + "/unavailable", sleep=waited.append))
    assert attempts == 2 and waited == [2.0]


def test_a_long_retry_after_gives_up_at_once(stub: WikidataStub) -> None:
    waited: list[float] = []
    before = stub.hits("/busy-long")
    with pytest.raises(RefreshFailed, match=r"429 .*asks to wait 3600 s, longer than the 60 s allowed"):
        ask(QUERY, RefreshSettings(endpoint=stub.url + "/busy-long", max_wait=60, sleep=waited.append))
    assert waited == [] and stub.hits("/busy-long") == before + 1


def test_500_is_retried_a_bounded_number_of_times(stub: WikidataStub) -> None:
    waited: list[float] = []
    before = stub.hits("/error")
    with pytest.raises(RefreshFailed, match=r"gave up after 3 attempt\(s\); last: 500"):
        ask(QUERY, RefreshSettings(endpoint=stub.url + "/error", attempts=3, backoff=0.5, sleep=waited.append))
    assert stub.hits("/error") == before + 3 and waited == [0.5, 1.0]


def test_a_slow_endpoint_times_out(stub: WikidataStub) -> None:
    with pytest.raises(RefreshFailed, match=r"no answer within 1 s"):
        ask(QUERY, RefreshSettings(endpoint=stub.url + "/slow", timeout=1, attempts=2, sleep=lambda s: None))


@pytest.mark.parametrize("path, message", [("/html", "200 with text/html, not SPARQL JSON"),
                                           ("/not-json", "200 with a body that is not JSON")])
def test_a_200_that_is_not_sparql_json_is_an_error_and_nothing_is_saved(stub: WikidataStub, tmp_path: Path,
                                                                         path: str, message: str) -> None:
    with pytest.raises(RefreshFailed, match=message):
        refresh(ROOT / "queries" / "wikidata", ROOT / "instances" / "identifiers.csv", tmp_path,
                RefreshSettings(endpoint=stub.url + path, timeout=5, sleep=lambda s: None))
    assert list(tmp_path.glob("*")) == []


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_refresh_command_reports_an_unreachable_endpoint_without_a_trace(tmp_path: Path) -> None:
    from tests.conftest import free_port

    out = hubspoke("--root", str(ROOT), "link", "refresh", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql",
                   "--snapshots", str(tmp_path), "--attempts", "1")
    assert out.returncode == 2 and "cannot reach" in out.stderr and "Traceback" not in out.stderr


def test_a_changed_snapshot_is_refused(stub: WikidataStub, tmp_path: Path) -> None:
    refresh(ROOT / "queries" / "wikidata", ROOT / "instances" / "identifiers.csv", tmp_path,
            RefreshSettings(endpoint=stub.url + "/sparql"), only=["codes"])
    answer = tmp_path / "codes.srj"
    answer.write_bytes(answer.read_bytes().replace(b'"JPN"', b'"XXX"'))
    with pytest.raises(SnapshotError, match="SHA-256"):
        load(tmp_path)


# --------------------------------------------------------------- refresh -> check -> imported build

@pytest.fixture(scope="module")
def refreshed(linked_refreshed: Path) -> Path:
    return linked_refreshed


def test_link_check_reports_each_disagreement_at_our_file_and_line(refreshed: Path) -> None:
    out = hubspoke("--root", str(refreshed), "link", "check", "--format", "json")
    assert out.returncode == 1, out.stderr
    results = json.loads(out.stdout)["results"]
    found = {(r["rule"], r["focus"].rsplit("/", 1)[-1], r["file"], r["line"]) for r in results}
    instances = refreshed / "instances"
    table = instances / "identifiers.csv"
    expected = {
        ("link-code", "australia", "instances/identifiers.csv", _line(table, "australia,")),
        ("link-type", "india", "instances/states.ttl", _line(instances / "states.ttl", "hsi:india a hs:State")),
        ("link-date", "japan-us-alliance", "instances/japan-us.ttl", _line(instances / "japan-us.ttl", 'hs:startDate "1952"')),
        ("link-party", "australia-us-alliance", "instances/japan-australia.ttl",
         _line(instances / "japan-australia.ttl", "hs:hasParty hsi:australia , hsi:united-states")),
        ("link-membership", "participation-japan-east-asia-summit", "instances/multilateral.ttl",
         _line(instances / "multilateral.ttl", "hs:framework hsi:east-asia-summit")),
        ("link-date", "asean-regional-forum", "instances/states.ttl", _line(instances / "states.ttl", 'hs:startDate "1993"')),
    }
    assert expected <= found
    japan_asean = [r for r in results if r["rule"] == "link-membership" and r["focus"] == HSI + "japan" and "of hsi:asean;" in r["message"]]
    assert japan_asean and japan_asean[0]["file"] and japan_asean[0]["line"]
    assert all(r["check"] == "link" for r in results)
    # nothing is reported where the two sides agree
    assert not any(r["focus"] == HSI + "japan" and r["rule"] in ("link-code", "link-type") for r in results)
    assert not any(r["focus"].endswith("participation-japan-asean-regional-forum") for r in results)
    text = hubspoke("--root", str(refreshed), "link", "check").stdout
    assert "instances/identifiers.csv:" in text and "'AUT'" in text and "problem(s)" in text


def test_link_check_without_snapshots_says_so(tmp_path: Path) -> None:
    out = hubspoke("--root", str(ROOT), "link", "check", "--snapshots", str(tmp_path / "none"))
    assert out.returncode == 2 and "link refresh" in out.stderr and "Traceback" not in out.stderr


@pytest.fixture(scope="module")
def builds(linked_builds: dict[str, Path]) -> dict[str, Path]:
    """Built once per session (tests/conftest.py) and shared with the ties page's tests."""
    return linked_builds


def _store(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def test_imported_facts_go_to_their_own_graph_traced_to_their_snapshot(builds: dict[str, Path]) -> None:
    seeds, imported = _store(builds["seeds"]), _store(builds["imported"])
    graph = ox.NamedNode(IMPORTED)
    assert not seeds.contains_named_graph(graph)
    start = ox.NamedNode(HS + "startDate")
    got = {(q.subject.value.rsplit("/", 1)[-1], q.object.value)
           for q in imported.quads_for_pattern(None, start, None, graph)}
    assert got == {("australia-us-alliance", "1951"), ("south-korea-us-alliance", "1953"),
                   ("participation-japan-asean-regional-forum", "1994")}
    # the seeds win: the ARF keeps its curated 1993 and the Japan-US alliance its 1952 (the fixture says 1994, 1960)
    assert not list(imported.quads_for_pattern(ox.NamedNode(HSI + "asean-regional-forum"), start, None, graph))
    assert not list(imported.quads_for_pattern(ox.NamedNode(HSI + "japan-us-alliance"), start, None, graph))
    # each imported triple is traced to a snapshot whose record gives its hash and licence
    rows = list(imported.query("""PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?s ?snapshot ?sum ?license WHERE { GRAPH <%s> { ?st rdf:subject ?s ; prov:wasDerivedFrom ?snapshot .
          ?snapshot spdx:checksum/spdx:checksumValue ?sum ; dcterms:license ?license ; prov:wasGeneratedBy ?activity } }""" % IMPORTED))
    assert len(rows) == 3 and all(len(r["sum"].value) == 64 for r in rows)
    # curated graphs are the same either way (blank nodes get fresh names in each build, so ground triples are compared)
    def ground(store: ox.Store, g: ox.NamedNode) -> tuple[int, set[ox.Quad]]:
        quads = list(store.quads_for_pattern(None, None, None, g))
        return len(quads), {q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    for name in ("facts", "links", "ontology", "inferred"):
        g = ox.NamedNode(f"https://w3id.org/hubspoke/graph/{name}")
        assert ground(seeds, g) == ground(imported, g)


def test_imported_dates_change_the_answer_as_of_a_year(builds: dict[str, Path]) -> None:
    from hubspoke.inference.ties import KIND_ALLY, us_linked
    from hubspoke.store import EmbeddedStore

    def allies(path: Path) -> set[str]:
        answer = us_linked(EmbeddedStore.from_file(path), year=1960, unknown="hide")
        return {i.state.rsplit("/", 1)[-1] for i in answer.items if i.kind == KIND_ALLY}

    assert "australia" not in allies(builds["seeds"])  # undated in the seeds: not known in 1960
    assert {"australia", "south-korea", "japan"} <= allies(builds["imported"])


def test_dyad_years_say_where_an_imported_date_comes_from(builds: dict[str, Path]) -> None:
    from hubspoke.linking.dyads import dyad_years
    from hubspoke.store import EmbeddedStore

    def alliance_rows(path: Path) -> list[tuple[int, str, str]]:
        return sorted((r.year, r.year_status, r.date_source) for r in dyad_years(EmbeddedStore.from_file(path))
                      if r.fact == HSI + "australia-us-alliance")

    seeds, imported = alliance_rows(builds["seeds"]), alliance_rows(builds["imported"])
    assert seeds and all(status == "start_unknown" and source == "curated" for _y, status, source in seeds)
    assert imported[0][:2] == (1951, "dated") and imported[0][2].startswith("https://w3id.org/hubspoke/snapshot/lifespans/")
    assert len(imported) > len(seeds)


def test_imported_build_needs_snapshots(seeds_dir: Path, tmp_path: Path) -> None:
    out = hubspoke("--root", str(ROOT), "build", "--build-dir", str(tmp_path), "--imported", seeds=seeds_dir)
    assert out.returncode == 2 and "link refresh" in out.stderr and not (tmp_path / "hubspoke.nq").exists()


# --------------------------------------------------------------- federation through the allow-list

def test_federated_query_joins_partnerships_with_the_fixture_memberships(stub: WikidataStub, builds: dict[str, Path]) -> None:
    service = stub.url + "/sparql"
    server = LiveServer(builds["seeds"], "--service-allow", service)
    try:
        query = f"""PREFIX hs: <{HS}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            PREFIX p: <http://www.wikidata.org/prop/> PREFIX ps: <http://www.wikidata.org/prop/statement/>
            PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
            SELECT DISTINCT ?partner ?organisation ?start WHERE {{
              ?partnership a hs:Partnership ; hs:hasParty ?partner .
              ?partner a hs:State ; skos:exactMatch ?item .
              SERVICE <{service}> {{ ?item p:P463 ?st . ?st ps:P463 ?organisation OPTIONAL {{ ?st pq:P580 ?start }} }}
            }} ORDER BY ?partner ?organisation"""
        answer = requests.post(server.url + "/sparql", data={"query": query},
                               headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert answer.status_code == 200, answer.text
        rows = {(b["partner"]["value"].rsplit("/", 1)[-1], b["organisation"]["value"].rsplit("/", 1)[-1],
                 b.get("start", {}).get("value", "")[:4]) for b in answer.json()["results"]["bindings"]}
        assert {("japan", "Q1065", "1956"), ("japan", "Q990000011", "1994"), ("japan", "Q7768", "1999")} == rows
        other = requests.post(server.url + "/sparql", data={"query": query.replace(service, stub.url + "/html")}, timeout=30)
        assert other.status_code == 403  # not on the allow-list: refused before anything runs
    finally:
        server.stop()


def test_the_server_runs_seeds_only_or_with_imported_facts(builds: dict[str, Path]) -> None:
    query = "ASK { GRAPH <%s> { ?s ?p ?o } }" % IMPORTED
    for extra, expected in (((), True), (("--seeds-only",), False)):
        server = LiveServer(builds["imported"], *extra)
        try:
            answer = requests.get(server.url + "/sparql", params={"query": query},
                                  headers={"Accept": "application/sparql-results+json"}, timeout=30)
            assert answer.json()["boolean"] is expected, extra
            assert requests.get(server.url + "/graph/imported", timeout=30).status_code == (200 if expected else 404)
        finally:
            server.stop()


def test_linked_iris_are_links_on_the_pages(live_server: object) -> None:
    page = requests.get(live_server.url + "/id/japan", headers={"Accept": "text/html"}, timeout=30).text  # type: ignore[attr-defined]
    assert '<a href="http://www.wikidata.org/entity/Q17" rel="external noopener">' in page
    assert "<td>JPN\n" in page and 'href="JPN"' not in page  # a code is text, not a link
    tokyo = requests.get(live_server.url + "/id/tokyo", headers={"Accept": "text/html"}, timeout=30).text  # type: ignore[attr-defined]
    assert '<a href="https://sws.geonames.org/1850147/"' in tokyo


def test_an_imported_date_that_breaks_a_rule_stops_the_build(project: Path, seeds_dir: Path, tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from hubspoke.linking.snapshots import Retrieval, save

    broken = tmp_path / "project"
    shutil.copytree(project, broken, ignore=shutil.ignore_patterns("snapshots"))
    body = json.dumps({"head": {"vars": ["item", "inception", "dissolved"]}, "results": {"bindings": [{
        "item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q990000003"},
        "inception": {"type": "literal", "value": "1953-10-01T00:00:00Z"},
        "dissolved": {"type": "literal", "value": "1900-01-01T00:00:00Z"}}]}}).encode()
    now = datetime.now(timezone.utc)
    save(broken / "snapshots", Retrieval("lifespans", "http://127.0.0.1:1/sparql", "SELECT ...", now, now, body,
                                         "http://creativecommons.org/publicdomain/zero/1.0/", "test"))
    out = hubspoke("--root", str(broken), "build", "--build-dir", str(tmp_path / "build"), "--imported", seeds=seeds_dir)
    assert out.returncode == 1 and "hsh:StartBeforeEndRule" in out.stderr and "south-korea-us-alliance" in out.stderr
    assert "with the imported graph" in out.stderr and not (tmp_path / "build" / "hubspoke.nq").exists()

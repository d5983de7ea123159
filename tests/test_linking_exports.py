"""Links and exports (issue 11): the reviewed identifier table with COW codes and a status column, the
VoID linksets and licences, the dump and graph downloads past the row cap, the ontology module at its
IRI, and the dyad-year CSV an IR researcher joins with COW data."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import OWL, RDF, SKOS, VOID

from hubspoke.build import BuildReport
from hubspoke.config import ProjectPaths
from hubspoke.identifiers import IdentifierTableError, identifier_graph, read_table
from hubspoke.linking.dyads import COLUMNS, dyad_years
from hubspoke.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
HSI = rdflib.Namespace("https://w3id.org/hubspoke/id/")
TABLE = ROOT / "instances" / "identifiers.csv"
HEADER = "entity,wikidata,iso3166_alpha2,iso3166_alpha3,cow_code,geonames,status,reviewed_note\n"

# The COW state numbers of a few states, as the COW state system membership list gives them: what a
# researcher's own table looks like. Entered by hand from the COW list, independently of identifiers.csv.
COW_STATES = pd.DataFrame({
    "ccode": [2, 200, 365, 710, 731, 732, 740, 750, 840, 850, 900],
    "stateabb": ["USA", "UKG", "RUS", "CHN", "PRK", "ROK", "JPN", "IND", "PHI", "INS", "AUL"],
})


# --------------------------------------------------------------- the identifier table

def test_every_state_has_iso_and_cow_codes(instances_graph: rdflib.Graph) -> None:
    links = identifier_graph(TABLE)
    states = set(instances_graph.subjects(RDF.type, HS.State))
    assert len(states) >= 20
    missing = [str(s) for s in states if None in (links.value(s, HS.iso3166Alpha3), links.value(s, HS.cowCountryCode))]
    assert missing == []
    codes = [int(links.value(s, HS.cowCountryCode)) for s in states]  # type: ignore[arg-type]
    assert len(codes) == len(set(codes)), "two states share a COW code"


def test_known_codes_are_the_cow_and_iso_ones() -> None:
    rows = {r.entity: r for r in read_table(TABLE)}
    expected = {"united-states": ("2", "USA"), "japan": ("740", "JPN"), "australia": ("900", "AUS"),
                "india": ("750", "IND"), "south-korea": ("732", "KOR"), "north-korea": ("731", "PRK"),
                "china": ("710", "CHN"), "russia": ("365", "RUS"), "philippines": ("840", "PHL"),
                "indonesia": ("850", "IDN"), "vietnam": ("816", "VNM")}
    assert {e: (rows[e].cow_code, rows[e].iso3166_alpha3) for e in expected} == expected


def test_every_kind_of_entity_is_listed_linked_or_uncertain(instances_graph: rdflib.Graph) -> None:
    rows = {r.entity: r for r in read_table(TABLE)}
    kinds = (HS.State, HS.InternationalOrganization, HS.MultilateralFramework, HS.Person, HS.Place, HS.Alliance,
             HS.Treaty, HS.PoliticalParty)
    unlisted = sorted(str(s)[len(str(HSI)):] for k in kinds for s in instances_graph.subjects(RDF.type, k)
                      if str(s)[len(str(HSI)):] not in rows)
    assert unlisted == []
    assert {r.status for r in rows.values()} == {"reviewed", "uncertain"}
    for kind in ("person", "place", "organisation"):  # every kind has at least one certain link
        assert any(r.status == "reviewed" and r.wikidata and kind in r.reviewed_note for r in rows.values()), kind


def test_uncertain_rows_give_no_triples_and_may_not_carry_ids(tmp_path: Path) -> None:
    table = tmp_path / "identifiers.csv"
    table.write_text(HEADER + "japan,Q17,JP,JPN,740,,reviewed,ok\nworld-bank,,,,,,uncertain,not sure\n", encoding="utf-8")
    graph = identifier_graph(table)
    assert (HSI["japan"], HS.cowCountryCode, rdflib.Literal(740)) in graph
    assert not list(graph.triples((HSI["world-bank"], None, None)))
    table.write_text(HEADER + "japan,Q17,JP,JPN,740,,reviewed,ok\nworld-bank,Q7164,,,,,uncertain,a guess\n", encoding="utf-8")
    with pytest.raises(IdentifierTableError, match=r"identifiers\.csv:3: .*uncertain row carries identifiers"):
        identifier_graph(table)


@pytest.mark.parametrize("row, message", [
    ("japan,Q17,JP,JPN,0740,,reviewed,x", "malformed Correlates of War country code"),
    ("japan,Q17,JP,JPN,740,01,reviewed,x", "malformed GeoNames id"),
    ("japan,Q17,JP,JPN,740,,maybe,x", "status must be one of reviewed, uncertain"),
])
def test_malformed_cells_name_their_line(tmp_path: Path, row: str, message: str) -> None:
    table = tmp_path / "identifiers.csv"
    table.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(IdentifierTableError, match=rf"identifiers\.csv:2: identifier table error: {message}"):
        identifier_graph(table)


# --------------------------------------------------------------- the links graph: VoID and licences

def _graph(store: EmbeddedStore, name: str) -> rdflib.Graph:
    from hubspoke.rdf_bridge import to_rdflib

    return to_rdflib([q.triple for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(name))])


def test_void_linkset_per_target_counts_its_links(kg_store: EmbeddedStore) -> None:
    links = _graph(kg_store, "https://w3id.org/hubspoke/graph/links")
    for slug, space in (("wikidata", "http://www.wikidata.org/entity/"), ("geonames", "https://sws.geonames.org/")):
        linkset = HSI[f"linkset-{slug}"]
        assert (linkset, RDF.type, VOID.Linkset) in links
        assert links.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
        target = links.value(linkset, VOID.objectsTarget)
        assert str(links.value(target, VOID.uriSpace)) == space
        assert links.value(target, rdflib.URIRef("http://purl.org/dc/terms/license")) is not None
        counted = sum(1 for _s, o in links.subject_objects(SKOS.exactMatch) if str(o).startswith(space))
        assert counted > 0 and int(links.value(linkset, VOID.triples)) == counted  # type: ignore[arg-type]
    assert links.value(HSI["dataset"], rdflib.URIRef("http://purl.org/dc/terms/license")) is not None


# --------------------------------------------------------------- downloads past the row cap

def test_dump_streams_every_quad_past_the_row_cap(live_server: object, kg_store: EmbeddedStore) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    total = len(kg_store.oxigraph)
    assert total > 10_000  # more than the default row cap the server runs with
    for path, fmt in (("/dump.nq", ox.RdfFormat.N_QUADS), ("/dump.trig", ox.RdfFormat.TRIG)):
        answer = requests.get(url + path, timeout=30, stream=True)
        assert answer.status_code == 200 and "chunked" in answer.headers.get("Transfer-Encoding", "")
        body = answer.content
        store = ox.Store()
        store.load(body, format=fmt)
        assert len(store) == total, path
    assert requests.get(url + "/dump", headers={"Accept": "application/trig"}, timeout=30).headers[
        "Content-Type"].startswith("application/trig")
    assert requests.get(url + "/dump", headers={"Accept": "text/html"}, timeout=30).status_code == 406


def test_named_graphs_answer_at_their_iris(live_server: object, kg_store: EmbeddedStore) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    facts = ox.NamedNode("https://w3id.org/hubspoke/graph/facts")
    answer = requests.get(url + "/graph/facts", headers={"Accept": "application/n-triples"}, timeout=30)
    assert answer.status_code == 200
    got = {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)}
    assert got == {q.triple for q in kg_store.oxigraph.quads_for_pattern(None, None, None, facts)}
    turtle = requests.get(url + "/graph/links", timeout=30)
    assert turtle.headers["Content-Type"].startswith("text/turtle") and len(list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))) > 100
    assert requests.get(url + "/graph/no-such-graph", timeout=30).status_code == 404
    assert requests.get(url + "/graph/not%20an%3Ciri%3E", timeout=30).status_code == 404


@pytest.mark.parametrize("module", ["core", "relationships", "policy", "provenance", "ties"])
def test_ontology_module_is_the_whole_document_at_its_iri(live_server: object, module: str) -> None:
    answer = requests.get(f"{live_server.url}/ontology/{module}", headers={"Accept": "text/turtle"}, timeout=30)  # type: ignore[attr-defined]
    assert answer.status_code == 200
    served = rdflib.Graph().parse(data=answer.text, format="turtle")
    for p in (OWL.versionIRI, OWL.versionInfo):  # written by the build from pyproject.toml
        assert len(list(served.triples((None, p, None)))) == 1
        served.remove((None, p, None))
    source = rdflib.Graph().parse(ROOT / "ontology" / f"{module}.ttl", format="turtle")
    _both, extra, missing = graph_diff(to_isomorphic(served), to_isomorphic(source))
    assert (len(extra), len(missing)) == (0, 0)
    assert len(served) > 50  # the module, not its 8-triple header


# --------------------------------------------------------------- the dyad-year export

@pytest.fixture(scope="module")
def dyads(built: tuple[ProjectPaths, BuildReport]) -> pd.DataFrame:
    out = subprocess.run([sys.executable, "-m", "hubspoke.cli", "--root", str(ROOT), "export", "dyad-years",
                          "--dataset", str(built[0].dataset_file)], capture_output=True, check=True)
    return pd.read_csv(io.BytesIO(out.stdout))


def test_every_state_of_the_real_graph_has_a_cow_code(kg_store: EmbeddedStore) -> None:
    from hubspoke.linking.dyads import states_without_codes

    assert states_without_codes(kg_store) == []


def test_dyad_years_load_and_join_on_cow_codes(dyads: pd.DataFrame) -> None:
    assert tuple(dyads.columns) == COLUMNS
    assert len(dyads) > 100
    assert dyads[["ccode1", "ccode2", "iso1", "iso2", "year"]].notna().all().all()  # every state row has its codes
    assert (dyads["ccode1"] < dyads["ccode2"]).all()
    assert set(dyads["year_status"]) <= {"dated", "start_unknown", "end_unknown"}
    assert set(dyads["inferred"]) == {True, False}
    joined = dyads.merge(COW_STATES.rename(columns={"ccode": "ccode1", "stateabb": "abb1"}), on="ccode1") \
                  .merge(COW_STATES.rename(columns={"ccode": "ccode2", "stateabb": "abb2"}), on="ccode2")
    pairs = set(zip(joined["abb1"], joined["abb2"]))
    assert {("USA", "JPN"), ("USA", "AUL"), ("USA", "ROK"), ("JPN", "AUL"), ("JPN", "IND")} <= pairs
    alliance = joined[(joined["abb1"] == "USA") & (joined["abb2"] == "JPN") & (joined["tie_kind"] == "alliedWith")]
    assert not alliance.empty and alliance["inferred"].all()


def test_undated_ties_start_where_the_sources_bound_them_and_say_so(dyads: pd.DataFrame, kg_store: EmbeddedStore) -> None:
    from hubspoke.inference.ties import load_facts

    facts = {f.iri: f for f in load_facts(kg_store)[0]}
    asserted = dyads[~dyads["inferred"]]
    for fact_iri, rows in asserted.groupby("fact"):
        fact = facts[str(fact_iri)]
        if fact.start is None:
            assert (rows["year_status"] != "dated").all()
            # From the year the sources show it had begun (a bound such as "by 1997", else the year a
            # source attests it): never read as absent after that, never invented before.
            assert rows["year"].min() == fact.latest_start()
            assert fact.latest_start() <= (fact.attested or 9999)
        else:
            assert rows["year"].min() == fact.start


def test_dyad_years_over_http_match_the_command(live_server: object, dyads: pd.DataFrame) -> None:
    answer = requests.get(live_server.url + "/export/dyad-years.csv", timeout=30)  # type: ignore[attr-defined]
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(answer.content)), dyads)
    assert requests.get(live_server.url + "/export/dyad-years.csv?through=soon", timeout=30).status_code == 400  # type: ignore[attr-defined]


def test_through_bounds_open_ties(kg_store: EmbeddedStore) -> None:
    from hubspoke.inference.ties import load_facts

    facts = {f.iri: f for f in load_facts(kg_store)[0]}
    rows = [r for r in dyad_years(kg_store, through=2010) if not r.inferred]
    assert rows and max(r.year for r in rows) == 2010
    open_ended = {r.fact for r in rows if r.year == 2010 and facts[r.fact].end is None}
    assert open_ended  # ties still standing are carried to the last year, not dropped

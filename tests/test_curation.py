"""Curation rules for instances/ (DESIGN.md, 'Modelling rules'): enough sourced facts, every fact
with a quotation, no asserted shortcuts, dates at a valid precision, sound identifier links."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from hubspoke.identifiers import identifier_graph

ROOT = Path(__file__).resolve().parents[1]
HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
DATE_PROPERTIES = (HS.date, HS.startDate, HS.endDate, HS.claimDate)
DATE_PATTERNS = {
    XSD.gYear: re.compile(r"^[0-9]{4}$"),
    XSD.gYearMonth: re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
    XSD.date: re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
}
DERIVED_SHORTCUTS = (HS.alliedWith, HS.securityPartnerOf, HS.participatesWith)


@pytest.fixture(scope="module")
def instances(instances_graph: rdflib.Graph) -> rdflib.Graph:
    return instances_graph


@pytest.fixture(scope="module")
def identifier_rows() -> list[dict[str, str]]:
    with (ROOT / "instances" / "identifiers.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def facts(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    return set(graph.subjects(PROV.wasDerivedFrom, None))


def test_at_least_200_facts(instances: rdflib.Graph) -> None:
    assert len(facts(instances)) >= 200


def test_every_fact_has_a_quotation(instances: rdflib.Graph) -> None:
    unquoted = []
    for fact in facts(instances):
        quotations = [
            q for q in instances.objects(fact, PROV.wasDerivedFrom)
            if (q, PROV.value, None) in instances and (q, PROV.wasQuotedFrom, None) in instances
        ]
        if not quotations:
            unquoted.append(str(fact))
    assert unquoted == []


def test_every_quotation_is_typed_and_sourced(instances: rdflib.Graph) -> None:
    for fact in facts(instances):
        for quotation in instances.objects(fact, PROV.wasDerivedFrom):
            assert (quotation, RDF.type, HS.Quotation) in instances, f"{fact}: {quotation} is not a hs:Quotation"
            source = instances.value(quotation, PROV.wasQuotedFrom)
            assert (source, RDF.type, HS.SourceDocument) in instances, f"{quotation}: source {source} undescribed"


def test_no_derived_shortcut_is_asserted(instances: rdflib.Graph) -> None:
    asserted = [(str(s), str(p)) for p in DERIVED_SHORTCUTS for s in instances.subjects(p, None)]
    assert asserted == []


def test_dates_have_a_valid_precision(instances: rdflib.Graph) -> None:
    bad = []
    for prop in DATE_PROPERTIES:
        for subject, value in instances.subject_objects(prop):
            pattern = DATE_PATTERNS.get(value.datatype) if isinstance(value, rdflib.Literal) else None
            if pattern is None or not pattern.match(str(value)):
                bad.append(f"{subject} {prop} {value!r}")
    assert bad == []


def test_modal_claims_have_a_claim_date_unless_the_source_is_undated(instances: rdflib.Graph) -> None:
    missing = []
    for statement, modality in instances.subject_objects(HS.modality):
        sources = {instances.value(q, PROV.wasQuotedFrom) for q in instances.objects(statement, PROV.wasDerivedFrom)}
        undated = bool(sources) and all(instances.value(s, DCTERMS.issued) is None for s in sources)
        if modality != HS.Asserted and instances.value(statement, HS.claimDate) is None and not undated:
            missing.append(str(statement))
    assert missing == []


def test_every_entity_has_an_english_preferred_label(instances: rdflib.Graph) -> None:
    unlabelled = []
    for subject in set(instances.subjects(RDF.type, None)):
        if (subject, RDF.type, HS.Quotation) in instances:
            continue
        labels = [label for label in instances.objects(subject, SKOS.prefLabel) if getattr(label, "language", None) == "en"]
        if len(labels) != 1:
            unlabelled.append(str(subject))
    assert unlabelled == []


def test_no_two_entities_share_a_wikidata_id(identifier_rows: list[dict[str, str]]) -> None:
    qids = Counter(row["wikidata"] for row in identifier_rows if row["wikidata"])
    assert [qid for qid, n in qids.items() if n > 1] == []
    entities = Counter(row["entity"] for row in identifier_rows)
    assert [e for e, n in entities.items() if n > 1] == []


def test_identifier_rows_name_known_entities(instances: rdflib.Graph, identifier_rows: list[dict[str, str]]) -> None:
    hsi = "https://w3id.org/hubspoke/id/"
    unknown = [row["entity"] for row in identifier_rows if (rdflib.URIRef(hsi + row["entity"]), RDF.type, None) not in instances]
    assert unknown == []


def test_every_state_has_iso_codes(instances: rdflib.Graph) -> None:
    links = identifier_graph(ROOT / "instances" / "identifiers.csv")
    missing = [
        str(state) for state in instances.subjects(RDF.type, HS.State)
        if links.value(state, HS.iso3166Alpha2) is None or links.value(state, HS.iso3166Alpha3) is None
    ]
    assert missing == []


def test_identifier_graph_rejects_a_malformed_qid(tmp_path: Path) -> None:
    table = tmp_path / "identifiers.csv"
    table.write_text(
        "entity,wikidata,iso3166_alpha2,iso3166_alpha3,reviewed_note\njapan,Q17,JP,JPN,ok\nindia,Q0668,IN,IND,typo\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"identifiers\.csv:3: identifier table error: malformed Wikidata QID"):
        identifier_graph(table)


def test_identifier_graph_rejects_a_malformed_iso_code(tmp_path: Path) -> None:
    table = tmp_path / "identifiers.csv"
    table.write_text("entity,wikidata,iso3166_alpha2,iso3166_alpha3,reviewed_note\njapan,Q17,jp,JPN,ok\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"identifiers\.csv:2: identifier table error: malformed ISO 3166-1 alpha-2"):
        identifier_graph(table)


def test_identifier_graph_links(tmp_path: Path) -> None:
    table = tmp_path / "identifiers.csv"
    table.write_text("entity,wikidata,iso3166_alpha2,iso3166_alpha3,reviewed_note\njapan,Q17,JP,JPN,ok\nworld-bank,,,,unsure\n", encoding="utf-8")
    graph = identifier_graph(table)
    japan = rdflib.URIRef("https://w3id.org/hubspoke/id/japan")
    assert (japan, SKOS.exactMatch, rdflib.URIRef("http://www.wikidata.org/entity/Q17")) in graph
    assert graph.value(japan, HS.iso3166Alpha3) == rdflib.Literal("JPN")
    assert len(graph) == 3

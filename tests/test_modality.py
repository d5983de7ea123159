"""The modality lint and the dating checks on the real data (nothing unreviewed, every claim dated by
its own source, every dated fact with several sources naming its date evidence), and their parts.
The broken cases are data in tests/validation/modality/."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from hubspoke.validation.dating import check_claim_dates, check_date_evidence
from hubspoke.validation.modality import check_modality, markers

ROOT = Path(__file__).resolve().parents[1]
HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")


@pytest.fixture(scope="module")
def data(instances_graph: rdflib.Graph) -> rdflib.Graph:
    """Facts with the ontology, so the lint sees which nodes are actors and places."""
    graph = rdflib.Graph()
    for triple in instances_graph:
        graph.add(triple)
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_no_modal_quote_behind_an_asserted_fact_is_unreviewed(data: rdflib.Graph) -> None:
    problems = check_modality(data)
    assert problems == [], "\n".join(f"{p.focus}: {p.message}" for p in problems)


def test_reviews_are_recorded_as_data(data: rdflib.Graph) -> None:
    reviewed = set(data.subjects(HS.modalityReviewedFor, None))
    assert len(reviewed) >= 50 and all(data.value(q, HS.modalityReviewNote) for q in reviewed)


def test_every_claim_is_dated_by_its_own_source(data: rdflib.Graph) -> None:
    assert check_claim_dates(data) == []
    assert check_date_evidence(data) == []


def test_the_mechanism_yet_to_be_developed_is_negated(data: rdflib.Graph) -> None:
    mechanism = rdflib.URIRef("https://w3id.org/hubspoke/id/australia-india-us-trilateral-mechanism")
    assert data.value(mechanism, HS.modality) == HS.Negated


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("The trilateral mechanism has yet to be developed", ["yet to"]),
        ("Japan plans to deepen ties and should act", ["plans to", "should"]),
        ("It aims to strengthen; talks may not resume", ["aims", "may", "not"]),
        ("Japan and Australia signed a declaration in 2007", []),
        ("Another (notable) event", []),  # words containing a marker are not markers
    ],
)
def test_markers(quote: str, found: list[str]) -> None:
    assert markers(quote) == found

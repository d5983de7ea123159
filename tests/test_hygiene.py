"""Ontology hygiene as SPARQL that returns the violations (STYLE.md 5): each query must return no
row on the real project, and exactly its expected terms on its broken fixture."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from hubspoke.store import EmbeddedStore

HYGIENE = Path(__file__).parent / "hygiene"
QUERIES = sorted(HYGIENE.glob("*-violation.rq"), key=lambda p: p.name)


def violating_terms(store: EmbeddedStore, query: Path) -> list[str]:
    result = store.query(query.read_text(encoding="utf-8"))
    assert isinstance(result.payload, ox.QuerySolutions)
    return [str(row["term"].value) for row in result.payload]


def test_every_query_has_a_fixture() -> None:
    assert QUERIES, "no hygiene queries found"
    for query in QUERIES:
        assert (HYGIENE / "fixtures" / f"{query.stem}.trig").exists(), f"{query.name} has no broken fixture"


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_project_is_clean(query: Path, kg_store: EmbeddedStore) -> None:
    assert violating_terms(kg_store, query) == []


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_fixture_raises_exactly_its_violations(query: Path) -> None:
    fixture = HYGIENE / "fixtures" / f"{query.stem}.trig"
    expected = (HYGIENE / "fixtures" / f"{query.stem}.expected").read_text(encoding="utf-8").split()
    store = EmbeddedStore.from_file(fixture)
    assert sorted(set(violating_terms(store, query))) == sorted(expected)

"""The example queries people see first (home page, README) must run and answer on the built graph."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from hubspoke.store import EmbeddedStore
from hubspoke.web.pages import EXAMPLES

README = Path(__file__).resolve().parents[1] / "README.md"


def rows(store: EmbeddedStore, query: str) -> list[ox.QuerySolution]:
    result = store.query(query)
    assert isinstance(result.payload, ox.QuerySolutions)
    return list(result.payload)


@pytest.mark.parametrize(("title", "query"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_home_page_example_answers(title: str, query: str, kg_store: EmbeddedStore) -> None:
    assert rows(kg_store, query), f"the home page example '{title}' gives no answer"


def test_readme_example_answers_with_quotes(kg_store: EmbeddedStore) -> None:
    match = re.search(r"--data-urlencode query='(.*?)'\n```", README.read_text(encoding="utf-8"), re.S)
    assert match, "the README's first example query was not found"
    answer = rows(kg_store, match.group(1))
    assert answer and all(len(str(r["quote"].value).split()) <= 40 for r in answer)

"""Competency questions (STYLE.md 8): every queries/NN-slug.rq runs against the built knowledge graph,
and through SPARQLWrapper against the running endpoint, and returns exactly the result stored beside
it in NN-slug.srj (SPARQL 1.1 Query Results JSON).

Rows are compared as multisets, or as lists when the query has ORDER BY; each value is compared by
its kind, lexical form and datatype or language. Every class and property of the ontology must be
used by at least one query."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from SPARQLWrapper import JSON, POST, SPARQLWrapper

from hubspoke.store import EmbeddedStore
from tests.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"), key=lambda p: p.name)
HS = "https://w3id.org/hubspoke/ontology/"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = tuple[str, str, str]
Row = frozenset[tuple[str, Term]]


def term_from_json(value: dict[str, str]) -> Term:
    kind = value["type"]
    if kind == "uri":
        return ("iri", value["value"], "")
    if kind == "bnode":
        return ("bnode", "", "")
    if "xml:lang" in value:
        return ("literal", value["value"], "@" + value["xml:lang"].lower())
    return ("literal", value["value"], value.get("datatype", XSD_STRING))


def term_from_oxigraph(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, "")
    if isinstance(term, ox.BlankNode):
        return ("bnode", "", "")
    assert isinstance(term, ox.Literal), f"unexpected result term {term!r}"
    if term.language:
        return ("literal", term.value, "@" + term.language.lower())
    datatype = term.datatype.value
    return ("literal", term.value, XSD_STRING if datatype == RDF_LANG_STRING else datatype)


def strip_comments(query: str) -> str:
    return "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("PREFIX") else "" for line in query.splitlines())


def is_ordered(query: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", strip_comments(query), re.IGNORECASE) is not None


def expected_rows(srj: dict[str, object]) -> list[Row]:
    results = srj["results"]
    assert isinstance(results, dict)
    return [frozenset((var, term_from_json(value)) for var, value in binding.items()) for binding in results["bindings"]]


def actual_rows(solutions: ox.QuerySolutions) -> list[Row]:
    names = [v.value for v in solutions.variables]
    return [
        frozenset((name, term_from_oxigraph(row[name])) for name in names if row[name] is not None)
        for row in solutions
    ]


def test_there_is_a_query_per_competency_question() -> None:
    numbers = {int(p.name[:2]) for p in QUERIES}
    assert set(range(1, 31)) <= numbers
    assert len(QUERIES) >= 40


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_query_has_header_and_expected_result(query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    assert text.startswith("# CQ"), f"{query.name} must start with a comment naming its question"
    assert re.match(rf"# CQ{query.name[:2]}\b", text), f"{query.name}: header names another question"
    assert query.with_suffix(".srj").exists(), f"{query.name} has no expected result"


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_query_answers_as_expected(query: Path, kg_store: EmbeddedStore) -> None:
    text = query.read_text(encoding="utf-8")
    expected = json.loads(query.with_suffix(".srj").read_text(encoding="utf-8"))
    result = kg_store.query(text)
    if "boolean" in expected:
        assert result.kind == "boolean", f"{query.name}: expected an ASK answer"
        assert isinstance(result.payload, ox.QueryBoolean)
        assert bool(result.payload) is expected["boolean"]
        return
    assert isinstance(result.payload, ox.QuerySolutions), f"{query.name}: expected solutions"
    head = expected["head"]["vars"]
    assert [v.value for v in result.payload.variables] == head
    actual = actual_rows(result.payload)
    wanted = expected_rows(expected)
    if is_ordered(text):
        assert actual == wanted
    else:
        assert Counter(actual) == Counter(wanted)


def test_every_ontology_term_is_used_by_a_query() -> None:
    ontology = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    terms = {
        str(term)[len(HS):]
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for term in ontology.subjects(RDF.type, kind)
        if str(term).startswith(HS)
    }
    used = set(re.findall(r"\bhs:([A-Za-z][A-Za-z0-9]*)", " ".join(strip_comments(q.read_text(encoding="utf-8")) for q in QUERIES)))
    assert sorted(terms - used) == []


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_endpoint_answers_as_expected(query: Path, live_server: LiveServer) -> None:
    """The same questions asked of the running server by a real SPARQL client, as an analyst would."""
    text = query.read_text(encoding="utf-8")
    expected = json.loads(query.with_suffix(".srj").read_text(encoding="utf-8"))
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(text)
    answer = client.queryAndConvert()
    assert isinstance(answer, dict)
    if "boolean" in expected:
        assert answer["boolean"] is expected["boolean"]
        return
    assert answer["head"]["vars"] == expected["head"]["vars"]
    actual, wanted = expected_rows(answer), expected_rows(expected)
    if is_ordered(text):
        assert actual == wanted
    else:
        assert Counter(actual) == Counter(wanted)

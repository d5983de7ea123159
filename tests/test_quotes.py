"""The quote check (DESIGN.md, rule 4): every curated quotation is verbatim in its seed document,
at most 40 words, and the seed file is the one described (SHA-256); plus the check's own parts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib

from hubspoke.validation.quote_help import closest_passage
from hubspoke.validation.quotes import MAX_WORDS, QuoteProblem, check_quotes, normalise

ROOT = Path(__file__).resolve().parents[1]
HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
HSI = rdflib.Namespace("https://w3id.org/hubspoke/id/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")


@pytest.fixture(scope="module")
def instances(instances_graph: rdflib.Graph) -> rdflib.Graph:
    return instances_graph


def test_every_quote_is_in_its_seed(instances: rdflib.Graph, seeds_dir: Path) -> None:
    problems = check_quotes(instances, seeds_dir)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_there_are_quotations_from_every_seed(instances: rdflib.Graph) -> None:
    sources = {str(s) for s in instances.objects(None, PROV.wasQuotedFrom)}
    assert {str(HSI[f"source-00{n}"]) for n in range(5)} <= sources


def test_seed_digests_match(instances: rdflib.Graph, seeds_dir: Path) -> None:
    for source, name in instances.subject_objects(HS.seedFileName):
        digest = hashlib.sha256((seeds_dir / str(name)).read_bytes()).hexdigest()
        assert str(instances.value(source, HS.sha256)) == digest, f"{source}: {name} changed"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b\n\tc", "a b c"),
        ("**Security** __Partnerships__", "Security Partnerships"),
        ("## Heading\ntext", "Heading text"),
        ("14<sup>th</sup> September", "14th September"),
        ("AT&amp;T &lt;x&gt;", "AT&T <x>"),
        # quotation marks, apostrophes and dashes are the seed's characters: kept exactly
        ("\u2018value diplomacy\u201d and \u201cJapan\u2019s\u201d", "\u2018value diplomacy\u201d and \u201cJapan\u2019s\u201d"),
        ("1992\u201393 \u2014 Japan\u2013U.S.", "1992\u201393 \u2014 Japan\u2013U.S."),
        ("see [www.ifri.org](http://www.ifri.org)", "see www.ifri.org"),
        ("The *Cheonan* incident", "The Cheonan incident"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def small_graph(tmp_path: Path, seed_text: str, quotes: dict[str, str], sha: str | None = None) -> rdflib.Graph:
    (tmp_path / "seed.txt").write_text(seed_text, encoding="utf-8")
    graph = rdflib.Graph()
    source = HSI["source-test"]
    graph.add((source, rdflib.RDF.type, HS.SourceDocument))
    graph.add((source, HS.seedFileName, rdflib.Literal("seed.txt")))
    digest = sha if sha is not None else hashlib.sha256(seed_text.encode("utf-8")).hexdigest()
    graph.add((source, HS.sha256, rdflib.Literal(digest)))
    for slug, quote in quotes.items():
        graph.add((HSI[slug], rdflib.RDF.type, HS.Quotation))
        graph.add((HSI[slug], PROV.value, rdflib.Literal(quote)))
        graph.add((HSI[slug], PROV.wasQuotedFrom, source))
    return graph


SEED = "In **March 2007**, Prime Minister Abe and Australian Prime Minister John Howard issued a <i>Joint Declaration</i>."


def test_a_wrong_quote_yields_exactly_one_problem(tmp_path: Path) -> None:
    graph = small_graph(tmp_path, SEED, {
        "q-good": "In March 2007, Prime Minister Abe and Australian Prime Minister John Howard issued",
        "q-bad": "In March 2008, Prime Minister Abe and Australian Prime Minister John Howard issued",
    })
    problems = check_quotes(graph, tmp_path)
    assert len(problems) == 1
    assert isinstance(problems[0], QuoteProblem)
    assert problems[0].quotation == str(HSI["q-bad"])
    assert problems[0].seed_file == "seed.txt"
    assert "not found" in problems[0].message


def test_a_long_quote_is_a_problem(tmp_path: Path) -> None:
    text = " ".join(f"w{i}" for i in range(MAX_WORDS + 1))
    problems = check_quotes(small_graph(tmp_path, text, {"q-long": text}), tmp_path)
    assert [p.message for p in problems] == [f"the quote has {MAX_WORDS + 1} words, more than {MAX_WORDS}"]


def test_a_changed_seed_is_one_problem_at_the_source(tmp_path: Path) -> None:
    quotes = {"q": "Prime Minister Abe", "q2": "John Howard", "q3": "Joint Declaration"}
    problems = check_quotes(small_graph(tmp_path, SEED, quotes, sha="0" * 64), tmp_path)
    assert len(problems) == 1 and "SHA-256" in problems[0].message
    assert (problems[0].focus, problems[0].path) == (str(HSI["source-test"]), str(HS.sha256))


def test_quotation_marks_and_dashes_are_compared_exactly(tmp_path: Path) -> None:
    seed = 'This organization of "wise men" was formed \u2013 in 2010.'
    graph = small_graph(tmp_path, seed, {
        "q-exact": 'organization of "wise men" was formed \u2013 in 2010',
        "q-single": "organization of 'wise men' was formed \u2013 in 2010",
        "q-hyphen": 'organization of "wise men" was formed - in 2010',
    })
    problems = {p.quotation.rsplit("/", 1)[1]: p.message for p in check_quotes(graph, tmp_path)}
    assert set(problems) == {"q-single", "q-hyphen"}
    assert "U+0027 apostrophe where the seed has U+0022 quotation mark (2 times)" in problems["q-single"]
    assert "U+002D hyphen-minus where the seed has U+2013 en dash" in problems["q-hyphen"]


def test_a_quote_not_found_shows_the_closest_passage_and_what_differs(tmp_path: Path) -> None:
    graph = small_graph(tmp_path, SEED, {"q": "In March 2008, Prime Minister Abe and Australian Prime Minister John Howard issued"})
    [problem] = check_quotes(graph, tmp_path)
    assert 'the closest passage (99% alike) is "In March 2007, Prime Minister Abe' in problem.message
    assert 'the quote has "2008" where the seed has "2007"' in problem.message


def test_closest_passage_is_fast_on_the_largest_seed(seeds_dir: Path) -> None:
    import time

    largest = max(seeds_dir.glob("*.txt"), key=lambda p: p.stat().st_size)
    text = normalise(largest.read_text(encoding="utf-8"))
    words = text.split()
    quote = " ".join(words[len(words) // 2:len(words) // 2 + 30]).replace("the", "teh")
    started = time.perf_counter()
    passage = closest_passage(quote, text)
    assert time.perf_counter() - started < 1.0  # measured ~0.03 s for the 50 KB seed
    assert passage.score > 0.9 and passage.differences


def test_a_quote_from_an_outside_source_points_at_the_fix(tmp_path: Path) -> None:
    graph = small_graph(tmp_path, SEED, {"q": "Prime Minister Abe"})
    outside = HSI["source-ext"]
    graph.add((outside, rdflib.RDF.type, HS.SourceDocument))
    graph.set((HSI["q"], PROV.wasQuotedFrom, outside))
    graph.add((HSI["q-nowhere"], rdflib.RDF.type, HS.Quotation))
    graph.add((HSI["q-nowhere"], PROV.value, rdflib.Literal("Prime Minister Abe")))
    graph.add((HSI["q-nowhere"], PROV.wasQuotedFrom, HSI["japan"]))
    messages = {p.quotation.rsplit("/", 1)[1]: p.message for p in check_quotes(graph, tmp_path)}
    assert "outside source with no seed text" in messages["q"] and "hs:SourceConflict" in messages["q"]
    assert "not a described source document" in messages["q-nowhere"] and "hsi:source-test" in messages["q-nowhere"]
    assert not any("seed file name" in m for m in messages.values())


def test_a_missing_seed_file_and_an_unsourced_quote_are_problems(tmp_path: Path) -> None:
    graph = small_graph(tmp_path, SEED, {"q": "Prime Minister Abe"})
    (tmp_path / "seed.txt").unlink()
    graph.add((HSI["q-orphan"], rdflib.RDF.type, HS.Quotation))
    graph.add((HSI["q-orphan"], PROV.value, rdflib.Literal("Prime Minister Abe")))
    messages = sorted(p.message for p in check_quotes(graph, tmp_path))
    assert len(messages) == 2
    assert any("missing" in m for m in messages)
    assert any("no source" in m for m in messages)


def test_a_source_without_seed_file_is_a_problem(tmp_path: Path) -> None:
    graph = small_graph(tmp_path, SEED, {"q": "Prime Minister Abe"})
    graph.remove((HSI["source-test"], HS.seedFileName, None))
    problems = check_quotes(graph, tmp_path)
    assert len(problems) == 1 and "no seed text" in problems[0].message

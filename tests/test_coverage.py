"""The coverage ledger (hubspoke.validation.coverage): a fixture ledger beside the problems it must raise
(tests/coverage/expected.tsv), the real ledger complete for the five seeds, and the check wired into
`hubspoke validate`."""

from __future__ import annotations

import shutil
from pathlib import Path

import rdflib
from rdflib.namespace import RDF

from hubspoke.config import ProjectPaths
from hubspoke.validation.coverage import check_coverage, paragraphs
from hubspoke.validation.quotes import normalise
from tests.test_validation import make_project, run_cli

FIXTURE = Path(__file__).parent / "coverage"
HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")


def _subjects(graph: rdflib.Graph) -> set[str]:
    return {str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)}


def test_paragraphs_are_blocks_between_blank_lines_with_a_letter_or_digit() -> None:
    found = paragraphs((FIXTURE / "seeds" / "010_fixture.txt").read_text(encoding="utf-8"))
    assert [(p.number, p.line, p.anchor) for p in found] == [
        (1, 1, "# A fixture seed"), (2, 3, "Japan and Australia signed a Joint"),
        (3, 7, "The United States remains the ally"), (4, 9, "Further reading: a list of books."),
        (5, 11, "This paragraph changed after the ledger"), (6, 13, "# A fixture seed"),
    ]  # the `---` rule between 2 and 3 is no paragraph
    assert paragraphs("a  b\n  c\n\n\n") == paragraphs("a b c")  # whitespace does not change a digest


def test_fixture_ledger_raises_exactly_its_problems() -> None:
    facts = _subjects(rdflib.Graph().parse(FIXTURE / "facts.ttl", format="turtle"))
    result = check_coverage(FIXTURE / "ledger", FIXTURE / "seeds", facts, FIXTURE)
    rows = ["\t".join((f"{p.file}:{p.line}" if p.line else p.file, p.focus, p.message)) for p in result.problems]
    expected = [line for line in (FIXTURE / "expected.tsv").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    assert rows == expected
    counts = {s.seed: (s.paragraphs, s.covered, s.excused, s.missing) for s in result.seeds}
    assert counts == {"010_fixture.txt": (6, 1, 2, 3), "011_unlisted.txt": (1, 0, 0, 1)}
    assert "010_fixture.txt: 6 paragraphs, 1 covered, 2 excused, 3 missing (50% accounted for)" in result.summary()


def test_real_ledger_covers_or_excuses_every_paragraph(project_root: Path, seeds_dir: Path,
                                                       instances_graph: rdflib.Graph) -> None:
    result = check_coverage(project_root / "instances" / "coverage", seeds_dir, _subjects(instances_graph))
    assert result.problems == []
    assert len(result.seeds) == len(list(seeds_dir.glob("*.txt"))) == 5
    assert all(s.paragraphs > 0 and s.missing == 0 for s in result.seeds), result.summary()


def test_real_ledger_excuses_no_paragraph_that_a_quotation_comes_from(project_root: Path, seeds_dir: Path,
                                                                      instances_graph: rdflib.Graph) -> None:
    """A paragraph that a curated quotation comes from holds a claim: excusing it would hide it."""
    import yaml

    quoted: dict[str, list[str]] = {}
    for quotation in instances_graph.subjects(RDF.type, HS.Quotation):
        seed = instances_graph.value(instances_graph.value(quotation, PROV.wasQuotedFrom), HS.seedFileName)
        quoted.setdefault(str(seed), []).append(normalise(str(instances_graph.value(quotation, PROV.value))))
    wrongly_excused = []
    for ledger in sorted((project_root / "instances" / "coverage").glob("*.yaml")):
        seed = ledger.stem + ".txt"
        excused = {e["sha256"] for e in yaml.safe_load(ledger.read_text(encoding="utf-8"))["entries"] if e.get("excused")}
        for p in paragraphs((seeds_dir / seed).read_text(encoding="utf-8")):
            if p.sha256 in excused and any(q in normalise(p.text) for q in quoted.get(seed, [])):
                wrongly_excused.append(f"{seed} paragraph {p.number}")
    assert wrongly_excused == []


def test_validate_fails_on_an_uncovered_paragraph_and_prints_the_figures(tmp_path: Path) -> None:
    paths: ProjectPaths = make_project("clean", tmp_path)
    paths.coverage_dir.mkdir()
    shutil.copy(FIXTURE / "validation-ledger" / "000_fixture.yaml", paths.coverage_dir)
    run = run_cli(paths)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "instances/coverage/000_fixture.yaml: Japan and Australia signed a *Joint  [coverage-ledger, coverage ledger]" in run.stdout
    assert "paragraph 2 (line 3 of 000_fixture.txt) is neither covered nor excused" in run.stdout
    assert "000_fixture.txt: 2 paragraphs, 0 covered, 1 excused, 1 missing" in run.stderr

"""Validation as data: each folder in tests/validation/ holds curated files (instances/) beside the
exact problems they must raise (expected.tsv: file:line, rule, focus and path, message, and the other
statements involved when there are several); files in a case's added/ folder are copied after the
others were committed to git, as a curator's new, uncommitted work. `clean` must
raise none. They run against the project's real ontology and shapes, with the shared facts of
validation/common and the seed text of validation/seeds. The command line is tested as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from hubspoke import namespaces as ns
from hubspoke.build import assemble, validate
from hubspoke.config import ProjectPaths
from hubspoke.validation.consistency import quickxplain
from hubspoke.validation import Problem, compact

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).parent / "validation"
COMMON = CASES_DIR / "common" / "instances"
SEEDS = CASES_DIR / "seeds"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expected.tsv").exists())


def make_project(case: str, tmp_path: Path) -> ProjectPaths:
    """A project folder: the real ontology and shapes, the shared facts and the case's own files."""
    root = tmp_path / case
    (root / "instances").mkdir(parents=True)
    for source in [*COMMON.iterdir(), *(CASES_DIR / case / "instances").iterdir()]:
        shutil.copy(source, root / "instances" / source.name)
    (root / "ontology").symlink_to(ROOT / "ontology")
    (root / "shapes").symlink_to(ROOT / "shapes")
    added = CASES_DIR / case / "added"
    if added.is_dir():  # files a curator adds after the last commit: the project becomes a git repository
        commit_all(root)
        later = time.time() + 60
        for source in added.iterdir():
            shutil.copy(source, root / "instances" / source.name)
            os.utime(root / "instances" / source.name, (later, later))
    return ProjectPaths.at(root, build_dir=root / "build", seeds_dir=SEEDS)


def commit_all(root: Path) -> None:
    """A git repository at root with everything in it committed (the last good state)."""
    git = ["git", "-C", str(root), "-c", "user.name=fixture", "-c", "user.email=fixture@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the last good state"]):
        subprocess.run([*git, *args], check=True, capture_output=True, timeout=60)


def row(p: Problem) -> str:
    subject = compact(p.focus) + (f" {compact(p.path)}" if p.path else "")
    also = ("also involved: " + ", ".join(p.related),) if p.related else ()
    return "\t".join((p.where, p.rule, subject, p.message, *also))


def expected_rows(case: str) -> list[str]:
    lines = (CASES_DIR / case / "expected.tsv").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("case", CASES)
def test_case_raises_exactly_its_problems(case: str, tmp_path: Path) -> None:
    paths = make_project(case, tmp_path)
    graphs, _files = assemble(paths, "0.0.0")
    problems = validate(graphs, paths)
    assert [row(p) for p in problems] == expected_rows(case)
    for p in problems:  # every problem says where and why, in words with nothing left unfilled
        assert p.file and p.line > 0, p
        assert p.message and "{?" not in p.message and "{$" not in p.message, p


def _shapes_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_every_shape_and_rule_has_a_broken_fixture() -> None:
    """Each named shape with a constraint of its own, each SPARQL rule and each OWL check is raised somewhere."""
    shapes = _shapes_graph()
    raised = {line.split("\t")[1] for case in CASES for line in expected_rows(case)}
    raised_shapes = {r.split(" ")[0] for r in raised}
    own_constraints = {SH.property, SH.sparql, SH["not"], SH["or"], SH.path}
    wanted = set()
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)):
        if not isinstance(shape, rdflib.URIRef) or shape in set(shapes.objects(None, RDF.first)):
            continue  # helper shapes inside sh:or lists (hsh:GYear, ...) are checked through their users
        named_properties_only = all(isinstance(o, rdflib.URIRef) for o in shapes.objects(shape, SH.property))
        constraints = {p for p in shapes.predicates(shape) if p in own_constraints}
        if constraints == {SH.property} and named_properties_only:
            continue  # e.g. hsh:DateShape, hsh:ActorShape: only reuse named property shapes, raised on their own
        wanted.add(compact(str(shape)))
    assert wanted - raised_shapes == set()
    assert {"owl:disjointWith", "owl:IrreflexiveProperty", "owl:AsymmetricProperty", "owl:FunctionalProperty",
            "rdfs:range", "quote-check"} <= raised
    assert {f"closed-vocabulary:{kind}" for kind in ("class", "property", "term", "instance", "untyped")} <= raised


def test_every_class_is_checked_by_a_shape() -> None:
    """A class added to the ontology without a shape (of its own or of a super-class) fails here."""
    ontology = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    shapes = _shapes_graph()
    targeted = {str(c) for c in shapes.objects(None, SH.targetClass)}
    value_sets = {"Status": "status", "Modality": "modality", "ParticipationRole": "participationRole"}
    subjects_of = {str(p) for p in shapes.objects(None, SH.targetSubjectsOf)}
    unchecked = []
    for cls in ontology.subjects(RDF.type, rdflib.OWL.Class):
        name = str(cls)
        if not name.startswith(ns.HS):
            continue
        local = name[len(ns.HS):]
        if local in value_sets:
            if ns.HS + value_sets[local] not in subjects_of:
                unchecked.append(local)
            continue
        if local in ("TieKind", "TemporalStanding"):  # individuals of the ontology, only ever used by inference and the views
            continue
        supers = {str(s) for s in ontology.transitive_objects(cls, rdflib.RDFS.subClassOf)}
        if not supers & targeted:
            unchecked.append(local)
    assert unchecked == []


@pytest.mark.parametrize("cls, prop", [("Status", "status"), ("Modality", "modality"),
                                       ("ParticipationRole", "participationRole")])
def test_closed_sets_list_exactly_the_ontology_individuals(cls: str, prop: str) -> None:
    ontology = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    individuals = {str(i) for i in ontology.subjects(RDF.type, rdflib.URIRef(ns.HS + cls))}
    shapes = _shapes_graph()
    listed: set[str] = set()
    for prop_shape in shapes.subjects(SH.path, rdflib.URIRef(ns.HS + prop)):
        members = shapes.value(prop_shape, SH["in"])
        if members is not None:
            listed |= {str(m) for m in rdflib.collection.Collection(shapes, members)}
    assert listed == individuals


def test_every_constraint_has_a_message() -> None:
    shapes = _shapes_graph()
    for shape in set(shapes.objects(None, SH.property)) | set(shapes.subjects(RDF.type, SH.PropertyShape)):
        assert shapes.value(shape, SH.message) is not None, f"property shape on {shapes.value(shape, SH.path)}"
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None
    for shape in set(shapes.subjects(SH["not"], None)) | set(shapes.subjects(SH["or"], None)):
        assert shapes.value(shape, SH.message) is not None, shape


def test_quickxplain_finds_a_smallest_culprit_set() -> None:
    """The culprit search alone, with a stand-in for HermiT: inconsistent iff facts c and f are both in."""
    def fact(name: str) -> tuple[str, list[ox.Triple]]:
        node = ox.NamedNode(ns.HSI + name)
        return name, [ox.Triple(node, ox.NamedNode(ns.HS + "p"), ox.Literal(name))]

    groups = [fact(n) for n in "abcdefgh"]
    calls = []

    def consistent(triples: list[ox.Triple]) -> bool:
        calls.append(1)
        present = {t.object.value for t in triples}
        return not {"c", "f"} <= present

    assert [name for name, _ in quickxplain([], groups, consistent)] == ["c", "f"]
    assert len(calls) < len(groups) * 2, "QuickXplain must need fewer checks than removing one fact at a time"


# ---------------------------------------------------------------- the command line, as a curator runs it

def run_cli(paths: ProjectPaths, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "HUBSPOKE_SEEDS": str(paths.seeds_dir), **(env or {})}
    return subprocess.run([sys.executable, "-m", "hubspoke.cli", "--root", str(paths.root), "validate", *args],
                          capture_output=True, text=True, timeout=300, env=environment)


def test_cli_clean_files_exit_0_in_every_format(tmp_path: Path) -> None:
    paths = make_project("clean", tmp_path)
    text = run_cli(paths)
    assert (text.returncode, text.stderr) == (0, "")
    assert "no problems" in text.stdout
    as_json = run_cli(paths, "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == {"conforms": True, "count": 0, "results": []}
    as_turtle = run_cli(paths, "--format", "turtle")
    graph = rdflib.Graph().parse(data=as_turtle.stdout, format="turtle")
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    assert as_turtle.returncode == 0 and graph.value(report, SH.conforms) == rdflib.Literal(True)


def test_cli_violations_exit_1_in_every_format(tmp_path: Path) -> None:
    paths = make_project("dates", tmp_path)
    expected = expected_rows("dates")
    text = run_cli(paths)
    assert text.returncode == 1 and "Traceback" not in text.stdout + text.stderr
    assert "instances/dates.ttl:30: hsi:ends-before-start hs:endDate  [hsh:StartBeforeEndRule" in text.stdout
    assert f"{len(expected)} problem(s)" in text.stdout
    assert 'quote: "Japan and Australia signed a Joint Declaration' in text.stdout  # the fact's source quote

    as_json = json.loads(run_cli(paths, "--format", "json").stdout)
    assert as_json["conforms"] is False and as_json["count"] == len(expected)
    first = as_json["results"][0]
    assert (f"{first['file']}:{first['line']}", first["rule"]) == tuple(expected[0].split("\t")[:2])

    as_turtle = run_cli(paths, "--format", "turtle")
    assert as_turtle.returncode == 1
    graph = rdflib.Graph().parse(data=as_turtle.stdout, format="turtle")
    results = list(graph.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == len(expected)
    focus = {str(graph.value(r, SH.focusNode)) for r in results}
    assert ns.HSI + "ends-before-start" in focus
    assert all(graph.value(r, SH.resultSeverity) == SH.Violation and graph.value(r, SH.resultMessage) for r in results)


def test_cli_names_every_statement_of_a_problem_newest_first(tmp_path: Path) -> None:
    """blame-dates: the date just added (uncommitted) is the problem's line, the committed one is also named."""
    paths = make_project("blame-dates", tmp_path)
    text = run_cli(paths)
    assert text.returncode == 1
    assert "instances/second-date.ttl:9: hsi:japan-australia-declaration-2007 hs:date" in text.stdout
    assert "also involved: instances/japan-australia.ttl:12" in text.stdout
    result = json.loads(run_cli(paths, "--format", "json").stdout)["results"][0]
    assert (result["file"], result["line"], result["related"]) == ("instances/second-date.ttl", 9,
                                                                   ["instances/japan-australia.ttl:12"])


def test_cli_syntax_error_is_a_problem_with_its_line(tmp_path: Path) -> None:
    paths = make_project("clean", tmp_path)
    (paths.instances_dir / "broken.ttl").write_text("@prefix hsi: <https://w3id.org/hubspoke/id/> .\n\nhsi:x hsi:y hsi:z = .\nhsi:a hsi:b hsi:c .\n",
                                                    encoding="utf-8")
    run = run_cli(paths, "--format", "json")
    assert run.returncode == 1
    result = json.loads(run.stdout)["results"][0]
    assert (result["file"], result["line"], result["rule"]) == ("instances/broken.ttl", 3, "turtle-syntax")


def test_cli_malformed_identifier_table_is_a_problem_with_its_line(tmp_path: Path) -> None:
    paths = make_project("clean", tmp_path)
    paths.identifiers_csv.write_text("entity,wikidata,iso3166_alpha2,iso3166_alpha3,reviewed_note\n"
                                     "japan,Q17,JP,JPN,\nindia,Q0668,IN,IND,\n", encoding="utf-8")
    run = run_cli(paths, "--format", "json")
    assert run.returncode == 1, run.stderr
    result = json.loads(run.stdout)["results"][0]
    assert (result["file"], result["line"], result["rule"]) == ("instances/identifiers.csv", 3, "identifier-table")
    assert "malformed Wikidata QID" in result["message"]


def test_cli_exit_2_when_the_seeds_are_missing(tmp_path: Path) -> None:
    paths = make_project("clean", tmp_path)
    run = run_cli(paths, env={"HUBSPOKE_SEEDS": str(tmp_path / "no-such-folder")})
    assert run.returncode == 2
    assert "could not run" in run.stderr and "no-such-folder" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_cli_exit_2_when_java_is_missing(tmp_path: Path) -> None:
    paths = make_project("clean", tmp_path)
    run = run_cli(paths, env={"PATH": str(tmp_path / "empty-bin")})
    assert run.returncode == 2
    assert "HermiT could not run" in run.stderr and "Traceback" not in run.stdout + run.stderr


def test_real_files_validate_clean(project_root: Path, seeds_dir: Path) -> None:
    paths = ProjectPaths.at(project_root, seeds_dir=seeds_dir)
    run = run_cli(paths)
    assert run.returncode == 0, run.stdout + run.stderr


def test_quickxplain_with_the_real_hermit_names_each_inconsistency(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the direct reading of clashes switched off, HermiT and the culprit search alone must find
    both inconsistencies of the owl-hidden fixture, each as the smallest set of facts that causes it."""
    import hubspoke.validation.consistency as consistency
    from hubspoke.build import assemble

    paths = make_project("owl-hidden", tmp_path)
    graphs, _files = assemble(paths, "0.0.1")
    monkeypatch.setattr(consistency, "visible_conflicts", lambda ontology, groups: [])
    result = consistency.check_consistency(graphs[ns.ONTOLOGY_GRAPH], graphs[ns.FACTS_GRAPH])
    found = {frozenset(c.subject.removeprefix(ns.HSI) for c in conflict) for conflict in result.conflicts}
    assert found == {frozenset({"the-alliance", "the-agreement"}), frozenset({"japan", "the-declaration"})}
    assert not result.gave_up

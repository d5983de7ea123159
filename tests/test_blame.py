"""Blame the line that changed (hubspoke.validation.blame): what git says changed against HEAD, and how
that ranks the statements a problem involves. The fixtures blame-disjoint and blame-dates in
tests/validation run the same through the whole validator."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hubspoke import namespaces as ns
from hubspoke.validation import Problem
from hubspoke.validation.blame import Recency, blame, changed_lines, merge_pairs, recency
from hubspoke.validation.locate import index_files

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = "@prefix hs: <https://w3id.org/hubspoke/ontology/> .\n@prefix hsi: <https://w3id.org/hubspoke/id/> .\n\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True, timeout=60)


def test_changed_lines_are_the_edits_since_head_and_untracked_files(tmp_path: Path) -> None:
    (tmp_path / "instances").mkdir()
    old = tmp_path / "instances" / "old.ttl"
    old.write_text("".join(f"line {n}\n" for n in range(1, 6)), encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    old.write_text("line 1\nline 2\nline three\nline 4\nline 5\nline 6\n", encoding="utf-8")
    (tmp_path / "instances" / "new.ttl").write_text("anything\n", encoding="utf-8")
    assert changed_lines(tmp_path, "instances") == {"instances/old.ttl": frozenset({3, 6}), "instances/new.ttl": None}


def test_no_git_means_no_changed_lines_but_mtimes(tmp_path: Path) -> None:
    (tmp_path / "instances").mkdir()
    path = tmp_path / "instances" / "a.ttl"
    path.write_text("x\n", encoding="utf-8")
    found = recency(tmp_path, [path])
    assert found.changed == {} and set(found.mtimes) == {"instances/a.ttl"}


def test_a_changed_line_is_blamed_before_a_newer_unchanged_file(tmp_path: Path) -> None:
    """Git's word beats the file dates: the old file's edited line is the one to look at first."""
    folder = tmp_path / "instances"
    folder.mkdir()
    (folder / "a.ttl").write_text(PREFIXES + "hsi:x a hs:Alliance .\n", encoding="utf-8")
    (folder / "b.ttl").write_text(PREFIXES + "\nhsi:x a hs:StrategicPartnership .\n", encoding="utf-8")
    index = index_files(tmp_path, sorted(folder.glob("*.ttl")))
    problem = Problem("owl:disjointWith", ns.HSI + "x", "disjoint types", path=RDF_TYPE, value=ns.HS + "Alliance")
    by_git = Recency(changed={"instances/a.ttl": frozenset({4})}, mtimes={"instances/a.ttl": 1.0, "instances/b.ttl": 2.0})
    blamed = blame(problem, index, by_git)
    assert (blamed.where, blamed.related) == ("instances/a.ttl:4", ("instances/b.ttl:5",))
    by_date = Recency(mtimes={"instances/a.ttl": 1.0, "instances/b.ttl": 2.0})
    blamed = blame(problem, index, by_date)
    assert (blamed.where, blamed.related) == ("instances/b.ttl:5", ("instances/a.ttl:4",))


def test_a_problem_with_one_statement_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "instances"
    folder.mkdir()
    (folder / "a.ttl").write_text(PREFIXES + "hsi:x a hs:Alliance ;\n    hs:hasParty hsi:japan , hsi:japan .\n",
                                  encoding="utf-8")
    index = index_files(tmp_path, [folder / "a.ttl"])
    problem = Problem("hsh:AllianceShape hs:hasParty", ns.HSI + "x", "two parties", path=ns.HS + "hasParty",
                      file="instances/a.ttl", line=5)
    assert blame(problem, index, Recency()) == problem


def test_a_duplicate_is_one_problem_at_the_copy_curated_last() -> None:
    """The duplicate-event rule sees the pair from both sides; one problem stays, at the newer file."""
    def duplicate(name: str, other: str, file: str) -> Problem:
        return Problem("hsh:DuplicateEventRule", ns.HSI + name, f"It looks like hsi:{other} curated again",
                       path=ns.HS + "date", file=file, line=9)

    pair = [duplicate("malabar-2015", "exercise-malabar-2015", "instances/a.ttl"),
            duplicate("exercise-malabar-2015", "malabar-2015", "instances/b.ttl")]
    merged = merge_pairs(pair, Recency(mtimes={"instances/a.ttl": 1.0, "instances/b.ttl": 2.0}))
    assert [(p.where, p.focus, p.related) for p in merged] == [
        ("instances/b.ttl:9", ns.HSI + "exercise-malabar-2015", ("instances/a.ttl:9",))]

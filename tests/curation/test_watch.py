"""`hubspoke validate --watch`: a save is re-checked, the problem shown at its line, and cleared by the fix."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from hubspoke.cli import project_version
from hubspoke.config import ProjectPaths
from hubspoke.curation.watch import FULL_NEVER, FULL_WHEN_CLEAN, Watcher

ALLIANCE = "hsi:australia-us-alliance a hs:Alliance ;\n"
BROKEN = ALLIANCE + "    hs:hasParty hsi:sydney ;\n"  # a city as a party: two shapes say so


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def broken_line(path: Path) -> int:
    return path.read_text(encoding="utf-8").splitlines().index("    hs:hasParty hsi:sydney ;") + 1


def test_watch_reports_an_edit_at_its_line_and_clears_after_the_fix(project: Path, seeds_dir: Path) -> None:
    paths = ProjectPaths.at(project, seeds_dir=seeds_dir)
    watcher = Watcher(paths, project_version(project), full=FULL_WHEN_CLEAN)
    first = watcher.check(first=True)
    assert first is not None and first.clean, first  # the real files: valid, full check included
    assert watcher.check() is None  # nothing saved, nothing re-checked

    facts = project / "instances" / "japan-australia.ttl"
    edit(facts, ALLIANCE, BROKEN)
    broken = watcher.check()
    assert broken is not None and broken.files == ["instances/japan-australia.ttl"]
    assert broken.focus < 10  # the edited alliance and what points at it, not the whole graph
    rules = {(p.file, p.line, p.rule) for p in broken.problems}
    line = broken_line(facts)
    assert ("instances/japan-australia.ttl", line, "hsh:AllianceShape hs:hasParty") in rules
    assert broken.full is None  # shapes failed: the slow full check waits for them

    edit(facts, BROKEN, ALLIANCE)
    fixed = watcher.check()
    assert fixed is not None and fixed.problems == [] and fixed.full == []  # cleared, and the full check agrees
    assert fixed.clean


def test_a_problem_elsewhere_stands_while_another_file_is_edited(project: Path, seeds_dir: Path) -> None:
    paths = ProjectPaths.at(project, seeds_dir=seeds_dir)
    watcher = Watcher(paths, project_version(project), full=FULL_NEVER)
    watcher.check(first=True)
    facts = project / "instances" / "japan-australia.ttl"
    edit(facts, ALLIANCE, BROKEN)
    assert watcher.check() is not None
    states = project / "instances" / "states.ttl"
    states.write_text(states.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    other = watcher.check()
    assert other is not None and other.files == ["instances/states.ttl"]
    assert any(p.file == "instances/japan-australia.ttl" for p in other.problems)  # not re-checked, still there


def test_a_syntax_error_is_shown_and_the_next_good_save_is_checked_in_full(project: Path, seeds_dir: Path) -> None:
    paths = ProjectPaths.at(project, seeds_dir=seeds_dir)
    watcher = Watcher(paths, project_version(project), full=FULL_NEVER)
    watcher.check(first=True)
    facts = project / "instances" / "japan-australia.ttl"
    edit(facts, ALLIANCE, "hsi:australia-us-alliance a hs:Alliance\n")  # the ';' forgotten
    bad = watcher.check()
    assert bad is not None and [p.check for p in bad.problems] == ["syntax"]
    assert bad.problems[0].file == "instances/japan-australia.ttl" and bad.problems[0].line > 0
    edit(facts, "hsi:australia-us-alliance a hs:Alliance\n", ALLIANCE)
    good = watcher.check()
    assert good is not None and good.problems == [] and good.focus > 100


def test_the_command_line_watch_prints_the_problem_after_a_save(project: Path, seeds_dir: Path) -> None:
    env = {**os.environ, "HUBSPOKE_SEEDS": str(seeds_dir), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "hubspoke.cli", "--root", str(project), "validate", "--watch",
                                "--shapes-only", "--interval", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env)
    try:
        assert process.stdout is not None
        lines: list[str] = []

        def read_until(marker: str, count: int) -> None:
            deadline = time.monotonic() + 120
            while sum(marker in line for line in lines) < count:
                assert time.monotonic() < deadline and process.poll() is None, "".join(lines)
                lines.append(process.stdout.readline())  # type: ignore[union-attr]

        read_until("waiting for a change", 1)
        facts = project / "instances" / "japan-australia.ttl"
        edit(facts, ALLIANCE, BROKEN)
        read_until("waiting for a change", 2)
        output = "".join(lines)
        assert f"instances/japan-australia.ttl:{broken_line(facts)}: hsi:australia-us-alliance hs:hasParty" in output
        assert "hsh:AllianceShape" in output
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def test_in_the_background_a_save_stops_the_full_check_and_the_next_verdict_comes_after_it(
        project: Path, seeds_dir: Path) -> None:
    paths = ProjectPaths.at(project, seeds_dir=seeds_dir)
    watcher = Watcher(paths, project_version(project), full=FULL_WHEN_CLEAN, background=True)
    try:
        first = watcher.check(first=True)
        assert first is not None and first.shapes == [] and first.full is None and watcher.running()
        facts = project / "instances" / "japan-australia.ttl"
        edit(facts, ALLIANCE, BROKEN)  # saved while the full check runs
        broken = watcher.check()
        assert broken is not None and not watcher.running()  # stopped: shape problems, no full check
        assert any(p.rule == "hsh:AllianceShape hs:hasParty" for p in broken.problems)
        assert watcher.finished() is None  # the stopped check gives no verdict
        edit(facts, BROKEN, ALLIANCE)
        fixed = watcher.check()
        assert fixed is not None and fixed.shapes == [] and watcher.running()
        done = watcher.finished(wait=300)
        assert done is fixed and done.full == [] and done.clean
    finally:
        watcher.cancel()


def test_the_shapes_verdict_kept_node_by_node_is_a_full_run_s(project: Path, seeds_dir: Path) -> None:
    """The full verdict takes the shapes' problems the watch keeps up to date node by node instead of
    running pyshacl again: after edits, they must be exactly what a full run of the shapes finds."""
    from hubspoke.build import assemble
    from hubspoke.validation import Problem, validate_shacl
    from hubspoke import namespaces as ns
    from hubspoke.rdf_bridge import to_rdflib

    def key(p: Problem) -> tuple[str, str, str, str, str]:
        return (p.rule, p.focus, p.path, p.value, p.message)

    paths = ProjectPaths.at(project, seeds_dir=seeds_dir)
    watcher = Watcher(paths, project_version(project), full=FULL_NEVER)
    watcher.check(first=True)
    facts = project / "instances" / "japan-australia.ttl"
    edit(facts, ALLIANCE, BROKEN)  # a city as a party
    watcher.check()
    states = project / "instances" / "states.ttl"
    edit(states, "hsi:india a hs:State", "hsi:india a hs:Place")  # every fact with India as a party changes
    found = watcher.check()
    assert found is not None and found.focus < 200
    graphs, _files = assemble(paths, "0")
    full = validate_shacl(to_rdflib([*graphs[ns.ONTOLOGY_GRAPH], *graphs[ns.FACTS_GRAPH], *graphs[ns.LINKS_GRAPH]]),
                          to_rdflib(graphs[ns.SHAPES_GRAPH]))
    assert sorted(map(key, found.shapes)) == sorted(map(key, full))
    assert any(p.value.endswith("/india") for p in full)  # the edits did break shapes: India is no state now

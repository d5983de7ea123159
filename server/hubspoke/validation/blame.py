"""Blame the line that changed: when a problem involves several statements (a node typed twice with
disjoint classes, two values of one date, a property written in two files), the problem names all of
them, and the one most likely wrong comes first.

Most likely wrong = the statement on a line changed since the last commit (git diff against HEAD, or
a file git does not track yet), then the one in the most recently modified file. The facts that were
there and validated before are the ones a curator checked; the line just added is the usual culprit.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hubspoke.validation.locate import Location, SourceIndex
from hubspoke.validation.problems import Problem

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Rules whose value names one of the statements, not the one to blame: all statements of the path count.
_ALL_STATEMENTS = {"owl:disjointWith", "owl:FunctionalProperty"}
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(frozen=True)
class Recency:
    """How recently each curated file, and each of its lines, changed (paths relative to the project)."""

    changed: Mapping[str, frozenset[int] | None] = field(default_factory=dict)  # None: the whole file is new
    mtimes: Mapping[str, float] = field(default_factory=dict)

    def is_changed(self, where: Location) -> bool:
        if where.file not in self.changed:
            return False
        lines = self.changed[where.file]
        return lines is None or where.line in lines

    def rank(self, where: Location) -> tuple[int, float, str, int]:
        """Sorts the most likely wrong statement first: changed lines, then newer files."""
        return (0 if self.is_changed(where) else 1, -self.mtimes.get(where.file, 0.0), where.file, where.line)


def _git(root: Path, *args: str) -> str | None:
    try:
        run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout if run.returncode == 0 else None


def changed_lines(root: Path, folder: str) -> dict[str, frozenset[int] | None]:
    """Lines of the folder's files changed against HEAD, and its untracked files (None: all lines);
    empty when the project is not in a git repository or has no commit yet."""
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return {}
    changed: dict[str, frozenset[int] | None] = {}
    for name in (_git(root, "ls-files", "--others", "--exclude-standard", "--", folder) or "").splitlines():
        changed[name] = None
    diff = _git(root, "diff", "--relative", "-U0", "--no-color", "--no-ext-diff", "HEAD", "--", folder) or ""
    for block in re.split(r"^diff --git ", diff, flags=re.MULTILINE)[1:]:
        target = re.search(r"^\+\+\+ b/(.+)$", block, re.MULTILINE)
        if target is None:  # a deleted file
            continue
        lines: set[int] = set()
        for hunk in _HUNK.finditer(block):
            start, count = int(hunk.group(1)), int(hunk.group(2) if hunk.group(2) is not None else 1)
            lines.update(range(start, start + count))
        changed[target.group(1)] = frozenset(lines)
    return changed


def recency(root: Path, files: Iterable[Path], folder: str = "instances") -> Recency:
    """The recency of the curated files: git changes when in a repository, and every file's mtime."""
    mtimes = {}
    for path in files:
        try:
            mtimes[str(path.resolve().relative_to(root.resolve()))] = path.stat().st_mtime
        except (OSError, ValueError):
            continue
    return Recency(changed=changed_lines(root, folder), mtimes=mtimes)


def statements(problem: Problem, index: SourceIndex) -> list[Location]:
    """Every place a statement the problem involves is written: the exact triple when its value names
    it, else every line that gives the focus node that property."""
    if not problem.focus or not problem.path:
        return []
    if problem.value and problem.rule not in _ALL_STATEMENTS:
        exact = index.objects.get((problem.focus, problem.path, problem.value))
        if exact:
            return list(exact)
    return list(index.predicates.get((problem.focus, problem.path), []))


def blame(problem: Problem, index: SourceIndex, recency: Recency) -> Problem:
    """The problem at its most likely wrong statement, the other statements it involves named in
    `related`; unchanged when it involves one statement."""
    places = list(dict.fromkeys(statements(problem, index)))
    if len(places) < 2:
        return problem
    ordered = sorted(places, key=recency.rank)
    first = ordered[0]
    return dataclasses.replace(problem, file=first.file, line=first.line,
                               related=tuple(str(w) for w in ordered[1:]))


# Rules that report a pair of nodes twice, once from each side, each naming the other in its message.
PAIRED_RULES = frozenset({"hsh:DuplicateEventRule"})


def merge_pairs(problems: list[Problem], recency: Recency) -> list[Problem]:
    """One problem per pair of a paired rule, at the side most likely wrong (the newer one: the
    duplicate of an event is the one curated last), the other side named in `related`."""
    from hubspoke.validation.problems import compact

    out: list[Problem] = []
    merged: set[int] = set()
    for i, p in enumerate(problems):
        if i in merged:
            continue
        if p.rule in PAIRED_RULES and p.file:
            j = next((j for j, q in enumerate(problems) if j > i and j not in merged and q.rule == p.rule and q.file
                      and compact(q.focus) in p.message and compact(p.focus) in q.message), None)
            if j is not None:
                merged.add(j)
                q = problems[j]
                first, second = sorted((p, q), key=lambda x: recency.rank(Location(x.file, x.line)))
                p = dataclasses.replace(first, related=(*first.related, second.where, *second.related))
        out.append(p)
    return out

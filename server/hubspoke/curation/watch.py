"""`hubspoke validate --watch`: the curated files checked again on every save, the answer in seconds.

Each round: re-parse the changed files only (the rest stay parsed), run the node shapes on the nodes
the edit touched (hubspoke.curation.focused), print that; then, when the shapes are clean (or always,
with --owl), the full check `hubspoke build` runs — cross-fact rules, OWL consistency with HermiT,
quotes — through `hubspoke.build.validate`, so the loop ends on the build's own verdict.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

import pyoxigraph as ox
import rdflib

from hubspoke import namespaces as ns
from hubspoke.config import ProjectPaths
from hubspoke.curation.focused import affected_nodes, all_subjects, focused_shacl, graph_of
from hubspoke.curation.workspace import Change, Workspace
from hubspoke.loading import CuratedFileError
from hubspoke.validation import Problem

FULL_WHEN_CLEAN, FULL_ALWAYS, FULL_NEVER = "clean", "always", "never"


@dataclass
class Round:
    """One check after a change: what each stage found and how long it took."""

    files: list[str]
    syntax: list[Problem] = field(default_factory=list)
    focus: int = 0
    shapes: list[Problem] = field(default_factory=list)
    shapes_seconds: float = 0.0
    full: list[Problem] | None = None  # None: the full check did not run this round
    full_seconds: float = 0.0
    cannot_run: str = ""

    @property
    def problems(self) -> list[Problem]:
        return self.syntax + (self.full if self.full is not None else self.shapes)

    @property
    def clean(self) -> bool:
        return not self.problems and self.full is not None and not self.cannot_run


def syntax_problem(error: CuratedFileError, paths: ProjectPaths) -> Problem:
    """A file that does not parse, as `hubspoke validate` reports it."""
    where = error.path.relative_to(paths.root) if error.path.is_relative_to(paths.root) else error.path
    return Problem(error.rule, "", f"{error.what}: {error.message}", file=str(where), line=error.line or 0, check="syntax")


class Watcher:
    """The state kept between rounds: the parsed files, the rdflib graphs pyshacl reads, the line index."""

    def __init__(self, paths: ProjectPaths, version: str, full: str = FULL_WHEN_CLEAN) -> None:
        self.paths = paths
        self.full = full
        self.workspace = Workspace(paths, version)
        self._data: rdflib.Graph | None = None
        self._shapes: rdflib.Graph | None = None
        self._everything = True  # check every node next round: the first one, or after a file did not parse
        self._known: list[Problem] = []  # the shape problems of the nodes not re-checked this round still stand

    def _update_graphs(self, change: Change, graphs: dict[str, list[ox.Triple]]) -> None:
        """Keep pyshacl's graphs in step: facts edits are applied as differences, anything else rebuilds."""
        data_triples = [*graphs[ns.ONTOLOGY_GRAPH], *graphs[ns.FACTS_GRAPH], *graphs[ns.LINKS_GRAPH]]
        blank = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                    for t in change.added | change.removed)
        if self._data is None or self._shapes is None or change.schema or blank:
            self._data = graph_of(data_triples)
            self._shapes = graph_of(graphs[ns.SHAPES_GRAPH])
            return
        still = set(data_triples)  # a triple removed from one file may still be stated in another
        gone = [t for t in change.removed if t not in still]
        if gone:
            self._data -= graph_of(gone)
        if change.added:
            self._data += graph_of(change.added)

    def check(self, first: bool = False) -> Round | None:
        """One poll: None when nothing changed (and this is not the first round), else the round's result."""
        change = self.workspace.refresh()
        if not change and not first:
            return None
        found = Round(files=[str(p.relative_to(self.paths.root)) if p.is_relative_to(self.paths.root) else str(p)
                             for p in change.files])
        found.syntax = [syntax_problem(e, self.paths) for e in change.errors]
        if found.syntax:  # the graphs would lack the broken file: its facts would look removed
            self._data, self._everything = None, True
            return found
        graphs = self.workspace.graphs()
        self._update_graphs(change, graphs)
        assert self._data is not None and self._shapes is not None
        started = time.perf_counter()
        everything = self._everything or change.schema
        focus = (all_subjects(graphs[ns.FACTS_GRAPH]) if everything
                 else affected_nodes(change.added | change.removed, graphs[ns.FACTS_GRAPH]))
        found.focus = len(focus)
        try:
            fresh = self._locate(focused_shacl(self._data, self._shapes, focus))
        except Exception as error:  # the shapes themselves are broken: say so and keep watching
            found.cannot_run = str(error)
            self._everything = True
            return found
        kept = [] if everything else [p for p in self._known if p.focus not in focus]
        found.shapes = self._known = sorted(set(kept + fresh), key=Problem.sort_key)
        self._everything = False
        found.shapes_seconds = time.perf_counter() - started
        if self.full == FULL_ALWAYS or (self.full == FULL_WHEN_CLEAN and not found.shapes):
            self._full(found, graphs)
        return found

    def _full(self, found: Round, graphs: dict[str, list[ox.Triple]]) -> None:
        from hubspoke.build import validate

        started = time.perf_counter()
        try:
            found.full = validate(graphs, self.paths)
        except Exception as error:  # no Java, no seeds, a malformed rule: the data is neither good nor bad
            found.cannot_run = str(error)
        found.full_seconds = time.perf_counter() - started

    def _locate(self, problems: list[Problem]) -> list[Problem]:
        from hubspoke.locate import index_files
        from hubspoke.validation import locate

        index = index_files(self.paths.root, self.workspace.instance_files(), self.paths.identifiers_csv)
        return sorted((locate(p, index) for p in problems), key=Problem.sort_key)


def describe(found: Round) -> str:
    """The round as the curator reads it in the terminal: stage by stage, the problems, the verdict."""
    from hubspoke.report import as_text

    stamp = datetime.now().strftime("%H:%M:%S")
    lines = [f"[{stamp}] {', '.join(found.files) or 'the curated files'}"]
    if found.syntax:
        lines.append(as_text(found.syntax).rstrip("\n"))
        lines.append("fix the syntax first: the other checks wait for a file that parses")
        return "\n".join(lines) + "\n"
    if found.cannot_run:
        lines.append(f"error: validation could not run: {found.cannot_run}")
        return "\n".join(lines) + "\n"
    lines.append(f"shapes on {found.focus} node(s): {len(found.shapes) or 'no'} problem(s) in {found.shapes_seconds:.2f} s")
    if found.full is None:
        if found.shapes:
            lines.append(as_text(found.shapes).rstrip("\n"))
        lines.append("full check (cross-fact rules, OWL, quotes) not run: " +
                     ("fix the shape problems first, or watch with --owl" if found.shapes else "--shapes-only"))
    else:
        lines.append(f"full check (cross-fact rules, OWL, quotes) in {found.full_seconds:.2f} s:")
        lines.append(as_text(found.full).rstrip("\n"))
    return "\n".join(lines) + "\n"


def watch(watcher: Watcher, out: TextIO, interval: float = 0.25,
          stop: Callable[[], bool] = lambda: False) -> None:
    """Check at once, then after every change until `stop()` says so (or Ctrl-C)."""
    out.write(f"watching {watcher.paths.root} (ontology/, instances/, shapes/); Ctrl-C to stop\n")
    out.flush()
    first = True
    while not stop():
        found = watcher.check(first=first)
        first = False
        if found is not None:
            out.write(describe(found))
            out.write("waiting for a change...\n")
            out.flush()
        time.sleep(interval)

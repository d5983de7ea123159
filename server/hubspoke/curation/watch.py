"""`hubspoke validate --watch`: the curated files checked again on every save, the answer in seconds.

Each round: re-parse the changed files only (the rest stay parsed), run the node shapes on the nodes
the edit touched (hubspoke.curation.focused), print that; then, when the shapes are clean (or always,
with --owl), the full check `hubspoke build` runs — cross-fact rules, OWL consistency with HermiT,
quotes — through `hubspoke.build.validate`, so the loop ends on the build's own verdict.

The full check takes seconds, so the watch runs it in a child process and keeps polling: a save
while it runs stops it (its verdict would be about files that changed since) and the new round's
shape problems are on screen as fast as ever.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
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
from hubspoke.validation import Problem, compact, sparql_rules, validate_shacl

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

    def __init__(self, paths: ProjectPaths, version: str, full: str = FULL_WHEN_CLEAN, background: bool = False) -> None:
        self.paths = paths
        self.full = full
        self.background = background  # the full check in a child process that a new save stops
        self._running: tuple[multiprocessing.process.BaseProcess, Connection, Round, float] | None = None
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
        """One poll: None when nothing changed (and this is not the first round), else the round's result
        (in the background mode without the full check's, which `finished()` gives later)."""
        change = self.workspace.refresh()
        if not change and not first:
            return None
        self.cancel()  # a full check still running is about files that have changed since
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
        everything = self._everything or change.schema or not self._one_step()
        focus = (all_subjects(graphs[ns.FACTS_GRAPH]) if everything
                 else affected_nodes(change.added | change.removed, graphs[ns.FACTS_GRAPH]))
        found.focus = len(focus)
        try:
            # Every node the first time (and after a schema change): the known problems are then the
            # shapes' whole verdict, which the full check takes instead of running pyshacl again.
            fresh = self._locate(validate_shacl(self._data, self._shapes) if everything
                                 else focused_shacl(self._data, self._shapes, focus))
        except Exception as error:  # the shapes themselves are broken: say so and keep watching
            found.cannot_run = str(error)
            self._everything = True
            return found
        # The whole-graph rules ran in full (focused_shacl): none of their old problems still stands.
        rules = {compact(str(r.shape)) for r in sparql_rules.split(self._shapes)[1]}
        kept = [] if everything else [p for p in self._known if p.focus not in focus and p.rule not in rules]
        found.shapes = self._known = sorted(set(kept + fresh), key=Problem.sort_key)
        self._everything = False
        found.shapes_seconds = time.perf_counter() - started
        if self.full == FULL_ALWAYS or (self.full == FULL_WHEN_CLEAN and not found.shapes):
            self._full(found, graphs)
        return found

    def _one_step(self) -> bool:
        """Whether the shapes read one step from their focus node, so that affected_nodes() finds every
        node an edit can change (validation/write_checks.py); else every round checks every node."""
        from hubspoke.validation.write_checks import reads_one_step

        assert self._shapes is not None
        return reads_one_step(sparql_rules.split(self._shapes)[0])

    def _full(self, found: Round, graphs: dict[str, list[ox.Triple]]) -> None:
        shapes = list(self._known)  # the shapes' verdict on these graphs, kept node by node
        if self.background:
            receive, send = multiprocessing.Pipe(duplex=False)
            # fork: the graphs are the child's without pickling; nothing else runs in this process then
            child = multiprocessing.get_context("fork").Process(target=_full_child,
                                                                 args=(graphs, self.paths, send, shapes), daemon=True)
            child.start()
            send.close()
            self._running = (child, receive, found, time.perf_counter())
            return
        started = time.perf_counter()
        found.full, found.cannot_run = _full_check(graphs, self.paths, shapes)
        found.full_seconds = time.perf_counter() - started

    def running(self) -> bool:
        return self._running is not None

    def finished(self, wait: float = 0.0) -> Round | None:
        """The round whose background full check has just ended, with its verdict; else None."""
        if self._running is None:
            return None
        child, receive, found, started = self._running
        if not receive.poll(wait):
            if child.is_alive():
                return None
            found.full, found.cannot_run = None, "the full check ended without a verdict"
        else:
            try:
                found.full, found.cannot_run = receive.recv()
            except EOFError:
                found.full, found.cannot_run = None, "the full check ended without a verdict"
        found.full_seconds = time.perf_counter() - started
        child.join(timeout=10)
        receive.close()
        self._running = None
        return found

    def cancel(self) -> None:
        """Stop a running full check with the processes it started (HermiT's Java)."""
        if self._running is None:
            return
        child, receive, _found, _started = self._running
        if child.pid is not None:
            try:
                os.killpg(child.pid, signal.SIGKILL)  # the child leads its own group: Java goes too
            except ProcessLookupError:
                pass
        child.join(timeout=10)
        receive.close()
        self._running = None

    def _locate(self, problems: list[Problem]) -> list[Problem]:
        from hubspoke.validation.locate import index_files
        from hubspoke.validation import locate

        index = index_files(self.paths.root, self.workspace.instance_files(), self.paths.identifiers_csv)
        return sorted((locate(p, index) for p in problems), key=Problem.sort_key)


def _full_check(graphs: dict[str, list[ox.Triple]], paths: ProjectPaths,
                shapes: list[Problem] | None = None) -> tuple[list[Problem] | None, str]:
    """(problems, "") or (None, why the check could not run)."""
    from hubspoke.build import validate

    try:
        return validate(graphs, paths, shapes), ""
    except Exception as error:  # no Java, no seeds, a malformed rule: the data is neither good nor bad
        return None, str(error)


def _full_child(graphs: dict[str, list[ox.Triple]], paths: ProjectPaths, send: Connection,
                shapes: list[Problem] | None = None) -> None:
    os.setpgid(0, 0)  # its own process group, so that cancel() stops HermiT's Java with it
    send.send(_full_check(graphs, paths, shapes))
    send.close()


def describe(found: Round, pending: bool = False) -> str:
    """The round as the curator reads it in the terminal: stage by stage, the problems, the verdict
    (`pending`: the full check is running in the background)."""
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
        if pending:
            lines.append("full check (cross-fact rules, OWL, quotes) running; a save stops it")
        else:
            lines.append("full check (cross-fact rules, OWL, quotes) not run: " +
                         ("fix the shape problems first, or watch with --owl" if found.shapes else "--shapes-only"))
    else:
        lines.append(describe_full(found))
    return "\n".join(lines) + "\n"


def describe_full(found: Round) -> str:
    """The full check's verdict on a round."""
    from hubspoke.report import as_text

    if found.cannot_run or found.full is None:
        return f"error: the full check could not run: {found.cannot_run}"
    return f"full check (cross-fact rules, OWL, quotes) in {found.full_seconds:.2f} s:\n" + as_text(found.full).rstrip("\n")


def watch(watcher: Watcher, out: TextIO, interval: float = 0.25,
          stop: Callable[[], bool] = lambda: False) -> None:
    """Check at once, then after every change until `stop()` says so (or Ctrl-C)."""
    out.write(f"watching {watcher.paths.root} (ontology/, instances/, shapes/); Ctrl-C to stop\n")
    out.flush()
    first = True
    try:
        while not stop():
            found = watcher.check(first=first)
            first = False
            if found is not None:
                out.write(describe(found, pending=watcher.running()))
                if not watcher.running():
                    out.write("waiting for a change...\n")
                out.flush()
            done = watcher.finished(wait=interval)  # waits up to one interval for the verdict
            if done is not None:
                out.write(f"[{datetime.now().strftime('%H:%M:%S')}] " + describe_full(done) + "\nwaiting for a change...\n")
                out.flush()
            elif not watcher.running():
                time.sleep(interval)
    finally:
        watcher.cancel()

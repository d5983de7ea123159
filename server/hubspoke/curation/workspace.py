"""The project's curated files kept parsed between checks: a save re-parses that file only.

Files are noticed by polling their size and modification time (a few dozen files: a stat each is
microseconds, and polling needs no dependency and works on every file system, network mounts included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.build import link_triples, version_triples
from hubspoke.config import ProjectPaths
from hubspoke.loading import CuratedFileError, LoadedFile, parse_turtle_file, turtle_files

Stamp = tuple[int, int]  # (st_mtime_ns, st_size): a save changes one or the other


@dataclass
class Change:
    """What one refresh found: the files changed, added or removed, the triples each changed file
    gained or lost, and the first file that no longer parses (the others are still re-read)."""

    files: list[Path] = field(default_factory=list)
    added: set[ox.Triple] = field(default_factory=set)
    removed: set[ox.Triple] = field(default_factory=set)
    errors: list[CuratedFileError] = field(default_factory=list)
    schema: bool = False  # the ontology, the shapes or the identifier table changed: every node is affected

    def __bool__(self) -> bool:
        return bool(self.files)


class Workspace:
    """ontology/, instances/ and shapes/ parsed file by file, with the links from the identifier table;
    `refresh()` re-reads what changed since the last call and keeps the rest."""

    def __init__(self, paths: ProjectPaths, version: str) -> None:
        self.paths = paths
        self.version = version
        self._stamps: dict[Path, Stamp] = {}
        self._triples: dict[Path, list[ox.Triple]] = {}
        self._links: list[ox.Triple] = []
        self._broken: dict[Path, CuratedFileError] = {}

    def watched(self) -> dict[Path, str]:
        """Every file the build reads, with the named graph its triples go to."""
        out = {p: ns.ONTOLOGY_GRAPH for p in turtle_files(self.paths.ontology_dir)}
        out.update({p: ns.FACTS_GRAPH for p in turtle_files(self.paths.instances_dir)})
        out.update({p: ns.SHAPES_GRAPH for p in turtle_files(self.paths.shapes_dir)})
        if self.paths.identifiers_csv.is_file():
            out[self.paths.identifiers_csv] = ns.LINKS_GRAPH
        return out

    def _stamp(self, path: Path) -> Stamp | None:
        try:
            st = path.stat()
        except OSError:
            return None  # removed between listing and stat: seen as removed next time
        return (st.st_mtime_ns, st.st_size)

    def refresh(self) -> Change:
        """Re-parse the files whose stamp changed, drop the removed ones; a file that does not parse keeps
        its last good triples out of the graphs and is reported in `errors` until it parses again."""
        change = Change()
        current = self.watched()
        for path in [p for p in self._stamps if p not in current]:
            change.files.append(path)
            change.removed.update(self._triples.pop(path, []))
            self._broken.pop(path, None)
            del self._stamps[path]
            change.schema = change.schema or path.parent != self.paths.instances_dir or path.suffix != ".ttl"
            if path == self.paths.identifiers_csv:
                self._links = []
        for path, graph in current.items():
            stamp = self._stamp(path)
            if stamp is None or self._stamps.get(path) == stamp:
                continue
            self._stamps[path] = stamp
            change.files.append(path)
            if graph == ns.LINKS_GRAPH:
                change.schema = True
                self._reload_links(change)
                continue
            change.schema = change.schema or graph != ns.FACTS_GRAPH
            try:
                new = parse_turtle_file(path)
            except CuratedFileError as error:
                self._broken[path] = error
                continue
            self._broken.pop(path, None)
            old = set(self._triples.get(path, []))
            fresh = set(new)
            change.added |= fresh - old
            change.removed |= old - fresh
            self._triples[path] = new
        change.errors = [self._broken[p] for p in sorted(self._broken)]
        return change

    def _reload_links(self, change: Change) -> None:
        try:
            self._links = link_triples(self.paths)
            self._broken.pop(self.paths.identifiers_csv, None)
        except CuratedFileError as error:
            self._broken[self.paths.identifiers_csv] = error

    def _folder(self, folder: Path) -> list[Path]:
        return sorted(p for p in self._triples if p.parent == folder)

    def graphs(self) -> dict[str, list[ox.Triple]]:
        """The named graphs as `hubspoke.build.assemble` makes them, from the parsed files."""
        ontology = [LoadedFile(p, ns.ONTOLOGY_GRAPH, self._triples[p]) for p in self._folder(self.paths.ontology_dir)]
        return {
            ns.ONTOLOGY_GRAPH: [t for f in ontology for t in f.triples] + version_triples(ontology, self.version),
            ns.FACTS_GRAPH: [t for p in self._folder(self.paths.instances_dir) for t in self._triples[p]],
            ns.LINKS_GRAPH: list(self._links),
            ns.SHAPES_GRAPH: [t for p in self._folder(self.paths.shapes_dir) for t in self._triples[p]],
        }

    def instance_files(self) -> list[Path]:
        return self._folder(self.paths.instances_dir)

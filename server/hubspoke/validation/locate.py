"""Find the file and line of a curated statement, so a problem can say where to fix it.

The parsers give no line per triple, so each curated file is indexed by a light scan of its text:
a Turtle statement starts at column 0 with its subject (a prefixed name or an <IRI>); its predicates
follow, one per line or after `;`; the objects of each predicate are noted on the line they appear.
Triples inside `[ ... ]` belong to a blank node and are attributed to the line of the `[`. The
identifier table (identifiers.csv) is indexed by the line of each entity's row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from hubspoke import namespaces as ns

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_TOKEN = re.compile(r"<[^>\s]*>|(?:[A-Za-z][\w.-]*)?:(?:[\w%-]|\.(?=[\w%-]))*|\ba\b|_:[\w-]+")


@dataclass(frozen=True)
class Location:
    """A place in a project file; `file` is relative to the project root."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class SourceIndex:
    """Where each subject, (subject, predicate) and (subject, predicate, object IRI) is written."""

    subjects: dict[str, list[Location]] = field(default_factory=dict)
    predicates: dict[tuple[str, str], list[Location]] = field(default_factory=dict)
    objects: dict[tuple[str, str, str], list[Location]] = field(default_factory=dict)
    mentions: dict[str, list[Location]] = field(default_factory=dict)

    def locate(self, focus: str, path: str = "", value: str = "") -> Location | None:
        """The most precise location known: the triple, then the predicate, the subject, any mention."""
        found = self.objects.get((focus, path, value)) or self.predicates.get((focus, path))
        if found:
            return found[0]
        for table in (self.subjects, self.mentions):
            if table.get(focus):
                return table[focus][0]
        return None


_Key = TypeVar("_Key")


def _add(table: dict[_Key, list[Location]], key: _Key, where: Location) -> None:
    table.setdefault(key, [])
    if where not in table[key]:
        table[key].append(where)


class _TurtleScanner:
    """Scans one Turtle file line by line, keeping the state a statement carries across lines."""

    def __init__(self, index: SourceIndex, file: str) -> None:
        self.index, self.file = index, file
        self.prefixes: dict[str, str] = {}
        self.subject = ""
        self.predicate = ""
        self.depth = 0  # inside [ ] or ( )
        self.long_quote = ""  # the delimiter of a multi-line string we are inside, if any
        self.expect = "subject"  # what the next top-level term is: subject, predicate or object

    def expand(self, token: str) -> str:
        if token.startswith("<"):
            return token[1:-1]
        if token == "a":
            return RDF_TYPE
        if token.startswith("_:"):
            return ""
        prefix, _, local = token.partition(":")
        base = self.prefixes.get(prefix)
        return base + local.replace("\\", "") if base is not None else ""

    def scan(self, lineno: int, line: str) -> None:
        declared = _PREFIX.match(line)
        if declared:
            self.prefixes[declared.group(1) or ""] = declared.group(2)
            return
        where = Location(self.file, lineno)
        i = 0
        while i < len(line):
            if self.long_quote:
                end = line.find(self.long_quote, i)
                if end < 0:
                    return
                i, self.long_quote = end + 3, ""
                self.after_object()
                continue
            ch = line[i]
            if ch == "#":
                return
            if ch in "\"'":
                if line.startswith(ch * 3, i):
                    end = line.find(ch * 3, i + 3)
                    if end < 0:
                        self.long_quote = ch * 3
                        return
                    i = end + 3
                else:
                    i = self.skip_string(line, i, ch)
                self.after_object()
                continue
            if ch in "[(":
                if self.depth == 0 and self.expect == "object" and ch == "[":
                    self.note_object("", where)
                self.depth += 1
                i += 1
                continue
            if ch in "])":
                self.depth = max(0, self.depth - 1)
                i += 1
                continue
            if self.depth == 0 and ch == ";":
                self.expect = "predicate"
                i += 1
                continue
            if self.depth == 0 and ch == ",":
                self.expect = "object"
                i += 1
                continue
            if self.depth == 0 and ch == "." and self.expect != "subject":
                self.expect, self.subject, self.predicate = "subject", "", ""
                i += 1
                continue
            match = _TOKEN.match(line, i)
            if not match or match.end() == i:
                i += 1
                continue
            self.term(self.expand(match.group(0)), where)
            i = match.end()

    @staticmethod
    def skip_string(line: str, start: int, quote: str) -> int:
        i = start + 1
        while i < len(line):
            if line[i] == "\\":
                i += 2
                continue
            if line[i] == quote:
                return i + 1
            i += 1
        return i

    def after_object(self) -> None:
        if self.depth == 0 and self.expect == "object":
            self.expect = "object-done"

    def note_object(self, iri: str, where: Location) -> None:
        if self.subject and self.predicate and iri:
            _add(self.index.objects, (self.subject, self.predicate, iri), where)
        self.expect = "object-done"

    def term(self, iri: str, where: Location) -> None:
        if iri:
            _add(self.index.mentions, iri, where)
        if self.depth > 0:
            return
        if self.expect == "subject":
            self.subject, self.expect = iri, "predicate"
            if iri:
                _add(self.index.subjects, iri, where)
        elif self.expect == "predicate":
            self.predicate, self.expect = iri, "object"
            if self.subject and iri:
                _add(self.index.predicates, (self.subject, iri), where)
        elif self.expect == "object":
            self.note_object(iri, where)


def index_turtle(index: SourceIndex, path: Path, relative: str) -> None:
    scanner = _TurtleScanner(index, relative)
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        scanner.scan(lineno, line)


# The identifier table's columns and the statements each row becomes (see identifiers.py).
_CSV_PREDICATES = {
    "wikidata": "http://www.w3.org/2004/02/skos/core#exactMatch",
    "iso3166_alpha2": ns.HS + "iso3166Alpha2",
    "iso3166_alpha3": ns.HS + "iso3166Alpha3",
    "cow_code": ns.HS + "cowCountryCode",
    "geonames": "http://www.w3.org/2004/02/skos/core#exactMatch",
}


def index_identifier_table(index: SourceIndex, path: Path, relative: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            entity = ns.HSI + (row.get("entity") or "").strip()
            where = Location(relative, reader.line_num)
            _add(index.mentions, entity, where)
            for column, predicate in _CSV_PREDICATES.items():
                if (row.get(column) or "").strip():
                    _add(index.predicates, (entity, predicate), where)


def index_files(root: Path, turtle_files: Iterable[Path], identifier_table: Path | None = None) -> SourceIndex:
    """Index the curated Turtle files (and the identifier table, if any) of one project."""
    index = SourceIndex()
    for path in turtle_files:
        index_turtle(index, path, _relative(path, root))
    if identifier_table is not None and identifier_table.is_file():
        index_identifier_table(index, identifier_table, _relative(identifier_table, root))
    return index


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)

"""Parse the project's Turtle files into named graphs; a syntax error names the file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox


class CuratedFileError(Exception):
    """A curated file that cannot be read at all (bad syntax, a malformed table cell): a problem in
    the data, reported with its file and line like any other, not a failure of the tool."""

    rule = "curated-file"
    what = "error"

    def __init__(self, path: Path, line: int | None, column: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        if line is not None and column is not None:
            where += f":{column}"
        super().__init__(f"{where}: {self.what}: {message}")


class RdfSyntaxError(CuratedFileError):
    """A Turtle file that does not parse, with where and why."""

    rule = "turtle-syntax"
    what = "Turtle syntax error"


@dataclass
class LoadedFile:
    """One parsed file and the named graph its triples go to."""

    path: Path
    graph: str
    triples: list[ox.Triple] = field(default_factory=list)


def parse_turtle_file(path: Path) -> list[ox.Triple]:
    """Parse one Turtle file, raising RdfSyntaxError with its line on bad syntax."""
    try:
        return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())]
    except SyntaxError as error:
        raise RdfSyntaxError(path, error.lineno, error.offset, str(error.msg or error)) from error
    except (OSError, ValueError) as error:
        raise RdfSyntaxError(path, None, None, str(error)) from error


def turtle_files(folder: Path) -> list[Path]:
    """The Turtle files directly in a folder, in a stable order (sub-folders such as rules/ excluded)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ttl") if p.is_file())


def load_folder(folder: Path, graph: str) -> list[LoadedFile]:
    """Parse every Turtle file of a folder for one named graph; the first syntax error stops the load."""
    return [LoadedFile(path=p, graph=graph, triples=parse_turtle_file(p)) for p in turtle_files(folder)]

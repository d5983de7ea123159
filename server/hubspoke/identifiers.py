"""Links to open data from the curated, reviewed identifier table (DESIGN.md, modelling rule 7).

`instances/identifiers.csv` has the columns entity, wikidata, iso3166_alpha2, iso3166_alpha3,
reviewed_note. A row becomes `hsi:<entity> skos:exactMatch wd:<QID>` and the hs:iso3166Alpha2 /
hs:iso3166Alpha3 literals; empty cells give nothing. A malformed cell is an error naming its line.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import rdflib
from rdflib.namespace import SKOS

from hubspoke.loading import CuratedFileError

HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
HSI = rdflib.Namespace("https://w3id.org/hubspoke/id/")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

COLUMNS = ("entity", "wikidata", "iso3166_alpha2", "iso3166_alpha3", "reviewed_note")
_PATTERNS = {
    "entity": re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
    "wikidata": re.compile(r"^Q[1-9][0-9]*$"),
    "iso3166_alpha2": re.compile(r"^[A-Z]{2}$"),
    "iso3166_alpha3": re.compile(r"^[A-Z]{3}$"),
}
_WHAT = {
    "entity": "entity slug",
    "wikidata": "Wikidata QID (Q followed by digits, no leading zero)",
    "iso3166_alpha2": "ISO 3166-1 alpha-2 code (two capital letters)",
    "iso3166_alpha3": "ISO 3166-1 alpha-3 code (three capital letters)",
}


class IdentifierTableError(CuratedFileError, ValueError):
    """A malformed row or header of the identifier table, with its line."""

    rule = "identifier-table"
    what = "identifier table error"


def identifier_graph(csv_path: Path) -> rdflib.Graph:
    """The link triples of the identifier table; raises IdentifierTableError naming the line of a bad cell."""
    graph = rdflib.Graph()
    graph.bind("skos", SKOS)
    graph.bind("hs", HS)
    graph.bind("hsi", HSI)
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise IdentifierTableError(csv_path, 1, None, f"the header lacks the column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            cells = {c: (row.get(c) or "").strip() for c in COLUMNS}
            for column, pattern in _PATTERNS.items():
                value = cells[column]
                if (value or column == "entity") and not pattern.match(value):
                    raise IdentifierTableError(csv_path, line, None, f"malformed {_WHAT[column]}: {value!r}")
            entity = HSI[cells["entity"]]
            if cells["wikidata"]:
                graph.add((entity, SKOS.exactMatch, rdflib.URIRef(WIKIDATA_ENTITY + cells["wikidata"])))
            if cells["iso3166_alpha2"]:
                graph.add((entity, HS.iso3166Alpha2, rdflib.Literal(cells["iso3166_alpha2"])))
            if cells["iso3166_alpha3"]:
                graph.add((entity, HS.iso3166Alpha3, rdflib.Literal(cells["iso3166_alpha3"])))
    return graph

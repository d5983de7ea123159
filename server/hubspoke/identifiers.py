"""Links to open data from the curated, reviewed identifier table (DESIGN.md, modelling rule 10).

`instances/identifiers.csv` has the columns entity, wikidata, iso3166_alpha2, iso3166_alpha3,
cow_code, geonames, status, reviewed_note (the last four may be missing in an older table). A row
whose status is `reviewed` becomes `hsi:<entity> skos:exactMatch wd:<QID>` (and
`skos:exactMatch <https://sws.geonames.org/<id>/>` for a place), the hs:iso3166Alpha2 /
hs:iso3166Alpha3 literals and the hs:cowCountryCode integer; empty cells give nothing. A row whose
status is `uncertain` lists an entity whose identity is not certain enough to link: it must carry no
identifier at all (a guess is never entered). A malformed cell is an error naming its line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import SKOS, XSD

from hubspoke.loading import CuratedFileError

HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
HSI = rdflib.Namespace("https://w3id.org/hubspoke/id/")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"

REQUIRED = ("entity", "wikidata", "iso3166_alpha2", "iso3166_alpha3", "reviewed_note")
OPTIONAL = ("cow_code", "geonames", "status")
COLUMNS = REQUIRED[:4] + OPTIONAL + REQUIRED[4:]
IDENTIFIER_COLUMNS = ("wikidata", "iso3166_alpha2", "iso3166_alpha3", "cow_code", "geonames")
STATUSES = ("reviewed", "uncertain")

# What each identifier column becomes: (predicate, kind). Shared with validation/locate.py for file:line.
PREDICATES: dict[str, str] = {
    "wikidata": str(SKOS.exactMatch),
    "geonames": str(SKOS.exactMatch),
    "iso3166_alpha2": str(HS.iso3166Alpha2),
    "iso3166_alpha3": str(HS.iso3166Alpha3),
    "cow_code": str(HS.cowCountryCode),
}

_PATTERNS = {
    "entity": re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
    "wikidata": re.compile(r"^Q[1-9][0-9]*$"),
    "iso3166_alpha2": re.compile(r"^[A-Z]{2}$"),
    "iso3166_alpha3": re.compile(r"^[A-Z]{3}$"),
    "cow_code": re.compile(r"^[1-9][0-9]{0,2}$"),
    "geonames": re.compile(r"^[1-9][0-9]*$"),
}
_WHAT = {
    "entity": "entity slug",
    "wikidata": "Wikidata QID (Q followed by digits, no leading zero)",
    "iso3166_alpha2": "ISO 3166-1 alpha-2 code (two capital letters)",
    "iso3166_alpha3": "ISO 3166-1 alpha-3 code (three capital letters)",
    "cow_code": "Correlates of War country code (a number from 1 to 999, no leading zero)",
    "geonames": "GeoNames id (digits, no leading zero)",
}


class IdentifierTableError(CuratedFileError, ValueError):
    """A malformed row or header of the identifier table, with its line."""

    rule = "identifier-table"
    what = "identifier table error"


@dataclass(frozen=True)
class IdentifierRow:
    """One row of the table, cells stripped; `line` is its line in the file."""

    line: int
    entity: str
    wikidata: str = ""
    iso3166_alpha2: str = ""
    iso3166_alpha3: str = ""
    cow_code: str = ""
    geonames: str = ""
    status: str = "reviewed"
    reviewed_note: str = ""

    @property
    def iri(self) -> str:
        return str(HSI[self.entity])

    @property
    def wikidata_iri(self) -> str:
        return WIKIDATA_ENTITY + self.wikidata if self.wikidata else ""


def read_table(csv_path: Path) -> list[IdentifierRow]:
    """The rows of the table, checked; raises IdentifierTableError naming the line of a bad cell."""
    rows: list[IdentifierRow] = []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise IdentifierTableError(csv_path, 1, None, f"the header lacks the column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            cells = {c: (row.get(c) or "").strip() for c in COLUMNS}
            for column, pattern in _PATTERNS.items():
                value = cells[column]
                if (value or column == "entity") and not pattern.match(value):
                    raise IdentifierTableError(csv_path, line, None, f"malformed {_WHAT[column]}: {value!r}")
            has_ids = any(cells[c] for c in IDENTIFIER_COLUMNS)
            status = cells["status"] or ("reviewed" if has_ids else "uncertain")
            if status not in STATUSES:
                raise IdentifierTableError(csv_path, line, None,
                                           f"status must be one of {', '.join(STATUSES)}, not {status!r}")
            if status == "uncertain" and has_ids:
                raise IdentifierTableError(csv_path, line, None, "an uncertain row carries identifiers: review "
                                           "them and mark the row 'reviewed', or clear the cells (never guess)")
            cells["status"] = status
            rows.append(IdentifierRow(line=line, **cells))
    return rows


def identifier_graph(csv_path: Path) -> rdflib.Graph:
    """The link triples of the identifier table; raises IdentifierTableError naming the line of a bad cell."""
    graph = rdflib.Graph()
    graph.bind("skos", SKOS)
    graph.bind("hs", HS)
    graph.bind("hsi", HSI)
    for row in read_table(csv_path):
        if row.status != "reviewed":
            continue
        entity = HSI[row.entity]
        if row.wikidata:
            graph.add((entity, SKOS.exactMatch, rdflib.URIRef(WIKIDATA_ENTITY + row.wikidata)))
        if row.geonames:
            graph.add((entity, SKOS.exactMatch, rdflib.URIRef(f"{GEONAMES}{row.geonames}/")))
        if row.iso3166_alpha2:
            graph.add((entity, HS.iso3166Alpha2, rdflib.Literal(row.iso3166_alpha2)))
        if row.iso3166_alpha3:
            graph.add((entity, HS.iso3166Alpha3, rdflib.Literal(row.iso3166_alpha3)))
        if row.cow_code:
            graph.add((entity, HS.cowCountryCode, rdflib.Literal(row.cow_code, datatype=XSD.integer)))
    return graph

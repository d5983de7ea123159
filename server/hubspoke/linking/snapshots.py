"""Snapshots of open data: one SPARQL JSON answer per query (`<name>.srj`, the bytes as received) and
its PROV-O record (`<name>.prov.ttl`): the endpoint and query it came from, when, its SHA-256 and the
licence it is under. The snapshot's IRI carries the first 16 hex digits of its hash, so a fact traced
to a snapshot names one exact answer."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

SNAPSHOT_BASE = "https://w3id.org/hubspoke/snapshot/"
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
HUBSPOKE_AGENT = rdflib.URIRef("https://w3id.org/hubspoke/id/hubspoke-link-refresh")
RESULTS_JSON = "application/sparql-results+json"


class SnapshotError(ValueError):
    """A snapshot folder or file that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Retrieval:
    """What one refresh of one query did."""

    name: str
    endpoint: str
    query: str
    started: datetime
    ended: datetime
    body: bytes
    license: str
    user_agent: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def iri(self) -> str:
        return f"{SNAPSHOT_BASE}{self.name}/{self.sha256[:16]}"


@dataclass(frozen=True)
class Snapshot:
    """A saved answer: its name, IRI, bindings (variable -> RDF term as SPARQL JSON gives it) and record."""

    name: str
    iri: str
    bindings: list[dict[str, dict[str, str]]]
    record: rdflib.Graph
    path: Path


def prov_record(r: Retrieval) -> rdflib.Graph:
    g = rdflib.Graph()
    for prefix, ns in (("prov", PROV), ("dcterms", DCTERMS), ("spdx", SPDX), ("xsd", XSD)):
        g.bind(prefix, ns)
    snapshot, activity, query = rdflib.URIRef(r.iri), rdflib.URIRef(r.iri + "#retrieval"), rdflib.URIRef(r.iri + "#query")
    checksum = rdflib.URIRef(r.iri + "#sha256")
    endpoint = rdflib.URIRef(r.endpoint)
    g.add((snapshot, RDF.type, PROV.Entity))
    g.add((snapshot, DCTERMS.title, rdflib.Literal(f"snapshot {r.name}: answer of {r.endpoint}", lang="en")))
    g.add((snapshot, DCTERMS.format, rdflib.Literal(RESULTS_JSON)))
    g.add((snapshot, DCTERMS.identifier, rdflib.Literal(f"snapshots/{r.name}.srj")))
    g.add((snapshot, DCTERMS.license, rdflib.URIRef(r.license)))
    g.add((snapshot, DCTERMS.source, endpoint))
    g.add((snapshot, PROV.generatedAtTime, rdflib.Literal(r.ended.isoformat(), datatype=XSD.dateTime)))
    g.add((snapshot, PROV.wasGeneratedBy, activity))
    g.add((snapshot, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, rdflib.Literal(r.sha256)))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, PROV.startedAtTime, rdflib.Literal(r.started.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, rdflib.Literal(r.ended.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.used, endpoint))
    g.add((activity, PROV.used, query))
    g.add((activity, PROV.wasAssociatedWith, HUBSPOKE_AGENT))
    g.add((HUBSPOKE_AGENT, RDF.type, PROV.SoftwareAgent))
    g.add((HUBSPOKE_AGENT, DCTERMS.description, rdflib.Literal(r.user_agent)))
    g.add((query, RDF.type, PROV.Entity))
    g.add((query, PROV.value, rdflib.Literal(r.query)))
    g.add((query, DCTERMS.identifier, rdflib.Literal(f"queries/wikidata/{r.name}.rq")))
    return g


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(folder: Path, r: Retrieval) -> Path:
    """Write the answer and its record (each atomically); returns the answer's path."""
    folder.mkdir(parents=True, exist_ok=True)
    answer = folder / f"{r.name}.srj"
    _write_atomic(answer, r.body)
    _write_atomic(folder / f"{r.name}.prov.ttl", prov_record(r).serialize(format="turtle").encode("utf-8"))
    return answer


def load(folder: Path) -> dict[str, Snapshot]:
    """Every snapshot of a folder, checked against its record's SHA-256; raises SnapshotError."""
    if not folder.is_dir():
        raise SnapshotError(f"no snapshot folder at {folder}; run `hubspoke link refresh` first")
    out: dict[str, Snapshot] = {}
    for answer in sorted(folder.glob("*.srj")):
        name = answer.name[: -len(".srj")]
        record_path = folder / f"{name}.prov.ttl"
        if not record_path.is_file():
            raise SnapshotError(f"{answer}: no PROV record beside it ({record_path.name})")
        body = answer.read_bytes()
        record = rdflib.Graph()
        try:
            record.parse(record_path, format="turtle")
        except Exception as error:  # rdflib raises several types for bad Turtle
            raise SnapshotError(f"{record_path}: not readable Turtle: {error}") from error
        sums = {str(v) for v in record.objects(None, SPDX.checksumValue)}
        digest = hashlib.sha256(body).hexdigest()
        if digest not in sums:
            raise SnapshotError(f"{answer}: its SHA-256 {digest[:16]}... is not the one its record gives; "
                                "the file was changed after it was fetched - refresh it")
        try:
            data: Any = json.loads(body)
            bindings = data["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as error:
            raise SnapshotError(f"{answer}: not a SPARQL JSON result ({error})") from error
        iri = f"{SNAPSHOT_BASE}{name}/{digest[:16]}"
        out[name] = Snapshot(name, iri, bindings, record, answer)
    if not out:
        raise SnapshotError(f"no snapshot in {folder}; run `hubspoke link refresh` first")
    return out

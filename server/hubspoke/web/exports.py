"""Downloads that are not query answers, so not under the row cap (DESIGN.md, 'Linking'):

- `/dump.nq`, `/dump.trig` (or `/dump` with Accept / ?format=): the whole dataset, every named graph,
  streamed in batches so memory stays flat however large the store is;
- `/graph/<name>`: a named graph at its IRI (https://w3id.org/hubspoke/graph/facts -> /graph/facts),
  streamed as N-Triples, Turtle, N-Quads or TriG (JSON-LD and RDF/XML serialised whole);
- `/export/dyad-years.csv`: the dyad-year table keyed by COW and ISO codes (hubspoke.linking.dyads),
  `?through=YEAR` to set the last year.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request

from hubspoke import namespaces as ns
from hubspoke.web.media import GRAPH_TYPES, MediaType, content_type, negotiate

bp = Blueprint("exports", __name__)

BATCH = 2000  # quads per serialised chunk
_STREAMABLE = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
_DATASET_TYPES = [m for m in GRAPH_TYPES if m.format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)]


def _oxigraph() -> ox.Store:
    store: Any = current_app.config["HUBSPOKE_STORE"]
    current = store.current() if hasattr(store, "current") else store
    if not hasattr(current, "oxigraph"):
        abort(501, description="downloads need the embedded store")
    found: ox.Store = current.oxigraph
    return found


def stream(quads: Iterable[ox.Quad], fmt: ox.RdfFormat) -> Iterator[bytes]:
    """Serialise in batches; each chunk is complete statements (or complete graph blocks, for TriG), so
    their concatenation is one valid document. Triple formats get the quads' triples."""
    batch: list[Any] = []
    triples = fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE)
    for quad in quads:
        batch.append(quad.triple if triples else quad)
        if len(batch) >= BATCH:
            yield ox.serialize(batch, format=fmt) or b""
            batch = []
    if batch:
        yield ox.serialize(batch, format=fmt) or b""


def _download(body: Iterator[bytes], media: MediaType, filename: str) -> Response:
    return Response(body, content_type=content_type(media.mime),
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"})


@bp.route("/dump")
@bp.route("/dump.<ext>")
def dump(ext: str | None = None) -> Response:
    requested = request.args.get("format") or {"nq": "nquads", "trig": "trig"}.get(ext or "", None)
    if ext is not None and requested is None:
        abort(404, description="the dump is /dump.nq (N-Quads) or /dump.trig (TriG)")
    if requested is not None:
        media = next((m for m in _DATASET_TYPES if requested in m.short), None)
    elif not request.accept_mimetypes or not list(request.accept_mimetypes.values()):
        media = _DATASET_TYPES[0]
    else:
        best = request.accept_mimetypes.best_match([m.mime for m in _DATASET_TYPES])
        media = next((m for m in _DATASET_TYPES if m.mime == best), None)
    if media is None:
        abort(406, description="the dump is available as application/n-quads or application/trig")
    assert isinstance(media.format, ox.RdfFormat)
    store = _oxigraph()
    suffix = "nq" if media.format == ox.RdfFormat.N_QUADS else "trig"
    return _download(stream(iter(store), media.format), media, f"hubspoke.{suffix}")


@bp.route("/graph/<path:name>")
def graph(name: str) -> Response:
    iri = ns.GRAPH_BASE + name
    store = _oxigraph()
    try:
        known = store.contains_named_graph(ox.NamedNode(iri))
    except ValueError:  # not an IRI at all (a space, a bracket)
        known = False
    if not known:
        abort(404, description=f"<{iri}> is not a graph of this dataset")
    media = negotiate("graph", request.accept_mimetypes, request.args.get("format"))  # Turtle by default
    if media is None:
        abort(406, description="graphs are available as " + ", ".join(dict.fromkeys(m.mime for m in GRAPH_TYPES)))
    assert isinstance(media.format, ox.RdfFormat)
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(iri))
    if media.format in _STREAMABLE:
        body = stream(quads, media.format)
    else:
        body = iter([ox.serialize([q.triple for q in quads], format=media.format) or b""])
    return Response(body, content_type=content_type(media.mime), headers={"Vary": "Accept"})


@bp.route("/export/dyad-years.csv")
def dyad_years_csv() -> Response:
    from hubspoke.linking.dyads import ExportError, csv_lines, dyad_years

    through = request.args.get("through")
    if through is not None and not (through.isdigit() and len(through) == 4):
        abort(400, description="through must be a year, four digits")
    store: Any = current_app.config["HUBSPOKE_STORE"]
    current = store.current() if hasattr(store, "current") else store
    try:
        rows = dyad_years(current, int(through) if through else None)
    except ExportError as error:
        abort(422, description=str(error))
    body = (line.encode("utf-8") for line in csv_lines(rows))
    return Response(body, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="hubspoke-dyad-years.csv"'})

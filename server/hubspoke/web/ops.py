"""Operations: the VoID description of the dataset (triple counts per named graph)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from hubspoke.web.common import config, plain, store
from hubspoke.web.media import GRAPH_TYPES, content_type, negotiate
from hubspoke.web.service import void_description
from hubspoke.web.sparql import serialise_triples

bp = Blueprint("ops", __name__)


@bp.route("/void")
@bp.route("/.well-known/void")
def void() -> Response:
    media = negotiate("graph", request.accept_mimetypes, request.args.getlist("format"))
    if media is None:
        return plain(406, "VoID is available as " + ", ".join(m.mime for m in GRAPH_TYPES)).response()
    base = request.host_url
    triples = void_description(base, base + "sparql", store().graph_sizes(), config().version)
    return Response(serialise_triples(triples, media), content_type=content_type(media.mime), headers={"Vary": "Accept"})

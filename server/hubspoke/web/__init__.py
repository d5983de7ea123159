"""The Flask app factory: config and store passed in, one blueprint per concern (STYLE.md 10)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from hubspoke.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppConfig:
    """What the web app needs; built by the CLI or a test, never read from globals."""

    store: Store
    version: str = "0.0.0"
    update_token: str | None = None
    max_body_bytes: int = 1 << 20  # 1 MiB: more than any sane query, less than a memory attack
    query_timeout: float | None = 10.0  # seconds; each query runs in a child killed at the deadline (timeout.py)
    row_cap: int = 10_000  # more rows (or triples) than this is refused with 422, never cut silently
    byte_cap: int = 64 << 20  # a larger answer body is refused with 422, never cut (0: no cap)
    memory_limit: int = 1 << 30  # address space a request's process may add to the worker's (0: none)
    query_slots: int = 2  # requests a worker runs at once in its query processes; more wait
    per_client: int = 2  # heavy requests one client may have running at once; more get 429
    service_allow: tuple[str, ...] = ()  # SERVICE endpoints a query may call; none by default
    cors_origins: tuple[str, ...] = ()  # origins allowed by CORS ("*" for any); none by default
    build_id: str = ""  # under `serve --reload`: the build this worker loaded (curation/reload.py)
    reload_status: Path | None = None  # under `serve --reload`: the rebuilds' status file, read by /health and pages


_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def create_app(config: AppConfig) -> Flask:
    from hubspoke.web import graph_store, links, metrics, network, ops, pages, resources, search, sparql
    from hubspoke.web import ties as ties_pages

    app = Flask(__name__)
    app.config.update(
        HUBSPOKE_CONFIG=config,
        HUBSPOKE_STORE=config.store,
        HUBSPOKE_VERSION=config.version,
        HUBSPOKE_UPDATE_TOKEN=config.update_token,
        MAX_CONTENT_LENGTH=config.max_body_bytes,
    )
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(ties_pages.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(network.bp)
    app.register_blueprint(search.bp)
    from hubspoke.web import exports  # dumps, graphs at their IRIs, dyad-years (linking)
    app.register_blueprint(exports.bp)
    app.add_template_global(links.local_path, "local")
    app.add_template_global(links.short, "short")
    app.add_template_global(links.safe_href, "href")
    metrics.install(app)
    if config.reload_status is not None:
        from hubspoke.curation.reload import page_note

        status, loaded = config.reload_status, config.build_id
        app.context_processor(lambda: {"reload_note": page_note(status, loaded)})
    if config.cors_origins:
        from flask_cors import CORS

        CORS(app, origins=list(config.cors_origins), allow_headers=["Authorization", "Content-Type", "Accept"],
             expose_headers=["Location", "X-Hubspoke-Row-Cap"], methods=["GET", "HEAD", "POST", "PUT", "DELETE"])

    specific_origins = bool(config.cors_origins) and "*" not in config.cors_origins

    @app.after_request
    def protective_headers(response: Response) -> Response:
        # Every answer: never sniffed into another type, never framed. Pages: only our own scripts and
        # styles run (inline styles allowed: the pages have one <style> block), forms post only here.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", _CSP)
        if specific_origins:
            # The answer depends on the Origin (its CORS headers do): a cache must not give it to another.
            response.vary.add("Origin")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return Response(f"{error.code} {error.name}: {error.description}\n", status=error.code or 500, mimetype="text/plain")

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:
        # Our own fault: log it with its trace, tell the client only that it happened.
        log.exception("unhandled error")
        return Response("500 Internal Server Error: the server failed to answer; the error is logged\n", status=500, mimetype="text/plain")

    return app

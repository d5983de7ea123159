"""The Flask app factory: config and store passed in, one blueprint per concern (STYLE.md 10)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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


def create_app(config: AppConfig) -> Flask:
    from hubspoke.web import pages, sparql

    app = Flask(__name__)
    app.config.update(
        HUBSPOKE_STORE=config.store,
        HUBSPOKE_VERSION=config.version,
        HUBSPOKE_UPDATE_TOKEN=config.update_token,
        MAX_CONTENT_LENGTH=config.max_body_bytes,
    )
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return Response(f"{error.code} {error.name}: {error.description}\n", status=error.code or 500, mimetype="text/plain")

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:
        # Our own fault: log it with its trace, tell the client only that it happened.
        log.exception("unhandled error")
        return Response("500 Internal Server Error: the server failed to answer; the error is logged\n", status=500, mimetype="text/plain")

    return app

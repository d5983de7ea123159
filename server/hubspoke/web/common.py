"""What the protocol blueprints share: plain error answers, write permission, the deadline."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

from flask import Response, current_app, request

from hubspoke.endpoint.guard import GuardError
from hubspoke.endpoint.pool import ClientBusy, ClientShare, PoolBusy, RequestPool
from hubspoke.endpoint.processes import WorkCrashed, WorkExhausted, WorkTimedOut
from hubspoke.endpoint.sandbox import Limits
from hubspoke.shared_store import WriteBusy
from hubspoke.store import UpdateSyntaxError, WriteRefused


@dataclass
class Reply:
    """A picklable answer built in the query process and turned into a Response by the worker."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        return Response(self.body, status=self.status, content_type=self.content_type, headers=self.headers)


def plain(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """An error answer: a status and one readable line, never a stack trace."""
    return Reply(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers or {})


def config() -> Any:
    """The AppConfig the app was made with."""
    return current_app.config["HUBSPOKE_CONFIG"]


def store() -> Any:
    return current_app.config["HUBSPOKE_STORE"]


def write_refusal() -> Reply | None:
    """None when the request may write; otherwise the refusal.

    - no token configured: 403, because no credentials could ever make the write succeed (RFC 9110
      15.5.4); 401 would invite the client to retry with some.
    - token configured, no bearer credentials: 401 with a Bearer challenge (RFC 6750 3).
    - wrong token: 403, the credentials were understood and do not grant writing (as the issue asks;
      RFC 6750 would also allow 401 with error="invalid_token").
    """
    token = config().update_token
    if not token:
        return plain(403, "This endpoint is read-only: writes are enabled only when the server is started "
                          "with --update-token (or HUBSPOKE_UPDATE_TOKEN)")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return plain(401, "Writes need 'Authorization: Bearer <token>'",
                     {"WWW-Authenticate": 'Bearer realm="hubspoke"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return plain(403, "The bearer token does not grant writes on this endpoint")
    return None


def limits() -> Limits:
    """What a request's process may use: the network only when SERVICE has an allow-list."""
    settings = config()
    return Limits(network=bool(settings.service_allow), memory_bytes=settings.memory_limit or None)


def pool() -> RequestPool:
    """The worker's query processes (made on first use, in the worker, never in the master)."""
    found: RequestPool | None = current_app.extensions.get("hubspoke_pool")
    if found is None:
        settings = config()
        found = RequestPool(settings.query_slots, settings.per_client, limits())
        current_app.extensions["hubspoke_pool"] = found
    return found


def writers() -> ClientShare:
    """The worker's count of writes in progress per client: one each, waiting or running."""
    found: ClientShare | None = current_app.extensions.get("hubspoke_writers")
    if found is None:
        found = ClientShare(1)
        current_app.extensions["hubspoke_writers"] = found
    return found


def client_busy() -> Reply:
    return plain(429, "Too many requests from this client are in progress at once; wait for one to finish",
                 {"Retry-After": "1"})


def over_time(seconds: float, what: str) -> Reply:
    """A request stopped at its time limit: 422, like the memory, row and byte limits. The request asks
    more of this server than it grants one request, so retrying it unchanged is no remedy (a 503 would
    say the opposite, and is kept for the server itself being overloaded)."""
    current_app.extensions["hubspoke_metrics"].timeout()
    return plain(422, f"The {what} needed more than the {seconds:g} s this server grants one request and was "
                      "stopped; nothing was changed. Narrow it (LIMIT, fewer joins, shorter paths)")


def exhausted(error: WorkCrashed) -> Reply:
    """A request's process that ran out of its memory or stack: the request asked too much (422);
    any other death of the process is our fault (500)."""
    if isinstance(error, WorkExhausted):
        return plain(422, f"The request could not be answered: {error}; nothing was changed. "
                          "Narrow it (LIMIT, fewer joins, shorter paths)")
    return plain(500, f"The request could not be answered: {error}")


def with_deadline(handler: Callable[[Any], Reply], request_spec: Any, key: object) -> Reply:
    """handler(request_spec) in one of the worker's query processes, stopped at the configured timeout."""
    seconds = config().query_timeout
    client = request.remote_addr or "?"
    try:
        return pool().run(client, seconds or 60.0,
                          lambda executor: executor.call(handler, request_spec, key, seconds))
    except ClientBusy:
        return client_busy()
    except PoolBusy:
        return plain(503, "Every query process of this server is busy with other clients' requests; "
                          "try again shortly", {"Retry-After": "2"})
    except WorkTimedOut:
        return over_time(seconds, "request")
    except WorkCrashed as error:
        return exhausted(error)


def shapes_refusal(error: WriteRefused) -> Reply:
    """A write refused by the shapes: 422 with the validation report (JSON unless text is preferred);
    a write to the shapes graph itself: 403."""
    if not error.problems:
        return plain(403, f"Write refused: {error.message}")
    if request.accept_mimetypes.best_match(["application/json", "text/plain"]) == "text/plain":
        lines = [f"Write refused: {error.message}"] + [str(p) for p in error.problems]
        return plain(422, "\n".join(lines))
    report = {"error": error.message, "conforms": False,
              "problems": [{"rule": p.rule, "focus": p.focus, "message": p.message, "path": p.path, "value": p.value}
                           for p in error.problems]}
    return Reply(422, json.dumps(report, indent=2).encode("utf-8"), "application/json")


def guarded_write(action: Callable[[Any], T]) -> tuple[T | None, Reply | None]:
    """Run a write through the store (in a child with the timeout when the store is shared) and map
    each way it can fail to an answer: (result, None) on success, (None, refusal) otherwise."""
    try:
        client = request.remote_addr or "?"
        with writers().held(client):  # this worker's count; the store checks every worker's
            return store().write(action, client), None
    except ClientBusy:
        return None, client_busy()
    except GuardError as error:  # raised by the guard or the upload parser in the write's process
        return None, plain(error.status, str(error))
    except WriteRefused as error:
        return None, shapes_refusal(error)
    except UpdateSyntaxError as error:
        return None, plain(400, f"Update error: {error}")
    except WriteBusy as error:
        return None, plain(503, f"The store is busy with other clients' writes ({error}); nothing was changed. "
                                "Writes run one at a time: try again shortly", {"Retry-After": "5"})
    except WorkTimedOut as error:
        return None, over_time(error.seconds, "write")
    except WorkCrashed as error:
        return None, exhausted(error)


def invalid_iri(values: list[str]) -> Reply | None:
    """400 for the first protocol parameter value that is not an absolute IRI."""
    import pyoxigraph as ox

    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            return plain(400, f"{value!r} is not an absolute IRI")
    return None

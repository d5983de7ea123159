"""`hubspoke link refresh`: ask an endpoint (Wikidata's by default) the queries of queries/wikidata/
about the items the reviewed identifier table links, through SPARQLWrapper, and save each answer as a
snapshot with its PROV record (snapshots.py).

Polite and strict: a descriptive User-Agent, POST (form-encoded), a timeout per request, a bounded
number of attempts; 429 and 503 are retried after their Retry-After (seconds or an HTTP date), never
longer than `max_wait`; 500/502/504 and timeouts are retried with a growing pause. A 200 whose body is
not SPARQL JSON (an HTML login page, a truncated body) is an error, not data: nothing is saved for it.
"""

from __future__ import annotations

import email.utils
import json
import socket
import time
import urllib.error
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from SPARQLWrapper import JSON, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from hubspoke.identifiers import read_table
from hubspoke.linking.snapshots import RESULTS_JSON, Retrieval, save

WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"
WIKIDATA_LICENSE = "http://creativecommons.org/publicdomain/zero/1.0/"
ITEMS_MARKER = "# ITEMS"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class RefreshFailed(Exception):
    """A query could not be answered (after the retries allowed); nothing was saved for it."""


@dataclass(frozen=True)
class RefreshSettings:
    endpoint: str = WIKIDATA_ENDPOINT
    timeout: float = 60.0  # seconds per request
    attempts: int = 3  # requests per query at most
    max_wait: float = 120.0  # the longest Retry-After honoured; a longer one gives up at once
    backoff: float = 2.0  # seconds before the second attempt after a 5xx or timeout, doubled after
    license: str = WIKIDATA_LICENSE
    user_agent: str = "hubspoke-link-refresh/0.1 (https://w3id.org/hubspoke; knowledge graph of Asia-Pacific security alignments)"
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


@dataclass
class Outcome:
    name: str
    rows: int
    path: Path
    attempts: int


def linked_items(table: Path) -> list[str]:
    """The Wikidata IRIs of the reviewed rows, in table order."""
    return [row.wikidata_iri for row in read_table(table) if row.status == "reviewed" and row.wikidata]


def fill(query: str, items: Sequence[str]) -> str:
    """The query with the items in place of its `# ITEMS` line (inside VALUES ?item { })."""
    if ITEMS_MARKER not in query:
        raise RefreshFailed(f"the query has no '{ITEMS_MARKER}' line inside VALUES ?item {{ }} to fill")
    return query.replace(ITEMS_MARKER, " ".join(f"<{i}>" for i in items), 1)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def _is_results_json(content_type: str, body: bytes) -> str | None:
    """None when the body is a SPARQL JSON result; otherwise why not."""
    mime = content_type.split(";")[0].strip().lower()
    if mime not in (RESULTS_JSON, "application/json"):
        return f"the endpoint answered 200 with {mime or 'no content type'}, not SPARQL JSON"
    try:
        data: Any = json.loads(body)
    except ValueError as error:
        return f"the endpoint answered 200 with a body that is not JSON ({error})"
    if not isinstance(data, dict) or "head" not in data or not (
            isinstance(data.get("results"), dict) and isinstance(data["results"].get("bindings"), list)):
        return "the endpoint answered 200 with JSON that is not a SPARQL SELECT result (no head/results/bindings)"
    return None


def ask(query: str, settings: RefreshSettings) -> tuple[bytes, int]:
    """POST one query; the body of the SPARQL JSON answer and the number of attempts it took."""
    pause = settings.backoff
    last = ""
    for attempt in range(1, settings.attempts + 1):
        client = SPARQLWrapper(settings.endpoint, agent=settings.user_agent)
        client.setMethod(POST)
        client.setRequestMethod(URLENCODED)
        client.setReturnFormat(JSON)
        client.setTimeout(int(max(1, settings.timeout)))
        client.setQuery(query)
        wait: float | None = None
        try:
            result = client.query()
            body = result.response.read()
            problem = _is_results_json(result.info().get("content-type", ""), body)
            if problem is not None:
                raise RefreshFailed(problem)  # not retried: the endpoint will say the same again
            return body, attempt
        except urllib.error.HTTPError as error:
            if error.code not in RETRY_STATUSES:
                raise RefreshFailed(f"the endpoint answered {error.code} {error.reason}") from error
            last = f"{error.code} {error.reason}"
            wait = retry_after(error.headers.get("Retry-After") if error.headers else None)
            if wait is not None and wait > settings.max_wait:
                raise RefreshFailed(f"the endpoint answered {last} and asks to wait {wait:.0f} s, longer than "
                                    f"the {settings.max_wait:.0f} s allowed (--max-wait); try again later") from error
        except SPARQLWrapperException as error:  # 400, 401, 404, 414 and 500, mapped by SPARQLWrapper
            status = {"EndPointInternalError": 500}.get(type(error).__name__)
            message = str(error).splitlines()[0]
            if status is None:
                raise RefreshFailed(f"the endpoint refused the query: {message}") from error
            last = f"500 ({message})"
        except (socket.timeout, TimeoutError) as error:
            last = f"no answer within {settings.timeout:g} s"
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                last = f"no answer within {settings.timeout:g} s"
            else:
                raise RefreshFailed(f"cannot reach {settings.endpoint}: {error.reason}") from error
        if attempt < settings.attempts:
            settings.sleep(wait if wait is not None else pause)
            pause *= 2
    raise RefreshFailed(f"gave up after {settings.attempts} attempt(s); last: {last}")


def refresh(queries_dir: Path, table: Path, snapshots_dir: Path, settings: RefreshSettings,
            only: Sequence[str] = ()) -> list[Outcome]:
    """Run every query (or those named in `only`) and save each answer; raises RefreshFailed on the first
    query that fails (the snapshots saved before it stay, each complete)."""
    items = linked_items(table)
    if not items:
        raise RefreshFailed(f"{table} links no Wikidata item; nothing to ask")
    paths = sorted(queries_dir.glob("*.rq"))
    if only:
        unknown = sorted(set(only) - {p.stem for p in paths})
        if unknown:
            raise RefreshFailed(f"no query named {', '.join(unknown)} in {queries_dir}")
        paths = [p for p in paths if p.stem in only]
    if not paths:
        raise RefreshFailed(f"no .rq query in {queries_dir}")
    outcomes = []
    for path in paths:
        query = fill(path.read_text(encoding="utf-8"), items)
        started = datetime.now(timezone.utc)
        try:
            body, attempts = ask(query, settings)
        except RefreshFailed as error:
            raise RefreshFailed(f"{path.name}: {error}") from error
        retrieval = Retrieval(path.stem, settings.endpoint, query, started, datetime.now(timezone.utc), body,
                              settings.license, settings.user_agent)
        saved = save(snapshots_dir, retrieval)
        rows = len(json.loads(body)["results"]["bindings"])
        outcomes.append(Outcome(path.stem, rows, saved, attempts))
    return outcomes

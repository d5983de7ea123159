"""`hubspoke query`: a SPARQL client built on SPARQLWrapper, for hubspoke or any SPARQL 1.1 endpoint."""

from __future__ import annotations

from pathlib import Path
from urllib.error import HTTPError, URLError

from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

# --format value -> the media type asked for with Accept (content negotiation works with any endpoint).
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


class QueryFailed(Exception):
    """The query could not be answered; the message is for people, exit_code for the shell."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def read_query(text_or_file: str) -> str:
    """The query itself, or the contents of the file named after an '@'."""
    if text_or_file.startswith("@"):
        path = Path(text_or_file[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise QueryFailed(f"cannot read the query file {path}: {error.strerror}", 2) from None
    return text_or_file


def run_query(endpoint: str, text_or_file: str, fmt: str | None = None, timeout: float = 60.0) -> bytes:
    """The endpoint's answer to the query, as the bytes of the chosen format."""
    query = read_query(text_or_file)
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setMethod(POST)  # a form POST carries queries of any length, and every endpoint takes it
    client.setOnlyConneg(True)  # ask with Accept only: no format= parameters other servers misread
    client.setTimeout(int(timeout))
    is_graph = client.queryType in GRAPH_FORMS
    table = GRAPH_FORMATS if is_graph else RESULT_FORMATS
    fmt = (fmt or ("turtle" if is_graph else "json")).lower()
    if fmt not in table:
        kind = "CONSTRUCT/DESCRIBE" if is_graph else "SELECT/ASK"
        raise QueryFailed(f"--format {fmt} does not fit a {kind} query; choose one of {', '.join(table)}", 2)
    client.setReturnFormat(TURTLE if is_graph else JSON)
    client.addCustomHttpHeader("Accept", table[fmt])
    try:
        response = client.query().response
        return bytes(response.read())
    except SPARQLWrapperException as error:
        raise QueryFailed(f"{endpoint} refused the query: {_message(error)}") from None
    except HTTPError as error:  # statuses SPARQLWrapper has no exception for (403, 406, 422, 503, ...)
        detail = error.read().decode("utf-8", "replace").strip()
        raise QueryFailed(f"{endpoint} answered {error.code}: {detail or error.reason}") from None
    except URLError as error:
        raise QueryFailed(f"{endpoint} cannot be reached: {getattr(error, 'reason', error)}", 2) from None
    except TimeoutError:
        raise QueryFailed(f"{endpoint} gave no answer within {timeout:g} s", 2) from None


def _message(error: SPARQLWrapperException) -> str:
    # SPARQLWrapper puts the server's answer after "Response:\n" as the repr of bytes; keep it readable.
    text = str(error)
    head, _, body = text.partition("Response:\n")
    if body.startswith("b'") or body.startswith('b"'):
        try:
            import ast

            body = ast.literal_eval(body).decode("utf-8", "replace")
        except (ValueError, SyntaxError):
            pass
    return (head.strip() + " " + body.strip()).strip()

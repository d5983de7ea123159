"""Look at a query or update before any engine runs it, and refuse what would reach outside the store.

pyoxigraph runs SERVICE and LOAD over HTTP with no switch to turn them off (STACK-NOTES.md), and a
regex on the text is fooled by SERVICE inside OPTIONAL or the word inside a string. So the request is
parsed with rdflib's SPARQL grammar and the parse tree is searched for `ServiceGraphPattern` and
`Load` nodes. FROM / FROM NAMED need no refusal: pyoxigraph only selects graphs already in the
store and never fetches them (tests/test_safety.py proves it), but the guard reports their presence
so the store knows the query names its own dataset.

What is checked is what runs: two parsers can read one text differently (rdflib ends a `#` comment
only at LF, the SPARQL grammar and pyoxigraph also at CR, so `# x\rSERVICE <...>` was a comment to
the guard and live SPARQL to the store). So the guard first rewrites the text into a canonical form on
which the two agree - every line ending becomes LF, as XML does - and hands that text back in
`QueryInfo.text` / `UpdateInfo.text`: the caller runs exactly the text that was checked. A raw CR
inside a long string literal therefore reads as LF. tests/test_guard_differential.py fuzzes comment,
whitespace, escape and Unicode variants and checks the store never reaches a canary the guard let by;
behind the guard, the processes that run requests have no network at all unless an allow-list names
an endpoint (sandbox.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pyparsing
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]


class GuardError(ValueError):
    """The request cannot run; `status` is the HTTP status that says why."""

    status = 400


class SparqlSyntaxError(GuardError):
    """Not SPARQL 1.1; the message names line and column."""


class Refused(GuardError):
    """Valid SPARQL that this endpoint will not run (SERVICE off the allow-list, LOAD)."""

    status = 403


class PathTooLong(GuardError):
    """A property path longer than the engine can evaluate in reasonable time and stack."""

    status = 422


@dataclass(frozen=True)
class QueryInfo:
    form: QueryForm
    has_dataset_clause: bool  # FROM / FROM NAMED in the text
    text: str  # the canonical text that was checked: the only text the store may run


@dataclass(frozen=True)
class UpdateInfo:
    has_dataset_clause: bool  # USING / USING NAMED / WITH in some operation
    text: str  # the canonical text that was checked: the only text the store may run


# IRIs, strings (short and long) and comments: what can hold a '/' or '|' that is not a path operator.
_OPAQUE = re.compile(r"""<[^<>\s]*>|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|\#[^\n]*""")
PATH_OPERATOR_LIMIT = 128  # pyoxigraph: 0.07 s at 100 steps, 0.6 s at 200, 109 s at 1,000; stack overflow at 10,000


def _check_paths(text: str) -> None:
    """Refuse, before any parser runs, a request with more property-path operators than any real question
    needs: '/' and '|' outside IRIs, strings and comments (division counts too; it is as rare)."""
    operators = sum(_OPAQUE.sub(" ", text).count(c) for c in "/|")
    if operators > PATH_OPERATOR_LIMIT:
        raise PathTooLong(f"the request has {operators} property-path operators ('/' or '|'); this endpoint "
                          f"runs at most {PATH_OPERATOR_LIMIT}. Split the path, or use a + or * path")


def canonical(text: str) -> str:
    """The text both parsers read alike: CRLF and lone CR become LF (a comment then ends where the
    SPARQL grammar says it does, for rdflib too)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _nodes(tree: Any) -> Iterator[CompValue]:
    """Every CompValue in a parse tree, depth first (the tree mixes CompValue, ParseResults, lists)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, (pyparsing.ParseResults, list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def _field(node: CompValue, name: str) -> Any:
    # CompValue.get's second parameter is not a default, so test membership instead.
    return node[name] if name in node else None


def _store_reading(text: str, update: bool) -> str | None:
    """How the store's own parser reads a text the guard could not: its error message (with the
    position as pyoxigraph counts it, which is where the mistake is far more often than pyparsing's
    guess), or None when pyoxigraph accepts it. The text runs against an empty store in a child with
    no network and a small memory cap, so nothing it names can be reached."""
    import pyoxigraph as ox

    from hubspoke.endpoint.processes import WorkCrashed, WorkTimedOut, run_isolated
    from hubspoke.endpoint.sandbox import Limits

    def parse() -> str | None:
        try:
            if update:
                ox.Store().update(text)
            else:
                ox.Store().query(text)
        except SyntaxError as error:
            return str(error)
        except Exception:  # noqa: BLE001 - it parsed; what running it on an empty store did is irrelevant
            return None
        return None

    try:
        return run_isolated(parse, 2.0, Limits(network=False, memory_bytes=256 << 20))
    except (WorkTimedOut, WorkCrashed):
        return None


def _syntax_error(kind: str, text: str, error: Exception) -> SparqlSyntaxError:
    store_says = _store_reading(text, update=kind == "Update")
    if store_says is not None:
        where, _, expected = store_says.removeprefix("error ").partition(": ")
        if len(expected) > 240:  # pyoxigraph lists every character class it would take; the start says enough
            expected = expected[:240].rsplit(",", 1)[0] + ", ..."
        return SparqlSyntaxError(f"{kind} syntax error {where}: {expected}".rstrip(": "))
    if isinstance(error, pyparsing.ParseBaseException):
        detail = f"at {error.lineno}:{error.col}: {error.msg}"
    else:
        detail = str(error)
    return SparqlSyntaxError(f"{kind} uses syntax this endpoint does not run (SPARQL 1.1 only): {detail}")


def _check_services(tree: Any, allowed_services: Collection[str]) -> list[CompValue]:
    nodes = list(_nodes(tree))
    for node in nodes:
        if node.name == "ServiceGraphPattern":
            target = _field(node, "term")
            if not isinstance(target, URIRef):
                raise Refused("SERVICE with a variable endpoint is not allowed; name an allowed endpoint IRI")
            if str(target) not in allowed_services:
                raise Refused(f"SERVICE <{target}> is not on this endpoint's allow-list")
    return nodes


def _read(kind: str, text: str, allowed_services: Collection[str]) -> tuple[str, Any, list[CompValue]]:
    """The canonical text, its parse tree and the tree's nodes, with the path and SERVICE checks done."""
    text = canonical(text)
    _check_paths(text)
    try:
        tree = parseQuery(text) if kind == "Query" else parseUpdate(text)
    except Exception as error:  # pyparsing's, and plain exceptions for some bad input (e.g. bad prefixes)
        raise _syntax_error(kind, text, error) from None
    return text, tree, _check_services(tree, allowed_services)


def inspect_query(text: str, allowed_services: Collection[str] = ()) -> QueryInfo:
    """Parse a query and check it against the policy; raise SparqlSyntaxError or Refused.
    Run `QueryInfo.text`, never `text`."""
    text, tree, _nodes_found = _read("Query", text, allowed_services)
    query = tree[1]
    forms: dict[str, QueryForm] = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                                   "DescribeQuery": "DESCRIBE"}
    return QueryInfo(form=forms[query.name], has_dataset_clause=bool(_field(query, "datasetClause")), text=text)


def inspect_update(text: str, allowed_services: Collection[str] = ()) -> UpdateInfo:
    """Parse an update and check it against the policy: LOAD is always refused (it fetches a URL).
    Run `UpdateInfo.text`, never `text`."""
    text, _tree, nodes = _read("Update", text, allowed_services)
    dataset = False
    for node in nodes:
        if node.name == "Load":
            raise Refused("LOAD is not allowed: this endpoint never fetches data from the network or the disk")
        if node.name == "Modify" and (_field(node, "using") or _field(node, "withClause")):
            dataset = True
    return UpdateInfo(has_dataset_clause=dataset, text=text)

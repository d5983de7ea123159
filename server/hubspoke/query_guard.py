"""Look at a query or update before any engine runs it, and refuse what would reach outside the store.

pyoxigraph runs SERVICE and LOAD over HTTP with no switch to turn them off (STACK-NOTES.md), and a
regex on the text is fooled by SERVICE inside OPTIONAL or the word inside a string. So the request is
parsed with rdflib's SPARQL grammar and the parse tree is searched for `ServiceGraphPattern` and
`Load` nodes. FROM / FROM NAMED need no refusal: pyoxigraph only selects graphs already in the
store and never fetches them (tests/test_safety.py proves it), but the guard reports their presence
so the store knows the query names its own dataset.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class QueryInfo:
    form: QueryForm
    has_dataset_clause: bool  # FROM / FROM NAMED in the text


@dataclass(frozen=True)
class UpdateInfo:
    has_dataset_clause: bool  # USING / USING NAMED / WITH in some operation


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


def _syntax_error(kind: str, error: pyparsing.ParseBaseException) -> SparqlSyntaxError:
    return SparqlSyntaxError(f"{kind} syntax error at {error.lineno}:{error.col}: {error.msg}")


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


def inspect_query(text: str, allowed_services: Collection[str] = ()) -> QueryInfo:
    """Parse a query and check it against the policy; raise SparqlSyntaxError or Refused."""
    try:
        tree = parseQuery(text)
    except pyparsing.ParseBaseException as error:
        raise _syntax_error("Query", error) from None
    except Exception as error:  # rdflib raises plain exceptions for some bad input (e.g. bad prefixes)
        raise SparqlSyntaxError(f"Query syntax error: {error}") from None
    _check_services(tree, allowed_services)
    query = tree[1]
    forms: dict[str, QueryForm] = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                                   "DescribeQuery": "DESCRIBE"}
    return QueryInfo(form=forms[query.name], has_dataset_clause=bool(_field(query, "datasetClause")))


def inspect_update(text: str, allowed_services: Collection[str] = ()) -> UpdateInfo:
    """Parse an update and check it against the policy: LOAD is always refused (it fetches a URL)."""
    try:
        tree = parseUpdate(text)
    except pyparsing.ParseBaseException as error:
        raise _syntax_error("Update", error) from None
    except Exception as error:
        raise SparqlSyntaxError(f"Update syntax error: {error}") from None
    nodes = _check_services(tree, allowed_services)
    dataset = False
    for node in nodes:
        if node.name == "Load":
            raise Refused("LOAD is not allowed: this endpoint never fetches data from the network or the disk")
        if node.name == "Modify" and (_field(node, "using") or _field(node, "withClause")):
            dataset = True
    return UpdateInfo(has_dataset_clause=dataset)

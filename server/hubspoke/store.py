"""The store interface the server talks to, and the embedded pyoxigraph backend.

Results are typed by kind (solutions, boolean, graph) so the web layer dispatches on the result,
never on the query text (STYLE.md 12).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.validation import Problem

if TYPE_CHECKING:
    from hubspoke.validation.write_checks import PreparedShapes

ResultKind = Literal["solutions", "boolean", "graph"]
GraphName = str | None  # a named graph's IRI, or None for the default graph
T = TypeVar("T")


class QuerySyntaxError(ValueError):
    """The query text is not SPARQL 1.1; the message says where."""


class DatasetFileError(ValueError):
    """A dataset file that cannot be loaded (wrong extension or broken syntax)."""


class UpdateSyntaxError(ValueError):
    """The update is not SPARQL 1.1 Update, or one of its operations cannot apply (DROP of a missing
    graph without SILENT): the request's fault, answered with 400."""


class GraphNotFound(LookupError):
    """The named graph does not exist in the store."""


class WriteRefused(Exception):
    """A write that would break the SHACL shapes (or touch the shapes themselves); nothing was changed."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message, problems or [])  # args carry both, so the error survives pickling
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        return self.message


@dataclass
class QueryResult:
    """A query's answer and its kind; `payload` is the backend's result object."""

    kind: ResultKind
    payload: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class Store(Protocol):
    """What the server needs from a store, whichever backend holds the data."""

    def query(
        self,
        sparql: str,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
    ) -> QueryResult: ...

    def graph_sizes(self) -> dict[str, int]: ...


_DATASET_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}


# The machinery: reachable with GRAPH and the dataset parameters, kept out of a query's default graph,
# so a newcomer's first class count is about states and alliances, not shapes and derivation records.
OUT_OF_DEFAULT_GRAPH = frozenset({ns.SHAPES_GRAPH, ns.DERIVATIONS_GRAPH})


def in_default_graph(name: str) -> bool:
    """Whether a graph ("" for the store's own default graph) is part of a query's default graph."""
    return name not in OUT_OF_DEFAULT_GRAPH


class EmbeddedStore:
    """An in-process pyoxigraph store. The default graph of a query is the union of the store's default
    graph and every named graph but the machinery (shapes, derivation records), unless the request
    names a dataset (DESIGN.md, 'IRIs and graphs')."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self._store = store if store is not None else ox.Store()
        self._identity = object()  # with the write count, names this store's state (state_key)
        self._writes = 0
        self._baseline: tuple[tuple[object, int], set[tuple[str, ...]]] | None = None
        self._prepared: PreparedShapes | None = None  # the shapes as the checks take them, made once

    def current(self) -> EmbeddedStore:
        """The store to read now (a SharedStore answers with its freshest copy)."""
        return self

    def state_key(self) -> tuple[object, int]:
        """Equal keys mean the same data: a query process forked from this store is still current."""
        return (self._identity, self._writes)

    @classmethod
    def from_file(cls, path: Path) -> EmbeddedStore:
        fmt = _DATASET_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise DatasetFileError(f"{path}: a dataset must be N-Quads (.nq) or TriG (.trig)")
        store = ox.Store()
        if path.stat().st_size:
            try:
                store.bulk_load(path=str(path), format=fmt)
            except SyntaxError as error:
                raise DatasetFileError(f"{path}:{error.lineno}: {error.msg}") from error
        return cls(store)

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    def query(
        self,
        sparql: str,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        *,
        base_iri: str | None = None,
        dataset_in_query: bool = False,
    ) -> QueryResult:
        """Run a query. `dataset_in_query` says the text has FROM / FROM NAMED: the default graph chosen
        here would override them, so it is not used then. Protocol graphs (default-graph-uri,
        named-graph-uri) override FROM, as the protocol says."""
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None  # None: pyoxigraph's default
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None
        if dataset_in_query and not (default_graph_uris or named_graph_uris):
            pass  # FROM / FROM NAMED select graphs already in the store; pyoxigraph never fetches them
        elif default_graph_uris or named_graph_uris:
            # A protocol dataset is exactly what it names: no default-graph-uri means an empty default graph.
            default_graph = [ox.NamedNode(u) for u in default_graph_uris]
            named_graphs = [ox.NamedNode(u) for u in named_graph_uris]
        else:
            default_graph = [ox.DefaultGraph(), *(g for g in self._store.named_graphs()
                                                  if isinstance(g, ox.BlankNode) or in_default_graph(g.value))]
        try:
            result = self._store.query(sparql, base_iri=base_iri, default_graph=default_graph,
                                       named_graphs=named_graphs)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("boolean", result)
        if isinstance(result, ox.QueryTriples):
            return QueryResult("graph", result)
        return QueryResult("solutions", result)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per graph ("" is the default graph); empty named graphs are listed with 0."""
        sizes: dict[str, int] = {g.value: 0 for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)}
        for quad in self._store:
            name = quad.graph_name
            key = name.value if isinstance(name, ox.NamedNode) else ""
            sizes[key] = sizes.get(key, 0) + 1
        return sizes

    # --- reads used by the Graph Store protocol ---

    def has_graph(self, name: GraphName) -> bool:
        return name is None or self._store.contains_named_graph(ox.NamedNode(name))

    def graph_triples(self, name: GraphName) -> list[ox.Triple]:
        if not self.has_graph(name):
            raise GraphNotFound(name)
        return [q.triple for q in self._store.quads_for_pattern(None, None, None, _graph(name))]

    def dump(self, path: Path) -> None:
        """Write every graph as N-Quads (the working copy shared by the server's workers)."""
        self._store.dump(str(path), format=ox.RdfFormat.N_QUADS)

    # --- writes: each one is checked on a copy and swapped in only if the copy passes the shapes ---

    def write(self, action: Callable[[EmbeddedStore], T], client: str = "") -> T:
        """Run a write in this process (a SharedStore runs it in a child with a deadline instead)."""
        return action(self)

    def update(self, sparql: str, using: Sequence[str] = (), using_named: Sequence[str] = (),
               *, base_iri: str | None = None, service_allow: Sequence[str] = ()) -> None:
        """Run a SPARQL Update; `using`/`using_named` are the protocol's using-graph-uri parameters.
        The guard reads it here, in the write's own process (under its deadline and memory cap), and
        the text it checked - with the protocol's USING clauses written in - is the text that runs.
        Raises GuardError (bad syntax, LOAD, SERVICE off the allow-list) before anything changes."""
        from hubspoke.endpoint.guard import inspect_update
        from hubspoke.update_dataset import add_using

        checked = inspect_update(sparql, service_allow)
        if checked.has_dataset_clause and (using or using_named):
            raise UpdateSyntaxError("using-graph-uri / using-named-graph-uri cannot be combined with USING or "
                                    "WITH in the update")
        text = inspect_update(add_using(checked.text, using, using_named), service_allow).text

        def change(candidate: ox.Store) -> None:
            try:
                candidate.update(text, base_iri=base_iri)
            except SyntaxError as error:
                raise UpdateSyntaxError(str(error)) from error
            except PermissionError as error:  # the sandbox refused a socket
                raise UpdateSyntaxError("the update tried to reach the network; writes have none") from error
            except (RuntimeError, OSError) as error:  # an operation that cannot apply, e.g. DROP of a missing graph
                raise UpdateSyntaxError(f"the update failed: {error}") from error

        self._commit(change)

    def replace_graph(self, name: GraphName, triples: Iterable[ox.Triple]) -> bool:
        """Graph Store PUT; True when the graph did not exist before."""
        created = not self.has_graph(name)
        triples = list(triples)

        def change(candidate: ox.Store) -> None:
            target = _graph(name)
            if name is None:
                candidate.clear_graph(target)
            else:
                candidate.remove_graph(target)
                candidate.add_graph(target)
            candidate.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)

        self._commit(change)
        return created

    def add_to_graph(self, name: GraphName, triples: Iterable[ox.Triple]) -> bool:
        """Graph Store POST (merge); True when the graph did not exist before."""
        created = not self.has_graph(name)
        triples = list(triples)

        def change(candidate: ox.Store) -> None:
            target = _graph(name)
            if name is not None:
                candidate.add_graph(target)
            candidate.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)

        self._commit(change)
        return created

    def delete_graph(self, name: GraphName) -> None:
        """Graph Store DELETE: a named graph is removed, the default graph emptied."""
        if not self.has_graph(name):
            raise GraphNotFound(name)

        def change(candidate: ox.Store) -> None:
            if name is None:
                candidate.clear_graph(ox.DefaultGraph())
            else:
                candidate.remove_graph(ox.NamedNode(name))

        self._commit(change)

    def _commit(self, change: Callable[[ox.Store], None]) -> None:
        """Apply `change` to a copy, check the copy, then swap it in: a refused write leaves no trace."""
        candidate = ox.Store()
        candidate.bulk_extend(iter(self._store))
        for graph in self._store.named_graphs():
            candidate.add_graph(graph)  # keep empty named graphs, which bulk_extend cannot carry
        change(candidate)
        shapes_before = _graph_set(self._store, ns.SHAPES_GRAPH)
        if _graph_set(candidate, ns.SHAPES_GRAPH) != shapes_before:
            raise WriteRefused(f"the shapes graph <{ns.SHAPES_GRAPH}> comes from the build (shapes/*.ttl) "
                               "and cannot be changed through the endpoint")
        baseline: set[tuple[str, ...]] = set()
        if shapes_before:
            # Only problems the write brings count: data loaded from elsewhere may already break a shape
            # (pyoxigraph, for one, stores xsd:positiveInteger and other integer sub-types as xsd:integer).
            # Only the nodes the write can affect are re-checked (write_checks.py).
            from hubspoke.validation.write_checks import check_write

            verdict = check_write(self._store, candidate, self._shapes(shapes_before),
                                  self.shape_problem_keys(shapes_before))
            if verdict.new:
                raise WriteRefused(f"the write would break {len(verdict.new)} SHACL constraint(s); nothing was "
                                   "changed", verdict.new)
            baseline = verdict.keys
        self._store = candidate
        self._writes += 1
        self._baseline = (self.state_key(), baseline) if shapes_before else None

    def _shapes(self, shapes: set[ox.Triple]) -> PreparedShapes:
        from hubspoke.validation.write_checks import prepare

        self._prepared = prepare(shapes, self._prepared)
        return self._prepared

    def remember_baseline(self, keys: set[tuple[str, ...]]) -> None:
        """Take `keys` as the shape problems of the present state (computed elsewhere, e.g. by the write
        that produced it), so the next write need not run the shapes twice."""
        self._baseline = (self.state_key(), keys)

    def known_baseline(self) -> set[tuple[str, ...]] | None:
        """The shape problems of the present state if they are known, without computing them."""
        if self._baseline is not None and self._baseline[0] == self.state_key():
            return self._baseline[1]
        return None

    def shape_problem_keys(self, shapes: set[ox.Triple] | None = None) -> set[tuple[str, ...]]:
        """The shape problems the store has now, cached per state: the baseline a write is judged against.
        (A SharedStore computes it in the worker, so each write's child inherits it.)"""
        if self._baseline is not None and self._baseline[0] == self.state_key():
            return self._baseline[1]
        shapes = shapes if shapes is not None else _graph_set(self._store, ns.SHAPES_GRAPH)
        from hubspoke.validation.write_checks import checked_triples, full_problems, problem_key

        keys = ({problem_key(p) for p in full_problems(checked_triples(self._store), self._shapes(shapes))}
                if shapes else set())
        self._baseline = (self.state_key(), keys)
        return keys


def _graph(name: GraphName) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name is None else ox.NamedNode(name)


def _graph_set(store: ox.Store, name: str) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))}

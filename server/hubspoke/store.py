"""The store interface the server talks to, and the embedded pyoxigraph backend.

Results are typed by kind (solutions, boolean, graph) so the web layer dispatches on the result,
never on the query text (STYLE.md 12).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import pyoxigraph as ox

ResultKind = Literal["solutions", "boolean", "graph"]


class QuerySyntaxError(ValueError):
    """The query text is not SPARQL 1.1; the message says where."""


class DatasetFileError(ValueError):
    """A dataset file that cannot be loaded (wrong extension or broken syntax)."""


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


class EmbeddedStore:
    """An in-process pyoxigraph store. The default graph of a query is the union of all graphs
    unless the request names a dataset (DESIGN.md, 'IRIs and graphs')."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self._store = store if store is not None else ox.Store()

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
    ) -> QueryResult:
        kwargs: dict[str, object] = {}
        if default_graph_uris or named_graph_uris:
            kwargs["default_graph"] = [ox.NamedNode(u) for u in default_graph_uris] or ox.DefaultGraph()
            if named_graph_uris:
                kwargs["named_graphs"] = [ox.NamedNode(u) for u in named_graph_uris]
            else:
                kwargs["named_graphs"] = []
        else:
            kwargs["use_default_graph_as_union"] = True
        try:
            result = self._store.query(sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("boolean", result)
        if isinstance(result, ox.QueryTriples):
            return QueryResult("graph", result)
        return QueryResult("solutions", result)

    def graph_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for quad in self._store:
            name = quad.graph_name
            key = name.value if isinstance(name, ox.NamedNode) else ""
            sizes[key] = sizes.get(key, 0) + 1
        return sizes

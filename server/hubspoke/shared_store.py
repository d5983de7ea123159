"""One dataset for every gunicorn worker, kept in step through a working-copy file.

Each worker holds its own in-memory pyoxigraph store, so a write in one worker must reach the others.
A write takes an exclusive lock, runs in a forked, confined child with the query timeout
(endpoint/processes.run_isolated): the child parses the update or upload, checks the shapes on a copy
(EmbeddedStore._commit) and writes the new state to a scratch file. Only the worker publishes it
(os.replace), right before it answers: a write whose worker dies before that is not applied, and a
child whose worker died is killed with it (no orphan runs on without a deadline). Every worker
compares the file's identity (one stat) at the start of a request and reloads when it changed. Reads
never lock: os.replace makes the swap atomic. The working copy lives in a folder the server made;
the built dataset is never written.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from hubspoke.endpoint.pool import ClientBusy
from hubspoke.endpoint.processes import run_isolated
from hubspoke.endpoint.sandbox import Limits
from hubspoke.store import EmbeddedStore, GraphName, QueryResult

T = TypeVar("T")

# Seconds a write waits for the writes queued before it. Each client has at most one write in line
# per worker (web/common.py answers 429 to a second), so a longer wait means other clients' writes.
QUEUE_WAIT = 30.0


class SharedStore:
    """A worker's view of the working copy; the Store protocol plus the writes of EmbeddedStore."""

    def __init__(self, path: Path, write_timeout: float | None = None, limits: Limits = Limits(),
                 queue_wait: float = QUEUE_WAIT) -> None:
        self._path = path
        self._limits = limits
        self._lock_path = path.with_name(path.name + ".lock")
        self._write_timeout = write_timeout
        self._queue_wait = queue_wait
        self._identity: tuple[int, int, int] | None = None
        # The shape problems of the working copy as its last writer left it (file identity -> keys): the
        # baseline the next write is judged against, so no worker ever runs the shapes itself.
        self._baselines: dict[tuple[int, int, int], set[tuple[str, ...]]] = {}
        self._current = EmbeddedStore()
        self.refresh()

    @staticmethod
    def create(dataset: Path, folder: Path) -> Path:
        """Copy a built dataset (N-Quads or TriG) into `folder` as the working copy; return its path."""
        target = folder / "working.nq"
        EmbeddedStore.from_file(dataset).dump(target)
        return target

    @staticmethod
    def prime(path: Path) -> None:
        """Run the shapes over the working copy once, before any worker starts, and keep the result beside
        it: the first write is then judged against it instead of running the shapes twice."""
        shared = SharedStore(path)
        shared._remember(shared.current().shape_problem_keys())

    def refresh(self) -> EmbeddedStore:
        """The current store, reloaded first if another worker replaced the working copy."""
        stat = os.stat(self._path)
        if (stat.st_ino, stat.st_mtime_ns, stat.st_size) != self._identity:
            with open(self._path, "rb") as handle:
                opened = os.fstat(handle.fileno())  # the identity of what is read, not of what was stat-ed
                data = handle.read()
            store = ox.Store()
            if data:
                store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            self._current = EmbeddedStore(store)
            self._identity = (opened.st_ino, opened.st_mtime_ns, opened.st_size)
        return self._current

    def current(self) -> EmbeddedStore:
        return self.refresh()

    # --- the Store protocol and the reads, always on the freshest copy ---

    def query(self, sparql: str, default_graph_uris: Sequence[str] = (), named_graph_uris: Sequence[str] = (),
              *, base_iri: str | None = None, dataset_in_query: bool = False) -> QueryResult:
        return self.refresh().query(sparql, default_graph_uris, named_graph_uris, base_iri=base_iri,
                                    dataset_in_query=dataset_in_query)

    def graph_sizes(self) -> dict[str, int]:
        return self.refresh().graph_sizes()

    def has_graph(self, name: GraphName) -> bool:
        return self.refresh().has_graph(name)

    def graph_triples(self, name: GraphName) -> list[ox.Triple]:
        return self.refresh().graph_triples(name)

    # --- writes ---

    def write(self, action: Callable[[EmbeddedStore], T], client: str = "") -> T:
        """Run a write on the freshest copy, under the lock, in a confined child with the timeout; the
        worker publishes what the child wrote. A `client` with a write already in progress in any
        worker gets ClientBusy at once: one client's writes never queue behind each other."""
        with self._client_slot(client), open(self._lock_path, "a") as lock:
            # Waiting in line is not running: the deadline starts when the write does.
            _lock_exclusively(lock.fileno(), self._queue_wait)
            current = self.refresh()
            known = self._baseline_of(self._identity)
            scratch = self._path.with_name(self._path.name + ".next")
            scratch.unlink(missing_ok=True)  # left by a worker that died mid-write: never published

            def apply_and_dump() -> tuple[T, set[tuple[str, ...]] | None]:
                # The shapes run here, in the write's process under its deadline, never in the worker.
                if known is not None:
                    current.remember_baseline(known)
                result = action(current)  # raises before anything is written if the write is refused
                current.dump(scratch)
                return result, current.known_baseline()

            try:
                result, after = run_isolated(apply_and_dump, self._write_timeout, self._limits)
                os.replace(scratch, self._path)  # the publication: the caller answers right after
                self._remember(after)
                return result
            finally:
                scratch.unlink(missing_ok=True)  # a child killed mid-dump leaves a partial file
                self.refresh()


    @contextlib.contextmanager
    def _client_slot(self, client: str) -> Iterator[None]:
        if not client:
            yield
            return
        folder = self._path.with_name("writers")
        folder.mkdir(exist_ok=True)
        name = hashlib.sha256(client.encode("utf-8")).hexdigest()[:32]  # any text makes a safe file name
        with open(folder / name, "a") as slot:
            try:
                fcntl.flock(slot.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when the file closes
            except BlockingIOError:
                raise ClientBusy(client) from None
            yield

    # The baseline travels beside the working copy, so whichever worker writes next finds it.

    def _remember(self, keys: set[tuple[str, ...]] | None) -> None:
        stat = os.stat(self._path)
        identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        self._baselines = {} if keys is None else {identity: keys}
        record = {"identity": list(identity), "keys": sorted(list(k) for k in keys or ())}
        side = self._path.with_name(self._path.name + ".baseline.json")
        side.write_text(json.dumps(record) if keys is not None else "{}", encoding="utf-8")

    def _baseline_of(self, identity: tuple[int, int, int] | None) -> set[tuple[str, ...]] | None:
        if identity is None:
            return None
        if identity in self._baselines:
            return self._baselines[identity]
        side = self._path.with_name(self._path.name + ".baseline.json")
        try:
            record = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if tuple(record.get("identity", ())) != identity:
            return None
        return {tuple(k) for k in record.get("keys", [])}




class WriteBusy(Exception):
    """Other writes held the store longer than this one may wait: nothing was changed."""


def _lock_exclusively(fd: int, wait: float) -> None:
    """flock, polled (under gevent a worker waiting for another's write still serves others), for at most
    `wait` seconds: writes run one at a time, and a queue of them must not hold clients for ever."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise WriteBusy(f"other writes held the store for {wait:g} s") from None
            time.sleep(0.02)

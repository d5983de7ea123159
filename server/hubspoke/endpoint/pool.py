"""A worker's query processes: a few standing confined children, shared fairly between clients.

Each slot is an Executor (processes.py). A request takes a free slot or waits for one up to its own
deadline (then 503, with Retry-After); a client that already has `per_client` requests running gets
429 at once, so one client cannot fill every slot (with per_client <= slots, only several clients
together can make the server answer 503). ClientShare is that per-client count alone, which the
writes use too. Under gunicorn's gevent worker the lock and
semaphore are gevent's (monkey-patched), so a waiting request never blocks /health or a slow upload.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from hubspoke.endpoint.processes import Executor
from hubspoke.endpoint.sandbox import Limits

T = TypeVar("T")


class ClientBusy(Exception):
    """This client already has its share of the slots running."""


class PoolBusy(Exception):
    """No slot came free before the request's deadline."""


@dataclass(frozen=True)
class PoolState:
    slots: int
    running: int
    waiting: int


class ClientShare:
    """How many requests each client has in progress; ClientBusy past `per_client`."""

    def __init__(self, per_client: int) -> None:
        self._per_client = max(1, per_client)
        self._lock = threading.Lock()
        self._by_client: Counter[str] = Counter()

    @contextmanager
    def held(self, client: str) -> Iterator[None]:
        with self._lock:
            if self._by_client[client] >= self._per_client:
                raise ClientBusy(client)
            self._by_client[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self._by_client[client] -= 1
                if not self._by_client[client]:
                    del self._by_client[client]


class RequestPool:
    def __init__(self, slots: int, per_client: int, limits: Limits) -> None:
        self._slots = max(1, slots)
        # No more than the slots: one client alone must never make the pool answer 503.
        self._share = ClientShare(min(per_client, self._slots))
        self._idle = [Executor(limits) for _ in range(self._slots)]
        self._free = threading.BoundedSemaphore(self._slots)
        self._lock = threading.Lock()
        self._waiting = 0

    def state(self) -> PoolState:
        with self._lock:
            return PoolState(self._slots, self._slots - len(self._idle), self._waiting)

    def run(self, client: str, wait: float, call: Callable[[Executor], T]) -> T:
        """call(executor) on a free slot; ClientBusy or PoolBusy when none can be had."""
        with self._share.held(client):
            with self._lock:
                self._waiting += 1
            acquired = self._free.acquire(timeout=wait)
            with self._lock:
                self._waiting -= 1
            if not acquired:
                raise PoolBusy()
            with self._lock:
                executor = self._idle.pop()
            try:
                return call(executor)
            finally:
                with self._lock:
                    self._idle.append(executor)
                self._free.release()

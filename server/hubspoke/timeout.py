"""Run a piece of work in a forked child with a deadline, so a runaway query really stops.

pyoxigraph cannot cancel a query and holds the interpreter inside Rust while it evaluates, so no
signal handler or thread can interrupt it. A forked child shares the worker's store copy-on-write
(a few milliseconds at 100k triples), runs the work and sends back a picklable answer through a
pipe; at the deadline the parent kills it (SIGKILL frees its CPU at once) and is free for the next
request. A timeout of None or 0 runs the work in-process, without a deadline.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WorkTimedOut(Exception):
    """The work ran past its deadline and its process was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class WorkCrashed(RuntimeError):
    """The child died without an answer (killed by the system, out of memory, ...)."""


def run_isolated(work: Callable[[], T], timeout: float | None) -> T:
    """The value of work(), computed in a child process that is killed after `timeout` seconds.

    An exception raised by work() is re-raised here (it must be picklable)."""
    if not timeout:
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the server's code
        try:
            os.close(read_end)
            try:
                payload = pickle.dumps((True, work()))
            except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
                try:
                    payload = pickle.dumps((False, error))
                except Exception:
                    payload = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise WorkTimedOut(timeout)
            chunk = pipe.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    if not chunks:
        raise WorkCrashed("the query process ended without an answer")
    ok, value = pickle.loads(b"".join(chunks))
    if ok:
        return value  # type: ignore[no-any-return]
    raise value

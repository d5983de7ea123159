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
from typing import TypeVar, cast

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
        return cast(T, value)  # unpickled: what work() returned in the child
    raise value


class Executor:
    """A standing child process that answers requests one at a time, killed and replaced at a deadline.

    Forking per query costs 7-20 ms (the fork, then copy-on-write faults as the child touches the
    heap); a standing child forked once costs a pipe round trip per query. It holds the store as it
    was when forked, so the caller passes a `key` naming the store's state, and a new key (after a
    write reloaded the store) replaces the child. One executor per worker process; not thread-safe.
    """

    def __init__(self) -> None:
        self._pid: int | None = None
        self._key: object = None
        self._to_child = -1
        self._from_child = -1

    def call(self, handler: Callable[[object], T], request: object, key: object, timeout: float | None) -> T:
        """handler(request) computed in the child (handler is fixed when the child is forked)."""
        if not timeout:
            return handler(request)
        if self._pid is None or key != self._key:
            self.stop()
            self._spawn(handler, key)
        payload = pickle.dumps(request)
        message = len(payload).to_bytes(8, "big") + payload
        try:
            self._send(message)
        except OSError:  # the child died since the last call (killed by the system): start another
            self.stop()
            self._spawn(handler, key)
            self._send(message)
        deadline = time.monotonic() + timeout
        try:
            size = int.from_bytes(self._read(8, deadline), "big")
            ok, value = pickle.loads(self._read(size, deadline))
        except WorkTimedOut:
            self.stop()  # SIGKILL: the runaway query's CPU is freed now; the next call forks afresh
            raise WorkTimedOut(timeout) from None
        except EOFError:
            self.stop()
            raise WorkCrashed("the query process ended without an answer") from None
        if ok:
            return cast(T, value)  # unpickled: what handler() returned in the child
        raise value

    def _send(self, message: bytes) -> None:
        view = memoryview(message)
        while view:
            view = view[os.write(self._to_child, view):]

    def _read(self, size: int, deadline: float) -> bytes:
        chunks, left = [], size
        while left:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self._from_child], [], [], wait)[0]:
                raise WorkTimedOut(0)
            chunk = os.read(self._from_child, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _spawn(self, handler: Callable[[object], object], key: object) -> None:
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(down_w)
                os.close(up_r)
                _serve(handler, down_r, up_w)
            finally:
                os._exit(0)
        os.close(down_r)
        os.close(up_w)
        self._pid, self._key, self._to_child, self._from_child = pid, key, down_w, up_r

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - at interpreter exit the os module may be half gone
            pass

    def stop(self) -> None:
        if self._pid is None:
            return
        for fd in (self._to_child, self._from_child):
            os.close(fd)
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self._pid, 0)
        self._pid = None


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _serve(handler: Callable[[object], object], inbox: int, outbox: int) -> None:
    """The child's loop: one request in, one pickled (ok, value) out, until the parent goes away."""
    while True:
        header = _read_exactly(inbox, 8)
        if header is None:
            return
        body = _read_exactly(inbox, int.from_bytes(header, "big"))
        if body is None:
            return
        try:
            payload = pickle.dumps((True, handler(pickle.loads(body))))
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
            try:
                payload = pickle.dumps((False, error))
            except Exception:
                payload = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))
        data = len(payload).to_bytes(8, "big") + payload
        view = memoryview(data)
        while view:
            view = view[os.write(outbox, view):]

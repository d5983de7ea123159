"""Run a piece of work in a forked, confined child with a deadline, so a runaway request really stops.

pyoxigraph cannot cancel a query and holds the interpreter inside Rust while it evaluates, so no
signal handler or thread can interrupt it. A forked child shares the worker's store copy-on-write
(a few milliseconds at 100k triples), confines itself (sandbox.py: no network unless allowed, a
memory cap, killed with its parent), runs the work and sends back a picklable answer through a pipe;
at the deadline the parent kills it (SIGKILL frees its CPU at once) and is free for the next request.
A timeout of None or 0 runs the work in-process, without a deadline or confinement.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import stat
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from hubspoke.endpoint.sandbox import Limits, confine

T = TypeVar("T")


class WorkTimedOut(Exception):
    """The work ran past its deadline and its process was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class WorkCrashed(RuntimeError):
    """The child died without an answer (killed by the system, ...)."""


class WorkExhausted(WorkCrashed):
    """The work needed more memory (or stack) than its process may have: the request's fault, not ours."""


_in_child = False  # set in every process forked here: it must never run the worker's gevent hub


def _system(module: str, name: str) -> Any:
    """A blocking call as the system gives it. In the worker, gevent's cooperative version (others are
    served while it waits); in a child, whose inherited hub would otherwise run the worker's greenlets
    (or wait forever for a SIGCHLD it never gets), the original."""
    if _in_child and "gevent.monkey" in sys.modules:
        from gevent import monkey

        if monkey.is_object_patched(module, name):
            return monkey.get_original(module, name)
    return getattr(sys.modules[module], name)


def _wait_readable(fd: object, seconds: float) -> bool:
    return bool(_system("select", "select")([fd], [], [], seconds)[0])


def _fork() -> int:
    return int(_system("os", "fork")())


def _close(fd: int) -> None:
    _system("os", "close")(fd)  # gevent's close tells the hub about the descriptor: not in a child


# A wait status no child has: the child was reaped by someone else (gevent's hub reaps every child on
# SIGCHLD under gunicorn's gevent worker), so how it ended is not known.
UNKNOWN_STATUS = -1


def _waitpid(pid: int) -> int:
    try:
        return int(_system("os", "waitpid")(pid, 0)[1])
    except ChildProcessError:
        return UNKNOWN_STATUS


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:  # already gone, and reaped by the hub: nothing left to stop
        pass


def _enter_child(keep: set[int]) -> None:
    """In a freshly forked child: never cooperate with the worker's hub, and close the sockets it
    inherited (the listener, clients' connections) so the work cannot touch them."""
    global _in_child
    _in_child = True
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    _close(fd)
            except OSError:
                pass


def _exhausted_or_crashed(status: int, limits: Limits) -> WorkCrashed:
    """What a child's death means: Rust aborts (SIGABRT) when an allocation fails under RLIMIT_AS and on
    a stack overflow, and segfaults are what deep recursion in a parser does."""
    if status == UNKNOWN_STATUS:  # our code always answers: a silent end is the limits' doing, most likely
        return WorkExhausted("the request's process ended without an answer, most likely at its memory or stack limit")
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS):
        cap = f"{limits.memory_bytes >> 20} MiB" if limits.memory_bytes else "the system's"
        return WorkExhausted(f"the request needed more memory or stack than its process may use ({cap} limit)")
    return WorkCrashed("the request's process ended without an answer")


def _answer(work: Callable[[], object]) -> bytes:
    try:
        return pickle.dumps((True, work()))
    except MemoryError:
        return pickle.dumps((False, WorkExhausted("the request needed more memory than its process may use")))
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
        try:
            return pickle.dumps((False, error))
        except Exception:
            return pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))


def run_isolated(work: Callable[[], T], timeout: float | None, limits: Limits = Limits()) -> T:
    """The value of work(), computed in a confined child process killed after `timeout` seconds.

    An exception raised by work() is re-raised here (it must be picklable)."""
    if not timeout:
        return work()
    read_end, write_end = os.pipe()
    pid = _fork()
    if pid == 0:  # the child: never return into the server's code
        try:
            _close(read_end)
            _enter_child({write_end})
            confine(limits)
            payload = _answer(work)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    _close(write_end)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not _wait_readable(pipe, left):
                _kill(pid)
                _waitpid(pid)
                raise WorkTimedOut(timeout)
            chunk = pipe.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    status = _waitpid(pid)
    if not chunks:
        raise _exhausted_or_crashed(status, limits)
    ok, value = pickle.loads(b"".join(chunks))
    if ok:
        return cast(T, value)  # unpickled: what work() returned in the child
    raise value


class Executor:
    """A standing confined child that answers requests one at a time, killed and replaced at a deadline.

    Forking per query costs 7-20 ms (the fork, then copy-on-write faults as the child touches the
    heap); a standing child forked once costs a pipe round trip per query. It holds the store as it
    was when forked, so the caller passes a `key` naming the store's state, and a new key (after a
    write reloaded the store) replaces the child. Not thread-safe: a worker keeps a pool of them.
    """

    def __init__(self, limits: Limits = Limits()) -> None:
        self._limits = limits
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
            status = self.stop(kill=False)
            raise _exhausted_or_crashed(status, self._limits) from None
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
            if wait <= 0 or not _wait_readable(self._from_child, wait):
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
        pid = _fork()
        if pid == 0:
            try:
                _close(down_w)
                _close(up_r)
                _enter_child({down_r, up_w})
                confine(self._limits)
                _serve(handler, down_r, up_w)
            finally:
                os._exit(0)
        _close(down_r)
        _close(up_w)
        self._pid, self._key, self._to_child, self._from_child = pid, key, down_w, up_r

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - at interpreter exit the os module may be half gone
            pass

    def stop(self, kill: bool = True) -> int:
        """End the child (SIGKILL unless it is already gone); its wait status, 0 if there was none."""
        if self._pid is None:
            return 0
        for fd in (self._to_child, self._from_child):
            _close(fd)
        if kill:
            _kill(self._pid)
        status = _waitpid(self._pid)
        self._pid = None
        return status


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
        request = pickle.loads(body)
        data = _answer(lambda: handler(request))
        data = len(data).to_bytes(8, "big") + data
        view = memoryview(data)
        while view:
            view = view[os.write(outbox, view):]

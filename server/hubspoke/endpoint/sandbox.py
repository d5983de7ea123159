"""Confine a process that runs a query, an update or an upload: no network, bounded memory.

Defence in depth behind the guard (query_guard.py): pyoxigraph runs SERVICE and LOAD over HTTP with no
switch to turn them off, so even a guard that is fooled must not be able to reach the network. The
child forked for the work installs a seccomp filter that makes `socket(AF_INET|AF_INET6, ...)` fail
with EACCES (and `io_uring_setup`, which could open sockets behind seccomp's back), then caps its
address space with RLIMIT_AS. Both are inherited by anything the child forks and cannot be lifted.
The filter is written as classic BPF through ctypes: a dozen instructions, no library needed.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import socket
import struct
from dataclasses import dataclass

# Linux constants (linux/seccomp.h, linux/filter.h, linux/audit.h, asm/unistd.h).
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_X32_BIT = 0x40000000
# machine -> (AUDIT_ARCH_*, socket, io_uring_setup)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}


class SandboxUnavailable(OSError):
    """This machine cannot confine the process (not Linux, unknown architecture, seccomp refused)."""


@dataclass(frozen=True)
class Limits:
    """What a request's process may use. `network` False: no IPv4/IPv6 socket can be opened;
    `memory_bytes`: address space the work may add to what the process already maps (None: no cap)."""

    network: bool = False
    memory_bytes: int | None = 1 << 30


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _filter_program() -> bytes:
    arch, socket_nr, io_uring_nr = _ARCHES.get(platform.machine(), (0, 0, 0))
    if not arch:
        raise SandboxUnavailable(f"no seccomp filter for the {platform.machine()} architecture")
    deny = _RET_ERRNO | errno.EACCES
    program = [
        _instruction(_LD_W_ABS, 0, 0, 4),               # 0: A = arch
        _instruction(_JEQ, 1, 0, arch),                  # 1: our arch -> 3
        _instruction(_RET, 0, 0, deny),                  # 2: another ABI: refuse every call
        _instruction(_LD_W_ABS, 0, 0, 0),                # 3: A = syscall number
        _instruction(_JGE, 6, 0, _X32_BIT),              # 4: x32 calls -> deny (11)
        _instruction(_JEQ, 5, 0, io_uring_nr),           # 5: io_uring_setup -> deny (11)
        _instruction(_JEQ, 0, 3, socket_nr),             # 6: socket -> 7, else allow (10)
        _instruction(_LD_W_ABS, 0, 0, 16),               # 7: A = low word of args[0], the domain
        _instruction(_JEQ, 2, 0, socket.AF_INET),        # 8: AF_INET -> deny (11)
        _instruction(_JEQ, 1, 0, socket.AF_INET6),       # 9: AF_INET6 -> deny (11)
        _instruction(_RET, 0, 0, _RET_ALLOW),            # 10
        _instruction(_RET, 0, 0, deny),                  # 11
    ]
    return b"".join(program)


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    libc.prctl.restype = ctypes.c_int
    return libc


def forbid_network() -> None:
    """From now on this process (and its children) cannot open an IPv4 or IPv6 socket."""
    libc = _libc()
    code = _filter_program()
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0) != 0:
        raise SandboxUnavailable(f"seccomp filter refused: {os.strerror(ctypes.get_errno())}")


def die_with_parent() -> None:
    """Be killed when the process that forked this one dies: no orphan runs on without its deadline."""
    _libc().prctl(_PR_SET_PDEATHSIG, 9, 0, 0, 0)  # SIGKILL


def mapped_bytes() -> int:
    """The address space this process maps now (VmSize)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def cap_memory(extra_bytes: int) -> None:
    """Allow `extra_bytes` of address space beyond what is mapped now (the store is inherited copy-on-write)."""
    limit = mapped_bytes() + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def confine(limits: Limits) -> None:
    """Apply `limits` to the calling process, which must be a child forked for one piece of work."""
    die_with_parent()
    if not limits.network:
        forbid_network()
    if limits.memory_bytes:
        cap_memory(limits.memory_bytes)


def check_available() -> str | None:
    """None when this machine can forbid the network; otherwise why not (said once, at start)."""
    pid = os.fork()
    if pid == 0:
        try:
            forbid_network()
            try:
                socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
                os._exit(3)
            except PermissionError:
                os._exit(0)
        except BaseException:  # noqa: BLE001 - any failure means: not available
            os._exit(4)
    _pid, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return None if code == 0 else f"seccomp network filter unavailable (probe exit {code})"

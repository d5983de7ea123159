"""Serve the app with gunicorn's gevent workers, one per core.

Sync workers face the network: two clients that send a body slowly held both workers of a 2-core
machine for a minute. A gevent worker reads each request in its own greenlet, so a slow client costs
a greenlet, not the worker; the queries themselves run in the worker's confined query processes
(endpoint/pool.py), whose waits are cooperative, so /health and light pages answer while they work.
The master owns the server's state folder (working copy, metrics): workers that exit, crash or are
replaced on SIGHUP never remove it; SIGTERM drains (graceful_timeout) and then the master cleans up.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):  # type: ignore[misc]  # gunicorn has no types: its base class is Any
    """gunicorn with our options; each worker builds its own app (and loads its own store)."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._factory()


def serve(factory: Callable[[], Flask], host: str, port: int, workers: int | None = None,
          request_timeout: float | None = None, max_body_bytes: int = 1 << 20) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or os.cpu_count() or 1,
        "worker_class": "gevent",
        "worker_connections": 1000,
        # A worker that stops answering its master's heartbeat this long is killed and replaced; queries
        # stop earlier, at their own deadline, in their own processes.
        "timeout": max(60, int(request_timeout or 0) + 30),
        "graceful_timeout": max(5, int(request_timeout or 0) + 5),
        # Slow clients: headers must arrive within this many seconds of the connection's last byte.
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "errorlog": "-",
        "loglevel": "warning",
    }
    GunicornServer(factory, options).run()

"""Serve the app with gunicorn: one sync worker per core (STACK-NOTES.md: threads lose to the GIL)."""

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
          request_timeout: float | None = None) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or os.cpu_count() or 1,
        "worker_class": "sync",
        # A worker stuck longer than this is killed and replaced; queries stop earlier, at their own deadline.
        "timeout": max(60, int(request_timeout or 0) + 30),
        "graceful_timeout": 5,
        "errorlog": "-",
        "loglevel": "warning",
    }
    GunicornServer(factory, options).run()

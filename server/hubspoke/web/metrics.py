"""/metrics in the Prometheus text format: requests by route, method and status, latency, timeouts.

Under gunicorn the server sets PROMETHEUS_MULTIPROC_DIR before any worker starts (cli.cmd_serve),
so prometheus_client's multiprocess mode adds up every worker's counts; without it (a test's
create_app) each app has its own registry.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The app's metrics; `timeout()` is called where a query or write is stopped at its deadline."""

    def __init__(self) -> None:
        self._multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        # In multiprocess mode values live in files and are gathered at scrape time, so nothing registers.
        self._registry = None if self._multiprocess else CollectorRegistry()
        self.requests = Counter("hubspoke_http_requests", "HTTP requests answered", ["route", "method", "status"],
                                registry=self._registry)
        self.latency = Histogram("hubspoke_http_request_duration_seconds", "Time to answer a request", ["route"],
                                 buckets=_BUCKETS, registry=self._registry)
        self.timeouts = Counter("hubspoke_timeouts", "Queries and writes stopped at the timeout",
                                registry=self._registry)

    def timeout(self) -> None:
        self.timeouts.inc()

    def exposition(self) -> bytes:
        if self._registry is not None:
            return generate_latest(self._registry)
        registry = CollectorRegistry()
        # prometheus_client leaves MultiProcessCollector.__init__ unannotated (checked with 0.26)
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)


def install(app: Flask) -> Metrics:
    metrics = Metrics()
    app.extensions["hubspoke_metrics"] = metrics

    @app.before_request
    def start_clock() -> None:
        g.hubspoke_started = time.perf_counter()

    @app.after_request
    def record(response: Response) -> Response:
        # The route's rule, not the path, keeps the label set small (/store/<path:rest>).
        route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        metrics.requests.labels(route, request.method, str(response.status_code)).inc()
        started = g.get("hubspoke_started")
        if started is not None:
            metrics.latency.labels(route).observe(time.perf_counter() - started)
        return response

    @app.route("/metrics")
    def metrics_page() -> Response:
        return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)

    return metrics

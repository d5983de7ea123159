"""`make bench` (writes): what an authorised write costs on the real graph.

- *served*: one-statement INSERT DATA requests to `hubspoke serve` (2 workers, writes on), one at a
  time, each on a different fact (distinct writes, so nothing is cached), wall time per request as the
  client sees it: the guard, the write's process, the shapes, the dump of the working copy and the
  worker's reload.
- *check*: the shapes' verdict alone (write_checks.check_write) for the same writes, in this process,
  against the full check the store ran before (write_checks.full_problems).
- *SPARQLUpdateStore*: rdflib's SPARQLUpdateStore adding 5 triples one by one (5 requests), the
  scenario issue 14 measured at 16 s.
Figures go to bench/results/writes.json and .md with the machine and versions.

Usage: python -m bench.writes [--writes 20] [--dataset build/hubspoke.nq]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
import requests

from bench.fuzz import free_port, wait_for_health
from hubspoke import namespaces as ns
from hubspoke.store import EmbeddedStore
from hubspoke.validation.write_checks import check_write, checked_triples, full_problems, prepare, problem_key

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
TOKEN = "bench-writes"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def _facts(dataset: Path, count: int) -> list[str]:
    store = EmbeddedStore.from_file(dataset).oxigraph
    subjects = sorted({q.subject.value for q in store.quads_for_pattern(None, None, None, ox.NamedNode(ns.FACTS_GRAPH))
                       if isinstance(q.subject, ox.NamedNode)})
    step = max(1, len(subjects) // count)
    return subjects[::step][:count]


def _insert(subject: str, i: int) -> str:
    return f'INSERT DATA {{ GRAPH <{ns.FACTS_GRAPH}> {{ <{subject}> <{COMMENT}> "bench note {i}" }} }}'


def _served(dataset: Path, subjects: list[str]) -> dict[str, object]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, "-m", "hubspoke.cli", "--root", str(ROOT), "serve", "--port",
                                   str(port), "--dataset", str(dataset), "--workers", "2", "--update-token", TOKEN],
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_health(base)
            auth = {"Authorization": f"Bearer {TOKEN}"}
            seconds, statuses = [], []
            for i, subject in enumerate(subjects):
                started = time.perf_counter()
                answer = requests.post(base + "/sparql", data={"update": _insert(subject, i)}, headers=auth, timeout=120)
                seconds.append(time.perf_counter() - started)
                statuses.append(answer.status_code)
            from rdflib import Graph, Literal, URIRef
            from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

            update_store = SPARQLUpdateStore(query_endpoint=base + "/sparql", update_endpoint=base + "/sparql",
                                             auth=None, headers=auth)
            graph = Graph(update_store, identifier=URIRef("http://example.org/bench-writes"))
            started = time.perf_counter()
            for i in range(5):
                graph.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i)))
            update_store_seconds = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=60)
    return {"p50_s": round(statistics.median(seconds), 3), "p90_s": round(sorted(seconds)[int(0.9 * len(seconds))], 3),
            "max_s": round(max(seconds), 3), "statuses": sorted(set(statuses)),
            "sparql_update_store_5_adds_s": round(update_store_seconds, 2)}


def _checks(dataset: Path, subjects: list[str]) -> dict[str, object]:
    before = EmbeddedStore.from_file(dataset).oxigraph
    shapes = prepare({q.triple for q in before.quads_for_pattern(None, None, None, ox.NamedNode(ns.SHAPES_GRAPH))})
    started = time.perf_counter()
    baseline = {problem_key(p) for p in full_problems(checked_triples(before), shapes)}
    full_seconds = time.perf_counter() - started
    seconds, focus = [], []
    for i, subject in enumerate(subjects):
        after = ox.Store()
        after.bulk_extend(iter(before))
        after.update(_insert(subject, i))
        started = time.perf_counter()
        verdict = check_write(before, after, shapes, baseline)
        seconds.append(time.perf_counter() - started)
        focus.append(verdict.focus_nodes)
    return {"full_check_s": round(full_seconds, 3), "focused_check_p50_s": round(statistics.median(seconds), 3),
            "focused_check_max_s": round(max(seconds), 3), "nodes_rechecked_p50": statistics.median(focus),
            "whole_checks": sum(1 for f in focus if f < 0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--dataset", type=Path, default=ROOT / "build" / "hubspoke.nq")
    args = parser.parse_args()
    if not args.dataset.exists():
        subprocess.run([sys.executable, "-m", "hubspoke.cli", "--root", str(ROOT), "build"], check=True)
    subjects = _facts(args.dataset, args.writes)
    result = {
        "writes": len(subjects),
        "served": _served(args.dataset, subjects),
        "check": _checks(args.dataset, subjects),
        "load_average_at_start": os.getloadavg()[0],
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "versions": {p: metadata.version(p) for p in ("pyoxigraph", "rdflib", "pyshacl", "gunicorn", "gevent")},
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "writes.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    served, check = result["served"], result["check"]
    assert isinstance(served, dict) and isinstance(check, dict)
    lines = [f"# Writes on the real graph ({result['date']})", "",
             f"Machine: {result['machine']['platform']}, {result['machine']['cpus']} cores, Python "
             f"{result['machine']['python']}; " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()) +
             f"; 1-minute load average at start {result['load_average_at_start']:.1f} (the machine is shared)", "",
             "| measure | value |", "| --- | --- |",
             f"| one-statement INSERT DATA through the server, {len(subjects)} distinct writes: p50 / p90 / max | "
             f"{served['p50_s']} s / {served['p90_s']} s / {served['max_s']} s (statuses {served['statuses']}) |",
             f"| rdflib SPARQLUpdateStore, 5 triples added one by one | {served['sparql_update_store_5_adds_s']} s |",
             f"| the shapes over the whole graph (what every write ran before) | {check['full_check_s']} s |",
             f"| the shapes over the nodes a write can affect: p50 / max | {check['focused_check_p50_s']} s / "
             f"{check['focused_check_max_s']} s ({check['nodes_rechecked_p50']} nodes re-checked at p50, "
             f"{check['whole_checks']} whole checks) |", ""]
    (RESULTS / "writes.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make fuzz` (also part of `make bench`): hostile requests against the real server, on loopback only.

Starts `hubspoke serve` on the built graph with writes on and its default limits (the timeout shortened
so heavy requests end sooner), a canary HTTP listener on 127.0.0.1 that every SERVICE/LOAD/FROM in the
requests points at, and sends N requests (default 10,000) from 8 client threads: malformed and random
queries, hidden-SERVICE variants, memory and CPU bombs, long paths, unknown functions, bad IRIs in
paths and parameters, wrong methods and media types, invalid UTF-8, updates with and without the
token, LOAD, entity bombs, broken uploads, slow and half-sent requests. It records the status codes,
every 5xx (each one a failure: the fuzz is one client, and one client alone must never get one — a
request over its time limit is 422, a client's own requests beyond its share 429), the 422s at the
time limit and the 429s apart, the canary's hits, the peak memory of the server's processes (PSS,
sampled), and checks the server still answers a known query correctly afterwards.
Figures go to bench/results/fuzz.json and fuzz.md with the machine and versions.

Usage: python -m bench.fuzz [--requests 10000] [--seed 1] [--dataset build/hubspoke.nq]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import requests

from tests.conftest import Canary  # the loopback listener the tests use, counting what reaches it
from tests.test_guard_differential import fuzzed_case  # the guard differential's generator

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
TOKEN = "fuzz-token"
KNOWN = "ASK { <https://w3id.org/hubspoke/id/japan> ?p ?o }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_health(base: str, seconds: float = 120) -> None:
    """Until the server at `base` answers /health (any request error means not yet)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/health", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer /health within {seconds:g} s")


def random_query(rng: random.Random) -> str:
    words = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "?s", "?p", "?o", "FILTER", "(", ")",
             "OPTIONAL", "UNION", "GRAPH", "BIND", "AS", "VALUES", "ORDER BY", "LIMIT", "1", "-1", "'x'", "\"y\"",
             "<http://example.org/a>", "hs:State", "a", ".", ";", ",", "|", "/", "*", "+", "^", "!", "COUNT",
             "GROUP BY", "HAVING", "MINUS", "EXISTS", "NOT", "REGEX", "STR", "IRI", "BNODE", "[]", "()", "@en"]
    return " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))


def requests_for(rng: random.Random, n: int, base: str, canary: str) -> dict[str, object]:
    """The n-th hostile request: method, path and requests' keyword arguments, and a kind label."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    kind = rng.choice(["hidden-service", "random-query", "random-bytes", "heavy", "path", "function",
                       "bad-path", "bad-param", "method", "media-type", "update", "update-load", "upload",
                       "store", "pages", "dataset-from"])
    q = f"{base}/sparql"
    if kind == "hidden-service":
        return {"kind": kind, "method": "post", "url": q, "data": {"query": fuzzed_case(rng, canary, n)}}
    if kind == "random-query":
        return {"kind": kind, "method": "get", "url": q, "params": {"query": random_query(rng)}}
    if kind == "random-bytes":
        body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
        return {"kind": kind, "method": "post", "url": q, "data": body,
                "headers": {"Content-Type": rng.choice(["application/sparql-query", "application/sparql-update",
                                                        "application/x-www-form-urlencoded"])}}
    if kind == "heavy" and rng.random() < 0.08:  # a few: each holds a query process until its limit
        doubling = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(26))
        text = rng.choice([
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            f'SELECT ?a26 WHERE {{ BIND("abcdefghijklmnop" AS ?a0) {doubling} }}',
            "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f }",
        ])
        return {"kind": kind, "method": "post", "url": q, "data": {"query": text}}
    if kind in ("heavy", "path"):
        steps = rng.choice([10, 1000, 10_000, 30_000])
        return {"kind": "path", "method": "post", "url": q,
                "data": {"query": "SELECT * WHERE { ?s " + "/".join(["<http://example.org/p>"] * steps) + " ?o }"}}
    if kind == "function":
        return {"kind": kind, "method": "get", "url": q,
                "params": {"query": f"SELECT (<http://example.org/f{rng.randrange(9)}>(1) AS ?x) WHERE {{}}"}}
    if kind == "bad-path":
        junk = rng.choice(["a%20b", "%7Bx%7D", "%3Cx%3E", "%00", "..%2F..%2Fetc", "%C2%B2", "x" * 3000, "%FF%FE",
                           "javascript:alert(1)", "a%0Ab"])
        return {"kind": kind, "method": "get",
                "url": f"{base}/{rng.choice(['id', 'ontology', 'store', 'explain', 'ties/us-linked'])}/{junk}"}
    if kind == "bad-param":
        junk = rng.choice(["%C2%B2", "²", "-1", "99999999999999999999", "2010,", ",", "abc", "2010,2013,x", "",
                           "\u0662\u0660\u0661\u0660", "1e3"])
        page = rng.choice(["/ties/us-linked", "/network", "/explain", "/sparql"])
        return {"kind": kind, "method": "get", "url": base + page,
                "params": {rng.choice(["year", "compare", "s", "p", "o", "format", "default-graph-uri",
                                       "named-graph-uri", "undated"]): junk}}
    if kind == "method":
        return {"kind": kind, "method": rng.choice(["put", "delete", "patch", "options"]),
                "url": base + rng.choice(["/sparql", "/store", "/", "/health", "/id/japan"])}
    if kind == "media-type":
        return {"kind": kind, "method": "post", "url": q, "data": KNOWN.encode(),
                "headers": {"Content-Type": rng.choice(["text/plain", "application/sparql-query; charset=latin1",
                                                        "image/png", "", "application/json", "multipart/x"]),
                            "Accept": rng.choice(["image/png", "*/*", "text/csv", "application/x-nonsense", ""])}}
    if kind in ("update", "update-load"):
        texts = [f"LOAD <{canary}/data.ttl>", f"CLEAR DEFAULT ; # x\rLOAD <{canary}/x>\n",
                 f"INSERT {{ <a:s> <a:p> ?o }} WHERE {{ SERVICE <{canary}/u> {{ ?s ?p ?o }} }}",
                 "INSERT DATA { GRAPH <http://example.org/fuzz> { <http://example.org/a> <http://example.org/b> 1 } }",
                 "DROP GRAPH <http://example.org/none>", random_query(rng),
                 "INSERT DATA { <javascript:x> <http://example.org/p> 1 }"]
        # A write that passes the guard is checked against the shapes over the whole graph (seconds, one
        # at a time), so few carry the token.
        headers = auth if rng.random() < 0.1 else rng.choice([{}, {"Authorization": "Bearer wrong"},
                                                               {"Authorization": "Basic x"}])
        return {"kind": kind, "method": "post", "url": q, "data": {"update": rng.choice(texts)}, "headers": headers}
    if kind == "upload":
        bomb = (ROOT / "tests" / "fixtures" / "hardening" / "billion-laughs.rdf").read_bytes()
        xxe = (ROOT / "tests" / "fixtures" / "endpoint" / "xxe.rdf").read_bytes().replace(b"SECRET_PATH", b"/etc/passwd")
        body, mime = rng.choice([(bomb, "application/rdf+xml"), (xxe, "application/rdf+xml"),
                                 (b"<a> <b> .", "text/turtle"), (b"@prefix : <x> . :a :b", "text/turtle"),
                                 (b"{\"@context\": 1}", "application/ld+json"), (os.urandom(200), "application/n-triples")])
        # Writes that pass the guard and the parser are checked against the shapes over the whole graph
        # (seconds each, one at a time), so few of the uploads carry the token.
        return {"kind": kind, "method": rng.choice(["put", "post"]), "url": f"{base}/store",
                "params": {"graph": "http://example.org/fuzz-upload"}, "data": body,
                "headers": {"Content-Type": mime, **(auth if rng.random() < 0.1 else {})}}
    if kind == "store":
        graph = rng.choice(["not an iri", "http://example.org/x", f"{canary}/g", "file:///etc/passwd", ""])
        return {"kind": kind, "method": rng.choice(["get", "head", "delete"]), "url": f"{base}/store",
                "params": {"graph": graph}, "headers": rng.choice([auth, {}])}
    if kind == "dataset-from":
        return {"kind": kind, "method": "get", "url": q,
                "params": {"query": f"SELECT * FROM <{canary}/from.ttl> WHERE {{ ?s ?p ?o }}",
                           "named-graph-uri": f"{canary}/named"}}
    return {"kind": "pages", "method": "get",
            "url": base + rng.choice(["/", "/id/japan", "/ontology/State", "/ties/us-linked", "/network", "/void",
                                      "/metrics", "/health", "/sparql", "/explain"]),
            "headers": {"Accept": rng.choice(["text/html", "application/json", "*/*", "text/turtle"])}}


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, stack = [pid], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def pss_bytes(pid: int) -> int:
    total = 0
    for proc in descendants(pid):
        try:
            for line in Path(f"/proc/{proc}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dataset", default=str(ROOT / "build" / "hubspoke.nq"))
    parser.add_argument("--memory-limit-mib", type=int, default=1024)
    args = parser.parse_args(argv)
    dataset = Path(args.dataset)
    if not dataset.exists():
        subprocess.run([sys.executable, "-m", "hubspoke.cli", "--root", str(ROOT), "build"], check=True)
    canary = Canary()  # its url ends in /sparql; requests name paths below it
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The server's log goes to a file (a pipe nobody reads would stall it once full); its tracebacks,
    # if any, are kept with the results.
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, "-m", "hubspoke.cli", "--root", str(ROOT), "serve", "--port", str(port), "--dataset",
         str(dataset), "--workers", "2", "--update-token", TOKEN, "--query-timeout", "3",
         "--memory-limit-mib", str(args.memory_limit_mib)], stdout=log, stderr=subprocess.STDOUT)
    wait_for_health(base)
    expected = requests.post(base + "/sparql", data={"query": KNOWN}, timeout=30,
                             headers={"Accept": "application/sparql-results+json"}).json()
    peak = [pss_bytes(server.pid)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak.append(pss_bytes(server.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    rng = random.Random(args.seed)
    plan = [requests_for(rng, n, base, canary.url) for n in range(args.requests)]
    statuses: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    five_hundreds: list[dict[str, object]] = []
    over_time: Counter[str] = Counter()
    lock = threading.Lock()

    def send(spec: dict[str, object]) -> None:
        kind = str(spec.pop("kind"))
        method, url = str(spec.pop("method")), str(spec.pop("url"))
        try:
            response = getattr(requests, method)(url, timeout=120, **spec)
            code = str(response.status_code)
            text = response.text[:200] if response.status_code >= 422 else ""
        except requests.RequestException as error:
            code, text = "no-answer", str(error)[:200]
        with lock:
            statuses[code] += 1
            by_kind.setdefault(kind, Counter())[code] += 1
            if code == "no-answer" or code.startswith("5"):
                five_hundreds.append({"kind": kind, "status": code, "text": text})
            elif code == "422" and "this server grants one request" in text:
                over_time[kind] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(send, plan))
    # Slow and half-sent requests, then gone: the server must shrug them off.
    for _ in range(20):
        conn = socket.create_connection(("127.0.0.1", port))
        conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nSELECT")
        conn.close()
    seconds = time.monotonic() - started
    stop.set()
    sampler.join()
    after = requests.post(base + "/sparql", data={"query": KNOWN}, timeout=30,
                          headers={"Accept": "application/sparql-results+json"}).json()
    server.terminate()
    server.wait(timeout=30)
    log.seek(0)
    # Head and tail of each: the exception's own lines come first, and a child's Rust backtrace may follow.
    tracebacks = [block.strip()[:2500] + "\n...\n" + block.strip()[-500:]
                  for block in log.read().decode("utf-8", "replace").split("Traceback (most recent call last)")[1:]]
    result = {
        "requests": args.requests,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "statuses": dict(sorted(statuses.items())),
        "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(by_kind.items())},
        "5xx": len(five_hundreds),
        "5xx_examples": five_hundreds[:10],
        "422_at_time_limit": dict(sorted(over_time.items())),
        "server_tracebacks": tracebacks[:10],
        "canary_hits": canary.hits,
        "peak_pss_mib": round(max(peak) / (1 << 20), 1),
        "memory_limit_mib_per_process": args.memory_limit_mib,
        "answers_correctly_after": after == expected,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "versions": {p: metadata.version(p) for p in ("pyoxigraph", "rdflib", "gunicorn", "gevent", "Flask")},
        "date": time.strftime("%Y-%m-%d"),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fuzz.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Fuzz: {args.requests} hostile requests against `hubspoke serve` ({result['date']})", "",
             f"Machine: {result['machine']['platform']}, {result['machine']['cpus']} cores, Python "
             f"{result['machine']['python']}; " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()), "",
             "| measure | value |", "| --- | --- |",
             f"| requests (8 client threads, seed {args.seed}) | {args.requests} in {result['seconds']} s |",
             f"| 5xx (or no answer) | {result['5xx']} |",
             f"| 422 at the 3 s time limit (by kind) | {sum(over_time.values())} "
             f"({', '.join(f'{k}: {v}' for k, v in sorted(over_time.items())) or 'none'}) |",
             f"| 429: this client's share of query processes or writes in progress | {statuses.get('429', 0)} |",
             f"| connections to the loopback canary | {result['canary_hits']} |",
             f"| peak memory of the server's processes (PSS) | {result['peak_pss_mib']} MiB "
             f"(2 workers, {args.memory_limit_mib} MiB cap per request process) |",
             f"| known query answered correctly afterwards | {result['answers_correctly_after']} |", "",
             "Statuses: " + ", ".join(f"{k}: {v}" for k, v in result["statuses"].items()), ""]
    (RESULTS / "fuzz.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    ok = not five_hundreds and canary.hits == 0 and after == expected
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

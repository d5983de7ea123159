"""The hardening issue's reproducers, each against the real server (gunicorn, gevent workers, query
processes) or the real parts it names: resource limits, slow clients, signals, atomic writes, headers,
4xx for bad input, a build that will not publish an empty graph."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from hubspoke.build import ShrinkRefused, build
from hubspoke.cli import project_version
from hubspoke.config import ProjectPaths
from hubspoke.endpoint.guard import Refused, SparqlSyntaxError, inspect_query, inspect_update
from hubspoke.endpoint.pool import ClientBusy, RequestPool
from hubspoke.endpoint.processes import run_isolated
from hubspoke.endpoint.sandbox import Limits, check_available
from hubspoke.shared_store import SharedStore
from hubspoke.web.links import safe_href
from tests.conftest import ROOT, Canary, LiveServer

TOKEN = "hardening-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FIXTURES = Path(__file__).parent / "fixtures" / "hardening"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def hardened(built: tuple[ProjectPaths, object]) -> Iterator[LiveServer]:
    """The real graph with writes on, small memory and byte caps and a long timeout: a bomb must hit the
    memory cap (422), not the deadline."""
    server = LiveServer(built[0].dataset_file, "--update-token", TOKEN, "--query-timeout", "60",
                        "--memory-limit-mib", "300", "--byte-cap", "2000000")
    yield server
    server.stop()


def ask(server: LiveServer, text: str, timeout: float = 90) -> requests.Response:
    return requests.post(server.url + "/sparql", data={"query": text}, headers=JSON, timeout=timeout)


def alive(server: LiveServer) -> bool:
    response = ask(server, "ASK { ?s ?p ?o }")
    return response.status_code == 200 and response.json()["boolean"] is True


# --- what is checked is what runs ---

def test_a_comment_ended_by_cr_no_longer_hides_service() -> None:
    for text in ("SELECT * WHERE { # x\rSERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o }\n}",
                 "SELECT * WHERE { #\rSERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o } }"):
        with pytest.raises(Refused):
            inspect_query(text)
    with pytest.raises(Refused):
        inspect_update("INSERT { <a:s> <a:p> ?o } WHERE { # x\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o }\n}")
    with pytest.raises(Refused):
        inspect_update("CLEAR DEFAULT ; # x\rLOAD <http://127.0.0.1:9/x.ttl>\n")


def test_the_checked_text_is_the_text_that_runs() -> None:
    info = inspect_query("SELECT * WHERE { # a comment\r?s ?p ?o }")
    assert "\r" not in info.text and info.text.startswith("SELECT")


def test_request_processes_have_no_network(canary: "Canary") -> None:
    if check_available() is not None:
        pytest.skip(f"this machine cannot confine processes: {check_available()}")
    store = ox.Store()
    before = canary.hits
    with pytest.raises(PermissionError):
        run_isolated(lambda: list(store.query(f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}")),
                     10, Limits(network=False))
    assert canary.hits == before
    # Proof that the canary would have seen it: the same query from an unconfined process reaches it.
    with pytest.raises(OSError):
        run_isolated(lambda: list(store.query(f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}")),
                     10, Limits(network=True))
    assert canary.hits == before + 1


# --- bounded resources ---

def test_memory_bomb_is_refused_and_the_server_lives(hardened: LiveServer) -> None:
    response = ask(hardened, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1")
    assert response.status_code == 422, response.text
    assert "memory" in response.text and "300 MiB" in response.text
    assert alive(hardened)


def test_a_short_query_cannot_make_a_huge_answer(hardened: LiveServer) -> None:
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(24))
    response = ask(hardened, f'SELECT ?a24 WHERE {{ BIND("abcdefghijklmnop" AS ?a0) {binds} }}')
    assert response.status_code == 422, response.text[:300]
    assert len(response.content) < 10_000
    assert alive(hardened)


def test_byte_cap_refuses_instead_of_cutting(hardened: LiveServer) -> None:
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(17))
    response = ask(hardened, f'SELECT ?a17 WHERE {{ BIND("abcdefghijklmnop" AS ?a0) {binds} }}')  # 2 MiB string
    assert response.status_code == 422 and "byte cap" in response.text
    assert response.headers["X-Hubspoke-Byte-Cap"] == "2000000"


def test_a_very_long_path_is_a_4xx(hardened: LiveServer) -> None:
    path = "/".join(["<http://example.org/p>"] * 10_000)
    response = ask(hardened, f"SELECT * WHERE {{ ?s {path} ?o }}")
    assert 400 <= response.status_code < 500, response.text[:300]
    assert alive(hardened)


def test_billion_laughs_upload_is_refused_and_nothing_changes(hardened: LiveServer) -> None:
    body = (FIXTURES / "billion-laughs.rdf").read_bytes()
    response = requests.put(hardened.url + "/store", params={"graph": "http://example.org/laughs"}, data=body,
                            headers={"Content-Type": "application/rdf+xml", **AUTH}, timeout=90)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert requests.get(hardened.url + "/store", params={"graph": "http://example.org/laughs"},
                        timeout=30).status_code == 404
    assert alive(hardened)


# --- a server that survives ---

def _slow_client(server: LiveServer) -> socket.socket:
    """A client that starts a POST and never finishes its body."""
    conn = socket.create_connection(("127.0.0.1", server.port))
    conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                 b"Content-Length: 1000\r\n\r\nSELECT")
    return conn


def test_slow_clients_do_not_make_the_server_deaf(hardened: LiveServer) -> None:
    slow = [_slow_client(hardened) for _ in range(8)]  # four per worker: twice what held a sync server
    try:
        started = time.monotonic()
        health = requests.get(hardened.url + "/health", timeout=30)
        assert health.status_code == 200
        assert alive(hardened)
        assert time.monotonic() - started < 10  # was 60 s: the sync workers waited on the bodies
    finally:
        for conn in slow:
            conn.close()


def test_health_answers_while_heavy_queries_run(hardened: LiveServer) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

    def run_heavy() -> None:
        try:
            requests.post(hardened.url + "/sparql", data={"query": heavy}, timeout=5)
        except requests.RequestException:
            pass  # the client gives up; the server's deadline (60 s here) is not what is tested

    threads = [threading.Thread(target=run_heavy) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    try:
        started = time.monotonic()
        health = requests.get(hardened.url + "/health", timeout=30)
        assert health.status_code == 200 and health.json()["status"] in ("ok", "busy")
        assert time.monotonic() - started < 3
    finally:
        for thread in threads:
            thread.join()


def test_pool_limits_each_client() -> None:
    pool = RequestPool(slots=2, per_client=1, limits=Limits())
    started, release = threading.Event(), threading.Event()

    def hold(_executor: object) -> str:
        started.set()
        release.wait(10)
        return "done"

    thread = threading.Thread(target=lambda: pool.run("a", 5, hold))
    thread.start()
    started.wait(5)
    with pytest.raises(ClientBusy):
        pool.run("a", 5, lambda _e: "second")
    assert pool.run("b", 5, lambda _e: "other client") == "other client"
    assert pool.state().running == 1
    release.set()
    thread.join()


@pytest.fixture()
def disposable(built: tuple[ProjectPaths, object]) -> Iterator[LiveServer]:
    server = LiveServer(built[0].dataset_file, "--update-token", TOKEN, "--query-timeout", "60")
    yield server
    server.stop()


def _state_folder(server: LiveServer) -> Path:
    """The server's own state folder, read off what its workers map (prometheus' value files live in it)."""
    import re

    pids = [server.process.pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == server.process.pid:
                    pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    for pid in pids:
        try:
            found = re.search(r"(/\S*/hubspoke-serve-[^/\s]+)/", Path(f"/proc/{pid}/maps").read_text())
        except OSError:
            continue
        if found:
            return Path(found.group(1))
    raise AssertionError("no state folder found in the server's memory maps")


def test_sighup_reload_and_dead_workers_keep_the_server_up(disposable: LiveServer) -> None:
    insert = "INSERT DATA { GRAPH <http://example.org/survivor> { <http://example.org/a> <http://example.org/b> 1 } }"
    ok = requests.post(disposable.url + "/sparql", data={"update": insert}, headers=AUTH, timeout=60)
    assert ok.status_code == 204, ok.text
    folder = _state_folder(disposable)
    assert (folder / "working.nq").exists()
    os.kill(disposable.process.pid, signal.SIGHUP)  # gunicorn replaces every worker; the old ones exit normally
    time.sleep(3)
    assert disposable.process.poll() is None
    assert (folder / "working.nq").exists() and (folder / "metrics").is_dir()  # no worker removed them
    assert alive(disposable)
    survived = ask(disposable, "ASK { GRAPH <http://example.org/survivor> { ?s ?p ?o } }")
    assert survived.json()["boolean"] is True
    again = requests.post(disposable.url + "/sparql", data={"update": insert.replace("1 }", "2 }")},
                          headers=AUTH, timeout=60)
    assert again.status_code == 204, again.text
    assert requests.get(disposable.url + "/metrics", timeout=30).status_code == 200


def test_an_unanswered_write_is_not_applied(tmp_path: Path) -> None:
    """A worker that dies mid-write: its write process dies with it and the working copy is unchanged."""
    working = tmp_path / "working.nq"
    working.write_text('<http://example.org/s> <http://example.org/p> "before" .\n', encoding="utf-8")
    original = working.read_bytes()
    worker = os.fork()
    if worker == 0:
        try:
            shared = SharedStore(working, write_timeout=30)

            def slow_insert(store: object) -> None:
                time.sleep(2)
                shared.current().oxigraph.update('INSERT DATA { <http://example.org/s> <http://example.org/p> "after" }')

            shared.write(slow_insert)
        finally:
            os._exit(0)
    time.sleep(0.7)
    os.kill(worker, signal.SIGKILL)
    os.waitpid(worker, 0)
    time.sleep(2.5)  # past the moment the orphan would have published
    assert working.read_bytes() == original


# --- pages and headers ---

def test_only_http_iris_become_links() -> None:
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("JavaScript:alert(1)") is None
    assert safe_href("data:text/html,<script>alert(1)</script>") is None
    assert safe_href("https://w3id.org/hubspoke/id/japan") == "/id/japan"
    assert safe_href("http://www.wikidata.org/entity/Q17") == "http://www.wikidata.org/entity/Q17"
    assert safe_href('http://example.org/"onmouseover=x') is None
    assert safe_href("https://w3id.org/hubspoke/rules/owl-rl/cax-sco") is None  # ours, but no page here


def test_curated_iris_must_be_http_or_urn(shapes_dir_problems: list[str]) -> None:
    assert any("javascript:" in p for p in shapes_dir_problems)


@pytest.fixture(scope="module")
def shapes_dir_problems() -> list[str]:
    from hubspoke.validation import validate_shacl
    import rdflib

    data = rdflib.Graph().parse(FIXTURES / "javascript-iri.ttl")
    shapes = rdflib.Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    return [f"{p.focus} {p.value} {p.message}" for p in validate_shacl(data, shapes)]


@pytest.mark.parametrize("path", ["/", "/sparql?query=ASK%7B%7D", "/id/japan", "/health"])
def test_every_answer_carries_protective_headers(hardened: LiveServer, path: str) -> None:
    response = requests.get(hardened.url + path, timeout=30, headers={"Accept": "text/html"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_cors_answers_vary_by_origin(endpoint_server: LiveServer) -> None:
    response = requests.get(endpoint_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30,
                            headers={"Origin": "http://client.example"})
    assert "Origin" in response.headers.get("Vary", "")
    plain = requests.get(endpoint_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
    assert "Origin" in plain.headers.get("Vary", "")  # the answer without Origin differs too


# --- every bad input a 4xx ---

@pytest.mark.parametrize("path", ["/id/a%20b", "/ontology/a%20b", "/store/%7Bx%7D", "/id/%3Cx%3E"])
def test_bad_iris_in_paths_are_4xx(hardened: LiveServer, path: str) -> None:
    response = requests.get(hardened.url + path, timeout=30)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert "Traceback" not in response.text


def test_an_unknown_extension_function_is_a_4xx(hardened: LiveServer) -> None:
    response = ask(hardened, "SELECT (<http://example.org/no-such-function>(1) AS ?x) WHERE {}")
    assert response.status_code == 400 and "no-such-function" in response.text


@pytest.mark.parametrize(("text", "where"), [
    ("SELECT ?s WHERE { ?s ?p }", "1:26"),
    ("PREFIX ex: <http://example.org/>\nSELECT * WHERE { ex:a ex:b }", "2:28"),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}", None),
    ("SELECT * WHERE {\n  ?s ?p ?o\n  BIND(1 AS )\n}", None),
    ("SELECT ?x WHERE {\n  ?s ?p ?o }\nGROUP BY", None),
])
def test_syntax_errors_point_where_the_store_reads_them(text: str, where: str | None) -> None:
    with pytest.raises(SparqlSyntaxError) as error:
        inspect_query(text)
    with pytest.raises(SyntaxError) as store_error:
        ox.Store().query(text)
    store_says = str(store_error.value).split(":", 2)
    assert str(store_error.value).startswith("error at ")
    assert f"{store_says[0]}:{store_says[1]}".removeprefix("error ") in str(error.value)
    if where:
        assert f"at {where}" in str(error.value)


def test_update_syntax_errors_are_not_all_1_1() -> None:
    with pytest.raises(SparqlSyntaxError) as error:
        inspect_update("CLEAR DEFAULT ;\nINSERT DATA { <http://example.org/a> <http://example.org/b> }")
    assert "at 2:" in str(error.value)


# --- the build ---

def _copy_project(tmp_path: Path) -> ProjectPaths:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("ontology", "shapes", "instances"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return ProjectPaths.at(root, build_dir=root / "build", seeds_dir=ROOT.parent / "shared" / "seeds")


def test_build_refuses_to_publish_no_facts(tmp_path: Path) -> None:
    paths = _copy_project(tmp_path)
    for path in paths.instances_dir.glob("*.ttl"):
        path.unlink()
    with pytest.raises(ShrinkRefused, match="no facts"):
        build(paths, project_version(ROOT))
    assert not paths.dataset_file.exists()


def test_build_refuses_a_big_shrink_unless_told(tmp_path: Path) -> None:
    import json

    paths = _copy_project(tmp_path)
    paths.build_dir.mkdir()
    paths.report_file.write_text(json.dumps({"graphs": {"https://w3id.org/hubspoke/graph/facts": 10 ** 7}}))
    with pytest.raises(ShrinkRefused, match="allow-shrink"):
        build(paths, project_version(ROOT))
    assert not paths.dataset_file.exists()


def test_sigterm_drains_requests_in_flight(disposable: LiveServer) -> None:
    """A request whose body is still arriving when SIGTERM comes is answered before the server exits."""
    query = b"ASK { ?s ?p ?o }"
    conn = socket.create_connection(("127.0.0.1", disposable.port))
    conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                 b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
                 b"Content-Length: " + str(len(query)).encode() + b"\r\n\r\n" + query[:5])
    time.sleep(0.5)
    disposable.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    conn.sendall(query[5:])
    conn.settimeout(20)
    answer = b""
    while chunk := conn.recv(65536):
        answer += chunk
    conn.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"boolean":true' in answer
    assert disposable.process.wait(timeout=30) == 0


def test_a_queue_of_writes_never_holds_a_client_for_ever(tmp_path: Path) -> None:
    """Writes run one at a time; one that cannot have the store within its queue wait is refused (503)."""
    import fcntl

    from hubspoke.shared_store import WriteBusy

    working = tmp_path / "working.nq"
    working.write_text('<http://example.org/s> <http://example.org/p> "before" .\n', encoding="utf-8")
    shared = SharedStore(working, write_timeout=1, queue_wait=1)
    with open(working.with_name(working.name + ".lock"), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another worker's write, still running
        with pytest.raises(WriteBusy):
            shared.write(lambda store: None)
    assert working.read_text(encoding="utf-8").count("before") == 1
    shared.write(lambda store: None)  # the store is free again: the write goes through


def _post_update(server: LiveServer, text: str, source: str) -> tuple[int, str]:
    """An authorised update sent from the loopback address `source`: the server tells clients apart
    by their address, and every 127.x.y.z is loopback on Linux."""
    import http.client
    import urllib.parse

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120, source_address=(source, 0))
    body = urllib.parse.urlencode({"update": text})
    conn.request("POST", "/sparql", body=body, headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    answer = (response.status, response.read().decode("utf-8", "replace"))
    conn.close()
    return answer


def test_a_client_has_one_write_in_line_and_others_queue(built: tuple[ProjectPaths, object],
                                                         tmp_path: Path) -> None:
    """One client cannot make the server answer 5xx by sending writes at once: its second write in
    progress gets 429, whichever of the 2 workers takes it; another client's write waits its turn and
    is applied."""
    import fcntl

    server = LiveServer(built[0].dataset_file, "--update-token", TOKEN, env={"TMPDIR": str(tmp_path)})
    try:
        (state,) = tmp_path.glob("hubspoke-serve-*")
        insert = "INSERT DATA {{ GRAPH <http://example.org/queue> {{ <http://example.org/{0}> <http://example.org/p> 1 }} }}"
        answers: dict[str, tuple[int, str]] = {}
        with open(state / "working.nq.lock", "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # a write of another worker, still running
            first = threading.Thread(target=lambda: answers.update(a=_post_update(server, insert.format("a"), "127.0.0.1")))
            other = threading.Thread(target=lambda: answers.update(c=_post_update(server, insert.format("c"), "127.0.0.2")))
            first.start()
            time.sleep(1.0)  # the first write is in line for the lock
            status, text = _post_update(server, insert.format("b"), "127.0.0.1")
            assert status == 429 and "in progress" in text, (status, text)
            other.start()
            time.sleep(1.0)
            assert "c" not in answers  # waiting its turn, not refused
        first.join(timeout=120)
        other.join(timeout=120)
        assert answers["a"][0] == 204 and answers["c"][0] == 204, answers
        found = requests.post(server.url + "/sparql", timeout=30, headers={"Accept": "application/sparql-results+json"},
                              data={"query": "SELECT ?s WHERE { GRAPH <http://example.org/queue> { ?s ?p ?o } } ORDER BY ?s"})
        assert [b["s"]["value"] for b in found.json()["results"]["bindings"]] == [
            "http://example.org/a", "http://example.org/c"]
    finally:
        server.stop()


def test_a_child_reaped_by_someone_else_is_no_500() -> None:
    """Under gunicorn's gevent worker the hub reaps every child on SIGCHLD, so a request's process can be
    gone (and reaped) when its deadline comes or its status is read. Found by the fuzz as two 500s
    (ProcessLookupError from the kill at the deadline). A reaper thread plays the hub here."""
    from hubspoke.endpoint.processes import WorkCrashed, WorkTimedOut

    stop = threading.Event()

    def reap() -> None:
        while not stop.is_set():
            try:
                os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.001)

    reaper = threading.Thread(target=reap, daemon=True)
    reaper.start()
    try:
        for i in range(20):
            delay = 0.05 * (i % 4)

            def work() -> None:
                time.sleep(delay)
                os._exit(0)  # ends without an answer, right at or before the deadline

            with pytest.raises((WorkTimedOut, WorkCrashed)):
                run_isolated(work, 0.1, Limits())
    finally:
        stop.set()
        reaper.join()

"""Shared fixtures: the project, the shared/ folder, a built dataset and a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import requests

from hubspoke.build import BuildReport, build
from hubspoke.cli import project_version
from hubspoke.config import ProjectPaths
from hubspoke.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The one way tests reach ../shared (seeds, W3C manifests); names the folder when it is missing."""
    path = Path(os.environ.get("HUBSPOKE_SHARED", ROOT.parent / "shared")).resolve()
    if not path.is_dir():
        pytest.fail(
            f"these tests need the shared folder at {path} (seeds/ and w3c-sparql11/), "
            "beside the checkout or named by HUBSPOKE_SHARED; it is missing"
        )
    return path


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    path = shared_dir / "seeds"
    if not path.is_dir():
        pytest.fail(f"the seed documents folder {path} is missing")
    return path


@pytest.fixture(scope="session")
def w3c_dir(shared_dir: Path) -> Path:
    path = shared_dir / "w3c-sparql11"
    if not path.is_dir():
        pytest.fail(f"the W3C SPARQL 1.1 test manifests folder {path} is missing")
    return path


@pytest.fixture(scope="session")
def instances_graph() -> rdflib.Graph:
    """All curated instance files in one rdflib graph, as a curator's tools see them."""
    graph = rdflib.Graph()
    for path in sorted((ROOT / "instances").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> tuple[ProjectPaths, BuildReport]:
    """The real project built once per session into a temporary folder (the checkout's build/ untouched)."""
    paths = ProjectPaths.at(ROOT, build_dir=tmp_path_factory.mktemp("build"), seeds_dir=seeds_dir)
    return paths, build(paths, project_version(ROOT))


@pytest.fixture(scope="session")
def kg_store(built: tuple[ProjectPaths, BuildReport]) -> EmbeddedStore:
    """The built knowledge graph in an embedded store; a query's default graph is the knowledge (all graphs but shapes
    and derivation records)."""
    return EmbeddedStore.from_file(built[0].dataset_file)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`hubspoke serve` in a subprocess on a free port: the real gunicorn, the real HTTP stack."""

    def __init__(self, dataset: Path | None, *extra: str, root: Path = ROOT, env: dict[str, str] | None = None) -> None:
        """Serve `dataset`, or with dataset None the project at `root` (`serve --reload` builds it)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "hubspoke.cli", "--root", str(root), "serve", "--port", str(self.port),
               *(("--dataset", str(dataset)) if dataset is not None else ()), "--workers", "2", *extra]
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env={**os.environ, **(env or {})})
        # Generous, and any request error means "not yet": on a busy machine /health may be slow to come up.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{out}")
            try:
                if requests.get(self.url + "/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer /health within 90 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)  # SIGTERM lets requests in flight finish first
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()


@pytest.fixture(scope="session")
def live_server(built: tuple[ProjectPaths, BuildReport]) -> Iterator[LiveServer]:
    server = LiveServer(built[0].dataset_file)
    yield server
    server.stop()


class ConnectionCounter:
    """A plain TCP listener on 127.0.0.1 that counts the connections made to it and never answers:
    the target for SERVICE / FROM / LOAD tests, which must leave the count at zero."""

    def __init__(self) -> None:
        import threading

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.2)
        self.port = int(self._socket.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.accepted = 0
        self._open: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            self._open.append(conn)  # held open and silent, like a hung remote

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=2)
        for conn in self._open:
            conn.close()
        self._socket.close()


ENDPOINT_TOKEN = "endpoint-test-token"


@pytest.fixture(scope="session")
def connection_counter() -> Iterator[ConnectionCounter]:
    counter = ConnectionCounter()
    yield counter
    counter.stop()


@pytest.fixture(scope="session")
def endpoint_server(connection_counter: ConnectionCounter) -> Iterator[LiveServer]:
    """A small dataset with a shapes graph (tests/fixtures/endpoint/dataset.trig), writes enabled, and
    tight limits: 2 s timeout, 50-row cap, 64 KiB bodies, one allowed SERVICE, one CORS origin."""
    server = LiveServer(ROOT / "tests" / "fixtures" / "endpoint" / "dataset.trig",
                        "--update-token", ENDPOINT_TOKEN, "--query-timeout", "2", "--row-cap", "50",
                        "--max-body-bytes", "65536", "--service-allow", connection_counter.url + "/allowed",
                        "--cors-origin", "http://client.example")
    yield server
    server.stop()


class Canary:
    """An HTTP listener on 127.0.0.1 that counts requests (and their paths) and answers each with 500 at
    once, so a query that reaches it fails fast instead of hanging."""

    def __init__(self) -> None:
        import http.server
        import threading

        hits = self
        self.hits = 0
        self.paths: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                hits.hits += 1
                hits.paths.append(self.path)
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/sparql"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="session")
def canary() -> Iterator[Canary]:
    found = Canary()
    yield found
    found.stop()


# --------------------------------------------------------------- refresh -> imported build, once per session
# test_linking.py and test_ties_imported.py share these: a copy of the project whose identifier table also
# links the three US alliances and two frameworks to made-up fixture items (the real table stays as reviewed),
# refreshed from the Wikidata-shaped stub on 127.0.0.1, then built seeds-only and with --imported.

TEST_LINKS = {  # entity -> fixture item (test data, see the fixture's header)
    "japan-us-alliance": "Q990000001", "australia-us-alliance": "Q990000002",
    "south-korea-us-alliance": "Q990000003", "asean-regional-forum": "Q990000011", "east-asia-summit": "Q990000012",
}


def run_hubspoke(*args: str, seeds: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`hubspoke ARGS` in a subprocess (HUBSPOKE_SEEDS set to `seeds` when given)."""
    env = dict(os.environ)
    if seeds is not None:
        env["HUBSPOKE_SEEDS"] = str(seeds)
    return subprocess.run([sys.executable, "-m", "hubspoke.cli", *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="session")
def wikidata_stub() -> Iterator[object]:
    from tests.wikidata_stub import start_stub

    server = start_stub()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def linked_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with the test links added to its identifier table."""
    import csv
    import shutil

    root = tmp_path_factory.mktemp("project")
    for folder in ("ontology", "instances", "shapes"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(ROOT / "queries" / "wikidata", root / "queries" / "wikidata")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    table = root / "instances" / "identifiers.csv"
    with table.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        if row["entity"] in TEST_LINKS:
            row.update(wikidata=TEST_LINKS[row["entity"]], status="reviewed", reviewed_note="TEST LINK to a fixture item")
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return root


@pytest.fixture(scope="session")
def linked_refreshed(linked_project: Path, wikidata_stub: object) -> Path:
    """The linked project after `link refresh` against the stub: snapshots/ holds the fixture's answers."""
    url = wikidata_stub.url  # type: ignore[attr-defined]
    out = run_hubspoke("--root", str(linked_project), "link", "refresh", "--endpoint", url + "/sparql", "--timeout", "10")
    assert out.returncode == 0, out.stderr
    assert "memberships:" in out.stdout
    return linked_project


@pytest.fixture(scope="session")
def linked_builds(linked_refreshed: Path, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The refreshed project built twice: "seeds" (--seeds-only) and "imported" (--imported); N-Quads paths."""
    out: dict[str, Path] = {}
    for mode, flag in (("seeds", "--seeds-only"), ("imported", "--imported")):
        build_dir = tmp_path_factory.mktemp(f"build-{mode}")
        done = run_hubspoke("--root", str(linked_refreshed), "build", "--build-dir", str(build_dir), flag, seeds=seeds_dir)
        assert done.returncode == 0, done.stderr
        out[mode] = build_dir / "hubspoke.nq"
    return out

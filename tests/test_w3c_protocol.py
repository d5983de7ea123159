"""The W3C SPARQL 1.1 protocol, service-description and graph-store manifests, replayed against a
live `hubspoke serve` (gunicorn, two workers) that has an update token and no shapes graph, so the
tests may write arbitrary graphs. Every test of every manifest is run; none is skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.conftest import LiveServer
from tests.w3c.harness import Runner, W3CTest, load_manifest

TOKEN = "w3c-test-token"
# The same folder the w3c_dir fixture names (HUBSPOKE_SHARED or ../shared), read at collection time.
SHARED = Path(os.environ.get("HUBSPOKE_SHARED", Path(__file__).resolve().parents[2] / "shared")).resolve() / "w3c-sparql11"
MANIFESTS = ("protocol/manifest.ttl", "service-description/manifest.ttl", "graph-store-protocol/manifest.ttl")


def _collect() -> list[W3CTest]:
    # Collected at import so each test has its own id; a missing folder fails in `w3c_dir` instead.
    if not SHARED.is_dir():
        return []
    return [t for m in MANIFESTS for t in load_manifest(SHARED / m)]


TESTS = _collect()


@pytest.fixture(scope="module")
def w3c_server(w3c_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The protocol manifest's data files loaded under the IRIs the manifest names them by, so FROM and
    default-graph-uri find them in the store (nothing is ever fetched)."""
    store = ox.Store()
    for i in (1, 2, 3):
        graph = ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{i}.rdf")
        for quad in ox.parse(path=str(w3c_dir / "protocol" / f"data{i}.nt"), format=ox.RdfFormat.N_TRIPLES):
            store.add(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    dataset = tmp_path_factory.mktemp("w3c") / "w3c.nq"
    store.dump(str(dataset), format=ox.RdfFormat.N_QUADS)
    server = LiveServer(dataset, "--update-token", TOKEN, "--query-timeout", "10")
    yield server
    server.stop()


def test_every_manifest_has_entries(w3c_dir: Path) -> None:
    counts = {m: len(load_manifest(w3c_dir / m)) for m in MANIFESTS}
    assert counts == {MANIFESTS[0]: 34, MANIFESTS[1]: 3, MANIFESTS[2]: 13}, counts


@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_w3c(test: W3CTest, w3c_server: LiveServer) -> None:
    Runner(w3c_server.url, TOKEN).run(test)

"""`hubspoke build` on the real files and on broken fixtures (stored as data beside their errors)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hubspoke import namespaces as ns
from hubspoke.build import BuildFailed, BuildReport, build
from hubspoke.cli import project_version
from hubspoke.config import ProjectPaths
from hubspoke.loading import RdfSyntaxError
from hubspoke.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures"


def test_real_build_fills_every_source_graph(built: tuple[ProjectPaths, BuildReport]) -> None:
    paths, report = built
    assert report.graphs[ns.ONTOLOGY_GRAPH] > 500
    assert report.graphs[ns.FACTS_GRAPH] > 0
    assert paths.dataset_file.stat().st_size > 0
    on_disk = json.loads(paths.report_file.read_text(encoding="utf-8"))
    assert on_disk["graphs"] == report.graphs
    assert "ontology/core.ttl" in on_disk["files"]


def test_dataset_holds_the_named_graphs(kg_store: EmbeddedStore, built: tuple[ProjectPaths, BuildReport]) -> None:
    sizes = kg_store.graph_sizes()
    for graph, count in built[1].graphs.items():
        assert sizes.get(graph, 0) == count
    assert sizes.get("", 0) == 0, "nothing goes into the unnamed default graph"


def test_every_module_gets_the_version_iri_from_pyproject(kg_store: EmbeddedStore, project_root: Path) -> None:
    version = project_version(project_root)
    result = kg_store.query(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?m ?v WHERE { ?m a owl:Ontology OPTIONAL { ?m owl:versionIRI ?v } }"
    )
    rows = {str(r["m"].value): r["v"] for r in result.payload}  # type: ignore[union-attr]
    assert {m.rsplit("/", 1)[1] for m in rows} >= {"core", "relationships", "policy", "provenance"}
    for module, version_iri in rows.items():
        assert version_iri is not None and version_iri.value == f"{module}/{version}"


def copy_fixture(name: str, tmp_path: Path) -> ProjectPaths:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return ProjectPaths.at(root)


def plant_last_good(paths: ProjectPaths) -> bytes:
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    good = b"<https://w3id.org/hubspoke/id/x> <https://w3id.org/hubspoke/ontology/p> \"last good\" <https://w3id.org/hubspoke/graph/facts> .\n"
    paths.dataset_file.write_bytes(good)
    return good


def test_turtle_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    paths = copy_fixture("broken-turtle", tmp_path)
    good = plant_last_good(paths)
    expected = (paths.root / "expected-error.txt").read_text(encoding="utf-8").strip()
    with pytest.raises(RdfSyntaxError) as caught:
        build(paths, "0.0.1")
    error = caught.value
    assert f"{error.path.relative_to(paths.root)}:{error.line}" == expected
    assert paths.dataset_file.read_bytes() == good, "a failed build must leave the last good dataset in place"


def test_cli_reports_syntax_error_without_a_trace(tmp_path: Path) -> None:
    paths = copy_fixture("broken-turtle", tmp_path)
    expected = (paths.root / "expected-error.txt").read_text(encoding="utf-8").strip()
    run = subprocess.run([sys.executable, "-m", "hubspoke.cli", "--root", str(paths.root), "build"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert expected in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert not paths.dataset_file.exists()


def test_shape_violation_stops_the_build(tmp_path: Path) -> None:
    paths = copy_fixture("unsourced-fact", tmp_path)
    good = plant_last_good(paths)
    expected = [line.split("\t") for line in (paths.root / "expected-problems.tsv").read_text(encoding="utf-8").splitlines()]
    with pytest.raises(BuildFailed) as caught:
        build(paths, "0.0.1")
    assert [[p.focus, p.message] for p in caught.value.problems] == expected
    assert paths.dataset_file.read_bytes() == good

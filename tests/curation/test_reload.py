"""`hubspoke serve --reload`: a good edit is built and swapped in; a broken one leaves the last good
build served, and /health and the pages say that the edit failed and which build is served."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.conftest import LiveServer

LABEL_QUERY = ("SELECT ?l WHERE { <https://w3id.org/hubspoke/id/australia-us-alliance> "
               "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }")
ALLIANCE = "hsi:australia-us-alliance a hs:Alliance ;\n"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def health(server: LiveServer) -> dict[str, object]:
    answer = requests.get(server.url + "/health", timeout=10)
    assert answer.status_code == 200
    reload = answer.json()["reload"]
    assert isinstance(reload, dict)
    return reload


def label(server: LiveServer) -> str:
    answer = requests.get(server.url + "/sparql", params={"query": LABEL_QUERY}, headers={"Accept": "text/csv"}, timeout=10)
    assert answer.status_code == 200
    return answer.text.splitlines()[1]


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.5)


def test_reload_swaps_a_good_edit_and_keeps_serving_after_a_broken_one(project: Path, seeds_dir: Path) -> None:
    server = LiveServer(None, "--reload", "--build-dir", str(project / "build"), root=project,
                        env={"HUBSPOKE_SEEDS": str(seeds_dir)})
    try:
        first = health(server)
        assert first["last_edit_failed"] is False and first["build"] == first["latest_good_build"] != ""
        assert label(server) == "Australia-US alliance"

        facts = project / "instances" / "japan-australia.ttl"
        edit(facts, '"Australia-US alliance"@en', '"Australia-US alliance (edited)"@en')
        wait_for(lambda: health(server)["build"] != first["build"], "the edited build served")
        assert label(server) == "Australia-US alliance (edited)"
        good = health(server)
        assert good["last_edit_failed"] is False

        edit(facts, ALLIANCE, ALLIANCE + "    hs:hasParty hsi:sydney ;\n")  # a city as a party
        wait_for(lambda: health(server)["last_edit_failed"] is True, "the failed edit reported")
        failed = health(server)
        assert failed["build"] == good["build"] == failed["latest_good_build"]  # the last good build stays
        problems = failed["last_edit_problems"]
        line = facts.read_text(encoding="utf-8").splitlines().index("    hs:hasParty hsi:sydney ;") + 1
        assert isinstance(problems, list) and any(f"instances/japan-australia.ttl:{line}:" in p for p in problems)
        assert label(server) == "Australia-US alliance (edited)"
        page = requests.get(server.url + "/", timeout=10).text
        assert "The last edit" in page and f"still serving build {good['build']}" in page
    finally:
        server.stop()

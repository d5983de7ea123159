"""The network over time on the live server: which ties stand in a given year, as JSON and as a
drawing whose every line leads to its fact."""

from __future__ import annotations

from typing import Any

import requests

from tests.conftest import LiveServer

HSI = "https://w3id.org/hubspoke/id/"


def network(server: LiveServer, **params: str) -> dict[str, Any]:
    response = requests.get(server.url + "/network", params={**params, "format": "json"}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def facts(answer: dict[str, Any]) -> set[str]:
    return {t["fact"].removeprefix(HSI) for t in answer["ties"]}


def test_the_network_grows_between_2005_and_2010(live_server: LiveServer) -> None:
    in_2005, in_2010 = network(live_server, year="2005"), network(live_server, year="2010")
    assert {"japan-us-alliance", "trilateral-strategic-dialogue"} <= facts(in_2005)
    assert "japan-australia-joint-declaration-2007" not in facts(in_2005)
    assert "japan-australia-joint-declaration-2007" in facts(in_2010)
    assert facts(in_2005) < facts(in_2010), "nothing on record in 2005 disappears by 2010"


def test_undated_ties_are_marked_and_counted_only_as_asked(live_server: LiveServer) -> None:
    attested = network(live_server, year="2010")
    assert "australia-us-alliance" not in facts(attested), "undated: its sources attest it only in 2013"
    included = network(live_server, year="2010", undated="include")
    alliance = next(t for t in included["ties"] if t["fact"] == HSI + "australia-us-alliance")
    assert alliance["undated"] is True and alliance["year"] is None and alliance["attested"] == 2013


def test_the_drawing_links_every_tie_to_its_fact(live_server: LiveServer) -> None:
    page = requests.get(live_server.url + "/network", params={"year": "2010"}, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "<svg" in page.text
    for fact in facts(network(live_server, year="2010")):
        assert f'href="/id/{fact}"' in page.text
    assert requests.get(live_server.url + "/network", params={"year": "20x5"}, timeout=10).status_code == 400

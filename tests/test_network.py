"""The network over time on the live server: which ties stand in a given year, as JSON and as a
drawing whose every line leads to its fact."""

from __future__ import annotations

from typing import Any

import html

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
    assert all(t["standing"] in ("holds", "not-known") for t in in_2005["ties"] + in_2010["ties"])
    assert {"japan-us-alliance", "trilateral-strategic-dialogue"} <= facts(in_2005)
    assert "japan-australia-joint-declaration-2007" not in facts(in_2005)
    assert "japan-australia-joint-declaration-2007" in facts(in_2010)
    assert facts(in_2005) < facts(in_2010), "nothing on record in 2005 disappears by 2010"


def test_undated_ties_are_shown_not_known_never_absent(live_server: LiveServer) -> None:
    in_2010 = network(live_server, year="2010")
    alliance = next(t for t in in_2010["ties"] if t["fact"] == HSI + "australia-us-alliance")
    assert alliance["undated"] is True and alliance["year"] is None and alliance["attested"] == 2013
    assert alliance["standing"] == "not-known" and "start not in sources" in alliance["reason"]
    assert {"south-korea-us-alliance", "australia-us-alliance", "japan-us-alliance"} <= facts(in_2010)
    declaration = next(t for t in in_2010["ties"] if t["fact"] == HSI + "japan-australia-joint-declaration-2007")
    assert declaration["standing"] == "holds" and declaration["reason"] == "dated 2007-03"
    hidden = network(live_server, year="2010", unknown="hide")
    assert "australia-us-alliance" not in facts(hidden)
    assert any(t["fact"] == HSI + "australia-us-alliance" and t["standing"] == "not-known" for t in hidden["not_drawn"])
    in_2005 = network(live_server, year="2005")
    later = next(t for t in in_2005["not_drawn"] if t["fact"] == HSI + "japan-australia-joint-declaration-2007")
    assert later["standing"] == "does-not-hold" and "after 2005" in later["reason"]


def test_the_drawing_links_every_tie_to_the_explanation_of_its_fact(live_server: LiveServer) -> None:
    page = requests.get(live_server.url + "/network", params={"year": "2010"}, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "<svg" in page.text
    answer = network(live_server, year="2010")
    for tie in answer["ties"]:
        assert f'href="{html.escape(tie["explain"])}"' in page.text
        explained = requests.get(live_server.url + tie["explain"], headers={"Accept": "application/json"}, timeout=30).json()
        assert explained["fact"]["iri"] == tie["fact"] and explained["fact"]["standing"] == tie["standing"]
    assert 'stroke-dasharray' in page.text and "not known" in page.text  # undated alliances drawn, flagged
    assert requests.get(live_server.url + "/network", params={"year": "20x5"}, timeout=10).status_code == 400

"""Search and the index of entities (issue 15), through the real server: names and alternative names
(Takeshima and Dokdo find the same islands), the kind filter, hostile input, and /id/ by kind."""

from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import LiveServer

ISLANDS = 'href="/id/takeshima"'


def get(server: LiveServer, path: str, **params: str) -> requests.Response:
    return requests.get(server.url + path, params=params, headers={"Accept": "text/html"}, timeout=60)


@pytest.mark.parametrize("q", ["takeshima", "Dokdo", "DOKDO", "dokdo"])
def test_either_name_of_the_islands_finds_them(live_server: LiveServer, q: str) -> None:
    page = get(live_server, "/search", q=q)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert ISLANDS in page.text


def test_an_exact_name_comes_first_and_every_result_stays_on_the_server(live_server: LiveServer) -> None:
    page = get(live_server, "/search", q="Takeshima").text
    results = re.findall(r'<li><a href="([^"]+)"', page)
    assert results[0] == "/id/takeshima", "the one exact match is listed first, not redirected to"
    assert all(href.startswith("/") for href in re.findall(r'href="([^"]+)"', page))
    assert "w3id.org/hubspoke/id/" not in "".join(results)


def test_the_kind_filter_keeps_only_that_kind(live_server: LiveServer) -> None:
    anything = get(live_server, "/search", q="japan").text
    states = get(live_server, "/search", q="japan", kind="State").text
    assert 'href="/id/japan"' in states
    assert re.findall(r'<h2 id="kind-([^"]+)"', states) == ["State"]
    assert len(re.findall(r'<h2 id="kind-', anything)) > 1, "without the filter, other kinds named Japan are listed"


def test_accents_and_case_are_ignored(live_server: LiveServer) -> None:
    assert 'href="/id/japan"' in get(live_server, "/search", q="JÁPAN", kind="State").text


@pytest.mark.parametrize("q", ['"} ; DROP ALL #', "'''", "}}}{{{", '" . } INSERT DATA { <a> <b> <c> } #',
                               "\\u0022", "<script>alert(1)</script>", ".*", "\\u0000"])
def test_hostile_text_is_only_text(live_server: LiveServer, q: str) -> None:
    page = get(live_server, "/search", q=q)
    assert page.status_code in (200, 400), page.text[:300]
    if page.status_code == 200:
        assert "<script>alert" not in page.text, "the text is escaped in the page"
        assert not re.findall(r'<li><a href="/id/', page.text)


def test_a_missing_or_overlong_text_is_400(live_server: LiveServer) -> None:
    assert get(live_server, "/search").status_code == 400
    assert get(live_server, "/search", q="  ").status_code == 400
    assert get(live_server, "/search", q="a" * 201).status_code == 400
    assert get(live_server, "/search", q="a" * 200).status_code == 200
    assert get(live_server, "/search", q="japan", year="twenty").status_code == 400


def test_the_year_keeps_entities_whose_dates_span_it(live_server: LiveServer) -> None:
    dated = get(live_server, "/search", q="Lee", year="2012").text
    assert 'href="/id/event-lee-lands-on-takeshima-2012"' in dated
    assert 'href="/id/event-lee-lands-on-takeshima-2012"' not in get(live_server, "/search", q="Lee", year="2005").text


def test_the_index_lists_entities_by_kind(live_server: LiveServer) -> None:
    page = get(live_server, "/id/")
    assert page.status_code == 200
    assert 'href="/id/?kind=State"' in page.text and 'href="/id/?kind=Place"' in page.text
    assert "<h2" not in page.text  # the kinds only: every member of every kind made a 28,000 px page
    sections = {}
    for kind in ("State", "Place"):
        chosen = get(live_server, "/id/", kind=kind).text
        sections.update(re.findall(r'<h2 id="kind-([^"]+)">[^<]*</h2>\s*<ul>(.*?)</ul>', chosen, re.S))
        assert chosen.count("<h2") == 1
    assert 'href="/id/japan"' in sections["State"]
    assert 'href="/id/takeshima"' in sections["Place"]
    names = re.findall(r'<a href="/id/[^"]+">([^<]+)</a>', sections["State"])
    assert names == sorted(names, key=str.casefold) and "Japan" in names


def test_every_page_has_the_search_box(live_server: LiveServer) -> None:
    for path in ("/", "/id/japan", "/network", "/id/"):
        assert 'action="/search"' in get(live_server, path).text, path


def test_a_kind_may_be_an_inferred_one(live_server: LiveServer) -> None:
    page = get(live_server, "/search", q="japan", kind="SecurityRelationship").text
    assert 'href="/id/japan-us-alliance"' in page and 'href="/id/japan"' not in page
    assert re.findall(r'<h2 id="kind-([^"]+)"', page) == ["SecurityRelationship"]

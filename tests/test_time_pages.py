"""The time-aware pages in a real browser, as a researcher reads them: an alliance whose start is not in
the sources is shown, and shown differently (never absent); a click on a link's "why?" explains the very
fact it shows, as of the year; pages stay a readable size. Skipped like tests/test_browser.py where
Debian's Chromium is missing (a failure in CI)."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer
from tests.test_browser import browser  # noqa: F401 - the module's Chromium fixture, shared

from selenium import webdriver  # noqa: E402, I001 - importable once test_browser found the browser
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

MAX_HEIGHT = 4000  # CSS pixels at 1200 wide: a page a person scrolls, not a wall


def test_undated_alliances_are_shown_not_known_and_look_different(browser: webdriver.Chrome,  # noqa: F811
                                                                  live_server: LiveServer) -> None:
    browser.get(live_server.url + "/ties/us-linked?year=2010")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.ties tr")
    allies = {r.find_element(By.CSS_SELECTOR, "td").text: r for r in rows[1:] if "ally tie" in r.text}
    assert {"Japan", "Australia", "South Korea"} <= set(allies)
    japan = allies["Japan"].find_element(By.CSS_SELECTOR, ".st")
    australia = allies["Australia"].find_element(By.CSS_SELECTOR, ".st")
    assert japan.text == "holds" and australia.text == "not known"
    assert australia.value_of_css_property("border-top-style") == "dashed"
    assert japan.value_of_css_property("background-color") != australia.value_of_css_property("background-color")
    assert "start not in sources" in allies["Australia"].text
    assert browser.execute_script("return document.body.scrollHeight") < MAX_HEIGHT


def test_why_explains_the_fact_shown_as_of_the_year(browser: webdriver.Chrome, live_server: LiveServer) -> None:  # noqa: F811
    browser.get(live_server.url + "/ties/us-linked?year=2007")
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "table.ties tr")
               if r.text.startswith("Japan") and "spoke-to-spoke tie" in r.text and "via Australia" in r.text)
    link = row.find_element(By.CSS_SELECTOR, ".link a[href^='/id/']")
    fact = link.text
    row.find_element(By.LINK_TEXT, "why?").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, "p.chain")))
    chain = browser.find_element(By.CSS_SELECTOR, "p.chain").text
    assert fact in chain and "as of 2007" in chain and "KAKADU" not in browser.page_source
    proof = browser.find_element(By.CSS_SELECTOR, "details.proof")
    assert not proof.find_element(By.CSS_SELECTOR, "ul").is_displayed(), "the OWL proof is one click deeper"
    proof.find_element(By.TAG_NAME, "summary").click()
    assert "inferred by" in proof.text and "asserted in" in proof.text


@pytest.mark.parametrize("path", ["/network?year=2010", "/ties/us-linked?compare=2000,2007,2010,2013",
                                  "/explain?s=hsi:australia&p=hs:alliedWith&o=hsi:united-states&year=2010"])
def test_pages_stay_readable(browser: webdriver.Chrome, live_server: LiveServer, path: str) -> None:  # noqa: F811
    browser.get(live_server.url + path)
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert browser.execute_script("return document.body.scrollHeight") < MAX_HEIGHT
    if path.startswith("/network"):
        dashed = browser.find_elements(By.CSS_SELECTOR, "svg a.tie-not-known line[stroke-dasharray]")
        assert dashed, "ties not known that year are drawn, dashed"

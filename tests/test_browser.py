"""The pages in a real browser (Debian's Chromium, driven by Selenium through Debian's chromedriver):
what a person sees and clicks, from the home page to the quotes behind an answer.

Chromium and chromedriver are system packages (`.ci/run` installs them). Outside CI a machine
without them skips these tests and says why; in CI (CI=true) their absence is a failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    message = "the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

from selenium import webdriver  # noqa: E402 - only once the browser is known to be there
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # The flags that keep Chromium off the network it cannot reach here (see the machine notes).
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}", "--window-size=1200,900"):
        options.add_argument(flag)
    # An explicit driver path: Selenium would otherwise try to download one.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_from_the_home_page_to_a_table_of_answers_and_the_quotes_behind_one(browser: webdriver.Chrome,
                                                                            live_server: LiveServer) -> None:
    browser.get(live_server.url + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "hubspoke"
    browser.find_element(By.LINK_TEXT, "Run it").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table td a")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Results"
    first = browser.find_element(By.CSS_SELECTOR, "table td a")
    first.click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.XPATH, "//h2[text()='Sources']")))
    quotes = browser.find_elements(By.XPATH, "//h2[text()='Sources']/following-sibling::ul[1]/li")
    assert quotes and all(q.text.startswith("“") for q in quotes), "the fact's page shows the quotes behind it"


def test_the_query_form_runs_a_query_typed_by_a_person(browser: webdriver.Chrome, live_server: LiveServer) -> None:
    browser.get(live_server.url + "/sparql")
    box = browser.find_element(By.NAME, "query")
    box.clear()
    box.send_keys("PREFIX hsi: <https://w3id.org/hubspoke/id/> "
                  "ASK { hsi:japan <https://w3id.org/hubspoke/ontology/alliedWith> hsi:united-states }")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, "p.answer")))
    assert browser.find_element(By.CSS_SELECTOR, "p.answer").text == "The answer is yes."


def test_the_ties_page_shows_japans_spoke_to_spoke_partners(browser: webdriver.Chrome, live_server: LiveServer) -> None:
    browser.get(live_server.url + "/ties/us-linked?year=2013")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table tr")]
    spoke_rows = [r for r in rows if "spoke-to-spoke" in r and r.startswith("Japan")]
    assert any("Australia" in r for r in spoke_rows) and any("South Korea" in r for r in spoke_rows)


def test_the_network_page_moves_through_the_years(browser: webdriver.Chrome, live_server: LiveServer) -> None:
    browser.get(live_server.url + "/network")
    browser.find_element(By.LINK_TEXT, "2005").click()
    WebDriverWait(browser, 20).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "2005"))
    ties_2005 = len(browser.find_elements(By.CSS_SELECTOR, "svg a.tie"))
    browser.find_element(By.LINK_TEXT, "2013").click()
    WebDriverWait(browser, 20).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "2013"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg a.tie")) > ties_2005 > 0


def test_a_search_from_the_header_lands_on_the_islands_page(browser: webdriver.Chrome, live_server: LiveServer,
                                                            tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server.url + "/id/japan")
    box = browser.find_element(By.CSS_SELECTOR, "header input[name=q]")
    box.send_keys("Takeshima")
    box.send_keys(Keys.ENTER)  # the keyboard alone submits the form
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, "ol.results a, ul.results a")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Search"
    browser.save_screenshot(str(tmp_path / "search-takeshima.png"))
    browser.find_element(By.CSS_SELECTOR, "main li a").click()
    WebDriverWait(browser, 20).until(ec.url_contains("/id/takeshima"))
    assert browser.current_url == live_server.url + "/id/takeshima"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Takeshima/Dokdo"
    browser.save_screenshot(str(tmp_path / "takeshima-page.png"))
    assert (tmp_path / "search-takeshima.png").stat().st_size > 0

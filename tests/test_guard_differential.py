"""What the guard sees against what the store executes.

Each case hides (or does not hide) a SERVICE call to a loopback canary behind comments, line ends,
whitespace, string escapes and Unicode. Whatever the guard lets by is then run by pyoxigraph exactly as
the server would run it (`QueryInfo.text`), here in the test's own process, *with* the network: the
canary must never see a request the guard let by. Refusing too much is allowed (the guard is
conservative); letting by what the store would run is the bug. The generated cases are seeded, so a
failure reproduces.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from hubspoke.endpoint.guard import GuardError, inspect_query, inspect_update
from tests.conftest import Canary

# Line ends and whitespace as the SPARQL grammar, rdflib's pyparsing and Unicode each see them.
SEPARATORS = [" ", "\t", "\n", "\r", "\r\n", "\n\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\u00a0",
              "\ufeff", "\u200b", ""]
# Things that might open a comment or a string in one reader and not in the other.
OPENERS = ["#", "# x", "#\\", '"', "'", '"""', "'''", "<", "\\", "\\u0022", "\\\"", "\\u000A", "\\U00000022"]
SERVICE_WORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "\\u0053ERVICE", "S\u0415RVICE"]


def _hidden_service_cases(url: str) -> Iterator[str]:
    """Hand-made families: SERVICE after a comment or inside a string, ended by every separator."""
    for n, sep in enumerate(SEPARATORS):
        target = f"<{url}/c{n}>"
        yield f"SELECT * WHERE {{ # x{sep}SERVICE {target} {{ ?s ?p ?o }}\n}}"
        yield f"SELECT * WHERE {{ #{sep}SERVICE {target} {{ ?s ?p ?o }} }}"
        yield f'SELECT * WHERE {{ BIND("a{sep}" AS ?x) SERVICE {target} {{ ?s ?p ?o }} }}'
        yield f"SELECT * WHERE {{ BIND('''a{sep}''' AS ?x) # {sep} SERVICE {target} {{ ?s ?p ?o }}\n}}"
        yield f'SELECT * WHERE {{ BIND("""a\\"""{sep}" AS ?x) SERVICE {target} {{ ?s ?p ?o }} }}'
        yield f"SELECT * WHERE {{ ?s <http://example.org/#{sep}> ?o SERVICE {target} {{ ?s ?p ?o }} }}"
        for m, word in enumerate(SERVICE_WORDS):
            yield f"SELECT * WHERE {{{sep}{word} <{url}/w{n}-{m}> {{ ?s ?p ?o }} }}"
    for n, opener in enumerate(OPENERS):
        yield f'SELECT * WHERE {{ BIND("x{opener} }} SERVICE <{url}/s{n}> {{ ?s ?p ?o }} {{ " AS ?x) }}'
        yield f"SELECT * WHERE {{ BIND('x{opener} }} SERVICE <{url}/q{n}> {{ ?s ?p ?o }} {{ ' AS ?x) }}"
        yield f'SELECT * WHERE {{ BIND("""x{opener}\r}} SERVICE <{url}/l{n}> {{ ?s ?p ?o }} {{""" AS ?x) }}'


_TOKENS = ["SELECT", "*", "WHERE", "{", "BIND", "(", '"s"', "AS", "?x", ")", "SERVICE", "<URL>", "{", "?s", "?p",
           "?o", "}", "}"]
_GLUE = SEPARATORS + ["#", "# c\r", "# c\n", "#\r\n", '"', "'", "\\", "<", ">", "\\u0022", "'''", '"""', "{", "}",
                      "#\u2028", "\r#", "\x00"]


def fuzzed_case(rng: random.Random, url: str, n: int) -> str:
    """A SERVICE query to <url/f{n}> with random glue between and inside its tokens (also bench/fuzz.py's)."""
    out = []
    for token in _TOKENS:
        token = token.replace("<URL>", f"<{url}/f{n}>")
        if rng.random() < 0.3:
            cut = rng.randrange(len(token) + 1)
            token = token[:cut] + rng.choice(_GLUE) + token[cut:]
        out.append(token)
        out.append(rng.choice(_GLUE) if rng.random() < 0.5 else " ")
    return "".join(out)


def _fuzzed_cases(url: str, count: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    for n in range(count):
        yield fuzzed_case(rng, url, n)


def _store_runs(text: str) -> None:
    try:
        list(ox.Store().query(text, use_default_graph_as_union=True))
    except (SyntaxError, OSError, RuntimeError):
        pass


def _store_runs_update(text: str) -> None:
    try:
        ox.Store().update(text)
    except (SyntaxError, OSError, RuntimeError):
        pass


def test_guard_and_store_agree_on_hidden_service(canary: Canary) -> None:
    url = canary.url.removesuffix("/sparql")
    let_by = 0
    cases = list(_hidden_service_cases(url)) + list(_fuzzed_cases(url, 400, seed=20261129))
    for text in cases:
        try:
            info = inspect_query(text)
        except GuardError:
            continue
        let_by += 1
        before = list(canary.paths)
        _store_runs(info.text)
        assert canary.paths == before, f"the guard let by a query the store ran SERVICE for: {text!r}"
    assert let_by > 20  # the cases are not all refused: the comparison really ran


def test_the_original_bypass_reached_the_canary_without_canonical_text(canary: Canary) -> None:
    """Proof the comparison can fail: the raw text of the reported bypass does reach the canary."""
    url = canary.url.removesuffix("/sparql")
    raw = f"SELECT * WHERE {{ # x\rSERVICE <{url}/raw> {{ ?s ?p ?o }}\n}}"
    before = len(canary.paths)
    _store_runs(raw)
    assert len(canary.paths) == before + 1


@pytest.mark.parametrize("seed", [1, 2])
def test_guard_and_store_agree_on_updates(canary: Canary, seed: int) -> None:
    url = canary.url.removesuffix("/sparql")
    rng = random.Random(seed)
    for n in range(60):
        glue = rng.choice(_GLUE)
        sep = rng.choice(SEPARATORS)
        for text in (f"CLEAR DEFAULT ; #{glue}{sep}LOAD <{url}/u{seed}-{n}>\n",
                     f"INSERT {{ <a:s> <a:p> ?o }} WHERE {{ #{sep}SERVICE <{url}/v{seed}-{n}> {{ ?s ?p ?o }}{glue}\n}}"):
            try:
                info = inspect_update(text)
            except GuardError:
                continue
            before = list(canary.paths)
            _store_runs_update(info.text)
            assert canary.paths == before, f"the guard let by an update that reached the network: {text!r}"

"""The quote check (DESIGN.md, modelling rule 4): every hs:Quotation must be found, verbatim, in the
seed file of the document it is quoted from, once both texts are normalised, and be at most 40 words.

Normalising removes what differs between a seed's markup and a curator's plain quote: HTML tags and
entities, Markdown emphasis, heading marks and links, curly versus straight quote marks, kinds of
dash, and runs of whitespace. Nothing is read at import time; the seed folder is passed in.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import RDF

HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")

MAX_WORDS = 40

_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"^[ \t]*#+[ \t]*", re.MULTILINE)
_EMPHASIS = re.compile(r"[*_]+")
_BACKSLASH = re.compile(r"\\(?=\S)")
_QUOTES = re.compile("[\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u2033\"'`\u00b4]")
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text with markup removed, quote marks and dashes made plain and whitespace collapsed."""
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _BACKSLASH.sub("", text)
    text = _QUOTES.sub("'", text)
    text = _DASHES.sub("-", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class QuoteProblem:
    """One quotation that the seed texts do not bear out, and why."""

    quotation: str
    source: str
    seed_file: str
    quote: str
    message: str

    def __str__(self) -> str:
        where = self.seed_file or self.source or "?"
        return f"{self.quotation} ({where}): {self.message}: \"{self.quote}\""


def word_count(quote: str) -> int:
    return len(quote.split())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_quotes(graph: rdflib.Graph, seeds_dir: Path) -> list[QuoteProblem]:
    """Every problem with the graph's hs:Quotation nodes, sorted by quotation IRI."""
    problems: list[QuoteProblem] = []
    seed_texts: dict[str, str] = {}
    for quotation in sorted(set(graph.subjects(RDF.type, HS.Quotation)), key=str):
        value = graph.value(quotation, PROV.value)
        quote = str(value) if value is not None else ""
        source = graph.value(quotation, PROV.wasQuotedFrom)

        def problem(message: str, seed_file: str = "") -> None:
            problems.append(QuoteProblem(str(quotation), str(source or ""), seed_file, quote, message))

        if value is None:
            problem("the quotation has no prov:value")
            continue
        if word_count(quote) > MAX_WORDS:
            problem(f"the quote has {word_count(quote)} words, more than {MAX_WORDS}")
        if source is None:
            problem("the quotation has no source (prov:wasQuotedFrom)")
            continue
        seed_name = graph.value(source, HS.seedFileName)
        if seed_name is None:
            problem("the source has no seed file name (hs:seedFileName)")
            continue
        seed_file = str(seed_name)
        path = seeds_dir / seed_file
        if not path.is_file():
            problem(f"the seed file {path} is missing", seed_file)
            continue
        if seed_file not in seed_texts:
            seed_texts[seed_file] = normalise(path.read_text(encoding="utf-8"))
        expected_sha = graph.value(source, HS.sha256)
        if expected_sha is None:
            problem("the source has no SHA-256 digest (hs:sha256)", seed_file)
        elif sha256_of(path) != str(expected_sha).strip().lower():
            problem(f"the seed file's SHA-256 differs from hs:sha256 {expected_sha}", seed_file)
        if normalise(quote) not in seed_texts[seed_file]:
            problem("the quote is not found in its seed file", seed_file)
    return problems

"""The quote check (DESIGN.md, modelling rule 4): every hs:Quotation must be found, character for
character, in the seed file of the document it is quoted from, once both texts are normalised, and be
at most 40 words.

Normalising removes only what differs between a seed's markup and a curator's plain quote: HTML tags
and entities, Markdown emphasis, heading marks and links, and runs of whitespace. Quotation marks,
dashes and apostrophes are compared exactly: `"wise men"` and `'wise men'` are two different quotes.
A quote that is not found gets help: the closest passage of the seed, its score and the characters
that differ (hubspoke.validation.quote_help). Nothing is read at import time; the seed folder is passed in.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import RDF

from hubspoke.namespaces import prefixed_name
from hubspoke.validation.quote_help import closest_passage

HS = rdflib.Namespace("https://w3id.org/hubspoke/ontology/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")

MAX_WORDS = 40

_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"^[ \t]*#+[ \t]*", re.MULTILINE)
_EMPHASIS = re.compile(r"[*_]+")
_BACKSLASH = re.compile(r"\\(?=\S)")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text with markup removed and whitespace collapsed; every other character kept as written."""
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _BACKSLASH.sub("", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class QuoteProblem:
    """One quotation (or the source it quotes) that the seed texts do not bear out, and why.

    `focus` and `path` name the statement to blame: the quotation's prov:value, or the source's
    hs:sha256 when the seed file has changed (reported once there, not at every quotation)."""

    quotation: str
    source: str
    seed_file: str
    quote: str
    message: str
    focus: str = ""
    path: str = str(PROV.value)
    rule: str = "quote-check"

    def __post_init__(self) -> None:
        if not self.focus:
            object.__setattr__(self, "focus", self.quotation)

    def __str__(self) -> str:
        where = self.seed_file or self.source or "?"
        return f"{self.focus} ({where}): {self.message}: \"{self.quote}\""


def word_count(quote: str) -> int:
    return len(quote.split())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class _Seed:
    """A seed file as the check needs it: its normalised text, or why it cannot be used."""

    file: str
    text: str = ""
    unusable: str = ""  # a message when the seed cannot be read; quotes from it are not checked


def _non_seed_message(graph: rdflib.Graph, source: rdflib.term.Node) -> str:
    name = graph.value(source, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))
    known = (source, RDF.type, HS.SourceDocument) in graph
    iri = prefixed_name(str(source)) or str(source)
    what = f"{iri} ({name})" if name is not None else iri
    if not known:
        seeds = sorted(prefixed_name(str(s)) or str(s) for s in graph.subjects(HS.seedFileName, None))
        return (f"the quotation is quoted from {what}, which is not a described source document; "
                f"point prov:wasQuotedFrom at a source with a seed file ({', '.join(seeds) or 'none is described'})")
    return (f"the quotation is quoted from {what}, an outside source with no seed text, so it cannot be "
            "checked; quote the seed that says this instead, or cite the outside source with dcterms:source "
            "on a hs:SourceConflict (instances/conflicts.ttl) rather than with a hs:Quotation")


def _load_seeds(graph: rdflib.Graph, seeds_dir: Path, sources: set[rdflib.term.Node]) -> tuple[
        dict[rdflib.term.Node, _Seed], list[QuoteProblem]]:
    """Each quoted source's seed, and the problems of the sources themselves (once per source)."""
    seeds: dict[rdflib.term.Node, _Seed] = {}
    problems: list[QuoteProblem] = []
    for source in sorted(sources, key=str):
        name = graph.value(source, HS.seedFileName)
        if name is None:
            continue
        seed = _Seed(str(name))
        path = seeds_dir / seed.file
        expected = graph.value(source, HS.sha256)
        if not path.is_file():
            seed.unusable = f"the seed file {path} is missing"
        else:
            seed.text = normalise(path.read_text(encoding="utf-8"))
            if expected is None:
                problems.append(QuoteProblem("", str(source), seed.file, "", "the source has no SHA-256 digest "
                                             "(hs:sha256)", focus=str(source), path=str(HS.seedFileName)))
            elif sha256_of(path) != str(expected).strip().lower():
                problems.append(QuoteProblem(
                    "", str(source), seed.file, "",
                    f"the seed file's SHA-256 is {sha256_of(path)}, not {expected}: the seed changed, or the digest "
                    "was mistyped; re-check the quotations from this source before updating hs:sha256",
                    focus=str(source), path=str(HS.sha256)))
        seeds[source] = seed
    return seeds, problems


def check_quotes(graph: rdflib.Graph, seeds_dir: Path) -> list[QuoteProblem]:
    """Every problem with the graph's hs:Quotation nodes and the sources they quote, sorted by the IRI blamed."""
    quotations = sorted(set(graph.subjects(RDF.type, HS.Quotation)), key=str)
    sources = {s for q in quotations for s in graph.objects(q, PROV.wasQuotedFrom)}
    seeds, problems = _load_seeds(graph, seeds_dir, sources)
    for quotation in quotations:
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
        seed = seeds.get(source)
        if seed is None:
            problem(_non_seed_message(graph, source))
            continue
        if seed.unusable:
            problem(seed.unusable, seed.file)
            continue
        wanted = normalise(quote)
        if wanted not in seed.text:
            problem("the quote is not found in its seed file" + closest_passage(wanted, seed.text).describe(),
                    seed.file)
    return sorted(problems, key=lambda p: (p.focus, p.path, p.message))

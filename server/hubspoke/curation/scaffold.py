"""`hubspoke new fact`: a Turtle skeleton for one kind of fact, its quotation filled from the seed.

The curator names the source (`001`) and a few words of the passage; the sentence of the seed that
contains them becomes the quote (cut to at most 40 words around the words), taken from the seed text
as the quote check normalises it, so it is found there by construction. Every other value is a
placeholder that is valid Turtle and invalid data (`hsi:TODO-…`, `"TODO …"`), so the file parses at
once and `hubspoke validate` points at each placeholder left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from hubspoke.validation.quotes import MAX_WORDS, normalise

HS = "https://w3id.org/hubspoke/ontology/"
HSI = "https://w3id.org/hubspoke/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV_VALUE = "http://www.w3.org/ns/prov#value"
SEED_FILE_NAME = HS + "seedFileName"

PREFIXES = """@prefix hs: <https://w3id.org/hubspoke/ontology/> .
@prefix hsi: <https://w3id.org/hubspoke/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@dataclass(frozen=True)
class Kind:
    """What a kind of fact needs (from shapes/relationships.ttl): its class, how many parties at least,
    and the lines particular to it (placeholders included)."""

    cls: str
    parties: int
    lines: tuple[str, ...]
    note: str


DATE = 'hs:date "TODO YYYY or YYYY-MM or YYYY-MM-DD"^^xsd:gYear'  # xsd:gYearMonth / xsd:date as precise as the text
START = 'hs:startDate "TODO YYYY or YYYY-MM or YYYY-MM-DD"^^xsd:gYear'

KINDS: dict[str, Kind] = {
    "alliance": Kind("Alliance", 2, (START,), "an alliance binds states by treaty; a loose 'allies' is not one"),
    "partnership": Kind("SecurityPartnership", 2, (START, "hs:status hs:InForce"),
                        "hs:StrategicPartnership / hs:GlobalPartnership for other partnerships"),
    "agreement": Kind("Agreement", 2, (DATE,),
                      "or hs:Treaty, hs:JointDeclaration, hs:JointStatement, hs:ActionPlan, hs:LogisticsAgreement, ..."),
    "dialogue": Kind("Dialogue", 2, ('hs:level "TODO the officials\' rank as the source states it"', START),
                     "hs:TwoPlusTwoDialogue for foreign and defence ministers of two states"),
    "meeting": Kind("DialogueSession", 1, ("hs:sessionOf hsi:TODO-dialogue", DATE, "hs:location hsi:TODO-place"),
                    "one session of a standing dialogue; hs:TwoPlusTwoMeeting, hs:SummitMeeting for those"),
    "exercise": Kind("Exercise", 1, (START,), "the forces' states or organisations that train are its parties"),
    "operation": Kind("Operation", 1, (START,), "or hs:PeacekeepingOperation, hs:DisasterReliefOperation"),
    "cooperation": Kind("CooperationActivity", 1, (DATE,), "who helps or who works together are its parties"),
}


class ScaffoldError(Exception):
    """The skeleton cannot be made: an unknown kind or source, or words not found in the seed."""


@dataclass(frozen=True)
class Passage:
    """The quote chosen from the seed, and the other sentences the words also matched."""

    quote: str
    also_matched: int


def source_seed(facts: list[ox.Triple], source: str) -> tuple[str, str]:
    """(the source's IRI, its seed file name) for `001`, `source-001` or `hsi:source-001`."""
    wanted = source.removeprefix("hsi:").removeprefix(HSI)
    wanted = wanted if wanted.startswith("source-") else f"source-{wanted}"
    for t in facts:
        if _iri(t.subject) == HSI + wanted and t.predicate.value == SEED_FILE_NAME and isinstance(t.object, ox.Literal):
            return HSI + wanted, t.object.value
    raise ScaffoldError(f"no source hsi:{wanted} with a seed file (hs:seedFileName) in instances/sources.ttl; "
                        "quotes come only from seed documents")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])")
_PARAGRAPH = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*#)")


def sentences(seed_text: str) -> list[str]:
    """A seed cut into paragraphs (blank lines, headings), then sentences, each normalised as the quote
    check normalises: good enough to choose a quote by a few words."""
    out = []
    for paragraph in _PARAGRAPH.split(seed_text):
        out += [s.strip() for s in _SENTENCE_END.split(normalise(paragraph)) if s.strip()]
    return out


def choose_passage(seed_text: str, words: str) -> Passage:
    """The first sentence of the seed containing `words` (case and markup ignored), cut to at most
    MAX_WORDS words around them; only passages the quote check finds in the seed are offered."""
    needle = normalise(words).lower()
    if not needle:
        raise ScaffoldError("give a few words of the passage to quote (--quote)")
    whole = normalise(seed_text)
    found = [s for s in sentences(seed_text) if needle in s.lower()]
    quotes = [q for q in (_window(s, needle) for s in found) if q in whole]
    if not quotes:
        raise ScaffoldError(f"no sentence of the seed contains {words!r}; copy a few words exactly as the seed has them")
    return Passage(quotes[0], len(quotes) - 1)


def _window(sentence: str, needle: str) -> str:
    """The sentence, or its MAX_WORDS words centred on the needle when it is longer."""
    tokens = sentence.split(" ")
    if len(tokens) <= MAX_WORDS:
        return sentence
    start_char = sentence.lower().index(needle)
    first = sentence[:start_char].count(" ")
    span = max(1, needle.count(" ") + 1)
    begin = max(0, min(first - (MAX_WORDS - span) // 2, len(tokens) - MAX_WORDS))
    return " ".join(tokens[begin:begin + MAX_WORDS])


def _slug(text: str, words: int = 5) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words]) or "quote"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def existing_quotation(facts: list[ox.Triple], quote: str) -> str | None:
    """The IRI of a curated quotation with this very text, to reuse rather than repeat."""
    for t in facts:
        if t.predicate.value == PROV_VALUE and isinstance(t.object, ox.Literal) and normalise(t.object.value) == normalise(quote):
            return _iri(t.subject) or None
    return None


def skeleton(kind_name: str, facts: list[ox.Triple], seeds_dir: Path, source: str, words: str,
             fact_id: str | None = None) -> tuple[str, Passage]:
    """The Turtle text of a new fact of that kind with its quotation, and the passage chosen."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise ScaffoldError(f"unknown kind {kind_name!r}; one of: {', '.join(sorted(KINDS))}")
    source_iri, seed_name = source_seed(facts, source)
    seed_path = seeds_dir / seed_name
    if not seed_path.is_file():
        raise ScaffoldError(f"the seed file {seed_path} is missing")
    passage = choose_passage(seed_path.read_text(encoding="utf-8"), words)
    subjects = {_iri(t.subject) for t in facts}
    reused = existing_quotation(facts, passage.quote)
    source_tag = source_iri.removeprefix(HSI + "source-")
    quotation = reused or _fresh(f"{HSI}q-{source_tag}-{_slug(words)}", subjects)
    subject = HSI + fact_id.removeprefix("hsi:") if fact_id else f"{HSI}TODO-name-this-{kind_name}"
    parties = " , ".join(f"hsi:TODO-party-{i}" for i in range(1, kind.parties + 1))
    body = [f"hsi:{_local(subject)} a hs:{kind.cls} ;",
            '    skos:prefLabel "TODO a readable English name"@en ;',
            f"    hs:hasParty {parties} ;",
            *(f"    {line} ;" for line in kind.lines),
            f"    prov:wasDerivedFrom hsi:{_local(quotation)} ."]
    out = [PREFIXES, f"# A new {kind_name} ({kind.note}).",
           "# Replace every TODO; `hubspoke validate` names each one left. Dates: xsd:gYear, xsd:gYearMonth",
           "# or xsd:date, as precise as the text is.", *body, ""]
    if reused:
        out.append(f"# hsi:{_local(quotation)} already holds this quote: it is reused, not repeated.")
    else:
        out += [f"hsi:{_local(quotation)} a hs:Quotation ;",
                f"    prov:value {_literal(passage.quote)} ;",
                f"    prov:wasQuotedFrom hsi:{_local(source_iri)} ."]
    return "\n".join(out) + "\n", passage


def _iri(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode) else ""


def _local(iri: str) -> str:
    return iri.removeprefix(HSI)


def _fresh(iri: str, taken: set[str]) -> str:
    candidate, n = iri, 2
    while candidate in taken:
        candidate, n = f"{iri}-{n}", n + 1
    return candidate

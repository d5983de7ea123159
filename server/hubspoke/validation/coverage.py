"""The coverage ledger check (DESIGN.md, 'Layout': instances/coverage/): every paragraph of every seed
is either covered by curated facts or excused with a reason, and the ledger still fits the seeds.

A paragraph is a block of a seed's lines between blank lines that holds at least one letter or digit
(a block of only markup, such as a `---` rule, is not a paragraph). Its text is normalised by
collapsing runs of whitespace to one space; its anchor is the first ANCHOR_WORDS words of that text
and its identity the SHA-256 of that text (UTF-8). The ledger of seed `<stem>.txt` is
`<stem>.yaml`: one entry per distinct paragraph, each with `anchor`, `sha256` and either `facts` (the
IRIs, `hsi:` compact or full, of the curated facts that cover it) or `excused` (a reason from
EXCUSES) with a `note`. A paragraph repeated word for word inside one seed is one entry. An entry's
`paragraph` number, where given, is for the reader only: inserting a paragraph shifts the numbers,
while the digest and anchor are what the check compares.

The ledger holds only a few words and a digest of each paragraph, never its text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HSI = "https://w3id.org/hubspoke/id/"
ANCHOR_WORDS = 6
# Reasons a paragraph holds no claim about the world that the graph should hold.
EXCUSES = {
    "heading": "a title, heading or caption",
    "front-matter": "title page, publisher's imprint, copyright, ISBN, addresses, keywords",
    "publisher": "the publisher's description of itself or of its series",
    "bibliography": "a reference, a list of publications, a note that only cites",
    "biography": "about an author or contributor, not about the subject",
    "navigation": "a table of contents, links, buttons or site furniture",
    "outline": "what the document or a chapter will do next, with no claim of its own",
    "repeat": "the same claims as another paragraph, which is covered (the note names it)",
}
RULE = "coverage-ledger"

_SPACE = re.compile(r"\s+")
_WORDY = re.compile(r"\w")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a seed: its place (1-based number, first line) and its normalised text."""

    number: int
    line: int
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def anchor(self) -> str:
        return " ".join(self.text.split(" ")[:ANCHOR_WORDS])


def paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of a seed text, in order (see the module's docstring for what counts)."""
    found: list[Paragraph] = []
    block: list[str] = []
    start = 0
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if line.strip():
            start = start if block else number
            block.append(line)
            continue
        normal = _SPACE.sub(" ", " ".join(block)).strip()
        if _WORDY.search(normal):
            found.append(Paragraph(len(found) + 1, start, normal))
        block = []
    return found


@dataclass(frozen=True)
class Entry:
    """One ledger entry as written, with the line of the ledger file it starts on."""

    anchor: str
    sha256: str
    facts: tuple[str, ...]
    excused: str
    note: str
    line: int
    valid: bool = True  # False when the entry itself is malformed: its paragraph then counts as missing


@dataclass(frozen=True)
class CoverageProblem:
    """One thing wrong with a ledger: where (ledger file and line), what, and about which paragraph."""

    file: str
    line: int
    focus: str
    message: str


@dataclass
class SeedCoverage:
    """How one seed stands: paragraphs covered by facts, excused, and neither."""

    seed: str
    paragraphs: int = 0
    covered: int = 0
    excused: int = 0
    missing: int = 0

    def text(self) -> str:
        share = 100.0 * (self.covered + self.excused) / self.paragraphs if self.paragraphs else 100.0
        return (f"{self.seed}: {self.paragraphs} paragraphs, {self.covered} covered, {self.excused} excused, "
                f"{self.missing} missing ({share:.0f}% accounted for)")


@dataclass
class CoverageResult:
    problems: list[CoverageProblem] = field(default_factory=list)
    seeds: list[SeedCoverage] = field(default_factory=list)

    def summary(self) -> str:
        return "\n".join(["coverage ledger:"] + [f"  {s.text()}" for s in self.seeds])


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records, in each mapping, the line it starts on (key `__line__`)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def expand(iri: str) -> str:
    """A fact IRI as written in a ledger (`hsi:slug` or a full IRI) made full."""
    return HSI + iri[4:] if iri.startswith("hsi:") else iri


def _entries(data: object, where: str) -> tuple[list[Entry], list[CoverageProblem]]:
    problems: list[CoverageProblem] = []
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return [], [CoverageProblem(where, 1, "", "a ledger is a mapping with a list of `entries`")]
    entries: list[Entry] = []
    for raw in data["entries"]:
        line = raw.get("__line__", 0) if isinstance(raw, dict) else 0
        if not isinstance(raw, dict) or not isinstance(raw.get("sha256"), str):
            problems.append(CoverageProblem(where, line, "", "an entry needs `anchor`, `sha256` and `facts` or `excused`"))
            continue
        facts = raw.get("facts") or []
        entry = Entry(str(raw.get("anchor", "")), raw["sha256"], tuple(str(f) for f in facts),
                      str(raw.get("excused") or ""), str(raw.get("note") or ""), line)
        fault = ""
        if entry.facts and entry.excused:
            fault = "an entry is either covered (`facts`) or `excused`, not both"
        elif entry.excused and entry.excused not in EXCUSES:
            fault = f"unknown excuse {entry.excused!r}; one of: {', '.join(sorted(EXCUSES))}"
        elif entry.excused == "repeat" and not entry.note:
            fault = "a `repeat` names the paragraph it repeats in `note`"
        if fault:
            problems.append(CoverageProblem(where, line, entry.anchor, fault))
        entries.append(dataclasses.replace(entry, valid=not fault))
    return entries, problems


def check_seed(seed: Path, ledger: Path | None, known_facts: set[str], shown: str) -> tuple[SeedCoverage, list[CoverageProblem]]:
    """One seed against its ledger (None when it has none); `shown` is the ledger's name in messages."""
    found = paragraphs(seed.read_text(encoding="utf-8"))
    by_hash: dict[str, Paragraph] = {}
    for p in found:
        by_hash.setdefault(p.sha256, p)
    coverage = SeedCoverage(seed.name, paragraphs=len(found))
    problems: list[CoverageProblem] = []
    entries: list[Entry] = []
    if ledger is None:
        problems.append(CoverageProblem(shown, 0, "", f"the seed {seed.name} has no ledger"))
    else:
        try:
            data = yaml.load(ledger.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            problems.append(CoverageProblem(shown, mark.line + 1 if mark else 0, "", f"the ledger is not valid YAML: {error}"))
            data = {"entries": []}
        entries, problems = _entries(data, shown)
        if isinstance(data, dict) and data.get("seed") not in (None, seed.name):
            problems.append(CoverageProblem(shown, 1, "", f"the ledger names seed {data.get('seed')!r}, not {seed.name}"))
    status: dict[str, str] = {}
    for entry in entries:
        paragraph = by_hash.get(entry.sha256)
        if paragraph is None:
            problems.append(CoverageProblem(shown, entry.line, entry.anchor,
                                            "no paragraph of the seed has this sha256 (the seed or the ledger changed)"))
            continue
        if entry.sha256 in status:
            problems.append(CoverageProblem(shown, entry.line, entry.anchor, f"paragraph {paragraph.number} is listed twice"))
            continue
        if entry.anchor != paragraph.anchor:
            problems.append(CoverageProblem(shown, entry.line, entry.anchor,
                                            f"the anchor does not match paragraph {paragraph.number}, which begins {paragraph.anchor!r}"))
        if not entry.valid:
            status[entry.sha256] = "missing"
            continue
        missing = [f for f in entry.facts if expand(f) not in known_facts]
        for fact in missing:
            problems.append(CoverageProblem(shown, entry.line, entry.anchor, f"the fact {fact} is not in the curated data"))
        if entry.facts and not missing:
            status[entry.sha256] = "covered"
        elif entry.excused:
            status[entry.sha256] = "excused"
        elif not entry.facts:
            problems.append(CoverageProblem(shown, entry.line, entry.anchor, "an entry names neither facts nor an excuse"))
    for p in found:
        state = status.get(p.sha256, "missing")
        if state == "covered":
            coverage.covered += 1
        elif state == "excused":
            coverage.excused += 1
        else:
            coverage.missing += 1
    listed = {e.sha256 for e in entries}
    for p in found:
        if p.sha256 not in listed and by_hash[p.sha256] is p:
            problems.append(CoverageProblem(shown, 0, p.anchor,
                                            f"paragraph {p.number} (line {p.line} of {seed.name}) is neither covered nor excused; "
                                            f"sha256 {p.sha256}"))
    return coverage, sorted(problems, key=lambda p: (p.line == 0, p.line))


def check_coverage(ledger_dir: Path, seeds_dir: Path, known_facts: Iterable[str], root: Path | None = None) -> CoverageResult:
    """Every seed of `seeds_dir` against its ledger in `ledger_dir`; `known_facts` are the IRIs of the
    curated data's subjects. File names in problems are relative to `root` when given."""
    facts = set(known_facts)
    result = CoverageResult()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for seed in seeds:
        ledger = ledger_dir / f"{seed.stem}.yaml"
        shown_path = ledger.relative_to(root) if root is not None and ledger.is_relative_to(root) else ledger
        coverage, problems = check_seed(seed, ledger if ledger.is_file() else None, facts, str(shown_path))
        result.seeds.append(coverage)
        result.problems += problems
    stems = {s.stem for s in seeds}
    for orphan in sorted(ledger_dir.glob("*.yaml")):
        if orphan.stem not in stems:
            shown = orphan.relative_to(root) if root is not None and orphan.is_relative_to(root) else orphan
            result.problems.append(CoverageProblem(str(shown), 0, "", f"no seed {orphan.stem}.txt for this ledger"))
    return result

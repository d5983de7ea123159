"""The one report type of validation: a problem that names the file and line of the offending
statement, the rule, a message a curator can act on and the source quote."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hubspoke import namespaces as ns


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, readable by a curator and by a program."""

    rule: str
    focus: str
    message: str
    path: str = ""
    value: str = ""
    file: str = ""
    line: int = 0
    quote: str = ""
    check: str = "shacl"  # which check found it: shacl, sparql, owl, quote, syntax
    shape: str = ""  # the IRI of the shape that found it, where there is one
    related: tuple[str, ...] = ()  # file:line of the other statements involved, most likely wrong first

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        detail = f" ({compact(self.path)} = {compact(self.value)})" if self.path else ""
        also = f" (also involved: {', '.join(self.related)})" if self.related else ""
        return f"{where}{self.rule}: {compact(self.focus)}{detail}: {self.message}{also}"

    def sort_key(self) -> tuple[str, int, str, str, str, str, str]:
        return (self.file or "~", self.line, self.focus, self.rule, self.path, self.value, self.message)


class ValidationCannotRun(Exception):
    """A check could not run at all (no Java, no seed folder): the data is neither good nor bad."""


_REPORT_PREFIXES = {**ns.PREFIXES, "wd": "http://www.wikidata.org/entity/"}


def compact(iri: str) -> str:
    """An IRI with a known prefix, as a curator writes it in Turtle; anything else unchanged."""
    return ns.prefixed_name(iri, _REPORT_PREFIXES) or iri


_IRI_IN_TEXT = re.compile(r"<?(https?://[^\s<>\"'(),]+)>?")


def compact_all(text: str) -> str:
    """The IRIs a message template filled in, written as a curator writes them (hsi:japan)."""
    return _IRI_IN_TEXT.sub(lambda m: compact(m.group(1)) if compact(m.group(1)) != m.group(1) else m.group(0), text)

"""Each quote supports only facts dated by that quote's own source (DESIGN.md, modelling rules 4-5):
one document must not seem to date what only another one said.

- A claim date (hs:claimDate) is the date of the source that makes the claim: every quote behind a
  fact with a claim date comes from a source of that date (an undated source, 003 or 004, has its
  estimated date on hs:claimDate alone, and is not checked).
- A fact dated (hs:date, hs:startDate, hs:endDate) and supported by quotes from several sources names
  the quotes that give the date (hs:dateEvidence), so "which document dates it" has one answer.
"""

from __future__ import annotations

import rdflib

from hubspoke.namespaces import prefixed_name
from hubspoke.validation.quotes import HS, PROV, QuoteProblem

DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
DATES = (HS.date, HS.startDate, HS.endDate)


def _name(node: rdflib.term.Node) -> str:
    return prefixed_name(str(node)) or str(node)


def check_claim_dates(graph: rdflib.Graph) -> list[QuoteProblem]:
    """Each quote behind a fact with a claim date that comes from a dated source of another date."""
    problems = []
    for fact, claim_date in sorted(graph.subject_objects(HS.claimDate), key=str):
        for quotation in sorted(graph.objects(fact, PROV.wasDerivedFrom), key=str):
            for source in graph.objects(quotation, PROV.wasQuotedFrom):
                dates = sorted(str(d) for d in graph.objects(source, DCTERMS.issued))
                if dates and str(claim_date) not in dates:
                    problems.append(QuoteProblem(
                        str(quotation), str(source), "", str(graph.value(quotation, PROV.value) or ""),
                        f"{_name(quotation)} is quoted from {_name(source)} ({', '.join(dates)}), but {_name(fact)} "
                        f"has the claim date {claim_date}: a claim is dated by the source that makes it; give this "
                        "source's claim its own statement, or quote the source of that date",
                        focus=str(fact), path=str(HS.claimDate), rule="claim-date-source"))
    return problems


def check_date_evidence(graph: rdflib.Graph) -> list[QuoteProblem]:
    """Each dated fact quoted from several sources that does not say which quotes give its date."""
    problems = []
    for prop in DATES:
        for fact, date in sorted(graph.subject_objects(prop), key=str):
            if graph.value(fact, HS.dateEvidence) is not None:
                continue
            sources = {s for q in graph.objects(fact, PROV.wasDerivedFrom) for s in graph.objects(q, PROV.wasQuotedFrom)}
            if len(sources) > 1:
                problems.append(QuoteProblem(
                    "", "", "", "",
                    f"{_name(fact)} is dated {date} and quoted from {len(sources)} sources "
                    f"({', '.join(sorted(_name(s) for s in sources))}): name the quotes that give the date "
                    "(hs:dateEvidence), so no source seems to date what it never dated",
                    focus=str(fact), path=str(prop), rule="date-evidence"))
    return problems

"""The modality lint (DESIGN.md, modelling rule 5): a quote whose wording marks a plan, aim,
recommendation, prediction, doubt or negation ("will", "plans to", "should", "yet to", "aims", "may",
"not", ...) behind a fact stored as asserted is reported, until a curator has reviewed it.

A review is data on the quotation: `hs:modalityReviewedFor` names the facts whose asserted modality
was checked against the quote and `hs:modalityReviewNote` says why the wording does not touch them.
A fact added later with the same quote is not covered by the old review.
"""

from __future__ import annotations

import re

import rdflib
from rdflib.namespace import RDF, RDFS

from hubspoke.validation.quotes import HS, PROV, QuoteProblem

# Wording that marks a statement as other than a plain fact. Whole words, case-insensitive.
MODAL_MARKERS = re.compile(
    r"\b(yet to|plans? to|is to|are to|to be|will|would|shall|should|must|ought|may|might|could|can|"
    r"plans?|planned|planning|intends?|intention|intended|aims?|aimed|aiming|"
    r"wants?|hopes?|seeks?|sought|expect(?:s|ed)?|likely|unlikely|predict(?:s|ed)?|"
    r"recommend(?:s|ed)?|propos(?:e|es|ed|al)|suggest(?:s|ed)?|consider(?:s|ed|ing)?|examin(?:e|es|ed|ation)|"
    r"doubt(?:s|ed|ful)?|uncertain|perhaps|possibl[ey]|potential(?:ly)?|"
    r"yet|not|no|never|nor|neither|without|fail(?:s|ed)?)\b",
    re.IGNORECASE,
)

# Not claims that carry a modality: records about the sources, and the actors and places a quote names
# (an actor or place exists whatever the sentence says of it; what it does is a separate statement).
_NOT_CLAIMS = {HS.SourceConflict, HS.Quotation, HS.SourceDocument, HS.Actor, HS.Place}


def markers(quote: str) -> list[str]:
    """The modal words of a quote, lower-cased, in order, each once."""
    return list(dict.fromkeys(m.group(0).lower() for m in MODAL_MARKERS.finditer(quote)))


def _is_claim(graph: rdflib.Graph, node: rdflib.term.Node) -> bool:
    """Whether the node is a statement a source makes (its classes, with their super-classes, are no entity's)."""
    classes = {c for t in graph.objects(node, RDF.type) for c in graph.transitive_objects(t, RDFS.subClassOf)}
    return not classes & _NOT_CLAIMS


def check_modality(graph: rdflib.Graph) -> list[QuoteProblem]:
    """Each asserted fact backed by a quote with modal wording that no review covers."""
    problems = []
    for fact, quotation in sorted(set(graph.subject_objects(PROV.wasDerivedFrom)), key=str):
        if (quotation, RDF.type, HS.Quotation) not in graph or not _is_claim(graph, fact):
            continue
        modality = graph.value(fact, HS.modality)
        if modality not in (None, HS.Asserted):
            continue
        quote = str(graph.value(quotation, PROV.value) or "")
        found = markers(quote)
        if not found or (quotation, HS.modalityReviewedFor, fact) in graph:
            continue
        problems.append(QuoteProblem(
            str(quotation), str(graph.value(quotation, PROV.wasQuotedFrom) or ""), "", quote,
            f"the quote says {', '.join(repr(w) for w in found)}, but {_name(fact)} is stored as asserted: "
            "if the source does not assert it, give it hs:modality (and hs:claimDate); if it does, record the "
            f"review on the quotation (hs:modalityReviewedFor {_name(fact)} and hs:modalityReviewNote, the reason)",
            focus=str(fact), path=str(PROV.wasDerivedFrom), rule="modality-lint"))
    for quotation, fact in sorted(graph.subject_objects(HS.modalityReviewedFor), key=str):
        if graph.value(quotation, HS.modalityReviewNote) is None:
            problems.append(QuoteProblem(
                str(quotation), "", "", "", "a modality review needs its reason (hs:modalityReviewNote)",
                path=str(HS.modalityReviewedFor), rule="modality-lint"))
        if (fact, PROV.wasDerivedFrom, quotation) not in graph:
            problems.append(QuoteProblem(
                str(quotation), "", "", "", f"the review names {_name(fact)}, which this quotation does not support",
                path=str(HS.modalityReviewedFor), rule="modality-lint"))
    return problems


def _name(node: rdflib.term.Node) -> str:
    from hubspoke.namespaces import prefixed_name

    return prefixed_name(str(node)) or str(node)

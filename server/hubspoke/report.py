"""The validation report in three forms: text for curators, JSON for programs and Turtle (a SHACL
sh:ValidationReport, with the file, line, rule and quote of each result added under hsh:)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import rdflib
from rdflib.namespace import RDF, SH, XSD

from hubspoke import namespaces as ns
from hubspoke.validation import Problem, compact

FORMATS = ("text", "json", "turtle")
HSH = rdflib.Namespace(ns.SHAPES)
CHECK_NAMES = {"shacl": "shape", "sparql": "cross-fact rule", "owl": "OWL consistency", "quote": "quote check",
               "syntax": "Turtle syntax", "vocabulary": "closed vocabulary", "coverage": "coverage ledger"}


def as_text(problems: Sequence[Problem]) -> str:
    """One block per problem: where, rule, what, then the message, the value and the source quote."""
    lines = []
    for p in problems:
        where = p.where or "(no file)"
        subject = compact(p.focus) + (f" {compact(p.path)}" if p.path else "")
        lines.append(f"{where}: {subject}  [{p.rule}, {CHECK_NAMES.get(p.check, p.check)}]")
        lines.append(f"    {p.message}")
        if p.related:
            lines.append(f"    also involved: {', '.join(p.related)} ({p.where} is named first as the most recent change)")
        if p.value:
            lines.append(f"    value: {compact(p.value)}")
        if p.quote:
            lines.append(f"    quote: \"{p.quote}\"")
    count = len(problems)
    lines.append("no problems: the curated files are valid" if count == 0 else f"{count} problem(s)")
    return "\n".join(lines) + "\n"


def as_json(problems: Sequence[Problem]) -> str:
    results = [
        {"file": p.file, "line": p.line or None, "rule": p.rule, "check": p.check, "focus": p.focus,
         "path": p.path or None, "value": p.value or None, "message": p.message, "quote": p.quote or None,
         "shape": p.shape or None, "related": list(p.related)}
        for p in problems
    ]
    return json.dumps({"conforms": not problems, "count": len(problems), "results": results}, indent=2) + "\n"


def _node(text: str) -> rdflib.term.Node:
    return rdflib.URIRef(text) if "://" in text or text.startswith("urn:") else rdflib.Literal(text)


def as_graph(problems: Sequence[Problem]) -> rdflib.Graph:
    """The report as a sh:ValidationReport graph."""
    graph = rdflib.Graph()
    for prefix in ("sh", "hs", "hsi", "hsh", "xsd", "prov", "skos", "rdf"):
        graph.bind(prefix, ns.PREFIXES[prefix])
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, rdflib.Literal(not problems)))
    for p in problems:
        result = rdflib.BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH.Violation))
        graph.add((result, SH.resultMessage, rdflib.Literal(p.message)))
        if p.focus:
            graph.add((result, SH.focusNode, _node(p.focus)))
        if p.path:
            graph.add((result, SH.resultPath, rdflib.URIRef(p.path)))
        if p.value:
            graph.add((result, SH.value, _node(p.value)))
        if p.shape:
            graph.add((result, SH.sourceShape, rdflib.URIRef(p.shape)))
        graph.add((result, HSH.rule, rdflib.Literal(p.rule)))
        graph.add((result, HSH.check, rdflib.Literal(p.check)))
        if p.file:
            graph.add((result, HSH.file, rdflib.Literal(p.file)))
        if p.line:
            graph.add((result, HSH.line, rdflib.Literal(p.line, datatype=XSD.integer)))
        if p.quote:
            graph.add((result, HSH.quote, rdflib.Literal(p.quote)))
        for where in p.related:
            graph.add((result, HSH.alsoInvolved, rdflib.Literal(where)))
    return graph


def as_turtle(problems: Sequence[Problem]) -> str:
    return as_graph(problems).serialize(format="turtle")


def render(problems: Sequence[Problem], fmt: str) -> str:
    """The report in one of FORMATS."""
    if fmt == "json":
        return as_json(problems)
    if fmt == "turtle":
        return as_turtle(problems)
    return as_text(problems)

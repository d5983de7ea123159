"""SHACL on the nodes an edit touched, for the watch loop's first answer in well under two seconds.

pyshacl's `focus_nodes` keeps each shape's targets that are in the set and skips the rest, so the
node shapes run on the edited nodes and on the nodes that point at them (whose `sh:class` checks read
the edited ones). The whole-graph rules (`sh:targetNode` SHACL-SPARQL, one query over everything,
most of the full check's time) are left to the full check that follows when the shapes are clean.

The report is read as `hubspoke.validation.validate_shacl` reads it; that function taking the focus
nodes itself would let this module shrink to the choice of nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import SH

from hubspoke import namespaces as ns
from hubspoke.rdf_bridge import quiet_rdflib
from hubspoke.validation import Problem, ValidationCannotRun


def affected_nodes(changed: Iterable[ox.Triple], facts: Iterable[ox.Triple]) -> set[str]:
    """The IRIs whose shapes may now give another answer: subjects of triples added or removed, and
    the subjects of facts that point at them (a party that stopped being a hs:State breaks its alliance)."""
    touched = {t.subject.value for t in changed if isinstance(t.subject, ox.NamedNode)}
    referrers = {t.subject.value for t in facts
                 if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode) and t.object.value in touched}
    return touched | referrers


def all_subjects(facts: Iterable[ox.Triple]) -> set[str]:
    return {t.subject.value for t in facts if isinstance(t.subject, ox.NamedNode)}


def _compact(iri: str) -> str:
    return ns.prefixed_name(iri, ns.PREFIXES) or iri


_IRI_IN_TEXT = re.compile(r"<?(https?://[^\s<>\"'(),]+)>?")


def _compact_all(text: str) -> str:
    """IRIs a message template filled in, written as a curator writes them (hsi:japan), as the full check does."""
    return _IRI_IN_TEXT.sub(lambda m: _compact(m.group(1)) if _compact(m.group(1)) != m.group(1) else m.group(0), text)


def _rule(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> tuple[str, str]:
    if isinstance(shape, rdflib.URIRef):
        return _compact(str(shape)), str(shape)
    parent = shapes.value(predicate=SH.property, object=shape) if shape is not None else None
    path = shapes.value(shape, SH.path) if shape is not None else None
    if isinstance(parent, rdflib.URIRef):
        suffix = f" {_compact(str(path))}" if isinstance(path, rdflib.URIRef) else ""
        return _compact(str(parent)) + suffix, str(parent)
    return "shacl", ""


def focused_shacl(data: rdflib.Graph, shapes: rdflib.Graph, focus: set[str]) -> list[Problem]:
    """The violations of the node shapes on `focus` (none when it is empty)."""
    if not focus or len(shapes) == 0:
        return []
    with quiet_rdflib():
        _conforms, report, text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
            focus_nodes=sorted(focus))
    if not isinstance(report, rdflib.Graph):
        raise ValidationCannotRun(f"the shapes could not be run: {str(text).strip()}")
    problems = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        rule, shape_iri = _rule(shapes, report.value(result, SH.sourceShape))
        focus_node = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        sparql = report.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
        problems.add(Problem(
            rule=rule, focus=str(focus_node),
            message=_compact_all(str(report.value(result, SH.resultMessage) or "violates a shape")),
            path=str(path or ""), value=str(value) if value is not None and value != focus_node else "",
            check="sparql" if sparql else "shacl", shape=shape_iri))
    return sorted(problems, key=Problem.sort_key)


def graph_of(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    from hubspoke.rdf_bridge import to_rdflib

    return to_rdflib(list(triples))

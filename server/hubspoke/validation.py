"""Validation of the data before it is served (DESIGN.md, 'Pipeline'): SHACL and SHACL-SPARQL shapes,
OWL DL consistency and the quote check, gathered into one list of problems that each name the file
and line of the offending statement, the rule, a message a curator can act on and the source quote.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import SH

from hubspoke import namespaces as ns
from hubspoke.locate import SourceIndex
from hubspoke.rdf_bridge import quiet_rdflib, to_rdflib

PROV = "http://www.w3.org/ns/prov#"


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

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        detail = f" ({compact(self.path)} = {compact(self.value)})" if self.path else ""
        return f"{where}{self.rule}: {compact(self.focus)}{detail}: {self.message}"

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


def _rule_name(shapes: rdflib.Graph, shape: rdflib.term.Node | None, component: rdflib.term.Node | None) -> tuple[str, str]:
    """A readable rule name and the IRI of the named shape behind a result (blank property shapes name their parent)."""
    if isinstance(shape, rdflib.URIRef):
        return compact(str(shape)), str(shape)
    parent = shapes.value(predicate=SH.property, object=shape) if shape is not None else None
    path = shapes.value(shape, SH.path) if shape is not None else None
    if isinstance(parent, rdflib.URIRef):
        suffix = f" {compact(str(path))}" if isinstance(path, rdflib.URIRef) else ""
        return compact(str(parent)) + suffix, str(parent)
    return compact(str(component or "shacl")), ""


def validate_shacl(data: rdflib.Graph, shapes: rdflib.Graph) -> list[Problem]:
    """Run the shapes over the data (ontology included, so sub-classes are targeted) and list the violations.

    A SHACL-SPARQL constraint of a shape that has an sh:targetNode runs once over the whole graph
    (one query, not one per node: see STACK-NOTES); its offending node is the result's sh:value.
    """
    if len(shapes) == 0:
        return []
    with quiet_rdflib():
        _conforms, report, _text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
    if not isinstance(report, rdflib.Graph):  # pyshacl could not run the shapes (a malformed shape)
        raise ValidationCannotRun(f"the shapes could not be run: {_text.strip()}")
    problems = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        shape = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        rule, shape_iri = _rule_name(shapes, shape, component)
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        check = "shacl"
        if component == SH.SPARQLConstraintComponent:
            check = "sparql"
            if (shape, SH.targetNode, focus) in shapes and isinstance(value, (rdflib.URIRef, rdflib.BNode)):
                focus, value = value, None  # a whole-graph rule: the offending node is the value
        if value == focus:  # a node-level constraint: the value is the node itself
            value = None
        problems.add(
            Problem(
                rule=rule,
                focus=str(focus),
                message=compact_all(str(report.value(result, SH.resultMessage) or "violates a shape")),
                path=str(path or ""),
                value=str(value) if value is not None else "",
                check=check,
                shape=shape_iri,
            )
        )
    return sorted(problems, key=lambda p: (p.focus, p.rule, p.path, p.value))


def owl_problems(ontology: Sequence[ox.Triple], facts: Sequence[ox.Triple]) -> list[Problem]:
    """The OWL consistency check as problems; raises ValidationCannotRun when HermiT cannot run."""
    from hubspoke.consistency import ReasonerUnavailable, check_consistency

    try:
        result = check_consistency(ontology, facts)
    except ReasonerUnavailable as error:
        raise ValidationCannotRun(str(error)) from error
    if result.ontology_inconsistent:
        return [Problem("owl:consistency", "", "the ontology itself is inconsistent, before any fact is added; "
                        "check the axioms last changed in ontology/", check="owl")]
    problems = [
        Problem(c.rule, c.subject, c.message, path=c.path, value=c.value, check="owl")
        for conflict in result.conflicts for c in conflict
    ]
    if result.gave_up:
        problems.append(Problem("owl:consistency", "", "more facts contradict the ontology than are listed here; "
                                "fix these and validate again", check="owl"))
    return problems


def quote_problems(data: rdflib.Graph, seeds_dir: Path) -> list[Problem]:
    """The quote check (hubspoke.quotes) as problems; raises ValidationCannotRun without a seed folder."""
    from rdflib.namespace import RDF

    from hubspoke.dating import check_claim_dates, check_date_evidence
    from hubspoke.modality import check_modality
    from hubspoke.quotes import check_quotes

    has_quotes = (None, RDF.type, rdflib.URIRef(ns.HS + "Quotation")) in data
    if has_quotes and not seeds_dir.is_dir():
        raise ValidationCannotRun(f"the seed documents folder {seeds_dir} is missing, so quotes cannot be checked")
    return [
        Problem(q.rule, q.focus, q.message + (f" ({q.seed_file})" if q.seed_file else ""),
                path=q.path, quote=q.quote, check="quote")
        for q in [*check_quotes(data, seeds_dir), *check_modality(data), *check_claim_dates(data),
                  *check_date_evidence(data)]
    ]


def attach_quotes(problems: list[Problem], data: rdflib.Graph) -> list[Problem]:
    """Give each problem the verbatim quote behind its fact, where the fact has one."""
    derived, value = rdflib.URIRef(PROV + "wasDerivedFrom"), rdflib.URIRef(PROV + "value")
    out = []
    for p in problems:
        if not p.quote and p.focus:
            quotes = sorted(str(q) for source in data.objects(rdflib.URIRef(p.focus), derived)
                            for q in data.objects(source, value))
            if quotes:
                p = dataclasses.replace(p, quote=quotes[0])
        out.append(p)
    return out


def validate_all(
    graphs: dict[str, list[ox.Triple]], seeds_dir: Path | None = None, index: SourceIndex | None = None
) -> list[Problem]:
    """Every check over the assembled graphs, problems located (when an index of the curated files is
    given) and sorted. Without a seed folder the quote check is skipped; without an index, no file:line.
    """
    ontology, facts, links = graphs[ns.ONTOLOGY_GRAPH], graphs[ns.FACTS_GRAPH], graphs.get(ns.LINKS_GRAPH, [])
    data = to_rdflib([*ontology, *facts, *links])
    quotes = quote_problems(data, seeds_dir) if seeds_dir is not None else []  # first: it may not be able to run
    # HermiT runs in a Java process: let it reason while pyshacl works (two cores, half the wait)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="hermit") as pool:
        owl = pool.submit(owl_problems, ontology, facts)
        problems = validate_shacl(data, to_rdflib(graphs.get(ns.SHAPES_GRAPH, [])))
        problems += owl.result()
    problems += quotes
    problems = attach_quotes(problems, data)
    if index is not None:
        problems = [locate(p, index) for p in problems]
    return sorted(set(problems), key=Problem.sort_key)


def locate(problem: Problem, index: SourceIndex) -> Problem:
    """The problem with the file and line of its statement, when the index knows them."""
    where = index.locate(problem.focus, problem.path, problem.value)
    if where is None:
        return problem
    return dataclasses.replace(problem, file=where.file, line=where.line)

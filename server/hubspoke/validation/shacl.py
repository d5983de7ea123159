"""SHACL and SHACL-SPARQL shapes (pyshacl) over the data, as problems."""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import SH

from hubspoke.rdf_bridge import quiet_rdflib, to_oxigraph
from hubspoke.validation import sparql_rules
from hubspoke.validation.problems import Problem, ValidationCannotRun, compact, compact_all


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


def validate_shacl(data: rdflib.Graph, shapes: rdflib.Graph, store: ox.Store | None = None, *,
                   rules_in_oxigraph: bool = True, focus: list[str | rdflib.URIRef] | None = None,
                   split: tuple[rdflib.Graph, list[sparql_rules.WholeGraphRule]] | None = None) -> list[Problem]:
    """Run the shapes over the data (ontology included, so sub-classes are targeted) and list the violations.

    A SHACL-SPARQL constraint of a shape that has an sh:targetNode runs once over the whole graph
    (one query, not one per node: see STACK-NOTES); its offending node is the result's sh:value.
    Those whole-graph rules run in pyoxigraph (sparql_rules.py) on `store` when given (the same data),
    else on a copy of `data`; the rest of the shapes in pyshacl (all of them with rules_in_oxigraph=False,
    which the tests compare against). With `focus`, pyshacl checks only those nodes (the whole-graph
    rules still run in full): write_checks.py decides which nodes a write can affect. `split` is
    sparql_rules.split(shapes) when the caller keeps it (the shapes of a server do not change).
    """
    if len(shapes) == 0:
        return []
    rest, rules = (split or sparql_rules.split(shapes)) if rules_in_oxigraph else (shapes, [])
    problems: set[Problem] = set()
    if len(rest) and (focus is None or focus):
        with quiet_rdflib():
            _conforms, report, _text = pyshacl.validate(
                data, shacl_graph=rest, inference="none", advanced=True, allow_warnings=True, focus_nodes=focus,
                inplace=True,  # no inference and no sh:rule, so nothing is added: spare the copy of the data
            )
        if not isinstance(report, rdflib.Graph):  # pyshacl could not run the shapes (a malformed shape)
            raise ValidationCannotRun(f"the shapes could not be run: {_text.strip()}")
        problems |= _report_problems(report, shapes)
    if rules:
        if store is None:
            store = ox.Store()
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph(data))
        try:
            violations = sparql_rules.run(rules, store)
        except (SyntaxError, OSError, ValueError) as error:  # a malformed rule in shapes/
            raise ValidationCannotRun(f"the shapes could not be run: {error}") from error
        for v in violations:
            rule, shape_iri = _rule_name(shapes, v.shape, SH.SPARQLConstraintComponent)
            value = v.value
            node = isinstance(value, (ox.NamedNode, ox.BlankNode))
            problems.add(Problem(
                rule=rule,
                focus=value.value if node and value is not None else v.this,
                message=compact_all(v.message or "violates a shape"),
                path=v.path,
                value=value.value if value is not None and not node and value.value != v.this else "",
                check="sparql",
                shape=shape_iri,
            ))
    return sorted(problems, key=lambda p: (p.focus, p.rule, p.path, p.value))


def _report_problems(report: rdflib.Graph, shapes: rdflib.Graph) -> set[Problem]:
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
    return problems

"""Validation of the data before it is served: SHACL shapes for now (issue 4 adds the rest)."""

from __future__ import annotations

from dataclasses import dataclass

import pyshacl
import rdflib
from rdflib.namespace import SH


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, readable by a curator and by a program."""

    rule: str
    focus: str
    message: str
    path: str = ""
    value: str = ""

    def __str__(self) -> str:
        detail = f" ({self.path} = {self.value})" if self.path else ""
        return f"{self.rule}: {self.focus}{detail}: {self.message}"


def validate_shacl(data: rdflib.Graph, shapes: rdflib.Graph) -> list[Problem]:
    """Run the shapes over the data (ontology included, so sub-classes are targeted) and list the violations."""
    if len(shapes) == 0:
        return []
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(report, rdflib.Graph)
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        problems.append(
            Problem(
                rule=str(report.value(result, SH.sourceShape) or report.value(result, SH.sourceConstraintComponent)),
                focus=str(report.value(result, SH.focusNode)),
                message=str(report.value(result, SH.resultMessage) or "violates a shape"),
                path=str(report.value(result, SH.resultPath) or ""),
                value=str(report.value(result, SH.value) or ""),
            )
        )
    return sorted(problems, key=lambda p: (p.focus, p.rule, p.path))

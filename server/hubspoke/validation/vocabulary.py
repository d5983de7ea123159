"""The closed vocabulary: every class and property a curated fact uses is declared in the ontology or
listed as an allowed term of another vocabulary (ontology/external-terms.csv), every hs: value is an
individual the ontology declares, and every instance (hsi:) used as a value is described somewhere.

A typo in a term does not fail to parse: it silently makes a new IRI, and what breaks is elsewhere (a
party that is no longer a state, a relationship with one party). So an unknown term is reported at its
own line, with the nearest declared terms as "did you mean", and the problems it causes on the same
nodes are held back (see knock_on) so that they do not drown it.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.validation.locate import Location, SourceIndex
from hubspoke.validation.problems import Problem, compact

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_RANGE = "http://www.w3.org/2000/01/rdf-schema#range"
OWL = "http://www.w3.org/2002/07/owl#"
_CLASS_TYPES = {OWL + "Class", "http://www.w3.org/2000/01/rdf-schema#Class"}
_PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                   "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"}
CHECK = "vocabulary"


@dataclass(frozen=True)
class Vocabulary:
    """The terms curated facts may use: classes, properties and the ontology's own individuals."""

    classes: frozenset[str]
    properties: frozenset[str]
    individuals: Mapping[str, frozenset[str]]  # hs: values such as hs:InForce -> their classes (hs:Status)
    ranges: Mapping[str, str] = field(default_factory=dict)  # property -> its rdfs:range

    def values_of_range(self, prop: str) -> set[str]:
        """The ontology's individuals of the property's range (hs:InForce, ... for hs:status); none if it has no range."""
        wanted = self.ranges.get(prop, "")
        return {i for i, types in self.individuals.items() if wanted in types}


def read_external_terms(path: Path) -> tuple[set[str], set[str]]:
    """The allowed classes and properties of other vocabularies, from the table (term,kind,note);
    lines starting with # are comments."""
    if not path.is_file():
        return set(), set()
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    classes: set[str] = set()
    properties: set[str] = set()
    for row in csv.DictReader(lines):
        term, kind = (row.get("term") or "").strip(), (row.get("kind") or "").strip()
        (classes if kind == "class" else properties).add(term)
    return classes, properties


def vocabulary(ontology: Iterable[ox.Triple], external_terms: Path) -> Vocabulary:
    """The ontology's declared terms plus the allowed external ones."""
    classes, properties = read_external_terms(external_terms)
    properties.add(RDF_TYPE)  # part of the language: allowed even in a project without the table
    individuals: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    for t in ontology:
        if not isinstance(t.subject, ox.NamedNode) or not isinstance(t.object, ox.NamedNode):
            continue
        if t.predicate.value == RDFS_RANGE:
            ranges[t.subject.value] = t.object.value
        if t.predicate.value != RDF_TYPE:
            continue
        kind = t.object.value
        if kind in _CLASS_TYPES:
            classes.add(t.subject.value)
        elif kind in _PROPERTY_TYPES or kind.startswith(OWL) and kind.endswith("Property"):
            properties.add(t.subject.value)
        elif t.subject.value.startswith(ns.HS) and not kind.startswith(OWL):  # not the modules (owl:Ontology)
            individuals.setdefault(t.subject.value, set()).add(kind)
    return Vocabulary(frozenset(classes), frozenset(properties),
                      {i: frozenset(types) for i, types in individuals.items()}, ranges)


def near_terms(term: str, candidates: Iterable[str], count: int = 3) -> list[str]:
    """The candidates nearest to the term by name (as written, hs:Alliance), about as near as the
    nearest: a second guess far behind is noise."""
    by_name = {compact(c).lower(): c for c in candidates}
    near = difflib.get_close_matches(compact(term).lower(), list(by_name), n=count, cutoff=0.6)
    score = [difflib.SequenceMatcher(None, compact(term).lower(), n).ratio() for n in near]
    return [by_name[n] for n, s in zip(near, score, strict=True) if s >= score[0] - 0.05]


def did_you_mean(term: str, candidates: Iterable[str]) -> str:
    """' Did you mean hs:Alliance?' from the nearest candidates, or '' when none is near."""
    near = near_terms(term, candidates)
    return " Did you mean " + " or ".join(compact(n) for n in near) + "?" if near else ""


def _where(index: SourceIndex | None, subject: str, predicate: str, obj: str, term: str) -> list[Location]:
    """Every place the offending statement is written; the term's mentions when the statement is not
    indexed (a blank node's triple)."""
    if index is None:
        return []
    if obj:
        found = index.objects.get((subject, predicate, obj))
    else:
        found = index.predicates.get((subject, predicate))
    return list(found or index.mentions.get(term, []))


def vocabulary_problems(facts: Sequence[ox.Triple], vocab: Vocabulary, index: SourceIndex | None) -> list[Problem]:
    """One problem per place an undeclared class, property or hs: value, or an undescribed instance, is used."""
    described = {t.subject.value for t in facts if isinstance(t.subject, ox.NamedNode)}
    typed = {t.subject.value for t in facts if isinstance(t.subject, ox.NamedNode) and t.predicate.value == RDF_TYPE}
    problems: list[Problem] = []

    def report(t: ox.Triple, rule: str, term: str, obj: str, message: str) -> None:
        subject = t.subject.value if isinstance(t.subject, (ox.NamedNode, ox.BlankNode)) else ""
        focus = subject if isinstance(t.subject, ox.NamedNode) else term
        found: list[Location | None] = [*_where(index, subject, t.predicate.value, obj, term)] or [None]
        for where in found:
            problems.append(Problem(rule, focus, message, path=t.predicate.value, value=obj, check=CHECK,
                                    file=where.file if where else "", line=where.line if where else 0))

    untyped_reported: set[str] = set()
    for t in facts:
        p = t.predicate.value
        subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
        if subject.startswith(ns.HSI) and subject not in typed and subject not in untyped_reported:
            untyped_reported.add(subject)  # a typo'd subject: statements about a new, untyped node
            report(t, "closed-vocabulary:untyped", subject, "",
                   f"{compact(subject)} has statements but no type (rdf:type) anywhere in instances/."
                   f"{did_you_mean(subject, typed)} Correct the IRI, or give the thing its type.")
        if p not in vocab.properties:
            report(t, "closed-vocabulary:property", p, "",
                   f"{compact(p)} is not a property of the ontology nor an allowed external term "
                   f"(ontology/external-terms.csv).{did_you_mean(p, vocab.properties)} Correct the name, or "
                   "declare the property in ontology/ (or allow it in ontology/external-terms.csv) first.")
        if not isinstance(t.object, ox.NamedNode):
            continue
        o = t.object.value
        if p == RDF_TYPE:
            if o not in vocab.classes:
                report(t, "closed-vocabulary:class", o, o,
                       f"{compact(o)} is not a class of the ontology nor an allowed external class."
                       f"{did_you_mean(o, vocab.classes)} Correct the name, or declare the class in ontology/ first.")
        elif o.startswith(ns.HS) and o not in {*vocab.individuals, *vocab.classes, *vocab.properties}:
            report(t, "closed-vocabulary:term", o, o,
                   f"{compact(o)} is not declared in the ontology."
                   f"{did_you_mean(o, vocab.values_of_range(p) or {*vocab.individuals, *vocab.properties})} "
                   f"{compact(p)} takes one of the values the ontology declares"
                   + (f": {', '.join(sorted(compact(v) for v in vocab.values_of_range(p)))}."
                      if vocab.values_of_range(p) else "."))
        elif o.startswith(ns.HSI) and o not in described:
            report(t, "closed-vocabulary:instance", o, o,
                   f"{compact(o)} is used here but described nowhere in instances/ (no statement has it as "
                   f"subject).{did_you_mean(o, described)} Correct the IRI, or describe the thing (its type, "
                   "label and source) in the file of its topic.")
    return problems


def knock_on(problems: Sequence[Problem], typos: Sequence[Problem], vocab: Vocabulary) -> list[Problem]:
    """The typos first, then the other problems with the likely consequences of a typo held back, each
    typo saying how many it holds.

    A wrong term changes what a node is or has, so other checks complain, often far from the typo
    (a state typed hs:Sate is no longer a state: every fact with it as a party breaks). What is held
    back, per kind of typo:
    - a class on node N: every problem about N, and every problem whose value is N;
    - a property on N: the problems about N on the properties the typo is near (hs:hasPary holds the
      'needs two parties' of hs:hasParty), and N's node-level problems;
    - an instance (hsi:) value of property P on N: the problems about N's P, and those whose value is
      the undescribed instance; an untyped subject N: the problems about N with the same property;
    - an undeclared hs: value: nothing (the closed sets of the shapes report the same line and list
      the values allowed).
    Held problems are not shown while the typo stands: most go away when it is fixed, and the next
    validation shows whatever remains. Problems that are not about the same node and property stay.
    """
    if not typos:
        return list(problems)
    held = [0] * len(typos)
    kept = []
    for p in problems:
        owner = next((i for i, typo in enumerate(typos) if _caused_by(p, typo, vocab)), None)
        if owner is None:
            kept.append(p)
        else:
            held[owner] += 1
    shown = []
    for typo, count in zip(typos, held, strict=True):
        if count:
            typo = dataclasses.replace(typo, message=f"{typo.message} ({count} other problem(s) that this likely "
                                                         "causes are held back; validate again once it is fixed)")
        shown.append(typo)
    return shown + kept


def _caused_by(problem: Problem, typo: Problem, vocab: Vocabulary) -> bool:
    """Whether a problem is a likely consequence of the typo (see knock_on)."""
    same_node = problem.focus == typo.focus
    if typo.rule == "closed-vocabulary:class":
        return same_node or problem.value == typo.focus
    if typo.rule == "closed-vocabulary:property":
        return same_node and (not problem.path or problem.path in near_terms(typo.path, vocab.properties))
    if typo.rule == "closed-vocabulary:term":
        return False  # the shapes' closed sets (sh:in) report the same line, listing the allowed values
    if typo.rule == "closed-vocabulary:instance" and problem.value == typo.value:
        return True
    return same_node and problem.path == typo.path

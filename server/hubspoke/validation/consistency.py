"""OWL DL consistency of the ontology plus the curated facts, with the HermiT that owlready2 ships.

HermiT catches what shapes cannot: an individual in two disjoint classes (an alliance that is also a
partnership), an irreflexive or asymmetric property used against its axiom, a functional property
with two values. It only says "inconsistent", so the culprits are then searched for: the facts are
grouped by subject and QuickXplain (Junker 2004) removes groups, keeping the ontology fixed, until
it has a smallest set of groups that is still inconsistent on its own. Each culprit is reported
with the axiom it breaks where that can be read off the triples.

Two deliberate additions to the facts, so that HermiT can see what a curator means:
- the unique name assumption: two curated individuals are different things (one slug, one thing;
  the QID check guards against two slugs for one thing). Without it a functional property with
  two values only makes HermiT merge them; it is stated for those values (see unique_names).
- literals outside HermiT's OWL 2 datatype map (dates as xsd:gYear, xsd:date, ...) are left out:
  HermiT refuses them, and the shapes check every date.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from hubspoke import namespaces as ns

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode(RDF + "type")
# Literal datatypes HermiT is given; the others are checked by the shapes alone.
_KEPT_DATATYPES = {XSD + "string", RDF + "langString", RDF + "PlainLiteral"}


class ReasonerUnavailable(Exception):
    """HermiT could not run (no Java, a Java error): the consistency check was not done."""


@dataclass(frozen=True)
class Culprit:
    """One fact subject that takes part in an inconsistency, the axiom broken and the property used."""

    subject: str
    rule: str
    message: str
    path: str = ""
    value: str = ""


Group = tuple[str, list[ox.Triple]]


def fact_groups(facts: Sequence[ox.Triple]) -> list[Group]:
    """The facts grouped by named subject; blank-node descriptions go with the subject that uses them."""
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    for t in facts:
        if isinstance(t.subject, (ox.NamedNode, ox.BlankNode)):
            by_subject[t.subject].append(t)
    owner: dict[ox.BlankNode, ox.NamedNode] = {}
    changed = True
    while changed:  # follow chains of blank nodes to a named owner
        changed = False
        for subject, triples in by_subject.items():
            root = subject if isinstance(subject, ox.NamedNode) else owner.get(subject)
            if root is None:
                continue
            for t in triples:
                if isinstance(t.object, ox.BlankNode) and t.object not in owner:
                    owner[t.object] = root
                    changed = True
    groups: dict[str, list[ox.Triple]] = defaultdict(list)
    for subject, triples in by_subject.items():
        root = subject if isinstance(subject, ox.NamedNode) else owner.get(subject)
        key = root.value if root is not None else f"_:{subject.value}"
        groups[key].extend(triples)
    return sorted(groups.items())


def _reasoner_input(triples: Sequence[ox.Triple]) -> list[ox.Triple]:
    """Drop owl:imports (owlready2 would fetch them) and literals HermiT cannot read."""
    kept = []
    for t in triples:
        if t.predicate.value == OWL + "imports":
            continue
        if isinstance(t.object, ox.Literal) and t.object.datatype.value not in _KEPT_DATATYPES:
            continue
        kept.append(t)
    return kept


_Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # what a triple's subject or object can be


def _value(term: _Node) -> str:
    """The IRI, blank node id or lexical form of a term; the ontology and the facts hold no RDF 1.2
    triple terms, which have none."""
    if isinstance(term, ox.Triple):
        raise TypeError(f"unexpected triple term {term}")
    return term.value


def unique_names(ontology: Sequence[ox.Triple], facts: Sequence[ox.Triple]) -> list[ox.Triple]:
    """owl:differentFrom between the named values of one functional property on one subject.

    This is the unique name assumption where it matters; a full owl:AllDifferent over every curated
    individual states the same for all of them but made HermiT 25 times slower (121 s for ~400).
    """
    functional = {_value(t.subject) for t in ontology
                  if t.predicate == RDF_TYPE and _value(t.object) == OWL + "FunctionalProperty"}
    values: dict[tuple[str, str], set[ox.NamedNode]] = defaultdict(set)
    for t in facts:
        if t.predicate.value in functional and isinstance(t.object, ox.NamedNode):
            values[(_value(t.subject), t.predicate.value)].add(t.object)
    different = ox.NamedNode(OWL + "differentFrom")
    out = []
    for named in values.values():
        ordered = sorted(named, key=lambda n: n.value)
        out += [ox.Triple(a, different, b) for i, a in enumerate(ordered) for b in ordered[i + 1:]]
    return out


def hermit_command() -> list[str]:
    """The command line of the HermiT that ships with owlready2, run as a consistency check (-k).

    Not owlready2's sync_reasoner(): that always classifies (-c -O -D) and runs the JVM tuned for long
    jobs. A consistency check alone with the client compiler and serial GC took 2.8 s instead of
    9.6 s on the real files (measured here, two busy cores), and the culprit search calls it often.
    """
    import owlready2  # heavy: only when the check runs

    folder = Path(owlready2.__file__).parent / "hermit"
    classpath = os.pathsep.join((str(folder), str(folder / "HermiT.jar")))
    from hubspoke.java import find_java

    return [find_java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx2000M", "-cp", classpath,
            "org.semanticweb.HermiT.cli.CommandLine", "-k"]


def hermit_consistent(triples: Sequence[ox.Triple], timeout: float = 300) -> bool:
    """Whether HermiT finds the triples (ontology and facts, as N-Triples) consistent."""
    data = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=ox.RdfFormat.N_TRIPLES)
    with tempfile.TemporaryDirectory(prefix="hubspoke-hermit-") as folder:
        path = Path(folder) / "input.nt"
        path.write_bytes(data or b"")
        try:
            run = subprocess.run([*hermit_command(), "-I", path.as_uri()], capture_output=True, text=True,
                                 timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ReasonerUnavailable(f"HermiT could not run: {error}") from error
    output = run.stdout + run.stderr
    if run.returncode == 0 and "is satisfiable" in output:
        return True
    if "Inconsistent ontology" in output or "is not satisfiable" in output:
        return False
    first = next((line for line in output.splitlines() if line.strip()), "no output")
    raise ReasonerUnavailable(f"HermiT could not run (exit {run.returncode}): {first[:300]}")


Check = Callable[[Sequence[ox.Triple]], bool]


def quickxplain(background: list[ox.Triple], groups: list[Group], consistent: Check) -> list[Group]:
    """A smallest subset of groups that is inconsistent with the background (Junker's QuickXplain)."""

    def flat(gs: Sequence[Group]) -> list[ox.Triple]:
        return [t for _, ts in gs for t in ts]

    def qx(base: list[ox.Triple], delta_added: bool, candidates: list[Group]) -> list[Group]:
        if delta_added and not consistent(base):
            return []
        if len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        from_second = qx(base + flat(first), bool(first), second)
        from_first = qx(base + flat(from_second), bool(from_second), first)
        return from_first + from_second

    return qx(background, False, groups)


@dataclass(frozen=True)
class ConsistencyResult:
    """Culprit facts of each inconsistency found, and whether the ontology alone is inconsistent."""

    conflicts: list[list[Culprit]]
    ontology_inconsistent: bool = False
    gave_up: bool = False


def check_consistency(
    ontology: Sequence[ox.Triple],
    facts: Sequence[ox.Triple],
    consistent: Check | None = None,
    max_conflicts: int = 5,
) -> ConsistencyResult:
    """Check ontology + facts with the reasoner; when inconsistent, find up to max_conflicts culprit sets.

    Each HermiT call costs about a second (a JVM start), so the search first removes the groups that
    break a disjointness or property axiom in plain sight (read off the triples) and asks HermiT
    whether the rest is consistent; only what remains inconsistent is searched with QuickXplain.
    """
    consistent = consistent or hermit_consistent
    background = _reasoner_input(ontology)
    groups = [(s, _reasoner_input(ts)) for s, ts in fact_groups(facts)]
    base = background + unique_names(ontology, facts)
    if consistent(base + _flat(groups)):
        return ConsistencyResult([])
    by_key = dict(groups)
    conflicts: list[list[Culprit]] = []
    chosen: set[str] = set()
    for keys in visible_conflicts(ontology, groups):
        if len(conflicts) < max_conflicts and not chosen & set(keys):
            conflicts.append(explain(ontology, [(k, by_key[k]) for k in keys]))
            chosen |= set(keys)
    remaining = [g for g in groups if g[0] not in chosen]
    if not conflicts and not consistent(background):
        return ConsistencyResult([], ontology_inconsistent=True)
    while not (conflicts and consistent(base + _flat(remaining))):
        if len(conflicts) >= max_conflicts:
            return ConsistencyResult(conflicts, gave_up=True)
        culprit_groups = quickxplain(base, remaining, consistent)
        conflicts.append(explain(ontology, culprit_groups))
        found = {s for s, _ in culprit_groups}
        remaining = [g for g in remaining if g[0] not in found]
    return ConsistencyResult(conflicts)


def _flat(groups: Sequence[Group]) -> list[ox.Triple]:
    return [t for _, ts in groups for t in ts]


def visible_conflicts(ontology: Sequence[ox.Triple], groups: Sequence[Group]) -> list[list[str]]:
    """Sets of groups that break an axiom in plain sight (disjoint types, irreflexive, asymmetric, functional)."""
    axioms = _Axioms(ontology)
    found: list[list[str]] = []
    edges: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for subject, ts in groups:
        types = [_value(t.object) for t in ts if t.predicate == RDF_TYPE]
        values: dict[str, set[_Node]] = defaultdict(set)
        for t in ts:
            values[t.predicate.value].add(t.object)
            if t.predicate.value in axioms.kinds[OWL + "AsymmetricProperty"]:
                edges[t.predicate.value].add((subject, _value(t.object)))
        clash = any(axioms.clash(a, b) for i, a in enumerate(types) for b in types[i + 1:])
        loop = any(subject in {_value(o) for o in values[p]} for p in axioms.kinds[OWL + "IrreflexiveProperty"])
        many = any(len({o for o in values[p] if not isinstance(o, ox.BlankNode)}) > 1
                   for p in axioms.kinds[OWL + "FunctionalProperty"])
        tagged = any(isinstance(o, ox.Literal) and o.language for p in axioms.string_valued for o in values[p])
        if clash or loop or many or tagged:
            found.append([subject])
    for pairs in edges.values():
        found += [sorted((a, b)) for a, b in pairs if a < b and (b, a) in pairs]
    found += _clashes_by_use(axioms, groups)
    return found


def _clashes_by_use(axioms: _Axioms, groups: Sequence[Group]) -> list[list[str]]:
    """Pairs of groups whose types, domains and ranges give one node two disjoint classes. Read off the
    triples, they spare the search a HermiT run (a JVM start, about a second) per step."""
    reasons: dict[str, list[tuple[str, str]]] = defaultdict(list)  # node -> [(class, group that says so)]
    for subject, ts in groups:
        for t in ts:
            p = t.predicate.value
            if t.predicate == RDF_TYPE:
                reasons[subject].append((_value(t.object), subject))
            if p in axioms.domains:
                reasons[subject].append((axioms.domains[p], subject))
            if p in axioms.ranges and isinstance(t.object, ox.NamedNode):
                reasons[_value(t.object)].append((axioms.ranges[p], subject))
    found: list[list[str]] = []
    for node, why in reasons.items():
        # The node's own declaration first: pairing a wrong use with the type it contradicts points the
        # curator at the two lines to compare, not at some other, correct use of the same node.
        ordered = sorted(why, key=lambda reason: reason[1] != node)
        for i, (b, group_b) in enumerate(ordered):
            group_a = next((g for a, g in ordered[:i] if axioms.clash(a, b)), None)
            pair = sorted({group_a, group_b}) if group_a is not None else None
            if pair is not None and pair not in found:
                found.append(pair)
    return found


def _short(iri: str) -> str:
    return ns.prefixed_name(iri) or f"<{iri}>"


class _Axioms:
    """The ontology's axioms that a handful of facts can break, read from its triples."""

    def __init__(self, ontology: Sequence[ox.Triple]) -> None:
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.disjoint: set[frozenset[str]] = set()
        self.kinds: dict[str, set[str]] = defaultdict(set)
        self.string_valued: set[str] = set()  # data properties whose range is xsd:string
        self.domains: dict[str, str] = {}
        self.ranges: dict[str, str] = {}
        lists: dict[str, tuple[str, str]] = {}
        all_disjoint: list[str] = []
        for t in ontology:
            p, s, o = t.predicate.value, t.subject, t.object
            if p == RDFS + "subClassOf" and isinstance(o, ox.NamedNode):
                self.parents[_value(s)].add(o.value)
            elif p == OWL + "disjointWith":
                self.disjoint.add(frozenset((_value(s), _value(o))))
            elif p == RDF + "type" and _value(o) in (OWL + "IrreflexiveProperty", OWL + "AsymmetricProperty", OWL + "FunctionalProperty"):
                self.kinds[_value(o)].add(_value(s))
            elif p == RDFS + "range" and _value(o) == XSD + "string":
                self.string_valued.add(_value(s))
            elif p in (RDFS + "domain", RDFS + "range") and isinstance(o, ox.NamedNode) and not o.value.startswith(XSD):
                (self.domains if p == RDFS + "domain" else self.ranges)[_value(s)] = _value(o)
            elif p == RDF + "type" and _value(o) == OWL + "AllDisjointClasses":
                all_disjoint.append(_value(s))
            elif p in (RDF + "first", RDF + "rest"):
                first, rest = lists.get(_value(s), ("", ""))
                lists[_value(s)] = (_value(o), rest) if p == RDF + "first" else (first, _value(o))
        members = {_value(t.subject): _value(t.object) for t in ontology if t.predicate.value == OWL + "members"}
        for axiom in all_disjoint:
            cell, classes = members.get(axiom, ""), []
            while cell in lists:
                classes.append(lists[cell][0])
                cell = lists[cell][1]
            self.disjoint |= {frozenset((a, b)) for a in classes for b in classes if a != b}

    def clash(self, a: str, b: str) -> bool:
        """Whether two classes are disjoint, directly or through their super-classes."""
        return any(frozenset((x, y)) in self.disjoint for x in self.ancestors(a) for y in self.ancestors(b))

    def ancestors(self, cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


def explain(ontology: Sequence[ox.Triple], culprits: list[Group]) -> list[Culprit]:
    """Say which axiom a set of culprit groups breaks, per subject; a general message when unclear."""
    axioms = _Axioms(ontology)
    triples = [t for _, ts in culprits for t in ts]
    found: list[Culprit] = []
    for subject, ts in culprits:
        types = [_value(t.object) for t in ts if t.predicate == RDF_TYPE]
        for i, a in enumerate(types):
            for b in types[i + 1:]:
                if axioms.clash(a, b):
                    found.append(Culprit(subject, "owl:disjointWith",
                                         f"it is typed both {_short(a)} and {_short(b)}, classes the ontology declares "
                                         "disjoint; keep the one the source supports", RDF + "type", b))
        values: dict[str, list[_Node]] = defaultdict(list)
        for t in ts:
            values[t.predicate.value].append(t.object)
        for p, objs in values.items():
            if p in axioms.kinds[OWL + "IrreflexiveProperty"] and any(_value(o) == subject for o in objs):
                found.append(Culprit(subject, "owl:IrreflexiveProperty",
                                     f"it is related to itself by {_short(p)}, which never relates a thing to itself", p, subject))
            if p in axioms.kinds[OWL + "AsymmetricProperty"]:
                for o in objs:
                    if any(_value(t.subject) == _value(o) and t.predicate.value == p and _value(t.object) == subject for t in triples):
                        found.append(Culprit(subject, "owl:AsymmetricProperty",
                                             f"{_short(p)} runs both ways between it and {_short(_value(o))}; it can only run one way",
                                             p, _value(o)))
            for o in objs:
                if p in axioms.string_valued and isinstance(o, ox.Literal) and o.language:
                    found.append(Culprit(subject, "rdfs:range",
                                         f"{_short(p)} takes a plain string (its range is xsd:string), not a text "
                                         f"with a language tag (\"{o.value}\"@{o.language})", p, o.value))
            if p in axioms.kinds[OWL + "FunctionalProperty"] and len(set(objs)) > 1:
                shown = ", ".join(sorted(_short(o.value) if isinstance(o, ox.NamedNode) else repr(_value(o)) for o in set(objs)))
                found.append(Culprit(subject, "owl:FunctionalProperty",
                                     f"it has {len(set(objs))} values of {_short(p)} ({shown}), which allows only one", p))
    if found:
        return found
    found = _typed_by_use(axioms, culprits)
    if found:
        return found
    names = ", ".join(_short(s) for s, _ in culprits)
    return [Culprit(s, "owl:consistency",
                    f"these facts together contradict the ontology's axioms (disjoint classes, domains, ranges or "
                    f"property characteristics): {names}") for s, _ in culprits]


def _typed_by_use(axioms: _Axioms, culprits: list[Group]) -> list[Culprit]:
    """Disjoint classes reached through a property's domain or range: the usual hidden inconsistency."""
    # node -> [(class, subject whose triple says so, predicate, how)]
    reasons: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for subject, ts in culprits:
        for t in ts:
            p = t.predicate.value
            if t.predicate == RDF_TYPE:
                reasons[subject].append((_value(t.object), subject, p, "type"))
            if p in axioms.domains:
                reasons[subject].append((axioms.domains[p], subject, p, "domain"))
            if p in axioms.ranges and isinstance(t.object, ox.NamedNode):
                reasons[_value(t.object)].append((axioms.ranges[p], subject, p, "range"))
    found: list[Culprit] = []
    for node, why in reasons.items():
        for i, (a, sa, pa, ha) in enumerate(why):
            for b, sb, pb, hb in why[i + 1:]:
                if not axioms.clash(a, b):
                    continue
                said = {"type": "its type", "domain": "the domain of", "range": "the range of"}
                first = f"{said[ha]} {_short(pa) if ha != 'type' else ''}".strip()
                second = f"{said[hb]} {_short(pb) if hb != 'type' else ''}".strip()
                text = (f"{_short(node)} would be both {_short(a)} ({first}) and {_short(b)} ({second}), "
                        "classes the ontology declares disjoint; correct the type or the property's value")
                for subject, p in ((sa, pa), (sb, pb)):
                    culprit = Culprit(subject, "owl:disjointWith", text, p, node if p != RDF + "type" else b)
                    if culprit not in found:
                        found.append(culprit)
    return found

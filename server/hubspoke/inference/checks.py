"""What the OWL 2 RL engine adds to validation: its clashes (the consistency rules, run after the
domain rules, so they see what HermiT, which knows no domain rule, cannot) and the constructs an
ontology uses that the engine draws no inference from (outside OWL 2 RL, or beyond its rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.inference.owl_rl import Clash, Term, Triple
from hubspoke.inference.vocabulary import MAXC, MAXQC, ONPROPERTY, OWL, REFLEXIVE, SOME, ALL, TYPE
from hubspoke.validation import Problem, compact, compact_all


@dataclass(frozen=True)
class Unsupported:
    """A construct the engine does not reason with: its IRI, why, and the node that uses it."""

    construct: str
    why: str
    node: Term


_OUTSIDE_RL = "is outside OWL 2 RL"
# predicates whose mere use is out of scope
UNSUPPORTED_PREDICATES: dict[str, str] = {
    OWL + "minCardinality": _OUTSIDE_RL,
    OWL + "cardinality": _OUTSIDE_RL + " (only its upper bound would be RL)",
    OWL + "minQualifiedCardinality": _OUTSIDE_RL,
    OWL + "qualifiedCardinality": _OUTSIDE_RL + " (only its upper bound would be RL)",
    OWL + "hasSelf": _OUTSIDE_RL,
    OWL + "disjointUnionOf": _OUTSIDE_RL + " (the union part would need reasoning by cases)",
    OWL + "onProperties": _OUTSIDE_RL + " (n-ary data ranges)",
    OWL + "datatypeComplementOf": "is a datatype rule the engine leaves out",
    OWL + "withRestrictions": "is a datatype rule the engine leaves out (datatype facets)",
}


def unsupported(triples: Iterable[Triple]) -> list[Unsupported]:
    """Every use of a construct the engine does not reason with, in a stable order."""
    found: set[Unsupported] = set()
    for s, p, o in triples:
        if p.value in UNSUPPORTED_PREDICATES:
            found.add(Unsupported(p.value, UNSUPPORTED_PREDICATES[p.value], s))
        elif p == TYPE and o == REFLEXIVE:
            found.add(Unsupported(REFLEXIVE.value, _OUTSIDE_RL, s))
        elif p in (MAXC, MAXQC) and isinstance(o, ox.Literal) and o.value not in ("0", "1"):
            found.add(Unsupported(p.value, "above 1 is outside OWL 2 RL", s))
        elif p == ONPROPERTY and isinstance(o, ox.BlankNode):
            found.add(Unsupported(OWL + "inverseOf", "as a property expression (an anonymous inverse) is beyond the engine's rules", s))
        elif p in (SOME, ALL) and isinstance(o, ox.Literal):
            found.add(Unsupported(p.value, "with a literal is not a class", s))
    return sorted(found, key=lambda u: (u.construct, str(u.node)))


def _first_line(files: Sequence[Path], root: Path, construct: str) -> tuple[str, int]:
    """The first file:line that names the construct (prefixed or in full), for the report."""
    names: tuple[str, ...] = (compact(construct), f"<{construct}>")
    if construct == REFLEXIVE.value:
        names = (*names, "ReflexiveProperty")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if any(n in line for n in names):
                return (str(path.relative_to(root)) if path.is_relative_to(root) else str(path)), number
    return "", 0


def unsupported_problems(ontology: Sequence[ox.Triple], files: Sequence[Path] = (), root: Path = Path(".")) -> list[Problem]:
    """One problem per construct the engine does not reason with, where the ontology first uses it."""
    problems = []
    for u in unsupported((t.subject, t.predicate, t.object) for t in ontology):
        file, line = _first_line(files, root, u.construct)
        problems.append(Problem(
            "owl-rl:unsupported", str(u.node) if isinstance(u.node, ox.NamedNode) else "",
            f"{compact(u.construct)} {u.why}: hubspoke's reasoner draws no inference from it, so the inferred graph "
            "and the explanations leave it out; say it with OWL 2 RL axioms or a rule in ontology/rules/",
            file=file, line=line, check="owl"))
    return problems


def clash_problems(clashes: Sequence[Clash]) -> list[Problem]:
    """The engine's clashes as problems: focus, property and value of the first triple in conflict."""
    problems = []
    for c in clashes:
        s, p, o = c.triples[0]
        problems.append(Problem(
            f"owl-rl:{c.rule}", str(s.value) if isinstance(s, ox.NamedNode) else "",
            compact_all(c.message) + " (found by the OWL 2 RL consistency rules after inference)",
            path=p.value, value=o.value if isinstance(o, (ox.NamedNode, ox.Literal)) else "", check="owl"))
    return problems


def reasoner_problems(graphs: Mapping[str, Sequence[ox.Triple]], rules_dir: Path | None) -> list[Problem]:
    """The clashes of the build's infer step (OWL 2 RL closure + the domain rules) as problems."""
    from hubspoke.inference.materialise import infer
    from hubspoke.inference.rules import load_rules

    inputs = {g: graphs[g] for g in (ns.ONTOLOGY_GRAPH, ns.FACTS_GRAPH, ns.LINKS_GRAPH) if g in graphs}
    result = infer(inputs, load_rules(rules_dir) if rules_dir is not None else [], records=False)
    return clash_problems(result.clashes)

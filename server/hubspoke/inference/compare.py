"""What our OWL 2 RL closure and owlrl's can be compared on (the test oracle and the benchmark)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from hubspoke.inference.owl_rl import Triple

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_LINKS = (_RDFS + "subClassOf", _RDFS + "subPropertyOf", _OWL + "equivalentClass", _OWL + "equivalentProperty", _OWL + "sameAs")
_BUILTIN = (_RDF, _RDFS, "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")


def comparable(triples: Iterable[Triple]) -> set[Triple]:
    """The entailments both engines are meant to give: statements in the graph's own vocabulary,
    non-reflexive sub-class / sub-property / equivalence and owl:sameAs links between its own terms;
    nothing about blank nodes. (owlrl also writes reflexive owl:sameAs and axiomatic triples for
    every term, which we write only when asked: `Reasoner(axiomatic=True)`.)"""

    def own(term: object) -> bool:
        return isinstance(term, ox.NamedNode) and not term.value.startswith(_BUILTIN)

    out: set[Triple] = set()
    for s, p, o in triples:
        if not own(s) or isinstance(o, ox.BlankNode):
            continue
        if p.value in _LINKS:
            if own(o) and s != o:
                out.add((s, p, o))
        elif p.value == _RDF + "type":
            if own(o):
                out.add((s, p, o))
        elif own(p):
            out.add((s, p, o))
    return out

"""SHACL on the nodes an edit touched, for the watch loop's first answer in well under two seconds.

pyshacl's `focus_nodes` keeps each shape's targets that are in the set and skips the rest, so the
node shapes run on the edited nodes and on the nodes that point at them (whose `sh:class` checks read
the edited ones). The whole-graph rules (`sh:targetNode` SHACL-SPARQL, one query over everything)
run too: pyoxigraph answers them in milliseconds (validation/sparql_rules.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from hubspoke.validation import Problem, validate_shacl


def affected_nodes(changed: Iterable[ox.Triple], facts: Iterable[ox.Triple]) -> set[str]:
    """The IRIs whose shapes may now give another answer: subjects of triples added or removed, and
    the subjects of facts that point at them (a party that stopped being a hs:State breaks its alliance)."""
    touched = {t.subject.value for t in changed if isinstance(t.subject, ox.NamedNode)}
    referrers = {t.subject.value for t in facts
                 if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode) and t.object.value in touched}
    return touched | referrers


def all_subjects(facts: Iterable[ox.Triple]) -> set[str]:
    return {t.subject.value for t in facts if isinstance(t.subject, ox.NamedNode)}


def focused_shacl(data: rdflib.Graph, shapes: rdflib.Graph, focus: set[str]) -> list[Problem]:
    """The violations of the node shapes on `focus` (none when it is empty), and of the whole-graph rules,
    which run in pyoxigraph in a fraction of a second (validation/sparql_rules.py)."""
    if not focus or len(shapes) == 0:
        return []
    return sorted(validate_shacl(data, shapes, focus=sorted(focus)), key=Problem.sort_key)


def graph_of(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    from hubspoke.rdf_bridge import to_rdflib

    return to_rdflib(list(triples))

"""The build's infer step: OWL 2 RL closure and the domain rules, run together to a fixpoint.

The input graphs are read, never changed: what is new goes to the inferred graph and its
derivation records to the derivations graph (STYLE.md 9).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

import pyoxigraph as ox

from hubspoke.inference.derivations import DerivationRecords, RuleInfo, records_of_ids
from hubspoke.inference.joins import Answers, Unsupported
from hubspoke.inference.owl_rl import TYPE, Clash, Reasoner, paused_gc
from hubspoke.inference.rules import Rule, apply_rule, load_rules, rule_inputs
from hubspoke.inference.terms import IdTriple, Term, Terms, Triple

MAX_ROUNDS = 20  # rules + closure reach a fixpoint in 2-3 rounds on this ontology; this stops a runaway rule


@dataclass
class Inference:
    """What the infer step produced."""

    inferred: list[ox.Triple] = field(default_factory=list)
    records: DerivationRecords | None = None  # the derivations graph, computed (None: not asked for)
    per_rule: dict[str, int] = field(default_factory=dict)
    clashes: list[Clash] = field(default_factory=list)
    rounds: int = 0
    seconds: float = 0.0
    _derivations: list[ox.Triple] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def derivations(self) -> list[ox.Triple]:
        """The derivations graph as pyoxigraph triples, made on first use (see DerivationRecords)."""
        if self._derivations is None:
            with paused_gc():
                self._derivations = self.records.triples() if self.records is not None else []
        return self._derivations


def as_tuple(t: ox.Triple) -> Triple:
    return (t.subject, t.predicate, t.object)


def _subject(t: Triple) -> ox.NamedNode | ox.BlankNode | ox.Triple:
    """t's subject, which is never a literal: pyoxigraph gives none and Reasoner._emit drops them."""
    s = t[0]
    if isinstance(s, ox.Literal):
        raise TypeError(f"a literal cannot be the subject of {t}")
    return s


def as_quad(t: Triple) -> ox.Quad:
    return ox.Quad(_subject(t), t[1], t[2])


def as_triple(t: Triple) -> ox.Triple:
    return ox.Triple(_subject(t), t[1], t[2])


def infer(inputs: Mapping[str, Sequence[ox.Triple]], rules: list[Rule], *, domain_range: bool = False,
          records: bool = True, all_derivations: bool = True) -> Inference:
    """Infer over the union of `inputs` (graph IRI -> triples); `records=False` leaves out the
    derivations graph (validation needs only the clashes), `all_derivations=False` records only the
    first derivation of each triple (as before; the benchmark measures what keeping all costs)."""
    with paused_gc():
        return _infer(inputs, rules, domain_range=domain_range, records=records, all_derivations=all_derivations)


def _infer(inputs: Mapping[str, Sequence[ox.Triple]], rules: list[Rule], *, domain_range: bool,
           records: bool, all_derivations: bool) -> Inference:
    started = time.perf_counter()
    terms = Terms()  # the engine works on term ids (terms.py); terms again only at the edges
    intern, ids = terms.intern, terms.ids
    asserted_in: dict[IdTriple, str] = {}
    for graph, triples in inputs.items():
        for triple in triples:
            s, p, o = triple.subject, triple.predicate, triple.object
            a, b, c = ids.get(s), ids.get(p), ids.get(o)
            asserted_in.setdefault((intern(s) if a is None else a, intern(p) if b is None else b,
                                    intern(o) if c is None else c), graph)
    reasoner = Reasoner(terms=terms, ids=asserted_in, domain_range=domain_range)
    reasoner.run()
    term = terms.terms
    store: ox.Store | None = None  # what SPARQL rules read: made only if a rule needs it

    def sparql_store() -> ox.Store:
        nonlocal store
        if store is None:
            store = ox.Store()
            store.bulk_extend(ox.Quad(term[s], term[p], term[o]) for s, p, o in reasoner.in_set_order())  # type: ignore[arg-type]
        return store

    rounds = 1
    reads = {rule.iri: _ids(terms, rule_inputs(rule)) for rule in rules}
    changed: set[int] | None = None  # None: everything (the first round)
    while rules and rounds <= MAX_ROUNDS:
        before = len(reasoner.found)
        answered: list[tuple[Rule, Answers]] = []
        for rule in rules:  # a rule runs again only if what it reads has changed since it last ran
            read = reads[rule.iri]
            if changed is not None and read is not None and not (read & changed):
                continue
            # every rule reads the graph as the round found it: what a rule adds is read next round
            answered.append((rule, _answers(rule, reasoner, sparql_store)))
        for rule, answers in answered:
            reasoner.add_all(rule.iri, answers, before)  # a known triple may gain a derivation
        if len(reasoner.found) == before:
            break
        reasoner.run()
        added = list(islice(reasoner.found, before, None))  # the rules' triples and what follows
        if store is not None:
            store.extend(ox.Quad(term[s], term[p], term[o]) for s, p, o in added)  # type: ignore[arg-type]
        changed = {p for _s, p, _o in added} | {o for _s, p, o in added if p == TYPE}
        rounds += 1
    clashes = reasoner.check()
    found = reasoner.found
    info = [RuleInfo(r.iri, r.label, r.comment) for r in rules]
    make = ox.Triple
    return Inference(
        inferred=[make(term[s], term[p], term[o]) for s, p, o in found],  # type: ignore[arg-type]  # no literal subject
        records=(records_of_ids(found if all_derivations else {t: ds[:1] for t, ds in found.items()}, asserted_in, info, terms)
                 if records else None),
        per_rule=dict(Counter(map(itemgetter(0), chain.from_iterable(found.values())))),
        clashes=clashes,
        rounds=rounds,
        seconds=round(time.perf_counter() - started, 4),
    )


def _ids(terms: Terms, read: frozenset[Term] | None) -> frozenset[int] | None:
    return None if read is None else frozenset(terms.intern(x) for x in read)


class _Known:
    """The reasoner's triples as a container of terms, for the SPARQL path's premises."""

    def __init__(self, reasoner: Reasoner) -> None:
        self.ids, self.all = reasoner.terms.ids, reasoner.graph.all

    def __contains__(self, t: object) -> bool:
        assert isinstance(t, tuple)
        get = self.ids.get
        return (get(t[0]), get(t[1]), get(t[2])) in self.all


def _answers(rule: Rule, reasoner: Reasoner, store: Callable[[], ox.Store]) -> Answers:
    """The rule's answers: from its joins over the engine's index, or through SPARQL where it has none
    (or they meet what only SPARQL can decide)."""
    if rule.plan is not None:
        try:
            return rule.plan(reasoner.graph)
        except Unsupported:
            pass
    triple = reasoner.terms.triple
    return [(triple(t), tuple(triple(p) for p in used)) for t, used in apply_rule(rule, store(), _Known(reasoner))]


def infer_folder(inputs: Mapping[str, Sequence[ox.Triple]], rules_dir: Path) -> Inference:
    return infer(inputs, load_rules(rules_dir))

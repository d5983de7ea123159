"""The build's infer step: OWL 2 RL closure and the domain rules, run together to a fixpoint.

The input graphs are read, never changed: what is new goes to the inferred graph and its
derivation records to the derivations graph (STYLE.md 9).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from hubspoke.inference.derivations import DerivationRecords, RuleInfo, derivation_records
from hubspoke.inference.joins import Unsupported
from hubspoke.inference.owl_rl import Clash, Reasoner, Term, Triple, paused_gc
from hubspoke.inference.rules import Rule, apply_plan, apply_rule, changes, load_rules, rule_inputs

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
    asserted_in: dict[Triple, str] = {}
    for graph, triples in inputs.items():
        for triple in triples:
            asserted_in.setdefault(as_tuple(triple), graph)
    reasoner = Reasoner(asserted_in, domain_range=domain_range)
    reasoner.run()
    store: ox.Store | None = None  # what SPARQL rules read: made only if a rule needs it

    def sparql_store() -> ox.Store:
        nonlocal store
        if store is None:
            store = ox.Store()
            store.bulk_extend(as_quad(t) for t in reasoner.index.all)
        return store

    rounds = 1
    reads = {rule.iri: rule_inputs(rule) for rule in rules}
    changed: set[Term] | None = None  # None: everything (the first round)
    while rules and rounds <= MAX_ROUNDS:
        before = len(reasoner.derivations)
        answered: list[tuple[Rule, list[tuple[Triple, tuple[Triple, ...]]]]] = []
        for rule in rules:  # a rule runs again only if what it reads has changed since it last ran
            read = reads[rule.iri]
            if changed is not None and read is not None and not (read & changed):
                continue
            # every rule reads the graph as the round found it: what a rule adds is read next round
            answered.append((rule, _answers(rule, reasoner, sparql_store)))
        for rule, answers in answered:
            for t, premises in answers:
                reasoner.add(t, rule.iri, premises)  # a known triple may gain a derivation
        if len(reasoner.derivations) == before:
            break
        reasoner.run()
        added = list(islice(reasoner.derivations, before, None))  # the rules' triples and what follows
        if store is not None:
            store.extend(as_quad(t) for t in added)
        changed = changes(added)
        rounds += 1
    clashes = reasoner.check()
    found = reasoner.derivations
    info = [RuleInfo(r.iri, r.label, r.comment) for r in rules]
    return Inference(
        inferred=[as_triple(t) for t in reasoner.derivations],
        records=(derivation_records(found if all_derivations else {t: ds[:1] for t, ds in found.items()}, asserted_in, info)
                 if records else None),
        per_rule=dict(Counter(d.rule for ds in reasoner.derivations.values() for d in ds)),
        clashes=clashes,
        rounds=rounds,
        seconds=round(time.perf_counter() - started, 4),
    )


def _answers(rule: Rule, reasoner: Reasoner, store: Callable[[], ox.Store]) -> list[tuple[Triple, tuple[Triple, ...]]]:
    """The rule's answers: from its joins over the engine's index, or through SPARQL where it has none
    (or they meet what only SPARQL can decide)."""
    if rule.plan is not None:
        try:
            return apply_plan(rule, reasoner.index)
        except Unsupported:
            pass
    return list(apply_rule(rule, store(), reasoner.index.all))


def infer_folder(inputs: Mapping[str, Sequence[ox.Triple]], rules_dir: Path) -> Inference:
    return infer(inputs, load_rules(rules_dir))

"""hubspoke's forward-chaining engine for the OWL 2 RL/RDF rules (OWL 2 Profiles, section 4.3).

Agenda-based (semi-naive) evaluation over an in-memory triple index: every new triple is indexed at
once and queued; when it is taken from the queue each rule it can take part in is joined with the
index, so every rule instance fires once its last premise is there (some twice: a record is kept
once). Every rule instance that concludes an inferred triple is recorded (`Reasoner.derivations`:
triple -> all its derivations, the first being the one found first, whose premises were all known
before it), except one whose premises rest, by their first derivations, on its own conclusion (a
class and its equivalent would otherwise explain each other).

Rules, by table of the profile:
- equality (Table 4): eq-sym, eq-trans, eq-rep-s, eq-rep-p, eq-rep-o; eq-diff1/2/3 are clashes.
  owl:sameAs is materialised in full (every member of an equality set gets every statement), so the
  output equals owlrl's; a canonical-representative (union-find) scheme would be faster on large
  equality sets but needs the same expansion at the end, and hubspoke's data has none. eq-ref only
  with `axiomatic=True`.
- properties (Table 5): prp-dom, prp-rng (only with `domain_range=True`), prp-fp, prp-ifp, prp-symp,
  prp-trp, prp-spo1, prp-spo2, prp-eqp1/2, prp-inv1/2, prp-key; clashes prp-irp, prp-asyp, prp-pdw,
  prp-adp, prp-npa1/2; prp-ap only with `axiomatic=True`.
- classes (Table 6): cls-int1/2, cls-uni, cls-svf1/2, cls-avf, cls-hv1/2, cls-maxc2, cls-maxqc3/4,
  cls-oo; clashes cls-nothing2, cls-com, cls-maxc1, cls-maxqc1/2; cls-thing, cls-nothing1 only with
  `axiomatic=True`.
- class axioms (Table 7): cax-sco, cax-eqc1/2; clashes cax-dw, cax-adc.
- schema (Table 9): scm-sco, scm-eqc1/2, scm-spo, scm-eqp1/2, scm-dom1/2, scm-rng1/2, scm-hv,
  scm-svf1/2, scm-avf1/2, scm-int, scm-uni; scm-cls, scm-op, scm-dp only with `axiomatic=True`.
- datatypes (Table 8), partial: dt-type1 only with `axiomatic=True`; dt-type2, dt-eq and dt-diff are
  not materialised (they make statements whose subject is a literal, which is not RDF and cannot be
  stored); dt-not-type (an ill-typed literal) is not checked here (SHACL checks literal forms).

`axiomatic` rules (eq-ref, prp-ap, cls-thing, cls-nothing1, scm-cls, scm-op, scm-dp, dt-type1) only
add reflexive, owl:Thing/owl:Nothing and vocabulary triples; they are off by default so that the
inferred graph holds what a reader can use. With them off, an owl:Thing inside an intersection or a
union is not matched by membership (no `x a owl:Thing` is inferred).

Schema tables: the instance rules look up the schema (sub-classes, restrictions, characteristics of
properties) in tables built from the closed schema. If the instance rules infer a triple that would
change a table (a `owl:sameAs` between classes, a domain rule that types a property), the schema is
closed again, the tables rebuilt and every triple fired again; records are not duplicated.
(The schema closure at the start is not such a change: the tables are made after it.)

Terms are ints inside (terms.py): the index, the queue and the derivations hold tuples of term ids,
which hash and compare at a fraction of the cost of pyoxigraph terms; `Reasoner.derivations`,
`asserted`, `index.all`, `check()` and `add()` convert at the edge. The ids are chosen so that the
engine visits triples in the order it did on terms, so its output is the same, in the same order.
"""

from __future__ import annotations

import gc
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import product
from typing import NamedTuple

import pyoxigraph as ox

from hubspoke.inference import vocabulary as V
from hubspoke.inference.terms import Id, IdTriple, Term, Terms, Triple, natural_id

__all__ = ["Clash", "Derivation", "Index", "Reasoner", "Term", "Terms", "Triple", "closure", "paused_gc", "rdf_list"]

# The vocabulary the rules read, as the ids every `Terms` table gives it (see terms.py).
_n = natural_id
TYPE, FIRST, REST, NIL = _n(V.TYPE), _n(V.FIRST), _n(V.REST), _n(V.NIL)
SUBCLASS, SUBPROP, DOMAIN, RANGE, RDFS_DATATYPE = _n(V.SUBCLASS), _n(V.SUBPROP), _n(V.DOMAIN), _n(V.RANGE), _n(V.RDFS_DATATYPE)
THING, NOTHING, OWL_CLASS = _n(V.THING), _n(V.NOTHING), _n(V.OWL_CLASS)
OBJECT_PROPERTY, DATATYPE_PROPERTY, ANNOTATION_PROPERTY = _n(V.OBJECT_PROPERTY), _n(V.DATATYPE_PROPERTY), _n(V.ANNOTATION_PROPERTY)
SAME, DIFFERENT, ALLDIFFERENT, DISTINCT_MEMBERS = _n(V.SAME), _n(V.DIFFERENT), _n(V.ALLDIFFERENT), _n(V.DISTINCT_MEMBERS)
EQCLASS, EQPROP, INVERSE = _n(V.EQCLASS), _n(V.EQPROP), _n(V.INVERSE)
SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVERSE_FUNCTIONAL = _n(V.SYMMETRIC), _n(V.TRANSITIVE), _n(V.FUNCTIONAL), _n(V.INVERSE_FUNCTIONAL)
IRREFLEXIVE, ASYMMETRIC = _n(V.IRREFLEXIVE), _n(V.ASYMMETRIC)
CHAIN, HASKEY, PROPERTY_DISJOINT, ALLDISJOINT_PROPERTIES = _n(V.CHAIN), _n(V.HASKEY), _n(V.PROPERTY_DISJOINT), _n(V.ALLDISJOINT_PROPERTIES)
NEGATIVE_ASSERTION, SOURCE, ASSERTION_PROPERTY = _n(V.NEGATIVE_ASSERTION), _n(V.SOURCE), _n(V.ASSERTION_PROPERTY)
TARGET_INDIVIDUAL, TARGET_VALUE = _n(V.TARGET_INDIVIDUAL), _n(V.TARGET_VALUE)
ONPROPERTY, HASVALUE, SOME, ALL = _n(V.ONPROPERTY), _n(V.HASVALUE), _n(V.SOME), _n(V.ALL)
INTERSECTION, UNION, ONEOF, COMPLEMENT = _n(V.INTERSECTION), _n(V.UNION), _n(V.ONEOF), _n(V.COMPLEMENT)
MAXC, MAXQC, ONCLASS = _n(V.MAXC), _n(V.MAXQC), _n(V.ONCLASS)
DISJOINT, ALLDISJOINT, MEMBERS = _n(V.DISJOINT), _n(V.ALLDISJOINT), _n(V.MEMBERS)
ANNOTATION_PROPERTIES = tuple(_n(x) for x in V.ANNOTATION_PROPERTIES)
DATATYPES = tuple(_n(x) for x in V.DATATYPES)
SCHEMA_PREDICATES = frozenset(_n(x) for x in V.SCHEMA_PREDICATES)
SCHEMA_TYPES = frozenset(_n(x) for x in V.SCHEMA_TYPES)

Axioms = tuple[IdTriple, ...]
Premises = tuple[IdTriple, ...]
Found = tuple[str, Premises]  # one derivation as the engine keeps it: (rule, premises)

# Domain rules may not derive these: the schema is the ontology's, not the data's.
FROZEN_SCHEMA = frozenset({SUBCLASS, SUBPROP, EQCLASS, EQPROP})


class Derivation(NamedTuple):
    """One rule instance that concluded a triple: the rule's name and the triples it used."""

    rule: str
    premises: tuple[Triple, ...]


@dataclass(frozen=True)
class Clash:
    """An inconsistency the OWL 2 RL consistency rules found: the rule and the triples in conflict."""

    rule: str
    message: str
    triples: tuple[Triple, ...]


class Index:
    """Triples (of term ids) by predicate, then subject and object, for the joins the rules need."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.all: set[IdTriple] = set()
        self.out: dict[Id, dict[Id, set[Id]]] = defaultdict(lambda: defaultdict(set))
        self.inn: dict[Id, dict[Id, set[Id]]] = defaultdict(lambda: defaultdict(set))

    def add(self, t: IdTriple) -> bool:
        if t in self.all:
            return False
        self.all.add(t)
        s, p, o = t
        self.out[p][s].add(o)
        self.inn[p][o].add(s)
        return True

    def objects(self, s: Id, p: Id) -> set[Id]:
        by_s = self.out.get(p)
        return by_s.get(s, _EMPTY) if by_s else _EMPTY

    def subjects(self, p: Id, o: Id) -> set[Id]:
        by_o = self.inn.get(p)
        return by_o.get(o, _EMPTY) if by_o else _EMPTY

    def pairs(self, p: Id) -> list[tuple[Id, Id]]:
        return [(s, o) for s, os in self.out.get(p, {}).items() for o in os]


_EMPTY: set[Id] = set()  # never written to: the answer for a missing key


class TermIndex:
    """The reasoner's triples as pyoxigraph terms, made when asked (tests, the benchmark's oracle):
    `all`, and the engine's own index as `ids`."""

    def __init__(self, reasoner: Reasoner) -> None:
        self.ids = reasoner.graph

    @property
    def all(self) -> set[Triple]:
        as_triple = self.ids.terms.as_triple
        return {as_triple(t) for t in self.ids.all}


def rdf_list(index: Index, head: Id, asserted: frozenset[IdTriple] = frozenset()) -> list[Id]:
    """The members of an RDF collection, in order (a malformed list yields what could be read).
    Where owl:sameAs has given a cell more than one rdf:first or rdf:rest, the asserted one counts."""

    def one(cell: Id, p: Id) -> Id | None:
        found = index.objects(cell, p)
        if len(found) > 1:
            found = {x for x in found if (cell, p, x) in asserted}
        return next(iter(found)) if len(found) == 1 else None

    items: list[Id] = []
    seen: set[Id] = set()
    while head != NIL and head not in seen:
        seen.add(head)
        first = one(head, FIRST)
        if first is None:
            break
        items.append(first)
        rest = one(head, REST)
        if rest is None:
            break
        head = rest
    return items


def _number(terms: Terms, i: Id) -> int | None:
    """The value of a cardinality literal, or None."""
    term = terms.terms[i]
    if not isinstance(term, ox.Literal):
        return None
    try:
        return int(term.value)
    except ValueError:
        return None


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: the engine makes millions of small tuples and frees
    none, and each full collection walks all of them again (half the infer step's time at 10^5
    triples on Python 3.11). On the way out, what was made meanwhile is moved to the oldest
    generation (gc.freeze then gc.unfreeze: two list splices) rather than walked by the young
    collection that the first allocation after would start (0.7 s at 10^5 triples); cycles among
    it are collected with that generation."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


class Reasoner:
    """The OWL 2 RL closure of a set of triples. `asserted` is never changed; what is new is in
    `derivations` (triple -> every rule instance that concluded it), in the order it was found.

    The engine works on term ids (terms.py): `graph` and `found` are its own, by id; `derivations`,
    `asserted`, `check()` and `add()` speak pyoxigraph terms, converted when called. A caller that
    has ids already (the infer step) gives them as `ids` with their `terms` table."""

    def __init__(self, asserted: Iterable[Triple] = (), *, domain_range: bool = False, axiomatic: bool = False,
                 terms: Terms | None = None, ids: Iterable[IdTriple] = ()) -> None:
        # rdfs:domain / rdfs:range are off by default: in hubspoke they are constraints checked by
        # SHACL, and inferring types from them would hide a curator's misuse instead of reporting it.
        self.domain_range = domain_range
        self.axiomatic = axiomatic
        self.terms = terms if terms is not None else Terms()
        self._literals = self.terms.literals
        self._iris = self.terms.iris
        self.graph = Index(self.terms)
        self._asserted_order: list[IdTriple] = []  # as added: the index's order of insertion starts with these
        with paused_gc():
            for t in [*ids, *self.terms.triples(asserted)]:
                if self.graph.add(t):
                    self._asserted_order.append(t)
        self.asserted_ids: frozenset[IdTriple] = frozenset(self.graph.all)
        self.found: dict[IdTriple, list[Found]] = {}
        self._rank: dict[IdTriple, int] = {}  # inferred triple -> the order it was found in
        self.clashes: list[Clash] = []
        self._queue: deque[IdTriple] = deque()
        self._started = False
        self._dirty = False  # a triple that changes the schema tables was inferred

    # -- public, in terms -----------------------------------------------------------------------

    @property
    def asserted(self) -> frozenset[Triple]:
        as_triple = self.terms.as_triple
        return frozenset(as_triple(t) for t in self.asserted_ids)

    @property
    def derivations(self) -> dict[Triple, list[Derivation]]:
        """Every inferred triple -> its derivations, as terms (made on each call: `found` is the
        engine's own, by id)."""
        as_triple = self.terms.as_triple
        return {as_triple(t): [Derivation(rule, tuple(as_triple(p) for p in premises)) for rule, premises in ds]
                for t, ds in self.found.items()}

    @property
    def index(self) -> TermIndex:
        """The triples as terms (`index.all`); the engine's index by id is `graph`."""
        return TermIndex(self)

    def _iris_of(self, ids: Iterable[Id]) -> list[Id]:
        """The IRIs among ids, in their order: only an IRI can be a predicate (a triple with a blank
        node or a literal there is not RDF, and could not be stored)."""
        iris = self._iris
        return [t for t in ids if t in iris]

    def run(self) -> None:
        """Close the graph under the rules; call again after `add` to close over the new triples."""
        with paused_gc():
            self._run()

    def add(self, t: Triple, rule: str, premises: tuple[Triple, ...]) -> bool:
        """Add a triple derived outside the engine (a domain rule); `run` then closes over it.
        True if the triple is new; a new derivation of a known inferred triple is recorded too."""
        triple = self.terms.triple
        return self.add_ids(triple(t), rule, tuple(triple(p) for p in premises))

    def add_ids(self, t: IdTriple, rule: str, premises: Premises) -> bool:
        """`add`, in ids."""
        if t[1] in FROZEN_SCHEMA:
            raise ValueError(f"rule {rule} derives a schema triple {self.terms.as_triple(t)}; domain rules must not change the schema")
        return self._emit(t, rule, premises)

    def add_all(self, rule: str, answers: Iterable[tuple[IdTriple, Premises]], read_at: int) -> None:
        """`add_ids` for each of a rule's answers in turn (the infer step's hot loop: 2 10^5 answers
        at 10^5 triples, so `_emit` is written out here once more). `read_at`: how many triples had
        been inferred when the answers were read; their premises were all known by then, so a
        triple found since cannot be one they rest on."""
        found, rank, literals, queue = self.found, self._rank, self._literals, self._queue
        index = self.graph
        everything, out, inn = index.all, index.out, index.inn
        for t, premises in answers:
            s, p, o = t
            if p in FROZEN_SCHEMA:
                raise ValueError(f"rule {rule} derives a schema triple {self.terms.as_triple(t)}; domain rules must not change the schema")
            known = found.get(t)
            if known is not None:
                if t not in premises:
                    d = (rule, premises)
                    if d not in known:
                        floor = rank[t]
                        if floor >= read_at:
                            known.append(d)
                            continue
                        for premise in premises:
                            if rank.get(premise, -1) >= floor:
                                if self._well_founded(t, premises):
                                    known.append(d)
                                break
                        else:
                            known.append(d)
                continue
            if t in everything or s in literals:
                continue
            everything.add(t)
            out[p][s].add(o)
            inn[p][o].add(s)
            found[t] = [(rule, premises)]
            rank[t] = len(rank)
            queue.append(t)
            if p in SCHEMA_PREDICATES or (p == TYPE and o in SCHEMA_TYPES):
                self._dirty = True

    def check(self) -> list[Clash]:
        """The consistency rules over the closed graph (see the module docstring for the list)."""
        as_triple = self.terms.as_triple
        self.clashes = [Clash(rule, message, tuple(as_triple(t) for t in triples)) for rule, message, triples in self._check()]
        return self.clashes

    # -- the closure ----------------------------------------------------------------------------

    def _run(self) -> None:
        if not self._started:
            self._started = True
            if self.axiomatic:
                self._axioms()
            self._close_schema()
            self._dirty = False  # the tables are made from the schema as now closed
            self._tables()
            self._queue.extend(self.in_set_order())
        while True:
            while self._queue:
                self._fire(self._queue.popleft())
            if not self._dirty:
                return
            # an instance rule changed the schema: close it, rebuild the tables, fire everything again
            self._close_schema()
            self._dirty = False
            self._tables()
            self._queue.extend(self.in_set_order())

    def in_set_order(self) -> list[IdTriple]:
        """Every triple of the index, in the order a set of the same triples as terms iterates (the
        order the engine always fired them in, see terms.py): a tuple of ids does not hash like the
        tuple of its terms, so that set is made, once per firing of everything."""
        term = self.terms.terms
        order = [*self._asserted_order, *self.found]  # the index's order of insertion
        as_terms = [(term[a], term[b], term[c]) for a, b, c in order]
        back = {id(x): t for x, t in zip(as_terms, order)}
        return [back[id(x)] for x in set(as_terms)]

    def _check(self) -> list[tuple[str, str, Axioms]]:
        idx = self.graph
        T = self.terms.text
        clashes: list[tuple[str, str, Axioms]] = []

        def clash(rule: str, message: str, *triples: IdTriple) -> None:
            clashes.append((rule, message, triples))

        # cax-dw, cax-adc
        pairs: list[tuple[Id, Id, IdTriple | None]] = [(a, b, (a, DISJOINT, b)) for a, b in idx.pairs(DISJOINT)]
        for node in idx.subjects(TYPE, ALLDISJOINT):
            members = [m for head in idx.objects(node, MEMBERS) for m in rdf_list(idx, head, self.asserted_ids)]
            pairs += [(a, b, None) for i, a in enumerate(members) for b in members[i + 1:]]
        for a, b, axiom in pairs:
            for x in sorted(idx.subjects(TYPE, a) & idx.subjects(TYPE, b), key=self.terms.text):
                premises = ((x, TYPE, a), (x, TYPE, b)) + ((axiom,) if axiom else ())
                clash("cax-dw" if axiom else "cax-adc", f"{T(x)} is in disjoint classes {T(a)} and {T(b)}", *premises)
        for c1, c2 in idx.pairs(COMPLEMENT):  # cls-com
            for x in sorted(idx.subjects(TYPE, c1) & idx.subjects(TYPE, c2), key=self.terms.text):
                clash("cls-com", f"{T(x)} is in {T(c1)} and in its complement {T(c2)}", (x, TYPE, c1), (x, TYPE, c2), (c1, COMPLEMENT, c2))
        for x in sorted(idx.subjects(TYPE, NOTHING), key=self.terms.text):  # cls-nothing2
            clash("cls-nothing2", f"{T(x)} is a member of owl:Nothing", (x, TYPE, NOTHING))
        for p in self._iris_of(idx.subjects(TYPE, IRREFLEXIVE)):  # prp-irp
            for s, os in idx.out.get(p, {}).items():
                if s in os:
                    clash("prp-irp", f"{T(s)} {T(p)} itself, but {T(p)} is irreflexive", (s, p, s), (p, TYPE, IRREFLEXIVE))
        for p in self._iris_of(idx.subjects(TYPE, ASYMMETRIC)):  # prp-asyp
            for s, os in idx.out.get(p, {}).items():
                for o in os:
                    if s in idx.objects(o, p) and T(s) <= T(o):
                        clash("prp-asyp", f"{T(s)} and {T(o)} relate both ways by asymmetric {T(p)}", (s, p, o), (o, p, s), (p, TYPE, ASYMMETRIC))
        prop_pairs: list[tuple[Id, Id, IdTriple | None]] = [(a, b, (a, PROPERTY_DISJOINT, b)) for a, b in idx.pairs(PROPERTY_DISJOINT)]
        for node in idx.subjects(TYPE, ALLDISJOINT_PROPERTIES):
            members = [m for head in idx.objects(node, MEMBERS) for m in rdf_list(idx, head, self.asserted_ids)]
            prop_pairs += [(a, b, None) for i, a in enumerate(members) for b in members[i + 1:]]
        for a, b, axiom in prop_pairs:  # prp-pdw, prp-adp
            if a in self._iris and b in self._iris:
                for s, os in idx.out.get(a, {}).items():
                    for o in os & idx.objects(s, b):
                        clash("prp-pdw" if axiom else "prp-adp", f"{T(s)} relates to {T(o)} by disjoint properties {T(a)} and {T(b)}",
                              (s, a, o), (s, b, o), *((axiom,) if axiom else ()))
        for node in idx.subjects(TYPE, NEGATIVE_ASSERTION):  # prp-npa1, prp-npa2
            for s, p in product(idx.objects(node, SOURCE), self._iris_of(idx.objects(node, ASSERTION_PROPERTY))):
                for target, rule in ((TARGET_INDIVIDUAL, "prp-npa1"), (TARGET_VALUE, "prp-npa2")):
                    for o in idx.objects(node, target):
                        if (s, p, o) in idx.all:
                            clash(rule, f"{T(s)} {T(p)} {T(o)} holds, but a negative property assertion denies it", (s, p, o), (node, target, o))
        for x, y in idx.pairs(DIFFERENT):  # eq-diff1
            if (x, SAME, y) in idx.all:
                clash("eq-diff1", f"{T(x)} and {T(y)} are the same and different", (x, SAME, y), (x, DIFFERENT, y))
        for node in idx.subjects(TYPE, ALLDIFFERENT):  # eq-diff2, eq-diff3
            for link, rule in ((MEMBERS, "eq-diff2"), (DISTINCT_MEMBERS, "eq-diff3")):
                members = [m for head in idx.objects(node, link) for m in rdf_list(idx, head, self.asserted_ids)]
                for i, a in enumerate(members):
                    for b in members[i + 1:]:
                        if a != b and (a, SAME, b) in idx.all:
                            clash(rule, f"{T(a)} and {T(b)} are the same, but declared all different", (a, SAME, b), (node, TYPE, ALLDIFFERENT))
        for r, n in idx.pairs(MAXC):  # cls-maxc1
            if _number(self.terms, n) == 0:
                for p in self._iris_of(idx.objects(r, ONPROPERTY)):
                    for u in idx.subjects(TYPE, r):
                        for y in idx.objects(u, p):
                            clash("cls-maxc1", f"{T(u)} {T(p)} {T(y)}, but {T(u)} is in a class allowing no {T(p)}", (u, TYPE, r), (u, p, y), (r, MAXC, n))
        for r, n in idx.pairs(MAXQC):  # cls-maxqc1, cls-maxqc2
            if _number(self.terms, n) == 0:
                for p, c in product(self._iris_of(idx.objects(r, ONPROPERTY)), idx.objects(r, ONCLASS)):
                    for u in idx.subjects(TYPE, r):
                        for y in idx.objects(u, p):
                            if c == THING:
                                clash("cls-maxqc2", f"{T(u)} {T(p)} {T(y)}, but {T(u)} is in a class allowing no {T(p)}", (u, TYPE, r), (u, p, y), (r, MAXQC, n))
                            elif (y, TYPE, c) in idx.all:
                                clash("cls-maxqc1", f"{T(u)} {T(p)} {T(y)} of {T(c)}, but {T(u)} is in a class allowing none", (u, TYPE, r), (u, p, y), (y, TYPE, c))
        return clashes

    # -- emitting -------------------------------------------------------------------------------

    def _emit(self, t: IdTriple, rule: str, premises: tuple[IdTriple, ...]) -> bool:
        """Record that `rule` concluded t from `premises`; True when t is new. The hot path of the
        engine (every rule instance comes through here), hence the inlined index update."""
        known = self.found.get(t)
        if known is not None:
            if t not in premises:  # an inferred triple: keep this derivation too
                d = (rule, premises)  # (asserted ones need none; t from t proves nothing)
                if d not in known:
                    rank = self._rank
                    floor = rank[t]
                    for premise in premises:  # premises found after t might rest on it: look closer
                        if rank.get(premise, -1) >= floor:
                            if self._well_founded(t, premises):
                                known.append(d)
                            break
                    else:
                        known.append(d)
            return False
        index = self.graph
        if t in index.all:
            return False  # asserted: needs no derivation
        s, p, o = t
        if s in self._literals:
            return False  # literal subjects are not RDF (owlrl makes them, we do not)
        index.all.add(t)
        index.out[p][s].add(o)
        index.inn[p][o].add(s)
        self.found[t] = [(rule, premises)]
        self._rank[t] = len(self._rank)
        self._queue.append(t)
        if p in SCHEMA_PREDICATES or (p == TYPE and o in SCHEMA_TYPES):
            self._dirty = True
        return True

    def _well_founded(self, t: IdTriple, premises: tuple[IdTriple, ...]) -> bool:
        """Whether the premises have proofs (by their first derivations) that do not use t: a
        derivation of t from something derived from t explains nothing. Only premises found after t
        can depend on it, so the search stays among the few triples found since."""
        rank = self._rank
        floor = rank[t]
        stack = [p for p in premises if rank.get(p, -1) >= floor]
        seen: set[IdTriple] = set()
        while stack:
            q = stack.pop()
            if q == t:
                return False
            if q in seen:
                continue
            seen.add(q)
            stack += [p for p in self.found[q][0][1] if rank.get(p, -1) >= floor]
        return True

    def _axioms(self) -> None:
        """The axiomatic rules: cls-thing, cls-nothing1, prp-ap, dt-type1."""
        self._emit((THING, TYPE, OWL_CLASS), "cls-thing", ())
        self._emit((NOTHING, TYPE, OWL_CLASS), "cls-nothing1", ())
        for p in ANNOTATION_PROPERTIES:
            self._emit((p, TYPE, ANNOTATION_PROPERTY), "prp-ap", ())
        for dt in DATATYPES:
            self._emit((dt, TYPE, RDFS_DATATYPE), "dt-type1", ())

    # -- schema ---------------------------------------------------------------------------------

    def _close_schema(self) -> None:
        """Table 9 to a fixpoint, naively: the schema is small, and every round finds the same rule
        instances again (recorded once)."""
        while self._schema_round():
            pass

    def _schema_round(self) -> bool:
        idx = self.graph
        emit = self._emit
        new = False
        if self.axiomatic:
            for c in list(idx.subjects(TYPE, OWL_CLASS)):  # scm-cls
                declared = ((c, TYPE, OWL_CLASS),)
                for t in ((c, SUBCLASS, c), (c, EQCLASS, c), (c, SUBCLASS, THING), (NOTHING, SUBCLASS, c)):
                    new |= emit(t, "scm-cls", declared)
            for kind, rule in ((OBJECT_PROPERTY, "scm-op"), (DATATYPE_PROPERTY, "scm-dp")):
                for p in list(idx.subjects(TYPE, kind)):
                    for t in ((p, SUBPROP, p), (p, EQPROP, p)):
                        new |= emit(t, rule, ((p, TYPE, kind),))
        for sub, eq, rules in ((SUBCLASS, EQCLASS, ("scm-sco", "scm-eqc1", "scm-eqc2")), (SUBPROP, EQPROP, ("scm-spo", "scm-eqp1", "scm-eqp2"))):
            for a, b in list(idx.pairs(eq)):  # scm-eqc1 / scm-eqp1
                new |= emit((a, sub, b), rules[1], ((a, eq, b),))
                new |= emit((b, sub, a), rules[1], ((a, eq, b),))
            for a, b in list(idx.pairs(sub)):
                for c in list(idx.objects(b, sub)):  # scm-sco / scm-spo (reflexive links only from scm-cls/op/dp)
                    if a != c:
                        new |= emit((a, sub, c), rules[0], ((a, sub, b), (b, sub, c)))
                if a != b and a in idx.objects(b, sub):  # scm-eqc2 / scm-eqp2
                    new |= emit((a, eq, b), rules[2], ((a, sub, b), (b, sub, a)))
        for rel, (r1, r2) in ((DOMAIN, ("scm-dom1", "scm-dom2")), (RANGE, ("scm-rng1", "scm-rng2"))):
            for p, c in list(idx.pairs(rel)):
                for d in list(idx.objects(c, SUBCLASS)):
                    new |= emit((p, rel, d), r1, ((p, rel, c), (c, SUBCLASS, d)))
                for q in list(idx.subjects(SUBPROP, p)):
                    new |= emit((q, rel, c), r2, ((p, rel, c), (q, SUBPROP, p)))
        new |= self._schema_restrictions()
        for rel, rule in ((INTERSECTION, "scm-int"), (UNION, "scm-uni")):
            for c, head in list(idx.pairs(rel)):
                for m in rdf_list(idx, head, self.asserted_ids):
                    t = (c, SUBCLASS, m) if rel == INTERSECTION else (m, SUBCLASS, c)
                    new |= emit(t, rule, ((c, rel, head),))
        return new

    def _schema_restrictions(self) -> bool:
        """scm-hv, scm-svf1/2, scm-avf1/2: sub-class links between restrictions. The link between
        fillers (or properties) may be the reflexive one that scm-cls / scm-op / scm-dp give a declared
        class (property), written or not: two alike restrictions are then sub-classes of each other."""
        idx = self.graph
        new = False
        for rel, by_filler, by_prop in ((HASVALUE, "scm-hv", "scm-hv"), (SOME, "scm-svf1", "scm-svf2"), (ALL, "scm-avf1", "scm-avf2")):
            restrictions = [(r, p, v) for r, v in idx.pairs(rel) for p in idx.objects(r, ONPROPERTY)]
            for (c1, p1, v1), (c2, p2, v2) in product(restrictions, restrictions):
                if c1 == c2:
                    continue
                axioms = ((c1, rel, v1), (c1, ONPROPERTY, p1), (c2, rel, v2), (c2, ONPROPERTY, p2))
                if rel != HASVALUE and p1 == p2:
                    link = self._link(v1, v2, SUBCLASS)
                    if link is not None:
                        new |= self._emit((c1, SUBCLASS, c2), by_filler, (*axioms, *link))
                if v1 == v2:
                    link = self._link(p1, p2, SUBPROP)
                    if link is not None:
                        t = (c2, SUBCLASS, c1) if rel == ALL else (c1, SUBCLASS, c2)
                        new |= self._emit(t, by_prop, (*axioms, *link))
        return new

    def _link(self, a: Id, b: Id, rel: Id) -> tuple[IdTriple, ...] | None:
        """The premise that a is a sub-class (sub-property) of b, or None: the triple, or for a == b
        the declaration from which scm-cls / scm-op / scm-dp give it."""
        if (a, rel, b) in self.graph.all:
            return ((a, rel, b),)
        if a == b:
            kinds = (OWL_CLASS,) if rel == SUBCLASS else (OBJECT_PROPERTY, DATATYPE_PROPERTY)
            for kind in kinds:
                if (a, TYPE, kind) in self.graph.all:
                    return ((a, TYPE, kind),)
        return None

    # -- tables ---------------------------------------------------------------------------------

    def _tables(self) -> None:
        idx = self.graph
        one: Callable[[Id, Id], list[Id]] = lambda s, p: list(idx.objects(s, p))  # noqa: E731
        # the schema triples the instance rules cite are made here once, and shared by every derivation
        self.supers = {c: [(d, (c, SUBCLASS, d)) for d in ds if d != c] for c, ds in idx.out.get(SUBCLASS, {}).items()}
        self.superprops = {p: [(q, (p, SUBPROP, q)) for q in self._iris_of(qs) if q != p] for p, qs in idx.out.get(SUBPROP, {}).items()}
        self.eq_classes: dict[Id, list[tuple[Id, IdTriple, str]]] = defaultdict(list)
        for a, b in idx.pairs(EQCLASS):
            if a != b:
                self.eq_classes[a].append((b, (a, EQCLASS, b), "cax-eqc1"))
                self.eq_classes[b].append((a, (a, EQCLASS, b), "cax-eqc2"))
        self.eq_props: dict[Id, list[tuple[Id, IdTriple, str]]] = defaultdict(list)
        for a, b in idx.pairs(EQPROP):
            if a != b and a in self._iris and b in self._iris:
                self.eq_props[a].append((b, (a, EQPROP, b), "prp-eqp1"))
                self.eq_props[b].append((a, (a, EQPROP, b), "prp-eqp2"))
        self.inverses: dict[Id, list[tuple[Id, IdTriple, str]]] = defaultdict(list)
        for p, q in idx.pairs(INVERSE):
            if p in self._iris and q in self._iris:
                self.inverses[p].append((q, (p, INVERSE, q), "prp-inv1"))
                self.inverses[q].append((p, (p, INVERSE, q), "prp-inv2"))
        self.symmetric = {p: (p, TYPE, SYMMETRIC) for p in idx.subjects(TYPE, SYMMETRIC)}
        self.transitive = set(idx.subjects(TYPE, TRANSITIVE))
        self.functional = set(idx.subjects(TYPE, FUNCTIONAL))
        self.inverse_functional = set(idx.subjects(TYPE, INVERSE_FUNCTIONAL))
        # property chains: for each property, the chains it appears in and where
        self.chains: dict[Id, list[tuple[Id, list[Id], int, IdTriple]]] = defaultdict(list)
        for p, head in idx.pairs(CHAIN):
            members = rdf_list(idx, head, self.asserted_ids)
            links = self._iris_of(members)
            if p in self._iris and len(links) == len(members) and len(links) >= 2:
                for i, link in enumerate(links):
                    self.chains[link].append((p, links, i, (p, CHAIN, head)))
        # restrictions: (restriction, property, filler, axioms) by the class or property that fires them
        self.has_value: dict[Id, list[tuple[Id, Id, Axioms]]] = defaultdict(list)
        self.value_classes: dict[tuple[Id, Id], list[tuple[Id, Axioms]]] = defaultdict(list)
        self.svf_by_prop: dict[Id, list[tuple[Id, Id, Axioms]]] = defaultdict(list)
        self.svf_by_filler: dict[Id, list[tuple[Id, Id, Axioms]]] = defaultdict(list)
        self.avf_by_class: dict[Id, list[tuple[Id, Id, Axioms]]] = defaultdict(list)
        self.avf_by_prop: dict[Id, list[tuple[Id, Id, Axioms]]] = defaultdict(list)
        # max (qualified) cardinality 1: restriction -> (property, on-class or None for owl:Thing)
        self.max1_by_class: dict[Id, list[tuple[Id, Id | None, Axioms]]] = defaultdict(list)
        self.max1_by_prop: dict[Id, list[tuple[Id, Id | None, Axioms]]] = defaultdict(list)
        self.max1_by_onclass: dict[Id, list[tuple[Id, Id, Axioms]]] = defaultdict(list)
        axioms: Axioms
        for r, p in idx.pairs(ONPROPERTY):
            if p not in self._iris:
                continue  # an inverse property expression: out of scope (see unsupported.py)
            on = (r, ONPROPERTY, p)
            for v in one(r, HASVALUE):
                axioms = ((r, HASVALUE, v), on)
                self.has_value[r].append((p, v, axioms))
                self.value_classes[(p, v)].append((r, axioms))
            for y in one(r, SOME):
                axioms = ((r, SOME, y), on)
                self.svf_by_prop[p].append((r, y, axioms))
                if y != THING:
                    self.svf_by_filler[y].append((r, p, axioms))
            for y in one(r, ALL):
                axioms = ((r, ALL, y), on)
                self.avf_by_class[r].append((p, y, axioms))
                self.avf_by_prop[p].append((r, y, axioms))
            for n in one(r, MAXC):
                if _number(self.terms, n) == 1:
                    self.max1_by_class[r].append((p, None, ((r, MAXC, n), on)))
                    self.max1_by_prop[p].append((r, None, ((r, MAXC, n), on)))
            for n in one(r, MAXQC):
                if _number(self.terms, n) == 1:
                    for c in one(r, ONCLASS):
                        axioms = ((r, MAXQC, n), on, (r, ONCLASS, c))
                        filler = None if c == THING else c
                        self.max1_by_class[r].append((p, filler, axioms))
                        self.max1_by_prop[p].append((r, filler, axioms))
                        if filler is not None:
                            self.max1_by_onclass[c].append((r, p, axioms))
        # intersections, unions, keys
        self.int_by_member: dict[Id, list[tuple[Id, list[Id], IdTriple]]] = defaultdict(list)
        self.int_parts: dict[Id, list[tuple[list[Id], IdTriple]]] = defaultdict(list)
        for c, head in idx.pairs(INTERSECTION):
            members = rdf_list(idx, head, self.asserted_ids)
            self.int_parts[c].append((members, (c, INTERSECTION, head)))
            for m in set(members):
                self.int_by_member[m].append((c, members, (c, INTERSECTION, head)))
        self.unions: dict[Id, list[tuple[Id, IdTriple]]] = defaultdict(list)
        for c, head in idx.pairs(UNION):
            for m in set(rdf_list(idx, head, self.asserted_ids)):
                self.unions[m].append((c, (c, UNION, head)))
        self.keys_by_class: dict[Id, list[tuple[list[Id], IdTriple]]] = defaultdict(list)
        self.keys_by_prop: dict[Id, list[tuple[Id, list[Id], IdTriple]]] = defaultdict(list)
        for c, head in idx.pairs(HASKEY):
            props = self._iris_of(rdf_list(idx, head, self.asserted_ids))
            if props:
                self.keys_by_class[c].append((props, (c, HASKEY, head)))
                for p in set(props):
                    self.keys_by_prop[p].append((c, props, (c, HASKEY, head)))
        self.domains = idx.out.get(DOMAIN, {}) if self.domain_range else {}
        self.ranges = idx.out.get(RANGE, {}) if self.domain_range else {}
        # which classes and properties have any rule to fire: one set look-up per triple in the common case
        self.class_rules = set().union(self.supers, self.eq_classes, self.has_value, self.svf_by_filler, self.avf_by_class,
                                       self.max1_by_class, self.max1_by_onclass, self.int_by_member, self.int_parts,
                                       self.unions, self.keys_by_class)
        self.property_rules = set().union(self.superprops, self.eq_props, self.inverses, self.symmetric, self.transitive,
                                          self.functional, self.inverse_functional, self.chains, self.svf_by_prop,
                                          self.avf_by_prop, self.max1_by_prop, self.keys_by_prop, self.domains, self.ranges,
                                          {p for p, _v in self.value_classes})
        for c, head in idx.pairs(ONEOF):  # cls-oo: instance triples that the schema alone gives
            for y in rdf_list(idx, head, self.asserted_ids):
                self._emit((y, TYPE, c), "cls-oo", ((c, ONEOF, head),))

    # -- instance rules -------------------------------------------------------------------------

    def _fire(self, t: IdTriple) -> None:
        s, p, o = t
        if self.axiomatic:  # eq-ref
            for x in (s, p, o):
                if x not in self._literals:
                    self._emit((x, SAME, x), "eq-ref", (t,))
        if p == TYPE and o in self.class_rules:
            self._fire_type(t)
        if p in self.property_rules:
            self._fire_property(t)
        if p == SAME:
            self._fire_same(t)
        same = self.graph.out.get(SAME)
        if same:  # eq-rep-s, eq-rep-p, eq-rep-o with t as the statement
            emit = self._emit
            for x in same.get(s, ()):
                if x != s:
                    emit((x, p, o), "eq-rep-s", ((s, SAME, x), t))
            for x in same.get(p, ()):
                if x != p and x in self._iris:
                    emit((s, x, o), "eq-rep-p", ((p, SAME, x), t))
            for x in same.get(o, ()):
                if x != o:
                    emit((s, p, x), "eq-rep-o", ((o, SAME, x), t))

    def _fire_type(self, t: IdTriple) -> None:
        """Rules whose premise `x a C` is t."""
        x, _, c = t
        idx, emit = self.graph, self._emit
        for d, axiom in self.supers.get(c, ()):  # cax-sco
            emit((x, TYPE, d), "cax-sco", (t, axiom))
        for d, axiom, rule in self.eq_classes.get(c, ()):  # cax-eqc1 / cax-eqc2
            emit((x, TYPE, d), rule, (axiom, t))
        for q, v, axioms in self.has_value.get(c, ()):  # cls-hv1
            emit((x, q, v), "cls-hv1", (*axioms, t))
        for members, axiom in self.int_parts.get(c, ()):  # cls-int2
            for m in members:
                emit((x, TYPE, m), "cls-int2", (axiom, t))
        for whole, members, axiom in self.int_by_member.get(c, ()):  # cls-int1
            have = idx.objects(x, TYPE)
            if all(m in have for m in members):
                emit((x, TYPE, whole), "cls-int1", (axiom, *((x, TYPE, m) for m in members)))
        for whole, axiom in self.unions.get(c, ()):  # cls-uni
            emit((x, TYPE, whole), "cls-uni", (axiom, t))
        for r, q, axioms in self.svf_by_filler.get(c, ()):  # cls-svf1, t as `v a y`
            for u in list(idx.subjects(q, x)):
                emit((u, TYPE, r), "cls-svf1", (*axioms, (u, q, x), t))
        for q, y, axioms in self.avf_by_class.get(c, ()):  # cls-avf, t as `u a x`
            for v in list(idx.objects(x, q)):
                emit((v, TYPE, y), "cls-avf", (*axioms, t, (x, q, v)))
        for q, filler, axioms in self.max1_by_class.get(c, ()):  # cls-maxc2 / cls-maxqc3 / cls-maxqc4, t as `u a x`
            self._max1(x, q, c, filler, axioms)
        for r, q, axioms in self.max1_by_onclass.get(c, ()):  # cls-maxqc3, t as `y a C`
            for u in list(idx.subjects(q, x)):
                if (u, TYPE, r) in idx.all:
                    self._max1(u, q, r, c, axioms)
        for props, axiom in self.keys_by_class.get(c, ()):  # prp-key, t as `x a C`
            self._key(x, c, props, axiom)

    def _fire_property(self, t: IdTriple) -> None:
        """Rules whose premise `s p o` (for a property p with rules) is t."""
        s, p, o = t
        idx, emit = self.graph, self._emit
        for q, axiom in self.superprops.get(p, ()):  # prp-spo1
            emit((s, q, o), "prp-spo1", (axiom, t))
        for q, axiom, rule in self.eq_props.get(p, ()):  # prp-eqp1 / prp-eqp2
            emit((s, q, o), rule, (axiom, t))
        for r, axioms in self.value_classes.get((p, o), ()):  # cls-hv2
            emit((s, TYPE, r), "cls-hv2", (*axioms, t))
        for d in self.domains.get(p, ()):  # prp-dom
            emit((s, TYPE, d), "prp-dom", ((p, DOMAIN, d), t))
        for r in self.ranges.get(p, ()):  # prp-rng
            emit((o, TYPE, r), "prp-rng", ((p, RANGE, r), t))
        for q, axiom, rule in self.inverses.get(p, ()):  # prp-inv1 / prp-inv2
            emit((o, q, s), rule, (axiom, t))
        if p in self.symmetric:  # prp-symp
            emit((o, p, s), "prp-symp", (self.symmetric[p], t))
        if p in self.transitive:  # prp-trp, with t as the first or the second link
            axiom = (p, TYPE, TRANSITIVE)
            for z in list(idx.objects(o, p)):
                emit((s, p, z), "prp-trp", (axiom, t, (o, p, z)))
            for w in list(idx.subjects(p, s)):
                emit((w, p, o), "prp-trp", (axiom, (w, p, s), t))
        if p in self.functional:  # prp-fp
            axiom = (p, TYPE, FUNCTIONAL)
            for y in list(idx.objects(s, p)):
                if y != o:
                    emit((o, SAME, y), "prp-fp", (axiom, t, (s, p, y)))
                    emit((y, SAME, o), "prp-fp", (axiom, (s, p, y), t))
        if p in self.inverse_functional:  # prp-ifp
            axiom = (p, TYPE, INVERSE_FUNCTIONAL)
            for x in list(idx.subjects(p, o)):
                if x != s:
                    emit((s, SAME, x), "prp-ifp", (axiom, t, (x, p, o)))
                    emit((x, SAME, s), "prp-ifp", (axiom, (x, p, o), t))
        for chain_property, links, i, axiom in self.chains.get(p, ()):  # prp-spo2
            for start, end, used in self._chain_paths(links, i, t):
                emit((start, chain_property, end), "prp-spo2", (axiom, *used))
        for r, y, axioms in self.svf_by_prop.get(p, ()):  # cls-svf1 (t as `u p v`), cls-svf2
            if y == THING:
                emit((s, TYPE, r), "cls-svf2", (*axioms, t))
            elif (o, TYPE, y) in idx.all:
                emit((s, TYPE, r), "cls-svf1", (*axioms, t, (o, TYPE, y)))
        for r, y, axioms in self.avf_by_prop.get(p, ()):  # cls-avf, t as `u p v`
            if (s, TYPE, r) in idx.all:
                emit((o, TYPE, y), "cls-avf", (*axioms, (s, TYPE, r), t))
        for r, filler, axioms in self.max1_by_prop.get(p, ()):  # cls-maxc2 / cls-maxqc3/4, t as `u p y`
            if (s, TYPE, r) in idx.all:
                self._max1(s, p, r, filler, axioms)
        for c, props, axiom in self.keys_by_prop.get(p, ()):  # prp-key, t as `x p z`
            if (s, TYPE, c) in idx.all:
                self._key(s, c, props, axiom)

    def _fire_same(self, t: IdTriple) -> None:
        """eq-sym, eq-trans and eq-rep-s/p/o with t = `x owl:sameAs y` as the equality."""
        x, _, y = t
        if x == y:
            return
        idx, emit = self.graph, self._emit
        emit((y, SAME, x), "eq-sym", (t,))
        for z in list(idx.objects(y, SAME)):  # eq-trans, t first
            if z != y:
                emit((x, SAME, z), "eq-trans", (t, (y, SAME, z)))
        for w in list(idx.subjects(SAME, x)):  # eq-trans, t second
            if w != x:
                emit((w, SAME, y), "eq-trans", ((w, SAME, x), t))
        for p, by_s in list(idx.out.items()):
            for o in list(by_s.get(x, ())):  # eq-rep-s
                emit((y, p, o), "eq-rep-s", (t, (x, p, o)))
        for p, by_o in list(idx.inn.items()):
            for s in list(by_o.get(x, ())):  # eq-rep-o
                emit((s, p, y), "eq-rep-o", (t, (s, p, x)))
        if x in self._iris and y in self._iris:  # eq-rep-p
            for s, os in list(idx.out.get(x, {}).items()):
                for o in list(os):
                    emit((s, y, o), "eq-rep-p", (t, (s, x, o)))

    def _max1(self, u: Id, p: Id, r: Id, filler: Id | None, axioms: Axioms) -> None:
        """cls-maxc2 (filler None, from owl:maxCardinality), cls-maxqc4 (owl:Thing), cls-maxqc3: any two
        values of p for u (of the class `filler`) are the same."""
        idx = self.graph
        values = sorted(idx.objects(u, p), key=self.terms.text)
        if filler is not None:
            values = [v for v in values if (v, TYPE, filler) in idx.all]
        rule = "cls-maxqc3" if filler is not None else ("cls-maxqc4" if any(a[1] == MAXQC for a in axioms) else "cls-maxc2")
        for y1 in values:
            for y2 in values:
                if y1 != y2:
                    typed = ((y1, TYPE, filler), (y2, TYPE, filler)) if filler is not None else ()
                    self._emit((y1, SAME, y2), rule, (*axioms, (u, TYPE, r), (u, p, y1), (u, p, y2), *typed))

    def _key(self, x: Id, c: Id, props: list[Id], axiom: IdTriple) -> None:
        """prp-key: every other member of c that shares a value for each key property is the same as x."""
        idx = self.graph
        values = [sorted(idx.objects(x, p), key=self.terms.text) for p in props]
        if not all(values):
            return
        members = idx.subjects(TYPE, c)
        for combo in product(*values):
            candidates = set(idx.subjects(props[0], combo[0])) & members
            for p, z in zip(props[1:], combo[1:]):
                candidates &= idx.subjects(p, z)
            for y in sorted(candidates - {x}, key=self.terms.text):
                used = tuple((x, p, z) for p, z in zip(props, combo)) + tuple((y, p, z) for p, z in zip(props, combo))
                self._emit((x, SAME, y), "prp-key", (axiom, (x, TYPE, c), (y, TYPE, c), *used))
                self._emit((y, SAME, x), "prp-key", (axiom, (y, TYPE, c), (x, TYPE, c), *used[len(props):], *used[:len(props)]))

    def _chain_paths(self, links: list[Id], i: int, t: IdTriple) -> list[tuple[Id, Id, tuple[IdTriple, ...]]]:
        """Every full walk along a property chain that uses triple t as link i."""
        idx = self.graph
        backward: list[tuple[Id, tuple[IdTriple, ...]]] = [(t[0], ())]
        for link in reversed(links[:i]):
            backward = [(w, ((w, link, x), *used)) for x, used in backward for w in idx.subjects(link, x)]
        forward: list[tuple[Id, tuple[IdTriple, ...]]] = [(t[2], ())]
        for link in links[i + 1:]:
            forward = [(z, (*used, (x, link, z))) for x, used in forward for z in idx.objects(x, link)]
        return [(start, end, (*before, t, *after)) for start, before in backward for end, after in forward]


def closure(asserted: Iterable[Triple], *, domain_range: bool = False, axiomatic: bool = False) -> Reasoner:
    """Convenience: a reasoner already run over `asserted`."""
    reasoner = Reasoner(asserted, domain_range=domain_range, axiomatic=axiomatic)
    reasoner.run()
    return reasoner

"""A small forward-chaining engine for the OWL 2 RL rules the hubspoke ontology uses.

Agenda-based (semi-naive) evaluation over an in-memory triple index: every new triple is indexed at
once and queued; when it is taken from the queue each rule joins it with the index, so every rule
instance fires once its last premise arrives. The first derivation found for a triple is kept, with
the rule and the premises, so every inferred triple can be explained.

Supported (rule names from the OWL 2 RL profile, section 4.3): scm-sco, scm-spo, scm-eqc1/2,
scm-eqp1/2 (schema closure); cax-sco, prp-spo1, prp-inv1/2, prp-symp, prp-trp, prp-spo2 (property
chains), cls-hv1/2 (owl:hasValue); prp-dom/prp-rng only when asked (see `domain_range`);
consistency checks cax-dw, cax-adc, prp-irp, prp-asyp. Not supported: owl:sameAs and the rules
that produce it (functional and inverse-functional properties, keys, max-cardinality), someValuesFrom,
allValuesFrom, intersectionOf, unionOf, datatype rules.

Schema triples are closed first and then read into lookup tables; the instance rules never create
schema triples, so the tables stay valid for the whole run (domain rules that are added with `add`
must not create schema triples either).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

# A node in a triple. RDF 1.2 triple terms are opaque nodes to the rules; they come from the input
# as pyoxigraph gives it, never from a rule.
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Triple = tuple[Term, ox.NamedNode, Term]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"

TYPE = ox.NamedNode(RDF + "type")
FIRST, REST, NIL = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
SUBPROP = ox.NamedNode(RDFS + "subPropertyOf")
DOMAIN, RANGE = ox.NamedNode(RDFS + "domain"), ox.NamedNode(RDFS + "range")
EQCLASS = ox.NamedNode(OWL + "equivalentClass")
EQPROP = ox.NamedNode(OWL + "equivalentProperty")
INVERSE = ox.NamedNode(OWL + "inverseOf")
SYMMETRIC = ox.NamedNode(OWL + "SymmetricProperty")
TRANSITIVE = ox.NamedNode(OWL + "TransitiveProperty")
IRREFLEXIVE = ox.NamedNode(OWL + "IrreflexiveProperty")
ASYMMETRIC = ox.NamedNode(OWL + "AsymmetricProperty")
CHAIN = ox.NamedNode(OWL + "propertyChainAxiom")
HASVALUE = ox.NamedNode(OWL + "hasValue")
ONPROPERTY = ox.NamedNode(OWL + "onProperty")
DISJOINT = ox.NamedNode(OWL + "disjointWith")
ALLDISJOINT = ox.NamedNode(OWL + "AllDisjointClasses")
MEMBERS = ox.NamedNode(OWL + "members")

SCHEMA_PREDICATES = frozenset({SUBCLASS, SUBPROP, EQCLASS, EQPROP})


@dataclass(frozen=True)
class Derivation:
    """How one triple was inferred: the rule's name and the triples it used."""

    rule: str
    premises: tuple[Triple, ...]


@dataclass(frozen=True)
class Clash:
    """An inconsistency the OWL 2 RL consistency rules found: the rule and the triples in conflict."""

    rule: str
    message: str
    triples: tuple[Triple, ...]


class Index:
    """Triples by predicate, then subject and object, for the joins the rules need."""

    def __init__(self) -> None:
        self.all: set[Triple] = set()
        self.out: dict[ox.NamedNode, dict[Term, set[Term]]] = defaultdict(lambda: defaultdict(set))
        self.inn: dict[ox.NamedNode, dict[Term, set[Term]]] = defaultdict(lambda: defaultdict(set))

    def add(self, t: Triple) -> bool:
        if t in self.all:
            return False
        self.all.add(t)
        s, p, o = t
        self.out[p][s].add(o)
        self.inn[p][o].add(s)
        return True

    def objects(self, s: Term, p: ox.NamedNode) -> set[Term]:
        by_s = self.out.get(p)
        return by_s.get(s, set()) if by_s else set()

    def subjects(self, p: ox.NamedNode, o: Term) -> set[Term]:
        by_o = self.inn.get(p)
        return by_o.get(o, set()) if by_o else set()


def rdf_list(index: Index, head: Term) -> list[Term]:
    """The members of an RDF collection, in order (a malformed list yields what could be read)."""
    items: list[Term] = []
    seen: set[Term] = set()
    while head != NIL and head not in seen:
        seen.add(head)
        firsts = index.objects(head, FIRST)
        if len(firsts) != 1:
            break
        items.append(next(iter(firsts)))
        rests = index.objects(head, REST)
        if len(rests) != 1:
            break
        head = next(iter(rests))
    return items


def _iris(terms: Iterable[Term]) -> list[ox.NamedNode]:
    """The IRIs among terms, in their order: only an IRI can be a predicate (a triple with a blank
    node or a literal there is not RDF, and could not be stored)."""
    return [t for t in terms if isinstance(t, ox.NamedNode)]


class Reasoner:
    """The OWL 2 RL closure of a set of triples. `asserted` is never changed; what is new is in
    `derivations` (triple -> how it was derived), in the order it was found."""

    def __init__(self, asserted: Iterable[Triple], *, domain_range: bool = False) -> None:
        # rdfs:domain / rdfs:range are off by default: in hubspoke they are constraints checked by
        # SHACL, and inferring types from them would hide a curator's misuse instead of reporting it.
        self.domain_range = domain_range
        self.index = Index()
        for t in asserted:
            self.index.add(t)
        self.asserted: frozenset[Triple] = frozenset(self.index.all)
        self.derivations: dict[Triple, Derivation] = {}
        self.clashes: list[Clash] = []
        self._queue: deque[Triple] = deque()
        self._schema_done = False

    # -- public ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Close the graph under the rules; call again after `add` to close over the new triples."""
        if not self._schema_done:
            self._close_schema()
            self._tables()
            self._queue.extend(self.index.all)
            self._schema_done = True
        while self._queue:
            self._fire(self._queue.popleft())

    def add(self, t: Triple, rule: str, premises: tuple[Triple, ...]) -> bool:
        """Add a triple derived outside the engine (a domain rule); `run` then closes over it."""
        if t[1] in SCHEMA_PREDICATES:
            raise ValueError(f"rule {rule} derives a schema triple {t}; domain rules must not change the schema")
        return self._emit(t, rule, premises)

    def check(self) -> list[Clash]:
        """The consistency rules (cax-dw, cax-adc, prp-irp, prp-asyp) over the closed graph."""
        clashes: list[Clash] = []
        idx = self.index
        pairs: list[tuple[Term, Term, Triple | None]] = [(a, b, (a, DISJOINT, b)) for a, bs in idx.out[DISJOINT].items() for b in bs]
        for node in idx.subjects(TYPE, ALLDISJOINT):
            members = [m for head in idx.objects(node, MEMBERS) for m in rdf_list(idx, head)]
            pairs += [(a, b, None) for i, a in enumerate(members) for b in members[i + 1:]]
        for a, b, axiom in pairs:
            for x in idx.subjects(TYPE, a) & idx.subjects(TYPE, b):
                premises = ((x, TYPE, a), (x, TYPE, b)) + ((axiom,) if axiom else ())
                clashes.append(Clash("cax-dw" if axiom else "cax-adc", f"{x} is in disjoint classes {a} and {b}", premises))
        for p in _iris(idx.subjects(TYPE, IRREFLEXIVE)):
            for s, os in idx.out.get(p, {}).items():
                if s in os:
                    clashes.append(Clash("prp-irp", f"{s} {p} itself, but {p} is irreflexive", ((s, p, s),)))
        for p in _iris(idx.subjects(TYPE, ASYMMETRIC)):
            for s, os in idx.out.get(p, {}).items():
                for o in os:
                    if s in idx.objects(o, p) and str(s) <= str(o):
                        clashes.append(Clash("prp-asyp", f"{s} and {o} relate both ways by asymmetric {p}", ((s, p, o), (o, p, s))))
        self.clashes = clashes
        return clashes

    # -- schema ---------------------------------------------------------------------------------

    def _close_schema(self) -> None:
        idx = self.index
        queue: deque[Triple] = deque()
        for c, ds in list(idx.out[EQCLASS].items()):
            for d in ds:  # scm-eqc1: equivalent classes are sub-classes of each other
                queue += [t for t in ((c, SUBCLASS, d), (d, SUBCLASS, c)) if self._emit(t, "scm-eqc1", ((c, EQCLASS, d),), queue=False)]
        for p, qs in list(idx.out[EQPROP].items()):
            for q in qs:  # scm-eqp1
                queue += [t for t in ((p, SUBPROP, q), (q, SUBPROP, p)) if self._emit(t, "scm-eqp1", ((p, EQPROP, q),), queue=False)]
        queue.extend(t for t in idx.all if t[1] in (SUBCLASS, SUBPROP))
        while queue:  # scm-sco / scm-spo: transitive closure, skipping the reflexive triples
            a, rel, b = queue.popleft()
            rule = "scm-sco" if rel == SUBCLASS else "scm-spo"
            for c in list(idx.objects(b, rel)):
                t = (a, rel, c)
                if a != c and self._emit(t, rule, ((a, rel, b), (b, rel, c)), queue=False):
                    queue.append(t)
            for z in list(idx.subjects(rel, a)):
                t = (z, rel, b)
                if z != b and self._emit(t, rule, ((z, rel, a), (a, rel, b)), queue=False):
                    queue.append(t)

    def _tables(self) -> None:
        idx = self.index
        self.supers = {c: ds for c, ds in idx.out[SUBCLASS].items()}
        self.superprops = {p: qs for p, qs in idx.out[SUBPROP].items()}
        self.inverses: dict[ox.NamedNode, list[tuple[ox.NamedNode, Triple]]] = defaultdict(list)
        for p, qs in idx.out[INVERSE].items():
            for q in _iris(qs):
                if isinstance(p, ox.NamedNode):
                    self.inverses[p].append((q, (p, INVERSE, q)))
                    self.inverses[q].append((p, (p, INVERSE, q)))
        self.symmetric = idx.subjects(TYPE, SYMMETRIC)
        self.transitive = idx.subjects(TYPE, TRANSITIVE)
        # property chains: for each property, the chains it appears in and where
        self.chains: dict[ox.NamedNode, list[tuple[ox.NamedNode, list[ox.NamedNode], int, Triple]]] = defaultdict(list)
        for p, heads in idx.out[CHAIN].items():
            for head in heads:
                members = rdf_list(idx, head)
                links = _iris(members)
                if isinstance(p, ox.NamedNode) and len(links) == len(members) and len(links) >= 2:
                    for i, link in enumerate(links):
                        self.chains[link].append((p, links, i, (p, CHAIN, head)))
        # owl:hasValue restrictions: class -> (property, value), and (property, value) -> classes
        self.has_value: dict[Term, list[tuple[ox.NamedNode, Term, tuple[Triple, ...]]]] = defaultdict(list)
        self.value_classes: dict[tuple[ox.NamedNode, Term], list[tuple[Term, tuple[Triple, ...]]]] = defaultdict(list)
        for r, vs in idx.out[HASVALUE].items():
            for v in vs:
                for p in _iris(idx.objects(r, ONPROPERTY)):
                    axioms = ((r, HASVALUE, v), (r, ONPROPERTY, p))
                    self.has_value[r].append((p, v, axioms))
                    self.value_classes[(p, v)].append((r, axioms))
        self.domains = idx.out[DOMAIN] if self.domain_range else {}
        self.ranges = idx.out[RANGE] if self.domain_range else {}

    # -- instance rules -------------------------------------------------------------------------

    def _emit(self, t: Triple, rule: str, premises: tuple[Triple, ...], queue: bool = True) -> bool:
        if isinstance(t[0], ox.Literal) or not self.index.add(t):
            return False  # literal subjects are not RDF: owlrl makes them, we do not
        self.derivations[t] = Derivation(rule, premises)
        if queue:
            self._queue.append(t)
        return True

    def _fire(self, t: Triple) -> None:
        s, p, o = t
        idx = self.index
        if p == TYPE:
            for d in self.supers.get(o, ()):  # cax-sco
                self._emit((s, TYPE, d), "cax-sco", (t, (o, SUBCLASS, d)))
            for q, v, axioms in self.has_value.get(o, ()):  # cls-hv1
                self._emit((s, q, v), "cls-hv1", (t, *axioms))
            return
        for q in _iris(self.superprops.get(p, ())):  # prp-spo1
            self._emit((s, q, o), "prp-spo1", (t, (p, SUBPROP, q)))
        if isinstance(o, ox.Literal):
            for r, axioms in self.value_classes.get((p, o), ()):  # cls-hv2 (datatype property)
                self._emit((s, TYPE, r), "cls-hv2", (t, *axioms))
            for d in self.domains.get(p, ()):
                self._emit((s, TYPE, d), "prp-dom", (t, (p, DOMAIN, d)))
            return
        for q, axiom in self.inverses.get(p, ()):  # prp-inv1 / prp-inv2
            self._emit((o, q, s), "prp-inv", (t, axiom))
        if p in self.symmetric:  # prp-symp
            self._emit((o, p, s), "prp-symp", (t, (p, TYPE, SYMMETRIC)))
        if p in self.transitive:  # prp-trp, with t as the first or the second link
            axiom = (p, TYPE, TRANSITIVE)
            for z in list(idx.objects(o, p)):
                self._emit((s, p, z), "prp-trp", (t, (o, p, z), axiom))
            for w in list(idx.subjects(p, s)):
                self._emit((w, p, o), "prp-trp", ((w, p, s), t, axiom))
        for chain_property, links, i, axiom in self.chains.get(p, ()):  # prp-spo2
            for start, end, used in self._chain_paths(links, i, t):
                self._emit((start, chain_property, end), "prp-spo2", (*used, axiom))
        for r, axioms in self.value_classes.get((p, o), ()):  # cls-hv2
            self._emit((s, TYPE, r), "cls-hv2", (t, *axioms))
        for d in self.domains.get(p, ()):  # prp-dom
            self._emit((s, TYPE, d), "prp-dom", (t, (p, DOMAIN, d)))
        for r in self.ranges.get(p, ()):  # prp-rng
            self._emit((o, TYPE, r), "prp-rng", (t, (p, RANGE, r)))

    def _chain_paths(self, links: list[ox.NamedNode], i: int, t: Triple) -> list[tuple[Term, Term, tuple[Triple, ...]]]:
        """Every full walk along a property chain that uses triple t as link i."""
        idx = self.index
        backward: list[tuple[Term, tuple[Triple, ...]]] = [(t[0], ())]
        for link in reversed(links[:i]):
            backward = [(w, ((w, link, x), *used)) for x, used in backward for w in idx.subjects(link, x)]
        forward: list[tuple[Term, tuple[Triple, ...]]] = [(t[2], ())]
        for link in links[i + 1:]:
            forward = [(z, (*used, (x, link, z))) for x, used in forward for z in idx.objects(x, link)]
        return [(start, end, (*before, t, *after)) for start, before in backward for end, after in forward]


def closure(asserted: Iterable[Triple], *, domain_range: bool = False) -> Reasoner:
    """Convenience: a reasoner already run over `asserted`."""
    reasoner = Reasoner(asserted, domain_range=domain_range)
    reasoner.run()
    return reasoner

"""Derivation records (hs:Derivation, PROV-O based) for every inferred triple.

Each inferred triple becomes a reified rdf:Statement; its derivation names the rule applied
(hs:appliedRule), the premise statements (prov:used, each either hs:assertedIn a graph or itself the
hs:derivedStatement of another derivation) and the quotations that the asserted facts at the bottom
of the chain rest on (hs:supportingQuotation). Statement nodes are shared, so a chain of derivations
can be walked with SPARQL.
"""

from __future__ import annotations

import hashlib
from hashlib import sha1
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.inference.owl_rl import Derivation
from hubspoke.inference.terms import IdTriple, Term, Terms, Triple
from hubspoke.inference.vocabulary import TYPE

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
DERIVATION_BASE = "https://w3id.org/hubspoke/derivation/"
OWL_RL_BASE = "https://w3id.org/hubspoke/rules/owl-rl/"

HS_DERIVATION = ox.NamedNode(ns.HS + "Derivation")
HS_RULE = ox.NamedNode(ns.HS + "InferenceRule")
APPLIED_RULE = ox.NamedNode(ns.HS + "appliedRule")
DERIVED_STATEMENT = ox.NamedNode(ns.HS + "derivedStatement")
ASSERTED_IN = ox.NamedNode(ns.HS + "assertedIn")
SUPPORTING_QUOTATION = ox.NamedNode(ns.HS + "supportingQuotation")
QUOTATION = ox.NamedNode(ns.HS + "Quotation")
USED = ox.NamedNode(PROV + "used")
WAS_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
STATEMENT = ox.NamedNode(RDF + "Statement")
SUBJECT, PREDICATE, OBJECT = (ox.NamedNode(RDF + n) for n in ("subject", "predicate", "object"))
LABEL, COMMENT = ox.NamedNode(RDFS + "label"), ox.NamedNode(RDFS + "comment")

# What each OWL 2 RL rule means, for the rule's description in the derivations graph.
OWL_RL_RULES: dict[str, str] = {
    "eq-ref": "everything is the same as itself",
    "eq-sym": "sameness is symmetric",
    "eq-trans": "sameness is transitive",
    "eq-rep-s": "a statement about a subject holds of whatever is the same as it",
    "eq-rep-p": "a statement with a property holds with whatever property is the same as it",
    "eq-rep-o": "a statement with an object holds with whatever is the same as it",
    "prp-ap": "the built-in annotation properties are annotation properties",
    "prp-dom": "the subject of a property is a member of its domain",
    "prp-rng": "the object of a property is a member of its range",
    "prp-fp": "two values of a functional property for one subject are the same",
    "prp-ifp": "two subjects with one value of an inverse-functional property are the same",
    "prp-symp": "a statement with a symmetric property holds reversed",
    "prp-trp": "two linked statements with a transitive property give the direct one",
    "prp-spo1": "a statement with a sub-property holds with the super-property",
    "prp-spo2": "a chain of statements along a property chain gives the chain's property",
    "prp-eqp1": "a statement with a property holds with an equivalent property",
    "prp-eqp2": "a statement with a property holds with an equivalent property (read the other way)",
    "prp-inv1": "a statement with a property holds reversed with its inverse",
    "prp-inv2": "a statement with a property holds reversed with the property it is the inverse of",
    "prp-key": "two members of a class with the same values for all its key properties are the same",
    "cls-thing": "owl:Thing is a class",
    "cls-nothing1": "owl:Nothing is a class",
    "cls-int1": "a member of every class of an intersection is a member of the intersection",
    "cls-int2": "a member of an intersection is a member of each of its classes",
    "cls-uni": "a member of one class of a union is a member of the union",
    "cls-svf1": "whatever has a value of the restriction's class for the property is a member of the some-values-from restriction",
    "cls-svf2": "whatever has any value for the property is a member of the some-values-from owl:Thing restriction",
    "cls-avf": "every value of the property for a member of an all-values-from restriction is of its class",
    "cls-hv1": "a member of a has-value restriction has that value for the property",
    "cls-hv2": "whatever has the value for the property is a member of the has-value restriction",
    "cls-maxc2": "two values of the property for a member of a max-cardinality-1 restriction are the same",
    "cls-maxqc3": "two values of the class for a member of a max-qualified-cardinality-1 restriction are the same",
    "cls-maxqc4": "two values for a member of a max-qualified-cardinality-1 owl:Thing restriction are the same",
    "cls-oo": "each individual an enumeration lists is a member of it",
    "cax-sco": "a member of a class is a member of its super-classes",
    "cax-eqc1": "a member of a class is a member of an equivalent class",
    "cax-eqc2": "a member of a class is a member of an equivalent class (read the other way)",
    "dt-type1": "the datatypes of OWL 2 RL are datatypes",
    "scm-cls": "every class is a sub-class and equivalent of itself, a sub-class of owl:Thing and a super-class of owl:Nothing",
    "scm-sco": "sub-class transitivity: a sub-class of a sub-class is a sub-class",
    "scm-eqc1": "equivalent classes are sub-classes of each other",
    "scm-eqc2": "classes that are sub-classes of each other are equivalent",
    "scm-op": "every object property is a sub-property and equivalent of itself",
    "scm-dp": "every datatype property is a sub-property and equivalent of itself",
    "scm-spo": "sub-property transitivity: a sub-property of a sub-property is a sub-property",
    "scm-eqp1": "equivalent properties are sub-properties of each other",
    "scm-eqp2": "properties that are sub-properties of each other are equivalent",
    "scm-dom1": "a property's domain extends to the domain's super-classes",
    "scm-dom2": "a sub-property has the domain of its super-property",
    "scm-rng1": "a property's range extends to the range's super-classes",
    "scm-rng2": "a sub-property has the range of its super-property",
    "scm-hv": "a has-value restriction on a sub-property is a sub-class of the one on the super-property",
    "scm-svf1": "a some-values-from restriction of a sub-class is a sub-class of the one of the super-class",
    "scm-svf2": "a some-values-from restriction on a sub-property is a sub-class of the one on the super-property",
    "scm-avf1": "an all-values-from restriction of a sub-class is a sub-class of the one of the super-class",
    "scm-avf2": "an all-values-from restriction on a super-property is a sub-class of the one on the sub-property",
    "scm-int": "an intersection is a sub-class of each of its classes",
    "scm-uni": "each class of a union is a sub-class of the union",
}


def rule_iri(rule: str) -> str:
    """Domain rules are named by their IRI already; OWL 2 RL rules by their name in the profile."""
    return rule if rule.startswith("https://") else OWL_RL_BASE + rule


def statement_iri(t: Triple) -> ox.NamedNode:
    key = " ".join(str(x) for x in t).encode("utf-8")
    return ox.NamedNode(DERIVATION_BASE + "statement/" + hashlib.sha1(key).hexdigest()[:20])


@dataclass(frozen=True)
class RuleInfo:
    iri: str
    label: str
    comment: str


def derivation_iri(t: Triple, n: int = 0) -> ox.NamedNode:
    """The IRI of the n-th derivation of t (in the order the engine found them): the statement's
    hash, as before several were kept, then -1, -2, ... for the others; the engine's order is
    deterministic, so a build gives the same IRIs for the same input."""
    key = statement_iri(t).value.rsplit("/", 1)[1]
    return ox.NamedNode(DERIVATION_BASE + key + (f"-{n}" if n else ""))


def _as_list(found: Derivation | Sequence[Derivation]) -> Sequence[Derivation]:
    return (found,) if isinstance(found, Derivation) else found


# one derivation: its number among its statement's derivations (with the statement's hash, its IRI),
# rule node, conclusion and premises (statement numbers), quotations (term ids), and how many
# statements are written once it is reached
_Record = tuple[int, ox.NamedNode, int, tuple[int, ...], list[int], int]
Found = Sequence[tuple[str, tuple[IdTriple, ...]]]  # an inferred triple's derivations as the engine keeps them


def derivation_triples(
    derivations: Mapping[Triple, Derivation] | Mapping[Triple, Sequence[Derivation]],
    asserted_in: Mapping[Triple, str],
    rules: list[RuleInfo],
) -> list[ox.Triple]:
    """The derivations graph as pyoxigraph triples (see `derivation_records`)."""
    return derivation_records(derivations, asserted_in, rules).triples()


def derivation_records(
    derivations: Mapping[Triple, Derivation] | Mapping[Triple, Sequence[Derivation]],
    asserted_in: Mapping[Triple, str],
    rules: list[RuleInfo],
) -> DerivationRecords:
    """The derivations graph: rules, derivations and the statements they link.

    `derivations` maps each inferred triple to its derivation, or to all of them (the first found
    first), in the order the triples were found (the first derivation's premises before the
    conclusion), as the reasoner keeps them; every derivation becomes one hs:Derivation, so several
    may share an hs:derivedStatement. `asserted_in` says which named graph each asserted triple
    comes from. A derivation's quotations are those of its asserted premises and, for a derived
    premise, those its first derivation rests on (a proof that bottoms out in asserted facts).
    In terms; the infer step gives the engine's ids to `records_of_ids`."""
    terms = Terms()
    triple = terms.triple
    found = {triple(t): [(d.rule, tuple(triple(x) for x in d.premises)) for d in _as_list(ds)] for t, ds in derivations.items()}
    return records_of_ids(found, {triple(t): g for t, g in asserted_in.items()}, rules, terms)


def records_of_ids(derivations: Mapping[IdTriple, Found], asserted_in: Mapping[IdTriple, str], rules: list[RuleInfo],
                   terms: Terms) -> DerivationRecords:
    """`derivation_records` over term ids (terms.py), as the reasoner keeps its derivations.
    Written for speed: a build at 10^5 triples makes about 3 10^5 derivations of 2 10^5 statements,
    so every triple is looked up once per use, every statement numbered once (in one loop, no call
    per statement) and hashed once, in bulk at the end, every term's text made once."""
    text = terms.texts()
    blanks = terms.blanks
    # the statements, by number (the order they are first named in): triple, then, made at the end,
    # hash and graph it is asserted in (or None); quotations it rests on (only where facts cite some)
    triples: list[IdTriple] = []
    rests: list[frozenset[int]] = []
    quoted: set[int] = set()  # the numbers of statements that rest on some quotation
    number: dict[IdTriple, int] = {}
    rdf_type, quotation, was_derived_from = terms.intern(TYPE), terms.intern(QUOTATION), terms.intern(WAS_DERIVED_FROM)

    quotes_of_subject: dict[int, frozenset[int]] = {}
    quotations = {t[0] for t in asserted_in if t[1] == rdf_type and t[2] == quotation}
    for (s, p, o), _graph in asserted_in.items():
        if p == was_derived_from and o in quotations:
            quotes_of_subject[s] = quotes_of_subject.get(s, frozenset()) | {o}

    # what each inferred triple rests on, by its first derivation (premises found before it);
    # nothing at all where no fact cites a quotation
    support: dict[IdTriple, frozenset[int]] = {}
    for t, found in derivations.items() if quotes_of_subject else ():
        q_all = _NO_QUOTES
        for premise in found[0][1]:
            q = support.get(premise)
            if q is None:
                q = quotes_of_subject.get(premise[0]) if premise in asserted_in else None
            if q:
                q_all = q_all | q
        support[t] = q_all

    def describe(t: IdTriple) -> int:
        """Number t (with quotations: the path that tracks them)."""
        q = quotes_of_subject.get(t[0], _NO_QUOTES) if t in asserted_in else support.get(t, _NO_QUOTES)
        n = number[t] = len(triples)
        triples.append(t)
        rests.append(q)
        if q:
            quoted.add(n)
        return n

    rule_nodes: dict[str, ox.NamedNode] = {}
    sorted_quotes: dict[frozenset[int], list[int]] = {}
    records: list[_Record] = []
    add = records.append
    get = number.get
    no_quotes: list[int] = []
    if not quotes_of_subject:  # no quotations to carry: number the statements, record the derivations
        named = triples.append
        for t, found in derivations.items():
            conclusion = get(t)
            if conclusion is None:
                conclusion = number[t] = len(triples)
                named(t)
            n = 0
            for rule_name, premises in found:
                used: tuple[Any, ...] = tuple(map(get, premises))  # every number, once None is ruled out
                if None in used:  # statements named for the first time, numbered in the order named
                    for premise in premises:
                        if premise not in number:
                            number[premise] = len(triples)
                            named(premise)
                    used = tuple(map(get, premises))
                rule = rule_nodes.get(rule_name)
                if rule is None:
                    rule = rule_nodes[rule_name] = ox.NamedNode(rule_iri(rule_name))
                add((n, rule, conclusion, used, no_quotes, len(triples)))
                n += 1
    for t, found in derivations.items() if quotes_of_subject else ():
        conclusion = get(t)
        if conclusion is None:
            conclusion = describe(t)
        n = 0
        for rule_name, premises in found:
            used = tuple(map(get, premises))
            if None in used:
                used = tuple([get(p) if p in number else describe(p) for p in premises])
            if n == 0:
                quotes = rests[conclusion]
            elif quoted.isdisjoint(used):
                quotes = _NO_QUOTES
            else:
                quotes = _NO_QUOTES
                for u in used:
                    if u in quoted:
                        quotes = quotes | rests[u]
            rule = rule_nodes.get(rule_name)
            if rule is None:
                rule = rule_nodes[rule_name] = ox.NamedNode(rule_iri(rule_name))
            if quotes:
                listed = sorted_quotes.get(quotes)
                if listed is None:
                    listed = sorted_quotes[quotes] = sorted(quotes, key=text.__getitem__)
            else:
                listed = no_quotes
            add((n, rule, conclusion, used, listed, len(triples)))
            n += 1
    # the first 20 hex digits of the SHA-1 (as `statement_iri`), hexed from the first 10 bytes: a quarter faster
    digests = [sha1(f"{text[a]} {text[b]} {text[c]}".encode()).digest()[:10].hex() for a, b, c in triples]
    graphs = list(map(asserted_in.get, triples))  # None for an inferred triple
    used_rules = {node.value for node in rule_nodes.values()}
    anonymous = set(chain.from_iterable(triples)) & blanks if blanks else set()
    as_triple = terms.as_triple
    out = describe_anonymous({terms.terms[x] for x in anonymous},  # type: ignore[misc]  # blank nodes
                             {as_triple(t): g for t, g in asserted_in.items() if t[0] in blanks}) if anonymous else []

    for info in rules:
        used_rules.add(info.iri)
        out += [ox.Triple(ox.NamedNode(info.iri), TYPE, HS_RULE), ox.Triple(ox.NamedNode(info.iri), LABEL, ox.Literal(info.label, language="en"))]
        if info.comment:
            out.append(ox.Triple(ox.NamedNode(info.iri), COMMENT, ox.Literal(info.comment, language="en")))
    for name, meaning in OWL_RL_RULES.items():
        iri = rule_iri(name)
        if iri in used_rules:
            out += [ox.Triple(ox.NamedNode(iri), TYPE, HS_RULE), ox.Triple(ox.NamedNode(iri), LABEL, ox.Literal(f"OWL 2 RL {name}", language="en")),
                    ox.Triple(ox.NamedNode(iri), COMMENT, ox.Literal(meaning, language="en"))]
    return DerivationRecords(list(zip(digests, triples, graphs)), records, out, terms)


class DerivationRecords:
    """The derivations graph, computed but not yet made into pyoxigraph triples: every statement
    node (its hash, triple and graph) and every derivation (node, rule, conclusion, premises,
    quotations), in the order the triples are written. Making ~10^6 pyoxigraph triples costs about
    as much as all the rest of the infer step, so it is left to whoever reads them (`triples()`,
    once); `len()` is exact without making them."""

    def __init__(self, statements: list[tuple[str, IdTriple, str | None]], derivations: list[_Record],
                 extra: list[ox.Triple], terms: Terms) -> None:
        self._statements = statements  # (hash, triple, graph it is asserted in or None)
        self._derivations = derivations
        self._extra = extra  # labels of anonymous nodes and rule descriptions: few, made at once
        self._terms = terms
        asserted = sum(1 for _d, _t, g in statements if g)
        self._length = (4 * len(statements) + asserted + len(extra) + 3 * len(derivations)
                        + sum(map(len, map(itemgetter(3), derivations))) + sum(map(len, map(itemgetter(4), derivations))))

    def __len__(self) -> int:
        return self._length

    def triples(self) -> list[ox.Triple]:
        out: list[ox.Triple] = []
        extend = out.extend
        make = ox.Triple
        term = self._terms.terms
        base = DERIVATION_BASE + "statement/"
        statements = self._statements
        nodes = [ox.NamedNode(base + key) for key, _t, _g in statements]  # statement number -> its node
        graphs = {g: ox.NamedNode(g) for _k, _t, g in statements if g}
        written = 0
        for n, rule, conclusion, used, quotes, upto in self._derivations:
            while written < upto:  # the statements this derivation names first are written before it
                _key, (s, p, o), graph = statements[written]
                node = nodes[written]
                if graph:
                    extend((make(node, TYPE, STATEMENT), make(node, SUBJECT, term[s]), make(node, PREDICATE, term[p]),
                            make(node, OBJECT, term[o]), make(node, ASSERTED_IN, graphs[graph])))
                else:
                    extend((make(node, TYPE, STATEMENT), make(node, SUBJECT, term[s]), make(node, PREDICATE, term[p]),
                            make(node, OBJECT, term[o])))
                written += 1
            digest = statements[conclusion][0]
            node = ox.NamedNode(f"{DERIVATION_BASE}{digest}-{n}" if n else DERIVATION_BASE + digest)
            extend((make(node, TYPE, HS_DERIVATION), make(node, APPLIED_RULE, rule), make(node, DERIVED_STATEMENT, nodes[conclusion])))
            extend([make(node, USED, nodes[u]) for u in used])
            if quotes:
                extend([make(node, SUPPORTING_QUOTATION, term[q]) for q in quotes])
        out += self._extra
        return out




_NO_QUOTES: frozenset[int] = frozenset()


def describe_anonymous(nodes: set[ox.BlankNode], asserted: Mapping[Triple, str]) -> list[ox.Triple]:
    """`_:b rdfs:label "…"` for the anonymous class expressions and lists that derivations use (a
    restriction reads "(hs:alliedWith value hsi:united-states)"), so an explanation can show more
    than "[anonymous]"; written to the derivations graph, the ontology graph is not changed."""
    if not nodes:
        return []
    about: dict[Term, dict[ox.NamedNode, list[Term]]] = {}
    for s, p, o in asserted:
        if isinstance(s, ox.BlankNode):
            about.setdefault(s, {}).setdefault(p, []).append(o)
    out = []
    for node in sorted(nodes, key=str):
        text = _describe(node, about, depth=0)
        if text is not None:
            out.append(ox.Triple(node, LABEL, ox.Literal(text)))
    return out


_OPERATORS = {OWL + "someValuesFrom": "some", OWL + "allValuesFrom": "only", OWL + "hasValue": "value",
              OWL + "maxCardinality": "max", OWL + "maxQualifiedCardinality": "max"}
_LISTS = {OWL + "intersectionOf": " and ", OWL + "unionOf": " or ", OWL + "oneOf": ", "}


def _name(term: Term, about: Mapping[Term, Mapping[ox.NamedNode, list[Term]]], depth: int) -> str:
    if isinstance(term, ox.NamedNode):
        return ns.prefixed_name(term.value) or f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return _describe(term, about, depth + 1) or "[anonymous]"
    return str(term.value) if isinstance(term, ox.Literal) else str(term)


def _members(head: Term, about: Mapping[Term, Mapping[ox.NamedNode, list[Term]]]) -> list[Term] | None:
    items: list[Term] = []
    while head != ox.NamedNode(RDF + "nil"):
        cell = about.get(head, {})
        firsts, rests = cell.get(ox.NamedNode(RDF + "first"), []), cell.get(ox.NamedNode(RDF + "rest"), [])
        if len(firsts) != 1 or len(rests) != 1 or len(items) > 100:
            return None
        items.append(firsts[0])
        head = rests[0]
    return items


def _describe(node: Term, about: Mapping[Term, Mapping[ox.NamedNode, list[Term]]], depth: int) -> str | None:
    """A Manchester-like reading of an anonymous node, or None if it is nothing we can read."""
    cell = about.get(node)
    if cell is None or depth > 5:
        return None
    props = {p.value: os for p, os in cell.items()}
    on = props.get(OWL + "onProperty")
    for op_iri, word in _OPERATORS.items():
        if on and op_iri in props:
            filler = props[op_iri][0]
            qualified = f" {_name(props[OWL + 'onClass'][0], about, depth)}" if OWL + "onClass" in props else ""
            return f"({_name(on[0], about, depth)} {word} {_name(filler, about, depth)}{qualified})"
    for list_iri, joiner in _LISTS.items():
        if list_iri in props:
            members = _members(props[list_iri][0], about)
            if members is not None:
                inner = joiner.join(_name(m, about, depth) for m in members)
                return "{" + inner + "}" if list_iri.endswith("oneOf") else f"({inner})"
    if OWL + "complementOf" in props:
        return f"(not {_name(props[OWL + 'complementOf'][0], about, depth)})"
    if RDF + "first" in props:  # a list on its own, e.g. a property chain
        members = _members(node, about)
        if members is not None:
            return "(" + " o ".join(_name(m, about, depth) for m in members) + ")"
    return None

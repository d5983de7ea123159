"""Derivation records (hs:Derivation, PROV-O based) for every inferred triple.

Each inferred triple becomes a reified rdf:Statement; its derivation names the rule applied
(hs:appliedRule), the premise statements (prov:used, each either hs:assertedIn a graph or itself the
hs:derivedStatement of another derivation) and the quotations that the asserted facts at the bottom
of the chain rest on (hs:supportingQuotation). Statement nodes are shared, so a chain of derivations
can be walked with SPARQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.inference.owl_rl import TYPE, Derivation, Term, Triple

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
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
    "scm-sco": "sub-class transitivity: a sub-class of a sub-class is a sub-class",
    "scm-spo": "sub-property transitivity: a sub-property of a sub-property is a sub-property",
    "scm-eqc1": "equivalent classes are sub-classes of each other",
    "scm-eqp1": "equivalent properties are sub-properties of each other",
    "cax-sco": "a member of a class is a member of its super-classes",
    "prp-spo1": "a statement with a sub-property holds with the super-property",
    "prp-inv": "a statement with a property holds reversed with its inverse",
    "prp-symp": "a statement with a symmetric property holds reversed",
    "prp-trp": "two linked statements with a transitive property give the direct one",
    "prp-spo2": "a chain of statements along a property chain gives the chain's property",
    "cls-hv1": "a member of a has-value restriction has that value for the property",
    "cls-hv2": "whatever has the value for the property is a member of the has-value restriction",
    "prp-dom": "the subject of a property is a member of its domain",
    "prp-rng": "the object of a property is a member of its range",
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


def derivation_triples(
    derivations: Mapping[Triple, Derivation],
    asserted_in: Mapping[Triple, str],
    rules: list[RuleInfo],
) -> list[ox.Triple]:
    """The derivations graph: rules, derivations and the statements they link.

    `derivations` must be in the order the triples were found (premises before conclusions), as the
    reasoner keeps them; `asserted_in` says which named graph each asserted triple comes from."""
    out: list[ox.Triple] = []
    described: set[Triple] = set()

    def statement(t: Triple) -> ox.NamedNode:
        node = statement_iri(t)
        if t not in described:
            described.add(t)
            out.extend([
                ox.Triple(node, TYPE, STATEMENT),
                ox.Triple(node, SUBJECT, t[0]),
                ox.Triple(node, PREDICATE, t[1]),
                ox.Triple(node, OBJECT, t[2]),
            ])
            graph = asserted_in.get(t)
            if graph:
                out.append(ox.Triple(node, ASSERTED_IN, ox.NamedNode(graph)))
        return node

    quotes_of_subject: dict[Term, set[Term]] = {}
    quotations = {t[0] for t in asserted_in if t[1] == TYPE and t[2] == QUOTATION}
    for (s, p, o), _graph in asserted_in.items():
        if p == WAS_DERIVED_FROM and o in quotations:
            quotes_of_subject.setdefault(s, set()).add(o)

    used_rules: set[str] = set()
    support: dict[Triple, frozenset[Term]] = {}
    for t, d in derivations.items():
        node = ox.NamedNode(DERIVATION_BASE + statement_iri(t).value.rsplit("/", 1)[1])
        iri = rule_iri(d.rule)
        used_rules.add(iri)
        out += [
            ox.Triple(node, TYPE, HS_DERIVATION),
            ox.Triple(node, APPLIED_RULE, ox.NamedNode(iri)),
            ox.Triple(node, DERIVED_STATEMENT, statement(t)),
        ]
        quotes: set[Term] = set()
        for premise in d.premises:
            out.append(ox.Triple(node, USED, statement(premise)))
            if premise in support:
                quotes |= support[premise]
            elif premise in asserted_in:
                quotes |= quotes_of_subject.get(premise[0], set())
        support[t] = frozenset(quotes)
        out += [ox.Triple(node, SUPPORTING_QUOTATION, q) for q in sorted(quotes, key=str)]

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
    return out

"""Explain a triple as of a year: asserted (in which graph, with its quotes) or inferred (by which
rule, from which premises), walked down the derivations graph to the asserted facts and their quotes.

An inferred triple may have several derivations (several hs:Derivation nodes with one
hs:derivedStatement): Japan and Australia are security partners through the 2007 declaration and
through a 2016 exercise. The explanation is of the fact the reader was shown, as of the year asked:

- with `fact` (a relationship IRI), the derivation that rests on that fact (one of whose premises
  has it as subject). If the derivations graph holds none (an engine that records one derivation
  per triple), the derivation is enumerated on demand: a recorded derivation of the same rule that
  rests on another tie of the same kind, with that tie replaced by `fact`, kept only if every
  replaced premise is in the graph - and marked `enumerated`;
- without `fact`, for a tie statement (hs:alliedWith, hs:securityPartnerOf between states), the
  fact the ties page would show for that link as of the year (ties.preference); otherwise the
  derivation whose facts fit the year best: one in force by then, the earliest, the one presented
  as fact (modality) before a reported or planned one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.inference import ties as tie
from hubspoke.store import Store

_PREFIXES = "\n".join(f"PREFIX {k}: <{v}>" for k, v in ns.PREFIXES.items()) + "\n"
SOURCE_GRAPHS = (ns.ONTOLOGY_GRAPH, ns.FACTS_GRAPH, ns.LINKS_GRAPH)
MAX_DEPTH = 25  # derivations form a DAG; this only guards against a hand-edited, cyclic graph
TIE_PREDICATES = (ns.HS + "alliedWith", ns.HS + "securityPartnerOf")
_MODALITY_RANK = {ns.HS + "Asserted": 0, ns.HS + "Reported": 1}  # anything else (planned, doubted ...) ranks 2
Term = ox.NamedNode | ox.BlankNode | ox.Literal
_FORBIDDEN = set('<>"{}|^`\\ \t\r\n')
Premise = tuple[Term, Term, Term, ox.NamedNode | None, list[str]]  # s, p, o, statement node, graphs asserting it


class TermError(ValueError):
    """A subject, predicate or object that is neither a known prefixed name nor a valid IRI."""


def _iri(text: str) -> ox.NamedNode:
    if not text or any(c in _FORBIDDEN or ord(c) < 0x20 for c in text):
        raise TermError(f"{text!r} is not a valid IRI (no spaces, quotes, angle brackets or braces)")
    try:
        return ox.NamedNode(text)
    except ValueError as error:
        raise TermError(f"{text!r} is not a valid IRI: {error}") from None


def parse_term(text: str, position: str = "object") -> Term:
    """`hs:alliedWith`, `hsi:japan` (any prefix of namespaces.PREFIXES), `<iri>` or a full IRI;
    in object position also a quoted literal `"2007"`. Raises TermError for anything else."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text.startswith(("http://", "https://", "urn:")):
        return _iri(text)
    prefix, colon, local = text.partition(":")
    if colon and prefix in ns.PREFIXES and local:
        return _iri(ns.PREFIXES[prefix] + local)
    if text == "a" and position == "predicate":
        return ox.NamedNode(ns.PREFIXES["rdf"] + "type")
    if position == "object" and len(text) >= 2 and text[0] == text[-1] == '"':
        return ox.Literal(text[1:-1])
    raise TermError(f"{text!r} is not an IRI or a prefixed name ({', '.join(p + ':' for p in ns.PREFIXES)})")


def short(term: Term) -> str:
    """A prefixed name where one of our prefixes fits, else the N-Triples form."""
    if isinstance(term, ox.NamedNode):
        return ns.prefixed_name(term.value) or f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return "[anonymous]"
    return str(term)


@dataclass
class Quote:
    quote: str
    quotation: str
    document: str
    title: str


@dataclass
class Explanation:
    """One triple and why it holds: the graphs asserting it, or the derivation chosen to explain it."""

    subject: Term
    predicate: ox.NamedNode
    object: Term
    asserted_in: list[str] = field(default_factory=list)
    rule: str = ""
    rule_label: str = ""
    rule_comment: str = ""
    premises: list[Explanation] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    derivation: str = ""  # the hs:Derivation shown ("" when enumerated on demand)
    derivation_count: int = 0  # how many derivations of this triple the graph records
    enumerated: bool = False
    chosen_by: str = ""  # why this derivation of the several
    year: int | None = None
    fact: tie.Fact | None = None  # the relationship the explanation rests on, when there is one
    note: str = ""

    @property
    def status(self) -> str:
        return "asserted" if self.asserted_in else "inferred" if self.rule else "absent"


@dataclass
class _Derivation:
    iri: str
    rule: str
    label: str
    comment: str
    premises: list[Premise]


def _select(store: Store, query: str) -> list[ox.QuerySolution]:
    result = store.query(_PREFIXES + query)
    assert isinstance(result.payload, ox.QuerySolutions)
    return list(result.payload)


def _quotes(store: Store, subject: Term) -> list[Quote]:
    if not isinstance(subject, ox.NamedNode):
        return []
    rows = _select(store, f"""SELECT ?q ?quote ?doc ?title WHERE {{ GRAPH <{ns.FACTS_GRAPH}> {{ {subject} prov:wasDerivedFrom ?q .
        ?q prov:value ?quote OPTIONAL {{ ?q prov:wasQuotedFrom ?doc OPTIONAL {{ ?doc dcterms:title ?title }} }} }} }} ORDER BY ?q""")
    return [Quote(r["quote"].value, r["q"].value, r["doc"].value if r["doc"] else "", r["title"].value if r["title"] else "") for r in rows]


def describe_facts(store: Store) -> dict[str, tie.Fact]:
    """Every reified relationship with its parties, dates, bounds, sources and modality; the ties
    module's Fact, so that its standing as of a year follows the same rules."""
    out: dict[str, tie.Fact] = {}
    for r in _select(store, """SELECT ?f ?party ?alliance ?label WHERE { ?f a hs:SecurityRelationship
        BIND(EXISTS { ?f a hs:Alliance } AS ?alliance) OPTIONAL { ?f hs:hasParty ?party }
        OPTIONAL { ?f skos:prefLabel ?label FILTER(langMatches(lang(?label), "en")) } }"""):
        iri = r["f"].value
        fact = out.setdefault(iri, tie.Fact(iri, r["label"].value if r["label"] else iri.rsplit("/", 1)[-1], [], frozenset(),
                                            r["alliance"] is not None and r["alliance"].value == "true", None, None, False))
        if r["party"] is not None:
            fact.parties = fact.parties | {r["party"].value}
    for r in _select(store, """SELECT ?f ?p ?v WHERE { ?f a hs:SecurityRelationship ; ?p ?v . VALUES ?p { hs:date hs:startDate
        hs:endDate hs:startNoEarlierThan hs:startNoLaterThan hs:endNoEarlierThan hs:endNoLaterThan hs:claimDate hs:status hs:modality
        hs:dateAsWritten hs:dateReasoning } } ORDER BY ?f ?p ?v"""):
        fact = out[r["f"].value]
        prop, value, y = r["p"].value.removeprefix(ns.HS), r["v"].value, tie.year_of(r["v"])
        if prop in ("date", "startDate") and y is not None and (fact.start is None or y < fact.start):
            fact.start, fact.date_text = y, value
        elif prop == "endDate" and y is not None and (fact.end is None or y > fact.end):
            fact.end, fact.end_text = y, value
        elif prop == "startNoEarlierThan" and y is not None:
            fact.start_after = max(y, fact.start_after or y)
        elif prop == "startNoLaterThan" and y is not None:
            fact.start_by = min(y, fact.start_by or y)
        elif prop == "endNoEarlierThan" and y is not None:
            fact.end_after = max(y, fact.end_after or y)
        elif prop == "endNoLaterThan" and y is not None:
            fact.end_by = min(y, fact.end_by or y)
        elif prop == "claimDate" and y is not None:
            fact.attested = y
        elif prop == "status" and value == ns.HS + "Ended":
            fact.ended = True
        elif prop == "modality":
            fact.modalities.append(value)
        elif prop == "dateAsWritten":
            fact.as_written.append(value)
        elif prop == "dateReasoning":
            fact.reasoning.append(value)
    for r in _select(store, f"""SELECT ?f ?q ?quote ?doc ?title ?issued ?claimed WHERE {{ GRAPH <{ns.FACTS_GRAPH}> {{ ?f prov:wasDerivedFrom ?q }}
        ?f a hs:SecurityRelationship . ?q prov:value ?quote OPTIONAL {{ ?q prov:wasQuotedFrom ?doc OPTIONAL {{ ?doc dcterms:title ?title }}
        OPTIONAL {{ ?doc dcterms:issued ?issued }} }} OPTIONAL {{ ?f hs:claimDate ?claimed }} }} ORDER BY ?q"""):
        fact = out[r["f"].value]
        issued = tie.year_of(r["issued"])
        if r["claimed"] is None and issued is not None:
            fact.attested = issued if fact.attested is None else min(fact.attested, issued)
        source = tie.Source(r["quote"].value, r["q"].value, r["doc"].value if r["doc"] else "", r["title"].value if r["title"] else "", issued)
        if source not in fact.sources:
            fact.sources.append(source)
    return out


def _modality_rank(fact: tie.Fact) -> int:
    return max((_MODALITY_RANK.get(m, 2) for m in fact.modalities), default=0)


def _fact_key(fact: tie.Fact, year: int | None) -> tuple[int, int, bool, int, str]:
    """How well a fact fits "as of year": in force by then, presented as fact, the earliest."""
    start = fact.start if fact.start is not None else fact.latest_start()
    return (tie._RANK[fact.standing(year)], _modality_rank(fact), fact.start is None, start if start is not None else 9999, fact.iri)


def _derivations(store: Store, s: Term, p: ox.NamedNode, o: Term, node: ox.NamedNode | None) -> list[_Derivation]:
    """Every recorded derivation of the triple (by its statement node, or by its terms)."""
    if node is not None:
        target = f"?d hs:derivedStatement {node} ."
    elif any(isinstance(t, ox.BlankNode) for t in (s, o)):
        return []  # not addressable by its terms; premises with blank nodes are reached by their statement node
    else:
        target = f"?st rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} . ?d hs:derivedStatement ?st ."
    rows = _select(store, f"""SELECT ?d ?rule ?label ?comment ?u ?ps ?pp ?po ?g WHERE {{ GRAPH <{ns.DERIVATIONS_GRAPH}> {{
        {target} ?d hs:appliedRule ?rule ; prov:used ?u . ?u rdf:subject ?ps ; rdf:predicate ?pp ; rdf:object ?po
        OPTIONAL {{ ?u hs:assertedIn ?g }} OPTIONAL {{ ?rule rdfs:label ?label }} OPTIONAL {{ ?rule rdfs:comment ?comment }} }} }}
        ORDER BY ?d ?u ?g""")
    found: dict[str, _Derivation] = {}
    premises: dict[tuple[str, str], Premise] = {}
    for r in rows:
        d = found.setdefault(str(r["d"]), _Derivation(r["d"].value, r["rule"].value, r["label"].value if r["label"] else "",
                                                      r["comment"].value if r["comment"] else "", []))
        key = (d.iri, str(r["u"]))
        if key not in premises:
            premise: Premise = (r["ps"], r["pp"], r["po"], r["u"] if isinstance(r["u"], ox.NamedNode) else None, [])
            premises[key] = premise
            d.premises.append(premise)
        if r["g"] is not None and r["g"].value not in premises[key][4]:
            premises[key][4].append(r["g"].value)
    return list(found.values())


def _key(s: Term, p: Term, o: Term) -> tuple[str, str, str]:
    return (str(s), str(p), str(o))


def _graphs(store: Store, s: Term, p: Term, o: Term) -> list[str]:
    if any(isinstance(t, ox.BlankNode) for t in (s, p, o)):
        return []
    return [r["g"].value for r in _select(store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {s} {p} {o} }} }} ORDER BY ?g")]


def _grounds(d: _Derivation, facts: dict[str, tie.Fact]) -> list[tie.Fact]:
    """The relationships a derivation rests on directly: subjects of its premises that are facts."""
    out = []
    for s, _p, _o, _node, _g in d.premises:
        if isinstance(s, ox.NamedNode) and s.value in facts and facts[s.value] not in out:
            out.append(facts[s.value])
    return out


def _substitute(store: Store, d: _Derivation, old: str, new: str) -> _Derivation | None:
    """The same rule applied with `new` in place of `old`, if every premise then is in the graph."""
    swap = {old: ox.NamedNode(new)}
    premises: list[Premise] = []
    for s, p, o, _node, _g in d.premises:
        s2 = swap.get(s.value, s) if isinstance(s, ox.NamedNode) else s
        o2 = swap.get(o.value, o) if isinstance(o, ox.NamedNode) else o
        if (s2, o2) == (s, o):
            premises.append((s, p, o, _node, _g))
            continue
        graphs = _graphs(store, s2, p, o2)
        if not graphs:
            return None
        premises.append((s2, p, o2, None, [g for g in graphs if g in SOURCE_GRAPHS]))
    return _Derivation("", d.rule, d.label, d.comment, premises)


def _same_kind(a: tie.Fact, b: tie.Fact) -> bool:
    """Two relationships a rule treats alike (its negated conditions are about alliance and modality)."""
    return a.alliance == b.alliance and _modality_rank(a) == _modality_rank(b) == 0


class _Walker:
    def __init__(self, store: Store, year: int | None, facts: dict[str, tie.Fact]) -> None:
        self.store, self.year, self.facts = store, year, facts

    def explain(self, s: Term, p: ox.NamedNode, o: Term, fact: str | None, depth: int = 0,
                node: ox.NamedNode | None = None, asserted: list[str] | None = None,
                above: frozenset[tuple[str, str, str]] = frozenset()) -> Explanation:
        found = Explanation(s, p, o, year=self.year)
        here = above | {_key(s, p, o)}
        graphs = _graphs(self.store, s, p, o) if asserted is None else asserted
        found.asserted_in = [g for g in graphs if g in SOURCE_GRAPHS]
        if found.asserted_in:
            if ns.FACTS_GRAPH in found.asserted_in or ns.LINKS_GRAPH in found.asserted_in:
                found.quotes = _quotes(self.store, s)
            if isinstance(s, ox.NamedNode) and s.value in self.facts:
                found.fact = self.facts[s.value]
            return found
        if asserted is None and ns.INFERRED_GRAPH not in graphs and node is None:
            return found  # absent
        derivations = _derivations(self.store, s, p, o, node)
        found.derivation_count = len(derivations)
        # With every derivation recorded, a symmetric or inverse property derives each direction from the
        # other: never explain a statement by one of the statements it is explaining.
        acyclic = [d for d in derivations if not any(_key(ps, pp, po) in here for ps, pp, po, _n, _g in d.premises)]
        chosen = self.choose(acyclic or derivations, fact, found)
        if chosen is None:
            return found
        found.derivation, found.rule, found.rule_label, found.rule_comment = chosen.iri, chosen.rule, chosen.label, chosen.comment
        found.enumerated = not chosen.iri
        grounds = _grounds(chosen, self.facts)
        if found.fact is None and grounds:
            found.fact = grounds[0]
        if depth < MAX_DEPTH and acyclic:
            below = found.fact.iri if found.fact else fact
            found.premises = [self.explain(ps, pp, po, below, depth + 1, pnode, graphs_of or None, here)
                              for ps, pp, po, pnode, graphs_of in chosen.premises if isinstance(pp, ox.NamedNode)]
        return found

    def choose(self, derivations: list[_Derivation], fact: str | None, found: Explanation) -> _Derivation | None:
        if not derivations:
            return None
        if fact is not None:
            resting = [d for d in derivations if any(g.iri == fact for g in _grounds(d, self.facts))]
            if resting:
                found.chosen_by = "rests on the fact shown"
                found.fact = self.facts.get(fact)
                return min(resting, key=lambda d: d.iri)
            wanted = self.facts.get(fact)
            for d in sorted(derivations, key=lambda d: d.iri):
                for other in _grounds(d, self.facts):
                    if wanted is not None and _same_kind(other, wanted) and (made := _substitute(self.store, d, other.iri, fact)):
                        found.chosen_by = ("enumerated on demand: the same rule applied to the fact shown, every premise "
                                           "checked in the graph (the derivations graph records it for another fact)")
                        found.fact = wanted
                        return made
            if any(_grounds(d, self.facts) for d in derivations):
                found.note = "no derivation of this statement rests on the fact given; the one that fits the year best is shown"

        def key(d: _Derivation) -> tuple[tuple[int, int, bool, int, str], str]:
            grounds = _grounds(d, self.facts)
            best = min((_fact_key(g, self.year) for g in grounds), default=(1, 2, True, 9999, ""))
            return best, d.iri

        if len(derivations) > 1 and not found.chosen_by:
            found.chosen_by = "of several derivations, the one whose fact fits the year best (in force by then, presented as fact, the earliest)"
        return min(derivations, key=key)


def pick_fact(store: Store, s: Term, p: ox.NamedNode, o: Term, year: int | None) -> str | None:
    """For a tie statement between two states, the fact the ties page shows for that link as of the
    year (the same order, ties.preference); None for any other statement."""
    if p.value not in TIE_PREDICATES or not isinstance(s, ox.NamedNode) or not isinstance(o, ox.NamedNode):
        return None
    facts, _labels, _kinds = tie.load_facts(store)
    candidates = [f for f in facts if {s.value, o.value} <= f.parties and tie.predicate_of(f) == p.value
                  and len(f.parties) <= tie.MAX_PARTIES and f.standing(year) != tie.DOES_NOT_HOLD]
    candidates = candidates or [f for f in facts if {s.value, o.value} <= f.parties and tie.predicate_of(f) == p.value]
    return min(candidates, key=lambda f: tie.preference(f, year)).iri if candidates else None


def explain(store: Store, subject: Term, predicate: ox.NamedNode, obj: Term, year: int | None = None,
            fact: str | None = None) -> Explanation:
    """Why (subject predicate obj) holds, as of `year` (None: today), resting on `fact` when given;
    `status` is "absent" when it is neither asserted nor inferred."""
    facts = describe_facts(store)
    if fact is None:
        fact = pick_fact(store, subject, predicate, obj, year)
    found = _Walker(store, year, facts).explain(subject, predicate, obj, fact)
    if fact is not None and found.status != "absent" and (found.fact is None or found.fact.iri != fact):
        found.note = found.note or f"the statement does not rest on {short(ox.NamedNode(fact))}"
    return found


def explain_fact(store: Store, fact: str, year: int | None = None) -> tie.Fact | None:
    """A relationship alone: its parties, dates, bounds, standing as of the year and quotes."""
    return describe_facts(store).get(fact)


def all_quotes(found: Explanation) -> list[Quote]:
    """The quotations at the bottom of an explanation, each once."""
    out: list[Quote] = []
    stack = [found]
    while stack:
        node = stack.pop()
        out += [q for q in node.quotes if q not in out]
        stack += reversed(node.premises)
    return out


def facts_in(found: Explanation) -> list[tie.Fact]:
    """The relationships an explanation rests on, top first, each once."""
    out: list[tie.Fact] = []
    stack = [found]
    while stack:
        node = stack.pop(0)
        if node.fact is not None and node.fact not in out:
            out.append(node.fact)
        stack += node.premises
    return out


def chain_text(found: Explanation, labels: dict[str, str] | None = None) -> str:
    """The short human chain: "Japan — Japan-Australia security partnership (2007-03; holds as of 2010)
    → Australia", with the quotes of the fact below it."""
    labels = labels or {}
    fact = found.fact
    if fact is None:
        return f"{short(found.subject)} {short(found.predicate)} {short(found.object)}"
    s = labels.get(str(getattr(found.subject, "value", "")), short(found.subject))
    o = labels.get(str(getattr(found.object, "value", "")), short(found.object))
    standing, reason = fact.judge(found.year)
    when = f"as of {found.year}" if found.year is not None else "today"
    lines = [f"{s} — {fact.label} ({reason}; {tie.STANDING_LABEL[standing]} {when}) → {o}"]
    lines += [f'    "{q.quote}" ({q.title or q.document}{", " + str(q.issued) if q.issued else ""})' for q in fact.sources]
    return "\n".join(lines)


def to_text(found: Explanation, indent: str = "", seen: set[str] | None = None) -> str:
    """The OWL proof as an indented tree, for the command line; each quote is printed once."""
    seen = set() if seen is None else seen
    line = f"{indent}{short(found.subject)} {short(found.predicate)} {short(found.object)}"
    if found.status == "asserted":
        lines = [f"{line}   [asserted in {', '.join(g.rsplit('/', 1)[-1] for g in found.asserted_in)}]"]
        for q in found.quotes:
            if q.quotation in seen:
                continue
            seen.add(q.quotation)
            lines.append(f'{indent}    quote: "{q.quote}" ({q.title or q.document or q.quotation})')
        return "\n".join(lines)
    if found.status == "absent":
        return f"{line}   [neither asserted nor inferred]"
    name = found.rule_label or found.rule
    extra = " (enumerated on demand)" if found.enumerated else ""
    lines = [f"{line}   [inferred by {name} <{found.rule}>{extra}]"]
    lines += [to_text(p, indent + "    ", seen) for p in found.premises]
    return "\n".join(lines)


def to_json(found: Explanation) -> dict[str, object]:
    fact = found.fact
    return {
        "s": str(found.subject.value) if not isinstance(found.subject, ox.BlankNode) else None,
        "p": found.predicate.value,
        "o": str(found.object.value) if not isinstance(found.object, ox.BlankNode) else None,
        "o_is_literal": isinstance(found.object, ox.Literal),
        "text": f"{short(found.subject)} {short(found.predicate)} {short(found.object)}",
        "status": found.status,
        "year": found.year,
        "asserted_in": found.asserted_in,
        "rule": found.rule or None, "rule_label": found.rule_label or None, "rule_comment": found.rule_comment or None,
        "derivation": found.derivation or None, "derivations_recorded": found.derivation_count,
        "enumerated": found.enumerated, "chosen_by": found.chosen_by or None, "note": found.note or None,
        "fact": None if fact is None else {**tie.fact_json(fact, found.year),
                                           "quotes": [{"quote": q.quote, "quotation": q.quotation, "document": q.document,
                                                       "title": q.title, "issued": q.issued} for q in fact.sources]},
        "premises": [to_json(p) for p in found.premises],
        "quotes": [q.__dict__ for q in found.quotes],
    }

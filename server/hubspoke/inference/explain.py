"""Explain a triple: asserted (in which graph, with its quotes) or inferred (by which rule, from which
premises), walked down the derivations graph to the asserted facts and their source quotations."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.store import Store

_PREFIXES = "\n".join(f"PREFIX {k}: <{v}>" for k, v in ns.PREFIXES.items()) + "\n"
SOURCE_GRAPHS = (ns.ONTOLOGY_GRAPH, ns.FACTS_GRAPH, ns.LINKS_GRAPH)
MAX_DEPTH = 25  # derivations form a DAG; this only guards against a hand-edited, cyclic graph
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class TermError(ValueError):
    """A subject, predicate or object that is neither a known prefixed name nor an IRI."""


def parse_term(text: str, position: str = "object") -> Term:
    """`hs:alliedWith`, `hsi:japan` (any prefix of namespaces.PREFIXES), `<iri>` or a full IRI;
    in object position also a quoted literal `"2007"`."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(text)
    prefix, colon, local = text.partition(":")
    if colon and prefix in ns.PREFIXES and " " not in local:
        return ox.NamedNode(ns.PREFIXES[prefix] + local)
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
    """One triple and why it holds: the graphs asserting it, or the derivation that inferred it."""

    subject: Term
    predicate: ox.NamedNode
    object: Term
    asserted_in: list[str] = field(default_factory=list)
    rule: str = ""
    rule_label: str = ""
    rule_comment: str = ""
    premises: list[Explanation] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "asserted" if self.asserted_in else "inferred" if self.rule else "absent"


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


def _from_statement(store: Store, node: ox.NamedNode, depth: int) -> Explanation:
    """Explain the reified statement `node` of the derivations graph."""
    rows = _select(store, f"""SELECT ?s ?p ?o ?g WHERE {{ GRAPH <{ns.DERIVATIONS_GRAPH}> {{
        {node} rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o OPTIONAL {{ {node} hs:assertedIn ?g }} }} }}""")
    first = rows[0]
    found = Explanation(first["s"], first["p"], first["o"], sorted({r["g"].value for r in rows if r["g"]}))
    if found.asserted_in:
        if ns.FACTS_GRAPH in found.asserted_in or ns.LINKS_GRAPH in found.asserted_in:
            found.quotes = _quotes(store, found.subject)
        return found
    _derive(store, node, found, depth)
    return found


def _derive(store: Store, node: ox.NamedNode, found: Explanation, depth: int) -> None:
    rows = _select(store, f"""SELECT ?rule ?label ?comment ?premise WHERE {{ GRAPH <{ns.DERIVATIONS_GRAPH}> {{
        ?d hs:derivedStatement {node} ; hs:appliedRule ?rule ; prov:used ?premise .
        OPTIONAL {{ ?rule rdfs:label ?label }} OPTIONAL {{ ?rule rdfs:comment ?comment }} }} }} ORDER BY ?premise""")
    if not rows:
        return
    found.rule = rows[0]["rule"].value
    found.rule_label = rows[0]["label"].value if rows[0]["label"] else ""
    found.rule_comment = rows[0]["comment"].value if rows[0]["comment"] else ""
    if depth < MAX_DEPTH:
        found.premises = [_from_statement(store, r["premise"], depth + 1) for r in rows]


def explain(store: Store, subject: Term, predicate: ox.NamedNode, obj: Term) -> Explanation:
    """Why (subject predicate obj) holds; `status` is "absent" when it is neither asserted nor inferred."""
    triple = f"{subject} {predicate} {obj}"
    graphs = [r["g"].value for r in _select(store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {triple} }} }} ORDER BY ?g")]
    found = Explanation(subject, predicate, obj, [g for g in graphs if g in SOURCE_GRAPHS])
    if found.asserted_in:
        found.quotes = _quotes(store, subject)
        return found
    if ns.INFERRED_GRAPH in graphs:
        nodes = _select(store, f"""SELECT ?st WHERE {{ GRAPH <{ns.DERIVATIONS_GRAPH}> {{
            ?st rdf:subject {subject} ; rdf:predicate {predicate} ; rdf:object {obj} . ?d hs:derivedStatement ?st }} }} LIMIT 1""")
        if nodes:
            _derive(store, nodes[0]["st"], found, 0)
    return found


def all_quotes(found: Explanation) -> list[Quote]:
    """The quotations at the bottom of an explanation, each once."""
    out: list[Quote] = []
    stack = [found]
    while stack:
        node = stack.pop()
        out += [q for q in node.quotes if q not in out]
        stack += reversed(node.premises)
    return out


def to_text(found: Explanation, indent: str = "", seen: set[str] | None = None) -> str:
    """The explanation as an indented tree, for the command line; each quote is printed once."""
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
    lines = [f"{line}   [inferred by {name} <{found.rule}>]"]
    lines += [to_text(p, indent + "    ", seen) for p in found.premises]
    return "\n".join(lines)


def to_json(found: Explanation) -> dict[str, object]:
    return {
        "s": str(found.subject.value) if not isinstance(found.subject, ox.BlankNode) else None,
        "p": found.predicate.value,
        "o": str(found.object.value) if not isinstance(found.object, ox.BlankNode) else None,
        "o_is_literal": isinstance(found.object, ox.Literal),
        "text": f"{short(found.subject)} {short(found.predicate)} {short(found.object)}",
        "status": found.status,
        "asserted_in": found.asserted_in,
        "rule": found.rule or None, "rule_label": found.rule_label or None, "rule_comment": found.rule_comment or None,
        "premises": [to_json(p) for p in found.premises],
        "quotes": [q.__dict__ for q in found.quotes],
    }

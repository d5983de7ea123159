"""Integer ids for RDF terms: the engine's joins, closure and derivation records work on tuples of
ints, and turn them back into pyoxigraph terms only at the edges (issue 10, "Speed").

Hashing or comparing a pyoxigraph term costs a call into Rust (about 0.15 µs) on every look-up, and
a triple is three of them; an int costs almost nothing. Each distinct term gets one id per `Terms`
table (one per reasoner), kept for the table's life.

Which int: the term's own hash, cut to 61 bits (`natural_id`). Python hashes such an int to itself,
so a set of ids is laid out, and iterates, exactly like the set of the terms they stand for (the
set's slot and probe order read the hash's low bits, which are the same; the three high bits would
only matter after eight rounds of collisions). The engine's order of work, and with it which
derivation of a triple is found first and how its IRI is numbered, is therefore the one it had when
it worked on the terms themselves, and a build's output is the same file. Two terms whose hashes
agree on 61 bits (about one chance in 10^6 at 10^6 terms) cannot share an id: the second gets one
above every natural id, which changes only that order. The vocabulary the rules read is interned
first in every table, so its ids are the module constants of `owl_rl`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from hubspoke.inference import vocabulary as V

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Triple = tuple[Term, ox.NamedNode, Term]
Id = int
IdTriple = tuple[int, int, int]

MASK = (1 << 61) - 1


def natural_id(term: Term) -> int:
    """The id a term gets unless another term took it first."""
    return hash(term) & MASK


def _vocabulary() -> list[ox.NamedNode]:
    out: list[ox.NamedNode] = []
    for value in vars(V).values():
        if isinstance(value, ox.NamedNode):
            out.append(value)
        elif isinstance(value, (tuple, frozenset)):
            out += sorted((x for x in value if isinstance(x, ox.NamedNode)), key=str)
    return list(dict.fromkeys(out))


VOCABULARY = _vocabulary()
assert len({natural_id(t) for t in VOCABULARY}) == len(VOCABULARY), "two vocabulary terms share a natural id"


class Terms:
    """The id of every term seen, and back; which ids are literals and which IRIs."""

    __slots__ = ("ids", "terms", "literals", "iris", "blanks", "_text", "_spare")

    def __init__(self) -> None:
        self.ids: dict[Term, int] = {}
        self.terms: dict[int, Term] = {}
        self.literals: set[int] = set()
        self.iris: set[int] = set()  # ids of named nodes: only these can be predicates
        self.blanks: set[int] = set()
        self._text: dict[int, str] = {}
        self._spare = MASK + 1  # for a term whose natural id is taken
        for t in VOCABULARY:
            self.intern(t)

    def intern(self, term: Term) -> int:
        found = self.ids.get(term)
        if found is not None:
            return found
        i = hash(term) & MASK
        if i in self.terms:
            i = self._spare
            self._spare += 1
        self.ids[term] = i
        self.terms[i] = term
        if isinstance(term, ox.Literal):
            self.literals.add(i)
        elif isinstance(term, ox.NamedNode):
            self.iris.add(i)
        elif isinstance(term, ox.BlankNode):
            self.blanks.add(i)
        return i

    def triple(self, t: Triple) -> IdTriple:
        intern = self.intern
        return intern(t[0]), intern(t[1]), intern(t[2])

    def triples(self, ts: Iterable[Triple]) -> list[IdTriple]:
        ids, intern = self.ids, self.intern
        out = []
        for s, p, o in ts:
            a, b, c = ids.get(s), ids.get(p), ids.get(o)
            out.append((intern(s) if a is None else a, intern(p) if b is None else b, intern(o) if c is None else c))
        return out

    def term(self, i: int) -> Term:
        return self.terms[i]

    def as_triple(self, t: IdTriple) -> Triple:
        term = self.terms
        return term[t[0]], term[t[1]], term[t[2]]  # type: ignore[return-value]  # a predicate id is an IRI's

    def texts(self) -> dict[int, str]:
        """str() of every term so far, by id (what `text` gives, for a loop that reads many)."""
        text = self._text
        if len(text) < len(self.terms):
            for i, term in self.terms.items():
                if i not in text:
                    text[i] = str(term)
        return text

    def text(self, i: int) -> str:
        """str() of the term (N-Triples form), made once."""
        found = self._text.get(i)
        if found is None:
            found = self._text[i] = str(self.terms[i])
        return found

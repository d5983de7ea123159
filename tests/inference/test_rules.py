"""One hand-derived case per OWL 2 RL rule, stored as data: `rules/<rule>.ttl` is the input and
`rules/<rule>.expected.ttl` what the rule must give - inferred triples, each with a derivation by
that rule, or, for a consistency rule, the triples of the clash it must report."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from hubspoke.inference.derivations import OWL_RL_RULES
from hubspoke.inference.materialise import as_tuple
from hubspoke.inference.owl_rl import Reasoner, Triple
from hubspoke.loading import parse_turtle_file

RULES = Path(__file__).parent / "rules"
CASES = sorted(p.name.removesuffix(".ttl") for p in RULES.glob("*.ttl") if not p.name.endswith(".expected.ttl"))
CLASH_RULES = {"eq-diff1", "eq-diff2", "eq-diff3", "prp-irp", "prp-asyp", "prp-pdw", "prp-adp", "prp-npa1", "prp-npa2",
               "cls-nothing2", "cls-com", "cls-maxc1", "cls-maxqc1", "cls-maxqc2", "cax-dw", "cax-adc"}
BLANK = ox.NamedNode("urn:blank")  # the files' blank nodes are told apart by position only


def read(path: Path) -> set[Triple]:
    return {as_tuple(t) for t in parse_turtle_file(path)}


def unblank(triples: set[Triple] | tuple[Triple, ...]) -> set[tuple[object, ...]]:
    return {tuple(BLANK if isinstance(x, ox.BlankNode) else x for x in t) for t in triples}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(OWL_RL_RULES) | CLASH_RULES


@pytest.mark.parametrize("rule", CASES)
def test_rule_gives_what_was_derived_by_hand(rule: str) -> None:
    asserted = read(RULES / f"{rule}.ttl")
    expected = read(RULES / f"{rule}.expected.ttl")
    reasoner = Reasoner(asserted, domain_range=True, axiomatic=True)
    reasoner.run()
    if rule in CLASH_RULES:
        found = [unblank(c.triples) for c in reasoner.check() if c.rule == rule]
        assert unblank(expected) in found, f"{rule}: no clash with exactly the expected triples; found {found}"
        return
    assert expected - reasoner.asserted == expected, "an expected triple is asserted: the case tests nothing"
    for t in expected:
        rules = [d.rule for d in reasoner.derivations.get(t, [])]
        assert rule in rules, f"{t} not derived by {rule} (derived by {rules or 'nothing'})"


@pytest.mark.parametrize("rule", ["cax-dw", "prp-fp", "cls-int1"])
def test_nothing_follows_when_a_premise_is_missing(rule: str, tmp_path: Path) -> None:
    """The cases can fail: drop the last fact of the input and the rule must give nothing."""
    lines = (RULES / f"{rule}.ttl").read_text(encoding="utf-8").rstrip("\n").splitlines()
    text = "\n".join(lines[:-1] + [lines[-1].rsplit(" ", 3)[0] + " ."])  # the last object list loses its last item
    path = tmp_path / f"{rule}.ttl"
    path.write_text(text + "\n", encoding="utf-8")
    reasoner = Reasoner(read(path), domain_range=True, axiomatic=True)
    reasoner.run()
    expected = read(RULES / f"{rule}.expected.ttl")
    if rule in CLASH_RULES:
        assert not [c for c in reasoner.check() if c.rule == rule]
    else:
        assert not [t for t in expected if rule in [d.rule for d in reasoner.derivations.get(t, [])]]

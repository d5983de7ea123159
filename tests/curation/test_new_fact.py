"""`hubspoke new fact`: the skeleton is valid Turtle whose placeholders the validator names, its quote
is found in the seed, and once the placeholders are filled the project validates clean."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_hubspoke

WORDS = "Ifri brings together political and economic"  # a passage of seed 001 (the publisher's note) no fact quotes


def new_fact(project: Path, seeds_dir: Path) -> str:
    out = run_hubspoke("--root", str(project), "new", "fact", "--kind", "cooperation", "--source", "001",
                       "--quote", WORDS, "--id", "test-capacity-building", seeds=seeds_dir)
    assert out.returncode == 0, out.stderr
    return out.stdout


def validate(project: Path, seeds_dir: Path) -> tuple[int, str]:
    out = run_hubspoke("--root", str(project), "validate", seeds=seeds_dir)
    return out.returncode, out.stdout + out.stderr


def test_skeleton_names_each_placeholder_and_validates_once_filled(project: Path, seeds_dir: Path) -> None:
    text = new_fact(project, seeds_dir)
    quote = re.search(r'prov:value "([^"]+)"', text)
    assert quote and WORDS in quote.group(1) and len(quote.group(1).split()) <= 40
    assert "prov:wasQuotedFrom hsi:source-001" in text
    target = project / "instances" / "new-fact.ttl"
    target.write_text(text, encoding="utf-8")

    code, report = validate(project, seeds_dir)
    assert code == 1, report
    lines = text.splitlines()
    party_line = next(i for i, line in enumerate(lines, 1) if "hsi:TODO-party-1" in line)
    date_line = next(i for i, line in enumerate(lines, 1) if "hs:date" in line)
    assert f"instances/new-fact.ttl:{party_line}:" in report  # the unfilled party, at its own line
    assert f"instances/new-fact.ttl:{date_line}:" in report  # the unfilled date, at its own line
    assert "quote-check" not in report  # the quote chosen from the seed is found there

    filled = (text.replace("hsi:TODO-party-1", "hsi:japan")
              .replace('"TODO a readable English name"@en', '"Japan\'s capacity building in Southeast Asia (test)"@en'))
    filled = re.sub(r'"TODO [^"]*"\^\^xsd:gYear', '"2013"^^xsd:gYear', filled)
    assert "TODO" not in filled.split("# or xsd:date")[1]
    target.write_text(filled, encoding="utf-8")
    code, report = validate(project, seeds_dir)
    assert code == 0, report


FILLS = {"hsi:TODO-party-1": "hsi:japan", "hsi:TODO-party-2": "hsi:australia", "hsi:TODO-dialogue": "hsi:australia-japan-2plus2",
         "hsi:TODO-place": "hsi:sydney"}


def test_every_kind_of_skeleton_validates_once_filled(project: Path, seeds_dir: Path) -> None:
    from hubspoke.curation.scaffold import KINDS

    texts = []
    for kind in sorted(KINDS):
        out = run_hubspoke("--root", str(project), "new", "fact", "--kind", kind, "--source", "001", "--quote", WORDS,
                           "--id", f"test-new-{kind}", seeds=seeds_dir)
        assert out.returncode == 0, out.stderr
        text = out.stdout
        for placeholder, value in FILLS.items():
            text = text.replace(placeholder, value)
        text = text.replace('"TODO a readable English name"@en', f'"A test {kind}"@en')
        text = text.replace('"TODO the officials\' rank as the source states it"', '"ministers"')
        text = re.sub(r'"TODO [^"]*"\^\^xsd:gYear', '"2013"^^xsd:gYear', text)
        assert "TODO" not in "".join(line for line in text.splitlines() if not line.startswith("#")), text
        texts.append(text)
    (project / "instances" / "new-facts.ttl").write_text("\n".join(texts), encoding="utf-8")
    code, report = validate(project, seeds_dir)
    assert code == 0, report

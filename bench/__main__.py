"""`make bench`: hubspoke's OWL 2 RL engine against owlrl (and reasonable, if installed) on the
same input - the real graph's ontology + facts + links, and synthetic networks of growing size -
checking that the entailments both support are the same, and recording the figures in
bench/results/inference.json and .md with the machine and the versions.

Usage: python -m bench [--sizes 1000,5000] [--repeat 5] [--no-owlrl-above N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
import rdflib

from hubspoke import namespaces as ns
from hubspoke.build import assemble
from hubspoke.rdf_bridge import to_oxigraph, to_rdflib
from hubspoke.cli import project_version
from hubspoke.config import ProjectPaths
from hubspoke.inference.compare import comparable
from hubspoke.inference.materialise import as_tuple, infer
from hubspoke.inference.owl_rl import Reasoner
from hubspoke.inference.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
RDF = str(rdflib.RDF)


def synthetic(ontology: list[ox.Triple], states: int, relationships: int) -> list[ox.Triple]:
    """A network of `states` states and `relationships` reified relationships of the ontology's classes."""
    kinds = ["Alliance", "SecurityPartnership", "JointDeclaration", "Dialogue", "TwoPlusTwoMeeting", "Exercise", "SummitMeeting"]
    out = list(ontology)
    t = ox.NamedNode(RDF + "type")
    has_party = ox.NamedNode(ns.HS + "hasParty")
    for i in range(states):
        out.append(ox.Triple(ox.NamedNode(f"{ns.HSI}state-{i}"), t, ox.NamedNode(ns.HS + "State")))
    for r in range(relationships):
        node = ox.NamedNode(f"{ns.HSI}rel-{r}")
        out.append(ox.Triple(node, t, ox.NamedNode(ns.HS + kinds[r % len(kinds)])))
        for k in range(2 + (r % 3 == 0)):
            out.append(ox.Triple(node, has_party, ox.NamedNode(f"{ns.HSI}state-{(r * 7 + k * 13) % states}")))
    return out


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run_case(name: str, triples: list[ox.Triple], repeat: int, with_owlrl: bool) -> dict[str, object]:
    asserted = {as_tuple(t) for t in triples}

    def ours() -> Reasoner:
        r = Reasoner(asserted, domain_range=True)  # owlrl always applies domain/range: compare like with like
        r.run()
        return r

    ours_s, reasoner = timed(ours, repeat)
    rules = load_rules(ROOT / "ontology" / "rules")
    full_s, _ = timed(lambda: infer({ns.FACTS_GRAPH: triples}, rules), repeat)
    row: dict[str, object] = {"case": name, "input_triples": len(asserted), "ours_owl_rl_s": round(ours_s, 4),
                              "ours_owl_rl_plus_rules_and_derivations_s": round(full_s, 4),
                              "ours_inferred": len(reasoner.derivations)}  # type: ignore[attr-defined]
    mine = comparable(set(reasoner.index.all))  # type: ignore[attr-defined]
    if with_owlrl:
        import owlrl

        graph = to_rdflib(triples)
        started = time.perf_counter()
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
        row["owlrl_s"] = round(time.perf_counter() - started, 3)
        kept = rdflib.Graph()
        for s, p, o in graph:
            if not isinstance(s, rdflib.Literal):
                kept.add((s, p, o))
        oracle = comparable({as_tuple(t) for t in to_oxigraph(kept)})
        row["same_entailments"] = mine == oracle
        row["only_ours"], row["only_owlrl"] = len(mine - oracle), len(oracle - mine)
        row["speedup_vs_owlrl"] = round(float(row["owlrl_s"]) / ours_s, 1)  # type: ignore[arg-type]
    try:
        import reasonable

        r = reasonable.PyReasoner()
        nt = ox.serialize([ox.Quad(*t) for t in asserted], format=ox.RdfFormat.N_TRIPLES)  # type: ignore[misc]
        path = RESULTS / ".reasonable-input.ttl"  # it reads only .ttl/.n3; N-Triples is Turtle
        path.write_bytes(nt or b"")
        try:
            started = time.perf_counter()
            r.load_file(str(path))
            r.reason()
            row["reasonable_s"] = round(time.perf_counter() - started, 3)
        finally:
            path.unlink(missing_ok=True)
    except ImportError:
        row["reasonable_s"] = None
    return row


def machine() -> dict[str, object]:
    def version(p: str) -> str | None:
        try:
            return metadata.version(p)
        except metadata.PackageNotFoundError:
            return None

    return {"python": sys.version.split()[0], "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "versions": {p: version(p) for p in ("pyoxigraph", "rdflib", "owlrl", "reasonable")}}


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--sizes", default="1000,5000,20000", help="synthetic relationships per case")
    args.add_argument("--repeat", type=int, default=5)
    args.add_argument("--no-owlrl-above", type=int, default=60000, help="skip owlrl above this many input triples (it is slow)")
    opts = args.parse_args()
    paths = ProjectPaths.at(ROOT)
    graphs, _ = assemble(paths, project_version(ROOT))
    real = graphs[ns.ONTOLOGY_GRAPH] + graphs[ns.FACTS_GRAPH] + graphs[ns.LINKS_GRAPH]
    rows = [run_case("real graph (ontology + facts + links)", real, opts.repeat, True)]
    for size in (int(s) for s in opts.sizes.split(",") if s):
        data = synthetic(graphs[ns.ONTOLOGY_GRAPH], max(50, size // 10), size)
        rows.append(run_case(f"synthetic {size} relationships", data, max(1, opts.repeat // 2), len(data) <= opts.no_owlrl_above))
    report = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(), "results": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "inference.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = ["# Inference benchmark", "", f"{report['when']}; {json.dumps(report['machine'])}", "",
             "| case | input triples | ours OWL RL (s) | ours + rules + derivations (s) | owlrl (s) | speed-up | same entailments | reasonable (s) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['input_triples']} | {r['ours_owl_rl_s']} | {r['ours_owl_rl_plus_rules_and_derivations_s']} | "
                     f"{r.get('owlrl_s', '-')} | {r.get('speedup_vs_owlrl', '-')} | {r.get('same_entailments', '-')} | {r.get('reasonable_s') or '-'} |")
    (RESULTS / "inference.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if all(r.get("same_entailments", True) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

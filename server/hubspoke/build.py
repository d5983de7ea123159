"""`hubspoke build`: load -> validate -> write the dataset and a report (DESIGN.md, 'Pipeline').

Nothing half-built is served: the dataset is written to a temporary file and renamed into place
only when validation passed, so a failing build leaves the last good dataset where it was.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from hubspoke import namespaces as ns
from hubspoke.config import ProjectPaths
from hubspoke.loading import LoadedFile, load_folder, turtle_files
from hubspoke.validation.locate import SourceIndex, index_files
from hubspoke.rdf_bridge import to_oxigraph
from hubspoke.validation import Problem, locate, validate_all

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class BuildFailed(Exception):
    """Validation found problems; the dataset was not written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"validation failed with {len(problems)} problem(s); dataset not written:\n{lines}")


@dataclass
class BuildReport:
    """What a build produced: triples per graph, instances per class, files read, seconds taken."""

    version: str
    dataset: str
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    inference: dict[str, object] = field(default_factory=dict)  # the infer step: counts, rules, seconds

    def text(self) -> str:
        lines = [f"hubspoke {self.version}: built {self.dataset} in {self.seconds:.2f} s"]
        lines += [f"  {n:>7}  {g}" for g, n in sorted(self.graphs.items())]
        if self.inference:
            lines.append(f"inferred {self.inference['inferred']} triples in {self.inference['seconds']} s "
                         f"({self.inference['rounds']} rounds); derivations per rule:")
            per_rule = self.inference.get("per_rule", {})
            assert isinstance(per_rule, dict)  # rule IRI -> count (Inference.per_rule)
            lines += [f"  {n:>7}  {r.rsplit('/', 1)[-1]}" for r, n in per_rule.items()]
        lines.append("instances per class (facts graph):")
        lines += [f"  {n:>7}  {c}" for c, n in sorted(self.classes.items(), key=lambda kv: (-kv[1], kv[0]))]
        return "\n".join(lines)


def version_triples(ontology: list[LoadedFile], version: str) -> list[ox.Triple]:
    """owl:versionIRI and owl:versionInfo for every module, from the one version in pyproject.toml."""
    out = []
    for loaded in ontology:
        for t in loaded.triples:
            if t.predicate == RDF_TYPE and t.object == ox.NamedNode(OWL + "Ontology"):
                assert isinstance(t.subject, ox.NamedNode)
                out.append(ox.Triple(t.subject, ox.NamedNode(OWL + "versionIRI"), ox.NamedNode(f"{t.subject.value}/{version}")))
                out.append(ox.Triple(t.subject, ox.NamedNode(OWL + "versionInfo"), ox.Literal(version)))
    return out


def link_triples(paths: ProjectPaths) -> list[ox.Triple]:
    """skos:exactMatch and ISO code triples from the reviewed identifier table, if the project has one."""
    if not paths.identifiers_csv.exists():
        return []
    from hubspoke.identifiers import identifier_graph  # the curated-identifier module
    from hubspoke.linking.void import void_graph

    links = identifier_graph(paths.identifiers_csv)
    return to_oxigraph(links) + to_oxigraph(void_graph(links))


def assemble(paths: ProjectPaths, version: str) -> tuple[dict[str, list[ox.Triple]], list[Path]]:
    """Load every source file into its named graph; raises CuratedFileError (RdfSyntaxError, IdentifierTableError) on the first bad file."""
    ontology = load_folder(paths.ontology_dir, ns.ONTOLOGY_GRAPH)
    facts = load_folder(paths.instances_dir, ns.FACTS_GRAPH)
    shapes = load_folder(paths.shapes_dir, ns.SHAPES_GRAPH)
    graphs: dict[str, list[ox.Triple]] = {
        ns.ONTOLOGY_GRAPH: [t for f in ontology for t in f.triples] + version_triples(ontology, version),
        ns.FACTS_GRAPH: [t for f in facts for t in f.triples],
        ns.LINKS_GRAPH: link_triples(paths),
        ns.SHAPES_GRAPH: [t for f in shapes for t in f.triples],
    }
    return graphs, [f.path for f in ontology + facts + shapes]


def validate(graphs: dict[str, list[ox.Triple]], paths: ProjectPaths | None = None,
             shacl_problems: list[Problem] | None = None) -> list[Problem]:
    """SHACL + SHACL-SPARQL, OWL consistency and (given the paths) the quote check, each problem at its
    file:line; raises validation.ValidationCannotRun when a check cannot run (no Java, no seeds).
    `shacl_problems`: the shapes' verdict on these graphs when the caller has it (validate_all)."""
    if paths is None:
        problems = validate_all(graphs)
        return problems + owl_rl_problems(graphs, None, problems, None)
    from hubspoke.validation.blame import recency

    curated = turtle_files(paths.instances_dir)
    index = index_files(paths.root, curated, paths.identifiers_csv)
    problems = validate_all(graphs, paths.seeds_dir, index, paths.external_terms,
                            recency(paths.root, [*curated, paths.identifiers_csv]), shacl_problems)
    return problems + owl_rl_problems(graphs, paths, problems, index) + ledger_problems(graphs, paths)


def ledger_problems(graphs: dict[str, list[ox.Triple]], paths: ProjectPaths) -> list[Problem]:
    """The coverage ledger's problems (hubspoke.validation.coverage), for a project that keeps a ledger."""
    from hubspoke.validation.coverage import RULE, check_coverage

    if not paths.coverage_dir.is_dir():
        return []
    facts = {t.subject.value for t in graphs[ns.FACTS_GRAPH] if isinstance(t.subject, ox.NamedNode)}
    result = check_coverage(paths.coverage_dir, paths.seeds_dir, facts, paths.root)
    return [Problem(RULE, p.focus, p.message, file=p.file, line=p.line, check="coverage") for p in result.problems]


def owl_rl_problems(graphs: dict[str, list[ox.Triple]], paths: ProjectPaths | None, found: list[Problem],
                    index: SourceIndex | None) -> list[Problem]:
    """What hubspoke's own reasoner adds: the ontology's constructs it does not reason with, and, when
    the other checks found nothing (a clash is most often their problem seen again), the clashes of
    the OWL 2 RL consistency rules over the closure with the domain rules, which HermiT cannot see."""
    from hubspoke.inference.checks import reasoner_problems, unsupported_problems

    files = turtle_files(paths.ontology_dir) if paths is not None else []
    problems = unsupported_problems(graphs[ns.ONTOLOGY_GRAPH], files, paths.root if paths is not None else Path("."))
    if not found:
        clashes = reasoner_problems(graphs, paths.rules_dir if paths is not None else None)
        problems += [locate(p, index) for p in clashes] if index is not None else clashes
    return sorted(problems, key=Problem.sort_key)


def imported_problems(graphs: dict[str, list[ox.Triple]]) -> list[Problem]:
    """The shapes over the curated graphs plus the imported one: an imported date that breaks a rule (an
    end before a start) stops the build like a curated one. The curated graphs passed already, so every
    problem found here comes with the imported facts."""
    from hubspoke.rdf_bridge import to_rdflib
    from hubspoke.validation import validate_shacl

    data = [t for g in (ns.ONTOLOGY_GRAPH, ns.FACTS_GRAPH, ns.LINKS_GRAPH, ns.IMPORTED_GRAPH) for t in graphs.get(g, [])]
    found = validate_shacl(to_rdflib(data), to_rdflib(graphs.get(ns.SHAPES_GRAPH, [])))
    return [dataclasses.replace(p, message=p.message + " (with the imported graph: see `hubspoke link check`)")
            for p in found]


def write_dataset(graphs: dict[str, list[ox.Triple]], target: Path) -> None:
    """Write N-Quads atomically: a reader sees the old file or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, ts in graphs.items() for t in ts]
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".dataset-", suffix=".nq")
    try:
        with os.fdopen(fd, "wb") as out:
            ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def class_counts(triples: list[ox.Triple]) -> dict[str, int]:
    counts = Counter(t.object.value for t in triples if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode))
    return dict(counts)


def infer_step(graphs: dict[str, list[ox.Triple]], paths: ProjectPaths) -> dict[str, object]:
    """OWL 2 RL closure + ontology/rules into INFERRED_GRAPH, derivation records into DERIVATIONS_GRAPH;
    the input graphs are read, never changed. Returns the counts for the report."""
    from hubspoke.inference.materialise import infer_folder

    inputs = {g: graphs[g] for g in (ns.ONTOLOGY_GRAPH, ns.FACTS_GRAPH, ns.LINKS_GRAPH)}
    result = infer_folder(inputs, paths.rules_dir)
    graphs[ns.INFERRED_GRAPH] = result.inferred
    graphs[ns.DERIVATIONS_GRAPH] = result.derivations
    return {
        "inferred": len(result.inferred),
        "derivation_triples": len(result.derivations),
        "per_rule": dict(sorted(result.per_rule.items())),
        "clashes": [c.message for c in result.clashes],
        "rounds": result.rounds,
        "seconds": result.seconds,
    }


class ShrinkRefused(Exception):
    """The build would publish a dataset without facts, or with far fewer than the last good one."""


SHRINK_FLOOR = 0.5  # publishing fewer than half the facts of the last good build needs --allow-shrink


def check_shrink(facts: int, report_file: Path, allow_shrink: bool) -> None:
    """Refuse an empty fact graph always (a missing or emptied instances/ folder is an accident, not a
    release), and a fact graph under half the last good build's unless told `allow_shrink`."""
    if facts == 0:
        raise ShrinkRefused("the build found no facts (is instances/ empty or missing?); nothing was written")
    if allow_shrink or not report_file.exists():
        return
    try:
        before = int(json.loads(report_file.read_text(encoding="utf-8"))["graphs"][ns.FACTS_GRAPH])
    except (OSError, ValueError, KeyError, TypeError):
        return  # no readable last report: nothing to compare with
    if facts < before * SHRINK_FLOOR:
        raise ShrinkRefused(f"the build has {facts} fact triples against {before} in the last good build; "
                            "nothing was written (run with --allow-shrink if the removal is meant)")


def build(paths: ProjectPaths, version: str, imported: bool = False, allow_shrink: bool = False) -> BuildReport:
    """Run the pipeline; raises CuratedFileError, BuildFailed, ShrinkRefused or ValidationCannotRun and then
    leaves the last dataset alone. With `imported`, the facts the snapshots give and the curated files lack
    go to the imported graph (hubspoke.linking.imported); without it the dataset is seeds-only and has no
    imported graph."""
    started = time.perf_counter()
    graphs, files = assemble(paths, version)
    check_shrink(len(graphs[ns.FACTS_GRAPH]), paths.report_file, allow_shrink)
    problems = validate(graphs, paths)
    if problems:
        raise BuildFailed(problems)
    inference = infer_step(graphs, paths)
    if imported:
        from hubspoke.linking.imported import imported_triples

        graphs[ns.IMPORTED_GRAPH] = imported_triples(graphs, paths.root / "snapshots")
        problems = imported_problems(graphs)
        if problems:
            raise BuildFailed(problems)
    write_dataset(graphs, paths.dataset_file)
    report = BuildReport(
        version=version,
        dataset=str(paths.dataset_file),
        graphs={g: len(ts) for g, ts in graphs.items()},
        classes=class_counts(graphs[ns.FACTS_GRAPH]),
        files=[str(f.relative_to(paths.root)) for f in files],
        seconds=round(time.perf_counter() - started, 3),
        inference=inference,
    )
    paths.report_file.write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    return report

"""Validation of the data before it is served (DESIGN.md, 'Pipeline'): SHACL and SHACL-SPARQL shapes,
OWL DL consistency and the quote check, gathered into one list of problems that each name the file
and line of the offending statement, the rule, a message a curator can act on and the source quote.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import rdflib

from hubspoke import namespaces as ns
from hubspoke.rdf_bridge import to_rdflib
from hubspoke.validation.blame import Recency, blame, merge_pairs
from hubspoke.validation.locate import SourceIndex
from hubspoke.validation.problems import Problem, ValidationCannotRun
from hubspoke.validation.shacl import validate_shacl
from hubspoke.validation.vocabulary import knock_on, vocabulary, vocabulary_problems

PROV = "http://www.w3.org/ns/prov#"


def owl_problems(ontology: Sequence[ox.Triple], facts: Sequence[ox.Triple]) -> list[Problem]:
    """The OWL consistency check as problems; raises ValidationCannotRun when HermiT cannot run."""
    from hubspoke.validation.consistency import ReasonerUnavailable, check_consistency

    try:
        result = check_consistency(ontology, facts)
    except ReasonerUnavailable as error:
        raise ValidationCannotRun(str(error)) from error
    if result.ontology_inconsistent:
        return [Problem("owl:consistency", "", "the ontology itself is inconsistent, before any fact is added; "
                        "check the axioms last changed in ontology/", check="owl")]
    problems = [
        Problem(c.rule, c.subject, c.message, path=c.path, value=c.value, check="owl")
        for conflict in result.conflicts for c in conflict
    ]
    if result.gave_up:
        problems.append(Problem("owl:consistency", "", "more facts contradict the ontology than are listed here; "
                                "fix these and validate again", check="owl"))
    return problems


def quote_problems(data: rdflib.Graph, seeds_dir: Path) -> list[Problem]:
    """The quote check (hubspoke.validation.quotes) as problems; raises ValidationCannotRun without a seed folder."""
    from rdflib.namespace import RDF

    from hubspoke.validation.dating import check_claim_dates, check_date_evidence
    from hubspoke.validation.modality import check_modality
    from hubspoke.validation.quotes import check_quotes

    has_quotes = (None, RDF.type, rdflib.URIRef(ns.HS + "Quotation")) in data
    if has_quotes and not seeds_dir.is_dir():
        raise ValidationCannotRun(f"the seed documents folder {seeds_dir} is missing, so quotes cannot be checked")
    return [
        Problem(q.rule, q.focus, q.message + (f" ({q.seed_file})" if q.seed_file else ""),
                path=q.path, quote=q.quote, check="quote")
        for q in [*check_quotes(data, seeds_dir), *check_modality(data), *check_claim_dates(data),
                  *check_date_evidence(data)]
    ]


def attach_quotes(problems: list[Problem], data: rdflib.Graph) -> list[Problem]:
    """Give each problem the verbatim quote behind its fact, where the fact has one."""
    derived, value = rdflib.URIRef(PROV + "wasDerivedFrom"), rdflib.URIRef(PROV + "value")
    out = []
    for p in problems:
        if not p.quote and p.focus:
            quotes = sorted(str(q) for source in data.objects(rdflib.URIRef(p.focus), derived)
                            for q in data.objects(source, value))
            if quotes:
                p = dataclasses.replace(p, quote=quotes[0])
        out.append(p)
    return out


def validate_all(
    graphs: dict[str, list[ox.Triple]],
    seeds_dir: Path | None = None,
    index: SourceIndex | None = None,
    external_terms: Path | None = None,
    recency: Recency | None = None,
    shacl_problems: list[Problem] | None = None,
) -> list[Problem]:
    """Every check over the assembled graphs, problems located (when an index of the curated files is
    given) and sorted. Without a seed folder the quote check is skipped; without an index, no file:line;
    without the table of external terms, no closed-vocabulary check; without the recency of the files
    (git, mtimes), a problem with several statements names them in file order.

    `shacl_problems`, when given, are the shapes' verdict on these very graphs, computed by the caller
    (the watch loop keeps it up to date node by node), and pyshacl does not run again.

    Terms that break the closed vocabulary come first, and the problems they cause on the same nodes
    are held back (vocabulary.knock_on).
    """
    ontology, facts, links = graphs[ns.ONTOLOGY_GRAPH], graphs[ns.FACTS_GRAPH], graphs.get(ns.LINKS_GRAPH, [])
    data = to_rdflib([*ontology, *facts, *links])
    quotes = quote_problems(data, seeds_dir) if seeds_dir is not None else []  # first: it may not be able to run
    # HermiT runs in a Java process: let it reason while pyshacl works (two cores, half the wait)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="hermit") as pool:
        owl = pool.submit(owl_problems, ontology, facts)
        problems = (list(shacl_problems) if shacl_problems is not None
                    else validate_shacl(data, to_rdflib(graphs.get(ns.SHAPES_GRAPH, []))))
        problems += owl.result()
    problems += quotes
    problems = attach_quotes(problems, data)
    if index is not None:
        problems = [locate(p, index) for p in problems]
        problems = [blame(p, index, recency or Recency()) for p in problems]
        problems = merge_pairs(sorted(set(problems), key=Problem.sort_key), recency or Recency())
    problems = sorted(set(problems), key=Problem.sort_key)
    if external_terms is None:
        return problems
    vocab = vocabulary(ontology, external_terms)
    typos = sorted(set(vocabulary_problems(facts, vocab, index)), key=Problem.sort_key)
    return knock_on(problems, typos, vocab)


def locate(problem: Problem, index: SourceIndex) -> Problem:
    """The problem with the file and line of its statement, when the index knows them (and it has none yet)."""
    if problem.file:
        return problem
    where = index.locate(problem.focus, problem.path, problem.value)
    if where is None:
        return problem
    return dataclasses.replace(problem, file=where.file, line=where.line)

"""The `hubspoke` command: build, validate, serve."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubspoke import __version__
from hubspoke.config import ProjectPaths

if TYPE_CHECKING:
    from flask import Flask

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


def project_version(root: Path) -> str:
    """The one version, read from pyproject.toml (so a bump needs no reinstall)."""
    pyproject = root / "pyproject.toml"
    if pyproject.exists():
        return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
    return __version__


def _paths(args: argparse.Namespace) -> ProjectPaths:
    build_dir = Path(args.build_dir) if getattr(args, "build_dir", None) else None
    return ProjectPaths.at(Path(args.root), build_dir=build_dir)


def cmd_build(args: argparse.Namespace) -> int:
    from hubspoke.build import BuildFailed, ShrinkRefused, build
    from hubspoke.linking.snapshots import SnapshotError
    from hubspoke.loading import CuratedFileError
    from hubspoke.validation import ValidationCannotRun

    paths = _paths(args)
    try:
        report = build(paths, project_version(paths.root), imported=_imported(args), allow_shrink=args.allow_shrink)
    except CuratedFileError as error:
        print(f"error: {error}\nbuild stopped; the last good dataset is left in place", file=sys.stderr)
        return EXIT_PROBLEMS
    except (BuildFailed, ShrinkRefused) as error:
        print(f"error: {error}\nthe last good dataset is left in place", file=sys.stderr)
        return EXIT_PROBLEMS
    except ValidationCannotRun as error:
        print(f"error: validation could not run: {error}\nthe last good dataset is left in place", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except SnapshotError as error:
        print(f"error: the imported graph cannot be built: {error}\nthe last good dataset is left in place", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(report.text())
    return EXIT_OK


def _imported(args: argparse.Namespace) -> bool:
    """seeds+imported when --imported (or HUBSPOKE_IMPORTED=1), seeds-only when --seeds-only or by default."""
    if getattr(args, "imported", None) is not None:
        return bool(args.imported)
    return os.environ.get("HUBSPOKE_IMPORTED", "").strip().lower() in ("1", "true", "yes", "on")


def cmd_export(args: argparse.Namespace) -> int:
    """`hubspoke export dyad-years`: the dyad-year CSV of the built dataset, to a file or stdout."""
    from hubspoke.linking.dyads import ExportError, csv_lines, dyad_years, states_without_codes
    from hubspoke.store import DatasetFileError, EmbeddedStore

    paths = _paths(args)
    dataset = Path(args.dataset) if args.dataset else paths.dataset_file
    if not dataset.exists():
        print(f"error: no dataset at {dataset}; run `hubspoke build` first", file=sys.stderr)
        return EXIT_CANNOT_RUN
    try:
        store = EmbeddedStore.from_file(dataset)
        rows = dyad_years(store, args.through)
    except (DatasetFileError, ExportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    missing = states_without_codes(store)
    if missing:
        print(f"warning: {len(missing)} state(s) have no COW code, so their ties are not in the table: "
              + ", ".join(m.rsplit("/", 1)[-1] for m in missing), file=sys.stderr)
    text = "".join(csv_lines(rows))
    if not args.output:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(f"{len(rows)} dyad-year rows written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _snapshots_dir(args: argparse.Namespace, paths: ProjectPaths) -> Path:
    return Path(args.snapshots) if args.snapshots else paths.root / "snapshots"


def cmd_link_refresh(args: argparse.Namespace) -> int:
    """`hubspoke link refresh`: ask the endpoint the queries of queries/wikidata/ and save the snapshots."""
    from hubspoke.identifiers import IdentifierTableError
    from hubspoke.linking.refresh import RefreshFailed, RefreshSettings, refresh

    paths = _paths(args)
    settings = RefreshSettings(endpoint=args.endpoint, timeout=args.timeout, attempts=args.attempts,
                               max_wait=args.max_wait, **({"license": args.license} if args.license else {}))
    queries = Path(args.queries) if args.queries else paths.queries_dir / "wikidata"
    try:
        outcomes = refresh(queries, paths.identifiers_csv, _snapshots_dir(args, paths), settings, args.only)
    except (RefreshFailed, IdentifierTableError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    for o in outcomes:
        print(f"{o.name}: {o.rows} rows -> {o.path} ({o.attempts} attempt{'s' if o.attempts > 1 else ''})")
    return EXIT_OK


def cmd_link_check(args: argparse.Namespace) -> int:
    """`hubspoke link check`: the snapshots against the curated graph, as a validation report."""
    from hubspoke.build import assemble
    from hubspoke.linking.check import check, curated
    from hubspoke.linking.snapshots import SnapshotError, load
    from hubspoke.loading import CuratedFileError, turtle_files
    from hubspoke.validation.locate import index_files
    from hubspoke.report import render

    paths = _paths(args)
    try:
        snapshots = load(_snapshots_dir(args, paths))
        graphs, _files = assemble(paths, project_version(paths.root))
    except (SnapshotError, CuratedFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    index = index_files(paths.root, turtle_files(paths.instances_dir), paths.identifiers_csv)
    problems = check(curated(graphs, paths.identifiers_csv, index), snapshots)
    sys.stdout.write(render(problems, args.format))
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    if getattr(args, "watch", False):
        from hubspoke.curation.commands import cmd_validate_watch

        return cmd_validate_watch(args)
    from hubspoke.build import assemble, validate
    from hubspoke.loading import CuratedFileError
    from hubspoke.report import render
    from hubspoke.validation import Problem, ValidationCannotRun

    paths = _paths(args)
    graphs: dict[str, list[Any]] = {}
    try:
        graphs, _files = assemble(paths, project_version(paths.root))
        problems = validate(graphs, paths)
    except CuratedFileError as error:  # a file that cannot be read is a problem in the data, with its line
        where = error.path.relative_to(paths.root) if error.path.is_relative_to(paths.root) else error.path
        problems = [Problem(error.rule, "", f"{error.what}: {error.message}", file=str(where),
                            line=error.line or 0, check="syntax")]
    except ValidationCannotRun as error:
        print(f"error: validation could not run: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except Exception as error:  # the validator itself could not run: say so, exit 2
        print(f"error: validation could not run: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    sys.stdout.write(render(problems, args.format))
    if graphs:
        _print_coverage(paths, graphs)
    return EXIT_PROBLEMS if problems else EXIT_OK


def _print_coverage(paths: ProjectPaths, graphs: dict[str, list[Any]]) -> None:
    """The coverage ledger's figures per seed, on stderr so that the report on stdout stays parseable."""
    from hubspoke import namespaces as ns
    from hubspoke.validation.coverage import check_coverage

    if paths.coverage_dir.is_dir() and paths.seeds_dir.is_dir():
        facts = {getattr(t.subject, "value", "") for t in graphs.get(ns.FACTS_GRAPH, [])}
        print(check_coverage(paths.coverage_dir, paths.seeds_dir, facts, paths.root).summary(), file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    from hubspoke.endpoint.sandbox import Limits, check_available
    from hubspoke.serve import serve
    from hubspoke.shared_store import SharedStore
    from hubspoke.store import DatasetFileError, EmbeddedStore
    from hubspoke.web import AppConfig, create_app

    paths = _paths(args)
    reloading = None
    if args.reload:  # local use: build now, then rebuild and swap on every change (curation/reload.py)
        from hubspoke.curation.commands import prepare_reload

        reloading = prepare_reload(args, paths, project_version(paths.root))
        if reloading is None:
            return EXIT_CANNOT_RUN
    dataset = Path(args.dataset) if args.dataset else paths.dataset_file
    if not dataset.exists():
        hint = "" if args.dataset else "; run `hubspoke build` first"
        print(f"error: no dataset at {dataset}{hint}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    try:
        EmbeddedStore.from_file(dataset)  # fail here, once, rather than in every worker
    except DatasetFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    token = args.update_token or os.environ.get("HUBSPOKE_UPDATE_TOKEN") or None
    version = project_version(paths.root)
    timeout = args.query_timeout or None  # 0 turns the deadline (and the per-query process) off
    # The master owns this folder and removes it when it ends: a TemporaryDirectory would be removed by
    # every worker that exits normally (its finaliser is inherited by the fork), under the others' feet.
    state = tempfile.mkdtemp(prefix="hubspoke-serve-")
    master = os.getpid()
    try:
        # prometheus_client reads this before its first import: every worker's counts add up at /metrics.
        metrics_dir = Path(state, "metrics")
        metrics_dir.mkdir()
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
        if args.seeds_only:  # serve the curated facts only: a copy of the dataset without the imported graph
            from hubspoke.linking.imported import without_imported

            dataset = without_imported(dataset, Path(state))
        # With writes on, the workers share a working copy of the dataset (shared_store.py).
        working = SharedStore.create(dataset, Path(state)) if token else None
        if working:
            SharedStore.prime(working)  # in the master: the shapes' verdict on the data as served
        memory = int(args.memory_limit_mib) << 20
        limits = Limits(network=bool(args.service_allow), memory_bytes=memory or None)
        sandbox_problem = check_available()
        if sandbox_problem and not args.service_allow:
            print(f"warning: {sandbox_problem}; query processes keep the network, only the guard stands",
                  file=sys.stderr)

        def factory() -> Flask:
            store = SharedStore(working, timeout, limits) if working else EmbeddedStore.from_file(dataset)
            return create_app(AppConfig(
                build_id=reloading.loaded(dataset) if reloading else "",
                reload_status=reloading.status if reloading else None,
                store=store, version=version, update_token=token, max_body_bytes=args.max_body_bytes,
                query_timeout=timeout, row_cap=args.row_cap, byte_cap=args.byte_cap, memory_limit=memory,
                query_slots=args.query_slots, per_client=args.per_client,
                service_allow=tuple(args.service_allow), cors_origins=tuple(args.cors_origin)))

        print(f"hubspoke {version} serving {dataset} on http://{args.host}:{args.port}/ (SPARQL: /sparql)", flush=True)
        if reloading:
            reloading.start(master)
        serve(factory, args.host, args.port, args.workers, request_timeout=timeout)
    finally:
        if os.getpid() == master:
            if reloading:
                reloading.stop()
            shutil.rmtree(state, ignore_errors=True)
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from hubspoke.client import QueryFailed, run_query

    try:
        body = run_query(args.endpoint, args.query, args.format, args.timeout)
    except QueryFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    sys.stdout.buffer.write(body)
    sys.stdout.flush()
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    """Why a triple holds as of a year, resting on the fact named (or the one the ties page would
    show): the short chain with the fact's date and quotes, then the proof down to the source quotes;
    exit 1 when it is neither asserted nor inferred."""
    import pyoxigraph as ox

    from hubspoke.inference.explain import TermError, chain_text, explain, parse_term, to_text
    from hubspoke.inference.ties import load_facts
    from hubspoke.store import DatasetFileError, EmbeddedStore

    paths = _paths(args)
    dataset = Path(args.dataset) if args.dataset else paths.dataset_file
    if not dataset.exists():
        print(f"error: no dataset at {dataset}; run `hubspoke build` first", file=sys.stderr)
        return EXIT_CANNOT_RUN
    if args.year is not None and not 1800 <= args.year <= 2200:
        print(f"error: --year must be a year between 1800 and 2200, not {args.year}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    try:
        s, p, o = parse_term(args.s, "subject"), parse_term(args.p, "predicate"), parse_term(args.o, "object")
        fact = parse_term(args.fact, "subject") if args.fact else None
        store = EmbeddedStore.from_file(dataset)
    except (TermError, DatasetFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    assert isinstance(p, ox.NamedNode)  # parse_term gives a literal only in object position
    found = explain(store, s, p, o, args.year, fact.value if isinstance(fact, ox.NamedNode) else None)
    if found.fact is not None:
        print(chain_text(found, load_facts(store)[1]))
        if found.note:
            print(f"note: {found.note}")
        print("\nproof:")
    print(to_text(found))
    return EXIT_OK if found.status != "absent" else EXIT_PROBLEMS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hubspoke", description="A knowledge graph of Asia-Pacific security alignments.")
    p.add_argument("--version", action="version", version=f"hubspoke {__version__}")
    p.add_argument("--root", default=os.environ.get("HUBSPOKE_ROOT", "."), help="the project folder (default: current)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="load, validate and write the dataset and a report")
    b.add_argument("--build-dir", help="where to write the dataset (default: ROOT/build)")
    b.add_argument("--allow-shrink", action="store_true",
                   help="publish even with under half the facts of the last good build (never with none)")
    b.add_argument("--imported", dest="imported", action="store_true", default=None,
                   help="add the imported graph: facts from snapshots/ that the curated files lack (or HUBSPOKE_IMPORTED=1)")
    b.add_argument("--seeds-only", dest="imported", action="store_false",
                   help="curated facts only, no imported graph (the default)")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="check the curated files and report every problem")
    v.add_argument("--format", choices=("text", "json", "turtle"), default="text",
                   help="text for people, json for programs, turtle for a SHACL sh:ValidationReport")
    v.add_argument("--watch", action="store_true",
                   help="check again on every save: the shapes of the edited facts first, then the full check")
    v.add_argument("--owl", action="store_true",
                   help="with --watch: run the full check (cross-fact rules, OWL, quotes) even when the shapes fail")
    v.add_argument("--shapes-only", action="store_true", help="with --watch: never run the full check")
    v.add_argument("--interval", type=float, default=0.25, metavar="SECONDS",
                   help="with --watch: how often to look for saved files (default 0.25)")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("serve", help="serve the dataset over the SPARQL protocol with gunicorn")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--dataset", help="serve this N-Quads/TriG file instead of the built graph")
    s.add_argument("--build-dir", help="where the built dataset is (default: ROOT/build)")
    s.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: one per core)")
    s.add_argument("--update-token", help="bearer token that enables SPARQL Update and Graph Store writes")
    s.add_argument("--query-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="stop a query or write after this long, answering 422 (default 10; 0 = no limit)")
    s.add_argument("--row-cap", type=int, default=10_000, metavar="N",
                   help="refuse (422) results of more than N rows or triples (default 10000; 0 = no cap)")
    s.add_argument("--max-body-bytes", type=int, default=1 << 20, metavar="BYTES",
                   help="refuse (413) request bodies larger than this (default 1 MiB)")
    s.add_argument("--byte-cap", type=int, default=64 << 20, metavar="BYTES",
                   help="refuse (422) answers larger than this (default 64 MiB; 0 = no cap)")
    s.add_argument("--memory-limit-mib", type=int, default=1024, metavar="MIB",
                   help="memory each query, update or upload process may add (default 1024; 0 = no limit)")
    s.add_argument("--query-slots", type=int, default=2, metavar="N",
                   help="query processes per worker: requests run at once per worker (default 2)")
    s.add_argument("--per-client", type=int, default=2, metavar="N",
                   help="requests one client may have running per worker; more get 429 (default 2)")
    s.add_argument("--service-allow", action="append", default=[], metavar="IRI",
                   help="a SERVICE endpoint queries may call (repeatable; default: none)")
    s.add_argument("--seeds-only", action="store_true",
                   help="leave out the imported graph (facts from open-data snapshots) of a dataset built with --imported")
    s.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="an origin allowed by CORS, or '*' (repeatable; default: none)")
    s.add_argument("--reload", action="store_true",
                   help="for local use: build now, then rebuild on every saved change and swap in each good build "
                        "(the last good one stays served when an edit fails; /health says which)")
    s.set_defaults(func=cmd_serve)

    q = sub.add_parser("query", help="run a SPARQL query against hubspoke or any SPARQL endpoint")
    q.add_argument("query", metavar="QUERY_OR_@FILE", help="the query text, or @path to read it from a file")
    q.add_argument("--endpoint", default=os.environ.get("HUBSPOKE_ENDPOINT", "http://127.0.0.1:8080/sparql"),
                   help="the endpoint URL (default: $HUBSPOKE_ENDPOINT or http://127.0.0.1:8080/sparql)")
    q.add_argument("--format", default=None,
                   help="json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, nquads, trig, jsonld, rdfxml "
                        "(CONSTRUCT/DESCRIBE); default json or turtle")
    q.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the answer (default 60)")
    q.set_defaults(func=cmd_query)

    e = sub.add_parser("explain", help="why a triple holds: the rule, the premises and the source quotes")
    e.add_argument("s", help="subject: a prefixed name (hsi:japan) or a full IRI")
    e.add_argument("p", help="predicate: a prefixed name (hs:spokeToSpokePartnerOf) or a full IRI")
    e.add_argument("o", help='object: a prefixed name, a full IRI or a quoted literal')
    e.add_argument("--year", type=int, help="as of this year: the derivation whose fact stood then (default: today)")
    e.add_argument("--fact", help="the relationship the explanation must rest on (a prefixed name or IRI)")
    e.add_argument("--dataset", help="explain from this N-Quads/TriG file instead of the built graph")
    e.add_argument("--build-dir", help="where the built dataset is (default: ROOT/build)")
    e.set_defaults(func=cmd_explain)

    lk = sub.add_parser("link", help="links with open data: refresh snapshots, check them against the graph")
    ls = lk.add_subparsers(dest="what", required=True)
    r = ls.add_parser("refresh", help="ask an endpoint the queries of queries/wikidata/ and save snapshots with PROV records")
    r.add_argument("--endpoint", default="https://query.wikidata.org/sparql", help="SPARQL endpoint (default: Wikidata's)")
    r.add_argument("--snapshots", help="folder for the snapshots (default: ROOT/snapshots)")
    r.add_argument("--queries", help="folder of .rq queries (default: ROOT/queries/wikidata)")
    r.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this query (repeatable)")
    r.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    r.add_argument("--attempts", type=int, default=3, help="requests per query at most (default 3)")
    r.add_argument("--max-wait", type=float, default=120.0, help="longest Retry-After honoured, seconds (default 120)")
    r.add_argument("--license", help="licence IRI of the endpoint's data (default: CC0 1.0, Wikidata's)")
    r.set_defaults(func=cmd_link_refresh)
    c = ls.add_parser("check", help="compare the snapshots with the curated graph; problems as a validation report")
    c.add_argument("--snapshots", help="folder of the snapshots (default: ROOT/snapshots)")
    c.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    c.set_defaults(func=cmd_link_check)

    from hubspoke.curation import commands as curation  # the curators' subcommands (CURATING.md)

    n = sub.add_parser("new", help="print a skeleton for a new curated fact")
    ns_ = n.add_subparsers(dest="what", required=True)
    f = ns_.add_parser("fact", help="a Turtle skeleton of one kind, its quotation taken from the seed by a few words")
    f.add_argument("--kind", required=True, help="alliance, partnership, agreement, dialogue, meeting, exercise, operation, cooperation")
    f.add_argument("--source", required=True, help="the seed document: 001, source-001 or hsi:source-001")
    f.add_argument("--quote", required=True, metavar="WORDS", help="a few words of the passage to quote, as the seed has them")
    f.add_argument("--id", help="the new fact's name (hsi:japan-x-partnership); default a TODO placeholder")
    f.set_defaults(func=curation.cmd_new_fact)

    x = sub.add_parser("export", help="exports of the built graph for other tools")
    xs = x.add_subparsers(dest="what", required=True)
    d = xs.add_parser("dyad-years", help="one CSV row per pair of states, year and tie, keyed by COW and ISO codes")
    d.add_argument("--dataset", help="export from this N-Quads/TriG file instead of the built graph")
    d.add_argument("--build-dir", help="where the built dataset is (default: ROOT/build)")
    d.add_argument("--output", "-o", help="write the CSV here (default: stdout)")
    d.add_argument("--through", type=int, default=None, metavar="YEAR",
                   help="the last year to emit (default: the latest year a source document was issued)")
    d.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())

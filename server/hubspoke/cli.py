"""The `hubspoke` command: build, validate, serve."""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

from hubspoke import __version__
from hubspoke.config import ProjectPaths

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
    from hubspoke.build import BuildFailed, build
    from hubspoke.loading import RdfSyntaxError

    paths = _paths(args)
    try:
        report = build(paths, project_version(paths.root))
    except RdfSyntaxError as error:
        print(f"error: {error}\nbuild stopped; the last good dataset is left in place", file=sys.stderr)
        return EXIT_PROBLEMS
    except BuildFailed as error:
        print(f"error: {error}\nthe last good dataset is left in place", file=sys.stderr)
        return EXIT_PROBLEMS
    print(report.text())
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from hubspoke.build import assemble, validate
    from hubspoke.loading import RdfSyntaxError

    paths = _paths(args)
    try:
        graphs, _files = assemble(paths, project_version(paths.root))
        problems = validate(graphs)
    except RdfSyntaxError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception as error:  # the validator itself could not run: say so, exit 2
        print(f"error: validation could not run: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from hubspoke.serve import serve
    from hubspoke.store import DatasetFileError, EmbeddedStore
    from hubspoke.web import AppConfig, create_app

    paths = _paths(args)
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

    def factory() -> object:
        return create_app(AppConfig(store=EmbeddedStore.from_file(dataset), version=version, update_token=token))

    print(f"hubspoke {version} serving {dataset} on http://{args.host}:{args.port}/ (SPARQL: /sparql)", flush=True)
    serve(factory, args.host, args.port, args.workers)  # type: ignore[arg-type]
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hubspoke", description="A knowledge graph of Asia-Pacific security alignments.")
    p.add_argument("--version", action="version", version=f"hubspoke {__version__}")
    p.add_argument("--root", default=os.environ.get("HUBSPOKE_ROOT", "."), help="the project folder (default: current)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="load, validate and write the dataset and a report")
    b.add_argument("--build-dir", help="where to write the dataset (default: ROOT/build)")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="check the curated files and report every problem")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("serve", help="serve the dataset over the SPARQL protocol with gunicorn")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--dataset", help="serve this N-Quads/TriG file instead of the built graph")
    s.add_argument("--build-dir", help="where the built dataset is (default: ROOT/build)")
    s.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: one per core)")
    s.add_argument("--update-token", help="bearer token that enables SPARQL Update and Graph Store writes")
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())

"""The curators' subcommands, called by hubspoke.cli: `new fact`, `validate --watch`, `serve --reload`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hubspoke.config import ProjectPaths

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


def cmd_new_fact(args: argparse.Namespace) -> int:
    """Print a Turtle skeleton for a new fact with its quotation filled from the seed."""
    from hubspoke.curation.scaffold import ScaffoldError, skeleton
    from hubspoke.loading import CuratedFileError, load_folder

    paths = ProjectPaths.at(Path(args.root))
    try:
        facts = [t for f in load_folder(paths.instances_dir, "") for t in f.triples]
        text, passage = skeleton(args.kind, facts, paths.seeds_dir, args.source, args.quote, args.id)
    except (ScaffoldError, CuratedFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    sys.stdout.write(text)
    if passage.also_matched:
        print(f"note: {passage.also_matched} more sentence(s) of the seed contain these words; the first is quoted "
              "(add words to choose another)", file=sys.stderr)
    return EXIT_OK


def cmd_validate_watch(args: argparse.Namespace) -> int:
    """`hubspoke validate --watch`: check now, then again after every save, until Ctrl-C."""
    from hubspoke.cli import project_version
    from hubspoke.curation.watch import FULL_ALWAYS, FULL_NEVER, FULL_WHEN_CLEAN, Watcher, watch

    if args.format != "text":
        print("error: --watch prints text for people; use `hubspoke validate --format` once for programs", file=sys.stderr)
        return EXIT_CANNOT_RUN
    paths = ProjectPaths.at(Path(args.root))
    full = FULL_ALWAYS if args.owl else FULL_NEVER if args.shapes_only else FULL_WHEN_CLEAN
    try:
        watch(Watcher(paths, project_version(paths.root), full), sys.stdout, interval=args.interval)
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr)
    return EXIT_OK

"""The curators' subcommands, called by hubspoke.cli: `new fact`, `validate --watch`, `serve --reload`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass, field
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
        watch(Watcher(paths, project_version(paths.root), full, background=True), sys.stdout, interval=args.interval)
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr)
    return EXIT_OK


@dataclass
class Reloading:
    """`serve --reload` in the master: the project's paths and the reloader process, once started."""

    paths: ProjectPaths
    process: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def status(self) -> Path:
        """The rebuilds' status file, which /health and the pages read."""
        from hubspoke.curation.reload import status_path

        return status_path(self.paths)

    def loaded(self, dataset: Path) -> str:
        """The name of the build a worker is loading."""
        from hubspoke.curation.reload import build_id

        return build_id(dataset)

    def start(self, master: int) -> None:
        from hubspoke.curation.reload import start

        self.process = start(self.paths, master)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def prepare_reload(args: argparse.Namespace, paths: ProjectPaths, version: str) -> Reloading | None:
    """Check the flags go together and build once; None (after saying why) when serving cannot start."""
    from hubspoke.curation.reload import first_build

    if args.dataset or args.update_token or args.seeds_only:
        print("error: --reload serves the project's own build: it goes with neither --dataset, --update-token "
              "nor --seeds-only", file=sys.stderr)
        return None
    attempt = first_build(paths, version)
    if not attempt.ok:
        listed = "\n  ".join(attempt.problems)
        if not paths.dataset_file.exists():
            print(f"error: the build failed and there is no earlier good build to serve:\n  {listed}", file=sys.stderr)
            return None
        print(f"warning: the build failed ({attempt.count} problem(s)); serving the last good build:\n  {listed}",
              file=sys.stderr)
    return Reloading(paths)

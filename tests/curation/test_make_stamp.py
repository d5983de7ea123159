"""The Makefile runs pip only when pyproject.toml changed since the last install (a stamp per install)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def planned(folder: Path, target: str) -> str:
    """What `make -n TARGET` would run (nothing is run)."""
    done = subprocess.run(["make", "-n", "--no-print-directory", "-C", str(folder), target], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_pip_runs_only_when_pyproject_changed(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed on this machine")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("", encoding="utf-8")
    assert "pip install" in planned(tmp_path, "install")  # never installed: pip runs
    past = time.time() - 60
    os.utime(tmp_path / "pyproject.toml", (past, past))
    for stamp in (".installed-run", ".installed-test"):
        (tmp_path / ".venv" / stamp).write_text("", encoding="utf-8")
    assert "pip install" not in planned(tmp_path, "install")
    assert "pip install" not in planned(tmp_path, "install-test")
    assert "pip install" not in planned(tmp_path, "validate") and "hubspoke validate" in planned(tmp_path, "validate")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "pip install" in planned(tmp_path, "install")  # pyproject.toml changed: pip runs again


def test_without_java_make_installs_the_java_extra(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed on this machine")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("", encoding="utf-8")
    only_make = tmp_path / "bin"
    only_make.mkdir()
    (only_make / "make").symlink_to(make)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"} | {"PATH": str(only_make)}
    done = subprocess.run(["make", "-n", "--no-print-directory", "-C", str(tmp_path), "install", "install-test"],
                          capture_output=True, text=True, timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert "-e '.[java]'" in done.stdout and "-e '.[test,java]'" in done.stdout
    if shutil.which("java"):  # this machine has Java: no runtime from pip
        assert "java]" not in planned(tmp_path, "install") + planned(tmp_path, "install-test")

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

"""STYLE.md 13: the server package passes `mypy --strict` (the settings are in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_strict_passes() -> None:
    # Run from the project root so mypy reads [tool.mypy] from pyproject.toml; .mypy_cache keeps reruns fast.
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"mypy --strict failed:\n{run.stdout}{run.stderr}"

"""A writable copy of the project for the curators' tools: they edit files, the checkout stays as it is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def copy_project(target: Path) -> Path:
    """ontology/, instances/, shapes/ and pyproject.toml copied into `target` (the files a build reads)."""
    for folder in ("ontology", "instances", "shapes"):
        shutil.copytree(ROOT / folder, target / folder)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")

"""Where a hubspoke project keeps its files. Passed in explicitly; nothing is read at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    """The folders of one hubspoke checkout (DESIGN.md, 'Layout') and where the build writes."""

    root: Path
    build_dir: Path
    seeds_dir: Path

    @classmethod
    def at(cls, root: Path, build_dir: Path | None = None, seeds_dir: Path | None = None) -> ProjectPaths:
        root = root.resolve()
        env_seeds = os.environ.get("HUBSPOKE_SEEDS")
        default_seeds = Path(env_seeds) if env_seeds else root.parent / "shared" / "seeds"
        return cls(root=root, build_dir=(build_dir or root / "build").resolve(), seeds_dir=seeds_dir or default_seeds)

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def rules_dir(self) -> Path:
        return self.root / "ontology" / "rules"

    @property
    def external_terms(self) -> Path:
        """The terms of other vocabularies curated facts may use (the closed vocabulary)."""
        return self.ontology_dir / "external-terms.csv"

    @property
    def instances_dir(self) -> Path:
        return self.root / "instances"

    @property
    def coverage_dir(self) -> Path:
        return self.instances_dir / "coverage"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def identifiers_csv(self) -> Path:
        return self.instances_dir / "identifiers.csv"

    @property
    def dataset_file(self) -> Path:
        return self.build_dir / "hubspoke.nq"

    @property
    def report_file(self) -> Path:
        return self.build_dir / "report.json"

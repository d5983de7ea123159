"""Inference: OWL 2 RL closure of the ontology's axioms, the domain rules of ontology/rules/,
derivation records, and the US-linked ties built on them (DESIGN.md, 'Pipeline: infer')."""

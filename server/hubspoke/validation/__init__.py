"""Validation of the data before it is served, a module per concern: the report type (problems), the
shapes (shacl), OWL DL consistency with HermiT (consistency), file:line of statements (locate) and the
pipeline that runs them all. The quote check stays in hubspoke.validation.quotes. The names other code imports
from `hubspoke.validation` are re-exported here."""

from hubspoke.validation.pipeline import attach_quotes, locate, owl_problems, quote_problems, validate_all
from hubspoke.validation.problems import Problem, ValidationCannotRun, compact, compact_all
from hubspoke.validation.shacl import validate_shacl

__all__ = [
    "Problem",
    "ValidationCannotRun",
    "attach_quotes",
    "compact",
    "compact_all",
    "locate",
    "owl_problems",
    "quote_problems",
    "validate_all",
    "validate_shacl",
]

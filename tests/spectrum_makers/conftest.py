"""Fixtures of the spectrum-maker tests (defined in spectrum_helpers.py, a uniquely
named module the tests import helpers from)."""
from spectrum_helpers import hess_observations, magic_observations, v3_chain, v4_chain  # noqa: F401

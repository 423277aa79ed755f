"""Units at the edges: turn the public arguments (Quantity, strings, numbers) into the
floats the builders use."""
import numpy as np
from astropy import units as u

__all__ = ["to_float", "axis_values"]


def to_float(value, unit):
    """A scalar in ``unit`` from a Quantity, a string like "42 s" or a bare number."""
    if isinstance(value, str):
        value = u.Quantity(value)
    if isinstance(value, u.Quantity):
        return float(value.to_value(unit))
    return float(value)


def axis_values(axis, what, unit):
    """``axis.center`` / ``axis.edges`` as a float64 array in ``unit``."""
    values = getattr(axis, what)
    if isinstance(values, u.Quantity):
        return np.asarray(values.to_value(unit), dtype=float)
    return np.asarray(values, dtype=float)

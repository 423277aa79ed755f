"""Pointing patterns: wobble around a target, or a grid."""
import attrs
import numpy as np

from .sampling import offset_by

__all__ = ["Pointing", "wobble_pointings", "grid_pointings"]


@attrs.frozen
class Pointing:
    ra: float
    dec: float


def wobble_pointings(target_ra, target_dec, offset=0.5, n=4, start_angle=0.0):
    """``n`` pointings at ``offset`` (deg) from the target, position angles evenly spaced
    from ``start_angle`` (deg, east of north)."""
    angles = start_angle + 360.0 * np.arange(n) / n
    ra, dec = offset_by(target_ra, target_dec, angles, np.full(n, float(offset)))
    return [Pointing(float(r), float(d)) for r, d in zip(ra, dec)]


def grid_pointings(center_ra, center_dec, n_lon=3, n_lat=3, spacing=1.0):
    """A ``n_lon × n_lat`` grid spaced by ``spacing`` (deg) around the centre: offsets
    along the local east and north directions, row by row from south-east."""
    east = (np.arange(n_lon) - (n_lon - 1) / 2) * spacing
    north = (np.arange(n_lat) - (n_lat - 1) / 2) * spacing
    e, n = (a.ravel() for a in np.meshgrid(east, north))
    separation = np.hypot(e, n)
    angle = np.rad2deg(np.arctan2(e, n))
    ra, dec = offset_by(center_ra, center_dec, angle, separation)
    return [Pointing(float(r), float(d)) for r, d in zip(ra, dec)]

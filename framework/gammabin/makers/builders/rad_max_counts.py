"""ON/OFF counts of point-like IRFs: events within the energy- and offset-dependent
RAD_MAX radius around each point (datasets-makers.md §2.3, background-makers.md §3.3).

The radius per event is evaluated once per distinct offset and reused by every point
at that offset; separations are great-circle distances on float arrays."""
import numpy as np
from astropy import units as u

from gammabin import kernels

from .counts import energy_bin_indices, energy_histogram, event_positions

__all__ = ["make_counts_rad_max", "make_counts_off_rad_max", "rad_max_counts_values", "point_centres_radec"]


def _events_pointing(events):
    icrs = events.pointing_radec.icrs
    return float(icrs.ra.deg), float(icrs.dec.deg)


def point_centres_radec(region):
    """ICRS (ra, dec) arrays of the points of a point region or a compound of points;
    ValueError for any other shape."""
    from regions import CompoundSkyRegion, PointSkyRegion

    def flatten(r):
        if isinstance(r, CompoundSkyRegion):
            return flatten(r.region1) + flatten(r.region2)
        return [r]

    points = flatten(region)
    if not all(isinstance(p, PointSkyRegion) for p in points):
        raise ValueError(f"Only supports PointSkyRegions, got {region} instead")
    ra = np.array([float(p.center.icrs.ra.deg) for p in points])
    dec = np.array([float(p.center.icrs.dec.deg) for p in points])
    return ra, dec


def rad_max_counts_values(events, rad_max, axis, ra, dec):
    """Counts per bin of ``axis`` summed over the points (ra, dec): events with
    separation <= RAD_MAX(E, offset of the point), nearest-node lookup (inclusive)."""
    ra0, dec0 = _events_pointing(events)
    ev_ra, ev_dec = event_positions(events, "icrs")
    indices = energy_bin_indices(events, axis)
    offsets = kernels.angular_separation(ra, dec, ra0, dec0)
    radius_cache = {}
    total = np.zeros(axis.nbin)
    for p_ra, p_dec, offset in zip(ra, dec, offsets):
        radius = radius_cache.get(float(offset))
        if radius is None:
            radius = rad_max.evaluate(method="nearest", energy=events.energy, offset=u.Quantity(offset, u.deg))
            radius = radius_cache[float(offset)] = np.asarray(u.Quantity(radius).to_value(u.deg))
        separation = kernels.angular_separation(p_ra, p_dec, ev_ra, ev_dec)
        total += energy_histogram(indices, separation <= radius, axis.nbin)
    return total


def _counts_map(geom, values):
    from gammabin.maps import Map

    return Map.from_geom(geom, data=values.astype(np.float32).reshape(geom.data_shape), unit="")


def make_counts_rad_max(geom, rad_max, events):
    """ON counts of a point region geometry with the RAD_MAX cut (float32 map)."""
    ra, dec = point_centres_radec(geom.region)
    return _counts_map(geom, rad_max_counts_values(events, rad_max, geom.axes["energy"], ra[:1], dec[:1]))


def make_counts_off_rad_max(geom_off, rad_max, events):
    """OFF counts summed over the points of ``geom_off`` (no overlap check)."""
    ra, dec = point_centres_radec(geom_off.region)
    return _counts_map(geom_off, rad_max_counts_values(events, rad_max, geom_off.axes["energy"], ra, dec))

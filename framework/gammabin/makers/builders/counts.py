"""Counts maps: events binned on a WCS geometry (§2.2 Counts, DIM §3.1, H7).

Positions: float32 RA/DEC → float64 → geometry frame → WCSLIB pixels → floor(pix + 0.5).
Energies stay float32 (in the axis unit) through the axis' own exact binning arithmetic.
"""
import numpy as np
from astropy import units as u

from gammabin import kernels

from .pixels import sky_to_frame

__all__ = ["counts_values", "make_counts", "event_columns", "event_positions", "energy_bin_indices",
           "energy_histogram"]


def event_columns(events):
    """(ra_deg float64, dec_deg float64, energy Quantity-free array, energy unit) of an EventList."""
    ra = np.asarray(events.column("RA"), dtype=float)
    dec = np.asarray(events.column("DEC"), dtype=float)
    energy = events.energy  # Quantity in the file unit and dtype
    return ra, dec, energy


def _energy_in_axis_unit(energy, axis):
    """Event energies in the axis unit, keeping the file dtype (float32)."""
    value = np.asarray(energy.value)
    factor = float(u.Unit(energy.unit).to(axis.unit))
    if factor != 1.0:
        value = value * factor  # python float × float32 array stays float32 (NEP 50)
    return value


_DEG_TO_RAD = 0.017453292519943295


def _wrap_float32(lon):
    """astropy's Longitude wrap to [0, 360) done in the column dtype (float32)."""
    lon = np.array(lon, copy=True)
    if np.any((lon < 0) | (lon >= 360)):
        wraps = (lon - 0.0) // 360.0
        lon -= wraps * 360.0
        lon[lon >= 360.0] -= 360.0
        lon[lon < 0.0] += 360.0
    return lon


def event_positions(events, frame):
    """Event directions in ``frame`` (deg, float64) as gammapy gets them from a SkyCoord
    of the float32 columns: longitude wrapped in float32, degrees → radians in float32,
    then float64 (erfa); a frame change rotates those unit vectors (DIM §3.1, H7)."""
    ra = np.asarray(events.column("RA"))
    dec = np.asarray(events.column("DEC"))
    if ra.dtype == np.float32:
        ra = _wrap_float32(ra)
    if frame == "icrs":
        return ra.astype(float), dec.astype(float)
    # the radians astropy feeds to erfa's s2c: float32 products, then double trigonometry
    ra_rad = (ra * _DEG_TO_RAD).astype(float)
    dec_rad = (dec * _DEG_TO_RAD).astype(float)
    return sky_to_frame(np.rad2deg(ra_rad), np.rad2deg(dec_rad), "icrs", frame)


def energy_bin_indices(events, axis):
    """Bin index of every event's reco energy on ``axis`` (-1 outside ``[e_lo, e_hi)``),
    with the float32 arithmetic of the counts maps (H7)."""
    return axis._coord_to_bin(_energy_in_axis_unit(events.energy, axis))


def energy_histogram(indices, selected, nbin):
    """Counts per energy bin (float64) of the ``selected`` events given their bin indices."""
    idx = indices[selected]
    idx = idx[idx >= 0]
    return np.bincount(idx, minlength=nbin)[:nbin].astype(float)


class _EventView:
    """The events at ``index`` (a mask or a slice) of an event list: its energies and
    columns, which is what the binning reads."""

    def __init__(self, events, index):
        self._events, self._index = events, index

    @property
    def energy(self):
        return self._events.energy[self._index]

    def column(self, name):
        return np.asarray(self._events.column(name))[self._index]


def _histogram(events, geom, dtype=float):
    """Counts (histogram in ``dtype``) as an array of ``geom.data_shape`` (axes: one energy axis).

    Energies are binned first; only events inside the energy axes go through the frame
    change and WCS projection (every step is per event, so the kept events get the same
    pixels and the others would have been dropped anyway)."""
    energy = events.energy  # Quantity in the file unit and dtype
    frame = str(getattr(geom.frame, "name", geom.frame)).lower()
    indices = []
    for axis in reversed(list(geom.axes)):
        if axis.name != "energy":
            raise ValueError(f"Cannot fill counts on axis {axis.name!r}: events only have an 'energy' column")
        indices.append(axis._coord_to_bin(_energy_in_axis_unit(energy, axis)))
    inside = np.ones(np.shape(energy), dtype=bool)
    for idx in indices:
        inside &= idx >= 0
    if not inside.all():
        indices = [idx[inside] for idx in indices]
        events = _EventView(events, inside)
    lon, lat = event_positions(events, frame)
    ny, nx = geom.data_shape[-2:]
    x, y = geom.wcs.wcs_world2pix(lon, lat, 0)
    indices += [kernels.pix_to_idx(y, ny), kernels.pix_to_idx(x, nx)]
    return kernels.histogram_flat(indices, tuple(geom.data_shape), dtype=dtype)


def counts_values(events, geom):
    """Counts (float32) as an array of ``geom.data_shape`` (axes: one energy axis)."""
    return _histogram(events, geom, dtype=np.float32)


def counts_parts(events, geom, n_parts):
    """``counts_values`` in ``n_parts`` independent callables over contiguous event ranges
    and ``assemble(results)``: every event is binned on its own, and the integer
    histograms add up exactly (two threads can share a large event list)."""
    n = int(np.shape(events.energy)[0])
    bounds = np.linspace(0, n, max(1, int(n_parts)) + 1).astype(int)

    def part(lo, hi):
        return lambda: _histogram(_EventView(events, slice(lo, hi)), geom)

    def assemble(results):
        total = results[0]
        for more in results[1:]:
            total = total + more
        return total.astype(np.float32)

    return [part(int(lo), int(hi)) for lo, hi in zip(bounds[:-1], bounds[1:])], assemble


def make_counts(geom, events):
    """Counts map (float32) of ``events`` on ``geom``."""
    from gammabin.maps import Map

    if getattr(geom, "is_region", False):
        counts = Map.from_geom(geom, dtype="float32")
        counts.fill_events(events)
        return counts
    return Map.from_geom(geom, data=counts_values(events, geom), unit="")

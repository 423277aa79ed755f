"""Per-geometry pixel arrays the builders need: pixel-centre sky coordinates (geometry
frame and ICRS), offsets from a pointing, FoV coordinates, solid angles.

Pixel → sky goes through WCSLIB (astropy ``wcs_pix2world``, origin 0) once per
geometry, as the spec requires (datasets-makers.md §3 H1/H2); frames are changed with the
closed-form rotation of :mod:`gammabin.kernels`.  Results are cached by the WCS
parameters and image shape, so the cutouts of one parent share them.
"""
import threading

import numpy as np

from gammabin import kernels

__all__ = ["PixelGrid", "pixel_grid", "sky_to_frame", "pointing_radec_deg"]

_CACHE = {}
_CACHE_SIZE = 32
# Builders of one run may run in threads (threads.py): cache lookups/evictions and the
# grids' lazy arrays are built under this lock (once; the arrays are then only read).
_LOCK = threading.RLock()


def _wcs_key(geom):
    wcs = geom.wcs.wcs
    ny, nx = geom.data_shape[-2:]
    return (
        tuple(wcs.crpix), tuple(wcs.crval), tuple(wcs.cdelt), tuple(wcs.ctype),
        float(wcs.lonpole), float(wcs.latpole), tuple(np.ravel(wcs.get_pc())), int(ny), int(nx),
    )


def pixel_grid(geom):
    """Cached :class:`PixelGrid` of a WCS geometry."""
    key = _wcs_key(geom)
    with _LOCK:
        grid = _CACHE.get(key)
        if grid is None:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            grid = _CACHE[key] = PixelGrid(geom)
    return grid


def _frame_name(geom):
    frame = getattr(geom, "frame", "icrs")
    return str(getattr(frame, "name", frame)).lower()


sky_to_frame = kernels.convert_frame  # the builders' name for it


def pointing_radec_deg(pointing):
    """(ra, dec) in degrees of a pointing: SkyCoord, FixedPointingInfo or (ra, dec)."""
    if hasattr(pointing, "radec_deg"):
        return tuple(float(v) for v in pointing.radec_deg)
    if hasattr(pointing, "get_icrs"):
        pointing = pointing.get_icrs()
    if hasattr(pointing, "icrs"):
        icrs = pointing.icrs
        return float(icrs.ra.deg), float(icrs.dec.deg)
    ra, dec = pointing
    return float(getattr(ra, "value", ra)), float(getattr(dec, "value", dec))


class PixelGrid:
    """Pixel-centre coordinates of a WCS image, flattened in C order (ny * nx)."""

    def __init__(self, geom):
        self.shape = tuple(int(n) for n in geom.data_shape[-2:])
        self.frame = _frame_name(geom)
        cached = getattr(geom, "_pixel_lonlat", None)
        if cached is not None:  # the geometry's cache: a cutout slices its parent's arrays
            lon, lat = cached()
        else:
            y, x = np.indices(self.shape, dtype=float)
            lon, lat = geom.wcs.wcs_pix2world(x.ravel(), y.ravel(), 0)
        self.lon, self.lat = np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel()
        self._geom = geom
        self._radec = None
        self._solid_angle = None
        self._offsets = {}

    @property
    def size(self):
        return self.shape[0] * self.shape[1]

    @property
    def radec(self):
        """Pixel centres in ICRS degrees."""
        with _LOCK:
            if self._radec is None:
                self._radec = sky_to_frame(self.lon, self.lat, self.frame, "icrs")
            return self._radec

    def offset(self, ra0, dec0):
        """Great-circle separation (deg) of every pixel centre from (ra0, dec0) ICRS
        (read-only; the last few pointings are cached: exposure, safe mask and IRF
        grids of one run ask for the same offsets)."""
        key = (float(ra0), float(dec0))
        with _LOCK:
            return self._offset(key, ra0, dec0)

    def _offset(self, key, ra0, dec0):
        offsets = self._offsets.get(key)
        if offsets is None:
            lon0, lat0 = sky_to_frame(ra0, dec0, "icrs", self.frame)
            if getattr(self, "_lonlat_trig", None) is None:  # pointing-independent part, once
                lat = np.deg2rad(self.lat)
                self._lonlat_trig = (np.deg2rad(self.lon), np.cos(lat), np.sin(lat))
            offsets = kernels.angular_separation_trig(float(lon0), float(lat0), *self._lonlat_trig)
            offsets.flags.writeable = False
            if len(self._offsets) >= 4:
                self._offsets.pop(next(iter(self._offsets)))
            self._offsets[key] = offsets
        return offsets

    def fov_coordinates(self, ra0, dec0, reverse_lon=False):
        with _LOCK:
            if getattr(self, "_radec_trig", None) is None:  # pointing-independent part, once
                ra, dec = self.radec
                lat = np.deg2rad(np.asarray(dec, dtype=float))
                self._radec_trig = (np.deg2rad(np.asarray(ra, dtype=float)), np.cos(lat), np.sin(lat))
        return kernels.fov_coordinates_trig(*self._radec_trig, ra0, dec0, reverse_lon=reverse_lon)

    @property
    def solid_angle(self):
        """Pixel solid angles in sr, flattened: exact for plain CAR grids (the rows'
        closed form, ~1e-7 from the two-triangle construction of DIM §3.5), else the
        geometry's own."""
        with _LOCK:
            if self._solid_angle is None:
                exact = getattr(self._geom, "_exact_solid_angle_sr", lambda: None)()
                omega = exact if exact is not None else self._geom.solid_angle()
                if hasattr(omega, "to_value"):
                    omega = omega.to_value("sr")
                self._solid_angle = np.asarray(omega, dtype=float).reshape(self.shape).ravel()
            return self._solid_angle

"""Sky ↔ pixel rules shared by the region finders and the background makers
(background-makers.md §1): nearest-pixel lookup of a boolean mask, and the
conversion of sky circles to pixel circles the ``regions`` package performs
(pixel scale measured 1 arcsec due north of the centre).

Plain floats in degrees; one vectorised WCSLIB call per array."""
import numpy as np

from ..builders.pixels import sky_to_frame

__all__ = [
    "mask_image",
    "frame_name",
    "mask_frame",
    "lookup_mask",
    "lookup_mask_footprint",
    "pixels_per_arcsec",
    "sky_circle_to_pixel",
    "pixel_circle_to_sky",
]

_ARCSEC = 1.0 / 3600.0


def mask_image(mask):
    """The 2-D boolean image of a mask map (first plane of any length-1 axes)."""
    data = np.asarray(mask.data)
    return data.reshape((-1,) + data.shape[-2:])[0].astype(bool, copy=False)


def frame_name(geom):
    """Lower-case frame name of a geometry (``icrs``, ``galactic``, ...)."""
    frame = geom.frame
    return str(getattr(frame, "name", frame)).lower()


def mask_frame(mask):
    return frame_name(mask.geom)


def lookup_mask_footprint(mask, lon, lat, frame):
    """``(values, inside)``: mask values at sky positions (deg, in ``frame``; pixel index
    ``floor(p + 0.5)`` on each axis of the mask's WCS, False off the footprint) and
    whether each position falls on the mask's footprint."""
    lon, lat = sky_to_frame(lon, lat, frame, mask_frame(mask))
    image = mask_image(mask)
    x, y = mask.geom.wcs.wcs_world2pix(np.atleast_1d(lon), np.atleast_1d(lat), 0)
    ny, nx = image.shape
    with np.errstate(invalid="ignore"):
        ix, iy = np.floor(x + 0.5), np.floor(y + 0.5)
        inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    values = np.zeros(ix.shape, dtype=bool)
    values[inside] = image[iy[inside].astype(np.int64), ix[inside].astype(np.int64)]
    return values, inside


def lookup_mask(mask, lon, lat, frame, outside=True):
    """Mask values at sky positions (``lookup_mask_footprint``); positions off the
    mask's footprint read ``outside`` (whose meaning differs per user, §1)."""
    values, inside = lookup_mask_footprint(mask, lon, lat, frame)
    if outside:
        values[~inside] = True
    return values


def pixels_per_arcsec(wcs, lon, lat):
    """Pixel distance per arcsec along north at (lon, lat) (deg, WCS frame), and the
    position's pixel coordinates ``(d, x, y)``; arrays broadcast.  A point 1 arcsec due
    north keeps the longitude (exact spherical offset at position angle 0)."""
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    x, y = wcs.wcs_world2pix(np.concatenate([lon, lon]), np.concatenate([lat, lat + _ARCSEC]), 0)
    n = lon.size
    return np.hypot(x[n:] - x[:n], y[n:] - y[:n]), x[:n], y[:n]


def sky_circle_to_pixel(wcs, lon, lat, radius_deg):
    """(x, y, r_pix) of sky circles (deg, WCS frame) on ``wcs``."""
    d, x, y = pixels_per_arcsec(wcs, lon, lat)
    return x, y, np.asarray(radius_deg, dtype=float) * 3600.0 * d


def pixel_circle_to_sky(wcs, x, y, r_pix):
    """(lon, lat, radius_deg) of pixel circles: centre through WCSLIB, radius divided
    by the north pixel scale at the new centre."""
    lon, lat = wcs.wcs_pix2world(np.atleast_1d(x), np.atleast_1d(y), 0)
    d, _, _ = pixels_per_arcsec(wcs, lon, lat)
    return lon, lat, np.asarray(r_pix, dtype=float) / d / 3600.0

"""An exclusion mask projected onto a dataset's sky grid by nearest-pixel lookup at the
dataset's pixel centres (background-makers.md §1; the lookup itself is
``region_finders.mask_lookup.lookup_mask_footprint``).  Positions off the mask's footprint get
``outside``, whose meaning differs per maker: FoV/adaptive ring False, ring NaN (which
poisons its convolution)."""
import numpy as np

from .region_finders.mask_lookup import frame_name, lookup_mask_footprint

__all__ = ["exclusion_on_geom"]


def exclusion_on_geom(mask, geom, outside=False, dtype=bool):
    """(ny, nx) array of ``mask`` at the pixel centres of ``geom`` and the number of
    pixels off the mask's footprint.  ``mask`` None → all True; a mask on the same image
    grid is used as is.  ``n_outside`` is only counted when ``outside`` is not False."""
    ny, nx = geom.data_shape[-2:]
    if mask is None:
        return np.ones((ny, nx), dtype=dtype), 0
    if mask.geom.data_shape[-2:] == (ny, nx) and mask.geom._cache_key() == geom._cache_key():  # same sky grid
        data = np.asarray(mask.data)
        return data.reshape((-1,) + data.shape[-2:])[0].astype(dtype), 0
    lon, lat = geom._pixel_lonlat()
    values, inside = lookup_mask_footprint(mask, lon.ravel(), lat.ravel(), frame_name(geom))
    out = values.reshape(lon.shape).astype(dtype)
    if outside is False or outside == 0:  # the lookup already reads False off the footprint
        return out, 0
    inside = inside.reshape(lon.shape)
    n_outside = int(np.count_nonzero(~inside))
    if n_outside:
        out[~inside] = outside
    return out, n_outside

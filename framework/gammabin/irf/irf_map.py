"""Shared base of the IRF maps (PSFMap, EDispMap, EDispKernelMap): an IRF map on a
(usually coarse, ``binsz_irf``) WCS geometry plus an exposure map over the same pixels
with one bin on the first axis (spec DIM §2.9, datasets-makers §1.4).

Also holds the small array helpers shared with ``gammabin.datasets``:

* *lazy storage*: maps made by ``MapDataset.create`` hold read-only zero-stride
  ``np.broadcast_to`` views of a small array; :func:`writable` materialises them the
  first time something is written into them (seed example 1: an all-sky PSF cube would
  otherwise need 4.7 GB);
* *aligned insertion*: :func:`insertion_slices` finds where one geometry sits in another
  (same WCS up to an integer reference-pixel shift), used by stacking and cutouts.
"""
import copy as _copy
import os
from pathlib import Path

import numpy as np
from astropy import units as u

from gammabin import kernels
from gammabin.fitsio import write_fits_atomic

__all__ = [
    "IRFMap",
    "lazy_full",
    "is_lazy",
    "writable",
    "insertion_slices",
    "cutout_map",
    "add_into",
    "copy_map",
]


# --- lazy storage --------------------------------------------------------------------
def lazy_full(shape, value=0, dtype="float32"):
    """Read-only array of ``shape`` filled with ``value`` that costs one element of memory."""
    return np.broadcast_to(np.asarray(value, dtype=dtype), tuple(shape))


def is_lazy(array):
    """True for a read-only (e.g. broadcast) array that must be copied before writing."""
    return isinstance(array, np.ndarray) and not array.flags.writeable


def copy_map(m):
    """Copy of a map; lazy (read-only broadcast) storage is shared, not materialised."""
    if m is None:
        return None
    from gammabin.maps import Map

    data = m.data if is_lazy(m.data) else np.array(m.data)
    return Map.from_geom(m.geom, data=data, unit=m.unit, meta=_copy.deepcopy(m.meta))


def _constant_zero(array):
    """A lazy array whose every element is the one stored zero (0-stride broadcast)."""
    return array.size > 0 and not any(array.strides) and not array.flat[0]


def writable(m, touch=False):
    """Materialise ``m.data`` if it is lazy; return the (now writable) array.

    Zeros come from ``np.zeros``: the OS hands out zero pages on first touch, so a survey
    map costs memory only where runs were stacked.  ``touch``: fault the pages in now
    (a receiver prepared while the workers are busy)."""
    if is_lazy(m.data):
        lazy = m.data
        if not _constant_zero(lazy):
            m.data = np.array(lazy)
        else:
            m.data = np.zeros(lazy.shape, lazy.dtype)
    if touch:
        _touch_pages(m.data)
    return m.data


def _touch_pages(array):
    """Rewrite one element per memory page with its own value: faults in pages that
    ``np.zeros`` left unmapped, changes nothing."""
    if not array.flags.c_contiguous or not array.size:
        return
    flat = array.reshape(-1)
    step = max(1, 4096 // array.itemsize)
    # 4096 pages per call: numpy releases the GIL for a loop that long, so the faults
    # (slow on a VM) do not stall the threads of a Dask client, or its local scheduler
    block = step * 4096
    for start in range(0, flat.size, block):
        part = flat[start:start + block:step]
        part[...] = part.copy()


# --- aligned geometries --------------------------------------------------------------
def _wcs_params(geom):
    w = geom.wcs.wcs
    return w


def _all_close(a, b, atol, rtol=0.0):
    """``np.allclose`` for the few numbers of a WCS (NaN → False), without its overhead."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _close_or_nan(a, b, atol):
    """``np.isclose(a, b, atol=atol, equal_nan=True)`` (default rtol) of two scalars."""
    a, b = float(a), float(b)
    if a != a or b != b:
        return a != a and b != b
    return abs(a - b) <= atol + 1e-5 * abs(b)


def insertion_slices(parent_geom, child_geom, atol=1e-6):
    """``(parent_slices, child_slices)`` (y, x) of the overlap of ``child_geom`` in
    ``parent_geom``; the two WCS must be equal up to an integer CRPIX shift.

    Raises ``ValueError`` if the geometries are not aligned; returns ``None`` if the grids
    do not overlap.
    """
    pw, cw = _wcs_params(parent_geom), _wcs_params(child_geom)
    same = (
        list(pw.ctype) == list(cw.ctype)
        and _all_close(pw.crval, cw.crval, atol)
        and _all_close(pw.cdelt, cw.cdelt, atol * np.abs(pw.cdelt).max())
        and _all_close(pw.get_pc(), cw.get_pc(), atol, rtol=1e-5)
        and _close_or_nan(pw.lonpole, cw.lonpole, atol)
        and _close_or_nan(pw.latpole, cw.latpole, atol)
    )
    shift = np.asarray(pw.crpix, float) - np.asarray(cw.crpix, float)
    ishift = np.rint(shift)
    if not same or not _all_close(shift, ishift, atol):
        raise ValueError(
            "Can only stack or cut out aligned geometries (same WCS up to an integer "
            f"reference-pixel shift); got CRPIX {tuple(pw.crpix)} vs {tuple(cw.crpix)}, "
            f"CRVAL {tuple(pw.crval)} vs {tuple(cw.crval)}, CDELT {tuple(pw.cdelt)} vs {tuple(cw.cdelt)}"
        )
    (py, px), (cy, cx) = parent_geom.data_shape[-2:], child_geom.data_shape[-2:]
    dx, dy = int(ishift[0]), int(ishift[1])  # child pixel i is parent pixel i + d
    x0, x1 = max(0, dx), min(px, dx + cx)
    y0, y1 = max(0, dy), min(py, dy + cy)
    if x0 >= x1 or y0 >= y1:
        return None
    parent = (slice(y0, y1), slice(x0, x1))
    child = (slice(y0 - dy, y1 - dy), slice(x0 - dx, x1 - dx))
    return parent, child


def cutout_map(m, position, width, mode="trim", min_npix=1, memo=None, maybe_zero=False):
    """Cut ``m`` around ``position`` (geometry rules of DIM §3.4, data copied; a lazy map
    stays lazy when the cutout lies fully inside).

    ``memo``: a dict shared by the cutouts of one dataset (same position, width, mode):
    maps on the same geometry object reuse its cutout geometry and slices.
    ``maybe_zero``: the map is likely all zeros (nothing stacked yet); if it is, the
    copy is fresh ``np.zeros``, whose pages stay unmapped until written (a maker that
    only needs the cutout's geometry never pays for them)."""
    from gammabin.maps import Map

    key = (id(m.geom), min_npix)
    if memo is not None and key in memo:
        geom, found = memo[key][1:]
    else:
        geom = m.geom.cutout(position=position, width=width, mode=mode, min_npix=min_npix)
        found = insertion_slices(m.geom, geom)
        if memo is not None:
            memo[key] = (m.geom, geom, found)  # holds the parent geometry: its id stays valid
    if found is None:
        from astropy.nddata import NoOverlapError

        raise NoOverlapError("Arrays do not overlap.")
    parent, child = found
    full = all(s.stop - s.start == n for s, n in zip(child, geom.data_shape[-2:]))
    source = m.data[(Ellipsis, *parent)]
    if full and is_lazy(m.data):
        data = source
    elif full and maybe_zero and not source.any():
        data = np.zeros(source.shape, source.dtype)
    elif full:
        data = source.copy()
    else:
        data = np.zeros(geom.data_shape, dtype=m.data.dtype)
        data[(Ellipsis, *child)] = source
    return Map.from_geom(geom, data=data, unit=m.unit, meta=_copy.deepcopy(m.meta))


def add_into(target, other_data, other_unit, other_geom, weights=None, nan_to_num=True):
    """gammapy's ``Map.stack`` arithmetic on arrays: convert ``other_data`` to the target's
    unit, cast to its dtype, zero non-finite values, multiply by ``weights`` (array on
    ``other_geom``'s pixels), add into the aligned overlap.  Returns the parent slices."""
    found = insertion_slices(target.geom, other_geom)
    if found is None:
        return None
    parent, child = found
    source = np.asarray(other_data)[(Ellipsis, *child)]
    data = source
    unit = u.Unit(other_unit)
    if unit != target.unit:
        data = data * unit.to(target.unit)
    data = data.astype(target.data.dtype, copy=False)
    if nan_to_num and not np.isfinite(data).all():
        data = np.array(data)
        data[~np.isfinite(data)] = 0
    out = writable(target)
    view = out[(Ellipsis, *parent)]
    if weights is None:
        view += data
        return parent
    weights = np.asarray(weights)[(Ellipsis, *child)]
    if weights.dtype == bool and np.issubdtype(data.dtype, np.floating):
        weights = weights.astype(data.dtype)  # 0/1 exactly; a same-type product is ~2× faster
    if data is not source and np.broadcast_shapes(data.shape, weights.shape) == data.shape:
        np.multiply(data, weights, out=data)  # a converted copy of ours: weighted in place
        view += data
    else:
        view += data * weights
    return parent


def _zero_unreached(data, xdata):
    """``data = 0`` wherever the exposure (broadcast over ``data``'s axes) is 0."""
    if not xdata.any():
        if data.any():
            data[...] = 0
        return
    np.copyto(data, 0, where=np.broadcast_to(xdata == 0, data.shape))


# --- the base class -------------------------------------------------------------------
class IRFMap:
    """IRF map + exposure map.  Subclasses set ``tag``, ``required_axes`` and ``_hdu``."""

    tag = None
    required_axes = ()
    _hdu = None

    def __init__(self, irf_map, exposure_map=None):
        names = list(irf_map.geom.axes.names)
        if names[: len(self.required_axes)] != list(self.required_axes):
            raise ValueError(
                f"{type(self).__name__} needs map axes {list(self.required_axes)} (in this order), got {names}"
            )
        self._irf_map = irf_map
        self.exposure_map = exposure_map

    def __bool__(self):  # truthy even when empty (gammapy tests ``if dataset.psf:``)
        return True

    @property
    def has_single_spatial_bin(self):
        return tuple(self._irf_map.geom.data_shape[-2:]) == (1, 1)

    @property
    def mask_safe_image(self):
        """Pixels where the IRF map is positive somewhere along its axes."""
        from gammabin.maps import Map

        data = np.asarray(self._irf_map.data) > 0
        image = data.reshape((-1,) + data.shape[-2:]).any(axis=0)
        return Map.from_geom(self._irf_map.geom.to_image(), data=image)

    def copy(self):
        return self.__class__(copy_map(self._irf_map), copy_map(self.exposure_map))

    # --- stacking (datasets-makers §1.4) -------------------------------------------
    def prepare_stack(self, touch=False):
        """Writable IRF and exposure arrays with the unreached pixels zeroed (what the
        first ``stack`` needs); ``touch`` faults their pages in now."""
        own, own_x = self._irf_map, self.exposure_map
        if is_lazy(own_x.data) and _constant_zero(own_x.data):
            own.data = lazy_full(own.data.shape, 0, own.data.dtype)  # nothing reached yet: all 0
        data, xdata = writable(own, touch), writable(own_x, touch)
        arrays = (id(data), id(xdata))  # new arrays (copy, read, assignment): check again
        if getattr(self, "_zeroed_arrays", None) != arrays:
            _zero_unreached(data, xdata)
            self._zeroed_arrays = arrays
        return data, xdata

    def stack(self, other, weights=None, nan_to_num=True):
        """Exposure-weighted mean, in place, in the receiver's dtype (H5):
        ``M·X`` → ``+= M_o·X_o·w`` → ``X += X_o·w_X`` → ``nan_to_num(M/X)``.

        gammapy applies ``M·X`` and ``/X`` to the whole map.  Outside ``other``'s window
        that only changes two things: pixels no run has reached (X = 0) become 0 (so
        ``create()``'s default diagonal kernel does not survive the first stack), and
        the others take a float32 round trip ``(M·X)/X`` (≤ 1 ulp, the exact value is M).
        We zero the unreached pixels once and keep M elsewhere, so a stack costs the
        size of the run's window instead of the (survey-sized) map's."""
        if self.exposure_map is None or other.exposure_map is None:
            raise ValueError(f"Missing exposure map for {type(self).__name__}.stack")
        own, own_x = self._irf_map, self.exposure_map
        found = insertion_slices(own.geom, other._irf_map.geom)
        if found is None:
            return
        parent = found[0]
        w = None if weights is None else np.asarray(getattr(weights, "data", weights))
        data, xdata = self.prepare_stack()
        window = (Ellipsis, *parent)
        view, xview = data[window], xdata[window]
        view *= xview
        product = np.asarray(other._irf_map.data) * np.asarray(other.exposure_map.data)
        add_into(own, product, other._irf_map.unit, other._irf_map.geom, w, nan_to_num)
        wx = w
        if w is not None and "energy" in other._irf_map.geom.axes.names and w.ndim >= 4:
            # OR over the reco-energy axis (the second data axis), keep dims
            wx = np.logical_or.reduce(w, axis=w.ndim - 3, keepdims=True)
        add_into(own_x, other.exposure_map.data, other.exposure_map.unit, other.exposure_map.geom, wx, nan_to_num)
        with np.errstate(invalid="ignore", divide="ignore"):
            view /= xview
        kernels.nan_to_num_inplace(view)  # 0/0 where X stayed 0

    # --- cutout ------------------------------------------------------------------------
    def cutout(self, position, width, mode="trim", min_npix=3, _memo=None):
        irf_map = cutout_map(self._irf_map, position, width, mode, min_npix=min_npix, memo=_memo)
        exposure_map = None
        if self.exposure_map is not None:
            exposure_map = cutout_map(self.exposure_map, position, width, mode, min_npix=min_npix, memo=_memo)
        return self.__class__(irf_map, exposure_map=exposure_map)

    # --- FITS ------------------------------------------------------------------------
    def to_hdulist(self, format="gadf"):
        if format != "gadf":
            raise ValueError(f"Format {format!r} not supported (only 'gadf')")
        hdulist = self._irf_map.to_hdulist(hdu=self._hdu, format=format)
        if self.exposure_map is not None:
            extra = self.exposure_map.to_hdulist(hdu=f"{self._hdu}_exposure", format=format)
            hdulist.extend(extra[1:])
        return hdulist

    @classmethod
    def from_hdulist(cls, hdulist, hdu=None, hdu_bands=None, exposure_hdu=None, exposure_hdu_bands=None, format="gadf"):
        from gammabin.maps import Map

        if format != "gadf":
            raise ValueError(f"Format {format!r} not supported (only 'gadf')")
        hdu = cls._hdu if hdu is None else hdu
        irf_map = Map.from_hdulist(hdulist, hdu=hdu, hdu_bands=hdu_bands, format=format)
        exposure_hdu = f"{hdu}_exposure" if exposure_hdu is None else exposure_hdu
        exposure_map = None
        if exposure_hdu.upper() in [h.name for h in hdulist]:
            exposure_map = Map.from_hdulist(hdulist, hdu=exposure_hdu, hdu_bands=exposure_hdu_bands, format=format)
        return cls._class_for(irf_map)(irf_map, exposure_map)

    @classmethod
    def _class_for(cls, irf_map):
        return cls

    @classmethod
    def read(cls, filename, format="gadf", hdu=None, checksum=False):
        path = Path(os.path.expandvars(str(filename)))
        from astropy.io import fits  # lazy (import time)
        with fits.open(path, memmap=False, checksum=checksum) as hdulist:
            return cls.from_hdulist(hdulist, hdu=hdu, format=format)

    def write(self, filename, overwrite=False, format="gadf", checksum=False):
        write_fits_atomic(self.to_hdulist(format=format), filename, overwrite, checksum)

    def __repr__(self):
        return f"{type(self).__name__}(geom={self._irf_map.geom!r})"

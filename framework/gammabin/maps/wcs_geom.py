"""WcsGeom: a WCS image (CAR, TAN, …) times any number of non-spatial axes.

Pixel ↔ sky goes through WCSLIB (astropy ``wcs_world2pix``/``wcs_pix2world``,
origin 0), one vectorised call per geometry.  Pixel-centre and corner
coordinates and solid angles are cached per (WCS header, image shape), so every
run's cutout of the same geometry reuses them.  Only regular geometries (the
same image in every non-spatial bin) are supported.
"""
import copy
import pickle

import numpy as np
from astropy import units as u
from astropy.coordinates import Angle, SkyCoord
from astropy.wcs import WCS
from astropy.wcs.utils import celestial_frame_to_wcs, proj_plane_pixel_scales, wcs_to_celestial_frame

from gammabin import kernels
from gammabin.maps.axes_collection import MapAxes
from gammabin.maps.coord import MapCoord, _skycoord_lonlat
from gammabin.maps.geom_axes_mixin import GeomAxesMixin

__all__ = ["WcsGeom"]


# --- argument normalisation --------------------------------------------------


def _degrees(value):
    """Degrees of a float, Quantity or string; plain numbers and ``"6 deg"`` skip
    astropy's Angle parser (its grammar is built on first use, ~70 ms)."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, u.Quantity) and value.isscalar:
        return float(value.to_value(u.deg))
    if isinstance(value, str):
        try:
            quantity = u.Quantity(value)
        except (TypeError, ValueError):
            quantity = None
        if quantity is not None and quantity.isscalar and quantity.unit.physical_type == "angle":
            return float(quantity.to_value(u.deg))
    return float(Angle(value, "deg").deg)


def _angle_pair(value):
    """(lon, lat) floats in degrees from a float/str/Quantity or a pair of them."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return _degrees(value[0]), _degrees(value[1])
    if isinstance(value, (int, float, str, np.integer, np.floating)) or (
        isinstance(value, u.Quantity) and value.isscalar
    ):
        angle = _degrees(value)
        return angle, angle
    angle = np.atleast_1d(Angle(value, "deg").deg)
    if angle.size == 1:
        return float(angle[0]), float(angle[0])
    return float(angle[0]), float(angle[1])


def _int_pair(value):
    if isinstance(value, (tuple, list, np.ndarray)):
        flat = [int(np.ravel(v)[0]) for v in value]
        return (flat[0], flat[1]) if len(flat) > 1 else (flat[0], flat[0])
    return int(value), int(value)


def _lonlat_deg(values):
    if isinstance(values, u.Quantity):
        return values.to_value("deg")
    return np.asarray(values, dtype=float)


# --- per-(WCS, shape) caches -------------------------------------------------


_IMAGE_CACHE = {}
_IMAGE_CACHE_SIZE = 64


_WHOLE_PARENT_FACTOR = 16  # a cutout this many times smaller than its parent: own window only


def _cached_image_arrays(geom, what):
    """Read-only per-(WCS header, shape) arrays: "centers", "corners" (lon, lat in
    deg) or "solid_angle" (sr).  Computed from the geometry's own WCS object, or,
    for a cutout lying inside its parent, from the parent's WCS at the cutout's pixels
    (the cutout's WCS differs by an integer CRPIX shift): sliced from the parent's
    arrays when the parent is small or already computed, else computed on the window
    alone (a survey-sized reference would cost every worker its whole grid).  Every
    value is an element-wise function of its pixel, so both ways give the same bits."""
    link = geom._parent_link
    if link is not None:
        parent, y0, x0 = link
        parent_key = (parent._cache_key(), parent._nx, parent._ny, what)
        small = parent._nx * parent._ny <= _WHOLE_PARENT_FACTOR * geom._nx * geom._ny
        if small or parent_key in _IMAGE_CACHE:
            extra = 1 if what == "corners" else 0
            window = (slice(y0, y0 + geom._ny + extra), slice(x0, x0 + geom._nx + extra))
            arrays = _cached_image_arrays(parent, what)
            return tuple(a[window] for a in arrays) if isinstance(arrays, tuple) else arrays[window]
        return _cached(_IMAGE_CACHE, _IMAGE_CACHE_SIZE, ("window", parent_key, y0, x0, geom._nx, geom._ny),
                       lambda: _image_arrays(parent._wcs, x0, y0, geom._nx, geom._ny, what))
    return _cached(_IMAGE_CACHE, _IMAGE_CACHE_SIZE, (geom._cache_key(), geom._nx, geom._ny, what),
                   lambda: _image_arrays(geom._wcs, 0, 0, geom._nx, geom._ny, what))


def _cached(cache, size, key, compute):
    """``cache[key]``, computed on a miss; the oldest entry goes beyond ``size``."""
    if key in cache:
        return cache[key]
    result = compute()
    if len(cache) >= size:
        cache.pop(next(iter(cache)))
    cache[key] = result
    return result


def _image_arrays(wcs, x0, y0, nx, ny, what):
    """``what`` for the ``nx`` × ``ny`` pixels of ``wcs`` starting at pixel (x0, y0)."""
    if what == "solid_angle":
        lon, lat = _image_arrays(wcs, x0, y0, nx, ny, "corners")
        result = kernels.pixel_solid_angles(lon, lat)
        result.flags.writeable = False
        return result
    start = 0.0 if what == "centers" else -0.5
    x, y = np.meshgrid(np.arange(start, nx, dtype=float) + x0, np.arange(start, ny, dtype=float) + y0)
    result = tuple(wcs.wcs_pix2world(x, y, 0))
    for array in result:
        array.flags.writeable = False
    return result


_EXACT_SOLID_ANGLE_MAX_BINSZ = 0.05  # deg: gammapy's triangles are within ~6e-8 of exact below

_WCS_BY_PICKLE = {}
_WCS_BY_PICKLE_SIZE = 256


def _restore_wcs_geom(cls, wcs_pickle, state, parent_link, key):
    wcs = _cached(_WCS_BY_PICKLE, _WCS_BY_PICKLE_SIZE, wcs_pickle, lambda: pickle.loads(wcs_pickle))
    geom = cls(wcs, **state)
    geom._parent_link, geom._key, geom._wcs_pickle = parent_link, key, wcs_pickle
    return geom


def _overlap_slices(large_shape, small_shape, position, mode="partial"):
    """(large slices, small slices) where a ``small_shape`` array centred at ``position``
    (pixel centres at integers) overlaps a ``large_shape`` one — astropy's
    ``overlap_slices`` rules (ceil of the lower edge), without importing
    ``astropy.nddata`` (~0.1 s) on the hot path; its exceptions on failure."""
    if mode not in ("partial", "trim", "strict"):
        raise ValueError('Mode can be only "partial", "trim", or "strict".')
    if not all(np.isfinite(position)):
        raise ValueError("Input position contains invalid values (NaNs or infs).")
    lows = [int(np.ceil(p - n / 2.0)) for p, n in zip(position, small_shape)]
    highs = [low + int(n) for low, n in zip(lows, small_shape)]
    no_overlap = any(h < 0 or (h == 0 and tuple(small_shape) != (0, 0)) for h in highs) or any(
        low >= n for low, n in zip(lows, large_shape)
    )
    partial = any(low < 0 for low in lows) or any(h > n for h, n in zip(highs, large_shape))
    if no_overlap or (mode == "strict" and partial):
        from astropy.nddata.utils import NoOverlapError, PartialOverlapError

        raise NoOverlapError("Arrays do not overlap.") if no_overlap else PartialOverlapError(
            "Arrays overlap only partially."
        )
    large = tuple(slice(max(0, low), min(n, high)) for low, high, n in zip(lows, highs, large_shape))
    if mode == "trim":
        small = tuple(slice(0, s.stop - s.start) for s in large)
    else:
        small = tuple(slice(max(0, -low), min(n - low, high - low)) for low, high, n in zip(lows, highs, large_shape))
    return large, small


class WcsGeom(GeomAxesMixin):
    """Geometry of a WCS map: ``wcs``, image size ``npix = (nx, ny)`` and ``axes``
    (axis handling: ``GeomAxesMixin``)."""

    is_hpx = False
    is_region = False
    is_regular = True

    def __init__(self, wcs, npix=None, cdelt=None, crpix=None, axes=None, _frame=None):
        if npix is None:
            npix = wcs.array_shape[::-1] if wcs.array_shape is not None else (0, 0)
        self._nx, self._ny = _int_pair(npix)
        self._wcs = wcs
        self._axes = MapAxes.from_default(axes, n_spatial_axes=2)
        if cdelt is None:
            cdelt = tuple(np.abs(wcs.wcs.cdelt))
        self._cdelt_pair = tuple(float(np.ravel(c)[0]) for c in (cdelt if isinstance(cdelt, tuple) else (cdelt, cdelt)))
        self._crpix = crpix
        self._frame = _frame or wcs_to_celestial_frame(wcs).name
        self._projection = wcs.wcs.ctype[0][5:]
        self._key = None
        self._parent_link = None  # (parent geom, y0, x0) of a cutout inside its parent
        self._cutout_memo = {}

    # --- construction --------------------------------------------------------

    @classmethod
    def create(
        cls, npix=None, binsz=0.5, proj="CAR", frame="icrs", refpix=None, axes=None, skydir=None, width=None
    ):
        """Geometry centred on ``skydir`` with pixel size ``binsz`` and ``width`` (or ``npix``)."""
        if skydir is None:
            crval = (0.0, 0.0)
        elif isinstance(skydir, tuple):
            crval = (float(Angle(skydir[0], "deg").deg), float(Angle(skydir[1], "deg").deg))
        elif isinstance(skydir, SkyCoord):
            lon, lat, frame = _skycoord_lonlat(skydir, frame=frame)
            crval = (float(lon), float(lat))
        else:
            raise ValueError(f"Invalid type for skydir: {type(skydir)!r}")
        binsz = _angle_pair(binsz)
        if npix is None:
            width = (360.0, 180.0) if width is None else _angle_pair(width)
            # half-to-even on the float quotient (gammapy's np.rint)
            npix = (int(np.rint(width[0] / binsz[0])), int(np.rint(width[1] / binsz[1])))
        else:
            npix = _int_pair(npix)
        if refpix is None:
            refpix = ((npix[0] + 1) / 2.0, (npix[1] + 1) / 2.0)
        frame_obj = SkyCoord(np.nan, np.nan, frame=frame, unit="deg").frame
        wcs = celestial_frame_to_wcs(frame_obj, projection=proj)
        wcs.wcs.crpix = refpix
        wcs.wcs.crval = crval
        wcs.wcs.cdelt = (-binsz[0], binsz[1])
        wcs.array_shape = npix[1], npix[0]
        wcs.wcs.datfix()
        return cls(wcs, npix, cdelt=binsz, axes=axes)

    @classmethod
    def from_header(cls, header, hdu_bands=None, format="gadf"):
        """Geometry from an image header (+ optional bands table HDU)."""
        wcs = WCS(header, naxis=2).sub(2)
        axes = MapAxes.from_table_hdu(hdu_bands, format=format)
        if "WCSSHAPE" in header:
            shape = [int(v) for v in str(header["WCSSHAPE"]).strip("()").split(",") if v.strip()]
            npix = (shape[0], shape[1])
        else:
            npix = (header["NAXIS1"], header["NAXIS2"])
        wcs.array_shape = npix[1], npix[0]
        return cls(wcs, npix, axes=axes)

    def _init_copy(self, **kwargs):
        args = dict(
            wcs=kwargs["wcs"] if "wcs" in kwargs else self._wcs.deepcopy(),  # no copy to throw away
            npix=(self._nx, self._ny),
            cdelt=self._cdelt_pair,
            crpix=self._crpix,
            axes=self._axes,
        )
        args.update(kwargs)
        if "wcs" not in kwargs:
            args["_frame"] = self._frame  # same celestial frame: skip deriving it again
        new = self.__class__(**args)
        if "wcs" not in kwargs and "npix" not in kwargs:
            new._parent_link = self._parent_link
            new._key = self._key
        return new

    # --- description ---------------------------------------------------------

    @property
    def wcs(self):
        return self._wcs

    @property
    def frame(self):
        return self._frame

    @property
    def projection(self):
        return self._projection

    @property
    def npix(self):
        """(nx, ny) as 1-element arrays (gammapy layout)."""
        return np.array([self._nx]), np.array([self._ny])

    @property
    def _shape(self):
        return (self._nx, self._ny) + self._axes.shape

    @property
    def data_shape(self):
        return self._axes.shape[::-1] + (self._ny, self._nx)

    @property
    def data_shape_image(self):
        return (1,) * len(self._axes) + (self._ny, self._nx)

    @property
    def is_flat(self):
        return self._axes.is_flat

    @property
    def is_allsky(self):
        return bool(np.isclose(self._nx * self._cdelt_pair[0], 360.0) and np.isclose(self._ny * self._cdelt_pair[1], 180.0))

    @property
    def width(self):
        """Image size (lon, lat) as a (2, 1) Quantity in degrees (gammapy layout)."""
        return u.Quantity([[self._cdelt_pair[0] * self._nx], [self._cdelt_pair[1] * self._ny]], "deg")

    @property
    def pixel_scales(self):
        return Angle(proj_plane_pixel_scales(self._wcs), "deg")

    @property
    def pixel_area(self):
        return self._cdelt_pair[0] * self._cdelt_pair[1]

    @property
    def center_pix(self):
        return tuple((np.array(self.data_shape, dtype=float) - 1.0) / 2)[::-1]

    @property
    def center_coord(self):
        return self.pix_to_coord(self.center_pix)

    @property
    def center_skydir(self):
        lon, lat = self._wcs.wcs_pix2world((self._nx - 1.0) / 2, (self._ny - 1.0) / 2, 0)
        return SkyCoord(float(lon), float(lat), unit="deg", frame=self._frame)

    def __str__(self):
        sky = self.center_skydir
        lon_ref, lat_ref = self._wcs.wcs.crval
        width = self.width
        return (
            f"{self.__class__.__name__}\n\n"
            f"\taxes       : {self.axes_names}\n"
            f"\tshape      : {self.data_shape[::-1]}\n"
            f"\tndim       : {self.ndim}\n"
            f"\tframe      : {self.frame}\n"
            f"\tprojection : {self.projection}\n"
            f"\tcenter     : {sky.data.lon.deg:.1f} deg, {sky.data.lat.deg:.1f} deg\n"
            f"\twidth      : {width[0][0]:.1f} x {width[1][0]:.1f}\n"
            f"\twcs ref    : {lon_ref:.1f} deg, {lat_ref:.1f} deg\n"
        )

    __repr__ = __str__

    # --- cached float arrays (fast API for makers) -----------------------------

    def _cache_key(self):
        # the WCS is treated as immutable after construction
        if self._key is None:
            self._key = self._wcs.to_header_string()
        return self._key

    def _pixel_lonlat(self):
        """Pixel-centre (lon, lat) in degrees, shape (ny, nx), geometry frame (read-only)."""
        return _cached_image_arrays(self, "centers")

    def _corner_lonlat(self):
        """Pixel-corner (lon, lat) in degrees, shape (ny+1, nx+1) (read-only)."""
        return _cached_image_arrays(self, "corners")

    def _radec(self):
        """ICRS (ra, dec) of pixel centres in degrees, shape (ny, nx)."""
        lon, lat = self._pixel_lonlat()
        if self._frame == "icrs":
            return lon, lat
        if self._frame == "galactic":
            return kernels.galactic_to_icrs(lon, lat)
        sky = SkyCoord(lon, lat, unit="deg", frame=self._frame).icrs
        return sky.ra.deg, sky.dec.deg

    def _solid_angle_sr(self):
        """Pixel solid angles in sr, shape (ny, nx) (read-only)."""
        return _cached_image_arrays(self, "solid_angle")

    def _exact_solid_angle_sr(self):
        """Exact pixel solid angles (sr, (ny, nx), read-only) of a plain CAR grid of
        pixels ≤ 0.05° far from its frame's poles, else None.  Differs there from
        :meth:`solid_angle` (gammapy's construction, whose error grows as the pixel
        size squared) by < 1e-7 relative: the makers' background uses it, saving the
        corner grid and its triangles."""
        w = self._wcs.wcs
        if self._projection != "CAR" or len(w.get_pv()) or not np.array_equal(w.get_pc(), np.eye(2)):
            return None
        dx, dy = abs(float(w.cdelt[0])), abs(float(w.cdelt[1]))
        if max(dx, dy) > _EXACT_SOLID_ANGLE_MAX_BINSZ:
            return None
        reach = abs(float(w.crval[1])) + 0.5 * (self._nx * dx + self._ny * dy)
        theta = (np.arange(self._ny + 1) - 0.5 + 1.0 - float(w.crpix[1])) * float(w.cdelt[1])
        if reach >= 80.0 or np.abs(theta).max() >= 90.0:
            return None  # near a pole gammapy's triangles are not a reference to agree with
        rows = kernels.car_row_solid_angles(theta, dx)
        return np.broadcast_to(rows[:, None], (self._ny, self._nx))

    # --- coordinates ---------------------------------------------------------

    def get_pix(self, idx=None, mode="center"):
        """Pixel coordinates of all bins (spatial pix NaN-free; axes as bin indices)."""
        grids = []
        for name, nbin in zip(self.axes_names, self._shape):
            start = -0.5 if (mode == "edges" and name in ("lon", "lat")) else 0.0
            grids.append(np.arange(start, nbin, dtype=float))
        return tuple(np.meshgrid(*grids[::-1], indexing="ij")[::-1])

    def get_idx(self, idx=None, flat=False):
        pix = self.get_pix(idx=idx)
        if flat:
            pix = tuple(p[np.isfinite(p)] for p in pix)
        return tuple(kernels.pix_to_idx(p, np.inf) for p in pix)

    def get_coord(self, idx=None, mode="center", frame=None, sparse=False, axis_name=None):
        """MapCoord of pixel centres (``mode="edges"``: corners) and axis centres."""
        if axis_name is None:
            axis_name = ("lon", "lat")
        spatial_edges = mode == "edges" and ("lon" in axis_name or "lat" in axis_name)
        lon, lat = self._corner_lonlat() if spatial_edges else self._pixel_lonlat()
        n_axes = len(self._axes)
        lead = (1,) * n_axes
        data = {"lon": lon.reshape(lead + lon.shape), "lat": lat.reshape(lead + lat.shape)}
        axis_coords = self._axes.get_coord(mode=mode, axis_name=axis_name if mode == "edges" else None)
        data.update(axis_coords)
        return MapCoord._from_grids(data, self._frame, sparse=sparse, to_frame=frame)

    def _coord_to_lonlat_axes(self, coords):
        coords = MapCoord.create(coords, frame=self._frame, axis_names=self._axes.names)
        lon, lat = _lonlat_deg(coords.lon), _lonlat_deg(coords.lat)
        return lon, lat, coords.axis_values(self._axes)

    def coord_to_pix(self, coords):
        """Coordinates → float pixel tuple (x, y, axis pix …)."""
        lon, lat, axis_values = self._coord_to_lonlat_axes(coords)
        if lon.size == 0:
            return tuple(np.array([]) for _ in range(2 + len(self._axes)))
        lon, lat = np.broadcast_arrays(lon, lat)
        x, y = self._wcs.wcs_world2pix(lon, lat, 0)
        pix = [x, y]
        pix += [axis.coord_to_pix(value) for axis, value in zip(self._axes, axis_values)]
        return tuple(pix)

    def pix_to_coord(self, pix):
        """Float pixel tuple → (lon, lat Quantities in deg, axis Quantities …)."""
        x, y = (np.asarray(p, dtype=float) for p in pix[:2])
        lon, lat = self._wcs.wcs_pix2world(x, y, 0)
        coords = (u.Quantity(lon, "deg"), u.Quantity(lat, "deg"))
        return coords + self._axes.pix_to_coord(pix[2:])

    def pix_to_idx(self, pix, clip=False):
        """Pixel → integer index (``floor(pix + 0.5)``), -1 outside unless ``clip``."""
        limits = (self._nx, self._ny) + self._axes.shape
        return tuple(kernels.pix_to_idx(p, n, clip=clip) for p, n in zip(pix, limits))

    def _coord_to_flat_idx(self, coords):
        """Index tuple in data order (axis_N … axis_1, y, x) for histogramming."""
        idx = self.coord_to_idx(coords)
        return tuple(idx[2:][::-1]) + (idx[1], idx[0])

    def contains(self, coords):
        idx = self.coord_to_idx(coords)
        return np.all(np.stack([np.broadcast_to(t, np.shape(idx[0])) != -1 for t in idx]), axis=0)

    def contains_pix(self, pix):
        idx = self.pix_to_idx(pix)
        return np.all(np.stack([t != -1 for t in idx]), axis=0)

    # --- derived geometries --------------------------------------------------

    def _resampled_wcs(self, factor, downsample):
        wcs = self._wcs.deepcopy()
        scale = factor if downsample else 1.0 / factor
        wcs.wcs.cdelt *= scale
        wcs.wcs.crpix = (wcs.wcs.crpix - 0.5) / scale + 0.5
        return wcs

    def downsample(self, factor, axis_name=None):
        if axis_name is not None:
            return self._init_copy(axes=self._axes.downsample(factor, axis_name))
        if self._nx % factor or self._ny % factor:
            raise ValueError(
                f"Spatial shape not divisible by factor {factor!r} in all axes. You need to pad prior to calling downsample."
            )
        return self._init_copy(
            wcs=self._resampled_wcs(factor, True),
            npix=(self._nx // factor, self._ny // factor),
            cdelt=(self._cdelt_pair[0] * factor, self._cdelt_pair[1] * factor),
        )

    def upsample(self, factor, axis_name=None):
        if axis_name is not None:
            return self._init_copy(axes=self._axes.upsample(factor, axis_name))
        return self._init_copy(
            wcs=self._resampled_wcs(factor, False),
            npix=(self._nx * factor, self._ny * factor),
            cdelt=(self._cdelt_pair[0] / factor, self._cdelt_pair[1] / factor),
        )

    def pad(self, pad_width, axis_name=None):
        if axis_name is not None:
            return self._init_copy(axes=self._axes.pad(axis_name, pad_width))
        px, py = (pad_width, pad_width) if np.isscalar(pad_width) else pad_width
        wcs = self._wcs.deepcopy()
        wcs.wcs.crpix += np.array([px, py])
        return self._init_copy(wcs=wcs, npix=(self._nx + 2 * px, self._ny + 2 * py))

    def crop(self, crop_width):
        cx, cy = (crop_width, crop_width) if np.isscalar(crop_width) else crop_width
        wcs = self._wcs.deepcopy()
        wcs.wcs.crpix -= np.array([cx, cy])
        return self._init_copy(wcs=wcs, npix=(self._nx - 2 * cx, self._ny - 2 * cy))

    def to_binsz(self, binsz):
        """Same centre, width, projection, frame and axes at pixel size ``binsz``."""
        width = self.width
        return self.create(
            skydir=self.center_skydir,
            binsz=binsz,
            width=(width[0][0], width[1][0]),
            proj=self._projection,
            frame=self._frame,
            axes=self._axes.copy(),
        )

    # --- cutouts -------------------------------------------------------------

    def _pixel_scales_deg(self):
        if "scales" not in self._cutout_memo:
            self._cutout_memo["scales"] = np.asarray(proj_plane_pixel_scales(self._wcs), dtype=float)
        return self._cutout_memo["scales"]

    def _cutout_slices_1d(self, position, width, mode="trim", odd_npix=False, min_npix=1):
        """Parent slices (y, x), new CRPIX shift and cutout npix of a cutout (§3.4)."""
        width = _angle_pair(width)
        x, y = self._position_to_pix(position)
        key = (x, y, width, mode, bool(odd_npix), min_npix)
        if key in self._cutout_memo:
            return self._cutout_memo[key]
        scales = self._pixel_scales_deg()
        npix = np.clip(np.array(width) / scales, min_npix, None)
        if odd_npix:
            npix = (np.ceil(npix) // 2 * 2 + 1).astype(int)
        shape = (int(np.round(npix[1])), int(np.round(npix[0])))
        large = (self._ny, self._nx)
        slices_large, slices_small = _overlap_slices(large, shape, (y, x), mode=mode)
        origin = np.array(
            [slices_large[1].start - slices_small[1].start, slices_large[0].start - slices_small[0].start], dtype=float
        )
        if mode == "trim":
            out_shape = (slices_large[0].stop - slices_large[0].start, slices_large[1].stop - slices_large[1].start)
        else:
            out_shape = shape
        result = slices_large, slices_small, origin, out_shape
        if len(self._cutout_memo) > 64:
            self._cutout_memo = {"scales": self._cutout_memo.get("scales")} if "scales" in self._cutout_memo else {}
        self._cutout_memo[key] = result
        return result

    def _position_to_pix(self, position):
        if isinstance(position, SkyCoord):
            lon, lat, _ = _skycoord_lonlat(position, frame=self._frame)
        else:
            lon, lat = _angle_pair(position)
        x, y = self._wcs.wcs_world2pix(np.atleast_1d(lon).astype(float), np.atleast_1d(lat).astype(float), 0)
        return float(x[0]), float(y[0])

    def cutout(self, position, width, mode="trim", odd_npix=False, min_npix=1):
        """Cutout geometry of ``width`` (deg; float, str, Quantity or (lon, lat)) at ``position``."""
        slices_large, _, origin, out_shape = self._cutout_slices_1d(position, width, mode, odd_npix, min_npix)
        wcs = self._wcs.deepcopy()
        wcs.wcs.crpix -= origin
        wcs.array_shape = out_shape
        new = self._init_copy(wcs=wcs, npix=(out_shape[1], out_shape[0]), _frame=self._frame)
        y0, x0 = int(origin[1]), int(origin[0])
        if (y0, x0) == (slices_large[0].start, slices_large[1].start) and (
            y0 + out_shape[0] <= self._ny and x0 + out_shape[1] <= self._nx and min(y0, x0) >= 0
        ):
            root, dy, dx = self._parent_link or (self, 0, 0)
            new._parent_link = (root, y0 + dy, x0 + dx)
        return new

    def cutout_slices(self, geom, mode="partial"):
        """Slices of the parent ``geom`` and of this cutout that overlap (by ``center_skydir``)."""
        x, y = geom._position_to_pix(self.center_skydir)
        slices = _overlap_slices(geom.data_shape[-2:], self.data_shape[-2:], (y, x), mode=mode)
        return {"parent-slices": slices[0], "cutout-slices": slices[1]}

    # --- solid angle, separation, masks --------------------------------------

    def solid_angle(self):
        """Pixel solid angles (sr), shape ``(1, …, 1, ny, nx)``."""
        return u.Quantity(self._solid_angle_sr().reshape(self.data_shape_image), "sr")

    def bin_volume(self):
        volume = self.solid_angle()
        if len(self._axes):
            volume = volume * self._axes.bin_volume()
        return volume

    def separation(self, center):
        """Great-circle separation of each pixel centre from ``center`` (SkyCoord), (ny, nx)."""
        lon0, lat0, _ = _skycoord_lonlat(center, frame=self._frame)
        lon, lat = self._pixel_lonlat()
        return Angle(kernels.angular_separation(float(lon0), float(lat0), lon, lat), "deg")

    def create_mask(self, axis_name, edge_min=None, edge_max=None, round_to_edge=False):
        """Boolean map keeping bins fully inside ``[edge_min, edge_max]``."""
        from gammabin.maps.wcs_map import Map

        axis = self._axes[axis_name]
        edges = axis.edges
        edge_min = edges[0] if edge_min is None else edge_min
        edge_max = edges[-1] if edge_max is None else edge_max
        if round_to_edge:
            edge_min, edge_max = axis.round(u.Quantity([edge_min, edge_max]) if isinstance(edge_min, u.Quantity) else [edge_min, edge_max])
        mask = (edges[:-1] >= edge_min) & (edges[1:] <= edge_max)
        shape = [1] * len(self.data_shape)
        shape[self._axes.index_data(axis_name)] = -1
        data = np.broadcast_to(mask.reshape(shape), self.data_shape)
        return Map.from_geom(self, data=data.copy(), dtype=bool)

    def region_mask(self, regions, inside=True):
        """Boolean map: pixel centres inside any region (tested in this WCS's pixel space)."""
        from regions import PixCoord, PointSkyRegion, Regions, SkyRegion

        from gammabin.maps.wcs_map import Map

        if isinstance(regions, str):
            regions = list(Regions.parse(data=regions, format="ds9"))
        elif isinstance(regions, SkyRegion):
            regions = [regions]
        elif isinstance(regions, SkyCoord):
            regions = [PointSkyRegion(center=regions)]
        regions = list(regions or [])
        x, y = np.meshgrid(np.arange(self._nx, dtype=float), np.arange(self._ny, dtype=float))
        image = np.zeros((self._ny, self._nx), dtype=bool)
        for region in regions:
            if isinstance(region, PointSkyRegion):
                # pixels where a point source's 4-pixel weights are non-zero
                x0, y0 = self._position_to_pix(region.center)
                image |= (np.abs(x - x0) < 1) & (np.abs(y - y0) < 1)
            else:
                pixel_region = region.to_pixel(self._wcs) if isinstance(region, SkyRegion) else region
                image |= pixel_region.contains(PixCoord(x, y))
        if not inside:
            image = ~image
        data = np.broadcast_to(image, self.data_shape).copy()
        return Map.from_geom(self, data=data, dtype=bool)

    def boundary_mask(self, width):
        """True except within ``width`` (deg, (lon, lat)) of the image border."""
        from gammabin.maps.wcs_map import Map

        wx, wy = _angle_pair(width)
        nx_cut = int(np.round(wx / self._cdelt_pair[0]))
        ny_cut = int(np.round(wy / self._cdelt_pair[1]))
        image = np.zeros((self._ny, self._nx), dtype=bool)
        image[ny_cut : self._ny - ny_cut, nx_cut : self._nx - nx_cut] = True
        return Map.from_geom(self, data=np.broadcast_to(image, self.data_shape).copy(), dtype=bool)

    # --- comparison / io -----------------------------------------------------

    def is_aligned(self, other, tolerance=1e-6):
        for axis, other_axis in zip(self._axes, other.axes):
            if axis != other_axis:
                return False
        return bool(self._wcs.wcs.compare(other.wcs.wcs, cmp=2, tolerance=tolerance))

    def is_allclose(self, other, rtol_axes=1e-6, atol_axes=1e-6, rtol_wcs=1e-6):
        if not isinstance(other, WcsGeom) or self.data_shape != other.data_shape:
            return False
        axes_eq = self._axes.is_allclose(other.axes, rtol=rtol_axes, atol=atol_axes)
        wcs_eq = self._wcs.wcs.compare(other.wcs.wcs, cmp=1, tolerance=rtol_wcs)
        return bool(axes_eq and wcs_eq)

    def __eq__(self, other):
        if not isinstance(other, WcsGeom):
            return False
        return self.is_allclose(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return id(self)

    def __deepcopy__(self, memo):
        return self._init_copy(axes=copy.deepcopy(self._axes, memo))

    def __reduce__(self):
        # astropy pickles a WCS as a FITS header that is parsed again on loading (~2 ms);
        # partial sums travelling between Dask workers carry a dozen geometries each,
        # mostly with the same few WCS, so the pickled form is made once per geometry
        # and a process parses each distinct one once (WCS objects are never mutated)
        if getattr(self, "_wcs_pickle", None) is None:
            self._wcs_pickle = pickle.dumps(self._wcs, protocol=pickle.HIGHEST_PROTOCOL)
        state = {"npix": (self._nx, self._ny), "cdelt": self._cdelt_pair, "crpix": self._crpix,
                 "axes": self._axes, "_frame": self._frame}
        return _restore_wcs_geom, (type(self), self._wcs_pickle, state, self._parent_link, self._key)

    def to_header(self):
        header = self._wcs.to_header()
        header.update(self._axes.to_header())
        shape = f"{self._nx},{self._ny}" + "".join(f",{axis.nbin}" for axis in self._axes)
        header["WCSSHAPE"] = f"({shape})"
        return header

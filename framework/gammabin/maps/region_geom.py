"""RegionGeom: one spatial "pixel" (a sky region) times any number of non-spatial axes.

Spatial questions (containment, areas, WCS cutouts) are answered in a helper TAN WCS
centred on the region (DIM §3.7): sky → pixel with WCSLIB, then the ``regions``
package's pixel-region tests (circle: strict ``<``).  The pixel regions are computed
once per geometry and cached.
"""
import copy

import numpy as np
from astropy import units as u
from astropy.coordinates import Angle, SkyCoord
from astropy.wcs.utils import proj_plane_pixel_area, proj_plane_pixel_scales, wcs_to_celestial_frame

from gammabin import kernels
from gammabin.maps.axes_collection import MapAxes
from gammabin.maps.coord import MapCoord, _skycoord_lonlat
from gammabin.maps.geom_axes_mixin import GeomAxesMixin
from gammabin.maps.wcs_geom import WcsGeom

__all__ = ["RegionGeom", "region_list", "compound_region_center"]


def region_list(region):
    """Flat list of the simple regions in ``region`` (compounds unpacked, None → [])."""
    from regions import CompoundSkyRegion

    if region is None:
        return []
    if isinstance(region, CompoundSkyRegion):
        return region_list(region.region1) + region_list(region.region2)
    return [region]


def _union(regions):
    """The regions as one region: the single one, else a left-nested OR compound."""
    out = regions[0]
    for region in regions[1:]:
        out = out | region
    return out


def _parse_regions(regions):
    """List of SkyRegions from a DS9 string, a SkyRegion, a SkyCoord or a list of them."""
    from regions import PointSkyRegion, Regions, SkyRegion

    if isinstance(regions, str):
        return list(Regions.parse(data=regions, format="ds9"))
    if isinstance(regions, SkyCoord):
        return [PointSkyRegion(center=regions)]
    if isinstance(regions, SkyRegion):
        return [regions]
    out = []
    for item in regions:
        out += _parse_regions(item)
    return out


def compound_region_center(region):
    """Geometric median of the region centres (the centre of a single region).

    Minimises the summed great-circle distance with L-BFGS-B from the mean position,
    within the bounding box of the centres (gammapy's convention for compound ON/OFF
    geometries)."""
    regions = region_list(region)
    if len(regions) == 1:
        return regions[0].center
    # scipy.optimize costs ~0.5 s to import: only real compound regions need it
    from scipy.optimize import Bounds, minimize

    icrs = SkyCoord([r.center.icrs for r in regions])
    ra, dec = icrs.ra.wrap_at("180d").deg, icrs.dec.deg
    ub, lb = np.array([ra.max(), dec.max()]), np.array([ra.min(), dec.min()])
    bounds = None if np.all(ub == lb) else Bounds(ub=ub, lb=lb)

    def total_distance(x):
        return np.sum(kernels.angular_separation(x[0], x[1], ra, dec))

    result = minimize(total_distance, x0=[ra.mean(), dec.mean()], bounds=bounds, method="L-BFGS-B")
    return SkyCoord(result.x[0], result.x[1], unit="deg", frame="icrs")


class RegionGeom(GeomAxesMixin):
    """Geometry of a :class:`RegionNDMap`: ``region``, ``axes`` and a helper ``wcs``
    (axis handling: ``GeomAxesMixin``)."""

    is_region = True
    is_regular = True
    is_allsky = False
    is_hpx = False
    is_image_like = False
    projection = "TAN"
    _nx = _ny = 1

    def __init__(self, region, axes=None, wcs=None, binsz_wcs="0.1 deg"):
        self._region = region
        self._axes = MapAxes.from_default(axes, n_spatial_axes=2)
        self._binsz_wcs = u.Quantity(binsz_wcs, "deg")
        self._pixel_regions = None
        if wcs is None and region is not None:
            center = compound_region_center(region)
            frame = center.frame.name
            # a first WCS to measure the bounding box, then one sized to it
            self._wcs = WcsGeom.create(binsz=self._binsz_wcs, skydir=center, proj=self.projection, frame=frame).wcs
            width = tuple(self.width)
            self._pixel_regions = None
            wcs = WcsGeom.create(binsz=self._binsz_wcs, width=width, skydir=center, proj=self.projection, frame=frame).wcs
        self._wcs = wcs

    # --- construction -----------------------------------------------------------------
    @classmethod
    def create(cls, region, **kwargs):
        """From a SkyRegion, a DS9 string (``"icrs;circle(83.63, 22.01, 0.11)"``), a
        SkyCoord (point region) or a list of them (union)."""
        return cls.from_regions(region, **kwargs)

    @classmethod
    def from_regions(cls, regions, **kwargs):
        regions = _parse_regions(regions)
        region = _union(regions) if regions else None
        return cls(region, **kwargs)

    def _init_copy(self, **kwargs):
        args = dict(region=self._region, axes=self._axes, wcs=self._wcs)
        args.update(kwargs)
        return self.__class__(**args)

    def __deepcopy__(self, memo):
        return self._init_copy(axes=copy.deepcopy(self._axes, memo), wcs=None if self._wcs is None else self._wcs.deepcopy())

    # --- description -------------------------------------------------------------------
    @property
    def region(self):
        return self._region

    @property
    def wcs(self):
        return self._wcs

    @property
    def frame(self):
        if self._region is None:
            return "icrs"
        center = getattr(self._region, "center", None)
        if center is not None:
            return center.frame.name
        return wcs_to_celestial_frame(self._wcs).name

    @property
    def binsz_wcs(self):
        return Angle(proj_plane_pixel_scales(self._wcs), "deg")

    @property
    def is_all_point_sky_regions(self):
        from regions import PointSkyRegion

        return all(isinstance(r, PointSkyRegion) for r in region_list(self._region))

    @property
    def npix(self):
        return np.array([1]), np.array([1])

    @property
    def _shape(self):
        return (1, 1) + self._axes.shape

    @property
    def data_shape(self):
        return self._axes.shape[::-1] + (1, 1)

    @property
    def data_shape_image(self):
        return (1,) * len(self._axes) + (1, 1)

    @property
    def is_flat(self):
        return all(n == 1 for n in self._axes.shape)

    @property
    def center_pix(self):
        return tuple((np.array(self.data_shape, dtype=float) - 1.0) / 2)[::-1]

    @property
    def center_coord(self):
        return self.pix_to_coord(self.center_pix)

    def __str__(self):
        center = self.center_skydir
        lon = center.data.lon.deg if self._region is not None else np.nan
        lat = center.data.lat.deg if self._region is not None else np.nan
        return (
            f"{self.__class__.__name__}\n\n"
            f"\tregion     : {type(self._region).__name__}\n"
            f"\taxes       : {self.axes_names}\n"
            f"\tshape      : {self._shape}\n"
            f"\tndim       : {self.ndim}\n"
            f"\tframe      : {self.frame}\n"
            f"\tcenter     : {lon:.1f} deg, {lat:.1f} deg\n"
        )

    __repr__ = __str__

    # --- pixel regions in the helper WCS ---------------------------------------------------
    def _pixel_region_list(self):
        if self._pixel_regions is None:
            self._pixel_regions = [_to_pixel(r, self._wcs) for r in region_list(self._region)]
        return self._pixel_regions

    def _bbox_pixel(self):
        """(xmin, xmax, ymin, ymax) integer bounding box of all regions (regions' rule);
        a point's box is the one pixel containing it."""
        boxes = []
        for region in self._pixel_region_list():
            try:
                bbox = region.bounding_box
                boxes.append((bbox.ixmin, bbox.ixmax, bbox.iymin, bbox.iymax))
            except (ValueError, NotImplementedError, AttributeError):
                ix, iy = int(np.floor(float(region.center.x) + 0.5)), int(np.floor(float(region.center.y) + 0.5))
                boxes.append((ix, ix, iy, iy))
        boxes = np.array(boxes)
        return boxes[:, 0].min(), boxes[:, 1].max(), boxes[:, 2].min(), boxes[:, 3].max()

    def _bbox_center_and_size(self):
        """Centre (pixel) and size (pixels) of the bounding-box rectangle; an empty box
        becomes a 1×1 rectangle at its centre (gammapy's fallback)."""
        xmin, xmax, ymin, ymax = self._bbox_pixel()
        center = (0.5 * (xmin + xmax - 1), 0.5 * (ymin + ymax - 1))
        width, height = float(xmax - xmin), float(ymax - ymin)
        if width <= 0 or height <= 0:
            return center, (1.0, 1.0)
        return center, (width, height)

    def _bbox_rectangle_sky(self):
        from regions import PixCoord, RectanglePixelRegion

        (cx, cy), (w, h) = self._bbox_center_and_size()
        return RectanglePixelRegion(center=PixCoord(cx, cy), width=w, height=h).to_sky(self._wcs)

    @property
    def width(self):
        """Bounding-box size (lon, lat) in deg."""
        if self._region is None:
            raise ValueError("Region definition required.")
        rect = self._bbox_rectangle_sky()
        return u.Quantity([rect.width.to("deg"), rect.height.to("deg")])

    @property
    def center_skydir(self):
        """Centre of the regions' pixel bounding box, mapped back to the sky."""
        if self._region is None:
            return SkyCoord(np.nan * u.deg, np.nan * u.deg)
        (cx, cy), _ = self._bbox_center_and_size()
        lon, lat = self._wcs.wcs_pix2world(np.array([cx], float), np.array([cy], float), 0)
        frame = wcs_to_celestial_frame(self._wcs)
        return SkyCoord(lon[0], lat[0], unit="deg", frame=frame)

    def separation(self, position):
        return self.center_skydir.separation(position)

    # --- containment ---------------------------------------------------------------------
    def _lonlat_to_wcs_pix(self, lon, lat):
        lon, lat = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
        if lon.size == 0:
            return lon.copy(), lat.copy()
        return self._wcs.wcs_world2pix(lon, lat, 0)

    def contains_wcs_pix(self, pix):
        """Pixel positions (helper WCS) inside any of the regions (circles: strict ``<``)."""
        from regions import PixCoord

        x, y = np.asarray(pix[0], float), np.asarray(pix[1], float)
        if self.is_all_point_sky_regions:
            return np.ones(np.broadcast(x, y).shape, dtype=bool)
        inside = np.zeros(np.broadcast(x, y).shape, dtype=bool)
        coord = PixCoord(x, y)
        for region in self._pixel_region_list():
            inside |= np.asarray(region.contains(coord), dtype=bool)
        return inside

    def _contains_lonlat(self, lon, lat):
        """lon/lat (deg, in the geometry's frame) inside the region; points contain all."""
        if self.is_all_point_sky_regions:
            return np.ones(np.broadcast(lon, lat).shape, dtype=bool)
        x, y = self._lonlat_to_wcs_pix(lon, lat)
        return self.contains_wcs_pix((x, y))

    def contains(self, coords):
        if self._region is None:
            raise ValueError("Region definition required.")
        coords = MapCoord.create(coords, frame=self._wcs_frame, axis_names=self._axes.names)
        return self._contains_lonlat(_deg(coords.lon), _deg(coords.lat))

    @property
    def _wcs_frame(self):
        return wcs_to_celestial_frame(self._wcs).name

    # --- coordinates -----------------------------------------------------------------------
    def get_coord(self, mode="center", frame=None, sparse=False, axis_name=None):
        """Axis centres (or edges along ``axis_name``) at the region centre."""
        if mode == "edges" and axis_name is None:
            raise ValueError("Mode 'edges' requires axis name")
        data = dict(self._axes.get_coord(mode=mode, axis_name=axis_name))
        lon, lat, _ = _skycoord_lonlat(self.center_skydir, frame=self.frame)
        lead = (1,) * len(self._axes)
        data = {"lon": np.full(lead + (1, 1), float(lon)), "lat": np.full(lead + (1, 1), float(lat)), **data}
        return MapCoord._from_grids(data, self.frame, sparse=sparse, to_frame=frame)

    def get_pix(self, idx=None, mode="center"):
        grids = [np.arange(n, dtype=float) for n in self._shape]
        return tuple(np.meshgrid(*grids[::-1], indexing="ij")[::-1])

    def get_idx(self):
        return tuple(p.astype(int) for p in self.get_pix())

    def coord_to_pix(self, coords):
        """(0 inside / NaN outside, same, axis pix …); only axes given → at the centre."""
        if isinstance(coords, tuple) and len(coords) == len(self._axes):
            center = self.center_skydir.transform_to(self.frame)
            coords = (center.data.lon, center.data.lat) + coords
        elif isinstance(coords, dict) and not any(k in coords for k in ("lon", "lat", "skycoord")):
            coords = dict(coords, skycoord=self.center_skydir)
        coords = MapCoord.create(coords, frame=self._wcs_frame, axis_names=self._axes.names)
        lon, lat = _deg(coords.lon), _deg(coords.lat)
        if self._region is None:
            shape = np.broadcast(lon, lat).shape
            x = np.zeros(shape)
        else:
            inside = self._contains_lonlat(lon, lat)
            x = np.where(inside, 0.0, np.nan)
        pix = (x, x.copy())
        return pix + tuple(axis.coord_to_pix(v) for axis, v in zip(self._axes, coords.axis_values(self._axes)))

    def pix_to_coord(self, pix):
        center = self.center_skydir
        lon0 = center.data.lon.deg
        lat0 = center.data.lat.deg
        x, y = np.asarray(pix[0], float), np.asarray(pix[1], float)
        lon = np.where((-0.5 < x) & (x < 0.5), lon0, np.nan)
        lat = np.where((-0.5 < y) & (y < 0.5), lat0, np.nan)
        return (u.Quantity(lon, "deg"), u.Quantity(lat, "deg")) + self._axes.pix_to_coord(pix[2:])

    def pix_to_idx(self, pix, clip=False):
        limits = (1, 1) + self._axes.shape
        return tuple(kernels.pix_to_idx(p, n, clip=clip) for p, n in zip(pix, limits))

    def _coord_to_flat_idx(self, coords):
        idx = self.coord_to_idx(coords)
        return tuple(idx[2:][::-1]) + (idx[1], idx[0])

    def contains_pix(self, pix):
        idx = self.pix_to_idx(pix)
        return np.all(np.stack([np.broadcast_to(t, np.shape(idx[0])) != -1 for t in idx]), axis=0)

    # --- derived geometries (the axis-only ones: GeomAxesMixin) ------------------------------
    def upsample(self, factor, axis_name=None):
        return self._init_copy(axes=self._axes.upsample(factor, axis_name))

    def downsample(self, factor, axis_name=None):
        return self._init_copy(axes=self._axes.downsample(factor, axis_name))

    def to_binsz_wcs(self, binsz):
        """Same region and axes on a helper WCS of pixel size ``binsz``."""
        return self.__class__(self._region, axes=self._axes, binsz_wcs=binsz)

    def _wcs_geom(self):
        return WcsGeom(self._wcs)

    def to_wcs_geom(self, width_min=None):
        """The helper WCS cut to the region's bounding box (≥ ``width_min``), with the axes."""
        width = self.width.to_value("deg")
        if width_min is not None:
            w = np.atleast_1d(Angle(width_min, "deg").deg)
            width = np.maximum(width, w if w.size == 2 else np.repeat(w, 2))
        geom = self._wcs_geom().cutout(position=self.center_skydir, width=tuple(width * u.deg))
        return geom.to_cube(self._axes)

    def get_wcs_coord_and_weights(self, factor=10):
        """Pixel centres of ``to_wcs_geom()`` overlapping the region and their covered
        fractions (pixel centres of a ``factor``× finer grid inside the region)."""
        wcs_geom = self.to_wcs_geom()
        image = wcs_geom.to_image()
        fine = image.upsample(factor)
        mask = fine.region_mask(list(region_list(self._region)))
        ny, nx = image.data_shape[-2:]
        weights = np.asarray(mask.data, dtype=float).reshape(ny, factor, nx, factor).mean(axis=(1, 3))
        selected = weights > 0
        coords = wcs_geom.get_coord(sparse=True)
        lon, lat = coords.lon, coords.lat
        shape = (ny, nx)
        data = {
            "lon": np.broadcast_to(lon, lon.shape[:-2] + shape)[..., selected],
            "lat": np.broadcast_to(lat, lat.shape[:-2] + shape)[..., selected],
        }
        for name in self._axes.names:
            data[name] = coords[name][..., 0, 0][..., None]
        return MapCoord(data, frame=wcs_geom.frame), weights[selected]

    # --- areas ----------------------------------------------------------------------------
    def solid_angle(self):
        """Region area: pixel area of the region × pixel area (flat disc for circles, QUIRK);
        compounds by counting pixel centres on a 10× finer helper grid."""
        from regions import CompoundSkyRegion

        if self._region is None:
            raise ValueError("Region definition required.")
        if isinstance(self._region, CompoundSkyRegion):
            oversampling = 10.0
            binsz = proj_plane_pixel_scales(self._wcs)[0] / oversampling
            fine = self.to_binsz_wcs(binsz * u.deg)
            masks = [_to_pixel(r, fine.wcs).to_mask() for r in region_list(self._region)]
            area = _union_mask_count(masks) / oversampling**2
            return u.Quantity(area * proj_plane_pixel_area(self._wcs), "deg2").to("sr")
        area = self._pixel_region_list()[0].area
        return u.Quantity(area * proj_plane_pixel_area(self._wcs), "deg2").to("sr")

    def bin_volume(self):
        volume = self.solid_angle() * np.ones(self.data_shape)
        if len(self._axes):
            volume = volume * self._axes.bin_volume()
        return volume

    # --- masks --------------------------------------------------------------------------------
    def create_mask(self, axis_name, edge_min=None, edge_max=None, round_to_edge=False):
        return WcsGeom.create_mask(self, axis_name, edge_min, edge_max, round_to_edge)

    # --- comparison -----------------------------------------------------------------------------
    def _same_wcs(self, other, tolerance=1e-6):
        if self._wcs is None or other.wcs is None:
            return self._wcs is other.wcs
        return bool(self._wcs.wcs.compare(other.wcs.wcs, cmp=1, tolerance=tolerance))

    def is_allclose(self, other, rtol_axes=1e-6, atol_axes=1e-6, rtol_wcs=1e-6):
        if not isinstance(other, RegionGeom) or self.data_shape != other.data_shape:
            return False
        return bool(self._axes.is_allclose(other.axes, rtol=rtol_axes, atol=atol_axes) and self._same_wcs(other, rtol_wcs))

    def __eq__(self, other):
        if not isinstance(other, RegionGeom):
            return False
        return self._axes == other.axes and self._same_wcs(other) and _same_pixel_regions(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return id(self)

    def is_aligned(self, other, tolerance=1e-6):
        return isinstance(other, RegionGeom) and self._axes == other.axes and self._same_wcs(other, tolerance)

    def union(self, other):
        """In place: this region OR ``other``'s (axes must agree)."""
        if self._axes != other.axes:
            raise ValueError("Can only make union if extra axes are equivalent.")
        if other.region is not None:
            self._region = other.region if self._region is None else self._region | other.region
            self._pixel_regions = None

    # --- FITS -------------------------------------------------------------------------------------
    def to_region_table(self):
        """FITS region table: pixel shapes in the helper WCS + its header keys."""
        from regions import Regions

        if self._region is None:
            raise ValueError("Region definition required.")
        table = Regions(self._pixel_region_list()).serialize(format="fits")
        table.meta.update(WcsGeom(self._wcs).to_header())
        return table

    @classmethod
    def from_region_table(cls, table, axes=None):
        """Regions (sky) and the WCS from a FITS region table (``SHAPE``, ``X``, ``Y`` …)."""
        from regions import Regions

        wcs = WcsGeom.from_header(table.meta).wcs
        regions = []
        for region_pix in Regions.parse(table, format="fits"):
            region_pix.meta["include"] = True
            regions.append(_to_sky(region_pix, wcs))
        return cls(_union(regions) if regions else None, axes=axes, wcs=wcs)


def _to_pixel(region, wcs):
    """Sky → pixel region; circles by the 1-arcsec-north scale rule (regions 0.10, DIM
    §3.7: ``r_pix = R_arcsec · |pix(c + 1″ north) − pix(c)|``), others by ``regions``."""
    from regions import CirclePixelRegion, CircleSkyRegion, PixCoord

    if not isinstance(region, CircleSkyRegion):
        return region.to_pixel(wcs)
    frame = wcs_to_celestial_frame(wcs)
    center = region.center.transform_to(frame)
    x, y = wcs.world_to_pixel(center)
    radius = region.radius.to_value("arcsec") * _north_scale(center, wcs)
    return CirclePixelRegion(PixCoord(float(x), float(y)), radius=float(radius))


def _north_scale(center, wcs):
    """Pixels per arcsec along north at ``center`` (a SkyCoord in the WCS frame)."""
    north = center.directional_offset_by(0 * u.deg, 1 * u.arcsec)
    x, y = wcs.world_to_pixel(center)
    x1, y1 = wcs.world_to_pixel(north)
    return float(np.hypot(x1 - x, y1 - y))


def _to_sky(region_pix, wcs):
    """Inverse of ``_to_pixel``: circles get radius ``r_pix / scale(centre)``."""
    from regions import CirclePixelRegion, CircleSkyRegion

    if not isinstance(region_pix, CirclePixelRegion):
        return region_pix.to_sky(wcs)
    center = wcs.pixel_to_world(region_pix.center.x, region_pix.center.y)
    radius = region_pix.radius / _north_scale(center, wcs)
    return CircleSkyRegion(center, radius=radius * u.arcsec)


def _deg(value):
    return value.to_value("deg") if isinstance(value, u.Quantity) else np.asarray(value, float)


def _same_pixel_regions(a, b, atol=1e-6):
    """Same shapes at the same pixel parameters (to ``atol`` pixels) in the helper WCS."""
    if a.region is None or b.region is None:
        return a.region is b.region
    ra, rb = a._pixel_region_list(), b._pixel_region_list()
    if len(ra) != len(rb):
        return False
    for p, q in zip(ra, rb):
        if type(p) is not type(q):
            return False
        if not np.allclose([p.center.x, p.center.y], [q.center.x, q.center.y], rtol=0, atol=atol):
            return False
        if hasattr(p, "radius") and not np.isclose(p.radius, q.radius, rtol=0, atol=atol):
            return False
    return True


def _union_mask_count(masks):
    """Number of pixels covered by the union of regions' (center-mode) masks."""
    covered = set()
    for m in masks:
        ys, xs = np.nonzero(m.data)
        covered.update(zip((ys + m.bbox.iymin).tolist(), (xs + m.bbox.ixmin).tolist()))
    return len(covered)

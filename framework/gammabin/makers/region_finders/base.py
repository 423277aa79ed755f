"""The ``RegionsFinder`` base: OFF-region finders rotate the ON region about the
pointing in the pixel plane of a TAN grid centred on the pointing
(background-makers.md §2.1).  Third-party finders subclass it and come in through
the ``gammabin_register_region_finders`` hook."""
import abc

import attrs
import numpy as np

from .mask_lookup import lookup_mask
from .pixel_shapes import frame_of, shapes_to_sky, sky_lonlat, to_pixel_shape

__all__ = ["RegionsFinder", "ReferencePlane", "FinderResult", "binsz_field"]


class ReferencePlane:
    """The finder's reference grid for one (region, pointing) pair: WCS, shape, the
    pointing pixel and the ON region in pixels."""

    def __init__(self, region, center, binsz_deg):
        from gammabin import kernels
        from gammabin.maps import WcsGeom

        self.frame = frame_of(region.center)
        lon_r, lat_r = sky_lonlat(region.center, self.frame)
        lon_c, lat_c = sky_lonlat(center, self.frame)
        sep = float(kernels.angular_separation(lon_r, lat_r, lon_c, lat_c))
        width = 4.0 * sep + 0.3
        self.geom = WcsGeom.create(skydir=(lon_c, lat_c), binsz=binsz_deg, width=width, frame=self.frame, proj="TAN")
        self.wcs = self.geom.wcs
        self.shape = tuple(int(n) for n in self.geom.data_shape[-2:])
        xc, yc = self.wcs.wcs_world2pix([lon_c], [lat_c], 0)
        self.xc, self.yc = float(xc[0]), float(yc[0])
        self.on = to_pixel_shape(region, self.wcs, self.frame)

    def excluded_pixels(self, exclusion_mask, margin=2.0):
        """(x, y) of the reference pixel centres the mask excludes (outside the mask
        reads allowed).  Only pixels that can matter are looked up: those on the ring
        about the pointing pixel that a rotated ON region can reach (rotations keep the
        distance to the pointing), and there only those near an excluded mask pixel."""
        if exclusion_mask is None:
            return np.empty(0), np.empty(0)
        x, y = self._ring_candidates(exclusion_mask, margin)
        if x.size == 0:
            return x, y
        lon, lat = self.wcs.wcs_pix2world(x, y, 0)
        excluded = ~lookup_mask(exclusion_mask, lon, lat, self.frame, outside=True)
        return x[excluded], y[excluded]

    def _ring(self, margin):
        dist = np.hypot(self.on.x - self.xc, self.on.y - self.yc)
        reach = self.on.extent + margin
        return max(dist - reach, 0.0), dist + reach

    def _ring_candidates(self, exclusion_mask, margin):
        """Integer reference pixels (x, y) on the ring that may read an excluded value."""
        ny, nx = self.shape
        r_in, r_out = self._ring(margin)
        near = self._near_excluded(exclusion_mask)
        if near is None:  # many excluded pixels: every ring pixel is a candidate
            y0, y1 = max(int(np.floor(self.yc - r_out)), 0), min(int(np.ceil(self.yc + r_out)), ny - 1)
            x0, x1 = max(int(np.floor(self.xc - r_out)), 0), min(int(np.ceil(self.xc + r_out)), nx - 1)
            yy, xx = np.mgrid[y0:y1 + 1, x0:x1 + 1]
            xx, yy = xx.ravel(), yy.ravel()
        else:
            yy, xx = np.divmod(near, nx)
        d2 = (xx - self.xc) ** 2 + (yy - self.yc) ** 2
        ring = (d2 >= r_in * r_in) & (d2 <= r_out * r_out)
        return xx[ring].astype(float), yy[ring].astype(float)

    def _near_excluded(self, exclusion_mask, max_candidates=200_000):
        """Flat indices of reference pixels within reach of an excluded mask pixel's
        nearest-lookup cell, or None when that would not save work."""
        from ..builders.pixels import sky_to_frame
        from .mask_lookup import mask_frame, mask_image

        image = mask_image(exclusion_mask)
        my, mx = np.nonzero(~image)
        if my.size == 0:
            return np.empty(0, dtype=np.int64)
        mwcs = exclusion_mask.geom.wcs
        ratio = float(np.max(np.abs(mwcs.wcs.cdelt))) / abs(float(self.wcs.wcs.cdelt[1]))
        half = int(np.ceil(1.5 * ratio * np.sqrt(0.5) + 1.0))  # cell half-diagonal, distortion margin
        box = (2 * half + 1) ** 2
        if my.size * box > max_candidates:
            return None
        lon, lat = mwcs.wcs_pix2world(mx.astype(float), my.astype(float), 0)
        lon, lat = sky_to_frame(lon, lat, mask_frame(exclusion_mask), self.frame)
        px, py = self.wcs.wcs_world2pix(lon, lat, 0)
        ok = np.isfinite(px) & np.isfinite(py)
        px, py = np.rint(px[ok]).astype(np.int64), np.rint(py[ok]).astype(np.int64)
        offsets = np.arange(-half, half + 1)
        xx = (px[:, None, None] + offsets[None, None, :]).repeat(offsets.size, axis=1)
        yy = (py[:, None, None] + offsets[None, :, None]).repeat(offsets.size, axis=2)
        ny, nx = self.shape
        inside = (xx >= 0) & (xx < nx) & (yy >= 0) & (yy < ny)
        return np.unique(yy[inside] * nx + xx[inside])


class FinderResult:
    """OFF regions in the reference pixel plane plus their sky regions (made on demand)."""

    def __init__(self, plane, shapes):
        self.plane, self.shapes = plane, list(shapes)
        self._regions = None

    @property
    def wcs(self):
        return self.plane.wcs

    @property
    def regions(self):
        if self._regions is None:
            self._regions = shapes_to_sky(self.shapes, self.plane.wcs)
        return self._regions


def _positive_angle(instance, attribute, value):
    if value is None or float(value.to_value("deg")) <= 0:
        from ..parameters import parameter_error

        raise parameter_error(instance, attribute, "a positive angle", value)


def binsz_field(kw_only=False):
    """The ``binsz`` field (pixel size of the reference grid, default 0.01 deg).
    Finders re-declare it last so that it stays their last positional argument."""
    from ..parameters import _QUANTITY

    return attrs.field(default="0.01 deg", kw_only=kw_only, converter=_QUANTITY, validator=_positive_angle,
                       metadata={"unit": "deg", "optional": False, "kind": "quantity",
                                 "doc": "pixel size of the reference grid"})


@attrs.define
class RegionsFinder(abc.ABC):
    """Base of the OFF-region finders: ``run(region, center, exclusion_mask=None)``
    returns ``(list of sky regions, WCS of the reference grid)``.

    Subclasses implement :meth:`find` on a :class:`ReferencePlane` and return the
    OFF regions as pixel shapes; ``tag`` names them for configurations."""

    tag = None

    binsz: object = binsz_field(kw_only=True)

    def reference_plane(self, region, center):
        return ReferencePlane(region, center, float(self.binsz.to_value("deg")))

    @abc.abstractmethod
    def find(self, plane, exclusion_mask=None):
        """OFF regions as a list of pixel shapes on ``plane``."""

    def run_pixels(self, region, center, exclusion_mask=None):
        """:class:`FinderResult` (pixel shapes and sky regions) for ``region`` about ``center``."""
        plane = self.reference_plane(region, center)
        return FinderResult(plane, self.find(plane, exclusion_mask))

    def run(self, region, center, exclusion_mask=None):
        """OFF sky regions and the reference WCS."""
        result = self.run_pixels(region, center, exclusion_mask)
        return result.regions, result.wcs

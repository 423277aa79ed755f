"""Regions in a finder's pixel plane: rotation about the pointing pixel, strict
pixel-centre containment, conversion back to sky regions (background-makers.md §1–§2).

Circles and points are handled with plain floats (the common case, vectorised);
any other shape wraps a ``regions`` PixelRegion, which provides the same operations."""
import numpy as np

from .mask_lookup import pixel_circle_to_sky, sky_circle_to_pixel

__all__ = ["PixelShape", "to_pixel_shape", "shapes_to_sky", "frame_of", "sky_lonlat"]


def frame_of(skycoord):
    return str(skycoord.frame.name).lower()


def sky_lonlat(skycoord, frame):
    """(lon, lat) degrees of a scalar SkyCoord in ``frame`` (icrs or galactic)."""
    from ..builders.pixels import sky_to_frame

    sph = skycoord.spherical
    lon, lat = sky_to_frame(float(sph.lon.deg), float(sph.lat.deg), frame_of(skycoord), frame)
    return float(lon), float(lat)


class PixelShape:
    """A region in the pixel plane of ``wcs``: ``kind`` is 'circle', 'point' or 'other'.

    ``x, y`` is the centre; ``radius`` the pixel radius of a circle; ``region`` the
    wrapped regions PixelRegion (other shapes)."""

    def __init__(self, kind, x, y, radius=0.0, region=None, sky_template=None):
        self.kind, self.x, self.y, self.radius = kind, float(x), float(y), float(radius)
        self.region, self._sky_template = region, sky_template

    def rotate(self, xc, yc, angle):
        """Counter-clockwise rotation by ``angle`` (rad) about (xc, yc)."""
        c, s = np.cos(angle), np.sin(angle)
        dx, dy = self.x - xc, self.y - yc
        x, y = c * dx - s * dy + xc, s * dx + c * dy + yc
        region = None
        if self.region is not None:
            from astropy import units as u
            from regions import PixCoord

            region = self.region.rotate(PixCoord(xc, yc), angle * u.rad)
            x, y = float(region.center.x), float(region.center.y)
        return PixelShape(self.kind, x, y, self.radius, region, self._sky_template)

    def contains(self, px, py):
        """Strict containment of pixel positions (arrays)."""
        px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
        if self.kind == "circle":
            return np.hypot(px - self.x, py - self.y) < self.radius
        if self.kind == "point":
            return np.zeros(px.shape, dtype=bool)
        from regions import PixCoord

        return np.asarray(self.region.contains(PixCoord(px, py)), dtype=bool)

    @property
    def extent(self):
        """Radius (px) of a disc about (x, y) holding the whole shape."""
        if self.kind == "circle":
            return self.radius
        if self.kind == "point":
            return 0.0
        bbox = self.region.bounding_box
        corners = np.array([[bbox.ixmin - 0.5, bbox.iymin - 0.5], [bbox.ixmax - 0.5, bbox.iymax - 0.5],
                            [bbox.ixmin - 0.5, bbox.iymax - 0.5], [bbox.ixmax - 0.5, bbox.iymin - 0.5]])
        return float(np.max(np.hypot(corners[:, 0] - self.x, corners[:, 1] - self.y))) + 1.0

    def centres_inside(self, shape):
        """(x, y) integer pixel centres of a ``shape = (ny, nx)`` grid strictly inside."""
        ny, nx = shape
        r = self.extent
        x0, x1 = max(int(np.floor(self.x - r)), 0), min(int(np.ceil(self.x + r)), nx - 1)
        y0, y1 = max(int(np.floor(self.y - r)), 0), min(int(np.ceil(self.y + r)), ny - 1)
        if x1 < x0 or y1 < y0:
            return np.empty(0), np.empty(0)
        yy, xx = np.mgrid[y0:y1 + 1, x0:x1 + 1]
        xx, yy = xx.ravel().astype(float), yy.ravel().astype(float)
        inside = self.contains(xx, yy)
        return xx[inside], yy[inside]

    def to_sky(self, wcs):
        """The sky region of this pixel shape (same type as the input region)."""
        from astropy.coordinates import Angle, SkyCoord
        from astropy.wcs.utils import wcs_to_celestial_frame

        if self.region is not None:
            return self.region.to_sky(wcs)
        frame = wcs_to_celestial_frame(wcs)
        if self.kind == "point":
            from regions import PointSkyRegion

            lon, lat = wcs.wcs_pix2world([self.x], [self.y], 0)
            return PointSkyRegion(SkyCoord(lon[0], lat[0], unit="deg", frame=frame))
        from regions import CircleSkyRegion

        lon, lat, radius = pixel_circle_to_sky(wcs, self.x, self.y, self.radius)
        return CircleSkyRegion(SkyCoord(lon[0], lat[0], unit="deg", frame=frame), Angle(radius[0] * 3600.0, "arcsec"))


def to_pixel_shape(region, wcs, frame):
    """A sky region (circle, point or any ``regions`` shape) in ``wcs``'s pixel plane."""
    from regions import CircleSkyRegion, PointSkyRegion

    if isinstance(region, CircleSkyRegion):
        lon, lat = sky_lonlat(region.center, frame)
        x, y, r = sky_circle_to_pixel(wcs, lon, lat, float(region.radius.to_value("deg")))
        return PixelShape("circle", x[0], y[0], r[0])
    if isinstance(region, PointSkyRegion):
        lon, lat = sky_lonlat(region.center, frame)
        x, y = wcs.wcs_world2pix([lon], [lat], 0)
        return PixelShape("point", x[0], y[0])
    pixel = region.to_pixel(wcs)
    return PixelShape("other", float(pixel.center.x), float(pixel.center.y), region=pixel)


def shapes_to_sky(shapes, wcs):
    """Sky regions of many pixel shapes: circles and points converted in one WCSLIB call
    each way and one SkyCoord array (a SkyCoord per region is the slow part)."""
    from astropy.coordinates import Angle, SkyCoord
    from astropy.wcs.utils import wcs_to_celestial_frame
    from regions import CircleSkyRegion, PointSkyRegion

    simple = [i for i, s in enumerate(shapes) if s.kind in ("circle", "point")]
    out = [None] * len(shapes)
    if simple:
        x = np.array([shapes[i].x for i in simple])
        y = np.array([shapes[i].y for i in simple])
        r = np.array([shapes[i].radius for i in simple])
        lon, lat, radius = pixel_circle_to_sky(wcs, x, y, r)
        centres = SkyCoord(lon, lat, unit="deg", frame=wcs_to_celestial_frame(wcs))
        for k, i in enumerate(simple):
            if shapes[i].kind == "point":
                out[i] = PointSkyRegion(centres[k])
            else:
                out[i] = CircleSkyRegion(centres[k], Angle(radius[k] * 3600.0, "arcsec"))
    for i, shape in enumerate(shapes):
        if out[i] is None:
            out[i] = shape.to_sky(wcs)
    return out

"""MapCoord: lon/lat (deg) plus one array per non-spatial axis, with a frame."""
import copy

import numpy as np
from astropy import units as u

__all__ = ["MapCoord"]


def _lonlat_deg(skycoord):
    data = skycoord.spherical if skycoord.data.__class__.__name__ != "UnitSphericalRepresentation" else skycoord.data
    return data.lon.deg, data.lat.deg


def _skycoord_lonlat(skycoord, frame=None):
    """(lon, lat, frame) in degrees of a SkyCoord, converted to ``frame`` if given.

    For one position, ICRS <-> Galactic is done with the closed-form rotation of
    :mod:`gammabin.kernels` (within 1e-12 deg of astropy's frame graph, which costs
    ~1 ms a call; a cutout of a Galactic map at an ICRS pointing makes one)."""
    if frame:
        from gammabin import kernels

        target = str(getattr(frame, "name", frame)).lower()
        if skycoord.isscalar and (skycoord.frame.name, target) in kernels.FRAME_ROTATIONS:
            lon, lat = kernels.convert_frame(*_lonlat_deg(skycoord), skycoord.frame.name, target)
            return lon, lat, target
        skycoord = skycoord.transform_to(frame)
    return (*_lonlat_deg(skycoord), skycoord.frame.name)


def _is_skycoord(value):
    from astropy.coordinates import SkyCoord

    return isinstance(value, SkyCoord)


class MapCoord:
    """Coordinates for the two spatial and any number of non-spatial dimensions.

    ``match_by_name=False`` (tuple input) means non-spatial axes are matched by
    position rather than by name.
    """

    def __init__(self, data, frame=None, match_by_name=True):
        if "lon" not in data or "lat" not in data:
            raise ValueError("MapCoord data must contain axes named 'lon' and 'lat'")
        self._data = {key: np.atleast_1d(value) for key, value in data.items()}
        self._frame = frame
        self._match_by_name = match_by_name

    # --- construction --------------------------------------------------------

    @classmethod
    def create(cls, data, frame=None, axis_names=None):
        """From a MapCoord, a dict (``lon``/``lat`` or ``skycoord`` + axes), a tuple
        ``(lon, lat, *axes)`` / ``(SkyCoord, *axes)`` or a SkyCoord."""
        if isinstance(data, cls):
            if data.frame is None or frame is None or frame == data.frame:
                return data
            return data.to_frame(frame)
        if isinstance(data, dict):
            return cls._from_dict(data, frame=frame)
        if isinstance(data, (list, tuple)):
            return cls._from_tuple(data, frame=frame, axis_names=axis_names)
        if _is_skycoord(data):
            return cls._from_tuple((data,), frame=frame, axis_names=axis_names)
        raise TypeError(f"Unsupported MapCoord input type: {type(data)!r}")

    @classmethod
    def _from_grids(cls, data, frame, sparse=False, to_frame=None):
        """A geometry's ``get_coord``: ``data`` holds "lon"/"lat" in degrees and the
        axis coordinates, shaped to broadcast; ``sparse=False`` materialises the full
        grid; the result is in ``to_frame`` when given."""
        if not sparse:
            shape = np.broadcast_shapes(*[np.shape(v) for v in data.values()])
            data = {key: np.broadcast_to(value, shape, subok=True).copy() for key, value in data.items()}
        data["lon"] = u.Quantity(data["lon"], "deg", copy=None)
        data["lat"] = u.Quantity(data["lat"], "deg", copy=None)
        coords = cls(data, frame=frame)
        if to_frame is not None and to_frame != frame:
            coords = coords.to_frame(to_frame)
        return coords

    @classmethod
    def _from_dict(cls, coords, frame=None):
        if "lon" in coords and "lat" in coords:
            return cls(coords, frame=frame)
        if "skycoord" in coords:
            lon, lat, sky_frame = _skycoord_lonlat(coords["skycoord"], frame=frame)
            data = {"lon": lon, "lat": lat}
            data.update({key: value for key, value in coords.items() if key != "skycoord"})
            return cls(data, frame=sky_frame)
        raise ValueError("MapCoord dict must contain 'lon'/'lat' or 'skycoord'")

    @classmethod
    def _from_tuple(cls, coords, frame=None, axis_names=None):
        first = coords[0]
        if _is_skycoord(first):
            lon, lat, frame = _skycoord_lonlat(first, frame=frame)
            coords = (lon, lat) + tuple(coords[1:])
        elif not (isinstance(first, (list, np.ndarray)) or np.isscalar(first)):
            raise TypeError(f"Type not supported: {type(first)!r}")
        if axis_names is None:
            axis_names = [f"axis{idx}" for idx in range(len(coords) - 2)]
        data = {"lon": coords[0], "lat": coords[1]}
        data.update(dict(zip(axis_names, coords[2:])))
        return cls(data, frame=frame, match_by_name=False)

    # --- access ---------------------------------------------------------------

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._data[key]
        return list(self._data.values())[key]

    def __setitem__(self, key, value):
        self._data[key] = np.atleast_1d(value)

    def __iter__(self):
        return iter(self._data.values())

    def __contains__(self, key):
        return key in self._data

    def axis_values(self, axes):
        """Per-axis coordinate arrays in ``axes`` order (by name or by position)."""
        if self._match_by_name:
            return [self._data[name] for name in axes.names]
        values = list(self._data.values())[2:]
        if len(values) < len(axes.names):
            raise ValueError(f"MapCoord has {len(values)} non-spatial coordinates, geometry needs {len(axes.names)}")
        return values[: len(axes.names)]

    @property
    def ndim(self):
        return len(self._data)

    @property
    def axis_names(self):
        return list(self._data.keys())

    @property
    def shape(self):
        return np.broadcast(*self._data.values()).shape

    @property
    def size(self):
        return int(np.prod(self.shape))

    @property
    def lon(self):
        return self._data["lon"]

    @property
    def lat(self):
        return self._data["lat"]

    @property
    def theta(self):
        return np.pi / 2.0 - np.deg2rad(u.Quantity(self.lat, "deg").value)

    @property
    def phi(self):
        phi = np.deg2rad(u.Quantity(self.lon, "deg").value)
        return np.where(phi < 0, phi + 2 * np.pi, phi)

    @property
    def frame(self):
        return self._frame

    @property
    def match_by_name(self):
        return self._match_by_name

    @property
    def skycoord(self):
        from astropy.coordinates import SkyCoord

        return SkyCoord(self.lon, self.lat, unit="deg", frame=self.frame)

    # --- transformations -----------------------------------------------------

    def to_frame(self, frame):
        if frame == self._frame:
            return self.copy()
        lon, lat, frame = _skycoord_lonlat(self.skycoord, frame=frame)
        data = dict(self._data)
        data["lon"], data["lat"] = lon, lat
        return self.__class__(data, frame, self._match_by_name)

    def apply_mask(self, mask):
        try:
            data = {key: value[mask] for key, value in self._data.items()}
        except IndexError:
            data = {}
            for name, value in self._data.items():
                if name in ("lon", "lat"):
                    data[name] = np.squeeze(value)[mask]
                else:
                    data[name] = np.squeeze(value, axis=-1)
        return self.__class__(data, self._frame, self._match_by_name)

    @property
    def broadcasted(self):
        values = np.broadcast_arrays(*self._data.values(), subok=True)
        return self.__class__(dict(zip(self._data.keys(), values)), self._frame, self._match_by_name)

    @property
    def flat(self):
        coords = self.broadcasted
        return coords.apply_mask(np.isfinite(coords[0]))

    def copy(self):
        return copy.deepcopy(self)

    def __str__(self):
        return (
            f"{self.__class__.__name__}\n\n"
            f"\taxes     : {list(self._data.keys())}\n"
            f"\tshape    : {self.shape[::-1]}\n"
            f"\tndim     : {self.ndim}\n"
            f"\tframe : {self.frame}\n"
        )

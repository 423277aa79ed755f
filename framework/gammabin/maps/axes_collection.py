"""MapAxes: the ordered, uniquely named non-spatial axes of a geometry.

Data arrays are ordered ``(axis_N, …, axis_1, lat, lon)``, hence
``index_data(name) = N - 1 - index(name)``.
"""
import numpy as np
from astropy import units as u

from gammabin.maps.axes import MapAxis

__all__ = ["MapAxes"]


class MapAxes:
    """Sequence of :class:`MapAxis` with unique names."""

    def __init__(self, axes, n_spatial_axes=None):
        axes = list(axes)
        names = []
        for axis in axes:
            if axis.name in names:
                raise ValueError(f"Axis names must be unique, got: '{axis.name}' twice.")
            names.append(axis.name)
        self._axes = axes
        self._n_spatial_axes = n_spatial_axes

    @classmethod
    def from_default(cls, axes, n_spatial_axes=None):
        """Accept axes or plain node arrays; unnamed axes become ``axis<i>``."""
        if axes is None:
            return cls([], n_spatial_axes=n_spatial_axes)
        if isinstance(axes, MapAxes):
            axes = list(axes)
        out = []
        for idx, axis in enumerate(axes):
            if isinstance(axis, np.ndarray):
                axis = MapAxis(axis)
            if axis.name == "":
                axis = axis.copy(name=f"axis{idx}")
            out.append(axis)
        return cls(out, n_spatial_axes=n_spatial_axes)

    # --- sequence protocol -----------------------------------------------------

    def __len__(self):
        return len(self._axes)

    def __iter__(self):
        return iter(self._axes)

    def __add__(self, other):
        return self.__class__(list(self) + list(other))

    def __getitem__(self, idx):
        if isinstance(idx, (int, np.integer)):
            return self._axes[idx]
        if isinstance(idx, str):
            for axis in self._axes:
                if axis.name == idx:
                    return axis
            raise KeyError(f"Axis with name {idx!r} not in list of axis names: {self.names}.")
        if isinstance(idx, slice):
            return self.__class__(self._axes[idx])
        if isinstance(idx, list):
            return self.__class__([self[name] for name in idx])
        raise TypeError(f"Invalid type: {type(idx)!r}")

    # --- description ---------------------------------------------------------

    @property
    def names(self):
        return [axis.name for axis in self._axes]

    @property
    def shape(self):
        return tuple(axis.nbin for axis in self._axes)

    def index(self, axis_name):
        return self.names.index(axis_name)

    def index_data(self, axis_name):
        return len(self) - self.names.index(axis_name) - 1

    @property
    def reverse(self):
        return self.__class__(self._axes[::-1])

    @property
    def primary_axis(self):
        return self[int(np.argmax(self.shape))]

    @property
    def is_flat(self):
        return bool(np.all(np.array(self.shape) == 1))

    @property
    def is_unidimensional(self):
        return self.is_flat or int(np.count_nonzero(np.array(self.shape) > 1)) == 1

    @property
    def iter_with_reshape(self):
        """(broadcast shape, axis) pairs in data order (plus spatial dims if known)."""
        for idx, axis in enumerate(self._axes):
            shape = [1] * len(self)
            shape[idx] = -1
            if self._n_spatial_axes:
                shape = shape[::-1] + [1] * self._n_spatial_axes
            yield tuple(shape), axis

    def _broadcast_shape(self, idx):
        """Shape putting axis ``idx`` on its data dimension (spatial dims appended)."""
        shape = [1] * len(self)
        shape[idx] = -1
        if self._n_spatial_axes:  # inside a geometry: data order, spatial dims last
            shape = shape[::-1] + [1] * self._n_spatial_axes
        return tuple(shape)

    def get_coord(self, mode="center", axis_name=None):
        """Axis centres (edges for ``axis_name`` with ``mode='edges'``) broadcast in data order."""
        coords = {}
        for idx, axis in enumerate(self._axes):
            values = axis.edges if (mode == "edges" and axis.name == axis_name) else axis.center
            coords[axis.name] = values.reshape(self._broadcast_shape(idx))
        return coords

    def bin_volume(self):
        volume = np.array(1)
        for idx, axis in enumerate(self._axes):
            volume = volume * axis.bin_width.reshape(self._broadcast_shape(idx))
        return volume

    def center_coord(self):
        return tuple(axis.pix_to_coord((float(axis.nbin) - 1.0) / 2.0) for axis in self._axes)

    # --- pix / idx -----------------------------------------------------------

    def coord_to_pix(self, coord):
        return tuple(axis.coord_to_pix(coord[axis.name]) for axis in self._axes)

    def coord_to_idx(self, coord, clip=True):
        return tuple(axis.coord_to_idx(coord[axis.name], clip=clip) for axis in self._axes)

    def pix_to_coord(self, pix):
        return tuple(axis.pix_to_coord(p) for axis, p in zip(self._axes, pix))

    def pix_to_idx(self, pix, clip=False):
        return tuple(axis.pix_to_idx(p, clip=clip) for axis, p in zip(self._axes, pix))

    # --- derived axes --------------------------------------------------------

    def _replace_named(self, name, new_axis):
        return self.__class__([new_axis if axis.name == name else axis for axis in self._axes], self._n_spatial_axes)

    def replace(self, axis):
        if axis.name not in self.names:
            raise ValueError(f"Axis {axis.name!r} not found in axes {self.names}")
        return self._replace_named(axis.name, axis)

    def drop(self, axis_name):
        return self.__class__([axis for axis in self._axes if axis.name != axis_name], self._n_spatial_axes)

    def squash(self, axis_name):
        return self._replace_named(axis_name, self[axis_name].squash())

    def upsample(self, factor, axis_name):
        return self._replace_named(axis_name, self[axis_name].upsample(factor))

    def downsample(self, factor, axis_name):
        return self._replace_named(axis_name, self[axis_name].downsample(factor))

    def pad(self, axis_name, pad_width):
        return self._replace_named(axis_name, self[axis_name].pad(pad_width))

    def resample(self, axis):
        """Group the bins of the axis of the same name into ``axis``'s edges (nearest edges)."""
        old = self[axis.name]
        pix = np.clip(old.coord_to_pix(axis.edges), -0.5, old.nbin - 0.5)
        edge_idx = np.unique(np.round(pix + 0.5).astype(int))
        edges = old.edges[edge_idx]
        return self._replace_named(axis.name, MapAxis.from_edges(edges, interp=axis.interp, name=axis.name))

    def slice_by_idx(self, slices):
        """Slice axes; an integer index drops its axis."""
        axes = []
        for axis in self._axes:
            sel = slices.get(axis.name, slice(None))
            if isinstance(sel, slice):
                axes.append(axis.slice(sel))
        return self.__class__(axes)

    def rename_axes(self, names, new_names):
        mapping = dict(zip(names, new_names))
        return self.__class__([axis.rename(mapping.get(axis.name, axis.name)) for axis in self._axes])

    def assert_names(self, required_names, allow_extra=False):
        if not allow_extra and len(self) != len(required_names):
            raise ValueError(f"Expected axes {required_names}, got {self.names}")
        for name in required_names:
            if name not in self.names:
                raise ValueError(f"Expected axis {name!r} in axes {self.names}")

    def copy(self):
        return self.__class__([axis.copy() for axis in self._axes], self._n_spatial_axes)

    def _with_spatial(self, n_spatial_axes):
        return self.__class__(self._axes, n_spatial_axes=n_spatial_axes)

    # --- comparison ----------------------------------------------------------

    def is_allclose(self, other, **kwargs):
        if not isinstance(other, MapAxes) or len(self) != len(other):
            return False
        return all(a.is_allclose(b, **kwargs) for a, b in zip(self, other))

    def __eq__(self, other):
        if not isinstance(other, MapAxes):
            return False
        return self.is_allclose(other, rtol=1e-6, atol=1e-6)

    def __ne__(self, other):
        return not self.__eq__(other)

    # --- gadf bands table ----------------------------------------------------

    def to_header(self, format="gadf"):
        from astropy.io import fits

        header = fits.Header()
        for idx, axis in enumerate(self._axes, start=1):
            header.update(axis.to_header(format=format, idx=idx))
        return header

    def to_table(self, format="gadf"):
        """Bands table: ``CHANNEL`` plus centre/min/max columns per axis, one row per
        meshgrid point (the first axis varies fastest)."""
        from astropy.table import Table

        if format != "gadf":
            raise ValueError(f"Unsupported bands table format {format!r} (only 'gadf')")
        table = Table()
        table["CHANNEL"] = np.arange(int(np.prod(self.shape)))
        centres = np.meshgrid(*[axis.center for axis in self._axes])
        mins = np.meshgrid(*[axis.edges_min for axis in self._axes])
        maxs = np.meshgrid(*[axis.edges_max for axis in self._axes])
        for idx, axis in enumerate(self._axes):
            for colname, grid in zip(axis._gadf_columns(), (centres, mins, maxs)):
                table[colname] = u.Quantity(np.ravel(grid[idx]))
        return table

    def to_table_hdu(self, format="gadf", hdu_bands=None):
        from astropy.io import fits

        table = self.to_table(format=format)
        header = self.to_header(format=format)
        return fits.BinTableHDU(table, name=hdu_bands or "BANDS", header=header)

    @classmethod
    def from_table(cls, table, format="gadf"):
        """Axes from a gadf bands table (``AXCOLS1..5`` / ``INTERP<i>`` in its meta)."""
        if format != "gadf":
            raise ValueError(f"Unsupported bands table format {format!r} (only 'gadf')")
        axes = []
        for idx in range(1, 6):
            axcols = table.meta.get(f"AXCOLS{idx}")
            if axcols is None:
                break
            axes.append(_axis_from_bands(table, axcols, table.meta.get(f"INTERP{idx}", "lin")))
        return cls(axes)

    @classmethod
    def from_table_hdu(cls, hdu, format="gadf"):
        from astropy.table import Table

        if hdu is None:
            return cls([])
        return cls.from_table(Table.read(hdu), format=format)

    def __repr__(self):
        return f"MapAxes({self.names})"


def _axis_from_bands(table, axcols, interp):
    colnames = axcols.split(",")
    node_type = "edges" if len(colnames) == 2 else "center"
    if colnames[0] == "E_MIN":
        name = "energy"
    else:
        name = colnames[0].replace("_MIN", "").lower()
        if name == "theta":  # older files
            name = "rad"
    if node_type == "center":
        nodes = np.unique(table[colnames[0]].quantity)
    else:
        lo = np.unique(table[colnames[0]].quantity)
        hi = np.unique(table[colnames[1]].quantity)
        nodes = np.append(lo.value, hi.to_value(lo.unit)[-1]) * lo.unit
    return MapAxis(nodes, node_type=node_type, interp=interp, name=name)


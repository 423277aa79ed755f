"""MapAxis: one non-spatial map axis (energy, offset, rad, migra ...).

Nodes are edges (``nbin = len(nodes) - 1``, node k at pix k - 0.5) or centres
(``nbin = len(nodes)``, node k at pix k).  Pix ↔ coordinate is piecewise linear
between scaled nodes (``lin``/``log``/``sqrt``), extrapolated outside; the
arithmetic lives in :mod:`gammabin.kernels` so that event binning at exact bin
edges agrees with gammapy.  Instances are immutable: derived float arrays are
cached on first use.
"""
import numpy as np
from astropy import units as u

from gammabin import kernels

__all__ = ["MapAxis"]

_INTERPS = ("lin", "log", "sqrt")
_NODE_TYPES = ("edges", "center")


def _value_in_unit(values, unit):
    """Plain array of ``values`` in ``unit`` (float32 stays float32)."""
    if isinstance(values, u.Quantity):
        return values.to_value(unit)
    return np.asarray(values)


class MapAxis:
    """A map axis defined by its nodes (edges or centres)."""

    def __init__(self, nodes, interp="lin", name="", node_type="edges", unit=""):
        if not isinstance(name, str):
            raise TypeError(f"MapAxis name must be a string, got {type(name).__name__}")
        if interp not in _INTERPS:
            raise ValueError(f"Invalid interp {interp!r}: expected one of {_INTERPS}")
        if node_type not in _NODE_TYPES:
            raise ValueError(f"Invalid node type {node_type!r}: expected one of {_NODE_TYPES}")
        if isinstance(nodes, u.Quantity):
            unit = nodes.unit
            nodes = nodes.value
        nodes = np.atleast_1d(np.array(nodes, dtype=float))
        if len(nodes) != len(np.unique(nodes)):
            raise ValueError(f"MapAxis {name!r}: node values must be unique")
        ordered = np.sort(nodes)
        if not (np.all(nodes == ordered) or np.all(nodes[::-1] == ordered)):
            raise ValueError(f"MapAxis {name!r}: node values must be sorted")
        if interp != "lin" and (nodes < 0).any():
            raise ValueError(f"MapAxis {name!r}: interp {interp!r} needs positive node values")
        if node_type == "edges" and len(nodes) < 2:
            raise ValueError(f"MapAxis {name!r}: an edges axis needs at least 2 edges")
        nodes.flags.writeable = False
        self._nodes = nodes
        self._name = name
        self._interp = interp
        self._node_type = node_type
        self._unit = u.Unit(unit)
        self._pix_offset = -0.5 if node_type == "edges" else 0.0
        self._nbin = len(nodes) - 1 if node_type == "edges" else len(nodes)
        self._cache = {}

    # --- constructors ---------------------------------------------------------

    @classmethod
    def from_bounds(cls, lo_bnd, hi_bnd, nbin, interp="lin", node_type="edges", unit=None, name=""):
        """``nbin`` bins between ``lo_bnd`` and ``hi_bnd``, uniform in the scaled space."""
        if unit is None:
            unit = ""
            for bound in (hi_bnd, lo_bnd):
                if isinstance(bound, u.Quantity):
                    unit = bound.unit
        lo_bnd = u.Quantity(lo_bnd, unit).value if isinstance(lo_bnd, u.Quantity) else float(lo_bnd)
        hi_bnd = u.Quantity(hi_bnd, unit).value if isinstance(hi_bnd, u.Quantity) else float(hi_bnd)
        nbin = int(nbin)
        nnode = nbin + 1 if node_type == "edges" else nbin
        if interp == "lin":
            nodes = np.linspace(lo_bnd, hi_bnd, nnode)
        elif interp == "log":
            nodes = np.geomspace(lo_bnd, hi_bnd, nnode)
        elif interp == "sqrt":
            nodes = np.linspace(lo_bnd**0.5, hi_bnd**0.5, nnode) ** 2.0
        else:
            raise ValueError(f"Invalid interp {interp!r}: expected one of {_INTERPS}")
        return cls(nodes, interp=interp, name=name, node_type=node_type, unit=unit)

    @classmethod
    def from_edges(cls, edges, interp="lin", name="", unit=""):
        """Axis from bin edges (at least two)."""
        if len(edges) < 2:
            raise ValueError(f"MapAxis {name!r}: from_edges needs at least 2 edges")
        return cls(edges, interp=interp, name=name, node_type="edges", unit=unit)

    @classmethod
    def from_nodes(cls, nodes, interp="lin", name="", unit=""):
        """Axis from bin centres (at least one)."""
        if len(np.atleast_1d(nodes)) < 1:
            raise ValueError(f"MapAxis {name!r}: from_nodes needs at least 1 node")
        return cls(nodes, interp=interp, name=name, node_type="center", unit=unit)

    @classmethod
    def from_energy_edges(cls, energy_edges, unit=None, name="energy", interp="log"):
        """Energy axis (log by default) from edges."""
        energy_edges = u.Quantity(energy_edges, unit)
        if not energy_edges.unit.is_equivalent("TeV"):
            raise ValueError(f"Please provide a valid energy unit, got {energy_edges.unit!s}")
        if unit is not None:
            energy_edges = energy_edges.to(unit)
        return cls.from_edges(energy_edges, interp=interp, name=name or "energy")

    @classmethod
    def from_energy_bounds(
        cls,
        energy_min,
        energy_max,
        nbin,
        unit=None,
        per_decade=False,
        name="energy",
        node_type="edges",
        strict_bounds=True,
    ):
        """Log energy axis between two energies (``per_decade``: ``nbin`` per decade)."""
        energy_min = u.Quantity(energy_min, unit)
        energy_max = u.Quantity(energy_max, unit)
        if unit is None:
            unit = energy_max.unit
            energy_min = energy_min.to(unit)
        if not energy_max.unit.is_equivalent("TeV"):
            raise ValueError(f"Please provide a valid energy unit, got {energy_max.unit!s}")
        if per_decade:
            decades = np.log10((energy_max / energy_min).to_value(""))
            if strict_bounds:
                nbin = np.ceil(decades * nbin)
            else:
                per = nbin
                nbin = np.floor(decades * per)
                if decades % (1 / per) != 0:
                    energy_max = energy_min * 10 ** (nbin / per)
        name = name or "energy"
        if name not in ("energy", "energy_true"):
            raise ValueError(f"Energy axis can only be named 'energy' or 'energy_true', got {name!r}")
        return cls.from_bounds(
            energy_min.to_value(unit),
            energy_max.to_value(unit),
            nbin=nbin,
            unit=unit,
            interp="log",
            name=name,
            node_type=node_type,
        )

    @classmethod
    def from_stack(cls, axes):
        """Concatenate contiguous axes."""
        stacked = axes[0]
        for axis in axes[1:]:
            stacked = stacked.concatenate(axis)
        return stacked

    # --- basic properties ----------------------------------------------------

    @property
    def name(self):
        return self._name

    @property
    def unit(self):
        return self._unit

    @property
    def interp(self):
        return self._interp

    @property
    def node_type(self):
        return self._node_type

    @property
    def nbin(self):
        return self._nbin

    @property
    def nodes(self):
        return u.Quantity(self._nodes, self._unit)

    @property
    def is_energy_axis(self):
        return self._name in ("energy", "energy_true")

    def _cached(self, key, compute):
        if key not in self._cache:
            value = compute()
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            self._cache[key] = value
        return self._cache[key]

    @property
    def _scaled_nodes(self):
        """Nodes in the scaled space (float64), the pix ↔ coordinate anchors."""
        return self._cached("scaled", lambda: np.asarray(kernels.axis_scale(self._nodes, self._interp), dtype=float))

    @property
    def _edges_float(self):
        return self._cached("edges", lambda: self._pix_to_coord_float(np.arange(self._nbin + 1, dtype=float) - 0.5))

    @property
    def _center_float(self):
        return self._cached("center", lambda: self._pix_to_coord_float(np.arange(self._nbin, dtype=float)))

    @property
    def edges(self):
        return u.Quantity(self._edges_float, self._unit)

    @property
    def edges_min(self):
        return self.edges[:-1]

    @property
    def edges_max(self):
        return self.edges[1:]

    @property
    def center(self):
        return u.Quantity(self._center_float, self._unit)

    @property
    def bin_width(self):
        return np.diff(self.edges)

    @property
    def bounds(self):
        values = self._edges_float if self._node_type == "edges" else self._center_float
        return u.Quantity([values[0], values[-1]], self._unit)

    @property
    def nbin_per_decade(self):
        if self._interp != "log":
            raise ValueError("nbin_per_decade only defined for a log axis")
        values = self._edges_float if self._node_type == "edges" else self._center_float
        return self._nbin / np.log10(values.max() / values.min())

    # --- pix ↔ coordinate ----------------------------------------------------

    def _pix_to_coord_float(self, pix):
        return kernels.axis_pix_to_coord(pix, self._scaled_nodes, self._interp, self._pix_offset)

    def _coord_to_pix_float(self, coord):
        """Float pix from plain coordinate values already in the axis unit."""
        return kernels.axis_coord_to_pix(coord, self._scaled_nodes, self._interp, self._pix_offset)

    def pix_to_coord(self, pix):
        """Pixel coordinates → axis coordinates (Quantity in the axis unit)."""
        return u.Quantity(self._pix_to_coord_float(pix), self._unit, copy=False)

    def coord_to_pix(self, coord):
        """Axis coordinates (Quantity or values in the axis unit) → float pixels (≥ 1-d)."""
        coord = _value_in_unit(coord, self._unit)
        return np.array(self._coord_to_pix_float(coord), ndmin=1)

    def pix_to_idx(self, pix, clip=False):
        """Pixel → bin index with -1 outside (``clip``: clipped to the axis)."""
        pix = np.asarray(pix)
        if clip:
            return np.clip(pix, 0, self._nbin - 1)
        return np.where((pix < 0) | (pix >= self._nbin), -1, pix)

    def coord_to_idx(self, coord, clip=False):
        """Bin index by ``digitize`` on the edges (IRF masking path of gammapy)."""
        coord = _value_in_unit(coord, self._unit)
        return kernels.digitize_idx(coord, self._edges_float, clip=clip)

    def _coord_to_bin(self, coord):
        """Integer event bin (-1 outside) by the exact §3.1 pix arithmetic."""
        pix = self._coord_to_pix_float(coord)
        return kernels.pix_to_idx(pix, self._nbin)

    # --- comparison ----------------------------------------------------------

    def is_allclose(self, other, **kwargs):
        if not isinstance(other, MapAxis):
            return False
        if self._edges_float.shape != other._edges_float.shape:
            return False
        if not self._unit.is_equivalent(other._unit):
            return False
        return (
            np.allclose(self.edges, other.edges, **kwargs)
            and self._node_type == other._node_type
            and self._interp == other._interp
            and self._name.upper() == other._name.upper()
        )

    def __eq__(self, other):
        if not isinstance(other, MapAxis):
            return False
        return self.is_allclose(other, rtol=1e-6, atol=1e-6)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return id(self)

    def is_aligned(self, other, atol=2e-2):
        """Edges of both axes fall on integer pixel boundaries of each other."""
        pix = self.coord_to_pix(other.edges)
        pix_other = other.coord_to_pix(self.edges)
        pix_all = np.append(pix, pix_other)
        return bool(np.allclose(np.round(pix_all) - pix_all, 0, atol=atol)) and self._interp == other._interp

    # --- derived axes --------------------------------------------------------

    def copy(self, **kwargs):
        """Copy with constructor arguments overridden."""
        args = dict(
            nodes=self._nodes, interp=self._interp, name=self._name, node_type=self._node_type, unit=self._unit
        )
        args.update(kwargs)
        return self.__class__(**args)

    def rename(self, new_name):
        return self.copy(name=new_name)

    def to_node_type(self, node_type):
        if node_type == self._node_type:
            return self
        nodes = self.center if node_type == "center" else self.edges
        return self.__class__(nodes, interp=self._interp, name=self._name, node_type=node_type, unit=self._unit)

    def squash(self):
        """One bin over the full range."""
        edges = self._edges_float
        return MapAxis.from_bounds(edges[0], edges[-1], nbin=1, interp=self._interp, name=self._name, unit=self._unit)

    def slice(self, idx):
        """Sub-axis of the bins selected by the slice ``idx``."""
        bins = np.arange(self._nbin)[idx]
        bins = np.atleast_1d(bins)
        if self._node_type == "edges":
            bins = np.append(bins, bins[-1] + 1)
        return MapAxis(
            self._nodes[bins], interp=self._interp, name=self._name, node_type=self._node_type, unit=self._unit
        )

    def downsample(self, factor, strict=True):
        """Keep every ``factor``-th edge (centre)."""
        if self._node_type == "edges":
            values, what = self._edges_float, f"Number of {self._name} bins ({self._nbin})"
        else:
            values, what = self._center_float, f"Number of {self._name} bins - 1 ({self._nbin - 1})"
        kept = values[::factor]
        if kept[-1] != values[-1]:
            if strict:
                raise ValueError(f"{what} is not divisible by {factor}")
            kept = np.append(kept, values[-1])
        nodes = u.Quantity(kept, self._unit)
        if self._node_type == "edges":
            return self.from_edges(nodes, name=self._name, interp=self._interp)
        return self.from_nodes(nodes, name=self._name, interp=self._interp)

    def upsample(self, factor):
        """``factor`` sub-bins per bin, uniform in pix."""
        if self._node_type == "edges":
            pix = self.coord_to_pix(self.edges)
            pix_new = np.linspace(pix.min(), pix.max(), int(self._nbin * factor) + 1)
            return self.from_edges(self.pix_to_coord(pix_new), name=self._name, interp=self._interp)
        pix = self.coord_to_pix(self.center)
        pix_new = np.linspace(pix.min(), pix.max(), int((self._nbin - 1) * factor) + 1)
        return self.from_nodes(self.pix_to_coord(pix_new), name=self._name, interp=self._interp)

    def pad(self, pad_width):
        """Extend by ``pad_width`` bins (int or (low, high)) with the same scaled step."""
        low, high = pad_width if isinstance(pad_width, tuple) else (pad_width, pad_width)
        if self._node_type == "edges":
            pix = np.arange(-low, self._nbin + high + 1) - 0.5
            return self.from_edges(self.pix_to_coord(pix), interp=self._interp, name=self._name)
        pix = np.arange(-low, self._nbin + high)
        return self.from_nodes(self.pix_to_coord(pix), interp=self._interp, name=self._name)

    def concatenate(self, axis):
        """Append a contiguous axis of the same name, interp and node type."""
        if self._node_type != axis.node_type:
            raise ValueError(f"Node type must agree, got {self._node_type} and {axis.node_type}")
        if self._name != axis.name:
            raise ValueError(f"Names must agree, got {self._name} and {axis.name}")
        if self._interp != axis.interp:
            raise ValueError(f"Interp type must agree, got {self._interp} and {axis.interp}")
        if self._node_type == "edges":
            edges = np.append(self.edges, axis.edges[1:])
            return self.from_edges(edges, interp=self._interp, name=self._name)
        nodes = np.append(self.center, axis.center)
        return self.from_nodes(nodes, interp=self._interp, name=self._name)

    def round(self, coord, clip=False):
        """Round coordinates to the nearest axis edge."""
        edges_pix = self.coord_to_pix(coord)
        if clip:
            edges_pix = np.clip(edges_pix, -0.5, self._nbin - 0.5)
        edges_idx = np.round(edges_pix + 0.5) - 0.5
        return self.pix_to_coord(edges_idx)

    # --- FITS helpers --------------------------------------------------------

    def _gadf_columns(self):
        """Bands-table column names: (centre, min, max)."""
        if self._name == "energy":
            return "ENERGY", "E_MIN", "E_MAX"
        name = self._name.upper()
        return name, f"{name}_MIN", f"{name}_MAX"

    def to_header(self, format="gadf", idx=0):
        """``AXCOLS<idx>`` / ``INTERP<idx>`` cards of the gadf bands layout."""
        from astropy.io import fits

        header = fits.Header()
        centre, lo, hi = self._gadf_columns()
        header[f"AXCOLS{idx}"] = f"{lo},{hi}" if self._node_type == "edges" else centre
        header[f"INTERP{idx}"] = self._interp
        return header

    def __repr__(self):
        fmt = "\t{:<10s} : {:<10s}\n"
        vals = self._edges_float if self._node_type == "edges" else self._center_float
        text = self.__class__.__name__ + "\n\n"
        text += fmt.format("name", self._name)
        text += fmt.format("unit", repr(str(self._unit)))
        text += fmt.format("nbins", str(self._nbin))
        text += fmt.format("node type", self._node_type)
        text += fmt.format(f"{self._node_type} min", f"{vals.min():.1e} {self._unit}".strip())
        text += fmt.format(f"{self._node_type} max", f"{vals.max():.1e} {self._unit}".strip())
        text += fmt.format("interp", self._interp)
        return text

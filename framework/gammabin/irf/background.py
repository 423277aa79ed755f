"""Backgrounds — ``Background3D`` (BKG_3D) and ``Background2D`` (BKG_2D) (spec §2.6).

Values interpolate in log scale (clipped to the float32 tiny before ``ln``), are
integrated over reco-energy bins with the log-log rule, and are 0 outside the axis
edges.  Reading reproduces gammapy's orientation quirk: the file's C-order
``[E][DETY][DETX]`` array is used as ``[energy][fov_lon][fov_lat]``.
"""
import logging

import numpy as np
from astropy import units as u

from gammabin import kernels
from gammabin.errors import DataFormatError, MissingColumnError

from .core import IRF, FoVAlignment
from .gadf_table import read_axes

__all__ = ["BackgroundIRF", "Background3D", "Background2D"]

log = logging.getLogger(__name__)

_DEFAULT_UNIT = u.Unit("s-1 MeV-1 sr-1")
_RATE_UNIT = u.Unit("s-1 sr-1")


class BackgroundIRF(IRF):
    """Shared reading and log-log integration of background rate tables."""

    default_unit = _DEFAULT_UNIT
    default_interp_kwargs = {"bounds_error": False, "fill_value": 0.0, "values_scale": "log"}
    extname = "BACKGROUND"
    column_name = "BKG"
    hduclas2 = "BKG"

    @property
    def fov_alignment(self):
        return self._fov_alignment

    @fov_alignment.setter
    def fov_alignment(self, value):
        # the data layer forces REVERSE_LON_RADEC for old H.E.S.S. files (spec §1.5)
        self._fov_alignment = FoVAlignment.check(value)

    @classmethod
    def _from_irf_table(cls, table):
        if "HDUCLAS2" not in table.meta:
            log.warning("%s: missing HDUCLAS2 keyword, assuming 'BKG'", table.where)
            table.meta = dict(table.meta, HDUCLAS2="BKG")
        axes = read_axes(table, cls.required_axes)
        name = next((c for c in ("BKG", "BGD") if table.has(c)), None)
        if name is None:
            raise MissingColumnError(
                f"{table.where}: missing background column 'BKG' (or 'BGD'); columns present: {', '.join(table.colnames)}"
            )
        raw = table.finite_column(name, what="background column")
        unit = table.unit(name, expected=_DEFAULT_UNIT, fallback=_DEFAULT_UNIT)
        shape = tuple(a.nbin for a in axes)
        # gammapy: transpose, and transpose back if the shape does not fit (spec §2.6)
        data = raw.T
        if data.shape != shape:
            data = data.T
        if data.shape != shape:
            raise DataFormatError(
                f"{table.where}: column {name!r} has shape {raw.shape} (C order), which fits neither "
                f"orientation of the axes {[a.name for a in axes]} with shape {shape}"
            )
        return cls._from_table_values(table, axes, data, unit)

    def _integrate_bins_float(self, energy_edges_tev, *spatial):
        """Log-log integrals over reco-energy bins: (n_bins, *spatial shape) in s⁻¹ sr⁻¹.

        ``energy_edges_tev`` 1-D; ``spatial`` plain degree arrays (one shape), one per
        spatial axis in ``required_axes`` order."""
        edges = np.asarray(energy_edges_tev, dtype=float)
        spatial = [np.asarray(s, dtype=float) for s in spatial]
        ndim = np.broadcast_shapes(*(s.shape for s in spatial)) if spatial else ()
        energy = edges.reshape((-1,) + (1,) * len(ndim))
        values = self._evaluate_float(energy, *[s[np.newaxis] for s in spatial])
        values = np.broadcast_to(values, energy.shape[:1] + tuple(ndim))
        integral = kernels.integrate_log_log(np.broadcast_to(energy, values.shape), values, axis=0)
        return integral * self._rate_factor

    @property
    def _rate_factor(self):
        return float((self.unit * u.TeV).to(_RATE_UNIT))


class Background3D(BackgroundIRF):
    """Background rate vs (reco energy [log], fov_lon, fov_lat)."""

    tag = "bkg_3d"
    required_axes = ("energy", "fov_lon", "fov_lat")
    hduclas4 = "BKG_3D"

    def _header_meta(self):
        meta = super()._header_meta()
        meta["FOVALIGN"] = self.fov_alignment  # mandatory for BKG_3D in gammapy's writer
        return meta

    def _integrate_energy_bins(self, energy_edges_tev, fov_lon_deg, fov_lat_deg):
        """Per-bin integrals (s⁻¹ sr⁻¹) of the log-interpolated rate over reco-energy bins
        at FoV coordinates in degrees: shape (n_bins, *fov shape)."""
        return self._integrate_bins_float(energy_edges_tev, fov_lon_deg, fov_lat_deg)

    def to_2d(self):
        """Offset profile for plotting: the fov_lat bin holding 0, fov_lon ≥ the bin of 0."""
        idx_lon = int(self.axes["fov_lon"].coord_to_idx(0 * u.deg).ravel()[0])
        idx_lat = int(self.axes["fov_lat"].coord_to_idx(0 * u.deg).ravel()[0])
        from gammabin.maps import MapAxis

        data = self.data[:, idx_lon:, idx_lat].copy()
        offset_axis = MapAxis.from_edges(self.axes["fov_lon"].edges[idx_lon:], name="offset")
        return Background2D(axes=[self.axes["energy"], offset_axis], data=data, unit=self.unit)


class Background2D(BackgroundIRF):
    """Radially symmetric background rate vs (reco energy [log], offset)."""

    tag = "bkg_2d"
    required_axes = ("energy", "offset")
    hduclas4 = "BKG_2D"

    def _integrate_energy_bins(self, energy_edges_tev, offset_deg):
        """Per-bin integrals (s⁻¹ sr⁻¹) over reco-energy bins at offsets in degrees:
        shape (n_bins, *offset shape)."""
        return self._integrate_bins_float(energy_edges_tev, offset_deg)

    def to_3d(self):
        """Background3D on a symmetric (lon, lat) grid from the offset edges, evaluated at
        the offset of each (lon, lat) centre."""
        from gammabin.maps import MapAxes, MapAxis

        offsets = self.axes["offset"].edges
        edges_neg = np.negative(offsets)[::-1]
        edges_neg = edges_neg[edges_neg <= 0]
        edges = np.concatenate((edges_neg, offsets[offsets > 0]))
        fov_lat = MapAxis.from_edges(edges=edges, name="fov_lat")
        fov_lon = MapAxis.from_edges(edges=edges, name="fov_lon")
        axes = MapAxes([self.axes["energy"], fov_lon, fov_lat])
        lon = fov_lon.center.to_value("deg")[np.newaxis, :, np.newaxis]
        lat = fov_lat.center.to_value("deg")[np.newaxis, np.newaxis, :]
        offset = kernels.angular_separation(0.0, 0.0, lon, lat)
        energy = self.axes["energy"].center.value[:, np.newaxis, np.newaxis]
        data = self._interp_axis_units([energy, offset * float(u.deg.to(self.axes["offset"].unit) if self.axes["offset"].unit != u.one else 1.0)])
        return Background3D(axes=axes, data=data, unit=self.unit)

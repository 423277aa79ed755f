"""Parametric PSFs: PSF_3GAUSS — ``EnergyDependentMultiGaussPSF`` and PSF_KING — ``PSFKing``
(spec §2.5).

Each parameter is interpolated linearly in (ln E centre, offset centre) with
extrapolation everywhere and no out-of-range masking, then clipped at 0; ``sigma = 0``
in a file is read as 1°.  Profiles are flat-sky densities in deg⁻².
"""
import numpy as np
from astropy import units as u

from gammabin.errors import DataFormatError

from .core import IRF
from .gadf_table import read_axes
from .psf_common import PSFMixin

__all__ = ["ParametricPSF", "EnergyDependentMultiGaussPSF", "PSFKing"]


class ParametricPSF(PSFMixin, IRF):
    """Base class: ``data`` is a float32 structured array (one field per parameter)
    on (energy_true, offset); ``unit`` is a dict parameter → unit."""

    required_axes = ("energy_true", "offset")
    required_parameters = ()
    column_names = {}
    hduclas2 = "RPSF"
    default_interp_kwargs = {"bounds_error": False, "fill_value": None}

    def __init__(self, axes, data=None, unit=None, is_pointlike=False, fov_alignment="RADEC", meta=None, interp_kwargs=None):
        self._init_description(axes, is_pointlike, fov_alignment, meta, interp_kwargs)
        unit = unit or {}
        self._unit = {name: u.Unit(unit.get(name, "")) for name in self.required_parameters}
        self.data = data

    @property
    def quantity(self):
        return {name: u.Quantity(self.data[name], self._unit[name]) for name in self.required_parameters}

    def to_unit(self, unit):
        raise NotImplementedError("Parametric PSFs have one unit per parameter")

    def normalize(self):
        raise NotImplementedError("Parametric PSFs are normalised by construction")

    def _parameters_float(self, energy_true_tev, offset_deg):
        """Interpolated parameters (sigmas in deg) at plain floats; shape broadcast."""
        factors = self._grid["factor"]
        coords = [np.asarray(c, dtype=float) * f for c, f in zip((energy_true_tev, offset_deg), factors)]
        pars = {}
        for name in self.required_parameters:
            values = self._interp_values(self.data[name], coords, method="linear", fill_value=None)
            if self._unit[name].physical_type == "angle":
                values = values * float(self._unit[name].to(u.deg))
            pars[name] = values
        return pars

    def evaluate_parameters(self, energy_true, offset):
        """Interpolated parameters as Quantities (public gammapy name)."""
        coords = self._coords_in_axis_units({"energy_true": energy_true, "offset": offset})
        pars = {}
        for name in self.required_parameters:
            values = self._interp_values(self.data[name], coords, method="linear", fill_value=None)
            pars[name] = u.Quantity(values, self._unit[name])
        return pars

    def _evaluate_float(self, energy_true_tev, offset_deg, rad_deg, method=None):
        """Density in deg⁻² at plain floats (TeV, deg, deg)."""
        pars = self._parameters_float(energy_true_tev, offset_deg)
        return self._profile(np.asarray(rad_deg, dtype=float), **pars)

    def _containment_float(self, energy_true_tev, offset_deg, rad_deg):
        pars = self._parameters_float(energy_true_tev, offset_deg)
        return self._containment(np.asarray(rad_deg, dtype=float), **pars)

    @staticmethod
    def _rad_deg(rad):
        return u.Quantity(rad, "deg").to_value("deg")

    def evaluate(self, rad, energy_true=None, offset=None, **kwargs):
        """PSF density (deg⁻²) at ``rad`` for the given true energy and offset."""
        energy_true = self.axes["energy_true"].center if energy_true is None else energy_true
        offset = self.axes["offset"].center if offset is None else offset
        coords = self._coords_in_axis_units({"energy_true": energy_true, "offset": offset})
        values = self._evaluate_float(*self._canonical(coords), self._rad_deg(rad))
        return u.Quantity(values, "deg-2")

    def containment(self, rad, energy_true=None, offset=None, **kwargs):
        """Fraction of the PSF within ``rad`` (dimensionless)."""
        energy_true = self.axes["energy_true"].center if energy_true is None else energy_true
        offset = self.axes["offset"].center if offset is None else offset
        coords = self._coords_in_axis_units({"energy_true": energy_true, "offset": offset})
        values = self._containment_float(*self._canonical(coords), self._rad_deg(rad))
        return u.Quantity(values, u.one)

    def _canonical(self, coords):
        return [np.asarray(c, dtype=float) / f for c, f in zip(coords, self._grid["factor"])]

    # --- table I/O ---------------------------------------------------------------

    @classmethod
    def _from_irf_table(cls, table):
        axes = read_axes(table, cls.required_axes)
        shape = tuple(a.nbin for a in axes)
        dtype = {"names": list(cls.required_parameters), "formats": [np.float32] * len(cls.required_parameters)}
        data = np.empty(shape, dtype=dtype)
        units = {}
        for name in cls.required_parameters:
            column = cls.column_names[name]
            values = np.array(table.finite_column(column, what="PSF parameter column")).T
            if values.shape != shape:
                raise DataFormatError(
                    f"{table.where}: column {column!r} has shape {values.T.shape}, expected {shape[::-1]}"
                )
            if "sigma" in name:
                values[values == 0] = 1.0  # gammapy reads sigma = 0 as 1 deg (spec quirk 10)
                units[name] = table.unit(column, expected=u.deg)
            elif name == "scale":
                # SCALE cancels in the weights, so its unit is free (CTA prod5 writes sr-1)
                units[name] = table.unit(column)
            else:
                units[name] = table.unit(column, expected=u.one)
            data[name] = values
        return cls(
            axes=axes,
            data=data,
            unit=units,
            meta=table.meta,
            is_pointlike=table.meta.get("HDUCLAS3") == "POINT-LIKE",
        )

    def to_table(self, format="gadf-dl3"):
        if format != "gadf-dl3":
            raise ValueError(f"Not a valid supported format: {format!r}")
        table = self._axes_table()
        table.meta = self._header_meta()
        for name in self.required_parameters:
            table[self.column_names[name]] = u.Quantity(self.data[name].T[np.newaxis], self._unit[name])
        return table

    def is_allclose(self, other, rtol_axes=1e-3, atol_axes=1e-6, **kwargs):
        if not isinstance(other, self.__class__) or self.data.shape != other.data.shape:
            return False
        data_eq = all(np.allclose(self.quantity[k], other.quantity[k], **kwargs) for k in self.required_parameters)
        return data_eq and self.axes.is_allclose(other.axes, rtol=rtol_axes, atol=atol_axes)


class EnergyDependentMultiGaussPSF(ParametricPSF):
    """Sum of three 2-D Gaussians; weights ``w_i ∝ a_i σ_i²`` (``a_1 = 1``, SCALE cancels)."""

    tag = "psf_3gauss"
    required_parameters = ("sigma_1", "sigma_2", "sigma_3", "scale", "ampl_2", "ampl_3")
    column_names = {
        "sigma_1": "SIGMA_1",
        "sigma_2": "SIGMA_2",
        "sigma_3": "SIGMA_3",
        "scale": "SCALE",
        "ampl_2": "AMPL_2",
        "ampl_3": "AMPL_3",
    }
    extname = "PSF_2D_GAUSS"
    hduclas4 = "PSF_3GAUSS"

    @staticmethod
    def _weights(sigma_1, sigma_2, sigma_3, scale, ampl_2, ampl_3):
        sigmas = (sigma_1, sigma_2, sigma_3)
        norms = [2 * scale * a * s**2 for a, s in zip((np.ones_like(scale), ampl_2, ampl_3), sigmas)]
        total = np.nansum(np.stack(norms), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return sigmas, [np.nan_to_num(n / total) for n in norms]

    @classmethod
    def _profile(cls, rad, **pars):
        sigmas, weights = cls._weights(**pars)
        total = 0.0
        for s, w in zip(sigmas, weights):
            s2 = s * s
            with np.errstate(divide="ignore", invalid="ignore"):
                total = total + w * ((1 / (2 * np.pi * s2)) * np.exp(-0.5 * (rad * rad) / s2))
        return total

    @classmethod
    def _containment(cls, rad, **pars):
        sigmas, weights = cls._weights(**pars)
        total = 0.0
        for s, w in zip(sigmas, weights):
            with np.errstate(divide="ignore", invalid="ignore"):
                total = total + w * (1 - np.exp(-0.5 * rad**2 / (s * s)))
        return total


class PSFKing(ParametricPSF):
    """King profile ``(1 − 1/γ)/(2πσ²)·(1 + r²/(2γσ²))^(−γ)``."""

    tag = "psf_king"
    required_parameters = ("gamma", "sigma")
    column_names = {"gamma": "GAMMA", "sigma": "SIGMA"}
    extname = "PSF_2D_KING"
    hduclas4 = "PSF_KING"

    @staticmethod
    def _profile(rad, gamma, sigma):
        with np.errstate(divide="ignore", invalid="ignore"):
            term1 = 1 / (2 * np.pi * sigma**2)
            term2 = 1 - 1 / gamma
            term3 = (1 + rad**2 / (2 * gamma * sigma**2)) ** (-gamma)
        return term1 * term2 * term3

    @staticmethod
    def _containment(rad, gamma, sigma):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 - (1 + rad**2 / (2 * gamma * sigma**2)) ** (1 - gamma)
